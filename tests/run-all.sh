#!/bin/sh
# Run test binaries/scripts of one suite, echo their output, add up their
# "N passed, N failed" lines, and fail if any runner failed or printed none.
suite=$1; shift
total_p=0; total_f=0; bad=0
for t in "$@"; do
    out=$(mktemp)
    case "$t" in
        *.sh) sh "$t" >"$out" 2>&1 ;;
        *) "$t" >"$out" 2>&1 ;;
    esac
    rc=$?
    cat "$out"
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
    rm -f "$out"
    if [ -z "$line" ]; then
        echo "$suite: $t printed no summary (exit $rc)"; bad=1; continue
    fi
    p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
    f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
    total_p=$((total_p + p)); total_f=$((total_f + f))
    [ "$rc" -eq 0 ] || bad=1
done
echo "$suite: $total_p passed, $total_f failed"
# Keep a tally across suites for the closing line of `make test`.
[ -n "${TEST_TALLY:-}" ] && echo "$total_p $total_f $bad" >> "$TEST_TALLY"
[ "$bad" -eq 0 ] && [ "$total_f" -eq 0 ]
