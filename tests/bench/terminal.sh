#!/bin/sh
# Benchmark: bytes maintop writes to its terminal, idle with 20 live checks
# refreshing every 5 s, against htop in a tmux pane of the same size, in the
# same run; and the first frame with 200 checks configured (time from
# main() to the first frame, and its size).
#
# maintop is measured twice in one run: just after start (its sparklines
# still filling, one glyph per check per probe) and idle, once they are
# full (after BENCH_WARMUP seconds, 110 by default: 20 samples at 5 s).
# The four maintop panes run at the same time, htop after them.
#
# Usage: tests/bench/terminal.sh [SECONDS]   (from a build directory, or
# with MAINTOP and TESTHTTPD set).  Prints figures and ratios; asserts
# nothing (machines are noisy), but the targets are printed beside them.
set -u
secs=${1:-30}
warm=${BENCH_WARMUP:-110}
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${MAINTOP:=./maintop}"
: "${TESTHTTPD:=./tests/servers/testhttpd}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/maintop-bench.XXXXXX")
sock="$tmp/tmux.sock"
cleanup() {
	for s in "$tmp"/tmux.*; do tmux -S "$s" kill-server 2>/dev/null; done
	[ -n "${httpd_pid:-}" ] && kill "$httpd_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
for prog in tmux htop; do
	command -v $prog >/dev/null || { echo "needs $prog (apt-get install $prog)"; exit 1; }
done

"$TESTHTTPD" --port 0 --port-file "$tmp/port" >/dev/null 2>&1 &
httpd_pid=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
port=$(awk '/^PORT/ { print $2 }' "$tmp/port")

# A configuration with N http checks against the local server.
make_conf() {
	n=$1 interval=$2 out=$3
	{
		echo "settings = { name = \"bench\"; state_dir = \"$tmp/state\"; };"
		echo "http = ("
		k=1
		while [ $k -le "$n" ]; do
			sep=","; [ $k -eq "$n" ] && sep=""
			echo "  { name = \"api-$k\"; url = \"http://127.0.0.1:$port/health\"; interval = \"$interval\"; }$sep"
			k=$((k + 1))
		done
		echo ");"
	} > "$out"
}
make_conf 20 5s "$tmp/20.conf"
make_conf 200 10s "$tmp/200.conf"

# Runs CMD in a fresh pane of COLSxROWS (its own tmux server, named TAG),
# types KEYS ("" for none) once it runs, and writes to $tmp/rate.TAG the
# bytes/s written after a 3 s warm-up over $secs seconds and, with IDLE
# set, also from $warm seconds on over $secs seconds.
rate() {
	tag=$1 cols=$2 rows=$3 keys=$4 idle=$5
	shift 5
	out="$tmp/bytes.$tag"
	sock="$tmp/tmux.$tag"
	: > "$out"
	tmux -S "$sock" -f /dev/null new-session -d -x "$cols" -y "$rows" -s b \
	    "sleep 0.5; exec env TERM=xterm-256color HOME=$tmp LANG=C.UTF-8 $*"
	tmux -S "$sock" pipe-pane -o -t b "cat >> $out"
	sleep 1
	[ -n "$keys" ] && tmux -S "$sock" send-keys -t b $keys
	sleep 2.5
	s0=$(wc -c < "$out")
	sleep "$secs"
	s1=$(wc -c < "$out")
	r="$(( (s1 - s0) / secs ))"
	if [ -n "$idle" ]; then
		sleep $((warm - secs - 3))
		s0=$(wc -c < "$out")
		sleep "$secs"
		s1=$(wc -c < "$out")
		r="$r $(( (s1 - s0) / secs ))"
	fi
	tmux -S "$sock" kill-server 2>/dev/null
	echo "$r" > "$tmp/rate.$tag"
}

echo "terminal output, ${secs}s each: maintop just after start and idle (from ${warm} s on), htop"
for size in 80x24 200x50; do
	c=${size%x*} r=${size#*x}
	for focus in 1 2; do
		rate "maintop-$size-$focus" "$c" "$r" "$focus" idle \
		    "$MAINTOP" -c "$tmp/20.conf" &
		pids="${pids:-} $!"
	done
done
wait $pids		# not the HTTP server
for size in 80x24 200x50; do
	c=${size%x*} r=${size#*x}
	rate "htop-$size" "$c" "$r" "" "" htop
	h=$(cat "$tmp/rate.htop-$size")
	for focus in 1 2; do
		set -- $(cat "$tmp/rate.maintop-$size-$focus")
		printf '  %-7s maintop (20 checks at 5 s, pane %d focused): start %4s B/s, idle %4s B/s;  htop %5s B/s;  idle ratio %s (target <= 0.1), start ratio %s\n' \
		    "$size" "$focus" "$1" "$2" "$h" \
		    "$(awk -v m="$2" -v h="$h" 'BEGIN { if (h > 0) printf "%.3f", m / h; else print "n/a" }')" \
		    "$(awk -v m="$1" -v h="$h" 'BEGIN { if (h > 0) printf "%.3f", m / h; else print "n/a" }')"
	done
done

# First frame: 200 checks configured; maintop writes the time to the first
# frame and exits (MAINTOP_BENCH_FIRST_FRAME); the pane's bytes are the
# first frame plus the few bytes of leaving the screen.
echo "first frame, 200 checks, 80x24 (5 runs):"
for run in 1 2 3 4 5; do
	out="$tmp/first.$run"
	sock="$tmp/tmux.first.$run"
	: > "$out"
	tmux -S "$sock" -f /dev/null new-session -d -x 80 -y 24 -s f \
	    "sleep 0.5; exec env TERM=xterm-256color HOME=$tmp LANG=C.UTF-8 MAINTOP_BENCH_FIRST_FRAME=$tmp/ms.$run $MAINTOP -c $tmp/200.conf; sleep 5"
	tmux -S "$sock" pipe-pane -o -t f "cat >> $out"
	i=0
	while [ ! -s "$tmp/ms.$run" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	sleep 0.3
	tmux -S "$sock" kill-server 2>/dev/null
	printf '  run %d: %4s ms from start to first frame, %5s bytes (targets: 30 ms, 4096 B)\n' \
	    "$run" "$(cat "$tmp/ms.$run" 2>/dev/null || echo '?')" "$(wc -c < "$out")"
done
