#!/usr/bin/env bash
# php-bridge tests against the real libeventlog.so: the generated FFI header
# matches include/eventlog.h, then on each engine the PHPUnit suite and the
# OpenAPI check (the description is validated and a php -S server's real
# responses are checked against it). SQLite, then MariaDB on a private server
# of its own (Tests/mariadb/server.sh), stopped when this exits.
#
#   php-bridge/tests/run.sh [sqlite|mariadb|both]     (default both)
#
# Exits non-zero on any failure. Env: STREAM_EVENTS_LIB (see php-bridge/env.sh).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bridge=$(dirname "$here")
repo=$(dirname "$bridge")
case ${1:-both} in
    sqlite|mariadb) engines=("$1") ;;
    both) engines=(sqlite mariadb) ;;
    *) echo "usage: $0 [sqlite|mariadb|both]" >&2; exit 2 ;;
esac
. "$bridge/env.sh" && stream_events_env "$bridge" php-bridge || exit 1
. "$repo/Tests/mariadb/server.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/stream-events-php.XXXXXX")
server_pid=
stop_server() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
    server_pid=
}
cleanup() {
    stop_server
    mariadb_stop_all
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failed=()
summary=()

echo "== FFI header is up to date"
if ! diff -u <(cpp -P -DEL_FFI_CDEF "$repo/include/eventlog.h") <(tail -n +2 "$bridge/ffi/eventlog.h"); then
    echo "php-bridge/ffi/eventlog.h differs from include/eventlog.h: run make ffi-header" >&2
    failed+=("ffi-header")
fi

# The MariaDB leg's server: its own datadir under build/mariadb, a free port on 127.0.0.1.
# The tests get its base URI; each test makes (and drops) a database of its own.
start_mariadb() {
    command -v mariadbd >/dev/null || { echo "mariadbd not found: install mariadb-server (make deps)" >&2; return 1; }
    mariadb_start php-bridge-tests || return 1
    STREAM_EVENTS_TEST_MARIADB=$(mariadb_url php-bridge-tests) || return 1
    export STREAM_EVENTS_TEST_MARIADB
}

openapi() { # ENGINE
    python3 -c 'import yaml, jsonschema, referencing, openapi_spec_validator' 2>/dev/null || {
        echo "missing Python packages: python3 -m pip install openapi-spec-validator jsonschema (make deps)" >&2
        return 1
    }
    local store=$tmp/events.sqlite
    [ "$1" = mariadb ] && store=$STREAM_EVENTS_TEST_MARIADB/openapi_check
    php "$here/seed.php" "$store" >/dev/null || return 1
    # The server runs as under FPM: php.ini.example's preload lines, FFI limited to preloaded code.
    STREAM_EVENTS_DB="$store" STREAM_EVENTS_DEMO=1 \
        stream_events_serve --preload --log "$tmp/server-$1.log" "$bridge/public/index.php" || return 1
    timeout 120 python3 "$here/openapi_check.py" "$bridge/openapi.yaml" "$server_url" || {
        echo "--- server log"; tail -n 50 "$tmp/server-$1.log"; stop_server; return 1
    }
    stop_server
}

for engine in "${engines[@]}"; do
    export STREAM_EVENTS_TEST_ENGINE=$engine
    if [ "$engine" = mariadb ] && ! start_mariadb; then
        failed+=("mariadb server"); summary+=("mariadb: no server"); continue
    fi
    echo "== PHPUnit on $engine"
    if timeout 900 phpunit -c "$bridge/phpunit.xml" | tee "$tmp/phpunit-$engine.log"; then
        summary+=("$engine: $(grep -E '^(OK|Tests:)' "$tmp/phpunit-$engine.log" | tail -n 1)")
    else
        failed+=("phpunit on $engine")
        summary+=("$engine: FAILED, $(grep -E '^Tests:' "$tmp/phpunit-$engine.log" | tail -n 1)")
    fi
    echo "== OpenAPI on $engine"
    openapi "$engine" || failed+=("openapi on $engine")
done

echo "== PHPUnit per engine"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "php-bridge: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "php-bridge: all passed"
