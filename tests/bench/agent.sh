#!/bin/sh
# The agent at rest: "maintop agent" with 200 checks (100 HTTP, 50
# PostgreSQL, 50 Redis at 10 s) and 20 weekly windows, beside the dashboard
# on the same configuration, in the same run: each one's CPU (utime + stime
# from /proc/PID/stat) as a share of a core over SECONDS (600 by default),
# and its peak RSS.  Asserts nothing.
#   MAINTOP=./maintop TESTHTTPD=./tests/servers/testhttpd \
#       sh $srcdir/tests/bench/agent.sh [SECONDS]
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=.}"
: "${MAINTOP:=$top_builddir/maintop}"
: "${TESTHTTPD:=$top_builddir/tests/servers/testhttpd}"
SECONDS_IDLE=${1:-600}
MAINTOP=$(cd "$(dirname "$MAINTOP")" && pwd)/$(basename "$MAINTOP")
SERVERS_TESTHTTPD=$(cd "$(dirname "$TESTHTTPD")" && pwd)/$(basename "$TESTHTTPD")
export top_srcdir top_builddir SERVERS_TESTHTTPD
HZ=$(getconf CLK_TCK)
. "$top_srcdir/tests/lib/servers.sh"
command -v tmux >/dev/null 2>&1 || { echo "agent.sh: needs tmux"; exit 77; }
servers_start_pg || exit 1
servers_start_redis || exit 1
servers_start_http || exit 1
T=$SERVERS_TMP/bench
mkdir -p "$T/agent" "$T/dash"
apid=
trap '[ -n "$apid" ] && kill "$apid" 2>/dev/null; tmux -S "$T/tmux.sock" kill-server 2>/dev/null; servers_stop_all' EXIT

ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
hwm() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status"; }

# conf FILE STATE_DIR
conf() {
	{
		echo "settings = { name = \"bench\"; timezone = \"UTC\"; state_dir = \"$2\"; };"
		echo "http = ("
		i=1
		while [ $i -le 100 ]; do
			[ $i -gt 1 ] && printf ','
			printf '{ name = "web%03d"; url = "%s/health"; interval = "10s"; }\n' $i "$HTTP_URL_TEST"
			i=$((i + 1))
		done
		echo "); postgres = ("
		i=1
		while [ $i -le 50 ]; do
			[ $i -gt 1 ] && printf ','
			printf '{ name = "db%03d"; conninfo = "%s"; password_file = "%s"; interval = "10s"; }\n' \
			    $i "$PG_CONNINFO_TEST" "$PG_MONITOR_PASSFILE"
			i=$((i + 1))
		done
		echo "); redis = ("
		i=1
		while [ $i -le 50 ]; do
			[ $i -gt 1 ] && printf ','
			printf '{ name = "cache%03d"; port = %s; interval = "10s"; }\n' $i "$REDIS_PORT_TEST"
			i=$((i + 1))
		done
		echo "); windows = ("
		i=1
		while [ $i -le 20 ]; do
			[ $i -gt 1 ] && printf ','
			printf '{ name = "w%02d"; schedule = "%d 2 * * %d"; duration = "1h"; notice = "24h"; systems = [ "web%03d" ]; }\n' \
			    $i $((i % 60)) $((i % 7)) $i
			i=$((i + 1))
		done
		echo ");"
	} > "$1"
}
conf "$T/agent.conf" "$T/agent"
conf "$T/dash.conf" "$T/dash"

"$MAINTOP" agent -c "$T/agent.conf" 2> "$T/agent.log" &
apid=$!
tmux -S "$T/tmux.sock" -f /dev/null new-session -d -x 120 -y 40 -s bench \
    "sh -c 'echo \$\$ >\"$T/dash.pid\"; exec env TERM=xterm-256color \"$MAINTOP\" -c \"$T/dash.conf\"'"
i=0
while [ ! -s "$T/dash.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
dpid=$(cat "$T/dash.pid")
sleep 15	# the first round of probes and connections
a0=$(ticks "$apid") d0=$(ticks "$dpid") w0=$(date +%s.%N)
sleep "$SECONDS_IDLE"
a1=$(ticks "$apid") d1=$(ticks "$dpid") w1=$(date +%s.%N)
ar=$(hwm "$apid") dr=$(hwm "$dpid")
awk -v a0="$a0" -v a1="$a1" -v d0="$d0" -v d1="$d1" -v w0="$w0" -v w1="$w1" \
    -v hz="$HZ" -v ar="$ar" -v dr="$dr" -v s="$SECONDS_IDLE" 'BEGIN {
	ac = 100 * (a1 - a0) / hz / (w1 - w0)
	dc = 100 * (d1 - d0) / hz / (w1 - w0)
	printf "200 checks at 10 s and 20 windows, at rest for %d s:\n", s
	printf "  agent:     %.2f%% of a core, peak RSS %.1f MiB\n", ac, ar / 1024
	printf "  dashboard: %.2f%% of a core, peak RSS %.1f MiB\n", dc, dr / 1024
	if (dc > 0) printf "  agent/dashboard CPU: %.2f\n", ac / dc
	printf "  agent/dashboard RSS: %.2f\n", ar / dr }'
