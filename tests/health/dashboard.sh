#!/bin/sh
# The dashboard (in tmux, tests/screen/lib.sh) probing real servers every
# second: Redis and PostgreSQL stopped mid-run turn crit and recover when
# they come back on the same port, with no file descriptor leaked and no
# crash; an HTTP health endpoint toggled to 503 and back; and a Prometheus
# counter shown as a rate once there are two samples.  TAP.
SERVERS_NO_TRAP=1
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/screen/lib.sh"
. "$top_srcdir/tests/lib/servers.sh"
trap 'servers_stop_all; screen_cleanup' EXIT
trap 'servers_stop_all; screen_cleanup; trap - EXIT; exit 143' INT TERM HUP

servers_require pg redis http curl
. "$top_srcdir/tests/lib/tap.sh"
"$MAINTOP" --version >/dev/null 2>&1 || bail "$MAINTOP does not run"
if ! servers_start_pg || ! servers_start_redis || ! servers_start_http; then
	bail "the test servers did not start"
fi

run=$SCREEN_TMP/run
mkdir -p "$run/state"
cat >"$run/maintop.conf" <<EOF
settings = { name = "restart-test"; timezone = "UTC"; state_dir = "state"; };
redis = ( { name = "cache"; port = $REDIS_PORT_TEST; interval = "1s";
  timeout = "1s"; } );
postgres = ( { name = "db"; conninfo = "$PG_CONNINFO_TEST";
  password_file = "$PG_MONITOR_PASSFILE"; interval = "1s"; timeout = "2s"; } );
http = (
  { name = "web"; url = "$HTTP_URL_TEST/health"; interval = "1s"; },
  { name = "rates"; url = "$HTTP_URL_TEST/metrics"; interval = "1s";
    metrics = ( { name = "req_rate"; select = "http_requests_total";
      rate = true; } ); }
);
EOF

# state NAME: the state column of check NAME in the zoomed Health list.
state() {
	screen_capture | awk -v n="$1" '$2 == n { print $3; exit }'
}
# wait_state NAME STATE [SECONDS]: until check NAME shows STATE (30 s).
wait_state() {
	_i=0
	while [ "$(state "$1")" != "$2" ] && [ "$_i" -lt "$((${3:-30} * 10))" ]
	do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ "$(state "$1")" = "$2" ]
}
# The number of open descriptors of maintop.
nfds() {
	ls "/proc/$pid/fd" 2>/dev/null | wc -l
}

cd "$run" || exit 1
# Dumpable, so that its /proc/PID/fd can be read by the same user.
screen_start 120 30 env MAINTOP_DUMPABLE=1 sh -c 'echo $$ >maintop.pid; exec "$0" "$@"' \
    "$MAINTOP" -c maintop.conf
screen_wait "restart-test" >/dev/null
pid=$(cat maintop.pid)
screen_keys 2 z
for c in cache db web rates; do
	wait_state "$c" ok
	screen_ok $? "$c turns ok"
done
sleep 2
fds=$(nfds)

# --- Redis stops and comes back ----------------------------------------------

servers_stop redis
wait_state cache crit
screen_ok $? "Redis stopped: cache turns crit"
screen_capture | grep -q 'cache .*\(cannot connect\|connection lost\|next try\)'
screen_ok $? "Redis stopped: the message says it cannot connect"
servers_restart redis
wait_state cache ok
screen_ok $? "Redis back on the same port: cache recovers"

# --- PostgreSQL stops and comes back -----------------------------------------

servers_stop pg
wait_state db crit
screen_ok $? "PostgreSQL stopped: db turns crit"
servers_start_pg
wait_state db ok
screen_ok $? "PostgreSQL back on the same port: db recovers"

# --- an HTTP endpoint fails and recovers -------------------------------------

curl -s -X POST -o /dev/null "$HTTP_URL_TEST/toggle"
wait_state web crit
screen_ok $? "/health answers 503: web turns crit"
screen_capture | grep -q 'web .*unexpected status 503'
screen_ok $? "... with the status in the message"
curl -s -X POST -o /dev/null "$HTTP_URL_TEST/toggle"
wait_state web ok
screen_ok $? "/health answers 200 again: web recovers"

# --- nothing leaked, nothing crashed -----------------------------------------

sleep 2
after=$(nfds)
[ "$fds" -gt 0 ] && [ "$after" -eq "$fds" ]
screen_ok $? "as many descriptors after the restarts as before ($fds, now $after)"
[ -d "/proc/$pid" ]
screen_ok $? "maintop still runs"

# --- a counter as a rate -----------------------------------------------------

# Select "rates" (the fourth row) and open its details.
screen_keys g j j j Enter
screen_wait "rates (http)" >/dev/null
screen_ok $? "Enter opens the details of rates"
i=0
while ! screen_capture | grep -q 'req_rate  *[0-9.]* /s' && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
screen_capture | grep -q 'req_rate  *[0-9.]* /s'
screen_ok $? "the counter is shown as a per-second rate"
screen_capture | grep 'req_rate' | sed 's/^/# /'

screen_keys Escape q q
screen_wait "[exit 0]" >/dev/null
screen_ok $? "Esc, q unzooms, q quits: maintop exits with status 0"

screen_done
