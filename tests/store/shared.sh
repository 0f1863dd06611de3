#!/bin/sh
# The agents' shared state in the team store (a real PostgreSQL): two
# "maintop agent"s, each with its own state directory.  Bob holds the next
# autorun from his host and the leading agent skips it; the leader's
# heartbeat and next autorun show on a dashboard of a third state
# directory where no agent runs; what was told of the debt list is the
# team's, so after kill -9 of the leader the other tells an item added
# meanwhile; an autorun refused by the team's run lock (taken on the
# agent's worker) is not told as started.  Nothing of it is in the state
# directories.  TAP.
SERVERS_NO_TRAP=1
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/screen/lib.sh"
. "$top_srcdir/tests/store/lib.sh"
apid= bpid=
trap 'kill $apid $bpid 2>/dev/null; servers_stop_all; screen_cleanup' EXIT
trap 'kill $apid $bpid 2>/dev/null; servers_stop_all; screen_cleanup; trap - EXIT; exit 143' INT TERM HUP

store_team

# conf NAME CONNINFO [PASSWORD_ENV]: NAME's configuration, state in
# $tmp/NAME.
conf() {
	cat > "$tmp/$1.conf" <<EOF
settings = { state_dir = "$tmp/$1"; timezone = "UTC"; notify = [ "log" ];
  debt_notify = [ "log" ];
  store = { conninfo = "$2"; $3 }; };
channels = (
  { name = "log"; type = "command";
    command = [ "/bin/sh", "-c", "cat >> $tmp/events.jsonl" ]; }
);
windows = ( { name = "w"; start = "$(at 20)"; duration = "1h";
  autorun = [ "mark" ]; },
  { name = "v"; start = "$(at 45)"; duration = "1h";
  autorun = [ "mark" ]; } );
runbooks = (
  { name = "mark";
    steps = ( { name = "mark"; run = "echo ran >> $tmp/runs"; } ); }
);
EOF
}
conf a "$ci_w" 'password_env = "STORE_PW";'
conf b "$ci_b" 'password_env = "STORE_PW";'
conf c "$ci_w"
printf '127.0.0.1:%s:team:alice:%s\n' "$PGPORT_TEST" "$W_PW" > "$HOME/.pgpass"
chmod 600 "$HOME/.pgpass"
doc() { sq "SELECT doc FROM maintop.agent_state WHERE name = '$1'"; }
told() { grep -c "\"id\":\"$1" "$tmp/events.jsonl" 2>/dev/null || echo 0; }
told_is() { [ "$(told "$1")" = "$2" ]; }

# Someone else holds the run lock of mark when window v opens.
hold lock "SELECT pg_advisory_lock(('x' || substr(md5('maintop run mark'), 1, 16))::bit(64)::bigint);"

STORE_PW=$W_PW "$MAINTOP" agent -c "$tmp/a.conf" > "$tmp/a.log" 2>&1 &
apid=$!
wait_for "agent a to lead" grep -q "leading the team's agents" "$tmp/a.log"
STORE_PW=$B_PW "$MAINTOP" agent -c "$tmp/b.conf" > "$tmp/b.log" 2>&1 &
bpid=$!
wait_for "agent b to follow" grep -q "another agent leads the team's agents" "$tmp/b.log"

# Bob holds the autorun from his host; Alice's host lists it.
STORE_PW=$B_PW "$MAINTOP" agent hold w --reason "not tonight" \
    -c "$tmp/b.conf" > "$tmp/hold.out" 2>&1
is "bob holds the next autorun (exit 0)" "$?" 0
check "the hold is the team's, in the store" sh -c \
    'echo "$1" | grep -q "\"reason\":\"not tonight\""' - "$(doc agent.holds.json)"
check "alice's host lists it" sh -c \
    'STORE_PW=$1 "$2" agent hold --list -c "$3" | grep -q "held by .*: not tonight"' \
    - "$W_PW" "$MAINTOP" "$tmp/a.conf"
held() { sq "SELECT count(*) FROM maintop.journal WHERE type = 'hold' AND record->>'reason' = 'not tonight'"; }
is "the hold is in the team's journal" "$(held)" 1

# The leader's state is the team's: a dashboard where no agent runs
# shows its heartbeat and the held autorun.
state_of() { doc agent.json | grep -q "\"pid\":$1,"; }
wait_for "the leader's state in the store" state_of "$apid"
screen_start 120 30 "$MAINTOP" -c "$tmp/c.conf"
screen_wait "Calendar" >/dev/null || bail "the dashboard did not start"
screen_wait "autorun w" >/dev/null
ok $? "a dashboard of another state directory shows the team's agent"
# The leader writes the hold into its state when the store tells it of
# the hold: the line shows it once that state is read.
heldline() { screen_capture | grep -q "agent .* ago  autorun w .* held"; }
WAIT_TENTHS=300 wait_for "the held autorun on the agent line" heldline
ok 0 "... its heartbeat and the held autorun"

# The held start is skipped by the leader, once for the team.
skipped() { sq "SELECT count(*) FROM maintop.journal WHERE type = 'autorun' AND record->>'result' = 'held'"; }
skipped_is() { [ "$(skipped)" = "$1" ]; }
WAIT_TENTHS=300 wait_for "the held start" skipped_is 1
is "the leader skips the held start, once for the team" "$(skipped)" 1
WAIT_TENTHS=300 wait_for "the leader to say so" grep -q "held by .*: not tonight" "$tmp/a.log"
check "nothing ran" test ! -e "$tmp/runs"

# What was told of the debt list is the team's.
STORE_PW=$W_PW "$MAINTOP" debt add --title "Old TLS" --priority high \
    -c "$tmp/a.conf" > /dev/null 2>&1 || bail "debt add failed"
WAIT_TENTHS=300 wait_for "the item's addition told" told_is debt.added:D-0001 1
remembers() { doc agent.debt.json | grep -q "\"$1\""; }
wait_for "the memory in the store" remembers D-0001
kill -9 "$apid"
wait "$apid" 2>/dev/null
STORE_PW=$W_PW "$MAINTOP" debt add --title "Backups untested" --priority low \
    -c "$tmp/a.conf" > /dev/null 2>&1 || bail "debt add failed"
wait_for "agent b to lead" grep -q "leading the team's agents" "$tmp/b.log"
WAIT_TENTHS=300 wait_for "the next leader to tell the item added meanwhile" \
    told_is debt.added:D-0002 1
is "the first item was not told again" "$(told debt.added:D-0001)" 1
# Window v: the leader's autorun is refused by the team's lock (taken on
# its worker), and no start is told for it.
refused() { sq "SELECT count(*) FROM maintop.journal WHERE runbook = 'mark' AND type = 'run_end' AND record->>'result' = 'refused'"; }
refused_is() { [ "$(refused)" = "$1" ]; }
WAIT_TENTHS=400 wait_for "the autorun refused by the lock" refused_is 1
WAIT_TENTHS=100 wait_for "its end told" grep -q '"type":"run.end".*refused' "$tmp/events.jsonl"
is "no start told for it" "$(grep -c '"type":"run.start"' "$tmp/events.jsonl")" 0
check "nothing ran" test ! -e "$tmp/runs"
release lock
check "no state file in the agents' state directories" sh -c \
    '! ls "$1"/a/agent*.json "$1"/b/agent*.json "$1"/c/agent*.json' - "$tmp"
kill -TERM "$bpid"
wait "$bpid"
is "SIGTERM: agent b exits 0" "$?" 0

echo "1..$n"
