#!/bin/sh
# Two dashboards on one team store (a real PostgreSQL), each with its own
# HOME and state directory, each in a tmux of its own, compared whole with
# expected screens: a run started in one shows in the other step by step
# (LISTEN/NOTIFY, no polling), the other's attempt at the same runbook is
# refused naming the first, kill -9 of the first mid-run frees the lock
# and both show the run interrupted; the store lost and back: a banner,
# runs refused, then live again; a --read-only dashboard on the read-only
# role writes nothing.  Each maintop's password is read from a file by the
# shell that starts it: no process's argv holds one.  TAP.
SERVERS_NO_TRAP=1
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/screen/lib.sh"
. "$top_srcdir/tests/store/lib.sh"
trap 'servers_stop_all; screen_cleanup' EXIT
trap 'servers_stop_all; screen_cleanup; trap - EXIT; exit 143' INT TERM HUP
# One count for the screens' lines and the others': tap.sh's.
screen_tap() { ok "$@"; }

store_team

# conf NAME CONNINFO: NAME's configuration.  The steps wait in $DASH_WORK,
# named in the environment: a path's length would show on the screen.
conf() {
	mkdir -p "$tmp/$1/home" "$tmp/$1/state"
	cat > "$tmp/$1.conf" <<CONF
settings = { name = "team-test"; timezone = "UTC";
  store = { conninfo = "$2"; password_env = "STORE_PW"; }; };
exec = ( { name = "alive"; interval = "1s"; command = [ "/bin/true" ]; } );
runbooks = (
  { name = "failover"; description = "Moves the primary";
    steps = ( { name = "drain"; confirm = false;
                run = "touch \"\$DASH_WORK/up1\"; until [ -e \"\$DASH_WORK/go1\" ]; do sleep 0.1; done"; },
              { name = "promote"; confirm = false;
                run = "touch \"\$DASH_WORK/up2\"; until [ -e \"\$DASH_WORK/go2\" ]; do sleep 0.1; done"; },
              { name = "check"; confirm = false; run = "true"; } ); },
  { name = "quick"; description = "One step";
    steps = ( { name = "s"; confirm = false; run = "true"; } ); }
);
CONF
}
for who in alice:"$ci_w":"$W_PW" bob:"$ci_b":"$B_PW" wall:"$ci_r":"$R_PW" \
    carol:"$ci_w":"$W_PW"; do
	name=${who%%:*} rest=${who#*:}
	conf "$name" "${rest%:*}"
	store_pwfile "$name" "${rest##*:}"
done

# dash NAME ARGS...: NAME's dashboard in a tmux of its own (the calls
# after it act on it), its password read from $tmp/NAME.pw; 200x30, so
# that a refusal naming a user, a host and a terminal shows whole.
dash() {
	_n=$1
	shift
	screen_use "$_n"
	SCREEN_ENV="HOME=$tmp/$_n/home XDG_STATE_HOME=$tmp/$_n/state DASH_WORK=$tmp" \
	    screen_start 200 30 sh -c "$store_with_pw" - "$tmp/$_n.pw" \
	    "$MAINTOP" -c "$tmp/$_n.conf" "$@"
}
# on NAME: the calls after it act on NAME's dashboard; seen, unseen: NAME
# shows TEXT, or not.
on() { screen_use "$1"; }
seen() { screen_use "$1"; screen_wait "$2"; }
unseen() { screen_use "$1"; ! screen_capture | grep -qF -- "$2"; }

# expect NAME SCREEN TEXT DESC: on NAME's dashboard, store_expect.
expect() { screen_use "$1"; shift; store_expect "$@"; }

dash alice
dash bob
wait_for "alice's dashboard" seen alice "Runbooks"
wait_for "bob's dashboard" seen bob "Runbooks"
on alice; screen_keys 4 Enter g
on bob; screen_keys 4 Enter g
expect alice team-list 'quick                never run' "alice's Runbooks pane lists the store's runbooks, never run"
expect bob team-list 'quick                never run' "... and bob's"

# Alice runs failover from her dashboard; bob's shows it step by step.
on alice; screen_keys Enter
wait_for "alice's dry run" seen alice " runbook failover"
screen_keys Enter
wait_for "alice's first step" test -e "$tmp/up1"
t0=$(date +%s%N)
expect bob team-other-step1 "step 1 'drain'" "alice's run shows in bob's dashboard at its first step"
echo "# shown in bob's dashboard $(( ($(date +%s%N) - t0) / 1000000 )) ms after its first step began"
store_pw_hidden "while they run, no process's argv holds a password, no environment but maintop's"
run=$(sq "SELECT run FROM maintop.run_locks WHERE runbook = 'failover'")
is "the run's lock is in the store, taken by alice's session" \
    "$(sq "SELECT l.run FROM maintop.run_locks l JOIN pg_stat_activity a ON a.pid = l.backend_pid WHERE a.usename = 'alice'")" "$run"
check "no journal file in alice's state directory" \
    test ! -e "$tmp/alice/state/maintop/journal.jsonl"
: > "$tmp/go1"
wait_for "alice's second step" test -e "$tmp/up2"
expect bob team-other-step2 "step 2 'promote'" "... and at its second"
is "its records are in the store's journal" \
    "$(sq "SELECT string_agg(type, ',' ORDER BY seq) FROM maintop.journal WHERE run = '$run'")" \
    "run_start,step_start,step_end,step_start"

# Bob tries the same runbook.
on bob; screen_keys Enter
wait_for "bob's dry run" seen bob " runbook failover"
screen_keys Enter
expect bob team-refused "is already running" "bob's run of failover is refused, naming alice"
is "the refusal is in the store's journal, by bob's session" \
    "$(sq "SELECT count(*) FROM maintop.journal WHERE runbook = 'failover' AND type = 'run_end' AND record->>'result' = 'refused'")" 1
screen_keys Escape

# kill -9 of alice's dashboard mid-run.
apid=$(sq "SELECT pid FROM maintop.run_locks WHERE runbook = 'failover'")
check "the lock names alice's maintop" kill -0 "$apid"
kill -9 "$apid"
advisory() { [ "$(sq "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")" = "$1" ]; }
wait_for "the lock to be free" advisory 0
ok 0 "kill -9 of alice's maintop frees the lock"
expect bob team-interrupted-other "interrupted" "bob's dashboard shows alice's run interrupted"
: > "$tmp/go2"
dash alice
wait_for "alice's dashboard again" seen alice "Runbooks"
screen_keys 4 Enter g
expect alice team-interrupted "interrupted" "alice's dashboard, started again, shows it interrupted too"

# Bob runs quick; alice sees it end.
on bob; screen_keys j Enter
wait_for "bob's dry run of quick" seen bob " runbook quick"
screen_keys Enter
expect alice team-quick-other "success" "bob's run of quick shows in alice's dashboard with its result"

# The store goes away: both say their shared state is stale and refuse
# new runs; it comes back: live again.
servers_stop pg
on bob; screen_keys Escape k
wait_for "the banner in bob's dashboard" seen bob "SHARED STATE STALE"
ok 0 "the store stopped: bob's header says the shared state is stale"
wait_for "bob's Runbooks pane to fail to read the journal" seen bob "cannot read the journal"
check "... and keep the runs it knew (quick, success), not 'never run'" \
    eval 'screen_capture | grep -qE "quick +success"'
screen_keys Enter
wait_for "bob's dry run, store down" seen bob " runbook failover"
screen_keys Enter
wait_for "bob's refusal, store down" seen bob "team store is unreachable"
check "... and a new run is refused, saying why" seen bob "new runs are refused"
screen_keys Escape z
wait_for "bob's panes, unzoomed" seen bob "Health"
check "... while the Health pane shows its check" seen bob "alive"
screen_keys 4 z
# Carol starts a dashboard with --local-lock meanwhile: her run goes on a
# lock of her host, and its records wait in her spool.
dash carol --local-lock "db1 is being replaced"
wait_for "carol's dashboard" seen carol "SHARED STATE STALE"
screen_keys 4 Enter g j Enter
wait_for "carol's dry run of quick" seen carol " runbook quick"
screen_keys Enter
wait_for "carol's run" seen carol "of quick: success"
ok 0 "with --local-lock a run goes on, the store down"
check "... its records wait in carol's spool, with the reason" \
    grep -q '"local_lock":"db1 is being replaced"' "$tmp/carol/state/maintop/store-spool"
servers_restart pg || bail "PostgreSQL did not start again"
wait_for "bob's dashboard to reach the store again" unseen bob "SHARED STATE STALE"
ok 0 "the store back: the banner goes"
wait_for "carol's dashboard to reach the store again" unseen carol "SHARED STATE STALE"
lrun() { sq "SELECT run FROM maintop.journal WHERE record->>'local_lock' = 'db1 is being replaced'"; }
has_lrun() { [ -n "$(lrun)" ]; }
wait_for "carol's records in the store" has_lrun
is "... carol's run reaches the store, whole, with its reason" \
    "$(sq "SELECT string_agg(type, ',' ORDER BY seq) FROM maintop.journal WHERE run = '$(lrun)'")" \
    "run_start,step_start,step_end,run_end"
rm -f "$tmp"/go* "$tmp"/up*
on alice; screen_keys Enter
wait_for "alice's dry run, store back" seen alice " runbook failover"
screen_keys Enter
wait_for "alice's second run" test -e "$tmp/up1"
expect bob team-other-again "step 1 'drain'" "a run started then shows in bob's dashboard again"
: > "$tmp/go1"
: > "$tmp/go2"
expect bob team-other-success 'failover             success' "... and its success"

# A wall display on the read-only role.
before=$(sq "SELECT count(*) FROM maintop.journal")
dash wall --read-only
wait_for "the wall dashboard" seen wall "Runbooks"
screen_keys 4 Enter g
expect wall team-wall 'failover             success' "the read-only dashboard shows the team's runs"
screen_keys Enter
expect wall team-wall-refused "read-only mode" "... and refuses to run one"
is "... and wrote nothing to the store" \
    "$(sq "SELECT count(*) FROM maintop.journal"),$(sq "SELECT count(*) FROM maintop.run_locks WHERE backend_pid IN (SELECT pid FROM pg_stat_activity WHERE usename = 'wall')")" "$before,0"
check "... nor a file in its state directory" \
    sh -c '! find "$1" -type f | grep -q .' - "$tmp/wall/state"
store_pw_hidden "four dashboards: no process's argv holds a password, no environment but maintop's"

echo "1..$n"
