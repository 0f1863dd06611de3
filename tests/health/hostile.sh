#!/bin/sh
# Hostile servers: a fake Redis whose INFO, errors and version are full of
# terminal escape sequences and bytes that are not UTF-8, and a fake
# PostgreSQL whose error message is; "maintop check" (lines and JSON) must
# never print them raw.  Uses python3 for the fake servers.  TAP.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/health/common.sh"

hc_init python3
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; servers_stop_all' EXIT

# The fake servers' script: fake.py KIND PORTFILE serves on a free port.
cat >"$HC_TMP/fake.py" <<'EOF'
import os, socket, struct, sys, threading
kind, portfile = sys.argv[1], sys.argv[2]
EVIL = (b"\x1b[2J\x1b[H\x1b[31;1mHACKED\x1b[0m \x1b]0;pwned\x07 "
        b"\x1b]52;c;cm0gLXJmIH4K\x07 \x9b2J \x9d0;t\x9c \x07\x08\x08 "
        b"\xff\xfe\xc0\xaf\xed\xa0\x80 \x1bP+q\x1b\\ end")
def bulk(b):
    return b"$%d\r\n%s\r\n" % (len(b), b)
def commands(buf):
    # Complete RESP arrays of bulk strings at the start of buf: returns the
    # command names and what is left.
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
def redis(c, erring):
    buf = b""
    err = b"-ERR " + EVIL + b"\r\n"
    while True:
        d = c.recv(65536)
        if not d:
            return
        cmds, buf = commands(buf + d)
        for cmd in cmds:
            if cmd == b"PING":
                c.sendall(err if erring else b"+PONG\r\n")
            elif cmd == b"INFO":
                c.sendall(bulk(b"# Server\r\nredis_version:" + EVIL +
                    b"\r\nrole:" + EVIL + b"\r\nconnected_clients:1\r\n"
                    b"used_memory:100\r\nrdb_last_bgsave_status:" + EVIL +
                    b"\r\nuptime_in_seconds:5\r\n"))
            else:
                c.sendall(err)
def pg(c):
    while True:
        hdr = c.recv(8)
        if len(hdr) < 8:
            return
        n, code = struct.unpack("!II", hdr)
        c.recv(n - 8) if n > 8 else None
        if code in (80877103, 80877104):	# SSL or GSS request: no
            c.sendall(b"N")
            continue
        break
    fields = (b"SFATAL\0VFATAL\0C28000\0M" + EVIL.replace(b"\0", b"") +
              b"\nsecond line " + EVIL + b"\0\0")
    c.sendall(b"E" + struct.pack("!I", len(fields) + 4) + fields)
    c.close()
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
with open(portfile + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.rename(portfile + ".tmp", portfile)
while True:
    c, _ = s.accept()
    t = {"redis": lambda: redis(c, False), "rediserr": lambda: redis(c, True),
         "pg": lambda: pg(c)}[kind]
    threading.Thread(target=t, daemon=True).start()
EOF
for k in redis rediserr pg; do
	python3 "$HC_TMP/fake.py" "$k" "$HC_TMP/$k.port" </dev/null \
	    >/dev/null 2>&1 &
	pids="$pids $!"
done
port() {
	_i=0
	while [ ! -s "$HC_TMP/$1.port" ] && [ $_i -lt 100 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	cat "$HC_TMP/$1.port" 2>/dev/null
}
rport=$(port redis)
eport=$(port rediserr)
pport=$(port pg)
if [ -z "$rport" ] || [ -z "$eport" ] || [ -z "$pport" ]; then
	bail "the fake servers did not start"
fi

hc_conf <<EOF
settings = { timeout = "3s"; };
redis = ( { name = "redis-evil-info"; port = $rport; },
  { name = "redis-evil-error"; port = $eport; } );
postgres = ( { name = "pg-evil-error";
  conninfo = "host=127.0.0.1 port=$pport dbname=x user=x sslmode=disable"; } );
EOF

esc=$(printf '\033')
c1=$(printf '\233')
bel=$(printf '\007')
clean() {
	# clean FILE WHAT
	check "$2: no raw ESC" sh -c '! grep -q "$1" "$2"' sh "$esc" "$1"
	check "$2: no raw C1 CSI" sh -c '! LC_ALL=C grep -q "$1" "$2"' sh "$c1" "$1"
	check "$2: no BEL" sh -c '! grep -q "$1" "$2"' sh "$bel" "$1"
	check "$2: valid UTF-8" iconv -f UTF-8 -t UTF-8 "$1"
}

hc_run
cat "$HC_OUT" "$HC_ERR" >"$HC_TMP/json"
check "JSON: every check reported" \
    sh -c 'test "$(jq length "$1")" = 3' sh "$HC_OUT"
is "evil INFO: read (ok or crit, not lost)" \
    "$(hc_get redis-evil-info '.state | test("ok|crit")')" true
check "evil INFO: the version is kept, sanitized" \
    sh -c 'jq -r ".[] | select(.name == \"redis-evil-info\") |
    .figures.version" "$1" | grep -q HACKED' sh "$HC_OUT"
is "evil INFO: a bgsave status not ok is crit" \
    "$(hc_get redis-evil-info .state)" crit
check "evil INFO: the summary, then what failed (not a bare '; ...')" \
    sh -c 'jq -r ".[] | select(.name == \"redis-evil-info\") | .message" \
    "$1" | grep -q "^[^;].* clients, PING [0-9.]* ms; last bgsave failed"' \
    sh "$HC_OUT"
is "evil error: crit" "$(hc_get redis-evil-error .state)" crit
is "evil PostgreSQL error: crit" "$(hc_get pg-evil-error .state)" crit
check "evil PostgreSQL error: the text is kept, sanitized" \
    sh -c 'jq -r ".[] | select(.name == \"pg-evil-error\") | .message" "$1" |
    grep -q "HACKED"' sh "$HC_OUT"
clean "$HC_TMP/json" "JSON"
check "JSON: no escaped control characters" \
    sh -c '! grep -qi "\\\\u00[01]\\|\\\\u007f\\|\\\\u009" "$1"' sh \
    "$HC_TMP/json"
hc_text
cat "$HC_OUT" "$HC_ERR" >"$HC_TMP/text"
check "line mode: the summary and a line per check" \
    sh -c 'test "$(grep -c "^[A-Z]* - " "$1")" = 4' sh "$HC_OUT"
clean "$HC_TMP/text" "line mode"
echo "# $(head -c 300 "$HC_OUT" | tr '\n' ' ')"

hc_done
