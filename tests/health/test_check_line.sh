#!/bin/sh
# "maintop check" against real local servers: a Redis started here, a port
# that refuses, and a listener that accepts and never answers (the probes
# must turn crit with a timeout message at their deadline).  Prints TAP.
# Skips when redis-server or python3 is missing or maintop cannot run yet.

: "${MAINTOP:=./maintop}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/maintop-health.XXXXXX") || exit 1
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { if eval "$1"; then ok "$2"; else notok "$2"; fi; }

for p in redis-server:redis-server python3:python3; do
	command -v "${p%%:*}" >/dev/null ||
		{ echo "1..0 # SKIP ${p%%:*} not found: apt-get install ${p#*:}"; exit 0; }
done
if ! "$MAINTOP" check --help >/dev/null 2>&1; then
	echo "Bail out! $MAINTOP does not run"
	exit 1
fi

# Free ports chosen by the kernel.
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rport=$(port)
sport=$(port)
redis-server --port "$rport" --bind 127.0.0.1 --save "" \
    --maxmemory 100mb >"$tmp/redis.log" 2>&1 &
pids="$pids $!"
# A listener whose connections are accepted by the kernel, never answered.
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64)
time.sleep(600)' "$sport" &
pids="$pids $!"
i=0
while ! redis-cli -p "$rport" ping >/dev/null 2>&1 && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
redis-cli -p "$rport" set k v >/dev/null 2>&1

cat >"$tmp/m.conf" <<CONF
settings = { timeout = 1; };
redis = (
  { name = "cache"; port = $rport; memory_pct_warn = 50; },
  { name = "refused"; port = 1; },
  { name = "silent_redis"; port = $sport; },
  { name = "badpw"; port = $rport; password_env = "MAINTOP_TEST_RPW"; }
);
postgres = (
  { name = "silent_pg"; conninfo = "host=127.0.0.1 port=$sport user=x dbname=x"; }
);
http = (
  { name = "silent_http"; url = "http://127.0.0.1:$sport/"; }
);
CONF

"$MAINTOP" check -c "$tmp/m.conf" cache >"$tmp/out" 2>"$tmp/err"
rc=$?
check '[ $rc -eq 0 ]' "redis check ok exits 0 (got $rc)"
check 'grep -q "^OK - cache master" "$tmp/out"' "OK line for redis"
check 'grep -q "'"'cache latency'"'=[0-9.]*s" "$tmp/out"' "perfdata has latency, labelled with the check"
check 'grep -q "'"'cache connected_clients'"'=" "$tmp/out"' "perfdata has clients"

"$MAINTOP" check -c "$tmp/m.conf" --json cache >"$tmp/json" 2>/dev/null
check 'python3 -c "
import json,sys
a = json.load(open(sys.argv[1]))
f = a[0][\"figures\"]
assert a[0][\"name\"] == \"cache\" and a[0][\"type\"] == \"redis\"
assert a[0][\"state\"] == \"ok\" and a[0][\"latency\"] >= 0
assert f[\"role\"] == \"master\" and f[\"maxmemory\"] == 100*1024*1024
assert f[\"db0.keys\"] == 1 and f[\"slowlog_len\"] >= 0
assert 0 < f[\"memory_pct\"] < 50
" "$tmp/json"' "json figures read from the server"

"$MAINTOP" check -c "$tmp/m.conf" refused >"$tmp/out" 2>/dev/null
rc=$?
check '[ $rc -eq 2 ]' "refused port exits 2"
check 'grep -q "^CRITICAL - refused cannot connect" "$tmp/out"' \
    "refused port message"

MAINTOP_TEST_RPW=wrong-secret-xyz "$MAINTOP" check -c "$tmp/m.conf" badpw \
    >"$tmp/out" 2>&1
check 'grep -q "^CRITICAL - badpw authentication failed" "$tmp/out"' \
    "wrong password is crit"
check '! grep -q wrong-secret-xyz "$tmp/out"' "password never printed"

"$MAINTOP" check -c "$tmp/m.conf" silent_redis silent_pg silent_http \
    >"$tmp/out" 2>/dev/null
rc=$?
check '[ $rc -eq 2 ]' "silent servers exit 2"
for c in silent_redis silent_pg silent_http; do
	check 'grep -q "^CRITICAL - $c timeout after 1s" "$tmp/out"' \
	    "$c: crit with a timeout message"
done

"$MAINTOP" check -c "$tmp/m.conf" nosuch >"$tmp/out" 2>/dev/null
rc=$?
check '[ $rc -eq 3 ]' "unknown check name exits 3"
check 'grep -q "^UNKNOWN - no check named .nosuch." "$tmp/out"' \
    "unknown name message"

echo "1..$n"
