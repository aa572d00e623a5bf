#!/usr/bin/env bash
# `make bench` (MODE=quick|full): Stream Events vs the PDO peer vs SQLite's limit.
#   quick: 1M events in the big store, a few minutes; full: 10M events.
# MODE=live: 1,000 open pages polling under PHP-FPM while 2 processes log
#   (bench/live.php; EVENTS, RUNS, PAGES from the environment).
# MODE=prune: the daily prune of the 10M store with the lock probe and 2 loggers
#   together, RUNS times (bench/prune-probe.php; EVENTS, RUNS, and LIBRARY_B: another
#   build to alternate with, an experiment against its baseline; COLD=1: the store's
#   pages leave the page cache before each prune but for the newest day, as on a panel;
#   COLD=all: every page does, as on a host whose memory holds little of the store).
# bench/run.sh mariadb [quick|full] (make bench ENGINE=mariadb MODE=...): the same
#   on MariaDB against a PDO pdo_mysql peer (bench/maria.php), on a private server
#   started here and stopped at the end (Tests/mariadb/server.sh).
# bench/run.sh mariadb pages: the five page cells at 10M and, per cell, each statement a
#   page sends with its time and rows examined (bench/maria-pages.php; EVENTS, REPS).
# bench/run.sh mariadb drop: the daily partition drop at rest and right after a
#   large write to the same server (bench/maria-drop.php; EVENTS, ROUNDS, WAIT).
# bench/run.sh mariadb fold: what each part of the writers' fold costs the server, on
#   stores of uncounted events (bench/maria-fold.php; EVENTS, ROUNDS, VARIANTS).
# bench/run.sh mariadb tail: an experiment, writers into the event table against a tail
#   table that a folder moves into it (bench/maria-tail.php; LOG, ROUNDS, WRITERS).
# LIBRARY_B=… bench/run.sh mariadb log-ab: the el_log row for this build and LIBRARY_B, each
#   against PDO on its own build's event table (bench/maria-log-ab.php; LOG, ROUNDS).
# EVENTS overrides the big store's size (and LOG the MariaDB logging blocks'), to try a harness.
# Big stores are kept in $BENCH_DIR (default <repo>/var/bench, git-ignored) and
# reused across runs while their row count, seed and schema version match.
set -eu
ENGINE=sqlite
if [ "${1:-}" = mariadb ]; then ENGINE=mariadb; shift; fi
MODE=${1:-quick}
case "$ENGINE:$MODE" in
  *:quick|*:full|sqlite:live|sqlite:prune|mariadb:drop|mariadb:pages|mariadb:fold|mariadb:tail|mariadb:log-ab) ;;
  *) echo "usage: bench/run.sh quick|full|live|prune, or bench/run.sh mariadb quick|full|drop|pages|fold|tail|log-ab" >&2; exit 2 ;;
esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-$ROOT/var/bench}
. "$ROOT/php-bridge/env.sh" && stream_events_env "$ROOT/php-bridge" bench || exit 1
[ -f "$ROOT/php-bridge/ffi/eventlog.h" ] || { echo "bench: php-bridge/ffi/eventlog.h is missing (make ffi-header)" >&2; exit 1; }
mkdir -p "$BENCH_DIR/tmp"
cleanup() { rm -rf "$BENCH_DIR/tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
# The library may be rebuilt while the bench runs: every process loads this copy, so one run measures one build.
cp -p "$STREAM_EVENTS_LIB" "$BENCH_DIR/tmp/libeventlog.so"
export STREAM_EVENTS_LIB="$BENCH_DIR/tmp/libeventlog.so"
exec_php() { php -d memory_limit=-1 -d ffi.enable=1 "$@"; }
if [ "$MODE" = live ]; then
  exec_php "$ROOT/bench/live.php" "$BENCH_DIR" "${EVENTS:-1000000}" "${RUNS:-3}" "${PAGES:-1000}"
  exit
fi
if [ "$ENGINE" = sqlite ]; then
  cc -O2 -Wall -I"$ROOT/Sources/CWALGather/include" -o "$BENCH_DIR/limit" "$ROOT/bench/limit.c" \
     "$ROOT/Sources/CWALGather/wal_gather.c" -lsqlite3 -lpthread
  if [ "$MODE" = prune ]; then
    libb=
    if [ -n "${LIBRARY_B:-}" ]; then cp -p "$LIBRARY_B" "$BENCH_DIR/tmp/libeventlog-b.so"; libb="$BENCH_DIR/tmp/libeventlog-b.so"; fi
    exec_php "$ROOT/bench/prune-probe.php" "$BENCH_DIR" "$BENCH_DIR/limit" "${RUNS:-3}" $libb
    exit
  fi
  exec_php "$ROOT/bench/bench.php" "$MODE" "$BENCH_DIR" "$BENCH_DIR/limit"
  exit
fi

# One private server for both sides, durable commits (the library's and the
# peer's alike), a buffer pool that holds both 10M-event stores (about 7.7 GB;
# the peer's 30-day counts read all of its store), as a server sized for its
# data, and a redo log that the bulk copies do not keep checkpointing.
command -v mariadbd >/dev/null || { echo "bench: mariadbd not found (apt-get install mariadb-server)" >&2; exit 1; }
php -m | grep -qx pdo_mysql || { echo "bench: the peer needs pdo_mysql (apt-get install php8.2-mysql)" >&2; exit 1; }
export SE_MARIADB_ROOT="$BENCH_DIR/mariadb"
. "$ROOT/Tests/mariadb/server.sh"
cleanup() { mariadb_stop_all; rm -rf "$SE_MARIADB_ROOT/bench" "$BENCH_DIR/tmp"; }
mariadb_start bench -- --innodb-flush-log-at-trx-commit=1 --innodb-buffer-pool-size=10G --innodb-log-file-size=1G \
  --max-allowed-packet=64M
export BENCH_MARIADB_PID=$(mariadb_pid bench) # its CPU time per event, from /proc
if [ "$MODE" = drop ]; then exec_php "$ROOT/bench/maria-drop.php" "$BENCH_DIR" "$(mariadb_url bench)"; exit; fi
if [ "$MODE" = pages ]; then exec_php "$ROOT/bench/maria-pages.php" "$BENCH_DIR" "$(mariadb_url bench)"; exit; fi
if [ "$MODE" = fold ]; then exec_php "$ROOT/bench/maria-fold.php" "$BENCH_DIR" "$(mariadb_url bench)"; exit; fi
if [ "$MODE" = tail ]; then exec_php "$ROOT/bench/maria-tail.php" "$BENCH_DIR" "$(mariadb_url bench)"; exit; fi
if [ "$MODE" = log-ab ]; then
  [ -n "${LIBRARY_B:-}" ] || { echo "bench: log-ab needs LIBRARY_B (another build of libeventlog.so)" >&2; exit 2; }
  cp -p "$LIBRARY_B" "$BENCH_DIR/tmp/libeventlog-b.so"
  exec_php "$ROOT/bench/maria-log-ab.php" "$BENCH_DIR" "$(mariadb_url bench)" "$STREAM_EVENTS_LIB" "$BENCH_DIR/tmp/libeventlog-b.so"
  exit
fi
exec_php "$ROOT/bench/maria.php" "$MODE" "$BENCH_DIR" "$(mariadb_url bench)"
