#!/usr/bin/env python3
"""Hostile Redis and PostgreSQL servers for the reply-limit tests: each mode
misbehaves in one way no real server does.  Usage: hostile.py MODE PORTFILE
(the port is written to PORTFILE once listening).

Redis modes answer PING with +PONG, then:
  redis-array     INFO with *2147483647 and nothing more
  redis-bulk      INFO with a bulk header announcing 100 GB, then endless bytes
  redis-info      INFO with an endless bulk of lines no Redis writes
  redis-nofield   INFO with a small bulk holding no field Redis writes
PostgreSQL modes (startup without authentication):
  pg-error        the first query answered by an ErrorResponse announcing
                  1 GB, then endless bytes
  pg-rows         the first query answered by endless DataRows
  pg-start-error  the start-up answered by AuthenticationOk, then an
                  ErrorResponse announcing 1 GB and endless bytes instead of
                  ReadyForQuery
"""
import socket
import struct
import sys
import threading

MODE, PORTFILE = sys.argv[1], sys.argv[2]
CHUNK = b"x" * 65536


def endless(c, head, chunk=CHUNK):
    c.sendall(head)
    while True:
        c.sendall(chunk)


def commands(buf):
    """Complete RESP commands at the start of buf, and what is left."""
    out = []
    while buf.startswith(b"*") and b"\r\n" in buf:
        line, rest = buf.split(b"\r\n", 1)
        args = []
        for _ in range(int(line[1:])):
            if b"\r\n" not in rest:
                return out, buf
            ln, rest = rest.split(b"\r\n", 1)
            size = int(ln[1:])
            if len(rest) < size + 2:
                return out, buf
            args.append(rest[:size])
            rest = rest[size + 2:]
        out.append(args[0].upper())
        buf = rest
    return out, buf


def redis(c):
    buf = b""
    while True:
        d = c.recv(65536)
        if not d:
            return
        cmds, buf = commands(buf + d)
        for cmd in cmds:
            if cmd == b"PING":
                c.sendall(b"+PONG\r\n")
            elif cmd != b"INFO":
                c.sendall(b":0\r\n")
            elif MODE == "redis-array":
                c.sendall(b"*2147483647\r\n")
            elif MODE == "redis-bulk":
                endless(c, b"$107374182400\r\n")
            elif MODE == "redis-info":
                endless(c, b"$314572800\r\n", b"nothing_here:1\r\n" * 4096)
            else:
                body = b"# Nothing\r\nweather:sunny\r\nanswer:42\r\n"
                c.sendall(b"$%d\r\n%s\r\n" % (len(body), body))


def pg_msg(kind, body):
    return kind + struct.pack("!I", len(body) + 4) + body


def pg(c):
    while True:
        hdr = c.recv(8)
        if len(hdr) < 8:
            return
        n, code = struct.unpack("!II", hdr)
        if n > 8:
            c.recv(n - 8)
        if code in (80877103, 80877104):	# SSL or GSS request: no
            c.sendall(b"N")
            continue
        break
    if MODE == "pg-start-error":
        endless(c, pg_msg(b"R", struct.pack("!I", 0)) + b"E" +
                struct.pack("!I", 1 << 30) + b"SFATAL\0M")
    c.sendall(pg_msg(b"R", struct.pack("!I", 0)) +
              pg_msg(b"S", b"server_version\x0015.0\0") +
              pg_msg(b"K", struct.pack("!II", 1, 1)) +
              pg_msg(b"Z", b"I"))
    c.recv(65536)			# the first query
    if MODE == "pg-error":
        endless(c, b"E" + struct.pack("!I", 1 << 30) + b"SERROR\0M")
    desc = pg_msg(b"T", struct.pack("!H", 1) + b"x\0" +
                  struct.pack("!IhIhih", 0, 0, 25, -1, -1, 0))
    row = pg_msg(b"D", struct.pack("!H", 1) + struct.pack("!I", 1000) +
                 b"r" * 1000)
    endless(c, desc, row * 64)


def serve(c):
    try:
        (redis if MODE.startswith("redis") else pg)(c)
    except OSError:
        pass
    finally:
        c.close()


s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
with open(PORTFILE + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
__import__("os").rename(PORTFILE + ".tmp", PORTFILE)
while True:
    conn, _ = s.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
