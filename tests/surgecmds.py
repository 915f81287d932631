#!/usr/bin/python3
"""Surge's own commands for commerce back ends: CACHE.* (leases,
stale-while-revalidate, tags, versions), CL.THROTTLE (redis-cell's GCRA
rate limiter) and INV.* (inventory holds), driven by Debian's
python3-redis over many real connections; their state survives a restart
(AOF) and shows on a replica. The last line is "N passed, M failed".
"""
import socket
import sys
import threading
import time

import redis

from pyharness import (Server, case, cget, digest, expect_error, info, main, primary_and_replica,
                       wait_for)


@case
def one_loader_per_miss_the_others_get_its_fill():
    s = Server()
    try:
        s.start()
        results = []
        lock = threading.Lock()
        start = threading.Barrier(200)

        def shopper():
            c = s.client()
            start.wait(timeout=30)
            r = cget(c, "product:42", "LEASE", 5000, "WAIT", 5000)
            if r[1] == "win":  # this one loads from the origin
                time.sleep(0.2)
                c.execute_command("CACHE.FILL", "product:42", r[2], "sneaker", "EX", 10)
            with lock:
                results.append(r)
        threads = [threading.Thread(target=shopper) for _ in range(200)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        statuses = [r[1] for r in results]
        assert len(results) == 200 and statuses.count("win") == 1, statuses.count("win")
        others = [r for r in results if r[1] != "win"]
        assert all(r[0] == b"sneaker" and r[1] == "hit" for r in others), others[:3]
        assert 0 < others[0][3] <= 10000
    finally:
        s.cleanup()


@case
def entries_stay_packed_whatever_the_value_size():
    s = Server()
    try:
        s.start()
        c = s.client()
        page = b"<div>" + b"x" * 4000 + b"</div>"  # far above hash-max-listpack-value
        c.execute_command("CACHE.SET", "fragment:home", page, "EX", 60, "TAG", "home")
        assert c.object("encoding", "fragment:home") == b"listpack"
        assert cget(c, "fragment:home")[:2] == (page, "hit")
        c.hset("fragment:home", "extra", b"y" * 100)  # a plain write converts it as usual
        assert c.object("encoding", "fragment:home") == b"hashtable"
        assert cget(c, "fragment:home")[:2] == (page, "hit")
    finally:
        s.cleanup()


@case
def fills_need_the_current_lease():
    s = Server()
    try:
        s.start()
        c = s.client()
        _, status, token, _ = cget(c, "k", "LEASE", 100)
        assert status == "win"
        assert cget(c, "k")[1] == "wait"  # no WAIT: told another loader is at work
        time.sleep(0.2)  # the lease ran out
        try:
            c.execute_command("CACHE.FILL", "k", token, "late")
            assert False
        except redis.ResponseError as e:
            assert str(e) == "LEASE the lease expired or another writer superseded it"
        assert c.exists("k") == 0
        _, status, token2, _ = cget(c, "k")
        assert status == "win" and token2 != token
        c.execute_command("CACHE.SET", "k", "newer", "EX", 60, "VERSION", 5)  # supersedes
        try:
            c.execute_command("CACHE.FILL", "k", token2, "slow-loader")
            assert False
        except redis.ResponseError as e:
            assert str(e).startswith("LEASE")
        try:
            c.execute_command("CACHE.SET", "k", "older", "VERSION", 4)
            assert False
        except redis.ResponseError as e:
            assert str(e) == "STALEVERSION version 4 is older than the stored 5"
        assert cget(c, "k")[:2] == (b"newer", "hit")
        for bad in (("CACHE.GET", "k", "LEASE", 0), ("CACHE.GET", "k", "FOO", 1),
                    ("CACHE.SET", "k", "v", "EX", 0), ("CACHE.SET", "k", "v", "TAG"),
                    ("CACHE.PURGE", "NOTTAG", "x")):
            try:
                c.execute_command(*bad)
                assert False, bad
            except redis.ResponseError:
                pass
        c.rpush("list", 1)
        expect_error(lambda: cget(c, "list"), "WRONGTYPE")
    finally:
        s.cleanup()


@case
def a_released_lease_passes_to_the_first_waiter():
    s = Server()
    try:
        s.start()
        a, b, c = s.client(), s.client(), s.client()
        _, status, token, _ = cget(a, "quote:7", "LEASE", 10000)
        assert status == "win"
        assert a.execute_command("CACHE.RELEASE", "quote:7", "not-the-token") == 0
        got = []
        t = threading.Thread(target=lambda: got.append(cget(b, "quote:7", "WAIT", 5000)))
        t.start()
        assert wait_for(lambda: c.info("clients")["blocked_clients"] == 1)
        assert a.execute_command("CACHE.RELEASE", "quote:7", token) == 1  # the origin failed
        t.join(timeout=10)
        assert got and got[0][1] == "win" and got[0][2] not in (None, token), got
        expect_error(lambda: a.execute_command("CACHE.FILL", "quote:7", token, "old"), "LEASE")
        assert b.execute_command("CACHE.FILL", "quote:7", got[0][2], "12.90", "EX", 5) == b"OK"
        assert cget(c, "quote:7")[:2] == (b"12.90", "hit")
        # nobody waiting: the next CACHE.GET wins at once
        _, _, token, _ = cget(a, "quote:8")
        assert a.execute_command("CACHE.RELEASE", "quote:8", token) == 1
        assert cget(c, "quote:8")[1] == "win"
        assert a.execute_command("CACHE.RELEASE", "quote:8", token) == 0
    finally:
        s.cleanup()


@case
def freshness_without_a_stale_window_is_the_key_deadline():
    s = Server()
    try:
        s.start()
        c = s.client()
        # No SWR: f stays empty and the key's own deadline ends freshness.
        c.execute_command("CACHE.SET", "quote:1", "12.50", "EX", 60)
        assert c.hget("quote:1", "f") == b""
        value, status, _, ttl = cget(c, "quote:1")
        assert (value, status) == (b"12.50", "hit") and 59000 <= ttl <= 60000
        c.pexpire("quote:1", 5000)  # moving the key's deadline moves freshness
        assert 4000 <= cget(c, "quote:1")[3] <= 5000
        c.persist("quote:1")
        _, status, _, ttl = cget(c, "quote:1")
        assert (status, ttl) == ("hit", -1)
        c.execute_command("CACHE.SET", "quote:2", "3.10")  # no TTL: fresh forever
        assert c.hget("quote:2", "f") == b"" and cget(c, "quote:2")[3] == -1
        # With SWR, f is its own deadline, before the key's.
        c.execute_command("CACHE.SET", "quote:3", "7.00", "EX", 10, "SWR", 5)
        f = int(c.hget("quote:3", "f"))
        assert 4000 <= c.pexpiretime("quote:3") - f <= 5000 + 50
        assert 9000 <= cget(c, "quote:3")[3] <= 10000
        # Soft purge still marks an empty-f entry stale at once.
        c.execute_command("CACHE.SET", "quote:4", "1.00", "EX", 60, "TAG", "fx")
        c.execute_command("CACHE.PURGE", "TAG", "fx", "SOFT")
        assert cget(c, "quote:4")[1] == "stale"
    finally:
        s.cleanup()


def resp_end(buf, i=0):
    """Where the RESP reply starting at buf[i] ends, or None if incomplete."""
    nl = buf.find(b"\r\n", i)
    if nl < 0:
        return None
    kind, head = buf[i:i + 1], buf[i + 1:nl]
    at = nl + 2
    if kind in b"$=!" and head != b"-1":
        return at + int(head) + 2 if len(buf) >= at + int(head) + 2 else None
    if kind in b"*~>%" and head != b"-1":
        for _ in range(int(head) * (2 if kind == b"%" else 1)):
            at = resp_end(buf, at)
            if at is None:
                return None
        return at
    return at


def raw_reply(sock, *args):
    """Send one command; the bytes of its whole reply (within 10 s)."""
    sock.sendall(b"*%d\r\n" % len(args) + b"".join(
        b"$%d\r\n%s\r\n" % (len(a), a) for a in (str(x).encode() for x in args)))
    sock.settimeout(10)
    out = b""
    while resp_end(out) is None:
        chunk = sock.recv(65536)
        assert chunk, "connection closed after %r" % out
        out += chunk
    return out


@case
def hit_replies_byte_for_byte_in_both_protocols():
    s = Server()
    try:
        s.start()
        c = s.client()
        c.execute_command("CACHE.SET", "price:9", "19.99")
        c.set("flag:new-checkout", "on")  # a plain string is a hit too
        c.hset("legacy:1", mapping={"f": "", "nsv": "0", "v": "old"})  # fields out of order
        # v before f, as entries in AOFs and replication streams of earlier builds
        c.hset("older:1", mapping={"v": "kept", "f": "", "ver": "-1", "tags": "", "nsv": "0"})
        with socket.create_connection(("127.0.0.1", s.port)) as sock:
            assert raw_reply(sock, "CACHE.GET", "price:9") == \
                b"*4\r\n$5\r\n19.99\r\n$3\r\nhit\r\n$-1\r\n:-1\r\n"
            assert raw_reply(sock, "CACHE.GET", "flag:new-checkout") == \
                b"*4\r\n$2\r\non\r\n$3\r\nhit\r\n$-1\r\n:-1\r\n"
            assert raw_reply(sock, "CACHE.GET", "legacy:1") == \
                b"*4\r\n$3\r\nold\r\n$3\r\nhit\r\n$-1\r\n:-1\r\n"
            assert raw_reply(sock, "CACHE.GET", "older:1") == \
                b"*4\r\n$4\r\nkept\r\n$3\r\nhit\r\n$-1\r\n:-1\r\n"
            assert raw_reply(sock, "HELLO", "3").startswith(b"%7\r\n")
            assert raw_reply(sock, "CACHE.GET", "price:9") == \
                b"*4\r\n$5\r\n19.99\r\n$3\r\nhit\r\n_\r\n:-1\r\n"
            c.pexpire("price:9", 86_400_000)
            r = raw_reply(sock, "CACHE.GET", "price:9")
            head = b"*4\r\n$5\r\n19.99\r\n$3\r\nhit\r\n_\r\n:"
            assert r.startswith(head) and r.endswith(b"\r\n"), r
            assert 86_300_000 <= int(r[len(head):-2]) <= 86_400_000, r
            c.execute_command("CACHE.NS.BUMP", "ns")  # namespaces in use: nsv is read too
            c.execute_command("CACHE.SET", "ns:9", "v9")
            assert raw_reply(sock, "CACHE.GET", "ns:9") == \
                b"*4\r\n$2\r\nv9\r\n$3\r\nhit\r\n_\r\n:-1\r\n"
            assert raw_reply(sock, "CACHE.GET", "legacy:1").startswith(b"*4\r\n$3\r\nold\r\n")
            assert raw_reply(sock, "CACHE.GET", "older:1").startswith(b"*4\r\n$4\r\nkept\r\n")
    finally:
        s.cleanup()


@case
def stale_while_revalidate_serves_all_and_leases_one():
    s = Server()
    try:
        s.start()
        c = s.client()
        c.execute_command("CACHE.SET", "price:7", "9.99", "PX", 200, "SWR", 5)
        assert cget(c, "price:7")[1] == "hit"
        time.sleep(0.3)
        results = [cget(s.client(), "price:7") for _ in range(20)]
        assert all(r[0] == b"9.99" and r[1] == "stale" for r in results)
        assert sum(1 for r in results if r[2]) == 1  # exactly one revalidates
        token = [r[2] for r in results if r[2]][0]
        c.execute_command("CACHE.FILL", "price:7", token, "8.99", "EX", 10, "SWR", 5)
        assert cget(c, "price:7")[:2] == (b"8.99", "hit")
        assert 14000 <= c.pttl("price:7") <= 15000  # fresh 10 s + stale window 5 s
    finally:
        s.cleanup()


@case
def purge_by_tag_hard_and_soft():
    s = Server()
    try:
        s.start()
        c = s.client()
        p = c.pipeline(transaction=False)
        for i in range(100000):
            p.execute_command("CACHE.SET", "item:%d" % i, "x", "EX", 600, "SWR", 60,
                              "TAG", "sale" if i % 2 else "regular", "all")
        p.execute()
        c.execute_command("CACHE.SET", "item:1", "re-tagged", "EX", 600, "TAG", "regular")
        t0 = time.time()
        assert c.execute_command("CACHE.PURGE", "TAG", "sale") == 49999
        purge_s = time.time() - t0
        assert c.exists("item:3") == 0 and c.exists("item:1") == 1
        assert c.exists("__surge_tag:sale") == 0
        assert c.execute_command("CACHE.PURGE", "TAG", "regular", "SOFT") == 50001
        v, status, token, _ = cget(c, "item:2")
        assert v == b"x" and status == "stale" and token
        assert c.execute_command("CACHE.PURGE", "TAG", "nosuchtag") == 0
        print("  purged 49999 of 100000 tagged keys in %.3f s" % purge_s)
    finally:
        s.cleanup()


@case
def namespace_bump_hides_older_entries_at_once():
    s = Server()
    try:
        s.start()
        c = s.client()
        assert c.execute_command("CACHE.NS.GET", "catalog") == 0
        for i in range(1000):
            c.execute_command("CACHE.SET", "catalog:item:%d" % i, "v1", "EX", 600)
        c.execute_command("CACHE.SET", "cart:1", "keep", "EX", 600)
        assert c.execute_command("CACHE.NS.BUMP", "catalog") == 1
        assert c.execute_command("CACHE.NS.GET", "catalog") == 1
        assert cget(c, "catalog:item:5")[1] == "win"  # a miss now
        assert c.exists("catalog:item:5") == 0        # and reclaimed when met
        assert cget(c, "cart:1")[:2] == (b"keep", "hit")  # other namespaces untouched
        c.execute_command("CACHE.SET", "catalog:item:6", "v2", "EX", 600)
        assert cget(c, "catalog:item:6")[:2] == (b"v2", "hit")
    finally:
        s.cleanup()


@case
def cache_entries_survive_restart_and_reach_replicas():
    p, r = primary_and_replica(["--appendonly", "yes"])
    try:
        c = p.client()
        _, _, token, _ = cget(c, "a")
        c.execute_command("CACHE.FILL", "a", token, "1", "EX", 600, "TAG", "t1", "VERSION", 2)
        c.execute_command("CACHE.SET", "b", "2", "EX", 600, "SWR", 30, "TAG", "t1", "t2")
        c.execute_command("CACHE.PURGE", "TAG", "t2", "SOFT")
        c.execute_command("CACHE.SET", "ns:x", "old", "EX", 600)
        c.execute_command("CACHE.NS.BUMP", "ns")
        rc = r.client()
        assert wait_for(lambda: digest(rc) == digest(c), timeout=20)
        assert cget(rc, "a")[:2] == (b"1", "hit") and cget(rc, "b")[1] == "stale"
        assert cget(rc, "ns:x")[1] == "win" and rc.exists("ns:x") == 1  # hidden, not deleted
        before = digest(c)
        p.restart()
        c = p.client()
        assert digest(c) == before
        assert cget(c, "ns:x")[1] == "win"  # the namespace version came back with the AOF
        assert c.execute_command("CACHE.PURGE", "TAG", "t1") == 2
    finally:
        r.cleanup()
        p.cleanup()


def throttle(c, *args):
    return [int(x) for x in c.execute_command("CL.THROTTLE", *args)]


@case
def throttle_matches_redis_cell():
    s = Server()
    try:
        s.start()
        c = s.client()
        # redis-cell's README example on a fresh key.
        assert throttle(c, "user123", 15, 30, 60, 1) == [0, 16, 15, -1, 2]
        # A burst of max_burst + 1 passes at once, then the limit holds.
        replies = [throttle(c, "burst", 2, 1, 10) for _ in range(4)]
        assert [r[0] for r in replies] == [0, 0, 0, 1], replies
        assert [r[2] for r in replies] == [2, 1, 0, 0], replies
        assert replies[3][3] == 10 and replies[3][4] == 30, replies[3]
        assert 28000 <= c.pttl("burst") <= 30100  # the next allowed time, about 30 s ahead
        # Quantity 0 peeks; a quantity over the burst can never pass.
        assert throttle(c, "peek", 4, 10, 1, 0) == [0, 5, 5, -1, 0]
        assert throttle(c, "big", 2, 1, 1, 4)[0::3] == [1, -1]
        assert c.exists("peek", "big") == 0
        for bad, msg in (((1, 0, 10), "count per period must be greater than 0"),
                         ((1, 1, 0), "period must be greater than 0"),
                         ((-1, 1, 1), "max_burst must be 0 or more"),
                         (("x", 1, 1), "value is not an integer or out of range")):
            try:
                throttle(c, "k", *bad)
                assert False, bad
            except redis.ResponseError as e:
                assert str(e) == msg, (bad, str(e))
        c.rpush("alist", 1)
        expect_error(lambda: throttle(c, "alist", 1, 1, 1), "WRONGTYPE")
    finally:
        s.cleanup()


@case
def throttle_under_concurrency_allows_exactly_the_burst():
    s = Server()
    try:
        s.start()
        results = []
        lock = threading.Lock()

        def worker():
            c = s.client()
            for _ in range(10):
                r = throttle(c, "api:key", 49, 1, 3600)
                with lock:
                    results.append(r[0])
        threads = [threading.Thread(target=worker) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert len(results) == 200 and results.count(0) == 50, results.count(0)
    finally:
        s.cleanup()


@case
def reservations_never_oversell():
    s = Server()
    try:
        s.start()
        c = s.client()
        c.execute_command("INV.SET", "sku:limited", 100)
        ok = []
        soldout = []
        lock = threading.Lock()

        def shopper(n):
            w = s.client()
            for k in range(25):
                oid = "order-%d-%d" % (n, k)
                try:
                    w.execute_command("INV.RESERVE", "sku:limited", 1, oid, "HOLD", 60)
                    # A retry of the same request holds nothing more.
                    w.execute_command("INV.RESERVE", "sku:limited", 1, oid, "HOLD", 60)
                    with lock:
                        ok.append(oid)
                except redis.ResponseError as e:
                    with lock:
                        soldout.append(str(e))
        threads = [threading.Thread(target=shopper, args=(i,)) for i in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert len(ok) == 100, len(ok)
        assert len(soldout) == 900 and soldout[0] == "SOLDOUT only 0 left", soldout[:2]
        assert [int(x) for x in c.execute_command("INV.GET", "sku:limited")] == [0, 100, 0]
        for oid in ok[:60]:
            assert c.execute_command("INV.CONFIRM", "sku:limited", oid) == 1
        for oid in ok[60:70]:
            assert c.execute_command("INV.RELEASE", "sku:limited", oid) == 1
        assert c.execute_command("INV.RELEASE", "sku:limited", ok[60]) == 0
        try:
            c.execute_command("INV.CONFIRM", "sku:limited", ok[60])
            assert False
        except redis.ResponseError as e:
            assert str(e) == "NOHOLD no such hold (never made, released or expired)"
        assert [int(x) for x in c.execute_command("INV.GET", "sku:limited")] == [10, 30, 60]
        try:
            c.execute_command("INV.RESERVE", "sku:limited", 11, "greedy", "HOLD", 5)
            assert False
        except redis.ResponseError as e:
            assert str(e) == "SOLDOUT only 10 left"
    finally:
        s.cleanup()


@case
def unconfirmed_holds_come_back():
    s = Server()
    try:
        s.start()
        c = s.client()
        c.execute_command("INV.SET", "sku", 5)
        assert c.execute_command("INV.RESERVE", "sku", 3, "a", "HOLD", 1) == 2
        assert c.execute_command("INV.RESERVE", "sku", 2, "b", "HOLD", 30) == 0
        assert wait_for(lambda: int(c.execute_command("INV.GET", "sku")[0]) == 3, timeout=5)
        assert [int(x) for x in c.execute_command("INV.GET", "sku")] == [3, 2, 0]
        for bad, msg in ((("sku", 0, "x", "HOLD", 5), "quantity must be greater than 0"),
                         (("sku", 1, "x", "HOLD", 0), "invalid hold time"),
                         (("sku", 1, "x", "FOR", 5), "syntax error")):
            try:
                c.execute_command("INV.RESERVE", *bad)
                assert False, bad
            except redis.ResponseError as e:
                assert str(e) == msg, (bad, str(e))
        c.set("str", "x")
        expect_error(lambda: c.execute_command("INV.GET", "str"), "WRONGTYPE")
        assert [int(x) for x in c.execute_command("INV.GET", "nosuch")] == [0, 0, 0]
    finally:
        s.cleanup()


@case
def state_survives_restart_and_reaches_replicas():
    p, r = primary_and_replica(["--appendonly", "yes"])
    try:
        c = p.client()
        c.execute_command("INV.SET", "sku", 10)
        c.execute_command("INV.RESERVE", "sku", 4, "o1", "HOLD", 600)
        c.execute_command("INV.RESERVE", "sku", 1, "o2", "HOLD", 600)
        c.execute_command("INV.CONFIRM", "sku", "o2")
        throttle(c, "rate", 5, 1, 60)
        rc = r.client()
        assert wait_for(lambda: digest(rc) == digest(c) and
                        info(rc, "replication").get("master_link_status") == "up", timeout=20)
        assert [int(x) for x in rc.execute_command("INV.GET", "sku")] == [5, 4, 1]
        before = digest(c)
        p.restart()
        c = p.client()
        assert digest(c) == before
        assert [int(x) for x in c.execute_command("INV.GET", "sku")] == [5, 4, 1]
        assert throttle(c, "rate", 5, 1, 60)[2] == 4
    finally:
        r.cleanup()
        p.cleanup()


if __name__ == "__main__":
    sys.exit(main())
