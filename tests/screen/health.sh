#!/bin/sh
# Never block: the dashboard with PostgreSQL, Redis and HTTP checks whose
# servers accept connections and never answer (and, when a network
# namespace can be made here, whose address never answers SYN).  While the
# probes hang, keys move the selection, open details and the help at once;
# at the deadline each check turns crit with a timeout message that says
# what it was waiting for.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/screen/lib.sh"

: "${TESTHTTPD:=$top_builddir/tests/servers/testhttpd}"
command -v python3 >/dev/null 2>&1 ||
	skip_all "python3 not found: apt-get install python3"
[ -x "$TESTHTTPD" ] || bail "$TESTHTTPD is not built"
"$MAINTOP" --version >/dev/null 2>&1 || bail "$MAINTOP does not run"

fixture="$SCREEN_DIR/fixtures/health-hang.conf"
now="2020-01-01T00:00:00Z"	# before any result: "since" shows <1m
pids=
ns=

health_cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	if [ -n "$ns" ]; then
		ip netns delete "$ns" 2>/dev/null
	fi
	screen_cleanup
}
trap health_cleanup EXIT
trap 'health_cleanup; trap - EXIT; exit 143' INT TERM HUP

# hang_servers PREFIX: a listener that accepts and never reads, and
# testhttpd (whose /hang never answers), run with PREFIX (e.g. "ip netns
# exec NS"); sets HANG and HTTP to their ports.
hang_servers() {
	rm -f "$SCREEN_TMP/hang.port" "$SCREEN_TMP/http.ports"
	$1 python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(900)' "$SCREEN_TMP/hang.port" </dev/null >/dev/null 2>&1 &
	pids="$pids $!"
	$1 "$TESTHTTPD" --port-file "$SCREEN_TMP/http.ports" </dev/null \
	    >/dev/null 2>&1 &
	pids="$pids $!"
	i=0
	while { [ ! -s "$SCREEN_TMP/hang.port" ] ||
	    [ ! -s "$SCREEN_TMP/http.ports" ]; } && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	HANG=$(cat "$SCREEN_TMP/hang.port" 2>/dev/null)
	HTTP=$(awk '$1 == "PORT" { print $2 }' "$SCREEN_TMP/http.ports" \
	    2>/dev/null)
	[ -n "$HANG" ] && [ -n "$HTTP" ]
}

# make_conf TIMEOUT BLACKHOLE: the fixture with the ports filled in, with
# the blackholed checks when BLACKHOLE (an address) is not empty.
make_conf() {
	mkdir -p "$SCREEN_TMP/run/state"
	if [ -n "$2" ]; then
		bh='s/^@BH@//'
	else
		bh='/^@BH@/d'
	fi
	sed -e "s/@HANG@/$HANG/g" -e "s/@HTTP@/$HTTP/g" \
	    -e "s/@TIMEOUT@/$1/g" -e "s/@BLACKHOLE@/$2/g" -e "$bh" \
	    "$fixture" >"$SCREEN_TMP/run/health.conf"
}

# The pane with what varies from run to run replaced: ports, latencies
# (the time a probe took to time out: "2 s", or "2.1 s" on a loaded
# machine, as wide as it was), and real dates (of results).
health_norm() {
	sed -e 's/127\.0\.0\.1:[0-9][0-9]*/127.0.0.1:PORT/g' \
	    -e 's/[0-9][0-9]* ms/N ms/g' \
	    -e 's/latency [0-9][0-9.]* s /latency N s /' \
	    -e 's/ [0-9]\.[0-9] s / N s   /g' -e 's/ [0-9] s / N s /g' \
	    -e 's/20[0-9][0-9]-[01][0-9]-[0-3][0-9] [0-9:]* UTC/DATE/g' \
	    -e 's/20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-9:]*Z/DATE/g' \
	    -e 's/ for [^ ]* (since DATE)/ for T (since DATE)/'
}

# health_expect NAME DESCRIPTION: as screen_expect, on normalized panes.
health_expect() {
	screen_expect_norm health_norm "$@"
}

# dashboard COLS ROWS [PREFIX]: maintop on the filled-in fixture.
dashboard() {
	cd "$SCREEN_TMP/run" || exit 1
	screen_start "$1" "$2" ${3:-} "$MAINTOP" -c health.conf --now "$now"
	cd - >/dev/null || exit 1
}

# keys_while_hanging SUFFIX DESC: with every probe hanging (a deadline far
# away), keys act at once: focus and zoom, selection moves (seen in the
# detail of the third check), help.
keys_while_hanging() {
	screen_wait "probing..." >/dev/null
	screen_keys 2 z
	health_expect "health-hang-list$1" "$2: 2 z zooms Health, all probing"
	screen_keys j j Enter
	health_expect "health-hang-detail$1" \
	    "$2: j j Enter opens the third check at once"
	screen_keys Escape '?'
	health_expect "health-hang-help$1" "$2: ? opens the help at once"
	screen_keys Escape G Enter
	health_expect "health-hang-last$1" "$2: G Enter opens the last check"
	screen_keys Escape k
	screen_wait "probing..." >/dev/null
	screen_ok $? "$2: still probing after all that (the deadline is far)"
}

# --- on loopback -------------------------------------------------------------

if ! hang_servers ""; then
	bail "the hanging servers did not start"
fi

make_conf 60s ""
dashboard 120 24
keys_while_hanging "" "silent servers"
screen_keys Q

make_conf 2s ""
dashboard 120 24
screen_keys 2 z
screen_wait "timeout after 2s" >/dev/null
health_expect health-timeout "silent servers: crit with a timeout message at 2 s"
screen_keys Enter
health_expect health-timeout-detail \
    "the detail view shows the last error in full"
screen_keys Q

# --- an address that never answers SYN ---------------------------------------

# A network namespace of our own: a veth pair with 10.253.0.1/30 on one
# end and a permanent neighbour entry for 10.253.0.2 with a MAC address
# nobody has, so SYNs to 10.253.0.2 leave and are dropped by the other end.
ns=maintop-hang-$$
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null 2>&1 &&
    ip netns add "$ns" 2>/dev/null; then
	if ip -n "$ns" link set lo up &&
	    ip -n "$ns" link add bh0 type veth peer name bh1 &&
	    ip -n "$ns" addr add 10.253.0.1/30 dev bh0 &&
	    ip -n "$ns" link set bh0 up && ip -n "$ns" link set bh1 up &&
	    ip -n "$ns" neigh replace 10.253.0.2 lladdr 02:00:00:00:00:02 \
	    dev bh0 nud permanent; then
		# A 100% loss qdisc too, where the kernel has netem.
		tc -n "$ns" qdisc add dev bh0 root netem loss 100% \
		    >/dev/null 2>&1
	else
		ip netns delete "$ns" 2>/dev/null
		ns=
	fi
else
	ns=
fi
if [ -n "$ns" ] && ip netns exec "$ns" python3 -c '
import socket, sys
s = socket.socket(); s.settimeout(1)
try:
    s.connect(("10.253.0.2", 5432))
except socket.timeout:
    sys.exit(0)
sys.exit(1)' && hang_servers "ip netns exec $ns"; then
	make_conf 60s 10.253.0.2
	dashboard 120 24 "ip netns exec $ns"
	keys_while_hanging "-bh" "blackholed and silent servers"
	screen_keys Q

	make_conf 2s 10.253.0.2
	dashboard 120 24 "ip netns exec $ns"
	screen_keys 2 z
	screen_wait "timeout after 2s" >/dev/null
	health_expect health-timeout-bh \
	    "blackholed: crit with a timeout message (connecting) at 2 s"
	screen_keys Q
else
	echo "# no network namespace here: the blackholed address is skipped"
	for d in "blackholed: keys while hanging" \
	    "blackholed: crit with a timeout message"; do
		SCREEN_N=$((SCREEN_N + 1))
		echo "ok $SCREEN_N # SKIP $d (ip netns not permitted)"
	done
fi

screen_done
