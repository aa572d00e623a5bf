#!/usr/bin/env bash
# The demo: (re)builds the demo store, then serves the Stream Events pages and
# /controller/EventLog on 127.0.0.1:${PORT:-8080} with the demo sign-in on.
# `make demo` installs the packages and builds the .so first. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD

PORT=${PORT:-8080}
export STREAM_EVENTS_DB=${STREAM_EVENTS_DB:-$repo/var/demo.sqlite}
export STREAM_EVENTS_DEMO=1
. php-bridge/env.sh && stream_events_env "$repo/php-bridge" demo || exit 1
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
# Without --preload the server enables FFI for all code, as the CLI does (FPM uses the preload).
exec php php-bridge/tests/serve.php --port "$PORT" --log - --docroot php-bridge/public php-bridge/public/index.php
