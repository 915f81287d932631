#!/bin/sh
# A short flash-sale run (tools/flashsale: 3 s per way, 100 shoppers, a
# limited SKU of 20 units) and checks of what it reports: the report files,
# PNG files that decode (chunk CRCs, zlib stream, size), an HTML page that
# loads nothing from the network, and for the lease way: no oversold unit,
# one origin call per hot key (and per any key) per TTL window, every
# abandoned hold back in stock. No timing is asserted. The tool starts and
# stops its own servers by PID. Run from the repository root; FLASHSALE
# names the binary (default build/flashsale), SURGE_SERVER the server.
# Prints "ok/FAIL name" lines, then "N passed, N failed"; exits 1 on failure.
set -u
BIN=${FLASHSALE:-build/flashsale}
SERVER=${SURGE_SERVER:-build/surge-server}
PY=/usr/bin/python3
TMP=$(mktemp -d /tmp/surge-flashsale-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

"$BIN" --duration 3 --shoppers 100 --stock 20 --sale-open-ms 200 --surge "$SERVER" \
    --out "$TMP/report" >"$TMP/out.txt" 2>&1
rc=$?
tail -n 8 "$TMP/out.txt"
"$PY" - "$TMP/report" "$rc" <<'PYEOF'
import json, os, struct, sys, zlib

out, rc = sys.argv[1], int(sys.argv[2])
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   " + name)
    else:
        failed += 1
        print("FAIL " + name + (": " + str(detail) if detail else ""))


def png_ok(path):
    """Signature, every chunk's CRC, IHDR size, IDAT inflating to h*(w+1)."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return "bad signature"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        crc, = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        if zlib.crc32(kind + body) != crc:
            return "bad CRC in " + kind.decode()
        if kind == b"IHDR":
            w, h = struct.unpack(">II", body[:8])
        if kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    if len(raw) != h * (w + 1):
        return "%d bytes for %dx%d" % (len(raw), w, h)
    return None


check("flashsale exits 0", rc == 0, rc)
for f in ("summary.json", "report.html", "flashsale.png", "origin-calls.png", "p99.png"):
    check("report file " + f, os.path.getsize(os.path.join(out, f)) > 0
          if os.path.exists(os.path.join(out, f)) else False)
for f in ("flashsale.png", "origin-calls.png", "p99.png"):
    p = os.path.join(out, f)
    err = png_ok(p) if os.path.exists(p) else "missing"
    check(f + " decodes", err is None, err)
html = open(os.path.join(out, "report.html")).read() if os.path.exists(
    os.path.join(out, "report.html")) else ""
check("report.html has inline SVG charts", html.count("<svg") == 2)
check("report.html loads nothing", "src=" not in html and "href=" not in html)
try:
    d = json.load(open(os.path.join(out, "summary.json")))
except Exception as e:
    d = {"ways": {}}
    check("summary.json parses", False, e)
ways = d["ways"]
check("three ways reported", sorted(ways) == ["redis-naive", "surge-lease", "surge-naive"],
      sorted(ways))
for name, w in sorted(ways.items()):
    check(name + ": shoppers were served", w["requests"] > 0 and w["origin"]["calls"] > 0)
    check(name + ": no errors", w["errors"] == 0, w["errors"])
    check(name + ": per-second series", len(w["per_second"]["origin_calls"]) == 3
          and len(w["per_second"]["p99_ms"]) == 3)
lease = ways.get("surge-lease")
if lease:
    inv, o = lease["inventory"], lease["origin"]
    check("lease: oversold == 0", inv["oversold"] == 0, inv)
    check("lease: sold within stock", 0 < inv["sold"] <= inv["stock"], inv)
    check("lease: hot keys called once per TTL window",
          o["hot_key_max_calls_per_ttl_window"] == 1, o)
    check("lease: every key called at most once per TTL window",
          o["max_calls_per_key_per_ttl_window"] == 1, o)
    check("lease: no hold left at the end", inv["held_at_end"] == 0, inv)
    check("lease: abandoned holds returned",
          inv["holds_returned"] == inv["abandoned"] + inv["confirm_after_hold_expired"]
          and inv["available_at_end"] + inv["sold"] == inv["stock"], inv)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PYEOF
