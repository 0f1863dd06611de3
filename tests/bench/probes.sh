#!/bin/sh
# Probe-scale benchmark: 1,000 HTTP checks against a local testhttpd plus
# 100 PostgreSQL and 100 Redis checks, run once by "maintop check --json"
# and by the per-process model of the monitoring plugins (check_http,
# check_pgsql, check_tcp from Debian's monitoring-plugins, one process per
# check, at most $BENCH_PARALLEL at a time), in the same run; then an idle
# dashboard with 200 checks at 10 s intervals.  Also $BENCH_EXEC exec
# checks (four plugins: check_load, check_disk, check_procs, check_tcp)
# run by "maintop check" and by xargs -P $BENCH_PARALLEL, with the CPU per
# check of each.  Prints checks per second,
# machine CPU seconds per 1,000 checks (client and servers, from
# /proc/stat), peak memory, the ratios and the issue's targets.  Asserts
# nothing.  Everything runs on 127.0.0.1.
#
#   sh tests/bench/probes.sh [IDLE_SECONDS]      (or "make bench")
# Environment: MAINTOP, TESTHTTPD (or top_builddir), BENCH_PARALLEL (8),
# BENCH_HTTP (1000), BENCH_PG (100), BENCH_REDIS (100), BENCH_EXEC (200).

set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=.}"
: "${MAINTOP:=$top_builddir/maintop}"
: "${TESTHTTPD:=$top_builddir/tests/servers/testhttpd}"
: "${BENCH_PARALLEL:=8}"
: "${BENCH_HTTP:=1000}"
: "${BENCH_PG:=100}"
: "${BENCH_REDIS:=100}"
: "${BENCH_EXEC:=200}"
IDLE_SECONDS=${1:-60}
# Absolute paths: the dashboard runs from another directory.
MAINTOP=$(cd "$(dirname "$MAINTOP")" && pwd)/$(basename "$MAINTOP")
TESTHTTPD=$(cd "$(dirname "$TESTHTTPD")" && pwd)/$(basename "$TESTHTTPD")
SERVERS_TESTHTTPD=$TESTHTTPD
export top_srcdir top_builddir SERVERS_TESTHTTPD
PLUGINS=/usr/lib/nagios/plugins
HZ=$(getconf CLK_TCK)

. "$top_srcdir/tests/lib/servers.sh"
say() { printf '%s\n' "$*"; }
for need in "$MAINTOP" /usr/bin/time "$PLUGINS/check_http" \
    "$PLUGINS/check_pgsql" "$PLUGINS/check_tcp" "$PLUGINS/check_load" \
    "$PLUGINS/check_disk" "$PLUGINS/check_procs"; do
	if [ ! -x "$need" ]; then
		say "probes.sh: $need is missing (monitoring-plugins, time)"
		exit 77
	fi
done
servers_start_pg -c max_connections=$((BENCH_PG + 60)) || exit 1
servers_start_redis || exit 1
servers_start_http || exit 1
T=$SERVERS_TMP/bench
mkdir -p "$T/state"
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; servers_stop_all' EXIT
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; servers_stop_all;
    trap - EXIT; exit 143' INT TERM HUP

# Busy CPU ticks of the whole machine (everything but idle and iowait).
busy() {
	awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}
now() { date +%s.%N; }
# The pid's utime + stime in ticks.
ticks() {
	sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# conf FILE NHTTP NPG NREDIS INTERVAL: a configuration of that many checks.
conf() {
	{
		echo "settings = { name = \"bench\"; timezone = \"UTC\";"
		echo "  state_dir = \"$T/state\"; timeout = \"20s\"; };"
		echo "http = ("
		i=1
		while [ "$i" -le "$2" ]; do
			[ "$i" -gt 1 ] && printf ','
			printf '{ name = "web%04d"; url = "%s/health"; interval = "%s"; }\n' \
			    "$i" "$HTTP_URL_TEST" "$5"
			i=$((i + 1))
		done
		echo ");"
		echo "postgres = ("
		i=1
		while [ "$i" -le "$3" ]; do
			[ "$i" -gt 1 ] && printf ','
			printf '{ name = "db%03d"; conninfo = "%s"; password_file = "%s"; interval = "%s"; }\n' \
			    "$i" "$PG_CONNINFO_TEST" "$PG_MONITOR_PASSFILE" "$5"
			i=$((i + 1))
		done
		echo ");"
		echo "redis = ("
		i=1
		while [ "$i" -le "$4" ]; do
			[ "$i" -gt 1 ] && printf ','
			printf '{ name = "cache%03d"; port = %s; interval = "%s"; }\n' \
			    "$i" "$REDIS_PORT_TEST" "$5"
			i=$((i + 1))
		done
		echo ");"
	} >"$1"
}

# measure LABEL N CMD...: runs CMD under /usr/bin/time; records wall
# seconds, machine CPU seconds, max RSS (KiB), the exit status and the
# user + system CPU seconds of CMD and every process it waited for in
# $T/LABEL.
measure() {
	_label=$1 _n=$2
	shift 2
	sleep 1		# let the servers settle after the previous run
	_b0=$(busy) _t0=$(now)
	/usr/bin/time -f '%M %U %S' -o "$T/$_label.rss" "$@" \
	    >"$T/$_label.out" 2>"$T/$_label.err"
	_rc=$?
	_t1=$(now) _b1=$(busy)
	tail -n 1 "$T/$_label.rss" >"$T/$_label.ru"
	read -r _rss _us _ss <"$T/$_label.ru"
	awk -v n="$_n" -v t0="$_t0" -v t1="$_t1" -v b0="$_b0" -v b1="$_b1" \
	    -v hz="$HZ" -v rss="$_rss" -v rc="$_rc" -v us="$_us" -v ss="$_ss" \
	    -v base="$BASE" 'BEGIN { c = (b1 - b0) / hz - base * (t1 - t0)
	    if (c < 0.001) c = 0.001
	    printf "%s %.3f %.3f %s %s %.3f\n", n, t1 - t0, c, rss, rc, us + ss }' \
	    >"$T/$_label"
}

# report LABEL WHAT: one line of figures.
report() {
	read -r _n _wall _cpu _rss _rc _ <"$T/$1"
	awk -v w="$2" -v n="$_n" -v wall="$_wall" -v cpu="$_cpu" \
	    -v rss="$_rss" -v rc="$_rc" 'BEGIN {
	    printf "  %-34s %5d checks %7.2f s %8.0f checks/s %7.2f CPU-s/1000 %7.1f MiB peak (exit %s)\n",
	    w, n, wall, n / wall, cpu * 1000 / n, rss / 1024, rc }'
}

# ratio A B: per-process figures over maintop's.
ratio() {
	read -r _na _wa _ca _ra _ <"$T/$1"
	read -r _nb _wb _cb _rb _ <"$T/$2"
	awk -v na="$_na" -v wa="$_wa" -v ca="$_ca" -v ra="$_ra" \
	    -v nb="$_nb" -v wb="$_wb" -v cb="$_cb" -v rb="$_rb" -v w="$3" \
	    'BEGIN { printf "  %-34s %6.1fx checks/s  %6.1fx checks per machine CPU-second  %5.2fx peak memory\n",
	    w, (na / wa) / (nb / wb), (na / ca) / (nb / cb), ra / rb }'
}

NTOTAL=$((BENCH_HTTP + BENCH_PG + BENCH_REDIS))
# What else this machine is doing (other users' work counts in /proc/stat
# too): measured for 5 s before, and subtracted from every figure below.
b0=$(busy) t0=$(now)
sleep 5
BASE=$(awk -v b0="$b0" -v b1="$(busy)" -v t0="$t0" -v t1="$(now)" \
    -v hz="$HZ" 'BEGIN { printf "%.4f", (b1 - b0) / hz / (t1 - t0) }')
say "probe-scale benchmark: $BENCH_HTTP HTTP + $BENCH_PG PostgreSQL + $BENCH_REDIS Redis checks on 127.0.0.1, $(nproc) CPUs"
say "  (CPU is the whole machine's busy time from /proc/stat: client and servers,"
say "  less the background load measured before: $BASE cores)"

conf "$T/all.conf" "$BENCH_HTTP" "$BENCH_PG" "$BENCH_REDIS" 1h
conf "$T/http.conf" "$BENCH_HTTP" 0 0 1h
conf "$T/pg.conf" 0 "$BENCH_PG" 0 1h
conf "$T/redis.conf" 0 0 "$BENCH_REDIS" 1h

# Warm up the caches (binaries, libraries) once for each model.
"$MAINTOP" check -c "$T/redis.conf" >/dev/null 2>&1
"$PLUGINS/check_http" -H 127.0.0.1 -p "$HTTP_PORT_TEST" -u /health \
    >/dev/null 2>&1

measure m_all "$NTOTAL" "$MAINTOP" check --json -c "$T/all.conf"
measure m_http "$BENCH_HTTP" "$MAINTOP" check --json -c "$T/http.conf"
measure m_pg "$BENCH_PG" "$MAINTOP" check --json -c "$T/pg.conf"
measure m_redis "$BENCH_REDIS" "$MAINTOP" check --json -c "$T/redis.conf"
for l in m_all m_http m_pg m_redis; do
	jq -r '[.[] | .state] | group_by(.) | map("\(.[0]) \(length)") |
	    join(", ")' "$T/$l.out" >"$T/$l.states" 2>/dev/null
done

# The per-process model: xargs runs one plugin per line of a list, the
# line giving the plugin's last argument (all the same).
seq_lines() { awk -v n="$1" -v s="$2" 'BEGIN { for (i = 0; i < n; i++) print s }'; }
seq_lines "$BENCH_HTTP" "-t20" >"$T/http.list"
seq_lines "$BENCH_PG" "-t20" >"$T/pg.list"
seq_lines "$BENCH_REDIS" "-t20" >"$T/redis.list"
cat >"$T/plugins.sh" <<EOF
xargs -P $BENCH_PARALLEL -L 1 $PLUGINS/check_http -H 127.0.0.1 \
    -p $HTTP_PORT_TEST -u /health <"$T/http.list"
xargs -P $BENCH_PARALLEL -L 1 $PLUGINS/check_pgsql -H 127.0.0.1 \
    -P $PGPORT_TEST -d maintop -l monitor -p '$PG_MONITOR_PASSWORD' \
    <"$T/pg.list"
xargs -P $BENCH_PARALLEL -L 1 $PLUGINS/check_tcp -H 127.0.0.1 \
    -p $REDIS_PORT_TEST -E -s 'PING\r\n' -e '+PONG' <"$T/redis.list"
EOF
# (The backslash-newlines above joined each command into one line.)
sed -n 1p "$T/plugins.sh" >"$T/plugins-http.sh"
sed -n 2p "$T/plugins.sh" >"$T/plugins-pg.sh"
sed -n 3p "$T/plugins.sh" >"$T/plugins-redis.sh"
measure p_all "$NTOTAL" sh "$T/plugins.sh"
measure p_http "$BENCH_HTTP" sh "$T/plugins-http.sh"
measure p_pg "$BENCH_PG" sh "$T/plugins-pg.sh"
measure p_redis "$BENCH_REDIS" sh "$T/plugins-redis.sh"
for l in p_all p_http p_pg p_redis; do
	sed 's/^ *//' "$T/$l.out" | grep -o '^[A-Z]*' | sort | uniq -c |
	    awk '{ printf "%s %s; ", $2, $1 }' >"$T/$l.states"
done

say ""
say "maintop check --json (one process, all checks concurrently):"
report m_all "all $NTOTAL checks"
report m_http "HTTP only"
report m_pg "PostgreSQL only"
report m_redis "Redis only"
say "monitoring-plugins, one process per check, xargs -P $BENCH_PARALLEL:"
report p_all "all $NTOTAL checks"
report p_http "check_http only"
report p_pg "check_pgsql only"
report p_redis "check_tcp (Redis PING) only"
say "  (plugins' peak memory is the largest single plugin process; $BENCH_PARALLEL run at once)"
say "ratios (maintop over the per-process model):"
ratio m_all p_all "all checks"
ratio m_http p_http "HTTP"
ratio m_pg p_pg "PostgreSQL"
ratio m_redis p_redis "Redis"
say "results: maintop $(cat "$T/m_all.states"); plugins $(cat "$T/p_all.states")"
say "targets: >= 30x checks per machine CPU-second; < 20 MB maintop peak at this scale"

# --- exec checks ---------------------------------------------------------------

# The same plugin command lines, one per check, run by "maintop check"
# (exec checks, at most 8 at once) and by xargs -P $BENCH_PARALLEL through
# env (which execs the plugin: no shell, as maintop runs it).
exec_line() {
	case $(($1 % 4)) in
	0) echo "$PLUGINS/check_load -w 999,999,999 -c 999,999,999" ;;
	1) echo "$PLUGINS/check_disk -w 1% -c 1% -p /" ;;
	2) echo "$PLUGINS/check_procs -w 100000 -c 200000" ;;
	3) echo "$PLUGINS/check_tcp -H 127.0.0.1 -p $REDIS_PORT_TEST" ;;
	esac
}
{
	echo "settings = { state_dir = \"$T/state\"; timeout = \"20s\"; };"
	echo "exec = ("
	i=0
	while [ "$i" -lt "$BENCH_EXEC" ]; do
		[ "$i" -gt 0 ] && printf ','
		printf '{ name = "x%04d"; interval = "1h"; command = [ %s ]; }\n' \
		    "$i" "$(exec_line "$i" | sed 's/[^ ]*/"&"/g; s/" "/", "/g')"
		i=$((i + 1))
	done
	echo ");"
} >"$T/exec.conf"
i=0
while [ "$i" -lt "$BENCH_EXEC" ]; do
	exec_line "$i"
	i=$((i + 1))
done >"$T/exec.list"
"$MAINTOP" check -c "$T/exec.conf" >/dev/null 2>&1	# warm up
measure m_exec "$BENCH_EXEC" "$MAINTOP" check --json -c "$T/exec.conf"
measure p_exec "$BENCH_EXEC" xargs -P "$BENCH_PARALLEL" -L 1 env \
    <"$T/exec.list"
# report_exec LABEL WHAT: wall time and CPU per check.
report_exec() {
	read -r _n _wall _cpu _rss _rc _us <"$T/$1"
	awk -v w="$2" -v n="$_n" -v wall="$_wall" -v cpu="$_cpu" -v us="$_us" \
	    -v rc="$_rc" 'BEGIN {
	    printf "  %-34s %5d checks %7.2f s %6.2f ms CPU per check (%.2f ms machine) (exit %s)\n",
	    w, n, wall, us * 1000 / n, cpu * 1000 / n, rc }'
}
say ""
say "exec checks: $BENCH_EXEC over check_load, check_disk, check_procs and check_tcp, at most $BENCH_PARALLEL at once"
say "  (CPU per check: user + system of the command and every process it waited for,"
say "  plugins included; machine: /proc/stat as above)"
report_exec m_exec "maintop check --json"
report_exec p_exec "xargs -P $BENCH_PARALLEL -L 1 env PLUGIN..."
read -r _ _wm _ _ _ _um <"$T/m_exec"
read -r _ _wp _ _ _ _up <"$T/p_exec"
awk -v um="$_um" -v up="$_up" -v wm="$_wm" -v wp="$_wp" 'BEGIN {
    printf "  maintop over xargs: %.2fx CPU per check, %.2fx wall time\n", um / up, wm / wp }'
say "results: maintop $(jq -r '[.[] | .state] | group_by(.) | map("\(.[0]) \(length)") | join(", ")' "$T/m_exec.out" 2>/dev/null); xargs $(sed 's/^ *//' "$T/p_exec.out" | grep -o '^[A-Z]*' | sort | uniq -c | awk '{ printf "%s %s; ", $2, $1 }')"

# --- an idle dashboard -------------------------------------------------------

if ! command -v tmux >/dev/null 2>&1; then
	say "idle dashboard: skipped (no tmux)"
	exit 0
fi
conf "$T/idle.conf" 100 50 50 10s
sock=$T/tmux.sock
tmux -S "$sock" -f /dev/null new-session -d -x 160 -y 50 -s bench \
    "sh -c 'echo \$\$ >\"$T/idle.pid\"; cd \"$T\"; exec env TERM=xterm-256color \"$MAINTOP\" -c \"$T/idle.conf\"'"
i=0
while [ ! -s "$T/idle.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
ipid=$(cat "$T/idle.pid")
sleep 15		# the first round of probes and connections
t0=$(ticks "$ipid") b0=$(busy) w0=$(now)
sleep "$IDLE_SECONDS"
t1=$(ticks "$ipid") b1=$(busy) w1=$(now)
rss=$(awk '/^VmHWM/ { print $2 }' "/proc/$ipid/status")
tmux -S "$sock" kill-server 2>/dev/null
say ""
awk -v t0="$t0" -v t1="$t1" -v b0="$b0" -v b1="$b1" -v w0="$w0" \
    -v w1="$w1" -v hz="$HZ" -v rss="$rss" -v s="$IDLE_SECONDS" \
    -v base="$BASE" 'BEGIN {
    printf "idle dashboard, 200 checks (100 HTTP, 50 PostgreSQL, 50 Redis) at 10 s, over %d s:\n", s
    printf "  maintop: %.2f%% of a core (target < 1%%), peak RSS %.1f MiB\n",
        100 * (t1 - t0) / hz / (w1 - w0), rss / 1024
    printf "  whole machine (maintop, servers, tmux) less the background: %.2f%% of a core\n",
        100 * ((b1 - b0) / hz / (w1 - w0) - base) }'
