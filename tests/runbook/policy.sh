#!/bin/sh
# Runbooks nobody watches: "maintop run --yes" without a terminal (as cron
# runs it) and with one (script(1)), and attended on a terminal with the
# operator answering, for each failure policy of a runbook failing at step
# 2 of 3: the marker files its steps and rollbacks create and remove, the
# always step, the journal's result and the exit code.
# Also: a failed rollback, danger refused up front, partial not satisfying
# requires, --now refused, a pause with nobody to confirm it, always steps
# after a timeout and after Ctrl-C, and paths from another directory.
# Prints TAP.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
: "${MAINTOP:=./maintop}"
MAINTOP=$(cd "$(dirname "$MAINTOP")" && pwd)/$(basename "$MAINTOP")
. "$top_srcdir/tests/lib/tap.sh"
dir=$(mktemp -d "${TMPDIR:-/tmp}/runbook-policy.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
m=$dir/m

# plan POLICY [EXTRA]: a runbook of three steps, the second failing, and an
# always step; each step leaves a marker, each rollback removes its own.
plan() {
	cat <<EOC
  { name = "$1"; $2
    steps = (
      { name = "one"; run = "touch $m/$1.1"; rollback = "rm $m/$1.1"; },
      { name = "two"; run = "touch $m/$1.2; exit 3"; rollback = "rm $m/$1.2"; },
      { name = "three"; run = "touch $m/$1.3"; rollback = "rm $m/$1.3"; },
      { name = "report"; always = true; run = "touch $m/$1.always"; }
    ); },
EOC
}
{
	echo "settings = { state_dir = \"$dir/state\"; };"
	echo "runbooks = ("
	plan rollback 'on_failure = "rollback";'
	plan abort 'on_failure = "abort";'
	plan continue 'on_failure = "continue";'
	plan ask ''
	plan askabort 'unattended_failure = "abort";'
	plan stepcont 'on_failure = "abort";' | sed 's/exit 3";/exit 3"; on_failure = "continue";/'
	cat <<EOC
  { name = "rbfail"; on_failure = "rollback";
    steps = ( { name = "one"; run = "touch $m/rbfail.1"; rollback = "rm $m/rbfail.1"; },
              { name = "two"; run = "touch $m/rbfail.2"; rollback = "exit 7"; },
              { name = "three"; run = "exit 3"; } ); },
  { name = "danger";
    steps = ( { name = "one"; run = "touch $m/danger.1"; },
              { name = "two"; run = "touch $m/danger.2"; danger = true; } ); },
  { name = "dangerrb";
    steps = ( { name = "one"; run = "touch $m/dangerrb.1";
                rollback = { run = "rm $m/dangerrb.1"; danger = true; }; } ); },
  { name = "cont";
    steps = ( { name = "one"; run = "exit 1"; continue_on_error = true; } ); },
  { name = "needs"; requires = [ "cont" ];
    steps = ( { name = "one"; run = "touch $m/needs.1"; } ); },
  { name = "pause";
    steps = ( { name = "one"; run = "touch $m/pause.1"; rollback = "rm $m/pause.1"; },
              { name = "look"; pause = "Check the replica"; } ); },
  { name = "pauseto"; on_failure = "abort";
    steps = ( { name = "one"; run = "touch $m/pauseto.1"; confirm = false; },
              { name = "look"; pause = "Check the replica"; timeout = 1; },
              { name = "two"; run = "touch $m/pauseto.2"; } ); },
  { name = "pausego";
    steps = ( { name = "look"; pause = "Check the replica"; unattended = "continue"; },
              { name = "two"; run = "touch $m/pausego.2"; } ); },
  { name = "slow";
    steps = ( { name = "one"; run = "touch $m/slow.1"; rollback = "rm $m/slow.1"; },
              { name = "hang"; run = "touch $m/slow.started; sleep 30"; timeout = 1; },
              { name = "leave"; always = true; run = "touch $m/slow.always"; } ); },
  { name = "budget"; budget = 2;
    steps = ( { name = "one"; run = "touch $m/budget.1"; rollback = "rm $m/budget.1"; },
              { name = "hang"; run = "sleep 30"; },
              { name = "leave"; always = true; run = "touch $m/budget.always"; } ); },
  { name = "ctrlc";
    steps = ( { name = "one"; run = "touch $m/ctrlc.1"; rollback = "rm $m/ctrlc.1"; },
              { name = "hang"; run = "touch $m/ctrlc.started; sleep 30"; },
              { name = "leave"; always = true; run = "touch $m/ctrlc.always"; } ); }
);
EOC
} > "$dir/m.conf"
mkdir -p "$m"

# last RUNBOOK: the result of its newest run in the journal.
last() {
	"$MAINTOP" history -c "$dir/m.conf" --json --runbook "$1" |
	    sed -n 's/.*"result": "\([a-z-]*\)".*/\1/p' | head -n 1	# newest first
}
# markers RUNBOOK: which markers of it exist, e.g. "1 always".
markers() {
	_got=
	for s in 1 2 3 always; do
		[ -e "$m/$1.$s" ] && _got="$_got $s"
	done
	echo "${_got# }"
}

# The policy matrix, unattended without a terminal (cron) and with one.
# want: POLICY RESULT EXIT MARKERS
for how in cron tty; do
	while read -r pol res code want; do
		rm -f "$m/$pol".*
		if [ "$how" = cron ]; then
			"$MAINTOP" run "$pol" -c "$dir/m.conf" --yes \
			    < /dev/null > "$dir/out.$pol" 2>&1
			rc=$?
		else
			script -qec "'$MAINTOP' run '$pol' -c '$dir/m.conf' --yes" \
			    /dev/null < /dev/null > "$dir/out.$pol" 2>&1
			rc=$?
		fi
		is "$how: $pol: exit code" "$rc" "$code"
		is "$how: $pol: journal result" "$(last "$pol")" "$res"
		is "$how: $pol: markers left" "$(markers "$pol")" "$want"
	done <<EOW
rollback rolled-back 5 always
abort failed 1 1 2 always
continue partial 4 1 2 3 always
ask rolled-back 5 always
askabort failed 1 1 2 always
stepcont partial 4 1 2 3 always
EOW
done
# Attended, on a terminal (script(1)), the operator answering: every step
# and rollback confirmed.  want: POLICY ANSWERS RESULT EXIT MARKERS
while read -r pol answers res code want; do
	rm -f "$m/$pol".*
	(printf '%s\n' $(echo "$answers" | tr , ' '); sleep 2) |
	    script -qec "'$MAINTOP' run '$pol' -c '$dir/m.conf'" /dev/null \
	    > "$dir/att.$pol" 2>&1
	rc=$?
	is "attended: $pol ($answers): exit code" "$rc" "$code"
	is "attended: $pol: journal result" "$(last "$pol")" "$res"
	is "attended: $pol: markers left" "$(markers "$pol")" "$(echo $want)"
done <<EOW
ask y,y,b,y,y,y rolled-back 5 always
ask y,y,a,y aborted 7 1 2 always
rollback y,y,y,y,y rolled-back 5 always
abort y,y,y failed 1 1 2 always
continue y,y,y,y partial 4 1 2 3 always
EOW
check "attended: the operator confirmed each rollback step" grep -q \
    "Rollback for step 2/4 (two)" "$dir/att.rollback"

check "the policy applied is in the journal" grep -q \
    '"type":"policy".*"policy":"rollback".*"unattended":true' \
    "$dir/state/journal.jsonl"
check "auto-confirmed steps are recorded so" grep -q \
    '"name":"one".*"auto_confirmed":true' "$dir/state/journal.jsonl"
check "the summary says what happened" grep -q "of rollback: rolled-back" \
    "$dir/out.rollback"

rm -f "$m"/rbfail.*
"$MAINTOP" run rbfail -c "$dir/m.conf" --yes < /dev/null > "$dir/out" 2>&1
is "a failed rollback: exit 6" "$?" 6
is "a failed rollback: rollback-failed" "$(last rbfail)" rollback-failed
is "a failed rollback stops the rollback" "$(markers rbfail)" "1 2"

"$MAINTOP" run danger -c "$dir/m.conf" --yes < /dev/null > "$dir/out" 2>&1
is "--yes with a danger step: refused up front (exit 10)" "$?" 10
is "no step ran, not even the harmless first" "$(markers danger)" ""
check "and says which step and what to add" grep -q \
    "dangerous step ('two').*--yes-danger" "$dir/out"
is "the refusal is in the journal" "$(last danger)" refused
check "with who and why" grep -q \
    '"result":"refused".*"reason":"runbook .danger. has a dangerous step' \
    "$dir/state/journal.jsonl"
"$MAINTOP" run dangerrb -c "$dir/m.conf" --yes < /dev/null > /dev/null 2>&1
is "a danger rollback counts too" "$?" 10
"$MAINTOP" run danger -c "$dir/m.conf" --yes --yes-danger < /dev/null \
    > /dev/null 2>&1
is "--yes --yes-danger runs it all" "$?-$(markers danger)" "0-1 2"

"$MAINTOP" run cont -c "$dir/m.conf" --yes < /dev/null > /dev/null 2>&1
is "continue_on_error that failed: partial (exit 4)" "$?" 4
"$MAINTOP" run needs -c "$dir/m.conf" --yes < /dev/null > "$dir/out" 2>&1
is "partial does not satisfy requires: refused" "$?" 10
check "there is no successful run of it" grep -q \
    "requires a successful run of 'cont'" "$dir/out"
is "nothing of it ran" "$(markers needs)" ""

"$MAINTOP" run rollback -c "$dir/m.conf" --yes --now 2026-01-01T00:00:00Z \
    < /dev/null > "$dir/out" 2>&1
is "a real run with --now: refused (exit 10)" "$?" 10
check "it says why" grep -q "a real run takes the real time" "$dir/out"
is "and the refusal is recorded" "$(last rollback)" refused
"$MAINTOP" run rollback -c "$dir/m.conf" --dry-run \
    --now 2026-01-01T00:00:00Z > /dev/null 2>&1
is "--now with --dry-run is fine" "$?" 0

"$MAINTOP" run pause -c "$dir/m.conf" --yes < /dev/null > "$dir/out" 2>&1
is "a pause nobody can confirm fails, and the run rolls back" \
    "$?-$(last pause)-$(markers pause)" "5-rolled-back-"
check "and says that nobody is watching" grep -q "nobody is watching" \
    "$dir/out"
sleep 4 | script -qec "'$MAINTOP' run pauseto -c '$dir/m.conf'" /dev/null \
    > "$dir/out" 2>&1
is "attended, a pause nobody confirms in its timeout fails the run" \
    "$?-$(last pauseto)-$(markers pauseto)" "1-failed-1"
check "saying so" grep -q "pause 'look' was not confirmed within 1s" "$dir/out"
"$MAINTOP" run pausego -c "$dir/m.conf" --yes < /dev/null > /dev/null 2>&1
is "unattended = continue lets it pass" "$?-$(markers pausego)" "0-2"
check "recorded as auto-confirmed" grep -q \
    '"name":"look".*"auto_confirmed":true' "$dir/state/journal.jsonl"

"$MAINTOP" run slow -c "$dir/m.conf" --yes < /dev/null > "$dir/out" 2>&1
is "a timeout: rolled back (exit 5)" "$?" 5
is "the always step ran after the timeout" "$(markers slow)" "always"

"$MAINTOP" run budget -c "$dir/m.conf" --yes < /dev/null > "$dir/out" 2>&1
is "over budget: the step is stopped, the run rolled back" \
    "$?-$(markers budget)" "5-always"
check "a warning came at 80%" grep -q "80% of the run's budget of 2s" \
    "$dir/out"
check "and the end of the budget" grep -q "the run's budget of 2s is spent" \
    "$dir/out"

"$MAINTOP" run ctrlc -c "$dir/m.conf" --yes < /dev/null > "$dir/out" 2>&1 &
pid=$!
i=0
while [ ! -e "$m/ctrlc.started" ] && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
kill -INT "$pid"
wait "$pid"
is "Ctrl-C: the step is interrupted, the run rolled back (exit 5)" "$?" 5
is "the always step ran after Ctrl-C" "$(markers ctrlc)" "always"

# Values between steps, the MAINTOP_* variables, an open last line.
cat > "$dir/v.conf" <<EOC
settings = { state_dir = "$dir/vstate"; };
runbooks = (
  { name = "vals"; secret_values = [ "token" ];
    steps = (
      { name = "set"; run = "echo SET release=v42; echo SET token=\$(echo czNjcjN0LXZhbA== | base64 -d); echo token is \$(echo czNjcjN0LXZhbA== | base64 -d); printf 'no newline'"; },
      { name = "use"; run = "echo release=\$MAINTOP_VAR_release token=\$MAINTOP_VAR_token; echo cfg=\$MAINTOP_CONFIG state=\$MAINTOP_STATE_DIR; echo bin=\$MAINTOP_BIN; echo run=\$MAINTOP_RUN_ID"; },
      { name = "fail"; run = "exit 1"; rollback = "echo rollback sees \$MAINTOP_VAR_release \$MAINTOP_VAR_token > $dir/rb-saw"; }
    ); }
);
EOC
"$MAINTOP" run vals -c "$dir/v.conf" --yes < /dev/null > "$dir/vout" 2>&1
is "values: the run rolled back (exit 5)" "$?" 5
check "a later step gets \$MAINTOP_VAR_name" grep -q "^release=v42 token=" \
    "$dir/vout"
is "and so does a rollback" "$(cat "$dir/rb-saw")" \
    "rollback sees v42 s3cr3t-val"
check "the value is journaled" grep -q \
    '"type":"value".*"name":"release","value":"v42"' "$dir/vstate/journal.jsonl"
check "a secret one masked there" grep -q \
    '"name":"token","value":"\*\*\*\*\*\*"' "$dir/vstate/journal.jsonl"
check "the secret value is in neither output, log nor journal" sh -c \
    '! grep -rq "s3cr3t-val" "$1" "$2"' - "$dir/vout" "$dir/vstate"
check "the SET line shows it masked" grep -q '^SET token=\*\*\*\*\*\*$' \
    "$dir/vout"
check "steps get MAINTOP_CONFIG and MAINTOP_STATE_DIR" grep -q \
    "^cfg=$dir/v.conf state=$dir/vstate\$" "$dir/vout"
check "MAINTOP_BIN is maintop" grep -qx "bin=$MAINTOP" "$dir/vout"
check "MAINTOP_RUN_ID is the run's id" sh -c \
    'id=$(sed -n "s/^run=//p" "$1"); grep -q "\"run\":\"$id\"" "$2"' - \
    "$dir/vout" "$dir/vstate/journal.jsonl"
check "a last line without newline is closed before maintop's own" grep -qx \
    "no newline" "$dir/vout"

# METRICS as the step wrote them, with the previous run's beside them.
cat > "$dir/mt.conf" <<EOC
settings = { state_dir = "$dir/mstate"; };
runbooks = ( { name = "met"; steps = ( { name = "measure";
  run = "echo 'METRICS: {\\"ratio\\": 0.95, \\"tiny\\": 1e-7, \\"rows\\": 12}'"; } ); } );
EOC
"$MAINTOP" run met -c "$dir/mt.conf" --yes < /dev/null > "$dir/mout" 2>&1
is "metrics: the run succeeds" "$?" 0
check "the summary shows 0.95 and 1e-7 as written" grep -q \
    'metrics {"ratio":0.95,"tiny":1e-7,"rows":12}' "$dir/mout"
check "so does the journal" grep -q \
    '"metrics":{"ratio":0.95,"tiny":1e-7,"rows":12}' "$dir/mstate/journal.jsonl"
"$MAINTOP" run met -c "$dir/mt.conf" --yes < /dev/null > /dev/null 2>&1
"$MAINTOP" history -c "$dir/mt.conf" > "$dir/mh"
check "history shows them, with the previous run's" grep -q \
    '^    metrics {"measure":{"ratio":0.95,"tiny":1e-7,"rows":12}} (previous {"measure":{"ratio":0.95,"tiny":1e-7,"rows":12}})$' \
    "$dir/mh"
"$MAINTOP" history -c "$dir/mt.conf" --json > "$dir/mj"
check "history --json too" sh -c 'grep -q "\"ratio\": 0.95,\$" "$1" &&
    grep -q "\"tiny\": 1e-7,\$" "$1" && grep -q "\"previous_metrics\": {" "$1"' \
    - "$dir/mj"

# Paths: a relative runbook_dir, cwd and script, from another directory.
mkdir -p "$dir/conf/rb/scripts" "$dir/conf/rb/work"
cat > "$dir/conf/m.conf" <<EOC
settings = { state_dir = "$dir/conf/state"; runbook_dir = "rb"; };
EOC
cat > "$dir/conf/rb/paths.conf" <<'EOC'
runbooks = (
  { name = "paths";
    steps = ( { name = "script"; run = "./scripts/hello.sh"; },
              { name = "cwd"; cwd = "work"; run = "pwd > where"; } ); }
);
EOC
printf '#!/bin/sh\necho hello from "$(pwd)"\n' > "$dir/conf/rb/scripts/hello.sh"
chmod +x "$dir/conf/rb/scripts/hello.sh"
(cd / && "$MAINTOP" validate -c "$dir/conf/m.conf") > "$dir/out" 2>&1
is "validate from / with a relative runbook_dir" "$?" 0
check "and finds the runbook" grep -q "1 runbook" "$dir/out"
(cd / && "$MAINTOP" run paths -c "$dir/conf/m.conf" --yes < /dev/null) \
    > "$dir/out" 2>&1
is "run from /: the relative script is found (exit 0)" "$?" 0
check "it runs in the runbook file's directory" grep -q \
    "hello from $dir/conf/rb" "$dir/out"
is "a relative cwd is under that directory" "$(cat "$dir/conf/rb/work/where")" \
    "$dir/conf/rb/work"

echo "1..$n"
