#!/usr/bin/env bash
# Builds the libFuzzer target (clang -fsanitize=fuzzer,address, linked against
# the release libeventlog.so) and runs it for SECONDS over the committed corpus.
# Fails on a crash, a contract violation, a leak (LeakSanitizer), a hang
# (-timeout) or runaway memory; the failing input is kept under Tests/fuzz/findings/.
# Also proves the leak check works: a build that skips el_string_free must fail.
# Usage: Tests/fuzz/run.sh SECONDS
set -uo pipefail
seconds=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$repo/php-bridge/env.sh" && stream_events_env "$repo/php-bridge" fuzz || exit 1
lib=$STREAM_EVENTS_LIB
libdir=$(cd "$(dirname "$lib")" && pwd)
clang=$(command -v clang-14 || command -v clang || echo /opt/swift/usr/bin/clang)
[ -x /opt/swift/usr/bin/clang ] && clang=/opt/swift/usr/bin/clang # ships libclang_rt.fuzzer
work=$(mktemp -d /tmp/stream-events-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
build() { # OUTPUT [EXTRA FLAGS]
    local out=$1; shift
    "$clang" -g -O1 -fsanitize=fuzzer,address "$@" -I"$repo/include" "$here/fuzz_eventlog.c" -o "$out" \
        -L"$libdir" -l:"$(basename "$lib")" -Wl,-rpath,"$libdir" 2> "$work/build.log" \
        || { cat "$work/build.log" >&2; return 1; }
}
build "$work/fuzz" || exit 1
build "$work/fuzz-leaky" -DFUZZ_SELFTEST_LEAK || exit 1

mkdir -p "$work/store"
if FUZZ_STORE_DIR=$work/store "$work/fuzz-leaky" -runs=0 -artifact_prefix="$work/" "$here/corpus" > "$work/leaky.log" 2>&1 \
   || ! grep -q 'ERROR: LeakSanitizer' "$work/leaky.log"; then
    echo "fuzz: FAIL: LeakSanitizer did not catch a deliberately missing el_string_free" >&2; exit 1
fi

mkdir -p "$work/corpus" "$work/artifacts"
FUZZ_STORE_DIR=$work/store ASAN_OPTIONS=detect_leaks=1 \
  "$work/fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -dict="$here/eventlog.dict" -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
    "$work/corpus" "$here/corpus" > "$work/fuzz.log" 2>&1
status=$?
runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$work/fuzz.log" | grep -oE '[0-9]+$')
found=$(ls "$work/corpus" | wc -l)
if [ $status -ne 0 ] || ls "$work/artifacts" | grep -q .; then
    mkdir -p "$here/findings" && cp "$work"/artifacts/* "$here/findings/" 2>/dev/null
    grep -vE '^#[0-9]+|^INFO' "$work/fuzz.log" | tail -40 >&2
    echo "fuzz: FAIL after ${runs:-?} inputs; reproduce: $work/fuzz Tests/fuzz/findings/<file> (kept in Tests/fuzz/findings/)" >&2
    exit 1
fi
echo "fuzz: ${runs:-?} inputs in ${seconds}s over 9 entry points, $found new corpus inputs, no crash, leak, hang or contract violation; leak self-test caught"
