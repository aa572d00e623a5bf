# Sourced by the runners (the test suites, the demo, the benchmark): the
# library they use and the way they start the bridge under php -S, each in
# one place. POSIX sh.
#
#   . php-bridge/env.sh && stream_events_env "$repo/php-bridge" NAME || exit 1

# stream_events_env BRIDGE_DIR NAME: exports STREAM_EVENTS_LIB as
# StreamEvents\LibraryPath resolves it (the variable if set, else this
# checkout's build), and STREAM_EVENTS_BRIDGE; fails, saying so as NAME, when
# the library is not there.
stream_events_env() {
    STREAM_EVENTS_BRIDGE=$1
    STREAM_EVENTS_LIB=$(php -r 'require $argv[1]; echo StreamEvents\LibraryPath::resolve();' "$1/autoload.php") || return 1
    export STREAM_EVENTS_BRIDGE STREAM_EVENTS_LIB
    if [ ! -f "$STREAM_EVENTS_LIB" ]; then
        echo "$2: $STREAM_EVENTS_LIB not found (run make build, or set STREAM_EVENTS_LIB)" >&2
        return 1
    fi
}

# stream_events_serve [--preload] [--docroot DIR] [--log FILE] ROUTER: starts
# the bridge under php -S in the background (tests/serve.php), with this
# shell's environment; sets server_pid, and server_url once it answers
# (empty, and a non-zero status, when it did not come up). Stop it with
# kill "$server_pid".
stream_events_serve() {
    _se_fifo=$(mktemp -u "${TMPDIR:-/tmp}/stream-events-serve.XXXXXX") && mkfifo "$_se_fifo" || return 1
    php "$STREAM_EVENTS_BRIDGE/tests/serve.php" "$@" > "$_se_fifo" &
    server_pid=$!
    IFS= read -r server_url < "$_se_fifo" || server_url=
    rm -f "$_se_fifo"
    [ -n "$server_url" ]
}
