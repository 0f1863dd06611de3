# Screen-test harness: runs the real maintop in a detached tmux session of a
# fixed size, types keys, and compares the captured pane with expected
# screens in tests/screen/expected/.  Sourced by tests/screen/*.sh.
#
# Everything that could vary is pinned: TERM, the size, TZ=UTC, LANG, HOME,
# and the clock (--now).  Set UPDATE_SCREENS=1 to rewrite the expected files
# from what the program shows (then read the diff before committing); a
# missing one is written at once.
#
# Functions:
#   screen_start COLS ROWS CMD...   start CMD in a new session (env: SCREEN_ENV)
#   screen_use NAME                 the calls after it act on NAME's tmux
#                                   server ("test" until then): several
#                                   programs side by side, each in a tmux of
#                                   its own, started again on its own
#   screen_keys KEY...              tmux send-keys (names like Tab, Escape, C-c)
#   screen_resize COLS ROWS         resize the window (the program gets SIGWINCH)
#   screen_capture [-e]             print the pane (-e keeps attributes)
#   screen_wait TEXT                wait until TEXT is on screen (5 s)
#   screen_expect NAME DESCRIPTION  wait until the pane equals expected/NAME.txt,
#                                   print one TAP line
#   screen_expect_norm FILTER NAME DESCRIPTION
#                                   the same on the pane passed through FILTER
#   screen_ok COND-EXIT DESCRIPTION print one TAP line from an exit status
#   screen_signal SIG               send SIG to maintop in the pane (only
#                                   there: tests may run side by side)
#   screen_run_norm                 filter: a run console's screen with run
#                                   ids, the temporary directory, durations,
#                                   the user and pids written the same way
#   screen_health_norm              filter: the Health pane's rows (those with
#                                   a state's dot) with latencies, ports and
#                                   sparklines written the same way
#   screen_with_http                start the suite's HTTP server for the
#                                   test ($HTTP_URL_TEST, tests/lib/servers.sh),
#                                   stopped with tmux at the end
#   screen_done                     print the plan, stop tmux, clean up

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${MAINTOP:=$top_builddir/maintop}"
SCREEN_DIR="$top_srcdir/tests/screen"
SCREEN_TMP=$(mktemp -d "${TMPDIR:-/tmp}/maintop-screen.XXXXXX")
SCREEN_SOCK="$SCREEN_TMP/tmux.sock"
SCREEN_N=0
SCREEN_FAILED=0
export HOME="$SCREEN_TMP/home"
mkdir -p "$HOME"
# Sanitizer builds: ncurses keeps its memory until exit on purpose.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"

. "$top_srcdir/tests/lib/tap.sh"
command -v tmux >/dev/null 2>&1 ||
	skip_all "tmux is not installed (apt-get install tmux)"

# tmux runs the pane's command with $SHELL, or else the login shell of the
# user, which for a system account is nologin: name a real one.
screen_tmux() {
	SHELL=/bin/sh tmux -S "$SCREEN_SOCK" -f /dev/null "$@"
}

# screen_reap: ends what each window started, in its session (a pane is a
# session of its own): script(1) or a shell left behind by a test that
# failed would otherwise outlive the tmux server.
screen_reap() {
	for _sid in ${SCREEN_SIDS:-}; do
		pkill -TERM -s "$_sid" >/dev/null 2>&1
	done
	SCREEN_SIDS=
}

screen_cleanup() {
	screen_reap
	for _sock in ${SCREEN_SOCKS:-} "$SCREEN_SOCK"; do
		SHELL=/bin/sh tmux -S "$_sock" -f /dev/null kill-server \
		    >/dev/null 2>&1
	done
	rm -rf "$SCREEN_TMP"
}
trap screen_cleanup EXIT INT TERM

screen_start() {
	cols=$1 rows=$2
	shift 2
	screen_tmux kill-server >/dev/null 2>&1
	# A new server on a socket of its own: the old one may still be
	# exiting, and a client that reached it would fail.
	SCREEN_STARTS=$((${SCREEN_STARTS:-0} + 1))
	SCREEN_SOCK="$SCREEN_TMP/tmux.$SCREEN_STARTS.sock"
	# The command line is quoted for the shell that tmux starts.
	cmd=""
	for a in "$@"; do
		cmd="$cmd '$(printf '%s' "$a" | sed "s/'/'\\\\''/g")'"
	done
	# A tmux that cannot start is a failure that says why.  A loaded
	# machine may fail one attempt: three, each on a socket of its own.
	tries=0
	until err=$(screen_tmux new-session -d -x "$cols" -y "$rows" -s test \
	    "env TERM=${SCREEN_TERM:-xterm-256color} TZ=UTC LANG=${SCREEN_LANG:-C.UTF-8} LC_ALL=${SCREEN_LANG:-C.UTF-8} ${SCREEN_ENV:-} $cmd; echo \"[exit \$?]\"; sleep 600" 2>&1); do
		tries=$((tries + 1))
		[ $tries -lt 3 ] ||
			bail "tmux cannot start a window: $(printf '%s' "$err" | tr '\n' ' ')"
		screen_tmux kill-server >/dev/null 2>&1
		sleep 0.5
		SCREEN_STARTS=$((SCREEN_STARTS + 1))
		SCREEN_SOCK="$SCREEN_TMP/tmux.$SCREEN_STARTS.sock"
	done
	SCREEN_SOCKS="${SCREEN_SOCKS:-} $SCREEN_SOCK"
	SCREEN_SIDS="${SCREEN_SIDS:-} $(screen_tmux list-panes -t test -F '#{pane_pid}' 2>/dev/null)"
	screen_tmux set-option -t test status off >/dev/null
	screen_tmux set-option -g window-size manual >/dev/null 2>&1
	screen_tmux resize-window -t test -x "$cols" -y "$rows" >/dev/null 2>&1
}

# Each name's socket is kept in screen_sock_NAME while another is used.
screen_use() {
	eval "screen_sock_${SCREEN_NAME:-test}=\$SCREEN_SOCK"
	SCREEN_NAME=$1
	eval "SCREEN_SOCK=\${screen_sock_$1:-\$SCREEN_TMP/tmux.$1.none.sock}"
}

screen_keys() {
	screen_tmux send-keys -t test "$@"
}

screen_resize() {
	screen_tmux resize-window -t test -x "$1" -y "$2"
}

screen_signal() {
	# The pane is a session of its own: signal only maintop inside it.
	sid=$(screen_tmux list-panes -t test -F '#{pane_pid}')
	pkill -"$1" -s "$sid" -x maintop
}

screen_capture() {
	screen_tmux capture-pane -p -t test "$@"
}

screen_wait() {
	i=0
	while [ $i -lt 50 ]; do
		if screen_capture | grep -qF -- "$1"; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

screen_tap() {
	SCREEN_N=$((SCREEN_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $SCREEN_N - $2"
	else
		echo "not ok $SCREEN_N - $2"
		SCREEN_FAILED=$((SCREEN_FAILED + 1))
	fi
}

screen_ok() {
	screen_tap "$1" "$2"
}

screen_expect() {
	screen_expect_norm cat "$@"
}

# FILTER masks what varies from run to run (ports, dates, run ids);
# UPDATE_SCREENS=1 writes the expected screen instead of failing.
screen_expect_norm() {
	norm=$1 name=$2 desc=$3 want="$SCREEN_DIR/expected/$2.txt"
	got="$SCREEN_TMP/$2.got"
	i=0
	while :; do
		# capture-pane keeps trailing blanks on no line; compare as is.
		screen_capture | "$norm" > "$got"
		if [ -f "$want" ] && cmp -s "$got" "$want"; then
			screen_tap 0 "$desc"
			return 0
		fi
		i=$((i + 1))
		[ $i -ge 100 ] && break
		# A new screen is written as it is: what shows for a
		# moment (a notice) would be gone after the wait.
		[ -n "${UPDATE_SCREENS:-}" ] && [ ! -f "$want" ] && break
		sleep 0.1
	done
	if [ -n "${UPDATE_SCREENS:-}" ]; then
		cp "$got" "$want"
		screen_tap 0 "$desc (expected screen written)"
		return 0
	fi
	screen_tap 1 "$desc"
	if [ -f "$want" ]; then
		diff -u "$want" "$got" | sed 's/^/# /'
	else
		echo "# no expected screen $want; got:"
		sed 's/^/# /' "$got"
	fi
	return 1
}

screen_run_norm() {
	sed -E -e 's/[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}/RUNID/g' \
	    -e "s#$SCREEN_TMP#TMP#g" \
	    -e 's/[0-9]+(m[0-9]{2})?s( |$)/Ns\2/g' \
	    -e "s/ by $(id -un), / by USER, /" \
	    -e 's/process [0-9]+/process PID/g'
}

screen_health_norm() {
	sed -e '/● /s/latency [0-9].*$/latency N ms > 100 ms.../' \
	    -e '/● /s/ [0-9][0-9]* in [0-9.]*[^0-9].*$/ STATUS in N ms.../' \
	    -e '/● /s/<\{0,1\}[0-9][0-9]* ms  */N ms  /g' \
	    -e '/● /s/after [0-9]* ms/after N ms/' \
	    -e 's/127\.0\.0\.1:[0-9][0-9]*/127.0.0.1:PORT/g' \
	    -e '/● /s/▂\|▃\|▄\|▅\|▆\|▇\|█/▁/g'
}

screen_with_http() {
	SERVERS_NO_TRAP=1
	. "$top_srcdir/tests/lib/servers.sh"
	trap 'servers_stop_all; screen_cleanup' EXIT
	trap 'servers_stop_all; screen_cleanup; trap - EXIT; exit 143' INT TERM HUP
	servers_require http
	"$MAINTOP" --version >/dev/null 2>&1 || bail "$MAINTOP does not run"
	servers_start_http || bail "the test HTTP server did not start"
}

screen_done() {
	echo "1..$SCREEN_N"
	[ "$SCREEN_FAILED" -eq 0 ]
}
