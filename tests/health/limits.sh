#!/bin/sh
# Replies without end or beyond reason (tests/servers/hostile.py): Redis
# answering INFO with *2147483647, a bulk announcing 100 GB, an endless INFO
# or one with no Redis field; PostgreSQL with an endless ErrorResponse
# (during a query, and during the start-up instead of ReadyForQuery) or
# endless DataRows.  "maintop check" must end at its deadline with its
# memory bounded, and say crit or unknown, never ok.  TAP.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/health/common.sh"

hc_init python3
[ -x /usr/bin/time ] || skip_all "GNU time is not installed (apt-get install time)"
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; servers_stop_all' EXIT

modes="redis-array redis-bulk redis-info redis-nofield pg-error pg-rows pg-start-error"
for m in $modes; do
	python3 "$top_srcdir/tests/servers/hostile.py" "$m" "$HC_TMP/$m.port" \
	    </dev/null >/dev/null 2>&1 &
	pids="$pids $!"
done
for m in $modes; do
	i=0
	while [ ! -s "$HC_TMP/$m.port" ]; do
		[ $i -lt 100 ] || bail "the fake server $m did not start"
		sleep 0.1; i=$((i + 1))
	done
done
port() { cat "$HC_TMP/$1.port"; }

hc_conf <<EOF
settings = { timeout = "3s"; };
redis = (
  { name = "array"; port = $(port redis-array); },
  { name = "bulk"; port = $(port redis-bulk); },
  { name = "info"; port = $(port redis-info); },
  { name = "nofield"; port = $(port redis-nofield); } );
postgres = (
  { name = "pgerror"; conninfo = "host=127.0.0.1 port=$(port pg-error)
    dbname=x user=x sslmode=disable"; },
  { name = "pgrows"; conninfo = "host=127.0.0.1 port=$(port pg-rows)
    dbname=x user=x sslmode=disable"; },
  { name = "pgstart"; conninfo = "host=127.0.0.1
    port=$(port pg-start-error) dbname=x user=x sslmode=disable"; } );
EOF

# timed OUTFILE ARGS...: maintop check --json ARGS, with $secs and $kb set
# to the time it took and its largest resident size.
timed() {
	_out=$1
	shift
	/usr/bin/time -f '%e %M' -o "$HC_TMP/time" \
	    "$MAINTOP" check -c "$HC_CONF" --json "$@" >"$_out" 2>"$HC_ERR"
	read -r secs kb <<-EOF
	$(tail -n 1 "$HC_TMP/time")
	EOF
}
state() { jq -r '.[0].state' "$HC_TMP/$1.json"; }
says() {
	check "$1: $3" sh -c 'jq -r ".[0].message" "$1" | grep -q "$2"' sh \
	    "$HC_TMP/$1.json" "$2"
}

# Each check alone.  Memory: the Redis reader stops at 1 MiB and the
# PostgreSQL budget at 4 MiB, enforced within libpq's calls by the guard
# (pg_guard.c; without it a local flood reached 940 MiB here).  libpq
# allocates the gigabyte an ErrorResponse announces: untouched, but the
# sanitizers' shadow of it is about 130 MiB resident.
for c in array bulk info nofield pgerror pgrows pgstart; do
	case $c in pgerror|pgstart) max=262144 ;; *) max=307200 ;; esac
	timed "$HC_TMP/$c.json" "$c"
	echo "# $c: $secs s, $kb KiB resident; $(jq -r '.[0].message' \
	    "$HC_TMP/$c.json" 2>/dev/null)"
	check "$c: ended by its deadline (3 s; took $secs s)" \
	    awk -v s="$secs" 'BEGIN { exit !(s < 6) }'
	check "$c: memory bounded (under $((max / 1024)) MiB; $kb KiB)" \
	    test "$kb" -lt "$max"
done
is "*2147483647: crit" "$(state array)" crit
says array "larger than the limit" "refused as too large"
is "bulk of 100 GB: crit" "$(state bulk)" crit
says bulk "larger than the limit" "refused as too large"
is "endless INFO: crit, not ok" "$(state info)" crit
is "INFO with no Redis field: unknown, not ok" "$(state nofield)" unknown
says nofield "not a Redis INFO" "says why"
is "endless ErrorResponse: crit" "$(state pgerror)" crit
says pgerror "larger than the limit" "refused as too large"
is "endless DataRows: crit" "$(state pgrows)" crit
says pgrows "larger than the limit" "refused as too large"
is "endless ErrorResponse at start-up: crit" "$(state pgstart)" crit
says pgstart "larger than the limit" "refused as too large"

# All at once, as the dashboard probes them.
timed "$HC_OUT"
echo "# all seven: $secs s, $kb KiB resident"
check "all seven at once: by the deadline (took $secs s)" \
    awk -v s="$secs" 'BEGIN { exit !(s < 6) }'
# (libpq's reading on within one call grows with the machine's load.)
check "all seven at once: memory bounded ($kb KiB)" test "$kb" -lt 716800
is "all seven at once: none ok" \
    "$(jq '[.[] | select(.state == "ok")] | length' "$HC_OUT")" 0

# The team store's own connections (maintop store, and the dashboard's
# store threads) read under a guard too: a "store" answering the start-up
# with an ErrorResponse announcing a gigabyte is dropped at 64 MiB, within
# its connect_timeout, instead of being read whole (a dashboard's store
# thread, trying again and again, reached 3.4 GB).  The resident size is
# printed, not checked: under the sanitizers it is mostly the shadow of
# the buffer libpq allocates for the announced gigabyte.
cat >"$HC_TMP/store.conf" <<EOF
settings = { store = { conninfo = "host=127.0.0.1
    port=$(port pg-start-error) dbname=x user=x sslmode=disable"; }; };
EOF
/usr/bin/time -f '%e %M' -o "$HC_TMP/time" "$MAINTOP" store status \
    -c "$HC_TMP/store.conf" >/dev/null 2>"$HC_ERR"
rc=$?
read -r secs kb <<EOF
$(tail -n 1 "$HC_TMP/time")
EOF
echo "# store status: $secs s, $kb KiB resident, exit $rc"
check "a flooding store: refused (exit $rc)" test "$rc" -ne 0
check "... saying why" grep -q "more than 64 MiB" "$HC_ERR"
check "... by its connect_timeout (took $secs s)" \
    awk -v s="$secs" 'BEGIN { exit !(s < 10) }'
hc_done
