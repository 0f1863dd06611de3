#!/bin/sh
# Two "maintop agent"s at rest on one team store (a real PostgreSQL) send
# nothing but keep-alives: the follower waits for the lead's lock on the
# server, the leader hears of the debt list's changes (LISTEN) instead of
# reading it again.  Counted, not timed: the store's committed
# transactions (pg_stat_database.xact_commit, read from another database
# so that the reading is not counted) while both idle stay under a small
# bound.  A debt item added is told at once; one added without a
# notification is read when the leader's LISTEN connection comes back;
# a follower stopped while it waits leaves no wait on the server; a
# follower takes over after a clean stop of the leader and after its
# kill -9.  TAP.
. "$top_srcdir/tests/store/lib.sh"

# The seconds counted at rest, and the most transactions allowed in them:
# the leader's heartbeat row and its state (every 30 s), twice at worst.
IDLE=20
KEEPALIVES=8

store_team

# conf NAME CONNINFO: NAME's configuration, state in $tmp/NAME.
conf() {
	cat > "$tmp/$1.conf" <<EOF
settings = { state_dir = "$tmp/$1"; timezone = "UTC";
  debt_notify = [ "log" ];
  store = { conninfo = "$2"; password_env = "STORE_PW"; }; };
channels = (
  { name = "log"; type = "command";
    command = [ "/bin/sh", "-c", "cat >> $tmp/events.jsonl" ]; }
);
EOF
}
conf a "$ci_w"
conf b "$ci_b"
told() { grep -c "\"id\":\"$1" "$tmp/events.jsonl" 2>/dev/null || echo 0; }
told_is() { [ "$(told "$1")" = "$2" ]; }
commits() {
	servers_psql -d postgres -Atc "SELECT xact_commit FROM pg_stat_database WHERE datname = 'team'"
}
# Sessions of the team's database, other than this reading, not idle.
busy() { sq "SELECT count(*) FROM pg_stat_activity WHERE datname = 'team' AND pid <> pg_backend_pid() AND state <> 'idle'"; }
# Sessions waiting on the server for the agents' lock.
waiting() { sq "SELECT count(*) FROM pg_stat_activity WHERE datname = 'team' AND query LIKE 'SELECT pg_advisory_lock(%' AND wait_event_type = 'Lock'"; }
listening() { sq "SELECT count(*) FROM pg_stat_activity WHERE datname = 'team' AND query = 'LISTEN maintop'"; }
state_written() { test "$(sq "SELECT count(*) FROM maintop.agent_state WHERE name = 'agent.json'")" = 1; }

STORE_PW=$W_PW "$MAINTOP" agent -c "$tmp/a.conf" > "$tmp/a.log" 2>&1 &
apid=$!
bpid=
trap 'kill $apid $bpid 2>/dev/null; servers_stop_all' EXIT
wait_for "agent a to lead" grep -q "leading the team's agents" "$tmp/a.log"
STORE_PW=$B_PW "$MAINTOP" agent -c "$tmp/b.conf" > "$tmp/b.log" 2>&1 &
bpid=$!
wait_for "agent b to follow" grep -q "another agent leads the team's agents" "$tmp/b.log"
wait_for "the leader to listen" test "$(listening)" = 1
wait_for "the follower to wait on the server" test "$(waiting)" = 1
wait_for "the leader's state" state_written
is "one agent waits for the lock on the server" "$(waiting)" 1

# Every session's start counted before the first reading: an idle
# backend reports its last transactions within 10 s.
sleep 11
c0=$(commits)
sleep "$IDLE"
c1=$(commits)
idle=$((c1 - c0))
echo "# two idle agents: $idle transactions in $IDLE s (at most $KEEPALIVES)"
check "idle agents commit only keep-alives ($idle in $IDLE s)" \
    test "$idle" -le "$KEEPALIVES"
is "at rest, only the follower's wait is busy" "$(busy)" 1

# A change of the list is heard, not polled for.
STORE_PW=$W_PW "$MAINTOP" debt add --title "Old TLS" --priority high \
    -c "$tmp/a.conf" > /dev/null 2>&1 || bail "debt add failed"
wait_for "the item's addition told" told_is debt.added:D-0001 1

# An item written without a notification is read when the leader's
# LISTEN connection, cut, comes back.
sq "INSERT INTO maintop.debt_items (id, item) SELECT 'D-0077', replace(item, 'D-0001', 'D-0077') FROM maintop.debt_items WHERE id = 'D-0001'" > /dev/null
sq "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'team' AND query = 'LISTEN maintop'" > /dev/null
wait_for "the item found on reconnection" told_is debt.added:D-0077 1
is "the first item was not told again" "$(told debt.added:D-0001)" 1

# A clean stop of the leader: the follower leads.
kill -TERM "$apid"
wait "$apid"
is "SIGTERM: agent a exits 0" "$?" 0
apid=
wait_for "agent b to lead after a clean stop" grep -q "leading the team's agents" "$tmp/b.log"
check "a follower leads after the leader's clean stop" \
    grep -q "leading the team's agents" "$tmp/b.log"

# A follower stopped while it waits: it exits at once, and the server
# drops its wait (client_connection_check_interval).
STORE_PW=$W_PW "$MAINTOP" agent -c "$tmp/a.conf" > "$tmp/a1.log" 2>&1 &
apid=$!
wait_for "agent a to follow" grep -q "another agent leads the team's agents" "$tmp/a1.log"
wait_for "agent a to wait on the server" test "$(waiting)" = 1
kill -TERM "$apid"
wait "$apid"
is "SIGTERM while waiting for the lead: agent a exits 0" "$?" 0
apid=
eventually "its wait on the server ends" 0 waiting

# A new follower, then the leader's kill -9: the follower leads.
STORE_PW=$W_PW "$MAINTOP" agent -c "$tmp/a.conf" > "$tmp/a2.log" 2>&1 &
apid=$!
wait_for "agent a to follow" grep -q "another agent leads the team's agents" "$tmp/a2.log"
wait_for "agent a to wait on the server" test "$(waiting)" = 1
kill -9 "$bpid"
wait "$bpid" 2>/dev/null
bpid=
wait_for "agent a to lead after the leader's kill -9" grep -q "leading the team's agents" "$tmp/a2.log"
check "a follower leads after the leader's kill -9" \
    grep -q "leading the team's agents" "$tmp/a2.log"
kill -TERM "$apid"
wait "$apid"
is "SIGTERM: agent a exits 0" "$?" 0

echo "1..$n"
