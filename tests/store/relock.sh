#!/bin/sh
# A run keeps its lock in the team store across the store's restart: it
# takes it back as soon as the store answers again, before the records it
# spooled meanwhile, so that another's run of the same runbook is refused
# naming it; and when another maintop took the lock before it could, the
# run says so loudly (output, journal) and starts nothing more.  TAP.
. "$top_srcdir/tests/store/lib.sh"

store_team

# conf NAME CONNINFO: NAME's configuration, state in $tmp/NAME.
conf() {
	cat > "$tmp/$1.conf" <<EOF2
settings = { state_dir = "$tmp/$1";
  store = { conninfo = "$2"; password_env = "STORE_PW"; }; };
runbooks = (
  { name = "failover";
    steps = ( { name = "a"; run = "echo a > $tmp/$1.up; while [ ! -e $tmp/$1.go1 ]; do sleep 0.1; done"; },
              { name = "b"; run = "true"; },
              { name = "c"; run = "echo c > $tmp/$1.c; while [ ! -e $tmp/$1.go2 ]; do sleep 0.1; done"; },
              { name = "d"; run = "echo d > $tmp/$1.d"; } ); }
);
EOF2
}
conf alice "$ci_w"
conf bob "$ci_b"
# The lock of failover is held by a live session of the store.
held() {
	sq "SELECT l.usr || ' ' || l.run FROM maintop.run_locks l WHERE runbook = 'failover' AND EXISTS (SELECT 1 FROM pg_locks k WHERE k.locktype = 'advisory' AND k.granted AND k.pid = l.backend_pid)"
}
is_held() { [ -n "$(held)" ]; }
is_free() { [ -z "$(held)" ]; }
has_sql() { [ -n "$(sq "$1")" ]; }

STORE_PW=$W_PW "$MAINTOP" run failover -c "$tmp/alice.conf" --yes \
    > "$tmp/alice.out" 2>&1 &
alice=$!
wait_for "alice's first step" test -e "$tmp/alice.up"
arun=$(sq "SELECT run FROM maintop.run_locks WHERE runbook = 'failover'")
user=$(sq "SELECT usr FROM maintop.run_locks WHERE runbook = 'failover'")
is "alice's run holds the lock" "$(held)" "$user $arun"

servers_stop pg
wait_for "alice's run to see the store gone" \
    grep -q "the team store is unreachable: the run goes on" "$tmp/alice.out"
: > "$tmp/alice.go1"
wait_for "alice's step c, with the store down" test -e "$tmp/alice.c"
spooled() { [ "$(wc -l < "$tmp/alice/store-spool" 2>/dev/null)" = 4 ]; }
wait_for "four records in alice's spool" spooled
servers_restart pg || bail "PostgreSQL did not start again"
wait_for "alice's run to take its lock back" is_held
is "... her own run holds it again" "$(held)" "$user $arun"
wait_for "alice's run to say so" grep -q "the team store answers again" "$tmp/alice.out"
check "... and says so" grep -q "the team store answers again: this run holds its lock of 'failover' again" "$tmp/alice.out"

STORE_PW=$B_PW "$MAINTOP" run failover -c "$tmp/bob.conf" --yes \
    > "$tmp/bob.out" 2>&1
is "after the restart, bob's run of failover is refused (10)" "$?" 10
check "... naming alice's run" grep -q "maintop run: runbook 'failover' is already running: started by $user@$(hostname) (.*run $arun)" "$tmp/bob.out"
check "bob's first step never ran" test ! -e "$tmp/bob.up"

# The lock first, then the spool: the session holding it again began
# before the spooled records reached the store.
wait_for "the retake in the journal" has_sql \
    "SELECT 1 FROM maintop.journal WHERE run = '$arun' AND type = 'run_lock'"
is "the lock was taken back before the spool's records went in" \
    "$(sq "SELECT (SELECT backend_start FROM pg_stat_activity a, maintop.run_locks l WHERE a.pid = l.backend_pid AND l.runbook = 'failover') < min(at) FROM maintop.journal WHERE id IN ('$arun:3', '$arun:4', '$arun:5', '$arun:6')")" t
is "... which are all there, in order, then the retake's" \
    "$(sq "SELECT string_agg(type, ',' ORDER BY seq) FROM maintop.journal WHERE run = '$arun'")" \
    "run_start,step_start,step_end,step_start,step_end,step_start,run_lock"

# Lost to another: alice's sessions end and she cannot connect again
# (her role's connection limit) while bob takes the lock; then she can.
sq "ALTER ROLE alice CONNECTION LIMIT 0" > /dev/null
sq "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'alice'" > /dev/null
wait_for "the lock free" is_free
STORE_PW=$B_PW "$MAINTOP" run failover -c "$tmp/bob.conf" --yes \
    > "$tmp/bob2.out" 2>&1 &
bob=$!
wait_for "bob's first step" test -e "$tmp/bob.up"
brun=$(sq "SELECT run FROM maintop.run_locks WHERE runbook = 'failover'")
check "bob's run is another" test "$brun" != "$arun"
sq "ALTER ROLE alice CONNECTION LIMIT -1" > /dev/null
wait_for "alice's run to see the lock lost" grep -q "LOCK LOST" "$tmp/alice.out"
check "... naming bob's run" grep -q "maintop: WARNING: LOCK LOST: the team store lost this run's lock of 'failover' while it was unreachable, and $user@$(hostname) (.*run $brun).* has taken it since: two runs of 'failover' may be going at once" "$tmp/alice.out"
is "bob's run still holds the lock" "$(held)" "$user $brun"
: > "$tmp/alice.go2"
wait "$alice"
is "alice's run ends aborted (7) once its step is over" "$?" 7
check "... without starting step d" test ! -e "$tmp/alice.d"
check "... its summary says the lock was lost, and to whom" grep -q "^LOCK LOST: the run's lock was taken by $user@$(hostname) (.*run $brun).* while the team store was unreachable; the run started nothing more" "$tmp/alice.out"
is "the journal tells the loss, who took it, and the end" \
    "$(sq "SELECT string_agg(type || coalesce(' ' || (record->>'state'), '') || coalesce(' ' || (record->>'result'), ''), ',' ORDER BY seq) FROM maintop.journal WHERE run = '$arun' AND type IN ('run_lock', 'run_end')")" \
    "run_lock retaken,run_lock lost,run_end aborted"
check "... the lost record names bob's run" test -n \
    "$(sq "SELECT 1 FROM maintop.journal WHERE run = '$arun' AND type = 'run_lock' AND record->>'holder' LIKE '%run $brun)%'")"
is "bob's run still holds the lock after alice's ended" "$(held)" "$user $brun"
: > "$tmp/bob.go1"
: > "$tmp/bob.go2"
wait "$bob"
is "bob's run succeeds" "$?" 0
check "... and ran its step d" test -e "$tmp/bob.d"

echo "1..$n"
