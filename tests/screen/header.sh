#!/bin/sh
# Screen tests of the header row: a long maintenance banner is cut (with an
# ellipsis) and the clock stays, at every width from 200 columns down to the
# too-small screen.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/screen/lib.sh"

conf="$SCREEN_DIR/fixtures/header.conf"
"$MAINTOP" --version >/dev/null 2>&1 || bail "$MAINTOP does not run"

# Sunday 2026-12-06 03:30 Europe/Berlin (02:30 UTC): the window runs from
# 02:00 to 06:00 local time.
screen_start 200 50 "$MAINTOP" -c "$conf" --now 2026-12-06T02:30:00Z
screen_expect header-200x50 "200x50: the whole banner and the clock with its date"
for size in 120x32 100x30 80x24 60x20; do
	screen_resize "${size%x*}" "${size#*x}"
	screen_expect "header-$size" \
	    "$size: the banner cut with an ellipsis, the clock kept"
	screen_capture | head -n 1 | grep -q 'IN MAINTENANCE: quarte.*… 03:30 CET$'
	screen_ok $? "$size: the header ends with the clock"
done

screen_done
