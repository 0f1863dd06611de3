#!/bin/sh
# Passwords that cannot be read, with real PostgreSQL and Redis servers
# that need them.  "maintop check": password_env unset or the file emptied
# is unknown (exit 3), never a crash; a file deleted, mode 0644 or a FIFO is
# refused at load (exit 3) without waiting on the FIFO.  The dashboard: the
# file deleted, emptied, made 0644 or replaced by a FIFO before a
# reconnect makes both checks unknown with the reason, keys still answer,
# nothing crashes (the suite's sanitizers see every path), and it recovers
# when the file is right again.  maintop never leaves a core file: its core
# limit is 0.  TAP.
SERVERS_NO_TRAP=1
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/screen/lib.sh"
. "$top_srcdir/tests/lib/servers.sh"
trap 'servers_stop_all; screen_cleanup' EXIT
trap 'servers_stop_all; screen_cleanup; trap - EXIT; exit 143' INT TERM HUP

servers_require pg redis redis-cli
"$MAINTOP" --version >/dev/null 2>&1 || bail "$MAINTOP does not run"
if ! servers_start_pg || ! servers_start_redis auth; then
	bail "the test servers did not start"
fi

run=$SCREEN_TMP/run
pw=$run/pw
mkdir -p "$run/state"
# One file for both servers: each is given the same password.
REDIS_PW=$REDIS_PASSWORD_TEST
redis-cli -h 127.0.0.1 -p "$REDIS_AUTH_PORT_TEST" --no-auth-warning \
    -a "$REDIS_PW" CONFIG SET requirepass "$PG_MONITOR_PASSWORD" >/dev/null ||
    bail "redis-cli cannot set the password"
rcli() {
	redis-cli -h 127.0.0.1 -p "$REDIS_AUTH_PORT_TEST" --no-auth-warning \
	    -a "$PG_MONITOR_PASSWORD" "$@"
}
good_pw() {
	rm -f "$pw"
	printf '%s\n' "$PG_MONITOR_PASSWORD" >"$pw"
	chmod 600 "$pw"
}
conf() {
	cat >"$run/maintop.conf" <<EOF
settings = { name = "secrets"; timezone = "UTC"; state_dir = "state";
  fail_after = 1; recover_after = 1; };
redis = ( { name = "cache"; port = $REDIS_AUTH_PORT_TEST; interval = "1s";
  timeout = "2s"; $1 } );
postgres = ( { name = "db"; conninfo = "$PG_CONNINFO_TEST"; interval = "1s";
  timeout = "2s"; $1 } );
EOF
}

# --- maintop check -----------------------------------------------------------

# checked DESC: maintop check exits 3 with both checks unknown, no crash.
checked() {
	_rc=0
	timeout 20 "$MAINTOP" check -c "$run/maintop.conf" >"$run/out" \
	    2>"$run/err" || _rc=$?
	[ "$_rc" = 3 ]
	screen_ok $? "check, $1: exit 3 (unknown; got $_rc)"
	! grep -q "Sanitizer" "$run/err"
	screen_ok $? "check, $1: no sanitizer report"
}
unset MAINTOP_NO_SUCH_PW
conf 'password_env = "MAINTOP_NO_SUCH_PW";'
checked "password_env unset"
grep -q "UNKNOWN - cache password: environment variable" "$run/out"
screen_ok $? "check, password_env unset: says so"
good_pw
conf "password_file = \"$pw\";"
: >"$pw"
checked "password_file emptied"
grep -q "UNKNOWN - db password: .* is empty" "$run/out"
screen_ok $? "check, password_file emptied: says so"
rm -f "$pw"
checked "password_file deleted"
good_pw
chmod 644 "$pw"
checked "password_file 0644"
rm -f "$pw"
mkfifo -m 600 "$pw"
checked "password_file a FIFO (nothing waits on it)"
grep -q "maintop.conf:[0-9]*: error: password_file .* not a regular" \
    "$run/err"
screen_ok $? "check, FIFO: the configuration names the file and line"

# --- the dashboard, the file changed before a reconnect ----------------------

good_pw
cd "$run" || exit 1
screen_start 120 24 "$MAINTOP" -c maintop.conf
cd - >/dev/null || exit 1
screen_keys 2 z
state() {
	screen_capture | awk -v n="$1" '$2 == n { print $3; exit }'
}
# wait_state STATE: until both checks show STATE (a prefix: the column
# may cut it), 30 s at most.
wait_state() {
	_i=0
	until case "$(state cache) $(state db)" in "$1"*" $1"*) true ;;
	    *) false ;; esac; do
		[ "$_i" -lt 300 ] || return 1
		sleep 0.1
		_i=$((_i + 1))
	done
}
wait_state ok
screen_ok $? "dashboard: both ok with the password file"
sid=$(screen_tmux list-panes -t test -F '#{pane_pid}')
pid=$(pgrep -s "$sid" -x maintop)
grep -Eq "^Max core file size +0 +0 " "/proc/$pid/limits"
screen_ok $? "dashboard: no core file (core limit 0)"
if [ "$(id -u)" != 0 ]; then
	[ "$(stat -c %u "/proc/$pid/fd")" = 0 ]
	screen_ok $? "dashboard: not dumpable (/proc/PID/fd owned by root)"
fi

# reconnect: both servers drop maintop's connections.
reconnect() {
	rcli CLIENT KILL TYPE normal >/dev/null
	servers_psql -c "SELECT pg_terminate_backend(pid) FROM
	    pg_stat_activity WHERE application_name = 'maintop'" >/dev/null
}
for how in deleted emptied 0644 FIFO; do
	case $how in
	deleted) rm -f "$pw" ;;
	emptied) : >"$pw" ;;
	0644) chmod 644 "$pw" ;;
	FIFO) rm -f "$pw"; mkfifo -m 600 "$pw" ;;
	esac
	reconnect
	wait_state unkn
	screen_ok $? "dashboard, password file $how: both unknown"
	[ -n "${SECRETS_DEBUG:-}" ] && screen_capture >&2
	screen_keys '?'
	screen_wait "maintop keys"
	screen_ok $? "dashboard, password file $how: keys answer"
	screen_keys Escape
	kill -0 "$pid" 2>/dev/null
	screen_ok $? "dashboard, password file $how: still running"
	good_pw
	wait_state ok
	screen_ok $? "dashboard, password file $how: ok again once it is right"
done
screen_keys q
screen_done
