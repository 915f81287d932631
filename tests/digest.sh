#!/bin/sh
# DEBUG DIGEST and DEBUG DIGEST-VALUE against Debian's redis-server 7.0: the
# same data loaded into both must give the same hex strings, for every type
# and encoding, keys with deadlines and several dbs. Hash fields with their
# own TTL (Redis 7.4) are checked against a Python model of Redis 7.4's
# rule, since 7.0 has no HEXPIRE.
# Run from the repository root. SURGE_SERVER names the binary (default
# build/surge-server). Both servers are stopped by PID at exit.
# Prints "ok/FAIL name" lines, then "N passed, N failed"; exits 1 on failure.
set -u
BIN=${SURGE_SERVER:-build/surge-server}
TMP=$(mktemp -d /tmp/surge-digest-XXXXXX)
. "$(dirname "$0")/lib.sh"
ZERO=0000000000000000000000000000000000000000

# start NAME BINARY ARGS...: on a free loopback port; sets PORT.
start() {
    name=$1
    shift
    for _ in 1 2 3; do
        PORT=$(free_port)
        mkdir -p "$TMP/$name"
        run_proc "$@" --port "$PORT" --bind 127.0.0.1 --dir "$TMP/$name" \
            >"$TMP/$name.out" 2>&1 &
        PIDS="$PIDS $!"
        wait_ping "$PORT" && return 0
    done
    return 1
}

if ! start redis redis-server --save "" --appendonly no --enable-debug-command yes; then
    fail "start redis-server" "$(tail -3 "$TMP/redis.out")"
    summary
    exit 1
fi
RP=$PORT
if ! start surge "$BIN"; then
    fail "start surge-server" "$(tail -3 "$TMP/surge.out")"
    summary
    exit 1
fi
SP=$PORT

# both ARGS...: the same command to both servers (output dropped).
both() {
    redis-cli -p "$RP" "$@" >/dev/null
    redis-cli -p "$SP" "$@" >/dev/null
}

# same NAME ARGS...: both servers reply the same, non-empty text.
same() {
    name=$1
    shift
    r=$(redis-cli -p "$RP" "$@" 2>&1)
    s=$(redis-cli -p "$SP" "$@" 2>&1)
    if [ -n "$r" ] && [ "$r" = "$s" ]; then
        ok "$name"
    else
        fail "$name" "redis [$r] surge [$s]"
    fi
}

# --- empty servers ---
for p in $RP $SP; do
    d=$(redis-cli -p "$p" debug digest)
    [ "$d" = "$ZERO" ] || fail "empty digest on port $p" "$d"
done
same "empty server: DEBUG DIGEST is 40 zeros on both" debug digest
same "DIGEST-VALUE of a missing key is 40 zeros" debug digest-value nokey

# --- one data set, loaded into both by redis-cli ---
$PY - >"$TMP/load.txt" <<'PYEOF'
import random
rnd = random.Random(7)
out = []
def cmd(*a):
    out.append(" ".join('"%s"' % str(x).replace('"', '\\"') for x in a))
cmd("select", 0)
# strings: text, integers (int-encoded), not-quite integers, raw, empty
cmd("set", "s:text", "hello world")
cmd("set", "s:int", 12345)
cmd("set", "s:neg", -7)
cmd("set", "s:max", 9223372036854775807)
cmd("set", "s:lead0", "007")
cmd("set", "s:float", "3.14")
cmd("set", "s:empty", "")
cmd("set", "s:raw", "abc")
cmd("append", "s:raw", "def")
cmd("incr", "s:counter")
cmd("incrby", "s:counter", 41)
cmd("set", "s:long", "x" * 300)
# lists: small, with integers, and large
cmd("rpush", "l:small", "a", "b", "c", 1, 2, -3)
cmd("lpush", "l:small", "head")
cmd("rpush", "l:big", *["item:%d" % i for i in range(3000)])
# sets: intset, small strings, large strings, large integers, mixed
cmd("sadd", "set:ints", 5, 1, -3, 100000, 7)
cmd("sadd", "set:small", "x", "y", "z", "10")
cmd("sadd", "set:big", *["m:%d" % i for i in range(1200)])
cmd("sadd", "set:bigints", *[rnd.randint(-10**12, 10**12) for _ in range(900)])
cmd("sadd", "set:mixed", *([i for i in range(50)] + ["s%d" % i for i in range(50)]))
# sorted sets: fractional, negative, infinite, huge scores; small and large
cmd("zadd", "z:small", 1, "one", 0.1, "tenth", -2.5, "neg", "+inf", "top", "-inf", "bottom",
    1e300, "huge", 3.0000000000000004, "ulp", 0, "zero", 42, 12345)
cmd("zadd", "z:big", *[x for i in range(700) for x in (i / 7.0 - 30, "zm:%d" % i)])
cmd("zadd", "z:ints", *[x for i in range(200) for x in (i, i * 3)])
cmd("zadd", "z:long", 1.5, "a" * 100, 2.5, "b")
cmd("zincrby", "z:small", 0.2, "one")
# hashes: small, integers, large by count, large by value size
cmd("hset", "h:small", "f1", "v1", "f2", 2, "n", -1)
cmd("hset", "h:big", *[x for i in range(1000) for x in ("f%d" % i, "v%d" % i)])
cmd("hset", "h:wide", "a", "y" * 200, "b", "short")
cmd("hincrby", "h:small", "n", 10)
# deadlines
cmd("set", "t:str", "v", "ex", 10000)
cmd("rpush", "t:list", "a", "b")
cmd("expire", "t:list", 10000)
cmd("hset", "t:hash", "f", "v")
cmd("pexpire", "t:hash", 9000000)
cmd("zadd", "t:zset", 1, "a")
cmd("expire", "t:zset", 5000)
cmd("sadd", "t:set", 1, 2, 3)
cmd("expireat", "t:set", 4000000000)
# other dbs: the same key in two dbs, a db with one key
cmd("select", 1)
cmd("set", "s:text", "hello world")
cmd("rpush", "l:one", "x")
cmd("select", 5)
cmd("zadd", "z:db5", 2, "b", 1, "a")
cmd("select", 15)
cmd("hset", "h:db15", "k", "v")
print("\n".join(out))
PYEOF
redis-cli -p "$RP" <"$TMP/load.txt" >"$TMP/load-redis.out" 2>&1
redis-cli -p "$SP" <"$TMP/load.txt" >"$TMP/load-surge.out" 2>&1
if cmp -s "$TMP/load-redis.out" "$TMP/load-surge.out"; then
    ok "loading gives the same replies"
else
    fail "loading gives the same replies" "$(diff "$TMP/load-redis.out" "$TMP/load-surge.out" | head -5)"
fi

same "DEBUG DIGEST of the whole data set" debug digest
KEYS="s:text s:int s:neg s:max s:lead0 s:float s:empty s:raw s:counter s:long l:small l:big
set:ints set:small set:big set:bigints set:mixed z:small z:big z:ints z:long h:small h:big h:wide
t:str t:list t:hash t:zset t:set"
for k in $KEYS; do
    same "DIGEST-VALUE $k" debug digest-value "$k"
done
# shellcheck disable=SC2086
same "DIGEST-VALUE of many keys at once, with a missing one" debug digest-value $KEYS nokey
same "DIGEST-VALUE with no key: an empty array" --no-raw debug digest-value
same "DIGEST-VALUE in db 1" -n 1 debug digest-value s:text l:one
same "DIGEST-VALUE in db 5" -n 5 debug digest-value z:db5

# Small sorted sets rest packed a second after their last use: the digest
# must not depend on the form.
sleep 2
same "DEBUG DIGEST after packed sorted sets settle" debug digest
same "DIGEST-VALUE of small sorted sets after they settle" debug digest-value z:small z:long t:zset

# --- a write changes the digest, the same way on both servers ---
before=$(redis-cli -p "$SP" debug digest)
both rpush l:small tail
after=$(redis-cli -p "$SP" debug digest)
if [ "$before" != "$after" ]; then ok "a write changes the digest"; else fail "a write changes the digest"; fi
same "DEBUG DIGEST equal after RPUSH" debug digest
for w in "zadd z:small 7 one" "hset h:big f1 changed" "srem set:ints 5" "persist t:str" \
    "set s:int 12346" "lset l:big 0 first"; do
    # shellcheck disable=SC2086
    both $w
    same "DEBUG DIGEST equal after ${w%% *}" debug digest
done
before=$(redis-cli -p "$SP" debug digest)
both -n 5 move z:db5 6
after=$(redis-cli -p "$SP" debug digest)
if [ "$before" != "$after" ]; then ok "moving a key to another db changes the digest"; else
    fail "moving a key to another db changes the digest"; fi
same "DEBUG DIGEST equal after MOVE" debug digest

# --- hash fields with their own TTL (Redis 7.4): checked against a model ---
redis-cli -p "$SP" hset hf:ttl a 1 b 2 c 3 >/dev/null
redis-cli -p "$SP" hexpire hf:ttl 10000 fields 2 a c >/dev/null
want=$($PY - <<'PYEOF'
import hashlib
def sha(b): return hashlib.sha1(b).digest()
def xor(d, b): return bytes(x ^ y for x, y in zip(d, sha(b)))
def mix(d, b): return sha(xor(d, b))
d = mix(bytes(20), (4).to_bytes(4, "big"))
for f, v, ttl in ((b"a", b"1", True), (b"b", b"2", False), (b"c", b"3", True)):
    e = mix(mix(bytes(20), f), v)
    if ttl:
        e = xor(e, b"!!hexpire!!")
    d = bytes(x ^ y for x, y in zip(d, sha(e)))
print(d.hex())
PYEOF
)
got=$(redis-cli -p "$SP" debug digest-value hf:ttl)
if [ "$got" = "$want" ]; then ok "hash fields with a TTL (Redis 7.4 rule)"; else
    fail "hash fields with a TTL" "want $want got $got"; fi
redis-cli -p "$SP" hpersist hf:ttl fields 2 a c >/dev/null
redis-cli -p "$RP" hset hf:ttl a 1 b 2 c 3 >/dev/null
same "hash fields after HPERSIST digest as plain fields" debug digest-value hf:ttl
same "DEBUG DIGEST equal with that hash" debug digest

# --- back to empty ---
both flushall
same "DEBUG DIGEST after FLUSHALL" debug digest
d=$(redis-cli -p "$SP" debug digest)
if [ "$d" = "$ZERO" ]; then ok "FLUSHALL brings the digest back to 40 zeros"; else
    fail "FLUSHALL brings the digest back to 40 zeros" "$d"; fi

summary
