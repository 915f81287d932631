#!/bin/sh
# Real clients against the real server: redis-cli, redis-benchmark,
# python3-redis, config files, command-line flags and signals.
# SURGE_SERVER names the binary; SURGE_REF=1 runs redis-server instead.
# Every server started here is stopped by its PID.
set -u
BIN=${SURGE_SERVER:-build/surge-server}
[ "${SURGE_REF:-0}" = 1 ] && BIN=redis-server

# run_server ARGS...: exec the server (so $! is its PID).
run_server() {
    if [ "$BIN" = redis-server ]; then
        exec redis-server "$@" --save "" --appendonly no
    fi
    exec "$BIN" "$@"
}
PY=/usr/bin/python3
TMP=$(mktemp -d /tmp/surge-clients-XXXXXX)
PIDS=""
passed=0
failed=0

cleanup() {
    for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); }

free_port() {
    $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start NAME ARGS...: start the server in the background; sets PID and PORT.
start() {
    name=$1; shift
    PORT=$(free_port)
    run_server --port "$PORT" --bind 127.0.0.1 --dir "$TMP" --daemonize no "$@" \
        >"$TMP/$name.out" 2>&1 &
    PID=$!
    PIDS="$PIDS $PID"
    i=0
    while [ $i -lt 100 ]; do
        redis-cli -p "$PORT" ping >/dev/null 2>&1 && return 0
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}

# wait_exit PID: wait up to 5 s for the process to exit; prints its status.
alive() {
    st=$(ps -o stat= -p "$1" 2>/dev/null)
    [ -n "$st" ] && [ "${st#Z}" = "$st" ]
}
# stop_status PID: wait up to 5 s for it to exit (SIGKILL after), then
# reap it in this shell; sets ST to its exit status ("timeout" if killed).
stop_status() {
    i=0
    while [ $i -lt 100 ] && alive "$1"; do
        sleep 0.05
        i=$((i + 1))
    done
    if alive "$1"; then
        kill -9 "$1" 2>/dev/null
        wait "$1" 2>/dev/null
        ST=timeout
        return
    fi
    wait "$1" 2>/dev/null
    ST=$?
}

# --- redis-cli round trips and --pipe mass insert ---
if start cli; then
    out=$(redis-cli -p "$PORT" set greeting hello)
    [ "$out" = OK ] && [ "$(redis-cli -p "$PORT" get greeting)" = hello ] &&
        [ "$(redis-cli -p "$PORT" incr n)" = 1 ] && ok "redis-cli set/get/incr" ||
        fail "redis-cli set/get/incr"
    $PY -c '
import sys
for i in range(10000):
    k = "pipe:%d" % i
    sys.stdout.write("*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nv\r\n" % (len(k), k))
' > "$TMP/pipe.txt"
    res=$(redis-cli -p "$PORT" --pipe < "$TMP/pipe.txt" 2>&1 | tail -1)
    [ "$(redis-cli -p "$PORT" dbsize)" = 10002 ] && echo "$res" | grep -q "errors: 0" &&
        ok "redis-cli --pipe 10000 keys" || fail "redis-cli --pipe" "$res"
    # --- redis-benchmark with no errors ---
    if timeout 120 redis-benchmark -p "$PORT" -t ping,set,get,incr,mset -n 20000 -q \
        >"$TMP/bench.txt" 2>&1 && ! grep -qi "error" "$TMP/bench.txt" &&
        [ "$(grep -c 'requests per second' "$TMP/bench.txt")" -ge 6 ]; then
        ok "redis-benchmark ping,set,get,incr,mset"
    else
        fail "redis-benchmark" "$(tr '\r' '\n' < "$TMP/bench.txt" | tail -3)"
    fi
    # --- python3-redis ---
    if $PY - "$PORT" <<'PYEOF'
import sys, redis
r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), decode_responses=True)
r.flushall()
assert r.set("a", "1") and r.get("a") == "1"
assert r.incrby("a", 5) == 6
p = r.pipeline(transaction=False)
for i in range(500):
    p.set("scan:%d" % i, i, ex=100)
p.execute()
assert len(set(r.scan_iter(match="scan:*", count=37))) == 500
assert r.ttl("scan:1") == 100
assert r.mget("a", "nokey") == ["6", None]
assert r.getex("a", px=100000) == "6" and 0 < r.pttl("a") <= 100000
r.hello = None
PYEOF
    then ok "python3-redis"; else fail "python3-redis"; fi
    # --- python3-redis: a real subscriber and a real transaction ---
    if $PY - "$PORT" <<'PYEOF'
import sys, time, redis
r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), decode_responses=True)
p = r.pubsub()
p.subscribe("inval")
p.psubscribe("sku.*")
deadline = time.time() + 5
while len([m for m in [p.get_message(timeout=0.1)] if m]) == 0 and time.time() < deadline:
    pass
assert r.publish("inval", "catalog:42") >= 1
assert r.publish("sku.7", "stock") >= 1
got = []
while len(got) < 2 and time.time() < deadline:
    m = p.get_message(timeout=0.2)
    if m and m["type"] in ("message", "pmessage"):
        got.append((m["channel"], m["data"]))
assert ("inval", "catalog:42") in got and ("sku.7", "stock") in got, got
p.close()
r.set("stock", 10)
with r.pipeline() as pipe:
    pipe.watch("stock")
    n = int(pipe.get("stock"))
    pipe.multi()
    pipe.set("stock", n - 1)
    assert pipe.execute() == [True]
assert r.get("stock") == "9"
PYEOF
    then ok "python3-redis pubsub and WATCH/MULTI"; else fail "python3-redis pubsub and WATCH/MULTI"; fi
    # --- SHUTDOWN via redis-cli ---
    redis-cli -p "$PORT" shutdown >/dev/null 2>&1
    stop_status "$PID"
    [ "$ST" = 0 ] && ok "SHUTDOWN stops the server" || fail "SHUTDOWN" "exit $ST"
else
    fail "start server" "$(cat "$TMP/cli.out")"
fi

# --- config file, command-line override, pidfile, SIGTERM ---
CPORT=$(free_port)
printf '# test config\nport %s\nbind 127.0.0.1\nloglevel verbose\ndatabases 4\n' "$CPORT" \
    > "$TMP/surge.conf"
OPORT=$(free_port)
run_server "$TMP/surge.conf" --port "$OPORT" --pidfile "$TMP/s.pid" --dir "$TMP" \
    >"$TMP/conf.out" 2>&1 &
CPID=$!
PIDS="$PIDS $CPID"
i=0
while [ $i -lt 100 ] && ! redis-cli -p "$OPORT" ping >/dev/null 2>&1; do sleep 0.05; i=$((i + 1)); done
if [ "$(redis-cli -p "$OPORT" config get databases | tail -1)" = 4 ] &&
    [ "$(redis-cli -p "$OPORT" config get loglevel | tail -1)" = verbose ]; then
    ok "config file read, --port overrides it"
else
    fail "config file" "$(cat "$TMP/conf.out")"
fi
[ -f "$TMP/s.pid" ] && [ "$(cat "$TMP/s.pid")" = "$CPID" ] && ok "--pidfile" || fail "--pidfile"
kill -TERM "$CPID"
stop_status "$CPID"
[ "$ST" = 0 ] && ok "SIGTERM exits 0" || fail "SIGTERM" "exit $ST"

# --- a bad directive names the line and exits non-zero ---
printf 'port 1234\nno-such-directive yes\n' > "$TMP/bad.conf"
timeout 10 $BIN "$TMP/bad.conf" >"$TMP/bad.out" 2>&1
st=$?
if [ "$st" -ne 0 ] && grep -q "line 2" "$TMP/bad.out" && grep -q "no-such-directive" "$TMP/bad.out" &&
    grep -q "Bad directive or wrong number of arguments" "$TMP/bad.out"; then
    ok "bad config directive rejected"
else
    fail "bad config directive" "exit $st: $(cat "$TMP/bad.out")"
fi
timeout 10 $BIN --port notanumber >"$TMP/badarg.out" 2>&1
st=$?
[ "$st" -ne 0 ] && grep -q "port" "$TMP/badarg.out" && ok "bad --port value rejected" ||
    fail "bad --port value" "exit $st"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
