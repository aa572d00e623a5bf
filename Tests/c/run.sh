#!/usr/bin/env bash
# The C contract, checked from outside: the exported symbols are exactly the
# header's, the .so needs no Swift runtime, and a C client compiled with
# -Werror passes every call, good and hostile, without leaking under valgrind.
set -euo pipefail
cd "$(dirname "$0")/../.."
lib=${1:-.build/release/libeventlog.so}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

declared=$(grep -oE '\bel_[a-z_0-9]+[[:space:]]*\(' include/eventlog.h | tr -d '( ' | sort -u)
exported=$(nm -D --defined-only "$lib" | awk '{print $3}' | sort -u)
if [ "$declared" != "$exported" ]; then
  echo "FAIL: exported symbols differ from include/eventlog.h:"; diff <(echo "$declared") <(echo "$exported") || true; fail=1
else
  echo "ok: exports exactly the $(echo "$declared" | wc -l) functions of the header"
fi
if ldd "$lib" | grep -qiE 'libswift|libicu|libFoundation|libdispatch'; then
  echo "FAIL: $lib needs the Swift runtime:"; ldd "$lib"; fail=1
else
  echo "ok: runtime needs only $(ldd "$lib" | awk '/=>/{print $1}' | tr '\n' ' ')"
fi
if readelf -d "$lib" | grep -qE 'R(UN)?PATH' && ! readelf -d "$lib" | grep -E 'R(UN)?PATH' | grep -qE '\[\$ORIGIN\]'; then
  echo "FAIL: RUNPATH wider than \$ORIGIN:"; readelf -d "$lib" | grep -E 'R(UN)?PATH'; fail=1
fi
readelf -d "$lib" | grep -q 'NODELETE' && echo "ok: marked NODELETE" || { echo "FAIL: not marked nodelete"; fail=1; }

# The header is C89 apart from stdint types, and C++-clean.
gcc -std=c89 -pedantic -Wall -Wextra -Werror -Wno-long-long -fsyntax-only -x c include/eventlog.h
g++ -Wall -Wextra -Werror -fsyntax-only -x c++ include/eventlog.h
echo "ok: header compiles as C89 and C++"

gcc -std=c99 -Wall -Wextra -Werror -pthread -Iinclude Tests/c/client.c -o "$work/client" \
    -L"$(dirname "$lib")" -leventlog -Wl,-rpath,"$(cd "$(dirname "$lib")" && pwd)"
# Long run: 15,000 iterations, about 100k calls; resident memory must stay flat.
"$work/client" "$work" 15000 || fail=1

# A commit is one write system call (the WAL frames gathered by Sources/CWALGather),
# not two per page: 2,000 commits of about six pages each, plus the checkpoints.
gcc -std=c99 -Wall -Wextra -Werror -Iinclude Tests/c/commits.c -o "$work/commits" \
    -L"$(dirname "$lib")" -leventlog -Wl,-rpath,"$(cd "$(dirname "$lib")" && pwd)"
strace -f -c -e trace=pwrite64 -o "$work/strace.out" "$work/commits" "$work/commits.sqlite" 2000
writes=$(awk '$NF == "pwrite64" {print $4}' "$work/strace.out")
if [ -n "$writes" ] && [ "$writes" -lt 4000 ]; then
  echo "ok: 2000 commits took $writes pwrite calls (one per commit, plus checkpoints)"
else
  echo "FAIL: 2000 commits took ${writes:-?} pwrite calls (expected one per commit plus checkpoints)"; cat "$work/strace.out"; fail=1
fi

# Four processes open (and so create) a new store at once, 60 times: all succeed.
gcc -std=c99 -Wall -Wextra -Werror -Iinclude Tests/c/opener.c -o "$work/opener" \
    -L"$(dirname "$lib")" -leventlog -Wl,-rpath,"$(cd "$(dirname "$lib")" && pwd)"
racefail=0
for round in $(seq 1 60); do
  rm -f "$work"/race.sqlite*
  pids=()
  for i in 1 2 3 4; do "$work/opener" "$work/race.sqlite" > "$work/race.$i.out" & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || { racefail=$((racefail + 1)); cat "$work"/race.*.out; }; done
done
if [ "$racefail" -eq 0 ]; then
  echo "ok: 4 processes creating a new store at once, 60 times: every open and first log succeeded"
else
  echo "FAIL: $racefail of 240 concurrent first opens failed"; fail=1
fi

# Two threads failing calls on one handle read their own el_errmsg(), never
# a message the other thread's call freed (AddressSanitizer watches the heap).
gcc -std=c99 -Wall -Wextra -Werror -pthread -fsanitize=address -g -Iinclude Tests/c/errmsg_threads.c -o "$work/errmsg_threads" \
    -L"$(dirname "$lib")" -leventlog -Wl,-rpath,"$(cd "$(dirname "$lib")" && pwd)"
if ASAN_OPTIONS=detect_leaks=0 "$work/errmsg_threads" "$work/threads.sqlite" > "$work/threads.out" 2>&1; then
  echo "ok: $(tail -1 "$work/threads.out") (ASan clean)"
else
  tail -30 "$work/threads.out"; echo "FAIL: el_errmsg across threads"; fail=1
fi

# Leak check: every string and chunk handed out has an owner who frees it.
# (Swift's runtime keeps metadata caches for the life of the process: valgrind
# calls those "possibly lost"; definite and indirect leaks fail the run.)
rm -f "$work"/*.sqlite*
if valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
    "$work/client" "$work" 300 > "$work/valgrind.out" 2>&1; then
  echo "ok: no leaks or memory errors under valgrind (300 iterations of every allocating call)"
else
  grep -vE "possibly lost|^==[0-9]+==    (at|by) " "$work/valgrind.out" | tail -40; echo "FAIL: valgrind"; fail=1
fi
exit $fail
