#!/bin/sh
# Real clients against the real server: redis-cli, redis-benchmark,
# python3-redis, config files, command-line flags and signals.
# Run from the repository root. SURGE_SERVER names the binary (default
# build/surge-server); SURGE_REF=1 runs Debian's redis-server instead, with
# persistence off. Every server started here is stopped by its PID (and dies
# with this script even if it is killed, via setpriv --pdeathsig).
# Prints "ok/FAIL name" lines, then "N passed, N failed"; exits 1 on failure.
set -u
BIN=${SURGE_SERVER:-build/surge-server}
REF=0
if [ "${SURGE_REF:-0}" = 1 ]; then
    BIN=redis-server
    REF=1
fi
TMP=$(mktemp -d /tmp/surge-clients-XXXXXX)
. "$(dirname "$0")/lib.sh"

# run_server ARGS...: run_proc the server under test, with the empty RDB
# schedule both accept (Surge has no RDB); Redis gets its AOF turned off.
run_server() {
    set -- "$BIN" "$@" --save ""
    [ "$REF" = 1 ] && set -- "$@" --appendonly no
    run_proc "$@"
}

# launch NAME PORT ARGS...: start the server in the background, output to
# $TMP/NAME.out; sets PID. Returns 1 if it does not answer on PORT.
launch() {
    name=$1
    port=$2
    shift 2
    run_server "$@" >"$TMP/$name.out" 2>&1 &
    PID=$!
    PIDS="$PIDS $PID"
    wait_ping "$port"
}

# start NAME ARGS...: start on a free port with the usual flags, retrying
# on another port if it fails; sets PID and PORT.
start() {
    name=$1
    shift
    for _ in 1 2 3; do
        PORT=$(free_port)
        mkdir -p "$TMP/$name"
        if launch "$name" "$PORT" --port "$PORT" --bind 127.0.0.1 --dir "$TMP/$name" \
            --logfile "$TMP/$name/server.log" --daemonize no "$@"; then
            return 0
        fi
        kill -TERM "$PID" 2>/dev/null
        reap "$PID"
    done
    return 1
}

# --- redis-cli round trips and --pipe mass insert ---
test_redis_cli() {
    c="redis-cli -p $PORT"
    if [ "$($c set greeting "hello world")" = OK ] &&
        [ "$($c get greeting)" = "hello world" ] &&
        [ "$($c incr n)" = 1 ] && [ "$($c incrby n 41)" = 42 ] && [ "$($c get n)" = 42 ] &&
        [ "$($c get nokey)" = "" ] && [ "$($c exists greeting n nokey)" = 2 ]; then
        ok "redis-cli set/get/incr"
    else
        fail "redis-cli set/get/incr"
    fi
    $PY -c '
import sys
out = sys.stdout
for i in range(10000):
    k = "pipe:%d" % i
    out.write("*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%d\r\n" % (len(k), k, len(str(i)), i))
' >"$TMP/pipe.txt"
    res=$($c --pipe <"$TMP/pipe.txt" 2>&1 | tail -1)
    if echo "$res" | grep -q "errors: 0, replies: 10000" && [ "$($c dbsize)" = 10002 ] &&
        [ "$($c get pipe:9999)" = 9999 ]; then
        ok "redis-cli --pipe 10000 keys"
    else
        fail "redis-cli --pipe" "$res"
    fi
}

# --- redis-benchmark: no errors, a rate for each test ---
test_benchmark() {
    out="$TMP/bench.txt"
    if ! timeout 120 redis-benchmark -p "$PORT" -t ping,set,get,incr,mset -n 20000 -q \
        >"$out" 2>&1; then
        fail "redis-benchmark" "exit status $? $(tr '\r' '\n' <"$out" | tail -3)"
        return
    fi
    tr '\r' '\n' <"$out" >"$out.lines"
    missing=""
    for t in PING_INLINE PING_MBULK SET GET INCR "MSET (10 keys)"; do
        grep -q "^$t: [0-9][0-9.]* requests per second" "$out.lines" || missing="$missing [$t]"
    done
    if grep -qi "error\|warning" "$out.lines"; then
        fail "redis-benchmark" "$(grep -i "error\|warning" "$out.lines" | head -3)"
    elif [ -n "$missing" ]; then
        fail "redis-benchmark" "no rate for$missing"
    else
        ok "redis-benchmark ping,set,get,incr,mset"
    fi
}

# --- python3-redis: plain commands, a pipeline, SCAN iteration ---
test_python() {
    if $PY - "$PORT" >"$TMP/py.out" 2>&1 <<'PYEOF'
import sys, redis
r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), decode_responses=True)
r.flushall()
assert r.ping()
assert r.set("a", "1") and r.get("a") == "1"
assert r.incrby("a", 5) == 6
assert r.get("nokey") is None
assert r.set("a", "x", nx=True) is None
assert r.set("b", "v", ex=100) and r.ttl("b") == 100
assert r.mget("a", "nokey", "b") == ["6", None, "v"]
assert r.getex("a", px=100000) == "6" and 0 < r.pttl("a") <= 100000
assert r.incrbyfloat("f", 1.5) == 1.5
assert r.delete("a", "b", "nokey") == 2
p = r.pipeline(transaction=False)
for i in range(500):
    p.set("scan:%d" % i, i, ex=100)
for i in range(500):
    p.get("scan:%d" % i)
res = p.execute()
assert res[:500] == [True] * 500 and res[500:] == [str(i) for i in range(500)]
seen = list(r.scan_iter(match="scan:*", count=37))
assert len(seen) == 500 and set(seen) == {"scan:%d" % i for i in range(500)}, len(seen)
assert len(list(r.scan_iter(count=1000))) == 501
assert r.ttl("scan:1") == 100
assert r.dbsize() == 501
info = r.info()
assert info["tcp_port"] == int(sys.argv[1]) and "used_memory" in info
assert r.config_get("maxmemory") == {"maxmemory": "0"}
PYEOF
    then
        ok "python3-redis commands, pipeline, scan_iter"
    else
        fail "python3-redis" "$(tail -3 "$TMP/py.out")"
    fi
}

# --- python3-redis: a real subscriber and a real transaction ---
test_python_pubsub_multi() {
    if $PY - "$PORT" >"$TMP/py2.out" 2>&1 <<'PYEOF'
import sys, time, redis
r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), decode_responses=True)
p = r.pubsub()
p.subscribe("inval")
p.psubscribe("sku.*")
deadline = time.time() + 5
confirmed = 0
while confirmed < 2 and time.time() < deadline:
    m = p.get_message(timeout=0.1)
    if m and m["type"] in ("subscribe", "psubscribe"):
        confirmed += 1
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
    then
        ok "python3-redis pubsub and WATCH/MULTI"
    else
        fail "python3-redis pubsub and WATCH/MULTI" "$(tail -3 "$TMP/py2.out")"
    fi
}

# sigterm_exits_0 NAME: SIGTERM stops $PID with exit status 0.
sigterm_exits_0() {
    kill -TERM "$PID"
    reap "$PID"
    if [ "$ST" = 0 ]; then ok "$1"; else fail "$1" "exit $ST"; fi
}

# --- SHUTDOWN via redis-cli: exit status 0 ---
test_shutdown() {
    redis-cli -p "$PORT" shutdown >/dev/null 2>&1
    reap "$PID"
    if [ "$ST" = 0 ] && ! redis-cli -p "$PORT" ping >/dev/null 2>&1; then
        ok "SHUTDOWN via redis-cli exits 0"
    else
        fail "SHUTDOWN via redis-cli" "exit $ST"
    fi
}

if start cli; then
    test_redis_cli
    test_benchmark
    test_python
    test_python_pubsub_multi
    test_shutdown
else
    fail "start the server" "$(cat "$TMP/cli.out" "$TMP/cli/server.log" 2>/dev/null | tail -5)"
fi

# --- a config file: port and bind from the file ---
FPORT=$(free_port)
printf '# comment\n\nport %s\nbind 127.0.0.1\nloglevel verbose\ndatabases 4\nmaxmemory 10mb\n' \
    "$FPORT" >"$TMP/surge.conf"
mkdir -p "$TMP/conf"
if launch conf "$FPORT" "$TMP/surge.conf" --dir "$TMP/conf" --logfile "$TMP/conf/server.log" &&
    [ "$(redis-cli -p "$FPORT" config get port | tail -1)" = "$FPORT" ] &&
    [ "$(redis-cli -p "$FPORT" config get bind | tail -1)" = 127.0.0.1 ] &&
    [ "$(redis-cli -p "$FPORT" config get databases | tail -1)" = 4 ] &&
    [ "$(redis-cli -p "$FPORT" config get maxmemory | tail -1)" = 10485760 ] &&
    [ "$(redis-cli -p "$FPORT" config get loglevel | tail -1)" = verbose ]; then
    ok "config file: port, bind and settings from the file"
else
    fail "config file" "$(tail -5 "$TMP/conf.out" "$TMP/conf/server.log" 2>/dev/null)"
fi
sigterm_exits_0 "SIGTERM exits 0"

# --- the command line overrides the file; --pidfile ---
OPORT=$(free_port)
mkdir -p "$TMP/over"
if launch over "$OPORT" "$TMP/surge.conf" --port "$OPORT" --pidfile "$TMP/over/s.pid" \
    --dir "$TMP/over" --logfile "$TMP/over/server.log" &&
    [ "$(redis-cli -p "$OPORT" config get port | tail -1)" = "$OPORT" ] &&
    [ "$(redis-cli -p "$OPORT" config get databases | tail -1)" = 4 ] &&
    ! redis-cli -p "$FPORT" ping >/dev/null 2>&1; then
    ok "--port on the command line overrides the file"
else
    fail "--port override" "$(tail -5 "$TMP/over.out" "$TMP/over/server.log" 2>/dev/null)"
fi
if [ -f "$TMP/over/s.pid" ] && [ "$(tr -d ' \n' <"$TMP/over/s.pid")" = "$PID" ]; then
    ok "--pidfile writes the pid"
else
    fail "--pidfile" "want $PID, file has '$(cat "$TMP/over/s.pid" 2>/dev/null)'"
fi
sigterm_exits_0 "SIGTERM exits 0 (with a pidfile)"

# refused NAME PATTERN... -- ARGS...: the server started with ARGS exits
# non-zero, and its output matches every PATTERN.
refused() {
    name=$1
    shift
    pats=""
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        pats="$pats
$1"
        shift
    done
    [ $# -gt 0 ] && shift
    out="$TMP/refused.out"
    run_server "$@" >"$out" 2>&1 &
    PID=$!
    PIDS="$PIDS $PID"
    reap "$PID"
    why="exit $ST"
    [ "$ST" != 0 ] && [ "$ST" != killed ] && why=""
    while IFS= read -r p; do
        [ -z "$p" ] || grep -q -- "$p" "$out" || why="${why:+$why, }no \"$p\""
    done <<EOF_PATS
$pats
EOF_PATS
    if [ -z "$why" ]; then
        ok "$name"
    else
        fail "$name" "$why: $(cat "$out")"
    fi
}

# --- bad directives and values: non-zero exit, and the message names the line ---
BPORT=$(free_port)
printf 'port %s\nbind 127.0.0.1\nno-such-directive yes\n' "$BPORT" >"$TMP/bad.conf"
refused "unknown config directive: exit non-zero naming the line" "line 3" no-such-directive \
    "Bad directive or wrong number of arguments" -- "$TMP/bad.conf" --dir "$TMP"
printf 'port %s\nmaxmemory lots\n' "$BPORT" >"$TMP/badval.conf"
refused "bad config value: exit non-zero naming the line" "line 2" maxmemory -- \
    "$TMP/badval.conf" --dir "$TMP"
refused "bad --port value rejected" port -- --port notanumber --dir "$TMP"
# save: only the empty schedule (Surge writes no RDB)
if [ "$REF" != 1 ]; then
    refused "a save schedule is refused at start, saying why" "no RDB snapshots" -- \
        --port "$BPORT" --save 900 1 --dir "$TMP"
fi

summary
