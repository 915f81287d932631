#!/usr/bin/python3
"""Write tools/redis7-commands.txt from a real redis-server's COMMAND DOCS.

One line per command and subcommand: name|group|since|summary, subcommands
named "parent|sub". The list is data for tools/gen-compat (redis-compat.md);
rerun this when the reference Redis changes. Starts redis-server on a free
loopback port and stops it by PID.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def read_reply(f):
    line = f.readline()
    t, rest = line[:1], line[1:-2]
    if t in (b"+", b"-"):
        return rest.decode()
    if t == b":":
        return int(rest)
    if t == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)[:-2]
        return data.decode()
    if t == b"*":
        n = int(rest)
        return None if n < 0 else [read_reply(f) for _ in range(n)]
    raise ValueError("unexpected reply %r" % line)


def to_map(arr):
    return {arr[i]: arr[i + 1] for i in range(0, len(arr), 2)}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "redis7-commands.txt")
    port = free_port()
    d = tempfile.mkdtemp()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--appendonly",
                             "no", "--dir", d], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=10)
                break
            except OSError:
                time.sleep(0.05)
        f = sock.makefile("rb")
        sock.sendall(b"*2\r\n$7\r\nCOMMAND\r\n$4\r\nDOCS\r\n")
        docs = to_map(read_reply(f))
        sock.sendall(b"*1\r\n$4\r\nINFO\r\n")
        version = [l for l in read_reply(f).splitlines() if l.startswith("redis_version:")]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    lines = []
    for name, doc in docs.items():
        doc = to_map(doc)
        lines.append("%s|%s|%s|%s" % (name, doc["group"], doc["since"], doc["summary"]))
        for sub, sdoc in to_map(doc.get("subcommands", [])).items():
            sdoc = to_map(sdoc)
            lines.append("%s|%s|%s|%s" % (sub, sdoc["group"], sdoc["since"], sdoc["summary"]))
    with open(out, "w") as fo:
        fo.write("# Redis commands from COMMAND DOCS of %s\n" % version[0].split(":")[1])
        fo.write("\n".join(sorted(lines)) + "\n")


if __name__ == "__main__":
    main()
