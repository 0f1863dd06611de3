#!/bin/sh
# maintop agent: an autorun whose runbook requires another's recent success
# is skipped, and the skip journaled with the reason, while that success is
# missing; once the required runbook has run, the next start runs it (the
# requirement read on the agent's worker, "agent --once --now T").  TAP.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
: "${MAINTOP:=./maintop}"
. "$top_srcdir/tests/lib/tap.sh"
"$MAINTOP" --version >/dev/null 2>&1 || bail "$MAINTOP does not run"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/maintop-requires.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp" TZ=UTC

now=$(date +%s)
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
w1=$((now - 120)) w2=$((now - 60))
cat > "$tmp/m.conf" <<CONF
settings = { state_dir = "$tmp/state"; timezone = "UTC"; };
windows = (
  { name = "first"; start = "$(iso $w1)"; duration = "1h"; autorun = [ "next" ]; },
  { name = "second"; start = "$(iso $w2)"; duration = "1h"; autorun = [ "next" ]; }
);
runbooks = (
  { name = "quick"; steps = ( { name = "q"; run = "true"; } ); },
  { name = "next"; requires = ( { runbook = "quick"; within = "24h"; } );
    steps = ( { name = "n"; run = "echo ran >> $tmp/runs"; } ); }
);
CONF
once() { "$MAINTOP" agent --once --now "$(iso "$1")" -c "$tmp/m.conf" > "$tmp/log" 2>&1; }
runs() { [ -f "$tmp/runs" ] && wc -l < "$tmp/runs" | tr -d ' ' || echo 0; }
autorun() { grep '"type":"autorun"' "$tmp/state/journal.jsonl" 2>/dev/null | grep "\"window\":\"$1\""; }

once $((w1 - 10))
is "a first look before the windows: exit 0" "$?" 0
once $((w1 + 5))
is "the first window starts: exit 0" "$?" 0
is "its autorun did not run" "$(runs)" 0
autorun first | grep -q '"result":"skipped".*requires a successful run of .quick.'
ok $? "the skip is journaled with the missing requirement"
grep -q "autorun next (window first) skipped: .*quick" "$tmp/log"
ok $? "and logged"

"$MAINTOP" run quick --yes -c "$tmp/m.conf" > /dev/null 2>&1
is "quick runs by hand" "$?" 0
once $((w2 + 5))
is "the second window starts: exit 0" "$?" 0
is "its autorun ran, the requirement met" "$(runs)" 1
autorun second | grep -q skipped
ok $((! $?)) "nothing skipped at the second start"

echo "1..$n"
