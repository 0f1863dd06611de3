#!/bin/sh
# The on-call screen at every size: with six healthy checks listed before
# the failing ones, every check that is not OK is on the first screen
# (crit first, the reason leading its message) and the header names the
# worst, at 80x24, 100x30, 120x40 and 200x60.  Whole screens are compared,
# latencies masked.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/screen/lib.sh"
screen_with_http

now="2026-11-25T10:00:00Z"
conf="$SCREEN_TMP/urgency.conf"
export XDG_STATE_HOME="$SCREEN_TMP/state"
# One probe each (interval 1h): the screens do not move.
cat > "$conf" <<CONF
settings = { name = "urgency"; timezone = "UTC"; refresh = "1h";
  fail_after = 1; };
http = (
  { name = "web-frontend"; url = "$HTTP_URL_TEST/health"; },
  { name = "web-backend"; url = "$HTTP_URL_TEST/health"; },
  { name = "search"; url = "$HTTP_URL_TEST/health"; },
  { name = "auth"; url = "$HTTP_URL_TEST/health"; },
  { name = "images"; url = "$HTTP_URL_TEST/health"; },
  { name = "billing-reports"; url = "$HTTP_URL_TEST/health"; },
  { name = "slow-api"; url = "$HTTP_URL_TEST/slow?ms=300";
    latency_warn = "100ms"; },
  { name = "payments"; url = "$HTTP_URL_TEST/status/500"; },
  { name = "ledger"; url = "http://127.0.0.1:1/"; }
);
windows = (
  { name = "weekly-vacuum"; schedule = "0 2 * * SUN"; duration = "4h";
    systems = [ "web-backend" ]; },
  { name = "monthly-patch"; schedule = "0 2 * * SUN#1"; duration = "6h"; },
  { name = "year-end-freeze"; start = "2026-12-20T00:00:00Z";
    duration = "14d"; kind = "freeze"; }
);
CONF
"$MAINTOP" validate -c "$conf" >/dev/null 2>"$SCREEN_TMP/validate.err" ||
    bail "the test configuration does not validate: $(cat "$SCREEN_TMP/validate.err")"

for size in 80x24 100x30 120x40 200x60; do
	cols=${size%x*} rows=${size#*x}
	screen_start "$cols" "$rows" "$MAINTOP" -c "$conf" --now "$now"
	screen_wait "CRIT payments +1" >/dev/null
	screen_wait "WARN slow-api" >/dev/null
	screen_expect_norm screen_health_norm "urgency-$size" \
	    "$size: every check in trouble on the first screen, the worst named"
	for c in ledger payments slow-api; do
		screen_capture | grep -q "● $c "
		screen_ok $? "$size: $c is listed"
	done
	screen_capture | head -n 1 | grep -q "CRIT payments +1 .*WARN slow-api"
	screen_ok $? "$size: the header names the worst first"
done

# o lists the checks as configured: the healthy ones come first again.
screen_start 100 30 "$MAINTOP" -c "$conf" --now "$now"
screen_wait "CRIT payments +1" >/dev/null
screen_wait "WARN slow-api" >/dev/null
# Sparklines never out-shout state: a critical sample is a full bar, a
# slow but steady check a low line.
screen_capture | grep "● ledger " | grep -q "█ "
screen_ok $? "a critical sample is a full bar"
screen_capture | grep "● slow-api " | grep -q "▁ latency"
screen_ok $? "a slow, steady check draws a low line"
screen_keys 2 z
screen_wait "WHY / WHAT" >/dev/null
screen_capture | sed -n 4,6p | awk '{ print $2 }' | tr '\n' ' ' |
    grep -qx "payments ledger slow-api "
screen_ok $? "zoomed: the most urgent checks first, crit before warn"
screen_keys o
screen_wait "as configured" >/dev/null
screen_capture | sed -n 4p | grep -q "● web-frontend "
screen_ok $? "o: as configured"

# Below 80x24 the status line is still there, above the notice.
screen_resize 70 20
screen_wait "Terminal too small" >/dev/null
screen_capture | head -n 1 | grep -q "CRIT payments"
screen_ok $? "too small: the header still names the worst check"
screen_done
