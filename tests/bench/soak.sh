#!/bin/sh
# Soak: the wall display with 50 checks probed every second, panes cycling
# every 2 s, for SECONDS (default 300).  Prints maintop's resident memory
# every 30 s: it must level off (the history rings are fixed in size), not
# grow with time.  Asserts nothing; read the figures.
set -u
secs=${1:-300}
: "${MAINTOP:=./maintop}"
: "${TESTHTTPD:=./tests/servers/testhttpd}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/maintop-soak.XXXXXX")
sock="$tmp/tmux.sock"
cleanup() {
	tmux -S "$sock" kill-server 2>/dev/null
	[ -n "${httpd_pid:-}" ] && kill "$httpd_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
"$TESTHTTPD" --port 0 --port-file "$tmp/port" >/dev/null 2>&1 &
httpd_pid=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
port=$(awk '/^PORT/ { print $2 }' "$tmp/port")
{
	echo "settings = { name = \"soak\"; state_dir = \"$tmp/state\"; wall_cycle = 2; };"
	echo "http = ("
	k=1
	while [ $k -le 50 ]; do
		sep=","; [ $k -eq 50 ] && sep=""
		case $((k % 3)) in
		0) path="health" ;;
		1) path="status/500" ;;
		*) path="slow?ms=20" ;;
		esac
		echo "  { name = \"c$k\"; url = \"http://127.0.0.1:$port/$path\"; interval = 1; }$sep"
		k=$((k + 1))
	done
	echo ");"
} > "$tmp/soak.conf"
# The pane's shell writes its pid and execs maintop, so the pid is
# maintop's own (a pgrep on the command line also finds the tmux server).
tmux -S "$sock" -f /dev/null new-session -d -x 120 -y 40 -s s \
    "echo \$\$ >$tmp/pid; exec env TERM=xterm-256color HOME=$tmp $MAINTOP -c $tmp/soak.conf --wall"
sleep 2
pid=$(cat "$tmp/pid" 2>/dev/null)
[ -n "$pid" ] && grep -q maintop "/proc/$pid/cmdline" 2>/dev/null ||
    { echo "maintop did not start"; exit 1; }
echo "wall mode, 50 checks at 1 s, ${secs}s: resident memory (KiB)"
t=0
while [ $t -le "$secs" ]; do
	rss=$(awk '/^VmRSS/ { print $2 }' /proc/"$pid"/status 2>/dev/null)
	[ -n "$rss" ] || { echo "maintop exited"; exit 1; }
	printf '  t=%4ds  rss=%s\n' "$t" "$rss"
	[ $t -eq 0 ] && first=$rss
	last=$rss
	sleep 30
	t=$((t + 30))
done
echo "growth after the first sample: $((last - first)) KiB"
