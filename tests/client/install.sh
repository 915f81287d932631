#!/bin/sh
# make install into a temporary DESTDIR, then build a program against the
# installed header and libraries through pkg-config (shared and static)
# and run it. Run from the repository root; BUILD names the build dir.
# Prints "ok/FAIL name" lines, then "N passed, N failed".
set -u
BUILD=${BUILD:-build}
TMP=$(mktemp -d /tmp/surge-install-XXXXXX)
ROOT=$TMP/root
LIB=$ROOT/usr/local/lib
passed=0
failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); }
check() { name=$1; shift; if "$@" >"$TMP/out" 2>&1; then ok "$name"; else fail "$name" "$(head -c 400 "$TMP/out")"; fi; }

check install make --no-print-directory -s install PREFIX=/usr/local DESTDIR="$ROOT" BUILD="$BUILD"
check installed_files test -f "$ROOT/usr/local/include/surge.h" -a -f "$LIB/libsurge.a" \
    -a -f "$LIB/libsurge.so.0.1.0" -a -L "$LIB/libsurge.so.0" -a -L "$LIB/libsurge.so" \
    -a -f "$LIB/pkgconfig/surge.pc"
check pc_prefix grep -qx 'prefix=/usr/local' "$LIB/pkgconfig/surge.pc"

cat > "$TMP/prog.c" <<'PROG'
#include <stdio.h>
#include <string.h>
#include <surge.h>

int main(void)
{
    struct surge_options o;
    struct surge *s;
    struct surge_field f[] = {{"sku", "42"}};
    char key[64];
    surge_options_init(&o);
    if (surge_new(&o, &s) != 0 || surge_template_expand("product:{sku}", f, 1, key, sizeof(key)) < 0) {
        return 1;
    }
    surge_free(&s);
    printf("%s %s\n", key, surge_source_name(SURGE_SRC_WAITED));
    return 0;
}
PROG
export PKG_CONFIG_PATH="$LIB/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$ROOT"
flags=$(pkg-config --cflags --libs surge 2>"$TMP/pcerr")
check pkg_config test -n "$flags"
check build_shared cc -o "$TMP/prog" "$TMP/prog.c" $flags
check run_shared sh -c "LD_LIBRARY_PATH='$LIB' '$TMP/prog' | grep -qx 'product:42 waited'"
check uses_soname sh -c "readelf -d '$TMP/prog' | grep -q 'libsurge.so.0'"
sflags=$(pkg-config --cflags surge) slibs=$(pkg-config --static --libs surge)
check build_static cc -o "$TMP/prog-static" "$TMP/prog.c" $sflags "$LIB/libsurge.a" $slibs
check run_static sh -c "'$TMP/prog-static' | grep -qx 'product:42 waited'"
rm -rf "$TMP"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
