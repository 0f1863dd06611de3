#!/bin/sh
# A webhook's secret headers, as an HTTP check's: read from an environment
# variable or a file readable only by its owner at each delivery, sent to
# a real receiver, and never written anywhere else: not in maintop's
# output or log, the journal, the outbox, the argv or environment of a
# command channel's child, nor in an error, which names the variable or
# the file only.  validate refuses a value written in the configuration.
# TAP.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
: "${MAINTOP:=./maintop}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/notify.sh"
[ -x "$PY" ] || skip_all "python3 not found: apt-get install python3"
"$MAINTOP" --version >/dev/null 2>&1 || bail "$MAINTOP does not run"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/maintop-secrets.XXXXXX")
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
export HOME="$tmp" TZ=UTC
hook_start "$tmp" 0

ENV_SECRET="Bearer env-Zq8v1-secret"
FILE_SECRET="file-Kx3p9-secret"
export HOOK_TOKEN="$ENV_SECRET"
printf '%s\n' "$FILE_SECRET" > "$tmp/key"
chmod 600 "$tmp/key"

cat > "$tmp/m.conf" <<EOF
settings = { state_dir = "$tmp/state"; timezone = "UTC";
  notify = [ "hook", "env" ]; };
channels = (
  { name = "hook"; type = "webhook";
    url = "http://127.0.0.1:$hook_port/in";
    secret_headers = (
      { name = "Authorization"; value_env = "HOOK_TOKEN"; },
      { name = "X-Api-Key"; value_file = "$tmp/key"; }
    ); retries = 2; backoff = "1s"; },
  { name = "env"; type = "command";
    command = [ "/bin/sh", "-c", "env > $tmp/child.env; cat /proc/self/cmdline > $tmp/child.argv" ]; }
);
windows = (
  { name = "w"; start = "2026-12-07T02:00:00Z"; duration = "1h"; }
);
EOF

# leaked: 0 when neither secret is in any file under $tmp but the
# receiver's own record of the headers and the secrets' sources.
leaked() {
	grep -rlF -e "$ENV_SECRET" -e "$FILE_SECRET" -e "Kx3p9" -e "Zq8v1" "$tmp" |
	    grep -v -e '/hook\.[0-9]*\.[0-9]*\.headers$' -e "^$tmp/key\$" |
	    sed 's/^/# leaked into: /'
}

check "validate accepts secret_headers on a webhook" "$MAINTOP" validate -c "$tmp/m.conf"
"$MAINTOP" notify test hook -c "$tmp/m.conf" > "$tmp/out" 2>&1
is "notify test: delivered (exit 0)" "$?" 0
check "the receiver got Authorization from the variable" \
    grep -qx "Authorization: $ENV_SECRET" "$tmp"/hook.1.200.headers
check "and X-Api-Key from the file" \
    grep -qx "X-Api-Key: $FILE_SECRET" "$tmp"/hook.1.200.headers

"$MAINTOP" agent --once --now 2026-12-07T01:59:00Z -c "$tmp/m.conf" > "$tmp/agent.log" 2>&1
"$MAINTOP" agent --once --now 2026-12-07T02:00:05Z -c "$tmp/m.conf" >> "$tmp/agent.log" 2>&1
is "the agent's window start: delivered (exit 0)" "$?" 0
check "the agent sent the headers too" \
    grep -qx "Authorization: $ENV_SECRET" "$tmp"/hook.2.200.headers
check "a command channel ran" test -s "$tmp/child.env"
grep -q "^HOOK_TOKEN=" "$tmp/child.env"
ok "$([ $? -ne 0 ]; echo $?)" "the secret's variable is not in a child's environment"
"$MAINTOP" notify list -c "$tmp/m.conf" >> "$tmp/out" 2>&1
out=$(leaked)
is "neither secret is in the output, log, journal, outbox or a child" "$out" ""

# An error names where the secret is read, never its value.
chmod 644 "$tmp/key"
"$MAINTOP" validate -c "$tmp/m.conf" > "$tmp/v.out" 2> "$tmp/v.err"
is "a key file others can read: validate refuses it (exit 1)" "$?" 1
grep -q "m.conf:[0-9]*: error: permissions 0644 for value_file $tmp/key are too open" "$tmp/v.err"
ok $? "naming the file and its line"
chmod 600 "$tmp/key"
printf 'two\r\nlines\n' > "$tmp/key"
"$MAINTOP" notify test hook -c "$tmp/m.conf" > "$tmp/out2" 2>&1
is "a value with a line break: the attempt fails (exit 1)" "$?" 1
grep -q "value_file $tmp/key, secret header X-Api-Key holds a line break" "$tmp/out2"
ok $? "saying why, naming the file"
printf '%s\n' "$FILE_SECRET" > "$tmp/key"
HOOK_TOKEN= "$MAINTOP" notify test hook -c "$tmp/m.conf" > "$tmp/out3" 2>&1
is "an empty variable: the attempt fails (exit 1)" "$?" 1
grep -q "HOOK_TOKEN" "$tmp/out3"
ok $? "naming the variable"
is "the receiver got nothing from the failed attempts" \
    "$(ls "$tmp"/hook.*.*[0-9] | wc -l | tr -d ' ')" 2
out=$(leaked)
is "still no secret anywhere" "$out" ""

cat > "$tmp/bad.conf" <<EOF
channels = (
  { name = "a"; type = "webhook"; url = "http://127.0.0.1:1/";
    secret_headers = ( { name = "Authorization"; value = "Bearer inline"; } ); },
  { name = "b"; type = "email"; to = "x@example.test";
    secret_headers = ( { name = "X-Api-Key"; value_env = "K"; } ); },
  { name = "c"; type = "webhook"; url = "http://127.0.0.1:1/";
    secret_headers = ( { name = "Content-Type"; value_env = "K"; } ); }
);
EOF
"$MAINTOP" validate -c "$tmp/bad.conf" > "$tmp/out" 2> "$tmp/err"
is "validate refuses bad secret headers (exit 1)" "$?" 1
grep -q "bad.conf:3: error: 'value' is not allowed" "$tmp/err"
ok $? "a value written in the configuration, with its line"
! grep -q "inline" "$tmp/err"
ok $? "and the message does not quote it"
grep -q "bad.conf:5: .*'secret_headers' belongs to webhook channels" "$tmp/err"
ok $? "secret headers on a mail channel"
grep -q "bad.conf:7: .*header Content-Type is given twice" "$tmp/err"
ok $? "a secret header in place of the body's Content-Type"

echo "1..$n"
