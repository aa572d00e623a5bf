#!/usr/bin/env bash
# php-bridge tests against the real libeventlog.so: the generated FFI header
# matches include/eventlog.h, the PHPUnit suite, then the OpenAPI description
# is validated and a php -S server's real responses are checked against it.
# Exits non-zero on any failure. Env: STREAM_EVENTS_LIB (default: the release build).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bridge=$(dirname "$here")
repo=$(dirname "$bridge")
export STREAM_EVENTS_LIB=${STREAM_EVENTS_LIB:-$repo/.build/release/libeventlog.so}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/stream-events-php.XXXXXX")
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failed=()

if [ ! -f "$STREAM_EVENTS_LIB" ]; then
    echo "php-bridge: $STREAM_EVENTS_LIB not found (run make build)" >&2
    exit 1
fi

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
    php "$here/seed.php" "$tmp/events.sqlite" "$STREAM_EVENTS_LIB" >/dev/null || return 1
    # The server runs as under FPM: php.ini.example's preload lines, FFI limited to preloaded code.
    sed -e "s#^opcache.preload=.*#opcache.preload=$bridge/preload.php#" \
        -e "s#^opcache.preload_user=.*#opcache.preload_user=$(id -un)#" "$bridge/php.ini.example" > "$tmp/php.ini"
    local port
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    STREAM_EVENTS_DB="$tmp/events.sqlite" STREAM_EVENTS_DEMO=1 \
        php -c "$tmp/php.ini" -d opcache.enable_cli=1 -S "127.0.0.1:$port" "$bridge/public/index.php" \
        > "$tmp/server.log" 2>&1 &
    server_pid=$!
    local deadline=$((SECONDS + 15))
    until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
        if ! kill -0 "$server_pid" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
            echo "php -S did not start on port $port:" >&2; cat "$tmp/server.log" >&2
            return 1
        fi
        sleep 0.05
    done
    timeout 120 python3 "$here/openapi_check.py" "$bridge/openapi.yaml" "http://127.0.0.1:$port" || {
        echo "--- server log"; tail -n 50 "$tmp/server.log"; return 1
    }
}
openapi || failed+=("openapi")

if [ ${#failed[@]} -gt 0 ]; then
    echo "php-bridge: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "php-bridge: all passed"
