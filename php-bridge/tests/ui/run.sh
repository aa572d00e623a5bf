#!/usr/bin/env bash
# Browser test of the Stream Events pages: seeds a temporary demo store, serves
# it with the demo front controller on a free 127.0.0.1 port, and drives
# Debian's headless chromium through Selenium (test_pages.py).
# Screenshots: build/screenshots/ (not committed).
set -euo pipefail
cd "$(dirname "$0")/../../.."
repo=$PWD

export STREAM_EVENTS_LIB=${STREAM_EVENTS_LIB:-$repo/.build/release/libeventlog.so}
[ -f "$STREAM_EVENTS_LIB" ] || { echo "ui: $STREAM_EVENTS_LIB missing (make build)" >&2; exit 1; }
for tool in /usr/bin/chromium /usr/bin/chromedriver; do
  [ -x "$tool" ] || { echo "ui: $tool missing (apt-get install chromium chromium-driver)" >&2; exit 1; }
done
python3 -c 'import selenium' 2>/dev/null || { echo "ui: python3 selenium missing (make deps)" >&2; exit 1; }

tmp=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export STREAM_EVENTS_DB=$tmp/demo.sqlite STREAM_EVENTS_DEMO=1
php -d ffi.enable=1 php-bridge/demo/seed.php "$STREAM_EVENTS_DB"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
php -d ffi.enable=1 -S "127.0.0.1:$port" -t php-bridge/public php-bridge/public/index.php >"$tmp/server.log" 2>&1 &
server=$!
# Ready when the page answers (at most 10 s).
for _ in $(seq 100); do
  if python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/stream-events', timeout=1)" 2>/dev/null; then break; fi
  kill -0 "$server" 2>/dev/null || { cat "$tmp/server.log" >&2; echo "ui: server died" >&2; exit 1; }
  sleep 0.1
done

mkdir -p build/screenshots "$tmp/downloads"
status=0
timeout 110 python3 php-bridge/tests/ui/test_pages.py "http://127.0.0.1:$port" "$tmp/downloads" "$repo/build/screenshots" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log (last 30 lines) ---" >&2
  tail -n 30 "$tmp/server.log" >&2
  [ "$status" -eq 124 ] && echo "ui: timed out" >&2
fi
exit "$status"
