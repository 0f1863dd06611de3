#!/bin/sh
# "maintop demo" in tmux at 120x40, on its real servers: the dashboard shows
# a check in maintenance (the window open now) and debt items marked by
# their failing checks, and every runbook of the demo runs to success from
# the dashboard (parameters, confirmations, a pause, a danger step typed,
# success criteria), each run journaled as a success.  Then q stops the
# servers and removes the demo's directory.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/screen/lib.sh"

command -v redis-server >/dev/null ||
	skip_all "redis-server missing (apt-get install redis-server)"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 ||
	skip_all "initdb missing (apt-get install postgresql)"
command -v curl >/dev/null || skip_all "curl missing (apt-get install curl)"
command -v psql >/dev/null ||
	skip_all "psql missing (apt-get install postgresql-client)"
command -v redis-cli >/dev/null ||
	skip_all "redis-cli missing (apt-get install redis-tools)"

# As root the servers run as an unprivileged user, who must reach the
# demo's directory.
chmod 755 "$SCREEN_TMP"

# Waits up to $3 seconds until grep $1 finds $2 on screen: initdb and the
# first probes take a while on a loaded machine.
demo_until() {
	_i=0
	while [ $_i -lt $(($3 * 10)) ]; do
		screen_capture | grep -q "$1" -- "$2" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "# waited for '$2'; the screen:"
	screen_capture | sed 's/^/#   /'
	return 1
}
# Text, within $2 seconds (default 60); a regular expression, within 10.
demo_wait() { demo_until -F "$1" "${2:-60}"; }
demo_wait_re() { demo_until -E "$1" 10; }

# A run console's screen with what varies from run to run written the same
# way: run ids, durations, the demo's directory and ports, the maintenance
# window's countdown and the clock; and the line saying that wait_healthy
# waits, there only when the probe after the vacuum has not come yet.
demo_norm() {
	screen_run_norm | sed -E \
	    -e 's#TMP/maintop-demo\.[A-Za-z0-9]+#DEMO#g' \
	    -e 's/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/g' \
	    -e 's/ends in [0-9dhm]+ +[A-Z][a-z]{2} [0-9-]{10} [0-9:]{5} UTC$/ends in LEFT   CLOCK/' \
	    -e '/^ maintop: waiting for pg-main \(warn\)$/d'
}

# The journal's run_end record of runbook $1 says success.
demo_journal_ok() {
	grep -h '"type":"run_end"' "$SCREEN_TMP"/maintop-demo.*/state/journal.jsonl 2>/dev/null |
	    grep -q "\"runbook\":\"$1\".*\"result\":\"success\""
}

SCREEN_ENV="TMPDIR=$SCREEN_TMP HOME=$HOME" \
    screen_start 120 40 "$MAINTOP" demo
demo_wait "● vacuum-orders" 120 || bail "the demo did not start"
demo_wait "cache       ok"
screen_ok $? "the demo's checks answer"

# What the demo shows before anything runs.
demo_wait " NOW    cert-renewal"
screen_ok $? "the Calendar pane: cert-renewal is open now"
demo_wait "● api-tls     MAINT"
screen_ok $? "the Health pane: api-tls is in maintenance"
demo_wait "● payments    crit"
screen_ok $? "the payments check is crit"
demo_wait_re "^ M .*automate ce.* api-tls"
screen_ok $? "the Debt pane: the api-tls item is marked M (in maintenance)"
demo_wait_re "^ ! .*payments he.* payments"
screen_ok $? "the Debt pane: the payments item is marked ! (its check is crit)"

# vacuum-orders: the parameter's default, the dry run, one confirmed step;
# pg-main's warn (the dead tuples) is what it fixes, so it may start.
screen_keys 4 Enter
demo_wait "● flush-sessions       never run" 10
screen_keys Enter
demo_wait "the table to vacuum: orders holds the dead tuples" 10
screen_ok $? "vacuum-orders asks for its parameter, with its description"
screen_keys Enter
demo_wait "Dry run: every step as it will run" 10
screen_keys y
demo_wait "Step 2/3: vacuum (sql)" 30
screen_keys y
demo_wait "Run console: vacuum-orders   run" 10
screen_expect_norm demo_norm demo-vacuum \
    "vacuum-orders runs to success; pg-main is ok after it"
demo_journal_ok vacuum-orders
screen_ok $? "the journal records vacuum-orders' success"

# restart-api: two confirmed steps, the operator's pause and criteria.
screen_keys Escape
demo_wait "Esc back  Enter run console" 10
screen_keys j Enter
demo_wait "Dry run: every step as it will run" 10
screen_keys y
demo_wait "Step 1/5: mark down (run)" 30
screen_keys y
demo_wait "Step 3/5: operator check (pause)" 30
screen_keys y
demo_wait "Step 4/5: mark up (run)" 30
screen_keys y
screen_expect_norm demo_norm demo-restart \
    "restart-api runs to success; its criteria pass"
demo_journal_ok restart-api
screen_ok $? "the journal records restart-api's success"

# flush-sessions: a danger step, run by typing the runbook's name.
screen_keys Escape
demo_wait "Esc back  Enter run console" 10
screen_keys j Enter
demo_wait "Dry run: every step as it will run" 10
screen_keys y
demo_wait "Step 2/3: flush (redis)" 30
screen_keys y
demo_wait "Type the runbook's name (flush-sessions)" 10
screen_keys -l flush-sessions
screen_keys Enter
screen_expect_norm demo_norm demo-flush \
    "flush-sessions runs to success once its name is typed"
demo_journal_ok flush-sessions
screen_ok $? "the journal records flush-sessions' success"

# q at the top quits: the servers stop and the directory goes.
screen_keys Escape Escape
demo_wait "Tab pane  Enter zoom" 10
screen_keys q
demo_wait "[exit 0]" 30
screen_ok $? "q quits the demo with status 0"
ls -d "$SCREEN_TMP"/maintop-demo.* >/dev/null 2>&1
screen_ok $((! $?)) "the demo's directory is removed"

screen_done
