#!/bin/sh
# maintop agent: "agent --once --now T" stepped through two weeks of
# windows (notices, starts, ends, autoruns run, skipped in a freeze, missed
# while down, caught up), one agent per state directory, SIGHUP with a
# broken configuration (kept, the error logged with file and line), SIGTERM,
# and a live window opening five seconds after the agent starts.  Events go
# to a command channel that appends them to a file.  TAP.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
: "${MAINTOP:=./maintop}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/agent.sh"
"$MAINTOP" --version >/dev/null 2>&1 || bail "$MAINTOP does not run"
agent_tmp agent

write_conf() {
	cat > "$tmp/m.conf" <<EOF
settings = { state_dir = "$tmp/state"; timezone = "UTC"; notify = [ "log" ]; };
channels = (
  { name = "log"; type = "command";
    command = [ "/bin/sh", "-c", "cat >> $tmp/events.jsonl" ]; }
);
windows = (
  { name = "weekly"; schedule = "0 2 * * MON"; duration = "2h";
    notice = "48h"; autorun = [ "mark" ]; },
  { name = "quiet"; kind = "freeze"; start = "2026-12-07T00:00:00Z";
    duration = "1d"; },
  { name = "nightly"; schedule = "0 5 * * TUE"; duration = "1h";
    catch_up = true; autorun = [ "mark" ]; }$1
);
runbooks = (
  { name = "mark";
    steps = ( { name = "mark"; run = "echo \$MAINTOP_RUN_ID >> $tmp/runs"; } ); }
);
EOF
}
write_conf ""

events() { count_events "$tmp/events.jsonl" "$1" "$2"; }

check "validate accepts autorun, catch_up and notify" \
    "$MAINTOP" validate -c "$tmp/m.conf"

once 2026-11-28T01:00:00Z
is "a first run at Saturday 01:00 exits 0" "$?" 0
is "nothing is due before any state" "$(events window.notice weekly)" 0
once 2026-11-28T02:00:00Z
is "Saturday 02:00: the 48 h notice of Monday's window" "$(events window.notice weekly)" 1
once 2026-11-28T02:00:00Z
is "the same instant again: no second notice" "$(events window.notice weekly)" 1
once 2026-11-30T02:00:10Z
is "Monday 02:00:10: the window starts" "$(events window.start weekly)" 1
is "its autorun ran once" "$(runs)" 1
journal run_start | grep -q '"user":"agent@'
ok $? "the journal records the agent as the runner (agent@host)"
grep -q '"type":"run.end".*"subject":"runbook .mark. (window .weekly.): success"' "$tmp/events.jsonl"
ok $? "the run's end is an event with its result"
once 2026-11-30T04:00:00Z
is "Monday 04:00: the window ends" "$(events window.end weekly)" 1

once 2026-12-07T02:00:05Z
is "Monday 12-07 inside the freeze: the freeze started" "$(events freeze.start quiet)" 1
is "the autorun did not run" "$(runs)" 1
journal autorun | grep -q '"window":"weekly".*"result":"skipped".*freeze .quiet. is active'
ok $? "the skip is journaled with the freeze's name"

once 2026-12-14T03:00:00Z
is "Monday 12-14 at 03:00 (down at 02:00): no run" "$(runs)" 1
journal autorun | grep -q '"window":"weekly".*"result":"missed"'
ok $? "the start is recorded as missed"
once 2026-12-15T05:20:00Z
is "Tuesday 05:20, 20 minutes late, catch_up: it runs late" "$(runs)" 2
grep -q "running its autoruns late" "$tmp/log"
ok $? "and says so"

# --- one agent per state directory, SIGHUP, SIGTERM ----------------------

"$MAINTOP" agent -c "$tmp/m.conf" 2> "$tmp/daemon.log" &
apid=$!
i=0
while ! grep -q "started on" "$tmp/daemon.log" && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
grep -q "started on" "$tmp/daemon.log"
ok $? "the agent starts and says so"
"$MAINTOP" agent --once -c "$tmp/m.conf" > "$tmp/log" 2>&1
is "a second agent on the same state exits 1" "$?" 1
grep -q "another agent runs on $tmp/state (pid $apid)" "$tmp/log"
ok $? "naming the one that runs"

cp "$tmp/m.conf" "$tmp/good.conf"
printf 'debt = ( { id = "D-1"; title = "x"; priority = "urgent"; } );\n' >> "$tmp/m.conf"
kill -HUP "$apid"
i=0
while ! grep -q "keeping the running one" "$tmp/daemon.log" && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
grep -q "reload: .*m.conf:18: error: .*priority" "$tmp/daemon.log"
ok $? "SIGHUP with a broken file: the error with its file and line"
grep -q "keeping the running one" "$tmp/daemon.log"
ok $? "and the running configuration is kept"
kill -0 "$apid" 2>/dev/null
ok $? "the agent still runs"

# A window opening five seconds from now, with an autorun.
start=$(date -u -d "@$(( $(date +%s) + 5 ))" +%Y-%m-%dT%H:%M:%SZ)
write_conf ",
  { name = \"live\"; start = \"$start\"; duration = \"1h\"; autorun = [ \"mark\" ]; }"
kill -HUP "$apid"
i=0
while ! grep -q "configuration reloaded" "$tmp/daemon.log" && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
grep -q "configuration reloaded" "$tmp/daemon.log"
ok $? "SIGHUP with a good file reloads it"
i=0
while [ "$(runs)" -lt 3 ] && [ $i -lt 200 ]; do
	sleep 0.1; i=$((i + 1))
done
is "the live window's autorun ran at its start" "$(runs)" 3
i=0
while [ "$(events window.start live)" -lt 1 ] && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
is "and its start was told" "$(events window.start live)" 1

kill -TERM "$apid"
wait "$apid"
is "SIGTERM: the agent exits 0" "$?" 0
apid=
grep -q "stopped" "$tmp/daemon.log"
ok $? "and says it stopped"
! grep -q "$(printf '\033')" "$tmp/daemon.log"
ok $? "its log holds no escape sequence"

echo "1..$n"
