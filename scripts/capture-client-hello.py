#!/usr/bin/env python3
"""Saves the TLS ClientHello records real clients send, byte for byte.

Listens on a free 127.0.0.1 port, prints the port, and for each of the
next COUNT connections reads one whole TLS record (its 5-byte header says
how long it is), writes it to PREFIX-1.bin, PREFIX-2.bin, ... and closes
the connection without answering: the client gives up with a handshake
error, which is all we need. How tests/data/tls/*-client-hello.bin were
made:

    scripts/capture-client-hello.py /tmp/curl 1 &
    curl -k https://localhost:PORT/

Standard library only, so `/usr/bin/python3` runs it anywhere.
"""

import socket
import sys


def read_record(conn: socket.socket) -> bytes:
    data = b""
    while len(data) < 5 or len(data) < 5 + int.from_bytes(data[3:5], "big"):
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    if len(data) >= 5:
        data = data[: 5 + int.from_bytes(data[3:5], "big")]
    return data


def main() -> None:
    prefix, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1
    with socket.create_server(("127.0.0.1", 0)) as server:
        print(server.getsockname()[1], flush=True)
        server.settimeout(60)
        for n in range(1, count + 1):
            conn, _ = server.accept()
            with conn:
                conn.settimeout(10)
                record = read_record(conn)
            name = f"{prefix}-{n}.bin"
            with open(name, "wb") as out:
                out.write(record)
            print(f"{name}: {len(record)} bytes", flush=True)


if __name__ == "__main__":
    main()
