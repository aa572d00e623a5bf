#!/usr/bin/env bash
# Instructions per event, counted by callgrind: everything the PHP process runs
# in user space (PHP, the bridge, the library, libsqlite3), for the library and
# the PDO peer on the same footing. Deterministic where `make bench` is noisy,
# so it shows what a change to the write path saves even when the rates cannot
# (docs/benchmarks-history.md, the "What changed in …" sections). Not a target: the kernel's
# part of a commit is not counted.
#
#   bench/instructions.sh [log|batch] [N]
#
# log: N el_log calls (default 3,000); batch: N events in el_log_batch calls of
# 1,000 (default 10,000). Each side runs N and 2N events into a fresh store with
# the bench's directory and prints the difference divided by N, so that start-up
# and the generation of the rows cancel out. STREAM_EVENTS_LIB picks the library.
set -eu
MODE=${1:-log}
case "$MODE" in
  log) N=${2:-3000} ;;
  batch) N=${2:-10000} ;;
  *) echo "usage: bench/instructions.sh [log|batch] [N]" >&2; exit 2 ;;
esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/php-bridge/env.sh" && stream_events_env "$ROOT/php-bridge" bench || exit 1
command -v valgrind >/dev/null || { echo "instructions: valgrind is missing (make deps)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stream-events-instructions.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
php_() { php -d memory_limit=-1 -d ffi.enable=1 "$@"; }

# The schema the peer writes: dumped from a store the library creates, as in the bench.
php_ -r 'require $argv[1] . "/bench/bootstrap.php"; require_once $argv[1] . "/bench/functions.php"; sqliteSchema($argv[2]);' "$ROOT" "$tmp"
export BENCH_SCHEMA="$tmp/schema.sql"
start=$(( $(date +%s%3N) - 7200000 ))

for side in el pdo; do
  php_ -r 'require $argv[1] . "/bench/bootstrap.php"; require_once $argv[1] . "/bench/functions.php"; freshStore($argv[2], $argv[3]);' \
    "$ROOT" "$side" "$tmp/base.sqlite"
  counts=()
  for n in "$N" $((2 * N)); do
    rm -f "$tmp"/run.sqlite*
    cp "$tmp/base.sqlite" "$tmp/run.sqlite"
    if [ "$MODE" = log ]; then args=(log "$side" "$tmp/run.sqlite" "$n" 5 "$start" -); else args=(batch "$side" "$tmp/run.sqlite" "$n" 1000 5 "$start"); fi
    valgrind --tool=callgrind --callgrind-out-file="$tmp/callgrind.out" \
      php -d memory_limit=-1 -d ffi.enable=1 "$ROOT/bench/worker.php" "${args[@]}" >/dev/null 2>"$tmp/valgrind.err" \
      || { cat "$tmp/valgrind.err" >&2; exit 1; }
    counts+=("$(grep -o 'Collected : [0-9]*' "$tmp/valgrind.err" | awk '{print $3}')")
  done
  rm -f "$tmp"/base.sqlite*
  echo "$MODE, $side: $(( (counts[1] - counts[0]) / N )) instructions per event (N = $N)"
done
