#!/bin/sh
# Screen tests of the dashboard frame: layouts, focus, zoom, help, resize,
# modes, colour and ASCII fallbacks, and terminal restoration on quit.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/screen/lib.sh"

conf="$SCREEN_DIR/fixtures/frame.conf"
now="2026-11-25T10:00:00Z"

screen_start 80 24 "$MAINTOP" -c "$conf" --now "$now"
screen_expect frame-80x24 "80x24 start-up shows all four panes stacked"
screen_keys Tab
screen_expect frame-80x24-focus-health "Tab moves focus to Health, which grows"
screen_keys 3
screen_expect frame-80x24-focus-debt "3 focuses Debt"
screen_keys Enter
screen_expect frame-80x24-zoom-debt "Enter zooms the focused pane"
screen_keys Escape
screen_expect frame-80x24-focus-debt "Esc returns from zoom"
screen_keys BTab
screen_expect frame-80x24-focus-health "Shift-Tab moves focus back"
screen_keys '?'
screen_expect frame-80x24-help "? shows the help overlay"
screen_keys Escape
screen_expect frame-80x24-focus-health "Esc closes the help"
screen_resize 60 20
screen_expect frame-too-small "below 80x24 a clear too-small message"
screen_resize 80 24
screen_expect frame-80x24-focus-health "growing back restores the dashboard"

screen_start 160 45 "$MAINTOP" -c "$conf" --now "$now"
screen_expect frame-160x45 "160x45 start-up shows a 2x2 grid"

screen_start 80 24 "$MAINTOP" -c "$conf" --now "$now" --read-only
screen_expect frame-read-only "--read-only shows READ-ONLY in the header"

screen_start 80 24 "$MAINTOP" -c "$conf" --now "$now" --wall
screen_expect frame-wall "--wall shows WALL, the big status line and a zoomed pane"

# Colour: the default theme uses colour; NO_COLOR removes every colour.
screen_start 80 24 "$MAINTOP" -c "$conf" --now "$now"
screen_wait "Calendar" >/dev/null
screen_capture -e | grep -q '\[[0-9;]*3[0-7][;m]'
screen_ok $? "the default theme draws in colour"
SCREEN_ENV="NO_COLOR=1" screen_start 80 24 "$MAINTOP" -c "$conf" --now "$now"
screen_wait "Calendar" >/dev/null
! screen_capture -e | grep -q '\[[0-9;]*[34][0-8][;m]'
screen_ok $? "NO_COLOR: no colour escape at all"
screen_expect frame-80x24 "NO_COLOR: same text as with colour"

for term in screen-256color tmux-256color linux vt100; do
	SCREEN_TERM=$term screen_start 80 24 "$MAINTOP" -c "$conf" --now "$now"
	screen_expect frame-80x24 "TERM=$term draws the same screen"
done

SCREEN_LANG=C screen_start 80 24 "$MAINTOP" -c "$conf" --now "$now"
screen_expect frame-80x24-ascii "LANG=C falls back to ASCII"

# Quitting restores the terminal: after maintop exits, the shell in the pane
# gets a sane tty back (canonical mode and echo on).
screen_start 80 24 sh -c "\"$MAINTOP\" -c \"$conf\" --now $now; echo status=\$?; stty -a | tr ' ;' '\n\n' | grep -x -e icanon -e echo | tr '\n' ' '"
screen_wait "Calendar" >/dev/null
screen_keys q
screen_wait "status=0" 
screen_ok $? "q quits at once (nothing running) with status 0"
screen_wait "icanon echo"
screen_ok $? "the terminal is restored (icanon, echo)"

screen_start 80 24 sh -c "\"$MAINTOP\" -c \"$conf\" --now $now; echo status=\$?; stty -a | tr ' ;' '\n\n' | grep -x -e icanon -e echo | tr '\n' ' '"
screen_wait "Calendar" >/dev/null
screen_signal TERM
screen_wait "icanon echo"
screen_ok $? "SIGTERM restores the terminal"

screen_done
