#!/bin/sh
# JSON fields of HTTP checks against the real test server
# (tests/servers/testhttpd): /body answers with the document the check
# POSTs, so each check chooses its own.  Figures judged by ranges, every
# way a field cannot be read (UNKNOWN with the path), the body cap, a
# hostile body, perfdata and JSON output, and validate's errors.  TAP.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/health/common.sh"

hc_init http curl
hc_http

# A document of more than 1 KiB (padding in a string member).
pad=$(head -c 1500 /dev/zero | tr '\0' 'x')

hc_conf <<EOF2
settings = { timeout = "5s"; state_dir = "$HC_TMP/state"; };
http = (
  { name = "good"; url = "$U/body"; method = "POST";
    body = "{\"intelligence\": {\"health\": {\"score\": 8.9}}, \"checks\": [{\"latency\": 12}, {\"latency\": 250}]}";
    json = ( { name = "score"; path = "intelligence.health.score";
               warn = "8:"; crit = "5:"; },
             { name = "second"; path = "checks[1].latency";
               warn = 300; crit = 1000; } ); },
  { name = "low"; url = "$U/body"; method = "POST";
    body = "{\"intelligence\": {\"health\": {\"score\": 6}}}";
    json = ( { name = "score"; path = "intelligence.health.score";
               warn = "8:"; crit = "5:"; } ); },
  { name = "lower"; url = "$U/body"; method = "POST";
    body = "{\"intelligence\": {\"health\": {\"score\": 4}}}";
    json = ( { name = "score"; path = "intelligence.health.score";
               warn = "8:"; crit = "5:"; } ); },
  { name = "high"; url = "$U/body"; method = "POST";
    body = "{\"queue\": [5, 17]}";
    json = ( { name = "depth"; path = "queue[1]"; warn = 10; crit = 20; } ); },
  { name = "missing"; url = "$U/body"; method = "POST";
    body = "{\"intelligence\": {\"health\": {}}}";
    json = ( { name = "score"; path = "intelligence.health.score";
               warn = "8:"; crit = "5:"; } ); },
  { name = "string"; url = "$U/body"; method = "POST";
    body = "{\"intelligence\": {\"health\": {\"score\": \"8.9\"}}}";
    json = ( { name = "score"; path = "intelligence.health.score"; } ); },
  { name = "short"; url = "$U/body"; method = "POST";
    body = "{\"checks\": [1]}";
    json = ( { name = "c"; path = "checks[3]"; } ); },
  { name = "notjson"; url = "$U/echo";
    json = ( { name = "score"; path = "score"; } ); },
  { name = "cut"; url = "$U/body"; method = "POST"; max_body = "1k";
    body = "{\"pad\": \"$pad\", \"score\": 9}";
    json = ( { name = "score"; path = "score"; } ); },
  { name = "hostile"; url = "$U/escape";
    json = ( { name = "score"; path = "score"; } ); },
  { name = "crit503"; url = "$U/toggle";
    json = ( { name = "healthy"; path = "healthy"; } ); }
);
EOF2

hc_run good low lower high
is "score 8.9 with warn 8: and crit 5:, 250 under 300: ok" \
    "$(hc_get good .state)" ok
is "score figure" "$(hc_fig good score)" 8.9
is "an array element's figure" "$(hc_fig good second)" 250
is "score thresholds in JSON" "$(hc_get good '.thresholds.score.warn + " " + .thresholds.score.crit')" "8: 5:"
is "score 6: warn" "$(hc_get low .state)" warn
check "score 6: the message leads with the limit crossed" \
    sh -c 'jq -r ".[] | select(.name == \"low\") | .message" "$1" |
    grep -q "^score 6 < 8"' sh "$HC_OUT"
is "score 4: crit" "$(hc_get lower .state)" crit
check "score 4: the message says < 5" \
    sh -c 'jq -r ".[] | select(.name == \"lower\") | .message" "$1" |
    grep -q "^score 4 < 5"' sh "$HC_OUT"
is "queue[1] 17, warn 10 crit 20: warn" "$(hc_get high .state)" warn
is "worst is crit: exit 2" "$HC_RC" 2

hc_run missing string short
is "missing member: unknown" "$(hc_get missing .state)" unknown
check "missing member: the path and where it stops in the message" \
    sh -c 'jq -r ".[] | select(.name == \"missing\") | .message" "$1" |
    grep -qF "score: intelligence.health.score not found (no member \"score\" in intelligence.health)"' \
    sh "$HC_OUT"
is "missing member: the figure is unavailable" "$(hc_fig missing score)" \
    unavailable
is "a string: unknown" "$(hc_get string .state)" unknown
check "a string: says it is not a number" \
    sh -c 'jq -r ".[] | select(.name == \"string\") | .message" "$1" |
    grep -qF "intelligence.health.score is a string, not a number"' \
    sh "$HC_OUT"
is "an index past the end: unknown" "$(hc_get short .state)" unknown
check "an index past the end: says how many elements" \
    sh -c 'jq -r ".[] | select(.name == \"short\") | .message" "$1" |
    grep -qF "checks[3] not found (checks has 1 element)"' sh "$HC_OUT"
is "unknown is the worst: exit 3" "$HC_RC" 3

hc_run notjson cut
is "a plain-text body: unknown" "$(hc_get notjson .state)" unknown
check "a plain-text body: says it is not JSON" \
    sh -c 'jq -r ".[] | select(.name == \"notjson\") | .message" "$1" |
    grep -q "the body is not JSON"' sh "$HC_OUT"
is "a body past max_body: unknown, not half a document" \
    "$(hc_get cut .state)" unknown
check "a body past max_body: says so" \
    sh -c 'jq -r ".[] | select(.name == \"cut\") | .message" "$1" |
    grep -q "body cut at max_body: json fields not read"' sh "$HC_OUT"
is "a body past max_body: the figure is unavailable" "$(hc_fig cut score)" \
    unavailable

# /escape's body is full of terminal sequences: jansson's error quotes
# it, and nothing of it may reach the output raw.
esc=$(printf '\033')
hc_run hostile
is "a hostile body: unknown" "$(hc_get hostile .state)" unknown
hc_text hostile
cat "$HC_OUT" "$HC_ERR" >"$HC_TMP/hostile.txt"
check "a hostile body: no raw ESC byte in the line output" \
    sh -c '! grep -q "$1" "$2"' sh "$esc" "$HC_TMP/hostile.txt"
check "a hostile body: valid UTF-8" iconv -f UTF-8 -t UTF-8 \
    "$HC_TMP/hostile.txt"

# A JSON true is not a number.
hc_run crit503
check "true is not a number" \
    sh -c 'jq -r ".[0].message" "$1" | grep -qF "healthy is true, not a number"' \
    sh "$HC_OUT"

# Line mode: the figure in perfdata with its ranges as configured.
hc_text good low
is "line mode: warn exits 1" "$HC_RC" 1
check "line mode: perfdata 'good score'=8.9;8:;5:" \
    grep -qF "'good score'=8.9;8:;5:" "$HC_OUT"
check "line mode: perfdata 'good second'=250;300;1000" \
    grep -qF "'good second'=250;300;1000" "$HC_OUT"

# --- validate ------------------------------------------------------------------

hc_conf <<EOF2
http = (
  { name = "a"; url = "$U/body";
    json = (
      { name = "score"; path = "intelligence..score"; },
      { name = "latency"; path = "latency"; },
      { name = "x"; path = "x[1"; warn = "8:"; crit = "10:"; },
      { name = "x"; path = "y"; },
      { name = "z"; path = "z"; wrn = 1; }
    ); },
  { name = "b"; url = "$U/body"; method = "HEAD";
    json = ( { name = "score"; path = "score"; } ); }
);
EOF2
HC_RC=0
"$MAINTOP" validate -c "$HC_CONF" >"$HC_OUT" 2>"$HC_ERR" || HC_RC=$?
is "validate: exit 1" "$HC_RC" 1
check "a bad path: file, line and why" \
    grep -qF 'maintop.conf:4: error: json field '"'score'"': "intelligence..score" is not a path: a name is missing at character 14' \
    "$HC_ERR"
check "a built-in figure's name: refused at its line" \
    grep -q "maintop.conf:5: error: 'latency' is already the name of a figure" \
    "$HC_ERR"
check "an unclosed index: refused" \
    grep -qF "maintop.conf:6: error: json field 'x': \"x[1\" is not a path: the index at character 3 does not end with ']'" \
    "$HC_ERR"
check "a pair that can never warn: refused" \
    grep -q "maintop.conf:6: error: x: " "$HC_ERR"
check "a name used twice: refused" \
    grep -q "maintop.conf:7: error: 'x' is already the name of a figure" \
    "$HC_ERR"
check "a misspelt key: did you mean" \
    grep -q "maintop.conf:8: .*wrn.*warn" "$HC_ERR"
check "HEAD with json fields: refused" \
    grep -q "maintop.conf:11: error: 'json' fields are read from the body" \
    "$HC_ERR"

hc_done
