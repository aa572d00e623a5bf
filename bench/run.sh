#!/bin/sh
# `make bench` (MODE=quick|full): Stream Events vs the PDO peer vs SQLite's limit.
#   quick: 1M events in the big store, a few minutes; full: 10M events.
# MODE=live: 1,000 open pages polling under PHP-FPM while 2 processes log
#   (bench/live.php; EVENTS, RUNS, PAGES from the environment).
# Big stores are kept in $BENCH_DIR (default <repo>/var/bench, git-ignored) and
# reused across runs while their row count, seed and schema version match.
set -eu
MODE=${1:-quick}
case "$MODE" in quick|full|live) ;; *) echo "usage: bench/run.sh quick|full|live" >&2; exit 2 ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-$ROOT/var/bench}
. "$ROOT/php-bridge/env.sh" && stream_events_env "$ROOT/php-bridge" bench || exit 1
[ -f "$ROOT/php-bridge/ffi/eventlog.h" ] || { echo "bench: php-bridge/ffi/eventlog.h is missing (make ffi-header)" >&2; exit 1; }
mkdir -p "$BENCH_DIR/tmp"
trap 'rm -rf "$BENCH_DIR/tmp"' EXIT INT TERM
# The library may be rebuilt while the bench runs: every process loads this copy, so one run measures one build.
cp -p "$STREAM_EVENTS_LIB" "$BENCH_DIR/tmp/libeventlog.so"
export STREAM_EVENTS_LIB="$BENCH_DIR/tmp/libeventlog.so"
exec_php() { php -d memory_limit=-1 -d ffi.enable=1 "$@"; }
if [ "$MODE" = live ]; then
  exec_php "$ROOT/bench/live.php" "$BENCH_DIR" "${EVENTS:-1000000}" "${RUNS:-3}" "${PAGES:-1000}"
  exit
fi
cc -O2 -Wall -I"$ROOT/Sources/CWALGather/include" -o "$BENCH_DIR/limit" "$ROOT/bench/limit.c" \
   "$ROOT/Sources/CWALGather/wal_gather.c" -lsqlite3 -lpthread
exec_php "$ROOT/bench/bench.php" "$MODE" "$BENCH_DIR" "$BENCH_DIR/limit"
