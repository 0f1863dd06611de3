#!/bin/sh
# Benchmark: the dashboard's first frame (time from main() to the first
# frame, MAINTOP_BENCH_FIRST_FRAME) with a journal of 50,000 runs (about
# 32 MB: start, a step and end of each, as the runner writes them) beside
# the same with an empty journal, five runs each, in an 80x24 tmux pane.
# Target (issue 9): under 30 ms with the large journal.
#
# Usage: tests/bench/journal.sh [RUNS]   (from a build directory, or with
# MAINTOP set; RUNS defaults to 50000).  Prints figures; asserts nothing.
set -u
nruns=${1:-50000}
: "${MAINTOP:=./maintop}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/maintop-bench.XXXXXX")
cleanup() {
	for s in "$tmp"/tmux.*; do
		[ -e "$s" ] && tmux -S "$s" kill-server 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
command -v tmux >/dev/null || { echo "needs tmux (apt-get install tmux)"; exit 1; }

# A configuration with five runbooks and its own state directory.
make_conf() {
	state=$1 out=$2
	mkdir -p "$state"
	{
		echo "settings = { name = \"bench\"; timezone = \"UTC\"; state_dir = \"$state\"; };"
		echo "runbooks = ("
		for k in 1 2 3 4 5; do
			sep=","; [ $k -eq 5 ] && sep=""
			echo "  { name = \"rb-$k\"; steps = ( { name = \"one\"; run = \"true\"; } ); }$sep"
		done
		echo ");"
	} > "$out"
}
make_conf "$tmp/empty" "$tmp/empty.conf"
make_conf "$tmp/large" "$tmp/large.conf"

# The journal of nruns runs, spread over the five runbooks, a minute apart.
awk -v n="$nruns" 'BEGIN {
	t0 = 1700000000
	for (i = 0; i < n; i++) {
		t = t0 + i * 60
		s = strftime("%Y-%m-%dT%H:%M:%SZ", t, 1)
		e = strftime("%Y-%m-%dT%H:%M:%SZ", t + 2, 1)
		id = strftime("%Y%m%dT%H%M%SZ", t, 1) sprintf("-%06x", i)
		rb = "rb-" (i % 5 + 1)
		lp = "/var/lib/maintop/runs/" id ".log"
		head = "\"run\":\"" id "\",\"runbook\":\"" rb "\""
		printf "{\"user\":\"alice\",\"ssh_client\":\"10.0.0.1\",\"tty\":\"/dev/pts/3\",\"type\":\"run_start\",%s,\"start\":\"%s\",\"params\":{},\"overrides\":[],\"pid\":%d,\"log\":\"%s\"}\n", head, s, 1000 + i % 30000, lp
		printf "{\"type\":\"step_start\",%s,\"step\":0,\"name\":\"one\",\"pid\":%d}\n", head, 2000 + i % 30000
		printf "{\"type\":\"step_end\",%s,\"step\":0,\"name\":\"one\",\"result\":\"ok\",\"exit\":0,\"duration_ms\":900}\n", head
		printf "{\"type\":\"run_end\",%s,\"result\":\"%s\",\"end\":\"%s\",\"duration_ms\":2000,\"log\":\"%s\"}\n", head, i % 7 ? "success" : "failed", e, lp
	}
}' > "$tmp/large/journal.jsonl"

# The first frame of maintop -c CONF in a fresh pane; prints the ms.
first_frame() {
	conf=$1 tag=$2
	sock="$tmp/tmux.$tag"
	tmux -S "$sock" -f /dev/null new-session -d -x 80 -y 24 -s f \
	    "sleep 0.5; exec env TERM=xterm-256color HOME=$tmp LANG=C.UTF-8 MAINTOP_BENCH_FIRST_FRAME=$tmp/ms.$tag $MAINTOP -c $conf; sleep 5"
	i=0
	while [ ! -s "$tmp/ms.$tag" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	tmux -S "$sock" kill-server 2>/dev/null
	cat "$tmp/ms.$tag" 2>/dev/null || echo '?'
}

size=$(wc -c < "$tmp/large/journal.jsonl")
echo "first frame, 80x24, journal of $nruns runs ($size bytes) beside an empty journal (target: under 30 ms):"
for run in 1 2 3 4 5; do
	e=$(first_frame "$tmp/empty.conf" "empty.$run")
	l=$(first_frame "$tmp/large.conf" "large.$run")
	printf '  run %d: empty journal %5s ms, %d runs %5s ms\n' "$run" "$e" "$nruns" "$l"
done
