"""Shared by the Python test runners: a server process in its own directory
(kept across restarts), started on a free 127.0.0.1 port and stopped by its
PID, bounded waits, and the case registry whose runner prints
"N passed, M failed" last.
"""
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

import redis

SURGE = os.environ.get("SURGE_SERVER", "build/surge-server")
REDIS = shutil.which("redis-server")
RUNNING = []


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """One server process in its own directory (kept across restarts)."""

    def __init__(self, binary=SURGE, directory=None, args=(), fsize=None):
        self.binary = binary
        self.dir = directory or tempfile.mkdtemp(prefix="surge-aof-")
        self.args = list(args)
        self.fsize = fsize
        self.proc = None
        self.port = None
        self.log = os.path.join(self.dir, "server.log")

    def start(self, wait=True, expect_fail=False):
        if self.port is None:  # a restart keeps its port (sentinel knows it)
            self.port = free_port()
        cmd = [os.path.abspath(self.binary), "--port", str(self.port), "--bind", "127.0.0.1",
               "--dir", self.dir, "--logfile", self.log] + self.args
        if self.binary == REDIS:
            cmd += ["--save", "", "--enable-debug-command", "yes"]
        limit = self.fsize

        def pre():
            os.setsid()
            if limit is not None:
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     preexec_fn=pre)
        RUNNING.append(self)
        if expect_fail:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                return False
            RUNNING.remove(self)
            return True
        if wait:
            self.wait_ready()
        return True

    def wait_ready(self, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited: " + self.tail_log())
            try:
                c = self.client()
                c.ping()
                return c
            except (redis.exceptions.ConnectionError, redis.exceptions.BusyLoadingError):
                time.sleep(0.02)
        raise RuntimeError("server not ready: " + self.tail_log())

    def client(self, **kw):
        kw.setdefault("socket_timeout", 10)
        return redis.Redis(host="127.0.0.1", port=self.port, **kw)

    def stop(self, sig=signal.SIGTERM):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self in RUNNING:
            RUNNING.remove(self)
        self.proc = None

    def kill(self):
        self.stop(signal.SIGKILL)

    def restart(self):
        self.stop()
        self.start()

    def tail_log(self, n=4000):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()[-n:]
        except OSError:
            return "(no log)"

    def aofdir(self):
        return os.path.join(self.dir, "appendonlydir")

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def digest(c):
    return c.execute_command("DEBUG", "DIGEST")


def info(c, section="persistence"):
    return c.info(section)


def cget(c, key, *opts):
    """CACHE.GET as (value, status, token or None, fresh TTL ms)."""
    v, status, token, ttl = c.execute_command("CACHE.GET", key, *opts)
    return v, status.decode(), token.decode() if token else None, int(ttl)


def wait_for(cond, timeout=10, step=0.02):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(step)
    return False


def fill_all_types(c, n=50):
    """Every type, with TTLs, several dbs, big and small encodings."""
    p = c.pipeline(transaction=False)
    for i in range(n):
        p.set("s:%d" % i, "v" * (i % 7) + str(i))
        p.incrby("n:%d" % i, i * 3 - 40)
        p.rpush("l:%d" % (i % 5), *["e%d" % k for k in range(i % 9 + 1)])
        p.sadd("set:%d" % (i % 4), i, "m%d" % i)
        p.zadd("z:%d" % (i % 3), {"a%d" % i: i / 7.0, "b%d" % i: -i})
        p.hset("h:%d" % (i % 6), mapping={"f%d" % i: "x" * (i % 5), "g%d" % i: i})
    p.rpush("biglist", *range(3000))
    p.sadd("bigset", *["member-%d" % k for k in range(1000)])
    p.zadd("bigz", {"m%d" % k: k * 1.5 for k in range(600)})
    p.hset("bigh", mapping={"field%d" % k: "value%d" % k for k in range(800)})
    p.set("ttl:s", "x", ex=1000)
    p.pexpire("l:1", 500000)
    p.expire("bigh", 9000)
    p.incrbyfloat("float", 10.5)
    p.incrbyfloat("float", 0.1)
    p.execute()
    try:
        c.execute_command("HEXPIRE", "h:1", 5000, "FIELDS", 1, "f1")
    except redis.ResponseError:  # redis-server 7.0 has no field TTLs
        pass
    c.spop("set:2", 3)
    c.lpop("l:2")
    c.zpopmin("z:1")
    c.getex("s:3", ex=700)
    c2 = redis.Redis(host="127.0.0.1", port=c.connection_pool.connection_kwargs["port"], db=7)
    c2.set("db7", "seven", px=800000)
    c2.rpush("db7list", "a", "b")
    t = c.pipeline(transaction=True)
    t.incr("tx")
    t.rpush("txl", 1, 2)
    t.execute()


def expect_error(fn, prefix=""):
    """fn() must fail with a reply error starting with prefix; returns it."""
    try:
        fn()
    except redis.ResponseError as e:
        assert str(e).startswith(prefix), (str(e), prefix)
        return str(e)
    raise AssertionError("no error (wanted %r)" % prefix)


def primary_and_replica(primary_args=()):
    """A started primary and a replica of it."""
    p = Server(args=list(primary_args))
    p.start()
    r = Server(args=["--replicaof", "127.0.0.1", str(p.port)])
    try:
        r.start()
    except Exception:
        p.cleanup()
        raise
    return p, r


CASES = []


def case(fn):
    CASES.append(fn)
    return fn


def main():
    passed = failed = 0
    only = sys.argv[1:]
    for fn in CASES:
        if only and fn.__name__ not in only:
            continue
        t0 = time.time()
        try:
            fn()
            passed += 1
            print("ok   %s (%.1fs)" % (fn.__name__, time.time() - t0))
        except Exception:
            failed += 1
            print("FAIL %s" % fn.__name__)
            traceback.print_exc(limit=3)
        finally:
            for s in list(RUNNING):
                s.stop(signal.SIGKILL)
        sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


