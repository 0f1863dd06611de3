#!/bin/sh
# "maintop history": newest first (--reverse for oldest first), --limit and
# --since, "running" while the maintop that started a run is alive and
# "interrupted" after, columns that line up for names of any length,
# durations measured, and journal fields sanitized in the table and escaped
# in JSON.  Prints TAP.
: "${MAINTOP:=./maintop}"
. "$top_srcdir/tests/lib/tap.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lines-history.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
"$MAINTOP" --version >/dev/null || { echo "Bail out! $MAINTOP does not run"; exit 1; }
long=a-runbook-with-a-rather-long-name-of-forty-two
cat > "$tmp/m.conf" <<EOC
settings = { state_dir = "$tmp/state"; };
runbooks = (
  { name = "$long"; steps = ( { name = "s"; run = "true"; } ); },
  { name = "r"; steps = ( { name = "s"; run = "sleep 1"; } ); },
  { name = "z"; steps = ( { name = "s"; run = "true"; } ); }
);
EOC
h() { "$MAINTOP" history -c "$tmp/m.conf" "$@"; }
for rb in "$long" r z; do
	"$MAINTOP" run "$rb" -c "$tmp/m.conf" --yes >/dev/null 2>&1 ||
		echo "Bail out! a run of $rb failed"
done

h > "$tmp/out"
is "newest first" "$(awk 'NR > 1 { print $2 }' "$tmp/out" | tr '\n' ' ')" "z r $long "
is "--reverse: oldest first" \
    "$(h --reverse | awk 'NR > 1 { print $2 }' | tr '\n' ' ')" "$long r z "
is "--limit 2: the two newest" "$(h --limit 2 | awk 'NR > 1 { print $2 }' | tr '\n' ' ')" "z r "
is "--limit 2 --reverse: the two newest, oldest first" \
    "$(h --limit 2 --reverse | awk 'NR > 1 { print $2 }' | tr '\n' ' ')" "r z "
is "--since a future instant: none" "$(h --since 2099-01-01)" "No runs in the journal."
is "--since 1h: the three runs of the last hour" \
    "$(h --since 1h | awk 'NR > 1' | wc -l | tr -d ' ')" 3
h --since yesterday-ish >/dev/null 2>&1
is "--since garbage: a usage error (2)" "$?" 2
# Each row's RESULT starts in the column of the header's.
col=$(awk 'NR == 1 { print index($0, "RESULT") }' "$tmp/out")
check "columns line up with a 42-character name" \
    awk -v c="$col" 'NR > 1 && substr($0, c, 7) != "success" { exit 1 }' "$tmp/out"
check "the long name is whole" grep -q "  $long  " "$tmp/out"
is "the run of sleep 1 took a second, measured to the tenth" \
    "$(awk '$2 == "r" { print $(NF - 2), $(NF - 1) }' "$tmp/out" | sed 's/^1\.[0-9] s$/1 s/')" "1 s"
check "the manual's help lists --since, --limit and --reverse" \
    sh -c '"$1" history --help | grep -q -- "--since WHEN" && "$1" history --help | grep -q -- "--limit N" && "$1" history --help | grep -q -- "--reverse"' - "$MAINTOP"

# Runs with no end: one whose maintop is alive (this shell), one whose is
# gone; and journal fields carrying ESC, a C1 CSI and U+202E.
j="$tmp/state/journal.jsonl"
printf '{"type":"run_start","run":"live-1","runbook":"r","user":"u","start":"2026-12-02T10:00:00Z","pid":%d,"log":"x"}\n' $$ >> "$j"
printf '{"type":"run_start","run":"dead-1","runbook":"r","user":"u","start":"2026-12-02T10:00:01Z","pid":999999999,"log":"x"}\n' >> "$j"
printf '{"type":"run_start","run":"evil-1","runbook":"r","user":"\\u001b]0;PWNED\\u0007\\u009b2J\\u202eresu","start":"2026-12-02T10:00:02Z","pid":1,"log":"x"}\n' >> "$j"
printf '{"type":"run_end","run":"evil-1","runbook":"r","result":"success\\u202e","end":"2026-12-02T10:00:03Z"}\n' >> "$j"
h > "$tmp/out2"
check "a run whose maintop is alive: running" grep -q "^live-1 .* running$" "$tmp/out2"
check "a run whose maintop is gone: interrupted" grep -q "^dead-1 .* interrupted$" "$tmp/out2"
check "no escape, C1 or bidi control printed (piped)" \
    sh -c '! LC_ALL=C grep -q "$(printf "\033\\|\302\233\\|\342\200\256")" "$1"' - "$tmp/out2"
h --json > "$tmp/json"
check "JSON: U+009B and U+202E escaped" sh -c 'grep -qF "\\u009b2J\\u202eresu" "$1"' - "$tmp/json"
check "JSON: ESC escaped" grep -qiF '\u001b]0;PWNED' "$tmp/json"
check "table: a bidi control in a result is dropped" grep -q "^evil-1 .* success$" "$tmp/out2"
check "JSON: every run there, with its duration in ms" \
    sh -c '[ "$(jq length "$1")" = 6 ] && jq -e ".[] | select(.runbook == \"r\" and .duration_ms != null) | .duration_ms >= 1000" "$1" >/dev/null' - "$tmp/json"
echo "1..$n"
