#!/bin/sh
# "maintop demo --snapshot": the demo's real servers start, every check of
# its configuration answers, and nothing is left behind.
: "${top_srcdir:=.}" "${MAINTOP:=./maintop}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/maintop-demo-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# When run as root the servers run as an unprivileged user, who must be
# able to reach the demo's directory under $TMPDIR.
chmod 755 "$tmp"
for bin in redis-server; do
	command -v $bin >/dev/null || { echo "1..0 # SKIP $bin missing (apt-get install redis-server)"; exit 0; }
done
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 ||
	{ echo "1..0 # SKIP initdb missing (apt-get install postgresql)"; exit 0; }
export TMPDIR="$tmp" HOME="$tmp"
. "$top_srcdir/tests/lib/tap.sh"
"$MAINTOP" demo --snapshot > "$tmp/out" 2> "$tmp/err"
ok $? "maintop demo --snapshot exits 0"
grep -q "^OK  *cache  *redis" "$tmp/out"
ok $? "the demo's Redis answers"
grep -q "^OK  *api  *http" "$tmp/out"
ok $? "the demo's HTTP server answers"
grep -q "pg-main  *postgres .*PostgreSQL [0-9]" "$tmp/out"
ok $? "the demo's PostgreSQL answers"
grep -q "^CRITICAL payments .*500" "$tmp/out"
ok $? "the failing endpoint shows critical"
grep -q '^OK  *api-tls .*(in maintenance "cert-renewal" until' "$tmp/out" &&
    grep -q "^ACTIVE  *cert-renewal " "$tmp/out"
ok $? "a window open now holds api-tls in maintenance"
grep -q "^== Runbooks" "$tmp/out" && grep -q "^vacuum-orders" "$tmp/out"
ok $? "the demo has runbooks"
left=$(ls -d "$tmp"/maintop-demo.* 2>/dev/null | wc -l)
ok $([ "$left" -eq 0 ] && echo 0 || echo 1) "the demo's temporary directory is removed"
# The servers die with the demo (PDEATHSIG): wait for that, up to 10 s.
i=0
while pgrep -f "$tmp/maintop-demo" >/dev/null && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
! pgrep -f "$tmp/maintop-demo" >/dev/null
ok $? "no demo server is left running"
echo "1..$n"
