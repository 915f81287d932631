#!/bin/sh
# surge-check-aof against hand-made AOF files and manifests, and against a
# real multi-part AOF directory written by Debian's redis-server.
# Run from the repository root. SURGE_CHECK_AOF names the binary (default
# build/surge-check-aof). The redis-server started here is stopped by its PID.
# Prints "ok/FAIL name" lines, then "N passed, N failed"; exits 1 on failure.
set -u
BIN=${SURGE_CHECK_AOF:-build/surge-check-aof}
case $BIN in
/*) ;;
*) BIN=$PWD/$BIN ;;
esac
TMP=$(mktemp -d /tmp/surge-checkaof-XXXXXX)
RPID=""
passed=0
failed=0

ok() { printf "ok   %s\n" "$1"; passed=$((passed + 1)); }
fail() { printf "FAIL %s\n" "$1${2:+: $2}"; failed=$((failed + 1)); }

cleanup() {
    if [ -n "$RPID" ]; then
        kill -KILL "$RPID" 2>/dev/null
        wait "$RPID" 2>/dev/null
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

size() { wc -c <"$1" | tr -d ' '; }

# check NAME WANT_RC GREP ARGS...: run the tool (stdin from /dev/null unless
# IN is set), expect exit status WANT_RC and output matching GREP (fixed).
check() {
    name=$1
    want=$2
    pat=$3
    shift 3
    "$BIN" "$@" <"${IN:-/dev/null}" >"$TMP/out" 2>&1
    rc=$?
    if [ "$rc" = "$want" ] && grep -qF -- "$pat" "$TMP/out"; then
        ok "$name"
    else
        fail "$name" "exit $rc (want $want), output: $(tr '\n' '|' <"$TMP/out")"
    fi
}

# Commands, as Redis writes them.
SELECT='*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n'
SETA='*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n'
SETB='*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$10\r\n0123456789\r\n'
MULTI='*1\r\n$5\r\nMULTI\r\n'
EXEC='*1\r\n$4\r\nEXEC\r\n'
D=$TMP/files
mkdir -p "$D"
printf "$SELECT$SETA$MULTI$SETB$EXEC" >"$D/valid.aof"
VALID=$(size "$D/valid.aof")
printf "$SELECT" >"$D/select.aof"
SEL=$(size "$D/select.aof")
printf "$SETA" >"$D/seta.aof"
SETA_LEN=$(size "$D/seta.aof")

# ---- single files --------------------------------------------------------
check "valid file" 0 "AOF $D/valid.aof is valid" "$D/valid.aof"
check "valid file: analyzed line" 0 "size=$VALID, ok_up_to=$VALID, ok_up_to_line=26, diff=0" \
    "$D/valid.aof"
: >"$D/empty.aof"
check "empty file" 0 "AOF $D/empty.aof is empty" "$D/empty.aof"

printf "$SELECT$SETA" | head -c $((SEL + 20)) >"$D/tail.aof"
TAIL=$(size "$D/tail.aof")
check "truncated tail" 1 "size=$TAIL, ok_up_to=$SEL, ok_up_to_line=6, diff=$((TAIL - SEL))" \
    "$D/tail.aof"
check "truncated tail: advice" 1 "AOF $D/tail.aof is not valid. Use the --fix option" \
    "$D/tail.aof"

printf "$SELECT"'*3\r\n$3\r\nSET\r\n$x\r\na\r\n$1\r\n1\r\n'"$SETB" >"$D/middle.aof"
check "corrupted middle: offset of the bad length" 1 "0x              24: Expected \\r\\n, got: 780d" \
    "$D/middle.aof"
check "corrupted middle: ok_up_to" 1 "ok_up_to=$SEL," "$D/middle.aof"

printf "$SELECT$MULTI$SETA" >"$D/multi.aof"
check "MULTI without EXEC" 1 "Reached EOF before reading EXEC for MULTI" "$D/multi.aof"
check "MULTI without EXEC: truncated at the MULTI" 1 "ok_up_to=$SEL," "$D/multi.aof"
printf "$SELECT$EXEC" >"$D/exec.aof"
check "EXEC without MULTI" 1 "Unexpected EXEC in AOF" "$D/exec.aof"
printf "$MULTI$MULTI$EXEC" >"$D/multi2.aof"
check "nested MULTI" 1 "Unexpected MULTI in AOF" "$D/multi2.aof"

printf "$SELECT"'*3\r\n$3\r\nSET\r\n$-5\r\na\r\n' >"$D/neg.aof"
check "negative bulk length" 1 "which is not in the suitable range" "$D/neg.aof"
printf '*1\r\n$9223372036854775807\r\nPING\r\n' >"$D/huge.aof"
check "huge bulk length" 1 "Expected to read 9223372036854775809 bytes, got 6 bytes" \
    "$D/huge.aof"
printf '*99999999999999999999\r\n' >"$D/overflow.aof"
check "multibulk length overflow" 1 "Invalid multibulk length" "$D/overflow.aof"
printf "$SELECT"'*0\r\n' >"$D/zero.aof"
check "empty command (the loader rejects it)" 1 "ok_up_to=$SEL," "$D/zero.aof"
printf "$SELECT"'*1\r\n$4\r\nPINGxx' >"$D/nocrlf.aof"
check "bulk without CRLF" 1 "Expected \\r\\n, got: 7878" "$D/nocrlf.aof"
printf "$SELECT"'#TS:1700000000\r\n'"$SETA" >"$D/annot.aof"
check "timestamp annotation" 0 "is valid" "$D/annot.aof"
printf 'hello world\n' >"$D/text.aof"
check "not RESP" 1 "AOF $D/text.aof format error" "$D/text.aof"
printf 'REDIS0010\372\011redis-ver' >"$D/rdb.aof"
check "RDB preamble rejected" 1 "RDB-preamble files are not supported" "$D/rdb.aof"
check "missing file" 1 "Cannot open file" "$D/nothere.aof"
check "usage" 1 "Usage:"
check "unknown option" 1 "Invalid argument: --bogus" --bogus "$D/valid.aof"

# Garbage of every kind must give a clean verdict, never a crash.
i=0
for n in 1 7 100 5000 300000; do
    head -c "$n" /dev/urandom >"$D/garbage$n.aof"
    (printf '*3\r\n$3\r\n'; head -c "$n" /dev/urandom) >"$D/garbagehdr$n.aof"
done
gbad=""
for f in "$D"/garbage*.aof; do
    "$BIN" "$f" >"$TMP/out" 2>&1 </dev/null
    rc=$?
    if [ "$rc" != 1 ] || ! grep -q "is not valid" "$TMP/out"; then
        gbad="$gbad $(basename "$f"):$rc"
    fi
done
[ -z "$gbad" ] && ok "random garbage: not valid, no crash" || fail "random garbage" "$gbad"

# Every prefix of a valid file: exit 0 exactly at command boundaries.
pbad=""
n=0
while [ $n -le "$VALID" ]; do
    head -c $n "$D/valid.aof" >"$D/prefix.aof"
    "$BIN" "$D/prefix.aof" >/dev/null 2>&1 </dev/null
    rc=$?
    case $n in
    0 | "$SEL" | $((SEL + SETA_LEN)) | "$VALID") want=0 ;;
    *) want=1 ;;
    esac
    [ "$rc" = "$want" ] || pbad="$pbad $n:$rc"
    n=$((n + 1))
done
[ -z "$pbad" ] && ok "every prefix of a valid file" || fail "every prefix" "$pbad"

# ---- --fix -----------------------------------------------------------------
cp "$D/tail.aof" "$D/keep.aof"
IN=$TMP/no
echo n >"$IN"
check "--fix answered n aborts" 1 "Aborting..." --fix "$D/keep.aof"
cmp -s "$D/tail.aof" "$D/keep.aof" && ok "--fix answered n leaves the file" ||
    fail "--fix answered n changed the file"
echo y >"$IN"
check "--fix answered y" 0 "Successfully truncated AOF $D/keep.aof" --fix "$D/keep.aof"
[ "$(size "$D/keep.aof")" = "$SEL" ] && ok "--fix y: truncated to the last command" ||
    fail "--fix y size" "$(size "$D/keep.aof")"
IN=""
check "--fix --yes prompt text" 0 \
    "This will shrink the AOF $D/multi.aof from $(size "$D/multi.aof") bytes, with" \
    --fix --yes "$D/multi.aof"
[ "$(size "$D/multi.aof")" = "$SEL" ] && ok "--fix --yes: cut at the open MULTI" ||
    fail "--fix --yes size" "$(size "$D/multi.aof")"
check "fixed file is valid" 0 "is valid" "$D/multi.aof"
if grep -q "Continue?" "$TMP/out"; then fail "--yes still asked"; else ok "--yes does not ask"; fi

# ---- manifests ---------------------------------------------------------------
M=$TMP/appendonlydir
mkdir -p "$M"
cp "$D/valid.aof" "$M/appendonly.aof.1.base.aof"
cp "$D/valid.aof" "$M/appendonly.aof.1.incr.aof"
cp "$D/tail.aof" "$M/appendonly.aof.2.incr.aof"
MAN=$M/appendonly.aof.manifest
{
    echo 'file appendonly.aof.1.base.aof seq 1 type b'
    echo 'file appendonly.aof.0.base.aof seq 1 type h'
    echo 'file appendonly.aof.1.incr.aof seq 1 type i'
    echo 'file "appendonly.aof.2.incr.aof" seq 2 type i'
} >"$MAN"
check "manifest: bad last file" 1 "AOF appendonly.aof.2.incr.aof is not valid. Use the --fix" \
    "$MAN"
check "manifest: earlier files valid" 1 "INCR AOF appendonly.aof.1.incr.aof is valid" "$MAN"
check "manifest: base checked" 1 "BASE AOF appendonly.aof.1.base.aof is valid" "$MAN"
check "manifest: quoted name resolved in the manifest's dir" 1 \
    "filename=appendonly.aof.2.incr.aof, size=$TAIL" "$MAN"
check "manifest: --fix --yes fixes the last file" 0 "All AOF files and manifest are valid" \
    --fix --yes "$MAN"
[ "$(size "$M/appendonly.aof.2.incr.aof")" = "$SEL" ] && ok "manifest: last file truncated" ||
    fail "manifest: last file size" "$(size "$M/appendonly.aof.2.incr.aof")"
check "manifest: valid after fix" 0 "All AOF files and manifest are valid" "$MAN"
(cd "$M" && "$BIN" appendonly.aof.manifest >"$TMP/out" 2>&1 </dev/null) &&
    ok "manifest: relative path" || fail "manifest: relative path" "$(cat "$TMP/out")"

cp "$D/middle.aof" "$M/appendonly.aof.1.incr.aof"
cp "$M/appendonly.aof.1.incr.aof" "$TMP/before"
check "manifest: bad non-last file cannot be fixed" 1 \
    "Failed to truncate AOF appendonly.aof.1.incr.aof because it is not the last file" \
    --fix --yes "$MAN"
cmp -s "$TMP/before" "$M/appendonly.aof.1.incr.aof" && ok "manifest: non-last file untouched" ||
    fail "manifest: non-last file changed"
check "manifest: bad non-last file without --fix" 1 "not the last file, so --fix cannot repair it" "$MAN"

printf 'file appendonly.aof.1.base.aof seq 1 type b\nfile nothere.aof seq 1 type i\n' >"$M/m1"
check "manifest: missing file" 1 "Cannot open file $M/nothere.aof" "$M/m1"
printf 'file a.aof seq 1 type b\nfile b.aof seq 1 type z\n' >"$M/m2"
check "manifest: unknown type" 1 "Unknown AOF file type" "$M/m2"
printf 'file a.aof seq 1\n' >"$M/m3"
check "manifest: missing field" 1 "Invalid AOF manifest file format" "$M/m3"
printf 'file ../a.aof seq 1 type b\n' >"$M/m4"
check "manifest: path rejected" 1 "File can't be a path, just a filename" "$M/m4"
printf 'file a.aof seq 1 type b\nfile b.aof seq 1 type b\n' >"$M/m5"
check "manifest: two bases" 1 "Found duplicate base file information" "$M/m5"
printf 'file a.aof seq 2 type i\nfile b.aof seq 1 type i\n' >"$M/m6"
check "manifest: sequence goes back" 1 "Found a non-monotonic sequence number" "$M/m6"
printf 'file "a.aof seq 1 type b\n' >"$M/m7"
check "manifest: unbalanced quotes" 1 "Invalid AOF manifest file format" "$M/m7"
printf 'file a.aof seq 1 type b' >"$M/m8"
check "manifest: last line without newline (as Redis)" 1 "contains too long line" "$M/m8"
printf '# comment\nfile "sp ace\\x41.aof" seq 1 type b\n' >"$M/m9"
printf "$SETA" >"$M/sp aceA.aof"
check "manifest: comment, escaped name" 0 "BASE AOF sp aceA.aof is valid" "$M/m9"

# ---- a real AOF directory from Debian's redis-server -------------------------
if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
    R=$TMP/redis
    mkdir -p "$R"
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    redis-server --port "$PORT" --bind 127.0.0.1 --appendonly yes --aof-use-rdb-preamble no \
        --save '' --dir "$R" --daemonize no --logfile "$R/log" &
    RPID=$!
    i=0
    while [ $i -lt 100 ] && [ "$(redis-cli -p "$PORT" ping 2>/dev/null)" != PONG ]; do
        sleep 0.05
        i=$((i + 1))
    done
    redis-cli -p "$PORT" set k1 v1 >/dev/null
    printf 'MULTI\nINCR n\nRPUSH l a b c\nEXEC\n' | redis-cli -p "$PORT" >/dev/null
    redis-cli -p "$PORT" bgrewriteaof >/dev/null
    i=0
    while [ $i -lt 100 ] && ! redis-cli -p "$PORT" info persistence |
        grep -q 'aof_rewrite_in_progress:0'; do
        sleep 0.05
        i=$((i + 1))
    done
    redis-cli -p "$PORT" hset h f v >/dev/null
    printf 'MULTI\nSET x 1\nEXPIRE x 100\nEXEC\n' | redis-cli -p "$PORT" >/dev/null
    kill -TERM "$RPID"
    wait "$RPID"
    RPID=""
    RM=$R/appendonlydir/appendonly.aof.manifest
    check "redis-server's AOF directory is valid" 0 "All AOF files and manifest are valid" "$RM"
    check "redis-server's base file checked" 0 "BASE AOF appendonly.aof." "$RM"
    check "redis-server's incr file checked" 0 "INCR AOF appendonly.aof." "$RM"
    if command -v redis-check-aof >/dev/null 2>&1; then
        last=$(sed -n 's/^file \([^ ]*\) .* type i$/\1/p' "$RM" | tail -n 1)
        cp "$R/appendonlydir/$last" "$TMP/whole"
        sz=$(size "$TMP/whole")
        head -c $((sz - 3)) "$TMP/whole" >"$R/appendonlydir/$last"
        redis-check-aof "$RM" >"$TMP/ref" 2>&1
        refrc=$?
        "$BIN" "$RM" >"$TMP/out" 2>&1 </dev/null
        rc=$?
        a=$(grep -o 'ok_up_to=[0-9]*' "$TMP/ref" | tail -n 1)
        b=$(grep -o 'ok_up_to=[0-9]*' "$TMP/out" | tail -n 1)
        if [ "$rc" = "$refrc" ] && [ -n "$a" ] && [ "$a" = "$b" ]; then
            ok "torn redis-server incr file: same verdict as redis-check-aof ($a)"
        else
            fail "torn redis-server incr file" "redis $refrc $a, ours $rc $b"
        fi
    fi
else
    fail "redis-server and redis-cli are needed"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
