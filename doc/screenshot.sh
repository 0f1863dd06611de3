#!/bin/sh
# Remakes the README's pictures of the demo: starts "maintop demo" in tmux
# at 120x40, waits until every check has answered and a few probes have
# drawn their trend, captures the pane with its colours and renders it as a
# PNG with doc/ansi2png.py (Debian: tmux, python3-pil, fonts-dejavu-core).
#
# usage: doc/screenshot.sh [MAINTOP [OUT.png]]
#   MAINTOP  the program (default: ./maintop, else maintop in PATH)
#   OUT.png  the picture (default: doc/demo.png beside this script)
# The same screen as plain text, for the README, goes to standard output.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
maintop=${1:-}
if [ -z "$maintop" ]; then
	if [ -x ./maintop ]; then maintop=./maintop; else maintop=maintop; fi
fi
case $maintop in */*) maintop=$(cd "$(dirname "$maintop")" && pwd)/$(basename "$maintop") ;; esac
out=${2:-$here/demo.png}
cols=120 rows=40

command -v tmux >/dev/null || { echo "$0: tmux is missing (apt-get install tmux)" >&2; exit 1; }
/usr/bin/python3 -c 'import PIL' 2>/dev/null ||
	{ echo "$0: python3-pil is missing (apt-get install python3-pil)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/maintop-shot.XXXXXX")
# As root the demo's servers run as an unprivileged user, who must reach
# the demo's directory.
chmod 755 "$tmp"
sock="$tmp/tmux.sock"
t() { SHELL=/bin/sh tmux -S "$sock" -f /dev/null "$@"; }
trap 't kill-server >/dev/null 2>&1; rm -rf "$tmp"' EXIT INT TERM

t new-session -d -x $cols -y $rows -s shot \
    "env TERM=xterm-256color TZ=UTC LANG=C.UTF-8 LC_ALL=C.UTF-8 TMPDIR=$tmp HOME=$tmp ASAN_OPTIONS=detect_leaks=0 '$maintop' demo; echo '[exit]'; sleep 60"
t set-option -t shot status off >/dev/null

# Waits up to $2 seconds until $1 is on screen.
wait_for() {
	i=0
	until t capture-pane -p -t shot | grep -qF -- "$1"; do
		i=$((i + 1))
		if [ $i -gt $(($2 * 10)) ]; then
			echo "$0: '$1' did not appear; the screen:" >&2
			t capture-pane -p -t shot >&2
			exit 1
		fi
		sleep 0.1
	done
}
wait_for "● vacuum-orders" 120
wait_for "api-metrics ok" 30
# Three more probes of every check (refresh is 5 s) draw the trend.
sleep 16

t capture-pane -e -p -N -t shot > "$tmp/screen.ans"
t capture-pane -p -t shot | sed 's/ *$//' > "$tmp/screen.txt"
t send-keys -t shot q
wait_for "[exit]" 30
/usr/bin/python3 "$here/ansi2png.py" --cols $cols --rows $rows \
    "$tmp/screen.ans" "$out" >&2
cat "$tmp/screen.txt"
echo "$0: wrote $out" >&2
