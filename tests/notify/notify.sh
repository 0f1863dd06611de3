#!/bin/sh
# Notification channels with real parts: mail through Debian's msmtp-mta as
# /usr/sbin/sendmail to an SMTP sink (python3-aiosmtpd) on loopback, a
# webhook receiver that fails twice and then accepts (exactly one delivery
# arrives, across separate processes as after a kill), a command channel,
# and validate's errors.  TAP.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
: "${MAINTOP:=./maintop}"
. "$top_srcdir/tests/lib/tap.sh"

. "$top_srcdir/tests/lib/notify.sh"
notify_require
"$MAINTOP" --version >/dev/null 2>&1 || bail "$MAINTOP does not run"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/maintop-notify.XXXXXX")
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
export HOME="$tmp"

smtp_start "$tmp"
# The webhook receiver: 500 twice, then 200; every POST recorded.
hook_start "$tmp" 2

cat > "$tmp/m.conf" <<EOF
settings = { state_dir = "$tmp/state"; };
channels = (
  { name = "ops-mail"; type = "email";
    to = [ "oncall@example.test", "lead@example.test" ];
    from = "maintop@example.test"; },
  { name = "chat"; type = "webhook"; format = "slack";
    url = "http://127.0.0.1:$hook_port/hooks/T0KEN"; backoff = "1s"; },
  { name = "script"; type = "command";
    command = [ "/bin/sh", "-c",
      "cat > $tmp/cmd.stdin; env | grep ^MAINTOP_EVENT_ | sort > $tmp/cmd.env; printf 'took it \\\\033]0;PWNED\\\\007\\\\n'" ]; }
);
EOF

check "validate accepts the channels" "$MAINTOP" validate -c "$tmp/m.conf"
out=$("$MAINTOP" notify list -c "$tmp/m.conf")
case $out in
*"chat "*"webhook  http://127.0.0.1:$hook_port/..."*) ok 0 "list shows a webhook by its origin only" ;;
*) ok 1 "list shows a webhook by its origin only"; echo "# $out" ;;
esac
case $out in *T0KEN*) ok 1 "list never shows a webhook's path" ;; *) ok 0 "list never shows a webhook's path" ;; esac

# --- email ------------------------------------------------------------------

"$MAINTOP" notify test ops-mail -c "$tmp/m.conf" > "$tmp/out" 2>&1
is "email: notify test exits 0" "$?" 0
grep -q "notify ops-mail test:ops-mail:.*: delivered" "$tmp/out"
ok $? "email: it says the mail was delivered"
i=0
while [ -z "$(ls "$tmp/mail/new" 2>/dev/null)" ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
msg=$(cat "$tmp/mail/new"/* 2>/dev/null)
case $msg in *"Subject: [maintop] test from maintop on "*) ok 0 "email: the sink got the subject" ;;
*) ok 1 "email: the sink got the subject"; printf '%s\n' "$msg" | sed 's/^/# /' ;; esac
case $msg in *"To: oncall@example.test, lead@example.test"*) ok 0 "email: both recipients in To" ;;
*) ok 1 "email: both recipients in To" ;; esac
case $msg in *"From: maintop@example.test"*) ok 0 "email: the From header" ;; *) ok 1 "email: the From header" ;; esac
case $msg in *"X-Maintop-Event: test:ops-mail:"*) ok 0 "email: the event id in a header" ;; *) ok 1 "email: the event id in a header" ;; esac
case $msg in *'This is a test event sent by "maintop notify test".'*) ok 0 "email: the body" ;; *) ok 1 "email: the body" ;; esac
grep -q '"type":"notify".*"channel":"ops-mail".*"result":"delivered"' "$tmp/state/journal.jsonl"
ok $? "email: the attempt is journaled"

# --- webhook: two failures, then one delivery ---------------------------------

"$MAINTOP" notify test chat -c "$tmp/m.conf" > "$tmp/out" 2>&1
is "webhook: the first attempt fails (exit 1)" "$?" 1
grep -q "attempt failed: HTTP 500: no" "$tmp/out"
ok $? "webhook: it says why"
is "webhook: the event waits in the outbox" \
    "$(ls "$tmp/state/outbox"/*.json 2>/dev/null | wc -l | tr -d ' ')" 1
sleep 1.1
"$MAINTOP" notify flush -c "$tmp/m.conf" > "$tmp/out" 2>&1
is "webhook: the second attempt (another process) fails too" "$?" 1
sleep 2.1
"$MAINTOP" notify flush -c "$tmp/m.conf" > "$tmp/out" 2>&1
is "webhook: the third attempt is delivered" "$?" 0
is "webhook: the receiver saw three POSTs" "$(ls "$tmp"/hook.* | grep -c 'hook\.[0-9]*\.[0-9]*$')" 3
is "webhook: exactly one was accepted" "$(ls "$tmp"/hook.*.200 2>/dev/null | wc -l | tr -d ' ')" 1
"$MAINTOP" notify flush -c "$tmp/m.conf" > "$tmp/out" 2>&1
is "webhook: a later flush sends nothing again" "$(ls "$tmp"/hook.*.200 2>/dev/null | wc -l | tr -d ' ')" 1
is "webhook: the outbox is empty" "$(ls "$tmp/state/outbox"/*.json 2>/dev/null | wc -l | tr -d ' ')" 0
body=$(cat "$tmp"/hook.3.200)
check "webhook: a Slack-compatible body" "$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); assert list(d)==["text"] and "test from maintop" in d["text"]' "$body"
is "webhook: every attempt journaled (failed, failed, delivered)" \
    "$(grep '"channel":"chat"' "$tmp/state/journal.jsonl" | sed 's/.*"result":"\([a-z-]*\)".*/\1/' | tr '\n' ' ')" \
    "failed failed delivered "

# --- command ------------------------------------------------------------------

"$MAINTOP" notify test script -c "$tmp/m.conf" > "$tmp/out" 2>&1
is "command: delivered (exit 0)" "$?" 0
check "command: the event is JSON on standard input" "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["type"]=="test" and d["id"].startswith("test:script:")' "$tmp/cmd.stdin"
grep -q '^MAINTOP_EVENT_TYPE=test$' "$tmp/cmd.env"
ok $? "command: MAINTOP_EVENT_TYPE in its environment"
! grep -q "$(printf '\033')" "$tmp/out"
ok $? "command: its output reaches the terminal without escape sequences"
grep -q "delivered: took it" "$tmp/out"
ok $? "command: its answer is in the report"

# --- validate -------------------------------------------------------------------

cat > "$tmp/bad.conf" <<EOF
channels = (
  { name = "a"; type = "pager"; },
  { name = "b"; type = "command"; command = [ "notify-send" ]; },
  { name = "c"; type = "email"; to = [ "not an address" ]; },
  { name = "d"; type = "webhook"; url = "ftp://x"; to = [ "x@y" ]; },
  { name = "e"; type = "email"; to = "x@y"; rate = "lots"; }
);
EOF
"$MAINTOP" validate -c "$tmp/bad.conf" > "$tmp/out" 2> "$tmp/err"
is "validate refuses bad channels (exit 1)" "$?" 1
grep -q "bad.conf:2:.*type must be" "$tmp/err"; ok $? "validate: an unknown type, with its line"
grep -q "bad.conf:3:.*absolute path" "$tmp/err"; ok $? "validate: a command without an absolute path"
grep -q "bad.conf:4:.*not a mail address" "$tmp/err"; ok $? "validate: a bad address"
grep -q "bad.conf:5:.*'to' belongs to email channels" "$tmp/err"; ok $? "validate: a key of another kind"
grep -q "bad.conf:6:.*rate must be" "$tmp/err"; ok $? "validate: a bad rate"

echo "1..$n"
