#!/usr/bin/python3
"""maxmemory with Redis's eight policies: the real server, python3-redis.
The last line is "N passed, M failed".
"""
import os
import sys
import time

from pyharness import Server, case, expect_error, info, main, primary_and_replica, wait_for

VALUE = "v" * 1000


def used(c):
    return info(c, "memory")["used_memory"]


def limit_to(c, extra, policy):
    """maxmemory = what is used now + extra bytes."""
    c.config_set("maxmemory-policy", policy)
    c.config_set("maxmemory", used(c) + extra)
    return int(c.config_get("maxmemory")["maxmemory"])


def fill(c, prefix, n, ex=None):
    p = c.pipeline(transaction=False)
    for i in range(n):
        p.set("%s:%d" % (prefix, i), VALUE, ex=ex)
    return p.execute(raise_on_error=False)


@case
def noeviction_refuses_writes_with_redis_error():
    s = Server()
    try:
        s.start()
        c = s.client()
        limit_to(c, 300 * 1024, "noeviction")
        errors = [r for r in fill(c, "k", 2000) if isinstance(r, Exception)]
        assert errors and str(errors[0]) == \
            "OOM command not allowed when used memory > 'maxmemory'.", errors[:1]
        assert c.get("k:0") is not None  # reads work
        assert c.delete("k:0") == 1      # so do commands that free memory
        assert info(c, "stats")["evicted_keys"] == 0
        assert info(c, "memory")["maxmemory_policy"] == "noeviction"
    finally:
        s.cleanup()


@case
def allkeys_policies_evict_and_stay_under_the_limit():
    for policy in ("allkeys-lru", "allkeys-lfu", "allkeys-random"):
        s = Server()
        try:
            s.start()
            c = s.client()
            maxmem = limit_to(c, 2 * 1024 * 1024, policy)
            results = fill(c, "k", 20000)
            assert not [r for r in results if isinstance(r, Exception)], policy
            assert info(c, "stats")["evicted_keys"] > 0
            assert c.dbsize() < 20000
            assert used(c) <= maxmem * 1.1, (policy, used(c), maxmem)
        finally:
            s.cleanup()


@case
def rss_stays_within_a_tenth_above_maxmemory():
    if os.environ.get("ASAN_OPTIONS"):  # sanitizer builds map shadow memory: RSS says nothing
        return
    s = Server(args=["--maxmemory", "150mb", "--maxmemory-policy", "allkeys-lru"])
    try:
        s.start()
        c = s.client()
        p = c.pipeline(transaction=False)
        for i in range(700000):  # a third more than fits
            p.set("page:%d" % i, b"v" * 200)
            if i % 5000 == 4999:
                p.execute()
        p.execute()
        m = info(c, "memory")
        assert int(info(c, "stats")["evicted_keys"]) > 0
        assert m["used_memory"] <= m["maxmemory"] * 1.01, m
        print("  rss/maxmemory %.3f" % (m["used_memory_rss"] / m["maxmemory"]))
        assert m["used_memory_rss"] <= m["maxmemory"] * 1.10, m
    finally:
        s.cleanup()


@case
def lru_keeps_the_keys_in_use():
    # The LRU clock ticks in seconds (as Redis's): the cold keys are written
    # over several seconds while the hot ones are read every second.
    s = Server()
    try:
        s.start()
        c = s.client()
        fill(c, "hot", 100)
        limit_to(c, 700 * 1024, "allkeys-lru")
        c.config_set("maxmemory-samples", 10)
        for round_ in range(5):
            p = c.pipeline(transaction=False)
            for i in range(100):
                p.get("hot:%d" % i)
            p.execute()
            fill(c, "cold%d" % round_, 300)
            time.sleep(1.05)
        assert info(c, "stats")["evicted_keys"] > 0
        kept = sum(c.exists("hot:%d" % i) for i in range(100))
        assert kept >= 90, kept
    finally:
        s.cleanup()


def read_times(c, keys, times):
    """GET each of keys[i] times[i] times (lfu-log-factor 0: each read counts)."""
    p = c.pipeline(transaction=False)
    for k, n in zip(keys, times):
        for _ in range(n):
            p.get(k)
    p.execute()


def evict_down_to(c, maxmem):
    c.config_set("maxmemory", maxmem)
    c.set("trigger", "x")  # a write evicts first; the timer finishes the job
    # INFO's own reply is part of the used_memory it reports: a few KB.
    assert wait_for(lambda: used(c) <= maxmem + 16 * 1024, timeout=20), (used(c), maxmem)


@case
def eviction_picks_victims_across_dbs():
    # db 0's keys were read 20 times, db 1's never: the victims come from
    # db 1, whichever db the sampling starts from.
    s = Server()
    try:
        s.start()
        c0, c1 = s.client(db=0), s.client(db=1)
        c0.config_set("maxmemory-policy", "allkeys-lfu")
        c0.config_set("lfu-log-factor", 0)
        fill(c0, "hot", 500)
        fill(c1, "cold", 500)
        maxmem = used(c0) - 250 * len(VALUE)  # before the reads' reply buffers
        read_times(c0, ["hot:%d" % i for i in range(500)], [20] * 500)
        evict_down_to(c0, maxmem)
        hot = sum(c0.exists("hot:%d" % i) for i in range(500))
        cold = sum(c1.exists("cold:%d" % i) for i in range(500))
        assert hot >= 490 and cold < 300, (hot, cold)
    finally:
        s.cleanup()


@case
def eviction_pool_keeps_the_most_used():
    # 2000 keys read 0..49 times (key i: i % 50), more than half of them
    # evicted with 3 samples per victim. Keeping the best candidates across
    # samplings in a pool evicts 205..225 keys of the more used half (in 6
    # runs); the best of each 3 samples alone evicted 284..307.
    s = Server()
    try:
        s.start()
        c = s.client()
        c.config_set("maxmemory-policy", "allkeys-lfu")
        c.config_set("lfu-log-factor", 0)
        c.config_set("maxmemory-samples", 3)
        n = 2000
        fill(c, "k", n)
        maxmem = used(c) - n // 2 * (len(VALUE) + 100)
        read_times(c, ["k:%d" % i for i in range(n)], [i % 50 for i in range(n)])
        evict_down_to(c, maxmem)
        kept = [i for i in range(n) if c.exists("k:%d" % i)]
        lost_used = n // 2 - sum(1 for i in kept if i % 50 >= 25)
        assert len(kept) < n * 0.6 and lost_used < 255, (len(kept), lost_used)
    finally:
        s.cleanup()


@case
def pooled_keys_deleted_replaced_flushed_and_swapped():
    # Candidates wait in the pool while their keys are deleted, rewritten,
    # flushed and moved by SWAPDB: eviction must check them, not read them.
    s = Server()
    try:
        s.start()
        c = s.client()
        maxmem = limit_to(c, 1024 * 1024, "allkeys-lru")
        for round_ in range(6):
            p = c.pipeline(transaction=False)
            for i in range(3000):
                p.set("k:%d" % (i % 1500), VALUE)
                if i % 3 == 0:
                    p.delete("k:%d" % ((i * 7) % 1500))
                if i % 5 == 0:
                    p.append("k:%d" % ((i * 11) % 1500), "x")  # a new, larger entry
            p.swapdb(0, 1)
            if round_ % 3 == 2:
                p.flushdb()
            p.execute(raise_on_error=False)
        assert c.ping()
        assert info(c, "stats")["evicted_keys"] > 0
        assert used(c) <= maxmem * 1.1, (used(c), maxmem)
    finally:
        s.cleanup()


@case
def lfu_counts_accesses():
    s = Server()
    try:
        s.start()
        c = s.client()
        c.set("k", "v")
        expect_error(lambda: c.object("freq", "k"), "An LFU maxmemory policy is not selected")
        c.config_set("maxmemory-policy", "allkeys-lfu")
        c.set("hot", "v")
        c.set("cold", "v")
        for _ in range(300):
            c.get("hot")
        assert c.object("freq", "hot") > c.object("freq", "cold") >= 1
        expect_error(lambda: c.object("idletime", "hot"), "An LFU maxmemory policy is selected")
    finally:
        s.cleanup()


@case
def volatile_policies_evict_only_keys_with_a_deadline():
    for policy in ("volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"):
        s = Server()
        try:
            s.start()
            c = s.client()
            fill(c, "keep", 200)
            limit_to(c, 1024 * 1024, policy)
            results = fill(c, "tmp", 3000, ex=3600)
            assert info(c, "stats")["evicted_keys"] > 0, policy
            assert sum(c.exists("keep:%d" % i) for i in range(200)) == 200, policy
            # Only keys without a deadline left to go: writes are refused.
            errors = [r for r in results + fill(c, "more", 3000) if isinstance(r, Exception)]
            assert errors and str(errors[-1]).startswith("OOM"), policy
        finally:
            s.cleanup()


@case
def volatile_ttl_evicts_the_soonest_first():
    s = Server()
    try:
        s.start()
        c = s.client()
        fill(c, "late", 300, ex=36000)
        fill(c, "soon", 300, ex=600)
        limit_to(c, 200 * 1024, "volatile-ttl")
        c.config_set("maxmemory-samples", 10)
        fill(c, "pressure", 400, ex=20000)
        late = sum(c.exists("late:%d" % i) for i in range(300))
        soon = sum(c.exists("soon:%d" % i) for i in range(300))
        assert late > soon, (late, soon)
    finally:
        s.cleanup()


@case
def evictions_reach_replicas_as_del():
    p, r = primary_and_replica()
    try:
        c = p.client()
        limit_to(c, 1024 * 1024, "allkeys-random")
        fill(c, "k", 5000)
        assert info(c, "stats")["evicted_keys"] > 0
        rc = r.client()
        assert wait_for(lambda: rc.dbsize() == c.dbsize(), timeout=20), (rc.dbsize(), c.dbsize())
        assert info(rc, "stats")["evicted_keys"] == 0  # a replica does not evict by itself
    finally:
        r.cleanup()
        p.cleanup()


if __name__ == "__main__":
    sys.exit(main())
