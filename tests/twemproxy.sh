#!/bin/sh
# twemproxy (Debian's nutcracker) sharding across three Surge servers: plain
# commands, hashes, sorted sets, MGET and DEL split across shards, TTLs, keys
# spread over every shard, and a command nutcracker rejects comes back as an
# error rather than a hang.
# Run from the repository root. SURGE_SERVER names the binary (default
# build/surge-server); SURGE_REF=1 runs Debian's redis-server instead, with
# persistence off. Every process started here is stopped by its PID (and dies
# with this script even if it is killed, via setpriv --pdeathsig).
# Prints "ok/FAIL name" lines, then "N passed, N failed"; exits 1 on failure.
set -u
BIN=${SURGE_SERVER:-build/surge-server}
REF=0
if [ "${SURGE_REF:-0}" = 1 ]; then
    BIN=redis-server
    REF=1
fi
NC=$(command -v nutcracker || echo /usr/sbin/nutcracker)
TMP=$(mktemp -d /tmp/surge-twem-XXXXXX)
. "$(dirname "$0")/lib.sh"
NKEYS=300

finish() {
    summary
    exit
}

# start_server NAME: a server in its own temp dir on a free port; sets PORT.
start_server() {
    dir=$(mktemp -d "$TMP/$1-XXXXXX")
    for _ in 1 2 3; do
        PORT=$(free_port)
        if [ "$REF" = 1 ]; then
            run_proc "$BIN" --port "$PORT" --bind 127.0.0.1 --dir "$dir" \
                --save "" --appendonly no >"$TMP/$1.out" 2>&1 &
        else
            run_proc "$BIN" --port "$PORT" --bind 127.0.0.1 --dir "$dir" \
                --logfile "$dir/surge.log" >"$TMP/$1.out" 2>&1 &
        fi
        PIDS="$! $PIDS" # newest first: the proxy stops before its servers
        wait_ping "$PORT" && return 0
    done
    return 1
}

# start_proxy: nutcracker on a free port with a free stats port; sets PROXY
# and STATS.
start_proxy() {
    for _ in 1 2 3; do
        PROXY=$(free_port)
        STATS=$(free_port)
        cat >"$TMP/nutcracker.yml" <<EOF
surge:
  listen: 127.0.0.1:$PROXY
  redis: true
  hash: fnv1a_64
  distribution: ketama
  auto_eject_hosts: false
  timeout: 2000
  servers:
   - 127.0.0.1:$S1:1 s1
   - 127.0.0.1:$S2:1 s2
   - 127.0.0.1:$S3:1 s3
EOF
        run_proc "$NC" -c "$TMP/nutcracker.yml" -s "$STATS" -a 127.0.0.1 \
            -o "$TMP/nutcracker.log" >"$TMP/nutcracker.out" 2>&1 &
        PIDS="$! $PIDS"
        wait_ping "$PROXY" && return 0
    done
    return 1
}

# expect NAME WANT ARGS...: ARGS through the proxy print exactly WANT.
expect() {
    name=$1
    want=$2
    shift 2
    got=$(cli -p "$PROXY" "$@" 2>&1)
    if [ "$got" = "$want" ]; then
        ok "$name"
    else
        fail "$name" "want [$want] got [$got]"
    fi
}

if [ ! -x "$NC" ]; then
    fail "nutcracker installed" "run 'make deps'"
    finish
fi
for n in 1 2 3; do
    if ! start_server "s$n"; then
        fail "start server s$n" "$(tail -3 "$TMP/s$n.out")"
        finish
    fi
    eval "S$n=\$PORT"
done
ok "three servers started"
if ! start_proxy; then
    fail "start nutcracker" "$(tail -3 "$TMP/nutcracker.log" "$TMP/nutcracker.out" 2>&1)"
    finish
fi
ok "nutcracker started"

# --- the stats port answers with the pool and its three servers ---
stats=$($PY - "$STATS" <<'PYEOF' 2>&1
import json, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
buf = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    buf += chunk
pool = json.loads(buf)["surge"]
print(" ".join(sorted(k for k in pool if isinstance(pool[k], dict))))
PYEOF
)
if [ "$stats" = "s1 s2 s3" ]; then
    ok "stats port lists pool surge with s1 s2 s3"
else
    fail "stats port lists pool surge with s1 s2 s3" "$stats"
fi

# --- single-key commands through the proxy ---
expect "SET" "OK" set str hello
expect "GET" "hello" get str
expect "GET missing key" "" get nosuchkey
expect "INCR new key" "1" incr counter
expect "INCR again" "2" incr counter
expect "INCRBY" "12" incrby counter 10
expect "INCR on a string" "ERR value is not an integer or out of range" incr str
expect "HSET" "2" hset hash f1 v1 f2 v2
expect "HGET" "v2" hget hash f2
expect "HGETALL" "$(printf 'f1\nv1\nf2\nv2')" hgetall hash
expect "ZADD" "3" zadd zset 1 one 2.5 two 3 three
expect "ZRANGE WITHSCORES" "$(printf 'one\n1\ntwo\n2.5\nthree\n3')" zrange zset 0 -1 withscores
expect "HGET on a sorted set is WRONGTYPE" \
    "WRONGTYPE Operation against a key holding the wrong kind of value" hget zset one

# --- TTLs ---
expect "TTL without a deadline" "-1" ttl str
expect "EXPIRE" "1" expire str 100
t=$(cli -p "$PROXY" ttl str 2>&1)
if [ "$t" -ge 98 ] 2>/dev/null && [ "$t" -le 100 ]; then
    ok "TTL after EXPIRE 100"
else
    fail "TTL after EXPIRE 100" "$t"
fi
expect "TTL of a missing key" "-2" ttl nosuchkey
expect "EXPIRE of a missing key" "0" expire nosuchkey 100

# --- keys spread over all three shards ---
for p in $S1 $S2 $S3; do
    cli -p "$p" flushall >/dev/null 2>&1
done
i=0
while [ $i -lt $NKEYS ]; do
    echo "SET key:$i val:$i"
    i=$((i + 1))
done >"$TMP/set.txt"
n=$(cli -p "$PROXY" <"$TMP/set.txt" 2>&1 | grep -c '^OK$')
if [ "$n" = $NKEYS ]; then
    ok "SET $NKEYS keys through the proxy"
else
    fail "SET $NKEYS keys through the proxy" "$n OK replies"
fi
sizes=""
sum=0
empty=0
for p in $S1 $S2 $S3; do
    d=$(cli -p "$p" dbsize 2>&1)
    sizes="$sizes $d"
    if [ "$d" -gt 0 ] 2>/dev/null; then
        sum=$((sum + d))
    else
        empty=1
    fi
done
if [ "$empty" = 0 ]; then
    ok "every shard holds keys (DBSIZE$sizes)"
else
    fail "every shard holds keys" "DBSIZE$sizes"
fi
if [ "$sum" = $NKEYS ]; then
    ok "DBSIZE of the shards adds up to $NKEYS"
else
    fail "DBSIZE of the shards adds up to $NKEYS" "DBSIZE$sizes"
fi

# --- MGET and DEL, split by the proxy across shards ---
i=0
keys=""
while [ $i -lt $NKEYS ]; do
    keys="$keys key:$i"
    i=$((i + 1))
done
# shellcheck disable=SC2086
got=$(cli -p "$PROXY" mget $keys 2>&1)
want=$(i=0; while [ $i -lt $NKEYS ]; do echo "val:$i"; i=$((i + 1)); done)
if [ "$got" = "$want" ]; then
    ok "MGET of $NKEYS keys in order"
else
    fail "MGET of $NKEYS keys in order" "$(echo "$got" | head -3)..."
fi
expect "MGET with missing keys" "$(printf 'val:0\n\nval:1\n\nval:299')" \
    mget key:0 nokey:a key:1 nokey:b key:299
expect "DEL of several keys" "10" del key:0 key:1 key:2 key:3 key:4 key:5 key:6 key:7 \
    key:8 key:9 nokey:a nokey:b
expect "MGET after DEL" "$(printf '\n\n\nval:10')" mget key:0 key:5 key:9 key:10
sum=0
for p in $S1 $S2 $S3; do
    sum=$((sum + $(cli -p "$p" dbsize 2>/dev/null || echo 0)))
done
if [ "$sum" = $((NKEYS - 10)) ]; then
    ok "DEL removed the keys from the shards"
else
    fail "DEL removed the keys from the shards" "DBSIZE sum $sum"
fi

# --- a command nutcracker does not support: an error, not a hang ---
for c in "keys *" "config get maxmemory"; do
    # shellcheck disable=SC2086
    out=$(cli -p "$PROXY" $c 2>&1)
    rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && echo "$out" | grep -q '^Error'; then
        ok "rejected '$c' is an error"
    else
        fail "rejected '$c' is an error" "exit $rc: $out"
    fi
done
expect "proxy still serves after a rejected command" "val:10" get key:10

if grep -q 'bad rsp\|parsed bad' "$TMP/nutcracker.log" 2>/dev/null; then
    fail "nutcracker parsed every reply" "$(grep 'bad' "$TMP/nutcracker.log" | head -3)"
else
    ok "nutcracker parsed every reply"
fi
finish
