#!/usr/bin/env bash
# The demo: (re)builds the demo store, then serves the Stream Events pages and
# /controller/EventLog on 127.0.0.1:${PORT:-8080} with the demo sign-in on.
# `make demo` installs the packages and builds the .so first. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD

PORT=${PORT:-8080}
export STREAM_EVENTS_DB=${STREAM_EVENTS_DB:-$repo/var/demo.sqlite}
export STREAM_EVENTS_LIB=${STREAM_EVENTS_LIB:-$repo/.build/release/libeventlog.so}
export STREAM_EVENTS_DEMO=1

if [ ! -f "$STREAM_EVENTS_LIB" ]; then
  echo "demo: $STREAM_EVENTS_LIB is missing; run 'make demo' (it builds it)" >&2
  exit 1
fi
if ! php -r 'exit(extension_loaded("ffi") ? 0 : 1);'; then
  echo "demo: PHP's FFI extension is not enabled (php8.2-cli ships it)" >&2
  exit 1
fi

php php-bridge/demo/seed.php "$STREAM_EVENTS_DB"

cat <<MSG

  Stream Events demo: http://127.0.0.1:$PORT/stream-events
  (a service's page: http://127.0.0.1:$PORT/services/101/stream-events;
   API: curl -H 'Authorization: Bearer demo-admin' http://127.0.0.1:$PORT/controller/EventLog)
  Sign in as admin, reseller or customer with the switcher on the page. Ctrl-C stops the server.

MSG
# exec: Ctrl-C reaches the server directly and it exits cleanly; nothing to clean up after it.
# ffi.enable=1: the CLI server loads the library at request time (FPM uses preload instead).
exec php -d ffi.enable=1 -S "127.0.0.1:$PORT" -t php-bridge/public php-bridge/public/index.php
