#!/usr/bin/python3
"""Replication tests: real surge-server processes on loopback as primary,
replicas and chained replicas, driven by Debian's python3-redis; failover
by Debian's redis-sentinel. Every process is stopped by its PID; every wait
is bounded. The last line is "N passed, M failed".
"""
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import redis

from pyharness import (Server, case, digest, fill_all_types, free_port, info, main,
                       wait_for)


def repl_info(c):
    return info(c, "replication")


def stats(c):
    return info(c, "stats")


def start_replica(primary, extra=()):
    r = Server(args=["--replicaof", "127.0.0.1", str(primary.port)] + list(extra))
    r.start()
    return r


def in_sync(primary, *replicas, timeout=20):
    """Every replica up and at the primary's offset, digests equal."""
    p = primary.client()

    def check():
        off = repl_info(p)["master_repl_offset"]
        for r in replicas:
            i = repl_info(r.client())
            if i.get("master_link_status") != "up" or i["slave_repl_offset"] != off:
                return False
        return all(digest(r.client()) == digest(p) for r in replicas)
    return wait_for(check, timeout=timeout, step=0.05)


def cleanup(*servers):
    for s in servers:
        if s is not None:
            s.cleanup()


@case
def every_type_replicates_to_two_replicas():
    p = Server()
    r1 = r2 = None
    try:
        p.start()
        c = p.client()
        fill_all_types(c, n=30)  # before the replicas: the snapshot carries it
        r1 = start_replica(p)
        r2 = start_replica(p)
        fill_all_types(c, n=40)  # after: the stream carries it
        c.set("gone", "x", px=100)
        c.execute_command("HPEXPIRE", "h:2", 100, "FIELDS", 1, "f2")
        time.sleep(0.3)
        assert in_sync(p, r1, r2), (repl_info(c), repl_info(r1.client()))
        rc = r1.client()
        assert rc.exists("gone") == 0
        assert 0 < rc.ttl("ttl:s") <= 1000
        assert rc.execute_command("HTTL", "h:1", "FIELDS", 1, "f1")[0] > 0
        i = repl_info(c)
        assert i["connected_slaves"] == 2 and i["role"] == "master"
        assert i["slave0"]["state"] == "online"
        ri = repl_info(rc)
        assert ri["role"] == "slave" and ri["master_port"] == p.port
        assert ri["master_replid"] == i["master_replid"]
        assert stats(c)["sync_full"] == 2
        role = c.execute_command("ROLE")
        assert role[0] == b"master" and len(role[2]) == 2
        role = rc.execute_command("ROLE")
        assert role[0] == b"slave" and role[3] == b"connected"
        try:
            rc.set("k", "v")
            assert False, "a replica accepted a write"
        except redis.ResponseError as e:
            assert str(e) == "You can't write against a read only replica."
    finally:
        cleanup(r1, r2, p)


@case
def replica_hides_expired_keys_until_the_primary_deletes_them():
    p = Server()
    r = None
    try:
        p.start()
        r = start_replica(p)
        c = p.client()
        c.set("short", "v", px=400)
        assert in_sync(p, r)
        # The primary sleeps (no expiry, no DEL) past the deadline.
        t = threading.Thread(target=lambda: p.client().execute_command("DEBUG", "SLEEP", 1.5))
        t.start()
        time.sleep(0.9)
        rc = r.client()
        assert rc.get("short") is None and rc.exists("short") == 0
        assert rc.dbsize() == 1  # still there: the primary's DEL removes it
        t.join(timeout=10)
        assert wait_for(lambda: rc.dbsize() == 0, timeout=10)
        assert in_sync(p, r)
    finally:
        cleanup(r, p)


@case
def wait_counts_acknowledging_replicas():
    p = Server()
    r1 = r2 = None
    try:
        p.start()
        r1 = start_replica(p)
        r2 = start_replica(p)
        c = p.client()
        assert in_sync(p, r1, r2)
        c.set("k", "v")
        assert c.execute_command("WAIT", 2, 5000) == 2
        c.set("k2", "v")
        t0 = time.time()
        assert c.execute_command("WAIT", 3, 300) == 2  # only two exist: times out
        assert time.time() - t0 >= 0.25
        assert c.execute_command("WAIT", 0, 0) >= 0
        try:
            r1.client().execute_command("WAIT", 1, 10)
            assert False
        except redis.ResponseError as e:
            assert "WAIT cannot be used with replica instances" in str(e)
        c.config_set("min-replicas-to-write", 3)
        try:
            c.set("k3", "v")
            assert False
        except redis.ResponseError as e:
            assert str(e) == "NOREPLICAS Not enough good replicas to write.", str(e)
        c.config_set("min-replicas-to-write", 2)
        c.set("k3", "v")
    finally:
        cleanup(r1, r2, p)


@case
def link_break_resyncs_partially():
    p = Server()
    r = None
    try:
        p.start()
        r = start_replica(p)
        c = p.client()
        assert in_sync(p, r)
        full = stats(c)["sync_full"]
        assert c.execute_command("CLIENT", "KILL", "TYPE", "replica") == 1
        for i in range(200):
            c.set("after-kill:%d" % i, i)
        assert in_sync(p, r)
        s = stats(c)
        assert s["sync_partial_ok"] >= 1 and s["sync_full"] == full, s
        # The other direction: the replica drops its link to the primary.
        assert r.client().execute_command("CLIENT", "KILL", "TYPE", "master") == 1
        c.rpush("after-master-kill", 1, 2, 3)
        assert in_sync(p, r)
        assert stats(c)["sync_full"] == full
    finally:
        cleanup(r, p)


@case
def restarted_replica_resyncs_partially_within_the_backlog():
    p = Server(args=["--repl-backlog-size", "1mb"])
    r = None
    try:
        p.start()
        r = start_replica(p, ["--appendonly", "yes"])
        c = p.client()
        fill_all_types(c, n=20)
        assert in_sync(p, r)
        # After its full sync the replica's AOF starts again from a rewrite;
        # only a complete AOF lets a restart continue where it stopped.
        rc = r.client()
        assert wait_for(lambda: info(rc)["aof_rewrites"] >= 1 and
                        info(rc)["aof_rewrite_in_progress"] == 0, timeout=20)
        r.stop()
        for i in range(100):
            c.set("while-down:%d" % i, "x" * 50)
        r.start()
        assert in_sync(p, r)
        s = stats(c)
        assert s["sync_full"] == 1 and s["sync_partial_ok"] == 1, s
    finally:
        cleanup(r, p)


@case
def restarted_replica_past_the_backlog_syncs_in_full():
    p = Server(args=["--repl-backlog-size", "16kb"])
    r = None
    try:
        p.start()
        r = start_replica(p, ["--appendonly", "yes"])
        c = p.client()
        assert in_sync(p, r)
        rc = r.client()
        assert wait_for(lambda: info(rc)["aof_rewrites"] >= 1 and
                        info(rc)["aof_rewrite_in_progress"] == 0, timeout=20)
        r.stop()
        for i in range(2000):  # far more than 16 KiB
            c.set("while-down:%d" % i, "x" * 50)
        r.start()
        assert in_sync(p, r)
        s = stats(c)
        assert s["sync_full"] == 2 and s["sync_partial_err"] == 1, s
    finally:
        cleanup(r, p)


@case
def chained_replica():
    p = Server()
    r1 = r2 = None
    try:
        p.start()
        r1 = start_replica(p)
        r2 = start_replica(r1)
        c = p.client()
        fill_all_types(c, n=25)
        assert in_sync(p, r1)
        assert in_sync(p, r2)
        assert repl_info(r2.client())["master_port"] == r1.port
        assert repl_info(r1.client())["connected_slaves"] == 1
    finally:
        cleanup(r2, r1, p)


@case
def promotion_keeps_history_for_partial_resync():
    p = Server()
    r1 = r2 = None
    try:
        p.start()
        r1 = start_replica(p)
        r2 = start_replica(p)
        c = p.client()
        fill_all_types(c, n=20)
        assert in_sync(p, r1, r2)
        old_id = repl_info(c)["master_replid"]
        p.kill()
        n1 = r1.client()
        assert n1.execute_command("REPLICAOF", "NO", "ONE")
        i = repl_info(n1)
        assert i["role"] == "master" and i["master_replid2"] == old_id
        assert i["second_repl_offset"] > 0
        r2.client().execute_command("REPLICAOF", "127.0.0.1", r1.port)
        n1.set("after-failover", "1")
        assert in_sync(r1, r2)
        s = stats(n1)
        assert s["sync_partial_ok"] == 1 and s["sync_full"] == 0, s
        # The old primary comes back and follows the new one.
        p.args = ["--replicaof", "127.0.0.1", str(r1.port)]
        p.start()
        assert in_sync(r1, r2, p)
    finally:
        cleanup(r2, r1, p)


@case
def replicaof_command_and_config():
    p = Server()
    r = Server()
    try:
        p.start()
        r.start()
        rc = r.client()
        rc.set("local", "1")
        assert rc.execute_command("REPLICAOF", "127.0.0.1", p.port)
        assert rc.execute_command("REPLICAOF", "127.0.0.1", p.port) in (
            b"OK Already connected to specified master", "OK Already connected to specified master",
            True)
        p.client().set("from-primary", "1")
        assert in_sync(p, r)
        assert rc.exists("local") == 0  # a full sync replaces the dataset
        assert rc.config_get("replicaof")["replicaof"] == "127.0.0.1 %d" % p.port
        try:
            rc.execute_command("REPLICAOF", "127.0.0.1", "notaport")
            assert False
        except redis.ResponseError as e:
            assert str(e) == "Invalid master port"
        assert rc.execute_command("REPLICAOF", "NO", "ONE")
        assert rc.config_get("replicaof")["replicaof"] == ""
        rc.set("writable-again", "1")
        try:
            p.client().execute_command("SCRIPT", "KILL")
            assert False
        except redis.ResponseError as e:
            assert str(e) == "NOTBUSY No scripts in execution right now.", str(e)
    finally:
        cleanup(r, p)


@case
def replicas_keep_up_under_write_load():
    p = Server()
    r = None
    try:
        p.start()
        r = start_replica(p)
        stop = threading.Event()

        def writer():
            w = p.client()
            n = 0
            while not stop.is_set() and n < 50000:
                pipe = w.pipeline(transaction=False)
                for k in range(50):
                    pipe.incr("ctr")
                    pipe.hset("h", "f%d" % (n % 100), n)
                    n += 1
                pipe.execute()
        t = threading.Thread(target=writer)
        t.start()
        time.sleep(1.0)
        stop.set()
        t.join(timeout=20)
        assert in_sync(p, r)
        assert r.client().get("ctr") == p.client().get("ctr")
    finally:
        cleanup(r, p)


# ---- redis-sentinel ----

def start_sentinel(primary_port, quorum=2):
    d = tempfile.mkdtemp(prefix="surge-sentinel-")
    port = free_port()
    conf = os.path.join(d, "sentinel.conf")
    with open(conf, "w") as f:
        f.write("port %d\nbind 127.0.0.1\ndir %s\nlogfile %s/sentinel.log\n"
                "sentinel monitor mymaster 127.0.0.1 %d %d\n"
                "sentinel down-after-milliseconds mymaster 1000\n"
                "sentinel failover-timeout mymaster 5000\n"
                "sentinel parallel-syncs mymaster 1\n" % (port, d, d, primary_port, quorum))
    proc = subprocess.Popen([shutil.which("redis-sentinel") or "redis-sentinel", conf],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    s = {"proc": proc, "port": port, "dir": d}

    def up():
        try:
            return redis.Redis(host="127.0.0.1", port=port, socket_timeout=2).ping()
        except redis.exceptions.ConnectionError:
            return False
    if not wait_for(up, timeout=10):
        stop_sentinel(s)
        raise AssertionError("redis-sentinel did not start")
    return s


def stop_sentinel(s):
    if s["proc"].poll() is None:
        s["proc"].send_signal(signal.SIGTERM)
        try:
            s["proc"].wait(timeout=10)
        except subprocess.TimeoutExpired:
            s["proc"].kill()
            s["proc"].wait(timeout=10)
    shutil.rmtree(s["dir"], ignore_errors=True)


@case
def sentinel_fails_over_a_killed_primary():
    if shutil.which("redis-sentinel") is None:
        raise AssertionError("redis-sentinel is not installed")
    p = Server(args=["--appendonly", "yes"])
    r1 = r2 = None
    sentinels = []
    try:
        p.start()
        r1 = start_replica(p, ["--appendonly", "yes"])
        r2 = start_replica(p, ["--appendonly", "yes"])
        assert in_sync(p, r1, r2)
        sentinels = [start_sentinel(p.port) for _ in range(3)]
        s0 = redis.Redis(host="127.0.0.1", port=sentinels[0]["port"], socket_timeout=5)
        assert wait_for(lambda: len(s0.sentinel_slaves("mymaster")) == 2 and
                        s0.sentinel_master("mymaster")["num-other-sentinels"] == 2,
                        timeout=30, step=0.2), s0.sentinel_master("mymaster")
        # Writes acknowledged by a replica (WAIT 1) before the kill.
        acked = []
        stop = threading.Event()

        def writer():
            w = p.client(socket_timeout=2)
            i = 0
            while not stop.is_set() and i < 100000:
                try:
                    w.set("acked:%d" % i, i)
                    if w.execute_command("WAIT", 1, 1000) >= 1:
                        acked.append(i)
                except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
                    return
                i += 1
        t = threading.Thread(target=writer)
        t.start()
        time.sleep(random.uniform(0.5, 1.0))
        p.kill()
        stop.set()
        t.join(timeout=10)
        assert acked, "no write was acknowledged before the kill"

        def new_primary():
            try:
                addr = s0.sentinel_get_master_addr_by_name("mymaster")
            except redis.exceptions.ConnectionError:
                return None
            return addr if addr and int(addr[1]) in (r1.port, r2.port) else None
        assert wait_for(lambda: new_primary() is not None, timeout=40, step=0.2), \
            open(os.path.join(sentinels[0]["dir"], "sentinel.log")).read()[-3000:]
        port = int(new_primary()[1])
        winner, other = (r1, r2) if port == r1.port else (r2, r1)
        wc = winner.client()
        assert wait_for(lambda: repl_info(wc)["role"] == "master", timeout=20)
        assert wait_for(lambda: repl_info(other.client()).get("master_port") == port and
                        repl_info(other.client()).get("master_link_status") == "up",
                        timeout=30, step=0.2)
        missing = [i for i in acked if wc.get("acked:%d" % i) is None]
        assert not missing, "acknowledged writes lost: %s" % missing[:10]
        assert stats(wc)["sync_full"] == 0, stats(wc)  # the other replica continued
        # The old primary, restarted, is turned into a replica by sentinel.
        p.start()
        assert wait_for(lambda: repl_info(p.client()).get("role") == "slave" and
                        repl_info(p.client()).get("master_link_status") == "up",
                        timeout=40, step=0.2), (repl_info(p.client()), open(os.path.join(
                            sentinels[0]["dir"], "sentinel.log")).read()[-2500:], p.tail_log(1500))
        # All three follow one history again (sentinel may have moved the
        # primary once more meanwhile: ask it which one it is now).
        def converged():
            addr = new_primary()
            if addr is None:
                return False
            infos = [repl_info(x.client()) for x in (winner, other, p)]
            return (len({i["master_replid"] for i in infos}) == 1 and
                    len({i["master_repl_offset"] for i in infos}) == 1 and
                    sum(i["role"] == "master" for i in infos) == 1)
        assert wait_for(converged, timeout=60, step=0.2), [
            repl_info(x.client()) for x in (winner, other, p)]
    finally:
        for s in sentinels:
            stop_sentinel(s)
        cleanup(r1, r2, p)


if __name__ == "__main__":
    sys.exit(main())
