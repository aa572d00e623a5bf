#!/usr/bin/env bash
# The demo: (re)builds the demo store, then serves the Stream Events pages and
# /controller/EventLog on 127.0.0.1:${PORT:-8080} with the demo sign-in on.
# `make demo` installs the packages and builds the .so first. Ctrl-C stops it.
#
# ENGINE=mariadb: the store is a MariaDB database on a private server of the
# demo's own (Tests/mariadb/server.sh: datadir build/mariadb/demo, a free port
# on 127.0.0.1, no system service), new at each start and stopped with the demo.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD

PORT=${PORT:-8080}
ENGINE=${ENGINE:-sqlite}
export STREAM_EVENTS_DEMO=1
. php-bridge/env.sh && stream_events_env "$repo/php-bridge" demo || exit 1
if ! php -r 'exit(extension_loaded("ffi") ? 0 : 1);'; then
  echo "demo: PHP's FFI extension is not enabled (php8.2-cli ships it)" >&2
  exit 1
fi

case $ENGINE in
  sqlite)
    export STREAM_EVENTS_DB=${STREAM_EVENTS_DB:-$repo/var/demo.sqlite} ;;
  mariadb)
    command -v mariadbd >/dev/null || { echo "demo: mariadbd not found: install mariadb-server (make deps)" >&2; exit 1; }
    . Tests/mariadb/server.sh
    server_pid=
    # Stops the web server, then the database server, however the demo ends (set +e: a server
    # already gone must not end the trap before MariaDB is stopped).
    trap 'set +e; [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null; mariadb_stop_all' EXIT
    trap 'exit 130' INT TERM
    echo "demo: starting a private MariaDB server (build/mariadb/demo)"
    mariadb_start demo
    export STREAM_EVENTS_DB; STREAM_EVENTS_DB=$(mariadb_url demo stream_events_demo)
    # A database store has no folder of its own: the hooks' state and key go here.
    export STREAM_EVENTS_HOOK_STATE=${STREAM_EVENTS_HOOK_STATE:-$repo/var/demo-hooks} ;;
  *)
    echo "demo: ENGINE must be sqlite or mariadb, not $ENGINE" >&2; exit 2 ;;
esac

php php-bridge/demo/seed.php  # the store from STREAM_EVENTS_DB: a password stays off the command line

cat <<MSG

  Stream Events demo ($ENGINE): http://127.0.0.1:$PORT/stream-events
  (a service's page: http://127.0.0.1:$PORT/services/101/stream-events;
   API: curl -H 'Authorization: Bearer demo-admin' http://127.0.0.1:$PORT/controller/EventLog)
  Sign in as admin, reseller or customer with the switcher on the page. Ctrl-C stops the server.

MSG
# Without --preload the server enables FFI for all code, as the CLI does (FPM uses the preload).
serve=(php php-bridge/tests/serve.php --port "$PORT" --log - --docroot php-bridge/public php-bridge/public/index.php)
if [ "$ENGINE" = sqlite ]; then
  # exec: Ctrl-C reaches the server directly and it exits cleanly; nothing to clean up after it.
  exec "${serve[@]}"
fi
# In the background, so that the traps run (and stop MariaDB) on Ctrl-C or a TERM while it serves.
"${serve[@]}" &
server_pid=$!
wait "$server_pid"
