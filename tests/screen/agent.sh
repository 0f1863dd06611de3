#!/bin/sh
# Screen tests of the agent's line in the Calendar pane, read from the
# agent's state file (state_dir/agent.json) on the worker: an agent seen
# seconds ago with its next autorun held and deliveries given up, one not
# seen for hours, none at all; H holding the next autorun with a reason;
# and a real agent started beside the dashboard, whose heartbeat and next
# autorun (held) appear.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/screen/lib.sh"

st="$SCREEN_TMP/state"
mkdir -p "$st"
cat > "$SCREEN_TMP/m.conf" <<EOC
settings = { name = "prod"; state_dir = "$st"; timezone = "UTC";
  notify = [ "log" ]; };
channels = ( { name = "log"; type = "command";
  command = [ "/bin/sh", "-c", "cat >> $SCREEN_TMP/events" ]; } );
windows = (
  { name = "weekly-vacuum"; schedule = "0 2 * * SUN"; duration = "4h";
    autorun = [ "vacuum" ]; },
  { name = "cache-flush"; start = "2027-01-01T03:30:00Z"; duration = "30m"; }
);
runbooks = ( { name = "vacuum"; steps = ( { name = "v"; run = "true"; } ); } );
EOC

# Wednesday 2026-12-02 10:00 UTC (1796205600); the next Sunday start is
# 2026-12-06 02:00 (1796522400).
now=2026-12-02T10:00:00Z
state() {
	printf '{"last":1796205590,"heartbeat":%s,"pid":4242,"host":"db1","waiting":0,"failed":%s,"next":[{"window":"weekly-vacuum","start":1796522400,"held":%s}]}\n' \
	    "$1" "$2" "$3" > "$st/agent.json"
}

state 1796205596 2 true
screen_start 80 24 "$MAINTOP" -c "$SCREEN_TMP/m.conf" --now "$now"
screen_expect agent-alive "an agent seen 4s ago: its next autorun held, 2 failed deliveries"

state 1796198400 0 false
screen_start 80 24 "$MAINTOP" -c "$SCREEN_TMP/m.conf" --now "$now"
screen_expect agent-stale "an agent not seen for 2h"

rm -f "$st/agent.json"
screen_start 80 24 "$MAINTOP" -c "$SCREEN_TMP/m.conf" --now "$now"
screen_wait "no agent"
screen_ok $? "no state file: no agent"

printf '\033]0;PWNED\007{"last":' > "$st/agent.json"
screen_start 80 24 "$MAINTOP" -c "$SCREEN_TMP/m.conf" --now "$now"
screen_wait "no agent"
screen_ok $? "a state file that is not one: no agent, nothing of it shown"

# H holds the next autorun, asking why; the hold is written on the worker
# and journaled with who and why.
rm -f "$st/agent.json"
screen_start 80 24 "$MAINTOP" -c "$SCREEN_TMP/m.conf" --now "$now"
screen_wait "no agent"
screen_keys H
screen_expect agent-hold-form "H: a form asks why the next autorun is held"
screen_keys -l "db migration running"
screen_keys Enter
screen_wait "held the autorun of 'weekly-vacuum' at Sun 2026-12-06 02:00 UTC"
screen_ok $? "Enter: held, and the footer says so"
grep -q '"type":"hold",.*"window":"weekly-vacuum","start":"2026-12-06T02:00:00Z","reason":"db migration running","user":"'"$(id -un)"'"' "$st/journal.jsonl"
screen_ok $? "the journal records the hold with who and why"
"$MAINTOP" agent hold --list -c "$SCREEN_TMP/m.conf" --now "$now" > "$SCREEN_TMP/holds"
grep -q "^weekly-vacuum .*held by $(id -un): db migration running" "$SCREEN_TMP/holds"
screen_ok $? "maintop agent hold --list shows it"
screen_keys H Escape
screen_wait "nothing held"
screen_ok $? "Esc: nothing held"
screen_start 80 24 "$MAINTOP" -c "$SCREEN_TMP/m.conf" --now "$now" --read-only
screen_wait "no agent"
screen_keys H
screen_wait "read-only: no autorun is held"
screen_ok $? "read-only: H holds nothing"

# A real agent on the same state, both on the real clock: the dashboard
# reads its file every 5 s.
rm -f "$st/agent.json"
"$MAINTOP" agent -c "$SCREEN_TMP/m.conf" 2> "$SCREEN_TMP/agent.log" &
apid=$!
screen_start 80 24 "$MAINTOP" -c "$SCREEN_TMP/m.conf"
screen_wait " ago  autorun" || screen_wait " ago  autorun" ||
    screen_wait " ago  autorun"
screen_ok $? "a running agent: its heartbeat"
screen_wait "autorun weekly-vacuum "
screen_ok $? "and its next autorun"
kill -TERM "$apid"
wait "$apid"
screen_ok $? "the agent stops cleanly"

screen_done
