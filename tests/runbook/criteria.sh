#!/bin/sh
# Success criteria against a real HTTP server (tests/lib/servers.sh): a
# criteria step judges every criterion (a check on a probe made after the
# steps, a command's exit status, a request's status), reports each, and
# fails the step if any failed, after all have run.  A failed criterion
# fails the run: unattended it rolls back as a failed step does.  The
# verdicts are in the journal and the run log; validate names the file and
# line of a mistaken criterion.
# Prints TAP.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
: "${MAINTOP:=./maintop}"
. "$top_srcdir/tests/lib/servers.sh"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/runbook.sh"
runbook_http_setup criteria
m=$dir/m
mkdir -p "$m"

# /health answers 200 until a POST to /toggle, then 503 until the next.
cat > "$dir/m.conf" <<EOC
settings = { state_dir = "$dir/state"; };
http = (
  { name = "api"; url = "$U/health"; interval = "1h"; },
  { name = "slow"; url = "$U/slow?ms=300"; latency_warn = "100ms"; interval = "1h"; }
);
runbooks = (
  { name = "deploy";
    steps = (
      { name = "deploy"; run = "touch $m/deployed"; rollback = "rm $m/deployed"; },
      { name = "verify"; criteria = (
          { check = "api"; },
          { name = "marker"; run = "test -e $m/deployed"; },
          { http = "$U/status/204"; expect_status = 204; }
        ); confirm = false; },
      { name = "after"; run = "touch $m/after"; }
    ); },
  { name = "breaks";
    steps = (
      { name = "break it"; run = "curl -s -X POST $U/toggle > /dev/null; touch $m/broke";
        rollback = "curl -s -X POST $U/toggle > /dev/null; rm $m/broke"; },
      { name = "verify"; criteria = (
          { check = "api"; },
          { run = "echo judged > $m/second; exit 3"; },
          { http = "$U/status/200"; },
          { check = "slow"; worst = "warn"; }
        ); },
      { name = "after"; run = "touch $m/breaks-after"; }
    ); },
  { name = "rbcheck"; on_failure = "rollback";
    steps = (
      { name = "one"; run = "true";
        rollback = { name = "api back"; criteria = ( { check = "api"; } ); }; },
      { name = "two"; run = "exit 3"; }
    ); },
  { name = "hangs";
    steps = ( { name = "verify"; timeout = 1; criteria = (
          { run = "sleep 30"; }, { run = "touch $m/hangs-second"; } ); } ); }
);
EOC

"$MAINTOP" validate -c "$dir/m.conf" > "$dir/validate" 2>&1
is "a runbook with criteria validates" "$?" 0
"$MAINTOP" run deploy -c "$dir/m.conf" --dry-run > "$dir/dry" 2>&1
check "the dry run lists every criterion" grep -q \
    "2. \\$ test -e '*$m/deployed'* exits 0" "$dir/dry"
check "with the check and its level" grep -q "1. check api is ok" "$dir/dry"
check "and the request" grep -q "3. GET $U/status/204 answers 204" "$dir/dry"

"$MAINTOP" run deploy -c "$dir/m.conf" --yes < /dev/null > "$dir/out1" 2>&1
is "every criterion passes: success (exit 0)" "$?" 0
check "each verdict is reported" grep -q \
    "criterion 2/3 passed: \\$ test -e" "$dir/out1"
check "the step after the criteria ran" test -e "$m/after"
check "the step's verdicts are in the journal" grep -q \
    '"type":"step_end".*"name":"verify".*"result":"ok".*"criteria":\[{"name":"criterion 1 of verify","criterion":"check api is ok","result":"passed"}' \
    "$j"
n_crit=$(grep -c '"type":"criterion".*"runbook":"deploy".*"result":"passed"' "$j")
is "one criterion record for each" "$n_crit" 3

"$MAINTOP" run breaks -c "$dir/m.conf" --yes < /dev/null > "$dir/out2" 2>&1
is "a failed criterion fails the run; unattended it rolls back (exit 5)" \
    "$?" 5
check "the check was probed after the step that broke it" grep -q \
    "criterion 1/4 FAILED: check api is ok: it is crit" "$dir/out2"
check "every criterion was judged after the first failed" test -e \
    "$m/second"
check "the request criterion passed" grep -q \
    "criterion 3/4 passed: GET $U/status/200 answers 2xx" "$dir/out2"
check "a level: a warn check passes 'warn or better'" grep -q \
    "criterion 4/4 passed: check slow is warn or better" "$dir/out2"
check "the command criterion's exit status is the reason" grep -q \
    "criterion 2/4 FAILED: .* exits 0: exit status 3" "$dir/out2"
check "the step says how many failed" grep -q \
    "2 of 4 criteria failed" "$dir/out2"
check "the run went no further" test ! -e "$m/breaks-after"
check "the rollback ran (the marker is gone)" test ! -e "$m/broke"
check "the journal has the failed verdicts with why" grep -q \
    '"type":"criterion".*"runbook":"breaks".*"result":"failed","why":"it is crit' \
    "$j"
check "the journal's result is rolled-back" grep -q \
    '"runbook":"breaks","result":"rolled-back"' "$j"
log=$(sed -n 's/.*"runbook":"breaks".*"type":"run_end".*"log":"\([^"]*\)".*/\1/p;s/.*"type":"run_end".*"runbook":"breaks".*"log":"\([^"]*\)".*/\1/p' "$j" | tail -n 1)
check "the run log has the verdicts" grep -q "criterion 1/4 FAILED" "$log"
curl -s "$U/health" > "$dir/health" 2>&1
check "the rollback put the server back" grep -q '"status":"ok"' \
    "$dir/health"

"$MAINTOP" run hangs -c "$dir/m.conf" --yes < /dev/null > "$dir/out3" 2>&1
is "the step's timeout covers its criteria: failed (exit 1)" "$?" 1
check "it timed out" grep -q "timed out" "$dir/out3"
check "no criterion is judged after the timeout" test ! -e \
    "$m/hangs-second"

"$MAINTOP" run rbcheck -c "$dir/m.conf" --yes < /dev/null > "$dir/out4" 2>&1
is "a rollback that judges a check: the check is probed, the rollback passes (exit 5)" \
    "$?" 5
check "its verdict says so" grep -q "criterion 1/1 passed: check api is ok" \
    "$dir/out4"

# Mistakes, each at its file and line.
cat > "$dir/bad.conf" <<EOC
settings = { state_dir = "$dir/state"; };
http = ( { name = "api"; url = "$U/health"; } );
runbooks = (
  { name = "bad";
    steps = (
      { name = "a"; criteria = ( { check = "nope"; } ); },
      { name = "b"; criteria = ( { check = "api"; run = "true"; } ); },
      { name = "c"; criteria = ( { run = "true"; worst = "warn"; } ); },
      { name = "d"; criteria = ( { check = "api"; worst = "bad"; } ); },
      { name = "e"; criteria = ( ); },
      { name = "f"; criteria = ( { run = "true"; danger = true; } ); },
      { name = "g"; criteria = "true"; }
    ); }
);
EOC
"$MAINTOP" validate -c "$dir/bad.conf" > "$dir/bad" 2>&1
is "mistaken criteria: validate fails (exit 1)" "$?" 1
check "an unknown check, at its line" grep -q \
    "bad.conf:6:.*criterion of runbook 'bad': no check 'nope'\|bad.conf:6:.*'nope'" \
    "$dir/bad"
check "two kinds in one criterion" grep -q \
    "bad.conf:7:.*needs exactly one of check, run or http" "$dir/bad"
check "worst on a command" grep -q \
    "bad.conf:8:.*'worst' applies to a check criterion" "$dir/bad"
check "a bad level" grep -q "bad.conf:9:.*'worst' must be" "$dir/bad"
check "an empty list" grep -q "bad.conf:10:.*has 0 criteria" "$dir/bad"
check "a key a criterion does not take" grep -q \
    "bad.conf:11:.*danger" "$dir/bad"
check "not a list" grep -q "bad.conf:12:.*must be a list" "$dir/bad"
echo "1..$n"
