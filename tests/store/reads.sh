#!/bin/sh
# What a dashboard on a team store holds and reads, counted by the store
# itself (a real PostgreSQL with pg_stat_statements, the dashboard in tmux
# as bob): at rest, two connections (its statements' and its LISTEN); a
# debt change rereads the debt list and not the journal; a run rereads the
# journal, only the records after those already read however long the
# journal is, and not the debt list; a record committed after later ones
# were read still shows; the agent line reads the agents' state when one
# writes it, not on a timer.  TAP.
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
  { name = "failover"; steps = ( { name = "t"; confirm = false; run = "true"; } ); },
  { name = "backup"; steps = ( { name = "u"; confirm = false; run = "true"; } ); }
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
# calls WHAT / rows WHAT: bob's statements holding WHAT since the last
# reset, and the rows they returned.
calls() { sq "SELECT coalesce(sum(s.calls), 0) FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = 'bob' AND s.query LIKE '%$1%'"; }
rows() { sq "SELECT coalesce(sum(s.rows), 0) FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = 'bob' AND s.query LIKE '%$1%'"; }
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

# run RUNBOOK RUN RESULT: the records of a run (its start and end), as SQL
# that inserts them and tells the dashboards.
run() {
	for _t in run_start run_end; do
		printf "INSERT INTO maintop.journal (id, type, run, runbook, actor, record) VALUES ('%s-%s-%s', '%s', '%s', '%s', 'alice', '{\"type\":\"%s\",\"run\":\"%s\",\"runbook\":\"%s\",\"user\":\"alice\",\"result\":\"%s\",\"start\":\"2026-01-01T00:00:00Z\",\"end\":\"2026-01-01T00:00:01Z\"}');\n" \
		    "$1" "$2" $_t $_t "$2" "$1" $_t "$2" "$1" "$3"
	done
	echo "SELECT pg_notify('maintop', 'journal $1');"
}
screen_start 150 60 "$MAINTOP" -c "$tmp/b.conf"
screen_wait "Calendar" >/dev/null || bail "the dashboard did not start"
on_screen "Old TLS" "the dashboard shows the store's debt list"
# The agent line reads the agents' state once at the start.
wait_for "the agent line's first reading" at_least 1 calls maintop.agent_state
is "at rest, the dashboard holds two connections: its statements' and its LISTEN" \
    "$(bob_conns)" 2
# Its readings at the start done: the store's jobs run in turn, and a
# record shown was read by a reading that began after it; that reading
# began after any whole reading due to the start once a second one shows.
sq "$(run backup x0 aborted)" >/dev/null || bail "cannot add a run"
wait_for "a record on bob's dashboard" eval 'screen_capture | grep -qE "backup +aborted"'
sq "$(run failover x0 aborted)" >/dev/null || bail "cannot add a run"
wait_for "a record on bob's dashboard" eval 'screen_capture | grep -qE "failover +aborted"'

# A debt change: the debt list is read again, the journal is not.  Then a
# run's records show: the journal's readings since returned the records
# since, no more (a reading for the debt change would return them all).
reset
is "alice edits the item" "$(da edit D-0001 --title "New TLS" 2>&1)" "saved D-0001"
on_screen "New TLS" "the debt change shows"
is "... read once from the debt list" "$(calls "$DEBT")" 1
sq "$(run failover x1 failed)" >/dev/null || bail "cannot add a run"
wait_for "the record on bob's dashboard" eval 'screen_capture | grep -qE "failover +failed"'
is "the journal was not read for the debt change (only the change's record and the run's 2)" \
    "$(rows "$JOURNAL")" 3

# A run: the journal's new records are read, the debt list is not.  Then
# a debt change shows: its reading is the debt list's first since.
reset
ra quick >/dev/null 2>&1 || bail "alice's run of quick failed"
wait_for "the run on bob's dashboard" eval 'screen_capture | grep -qE "quick +success"'
ok 0 "alice's run shows on bob's dashboard"
rows_run=$(rows "$JOURNAL")
check "... reading only the run's records of the 5000 and more ($rows_run rows)" \
    test "$rows_run" -gt 0 -a "$rows_run" -le 20
is "alice edits the item again" "$(da edit D-0001 --title "Newer TLS" 2>&1)" "saved D-0001"
on_screen "Newer TLS" "the debt change shows"
is "the debt list was not read for the run (read once, for the change)" \
    "$(calls "$DEBT")" 1
eventually "once the run's watch is over, two connections again" 2 bob_conns

# A record numbered before a run's but committed after they were read.
hold late "BEGIN; $(run backup x2 failed)"
ra failover >/dev/null 2>&1 || bail "alice's run of failover failed"
wait_for "the run on bob's dashboard" eval 'screen_capture | grep -qE "failover +success"'
release late
wait_for "the late record on bob's dashboard" eval 'screen_capture | grep -qE "backup +failed"'
ok 0 "committed late, the run shows on bob's dashboard"
is "... its records numbered before the run's"     "$(sq "SELECT (SELECT max(seq) FROM maintop.journal WHERE runbook = 'backup') < (SELECT max(seq) FROM maintop.journal WHERE runbook = 'failover')")" t

# The agent line: the agents' state is read when an agent writes it, not
# on a timer (it was every 5 s).  Over 6 s of redraws nothing reads it;
# an agent's write is read and shows.
reset
sleep 6
is "at rest, the agent line reads nothing (6 s, the clock redrawn)" \
    "$(calls maintop.agent_state)" 0
STORE_PW=$W_PW "$MAINTOP" agent -c "$tmp/a.conf" >"$tmp/agent.out" 2>&1 &
agent=$!
on_screen "agent $(printf '\342\227\217')" "an agent's state written shows on the agent line"
kill "$agent" 2>/dev/null
wait "$agent"
got=$(calls maintop.agent_state)
check "... read when the store told of it ($got readings, one a write)" \
    test "$got" -ge 1 -a "$got" -le 3

echo "1..$n"
