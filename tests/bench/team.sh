#!/bin/sh
# The team store under a team: N dashboards (20) and 2 agents on one
# PostgreSQL store, in one run.  Prints, asserting nothing:
#  - the latency from a step change (its journal row's commit time in the
#    store) to its appearance on every dashboard's screen (tmux), median
#    and worst, over the steps of a run by "maintop run";
#  - the store's transactions per second while everything is idle
#    (pg_stat_database.xact_commit of the team's database over IDLE
#    seconds, read from another database so that the reading is not
#    counted, after SETTLE seconds at rest so that what each session did
#    before is counted before: an idle backend reports its transactions
#    up to 10 s late), with the agents, then with the dashboards alone;
#  - each dashboard's idle CPU (utime + stime from /proc/PID/stat) as a
#    share of a core, beside the same dashboards on the file store.
# With JOURNAL, the team's journal holds that many records of other runs
# before the dashboards start (a team's long history).
#   MAINTOP=./maintop sh $srcdir/tests/bench/team.sh [IDLE_SECONDS [N [JOURNAL]]]
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=.}"
: "${MAINTOP:=$top_builddir/maintop}"
IDLE=${1:-30}
N=${2:-20}
JOURNAL=${3:-0}
MAINTOP=$(cd "$(dirname "$MAINTOP")" && pwd)/$(basename "$MAINTOP")
export top_srcdir top_builddir MAINTOP
HZ=$(getconf CLK_TCK)
command -v tmux >/dev/null 2>&1 || { echo "team.sh: needs tmux"; exit 77; }
# A dashboard holds two connections (the listener, and one for its
# Runbooks pane, debt list and agent line), one more per run going.
STORE_PG_ARGS="-c max_connections=$((N * 4 + 20))"
. "$top_srcdir/tests/store/lib.sh"
store_team
sq "INSERT INTO maintop.journal (id, type, run, runbook, actor, record)
    SELECT 'old-' || i, t, 'r' || (i / 2), 'archive', 'alice',
        json_build_object('type', t, 'run', 'r' || (i / 2),
            'runbook', 'archive', 'user', 'alice', 'result', 'success')
    FROM generate_series(0, $JOURNAL - 1) AS i, LATERAL (SELECT CASE
        WHEN i % 2 = 0 THEN 'run_start' ELSE 'run_end' END AS t) AS x" \
    >/dev/null
T=$tmp/bench
mkdir -p "$T"
apids=
cleanup() {
	for p in $apids; do kill "$p" 2>/dev/null; done
	for s in "$T"/*.sock; do
		[ -e "$s" ] && tmux -S "$s" kill-server 2>/dev/null
	done
	servers_stop_all
}
trap cleanup EXIT

ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

# conf FILE STORE(0|1)
conf() {
	{
		if [ "$2" = 1 ]; then
			echo "settings = { timezone = \"UTC\"; store = { conninfo = \"$ci_w\"; password_env = \"STORE_PW\"; }; };"
		else
			echo "settings = { timezone = \"UTC\"; };"
		fi
		cat <<EOF
runbooks = (
  { name = "stepper";
    steps = ( { name = "s1"; confirm = false; run = "sleep 2"; },
              { name = "s2"; confirm = false; run = "sleep 2"; },
              { name = "s3"; confirm = false; run = "sleep 2"; },
              { name = "s4"; confirm = false; run = "sleep 2"; },
              { name = "s5"; confirm = false; run = "sleep 2"; } ); }
);
EOF
	} > "$1"
}
store_pwfile alice "$W_PW"
conf "$T/store.conf" 1
conf "$T/files.conf" 0

# dashboards KIND CONF: N dashboards, each with its HOME and state, each
# in a tmux of its own; their pids in $T/KIND.I.pid.
dashboards() {
	i=1
	while [ $i -le "$N" ]; do
		d=$T/$1.$i
		mkdir -p "$d/home" "$d/state"
		# The store's password read from a file by the shell that
		# becomes maintop: in no argv, in no other environment.
		pw=
		[ "$1" = store ] &&
		    pw="read -r STORE_PW < \"$tmp/alice.pw\"; export STORE_PW; "
		SHELL=/bin/sh tmux -S "$T/$1.$i.sock" -f /dev/null new-session -d -x 100 \
		    -y 24 -s d "sh -c 'echo \$\$ > \"$d.pid\"; $pw exec env TERM=xterm-256color TZ=UTC LANG=C.UTF-8 HOME=\"$d/home\" XDG_STATE_HOME=\"$d/state\" \"$MAINTOP\" -c \"$2\"'"
		i=$((i + 1))
	done
	i=1
	while [ $i -le "$N" ]; do
		j=0
		until [ -s "$T/$1.$i.pid" ] && cap "$1.$i" | grep -q Runbooks &&
		    ! cap "$1.$i" | grep -q "SHARED STATE STALE"; do
			j=$((j + 1))
			[ $j -lt 900 ] || { echo "team.sh: dashboard $1.$i did not start:"; cap "$1.$i" | sed 's/^/#   /'; exit 1; }
			sleep 0.1
		done
		tmux -S "$T/$1.$i.sock" send-keys -t d 4 Enter
		i=$((i + 1))
	done
}
cap() { tmux -S "$T/$1.sock" capture-pane -p -t d 2>/dev/null; }
# Read from the database postgres: the reading is not the team's.
commits() { servers_psql -d postgres -Atc "SELECT xact_commit FROM pg_stat_database WHERE datname = 'team'"; }
SETTLE=12

# idle KIND: the dashboards' CPU over IDLE seconds, one line each.
idle() {
	w0=$(date +%s.%N)
	i=1
	while [ $i -le "$N" ]; do
		eval "t0_$i=\$(ticks \$(cat \"\$T/$1.\$i.pid\"))"
		i=$((i + 1))
	done
	sleep "$IDLE"
	w1=$(date +%s.%N)
	i=1
	while [ $i -le "$N" ]; do
		eval "t0=\$t0_$i"
		echo "$t0 $(ticks "$(cat "$T/$1.$i.pid")") $w0 $w1"
		i=$((i + 1))
	done | awk -v hz="$HZ" '{ c = 100 * ($2 - $1) / hz / ($4 - $3); s += c
	    if (c > m) m = c; n++ } END { printf "%.3f %.3f", s / n, m }'
}

echo "# $N dashboards and 2 agents on one store (PostgreSQL $(sq 'SHOW server_version')), $JOURNAL records in its journal before"
for a in 1 2; do
	mkdir -p "$T/agent$a"
	sed "s|timezone = \"UTC\";|timezone = \"UTC\"; state_dir = \"$T/agent$a\";|" \
	    "$T/store.conf" > "$T/agent$a.conf"
	STORE_PW=$W_PW "$MAINTOP" agent -c "$T/agent$a.conf" \
	    > "$T/agent$a.log" 2>&1 &
	apids="$apids $!"
done
dashboards store "$T/store.conf"
sleep "$SETTLE"	# connections made, first reads done and reported
store_pw_hidden "$N dashboards and 2 agents: no process's argv holds a password, no environment but maintop's"

# Idle: the store's transactions and the dashboards' CPU.
c0=$(commits)
store_cpu=$(idle store)
c1=$(commits)
awk -v c0="$c0" -v c1="$c1" -v s="$IDLE" -v n="$N" 'BEGIN {
	printf "idle store, %d dashboards and 2 agents: %.2f transactions/s over %d s (%d; keep-alives: the leading agent'"'"'s heartbeat row and state, each every 30 s)\n", n, (c1 - c0) / s, s, c1 - c0 }'
sq "SELECT usename || ': ' || count(*) FROM pg_stat_activity WHERE datname = 'team' GROUP BY usename ORDER BY usename" |
    sed 's/^/#   connections: /'

# Latency: a run by "maintop run" whose steps change every 2 s; each
# step's start committed in the store, then seen on each screen.
mkdir -p "$T/runner"
sed "s|timezone = \"UTC\";|timezone = \"UTC\"; state_dir = \"$T/runner\";|" \
    "$T/store.conf" > "$T/runner.conf"
STORE_PW=$W_PW "$MAINTOP" run stepper -c "$T/runner.conf" --yes \
    > "$T/runner.out" 2>&1 &
rpid=$!
: > "$T/seen"
for k in 1 2 3 4 5; do
	left=$N
	pending=" $(seq -s ' ' 1 "$N") "
	j=0
	while [ $left -gt 0 ] && [ $j -lt 2000 ]; do
		for i in $pending; do
			if cap "store.$i" | grep -q "step $k 's$k'"; then
				echo "$k $i $(date +%s.%N)" >> "$T/seen"
				pending=$(echo "$pending" | sed "s/ $i / /")
				left=$((left - 1))
			fi
		done
		j=$((j + 1))
	done
done
wait $rpid
sq "SELECT record->>'step', extract(epoch FROM at) FROM maintop.journal WHERE type = 'step_start' AND run = (SELECT run FROM maintop.journal WHERE runbook = 'stepper' AND type = 'run_start' ORDER BY seq DESC LIMIT 1) ORDER BY seq" |
    tr '|' ' ' > "$T/started"
awk 'NR == FNR { t[$1 + 1] = $2; next } ($1 in t) { print ($3 - t[$1]) * 1000 }' \
    "$T/started" "$T/seen" | sort -n > "$T/lat"
awk -v n="$N" '{ v[NR] = $1 } END {
	if (NR == 0) { print "latency: nothing seen"; exit }
	printf "step change -> every dashboard: median %.0f ms, worst %.0f ms (%d sightings of %d; screens read in turn, so a sighting is late by up to one round of %d captures)\n",
	    v[int((NR + 1) / 2)], v[NR], NR, 5 * n, n }' "$T/lat"

# The dashboards alone: what the store sees of them at rest.
for p in $apids; do kill "$p" 2>/dev/null; done
apids=
sleep "$SETTLE"
c0=$(commits)
sleep "$IDLE"
c1=$(commits)
awk -v c0="$c0" -v c1="$c1" -v s="$IDLE" -v n="$N" 'BEGIN {
	printf "idle store, the %d dashboards alone: %.2f transactions/s over %d s (%d)\n", n, (c1 - c0) / s, s, c1 - c0 }'

# The same dashboards on the file store, for their idle CPU.
for s in "$T"/store.*.sock; do tmux -S "$s" kill-server 2>/dev/null; done
dashboards files "$T/files.conf"
sleep 3
files_cpu=$(idle files)
echo "$store_cpu $files_cpu" | awk -v s="$IDLE" '{
	printf "idle dashboard CPU over %d s, share of a core: store mean %.3f%% (worst %.3f%%), file store mean %.3f%% (worst %.3f%%)\n", s, $1, $2, $3, $4 }'
