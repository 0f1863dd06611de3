#!/bin/sh
# Keys are one table: every binding of maintop(1)'s KEYS section (which
# tests/unit/test_keymap keeps equal to the table) is in the help overlay,
# every footer hint names a bound key (the forms' too), and a rebinding
# from the configuration (a form's key too) shows in the help and the
# footers.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/screen/lib.sh"

now="2026-11-25T10:00:00Z"
conf="$SCREEN_TMP/keys.conf"
cp "$SCREEN_DIR/fixtures/frame.conf" "$conf"
export XDG_STATE_HOME="$SCREEN_TMP/state"

# The keys as the man page lists them, one per line.
man_keys() {
	sed -n '/^\.SH KEYS/,/^\.SH /p' "$top_srcdir/doc/maintop.1" |
	    sed -n 's/^\.B "\(.*\)"$/\1/p' | sed 's/\\-/-/g' | tr ' ' '\n'
}

# The help overlay, every line of it (top, then bottom).
help_text() {
	screen_keys '?' g
	screen_wait "maintop keys" >/dev/null
	screen_capture
	screen_keys G
	sleep 0.3
	screen_capture
	screen_keys Escape
}

# The footer's hints: one "KEY label" per line (with -f, the form's own
# line above the footer too).
footer_hints() {
	screen_capture | tail -n "$([ "${1:-}" = -f ] && echo 2 || echo 1)" |
	    sed 's/^ //; s/   */\n/g' | sed '/^$/d'
}

screen_start 120 40 "$MAINTOP" -c "$conf" --now "$now"
screen_wait "Runbooks" >/dev/null
help_text > "$SCREEN_TMP/help"
missing=""
for k in $(man_keys); do
	grep -q "│   \(.* \)\{0,1\}$(printf '%s' "$k" | sed 's/[][\.*^$/]/\\&/g')\( \|  \)" "$SCREEN_TMP/help" ||
	    missing="$missing $k"
done
[ -z "$missing" ] && [ "$(man_keys | wc -l)" -gt 30 ]
screen_ok $? "every binding is in the help${missing:+ (missing:$missing)}"

# Every footer, on every pane, zoomed or not, with details open.
: > "$SCREEN_TMP/hints"
for keys in 1 2 3 4 "1 Enter" "2 Enter" "3 Enter" "4 Enter" "3 Enter Enter" \
    "1 Enter Enter" "3 Enter /" "3 Enter n"; do
	screen_keys Escape Escape Escape
	# shellcheck disable=SC2086
	screen_keys $keys
	sleep 0.3
	case $keys in
	*n) footer_hints -f ;;
	*) footer_hints ;;
	esac >> "$SCREEN_TMP/hints"
done
grep -qx "C-j new line" "$SCREEN_TMP/hints" && grep -qx "Tab next" "$SCREEN_TMP/hints"
screen_ok $? "the debt form's footers are drawn from the table (C-j new line, Tab next)"
# Esc cancels the form (its notice is not a hint), Esc again unzooms.
screen_keys Escape Escape
man_keys > "$SCREEN_TMP/bound"
bad=$(cut -d' ' -f1 "$SCREEN_TMP/hints" | sort -u | while read -r k; do
	grep -qxF -- "$k" "$SCREEN_TMP/bound" || printf ' %s' "$k"
done)
[ -z "$bad" ] && [ "$(wc -l < "$SCREEN_TMP/hints")" -gt 20 ]
screen_ok $? "every footer hint is a bound key${bad:+ (not bound:$bad)}"
screen_keys Q
screen_wait "[exit 0]"
screen_ok $? "Q quits at once"

# A rebinding from the configuration is what the help and footers show.
cat >> "$conf" <<'CONF'
keys = { add = "+"; quit = [ "x", "F10" ]; field_next = "C-n"; };
CONF
screen_start 120 40 "$MAINTOP" -c "$conf" --now "$now"
screen_wait "Runbooks" >/dev/null
screen_keys 3
screen_wait "+ add" >/dev/null
footer_hints | grep -qx "x quit"
screen_ok $? "a rebound key shows in the footer"
help_text | grep -q "│   x F10  *close the current view"
screen_ok $? "and in the help"
help_text | grep -q "│   C-n  *next field"
screen_ok $? "a rebound form key shows in the help"
screen_keys 3 Enter +
screen_wait "Add a debt item" >/dev/null
footer_hints -f | grep -qx "C-n next"
screen_ok $? "and in the form's footer"
screen_keys C-n
sleep 0.3
screen_capture | grep -q "▸ Priority"
screen_ok $? "C-n, not Tab, moves to the next field"
# Esc cancels the form, Esc again unzooms.
screen_keys Escape
sleep 0.3
screen_keys Escape
sleep 0.3
screen_keys q
sleep 0.3
screen_keys 3 Enter x
screen_wait "Tab pane" >/dev/null
screen_keys x
screen_wait "[exit 0]"
screen_ok $? "the new quit key closes the zoomed pane, then quits"
screen_done
