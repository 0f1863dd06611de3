#!/bin/sh
# Screen tests of the failure policies attended, in the dashboard's run
# console and in "maintop run" on a terminal, each runbook failing at step
# 2: rollback (every rollback confirmed by the operator), abort, continue,
# and ask answered with retry, skip and roll back; the always step after
# each; the marker files the steps and rollbacks leave, the journal's
# result and the exit code.  Also the typed name of a danger step in
# "maintop run", a step's standard error drawn apart in the console, a
# health refusal overridden in the console with a reason, and the METRICS
# of the last run in the zoomed Runbooks pane.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/screen/lib.sh"

conf="$SCREEN_DIR/fixtures/policy.conf"
now="2026-11-25T10:00:00Z"
work="$SCREEN_TMP/work"
state="$SCREEN_TMP/state/maintop"
journal="$state/journal.jsonl"
mkdir -p "$work"
SCREEN_ENV="XDG_STATE_HOME=$SCREEN_TMP/state SCREEN_WORK=$work"

# Waits up to 10 s for TEXT.
po_wait() {
	screen_wait "$1" || screen_wait "$1"
}

# Opens the console of the runbook at index $1 and starts it.
po_open() {
	screen_start 100 30 "$MAINTOP" -c "$conf" --now "$now"
	screen_wait "Runbooks" >/dev/null
	screen_keys 4 Enter g
	n=0
	while [ "$n" -lt "$1" ]; do
		screen_keys j
		n=$((n + 1))
	done
	screen_keys Enter
	po_wait "Dry run"
	screen_keys Enter
}

# Confirms the step the console waits on, once TEXT is shown.
po_yes() {
	po_wait "$1"
	screen_keys y
}

# The result of runbook $1's last run in the journal.
po_result() {
	grep "\"type\":\"run_end\".*\"runbook\":\"$1\"" "$journal" | tail -n 1 |
	    sed -n 's/.*"result":"\([^"]*\)".*/\1/p'
}

# Whether the markers named $2... of runbook $1 exist (+name) or not
# (-name).
po_markers() {
	rb=$1
	shift
	for m; do
		case $m in
		+*) test -e "$work/$rb.${m#+}" || return 1 ;;
		-*) test ! -e "$work/$rb.${m#-}" || return 1 ;;
		esac
	done
}

# 1. on_failure = "rollback": step two fails, both started steps are
# rolled back, each rollback confirmed, then the always step.
po_open 0
po_yes "Step 1/4: one"
po_yes "Step 2/4: two"
po_wait "Rollback for step 2/4 (two)"
screen_capture | screen_run_norm | grep -q "rolling back 2 steps"
screen_ok $? "rollback: the policy rolls back the started steps"
screen_keys y
po_yes "Rollback for step 1/4 (one)"
po_yes "Step 4/4: report"
po_wait "Esc close"
screen_expect_norm screen_run_norm policy-rollback \
    "rollback: the summary shows the rolled-back run"
po_markers rollback -1 -2 -3 +always
screen_ok $? "rollback: both rollbacks ran, step three did not, the always step did"
test "$(po_result rollback)" = rolled-back
screen_ok $? "rollback: the journal says rolled-back"

# 2. on_failure = "abort": the run stops failed, nothing rolled back.
po_open 1
po_yes "Step 1/4: one"
po_yes "Step 2/4: two"
po_yes "Step 4/4: report"
po_wait "Esc close"
screen_capture | grep -q "of abort: failed"
screen_ok $? "abort: the run ends failed"
po_markers abort +1 +2 -3 +always
screen_ok $? "abort: nothing rolled back, step three not run, the always step ran"
test "$(po_result abort)" = failed
screen_ok $? "abort: the journal says failed"

# 3. on_failure = "continue": the run goes on and ends partial.
po_open 2
po_yes "Step 1/4: one"
po_yes "Step 2/4: two"
po_yes "Step 3/4: three"
po_yes "Step 4/4: report"
po_wait "Esc close"
screen_capture | grep -q "of continue: partial"
screen_ok $? "continue: the run ends partial"
po_markers continue +1 +2 +3 +always
screen_ok $? "continue: every step ran"
test "$(po_result continue)" = partial
screen_ok $? "continue: the journal says partial"

# 4. "ask", answered retry: the step runs again and succeeds.
po_open 3
po_yes "Step 1/4: one"
po_yes "Step 2/4: two"
po_wait "Step 2 'two' failed: exit status 3."
screen_expect_norm screen_run_norm policy-ask-failed \
    "ask: the failure prompt offers retry, skip, roll back and abort"
screen_keys y
po_yes "Step 3/4: three"
po_yes "Step 4/4: report"
po_wait "Esc close"
screen_capture | grep -q "of ask: success"
screen_ok $? "ask, retry: the retried step succeeds, so does the run"
po_markers ask +1 +2 +3 +always
screen_ok $? "ask, retry: every step ran"
test "$(grep -c '"type":"step_start".*"runbook":"ask".*"name":"two"' "$journal")" = 2
screen_ok $? "ask, retry: the journal has both attempts"

# 5. "ask", answered skip: the failed step is passed over.
rm -f "$work"/ask.*
po_open 3
po_yes "Step 1/4: one"
po_yes "Step 2/4: two"
po_wait "Step 2 'two' failed: exit status 3."
screen_keys s
po_yes "Step 3/4: three"
po_yes "Step 4/4: report"
po_wait "Esc close"
screen_capture | grep -q "2. two  *skipped"
screen_ok $? "ask, skip: the checklist marks the step skipped"
po_markers ask +1 -2 +3 +always
screen_ok $? "ask, skip: step three ran after the skipped one"
screen_capture | grep -q "of ask: partial"
screen_ok $? "ask, skip: the run ends partial, not a success"
test "$(po_result ask)" = partial
screen_ok $? "ask, skip: the journal says partial"

# 6. "ask", answered roll back: each rollback confirmed, then the always
# step.
rm -f "$work"/ask.*
po_open 3
po_yes "Step 1/4: one"
po_yes "Step 2/4: two"
po_wait "Step 2 'two' failed: exit status 3."
screen_keys b
po_yes "Rollback for step 2/4 (two)"
po_yes "Rollback for step 1/4 (one)"
po_yes "Step 4/4: report"
po_wait "Esc close"
screen_capture | grep -q "of ask: rolled-back"
screen_ok $? "ask, roll back: the run ends rolled back"
po_markers ask -1 -2 -tried -3 +always
screen_ok $? "ask, roll back: the rollbacks undid both steps"
test "$(po_result ask)" = rolled-back
screen_ok $? "ask, roll back: the journal says rolled-back"

# 7. Standard error in the console: drawn in its own role (dim), standard
# output plain.
po_open 6
po_wait "Esc close"
screen_capture -e | grep -q "$(printf '\033')\[2m *to stderr"
screen_ok $? "the console draws standard error dim"
screen_capture -e | grep "to stdout" | grep -vq "$(printf '\033')\[2m"
screen_ok $? "and standard output plain"

# 8. "maintop run" attended on a terminal: the operator confirms each
# step and each rollback; the exit code is the result's.
rm -f "$work"/rollback.*
screen_start 100 30 sh -c '"$0" run rollback -c "$1"; echo "[run exit $?]"' \
    "$MAINTOP" "$conf"
for step in "Step 1/4: one" "Step 2/4: two" "Rollback for step 2/4 (two)" \
    "Rollback for step 1/4 (one)" "Step 4/4: report"; do
	po_wait "$step" && screen_keys y Enter
done
po_wait "[run exit 5]"
screen_ok $? "maintop run, rollback: exit 5 (rolled-back)"
po_markers rollback -1 -2 -3 +always
screen_ok $? "maintop run, rollback: the rollbacks ran, and the always step"

# 9. "maintop run" with a danger step: a wrong name is refused, the
# runbook's name runs it.
rm -f "$work"/typed.*
screen_start 100 30 sh -c '"$0" run typed -c "$1"; echo "[run exit $?]"' \
    "$MAINTOP" "$conf"
po_wait "Step 1/2: one"
screen_keys y Enter
po_wait "Type the runbook's name (typed)"
screen_keys w r o n g Enter
po_wait "is dangerous: type the runbook's name (typed)"
screen_ok $? "maintop run: a wrong name is refused"
test ! -e "$work/typed.drop"
screen_ok $? "maintop run: the danger step did not run"
screen_keys t y p e d Enter
po_wait "[run exit 0]"
test -e "$work/typed.drop"
screen_ok $? "maintop run: the typed name runs the danger step"

# 10. The health override: a run refused because a check is worse than it
# needs starts once the operator says why; Esc on the question starts
# nothing.  The override, its reason and what it overrode are recorded.
screen_start 100 30 "$MAINTOP" -c "$SCREEN_DIR/fixtures/policy-health.conf" \
    --now "$now"
po_wait "CRIT down"
screen_keys 4 Enter g Enter
po_wait "Dry run"
screen_keys Enter
po_wait "requires check 'down' to be healthy; it is crit"
screen_ok $? "health: the run is refused, saying which check and its state"
screen_capture | grep -q "O start anyway, saying why (recorded)"
screen_ok $? "health: the refusal offers the override"
screen_keys O
po_wait "Why start despite the health requirement (recorded):"
screen_ok $? "health: O asks why"
screen_keys Escape
po_wait "O start anyway"
test ! -e "$work/healthy.1" &&
    test "$(grep -c '"type":"run_start".*"runbook":"healthy"' "$journal")" = 1
screen_ok $? "health: Esc starts nothing (only the refusal is recorded)"
screen_keys O
po_wait "Why start despite the health requirement (recorded):"
screen_keys Enter
screen_keys r e p l i c a Space c h e c k e d Enter
po_yes "Step 1/1: one"
po_wait "Esc close"
screen_capture | grep -q "of healthy: success"
screen_ok $? "health: with a reason, the run starts and succeeds"
test -e "$work/healthy.1"
screen_ok $? "health: the step ran"
grep -q '"type":"run_start".*"runbook":"healthy".*"overrides":\["health"\],"override_reason":"replica checked","overridden":"down is crit"' \
    "$journal"
screen_ok $? "health: the journal has the override, the reason and what it overrode"
grep -q '"runbook":"healthy","result":"refused".*"reason":"runbook .healthy. requires check .down. to be healthy' \
    "$journal"
screen_ok $? "health: and the refusal before it"

# 11. METRICS in the zoomed Runbooks pane: the last run's, each beside the
# run before's when it differs, numbers as the step printed them.
for rows in 10 12; do
	env XDG_STATE_HOME="$SCREEN_TMP/state" "$MAINTOP" run measured \
	    -c "$conf" --yes --param "rows=$rows" < /dev/null > /dev/null 2>&1
done
screen_start 100 30 "$MAINTOP" -c "$conf" --now "$now"
screen_wait "Runbooks" >/dev/null
screen_keys 4 Enter g j j j j j
po_wait "METRICS of the last run (before: the run before it)"
screen_ok $? "metrics: the zoomed pane shows the selected runbook's"
screen_capture | grep -q "^   vacuum: rows 12 (before 10), ratio 0.95, tiny 1e-7 *$"
screen_ok $? "metrics: each figure as printed, beside the run before's when it differs"
screen_keys j
screen_wait "chatty" >/dev/null
! screen_capture | grep -q "METRICS of the last run"
screen_ok $? "metrics: a runbook without any shows none"

screen_done
