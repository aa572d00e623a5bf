#!/usr/bin/env bash
# Browser test of the Stream Events pages: seeds a temporary demo store, serves
# it with the demo front controller on a free 127.0.0.1 port, and drives
# Debian's headless chromium through Selenium (test_pages.py), with axe-core
# (PyPI's axe-selenium-python) judging accessibility. host.php adds a
# stand-in panel that embeds the pages in its own layout.
# Screenshots: build/screenshots/ (not committed). UI_ONLY="check ..." runs only those checks.
set -euo pipefail
cd "$(dirname "$0")/../../.."
repo=$PWD

. php-bridge/env.sh && stream_events_env "$repo/php-bridge" ui || exit 1
for tool in /usr/bin/chromium /usr/bin/chromedriver; do
  [ -x "$tool" ] || { echo "ui: $tool missing (apt-get install chromium chromium-driver)" >&2; exit 1; }
done
python3 -c 'import selenium, axe_selenium_python' 2>/dev/null || { echo "ui: python3 selenium or axe-selenium-python missing (make deps)" >&2; exit 1; }

tmp=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export STREAM_EVENTS_DB=$tmp/demo.sqlite STREAM_EVENTS_DEMO=1
php -d ffi.enable=1 php-bridge/demo/seed.php "$STREAM_EVENTS_DB"

stream_events_serve --docroot php-bridge/public --log "$tmp/server.log" php-bridge/tests/ui/host.php \
  || { cat "$tmp/server.log" >&2; echo "ui: the server did not start" >&2; exit 1; }

mkdir -p build/screenshots "$tmp/downloads"
status=0
timeout 240 python3 php-bridge/tests/ui/test_pages.py "$server_url" "$tmp/downloads" "$repo/build/screenshots" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log (last 30 lines) ---" >&2
  tail -n 30 "$tmp/server.log" >&2
  [ "$status" -eq 124 ] && echo "ui: timed out" >&2
fi
exit "$status"
