#!/bin/sh
# The team's notification outbox in the store (a real PostgreSQL): two
# "maintop agent"s, each with its own state directory, one webhook that
# answers 500 twice then 200.  The leader queues a window's start in the
# store's table and tries once; killed with SIGKILL before its retry, the
# other agent leads, finds the event in the table and delivers it: one
# delivery, every attempt in the team's journal, the row sent once, a
# later event delivered once too, one given up counted in the team's
# state.  TAP.
. "$top_srcdir/tests/store/lib.sh"
. "$top_srcdir/tests/lib/notify.sh"

[ -x "$PY" ] || skip_all "python3 not found: apt-get install python3"
store_team
hook_start "$tmp" 2

# conf NAME CONNINFO WINDOWS: NAME's configuration, state in $tmp/NAME.
conf() {
	cat > "$tmp/$1.conf" <<EOF
settings = { state_dir = "$tmp/$1"; timezone = "UTC"; notify = [ "hook" ];
  store = { conninfo = "$2"; password_env = "STORE_PW"; }; };
channels = (
  { name = "hook"; type = "webhook"; url = "http://127.0.0.1:$hook_port/in";
    backoff = "2s"; retries = 5; },
  { name = "dead"; type = "webhook"; url = "http://127.0.0.1:1/in";
    retries = 1; }
);
windows = ( $3 );
EOF
}
posts() { ls "$tmp" | grep -c "^hook\.[0-9]*\.$1$"; }
# How many POSTs told window NAME's start, with code CODE.
told() {
	n=0
	for f in "$tmp"/hook.*."$2"; do
		[ -f "$f" ] && grep -q "\"type\":\"window.start\".*\"source\":\"$1\"" "$f" &&
		    n=$((n + 1))
	done
	echo $n
}
told_is() { [ "$(told "$1" "$2")" = "$3" ]; }
row() { sq "SELECT state || ' ' || attempts FROM maintop.outbox WHERE id LIKE 'window.start:$1:%'"; }
attempts() { sq "SELECT string_agg((record->>'attempt') || ' ' || (record->>'result'), ',' ORDER BY seq) FROM maintop.journal WHERE type = 'notify' AND record->>'event' LIKE 'window.start:$1:%'"; }

w1="{ name = \"first\"; start = \"$(at 8)\"; duration = \"1h\"; }"
w2="{ name = \"second\"; start = \"$(at 30)\"; duration = \"1h\"; }"
w3="{ name = \"third\"; start = \"$(at 30)\"; duration = \"1h\"; notify = [ \"dead\" ]; }"
conf a "$ci_w" "$w1, $w2, $w3"
conf b "$ci_b" "$w1, $w2, $w3"

STORE_PW=$W_PW "$MAINTOP" agent -c "$tmp/a.conf" > "$tmp/a.log" 2>&1 &
apid=$!
wait_for "agent a to lead" grep -q "leading the team's agents" "$tmp/a.log"
STORE_PW=$B_PW "$MAINTOP" agent -c "$tmp/b.conf" > "$tmp/b.log" 2>&1 &
bpid=$!
trap 'kill $apid $bpid $pids 2>/dev/null; servers_stop_all' EXIT
wait_for "agent b to follow" grep -q "another agent leads the team's agents" "$tmp/b.log"

# The first attempt fails; the leader is killed before its retry.
WAIT_TENTHS=200 wait_for "the first attempt" told_is first 500 1
kill -9 "$apid"
wait "$apid" 2>/dev/null
is "the event waits in the team's outbox" "$(row first)" "waiting 1"
is "its one attempt is in the team's journal" "$(attempts first)" "1 failed"

# The other agent leads, finds it and delivers it once.
wait_for "agent b to lead" grep -q "leading the team's agents" "$tmp/b.log"
WAIT_TENTHS=200 wait_for "the delivery" told_is first 200 1
is "the webhook got it once" "$(told first 200)" 1
is "after three attempts in all" "$(told first 500),$(told first 200)" "2,1"
eventually "the row is sent, after three attempts" "sent 3" row first
eventually "each attempt is journaled once, in order" \
    "1 failed,2 failed,3 delivered" attempts first

# A later event goes out once; the first is not told again.
WAIT_TENTHS=400 wait_for "the second window's start" told_is second 200 1
is "the second window's start was told once" "$(told second 200)" 1
is "the first was not told again" "$(told first 200)" 1
is "one row an event in the team's outbox" \
    "$(sq "SELECT count(*) FROM maintop.outbox")" 3
eventually "an event no channel took is given up" "failed 1" row third
failed_shown() { sq "SELECT doc FROM maintop.agent_state WHERE name = 'agent.json'" | grep -q '"failed":1,'; }
WAIT_TENTHS=300 wait_for "the team's state to count it" failed_shown
check "the team's state counts the delivery given up" failed_shown
check "agent a's state directory holds no outbox entry" \
    sh -c '! ls "$1"/a/outbox/*.json' - "$tmp"
kill -TERM "$bpid"
wait "$bpid"
is "SIGTERM: agent b exits 0" "$?" 0

echo "1..$n"
