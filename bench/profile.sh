#!/bin/bash
# Where the library's instructions go (callgrind): the profiles BENCHMARKS.md quotes.
#
#   bench/profile.sh log|batch|export [N]
#
# log: N one-commit el_log into a fresh store; batch: el_log_batch of 1,000;
# export: the admin CSV export of a store of N events (made by batches first).
# Runs bench/worker.php under callgrind with N and with 2N events and prints
# the instructions per event of the difference (PHP's start-up and the
# store's creation cancel out), then the library's heaviest functions in the
# 2N run, inclusive and exclusive, demangled. The library is the release
# build's objects linked with their symbols (`make profile-lib`); everything
# goes to var/profile/. Needs valgrind (installed by `make deps`).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:?usage: bench/profile.sh log|batch|export [N]}
case $mode in
  log|batch) N=${2:-5000} ;;
  export) N=${2:-50000} ;;
  *) echo "usage: bench/profile.sh log|batch|export [N]" >&2; exit 2 ;;
esac
make -s profile-lib >/dev/null
out=var/profile
lib=$PWD/$out/libeventlog.so
export STREAM_EVENTS_LIB=$lib
start=$(( $(date +%s%3N) - 7200000 ))  # the events' times: inside the window, in the past
store=$out/profile.sqlite

fresh() { php -r 'require "bench/bootstrap.php"; require_once "bench/functions.php"; freshStore("el", $argv[1]);' "$store"; }

ir=()
for n in $N $((2 * N)); do
  fresh
  case $mode in
    log) cmd=(php bench/worker.php log el "$store" $n 5 $start -) ;;
    batch) cmd=(php bench/worker.php batch el "$store" $n 1000 5 $start) ;;
    export)
      php bench/worker.php batch el "$store" $n 1000 5 $start >/dev/null
      cmd=(php bench/worker.php export el "$store" admin 1 '{}' $n) ;;
  esac
  valgrind --tool=callgrind --callgrind-out-file=$out/$mode-$n.callgrind "${cmd[@]}" >/dev/null 2>$out/$mode-$n.err
  ir+=("$(grep -o 'Collected : [0-9]*' $out/$mode-$n.err | awk '{print $3}')")
done
echo "$mode: $(( (ir[1] - ir[0]) / N )) instructions per event (callgrind, the PHP process, $N vs $((2 * N)) events)"
demangle() { "$(command -v swift-demangle || echo /opt/swift/usr/bin/swift-demangle)" --simplified; }
top() {  # the 25 heaviest functions of the library and of SQLite, as a share of the 2N run
  callgrind_annotate "$@" $out/$mode-$((2 * N)).callgrind 2>/dev/null | demangle \
    | grep -E "$(basename "$lib")|libsqlite3" | sed -n 1,25p | cut -c1-160  # sed reads to the end: head would close the pipe, and pipefail end the script
}
echo; echo "inclusive (with callees):"; top --inclusive=yes
echo; echo "exclusive (own instructions):"; top
rm -f "$store" "$store"-wal "$store"-shm
