#!/usr/bin/env bash
# Self-test of the MariaDB test harness (server.sh, galera.sh): `make test-mariadb-harness`.
# A single server: user se over TCP, over the socket and through PHP's PDO; SIGKILL and restart
# keep every committed row. A 3-node Galera cluster: a row written on node 1 is read on node 3;
# node 2 is killed, rows are written on nodes 1 and 3, node 2 rejoins (IST) and has them all;
# node 3 is rebuilt by a full SST; every node is killed and the cluster comes back. Then the same
# script runs again with a step made to fail on purpose, and after both no process may be left
# using build/mariadb.
#
# SE_SELFTEST_FAIL=STEP makes that step fail (what the second run does).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/galera.sh"

leftovers() { # fails, listing them, if a process still uses one of this test's server folders
    local left; left=$(mariadb_leftovers selftest)
    [ -z "$left" ] && return 0
    echo "FAIL: processes left behind:" >&2; echo "$left" >&2; return 1
}
trap mariadb_stop_all EXIT
trap 'exit 130' INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { # NAME: announces a step; fails it on purpose when SE_SELFTEST_FAIL names it
    echo "== $1"
    [ "${SE_SELFTEST_FAIL:-}" != "$1" ] || fail "$1 (made to fail on purpose)"
}
expect() { # WHAT EXPECTED ACTUAL
    [ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
    echo "ok: $1"
}
since() { _se_galera_since "$1"; }
# The mysql client as the library's user, over TCP or a socket.
se_tcp() { mariadb --no-defaults --protocol=TCP -h 127.0.0.1 -P "$1" -u "$SE_MARIADB_USER" \
    -p"$SE_MARIADB_PASSWORD" --batch --skip-column-names -e "$2"; }
se_sock() { mariadb --no-defaults --protocol=SOCKET -S "$1" -u "$SE_MARIADB_USER" \
    -p"$SE_MARIADB_PASSWORD" --batch --skip-column-names -e "$2"; }
# PHP PDO from a URL the harness printed: mysql://user:pw@host:port/db or ...@localhost/db?socket=
pdo() { # URL SQL: prints the first column of every row
    php -r '
        $u = parse_url($argv[1]); parse_str($u["query"] ?? "", $q);
        $dsn = isset($q["socket"]) ? "mysql:unix_socket={$q["socket"]}" : "mysql:host={$u["host"]};port={$u["port"]}";
        $db = new PDO($dsn . ";dbname=" . ltrim($u["path"], "/"), urldecode($u["user"]), urldecode($u["pass"]),
                      [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
        foreach ($db->query($argv[2]) as $row) echo $row[0], "\n";' "$1" "$2"
}

# ---- a single server ---------------------------------------------------------------------------
step single-start
t0=$(date +%s%N)
mariadb_start selftest || fail "mariadb_start"
echo "single server up in $(since "$t0") s"
port=$(mariadb_port selftest) sock=$(mariadb_socket selftest)
expect "flush at commit" 1 "$(mariadb_sql selftest 'SELECT @@innodb_flush_log_at_trx_commit')"
expect "only on 127.0.0.1" 127.0.0.1 "$(mariadb_sql selftest 'SELECT @@bind_address')"

step single-sql
se_tcp "$port" "CREATE DATABASE st; CREATE TABLE st.t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20));
    INSERT INTO st.t (v) VALUES ('tcp')" || fail "se over TCP"
se_sock "$sock" "INSERT INTO st.t (v) VALUES ('socket')" || fail "se over the socket"
expect "rows over TCP" "tcp socket" "$(se_tcp "$port" 'SELECT v FROM st.t ORDER BY id' | xargs)"
expect "rows over the socket" "tcp socket" "$(se_sock "$sock" 'SELECT v FROM st.t ORDER BY id' | xargs)"
pdo "$(mariadb_url selftest st)" "INSERT INTO t (v) VALUES ('pdo-tcp')" || fail "PDO over TCP"
pdo "$(mariadb_socket_url selftest st)" "INSERT INTO t (v) VALUES ('pdo-socket')" || fail "PDO over the socket"
expect "rows through PDO" "tcp socket pdo-tcp pdo-socket" \
    "$(pdo "$(mariadb_url selftest st)" 'SELECT v FROM t ORDER BY id' | xargs)"

step single-crash
# Rows acknowledged right before a SIGKILL must survive it (innodb_flush_log_at_trx_commit=1).
for i in $(seq 50); do echo "INSERT INTO st.t (v) VALUES ('row$i');"; done |
    mariadb --no-defaults --protocol=TCP -h 127.0.0.1 -P "$port" -u se -p"$SE_MARIADB_PASSWORD" st ||
    fail "inserts before the kill"
mariadb_kill selftest || fail "mariadb_kill"
mariadb_running selftest && fail "still running after mariadb_kill"
t0=$(date +%s%N)
mariadb_restart selftest || fail "mariadb_restart after the kill"
echo "single server restarted after SIGKILL in $(since "$t0") s"
expect "same port after the restart" "$port" "$(mariadb_port selftest)"
expect "rows after SIGKILL and restart" 54 "$(se_tcp "$port" 'SELECT COUNT(*) FROM st.t')"
t0=$(date +%s%N)
mariadb_stop selftest || fail "mariadb_stop"
echo "single server stopped in $(since "$t0") s"
mariadb_running selftest && fail "still running after mariadb_stop"

# ---- a Galera cluster --------------------------------------------------------------------------
step galera-start
galera_start selftest-g || fail "galera_start"
for n in 1 2 3; do
    echo "node $n: $(galera_sql selftest-g $n "SELECT CONCAT('autoinc_lock_mode=', @@innodb_autoinc_lock_mode,
        ' auto_increment_increment=', @@auto_increment_increment, ' offset=', @@auto_increment_offset,
        ' wsrep_sync_wait=', @@wsrep_sync_wait, ' binlog_format=', @@binlog_format)")"
done
expect "cluster size" 3 "$(_se_galera_status selftest-g-1 wsrep_cluster_size)"
port1=$(mariadb_port selftest-g-1) port2=$(mariadb_port selftest-g-2) port3=$(mariadb_port selftest-g-3)

step galera-replication
se_tcp "$port1" "CREATE DATABASE gt; CREATE TABLE gt.t (id INT AUTO_INCREMENT PRIMARY KEY, node INT, v VARCHAR(20));
    INSERT INTO gt.t (node, v) VALUES (1, 'first')" || fail "write on node 1"
# Galera applies on the other nodes after the commit returns: wsrep_sync_wait makes a read wait.
expect "node 1's row read on node 3" first \
    "$(se_tcp "$port3" "SET SESSION wsrep_sync_wait=1; SELECT v FROM gt.t WHERE node=1")"
pdo "$(galera_socket_url selftest-g 3 gt)" "INSERT INTO t (node, v) VALUES (3, 'pdo')" || fail "PDO on node 3"
# Not a check, a note for the library: named locks are not replicated, so node 3 can take the
# lock that node 1 holds (prints 1; 0 would mean the lock is cluster-wide).
se_tcp "$port1" "SELECT GET_LOCK('selftest', 0), SLEEP(2)" > /dev/null & holder=$!
sleep 0.5
echo "note: GET_LOCK on node 3 while node 1 holds the lock: $(se_tcp "$port3" "SELECT GET_LOCK('selftest', 0)" 2>&1)"
wait $holder

step galera-kill
galera_kill selftest-g 2 || fail "galera_kill"
t0=$(date +%s%N)
se_tcp "$port1" "INSERT INTO gt.t (node, v) VALUES (1, 'n2 down')" || fail "write on node 1 with node 2 down"
echo "first write on node 1 after the kill took $(since "$t0") s"
galera_wait_synced selftest-g 30 || fail "the cluster did not drop node 2"
echo "cluster of 2 after $(since "$t0") s"
expect "cluster size without node 2" 2 "$(_se_galera_status selftest-g-1 wsrep_cluster_size)"
for i in $(seq 10); do
    se_tcp "$port1" "INSERT INTO gt.t (node, v) VALUES (1, 'a$i')" || fail "write on node 1"
    se_tcp "$port3" "INSERT INTO gt.t (node, v) VALUES (3, 'b$i')" || fail "write on node 3"
done

step galera-rejoin
galera_restart selftest-g 2 || fail "galera_restart of node 2"
grep -q 'rsync IST completed on joiner' "$SE_MARIADB_ROOT/selftest-g-2/error.log" ||
    fail "node 2 did not rejoin by IST"
echo "ok: node 2 rejoined by IST"
rows=$(se_tcp "$port1" "SELECT COUNT(*), SUM(CRC32(CONCAT(id, node, v))) FROM gt.t")
expect "every row on node 2" "$rows" \
    "$(se_tcp "$port2" "SET SESSION wsrep_sync_wait=1; SELECT COUNT(*), SUM(CRC32(CONCAT(id, node, v))) FROM gt.t")"
expect "row count" 23 "${rows%%$'\t'*}"

step galera-sst
galera_restart selftest-g 3 sst || fail "galera_restart of node 3 by SST"
expect "every row on node 3 after SST" "$rows" \
    "$(se_tcp "$port3" "SET SESSION wsrep_sync_wait=1; SELECT COUNT(*), SUM(CRC32(CONCAT(id, node, v))) FROM gt.t")"
galera_wait_synced selftest-g || fail "galera_wait_synced"

step galera-crash
# Every node SIGKILLed: node 1 bootstraps the same history again, 2 and 3 rejoin it by IST.
for n in 3 2 1; do galera_kill selftest-g $n || fail "galera_kill $n"; done
for n in 1 2 3; do galera_restart selftest-g $n || fail "galera_restart $n after the crash"; done
galera_wait_synced selftest-g || fail "galera_wait_synced after the crash"
for n in 1 2 3; do
    expect "every row on node $n after the crash" "$rows" "$(se_tcp "$(mariadb_port selftest-g-$n)" \
        "SET SESSION wsrep_sync_wait=1; SELECT COUNT(*), SUM(CRC32(CONCAT(id, node, v))) FROM gt.t")"
done
se_tcp "$port3" "INSERT INTO gt.t (node, v) VALUES (3, 'after')" || fail "write after the crash"

step galera-stop
t0=$(date +%s%N)
galera_stop selftest-g || fail "galera_stop"
echo "cluster stopped in $(since "$t0") s"
leftovers || exit 1

# ---- the EXIT trap after a failure -------------------------------------------------------------
if [ -z "${SE_SELFTEST_FAIL:-}" ]; then
    step trap-after-failure
    # A run that starts a server and the cluster and then fails must leave nothing behind.
    SE_SELFTEST_FAIL=galera-replication bash "$here/selftest.sh" > "$SE_MARIADB_ROOT/selftest-failing-run.log" 2>&1
    rc=$?
    [ $rc -ne 0 ] || fail "the run made to fail exited 0"
    grep -q 'made to fail on purpose' "$SE_MARIADB_ROOT/selftest-failing-run.log" ||
        { cat "$SE_MARIADB_ROOT/selftest-failing-run.log" >&2; fail "the run failed elsewhere"; }
    leftovers || fail "the EXIT trap of the failed run left processes behind"
    echo "ok: a run failed on purpose (exit $rc) and its EXIT trap stopped every server"
    echo "PASS: MariaDB harness self-test"
fi
