#!/usr/bin/env bash
# Private 3-node Galera clusters on 127.0.0.1 for the test suites, built on server.sh: node N of
# cluster NAME is the server "NAME-N" (folder $SE_MARIADB_ROOT/NAME-N), so mariadb_sql NAME-2 ...,
# mariadb_stop_all and the rest work on nodes too (but restart nodes with galera_restart, which
# knows about bootstrapping and position recovery). Source it, or run it:
#   Tests/mariadb/galera.sh start NAME | stop NAME | kill NAME NODE | restart NAME NODE | url NAME NODE [DB]
#
#   galera_start NAME [NODES]      node 1 bootstraps (--wsrep-new-cluster), the others join by SST
#   galera_url NAME NODE [DB]      like mariadb_url; galera_socket_url NAME NODE DB
#   galera_sql NAME NODE 'SQL' [DB]
#   galera_kill NAME NODE          SIGKILL one node
#   galera_stop_node NAME NODE     clean shutdown of one node
#   galera_restart NAME NODE [sst] stop it if up, start it again and wait until it is Synced:
#                                  IST from the gcache (after a SIGKILL too: the position is
#                                  recovered from InnoDB first); "sst": rebuilt from an empty
#                                  datadir. With no other node up it bootstraps the cluster again
#                                  (after a whole-cluster crash: restart the most advanced first).
#   galera_wait_synced NAME [TIMEOUT]  every running node Synced, cluster size = running nodes
#   galera_stop NAME               stops every node
#
# A suite does:  . Tests/mariadb/galera.sh; trap mariadb_stop_all EXIT; galera_start g
#                url1=$(galera_url g 1 mydb) url3=$(galera_url g 3 mydb)
# Reads on one node may not see a commit made on another yet (Galera applies it after the commit
# returns) unless the session sets wsrep_sync_wait=1; the servers keep the default, 0.
# Settings (environment): those of server.sh, SE_GALERA_PROVIDER, SE_GALERA_SYNC_TIMEOUT (120 s),
# SE_GALERA_PROVIDER_OPTIONS.

. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/server.sh"
# SST method se_rsync (sst/wsrep_sst_se_rsync): rsync SST that also works when run as root.
_se_galera_sst=$_se_mariadb_here/sst
: "${SE_GALERA_PROVIDER:=/usr/lib/galera/libgalera_smm.so}"
: "${SE_GALERA_SYNC_TIMEOUT:=120}"  # seconds a node may take to join (SST) and be Synced

# Provider options, per node "gmcast.listen_addr=...;ist.recv_addr=..." is added to these.
# The evs timeouts are short so that a killed node leaves the cluster within seconds (defaults:
# suspect 5 s, inactive 15 s), keeping keepalive <= inactive_check <= suspect <= inactive.
: "${SE_GALERA_PROVIDER_OPTIONS:=gcache.size=64M;evs.keepalive_period=PT0.5S;evs.inactive_check_period=PT0.5S;evs.suspect_timeout=PT2S;evs.inactive_timeout=PT4S;evs.install_timeout=PT4S;evs.join_retrans_period=PT0.5S}"

galera_nodes() { # NAME: how many nodes the cluster has
    cat "$SE_MARIADB_ROOT/$1-1/galera-nodes" 2>/dev/null || { _se_mariadb_err "$1: no such cluster"; return 1; }
}
galera_url() { mariadb_url "$1-$2" "${3:-}"; }
galera_socket_url() { mariadb_socket_url "$1-$2" "${3:-}"; }
galera_sql() { mariadb_sql "$1-$2" "$3" "${4:-}"; }
galera_kill() { mariadb_kill "$1-$2"; }
galera_stop_node() { mariadb_stop "$1-$2"; }

# galera_start NAME [NODES]: a new cluster. Node 1 gets a fresh datadir and bootstraps; the
# others start empty and join one after the other by SST from node 1. (Joins that overlap make
# group communication retry for seconds; and seeding the joiners with copies of node 1's datadir
# does not spare the transfer: Galera 4 counts view changes as events, and the IST of them fails
# without a wsrep position in InnoDB, which a fresh datadir does not have.)
galera_start() {
    local name=${1:?usage: galera_start NAME [NODES]} nodes=${2:-3} n i p t0 args
    local -a sql gcomm ist sst
    t0=$(date +%s%N)
    # Four ports a node: SQL, group communication, IST and SST (the rsync daemon of a joiner).
    for n in $(seq "$nodes"); do
        for i in sql gcomm ist sst; do
            p=$(_se_galera_free_port "$name-$n" "${sql[*]} ${gcomm[*]} ${ist[*]} ${sst[*]}") || return 1
            eval "$i[$n]=$p"
        done
    done
    local address=gcomm://
    for n in $(seq "$nodes"); do address+="127.0.0.1:${gcomm[$n]},"; done
    address=${address%,}
    for n in $(seq "$nodes"); do
        args=(
            --wsrep-on=ON --wsrep-provider="$SE_GALERA_PROVIDER"
            --wsrep-cluster-name="se-$name" --wsrep-cluster-address="$address"
            --wsrep-node-name="$name-$n" --wsrep-node-address="127.0.0.1:${gcomm[$n]}"
            --wsrep-node-incoming-address="127.0.0.1:${sql[$n]}"
            --wsrep-sst-method=se_rsync --wsrep-sst-receive-address="127.0.0.1:${sst[$n]}"
            --wsrep-provider-options="$SE_GALERA_PROVIDER_OPTIONS;gmcast.listen_addr=tcp://127.0.0.1:${gcomm[$n]};ist.recv_addr=127.0.0.1:${ist[$n]}"
            --binlog-format=ROW --default-storage-engine=InnoDB --innodb-autoinc-lock-mode=2
        )
        _se_mariadb_new_dir "$name-$n" "${args[@]}" || return 1
        echo "${sql[$n]}" > "$SE_MARIADB_ROOT/$name-$n/port"
        printf '%s\n' "${sql[$n]}" "${gcomm[$n]}" "${ist[$n]}" "${sst[$n]}" > "$SE_MARIADB_ROOT/$name-$n/ports"
        echo "$nodes" > "$SE_MARIADB_ROOT/$name-$n/galera-nodes"
        echo "PATH=$_se_galera_sst:$PATH" > "$SE_MARIADB_ROOT/$name-$n/env"
    done
    _se_mariadb_install "$name-1" || return 1
    for n in $(seq 2 "$nodes"); do mkdir "$(mariadb_datadir "$name-$n")" || return 1; done
    _se_mariadb_launch "$name-1" --wsrep-new-cluster && _se_galera_wait_node "$name-1" || return 1
    for n in $(seq 2 "$nodes"); do
        _se_mariadb_spawn "$name-$n" && _se_galera_wait_node "$name-$n" || return 1
    done
    galera_wait_synced "$name" || return 1
    echo "galera: cluster $name ($nodes nodes) up in $(_se_galera_since "$t0") s" >&2
}

_se_galera_free_port() { # NODE_SERVER TAKEN_PORTS: a free port not among them
    local p i
    for i in $(seq 50); do
        p=$(_se_mariadb_free_port "$1") || return 1
        [[ " $2 " == *" $p "* ]] || { echo "$p"; return 0; }
    done
    return 1
}
_se_galera_since() { # START_NANOSECONDS: seconds since, with one decimal
    local ms=$(( ($(date +%s%N) - $1) / 1000000 ))
    printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100))
}

_se_galera_status() { # NODE_SERVER VARIABLE: a wsrep status value, empty if it does not answer
    mariadb_sql "$1" "SHOW GLOBAL STATUS LIKE '$2'" 2>/dev/null | cut -f2
}

# Waits until one node answers SQL and is Synced (ready for queries).
_se_galera_wait_node() { # NODE_SERVER [TIMEOUT]
    local node=$1 deadline=$((SECONDS + ${2:-$SE_GALERA_SYNC_TIMEOUT}))
    mariadb_wait "$node" "${2:-$SE_GALERA_SYNC_TIMEOUT}" || return 1
    until [ "$(_se_galera_status "$node" wsrep_local_state_comment)" = Synced ] &&
          [ "$(_se_galera_status "$node" wsrep_ready)" = ON ]; do
        if ! mariadb_running "$node" || [ $SECONDS -ge $deadline ]; then
            _se_mariadb_err "$node: not Synced within the timeout; end of its error log:"
            tail -n 40 "$SE_MARIADB_ROOT/$node/error.log" >&2; return 1
        fi
        sleep 0.1
    done
}

# Every running node answers, is Synced, and sees a cluster of all running nodes.
galera_wait_synced() { # NAME [TIMEOUT]
    local name=$1 timeout=${2:-$SE_GALERA_SYNC_TIMEOUT} nodes n up=() deadline size
    nodes=$(galera_nodes "$name") || return 1
    deadline=$((SECONDS + timeout))
    for n in $(seq "$nodes"); do mariadb_running "$name-$n" && up+=("$n"); done
    [ ${#up[@]} -gt 0 ] || { _se_mariadb_err "$name: no node is running"; return 1; }
    for n in "${up[@]}"; do
        _se_galera_wait_node "$name-$n" $((deadline - SECONDS > 1 ? deadline - SECONDS : 1)) || return 1
    done
    # A killed node stays in the others' view until evs.inactive_timeout has gone by.
    for n in "${up[@]}"; do
        until size=$(_se_galera_status "$name-$n" wsrep_cluster_size); [ "$size" = ${#up[@]} ]; do
            if [ $SECONDS -ge $deadline ]; then
                _se_mariadb_err "$name-$n: cluster size ${size:-?}, want ${#up[@]}"; return 1
            fi
            sleep 0.1
        done
    done
}

# Brings one node back on its data (IST from the gcache when it can, else SST). With "sst" its
# datadir is emptied first, so it must take a full SST (a node rebuilt from scratch).
galera_restart() { # NAME NODE [sst]
    local name=$1 node=$2 nodes n once=() t0 data
    t0=$(date +%s%N)
    nodes=$(galera_nodes "$name") || return 1
    data=$(mariadb_datadir "$name-$node")
    if mariadb_running "$name-$node"; then mariadb_stop "$name-$node" || return 1; fi
    if [ "${3:-}" = sst ]; then rm -rf "$data" && mkdir "$data" || return 1; fi
    # With no other node up there is no cluster to join: this node starts a new one. After a
    # crash of every node none is marked safe to bootstrap; a test knows this one is.
    once=(--wsrep-new-cluster)
    for n in $(seq "$nodes"); do
        [ "$n" != "$node" ] && mariadb_running "$name-$n" && once=()
    done
    [ ${#once[@]} -eq 0 ] ||
        sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' "$data/grastate.dat"
    local start_position
    start_position=$(_se_galera_recover "$name-$node") || return 1
    _se_mariadb_spawn "$name-$node" "${once[@]}" $start_position || return 1
    _se_galera_wait_node "$name-$node" || return 1
    echo "galera: $name node $node back and Synced in $(_se_galera_since "$t0") s" >&2
}

# After a crash grastate.dat has no seqno (-1), and mariadbd does not look for it in InnoDB by
# itself: without it a node needs a full SST instead of IST, and a bootstrapping node starts a
# new history. Like galera_recovery (which the Debian service runs before every start), ask
# mariadbd --wsrep-recover and print the --wsrep-start-position option for the real start.
_se_galera_recover() { # NODE_SERVER
    local dir=$SE_MARIADB_ROOT/$1 pos
    grep -q '^seqno: *-1' "$dir/data/grastate.dat" 2>/dev/null || return 0
    _se_mariadb_command "$1" || return 1
    "${_se_mariadb_cmd[@]}" --wsrep-recover --log-error="$dir/recover.log" < /dev/null >/dev/null 2>&1
    pos=$(sed -n 's/.*WSREP: Recovered position: *//p' "$dir/recover.log" | tail -n 1)
    if [ -z "$pos" ]; then
        _se_mariadb_err "$1: wsrep position recovery failed:"; tail -n 20 "$dir/recover.log" >&2; return 1
    fi
    echo "--wsrep-start-position=$pos"
}

galera_stop() { # NAME
    local nodes n rc=0
    nodes=$(galera_nodes "$1") || return 1
    for n in $(seq "$nodes" -1 1); do mariadb_stop "$1-$n" || rc=1; done
    return $rc
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -u
    SE_MARIADB_OWNER=cmd
    cmd=${1:-}; shift || true
    case $cmd in
        start) galera_start "$@" && for n in $(seq "$(galera_nodes "$1")"); do galera_url "$1" "$n"; done ;;
        stop) galera_stop "$@" ;;
        kill) galera_kill "$@" ;;
        restart) galera_restart "$@" ;;
        url) galera_url "$@" ;;
        sql) galera_sql "$@" ;;
        *) sed -n '4,5p' "$0" >&2; exit 2 ;;
    esac
fi
