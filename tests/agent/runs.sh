#!/bin/sh
# The run.end event of an autorun that fails: its result, each step's
# outcome and the failed step's last ten lines of output, with a check's
# secret masked as in the run log.  "agent --once" at chosen instants;
# events go to a command channel.  TAP.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
: "${MAINTOP:=./maintop}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/agent.sh"
"$MAINTOP" --version >/dev/null 2>&1 || bail "$MAINTOP does not run"
[ -x /usr/bin/python3 ] || skip_all "python3 not found: apt-get install python3"
agent_tmp agentruns
export AGENT_TEST_PW="pw-Xy7-secret"

cat > "$tmp/m.conf" <<EOF
settings = { state_dir = "$tmp/state"; timezone = "UTC"; notify = [ "log" ]; };
channels = ( { name = "log"; type = "command";
  command = [ "/bin/sh", "-c", "cat >> $tmp/events.jsonl" ]; } );
redis = ( { name = "cache"; port = 1; password_env = "AGENT_TEST_PW"; } );
windows = ( { name = "nightly"; schedule = "0 3 * * *"; duration = "1h";
  autorun = [ "noisy" ]; } );
runbooks = ( { name = "noisy"; unattended_failure = "abort";
  steps = (
    { name = "count"; run = "i=1; while [ \$i -le 15 ]; do echo line \$i; i=\$((i+1)); done; echo \"pw is \$AGENT_TEST_PW\"; exit 3";
      env_pass = [ "AGENT_TEST_PW" ]; },
    { name = "after"; run = "true"; }
  ); } );
EOF

check "validate accepts it" "$MAINTOP" validate -c "$tmp/m.conf"
once 2026-12-01T02:00:00Z
once 2026-12-01T03:00:05Z
is "a failed autorun: --once exits 1" "$?" 1
grep '"type":"run.end"' "$tmp/events.jsonl" > "$tmp/end.json"
text=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["text"])' "$tmp/end.json")
subject=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["subject"])' "$tmp/end.json")
is "its subject has the result" "$subject" "runbook 'noisy' (window 'nightly'): failed"
case $text in *"The last lines of step 1 (count):"*) ok 0 "its text names the failed step" ;;
*) ok 1 "its text names the failed step"; printf '%s\n' "$text" | sed 's/^/# /' ;; esac
is "and gives its last ten lines, the secret masked" \
    "$(printf '%s\n' "$text" | sed -n '/^The last lines/,$p' | sed 1d | tr '\n' '|')" \
    "line 7|line 8|line 9|line 10|line 11|line 12|line 13|line 14|line 15|pw is ******|"
grep -q "pw-Xy7-secret" "$tmp/events.jsonl" "$tmp/log"
ok "$([ $? -ne 0 ]; echo $?)" "the secret is in no event and no log line"

echo "1..$n"
