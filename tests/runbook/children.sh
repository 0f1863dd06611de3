#!/bin/sh
# Runbook steps as children: the environment maintop was started with (not
# the TZ maintop sets for itself, none of the checks' secret variables
# unless a step passes one by name), a session of their own (/dev/tty
# fails at once: no retitled terminal, no prompt stopped by SIGTTIN until
# the SIGKILL grace), and a run log kept under its size limit.  Prints TAP.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
: "${MAINTOP:=./maintop}"
. "$top_srcdir/tests/lib/tap.sh"
"$MAINTOP" --version >/dev/null 2>&1 || bail "$MAINTOP does not run"
command -v script >/dev/null 2>&1 ||
	skip_all "script is not installed (apt-get install bsdutils)"
dir=$(mktemp -d "${TMPDIR:-/tmp}/runbook-children.XXXXXX") ||
	bail "no temporary directory"
trap 'rm -rf "$dir"' EXIT

cat > "$dir/m.conf" <<EOC
settings = { state_dir = "$dir/state"; timezone = "Europe/Berlin"; run_log_max = "64k"; };
postgres = ( { name = "pg"; conninfo = "host=127.0.0.1 port=1 dbname=x user=u";
               password_env = "CHILDREN_PG_PW"; } );
redis = ( { name = "cache"; port = 1; password_env = "CHILDREN_REDIS_PW"; } );
http = ( { name = "web"; url = "http://127.0.0.1:1/";
           secret_headers = ( { name = "X-Api-Key"; value_env = "CHILDREN_API_KEY"; } ); } );
windows = ( { name = "always"; schedule = "* * * * *"; duration = "2h";
              runbooks = [ "env" ]; } );
runbooks = (
  { name = "env"; require_window = true;
    steps = ( { name = "env"; run = "env | sort"; confirm = false; } ); },
  { name = "pass";
    steps = ( { name = "pass"; confirm = false; env_pass = [ "CHILDREN_PG_PW" ];
                run = "echo pg=\$CHILDREN_PG_PW redis=\${CHILDREN_REDIS_PW:-none}"; } ); },
  { name = "title";
    steps = ( { name = "title"; confirm = false; timeout = "20s";
                run = "printf '\\\\033]0;PWNED\\\\007' >/dev/tty && echo wrote"; } ); },
  { name = "ask";
    steps = ( { name = "ask"; confirm = false; timeout = "2s";
                run = "head -n 1 /dev/tty"; } ); },
  { name = "yes";
    steps = ( { name = "yes"; confirm = false; timeout = "30s";
                run = "timeout 10 yes; exit 0"; } ); }
);
EOC
"$MAINTOP" validate -c "$dir/m.conf" >"$dir/validate.out" 2>&1 ||
	bail "the test configuration does not validate: $(cat "$dir/validate.out")"

export CHILDREN_PG_PW=pg-Secret-1 CHILDREN_REDIS_PW=redis-Secret-2
export CHILDREN_API_KEY=api-Secret-3

# 1. The environment: the user's TZ, no secret variables.
TZ=America/New_York "$MAINTOP" run env -c "$dir/m.conf" --yes \
    >"$dir/env.out" 2>&1
ok $? "a step running env succeeds"
check "it sees the user's TZ" grep -qx "TZ=America/New_York" "$dir/env.out"
check "not the zone maintop set for itself (settings.timezone)" \
    sh -c "! grep -qE 'TZ=(Europe/Berlin|UTC0)' '$dir/env.out'"
check "no check's password_env or value_env variable" \
    sh -c "! grep -q 'CHILDREN_' '$dir/env.out'"
check "no secret value either, on screen or in the log" \
    sh -c "! grep -rqE 'pg-Secret|redis-Secret|api-Secret' '$dir/env.out' '$dir/state'"
check "the run's own variables are there" grep -q "^MAINTOP_RUNBOOK=env" "$dir/env.out"

# 2. A step asks for one secret variable by name: only that one, masked.
"$MAINTOP" run pass -c "$dir/m.conf" --yes >"$dir/pass.out" 2>&1
ok $? "a step passing one secret variable succeeds"
check "it gets that one (masked in the output), not the others" \
    grep -q "pg=\*\*\*\*\*\* redis=none" "$dir/pass.out"
check "its value is masked in the run log" \
    sh -c "! grep -rq 'pg-Secret' '$dir/state'"

# 3. /dev/tty, with maintop on a terminal (script gives it one): writing
# there fails at once instead of retitling the user's terminal.
script -qec "'$MAINTOP' run title -c '$dir/m.conf' --yes" "$dir/title.raw" \
    >/dev/null 2>&1 </dev/null
check "the step writing to /dev/tty fails" grep -q "title.*failed" "$dir/title.raw"
check "its escape sequence never reached the terminal" \
    sh -c "! grep -q PWNED '$dir/title.raw'"
check "it did not write" sh -c "! grep -q '^wrote' '$dir/title.raw'"

# 4. Reading /dev/tty (a password prompt) fails at once too: the step is
# not stopped by SIGTTIN until the timeout and then the SIGKILL grace.
script -qec "'$MAINTOP' run ask -c '$dir/m.conf' --yes" "$dir/ask.raw" \
    >/dev/null 2>&1 </dev/null
log=$(ls "$dir"/state/runs/*.log | xargs grep -l "of runbook ask")
check "the step reading /dev/tty failed" grep -q "== ask failed" "$log"
check "without waiting for its timeout" sh -c "! grep -q 'timed out' '$log'"
check "nor for SIGKILL" sh -c "! grep -q SIGKILL '$log'"

# 5. Ten seconds of "yes" with a 64 KiB limit: the log keeps its head and
# its tail with a marker between them, and the user is told.
"$MAINTOP" run yes -c "$dir/m.conf" --yes >"$dir/yes.out" 2>&1
log=$(ls "$dir"/state/runs/*.log | xargs grep -l "of runbook yes")
size=$(wc -c <"$log")
check "the log stays near its limit ($size bytes)" test "$size" -lt 70000
check "it keeps the head" sh -c "head -n 3 '$log' | grep -q '^   \\$ timeout 10 yes'"
check "a marker says how much was left out" \
    grep -q "== maintop: the run log reached its limit (65536 bytes): [0-9]* bytes of output left out here ==" "$log"
check "it keeps the tail: the end of the run" \
    sh -c "tail -n 1 '$log' | grep -q '^== run .*: success after'"
check "the user was told that the log was cut" \
    grep -q "maintop: the run log reached its limit" "$dir/yes.out"
echo "1..$n"
