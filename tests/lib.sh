# lib.sh - what the shell test runners share: "ok/FAIL" counting, a free
# loopback port, processes that die with the runner and are stopped by PID
# at exit, bounded redis-cli calls. Source it after setting TMP (a temp dir,
# removed at exit); start processes with "run_proc ... &" and add $! to PIDS
# (stopped in PIDS order).
PY=/usr/bin/python3
PIDS=""
passed=0
failed=0

ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); }

# The runner's last line, and its exit status.
summary() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

# A process that exists and is not a zombie.
alive() {
    st=$(ps -o stat= -p "$1" 2>/dev/null)
    [ -n "$st" ] && [ "${st#Z}" = "$st" ]
}

forget() {
    rest=""
    for p in $PIDS; do [ "$p" = "$1" ] || rest="$rest $p"; done
    PIDS=$rest
}

# reap PID: wait up to 5 s for it to exit (SIGKILL after), reap it, set ST
# to its exit status ("killed" if it had to be killed).
reap() {
    i=0
    while [ $i -lt 100 ] && alive "$1"; do
        sleep 0.05
        i=$((i + 1))
    done
    if alive "$1"; then
        kill -KILL "$1" 2>/dev/null
        wait "$1" 2>/dev/null
        ST=killed
    else
        wait "$1" 2>/dev/null
        ST=$?
    fi
    forget "$1"
}

cleanup() {
    for p in $PIDS; do
        kill -TERM "$p" 2>/dev/null
        reap "$p"
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

free_port() {
    $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# run_proc CMD ARGS...: become the process (so that $! of "run_proc ... &"
# is its PID), dying with this script even if it is killed.
run_proc() {
    if command -v setpriv >/dev/null 2>&1; then
        exec setpriv --pdeathsig KILL "$@"
    fi
    exec "$@"
}

# Every client call is bounded: a server that never answers is a failure.
cli() {
    timeout 5 redis-cli "$@"
}

# wait_ping PORT: up to 5 s for PING to be answered.
wait_ping() {
    i=0
    while [ $i -lt 100 ]; do
        [ "$(cli -p "$1" ping 2>/dev/null)" = PONG ] && return 0
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}
