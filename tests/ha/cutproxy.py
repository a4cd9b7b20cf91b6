#!/usr/bin/env python3
"""A TCP proxy in front of PostgreSQL that the ha tests control.

    cutproxy.py LISTEN_PORT TARGET MODE MARKER

TARGET is host:port or a unix socket path. Every connection is passed
through, except the first client message that contains MARKER (bytes):

  after   forward it, wait for the server's whole answer (ReadyForQuery),
          drop the answer and close the client: the change committed, the
          client never heard (connection lost during COMMIT).
  before  drop it and close the client: nothing reached the server.
  race    forward it and close the client at once, without waiting.

Later messages with MARKER pass. Prints "cut <mode>" on stderr when it cut.
"""
import os
import socket
import sys
import threading

listen_port, target, mode, marker = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4].encode()
cut_done = threading.Event()
lock = threading.Lock()


def connect():
    if target.startswith("/"):
        s = socket.socket(socket.AF_UNIX)
        s.connect(target)
    else:
        host, port = target.rsplit(":", 1)
        s = socket.create_connection((host, int(port)))
    return s


def pump(src, dst, on_data=None):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if on_data is not None:
                data = on_data(data)
                if data is None:
                    break
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def handle(client):
    server = connect()
    state = {"swallow": False}

    def from_client(data):
        with lock:
            hit = marker in data and not cut_done.is_set()
            if hit:
                cut_done.set()
        if not hit:
            return data
        print("cut " + mode, file=sys.stderr, flush=True)
        if mode == "before":
            return None
        server.sendall(data)
        if mode == "after":
            state["swallow"] = True
            return b""
        return None  # race

    def from_server(data):
        if state["swallow"]:
            # Swallow until ReadyForQuery ('Z'), then hang up on the client.
            if b"Z\x00\x00\x00\x05" in data:
                client.shutdown(socket.SHUT_RDWR)
                return None
            return b""
        return data

    threading.Thread(target=pump, args=(server, client, from_server), daemon=True).start()
    pump(client, server, from_client)


def main():
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", listen_port))
    ls.listen(64)
    print("listening", file=sys.stderr, flush=True)
    while True:
        c, _ = ls.accept()
        threading.Thread(target=handle, args=(c,), daemon=True).start()


if __name__ == "__main__":
    main()
