#!/bin/sh
# A storm: 100 HTTP checks against the test server (tests/lib/servers.sh)
# go bad at once, then good again, told by "maintop agent" to a webhook
# receiver through a channel limited to one message per 3 s.  Each flip of
# 100 changes arrives as one summary naming them; the second waits for
# the limit; nothing is lost (every change is journaled as delivered in a
# summary) and nothing is sent twice.  TAP.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
: "${MAINTOP:=./maintop}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/notify.sh"
SERVERS_NO_TRAP=1
. "$top_srcdir/tests/lib/servers.sh"
[ -x "$PY" ] || skip_all "python3 not found: apt-get install python3"
servers_require http curl
"$MAINTOP" --version >/dev/null 2>&1 || bail "$MAINTOP does not run"

notify_live storm
hook_start "$tmp" 0

{
	cat <<EOF
settings = { state_dir = "$tmp/state"; timezone = "UTC";
  notify = [ "hook" ]; fail_after = 1; recover_after = 1; };
channels = (
  { name = "hook"; type = "webhook"; url = "http://127.0.0.1:$hook_port/in";
    rate = "1/3s"; }
);
http = (
EOF
	i=1
	while [ $i -le 100 ]; do
		printf '  { name = "c%03d"; url = "%s/health"; interval = "300ms"; timeout = "250ms"; }%s\n' \
		    $i "$U" "$([ $i -lt 100 ] && echo ,)"
		i=$((i + 1))
	done
	echo ");"
} > "$tmp/m.conf"

posts() { ls "$tmp"/hook.*.200 2>/dev/null | wc -l | tr -d ' '; }
# wait_for CMD...: up to 30 s for CMD to succeed.
wait_for() {
	_i=0
	while ! "$@" && [ $_i -lt 300 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	"$@"
}
posts_at_least() { [ "$(posts)" -ge "$1" ]; }
# summary N: the subject of POST N.
summary() {
	"$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["subject"])' "$tmp/hook.$1.200"
}

check "validate accepts 100 checks on a rate-limited channel" \
    "$MAINTOP" validate -c "$tmp/m.conf"
"$MAINTOP" agent -c "$tmp/m.conf" 2> "$tmp/agent.log" &
apid=$!
# Every check has a first result (not told) once the test server has
# answered 100 probes.
wait_for grep -q "started on" "$tmp/agent.log"
ok $? "the agent starts"
probed() {
	[ "$(curl -s "$U/metrics" | sed -n 's/^http_requests_total{code="200"} \([0-9]*\)$/\1/p')" -ge 300 ] 2>/dev/null
}
wait_for probed
ok $? "every check has been probed (the server counts the requests)"

curl -s -X POST "$U/toggle" > /dev/null
wait_for posts_at_least 1
is "100 checks going bad at once: one message" "$(posts)" 1
is "a summary naming all 100" "$(summary 1)" "100 events (rate limit reached)"
"$PY" -c 'import json,sys; t=json.load(open(sys.argv[1]))["text"]; assert "is CRITICAL" in t and "- and 80 more" in t' "$tmp/hook.1.200"
ok $? "listing 20 of them and how many more"

curl -s -X POST "$U/toggle" > /dev/null
wait_for posts_at_least 2
is "100 checks good again: one more message, once the limit allows" "$(posts)" 2
is "again one summary of 100" "$(summary 2)" "100 events (rate limit reached)"
t1=$(stat -c %Y "$tmp/hook.1.200")
t2=$(stat -c %Y "$tmp/hook.2.200")
ok "$([ $((t2 - t1)) -ge 2 ]; echo $?)" "not before the limit's period (${t1} then ${t2})"
outbox_empty() { [ -z "$(ls "$tmp/state/outbox"/*.json 2>/dev/null)" ]; }
journaled() {
	[ "$(grep -c '"type":"notify".*"event":"check.state:c[0-9]*:.*"result":"delivered-in-summary"' "$tmp/state/journal.jsonl")" -ge 200 ]
}
wait_for outbox_empty
ok $? "the outbox empties"
wait_for journaled
is "every change journaled as delivered in a summary" \
    "$(grep -c '"type":"notify".*"event":"check.state:c[0-9]*:.*"result":"delivered-in-summary"' "$tmp/state/journal.jsonl")" 200
is "no POST failed or repeated" "$(ls "$tmp"/hook.*.* | grep -vc -e '\.200$' -e '\.headers$')" 0

kill -TERM "$apid"
wait "$apid"
is "SIGTERM: the agent exits 0" "$?" 0
apid=

echo "1..$n"
