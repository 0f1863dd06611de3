#!/bin/sh
# Screen tests of the next notices under the agent's line in the Calendar
# pane: computed from the calendar whether or not an agent runs, soonest
# first, each with its window, when it goes out and its channels (or "to no
# channel"); a notice gone out is no longer next; and the agent sends the
# one shown at the instant shown, to the channels shown.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/screen/lib.sh"

st="$SCREEN_TMP/state"
mkdir -p "$st"
# weekly-vacuum tells its own channels 48 h before Sunday 02:00; the
# cache-flush one-off names none, and settings.notify is empty; a freeze
# gives no notice, and quiet asks for none.
cat > "$SCREEN_TMP/m.conf" <<EOC
settings = { name = "prod"; state_dir = "$st"; timezone = "UTC"; };
channels = (
  { name = "log"; type = "command";
    command = [ "/bin/sh", "-c", "cat >> $SCREEN_TMP/log.events" ]; },
  { name = "chat"; type = "command";
    command = [ "/bin/sh", "-c", "cat >> $SCREEN_TMP/chat.events" ]; }
);
windows = (
  { name = "weekly-vacuum"; schedule = "0 2 * * SUN"; duration = "4h";
    notice = "48h"; autorun = [ "vacuum" ]; notify = [ "log", "chat" ]; },
  { name = "cache-flush"; start = "2026-12-04T03:30:00Z"; duration = "30m";
    notice = "24h"; },
  { name = "midnight"; kind = "freeze"; start = "2026-12-20T00:00:00Z";
    duration = "1h"; notice = "7d"; },
  { name = "quiet"; schedule = "0 4 * * *"; duration = "1h"; }
);
runbooks = ( { name = "vacuum"; steps = ( { name = "v"; run = "true"; } ); } );
EOC

# Wednesday 2026-12-02 10:00 UTC: cache-flush's notice goes out Thursday
# 03:30, weekly-vacuum's Friday 02:00.
now=2026-12-02T10:00:00Z
screen_start 80 24 "$MAINTOP" -c "$SCREEN_TMP/m.conf" --now "$now"
screen_expect notices-no-agent \
    "no agent: the next two notices, soonest first, with their channels"

# Beside an agent seen 4 s ago and its next autorun.
printf '{"last":1796205590,"heartbeat":1796205596,"pid":4242,"host":"db1","waiting":0,"failed":0,"next":[{"window":"weekly-vacuum","start":1796522400,"held":false}]}\n' \
    > "$st/agent.json"
screen_start 80 24 "$MAINTOP" -c "$SCREEN_TMP/m.conf" --now "$now"
screen_expect notices-agent "an agent's heartbeat and autorun, the notices below"
rm -f "$st/agent.json"

# Thursday 04:00: cache-flush's notice has gone out (its badge in the
# list); weekly-vacuum's is the only one to come.
screen_start 80 24 "$MAINTOP" -c "$SCREEN_TMP/m.conf" \
    --now 2026-12-03T04:00:00Z
screen_expect notices-after "a notice gone out is no longer listed"

# A wide screen: the whole line.
screen_start 120 40 "$MAINTOP" -c "$SCREEN_TMP/m.conf" --now "$now"
screen_expect notices-wide "at 120x40 the same two notices"

# The agent sends weekly-vacuum's notice at the instant shown, to both
# channels shown.
"$MAINTOP" agent --once -c "$SCREEN_TMP/m.conf" \
    --now 2026-12-04T02:00:00Z 2> "$SCREEN_TMP/agent.log"
screen_ok $? "maintop agent --once at Friday 02:00 succeeds"
grep -q '"type":"window.notice".*weekly-vacuum' "$SCREEN_TMP/log.events" 2>/dev/null &&
    grep -q '"type":"window.notice".*weekly-vacuum' "$SCREEN_TMP/chat.events" 2>/dev/null
screen_ok $? "it sends weekly-vacuum's notice to log and chat"

screen_done
