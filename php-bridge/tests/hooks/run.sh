#!/usr/bin/env bash
# Stream-server hook tests against the real programs: the hook classes and
# secrets, delivery keys and session files, icecast2 mount hooks, liquidsoap
# DJ/AutoDJ hooks and their spool (bridge down, lost answers, kill -9),
# nginx-rtmp publish hooks (ffmpeg as source client, DJ and TV publisher). Each test runs in its
# own process group, bounded in time, and whatever it started is killed when
# it ends. Exits non-zero on any failure.
# Env: STREAM_EVENTS_LIB (see php-bridge/env.sh), KEEP_TMP=1 keeps the
# temp dir (server logs) of a failed test.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)

missing=()
for tool in php icecast2 liquidsoap ffmpeg nginx curl; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
[ -f /usr/lib/nginx/modules/ngx_rtmp_module.so ] || missing+=("libnginx-mod-rtmp")
php -r 'exit(extension_loaded("pcntl") && extension_loaded("posix") && extension_loaded("FFI") ? 0 : 1);' || missing+=("php pcntl/posix/FFI")
if [ ${#missing[@]} -gt 0 ]; then
    echo "hooks: missing ${missing[*]} (make deps installs them)" >&2
    exit 1
fi
. "$repo/php-bridge/env.sh" && stream_events_env "$repo/php-bridge" hooks || exit 1

# Every test's temp dir lives under this one. 0711: icecast2/liquidsoap may
# run as nobody and must reach their own sub-folders.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stream-events-hooks.XXXXXX")
chmod 0711 "$tmp"
export TMPDIR=$tmp

pgid=
stop_group() {
    # The test's whole process group: php, php -S, icecast2, liquidsoap, nginx, ffmpeg.
    [ -n "$pgid" ] || return 0
    kill -TERM -- "-$pgid" 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        kill -0 -- "-$pgid" 2>/dev/null || break
        sleep 0.2
    done
    kill -KILL -- "-$pgid" 2>/dev/null
    pgid=
}
cleanup() {
    stop_group
    if [ -n "${KEEP_TMP:-}" ]; then echo "hooks: temp files kept in $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failed=()
for test in hook_units session_units icecast_hooks liquidsoap_hooks liquidsoap_delivery rtmp_units rtmp_hooks; do
    echo "== $test"
    start=$(date +%s)
    # The delivery test keeps the bridge away for 30 s on purpose.
    limit=90; [ "$test" = liquidsoap_delivery ] && limit=180
    # setsid: a new process group we can kill as a whole, even if PHP dies.
    setsid timeout -k 5 "$limit" php -d ffi.enable=1 "$here/$test.php" &
    pgid=$!
    wait "$pgid"
    status=$?
    stop_group
    echo "   ($test: exit $status, $(( $(date +%s) - start ))s)"
    [ "$status" -eq 0 ] || failed+=("$test")
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "hooks: FAILED: ${failed[*]}"
    exit 1
fi
echo "hooks: all passed"
