#!/bin/sh
# Metrics in one-shot "maintop check" runs, from a Prometheus page whose
# numbers the test sets, served by the test HTTP server: a rate between two
# consecutive runs (the previous reading kept in the state directory), no
# negative rate after a counter reset, a ratio of two selectors (5xx over
# all) plain and over the interval, and an average from a histogram's _sum
# and _count.  TAP.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/health/common.sh"

hc_init http
hc_http

# The page: the test server echoes the POST body, whose Prometheus lines
# the test sets (the request line and headers echoed with it are not valid
# samples and are skipped).
page() {
	hc_conf <<EOF
settings = { timeout = "5s"; state_dir = "$HC_TMP/state"; };
http = (
  { name = "app"; url = "$U/echo"; method = "POST";
    body = "req_total{code=\"200\"} $1\nreq_total{code=\"500\"} $2\nlat_seconds_sum $3\nlat_seconds_count $4\nbytes_total $5\n";
    metrics = (
      { name = "5xx share"; select = "req_total{code=~\"5..\"}";
        ratio = "req_total"; warn = "~:0.5"; },
      { name = "5xx share now"; select = "req_total{code=~\"5..\"}";
        ratio = "req_total"; rate = true; },
      { name = "bytes/s"; select = "bytes_total"; rate = true; },
      { name = "latency avg"; avg = "lat_seconds"; warn = 2; }
    ); }
);
EOF
}
page 95 5 10 4 100

hc_run app
is "first run: the plain ratio (5 of 100)" "$(hc_fig app '5xx share')" 0.05
is "first run: the rate is unavailable" "$(hc_fig app 'bytes/s')" unavailable
check "first run: the message says so" \
    sh -c 'jq -r ".[0].message" "$1" | grep -q "bytes/s: first sample, the figure comes with the next probe"' sh "$HC_OUT"
is "first run: ok" "$(hc_get app .state)" ok
check "the previous readings are kept in the state directory, mode 0600" \
    sh -c 'test "$(stat -c %a "$1")" = 600' sh "$HC_TMP/state/check-state/app.json"

# One second later: 90 more 200s, 10 more 500s, 60 more bytes, two more
# observations summing 6 s.
sleep 1.1
page 185 15 16 6 160
hc_run app
is "second run: the ratio over the interval (10 of 100)" \
    "$(hc_fig app '5xx share now')" 0.1
is "second run: the average over the interval (6 s / 2)" \
    "$(hc_fig app 'latency avg')" 3
is "the average of a *_seconds histogram is in seconds" \
    "$(hc_get app '.units["latency avg"]')" s
is "above its warn 2: warning" "$(hc_get app .state)" warn
rate=$(hc_fig app 'bytes/s')
check "second run: the rate, 60 bytes over more than a second ($rate/s)" \
    awk -v r="$rate" 'BEGIN { exit !(r > 0 && r <= 60 && r > 2) }'
is "its unit" "$(hc_get app '.units["bytes/s"]')" /s

# The server restarts: every counter starts again below its last value.
page 1 0 1 1 10
hc_run app
is "counter reset: no rate" "$(hc_fig app 'bytes/s')" unavailable
check "counter reset: never a negative figure" \
    sh -c '! jq -e ".[0].figures | to_entries | map(select((.value | type) == \"number\" and .value < 0)) | length > 0" "$1"' sh "$HC_OUT"
check "counter reset: the reason" \
    grep -q "went down" "$HC_OUT"
sleep 1.1
page 2 0 3 2 40
hc_run app
rate=$(hc_fig app 'bytes/s')
check "after the reset: a rate again ($rate/s)" \
    awk -v r="$rate" 'BEGIN { exit !(r > 0 && r <= 30) }'
is "after the reset: the average again (2 s / 1)" \
    "$(hc_fig app 'latency avg')" 2

page 3 0 7 3 50
hc_text app
check "line mode: the figures in perfdata" \
    sh -c "grep -q \"'app bytes/s'=[0-9.]* \" \"\$1\" && grep -Eq \"'app latency avg'=4s;2;( |\\\$)\" \"\$1\"" sh "$HC_OUT"

# A state file that is not one: said on stderr, the run goes on afresh.
printf '{"metrics": [ {"name": "bytes/s", "a": "x"}, 7, null ], "\033[2J' \
    >"$HC_TMP/state/check-state/app.json"
hc_run app
check "a broken state file: the check still runs" \
    sh -c 'test "$(jq -r ".[0].figures[\"5xx share\"]" "$1")" = 0' sh "$HC_OUT"
check "a broken state file: said on stderr, no escape byte" \
    sh -c 'grep -q "not a state file" "$1" && ! grep -q "$(printf "\033")" "$1"' sh "$HC_ERR"
is "a broken state file: the rate starts afresh" "$(hc_fig app 'bytes/s')" unavailable
rm -f "$HC_TMP/state/check-state/app.json"
mkfifo "$HC_TMP/state/check-state/app.json"
hc_run app
check "a FIFO in place of the state file: refused, never waited on" \
    grep -q "not a regular file" "$HC_ERR"
rm -f "$HC_TMP/state/check-state/app.json"

# Validation.
printf 'http = ( { name = "x"; url = "%s"; metrics = ( { name = "a"; select = "s"; avg = "h"; } ); } );\n' "$U" >"$HC_TMP/bad1.conf"
"$MAINTOP" validate -c "$HC_TMP/bad1.conf" >/dev/null 2>"$HC_TMP/err1"
check "select and avg together refused" \
    grep -q "needs exactly one of 'select' (a series) and 'avg'" "$HC_TMP/err1"
printf 'http = ( { name = "x"; url = "%s"; metrics = ( { name = "a"; avg = "h"; rate = true; } ); } );\n' "$U" >"$HC_TMP/bad2.conf"
"$MAINTOP" validate -c "$HC_TMP/bad2.conf" >/dev/null 2>"$HC_TMP/err2"
check "avg with rate refused" grep -q "no 'rate' or 'ratio' with it" "$HC_TMP/err2"
printf 'http = ( { name = "x"; url = "%s"; metrics = ( { name = "a"; select = "s"; ratio = "b{"; } ); } );\n' "$U" >"$HC_TMP/bad3.conf"
"$MAINTOP" validate -c "$HC_TMP/bad3.conf" >/dev/null 2>"$HC_TMP/err3"
check "a malformed ratio selector refused at its line" \
    grep -q ":1: error: metric 'a': 'ratio' is not a valid selector" "$HC_TMP/err3"
hc_done
