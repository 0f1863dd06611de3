#!/bin/sh
# Two dashboards on one team store (a real PostgreSQL), each with its own
# HOME and state directory, each in a tmux of its own: a run started in one
# shows in the other as it goes (LISTEN/NOTIFY, no polling), the other's
# attempt at the same runbook is refused naming the first, kill -9 of the
# first mid-run frees the lock and the run shows interrupted; the store
# lost and back: a banner, runs refused, then live again; a --read-only
# dashboard on the read-only role writes nothing.  TAP.
. "$top_srcdir/tests/store/lib.sh"

command -v tmux >/dev/null 2>&1 ||
	skip_all "tmux is not installed (apt-get install tmux)"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"

store_team

# conf NAME CONNINFO
conf() {
	mkdir -p "$tmp/$1/home" "$tmp/$1/state"
	cat > "$tmp/$1.conf" <<EOF
settings = { store = { conninfo = "$2"; password_env = "STORE_PW"; }; };
exec = ( { name = "alive"; interval = "1s"; command = [ "/bin/true" ]; } );
runbooks = (
  { name = "failover";
    steps = ( { name = "hold"; confirm = false;
                run = "echo up > $tmp/up; while [ ! -e $tmp/go ]; do sleep 0.1; done"; },
              { name = "after"; confirm = false; run = "true"; } ); },
  { name = "quick"; steps = ( { name = "s"; confirm = false; run = "true"; } ); }
);
EOF
}
conf alice "$ci_w"
conf bob "$ci_b"
conf wall "$ci_r"
conf carol "$ci_w"

# dash NAME PASSWORD ARGS...: NAME's dashboard in a tmux server of its own,
# on a socket of its own each time (an old server may still be exiting).
dash() {
	_n=$1 _pw=$2
	shift 2
	_starts=$((${_starts:-0} + 1))
	eval "sock_$_n=\$tmp/\$_n.\$_starts.sock"
	SHELL=/bin/sh tmux -S "$(sock "$_n")" -f /dev/null new-session -d \
	    -x 120 -y 30 -s d "env TERM=xterm-256color TZ=UTC LANG=C.UTF-8 \
HOME=$tmp/$_n/home XDG_STATE_HOME=$tmp/$_n/state STORE_PW=$_pw \
'$MAINTOP' -c '$tmp/$_n.conf' $*; echo '[exit]'; sleep 600" ||
		bail "tmux cannot start $_n's dashboard"
}
sock() { eval "echo \${sock_$1:-\$tmp/$1.none.sock}"; }
tm() { _n=$1; shift; SHELL=/bin/sh tmux -S "$(sock "$_n")" -f /dev/null "$@"; }
cap() { tm "$1" capture-pane -p -t d; }
keys() { _n=$1; shift; tm "$_n" send-keys -t d "$@"; }
# seen NAME ERE: NAME's screen shows a line matching ERE.
seen() { cap "$1" | grep -qE -- "$2"; }
unseen() { ! seen "$@"; }
cleanup() {
	for _n in alice bob wall carol; do
		# What each showed last, for a failure's log.
		cap $_n 2>/dev/null | sed "s/^/# $_n: /"
		tm $_n kill-server >/dev/null 2>&1
	done
	servers_stop_all
}
trap cleanup EXIT

dash alice "$W_PW"
dash bob "$B_PW"
wait_for "alice's dashboard" seen alice "Runbooks"
wait_for "bob's dashboard" seen bob "Runbooks"
wait_for "alice's dashboard reaching the store" unseen alice "SHARED STATE STALE"
wait_for "bob's dashboard reaching the store" unseen bob "SHARED STATE STALE"
keys alice 4 Enter g
keys bob 4 Enter g
wait_for "bob's Runbooks pane" seen bob "failover +never run"

# Alice runs failover from her dashboard.
keys alice Enter
wait_for "alice's dry run" seen alice "^ runbook failover"
keys alice Enter
wait_for "alice's first step" test -e "$tmp/up"
t0=$(date +%s%N)
wait_for "alice's run in bob's dashboard" seen bob "failover +running .* step 1 'hold', "
echo "# shown in bob's dashboard $(( ($(date +%s%N) - t0) / 1000000 )) ms after its first step began"
ok 0 "a run started in alice's dashboard shows in bob's, with its step"
run=$(sq "SELECT run FROM maintop.run_locks WHERE runbook = 'failover'")
is "the run's lock is in the store, taken by alice's session" \
    "$(sq "SELECT l.run FROM maintop.run_locks l JOIN pg_stat_activity a ON a.pid = l.backend_pid WHERE a.usename = 'alice'")" "$run"
is "its records are in the store's journal" \
    "$(sq "SELECT string_agg(type, ',' ORDER BY seq) FROM maintop.journal WHERE run = '$run'")" \
    "run_start,step_start"
check "no journal file in alice's state directory" \
    test ! -e "$tmp/alice/state/maintop/journal.jsonl"

# Bob tries the same runbook.
keys bob Enter
wait_for "bob's dry run" seen bob "^ runbook failover"
keys bob Enter
wait_for "bob's refusal" seen bob "already running: started by $(id -un)@$(hostname) \\(on /dev/pts/[0-9]+, pid [0-9]+, run "
ok 0 "bob's run of failover is refused, naming alice"
is "the refusal is in the store's journal, by bob's session" \
    "$(sq "SELECT count(*) FROM maintop.journal WHERE runbook = 'failover' AND type = 'run_end' AND record->>'result' = 'refused'")" 1
keys bob Escape

# kill -9 of alice's dashboard mid-run.
apid=$(sq "SELECT pid FROM maintop.run_locks WHERE runbook = 'failover'")
check "the lock names alice's maintop" kill -0 "$apid"
kill -9 "$apid"
advisory() { [ "$(sq "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")" = "$1" ]; }
wait_for "the lock to be free" advisory 0
ok 0 "kill -9 of alice's maintop frees the lock"
wait_for "bob's dashboard to show the run interrupted" seen bob "failover +interrupted"
ok 0 "bob's dashboard shows alice's run interrupted"
: > "$tmp/go"
tm alice kill-server
dash alice "$W_PW"
wait_for "alice's dashboard again" seen alice "Runbooks"
keys alice 4 Enter g
wait_for "alice's dashboard to show her run interrupted" seen alice "failover +interrupted"
ok 0 "alice's dashboard, started again, shows it interrupted too"

# Bob runs quick; alice sees it end.
keys bob j Enter
wait_for "bob's dry run of quick" seen bob "^ runbook quick"
keys bob Enter
wait_for "quick's success in alice's dashboard" seen alice "quick +success"
ok 0 "bob's run of quick shows in alice's dashboard with its result"

# The store goes away: both say their shared state is stale and refuse
# new runs; it comes back: live again.
servers_stop pg
wait_for "the banner in bob's dashboard" seen bob "SHARED STATE STALE"
ok 0 "the store stopped: bob's header says the shared state is stale"
keys bob Escape k Enter
wait_for "bob's dry run, store down" seen bob "^ runbook failover"
keys bob Enter
wait_for "bob's refusal, store down" seen bob "team store is unreachable"
ok 0 "... and a new run is refused, saying why"
keys bob Escape z
wait_for "bob's panes, unzoomed" seen bob "Health"
check "... while the Health pane shows its check" seen bob "alive"
keys bob 4 z
# Carol starts a dashboard with --local-lock meanwhile: her run goes on a
# lock of her host, and its records wait in her spool.
dash carol "$W_PW" --local-lock "'db1 is being replaced'"
wait_for "carol's dashboard" seen carol "SHARED STATE STALE"
keys carol 4 Enter g j Enter
wait_for "carol's dry run of quick" seen carol "^ runbook quick"
keys carol Enter
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
rm -f "$tmp/go" "$tmp/up"
keys alice Enter
wait_for "alice's dry run, store back" seen alice "^ runbook failover"
keys alice Enter
wait_for "alice's second run" seen bob "failover +running"
ok 0 "a run started then shows in bob's dashboard again"
: > "$tmp/go"
wait_for "its success in bob's dashboard" seen bob "failover +success"
ok 0 "... and its success"

# A wall display on the read-only role.
before=$(sq "SELECT count(*) FROM maintop.journal")
dash wall "$R_PW" --read-only
wait_for "the wall dashboard" seen wall "Runbooks"
wait_for "the wall dashboard reaching the store" unseen wall "SHARED STATE STALE"
keys wall 4 Enter g
wait_for "the team's runs on the wall" seen wall "failover +success"
ok 0 "the read-only dashboard shows the team's runs"
keys wall Enter
wait_for "the wall's refusal" seen wall "read-only mode: runbooks cannot be run"
ok 0 "... and refuses to run one"
is "... and wrote nothing to the store" \
    "$(sq "SELECT count(*) FROM maintop.journal"),$(sq "SELECT count(*) FROM maintop.run_locks WHERE backend_pid IN (SELECT pid FROM pg_stat_activity WHERE usename = 'wall')")" "$before,0"
check "... nor a file in its state directory" \
    sh -c '! find "$1" -type f | grep -q .' - "$tmp/wall/state"

echo "1..$n"
