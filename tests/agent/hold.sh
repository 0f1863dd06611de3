#!/bin/sh
# "maintop agent hold": an operator holds the next start of a window's
# autorun with a reason; the journal records who and why; the agent
# (--once at chosen instants) skips that one start, says so, and runs the
# next as usual; --release takes a hold back; --list shows them; refusals.
# TAP.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
: "${MAINTOP:=./maintop}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/agent.sh"
"$MAINTOP" --version >/dev/null 2>&1 || bail "$MAINTOP does not run"
agent_tmp agenthold
me=$(id -un)

cat > "$tmp/m.conf" <<EOF
settings = { state_dir = "$tmp/state"; timezone = "UTC"; };
windows = (
  { name = "weekly"; schedule = "0 2 * * MON"; duration = "2h";
    autorun = [ "mark" ]; },
  { name = "plain"; schedule = "0 3 * * MON"; duration = "1h"; }
);
runbooks = (
  { name = "mark";
    steps = ( { name = "mark"; run = "echo x >> $tmp/runs"; } ); }
);
EOF

hold() { "$MAINTOP" agent hold -c "$tmp/m.conf" "$@" > "$tmp/out" 2> "$tmp/err"; }

once 2026-11-29T12:00:00Z
is "a first agent on Sunday exits 0" "$?" 0

hold weekly --reason "db migration running" --now 2026-11-29T12:00:00Z
is "hold exits 0" "$?" 0
is "it says which start it holds" "$(cat "$tmp/out")" \
    "held the autorun of 'weekly' at Mon 2026-11-30 02:00 UTC"
journal hold | grep -q '"window":"weekly","start":"2026-11-30T02:00:00Z","reason":"db migration running".*"user":"'"$me"'"'
ok $? "the journal records the hold with who and why"
hold --list --now 2026-11-29T12:00:00Z
grep -q "^weekly .*Mon 2026-11-30 02:00 UTC  held by $me: db migration running$" "$tmp/out"
ok $? "--list shows it"

once 2026-11-30T02:00:10Z
is "Monday 02:00: the held autorun does not run" "$(runs)" 0
grep -q "window weekly: autorun held by $me: db migration running (this start only)" "$tmp/log"
ok $? "the agent says so"
journal autorun | grep -q '"window":"weekly","runbook":"mark","result":"held","why":"held by '"$me"': db migration running"'
ok $? "and journals the skip with who and why"
once 2026-12-07T02:00:10Z
is "the next Monday runs as usual" "$(runs)" 1

hold weekly --reason "not this week" --now 2026-12-08T12:00:00Z
is "another hold" "$?" 0
hold weekly --release --reason "done early" --now 2026-12-08T13:00:00Z
is "--release exits 0" "$?" 0
is "and says so" "$(cat "$tmp/out")" \
    "released the autorun of 'weekly' at Mon 2026-12-14 02:00 UTC"
journal hold_release | grep -q '"window":"weekly","start":"2026-12-14T02:00:00Z","reason":"done early"'
ok $? "the release is journaled"
once 2026-12-14T02:00:10Z
is "a released start runs" "$(runs)" 2

hold weekly --release --now 2026-12-15T00:00:00Z
is "releasing what is not held: exit 1" "$?" 1
grep -q "is not held" "$tmp/err"
ok $? "saying so"
hold weekly
is "a hold without a reason: usage (exit 2)" "$?" 2
grep -q "say why with --reason" "$tmp/err"
ok $? "asking why"
hold nosuch --reason x
is "an unknown window: exit 1" "$?" 1
hold plain --reason x
is "a window without autorun: exit 1" "$?" 1
grep -q "window 'plain' has no autorun: nothing to hold" "$tmp/err"
ok $? "saying so"
hold weekly --reason "$(printf 'bad \033]0;PWNED\007 reason')" --now 2026-12-15T00:00:00Z
hold --list --now 2026-12-15T00:00:00Z
! grep -q "$(printf '\033')" "$tmp/out"
ok $? "--list writes a hostile reason without escape sequences"

printf '{"version":1,"holds":[{"window":"weekly","start":"x"}]' > "$tmp/state/agent.holds.json"
once 2026-12-21T02:00:10Z
is "a broken holds file holds nothing: the start runs" "$(runs)" 3

echo "1..$n"
