#!/bin/sh
# Whom the agent tells, with real parts: HTTP checks against the test
# server (tests/lib/servers.sh) turned bad by POST /toggle, mail through
# msmtp-mta to an SMTP sink.  A check's own notify, settings.notify for the
# others, a check in maintenance telling nobody until its window ends
# unless it says notify_in_maintenance, and a runbook's own notify for the
# autorun's result; validate's errors for these keys.  TAP.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
: "${MAINTOP:=./maintop}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/notify.sh"
SERVERS_NO_TRAP=1
. "$top_srcdir/tests/lib/servers.sh"
notify_require
servers_require http curl
"$MAINTOP" --version >/dev/null 2>&1 || bail "$MAINTOP does not run"

notify_live agentchk
smtp_start "$tmp"

# mails_to ADDR SUBJECT: received mails to ADDR whose subject has SUBJECT.
mails_to() {
	_c=0
	for _m in "$MAILDIR_TEST"/new/*; do
		[ -f "$_m" ] && grep -q "^To: $1\$" "$_m" &&
		    grep -q "^Subject: \[maintop\] $2" "$_m" && _c=$((_c + 1))
	done
	echo "$_c"
}
# wait_mail ADDR SUBJECT: waits up to 20 s for one.
wait_mail() {
	_i=0
	while [ "$(mails_to "$1" "$2")" -lt 1 ] && [ $_i -lt 200 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
}
# wait_log TEXT: waits up to 20 s for TEXT in the agent's log.
wait_log() {
	_i=0
	while ! grep -q -- "$1" "$tmp/agent.log" && [ $_i -lt 200 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	grep -q -- "$1" "$tmp/agent.log"
}

start=$(date -u -d "@$(( $(date +%s) + 4 ))" +%Y-%m-%dT%H:%M:%SZ)
cat > "$tmp/m.conf" <<EOF
settings = { state_dir = "$tmp/state"; timezone = "UTC";
  notify = [ "ops-mail" ]; fail_after = 1; recover_after = 1; };
channels = (
  { name = "ops-mail"; type = "email"; to = [ "ops@example.test" ]; },
  { name = "api-mail"; type = "email"; to = [ "api@example.test" ]; },
  { name = "run-mail"; type = "email"; to = [ "runs@example.test" ]; }
);
http = (
  { name = "api"; url = "$U/health"; interval = "300ms"; timeout = "250ms";
    notify = [ "api-mail" ]; },
  { name = "web"; url = "$U/health"; interval = "300ms"; timeout = "250ms"; },
  { name = "held"; url = "$U/health"; interval = "300ms"; timeout = "250ms"; },
  { name = "cache"; url = "$U/health"; interval = "300ms"; timeout = "250ms";
    notify_in_maintenance = true; }
);
windows = (
  { name = "maint"; start = "$start"; duration = "10s";
    systems = [ "held", "cache" ]; autorun = [ "mark" ]; }
);
runbooks = (
  { name = "mark"; notify = [ "run-mail" ];
    steps = ( { name = "mark"; run = "true"; } ); }
);
EOF

check "validate accepts notify on checks and runbooks" \
    "$MAINTOP" validate -c "$tmp/m.conf"

"$MAINTOP" agent -c "$tmp/m.conf" 2> "$tmp/agent.log" &
apid=$!
wait_log "window.start maint"
ok $? "the agent starts and the maintenance window opens"
curl -s -X POST "$U/toggle" > "$tmp/toggle" 2>&1
grep -q '"healthy":false' "$tmp/toggle"
ok $? "the test server's /health now fails"

wait_mail api@example.test "api is CRITICAL"
is "a check's own notify: its mail goes to its channel" \
    "$(mails_to api@example.test "api is CRITICAL")" 1
wait_mail ops@example.test "web is CRITICAL"
is "a check without notify: settings.notify" \
    "$(mails_to ops@example.test "web is CRITICAL")" 1
wait_mail ops@example.test "cache is CRITICAL (in maintenance 'maint')"
is "notify_in_maintenance: told while in maintenance, saying so" \
    "$(mails_to ops@example.test "cache is CRITICAL (in maintenance 'maint')")" 1
wait_mail runs@example.test "runbook 'mark' (window 'maint'): success"
is "a runbook's own notify: the autorun's result to its channel" \
    "$(mails_to runs@example.test "runbook 'mark' (window 'maint'): success")" 1
is "and not to settings.notify" \
    "$(mails_to ops@example.test "runbook 'mark'")" 0
is "api's change went only to its own channel" \
    "$(mails_to ops@example.test "api is")" 0

wait_log "window.end maint"
ok $? "the maintenance window ends"
wait_mail ops@example.test "held is CRITICAL"
is "a check in maintenance is told once its window is over" \
    "$(mails_to ops@example.test "held is CRITICAL")" 1
end=$(date -u -d "@$(( $(date -u -d "$start" +%s) + 10 ))" +%Y-%m-%dT%H:%M:%SZ)
held=$(grep '"type":"notify".*"event":"check.state:held:CRITICAL' "$tmp/state/journal.jsonl" |
    sed 's/.*"time":"\([^"]*\)".*/\1/' | head -1)
ok "$([ -n "$held" ] && ! expr "$held" \< "$end" >/dev/null; echo $?)" \
    "and not before (delivered at $held, the window ended at $end)"

curl -s -X POST "$U/toggle" > /dev/null 2>&1
wait_mail ops@example.test "held is OK"
is "its recovery is told too" "$(mails_to ops@example.test "held is OK")" 1
is "each change is told once" "$(mails_to ops@example.test "web is CRITICAL")" 1

kill -TERM "$apid"
wait "$apid"
is "SIGTERM: the agent exits 0" "$?" 0
apid=

# --- validate -----------------------------------------------------------------

cat > "$tmp/bad.conf" <<EOF
channels = ( { name = "ops"; type = "email"; to = [ "o@example.test" ]; } );
http = (
  { name = "a"; url = "http://127.0.0.1:1/";
    notify = [ "pager" ]; },
  { name = "b"; url = "http://127.0.0.1:1/"; notify_in_maintenance = "yes"; }
);
runbooks = (
  { name = "r"; steps = ( { name = "s"; run = "true"; } );
    notify = [ "ops", "chat" ]; }
);
EOF
"$MAINTOP" validate -c "$tmp/bad.conf" > "$tmp/out" 2> "$tmp/err"
is "validate refuses unknown channels (exit 1)" "$?" 1
grep -q "bad.conf:4: error: check 'a': notify names 'pager', which is not a channel" "$tmp/err"
ok $? "a check's unknown channel, at its notify line"
grep -q "bad.conf:5: .*notify_in_maintenance" "$tmp/err"
ok $? "notify_in_maintenance must be a boolean"
grep -q "bad.conf:9: error: runbook 'r': notify names 'chat', which is not a channel" "$tmp/err"
ok $? "a runbook's unknown channel, at its notify line"
grep -q "'ops', which" "$tmp/err"
ok "$([ $? -ne 0 ]; echo $?)" "a known channel is not refused"

echo "1..$n"
