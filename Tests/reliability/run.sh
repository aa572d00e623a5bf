#!/usr/bin/env bash
# Reliability of Stream Events under load, crashes, disk full, damaged stores,
# hostile input and fuzzing, plus the access property test. Everything runs
# through the real bridge (php-bridge/src/EventLog.php) or the C ABI against the
# real libeventlog.so, real SQLite files in a temp dir and a real mariadbd.
#
# The cases about storage in general (concurrency, crash, prunekill, access,
# hostile) run once per engine from the same scripts; only the store differs:
# a file, or a database of its own on a private MariaDB server this script
# starts (Tests/mariadb/server.sh) and stops on exit. The cases about files
# (swapped, diskfull, ioerror, powerloss, damaged) are SQLite's. galera: writers on a 3-node
# cluster while a node is killed and comes back; galera_copy: a SQLite store copied into
# such a cluster while the copy and its node are killed; galera_statements: what the
# engine relies on from such a cluster (galera_statements.php).
#
# Usage: Tests/reliability/run.sh quick|long   (quick: make test, < 5 min on 2 cores;
#        long: make stress). RELIABILITY_ONLY="crash access" runs a subset,
#        RELIABILITY_ENGINES=sqlite (or mariadb) one engine.
# Needs root for the tmpfs mounts and chattr (disk-full and read-only cases).
set -uo pipefail
mode=${1:-quick}
case $mode in quick|long) ;; *) echo "usage: $0 quick|long" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$repo/php-bridge/env.sh" && stream_events_env "$repo/php-bridge" reliability || exit 1
work=$(mktemp -d /tmp/stream-events-reliability.XXXXXX)
mounts=() immutable=()
engines=${RELIABILITY_ENGINES:-sqlite mariadb}
[[ " $engines " == *" mariadb "* ]] && . "$repo/Tests/mariadb/galera.sh"
cleanup() {
    # Only this script's own background jobs still running (never a reused pid).
    for p in $(jobs -p); do kill -9 "$p" 2>/dev/null; done
    for f in "${immutable[@]}"; do chattr -i "$f" 2>/dev/null; done
    for m in "${mounts[@]}"; do umount -l "$m" 2>/dev/null; done
    ! declare -F mariadb_stop_all >/dev/null || mariadb_stop_all
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
php=(php -d ffi.enable=1 -d memory_limit=512M)
passed=0 failed=0 failures=() since=$SECONDS
result() { # NAME STATUS (and the seconds since the last result)
    if [ "$2" -eq 0 ]; then passed=$((passed + 1)); echo "ok: $1 ($((SECONDS - since)) s)"
    else failed=$((failed + 1)); failures+=("$1"); echo "FAIL: $1 ($((SECONDS - since)) s)"; fi
    since=$SECONDS
}
want() { [ -z "${RELIABILITY_ONLY:-}" ] || [[ " $RELIABILITY_ONLY " == *" $1 "* ]]; }
q() { [ "$mode" = quick ] && echo "$1" || echo "$2"; } # quick/long figure

# The store of a case folder on the engine under test: DIR/store.sqlite, or a
# new database named after DIR on the private server (the library creates it).
engine=sqlite maria=reliability
store() { # DIR
    if [ "$engine" = sqlite ]; then echo "$1/store.sqlite"; return; fi
    local name=${1#"$work"/}
    mariadb_url "$maria" "rel_${name//[^A-Za-z0-9]/_}"
}
# MariaDB: the days a prune moved out of the event table (EXCHANGE PARTITION) and has not yet
# dropped, in database DB of server NAME; nothing once a prune has finished.
moved_out_days() { # NAME DB
    mariadb_sql "$1" "SHOW FULL TABLES LIKE 'event\\_expired\\_%'" "$2"
}
# MariaDB: the session of a SIGKILLed client ends on the server a moment later,
# after the statement it was running; a check waits for that, so that it reads
# a store nobody changes any more (as on SQLite once the writers are dead).
settle() {
    [ "$engine" = mariadb ] || return 0
    local i
    for i in $(seq 300); do
        [ "$(mariadb_sql "$maria" "SELECT COUNT(*) FROM information_schema.processlist WHERE user = '$SE_MARIADB_USER'")" = 0 ] && return 0
        sleep 0.1
    done
    echo "  sessions of killed clients still open on the server after 30 s"; return 1
}

# ---- concurrency: 8 loggers, a reader/exporter, a pruner on one store --------
concurrency() {
    local dir=$work/$engine/concurrency n=$(q 2000 20000) rc=0 i s
    mkdir -p "$dir"; s=$(store "$dir") || return 1
    "${php[@]}" "$here/check.php" setup "$s" || return 1
    local started=$(date +%s%N) wpids=()
    for i in 1 2 3 4 5 6 7 8; do
        if [ "$i" -le 2 ]; then # two of the eight log batches of 5
            "${php[@]}" "$here/writer.php" "$s" "$dir/ack.$i" "c$i" $((n / 5)) batch &
        else
            "${php[@]}" "$here/writer.php" "$s" "$dir/ack.$i" "c$i" "$n" single 10 &
        fi
        wpids+=($!)
    done
    "${php[@]}" "$here/reader.php" "$s" "$dir/stop" & local reader=$!
    "${php[@]}" "$here/pruner.php" "$s" "$dir/stop" & local pruner=$!
    for i in "${wpids[@]}"; do wait "$i" || { echo "  writer exited with $?"; rc=1; }; done
    touch "$dir/stop"
    wait "$reader" || { echo "  reader failed"; rc=1; }
    wait "$pruner" || { echo "  pruner failed"; rc=1; }
    echo "  8 writers: $((6 * n)) single events (1 in 10 twenty days old) + $((2 * n / 5)) batches (of 5, every fourth of 200) in $(( ($(date +%s%N) - started) / 1000000 )) ms"
    "${php[@]}" "$here/check.php" verify "$s" 0 1 "$dir"/ack.* || rc=1
    return $rc
}

# ---- crash: writers (and a reader and a pruner) killed with SIGKILL at random moments
crash() {
    local dir=$work/$engine/crash rounds=$(q 20 150) r i kills=0 rc=0 s st
    mkdir -p "$dir"
    # First: writers killed while they create a new store (schema set-up, first commits).
    for ((r = 1; r <= $(q 5 30); r++)); do
        local fresh=$dir/fresh-$r rp=() fk=0 fs
        mkdir -p "$fresh"; fs=$(store "$fresh") || return 1
        for i in 1 2 3; do
            "${php[@]}" "$here/writer.php" "$fs" "$fresh/ack.$i" "f$r.$i" 100000 single & rp+=($!)
        done
        sleep "0.$(printf %03d $((RANDOM % 150 + 20)))"
        # A writer that ended other than by this SIGKILL (status 137) failed on the new store (its error is above).
        for i in "${rp[@]}"; do kill -9 "$i" 2>/dev/null; done
        for i in "${rp[@]}"; do
            wait "$i" 2>/dev/null; st=$?
            if [ $st -eq 137 ]; then fk=$((fk + 1)); else echo "  new store, round $r: a writer ended early (exit $st)"; rc=1; fi
        done
        touch "$fresh/ack.1" "$fresh/ack.2" "$fresh/ack.3"
        settle || rc=1
        "${php[@]}" "$here/check.php" verify "$fs" "$fk" 0 "$fresh"/ack.* > "$fresh/check.out" 2>&1 \
            || { echo "  new store killed during creation, round $r:"; cat "$fresh/check.out"; rc=1; }
        kills=$((kills + fk))
    done
    echo "  $(q 5 30) new stores: writers killed during creation; each reopens with every ack, exact totals$([ "$engine" = sqlite ] && echo ' and passes integrity_check')"
    local created_kills=$kills; kills=0
    s=$(store "$dir") || return 1
    "${php[@]}" "$here/check.php" setup "$s" || return 1
    for ((r = 1; r <= rounds; r++)); do
        local rp=()
        for i in 1 2 3; do
            "${php[@]}" "$here/writer.php" "$s" "$dir/ack.$r.$i" "k$r.$i" 100000 single & rp+=($!)
        done
        "${php[@]}" "$here/writer.php" "$s" "$dir/ack.$r.b" "k$r.b" 100000 batch & rp+=($!)
        "${php[@]}" "$here/reader.php" "$s" "$dir/never" > "$dir/reader.out" 2>&1 & local reader=$!
        "${php[@]}" "$here/pruner.php" "$s" "$dir/never" > "$dir/pruner.out" 2>&1 & local pruner=$!
        sleep "0.$(printf %03d $((RANDOM % 700 + 50)))"
        kill -9 "${rp[@]}" "$reader" "$pruner" 2>/dev/null
        for i in "${rp[@]}"; do
            wait "$i" 2>/dev/null; st=$?
            if [ $st -eq 137 ]; then kills=$((kills + 1)); else echo "  round $r: a writer ended early (exit $st)"; rc=1; fi
        done
        for i in reader pruner; do
            wait "${!i}" 2>/dev/null; st=$?
            [ $st -eq 137 ] || { echo "  round $r: the $i ended early (exit $st):"; head -5 "$dir/$i.out"; rc=1; }
        done
        # Every few rounds (and at the end) the store must open, hold every ack, pass integrity_check.
        if [ $((r % 4)) -eq 0 ] || [ "$r" -eq "$rounds" ]; then
            settle || rc=1
            "${php[@]}" "$here/check.php" verify "$s" "$kills" 2 "$dir"/ack.* > "$dir/check.out" 2>&1 || { cat "$dir/check.out"; rc=1; break; }
        fi
    done
    echo "  $((r > rounds ? rounds : r)) of $rounds rounds, $kills writers killed with SIGKILL (+$created_kills during creation); $(cat "$dir/check.out")"
    return $rc
}

# ---- disk full: a store on an 8 MiB tmpfs filled up, then space returned --------
# (8 MiB, not 2: the WAL grows to ~4 MiB before SQLite's automatic checkpoint, so
# on a smaller file system the store's own WAL fills it and nothing can resume.)
diskfull() {
    local dir=$work/diskfull
    mkdir -p "$dir"
    mount -t tmpfs -o size=8m,mode=0700 tmpfs "$dir" || { echo "  cannot mount a tmpfs here (root needed)"; return 1; }
    mounts+=("$dir")
    "${php[@]}" "$here/diskfull.php" "$dir"
}

# ---- a failing disk: reads, writes or syncs of the store's files fail with EIO ----
# faults.c, preloaded together with the library itself: PHP's FFI opens the
# library with RTLD_DEEPBIND, which would bind it past a preloaded wrapper, but
# a library already loaded is not loaded again.
faults() { [ -f "$work/libfaults.so" ] || cc -O2 -Wall -shared -fPIC -o "$work/libfaults.so" "$here/faults.c" -ldl; }
ioerror() {
    local dir=$work/ioerror
    mkdir -p "$dir/store"
    faults || return 1
    FAULTS_PREFIX="$dir/store/" FAULTS_CONTROL="$dir/control" LD_PRELOAD="$work/libfaults.so $STREAM_EVENTS_LIB" \
        "${php[@]}" "$here/ioerror.php" "$dir/store" "$dir/control"
}

# ---- power loss: writers killed, then every change no sync made durable undone ----
# faults.c journals each change to the store's files (FAULTS_UNDO); after the
# SIGKILL, powerloss.php puts back what was not synced: all of it, or each
# file's changes after a random point, or those with the first of them torn
# (some of its sectors written). Rounds alternate synchronous "full" (no
# acknowledged event may be lost) and "normal" (the newest may be, the rest
# must be whole).
powerloss() {
    local dir=$work/powerloss rounds=$(q 12 60) r i rc=0 st models=(all prefix torn)
    faults || return 1
    for ((r = 1; r <= rounds; r++)); do
        local sync model rd=$dir/$r rp=()
        sync=$([ $((r % 2)) -eq 1 ] && echo full || echo normal)
        model=${models[$(((r - 1) / 2 % 3))]}
        mkdir -p "$rd/store" "$rd/undo"
        local s=$rd/store/store.sqlite opts="{\"synchronous\":\"$sync\"}"
        # PHP with its changes to this round's store journaled (env execs it: $! is PHP's pid, for the kill).
        local journaled=(env FAULTS_PREFIX="$rd/store/" FAULTS_UNDO="$rd/undo" LD_PRELOAD="$work/libfaults.so $STREAM_EVENTS_LIB" "${php[@]}")
        "${php[@]}" "$here/check.php" setup "$s" || return 1  # before the journal: a store in use for a while
        for i in 1 2 3; do
            "${journaled[@]}" "$here/writer.php" "$s" "$rd/ack.$i" "p$r.$i" 100000 single 10 "$opts" & rp+=($!)
        done
        "${journaled[@]}" "$here/writer.php" "$s" "$rd/ack.b" "p$r.b" 100000 batch 0 "$opts" & rp+=($!)
        "${journaled[@]}" "$here/pruner.php" "$s" "$rd/never" > "$rd/pruner.out" 2>&1 & local pruner=$!
        sleep "0.$(printf %03d $((RANDOM % 700 + 300)))"
        kill -9 "${rp[@]}" "$pruner" 2>/dev/null
        for i in "${rp[@]}" "$pruner"; do
            wait "$i" 2>/dev/null; st=$?
            [ $st -eq 137 ] || { echo "  round $r: a process ended early (exit $st)"; head -5 "$rd/pruner.out"; rc=1; }
        done
        "${php[@]}" "$here/powerloss.php" cut "$rd/undo" "$model" "$RANDOM" > "$rd/cut.out" 2>&1 || { cat "$rd/cut.out"; rc=1; }
        "${php[@]}" "$here/powerloss.php" verify "$s" "$sync" "$rd"/ack.* > "$rd/verify.out" 2>&1 \
            || { echo "  round $r ($sync, $model):"; cat "$rd/cut.out" "$rd/verify.out"; rc=1; }
        [ $rc -ne 0 ] || echo "  round $r ($model: $(sed 's/^powerloss: cut ([a-z]*): //' "$rd/cut.out")): $(sed 's/^powerloss: //' "$rd/verify.out")"
    done
    echo "  $rounds power cuts, synchronous full and normal, every unsynced change lost, a random part of them, or that with a torn write"
    return $rc
}

# ---- damaged and read-only stores: a clear error at el_open, file untouched ------
# Each case runs in its own PHP process, so a crash shows as a signal exit.
damaged() {
    local dir=$work/damaged rc=0 f out sum
    mkdir -p "$dir/ro" "$dir/immdir"
    "${php[@]}" "$here/damaged.php" make "$dir/good.sqlite" || return 1
    cp "$dir/good.sqlite" "$dir/truncated.sqlite"; truncate -s $(($(stat -c %s "$dir/good.sqlite") / 2)) "$dir/truncated.sqlite"
    cp "$dir/good.sqlite" "$dir/header-only.sqlite"; truncate -s 100 "$dir/header-only.sqlite"
    head -c 65536 /dev/urandom > "$dir/garbage.sqlite"
    { printf 'SQLite format 3\0'; head -c 8192 /dev/urandom; } > "$dir/garbage-with-magic.sqlite"
    sqlite_exec() { "${php[@]}" -r '(new SQLite3($argv[1]))->exec($argv[2]);' "$dir/$1.sqlite" "$2"; }  # CASE SQL
    edited() { cp "$dir/good.sqlite" "$dir/$1.sqlite" && sqlite_exec "$1" "$2"; }                       # CASE SQL: a good store, then SQL
    edited newer-schema 'PRAGMA user_version = 999'
    sqlite_exec foreign-sqlite 'CREATE TABLE t(x); INSERT INTO t VALUES (1)'
    # Settings no library writes (edited by hand): refused before any date or total is computed from them.
    edited edited-retention "UPDATE setting SET value = 9223372036854775807 WHERE key = 'retentionDays'"
    edited edited-watermark "INSERT OR REPLACE INTO setting (key, value) VALUES ('countedThrough', -9223372036854775807)"
    # Root ignores permission bits: an immutable file or directory and a read-only mount do bind root.
    cp "$dir/good.sqlite" "$dir/immutable-file.sqlite"; chattr +i "$dir/immutable-file.sqlite" && immutable+=("$dir/immutable-file.sqlite")
    cp "$dir/good.sqlite" "$dir/immdir/store.sqlite"; chattr +i "$dir/immdir" && immutable+=("$dir/immdir")
    mount -t tmpfs -o size=2m tmpfs "$dir/ro" && mounts+=("$dir/ro") && cp "$dir/good.sqlite" "$dir/ro/store.sqlite" && mount -o remount,ro "$dir/ro"
    refused() { # CASE: the store must be refused at el_open, unchanged
        local f=$1 dir=$work/damaged sum out status
        sum=$(sha256sum "$dir/$f.sqlite" 2>/dev/null | cut -c1-64)
        out=$("${php[@]}" "$here/damaged.php" open "$dir/$f.sqlite" 2>&1); status=$?
        out=${out//$dir\//}
        if [ $status -eq 0 ] && [[ $out == el_open\|EL_E* ]] && [ "$sum" = "$(sha256sum "$dir/$f.sqlite" 2>/dev/null | cut -c1-64)" ]; then
            echo "  $f: ${out#*|}"
        else
            # Exit status > 128 is a crash; "el_query"/"el_log" means el_open accepted it.
            echo "  FAIL $f (exit $status$([ "$sum" = "$(sha256sum "$dir/$f.sqlite" 2>/dev/null | cut -c1-64)" ] || echo ', FILE MODIFIED')): $out"
            return 1
        fi
    }
    for f in truncated header-only garbage garbage-with-magic newer-schema foreign-sqlite edited-retention edited-watermark ro/new; do
        refused "$f" || rc=1
    done
    # A garbage WAL next to a good store (as after a crash mid-write to the WAL header): SQLite
    # must ignore it, so the store opens with all its events.
    cp "$dir/good.sqlite" "$dir/garbage-wal.sqlite"; head -c 40000 /dev/urandom > "$dir/garbage-wal.sqlite-wal"
    out=$("${php[@]}" "$here/damaged.php" intact "$dir/garbage-wal.sqlite" 2>&1) && echo "  garbage WAL: $out" \
        || { echo "  FAIL garbage WAL: $out"; rc=1; }
    return $rc
}

# ---- a prune killed part-way: totals stay exact (issue #13, finding 4) ------------
prunekill() {
    local dir=$work/$engine/prunekill i pid kills=0 out rc=0 s
    mkdir -p "$dir"
    for i in $(seq "$(q 12 60)"); do
        # SQLite: one store, whose next prune also finishes what a killed one left. MariaDB: a
        # new database each time, since the first prune hides the old days for good (events
        # logged into them later are hidden at once and leave the next prune nothing to hide).
        if [ "$engine" = sqlite ]; then s=$(store "$dir"); else s=$(store "$dir/$i"); fi || return 1
        "${php[@]}" "$here/prunekill.php" make "$s" || return 1
        "${php[@]}" "$here/prunekill.php" prune "$s" & pid=$!
        sleep "0.$(printf "%03d" $((RANDOM % 70 + 25)))"
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
        wait "$pid" 2>/dev/null
        settle || rc=1
        out=$("${php[@]}" "$here/prunekill.php" check "$s" 2>&1) || { echo "  after kill $i: $out"; rc=1; }
        if [ "$engine" = mariadb ]; then
            # The next prune finishes the killed one's work: no day it moved out of the event table
            # (EXCHANGE PARTITION) is left undropped.
            "${php[@]}" "$here/prunekill.php" prune "$s" || rc=1
            [ -z "$(moved_out_days "$maria" "${s##*/}")" ] \
                || { echo "  after kill $i and a full prune: a moved-out day is left in ${s##*/}"; rc=1; }
        fi
    done
    "${php[@]}" "$here/prunekill.php" prune "$s"
    out=$("${php[@]}" "$here/prunekill.php" check "$s" 2>&1) || rc=1
    echo "  $kills prunes killed part-way; totals equal exported rows after each; after a full prune: $out"
    return $rc
}
access() {
    local dir=$work/$engine/access s
    mkdir -p "$dir"; s=$(store "$dir") || return 1
    local seed=${RELIABILITY_SEED:-$RANDOM}
    echo "  seed $seed (RELIABILITY_SEED=$seed reproduces)"
    "${php[@]}" "$here/access.php" "$s" "$(q 60 2000)" "$seed"
}
# ---- hostile values: the wrapper, then every HTTP parameter via php -S ---------
hostile() {
    local dir=$work/$engine/hostile s tag=$1
    mkdir -p "$dir"; s=$(store "$dir") || return 1
    "${php[@]}" "$here/hostile.php" "$s"
    result "hostile values$tag through the wrapper and the controller: stored exactly or a typed refusal, CSV formula-free" $?
    # Finding 2 of RELIABILITY.md (NUL in raw string arguments; fixed in ab1e369): regression guard.
    "${php[@]}" "$here/nul_args.php" "$s"
    result "hostile values$tag: a NUL in the export format or store path is refused, not truncated [finding 2, bridge]" $?
    # The server runs as under FPM: php.ini.example's preload, FFI only for preloaded code.
    # The hooks keep their sessions in a folder of their own (a database has no folder).
    local hookkey; hookkey=$(head -c 24 /dev/urandom | base64)
    STREAM_EVENTS_DB=$s STREAM_EVENTS_DEMO=1 STREAM_EVENTS_HOOK_KEY=$hookkey STREAM_EVENTS_HOOK_STATE=$dir/hook-state \
        stream_events_serve --preload --log "$dir/server.log" "$repo/php-bridge/public/index.php" \
        || { cat "$dir/server.log"; result "php -S started$tag" 1; return; }
    local status=0
    timeout 300 python3 "$here/hostile_http.py" "$server_url" || { status=1; grep -iE 'fatal|segfault|warning' "$dir/server.log" | head -5; }
    result "hostile HTTP parameters$tag: a 200 or a 4xx JSON error, never a 5xx or a dead server; scope holds over HTTP; unknown parameters named, nosniff, no X-Powered-By, HEAD without a body [findings 7, 9, 10, bridge]" $status
    timeout 120 python3 "$here/hooks_http.py" "$server_url" "$hookkey" "$s"
    result "hooks$tag: wrong secrets get 403 and log nothing; no secret readable through the API, exports, pages or store" $?
    kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null
}

# ---- the cases about storage in general, on each engine ---------------------------
for engine in $engines; do
    tag=" [$engine]"
    want concurrency || want crash || want prunekill || want access || want hostile || continue
    if [ "$engine" = mariadb ]; then
        started=$(date +%s%N)
        mariadb_start "$maria" || { result "a private MariaDB server starts (Tests/mariadb/server.sh)" 1; continue; }
    fi
    integrity=$([ "$engine" = sqlite ] && echo ', integrity ok')
    want concurrency && { concurrency; result "concurrency$tag: 8 loggers + reader/exporter + pruner, nothing lost or doubled, no StoreBusy, totals exact$integrity" $?; }
    want crash && { crash; result "crash$tag: SIGKILLed writers lose no acknowledged event, batches all-or-nothing, totals exact$integrity" $?; }
    want prunekill && { prunekill; result "prune killed part-way$tag: every total equals the exported rows after each kill" $?; }
    want access && { access; result "access$tag: every principal's queries and exports return exactly its events, out of scope denied" $?; }
    want hostile && hostile "$tag"
    if [ "$engine" = mariadb ]; then
        mariadb_stop "$maria"
        echo "  (MariaDB leg: $(( ($(date +%s%N) - started) / 1000000000 )) s)"
    fi
done
engine=sqlite

# ---- a Galera cluster: writers on all three nodes while a node is killed and comes back
galera() {
    local dir=$work/galera cluster=relgalera n kind p round victim urls=() pids=() rc=0
    mkdir -p "$dir"
    galera_start "$cluster" 3 || return 1
    for n in 1 2 3; do urls+=("$(galera_url "$cluster" "$n" rel_galera)"); done
    "${php[@]}" "$here/check.php" setup "${urls[0]}" || return 1
    # On each node a writer of single events, one of single events with delivery keys, one of batches.
    for n in 1 2 3; do
        for kind in single keyed batch; do
            timeout 600 "${php[@]}" "$here/galera.php" write "${urls[n - 1]}" "$dir/ack.$n.$kind" "n$n$kind" "$kind" "$dir/stop" \
                > "$dir/stats.$n.$kind" & pids+=($!)
        done
    done
    for round in $(seq "$(q 1 3)"); do
        sleep "$(q 3 10)"
        victim=$((RANDOM % 3 + 1))
        galera_kill "$cluster" "$victim" || rc=1
        echo "  node $victim killed (SIGKILL) under 9 writers"
        sleep 3
        galera_restart "$cluster" "$victim" || rc=1
        echo "$victim" >> "$dir/victims"
    done
    sleep 3
    touch "$dir/stop"
    for p in "${pids[@]}"; do wait "$p" || { echo "  a writer failed or hung (exit $?)"; rc=1; }; done
    sed 's/^/  /' "$dir"/stats.*
    # The writers of a killed node failed (EL_EIO/EL_EBUSY) and then logged again on the same node.
    for n in $(sort -u "$dir/victims"); do
        for kind in single keyed batch; do
            grep -qE '"(EL_EIO|EL_EBUSY)":[1-9]' "$dir/stats.$n.$kind" && grep -qE '"ackedAfterFailure":[1-9]' "$dir/stats.$n.$kind" \
                || { echo "  the $kind writer on node $n did not fail while its node was down, or did not log again after"; rc=1; }
        done
    done
    galera_wait_synced "$cluster" || rc=1
    local t=$SECONDS
    "${php[@]}" "$here/galera.php" verify "${urls[@]}" -- "$dir"/ack.* || rc=1
    echo "  (verified in $((SECONDS - t)) s)"
    galera_stop "$cluster"
    return $rc
}
if [[ " $engines " == *" mariadb "* ]] && want galera; then
    galera; result "galera: 9 writers on 3 nodes, a node killed and back: no acknowledged event lost or doubled, totals and pages exact on every node" $?
fi

# ---- moving a panel into a Galera cluster: the copy command through node 1, SIGKILLed three
# times (after 1, 2 and 3 more commits) and restarted at once, then node 1 killed under it (after
# 2), and the copy resumed through node 2
galera_copy() {
    local dir=$work/galera_copy cluster=relcopy n=$(q 400000 1000000) kill rc=0 out committed committed_before c
    mkdir -p "$dir"
    galera_start "$cluster" 3 || return 1
    "${php[@]}" "$here/galera_copy.php" source "$dir/source.sqlite" "$n" || return 1
    # Committed on node NODE (wsrep_sync_wait: including what the cluster committed through another node).
    count() { mariadb_sql "$cluster-$1" "SET SESSION wsrep_sync_wait = 1; SELECT COUNT(*) FROM event" rel_copy 2>/dev/null || echo 0; }
    copy() { # NODE: the copy command in the background, its output in $dir/copy.N
        STREAM_EVENTS_DB=$(galera_url "$cluster" "$1" rel_copy) "${php[@]}" "$repo/php-bridge/bin/stream-events-maintenance" \
            copy --from "$dir/source.sqlite" > "$dir/copy.$kill" 2>&1 &
    }
    committed=0
    for kill in 1 2 3 4; do
        copy 1; local pid=$! seen=$committed changes=0 node=$((kill <= 3 ? 1 : 2))  # the node to count on after the kill
        # Until KILL commits (2 for the node) have been seen, or the copy ended (a failure below). A run's first
        # batches, one a connection, go in one after the other; from the third on two at once.
        while kill -0 "$pid" 2>/dev/null && [ "$changes" -lt "$((kill <= 3 ? kill : 2))" ]; do
            sleep 0.05; c=$(count 1); [ "$c" -gt "$seen" ] && seen=$c changes=$((changes + 1))
        done
        if [ "$kill" -le 3 ]; then
            kill -9 "$pid"; wait "$pid" 2>/dev/null
            echo "  copy SIGKILLed with $(count 1) events committed"
        else
            galera_kill "$cluster" 1 || rc=1
            wait "$pid"; out=$?
            grep -q EL_EIO "$dir/copy.$kill" && [ "$out" -ne 0 ] \
                || { echo "  the copy did not fail with EL_EIO when its node died (exit $out): $(cat "$dir/copy.$kill")"; rc=1; }
            echo "  node 1 SIGKILLed under the copy with $(count 2) events committed"
        fi
        committed_before=$committed committed=$(count "$node")
        [ "$committed" -gt "$committed_before" ] && [ "$(count 2)" -lt "$n" ] \
            || { echo "  kill $kill: no batch more committed before it, or the copy was over: $(cat "$dir/copy.$kill")"; rc=1; }
    done
    kill=5
    STREAM_EVENTS_DB=$(galera_url "$cluster" 2 rel_copy) "${php[@]}" "$repo/php-bridge/bin/stream-events-maintenance" \
        copy --from "$dir/source.sqlite" > "$dir/copy.$kill" 2>&1 || { echo "  the resumed copy failed"; rc=1; }
    sed 's/^/  /' "$dir/copy.$kill" | grep -E 'Copied|Verified' || rc=1
    galera_restart "$cluster" 1 && galera_wait_synced "$cluster" || rc=1
    "${php[@]}" "$here/galera_copy.php" verify "$dir/source.sqlite" \
        "$(galera_url "$cluster" 1 rel_copy)" "$(galera_url "$cluster" 2 rel_copy)" "$(galera_url "$cluster" 3 rel_copy)" || rc=1
    # Then the daily prune through node 3, 15 days on: the oldest days leave by EXCHANGE PARTITION and DROP
    # TABLE, replicated like any DDL. On every node the rest is exact and no moved-out day is left.
    local day=86400000 later=$(( $(date +%s) * 1000 + 15 * 86400000 )) node exchanges
    mariadb_sql "$cluster-3" "SET GLOBAL log_output = 'TABLE'; SET GLOBAL general_log = 1"
    STREAM_EVENTS_DB=$(galera_url "$cluster" 3 rel_copy) "${php[@]}" "$repo/php-bridge/bin/stream-events-maintenance" \
        --now "$later" > "$dir/prune" 2>&1 || { echo "  the prune through node 3 failed: $(cat "$dir/prune")"; rc=1; }
    exchanges=$(mariadb_sql "$cluster-3" "SELECT COUNT(*) FROM mysql.general_log
        WHERE CONVERT(argument USING utf8mb4) LIKE 'ALTER TABLE event EXCHANGE PARTITION %'")
    mariadb_sql "$cluster-3" "SET GLOBAL general_log = 0"
    sed 's/^/  /' "$dir/prune"
    echo "  $exchanges days moved out by EXCHANGE PARTITION"
    [ "$exchanges" -ge 5 ] || { echo "  the prune did not move the days out (it dropped them with their rows)"; rc=1; }
    galera_wait_synced "$cluster" || rc=1
    "${php[@]}" "$here/galera_copy.php" verify "$dir/source.sqlite" --since $(( (later - 30 * day) / day * day )) \
        "$(galera_url "$cluster" 1 rel_copy)" "$(galera_url "$cluster" 2 rel_copy)" "$(galera_url "$cluster" 3 rel_copy)" || rc=1
    for node in 1 2 3; do
        [ -z "$(moved_out_days "$cluster-$node" rel_copy)" ] \
            || { echo "  node $node: a moved-out day is left"; rc=1; }
    done
    galera_stop "$cluster"
    return $rc
}
if [[ " $engines " == *" mariadb "* ]] && want galera_copy; then
    galera_copy; result "galera_copy: a SQLite store copied into a cluster, the copy killed three times and its node once, then pruned through another node: every event once on every node, totals exact" $?
fi

# ---- what the engine relies on from a Galera node: a transaction sent one statement per round
# trip is whole or absent, however often replicated writes abort it (finding 14)
galera_statements() {
    local cluster=relstatements urls=() n rc=0
    galera_start "$cluster" 3 || return 1
    for n in 1 2 3; do urls+=("$(galera_url "$cluster" "$n")"); done
    "${php[@]}" "$here/galera_statements.php" "$(q 8 30)" "${urls[@]}" || rc=1
    galera_stop "$cluster"
    return $rc
}
if [[ " $engines " == *" mariadb "* ]] && want galera_statements; then
    galera_statements; result "galera_statements: transactions of one statement per round trip stay whole, and blocks of ids are given out once, under conflicts from other nodes" $?
fi

# ---- SQLite's own cases: the store is a file --------------------------------------
if [[ " $engines " == *" sqlite "* ]]; then
    swapped() { mkdir -p "$work/swapped" && "${php[@]}" "$here/swapped.php" "$work/swapped"; }
    want swapped && { swapped; result "store file deleted or replaced under a worker: not acknowledged, then the file at the path [issue #15, finding 1]" $?; }
    want diskfull && { diskfull; result "disk full: EL_EIO with a clear message, the worker survives, logging resumes when space returns" $?; }
    want ioerror && { ioerror; result "a failing disk (EIO on reads, writes, syncs): EL_EIO saying so, the worker survives, a failed event is not stored, logging and checkpoints resume" $?; }
    want powerloss && { powerloss; result "power loss (every change no sync made durable undone): synchronous full loses no acknowledged event, normal only the newest; batches whole, totals exact, integrity ok" $?; }
    want damaged && { damaged; result "damaged stores: truncated, garbage, newer schema, foreign, edited settings, a new store on a read-only mount: clear error at open, no crash, file unchanged" $?; }
    # Stores this process cannot write (an immutable file, an immutable folder, a read-only mount):
    # pages and exports answer, logging is EL_EIO saying read-only (issue #13; replaces finding 1's refusal).
    readonly_stores() {
        local dir=$work/damaged f sum out rc=0
        for f in immutable-file immdir/store ro/store; do
            sum=$(sha256sum "$dir/$f.sqlite" | cut -c1-64)
            out=$("${php[@]}" "$here/damaged.php" readonly "$dir/$f.sqlite" 2>&1) && [ "$sum" = "$(sha256sum "$dir/$f.sqlite" | cut -c1-64)" ] \
                && echo "  $f: ${out//$dir\//}" || { echo "  FAIL $f: ${out//$dir\//}"; rc=1; }
        done
        return $rc
    }
    want damaged && { readonly_stores; result "read-only stores: pages and exports answer, el_log is EL_EIO saying read-only, file unchanged" $?; }
fi

# Findings 7 and 8 of RELIABILITY.md, where only a browser sees them: a bad parameter in the page URL shows
# the API's error, and a right-to-left override in a DJ name stays inside the name.
want pages && { UI_ONLY="bad_parameters bidi_isolated" "$repo/php-bridge/tests/ui/run.sh"; result "pages: the API's error for a bad URL parameter, bidi overrides isolated [findings 7, 8, bridge]" $?; }
want fuzz && { "$repo/Tests/fuzz/run.sh" "$(q 60 1800)"; result "fuzz: libFuzzer+ASan/LSan over event, batch, directory, principal, filter, format, options" $?; }

summary=$(IFS=';'; echo "${failures[*]:-}")
echo "reliability ($mode): $passed passed, $failed failed${summary:+ (failed:$summary)}"
[ "$failed" -eq 0 ]
