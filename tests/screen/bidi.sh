#!/bin/sh
# The dashboard never writes a bidirectional control: a debt title holding
# U+202E (RIGHT-TO-LEFT OVERRIDE), which would make it read backwards, and
# a check's target holding one (a database name), are drawn without it.
# The bytes written to the pty are read (tmux pipe-pane), not only the
# rendered screen.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/screen/lib.sh"

work="$SCREEN_TMP/work"
mkdir -p "$work/state"
printf 'settings = { state_dir = "%s/state"; };\npostgres = ( { name = "db"; conninfo = "host=127.0.0.1 port=1 dbname=ab\342\200\256cd"; interval = "1h"; } );\n' \
    "$work" > "$work/m.conf"
printf 'version = 1;\nnext_id = 2;\ndebt = (\n  { id = "D-0001"; title = "Pay \342\200\256sliated tnuocca"; priority = "high"; status = "open"; created = "2026-11-01"; }\n);\n' \
    > "$work/state/debt.conf"
"$MAINTOP" debt -c "$work/m.conf" >/dev/null 2>&1 ||
	echo "Bail out! the debt file is refused"

# The program waits for a line so that the pipe is in place before the
# first byte is drawn.
screen_start 100 24 sh -c 'read x; exec "$@"' sh "$MAINTOP" -c "$work/m.conf" \
    --now 2026-11-25T10:00:00Z
screen_tmux pipe-pane -o -t test "cat >> '$work/raw'"
screen_keys Enter
screen_wait "sliated tnuocca"
screen_ok $? "the debt title is drawn"
screen_capture | grep -q "Pay sliated tnuocca"
screen_ok $? "the title reads as stored, the override left out"
screen_keys 2 z Enter
screen_wait "127.0.0.1:1/abcd"
screen_ok $? "the check's target is drawn in its details, the override left out"
LC_ALL=C grep -q "$(printf '\342\200\256')" "$work/raw"
[ $? = 1 ]
screen_ok $? "no U+202E written to the terminal"
screen_done
