#!/usr/bin/python3
"""DIGEST against an independent XXH3: Debian's libxxhash, loaded with
ctypes, hashes the same bytes Surge stores, for every length 0..1200 (all
of XXH3's length classes and the first block boundary) and a few large
random values; SET IFDEQ / DELEX IFDEQ then accept the library's digest.
The last line is "N passed, M failed".
"""
import ctypes
import os
import random
import sys

from pyharness import Server, case, main


def oracle():
    lib = ctypes.CDLL("libxxhash.so.0")
    lib.XXH3_64bits.restype = ctypes.c_uint64
    lib.XXH3_64bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
    return lambda b: "%016x" % lib.XXH3_64bits(b, len(b))


@case
def digest_matches_libxxhash_for_every_length_to_1200():
    xxh3 = oracle()
    rng = random.Random(8400)
    s = Server()
    try:
        s.start()
        c = s.client()
        values = [bytes(rng.getrandbits(8) for _ in range(n)) for n in range(1201)]
        p = c.pipeline(transaction=False)
        for n, v in enumerate(values):
            p.set("v:%d" % n, v)
        p.execute()
        for n in range(1201):
            p.execute_command("DIGEST", "v:%d" % n)
        got = p.execute()
        bad = [n for n, v in enumerate(values) if got[n] != xxh3(v).encode()]
        assert not bad, ("lengths that differ", bad[:10], got[bad[0]], xxh3(values[bad[0]]))
    finally:
        s.cleanup()


@case
def digest_matches_libxxhash_for_large_values():
    xxh3 = oracle()
    s = Server()
    try:
        s.start()
        c = s.client()
        for n in (64 * 1024, 1024 * 1024, 1024 * 1024 + 63, 3 * 1024 * 1024 + 1):
            v = os.urandom(n)
            c.set("big", v)
            d = c.execute_command("DIGEST", "big")
            assert d == xxh3(v).encode(), (n, d, xxh3(v))
            assert c.execute_command("SET", "big", b"x", "IFDEQ", xxh3(v).upper()) is True
            assert c.get("big") == b"x"
    finally:
        s.cleanup()


@case
def integers_and_appended_values_hash_their_bytes():
    xxh3 = oracle()
    s = Server()
    try:
        s.start()
        c = s.client()
        c.set("n", 12345)  # stored as an integer
        assert c.execute_command("DIGEST", "n") == xxh3(b"12345").encode()
        c.incr("n")
        assert c.execute_command("DIGEST", "n") == xxh3(b"12346").encode()
        c.append("a", b"cart:")
        c.append("a", b"77")
        assert c.execute_command("DIGEST", "a") == xxh3(b"cart:77").encode()
        assert c.execute_command("DELEX", "a", "IFDEQ", xxh3(b"cart:77")) == 1
        assert c.exists("a") == 0
    finally:
        s.cleanup()


if __name__ == "__main__":
    sys.exit(main())
