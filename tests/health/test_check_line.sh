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

. "${top_srcdir:-.}/tests/lib/tap.sh"

for p in redis-server:redis-server python3:python3; do
	command -v "${p%%:*}" >/dev/null ||
		skip_all "${p%%:*} not found: apt-get install ${p#*:}"
done
"$MAINTOP" check --help >/dev/null 2>&1 || bail "$MAINTOP does not run"

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
redis-cli -p "$rport" set k v >/dev/null 2>&1 ||
	bail "redis-server did not start on port $rport: $(tail -n 3 "$tmp/redis.log")"

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
[ $rc -eq 0 ]
ok $? "redis check ok exits 0 (got $rc)"
grep -q "^OK - cache master" "$tmp/out"
ok $? "OK line for redis"
grep -q "'cache latency'=[0-9.]*s" "$tmp/out"
ok $? "perfdata has latency, labelled with the check"
grep -q "'cache connected_clients'=" "$tmp/out"
ok $? "perfdata has clients"

"$MAINTOP" check -c "$tmp/m.conf" --json cache >"$tmp/json" 2>/dev/null
python3 -c "
import json,sys
a = json.load(open(sys.argv[1]))
f = a[0][\"figures\"]
assert a[0][\"name\"] == \"cache\" and a[0][\"type\"] == \"redis\"
assert a[0][\"state\"] == \"ok\" and a[0][\"latency\"] >= 0
assert f[\"role\"] == \"master\" and f[\"maxmemory\"] == 100*1024*1024
assert f[\"db0.keys\"] == 1 and f[\"slowlog_len\"] >= 0
assert 0 < f[\"memory_pct\"] < 50
" "$tmp/json"
ok $? "json figures read from the server"

"$MAINTOP" check -c "$tmp/m.conf" refused >"$tmp/out" 2>/dev/null
rc=$?
[ $rc -eq 2 ]
ok $? "refused port exits 2"
grep -q "^CRITICAL - refused cannot connect" "$tmp/out"
ok $? "refused port message"

MAINTOP_TEST_RPW=wrong-secret-xyz "$MAINTOP" check -c "$tmp/m.conf" badpw \
    >"$tmp/out" 2>&1
grep -q "^CRITICAL - badpw authentication failed" "$tmp/out"
ok $? "wrong password is crit"
! grep -q wrong-secret-xyz "$tmp/out"
ok $? "password never printed"

"$MAINTOP" check -c "$tmp/m.conf" silent_redis silent_pg silent_http \
    >"$tmp/out" 2>/dev/null
rc=$?
[ $rc -eq 2 ]
ok $? "silent servers exit 2"
for c in silent_redis silent_pg silent_http; do
	grep -q "^CRITICAL - $c timeout after 1s" "$tmp/out"
	ok $? "$c: crit with a timeout message"
done

"$MAINTOP" check -c "$tmp/m.conf" nosuch >"$tmp/out" 2>/dev/null
rc=$?
[ $rc -eq 3 ]
ok $? "unknown check name exits 3"
grep -q "^UNKNOWN - no check named .nosuch." "$tmp/out"
ok $? "unknown name message"

echo "1..$n"
