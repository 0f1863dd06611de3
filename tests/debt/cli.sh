#!/bin/sh
# "maintop debt" from the command line: the list (plain and JSON) against
# expected output, add, resolve, reopen, delete, the journal, config items
# refused, read-only refusal, a broken debt file left untouched, exit codes.
# Everything is pinned: the clock (--now), the zone (UTC), the state dir.
: "${MAINTOP:=./maintop}"
dir=$(mktemp -d "${TMPDIR:-/tmp}/debt-cli.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
. "${top_srcdir:-.}/tests/lib/tap.sh"
# expect_eq GOT WANT NAME: tap.sh's "is", in this script's order
expect_eq() { is "$3" "$1" "$2"; }
"$MAINTOP" --version >/dev/null 2>&1 || bail "$MAINTOP does not run"
now="--now 2026-03-10T12:00:00Z"
cat > "$dir/m.conf" <<EOF
settings = { timezone = "UTC"; state_dir = "$dir/state"; };
debt = (
  { id = "D-0007"; title = "Config item"; priority = "medium";
    systems = [ "api", "cache" ]; created = "2026-01-01";
    target = "2026-02-26"; owner = "ops"; }
);
EOF
sed 's/timezone = "UTC";/timezone = "UTC"; read_only = true;/' \
    "$dir/m.conf" > "$dir/ro.conf"
run() { "$MAINTOP" $now debt -c "$dir/m.conf" "$@" 2>"$dir/err"; }
# stderr less the configuration's warnings (systems that are not checks)
err() { grep -v ': warning: ' "$dir/err"; }

out=$(run); rc=$?
expect_eq "$rc $out" "0 SCORE  PRIORITY  ID      TARGET       TITLE  [SYSTEMS]
 7.43  medium    D-0007  overdue 12d  Config item  [api, cache]" \
    "the list of config items: 3 + 2 x 0.5 + (90 + 13) / 30 = 7.43 (at noon, 12 days and 12 hours overdue: (target - now).days is -13)"

out=$(run add --title "Rotate TLS certs" --priority high --system api \
    --target 2026-04-01 --effort 4h); rc=$?
expect_eq "$rc $out" "0 added D-0008" "add prints the new id"
out=$(run add --title "Drop old tables" --priority low --target 2026-03-10)
expect_eq "$out" "added D-0009" "a second add"

out=$(run)
expect_eq "$out" "SCORE  PRIORITY  ID      TARGET       TITLE  [SYSTEMS]
  7.8  high      D-0008  in 22d       Rotate TLS certs  [api]
 7.43  medium    D-0007  overdue 12d  Config item  [api, cache]
 4.03  low       D-0009  today        Drop old tables" \
    "the list in score order with targets"

out=$(run --json)
expect_eq "$out" '[
  {"id":"D-0008","title":"Rotate TLS certs","priority":"high","status":"open","systems":["api"],"target":"2026-04-01","days_until_target":21,"score":7.8,"score_parts":{"weight":5,"systems":0.5,"urgency":2.3},"created":"2026-03-10","resolved":null,"owner":null,"effort":14400,"description":null,"impact":null,"plan":null,"source":"state"},
  {"id":"D-0007","title":"Config item","priority":"medium","status":"open","systems":["api","cache"],"target":"2026-02-26","days_until_target":-13,"score":7.433333333,"score_parts":{"weight":3,"systems":1.0,"urgency":3.433333333},"created":"2026-01-01","resolved":null,"owner":"ops","effort":null,"description":null,"impact":null,"plan":null,"source":"config"},
  {"id":"D-0009","title":"Drop old tables","priority":"low","status":"open","systems":[],"target":"2026-03-10","days_until_target":-1,"score":4.033333333,"score_parts":{"weight":1,"systems":0.0,"urgency":3.033333333},"created":"2026-03-10","resolved":null,"owner":null,"effort":null,"description":null,"impact":null,"plan":null,"source":"state"}
]' "--json: every item in score order with the score's parts"

out=$(run resolve D-0009); rc=$?
expect_eq "$rc $out" "0 resolved D-0009" "resolve"
run resolve D-0009 >/dev/null; rc=$?
expect_eq "$rc $(err)" \
    "1 maintop debt resolve: debt item 'D-0009' is already resolved" \
    "resolving twice fails with exit 1"
out=$(run | grep -c D-0009)
expect_eq "$out" "0" "a resolved item leaves the default list"
out=$(run --all | grep D-0009)
expect_eq "$out" " 4.03  low       D-0009  resolved 2026-03-10  Drop old tables" \
    "--all shows it, with its resolution date"
out=$(run reopen D-0009); rc=$?
expect_eq "$rc $out" "0 reopened D-0009" "reopen"
out=$(run delete D-0009); rc=$?
expect_eq "$rc $out" "0 deleted D-0009" "delete"

run resolve D-0007 >/dev/null; rc=$?
grep -q "comes from the configuration ($dir/m.conf:[0-9]*): edit it there" \
    "$dir/err"
ok $(( $? + rc - 1 )) "a config item is refused, naming where to edit it"

cp "$dir/state/debt.conf" "$dir/before"
"$MAINTOP" $now debt -c "$dir/m.conf" --read-only resolve D-0008 \
    >/dev/null 2>"$dir/err"; rc=$?
expect_eq "$rc $(err)" \
    "1 maintop debt resolve: refused: read-only mode" "--read-only refuses"
"$MAINTOP" $now debt -c "$dir/ro.conf" add --title x --priority low \
    >/dev/null 2>"$dir/err"; rc=$?
expect_eq "$rc $(grep -c 'settings.read_only' "$dir/err")" "1 1" \
    "settings.read_only refuses"
cmp -s "$dir/before" "$dir/state/debt.conf"
ok $? "read-only refusals leave the file alone"

out=$(grep -c '"type":"debt"' "$dir/state/journal.jsonl")
expect_eq "$out" "5" "the journal holds one record per change"
out=$(sed -n 3p "$dir/state/journal.jsonl" | sed 's/,"file".*"time"/,"time"/')
expect_eq "$out" \
    '{"type":"debt","action":"resolve","id":"D-0009","title":"Drop old tables","time":"2026-03-10T12:00:00Z"}' \
    "a journal record says what, which item and when"
grep -q '"user":"[^"]' "$dir/state/journal.jsonl"
ok $? "and who"

# edit: the same checks, lock and journal as the dashboard; show: one item.
out=$(run edit D-0008 --owner ops --systems "api, cache" --impact "Outage" \
    --plan "$(printf 'Automate renewal.\nAlert at 14 days.')"); rc=$?
expect_eq "$rc $out" "0 saved D-0008" "edit saves the fields given"
out=$(run show D-0008); rc=$?
expect_eq "$rc $out" "0 D-0008  Rotate TLS certs
Score       8.3 = 5 + 1 + 2.3
            priority high = 5
            systems 2 × 0.5 = 1
            urgency (90 − 21) / 30 = 2.3
Priority    high
Status      open
Target      2026-04-01 (in 22d)
Systems     api, cache
Owner       ops
Effort      4h
Created     2026-03-10
Source      $dir/state/debt.conf

Impact
    Outage

Plan
    Automate renewal.
    Alert at 14 days." "show prints the item whole with the score's terms"
out=$(tail -n 1 "$dir/state/journal.jsonl" | sed 's/,"file".*"time"/,"time"/')
expect_eq "$out" \
    '{"type":"debt","action":"edit","id":"D-0008","title":"Rotate TLS certs","time":"2026-03-10T12:00:00Z"}' \
    "the edit is journaled"
run edit D-0008 --target "" --owner "" >/dev/null; rc=$?
expect_eq "$rc $(run show D-0008 | grep -E '^(Target|Owner)')" "0 Target      -
Owner       -" "an empty value clears a field"
cp "$dir/state/debt.conf" "$dir/before"
run edit D-0008 --target 2026-02-30 >/dev/null; rc=$?
expect_eq "$rc $(err)" "2 maintop debt edit: --target: target must be a date YYYY-MM-DD, e.g. 2026-12-31" \
    "a bad value is a usage error"
run edit D-0008 --title "$(printf 'a\033[2Jb')" >/dev/null; rc=$?
expect_eq "$rc $(grep -c 'control character' "$dir/err")" "1 1" \
    "an escape sequence is refused"
cmp -s "$dir/before" "$dir/state/debt.conf"
ok $? "refused edits leave the file alone"
run edit D-0007 --owner x >/dev/null; rc=$?
grep -q "comes from the configuration ($dir/m.conf:[0-9]*): edit it there" \
    "$dir/err"
ok $(( $? + rc - 1 )) "edit refuses a configuration item, naming its file"
run edit D-0008 >/dev/null; rc=$?
expect_eq "$rc" "2" "edit without a field is a usage error"
run show D-0042 >/dev/null; rc=$?
expect_eq "$rc $(err)" "1 maintop debt show: no debt item 'D-0042'" \
    "show of an unknown id fails"
out=$(run show D-0007 | grep '^Source')
expect_eq "$out" "Source      configuration $dir/m.conf:3" \
    "show names where a configuration item is"

run add --title "No priority" >/dev/null; rc=$?
expect_eq "$rc" "2" "add without --priority is a usage error"
run add --title t --priority low --target 2026-13-45 >/dev/null; rc=$?
expect_eq "$rc" "2" "a bad --target is a usage error"
run add --title "$(printf 'esc \033[2J')" --priority low >/dev/null; rc=$?
expect_eq "$rc $(grep -c 'control character' "$dir/err")" "1 1" \
    "an escape sequence in a title is refused"
run frobnicate >/dev/null; rc=$?
expect_eq "$rc" "2" "an unknown command is a usage error"
run resolve >/dev/null; rc=$?
expect_eq "$rc" "2" "resolve without an id is a usage error"
"$MAINTOP" debt -c "$dir/missing.conf" >/dev/null 2>&1; rc=$?
expect_eq "$rc" "3" "no configuration: exit 3"

# check --json: each check lists the open items naming it, the debt
# file's with the configuration's, in score order.
sed 's|^debt = (|http = ( { name = "api"; url = "http://127.0.0.1:1/"; timeout = "2s"; } );\ndebt = (|' \
    "$dir/m.conf" > "$dir/c.conf"
"$MAINTOP" $now check -c "$dir/c.conf" --json > "$dir/check.json" 2>/dev/null
out=$(python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
print(" ".join("%s:%s:%.2f" % (d["id"], d["source"], d["score"])
    for d in a[0]["debt"]))' "$dir/check.json")
expect_eq "$out" "D-0007:config:7.43 D-0008:state:6.00" \
    "check --json: the debt items naming the check, from both places"

# A broken debt file: errors with file and line, nothing overwritten.
printf 'version = 1;\ndebt = (\n  { id = "D-0001"; title = 42; priority = "low"; }\n);\n' \
    > "$dir/state/debt.conf"
cp "$dir/state/debt.conf" "$dir/before"
out=$(run); rc=$?
expect_eq "$rc $(err)" \
    "1 $dir/state/debt.conf:3: error: 'title' must be a string, not an integer" \
    "a broken debt file: the error with file and line, exit 1"
expect_eq "$(printf '%s\n' "$out" | awk 'NR == 2 { print $3 }')" "D-0007" \
    "the configuration's items are still listed"
run add --title t --priority low >/dev/null; rc=$?
grep -q "the debt file has errors; fix it first" "$dir/err"
ok $(( $? + rc - 1 )) "changes are refused while the file is broken"
cmp -s "$dir/before" "$dir/state/debt.conf"
ok $? "the broken file is left as it was"

echo "1..$n"
