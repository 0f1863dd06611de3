#!/bin/sh
# Terminal injection through PostgreSQL notices, with a real server: a
# database owner who is not a superuser sets default_text_search_config to
# a value full of escape sequences (retitle, OSC 52 clipboard, clear
# screen), so every new connection gets a WARNING quoting it.  The raw
# bytes maintop writes to its terminal (script(1)) in "check", "snapshot"
# and the dashboard must hold none of them; the notice is kept, sanitized,
# as the check's "notice" figure.  TAP.
SERVERS_NO_TRAP=1
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/screen/lib.sh"
. "$top_srcdir/tests/lib/servers.sh"
trap 'servers_stop_all; screen_cleanup' EXIT
trap 'servers_stop_all; screen_cleanup; trap - EXIT; exit 143' INT TERM HUP

servers_require pg jq script
"$MAINTOP" --version >/dev/null 2>&1 || bail "$MAINTOP does not run"
servers_start_pg || bail "PostgreSQL did not start"

servers_psql -d postgres -c "CREATE DATABASE evil OWNER $PG_APP_USER" ||
    bail "cannot create the database"
# As the owner, not a superuser: the server accepts an unknown text search
# configuration here with a NOTICE, and warns at every connection.
PGPASSWORD=$PG_APP_PASSWORD psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 \
    -p "$PGPORT_TEST" -U "$PG_APP_USER" -d evil -c "ALTER DATABASE evil SET
    default_text_search_config = E'pg_catalog.x\\x1b]0;PWNED\\x07\\x1b]52;c;cHduZWQ=\\x07\\x1b[2J\\x1b[31mRED'" \
    >/dev/null 2>&1 || bail "the owner cannot set the parameter"
PGPASSWORD=$PG_MONITOR_PASSWORD psql -X -h 127.0.0.1 -p "$PGPORT_TEST" \
    -U monitor -d evil -c "SELECT 1" >/dev/null 2>"$SCREEN_TMP/psql.err"
grep -q PWNED "$SCREEN_TMP/psql.err" ||
    bail "the server sends no warning on connection"

run=$SCREEN_TMP/run
mkdir -p "$run/state"
cat >"$run/maintop.conf" <<EOF
settings = { name = "notices"; timezone = "UTC"; state_dir = "state"; };
postgres = ( { name = "evil"; interval = "1s";
  conninfo = "host=127.0.0.1 port=$PGPORT_TEST dbname=evil user=monitor";
  password_file = "$PG_MONITOR_PASSFILE"; } );
EOF

# raw FILE WHAT: no byte of the notice's sequences in what was written.
raw() {
	! grep -q "$(printf '\033')]" "$1"
	screen_ok $? "$2: no OSC sequence (title, clipboard) in the raw bytes"
	! grep -q "PWNED$(printf '\007')" "$1"
	screen_ok $? "$2: no BEL after the injected title"
	! grep -q "$(printf '\033')\[31mRED" "$1"
	screen_ok $? "$2: no injected colour"
}

# script(1) gives maintop a terminal and keeps every byte it writes.
script -q -e -c "'$MAINTOP' check -c '$run/maintop.conf'" \
    "$run/check.raw" >/dev/null 2>&1
grep -q "OK - evil" "$run/check.raw"
screen_ok $? "check: the check is read (OK)"
raw "$run/check.raw" "check"

script -q -e -c "'$MAINTOP' check --json -c '$run/maintop.conf'" \
    "$run/json.raw" >/dev/null 2>&1
"$MAINTOP" check --json -c "$run/maintop.conf" >"$run/json" 2>/dev/null
jq -r '.[0].figures.notice' "$run/json" |
    grep -q 'invalid value for parameter "default_text_search_config"'
screen_ok $? "check --json: the notice is kept as a figure"
jq -r '.[0].figures.notice' "$run/json" | grep -q "$(printf '\033')"
screen_ok $((! $?)) "check --json: the figure is sanitized"
raw "$run/json.raw" "check --json"

script -q -e -c "'$MAINTOP' snapshot -c '$run/maintop.conf'" \
    "$run/snap.raw" >/dev/null 2>&1
grep -q "evil" "$run/snap.raw"
screen_ok $? "snapshot: the check is listed"
raw "$run/snap.raw" "snapshot"

# The dashboard, in tmux, under script(1): ncurses' own sequences are
# there, the server's are not.  The connection is opened again and again.
cd "$run" || exit 1
screen_start 120 24 script -q -f -c "'$MAINTOP' -c maintop.conf" \
    "$run/dash.raw"
cd - >/dev/null || exit 1
screen_keys 2 z
screen_wait " ok "
screen_ok $? "dashboard: the check is ok"
servers_psql -d postgres -c "SELECT pg_terminate_backend(pid) FROM
    pg_stat_activity WHERE datname = 'evil'" >/dev/null
sleep 1
screen_keys Enter
screen_wait "notice"
screen_ok $? "dashboard: the details show the notice figure"
# Q quits from any view (Escape then q would read as Alt-q).
screen_keys Q
i=0
while ! grep -q "\[exit" "$SCREEN_TMP/pane" 2>/dev/null && [ $i -lt 50 ]; do
	screen_capture >"$SCREEN_TMP/pane"
	sleep 0.1; i=$((i + 1))
done
raw "$run/dash.raw" "dashboard"
screen_done
