#!/usr/bin/env python3
"""Opens N idle TCP connections to HOST:PORT, says `open N` on stdout, holds
them until stdin closes (or --hold seconds pass), then closes them.
Used by scripts/bench.sh to measure server memory per idle connection.
With --tls, each connection first does a TLS handshake and one HTTP
request (its response read whole), then stays idle: what an idle HTTPS
keep-alive connection costs."""
import argparse
import resource
import socket
import ssl
import sys
import time

p = argparse.ArgumentParser()
p.add_argument("port", type=int)
p.add_argument("--host", default="127.0.0.1")
p.add_argument("-n", type=int, default=10000)
p.add_argument("--hold", type=float, default=60.0)
p.add_argument("--tls", action="store_true")
a = p.parse_args()

context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE


def one_request(s):
    """GET / over `s`, reading the response to its Content-Length."""
    s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        body += s.recv(65536)

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
want = min(hard, a.n + 100)
if soft < want:
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

conns = []
for _ in range(a.n):
    s = socket.create_connection((a.host, a.port))
    if a.tls:
        s = context.wrap_socket(s, server_hostname="localhost")
        one_request(s)
    conns.append(s)
# The caller waits a little after this line for the server to accept them all.
print(f"open {len(conns)}", flush=True)
deadline = time.time() + a.hold
while time.time() < deadline:
    if sys.stdin.readline() == "":
        break
for s in conns:
    s.close()
