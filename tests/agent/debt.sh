#!/bin/sh
# The debt list's events from "maintop agent --once" at chosen instants: an
# item added (with "maintop debt add"), becoming overdue and resolved, each
# told once to settings.debt_notify, across separate agent processes (the
# memory in state_dir/agent.debt.json); a first start tells nothing of the
# items already there.  TAP.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
: "${MAINTOP:=./maintop}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/agent.sh"
"$MAINTOP" --version >/dev/null 2>&1 || bail "$MAINTOP does not run"
agent_tmp agentdebt

cat > "$tmp/m.conf" <<EOF
settings = { state_dir = "$tmp/state"; timezone = "UTC";
  notify = [ "log" ]; debt_notify = [ "debt" ]; };
channels = (
  { name = "log"; type = "command";
    command = [ "/bin/sh", "-c", "cat >> $tmp/events.jsonl" ]; },
  { name = "debt"; type = "command";
    command = [ "/bin/sh", "-c", "cat >> $tmp/debt.jsonl" ]; }
);
debt = (
  { id = "D-CFG"; title = "old pg"; priority = "medium";
    target = "2026-12-05"; }
);
EOF

told() { count_events "$tmp/debt.jsonl" "debt.$1" "$2"; }

check "validate accepts settings.debt_notify" "$MAINTOP" validate -c "$tmp/m.conf"
once 2026-12-01T10:00:00Z
is "a first start exits 0" "$?" 0
is "it tells nothing of the items already there" "$(cat "$tmp/debt.jsonl" 2>/dev/null | wc -l | tr -d ' ')" 0
check "it remembers them" grep -q '"id":"D-CFG"' "$tmp/state/agent.debt.json"

"$MAINTOP" debt add -c "$tmp/m.conf" --id D-9 --title "rotate keys" \
    --priority high --target 2026-12-03 > "$tmp/out" 2>&1
is "debt add exits 0" "$?" 0
once 2026-12-01T11:00:00Z
is "an item added is told" "$(told added D-9)" 1
grep -q '"subject":"debt D-9 added: rotate keys"' "$tmp/debt.jsonl"
ok $? "its subject names the item"
once 2026-12-01T12:00:00Z
is "a second agent does not tell it again" "$(told added D-9)" 1

once 2026-12-04T10:00:00Z
is "the day after its target: overdue, told" "$(told overdue D-9)" 1
is "an item whose target is still ahead is not" "$(told overdue D-CFG)" 0
once 2026-12-04T11:00:00Z
once 2026-12-05T11:00:00Z
is "overdue is told once, across restarts" "$(told overdue D-9)" 1

"$MAINTOP" debt resolve D-9 -c "$tmp/m.conf" > "$tmp/out" 2>&1
is "debt resolve exits 0" "$?" 0
once 2026-12-05T12:00:00Z
is "an item resolved is told" "$(told resolved D-9)" 1
once 2026-12-06T10:00:00Z
is "a configuration item overdue is told" "$(told overdue D-CFG)" 1
is "resolved is told once" "$(told resolved D-9)" 1
is "no debt event went to settings.notify" \
    "$(cat "$tmp/events.jsonl" 2>/dev/null | grep -c '"type":"debt\.')" 0
is "every delivery is journaled" \
    "$(grep -c '"type":"notify".*"event":"debt\.' "$tmp/state/journal.jsonl")" 4

# A memory file that is not one: a fresh start, nothing told, rewritten.
printf '\033]0;x\007{"version":' > "$tmp/state/agent.debt.json"
once 2026-12-06T11:00:00Z
is "a broken memory file: the agent still runs" "$?" 0
is "and tells nothing again" "$(cat "$tmp/debt.jsonl" | wc -l | tr -d ' ')" 4
check "the memory is written anew" grep -q '"version":1' "$tmp/state/agent.debt.json"

echo "1..$n"
