#!/bin/sh
# "maintop check" as a monitoring plugin, and the calendar's maintenance
# policy in every line mode, against the real test HTTP server: the first
# line is the worst state with a summary and every check's perfdata
# (labels named after their check), one line per check follows; a check in
# an active maintenance window reports OK in check, check --json and
# snapshot and says its real state; --ignore-maintenance gives the raw
# state; every UNKNOWN says why on stdout; JSON states its units and
# thresholds.  TAP.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/health/common.sh"

hc_init http
hc_http
NOW=2026-12-01T03:00:00Z

hc_conf <<EOF
settings = { timeout = "5s"; };
http = (
  { name = "payments"; url = "$U/status/500"; },
  { name = "slow"; url = "$U/slow?ms=300"; latency_warn = "100ms";
    latency_crit = "~:5s"; },
  { name = "api"; url = "$U/slow?ms=300"; latency_warn = "100ms"; },
  { name = "web"; url = "$U/health"; latency_warn = 2; },
  { name = "db"; url = "$U/health"; }
);
windows = (
  { name = "db-patch"; start = "2026-12-01T02:00:00Z"; duration = "4h";
    systems = [ "api" ]; }
);
EOF

hc_text --now "$NOW"
head -n 1 "$HC_OUT" >"$HC_TMP/first"
is "exit 2: the worst state" "$HC_RC" 2
check "first line: the worst state and a summary, worst first" \
    grep -q "^CRITICAL - 1 critical (payments), 1 warning (slow), 3 ok (1 in maintenance) | " "$HC_TMP/first"
check "first line: every check's perfdata, labelled with the check" \
    sh -c "grep -q \"'payments status'=500 \" \"\$1\" && grep -q \"'web latency'=[0-9.]*s;2; \" \"\$1\" && grep -q \"'slow latency'=[0-9.]*s;0.1;~:5 \" \"\$1\"" sh "$HC_TMP/first"
is "one line per check after it" "$(sed 1d "$HC_OUT" | grep -c '^[A-Z]* - ')" 5
check "long output lines hold no perfdata" \
    sh -c '! sed 1d "$1" | grep -q "|"' sh "$HC_OUT"
check "a check in maintenance: OK, the window, its end and the real state" \
    grep -q '^OK - api (in maintenance "db-patch" until 06:00; really WARNING: latency .* > 100 ms; 200 in .*)$' "$HC_OUT"
check "a label appears once per check" \
    sh -c 'test "$(grep -o "'"'"'[a-z]* latency'"'"'=" "$1" | sort | uniq -d)" = ""' sh "$HC_TMP/first"

hc_text --now "$NOW" api
is "check api in maintenance: exit 0" "$HC_RC" 0
check "check api: its own line first, with its perfdata" \
    grep -q "^OK - api (in maintenance \"db-patch\" until 06:00; really WARNING: .*) | 'api status'=200 " "$HC_OUT"
is "check api: one line" "$(wc -l <"$HC_OUT")" 1

hc_text --now "$NOW" --ignore-maintenance api
is "--ignore-maintenance: the raw state, exit 1" "$HC_RC" 1
check "--ignore-maintenance: WARNING, no maintenance words" \
    sh -c 'grep -q "^WARNING - api latency [0-9.]* [m]*s > 100 ms; 200 in" "$1" && ! grep -q maintenance "$1"' sh "$HC_OUT"

hc_text --now 2026-12-01T07:00:00Z api
is "after the window: the raw state, exit 1" "$HC_RC" 1

hc_run --now "$NOW"
is "json: in maintenance, state ok" "$(hc_get api .state)" ok
is "json: the maintenance object" \
    "$(hc_get api '.maintenance | "\(.window) \(.until) \(.state)"')" \
    "db-patch 2026-12-01T06:00:00Z warn"
is "json: no maintenance object outside a window" \
    "$(hc_get web .maintenance)" null
is "json: latency in seconds, like the figures" \
    "$(hc_get slow '(.latency - .figures.latency | fabs) < 0.001 and .latency > 0.29 and .latency < 5')" \
    true
is "json: units" "$(hc_get slow '.units.latency + " " + .units.size')" "s B"
is "json: thresholds as ranges" \
    "$(hc_get slow '.thresholds.latency | "\(.warn) \(.crit)"')" "0.1 ~:5"
is "json: only warn set" "$(hc_get web '.thresholds.latency.crit')" null
check "json: no *_ms key anywhere" sh -c '! grep -q "_ms\"" "$1"' sh "$HC_OUT"

"$MAINTOP" snapshot -c "$HC_CONF" --now "$NOW" >"$HC_TMP/snap" 2>&1
check "snapshot: a check in maintenance reports OK and its real state" \
    grep -q '^OK *api  *http .*(in maintenance "db-patch" until 06:00; really WARNING: ' "$HC_TMP/snap"
check "snapshot: others keep their state" \
    grep -q '^CRITICAL payments ' "$HC_TMP/snap"

# Every UNKNOWN says why, on stdout.
"$MAINTOP" check -c "$HC_TMP/none.conf" >"$HC_TMP/u1" 2>/dev/null
is "no configuration: exit 3" "$?" 3
check "no configuration: the reason on stdout" \
    grep -q "^UNKNOWN - no usable configuration: $HC_TMP/none.conf: .*No such file" "$HC_TMP/u1"
printf 'http = ( { name = "x"; url = "http://h/"; latency_warn = "5 parsecs"; } );\n' \
    >"$HC_TMP/bad.conf"
"$MAINTOP" check -c "$HC_TMP/bad.conf" >"$HC_TMP/u2" 2>/dev/null
check "a broken configuration: file, line and error on stdout" \
    grep -q "^UNKNOWN - no usable configuration: $HC_TMP/bad.conf:1: error: 'latency_warn' is not a duration" "$HC_TMP/u2"
"$MAINTOP" check -c "$HC_CONF" nosuch >"$HC_TMP/u3" 2>/dev/null
check "an unknown check: named on stdout" \
    grep -q "^UNKNOWN - no check named 'nosuch'" "$HC_TMP/u3"
"$MAINTOP" check -c "$HC_CONF" --bogus >"$HC_TMP/u4" 2>/dev/null
check "a bad option: UNKNOWN on stdout" grep -q "^UNKNOWN - " "$HC_TMP/u4"
printf 'settings = { timeout = "5s"; };\n' >"$HC_TMP/empty.conf"
"$MAINTOP" check -c "$HC_TMP/empty.conf" >"$HC_TMP/u5" 2>/dev/null
check "no checks: UNKNOWN saying so" \
    grep -q "^UNKNOWN - no checks in the configuration" "$HC_TMP/u5"
hc_done
