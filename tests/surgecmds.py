#!/usr/bin/python3
"""Surge's own commands for commerce back ends: CL.THROTTLE (redis-cell's
GCRA rate limiter) and INV.* (inventory holds), driven by Debian's
python3-redis over many real connections; their state survives a restart
(AOF) and shows on a replica. The last line is "N passed, M failed".
"""
import sys
import threading

import redis

from pyharness import Server, case, digest, info, main, wait_for


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
        try:
            throttle(c, "alist", 1, 1, 1)
            assert False
        except redis.ResponseError as e:
            assert str(e).startswith("WRONGTYPE")
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
        try:
            c.execute_command("INV.GET", "str")
            assert False
        except redis.ResponseError as e:
            assert str(e).startswith("WRONGTYPE")
        assert [int(x) for x in c.execute_command("INV.GET", "nosuch")] == [0, 0, 0]
    finally:
        s.cleanup()


@case
def state_survives_restart_and_reaches_replicas():
    p = Server(args=["--appendonly", "yes"])
    r = None
    try:
        p.start()
        r = Server(args=["--replicaof", "127.0.0.1", str(p.port)])
        r.start()
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
        if r is not None:
            r.cleanup()
        p.cleanup()


if __name__ == "__main__":
    sys.exit(main())
