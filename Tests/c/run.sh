#!/usr/bin/env bash
# The C contract, checked from outside: the exported symbols are exactly the
# header's, the .so needs no Swift runtime, and a C client compiled with
# -Werror passes every call, good and hostile, without leaking under valgrind.
# The C programs run as a matrix on both engines: SQLite (stores in a folder)
# and MariaDB (a private server started here, when mariadbd is installed,
# and stopped at the end even when a check fails).
#
# Usage: Tests/c/run.sh [LIB]    (SE_C_ENGINES="sqlite mariadb" picks the legs)
set -euo pipefail
cd "$(dirname "$0")/../.."
lib=${1:-.build/release/libeventlog.so}
libdir=$(cd "$(dirname "$lib")" && pwd)
engines=${SE_C_ENGINES:-sqlite mariadb}
work=$(mktemp -d)
srv=c-client  # this suite's MariaDB server (build/mariadb/c-client)
maria_up=
cleanup() {
  if [ -n "$maria_up" ]; then signal_server CONT 2>/dev/null || true; mariadb_stop_all; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail=0
leg= mark=$SECONDS
ok() { echo "ok ($leg, $((SECONDS - mark)) s): $*"; mark=$SECONDS; }
bad() { echo "FAIL ($leg, $((SECONDS - mark)) s): $*"; fail=1; mark=$SECONDS; }

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

build() { # NAME [GCC FLAGS...]
  local name=$1; shift
  gcc -std=c99 -Wall -Wextra -Werror "$@" -Iinclude "Tests/c/$name.c" -o "$work/$name" \
      -L"$libdir" -leventlog -Wl,-rpath,"$libdir"
}
build client -pthread
build commits
build opener
build reconnect
# Two threads failing calls on one handle read their own el_errmsg(), never
# a message the other thread's call freed (AddressSanitizer watches the heap).
build errmsg_threads -pthread -fsanitize=address -g

# What both engines share, on the stores LOCATION names (a folder, or a URI
# prefix whose stores are databases of their own: see client.c).
client() { # LOCATION ITERATIONS
  # The long run: resident memory must stay flat (the client checks it).
  if "$work/client" "$1" "$2"; then ok "c-client, $2 iterations"; else bad "c-client"; fi
}

# Four processes open (and so create) a new store at once, ROUNDS times: all succeed.
race() { # ROUNDS STORE_PREFIX STORE_SUFFIX: the store of round N is PREFIX N SUFFIX
  local rounds=$1 round i p racefail=0 pids
  for round in $(seq 1 "$rounds"); do
    pids=()
    for i in 1 2 3 4; do "$work/opener" "$2$round$3" > "$work/race.$i.out" & pids+=($!); done
    for p in "${pids[@]}"; do wait "$p" || { racefail=$((racefail + 1)); cat "$work"/race.*.out; }; done
  done
  if [ "$racefail" -eq 0 ]; then
    ok "4 processes creating a new store at once, $rounds times: every open and first log succeeded"
  else
    bad "$racefail of $((4 * rounds)) concurrent first opens failed"
  fi
}

# A store an earlier library left without the latest keys (schema revision
# 0, MariaDB): four processes opening it at once all succeed, and the key and
# the fold lock's row are added once. ROUNDS times, on the store race() made in its first round.
revision_race() { # ROUNDS URL DATABASE
  local round i p racefail=0 pids keys locks revision
  for round in $(seq 1 "$1"); do
    mariadb_sql "$srv" "ALTER TABLE count_service_type_day DROP KEY count_service_day_type;
                        DELETE FROM setting WHERE k IN ('schemaRevision', 'foldLock')" "$3"
    pids=()
    for i in 1 2 3 4; do "$work/opener" "$2" > "$work/revision.$i.out" & pids+=($!); done
    for p in "${pids[@]}"; do wait "$p" || { racefail=$((racefail + 1)); cat "$work"/revision.*.out; }; done
  done
  keys=$(mariadb_sql "$srv" "SELECT COUNT(DISTINCT index_name) FROM information_schema.statistics
                             WHERE table_schema = '$3' AND table_name = 'count_service_type_day' AND index_name = 'count_service_day_type'")
  locks=$(mariadb_sql "$srv" "SELECT COUNT(*) FROM setting WHERE k = 'foldLock'" "$3")
  revision=$(mariadb_sql "$srv" "SELECT v FROM setting WHERE k = 'schemaRevision'" "$3")
  if [ "$racefail" -eq 0 ] && [ "$keys" = 1 ] && [ "$locks" = 1 ] && [ "$revision" = 2 ]; then
    ok "4 processes opening a store of an earlier schema revision at once, $1 times: every open and log succeeded, the key and the fold lock's row added"
  else
    bad "$racefail of $((4 * $1)) concurrent opens of an earlier revision failed; key present: $keys, fold lock rows: $locks, revision: $revision"
  fi
}

threads() { # STORE
  if ASAN_OPTIONS=detect_leaks=0 "$work/errmsg_threads" "$1" > "$work/threads.out" 2>&1; then
    ok "$(tail -1 "$work/threads.out") (ASan clean)"
  else
    tail -30 "$work/threads.out"; bad "el_errmsg across threads"
  fi
}

# Leak check: every string and chunk handed out has an owner who frees it.
# (Swift's runtime keeps metadata caches for the life of the process: valgrind
# calls those "possibly lost"; definite and indirect leaks fail the run.)
memcheck() { # LOCATION ITERATIONS
  local rc=0
  valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
      "$work/client" "$1" "$2" > "$work/valgrind.out" 2>&1 || rc=$?
  if [ $rc -eq 0 ]; then
    ok "no leaks or memory errors under valgrind ($2 iterations of every allocating call, $(grep -o '[0-9]* passed' "$work/valgrind.out") checks)"
  elif [ $rc -eq 99 ]; then
    grep -vE "possibly lost|^==[0-9]+==    (at|by) " "$work/valgrind.out" | tail -40; bad "valgrind found leaks or memory errors"
  else
    grep -E "^FAIL|passed" "$work/valgrind.out"; bad "c-client under valgrind (exit status $rc)"
  fi
}

sqlite_leg() {
  leg=sqlite
  mkdir "$work/sqlite" "$work/valgrind"
  client "$work/sqlite" 15000

  # A commit is one write system call (the WAL frames gathered by Sources/CWALGather),
  # not two per page: 2,000 commits of about six pages each, plus the checkpoints.
  strace -f -c -e trace=pwrite64 -o "$work/strace.out" "$work/commits" "$work/commits.sqlite" 2000
  writes=$(awk '$NF == "pwrite64" {print $4}' "$work/strace.out")
  if [ -n "$writes" ] && [ "$writes" -lt 4000 ]; then
    ok "2000 commits took $writes pwrite calls (one per commit, plus checkpoints)"
  else
    bad "2000 commits took ${writes:-?} pwrite calls (expected one per commit plus checkpoints)"; cat "$work/strace.out"
  fi

  race 60 "$work/race" .sqlite
  threads "$work/threads.sqlite"
  memcheck "$work/valgrind" 300
}

signal_server() { # SIGNAL: to the MariaDB server (STOP: it hangs, CONT: it goes on)
  local pid; pid=$(mariadb_pid "$srv") && kill "-$1" "$pid" || return 1
  # kill returns before every thread has stopped: in CI an el_log sent right
  # after it was still answered. The server hangs once all its threads do.
  if [ "$1" = STOP ]; then all_threads_stopped "$pid"; fi
}
all_threads_stopped() { # PID: waits up to 5 s until every thread's state is T
  local i t s running
  for ((i = 0; i < 500; i++)); do
    running=0
    for t in /proc/"$1"/task/*/stat; do
      s=$(< "$t") 2> /dev/null || continue
      s=${s##*) }; [ "${s%% *}" = T ] || { running=1; break; }
    done
    [ $running -eq 0 ] && return 0
    sleep 0.01
  done
  echo "the server's threads did not all stop within 5 s" >&2; return 1
}

# The server dies, comes back and hangs under one open handle: reconnect.c
# prompts for each step on its stdout and waits for the answer on its stdin.
# `timeout` bounds it: a call that hangs fails the test.
reconnect() { # URI
  local pid to from rc=0
  coproc RECONNECT { exec timeout 120 "$work/reconnect" "$1"; }
  pid=$RECONNECT_PID
  exec {to}>&"${RECONNECT[1]}" {from}<&"${RECONNECT[0]}"
  step() { # PROMPT ACTION ANSWER
    local line
    IFS= read -r -t 100 line <&"$from" && [ "$line" = "$1" ] && $2 && echo "$3" >&"$to"
  }
  step ready "mariadb_kill $srv" killed && step down "mariadb_restart $srv" restarted &&
    step ready "signal_server STOP" stopped && step hung "signal_server CONT" resumed || rc=1
  exec {to}>&- {from}<&-
  wait "$pid" || rc=1
  if [ $rc -eq 0 ]; then
    ok "a killed, restarted and hung server: calls failed with EL_EIO or EL_EBUSY and returned, the same handle reconnected, no acknowledged event lost"
  else
    signal_server CONT 2>/dev/null || true
    bad "reconnect (exit status of the program or a step of run.sh)"
  fi
}

# A store of schema version 1 (MariaDB: service-day counters per type only,
# in count_service_day) with counters of 200 service-days: four processes
# opening it at once all succeed, the table is renamed once, and the
# per-category counters are exactly the per-type ones summed. ROUNDS times.
version_race() { # ROUNDS URL DATABASE
  local round i p racefail=0 pids state
  for round in $(seq 1 "$1"); do
    mariadb_sql "$srv" "DROP TABLE count_service_category_day;
                        RENAME TABLE count_service_type_day TO count_service_day;
                        DELETE FROM count_service_day;
                        INSERT INTO count_service_day (service_id, ts, type, actor_type, n)
                          SELECT s.seq, d.seq * 86400000, t.code, 1, s.seq * d.seq + t.code
                          FROM seq_1_to_20 s, seq_1_to_10 d, event_type t WHERE t.code IN (1, 2, 30, 33, 50);
                        UPDATE setting SET v = 1 WHERE k = 'schemaVersion'" "$3"
    pids=()
    for i in 1 2 3 4; do "$work/opener" "$2" > "$work/version.$i.out" & pids+=($!); done
    for p in "${pids[@]}"; do wait "$p" || { racefail=$((racefail + 1)); cat "$work"/version.*.out; }; done
  done
  # version; tables named count_service_day; category rows that differ from the type rows summed; category rows
  state=$(mariadb_sql "$srv" "SELECT (SELECT v FROM setting WHERE k = 'schemaVersion'),
      (SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$3' AND table_name = 'count_service_day'),
      (SELECT COUNT(*) FROM (SELECT t.service_id, y.category, t.ts, SUM(t.n) AS n FROM count_service_type_day t
                             JOIN event_type y ON y.code = t.type GROUP BY 1, 2, 3) AS summed
         LEFT JOIN count_service_category_day c USING (service_id, category, ts) WHERE c.n IS NULL OR c.n <> summed.n),
      (SELECT COUNT(*) FROM count_service_category_day)" "$3")
  if [ "$racefail" -eq 0 ] && [ "$state" = "$(printf '2\t0\t0\t600')" ]; then
    ok "4 processes opening a store of schema version 1 at once, $1 times: every open and log succeeded, the counters split exactly"
  else
    bad "$racefail of $((4 * $1)) concurrent opens of a version 1 store failed; version, old tables, wrong and all category rows: $state"
  fi
}

mariadb_leg() {
  leg=mariadb
  if ! command -v mariadbd > /dev/null; then
    echo "SKIP (mariadb): mariadbd is not installed (apt-get install mariadb-server)"; return
  fi
  . Tests/mariadb/server.sh
  maria_up=1
  mariadb_start "$srv" || { bad "cannot start a private MariaDB server"; return; }
  ok "private server $srv on port $(mariadb_port "$srv")"
  local url; url=$(mariadb_url "$srv")
  # A database that holds another application's table is not a store (client.c).
  mariadb_sql "$srv" "CREATE DATABASE c_foreign; CREATE TABLE c_foreign.invoices (id INT PRIMARY KEY);
                      CREATE DATABASE v_foreign; CREATE TABLE v_foreign.invoices (id INT PRIMARY KEY)"
  client "$url/c_" 4000
  race 20 "$url/c_race" ""
  revision_race 5 "$url/c_race1" c_race1
  version_race 5 "$url/c_race2" c_race2
  threads "$url/c_threads"
  reconnect "$url/c_reconnect"
  # Under valgrind over the unix socket (?socket=...), so both ways to reach a server are used.
  memcheck "$(mariadb_socket_url "$srv" v_)" 300
}

for engine in $engines; do
  start=$SECONDS mark=$SECONDS
  case $engine in
    sqlite) sqlite_leg ;;
    mariadb) mariadb_leg ;;
    *) echo "unknown engine '$engine'"; fail=1 ;;
  esac
  echo "-- $engine leg: $((SECONDS - start)) s"
done
exit $fail
