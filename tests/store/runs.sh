#!/bin/sh
# "maintop run" on the team store (a real PostgreSQL): two engineers with
# their own state directories share one lock per runbook; a refusal names
# the holder's user, host, terminal and start; kill -9 of the holder frees
# the lock; every record goes to the journal table once, under its record
# id; the read-only role and an unreachable store are refused; no password
# in the process list.  TAP.
. "$top_srcdir/tests/store/lib.sh"

store_team

# conf NAME CONNINFO: NAME's configuration, state in $tmp/NAME.
conf() {
	cat > "$tmp/$1.conf" <<EOF
settings = { state_dir = "$tmp/$1";
  store = { conninfo = "$2"; password_env = "STORE_PW"; }; };
runbooks = (
  { name = "failover";
    steps = ( { name = "hold";
                run = "echo up > $tmp/up; while [ ! -e $tmp/go ]; do sleep 0.1; done"; },
              { name = "after"; run = "true"; } ); },
  { name = "quick"; steps = ( { name = "s"; run = "true"; } ); },
  { name = "next"; requires = [ "quick" ];
    steps = ( { name = "s"; run = "true"; } ); }
);
EOF
}
conf alice "$ci_w"
conf bob "$ci_b"
conf wall "$ci_r"
conf nowhere "host=127.0.0.1 port=1 dbname=team user=alice connect_timeout=2"
run_as() {	# run_as NAME PASSWORD RUNBOOK
	STORE_PW=$2 "$MAINTOP" run "$3" -c "$tmp/$1.conf" --yes
}

# Alice's run holds the lock, on a terminal when one can be had.
if script -qec true /dev/null >/dev/null 2>&1; then
	STORE_PW=$W_PW script -qec "'$MAINTOP' run failover -c '$tmp/alice.conf' --yes > '$tmp/alice.out' 2>&1" /dev/null </dev/null >/dev/null 2>&1 &
	on_tty=1
else
	echo "# no pseudo-terminal here: alice's run has no terminal"
	run_as alice "$W_PW" failover > "$tmp/alice.out" 2>&1 &
	on_tty=
fi
alice=$!
wait_for "alice's first step" test -e "$tmp/up"
lk() { sq "SELECT $1 FROM maintop.run_locks WHERE runbook = 'failover'"; }
apid=$(lk pid)
arun=$(lk run)
since=$(lk "to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
check "the lock's row names alice's maintop" kill -0 "$apid"
is "... and her run" "$(sq "SELECT count(*) FROM maintop.journal WHERE run = '$arun' AND type = 'run_start'")" 1

ps -eo args > "$tmp/ps"
check "the running maintop is in the process list" grep -q "run failover -c $tmp/alice.conf" "$tmp/ps"
check "... without its password" sh -c '! grep -q "$1" "$2"' - "$W_PW" "$tmp/ps"

run_as bob "$B_PW" failover > "$tmp/bob.out" 2>&1
is "bob's run of the same runbook: refused (10)" "$?" 10
user=$(lk usr)
tty=$(lk tty)
if [ -n "$on_tty" ]; then
	check "alice's terminal is known" sh -c 'case $1 in /dev/pts/*) ;; *) exit 1;; esac' - "$tty"
	where="on $tty, "
else
	where=
fi
is "the refusal names user, host, terminal, pid, run and start" \
    "$(grep 'already running' "$tmp/bob.out")" \
    "maintop run: runbook 'failover' is already running: started by $user@$(hostname) (${where}pid $apid, run $arun) since $since"
is "bob's refusal is in the shared journal" \
    "$(sq "SELECT count(*) FROM maintop.journal WHERE runbook = 'failover' AND type = 'run_end' AND record->>'result' = 'refused'")" 1
run_as bob "$B_PW" quick > /dev/null 2>&1
is "another runbook runs meanwhile" "$?" 0
STORE_PW=$W_PW "$MAINTOP" store status -c "$tmp/alice.conf" > "$tmp/status" 2>&1
is "store status names the holder" "$(grep '^run lock' "$tmp/status")" \
    "run lock: failover held by $user@$(hostname) on ${tty:--} since $since (pid $apid)"

hist() { STORE_PW=$2 "$MAINTOP" history -c "$tmp/$1.conf" --runbook failover --limit 0; }
is "bob's history shows alice's run running (the team's journal)" \
    "$(hist bob "$B_PW" | awk -v r="$arun" '$1 == r { print $3, $NF }')" "$user running"

# kill -9: the session ends with the process, and the lock with it.
kill -9 "$apid"
advisory() { [ "$(sq "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")" = "$1" ]; }
wait_for "the lock to be free" advisory 0
: > "$tmp/go"
wait $alice 2>/dev/null
is "... and, once it is killed, interrupted" \
    "$(hist bob "$B_PW" | awk -v r="$arun" '$1 == r { print $NF }')" interrupted
run_as bob "$B_PW" failover > "$tmp/bob2.out" 2>&1
is "after kill -9 of the holder, bob runs it" "$?" 0
check "... his log says who left the lock" grep -q "took over a stale lock left by $user@$(hostname) (${where}pid $apid, run $arun)" "$tmp/bob/runs/"*.log
brun=$(sq "SELECT run FROM maintop.journal WHERE runbook = 'failover' AND type = 'run_end' AND record->>'result' = 'success'")
is "bob's run: every record in the journal table, in order" \
    "$(sq "SELECT string_agg(type, ',' ORDER BY seq) FROM maintop.journal WHERE run = '$brun'")" \
    "run_start,step_start,step_end,step_start,step_end,run_end"
is "... each under its record id" \
    "$(sq "SELECT string_agg(id, ',' ORDER BY seq) FROM maintop.journal WHERE run = '$brun'")" \
    "$brun:1,$brun:2,$brun:3,$brun:4,$brun:5,$brun:6"
is "... with who acted" \
    "$(sq "SELECT actor FROM maintop.journal WHERE run = '$brun' AND type = 'run_start'")" "$user"
is "the lock's row went with the run" "$(sq "SELECT count(*) FROM maintop.run_locks")" 0
check "no journal file in the state directories" \
    sh -c '! [ -e "$1/alice/journal.jsonl" ] && ! [ -e "$1/bob/journal.jsonl" ]' - "$tmp"
is "alice's history lists bob's run" \
    "$(hist alice "$W_PW" | awk -v r="$brun" '$1 == r { print $NF }')" success
# A record written again under its id adds nothing.
sq "INSERT INTO maintop.journal (id, record) SELECT id, record FROM maintop.journal WHERE run = '$brun' ON CONFLICT (id) DO NOTHING" >/dev/null
is "a record's id is unique" "$(sq "SELECT count(*) FROM maintop.journal WHERE run = '$brun'")" 6

# requires: the last success is the team's (bob ran quick, alice has not).
run_as alice "$W_PW" next > /dev/null 2>&1
is "alice's run that requires bob's success: runs" "$?" 0

# The read-only role, and a store that does not answer.
before=$(sq "SELECT count(*) FROM maintop.journal")
run_as wall "$R_PW" quick > "$tmp/wall.out" 2>&1
is "the read-only role cannot run (10)" "$?" 10
check "... told why" grep -q "permission denied for table run_locks: the store's role 'wall' may not do this" "$tmp/wall.out"
is "... and wrote nothing" "$(sq "SELECT count(*) FROM maintop.journal"),$(sq "SELECT count(*) FROM maintop.run_locks")" "$before,0"
run_as nowhere "$W_PW" quick > "$tmp/nowhere.out" 2>&1
is "an unreachable store: refused (10)" "$?" 10
check "... saying so" grep -q "^maintop run: refused: the store: cannot reach the store: " "$tmp/nowhere.out"
check "... without the password" sh -c '! grep -q "$1" "$2"' - "$W_PW" "$tmp/nowhere.out"

echo "1..$n"
