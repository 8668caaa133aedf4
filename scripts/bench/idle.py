#!/usr/bin/env python3
"""Opens N idle TCP connections to HOST:PORT, says `open N` on stdout, holds
them until stdin closes (or --hold seconds pass), then closes them.
Used by scripts/bench.sh to measure server memory per idle connection."""
import argparse
import resource
import socket
import sys
import time

p = argparse.ArgumentParser()
p.add_argument("port", type=int)
p.add_argument("--host", default="127.0.0.1")
p.add_argument("-n", type=int, default=10000)
p.add_argument("--hold", type=float, default=60.0)
a = p.parse_args()

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
want = min(hard, a.n + 100)
if soft < want:
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

conns = []
for _ in range(a.n):
    s = socket.create_connection((a.host, a.port))
    conns.append(s)
# The caller waits a little after this line for the server to accept them all.
print(f"open {len(conns)}", flush=True)
deadline = time.time() + a.hold
while time.time() < deadline:
    if sys.stdin.readline() == "":
        break
for s in conns:
    s.close()
