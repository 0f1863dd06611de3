#!/bin/sh
# Screen tests of the calendar: the pane outside and inside a window, the
# header banner, the month grid and timeline, and a window's details.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/screen/lib.sh"

conf="$SCREEN_DIR/fixtures/calendar.conf"

# Wednesday 2026-11-25 10:00 UTC: nothing on; the next Sunday is within
# the 72 h notice of weekly-vacuum only from Thursday on.
screen_start 80 24 "$MAINTOP" -c "$conf" --now 2026-11-25T10:00:00Z
screen_expect calendar-outside "outside any window: next windows with countdowns"

# Sunday 2026-12-06 03:30 Europe/Berlin (02:30 UTC): weekly-vacuum runs
# (02:00-06:00 local), monthly-patch starts at 03:00 UTC.
screen_start 80 24 "$MAINTOP" -c "$conf" --now 2026-12-06T02:30:00Z
screen_expect calendar-inside "inside a window: the banner in the header and the active window"
screen_keys Tab
screen_wait "IN MAINTENANCE: weekly-vacuum"
screen_ok $? "the banner stays on every pane's screen"

screen_start 120 32 "$MAINTOP" -c "$conf" --now 2026-12-06T02:30:00Z
screen_keys Enter
screen_expect calendar-zoomed "zoomed: month grid, seven-day timeline with now, the list"
screen_keys Enter
screen_expect calendar-detail "Enter: the day's windows in words, next occurrences, runbooks in dependency order"
screen_keys Escape t l l l l l l l
screen_wait "December 2026"
screen_ok $? "l moves the cursor by days across the month"
screen_keys ']'
screen_wait "January 2027"
screen_ok $? "] moves by four weeks"

screen_done
