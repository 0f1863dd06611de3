#!/bin/sh
# What a dashboard on a team store holds and reads, counted by the store
# itself (a real PostgreSQL with pg_stat_statements, the dashboard in tmux
# as bob): at rest, two connections (its statements' and its LISTEN); a
# debt change rereads the debt list and not the journal; a run rereads the
# journal and not the debt list.  TAP.
SERVERS_NO_TRAP=1
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/screen/lib.sh"
STORE_PG_ARGS="-c shared_preload_libraries=pg_stat_statements"
. "$top_srcdir/tests/store/lib.sh"
trap 'servers_stop_all; screen_cleanup' EXIT
trap 'servers_stop_all; screen_cleanup; trap - EXIT; exit 143' INT TERM HUP

store_team
sq "CREATE EXTENSION pg_stat_statements" >/dev/null ||
	bail "pg_stat_statements cannot be created (it comes with postgresql)"
# conf NAME CONNINFO [password_env]
conf() {
	cat > "$tmp/$1.conf" <<EOF2
settings = { state_dir = "$tmp/$1"; timezone = "UTC";
  store = { conninfo = "$2"; $3 }; };
runbooks = (
  { name = "quick"; steps = ( { name = "s"; confirm = false; run = "true"; } ); },
  { name = "failover"; steps = ( { name = "t"; confirm = false; run = "true"; } ); }
);
EOF2
}
conf a "$ci_w" 'password_env = "STORE_PW";'
conf b "$ci_b"
# The dashboard's password: bob's ~/.pgpass (never on a command line).
printf '127.0.0.1:%s:team:bob:%s\n' "$PGPORT_TEST" "$B_PW" > "$HOME/.pgpass"
chmod 600 "$HOME/.pgpass"
da() { STORE_PW=$W_PW "$MAINTOP" debt -c "$tmp/a.conf" "$@"; }
ra() { STORE_PW=$W_PW "$MAINTOP" run -c "$tmp/a.conf" --yes "$@"; }
# calls WHAT: bob's statements holding WHAT since the last reset.
calls() { sq "SELECT coalesce(sum(s.calls), 0) FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = 'bob' AND s.query LIKE '%$1%'"; }
# The statements that read the debt list and the journal.
DEBT='version, item FROM maintop.debt_items'
JOURNAL='FROM maintop.journal'
reset() { sq "SELECT pg_stat_statements_reset()" >/dev/null; }
bob_conns() { sq "SELECT count(*) FROM pg_stat_activity WHERE usename = 'bob'"; }
at_least() { [ "$("$2" "$3")" -ge "$1" ]; }
on_screen() { screen_wait "$1"; ok $? "$2"; }

is "alice adds an item" "$(da add --title "Old TLS" --priority high 2>&1)" "added D-0001"
# A long team journal: 5000 records of another runbook's runs.
sq "INSERT INTO maintop.journal (id, type, run, runbook, actor, record)
    SELECT 'old-' || i, t, 'r' || (i / 2), 'archive', 'alice',
        json_build_object('type', t, 'run', 'r' || (i / 2),
            'runbook', 'archive', 'user', 'alice', 'result', 'success',
            'start', '2026-01-01T00:00:00Z', 'end', '2026-01-01T00:00:01Z')
    FROM generate_series(0, 4999) AS i,
        LATERAL (SELECT CASE WHEN i % 2 = 0 THEN 'run_start' ELSE 'run_end' END AS t) AS x" >/dev/null ||
	bail "cannot fill the journal"

screen_start 150 60 "$MAINTOP" -c "$tmp/b.conf"
screen_wait "Calendar" >/dev/null || bail "the dashboard did not start"
on_screen "Old TLS" "the dashboard shows the store's debt list"
# The agent line reads the agents' state once at the start.
wait_for "the agent line's first reading" at_least 1 calls maintop.agent_state
is "at rest, the dashboard holds two connections: its statements' and its LISTEN" \
    "$(bob_conns)" 2

# A debt change: the debt list is read again, the journal is not.  Then a
# record of a run shows: the reading that shows it is the journal's
# first since the debt change.
reset
is "alice edits the item" "$(da edit D-0001 --title "New TLS" 2>&1)" "saved D-0001"
on_screen "New TLS" "the debt change shows"
is "... read once from the debt list" "$(calls "$DEBT")" 1
# run RUN RESULT: the records of a run of failover (its start and end),
# as SQL that inserts them.
run() {
	for _t in run_start run_end; do
		printf "INSERT INTO maintop.journal (id, type, run, runbook, actor, record) VALUES ('%s-%s', '%s', '%s', 'failover', 'alice', '{\"type\":\"%s\",\"run\":\"%s\",\"runbook\":\"failover\",\"user\":\"alice\",\"result\":\"%s\",\"start\":\"2026-01-01T00:00:00Z\",\"end\":\"2026-01-01T00:00:01Z\"}');\n" \
		    "$1" $_t $_t "$1" $_t "$1" "$2"
	done
	echo "SELECT pg_notify('maintop', 'journal failover');"
}
sq "$(run x1 failed)" >/dev/null || bail "cannot add a run"
wait_for "the record on bob's dashboard" eval 'screen_capture | grep -qE "failover +failed"'
is "the journal was not read for the debt change (read once, for the record)" \
    "$(calls "$JOURNAL")" 1

# A run: the journal's new records are read, the debt list is not.  Then
# a debt change shows: its reading is the debt list's first since.
reset
ra quick >/dev/null 2>&1 || bail "alice's run of quick failed"
wait_for "the run on bob's dashboard" eval 'screen_capture | grep -qE "quick +success"'
ok 0 "alice's run shows on bob's dashboard"
is "alice edits the item again" "$(da edit D-0001 --title "Newer TLS" 2>&1)" "saved D-0001"
on_screen "Newer TLS" "the debt change shows"
is "the debt list was not read for the run (read once, for the change)" \
    "$(calls "$DEBT")" 1
eventually "once the run's watch is over, two connections again" 2 bob_conns

echo "1..$n"
