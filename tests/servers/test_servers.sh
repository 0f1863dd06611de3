#!/bin/sh
# Starts every test server through tests/lib/servers.sh, checks with the
# servers' own clients that each answers as documented, and checks that
# stopping (also from a failing or killed test) leaves nothing behind.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=.}"
export top_srcdir top_builddir
. "$top_srcdir/tests/lib/servers.sh"

servers_require pg redis http curl psql redis-cli openssl

. "$top_srcdir/tests/lib/tap.sh"

# --- the skip path ----------------------------------------------------------
out=$(servers_require no-such-command-maintop)
want="1..0 # SKIP no-such-command-maintop not found:"
want="$want apt-get install no-such-command-maintop"
is "servers_require skips with the package to install" "$out" "$want"

# --- PostgreSQL -------------------------------------------------------------
servers_start_pg
ok $? "servers_start_pg"

mon() {
	PGPASSWORD=$PG_MONITOR_PASSWORD PGCONNECT_TIMEOUT=10 psql -X -A -t \
	    -h 127.0.0.1 -p "$PGPORT_TEST" -U monitor -d maintop "$@"
}
is "monitor logs in over TCP with its password and is in pg_monitor" \
    "$(mon -c "SELECT pg_has_role('monitor', 'pg_monitor', 'MEMBER')" 2>&1)" t
is "monitor is not a superuser" \
    "$(mon -c "SELECT rolsuper FROM pg_roles WHERE rolname = 'monitor'")" f
is "max_connections is 20" "$(mon -c 'SHOW max_connections')" 20
is "fsync is off" "$(mon -c 'SHOW fsync')" off
is "PostgreSQL listens on 127.0.0.1 only" \
    "$(mon -c 'SHOW listen_addresses')" 127.0.0.1
is "the monitor password file holds the password" \
    "$(cat "$PG_MONITOR_PASSFILE")" "$PG_MONITOR_PASSWORD"
is "the password file is private" \
    "$(stat -c %a "$PG_MONITOR_PASSFILE")" 600
is "PGPASSFILE_TEST works for the app role" \
    "$(PGPASSFILE=$PGPASSFILE_TEST psql -X -A -t -w -h 127.0.0.1 \
    -p "$PGPORT_TEST" -U app -d maintop -c 'SELECT current_user')" app
PGPASSWORD=wrong PGCONNECT_TIMEOUT=10 psql -X -w -h 127.0.0.1 \
    -p "$PGPORT_TEST" -U app -d maintop -c 'SELECT 1' >/dev/null 2>&1
rc=$?
check "a wrong password is refused" test "$rc" != 0
is "servers_psql runs SQL as the superuser" "$(servers_psql -Atc \
    'SELECT rolsuper FROM pg_roles WHERE rolname = current_user')" t
if [ "$(id -u)" = 0 ]; then
	is "as root, PostgreSQL runs as $SERVERS_USER" \
	    "$(stat -c %U "$PGDATA_TEST")" "$SERVERS_USER"
else
	is "PostgreSQL runs as us" "$(stat -c %u "$PGDATA_TEST")" "$(id -u)"
fi

port=$PGPORT_TEST
servers_stop pg
if servers_running pg; then rc=1; else rc=0; fi
ok $rc "servers_stop pg stops it"
mon -c 'SELECT 1' >/dev/null 2>&1
rc=$?
check "a stopped PostgreSQL refuses connections" test "$rc" != 0
servers_start_pg
ok $? "servers_start_pg again reuses the cluster"
is "on the same port" "$PGPORT_TEST" "$port"
servers_restart pg
ok $? "servers_restart pg"
is "the roles survive a restart" "$(mon -c 'SELECT 1')" 1

# --- Redis ------------------------------------------------------------------
servers_start_redis
ok $? "servers_start_redis"
is "redis answers PING" \
    "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT_TEST" ping)" PONG
is "redis does not save" "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT_TEST" \
    config get save | sed -n 2p)" ""
servers_start_redis auth
ok $? "servers_start_redis auth"
is "without a password: NOAUTH" "$(redis-cli -h 127.0.0.1 \
    -p "$REDIS_AUTH_PORT_TEST" ping 2>&1 | cut -d' ' -f1)" NOAUTH
is "with the password: PONG" "$(redis-cli -h 127.0.0.1 \
    -p "$REDIS_AUTH_PORT_TEST" -a "$REDIS_PASSWORD_TEST" --no-auth-warning \
    ping)" PONG
is "the ACL user: PONG" "$(redis-cli -h 127.0.0.1 -p "$REDIS_AUTH_PORT_TEST" \
    --user "$REDIS_ACL_USER_TEST" --pass "$REDIS_ACL_PASSWORD_TEST" \
    --no-auth-warning ping)" PONG
is "the ACL user may read INFO" "$(redis-cli -h 127.0.0.1 \
    -p "$REDIS_AUTH_PORT_TEST" --user "$REDIS_ACL_USER_TEST" \
    --pass "$REDIS_ACL_PASSWORD_TEST" --no-auth-warning info server |
    grep -c '^redis_version:')" 1
is "the ACL user with a wrong password is refused" "$(redis-cli \
    -h 127.0.0.1 -p "$REDIS_AUTH_PORT_TEST" --user "$REDIS_ACL_USER_TEST" \
    --pass wrong --no-auth-warning ping 2>&1 | grep -c WRONGPASS)" 1
redis-cli -h 127.0.0.1 -p "$REDIS_PORT_TEST" set k v >/dev/null
servers_restart redis
ok $? "servers_restart redis"
is "after a restart, on the same port, the data is gone (no save)" \
    "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT_TEST" dbsize)" 0

# --- HTTP -------------------------------------------------------------------
servers_start_http
ok $? "servers_start_http"
u=$HTTP_URL_TEST
is "/health" "$(curl -sS "$u/health")" '{"status":"ok"}'
is "/ is /health" "$(curl -sS -o /dev/null -w '%{http_code}' "$u/")" 200
is "/status/503" "$(curl -sS -o /dev/null -w '%{http_code}' \
    "$u/status/503")" 503
is "/status/500" "$(curl -sS -o /dev/null -w '%{http_code}' \
    "$u/status/500")" 500
is "/status/99 is refused" "$(curl -sS -o /dev/null -w '%{http_code}' \
    "$u/status/99")" 400
is "unknown paths answer 404" "$(curl -sS -o /dev/null -w '%{http_code}' \
    "$u/nope")" 404
check "/escape holds CSI clear screen" sh -c \
    "curl -sS '$u/escape' | grep -q \"$(printf '\033')\\[2J\""
check "/escape holds an OSC 52 clipboard write" sh -c \
    "curl -sS '$u/escape' | grep -q \"$(printf '\033')]52;\""
check "/escape holds C1 CSI (0x9b)" sh -c \
    "curl -sS '$u/escape' | od -An -tx1 | grep -q ' 9b'"
check "/escape holds invalid UTF-8 (0xff)" sh -c \
    "curl -sS '$u/escape' | od -An -tx1 | grep -q ' ff'"
# No timing assertion: the server cannot answer a 3 s request within 0.2 s
# unless it is broken, however slow this machine is.
curl -sS -m 0.2 "$u/slow?ms=3000" >/dev/null 2>&1
is "/slow?ms=3000 is not answered at once (curl times out)" "$?" 28
is "/slow?ms=10 answers" "$(curl -sS -o /dev/null -w '%{http_code}' \
    "$u/slow?ms=10")" 200
is "/slow?ms=abc is refused" "$(curl -sS -o /dev/null -w '%{http_code}' \
    "$u/slow?ms=abc")" 400
curl -sS -m 0.3 "$u/hang" >/dev/null 2>&1
is "/hang never answers (curl times out)" "$?" 28
is "/huge?mb=5 sends 5 MiB" "$(curl -sS "$u/huge?mb=5" | wc -c)" 5242880
is "/huge sends a Content-Length" "$(curl -sS -D - -o /dev/null \
    "$u/huge?mb=1" | tr -d '\r' | sed -n 's/^Content-Length: //p')" 1048576
m1=$(curl -sS "$u/metrics" | sed -n 's/^http_requests_total{code="200"} //p')
m2=$(curl -sS "$u/metrics" | sed -n 's/^http_requests_total{code="200"} //p')
check "/metrics counts requests by code" test "${m1:-0}" -gt 0
check "/metrics counter increases" test "${m2:-0}" -gt "${m1:-0}"
check "/metrics has a histogram" sh -c "curl -sS '$u/metrics' |
    grep -q '^http_request_duration_seconds_bucket{le=\"+Inf\"}'"
check "/metrics has a gauge" sh -c \
    "curl -sS '$u/metrics' | grep -q '^# TYPE demo_healthy gauge'"
is "/redirect is a 302 to /health" "$(curl -sS -o /dev/null \
    -w '%{http_code} %{redirect_url}' "$u/redirect")" \
    "302 $u/health"
is "/redirect followed" "$(curl -sSL "$u/redirect")" '{"status":"ok"}'
curl -sS -X POST "$u/toggle" >/dev/null
is "POST /toggle turns /health to 503" "$(curl -sS -o /dev/null \
    -w '%{http_code}' "$u/health")" 503
curl -sS -X POST "$u/toggle" >/dev/null
is "POST /toggle again turns it back" "$(curl -sS -o /dev/null \
    -w '%{http_code}' "$u/health")" 200
check "/echo echoes headers and body" sh -c "curl -sS -H 'X-Test: hello' \
    -d 'the-body' '$u/echo' | grep -q '^X-Test: hello' &&
    curl -sS -d 'the-body' '$u/echo' | grep -q 'the-body' &&
    curl -sS -X PUT '$u/echo' | grep -q '^PUT /echo'"
is "/header: the header with the value, 200" "$(curl -sS -o /dev/null \
    -w '%{http_code}' -H 'x-api-key: k 1' \
    "$u/header?name=X-Api-Key&value=k%201")" 200
is "/header: another value, 403" "$(curl -sS -o /dev/null -w '%{http_code}' \
    -H 'X-Api-Key: k2' "$u/header?name=X-Api-Key&value=k%201")" 403
is "/header: no such header, 401" "$(curl -sS -o /dev/null -w '%{http_code}' \
    "$u/header?name=X-Api-Key&value=k%201")" 401
is "/header: no name, 400" "$(curl -sS -o /dev/null -w '%{http_code}' \
    "$u/header?value=k")" 400
check "/header: the body never repeats the value" sh -c "! curl -sS \
    -H 'X-Api-Key: k2' '$u/header?name=X-Api-Key&value=k%201' | grep -q k"
is "HTTPS verifies with its certificate" "$(curl -sS \
    --cacert "$HTTPS_CERT_TEST" "$HTTPS_URL_TEST/health")" '{"status":"ok"}'
is "HTTPS by name localhost" "$(curl -sS --cacert "$HTTPS_CERT_TEST" \
    --resolve "localhost:$HTTPS_PORT_TEST:127.0.0.1" \
    "https://localhost:$HTTPS_PORT_TEST/health")" '{"status":"ok"}'
curl -sS "$HTTPS_URL_TEST/health" >/dev/null 2>&1
check "HTTPS without trusting the certificate fails" test "$?" != 0
is "the short-lived HTTPS verifies too" "$(curl -sS \
    --cacert "$HTTPS_SHORT_CERT_TEST" "$HTTPS_SHORT_URL_TEST/health")" \
    '{"status":"ok"}'
served() {
	_port=$1
	shift
	echo | openssl s_client -connect "127.0.0.1:$_port" \
	    -servername localhost 2>/dev/null | openssl x509 -noout "$@"
}
check "the short-lived certificate expires within 4 days" sh -c \
    "! { echo | openssl s_client -connect 127.0.0.1:$HTTPS_SHORT_PORT_TEST \
    2>/dev/null | openssl x509 -noout -checkend $((4 * 86400)); }"
check "... and not within 2 days" served "$HTTPS_SHORT_PORT_TEST" \
    -checkend $((2 * 86400))
check "the long-lived certificate lasts 300 days" served "$HTTPS_PORT_TEST" \
    -checkend $((300 * 86400))
check "the server shows a notAfter date" sh -c "echo |
    openssl s_client -connect 127.0.0.1:$HTTPS_SHORT_PORT_TEST -showcerts \
    2>/dev/null | openssl x509 -noout -enddate | grep -q '^notAfter='"
# Hostile clients: the server answers or drops them, and lives on.
is "a 2 MB body is refused" "$(head -c 2000000 /dev/zero | curl -sS \
    -o /dev/null -w '%{http_code}' --data-binary @- "$u/echo")" 413
is "a 70 KB header is refused" "$(curl -sS -o /dev/null -w '%{http_code}' \
    -H "X-Big: $(head -c 70000 /dev/zero | tr '\0' a)" "$u/echo")" 400
printf 'GARBAGE\r\n\r\n' | curl -sS -m 2 "telnet://127.0.0.1:$HTTP_PORT_TEST" \
    >"$SERVERS_TMP/garbage.out" 2>/dev/null
check "a garbage request line gets 400 or nothing" sh -c \
    "[ ! -s '$SERVERS_TMP/garbage.out' ] ||
    head -n 1 '$SERVERS_TMP/garbage.out' | grep -q ' 400 '"
head -c 65536 /dev/urandom | curl -sS -m 2 \
    "telnet://127.0.0.1:$HTTPS_PORT_TEST" >/dev/null 2>&1
is "/huge?mb=99999 is refused" "$(curl -sS -o /dev/null -w '%{http_code}' \
    "$u/huge?mb=99999")" 400
is "after hostile clients the server still answers" \
    "$(curl -sS "$u/health")" '{"status":"ok"}'

servers_restart http
ok $? "servers_restart http"
is "the same port answers after a restart" \
    "$(curl -sS "$u/health")" '{"status":"ok"}'

# --- stopping ---------------------------------------------------------------
pids=
for s in pg redis redis_auth http; do
	pids="$pids $(cat "$SERVERS_TMP/$s.pid")"
done
tmp=$SERVERS_TMP
servers_stop_all
left=
for p in $pids; do
	if _servers_alive "$p"; then left="$left $p"; fi
done
is "servers_stop_all leaves no server running" "$left" ""
check "servers_stop_all removes the directory" test ! -e "$tmp"
servers_stop_all
ok $? "servers_stop_all twice is harmless"

# A test that fails (exits 1 with servers up) still cleans up, by its
# EXIT trap; one killed by SIGTERM too.
for how in exit term; do
	info=$(mktemp "${TMPDIR:-/tmp}/maintop-servers-info.XXXXXX")
	SERVERS_TMP= sh -c '
		. "$top_srcdir/tests/lib/servers.sh"
		servers_start_redis >/dev/null 2>&1 || exit 3
		echo "$SERVERS_TMP $(cat "$SERVERS_TMP/redis.pid")" >"$1"
		if [ "$2" = term ]; then kill -TERM $$; sleep 5; fi
		exit 1' sh "$info" "$how" </dev/null >/dev/null 2>&1
	rc=$?
	set -- $(cat "$info")
	rm -f "$info"
	check "a test ending by $how (status $rc) stops its servers" \
	    sh -c "[ -n '${2:-}' ] && ! kill -0 '${2:-0}' 2>/dev/null"
	check "... and removes its directory" \
	    sh -c "[ -n '${1:-}' ] && [ ! -e '${1:-/}' ]"
done

# --- demo_start/demo_stop as an unprivileged user ---------------------------
demo=$top_builddir/tests/servers/test_demo
if [ "$(id -u)" = 0 ] && [ -x "$demo" ] &&
    setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
    test -x "$demo" 2>/dev/null; then
	out=$(cd / && TMPDIR=/tmp setpriv --reuid=nobody \
	    --regid="$(id -g nobody)" --clear-groups "$demo" 2>&1)
	rc=$?
	check "test_demo passes as nobody" test "$rc" = 0
	[ "$rc" = 0 ] || printf '%s\n' "$out" | sed 's/^/#   /'
else
	n=$((n + 1))
	echo "ok $n - # SKIP test_demo as nobody needs root and a build" \
	    "directory that nobody can read"
fi

echo "1..$n"
