#!/usr/bin/python3
"""Cache policies: CACHE.POLICY SET/GET/DEL/MATCH/LIST/SAVE, defaults and
clamps for CACHE.* writes, BYPASS ("never cache"), default/maximum TTLs
for plain writes with cache-policy-plain-commands yes, the JSON policy
file (loaded at start, saved back, a bad one refuses to start), and
policies kept by the AOF and shown on a replica. Real surge-server
processes, Debian's python3-redis. The last line is "N passed, M failed".
"""
import json
import os
import time

from pyharness import (Server, case, cget, expect_error, main, primary_and_replica, wait_for)


def policy(c, cmd, arg):
    r = c.execute_command("CACHE.POLICY", cmd, arg)
    if r is None:
        return None
    return {r[i].decode(): (r[i + 1].decode() if isinstance(r[i + 1], bytes) else r[i + 1])
            for i in range(0, len(r), 2)}


def listing(c):
    return [r[1].decode() for r in c.execute_command("CACHE.POLICY", "LIST")]


@case
def policy_commands_and_their_errors():
    s = Server()
    try:
        s.start()
        c = s.client()
        assert c.execute_command("CACHE.POLICY", "SET", "product:*", "TTL", 10, "SWR", 30,
                                 "MAXTTL", 60, "LEASE", 2500) == b"OK"
        assert c.execute_command("CACHE.POLICY", "SET", "product:shoes:*", "ttl", 5) == b"OK"
        assert c.execute_command("CACHE.POLICY", "SET", "pay:*", "BYPASS") == b"OK"
        assert policy(c, "GET", "product:*") == {"pattern": "product:*", "ttl": 10, "swr": 30,
                                                 "maxttl": 60, "lease": 2500, "bypass": 0}
        assert policy(c, "GET", "pay:*")["bypass"] == 1 and policy(c, "GET", "nope") is None
        # the longest matching pattern governs a key
        assert policy(c, "MATCH", "product:shoes:42")["pattern"] == "product:shoes:*"
        assert policy(c, "MATCH", "product:hats:1")["pattern"] == "product:*"
        assert policy(c, "MATCH", "cart:1") is None
        assert listing(c) == ["product:shoes:*", "product:*", "pay:*"]
        # SET replaces the options of an existing pattern
        c.execute_command("CACHE.POLICY", "SET", "product:*", "TTL", 20)
        assert policy(c, "GET", "product:*")["ttl"] == 20
        assert policy(c, "GET", "product:*")["swr"] == -1
        assert c.execute_command("CACHE.POLICY", "DEL", "product:shoes:*") == 1
        assert c.execute_command("CACHE.POLICY", "DEL", "product:shoes:*") == 0
        assert listing(c) == ["product:*", "pay:*"]
        expect_error(lambda: c.execute_command("CACHE.POLICY", "SET", "x", "TTL", 10, "MAXTTL",
                                               5), "TTL is above MAXTTL")
        expect_error(lambda: c.execute_command("CACHE.POLICY", "SET", "x", "TTL", 0),
                     "invalid ttl in 'cache.policy|set' command")
        expect_error(lambda: c.execute_command("CACHE.POLICY", "SET", "x", "LEASE", "soon"),
                     "value is not an integer or out of range")
        expect_error(lambda: c.execute_command("CACHE.POLICY", "SET", "x", "TTL"), "syntax error")
        expect_error(lambda: c.execute_command("CACHE.POLICY", "SET", "x", "COLOR", 1),
                     "syntax error")
        expect_error(lambda: c.execute_command("CACHE.POLICY", "GET"),
                     "wrong number of arguments for 'cache.policy|get' command")
        expect_error(lambda: c.execute_command("CACHE.POLICY", "NOPE"), "unknown subcommand")
        expect_error(lambda: c.execute_command("CACHE.POLICY", "SAVE"),
                     "cache-policy-file is not set")
        assert listing(c) == ["product:*", "pay:*"]  # errors changed nothing
        assert len(c.execute_command("CACHE.POLICY", "HELP")) > 10
    finally:
        s.cleanup()


@case
def cache_writes_take_defaults_clamps_and_bypass():
    s = Server()
    try:
        s.start()
        c = s.client()
        c.execute_command("CACHE.POLICY", "SET", "product:*", "TTL", 10, "SWR", 30, "MAXTTL",
                          60, "LEASE", 300)
        c.execute_command("CACHE.POLICY", "SET", "pay:*", "BYPASS")
        c.execute_command("CACHE.SET", "product:1", "shoe")  # TTL 10 + SWR 30 from the policy
        assert 39000 < c.pttl("product:1") <= 40000
        assert 9000 < cget(c, "product:1")[3] <= 10000
        c.execute_command("CACHE.SET", "product:2", "shoe", "EX", 3600, "SWR", 5)  # clamped
        assert 64000 < c.pttl("product:2") <= 65000
        c.execute_command("CACHE.SET", "other", "x")  # no policy: fresh forever
        assert c.pttl("other") == -1
        # LEASE from the policy: 300 ms, then another caller wins
        assert cget(c, "product:9")[1] == "win"
        assert cget(c, "product:9")[1] == "wait"
        time.sleep(0.45)
        v, status, token, _ = cget(c, "product:9")
        assert status == "win"
        assert c.execute_command("CACHE.FILL", "product:9", token, "boot") == b"OK"
        assert 9000 < cget(c, "product:9")[3] <= 10000
        for cmd in (("CACHE.GET", "pay:1"), ("CACHE.SET", "pay:1", "x"),
                    ("CACHE.FILL", "pay:1", "tok", "x")):
            expect_error(lambda: c.execute_command(*cmd),
                         "BYPASS key 'pay:1' matches the never-cache policy 'pay:*'")
        assert c.exists("pay:1") == 0
        c.set("pay:1", "plain commands still work")
        assert c.get("pay:1") == b"plain commands still work"
    finally:
        s.cleanup()


@case
def plain_writes_get_default_and_maximum_ttls():
    s = Server()
    try:
        s.start()
        c = s.client()
        c.execute_command("CACHE.POLICY", "SET", "sess:*", "TTL", 100, "MAXTTL", 200)
        c.execute_command("CACHE.POLICY", "SET", "quote:*", "MAXTTL", 50)
        c.set("sess:0", "off")  # the option is off by default
        assert c.ttl("sess:0") == -1
        c.config_set("cache-policy-plain-commands", "yes")
        c.set("sess:1", "a")
        c.hset("sess:2", "user", "42")
        c.zadd("sess:3", {"m": 1})
        c.rpush("sess:4", "x")
        c.sadd("sess:5", "x")
        c.mset({"sess:6": "a", "cart:1": "b"})
        c.incr("sess:7")
        for k in ("sess:1", "sess:2", "sess:3", "sess:4", "sess:5", "sess:6", "sess:7"):
            assert 95 <= c.ttl(k) <= 100, (k, c.ttl(k))
        assert c.ttl("cart:1") == -1
        c.set("sess:8", "a", ex=1000)
        assert 195 <= c.ttl("sess:8") <= 200  # clamped to MAXTTL
        c.expire("sess:8", 5000)
        assert 195 <= c.ttl("sess:8") <= 200
        c.expire("sess:8", 20)
        assert c.ttl("sess:8") <= 20  # a shorter TTL is kept
        c.persist("sess:8")
        assert 95 <= c.ttl("sess:8") <= 100  # never immortal
        c.set("quote:1", "x")
        assert 45 <= c.ttl("quote:1") <= 50  # no TTL given: the maximum
        c.delete("sess:1")
        assert c.exists("sess:1") == 0
        c.config_set("cache-policy-plain-commands", "no")
        c.set("sess:9", "a")
        assert c.ttl("sess:9") == -1
    finally:
        s.cleanup()


@case
def policy_file_loads_saves_and_refuses_bad_ones():
    s = Server()
    path = os.path.join(s.dir, "policies.json")
    try:
        with open(path, "w") as f:
            json.dump({"policies": [{"pattern": "product:*", "ttl": 10, "swr": 30, "maxttl": 60,
                                     "lease": 5000},
                                    {"pattern": "pay:*", "bypass": True}]}, f)
        s.args = ["--cache-policy-file", "policies.json"]
        s.start()
        c = s.client()
        assert listing(c) == ["product:*", "pay:*"]
        assert policy(c, "GET", "product:*")["lease"] == 5000
        c.execute_command("CACHE.POLICY", "SET", "ship:*", "TTL", 5)
        c.execute_command("CACHE.POLICY", "DEL", "pay:*")
        assert c.execute_command("CACHE.POLICY", "SAVE") == b"OK"
        with open(path) as f:
            saved = json.load(f)
        assert saved == {"policies": [{"pattern": "product:*", "ttl": 10, "swr": 30,
                                       "maxttl": 60, "lease": 5000},
                                      {"pattern": "ship:*", "ttl": 5}]}
        s.restart()  # no AOF: the saved file is the table
        assert listing(s.client()) == ["product:*", "ship:*"]
        s.stop()
        bad = {
            '{"policies": [\n  {"pattern": "a:*", "ttl": 10},\n  {"pattern": "b:*" "ttl": 5}\n]}':
                "not valid JSON at line 3",
            '{"policies": [{"pattern": "a:*"}, {"pattern": "b:*", "ttl": -5}]}':
                "policies[1].ttl must be a whole number of seconds",
            '{"policies": [{"pattern": "a:*", "colour": "red"}]}':
                "policies[0].colour is not a policy field",
            '{"policies": [{"ttl": 5}]}': "policies[0] has no pattern",
            '{"policy": []}': "the top level must be an object with a \"policies\" array",
        }
        for text, why in bad.items():
            with open(path, "w") as f:
                f.write(text)
            assert s.start(expect_fail=True), text
            log = s.tail_log()
            assert "Bad cache policy file policies.json: " + why in log, (why, log[-500:])
    finally:
        s.cleanup()


@case
def policies_persist_and_replicate():
    p, r = primary_and_replica(["--appendonly", "yes", "--cache-policy-plain-commands", "yes"])
    try:
        c = p.client()
        c.execute_command("CACHE.POLICY", "SET", "product:*", "TTL", 10, "SWR", 30, "LEASE", 900)
        c.execute_command("CACHE.POLICY", "SET", "pay:*", "BYPASS")
        c.execute_command("CACHE.POLICY", "SET", "tmp:*", "MAXTTL", 100)
        c.execute_command("CACHE.POLICY", "DEL", "tmp:*")
        c.execute_command("CACHE.POLICY", "SET", "sess:*", "TTL", 300)
        c.set("sess:1", "a")
        rc = r.client()
        want = c.execute_command("CACHE.POLICY", "LIST")
        assert wait_for(lambda: rc.execute_command("CACHE.POLICY", "LIST") == want, timeout=20)
        assert wait_for(lambda: 0 < rc.ttl("sess:1") <= 300, timeout=20)
        expect_error(lambda: rc.execute_command("CACHE.POLICY", "SET", "x:*", "TTL", 1),
                     "You can't write against a read only replica")
        expect_error(lambda: rc.execute_command("CACHE.SET", "pay:2", "x"),
                     "You can't write against a read only replica")
        p.restart()
        c = p.client()
        assert c.execute_command("CACHE.POLICY", "LIST") == want
        assert c.bgrewriteaof()
        assert wait_for(lambda: c.info("persistence")["aof_rewrite_in_progress"] == 0)
        p.restart()
        c = p.client()
        assert c.execute_command("CACHE.POLICY", "LIST") == want
        assert 0 < c.ttl("sess:1") <= 300
    finally:
        r.cleanup()
        p.cleanup()


if __name__ == "__main__":
    main()
