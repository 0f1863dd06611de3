#!/bin/sh
# The PostgreSQL probe against a real server (tests/lib/servers.sh): every
# figure compared with what psql reads, as the pg_monitor role "monitor" and
# as the plain role "app" (which gets "unavailable"), thresholds, a wrong
# password that is never printed, and max_connections exhausted.  TAP.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/health/common.sh"

hc_init pg psql
if ! servers_start_pg; then
	bail "PostgreSQL did not start"
fi

conf() {
	hc_conf <<EOF
settings = { timeout = "5s"; };
postgres = (
  { name = "mon"; conninfo = "$PG_CONNINFO_TEST";
    password_file = "$PG_MONITOR_PASSFILE"; },
  { name = "app";
    conninfo = "host=127.0.0.1 port=$PGPORT_TEST dbname=maintop user=app";
    password_env = "HC_APP_PW"; },
  { name = "busy"; conninfo = "$PG_CONNINFO_TEST";
    password_file = "$PG_MONITOR_PASSFILE";
    connections_pct_warn = 10; connections_pct_crit = 90; },
  { name = "strict"; conninfo = "$PG_CONNINFO_TEST";
    password_file = "$PG_MONITOR_PASSFILE";
    connections_pct_warn = 10; connections_pct_crit = 15;
    dead_ratio_warn = 0.2; dead_ratio_crit = 0.4; },
  { name = "badpw"; conninfo = "$PG_CONNINFO_TEST";
    password_env = "HC_BAD_PW"; }
);
EOF
}
conf
export HC_APP_PW="$PG_APP_PASSWORD"
export HC_BAD_PW="Wrong-Pass-9f7e2d"
sq() { servers_psql -Atc "$1"; }

# Sessions that stay connected (and busy) while the checks run: a known
# number of client backends, and a long-running query and transaction.
holders=
hold() {
	# hold N USER: N sessions of USER over TCP running pg_sleep(300).
	_i=0
	while [ "$_i" -lt "$1" ]; do
		PGPASSFILE=$PGPASSFILE_TEST psql -X -q -h 127.0.0.1 \
		    -p "$PGPORT_TEST" -U "$2" -d maintop \
		    -c "SELECT pg_sleep(300)" >/dev/null 2>&1 &
		holders="$holders $!"
		_i=$((_i + 1))
	done
}
sleepers() {
	sq "SELECT count(*) FROM pg_stat_activity WHERE
	    query LIKE 'SELECT pg_sleep%' AND pid <> pg_backend_pid()"
}
hold_exactly() {
	# hold_exactly N USER: add sessions one by one until N run pg_sleep.
	_try=0
	while [ "$(sleepers)" -lt "$1" ] && [ "$_try" -lt 30 ]; do
		_have=$(sleepers)
		PGPASSFILE=$PGPASSFILE_TEST psql -X -q -h 127.0.0.1 \
		    -p "$PGPORT_TEST" -U "$2" -d maintop \
		    -c "SELECT pg_sleep(300)" >/dev/null 2>&1 &
		_pid=$!
		holders="$holders $_pid"
		_i=0
		while kill -0 "$_pid" 2>/dev/null &&
		    [ "$(sleepers)" -le "$_have" ] && [ "$_i" -lt 100 ]; do
			sleep 0.1; _i=$((_i + 1))
		done
		_try=$((_try + 1))
	done
	[ "$(sleepers)" -eq "$1" ] || echo "# holding $(sleepers), not $1"
}
release() {
	# A backend notices a client gone only when it writes: end them.
	[ -z "$holders" ] || sq "SELECT count(pg_terminate_backend(pid))
	    FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%'
	    AND pid <> pg_backend_pid()" >/dev/null 2>&1
	for _p in $holders; do kill "$_p" 2>/dev/null; done
	for _p in $holders; do wait "$_p" 2>/dev/null; done
	holders=
	_i=0
	while [ "$(sq "SELECT count(*) FROM pg_stat_activity WHERE
	    query LIKE 'SELECT pg_sleep%' AND pid <> pg_backend_pid()")" != 0 ] &&
	    [ "$_i" -lt 100 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
}
wait_backends() {
	# wait_backends N: until N sessions run pg_sleep.
	_i=0
	while [ "$(sq "SELECT count(*) FROM pg_stat_activity WHERE
	    query LIKE 'SELECT pg_sleep%' AND pid <> pg_backend_pid()")" -lt "$1" ] &&
	    [ "$_i" -lt 300 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	[ "$_i" -lt 300 ] || echo "# only $(sq "SELECT count(*) FROM
	    pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%'") sessions"
}
trap 'release; servers_stop_all' EXIT
trap 'release; servers_stop_all; trap - EXIT; exit 143' INT TERM HUP

# --- figures as the pg_monitor role ------------------------------------------

# Dead tuples: 2000 rows, 1000 deleted, autovacuum off for the table; wait
# until the statistics show them.
sq "CREATE TABLE dead (i int) WITH (autovacuum_enabled = off);
    INSERT INTO dead SELECT generate_series(1, 2000);
    DELETE FROM dead WHERE i % 2 = 0;" >/dev/null
i=0
while [ "$(sq "SELECT n_dead_tup FROM pg_stat_user_tables
    WHERE relname = 'dead'")" != 1000 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
# Burn some transaction IDs so that the age is not the initial one.
for i in 1 2 3 4 5 6 7 8 9 10; do sq "SELECT txid_current()" >/dev/null; done

hold 3 app
wait_backends 3
want_version=$(sq "SHOW server_version")
want_xid=$(sq "SELECT max(age(datfrozenxid)) FROM pg_database")
want_size=$(sq "SELECT pg_database_size('maintop')")
want_uptime=$(sq "SELECT extract(epoch FROM now() - pg_postmaster_start_time())::int")
want_clients=$(sq "SELECT count(*) FROM pg_stat_activity
    WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")
hc_run mon
is "monitor: exit 0" "$HC_RC" 0
is "monitor: state ok" "$(hc_get mon .state)" ok
is "monitor: version" "$(hc_fig mon version)" "$want_version"
# The held sessions, plus maintop's own connection.
is "monitor: connections in use" "$(hc_fig mon connections)" \
    "$((want_clients + 1))"
is "monitor: max_connections" "$(hc_fig mon max_connections)" 20
near "monitor: connections_pct" "$(hc_fig mon connections_pct)" \
    "$(awk -v c="$want_clients" 'BEGIN { print 100 * (c + 1) / 20 }')" 0.01
near "monitor: uptime" "$(hc_fig mon uptime)" "$want_uptime" 5
check "monitor: uptime grows with the server" \
    awk -v u="$(hc_fig mon uptime)" 'BEGIN { exit !(u > 0) }'
near "monitor: xid age" "$(hc_fig mon xid_age)" "$want_xid" 5
check "monitor: xid age counts the burnt IDs" \
    awk -v a="$(hc_fig mon xid_age)" 'BEGIN { exit !(a >= 10) }'
near "monitor: database size" "$(hc_fig mon db_size)" "$want_size" 65536
is "monitor: database" "$(hc_fig mon database)" maintop
near "monitor: dead-tuple ratio" "$(hc_fig mon dead_ratio)" 0.5 0.001
is "monitor: table least recently vacuumed" "$(hc_fig mon vacuum_oldest)" \
    public.dead
is "monitor: it was never vacuumed" "$(hc_fig mon vacuum_age)" never
near "monitor: its dead-tuple ratio" "$(hc_fig mon vacuum_dead_ratio)" \
    0.5 0.001
is "monitor: table least recently analyzed" \
    "$(hc_fig mon analyze_oldest)" public.dead
is "monitor: replication role" "$(hc_fig mon role)" primary
is "monitor: no replicas" "$(hc_fig mon replicas)" 0
check "monitor: sees the longest running query (pg_sleep)" \
    awk -v q="$(hc_fig mon longest_query)" 'BEGIN { exit !(q > 0) }'
check "monitor: sees the oldest open transaction" \
    awk -v q="$(hc_fig mon oldest_xact)" 'BEGIN { exit !(q > 0) }'
check "monitor: query latency measured" \
    awk -v l="$(hc_get mon .latency)" 'BEGIN { exit !(l > 0) }'
check "monitor: connect time shown apart" \
    awk -v l="$(hc_get mon .connect)" 'BEGIN { exit !(l > 0) }'
is "monitor: JSON type" "$(hc_get mon .type)" postgres
is "monitor: target has no password" "$(hc_get mon .target)" \
    "monitor@127.0.0.1:$PGPORT_TEST/maintop"

# --- the same as a role without pg_monitor -----------------------------------

# The held sessions are this role's own, which it may see: a figure over
# them alone would mislead, so it is still unavailable.
hc_run app
is "plain role: state ok" "$(hc_get app .state)" ok
is "plain role: oldest transaction unavailable" "$(hc_fig app oldest_xact)" \
    unavailable
is "plain role: longest query unavailable" "$(hc_fig app longest_query)" \
    unavailable
is "plain role: still counts connections" "$(hc_fig app connections)" \
    "$((want_clients + 1))"
is "plain role: version" "$(hc_fig app version)" "$want_version"
is "plain role: role primary" "$(hc_fig app role)" primary

# --- thresholds --------------------------------------------------------------

hc_run busy
is "connections_pct_warn 10: exit 1" "$HC_RC" 1
is "connections_pct_warn 10: warn" "$(hc_get busy .state)" warn
check "the message names the figure" grep -q 'connections_pct' "$HC_OUT"
hc_text busy
check "line mode: WARNING line with perfdata limits" \
    sh -c 'grep -q "^WARNING - busy " "$1" && grep -q "'"'busy connections_pct'"'=[0-9.]*%;10;90" "$1"' sh "$HC_OUT"
hc_run strict
is "connections_pct_crit 15 and dead_ratio_crit 0.4: exit 2" "$HC_RC" 2
is "... crit" "$(hc_get strict .state)" crit
check "... the message names dead_ratio" grep -q 'dead_ratio' "$HC_OUT"

# mon, busy and strict have the same connection parameters: one connection
# (one backend) serves the three, each with its own thresholds.
hc_run mon busy strict
is "one connection per target: all three answered" \
    "$(jq -r '[.[] | select(.message | test("PostgreSQL"))] | length' \
    "$HC_OUT")" 3
is "one connection per target: maintop counted once" \
    "$(hc_fig busy connections)" "$((want_clients + 1))"
is "... the same count for the three" \
    "$(hc_fig mon connections) $(hc_fig strict connections)" \
    "$((want_clients + 1)) $((want_clients + 1))"
is "... each its own state" \
    "$(hc_get mon .state) $(hc_get busy .state) $(hc_get strict .state)" \
    "ok warn crit"
is "... the connect time goes to those who waited for it" \
    "$(jq -r '[.[] | select(.connect > 0)] | length' "$HC_OUT")" 3
release

# --- a wrong password --------------------------------------------------------

hc_run badpw
is "wrong password: exit 2" "$HC_RC" 2
is "wrong password: crit" "$(hc_get badpw .state)" crit
check "wrong password: says authentication failed" \
    grep -q 'password authentication failed' "$HC_OUT"
check "wrong password: never in the JSON or stderr" \
    sh -c '! grep -q "$HC_BAD_PW" "$1" "$2"' sh "$HC_OUT" "$HC_ERR"
hc_text badpw
check "wrong password: CRITICAL line" grep -q '^CRITICAL - badpw' "$HC_OUT"
check "wrong password: never in the line or stderr" \
    sh -c '! grep -q "$HC_BAD_PW" "$1" "$2"' sh "$HC_OUT" "$HC_ERR"
check "the right password never printed either" \
    sh -c '! grep -q "$1" "$2" "$3"' sh "$PG_MONITOR_PASSWORD" "$HC_OUT" \
    "$HC_ERR"

# --- max_connections exhausted -----------------------------------------------

# Restart with 6 connections, 3 of them for superusers: the 3 others are
# taken by "app" sessions, so "monitor" cannot get in.
servers_stop pg
if servers_start_pg -c max_connections=6 -c superuser_reserved_connections=3
then
	# Exactly the 3 unreserved slots taken by "app", one at a time:
	# connections starting together can refuse each other (each takes a
	# slot before the reserved-slot check), so a refused one is retried.
	hold_exactly 3 app
	hc_run mon
	is "max_connections exhausted: exit 2" "$HC_RC" 2
	is "max_connections exhausted: crit" "$(hc_get mon .state)" crit
	msg=$(hc_get mon .message)
	case $msg in
	"cannot connect: "*"connection slots are reserved"*|\
	"cannot connect: "*"too many clients"*)
		ok 0 "max_connections exhausted: clear message" ;;
	*)	ok 1 "max_connections exhausted: clear message"
		echo "#   got: $msg" ;;
	esac
	release
	hc_run mon
	is "slots free again: ok" "$(hc_get mon .state)" ok
	is "slots free again: max_connections 6" \
	    "$(hc_fig mon max_connections)" 6
else
	ok 1 "PostgreSQL restarts with max_connections=6"
fi

hc_done
