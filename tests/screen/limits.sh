#!/bin/sh
# The dashboard against servers whose replies never end or announce
# gigabytes (tests/servers/hostile.py), probed every second: keys still
# answer at once (the help opens and closes, again and again, while the
# floods come in), every check turns crit, and maintop's memory stays
# bounded.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/screen/lib.sh"

command -v python3 >/dev/null 2>&1 ||
	skip_all "python3 not found: apt-get install python3"
"$MAINTOP" --version >/dev/null 2>&1 || bail "$MAINTOP does not run"

pids=
limits_cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	screen_cleanup
}
trap limits_cleanup EXIT
trap 'limits_cleanup; trap - EXIT; exit 143' INT TERM HUP

modes="redis-array redis-bulk redis-info pg-error pg-rows pg-start-error"
for m in $modes; do
	python3 "$top_srcdir/tests/servers/hostile.py" "$m" \
	    "$SCREEN_TMP/$m.port" </dev/null >/dev/null 2>&1 &
	pids="$pids $!"
done
for m in $modes; do
	i=0
	while [ ! -s "$SCREEN_TMP/$m.port" ]; do
		[ $i -lt 100 ] || bail "the fake server $m did not start"
		sleep 0.1; i=$((i + 1))
	done
done
port() { cat "$SCREEN_TMP/$1.port"; }

mkdir -p "$SCREEN_TMP/run/state"
cat >"$SCREEN_TMP/run/limits.conf" <<EOF
settings = { name = "limits"; timezone = "UTC"; state_dir = "state";
  fail_after = 1; timeout = "3s"; refresh = "1h"; };
redis = (
  { name = "array"; interval = "1s"; port = $(port redis-array); },
  { name = "bulk"; interval = "1s"; port = $(port redis-bulk); },
  { name = "info"; interval = "1s"; port = $(port redis-info); } );
postgres = (
  { name = "pgerror"; interval = "1s"; conninfo = "host=127.0.0.1
    port=$(port pg-error) dbname=x user=x sslmode=disable"; },
  { name = "pgrows"; interval = "1s"; conninfo = "host=127.0.0.1
    port=$(port pg-rows) dbname=x user=x sslmode=disable"; },
  { name = "pgstart"; interval = "1s"; conninfo = "host=127.0.0.1
    port=$(port pg-start-error) dbname=x user=x sslmode=disable"; } );
EOF
cd "$SCREEN_TMP/run" || exit 1
screen_start 120 30 "$MAINTOP" -c limits.conf --now 2020-01-01T00:00:00Z
cd - >/dev/null || exit 1
screen_keys 2 z
screen_wait "larger than the limit"
screen_ok $? "a flood is refused as larger than the limit"

# Ten times over about ten seconds of floods: ? opens the help and Escape
# closes it, each seen on screen within the harness's wait.
fails=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	screen_keys '?'
	screen_wait "maintop keys" || fails=$((fails + 1))
	screen_keys Escape
	j=0
	while screen_capture | grep -qF "maintop keys"; do
		[ $j -lt 50 ] || { fails=$((fails + 1)); break; }
		sleep 0.1; j=$((j + 1))
	done
	sleep 0.5
done
screen_ok "$fails" "keys answer during the floods ($fails of 10 missed)"

screen_capture >"$SCREEN_TMP/pane"
grep -qE "^ . [a-z]+ +ok " "$SCREEN_TMP/pane"
screen_ok $((! $?)) "no check is ok"

sid=$(screen_tmux list-panes -t test -F '#{pane_pid}')
pid=$(pgrep -s "$sid" -x maintop)
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
echo "# maintop (pid $pid) peak resident size: ${hwm:-?} KiB"
[ -n "$hwm" ] && [ "$hwm" -lt 460800 ]
screen_ok $? "memory bounded after ten seconds of floods (${hwm:-?} KiB)"
[ -n "${LIMITS_DEBUG:-}" ] && screen_capture >&2
screen_keys q
screen_done
