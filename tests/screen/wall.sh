#!/bin/sh
# Screen tests of the wall display (--wall): the status band names every
# check in trouble by state, the maintenance window on now and the time
# since the last change; at 120 columns and more the worst check is also
# in block letters; the panes cycle with no key.  Whole screens at 120x40
# and 80x24, latencies masked; then a screen with every check OK.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/screen/lib.sh"
screen_with_http

now="2026-11-25T10:00:00Z"
conf="$SCREEN_TMP/wall.conf"
export XDG_STATE_HOME="$SCREEN_TMP/state"
# One probe each (interval 1h): the screens do not move but for the cycle.
cat > "$conf" <<CONF
settings = { name = "wall"; timezone = "UTC"; refresh = "1h";
  fail_after = 1; wall_cycle = "2s"; };
http = (
  { name = "web-frontend"; url = "$HTTP_URL_TEST/health"; },
  { name = "images"; url = "$HTTP_URL_TEST/health"; },
  { name = "slow-api"; url = "$HTTP_URL_TEST/slow?ms=300";
    latency_warn = "100ms"; },
  { name = "payments"; url = "$HTTP_URL_TEST/status/500"; },
  { name = "ledger"; url = "http://127.0.0.1:1/"; }
);
windows = (
  { name = "db-upgrade"; start = "2026-11-25T09:00:00Z"; duration = "4h";
    systems = [ "images" ]; },
  { name = "weekly-vacuum"; schedule = "0 2 * * SUN"; duration = "4h"; }
);
CONF
"$MAINTOP" validate -c "$conf" >/dev/null 2>"$SCREEN_TMP/validate.err" ||
    bail "the test configuration does not validate: $(cat "$SCREEN_TMP/validate.err")"

for size in 120x40 80x24; do
	cols=${size%x*} rows=${size#*x}
	screen_start "$cols" "$rows" "$MAINTOP" -c "$conf" --now "$now" --wall
	screen_wait "WARN slow-api   IN" >/dev/null
	# The panes cycle every 2 s: Health comes within 8 s.
	screen_wait "─ 2 Health" || screen_wait "─ 2 Health"
	screen_expect_norm screen_health_norm "wall-$size" \
	    "$size: the band names the checks in trouble, the window and the last change"
	# No key: the next pane comes by itself.
	screen_wait "─ 3 Debt" && screen_wait "─ 4 Runbooks"
	screen_ok $? "$size: the panes cycle, no key pressed"
done
screen_capture -e | sed -n 3p | grep -q "41m"
screen_ok $? "a check crit: the band is red"

# Block letters only from 120 columns: the line alone at 80.
screen_capture | sed -n 2,4p | grep -q "█"
screen_ok $([ $? -ne 0 ] && echo 0 || echo 1) "80x24: no block letters"

# Every check OK: a green band, ALL OK.
cat > "$SCREEN_TMP/ok.conf" <<CONF
settings = { name = "wall"; timezone = "UTC"; refresh = "1h";
  wall_cycle = "1h"; };
http = (
  { name = "web-frontend"; url = "$HTTP_URL_TEST/health"; },
  { name = "images"; url = "$HTTP_URL_TEST/health"; }
);
CONF
screen_start 120 40 "$MAINTOP" -c "$SCREEN_TMP/ok.conf" --now "$now" --wall
screen_wait "ALL 2 CHECKS OK" >/dev/null
screen_expect_norm screen_health_norm wall-120x40-ok "every check OK: ALL OK in block letters"
screen_capture -e | sed -n 3p | grep -q "42m"
screen_ok $? "and the band is green"

# Warnings only: a yellow band naming them.
cat > "$SCREEN_TMP/warn.conf" <<CONF
settings = { name = "wall"; timezone = "UTC"; refresh = "1h";
  fail_after = 1; wall_cycle = "1h"; };
http = (
  { name = "web-frontend"; url = "$HTTP_URL_TEST/health"; },
  { name = "slow-api"; url = "$HTTP_URL_TEST/slow?ms=300";
    latency_warn = "100ms"; }
);
CONF
screen_start 80 24 "$MAINTOP" -c "$SCREEN_TMP/warn.conf" --now "$now" --wall
screen_wait "WARN slow-api   last change" >/dev/null
screen_capture | sed -n 3p | grep -q "^  WARN slow-api   last change <1m ago *$"
screen_ok $? "warnings only: the band names them"
screen_capture -e | sed -n 3p | grep -q "43m"
screen_ok $? "on yellow"

screen_done
