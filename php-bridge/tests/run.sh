#!/usr/bin/env bash
# php-bridge tests against the real libeventlog.so: the generated FFI header
# matches include/eventlog.h, the PHPUnit suite, then the OpenAPI description
# is validated and a php -S server's real responses are checked against it.
# Exits non-zero on any failure. Env: STREAM_EVENTS_LIB (see php-bridge/env.sh).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bridge=$(dirname "$here")
repo=$(dirname "$bridge")
. "$bridge/env.sh" && stream_events_env "$bridge" php-bridge || exit 1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/stream-events-php.XXXXXX")
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failed=()

echo "== FFI header is up to date"
if ! diff -u <(cpp -P -DEL_FFI_CDEF "$repo/include/eventlog.h") <(tail -n +2 "$bridge/ffi/eventlog.h"); then
    echo "php-bridge/ffi/eventlog.h differs from include/eventlog.h: run make ffi-header" >&2
    failed+=("ffi-header")
fi

echo "== PHPUnit"
if ! timeout 900 phpunit -c "$bridge/phpunit.xml"; then
    failed+=("phpunit")
fi

echo "== OpenAPI"
openapi() {
    python3 -c 'import yaml, jsonschema, referencing, openapi_spec_validator' 2>/dev/null || {
        echo "missing Python packages: python3 -m pip install openapi-spec-validator jsonschema (make deps)" >&2
        return 1
    }
    php "$here/seed.php" "$tmp/events.sqlite" >/dev/null || return 1
    # The server runs as under FPM: php.ini.example's preload lines, FFI limited to preloaded code.
    STREAM_EVENTS_DB="$tmp/events.sqlite" STREAM_EVENTS_DEMO=1 \
        stream_events_serve --preload --log "$tmp/server.log" "$bridge/public/index.php" || return 1
    timeout 120 python3 "$here/openapi_check.py" "$bridge/openapi.yaml" "$server_url" || {
        echo "--- server log"; tail -n 50 "$tmp/server.log"; return 1
    }
}
openapi || failed+=("openapi")

if [ ${#failed[@]} -gt 0 ]; then
    echo "php-bridge: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "php-bridge: all passed"
