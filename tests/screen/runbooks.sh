#!/bin/sh
# Screen tests of the Runbooks pane and its run console: a full run with
# confirmations and parameters, a skipped step, a failure with rollback, a
# timeout, Ctrl-C, the danger prompt, the lock refusal, read-only and wall
# refusal, kill -9 of maintop mid-run followed by a restart, and an
# interactive step, in the dashboard and in "maintop run", whose prompt
# and answer end up in the run log; requires refused, then satisfied;
# runs of other maintops shown live.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/screen/lib.sh"

conf="$SCREEN_DIR/fixtures/runbooks.conf"
now="2026-11-25T10:00:00Z"
work="$SCREEN_TMP/work"
state="$SCREEN_TMP/state/maintop"
journal="$state/journal.jsonl"
mkdir -p "$work"
# The state directory and the steps' scratch directory are the test's own.
SCREEN_ENV="XDG_STATE_HOME=$SCREEN_TMP/state SCREEN_WORK=$work"
# Processes this test starts outside tmux, killed by id at the end.
pids=""

# The screen with what varies from run to run written the same way: run
# ids, the temporary directory, and durations.
rb_normalize() {
	sed -E -e 's/[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}/RUNID/g' \
	    -e "s#$SCREEN_TMP#TMP#g" \
	    -e 's/[0-9]+(m[0-9]{2})?s( |$)/Ns\2/g' \
	    -e "s/ by $(id -un), / by USER, /" \
	    -e 's/process [0-9]+/process PID/g'
}

# Like screen_expect, on the normalized screen.
rb_expect() {
	screen_expect_norm rb_normalize "$@"
}

# Waits up to 10 s for TEXT (steps with timeouts need more than 5 s).
rb_wait() {
	screen_wait "$1" || screen_wait "$1"
}

# Waits up to 10 s for the journal's last line to match the pattern: the
# dashboard writes its records on the worker, after the screen shows why.
rb_journal_last() {
	i=0
	while [ $i -lt 100 ]; do
		tail -n 1 "$journal" 2>/dev/null | grep -q "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# Waits up to 10 s for a line matching the extended regular expression.
rb_wait_re() {
	i=0
	while [ $i -lt 100 ]; do
		screen_capture | grep -qE -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

rb_start() {
	screen_start 100 30 "$MAINTOP" -c "$conf" --now "$now" "$@"
	screen_wait "Runbooks" >/dev/null
}

# Starts maintop, zooms the Runbooks pane and selects the runbook at
# index $1.
rb_select() {
	rb_start
	screen_keys 4 Enter g
	n=0
	while [ "$n" -lt "$1" ]; do
		screen_keys j
		n=$((n + 1))
	done
}

# The number of runs of runbook $1 in the journal.
rb_runs() {
	grep -c "\"type\":\"run_start\".*\"runbook\":\"$1\"" "$journal" \
	    2>/dev/null || true
}

rb_cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	tmux -S "$SCREEN_TMP/other.sock" kill-server >/dev/null 2>&1
}
trap 'rb_cleanup; screen_cleanup' EXIT INT TERM

# 1. A full run: parameters (pattern checked, secret masked), the dry
# run, a confirmation before each step, the summary and the pane after.
rb_select 0
screen_keys Enter
rb_expect runbooks-params "Enter opens the console with the parameters form: each parameter's description under it, the keys from the table"
screen_keys C-u B A D Enter
rb_wait "does not match the pattern"
screen_ok $? "a value that does not match the pattern is refused"
screen_keys C-u v 2 Tab s 3 c r e t
rb_wait "token   ******"
screen_ok $? "a secret parameter is masked while typed"
screen_keys Enter
rb_expect runbooks-preview "the dry run shows every step, secrets masked"
screen_keys Enter
rb_wait "Step 1/3: prepare"
rb_expect runbooks-confirm "before a step: the exact command and y/s/b/a"
test ! -e "$work/prepared"
screen_ok $? "nothing runs before the confirmation"
screen_keys y
rb_wait "Step 2/3: migrate"
screen_ok $? "y runs the step and the next one waits"
screen_keys y
rb_wait "Step 3/3: finish"
screen_keys y
rb_wait "Esc close"
rb_expect runbooks-success "the summary shows each step's result and the log"
test -e "$work/prepared" && test -e "$work/migrated"
screen_ok $? "the steps ran (their files exist)"
! grep -rq s3cret "$state"
screen_ok $? "the secret is in neither the journal nor the log"
screen_keys Escape
rb_expect runbooks-list-success "Esc closes the console; the pane shows the last run"

# 2. A skipped step.
rm -f "$work"/*
screen_keys Enter
rb_wait "Parameters of runbook deploy"
screen_keys Tab t o k Enter
rb_wait "Dry run"
screen_keys Enter
rb_wait "Step 1/3: prepare"
screen_keys y
rb_wait "Step 2/3: migrate"
screen_keys s
rb_wait "Step 3/3: finish"
screen_keys y
rb_wait "Esc close"
screen_capture | grep -q "2. migrate  *skipped"
screen_ok $? "s skips a step; the summary says so"
test -e "$work/prepared" && test ! -e "$work/migrated"
screen_ok $? "the skipped step did not run"
screen_keys Escape

# 3. A failure, then rollback: the completed step's rollback runs.
rb_select 1
screen_keys Enter
rb_wait "Dry run"
screen_keys Enter
rb_wait "Step 1/2: make-a"
screen_keys y
rb_wait "Step 2/2: break"
screen_keys y
rb_wait "b roll back"
rb_expect runbooks-failed "after a failure: the exit status and y/s/b/a"
screen_keys b
rb_wait "Rollback for step 1/2"
screen_ok $? "b asks to confirm the rollback of the completed step"
screen_keys y
rb_wait "Esc close"
screen_capture | grep -q "of failing: rolled-back"
screen_ok $? "the run ends rolled back"
test -e "$work/a-rolled-back"
screen_ok $? "the rollback ran (its file exists)"
screen_keys Escape

# 4. A timeout: "sleep 30" with a 1 s timeout.
rb_select 2
screen_keys Enter
rb_wait "Dry run"
screen_keys Enter
rb_wait "Step 1/1: sleepy"
screen_keys y
rb_wait "Step 1 'sleepy' timed out."
screen_ok $? "the console shows the step timed out"
screen_capture | grep -q "sleepy  *timed-out"
screen_ok $? "the checklist marks it timed-out"
screen_keys a
rb_wait "of slow: aborted"
screen_ok $? "a aborts after a failure"
screen_keys Escape

# 5. Esc while a step runs hides the console, one run at a time, and
# Ctrl-C interrupts the running step.
rb_select 3
screen_keys Enter
rb_wait "Dry run"
screen_keys Enter
rb_wait "Step 1/1: nap"
screen_keys y
rb_wait "napping"
screen_keys Escape
rb_wait "sleeper              running step 1/1"
screen_ok $? "Esc hides the console while the run goes on"
screen_keys q
rb_wait "Tab pane  Enter zoom"
screen_ok $? "q closes the zoomed pane first"
screen_keys q
rb_wait "quitting aborts it. Quit maintop? y: quit   any other key: stay"
screen_ok $? "q at the top while a run goes on asks first, saying what it would abort"
screen_keys n
rb_wait "sleeper              running step 1/1"
screen_ok $? "n stays, the run still going"
screen_keys Enter g Enter
rb_wait "one run at a time: sleeper is still going"
screen_ok $? "a second run is refused: one at a time"
rb_wait "Running: nap"
screen_keys C-c
rb_wait "killed by signal 2"
screen_ok $? "Ctrl-C sends SIGINT to the step"
screen_keys a
rb_wait "of sleeper: aborted"
screen_keys Escape

# 6. The danger prompt: a wrong name is refused, the right one runs.
rb_select 4
screen_keys Enter
rb_wait "Dry run"
screen_keys Enter
rb_wait "DANGER: y run"
screen_keys y w r o n g Enter
rb_wait "is dangerous: type the runbook's name (dangerous)"
screen_ok $? "a wrong name is refused"
test ! -e "$work/dropped"
screen_ok $? "the danger step did not run"
screen_keys d a n g e r o u s Enter
rb_wait "Esc close"
test -e "$work/dropped"
screen_ok $? "the right name runs the danger step"
screen_keys Escape

# 7. Hostile output is sanitized, and the scrollback is bounded.
rb_select 5
screen_keys Enter
rb_wait "Dry run"
screen_keys Enter
rb_wait "Esc close"
rb_wait "red text done"
screen_capture | grep -q "^ red text done$"
screen_ok $? "escape sequences are removed, the text kept"
! screen_capture | grep -q evil && test "$(screen_tmux display -p -t test '#{pane_title}')" != evil
screen_ok $? "an OSC title sequence neither shows nor reaches the terminal"
screen_keys g
rb_wait "Output (" 
screen_capture | grep -q "^ line 502$" && ! screen_capture | grep -q "^ line 501$"
screen_ok $? "g shows the oldest line kept: the last 2000 lines are kept"
screen_keys G
rb_wait " Output "
screen_ok $? "G follows the end again"
screen_keys Escape

# 8. The lock: another maintop holds failing's lock.
lock="$state/locks/failing.lock"
mkdir -p "$state/locks"
printf '{"user":"alice","tty":"/dev/pts/9","pid":4242,"since":"2026-11-25T09:30:00Z","run":"20261125T093000Z-abcdef"}\n' > "$lock"
rm -f "$SCREEN_TMP/locked"
( flock 9 && touch "$SCREEN_TMP/locked" && exec sleep 60 ) 9>>"$lock" &
pids="$pids $!"
i=0
while [ ! -e "$SCREEN_TMP/locked" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
before=$(rb_runs failing)
rb_select 1
screen_keys Enter
rb_wait "Dry run"
screen_keys Enter
rb_expect runbooks-locked "a held lock refuses the run, saying who holds it"
rb_journal_last '"result":"refused","end":.*"reason":"runbook .failing. is already running' &&
    test "$(rb_runs failing)" = "$((before + 1))"
screen_ok $? "the refused run is in the journal: refused, and why"
rb_cleanup
pids=""

# 9. Read-only and wall modes never run anything, whatever is typed.
rm -f "$work"/*
for mode in --read-only --wall; do
	screen_start 100 30 "$MAINTOP" -c "$conf" --now "$now" "$mode"
	screen_wait "screen-test" >/dev/null
	screen_keys 4 Enter g j j j j j j
	screen_keys Enter
	if [ "$mode" = --read-only ]; then
		rb_wait "read-only mode: runbooks cannot be run"
		screen_ok $? "$mode: Enter is refused with a notice"
	fi
	screen_keys Enter r y Enter c r e a t o r Enter r s a b Enter Tab 4 \
	    Enter r Enter y
	# Keys are read in order: once the help is up, all the above were
	# handled.
	screen_keys '?'
	rb_wait "maintop keys" >/dev/null
	test ! -e "$work/readonly-created"
	screen_ok $? "$mode: the step never ran"
	test "$(rb_runs creator)" = 0
	screen_ok $? "$mode: no run was recorded"
done

# 10. kill -9 of maintop mid-run, then a restart shows the interrupted run.
rb_select 3
screen_keys Enter
rb_wait "Dry run"
screen_keys Enter
rb_wait "Step 1/1: nap"
screen_keys y
rb_wait "napping"
mpid=$(grep '"type":"run_start".*"runbook":"sleeper"' "$journal" | tail -n 1 |
    sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
cpid=$(grep '"type":"step_start".*"runbook":"sleeper"' "$journal" | tail -n 1 |
    sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
pids="$pids $cpid"
kill -9 "$mpid"
rb_wait "[exit 137]"
screen_ok $? "maintop was killed mid-run"
rb_start
rb_wait "interrupted run of sleeper found (step 'nap'; its process $cpid is still running)"
screen_ok $? "the restart says a run was interrupted, and its process lives"
screen_keys 4 Enter
rb_wait "! sleeper              INTERRUPTED at step 'nap'"
screen_ok $? "the pane marks the interrupted run"
rb_expect runbooks-interrupted "the zoomed pane details the interrupted run"
grep -q '"type":"run_end".*"result":"interrupted"' "$journal"
screen_ok $? "the journal closes the run as interrupted"
rb_cleanup
pids=""
rb_start
screen_keys 4 Enter
rb_wait "sleeper              interrupted  2026-11-25 10:00"
screen_ok $? "the next start reports it once, then as the last result"

# 11. An interactive step has the terminal: the dashboard lets go of it,
# what is typed reaches the step, the prompt and the answer are logged,
# and the dashboard comes back.
rb_select 7
screen_keys Enter
rb_wait "Dry run"
screen_keys Enter
rb_wait "Step 1/1: ask"
screen_keys y
# Its own prompt, a line of its own: the command shown before the step
# holds "name?" too, and keys typed earlier are echoed before the prompt.
rb_wait_re '^ *name\? *$'
screen_ok $? "the interactive step asks on the terminal"
screen_keys b o b Enter
rb_wait "Esc close"
rb_expect runbooks-interactive "the dashboard comes back, with the step's output"
log=$(ls -t "$state"/runs/*.log | head -n 1)
grep -q "name? bob" "$log" && grep -q "got bob" "$log"
screen_ok $? "the prompt, the answer and the output are in the run log"
screen_keys Escape
rb_wait "asker                success"
screen_ok $? "the pane shows the interactive run's success"

# 12. The same in "maintop run", then the terminal's settings are back.
screen_start 100 30 sh -c '"$0" run asker -c "$1" --yes; echo "[run exit $?]";
printf "TERMINAL %s\n" "$(stty -a | tr " ;" "\n\n" | grep -x -e icanon -e -icanon)"' \
    "$MAINTOP" "$conf"
rb_wait_re '^ *name\? *$'
screen_ok $? "maintop run: the interactive step asks on the terminal"
screen_keys a l i c e Enter
rb_wait "[run exit 0]"
screen_ok $? "maintop run: the run succeeds"
screen_wait "TERMINAL icanon"
screen_ok $? "maintop run: the terminal is in canonical mode again"
log=$(ls -t "$state"/runs/*.log | head -n 1)
grep -q "name? alice" "$log" && grep -q "got alice" "$log"
screen_ok $? "maintop run: the prompt, the answer and the output are logged"
screen_capture | grep -q "^got alice" && [ "$(screen_capture | grep -c "got alice")" = 1 ]
screen_ok $? "maintop run: the output is shown once, not twice"

# 13. requires in the dashboard: refused before the required runbook has
# succeeded, allowed after (what the pane read off the worker, never the
# journal on the loop).
cat > "$SCREEN_TMP/requires.conf" <<'EOF'
runbooks = (
  { name = "first"; steps = ( { name = "one"; run = "echo one"; confirm = false; } ); },
  { name = "second"; requires = [ "first" ];
    steps = ( { name = "two"; run = "echo two"; confirm = false; } ); }
);
EOF
screen_start 100 30 "$MAINTOP" -c "$SCREEN_TMP/requires.conf" --now "$now"
screen_wait "Runbooks" >/dev/null
screen_keys 4 Enter g j Enter
rb_wait "Dry run"
screen_keys Enter
rb_wait "requires a successful run of 'first' first"
screen_ok $? "second is refused before first has succeeded"

screen_keys Escape
rb_wait "second               never run"
screen_keys g Enter
rb_wait "Dry run"
screen_keys Enter
rb_wait "of first: success"
screen_ok $? "first runs"
screen_keys Escape
rb_wait "second               refused"
screen_ok $? "the pane shows first's success and second's refusal"
screen_keys j Enter
rb_wait "Dry run"
screen_keys Enter
rb_wait "of second: success"
screen_ok $? "then second runs"
grep '"type":"run_end"' "$journal" | grep '"runbook":"second"' |
    grep -q '"result":"success"'
screen_ok $? "the journal has second's success"
# 14. Live: runs another maintop starts on the same state directory show
# here as they go and end (inotify, no polling): one from a second
# dashboard, one from "maintop run".
cat > "$SCREEN_TMP/live.conf" <<'EOF'
runbooks = (
  { name = "quick"; steps = ( { name = "one"; run = "echo one"; confirm = false; } ); },
  { name = "napping"; steps = ( { name = "nap"; run = "sleep 3"; confirm = false; } ); },
  { name = "stepper"; steps = (
      { name = "one"; run = "echo one"; confirm = false; },
      { name = "doze"; run = "sleep 3"; confirm = false; } ); },
  { name = "asker"; steps = (
      { name = "first"; run = "echo first"; confirm = false; },
      { name = "second"; run = "false"; } ); }
);
EOF
screen_start 100 30 "$MAINTOP" -c "$SCREEN_TMP/live.conf" --now "$now"
screen_wait "Runbooks" >/dev/null
screen_keys 4 Enter
rb_wait_re "napping +never run"
# The other dashboard has a tmux server of its own (tmux 3.3a dies making
# a second session once window-size is manual).
other_tmux() {
	SHELL=/bin/sh tmux -S "$SCREEN_TMP/other.sock" -f /dev/null "$@"
}
other_tmux new-session -d -x 100 -y 30 -s other \
    "env TERM=xterm-256color TZ=UTC LANG=C.UTF-8 $SCREEN_ENV '$MAINTOP' -c '$SCREEN_TMP/live.conf' --now $now; sleep 600"
i=0
until other_tmux capture-pane -p -t other | grep -q Runbooks || [ $i -ge 50 ]; do
	sleep 0.1; i=$((i + 1))
done
other_tmux send-keys -t other 4 Enter g j Enter
sleep 0.5
other_tmux send-keys -t other Enter
rb_wait_re "napping +running 1/1 nap "
screen_ok $? "a run started in another dashboard shows here as running, with its step"
rb_wait_re "napping +success"
screen_ok $? "... and then its success"
XDG_STATE_HOME="$SCREEN_TMP/state" "$MAINTOP" run quick -c "$SCREEN_TMP/live.conf" >/dev/null 2>&1
t0=$(date +%s%N)
rb_wait_re "quick +success"
screen_ok $? "a run by maintop run shows here"
echo "# seen $(( ($(date +%s%N) - t0) / 1000000 )) ms after maintop run ended"
# A run of two steps by maintop run: the step it is at, as it goes.
XDG_STATE_HOME="$SCREEN_TMP/state" "$MAINTOP" run stepper -c "$SCREEN_TMP/live.conf" >/dev/null 2>&1 &
stepper=$!
rb_wait_re "stepper +running 2/2 doze "
screen_ok $? "maintop run's run shows its current step (running 2/2 doze)"
wait $stepper
rb_wait_re "stepper +success"
screen_ok $? "... and then its success"
# Between steps the other dashboard's run names no step as running: the
# one it finished, then the one that failed while it asks what to do.
other_tmux send-keys -t other Escape G Enter
sleep 0.5
other_tmux send-keys -t other Enter
rb_wait_re "asker +running, after 1/2 first "
screen_ok $? "a run waiting for its next step's confirmation: the step it finished (running, after 1/2 first)"
other_tmux send-keys -t other y
rb_wait_re "asker +running, 2/2 second failed "
screen_ok $? "a run waiting after a failure: the step that failed (running, 2/2 second failed)"
other_tmux send-keys -t other a
rb_wait_re "asker +aborted"
screen_ok $? "... and then its end"
other_tmux kill-server

screen_done
