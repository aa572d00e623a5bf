#!/usr/bin/env bash
# Private MariaDB servers for the test suites. Source it (bash) and call the functions, or run it:
#   Tests/mariadb/server.sh start NAME [PORT] | stop NAME | kill NAME | restart NAME
#                           url NAME [DB] | socket-url NAME DB | sql NAME 'SQL' | stop-all
#
# Each server NAME lives in $SE_MARIADB_ROOT/NAME (default <repo>/build/mariadb/NAME): data/,
# error.log, the pid, its port and its arguments, so a restart comes back on the same port with the
# same options. Servers never read /etc/mysql (--no-defaults) and never touch the system server's
# socket, port or datadir. They listen on 127.0.0.1 and on their own unix socket.
#
#   mariadb_start NAME [PORT] [-- MARIADBD_ARGS...]  fresh datadir, free port, waits until it answers
#   mariadb_stop NAME             clean shutdown (mariadb-admin), SIGKILL after $SE_MARIADB_STOP_TIMEOUT s
#   mariadb_kill NAME             SIGKILL (a crash); mariadb_restart / mariadb_start_again bring it back
#   mariadb_restart NAME          stop if running, start again on the same data, port and options
#   mariadb_start_again NAME      start a stopped or killed server again (mariadb_restart without stop)
#   mariadb_running NAME          status 0 if it runs; mariadb_wait NAME [SECONDS] waits until it answers
#   mariadb_url NAME [DB]         mysql://se:PW@127.0.0.1:PORT[/DB]
#   mariadb_socket_url NAME DB    mysql://se:PW@localhost/DB?socket=/path/to/sock
#   mariadb_sql NAME 'SQL' [DB]   runs SQL as root over the socket; tab-separated rows, no header
#   mariadb_port / mariadb_socket / mariadb_datadir / mariadb_pid NAME
#   mariadb_stop_all [all]        stops the servers this shell started (EXIT trap); "all": every one
#   mariadb_leftovers [PREFIX]    live processes still using a server folder (should print nothing)
#
# A suite does:  . Tests/mariadb/server.sh; trap mariadb_stop_all EXIT; mariadb_start db1
#                url=$(mariadb_url db1 mydb)
# Every server has root@localhost without a password (socket only) and the user se (password
# $SE_MARIADB_PASSWORD) at localhost and 127.0.0.1 with ALL PRIVILEGES ON *.*.
# Settings (environment): SE_MARIADB_ROOT, SE_MARIADB_USER (se), SE_MARIADB_PASSWORD (se-test-pw),
# SE_MARIADB_START_TIMEOUT (60 s), SE_MARIADB_STOP_TIMEOUT (30 s).

_se_mariadb_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${SE_MARIADB_ROOT:=$(cd "$_se_mariadb_here/../.." && pwd)/build/mariadb}"
: "${SE_MARIADB_USER:=se}"
: "${SE_MARIADB_PASSWORD:=se-test-pw}"
: "${SE_MARIADB_START_TIMEOUT:=60}"  # seconds until a server must answer
: "${SE_MARIADB_STOP_TIMEOUT:=30}"   # seconds a clean shutdown may take before SIGKILL
# Whose servers mariadb_stop_all stops: this shell. $$ is the same in subshells and $(...), so a
# server started inside a command substitution is still stopped by the caller's EXIT trap.
: "${SE_MARIADB_OWNER:=$$}"
export SE_MARIADB_ROOT SE_MARIADB_USER SE_MARIADB_PASSWORD

# Options every server gets. Memory is small on purpose: CI has 2 cores and runs several servers.
# The character set is Debian's packaged default (utf8mb4): --no-defaults alone would give latin1.
_se_mariadb_base_args=(
    --bind-address=127.0.0.1 --skip-name-resolve
    --innodb-flush-log-at-trx-commit=1
    --innodb-buffer-pool-size=256M --innodb-log-file-size=96M
    --max-connections=500
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci
)

_se_mariadb_err() { echo "mariadb: $*" >&2; }

mariadb_dir() { echo "$SE_MARIADB_ROOT/$1"; }
mariadb_datadir() { echo "$SE_MARIADB_ROOT/$1/data"; }
mariadb_port() { cat "$SE_MARIADB_ROOT/$1/port" 2>/dev/null || { _se_mariadb_err "$1: no such server"; return 1; }; }
mariadb_socket() { cat "$SE_MARIADB_ROOT/$1/socket" 2>/dev/null || { _se_mariadb_err "$1: no such server"; return 1; }; }

# The pid of NAME's mariadbd if it runs: the pid file's process, only if its command line still
# names this datadir (a reused pid is never ours) and it is not a zombie.
mariadb_pid() {
    local dir=$SE_MARIADB_ROOT/$1 pid
    pid=$(cat "$dir/pid" 2>/dev/null) || return 1
    [ -n "$pid" ] && _se_mariadb_is_ours "$pid" "$dir/data" && echo "$pid"
}
_se_mariadb_is_ours() { # PID DATADIR (bash builtins only: it runs in polling loops)
    local args a
    ! _se_mariadb_is_zombie "$1" || return 1
    mapfile -d '' -t args 2>/dev/null < "/proc/$1/cmdline" || return 1
    for a in "${args[@]}"; do [ "$a" = "--datadir=$2" ] && return 0; done
    return 1
}
mariadb_running() { mariadb_pid "$1" >/dev/null; }

# Unix socket paths are limited to 108 bytes: keep it in the server's folder when it fits.
_se_mariadb_socket_path() { # NAME
    local s=$SE_MARIADB_ROOT/$1/sock
    [ ${#s} -le 100 ] && echo "$s" || echo "/tmp/se-mariadb-$1.sock"
}

# Ports are also noted machine-wide in /tmp/se-mariadb-ports/PORT (the server folder that has it):
# a Galera node's IST and SST ports only listen during a transfer, and servers of another
# checkout (another SE_MARIADB_ROOT) must not pick them meanwhile.
_se_mariadb_port_dir=/tmp/se-mariadb-ports

# Is a TCP port neither listening nor assigned to one of our servers, here or in another checkout?
_se_mariadb_port_free() { # PORT
    local holder
    [ -z "$(ss -Hltn "sport = :$1" 2>/dev/null)" ] || return 1
    ! cat "$SE_MARIADB_ROOT"/*/ports 2>/dev/null | grep -qxF "$1" || return 1
    holder=$(cat "$_se_mariadb_port_dir/$1" 2>/dev/null) || return 0
    # Only as long as that server's folder still lists it.
    ! grep -qxF "$1" "$holder/ports" 2>/dev/null
}
# A free port below the kernel's ephemeral range (so outgoing connections never take it), noted
# as NAME's.
_se_mariadb_free_port() { # NAME
    local p i
    mkdir -p "$_se_mariadb_port_dir" 2>/dev/null && chmod 1777 "$_se_mariadb_port_dir" 2>/dev/null
    for i in $(seq 200); do
        p=$((20000 + RANDOM % 12000))
        if _se_mariadb_port_free "$p"; then
            echo "$SE_MARIADB_ROOT/$1" > "$_se_mariadb_port_dir/$p" 2>/dev/null
            echo "$p"; return 0
        fi
    done
    _se_mariadb_err "no free port found"; return 1
}

_se_mariadb_client() { # NAME ARGS... : the mariadb client as root over NAME's socket
    local sock; sock=$(mariadb_socket "$1") || return 1; shift
    mariadb --no-defaults --user=root --socket="$sock" --connect-timeout=5 "$@"
}
mariadb_sql() { # NAME SQL [DB]
    _se_mariadb_client "$1" --batch --skip-column-names -e "$2" ${3:+"$3"}
}

mariadb_url() { # NAME [DB]
    local port; port=$(mariadb_port "$1") || return 1
    echo "mysql://$SE_MARIADB_USER:$SE_MARIADB_PASSWORD@127.0.0.1:$port${2:+/$2}"
}
mariadb_socket_url() { # NAME DB
    local sock; sock=$(mariadb_socket "$1") || return 1
    echo "mysql://$SE_MARIADB_USER:$SE_MARIADB_PASSWORD@localhost/${2:-}?socket=$sock"
}

# A fresh datadir. mariadb-install-db takes well under a second here, about what copying a
# template datadir costs, so there is no template. The extra file creates the test user:
# FLUSH PRIVILEGES loads the grant tables, which bootstrap mode skips.
_se_mariadb_install() { # NAME
    local dir=$SE_MARIADB_ROOT/$1 u=$SE_MARIADB_USER pw=$SE_MARIADB_PASSWORD
    cat > "$dir/init.sql" <<EOF
FLUSH PRIVILEGES;
-- install-db also makes root@<hostname>, which --skip-name-resolve only warns about at every start.
DELETE FROM mysql.global_priv WHERE Host NOT IN ('localhost', '127.0.0.1', '::1');
DELETE FROM mysql.proxies_priv WHERE Host NOT IN ('localhost', '127.0.0.1', '::1');
FLUSH PRIVILEGES;
CREATE USER '$u'@'localhost' IDENTIFIED BY '$pw';
CREATE USER '$u'@'127.0.0.1' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON *.* TO '$u'@'localhost' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$u'@'127.0.0.1' WITH GRANT OPTION;
EOF
    local user=(); [ "$(id -u)" -eq 0 ] && user=(--user=root)
    if ! mariadb-install-db --no-defaults --auth-root-authentication-method=normal "${user[@]}" \
            --datadir="$dir/data" --skip-test-db --skip-name-resolve --extra-file="$dir/init.sql" \
            "${_se_mariadb_base_args[@]}" > "$dir/install.log" 2>&1; then
        _se_mariadb_err "$1: mariadb-install-db failed:"; cat "$dir/install.log" >&2; return 1
    fi
}

# Starts NAME's mariadbd from the arguments saved in its folder, plus ONCE_ARGS for this start
# only (Galera's --wsrep-new-cluster), and waits until it answers.
_se_mariadb_launch() { # NAME [ONCE_ARGS...]
    _se_mariadb_spawn "$@" && mariadb_wait "$1"
}
# The same without waiting (Galera starts its joiners side by side).
_se_mariadb_spawn() { # NAME [ONCE_ARGS...]
    local name=$1 dir=$SE_MARIADB_ROOT/$1 cmd; shift
    _se_mariadb_command "$name" || return 1
    cmd=("${_se_mariadb_cmd[@]}")
    rm -f "$(mariadb_socket "$name")" "$dir/pid"
    echo "$SE_MARIADB_OWNER" > "$dir/owner"
    # stdout/stderr go to a file: a caller's $(mariadb_start ...) must not wait for the server.
    # $! is mariadbd itself (bash execs a lone background command, env execs mariadbd).
    "${cmd[@]}" "$@" < /dev/null >> "$dir/stdout.log" 2>&1 &
    local pid=$! i
    echo "$pid" > "$dir/pid"
    disown "$pid"  # no "Killed" job notice from bash when a test SIGKILLs it
    # Until the child has exec'd env and mariadbd, /proc shows this shell's command line, and
    # mariadb_running would take a server still starting for one that exited (seen once in CI).
    for ((i = 0; i < 200; i++)); do
        _se_mariadb_is_ours "$pid" "$dir/data" && return 0
        [ -e "/proc/$pid" ] && ! _se_mariadb_is_zombie "$pid" || return 0  # gone: mariadb_wait says so
        sleep 0.05
    done
}

# The mariadbd command line of NAME, from the arguments saved in its folder, in _se_mariadb_cmd.
_se_mariadb_command() { # NAME
    local name=$1 dir=$SE_MARIADB_ROOT/$1 port sock args=() user=() envs=()
    port=$(mariadb_port "$name") && sock=$(mariadb_socket "$name") || return 1
    mapfile -t args < "$dir/args"
    [ -f "$dir/env" ] && mapfile -t envs < "$dir/env"  # VAR=VALUE lines (Galera's PATH)
    [ "$(id -u)" -eq 0 ] && user=(--user=root)
    mkdir -p "$dir/tmp"  # the server's temporary tables stay in its own folder, not a shared /tmp
    _se_mariadb_cmd=(env "${envs[@]}" mariadbd --no-defaults "${user[@]}" --datadir="$dir/data"
        --port="$port" --socket="$sock" --pid-file="$dir/mariadbd.pid" --log-error="$dir/error.log" --tmpdir="$dir/tmp"
        "${_se_mariadb_base_args[@]}" "${args[@]}")
}

# Waits until NAME answers on its socket; shows the end of its error log if it dies or times out.
mariadb_wait() { # NAME [TIMEOUT_SECONDS]
    local name=$1 timeout=${2:-$SE_MARIADB_START_TIMEOUT} sock deadline
    sock=$(mariadb_socket "$name") || return 1
    deadline=$((SECONDS + timeout))
    while :; do
        if ! mariadb_running "$name"; then
            _se_mariadb_err "$name: mariadbd exited during start-up; end of its error log:"
            tail -n 40 "$SE_MARIADB_ROOT/$name/error.log" >&2; return 1
        fi
        [ -S "$sock" ] && mariadb-admin --no-defaults --user=root --socket="$sock" \
            --connect-timeout=2 ping >/dev/null 2>&1 && return 0
        if [ $SECONDS -ge $deadline ]; then
            _se_mariadb_err "$name: no answer within ${timeout}s; end of its error log:"
            tail -n 40 "$SE_MARIADB_ROOT/$name/error.log" >&2; return 1
        fi
        sleep 0.1
    done
}

# Frees NAME for a new start: a server left running by a run that died (its owner is gone) is
# stopped; one that a live shell owns is not ours to take.
_se_mariadb_claim() { # NAME
    local dir=$SE_MARIADB_ROOT/$1 owner
    mariadb_running "$1" || return 0
    owner=$(cat "$dir/owner" 2>/dev/null)
    if [ "$owner" = "$SE_MARIADB_OWNER" ]; then
        _se_mariadb_err "$1 is already running (mariadb_restart restarts it)"; return 1
    elif [ -n "$owner" ] && [ "$owner" != cmd ] && kill -0 "$owner" 2>/dev/null; then
        _se_mariadb_err "$1 is in use by process $owner"; return 1
    fi
    mariadb_stop "$1"
}

# mariadb_start NAME [PORT] [-- MARIADBD_ARGS...]: a new server with an empty datadir.
mariadb_start() {
    local name=${1:?usage: mariadb_start NAME [PORT] [-- ARGS...]} port= fixed= tries
    shift
    if [ $# -gt 0 ] && [ "$1" != -- ]; then port=$1 fixed=1; shift; fi
    [ "${1:-}" = -- ] && shift
    _se_mariadb_prepare "$name" "$@" || return 1
    # A port picked here can be taken by someone else before mariadbd binds it: pick again then.
    for tries in 1 2 3; do
        [ -n "$port" ] || port=$(_se_mariadb_free_port "$name") || return 1
        echo "$port" > "$SE_MARIADB_ROOT/$name/port"; echo "$port" > "$SE_MARIADB_ROOT/$name/ports"
        _se_mariadb_launch "$name" && return 0
        [ -z "$fixed" ] || return 1
        grep -q 'Bind on TCP/IP port' "$SE_MARIADB_ROOT/$name/error.log" 2>/dev/null || return 1
        port=; : > "$SE_MARIADB_ROOT/$name/error.log"
    done
    return 1
}

# A new folder for NAME with an installed datadir and its mariadbd arguments; no port yet.
_se_mariadb_prepare() { # NAME [MARIADBD_ARGS...]
    _se_mariadb_new_dir "$@" && _se_mariadb_install "$1"
}
# The same without the datadir.
_se_mariadb_new_dir() { # NAME [MARIADBD_ARGS...]
    local name=$1 dir=$SE_MARIADB_ROOT/$1; shift
    case $name in ''|*/*|.*|*' '*) _se_mariadb_err "bad server name '$name'"; return 1 ;; esac
    _se_mariadb_claim "$name" || return 1
    rm -rf "$dir" && mkdir -p "$dir" || return 1
    echo "$SE_MARIADB_OWNER" > "$dir/owner"
    : > "$dir/args"; [ $# -eq 0 ] || printf '%s\n' "$@" > "$dir/args"
    _se_mariadb_socket_path "$name" > "$dir/socket"
}

# Starts NAME again on its existing data, port and options (after mariadb_kill or mariadb_stop).
mariadb_start_again() { # NAME [ONCE_ARGS...]
    local name=$1; shift
    [ -d "$SE_MARIADB_ROOT/$name/data" ] || { _se_mariadb_err "$name: no such server"; return 1; }
    if mariadb_running "$name"; then _se_mariadb_err "$name is already running"; return 1; fi
    _se_mariadb_launch "$name" "$@"
}

mariadb_restart() { # NAME
    if mariadb_running "$1"; then mariadb_stop "$1" || return 1; fi
    mariadb_start_again "$1"
}

# Clean shutdown over the socket; SIGKILL if the server is still there after the timeout.
mariadb_stop() { # NAME
    local name=$1 pid sock wait=$SE_MARIADB_STOP_TIMEOUT deadline
    pid=$(mariadb_pid "$name") || { _se_mariadb_cleanup_children "$name"; return 0; }
    sock=$(mariadb_socket "$name")
    # --shutdown-timeout=0: don't let mariadb-admin poll the pid file once a second, poll here.
    # It then always "fails"; only a refused connection means the request did not get through:
    # the server is still starting (a Galera joiner waiting for its state transfer ignores
    # SIGTERM), so it gets SIGTERM and, soon after, SIGKILL.
    if ! timeout 10 mariadb-admin --no-defaults --user=root --socket="$sock" --connect-timeout=2 \
            --shutdown-timeout=0 shutdown 2>&1 | grep -q 'Aborted waiting on pid file'; then
        kill -TERM "$pid" 2>/dev/null
        [ "$wait" -le 5 ] || wait=5
    fi
    deadline=$((SECONDS + wait))
    while _se_mariadb_is_ours "$pid" "$SE_MARIADB_ROOT/$name/data"; do
        if [ $SECONDS -ge $deadline ]; then
            _se_mariadb_err "$name: still running ${wait}s after the shutdown request, killing it"
            kill -KILL "$pid" 2>/dev/null; deadline=$((SECONDS + 3600))
        fi
        sleep 0.1
    done
    _se_mariadb_cleanup_children "$name"
}

# SIGKILL: a crash, the way a power cut or the OOM killer would end the server.
mariadb_kill() { # NAME
    local pid
    pid=$(mariadb_pid "$1") || { _se_mariadb_err "$1 is not running"; return 1; }
    kill -KILL "$pid"
    while _se_mariadb_is_ours "$pid" "$SE_MARIADB_ROOT/$1/data"; do sleep 0.05; done
    _se_mariadb_cleanup_children "$1"
}

# Helpers a server left behind (Galera's SST script and its rsync daemon) when it was killed:
# any process whose command line names this server's datadir.
_se_mariadb_cleanup_children() { # NAME
    local p
    for p in $(_se_mariadb_pids_using "$SE_MARIADB_ROOT/$1/data"); do kill -KILL "$p" 2>/dev/null; done
    return 0
}
_se_mariadb_pids_using() { # DATADIR: pids other than this shell whose command line contains it
    local f p args
    for f in /proc/[0-9]*/cmdline; do
        p=${f#/proc/}; p=${p%/cmdline}
        [ "$p" = $$ ] || [ "$p" = "$BASHPID" ] && continue
        mapfile -d '' -t args 2>/dev/null < "$f" || continue
        [[ "${args[*]}" == *"$1"* ]] && echo "$p"
    done
    return 0
}

# Live processes (pid and command) that use a server folder under $SE_MARIADB_ROOT, or only the
# folders whose name starts with PREFIX: after mariadb_stop_all there should be none.
mariadb_leftovers() { # [PREFIX]
    local p
    for p in $(_se_mariadb_pids_using "$SE_MARIADB_ROOT/${1:-}"); do
        _se_mariadb_is_zombie "$p" && continue
        echo "$p $(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | cut -c1-200)"
    done
}
_se_mariadb_is_zombie() { # PID (a gone process counts as one)
    local stat
    read -r stat 2>/dev/null < "/proc/$1/stat" || return 0
    stat=${stat##*) }; [ "${stat%% *}" = Z ]
}

# Stops the servers this shell started (for an EXIT trap), or with "all" every server under
# $SE_MARIADB_ROOT. Keeps the exit status of the trap's caller.
mariadb_stop_all() { # [all]
    local rc=$? d name names=()
    for d in "$SE_MARIADB_ROOT"/*/; do
        [ -f "$d/owner" ] || continue
        name=$(basename "$d")
        if [ "${1:-}" = all ] || [ "$(cat "$d/owner")" = "$SE_MARIADB_OWNER" ]; then
            names=("$name" "${names[@]}")
        fi
    done
    # In reverse order: a Galera cluster's bootstrap node NAME-1 stops last.
    for name in "${names[@]}"; do mariadb_stop "$name"; done
    return $rc
}

# Run as a command: servers started this way belong to nobody's EXIT trap (owner "cmd").
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -u
    SE_MARIADB_OWNER=cmd
    cmd=${1:-}; shift || true
    case $cmd in
        start) mariadb_start "$@" && mariadb_url "$1" ;;
        stop) mariadb_stop "$@" ;;
        kill) mariadb_kill "$@" ;;
        restart) mariadb_restart "$@" ;;
        url) mariadb_url "$@" ;;
        socket-url) mariadb_socket_url "$@" ;;
        sql) mariadb_sql "$@" ;;
        stop-all) mariadb_stop_all all ;;
        *) sed -n '2,4p' "$0" >&2; exit 2 ;;
    esac
fi
