#!/bin/sh
# Two "maintop agent"s on one team store (a real PostgreSQL), each with its
# own state directory: exactly one leads (an advisory lock of its own
# session), a window's autorun runs once and its start is told once; after
# kill -9 of the leader the other leads within 10 seconds and runs the next
# window's autorun; --once is refused with a store.  TAP.
. "$top_srcdir/tests/store/lib.sh"

store_team

# conf NAME CONNINFO [WINDOWS]: NAME's configuration, state in $tmp/NAME.
conf() {
	cat > "$tmp/$1.conf" <<EOF
settings = { state_dir = "$tmp/$1"; timezone = "UTC"; notify = [ "log" ];
  store = { conninfo = "$2"; password_env = "STORE_PW"; }; };
channels = (
  { name = "log"; type = "command";
    command = [ "/bin/sh", "-c", "cat >> $tmp/events.jsonl" ]; }
);
windows = ( $3 );
runbooks = (
  { name = "mark";
    steps = ( { name = "mark"; run = "echo \$MAINTOP_RUN_ID >> $tmp/runs"; } ); }
);
EOF
}
runs() { [ -f "$tmp/runs" ] && wc -l < "$tmp/runs" | tr -d ' ' || echo 0; }
told() { grep -c "\"type\":\"window.start\".*\"source\":\"$1\"" "$tmp/events.jsonl" 2>/dev/null || echo 0; }
runs_are() { [ "$(runs)" = "$1" ]; }
told_is() { [ "$(told "$1")" = "$2" ]; }
# Sessions holding the agents' lock (STORE_PG_AGENT_KEY).
leader() { sq "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = 7021382944451612674"; }

w1="{ name = \"first\"; start = \"$(at 12)\"; duration = \"1h\"; autorun = [ \"mark\" ]; }"
conf a "$ci_w" "$w1"
conf b "$ci_b" "$w1"

STORE_PW=$W_PW "$MAINTOP" agent --once -c "$tmp/a.conf" > "$tmp/once.log" 2>&1
is "--once with a store: refused (1)" "$?" 1
check "... saying why" grep -q "^maintop agent: --once is for one agent alone" "$tmp/once.log"

STORE_PW=$W_PW "$MAINTOP" agent -c "$tmp/a.conf" > "$tmp/a.log" 2>&1 &
apid=$!
wait_for "agent a to lead" grep -q "leading the team's agents" "$tmp/a.log"
STORE_PW=$B_PW "$MAINTOP" agent -c "$tmp/b.conf" > "$tmp/b.log" 2>&1 &
bpid=$!
trap 'kill $apid $bpid 2>/dev/null; servers_stop_all' EXIT
wait_for "agent b to follow" grep -q "another agent leads the team's agents" "$tmp/b.log"
is "exactly one agent leads" "$(leader)" 1
check "store status names the leader" sh -c \
    'STORE_PW=$1 "$2" store status -c "$3" | grep -q "^agent lead: $(hostname) pid $4 since "' \
    - "$W_PW" "$MAINTOP" "$tmp/a.conf" "$apid"

# The first window opens: one autorun, one event, though two agents watch.
WAIT_TENTHS=300 wait_for "the first autorun" runs_are 1
wait_for "the first window's start to be told" told_is first 1
wait_for "agent b to pass the window" grep -q "window first: another agent leads" "$tmp/b.log"
check "agent a ran it" grep -q "autorun mark (window first) started" "$tmp/a.log"
is "the autorun ran once" "$(runs)" 1
is "its start was told once" "$(told first)" 1
is "its run is in the team's journal" \
    "$(sq "SELECT count(*) FROM maintop.journal WHERE runbook = 'mark' AND type = 'run_end' AND record->>'result' = 'success'")" 1

# kill -9 of the leader: the other leads within 10 s.
kill -9 "$apid"
t0=$(date +%s%N)
wait "$apid" 2>/dev/null
wait_for "agent b to lead" grep -q "leading the team's agents" "$tmp/b.log"
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
echo "# agent b led ${ms} ms after the leader's kill -9"
check "agent b leads within 10 s of the kill" test "$ms" -le 10000
is "still exactly one leads" "$(leader)" 1

# A second window, given to agent b by SIGHUP: b runs its autorun; a
# third, held, is journaled in the store.
w2="{ name = \"second\"; start = \"$(at 4)\"; duration = \"1h\"; autorun = [ \"mark\" ]; }"
w3="{ name = \"third\"; start = \"$(at 4)\"; duration = \"1h\"; autorun = [ \"mark\" ]; }"
conf b "$ci_b" "$w1, $w2, $w3"
STORE_PW=$B_PW "$MAINTOP" agent hold third --reason "not this one" \
    -c "$tmp/b.conf" > /dev/null 2>&1 || bail "agent hold failed"
kill -HUP "$bpid"
wait_for "agent b to reload" grep -q "configuration reloaded" "$tmp/b.log"
WAIT_TENTHS=300 wait_for "the second autorun" runs_are 2
check "agent b ran it" grep -q "autorun mark (window second) started" "$tmp/b.log"
wait_for "the second window's start to be told" told_is second 1
is "the first window was not run again, the third is held" "$(runs)" 2
held() { sq "SELECT count(*) FROM maintop.journal WHERE type = 'autorun' AND record->>'window' = 'third' AND record->>'result' = 'held'"; }
eventually "the held autorun is in the team's journal" 1 held
kill -TERM "$bpid"
wait "$bpid"
is "SIGTERM: agent b exits 0" "$?" 0
eventually "nobody leads once both are gone" 0 leader

echo "1..$n"
