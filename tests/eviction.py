#!/usr/bin/python3
"""maxmemory with Redis's eight policies: the real server, python3-redis.
The last line is "N passed, M failed".
"""
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
