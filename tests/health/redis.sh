#!/bin/sh
# The Redis probe against real servers (tests/lib/servers.sh): figures
# compared with what redis-cli reads, thresholds, AUTH with requirepass and
# with ACL users (right, wrong, missing, without SLOWLOG), a chosen
# database, and passwords never printed.  TAP.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/health/common.sh"

hc_init redis redis-cli
if ! servers_start_redis || ! servers_start_redis auth; then
	bail "redis-server did not start"
fi
rc() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT_TEST" "$@"; }
rca() {
	redis-cli -h 127.0.0.1 -p "$REDIS_AUTH_PORT_TEST" --no-auth-warning \
	    -a "$REDIS_PASSWORD_TEST" "$@"
}
info() { rc INFO | tr -d '\r' | sed -n "s/^$1://p"; }

LIMITED_PW=limited-Pw-41c9
rca ACL SETUSER limited on ">$LIMITED_PW" '~*' +ping +info >/dev/null
printf '%s' "$LIMITED_PW" >"$HC_TMP/limited.pass"
chmod 600 "$HC_TMP/limited.pass"
export HC_WRONG_PW="Wrong-Redis-Pw-5a5a"

hc_conf <<EOF
settings = { timeout = "5s"; };
redis = (
  { name = "plain"; port = $REDIS_PORT_TEST; },
  { name = "db5"; port = $REDIS_PORT_TEST; db = 5; },
  { name = "nodb"; port = $REDIS_PORT_TEST; db = 200; },
  { name = "memwarn"; port = $REDIS_PORT_TEST; memory_pct_warn = 0.01;
    memory_pct_crit = 99; },
  { name = "slowcrit"; port = $REDIS_PORT_TEST; slowlog_len_warn = 1;
    slowlog_len_crit = 2; },
  { name = "fragwarn"; port = $REDIS_PORT_TEST; fragmentation_warn = 0.01;
    fragmentation_min_used = 0; },
  { name = "fragidle"; port = $REDIS_PORT_TEST; fragmentation_warn = 0.01;
    fragmentation_crit = 0.02; },
  { name = "fragexample"; port = $REDIS_PORT_TEST; fragmentation_warn = 1.5; },
  { name = "fragsmall"; port = $REDIS_PORT_TEST; fragmentation_warn = 0.01;
    fragmentation_min_used = "1k"; },
  { name = "pass"; port = $REDIS_AUTH_PORT_TEST;
    password_file = "$REDIS_PASSFILE_TEST"; db = 3; },
  { name = "acl"; port = $REDIS_AUTH_PORT_TEST; user = "monitor";
    password_file = "$REDIS_ACL_PASSFILE_TEST"; },
  { name = "limited"; port = $REDIS_AUTH_PORT_TEST; user = "limited";
    password_file = "$HC_TMP/limited.pass"; },
  { name = "wrongpw"; port = $REDIS_AUTH_PORT_TEST;
    password_env = "HC_WRONG_PW"; },
  { name = "wrongacl"; port = $REDIS_AUTH_PORT_TEST; user = "monitor";
    password_env = "HC_WRONG_PW"; },
  { name = "nopw"; port = $REDIS_AUTH_PORT_TEST; }
);
EOF

# --- figures -----------------------------------------------------------------

rc CONFIG SET maxmemory 104857600 >/dev/null
rc SET a 1 >/dev/null
rc SET b 2 >/dev/null
rc SET c 3 >/dev/null
rc -n 5 SET x 1 >/dev/null
rc -n 5 SET y 2 >/dev/null
rc SAVE >/dev/null
# A slow log of a known length: log every command for a moment.
rc SLOWLOG RESET >/dev/null
rc CONFIG SET slowlog-log-slower-than 0 >/dev/null
rc GET a >/dev/null
rc GET b >/dev/null
rc CONFIG SET slowlog-log-slower-than 1000000 >/dev/null
want_slow=$(rc SLOWLOG LEN)
# Two more clients, blocked, for the count.
blockers=
for i in 1 2; do
	rc BLPOP nosuchlist 300 >/dev/null 2>&1 &
	blockers="$blockers $!"
done
i=0
while [ "$(info blocked_clients)" != 2 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
trap 'for p in $blockers; do kill $p 2>/dev/null; done; servers_stop_all' EXIT
want_clients=$(info connected_clients)
want_used=$(info used_memory)
want_frag=$(info mem_fragmentation_ratio)
want_save=$(info rdb_last_save_time)
want_version=$(info redis_version)

hc_run plain
is "exit 0" "$HC_RC" 0
is "state ok" "$(hc_get plain .state)" ok
is "type redis" "$(hc_get plain .type)" redis
is "role" "$(hc_fig plain role)" master
is "version" "$(hc_fig plain version)" "$want_version"
# redis-cli's INFO connection gone, maintop's own added.
is "connected clients" "$(hc_fig plain connected_clients)" "$want_clients"
# plain, memwarn, slowcrit and fragwarn have the same target: one
# connection serves the four, each with its own thresholds.
hc_run plain memwarn slowcrit fragwarn
is "one connection per target: four results" "$(jq length "$HC_OUT")" 4
is "one connection per target: maintop counted once" \
    "$(jq -r '[.[] | .figures.connected_clients] | unique | join(" ")' \
    "$HC_OUT")" "$want_clients"
is "... each its own state" \
    "$(hc_get plain .state) $(hc_get memwarn .state)" "ok warn"
hc_run plain
near "used memory (against INFO, 10%)" "$(hc_fig plain used_memory)" \
    "$want_used" "$((want_used / 10))"
is "maxmemory" "$(hc_fig plain maxmemory)" 104857600
near "memory_pct is used / maxmemory" "$(hc_fig plain memory_pct)" \
    "$(jq -r '.[0].figures | .used_memory * 100 / .maxmemory' "$HC_OUT")" \
    0.0001
near "fragmentation ratio (against INFO, 50%)" \
    "$(hc_fig plain fragmentation)" "$want_frag" \
    "$(awk -v f="$want_frag" 'BEGIN { print f / 2 }')"
near "seconds since the last save" "$(hc_fig plain last_save_age)" \
    "$(( $(date +%s) - want_save ))" 3
is "last bgsave status" "$(hc_fig plain last_bgsave)" ok
is "keys in db0 after SET" "$(hc_fig plain db0.keys)" 3
is "keys in db5 after SET" "$(hc_fig plain db5.keys)" 2
is "slowlog length" "$(hc_fig plain slowlog_len)" "$want_slow"
check "slowlog is not empty" test "$want_slow" -ge 3
is "no replicas" "$(hc_fig plain replicas)" 0
is "AOF off" "$(hc_fig plain aof_enabled)" 0
check "PING latency measured" \
    awk -v l="$(hc_get plain .latency)" 'BEGIN { exit !(l > 0) }'
check "connect time shown apart" \
    awk -v l="$(hc_get plain .connect)" 'BEGIN { exit !(l > 0) }'
check "message names role, version and clients" \
    sh -c 'jq -r ".[0].message" "$1" | grep -q "^master $2, $3 clients, PING"' \
    sh "$HC_OUT" "$want_version" "$want_clients"
for p in $blockers; do kill "$p" 2>/dev/null; done
blockers=

# --- a chosen database: MONITOR shows the database of each command ----------

rc MONITOR >"$HC_TMP/monitor" 2>&1 &
mon=$!
i=0
while [ ! -s "$HC_TMP/monitor" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
hc_run db5
# MONITOR may print the probe's commands a little after the probe ends.
i=0
while ! grep -q '\[5 127.0.0.1:[0-9]*\] "INFO"' "$HC_TMP/monitor" &&
    [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
kill "$mon" 2>/dev/null
wait "$mon" 2>/dev/null
is "db = 5: ok" "$(hc_get db5 .state)" ok
is "db = 5: target names it" "$(hc_get db5 .target)" \
    "127.0.0.1:$REDIS_PORT_TEST/5"
check "db = 5: the probe's PING ran in database 5" \
    grep -q '\[5 127.0.0.1:[0-9]*\] "PING"' "$HC_TMP/monitor"
check "db = 5: INFO too" grep -q '\[5 127.0.0.1:[0-9]*\] "INFO"' \
    "$HC_TMP/monitor"
hc_run nodb
is "db = 200 (of 16): exit 2" "$HC_RC" 2
check "db = 200: SELECT failed" \
    sh -c 'jq -r ".[0].message" "$1" | grep -q "^SELECT failed"' sh "$HC_OUT"

# --- thresholds --------------------------------------------------------------

hc_run memwarn
is "memory_pct_warn 0.01: exit 1" "$HC_RC" 1
is "memory_pct_warn 0.01: warn" "$(hc_get memwarn .state)" warn
check "the message names memory_pct" grep -q memory_pct "$HC_OUT"
hc_run slowcrit
is "slowlog_len_crit 2: exit 2" "$HC_RC" 2
is "slowlog_len_crit 2: crit" "$(hc_get slowcrit .state)" crit
hc_run fragwarn fragidle fragexample fragsmall
is "fragmentation_warn 0.01, fragmentation_min_used 0: warn" \
    "$(hc_get fragwarn .state)" warn
# The test Redis is idle: a few MiB used at most, below the default
# fragmentation_min_used (64 MiB), so even crit 0.02 does not fire.
check "the idle Redis uses less than 64 MiB" \
    test "$(hc_fig fragidle used_memory)" -lt 67108864
is "idle Redis, fragmentation_crit 0.02, default min used: ok" \
    "$(hc_get fragidle .state)" ok
check "idle Redis: the fragmentation is still shown" \
    awk -v f="$(hc_fig fragidle fragmentation)" 'BEGIN { exit !(f > 0) }'
is "idle Redis, no thresholds on the unjudged figure" \
    "$(hc_get fragidle '.thresholds.fragmentation // "none"')" none
is "the example's fragmentation_warn 1.5 on an idle Redis: ok" \
    "$(hc_get fragexample .state)" ok
is "fragmentation_min_used 1k, below what is used: judged, warn" \
    "$(hc_get fragsmall .state)" warn
hc_text fragidle
is "line mode: idle Redis ok, exit 0" "$HC_RC" 0
check "line mode: fragmentation perfdata without limits" \
    grep -q "'fragidle fragmentation'=[0-9.]* " "$HC_OUT"
hc_text memwarn slowcrit
check "line mode: the first line is the worst, with a summary" \
    sh -c 'head -n 1 "$1" | grep -q "^CRITICAL - 1 critical (slowcrit), 1 warning (memwarn) |"' sh "$HC_OUT"
check "line mode: WARNING with memory_pct limits" \
    sh -c 'grep -q "^WARNING - memwarn " "$1" && head -n 1 "$1" | grep -q "'"'memwarn memory_pct'"'=[0-9.]*%;0.01;99"' sh "$HC_OUT"
check "line mode: CRITICAL with slowlog_len limits" \
    sh -c 'grep -q "^CRITICAL - slowcrit " "$1" && head -n 1 "$1" | grep -q "'"'slowcrit slowlog_len'"'=$2;1;2"' sh "$HC_OUT" "$want_slow"
is "line mode: exit 2 for the worst" "$HC_RC" 2

# --- AUTH --------------------------------------------------------------------

hc_run pass acl limited
is "requirepass, right password: ok" "$(hc_get pass .state)" ok
is "requirepass: db 3 in target" "$(hc_get pass .target)" \
    "127.0.0.1:$REDIS_AUTH_PORT_TEST/3"
is "ACL user monitor: ok" "$(hc_get acl .state)" ok
is "ACL user: target names the user" "$(hc_get acl .target)" \
    "monitor@127.0.0.1:$REDIS_AUTH_PORT_TEST/0"
is "ACL user: slowlog readable" "$(hc_fig acl slowlog_len)" 0
is "ACL user without SLOWLOG: still ok" "$(hc_get limited .state)" ok
is "ACL user without SLOWLOG: slowlog_len unavailable" \
    "$(hc_fig limited slowlog_len)" unavailable
is "ACL user without SLOWLOG: the other figures are read" \
    "$(hc_fig limited role)" master

hc_run wrongpw
is "requirepass, wrong password: exit 2" "$HC_RC" 2
check "wrong password: authentication failed" \
    sh -c 'jq -r ".[0].message" "$1" | grep -q "^authentication failed"' \
    sh "$HC_OUT"
hc_run wrongacl
is "ACL user, wrong password: crit" "$(hc_get wrongacl .state)" crit
hc_run nopw
is "no password where one is needed: crit" "$(hc_get nopw .state)" crit
check "no password: says NOAUTH" grep -q NOAUTH "$HC_OUT"

hc_text wrongpw wrongacl pass acl limited >/dev/null
cat "$HC_OUT" "$HC_ERR" >"$HC_TMP/all"
hc_run wrongpw wrongacl pass acl limited
cat "$HC_OUT" "$HC_ERR" >>"$HC_TMP/all"
for pw in "$HC_WRONG_PW" "$REDIS_PASSWORD_TEST" "$REDIS_ACL_PASSWORD_TEST" \
    "$LIMITED_PW"; do
	check "no password appears in any output (${pw%%-*}...)" \
	    sh -c '! grep -q "$1" "$2"' sh "$pw" "$HC_TMP/all"
done

hc_done
