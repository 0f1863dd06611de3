#!/bin/sh
# The HTTP probe against the real test server (tests/servers/testhttpd via
# tests/lib/servers.sh): statuses, lists and ranges, body checks, latency
# thresholds, a capped huge body, redirects, TLS verification and
# certificate expiry, Prometheus metrics, hostile bodies that must never
# reach the output raw, and secret headers that must never reach it at all.
# TAP.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/health/common.sh"

hc_init http curl
if ! servers_start_http; then
	bail "testhttpd did not start"
fi
U=$HTTP_URL_TEST

hc_conf <<EOF
settings = { timeout = "5s"; state_dir = "$HC_TMP/state"; };
http = (
  { name = "health"; url = "$U/health"; },
  { name = "s404"; url = "$U/status/404"; },
  { name = "s404ok"; url = "$U/status/404"; expect_status = "4xx"; },
  { name = "s500"; url = "$U/status/500"; },
  { name = "s503list"; url = "$U/status/503"; expect_status = ( 200, "500-599" ); },
  { name = "s201list"; url = "$U/status/201"; expect_status = [200, 204]; },
  { name = "contains"; url = "$U/health"; body_contains = "\"status\":\"ok\""; },
  { name = "notcontains"; url = "$U/health"; body_contains = "no-such-text"; },
  { name = "regex"; url = "$U/health"; body_regex = "^\\\\{\"status\": *\"o[k]\"\\\\}"; },
  { name = "notregex"; url = "$U/health"; body_regex = "^down"; },
  { name = "slowwarn"; url = "$U/slow?ms=600"; latency_warn = "200ms";
    latency_crit = "5s"; },
  { name = "slowcrit"; url = "$U/slow?ms=600"; latency_warn = "100ms";
    latency_crit = "300ms"; },
  { name = "fastok"; url = "$U/health"; latency_warn = "3s"; },
  { name = "huge"; url = "$U/huge?mb=64"; max_body = "64k"; },
  { name = "hugedefault"; url = "$U/huge?mb=64"; },
  { name = "hugecontains"; url = "$U/huge?mb=64"; max_body = "64k";
    body_contains = "no-such-text"; },
  { name = "redir"; url = "$U/redirect"; },
  { name = "redir200"; url = "$U/redirect"; expect_status = 200; },
  { name = "follow"; url = "$U/redirect"; follow_redirects = true;
    expect_status = 200; body_contains = "ok"; },
  { name = "tls"; url = "$HTTPS_URL_TEST/health"; },
  { name = "tlsshort"; url = "$HTTPS_SHORT_URL_TEST/health"; },
  { name = "tlsnoverify"; url = "$HTTPS_URL_TEST/health"; tls_verify = false; },
  { name = "short"; url = "$HTTPS_SHORT_URL_TEST/health"; tls_verify = false; },
  { name = "shortwarn"; url = "$HTTPS_SHORT_URL_TEST/health"; tls_verify = false;
    cert_warn_days = 5; cert_crit_days = 1; },
  { name = "shortok"; url = "$HTTPS_SHORT_URL_TEST/health"; tls_verify = false;
    cert_warn_days = 2; cert_crit_days = 1; },
  { name = "metrics"; url = "$U/metrics";
    metrics = (
      { name = "errors"; select = "http_requests_total{code=\"500\"}"; },
      { name = "fivexx"; select = "http_requests_total{code=~\"5..\"}"; },
      { name = "healthy"; select = "demo_healthy"; },
      { name = "error_rate"; select = "http_requests_total{code=~\"5..\"}";
        rate = true; },
      { name = "missing"; select = "no_such_series"; }
    ); },
  { name = "metricscrit"; url = "$U/health"; metrics_url = "$U/metrics";
    metrics = ( { name = "fivexx"; select = "http_requests_total{code=~\"5..\"}";
      warn = 1; crit = 3; } ); },
  { name = "escbody"; url = "$U/escape"; body_contains = "no-such-text"; },
  { name = "escregex"; url = "$U/escape"; body_regex = "^nothing"; },
  { name = "metricscut"; url = "$U/health"; metrics_url = "$U/metrics";
    max_body = "1k";
    metrics = ( { name = "buckets";
      select = "http_request_duration_seconds_bucket"; } ); },
  { name = "escmetrics"; url = "$U/escape";
    metrics = ( { name = "x"; select = "x"; } ); },
  { name = "escstatus"; url = "$U/escape"; expect_status = 500; }
);
EOF

# --- statuses ----------------------------------------------------------------

hc_run health
is "/health: exit 0" "$HC_RC" 0
is "/health: ok" "$(hc_get health .state)" ok
is "/health: status figure" "$(hc_fig health status)" 200
is "/health: size" "$(hc_fig health size)" 16
is "/health: type" "$(hc_get health .type)" http
check "/health: latency measured" \
    awk -v l="$(hc_get health .latency)" 'BEGIN { exit !(l > 0) }'
check "/health: connect time apart" \
    awk -v l="$(hc_get health .connect)" 'BEGIN { exit !(l > 0) }'

hc_run s404 s404ok s500 s503list s201list
is "404, default 200-399: crit" "$(hc_get s404 .state)" crit
check "404: unexpected status in the message" \
    sh -c 'jq -r ".[0].message" "$1" | grep -q "unexpected status 404"' \
    sh "$HC_OUT"
is "404 with expect_status 4xx: ok" "$(hc_get s404ok .state)" ok
is "500: crit" "$(hc_get s500 .state)" crit
is "500: status figure" "$(hc_fig s500 status)" 500
is "503 with (200, \"500-599\"): ok" "$(hc_get s503list .state)" ok
is "201 with [200, 204]: crit" "$(hc_get s201list .state)" crit
is "worst is crit: exit 2" "$HC_RC" 2
hc_text s404ok s500
check "line mode: CRITICAL - s500 500" grep -q '^CRITICAL - s500 500 in' \
    "$HC_OUT"
check "line mode: OK - s404ok 404" grep -q '^OK - s404ok 404 in' "$HC_OUT"
check "line mode: its perfdata on the first line, labelled" \
    sh -c 'head -n 1 "$1" | grep -q "'"'s404ok status'"'=404"' sh "$HC_OUT"

# --- bodies ------------------------------------------------------------------

hc_run contains notcontains regex notregex
is "body_contains found: ok" "$(hc_get contains .state)" ok
is "body_contains missing: crit" "$(hc_get notcontains .state)" crit
check "body_contains missing: says so" \
    grep -q 'body does not contain' "$HC_OUT"
is "body_regex matches: ok" "$(hc_get regex .state)" ok
is "body_regex does not match: crit" "$(hc_get notregex .state)" crit
check "body_regex: says so" grep -q 'body does not match' "$HC_OUT"

# --- latency -----------------------------------------------------------------

hc_run slowwarn slowcrit fastok
is "/slow 600 ms, latency_warn 200ms: warn" "$(hc_get slowwarn .state)" warn
is "/slow 600 ms, latency_crit 300ms: crit" "$(hc_get slowcrit .state)" crit
# The test server's 600 ms timer may fire a tick early (libevent's coarse
# monotonic clock): allow 10 ms.
check "/slow: latency at least 590 ms" \
    awk -v l="$(hc_get slowwarn .latency)" 'BEGIN { exit !(l >= 0.59) }'
check "/slow: the message names latency" \
    sh -c 'jq -r ".[] | select(.name == \"slowwarn\") | .message" "$1" |
    grep -q "latency"' sh "$HC_OUT"
is "fast with latency_warn 3s: ok" "$(hc_get fastok .state)" ok
hc_text slowwarn
is "line mode: /slow warn exits 1" "$HC_RC" 1
check "line mode: latency perfdata with limits" \
    grep -q "'slowwarn latency'=0\.[0-9]*s;0.2;5" "$HC_OUT"

# --- huge bodies ---------------------------------------------------------------

hc_run huge hugedefault hugecontains
is "/huge 64 MiB, max_body 64k: still ok" "$(hc_get huge .state)" ok
is "/huge: read stops at max_body" "$(hc_fig huge size)" 65536
check "/huge: the message says the body was cut" \
    sh -c 'jq -r ".[0].message" "$1" | grep -q "body cut at max_body (65536"' \
    sh "$HC_OUT"
is "/huge, default max_body: 1 MiB read" "$(hc_fig hugedefault size)" 1048576
is "/huge with body_contains: searched within the cap, crit" \
    "$(hc_get hugecontains .state)" crit

# --- redirects ---------------------------------------------------------------

hc_run redir redir200 follow
is "redirect not followed: 302 is ok by default" "$(hc_get redir .state)" ok
is "redirect not followed: status 302" "$(hc_fig redir status)" 302
is "redirect not followed, expect 200: crit" "$(hc_get redir200 .state)" crit
is "follow_redirects: ok" "$(hc_get follow .state)" ok
is "follow_redirects: final status 200" "$(hc_fig follow status)" 200

# --- TLS ---------------------------------------------------------------------

hc_run tls tlsshort tlsnoverify short shortwarn shortok
is "self-signed, verification on: crit" "$(hc_get tls .state)" crit
check "self-signed: the message says why" \
    sh -c 'jq -r ".[0].message" "$1" | grep -qi "certificate"' sh "$HC_OUT"
is "short-lived self-signed, verification on: crit" \
    "$(hc_get tlsshort .state)" crit
is "tls_verify = false: ok" "$(hc_get tlsnoverify .state)" ok
near "365-day certificate: cert_days" "$(hc_fig tlsnoverify cert_days)" 365 1
near "3-day certificate: cert_days" "$(hc_fig short cert_days)" 3 0.1
is "3 days, default warn 30 / crit 7: crit" "$(hc_get short .state)" crit
check "3 days: the message names cert_days" \
    sh -c 'jq -r ".[] | select(.name == \"short\") | .message" "$1" |
    grep -q cert_days' sh "$HC_OUT"
is "3 days, warn 5 / crit 1: warn" "$(hc_get shortwarn .state)" warn
is "3 days, warn 2 / crit 1: ok" "$(hc_get shortok .state)" ok
hc_text shortwarn
check "line mode: cert_days perfdata with limits, lower is worse (5: 1:)" \
    grep -q "cert_days'*=[0-9.]*;5:;1:" "$HC_OUT"

# --- Prometheus metrics ------------------------------------------------------

# The counters as they are now (earlier tests answered 500 too), then
# three more 500s and a 503.
series() {
	curl -s "$U/metrics" | awk -v s="$1" '$1 == s { v = $2 } END { print v + 0 }'
}
e500=$(( $(series 'http_requests_total{code="500"}') + 3 ))
e5xx=$(( e500 + $(series 'http_requests_total{code="503"}') + 1 ))
for i in 1 2 3; do curl -s -o /dev/null "$U/status/500"; done
curl -s -o /dev/null "$U/status/503"
hc_run metrics metricscrit
is "metrics: ok" "$(hc_get metrics .state)" ok
is "metrics: a series by label" "$(hc_fig metrics errors)" "$e500"
is "metrics: a regex selector sums the series" "$(hc_fig metrics fivexx)" \
    "$e5xx"
is "metrics: a gauge" "$(hc_fig metrics healthy)" 1
rate=$(hc_fig metrics error_rate)
check "metrics: a rate since the previous run's reading ($rate/s)" \
    awk -v r="$rate" 'BEGIN { exit !(r > 0) }'
is "metrics: a missing series is unavailable" "$(hc_fig metrics missing)" \
    unavailable
is "metrics_url with crit 3: crit" "$(hc_get metricscrit .state)" crit
check "metrics_url: the message names the figure" \
    sh -c 'jq -r ".[] | select(.name == \"metricscrit\") | .message" "$1" |
    grep -q fivexx' sh "$HC_OUT"
is "metrics_url: the main URL's status" "$(hc_fig metricscrit status)" 200
hc_run metricscut
is "metrics cut at max_body: unknown, not a partial sum" \
    "$(hc_get metricscut .state)" unknown
is "metrics cut at max_body: the figure is unavailable" \
    "$(hc_fig metricscut buckets)" unavailable

# --- hostile bodies ----------------------------------------------------------

esc=$(printf '\033')
c1=$(printf '\233')
bel=$(printf '\007')
hc_run escbody escregex escmetrics escstatus
cp "$HC_OUT" "$HC_TMP/esc.json"
cat "$HC_ERR" >>"$HC_TMP/esc.json"
is "/escape checks: crit/unknown as configured, exit 2" "$HC_RC" 2
is "/escape metrics: unknown (not Prometheus text)" \
    "$(hc_get escmetrics .state)" unknown
check "JSON output has every check" \
    sh -c 'test "$(jq length "$1")" = 4' sh "$HC_OUT"
check "JSON: no raw ESC byte" sh -c '! grep -q "$1" "$2"' sh "$esc" \
    "$HC_TMP/esc.json"
check "JSON: no raw C1 CSI byte" sh -c '! LC_ALL=C grep -q "$1" "$2"' sh "$c1" \
    "$HC_TMP/esc.json"
check "JSON: no escaped control characters either" \
    sh -c '! grep -qi "\\\\u00[01]\\|\\\\u007f\\|\\\\u009" "$1"' sh \
    "$HC_TMP/esc.json"
check "JSON: valid UTF-8" iconv -f UTF-8 -t UTF-8 "$HC_TMP/esc.json"
hc_text escbody escregex escmetrics escstatus
cat "$HC_OUT" "$HC_ERR" >"$HC_TMP/esc.txt"
check "line mode: four lines" sh -c 'test "$(wc -l <"$1")" -ge 4' sh \
    "$HC_OUT"
check "line mode: no raw ESC byte" sh -c '! grep -q "$1" "$2"' sh "$esc" \
    "$HC_TMP/esc.txt"
check "line mode: no raw C1 CSI byte" \
    sh -c '! LC_ALL=C grep -q "$1" "$2"' sh "$c1" "$HC_TMP/esc.txt"
check "line mode: no BEL" sh -c '! grep -q "$1" "$2"' sh "$bel" \
    "$HC_TMP/esc.txt"
check "line mode: valid UTF-8" iconv -f UTF-8 -t UTF-8 "$HC_TMP/esc.txt"

# --- secret headers ------------------------------------------------------------

# The token and the key reach the server from the environment and from a
# file; /header answers 200 only when the header holds the expected value
# (given in the query, which maintop never shows).  Neither may appear in
# any output.
TOKEN="Bearer tok-$$-7f3a9c"
KEY="key-$$-b81e44"
printf '%s\n' "$KEY" >"$HC_TMP/api.key"
chmod 600 "$HC_TMP/api.key"
QTOKEN=$(printf '%s' "$TOKEN" | sed 's/ /%20/g')
hc_conf <<EOF
http = (
  { name = "auth_env"; url = "$U/header?name=Authorization&value=$QTOKEN";
    secret_headers = ( { name = "Authorization";
                         value_env = "MAINTOP_TEST_TOKEN"; } ); },
  { name = "key_file"; url = "$U/header?name=X-Api-Key&value=$KEY";
    headers = [ "Accept: text/plain" ];
    secret_headers = ( { name = "X-Api-Key";
                         value_file = "$HC_TMP/api.key"; } ); },
  { name = "no_header"; url = "$U/header?name=X-Api-Key&value=$KEY"; }
);
EOF
leaks() {
	cat "$HC_OUT" "$HC_ERR" >"$HC_TMP/secret.out"
	! grep -qF -e "tok-$$" -e "$KEY" "$HC_TMP/secret.out"
}
MAINTOP_TEST_TOKEN=$TOKEN
export MAINTOP_TEST_TOKEN
hc_run auth_env key_file no_header
is "secret header from value_env reaches the server: ok" \
    "$(hc_get auth_env .state)" ok
is "value_env: status 200" "$(hc_fig auth_env status)" 200
is "secret header from value_file reaches the server: ok" \
    "$(hc_get key_file .state)" ok
is "value_file: status 200" "$(hc_fig key_file status)" 200
is "without the header the server says 401: crit" \
    "$(hc_get no_header .state)" crit
is "target shown without the query" "$(hc_get key_file .target)" \
    "$U/header?..."
check "--json and stderr: no token, no key" leaks
hc_text auth_env key_file
is "line mode: both ok, exit 0" "$HC_RC" 0
check "line mode and stderr: no token, no key" leaks
HC_RC=0
"$MAINTOP" snapshot -c "$HC_CONF" >"$HC_OUT" 2>"$HC_ERR" || HC_RC=$?
check "snapshot shows the checks" grep -q auth_env "$HC_OUT"
check "snapshot and stderr: no token, no key" leaks

# Read at every probe: another value is sent as it is now.
MAINTOP_TEST_TOKEN="Bearer other-$$"
hc_run auth_env
is "another token: the server says 403, crit" "$(hc_fig auth_env status)" 403
check "another token: not shown either" sh -c '! grep -qF "other-$1" "$2" "$3"' \
    sh "$$" "$HC_OUT" "$HC_ERR"

# A line break would inject a header: refused at probe time, not sent.
MAINTOP_TEST_TOKEN=$(printf 'Bearer x\r\nX-Injected-%s: 1' "$$")
hc_run auth_env
is "CR LF in the value: unknown" "$(hc_get auth_env .state)" unknown
check "CR LF: the message says line break and names the variable" \
    sh -c 'jq -r ".[0].message" "$1" | grep "line break" |
    grep -q MAINTOP_TEST_TOKEN' sh "$HC_OUT"
check "CR LF: the value is not shown" \
    sh -c '! grep -q "X-Injected-$1" "$2" "$3"' sh "$$" "$HC_OUT" "$HC_ERR"

unset MAINTOP_TEST_TOKEN
hc_run auth_env key_file
is "unset variable: unknown" "$(hc_get auth_env .state)" unknown
check "unset variable: the message names the variable and the header" \
    sh -c 'jq -r ".[0].message" "$1" | grep "MAINTOP_TEST_TOKEN" |
    grep -q "Authorization.* is not set"' sh "$HC_OUT"
is "unset variable: the other check still ok" "$(hc_get key_file .state)" ok
is "unset variable: exit 3" "$HC_RC" 3
check "unset variable: stderr warns of it at load time" \
    grep -q "MAINTOP_TEST_TOKEN.*is not set" "$HC_ERR"

chmod 640 "$HC_TMP/api.key"
hc_text key_file
check "group-readable value_file: refused at load time (exit 3)" \
    test "$HC_RC" = 3
check "group-readable value_file: file, line, mode and chmod 600" \
    grep -q "maintop.conf:[0-9]*: error: permissions 0640 for value_file .*api.key.*chmod 600" \
    "$HC_ERR"
check "group-readable value_file: the key is not shown" leaks
chmod 600 "$HC_TMP/api.key"
rm -f "$HC_TMP/api.key"
HC_RC=0
"$MAINTOP" validate -c "$HC_CONF" >"$HC_OUT" 2>"$HC_ERR" || HC_RC=$?
check "missing value_file: validate names the file" \
    grep -q "value_file .*api.key" "$HC_ERR"

# A secret written as a plain header: an error with file and line.
hc_conf <<EOF
http = (
  { name = "plain"; url = "$U/health";
    headers = [ "Accept: */*",
                "authorization: Bearer tok-$$-plain" ]; }
);
EOF
HC_RC=0
"$MAINTOP" validate -c "$HC_CONF" >"$HC_OUT" 2>"$HC_ERR" || HC_RC=$?
is "plain Authorization header: validate exits 1" "$HC_RC" 1
check "plain Authorization header: file:line, hint to secret_headers" \
    grep -q "maintop.conf:4: error: 'headers' item 2: Authorization carries a secret.*secret_headers" \
    "$HC_ERR"
check "plain Authorization header: the value is not repeated" leaks

# --- at most 64 transfers at once ------------------------------------------

# 130 checks of a 300 ms page: the cap makes three waves (at least 0.9 s
# in all), each check's latency is its own transfer's, not its wait.
{
	echo 'settings = { timeout = "10s"; };'
	echo 'http = ('
	i=0
	while [ $i -lt 130 ]; do
		printf '{ name = "q%03d"; url = "%s/slow?ms=300"; },\n' $i "$U"
		i=$((i + 1))
	done | sed '$ s/,$//'
	echo ');'
} | hc_conf
t0=$(date +%s%N)
hc_run
t1=$(date +%s%N)
is "130 queued checks: all ok" \
    "$(jq -r '[.[] | select(.state == "ok")] | length' "$HC_OUT")" 130
check "130 queued checks: three waves of at most 64 (>= 0.9 s)" \
    test $(((t1 - t0) / 1000000)) -ge 900
check "130 queued checks: latency excludes the wait (all < 2 s)" \
    sh -c 'jq -e "[.[] | .latency] | max < 2" "$1"' sh "$HC_OUT"

# 64 checks of a 3 s page hold every slot (their timeout is 10 s); 6 more
# with a 1 s timeout never get one, and say so when their deadline passes.
{
	echo 'settings = { timeout = "10s"; };'
	echo 'http = ('
	i=0
	while [ $i -lt 70 ]; do
		if [ $i -lt 64 ]; then t=10s; else t=1s; fi
		printf '{ name = "h%03d"; url = "%s/slow?ms=3000"; timeout = "%s"; },\n' \
		    $i "$U" $t
		i=$((i + 1))
	done | sed '$ s/,$//'
	echo ');'
} | hc_conf
hc_run
is "64 slow checks in the slots: ok" \
    "$(jq -r '[.[] | select(.state == "ok")] | length' "$HC_OUT")" 64
is "6 behind them: crit, timed out waiting for a transfer slot" \
    "$(jq -r '[.[] | select(.state == "crit" and (.message |
    test("timeout after 1s [(]waiting for a free transfer slot[)]")))] |
    length' "$HC_OUT")" 6

hc_done
