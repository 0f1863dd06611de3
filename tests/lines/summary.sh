#!/bin/sh
# The summary at the end of "maintop run": its columns (name, result,
# duration, message) line up with names of any length and width (a 48-column
# name, accented and double-width ones), durations right-aligned, a step
# that never ran without one, no trailing blanks.  A run under --now (the
# agent's autorun at a fixed instant) has its real, measured duration in the
# log, the history table and its JSON.  Prints TAP.
: "${MAINTOP:=./maintop}"
. "$top_srcdir/tests/lib/tap.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lines-summary.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
command -v python3 >/dev/null || skip_all "needs python3 (apt-get install python3)"
"$MAINTOP" --version >/dev/null || bail "$MAINTOP does not run"
export LC_ALL=C.UTF-8 TZ=UTC

long=a-step-with-a-name-well-past-twenty-four-columns
cat > "$tmp/m.conf" <<EOC
settings = { state_dir = "$tmp/state"; timezone = "UTC"; };
windows = ( { name = "w"; start = "2026-11-30T02:00:00Z"; duration = "1h";
              autorun = [ "slow" ]; } );
runbooks = (
  { name = "cols"; on_failure = "abort";
    steps = ( { name = "nap"; run = "sleep 1.1"; },
              { name = "$long"; run = "true"; },
              { name = "zürich-ümlaut"; run = "true"; },
              { name = "日本語のステップ"; run = "true"; },
              { name = "breaks"; run = "exit 3"; },
              { name = "never"; run = "true"; } ); },
  { name = "slow"; steps = ( { name = "nap"; run = "sleep 1.2"; } ); }
);
EOC
"$MAINTOP" run cols -c "$tmp/m.conf" --yes < /dev/null > "$tmp/out" 2>&1
is "the run fails at step 5 (exit 1)" "$?" 1
sed -n '/^Run /,$p' "$tmp/out" > "$tmp/sum"
sed 's/^/#   /' "$tmp/sum"
# Each step row as "start of the result column, end of the duration
# column, the row's text after the name", in display columns.
python3 - "$tmp/sum" > "$tmp/cols" <<'EOP'
import sys, unicodedata
def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
for line in open(sys.argv[1], encoding="utf-8").read().splitlines():
    if not line.startswith("   ") or ". " not in line:
        continue
    head, _, rest = line.partition(". ")
    name = rest.split("  ")[0]
    after = rest[len(name):]
    state_col = width(head) + 2 + width(name) + (len(after) - len(after.lstrip(" ")))
    fields = after.split()
    dur_end = "-"
    if len(fields) > 1:
        dur_end = width(line.split("  (")[0].rstrip())
    print(state_col, dur_end, fields[0])
EOP
sed 's/^/#   cols: /' "$tmp/cols"
check "the pending row has no duration column" grep -q "^[0-9]* - pending$" "$tmp/cols"
is "six step rows" "$(wc -l < "$tmp/cols" | tr -d ' ')" 6
is "the result column starts at one column on every row" \
    "$(awk '{ print $1 }' "$tmp/cols" | sort -u | wc -l | tr -d ' ')" 1
is "the durations end at one column (right-aligned)" \
    "$(awk '$2 != "-" { print $2 }' "$tmp/cols" | sort -u | wc -l | tr -d ' ')" 1
is "results in order" "$(awk '{ printf "%s ", $3 }' "$tmp/cols")" "ok ok ok ok failed pending "
check "the 48-column name is whole" grep -q "^ *2\. $long  ok " "$tmp/sum"
check "the double-width name is whole" grep -q "日本語のステップ  " "$tmp/sum"
check "the sleep of 1.1 s is measured: 1s (2s on a loaded machine)" \
    grep -q "^ *1\. nap  *ok  *[12]s$" "$tmp/sum"
check "the failed step's message follows its duration" \
    grep -q "^ *5\. breaks  *failed  *0s  (exit status 3)$" "$tmp/sum"
check "the step that never ran has no duration" grep -q "^ *6\. never  *pending$" "$tmp/sum"
check "no trailing blank on any line" sh -c '! grep -q " $" "$1"' - "$tmp/sum"

# Under --now the clock is fixed, so start and end are the same instant;
# the duration is measured on the monotonic clock all the same.
"$MAINTOP" agent --once --now 2026-11-30T01:00:00Z -c "$tmp/m.conf" > /dev/null 2>&1
"$MAINTOP" agent --once --now 2026-11-30T02:00:10Z -c "$tmp/m.conf" > "$tmp/agent" 2>&1
is "agent --once --now at the window's start: exit 0" "$?" 0
check "the autorun ran to success" grep -q "autorun slow (window w): success" "$tmp/agent"
"$MAINTOP" history -c "$tmp/m.conf" --runbook slow > "$tmp/h"
sed 's/^/#   /' "$tmp/h"
is "history: the run under --now took its 1.2 s or more, to the tenth" \
    "$(awk 'NR == 2 { print $(NF - 2), $(NF - 1) }' "$tmp/h" | sed -E 's/^(1\.[2-9]|[2-9]\.[0-9]) s$/1.2+ s/')" "1.2+ s"
"$MAINTOP" history -c "$tmp/m.conf" --runbook slow --json > "$tmp/j"
check "JSON: duration_s is the measured seconds, not end - start (0)" \
    jq -e '.[0].duration_s >= 1' "$tmp/j"
check "JSON: duration_ms at least 1200" jq -e '.[0].duration_ms >= 1200' "$tmp/j"
log=$(jq -r '.[0].log' "$tmp/j")
check "the run log says it took a second or more, not 0s" \
    grep -q "^== run .*: success after [1-9]s$" "$log"
echo "1..$n"
