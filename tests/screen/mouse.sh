#!/bin/sh
# Screen tests of the mouse: a click focuses a pane and selects the row
# under it, the wheel scrolls, a double click zooms a pane or opens the row
# (as Enter does); a form and the run console keep what a click elsewhere
# would change, and the wheel scrolls the run console's output; read-only
# mode opens nothing that runs; with mouse = false maintop asks for no
# mouse events and a click changes nothing; malformed, cut and hostile
# reports are dropped whole, with the mouse on or off.  Clicks are the SGR
# reports (\033[<B;X;YM) that xterm-256color's kmous announces, and X10
# reports (\033[M and three bytes).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/screen/lib.sh"

now="2026-11-25T10:00:00Z"
conf="$SCREEN_TMP/mouse.conf"
{
	cat <<CONF
settings = { name = "mouse-test"; timezone = "UTC";
  state_dir = "$SCREEN_TMP/state"; wall_cycle = "1h"; };
windows = (
  { name = "weekly-vacuum"; schedule = "0 2 * * SUN"; duration = "4h"; },
  { name = "monthly-patch"; schedule = "0 2 * * SUN#1"; duration = "6h"; }
);
runbooks = (
  { name = "first"; steps = ( { name = "one"; run = "echo first"; } ); },
  { name = "second"; description = "the second runbook";
    steps = ( { name = "two"; run = "echo second"; } ); }
);
CONF
	# Thirty items, listed in this order: enough to scroll.
	echo "debt = ("
	i=1
	while [ $i -le 30 ]; do
		sep=","; [ $i -eq 30 ] && sep=""
		printf '  { id = "D-%02d"; title = "Item %02d"; priority = "low"; }%s\n' \
		    $i $i "$sep"
		i=$((i + 1))
	done
	echo ");"
} > "$conf"
"$MAINTOP" validate -c "$conf" >/dev/null 2>"$SCREEN_TMP/validate.err" ||
    bail "the test configuration does not validate: $(cat "$SCREEN_TMP/validate.err")"

# The screen row (1 the first) of the first line holding TEXT.
row_of() {
	screen_capture | grep -nF -- "$1" | head -n 1 | cut -d: -f1
}

# mouse_send BUTTON COL ROW [TIMES]: presses (and releases) of BUTTON at
# the 1-based cell, TIMES in one write (2: a double click).  Buttons: 0 the
# first, 64 the wheel up, 65 the wheel down.
mouse_send() {
	seq="" n=${4:-1}
	while [ "$n" -gt 0 ]; do
		seq="$seq$(printf '\033[<%d;%d;%dM' "$1" "$2" "$3")"
		[ "$1" -lt 64 ] && seq="$seq$(printf '\033[<%d;%d;%dm' "$1" "$2" "$3")"
		n=$((n - 1))
	done
	screen_tmux send-keys -t test -l "$seq"
}

# The temporary directory written the same way, and the item's source
# line without its path: how much of it fits depends on the directory's
# length (another user's temporary directory is longer).
mouse_norm() {
	sed -e "s#$SCREEN_TMP#TMP#g" \
	    -e 's#^\( Source *\)configuration .*#\1configuration (path)#'
}

# click TEXT [TIMES]: at column 5 of the line holding TEXT.
click() {
	r=$(row_of "$1")
	[ -n "$r" ] || { echo "# no line holds '$1'"; return 1; }
	mouse_send 0 5 "$r" "${2:-1}"
}

# wheel TEXT down|up NOTCHES: the wheel over the line holding TEXT.
wheel() {
	r=$(row_of "$1") b=65
	[ "$2" = up ] && b=64
	mouse_send $b 5 "$r" "$3"
}

# Waits (5 s) until maintop has asked the terminal for mouse presses as
# SGR reports (it does once the first frame is out).
mouse_mode() {
	i=0
	until [ "$(screen_tmux display -p -t test '#{mouse_sgr_flag}#{mouse_standard_flag}')" = 11 ]; do
		[ $i -lt 50 ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
}

screen_start 80 24 "$MAINTOP" -c "$conf" --now "$now"
screen_wait "Runbooks" >/dev/null
mouse_mode
screen_ok $? "maintop asks the terminal for mouse presses (SGR reports)"

click "3 Debt"
screen_expect mouse-focus-debt "a click on a pane's title focuses it"
click "Item 05"
screen_keys Enter Enter
screen_expect_norm mouse_norm mouse-debt-detail "a click selects the row under it (Enter Enter: its details)"
screen_keys Escape Escape
screen_expect mouse-focus-debt "Esc Esc: back to the list"
wheel "Item 02" down 5
screen_expect mouse-debt-wheel "the wheel scrolls down (three rows a notch)"
wheel "Item 20" up 10
screen_expect mouse-focus-debt "and back up"

click "4 Runbooks"
screen_expect mouse-focus-runbooks "a click on another pane focuses it"
click "second" 2
screen_expect mouse-runbooks-zoom "a double click on a small pane zooms it"
click "second" 2
screen_expect mouse-runbooks-open "a double click on a row opens it, as Enter does (the dry run)"
# The console has every key: a double click on the other runbook's row
# does nothing.  Esc closes the dry run; Enter opens the selection's again.
click "Dry run" 2
mouse_send 0 5 3 2
screen_keys Escape Enter
screen_expect mouse-runbooks-open "a click in the run console changes nothing"
screen_keys Escape

# A form keeps the focus: a click on another pane's title does nothing,
# and what is typed next goes on into the form.
screen_keys 3 n
screen_wait "Add a debt item" >/dev/null
mouse_send 0 5 1 2
click "Priority" 2
wheel "Priority" down 2
screen_keys x
screen_expect mouse-form "clicks and the wheel on a form change nothing"
screen_keys Escape
screen_wait "30 open" >/dev/null
screen_keys Escape
screen_wait "1 Calendar" >/dev/null

# The zoomed calendar: a click on a day moves the cursor there (Enter: the
# day's windows); the wheel moves by weeks.
screen_keys 1 Enter
screen_wait "Mo Tu We" >/dev/null
r=$(row_of "Mo Tu We")
mouse_send 0 21 $((r + 5))
screen_keys Enter
screen_expect mouse-calendar-day "a click on a day of the month selects it"

# The 2x2 grid at 120x40: the pane under the click, on either side of
# the line between them.
screen_start 120 40 "$MAINTOP" -c "$conf" --now "$now"
screen_wait "Item 03" >/dev/null
mouse_mode
mouse_send 0 70 "$(row_of "● second")"
screen_keys Enter
screen_expect mouse-grid-runbooks "120x40: a click on the right focuses Runbooks (Enter zooms it)"
screen_keys Escape
screen_wait "Item 03" >/dev/null
click "Item 03"
screen_keys Enter Enter
screen_expect_norm mouse_norm mouse-grid-debt "120x40: a click on the left selects a debt item (Enter Enter: its details)"

# Read-only: clicks select and zoom, but a double click on a runbook runs
# nothing.
screen_start 80 24 "$MAINTOP" -c "$conf" --now "$now" --read-only
screen_wait "Runbooks" >/dev/null
screen_wait "READ-ONLY" >/dev/null
mouse_mode || echo "# no mouse mode in read-only"
click "4 Runbooks"
screen_wait "● second" >/dev/null
click "second" 2
screen_wait "Esc back" >/dev/null
click "second" 2
screen_wait "read-only mode: runbooks cannot be run"
screen_ok $? "read-only: a double click on a runbook is refused"
screen_expect mouse-read-only "and nothing opens"

# The run console: the wheel scrolls its output as the arrow keys do
# (three lines a notch), and down again to the end.
cat > "$SCREEN_TMP/lines.conf" <<CONF
settings = { name = "mouse-test"; timezone = "UTC";
  state_dir = "$SCREEN_TMP/state"; };
runbooks = (
  { name = "lines"; steps = ( { name = "count"; confirm = false;
      run = "seq 1 60 | sed 's/^/line /'"; } ); }
);
CONF
screen_start 80 24 "$MAINTOP" -c "$SCREEN_TMP/lines.conf" --now "$now"
screen_wait "Runbooks" >/dev/null
mouse_mode
screen_keys 4 Enter Enter
screen_wait "Dry run" >/dev/null
screen_keys Enter
screen_wait "line 60" >/dev/null
# The log's path is cut where the temporary directory's length says (the
# unprivileged run's is longer): its line is compared without it.
console_norm() { screen_run_norm | sed -E 's#^( *Log: ).*#\1LOG#'; }
wheel "line 50" up 4
screen_expect_norm console_norm mouse-console-wheel "the wheel scrolls the run console's output up"
wheel "line 40" down 4
screen_expect_norm console_norm mouse-console-wheel-end "the wheel down follows the end again"
screen_keys Up Up Up Up Up Up Up Up Up Up Up Up
screen_expect_norm console_norm mouse-console-wheel "twelve Up keys scroll as far as four notches"
screen_keys Escape

# mouse = false: no mouse mode, and a click, the wheel and a double click
# change nothing (z then zooms the Calendar pane, still focused).
sed 's/wall_cycle = "1h";/wall_cycle = "1h"; mouse = false;/' "$conf" > "$SCREEN_TMP/nomouse.conf"
screen_start 80 24 "$MAINTOP" -c "$SCREEN_TMP/nomouse.conf" --now "$now"
screen_wait "Runbooks" >/dev/null
screen_ok $([ "$(screen_tmux display -p -t test '#{mouse_any_flag}#{mouse_sgr_flag}#{mouse_standard_flag}')" = 000 ] && echo 0 || echo 1) \
    "mouse = false: maintop asks for no mouse events"
click "3 Debt"
click "4 Runbooks" 2
wheel "SCORE PRIO" down 3
screen_keys z
screen_expect mouse-off "mouse = false: clicks and the wheel change nothing"

# Hostile reports: none of their bytes may act as keys (a 3 or a 4 would
# focus a pane, which z would then zoom instead of the Calendar).  Wheel
# reports without their row, empty, extra and long parameters, a wrong
# final byte, X10 reports on no cell, and one cut short (its bytes stop
# coming: dropped after half a second, the next key a key again).
# hostile [GOOD]: the reports in one write, with GOOD ones (X10) too.
hostile() {
	h='\033[<64;3M\033[<65;4M\033[<0;4;3;2M\033[<;;3M'
	h="$h"'\033[<64;44444444444444444444;3M\033[<64;4;3x'
	h="$h"'\033[M`  \033[M 4 \033[M#\0403'
	[ -n "${1:-}" ] && h="$h"'\033[M`44\033[M 43\033[M#43'
	screen_tmux send-keys -t test -l "$(printf "$h")"
}
hostile_cut() {
	screen_tmux send-keys -t test -l "$(printf '\033[<65;4;3')"
}
screen_keys Escape
screen_wait "2 Health" >/dev/null
hostile good
hostile_cut
sleep 0.6
screen_keys z
screen_expect mouse-off "mouse = false: malformed, extra and cut reports are dropped whole, no byte of them a key"

# The same with the mouse on: dropped whole, and a report cut short holds
# nothing up (a resize is drawn at once).
screen_start 80 24 "$MAINTOP" -c "$conf" --now "$now"
screen_wait "Runbooks" >/dev/null
mouse_mode
hostile
hostile_cut
screen_resize 100 30
screen_wait "1 Calendar $(printf '%85s' '' | sed 's/ /─/g')"
screen_ok $? "a report cut short holds nothing up: a resize is drawn"
screen_resize 80 24
screen_wait "Runbooks" >/dev/null
sleep 0.6
screen_keys z
screen_expect mouse-off "malformed and cut reports are dropped whole, no byte of them a key"

screen_done
