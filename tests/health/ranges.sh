#!/bin/sh
# Threshold ranges judged by maintop and by a real monitoring plugin: the
# same -w and -c ranges given to Debian's check_procs, counting processes
# started here, and to maintop, reading the same count as a metric from
# the test HTTP server; every verdict must agree.  Also perfdata that
# writes the ranges as configured.  TAP.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/health/common.sh"

CHECK_PROCS=/usr/lib/nagios/plugins/check_procs
if [ ! -x "$CHECK_PROCS" ]; then
	echo "1..0 # SKIP $CHECK_PROCS is missing (monitoring-plugins-basic)"
	exit 0
fi
hc_init http
hc_http

# Three processes with a command name of their own.
NAME=mtrange$$
cp /bin/sleep "$HC_TMP/$NAME"
kids=
for i in 1 2 3; do
	"$HC_TMP/$NAME" 600 &
	kids="$kids $!"
done
trap 'kill $kids 2>/dev/null; servers_stop_all' EXIT
tries=0
while [ "$("$CHECK_PROCS" -C "$NAME" | sed -n 's/^PROCS [A-Z]*: \([0-9]*\) process.*/\1/p')" != 3 ]; do
	tries=$((tries + 1))
	if [ $tries -gt 100 ]; then
		echo "Bail out! check_procs does not see the three processes"
		exit 1
	fi
	sleep 0.05
done

# Every range form around the count (3), as warning and as critical.
RANGES='2 3 4 0 3: 4: ~:2 ~:3 2:4 4:6 1:2 3:3 @2:4 @4:6 @3 @~:2 @~:3 @3: @4: @0:1'

# The count as a metric: the test server echoes a POST body, whose one
# valid Prometheus line is "procs 3".
{
	echo 'settings = { timeout = "5s"; };'
	echo 'http = ('
	i=0
	for r in $RANGES; do
		for lvl in warn crit; do
			i=$((i + 1))
			printf '  { name = "r%d"; url = "%s/echo"; method = "POST";\n' \
			    $i "$U"
			printf '    body = "procs 3\\n"; metrics = ( { name = "procs";\n'
			printf '    select = "procs"; %s = "%s"; } ); },\n' $lvl "$r"
		done
	done
	echo '  { name = "perf"; url = "'"$U"'/echo"; method = "POST";'
	echo '    body = "procs 3\n"; latency_warn = "~:1s"; latency_crit = 5;'
	echo '    metrics = ( { name = "procs"; select = "procs";'
	echo '      warn = "@2:4"; crit = "~:10"; } ); }'
	echo ');'
} | hc_conf
hc_run
is "maintop check ran every range" "$(jq length "$HC_OUT")" \
    $(($(echo $RANGES | wc -w) * 2 + 1))

i=0
for r in $RANGES; do
	for lvl in warn crit; do
		i=$((i + 1))
		if [ $lvl = warn ]; then
			"$CHECK_PROCS" -C "$NAME" -w "$r" >"$HC_TMP/plugin" 2>&1
		else
			"$CHECK_PROCS" -C "$NAME" -c "$r" >"$HC_TMP/plugin" 2>&1
		fi
		prc=$?
		case $prc in
		0) want=ok ;;
		1) want=warn ;;
		2) want=crit ;;
		*) want="unknown ($(head -n 1 "$HC_TMP/plugin"))" ;;
		esac
		is "$lvl \"$r\" on 3: check_procs says $want" \
		    "$(hc_get r$i .state)" "$want"
	done
done

hc_text perf
is "perfdata writes the ranges as configured" \
    "$(sed -n "s/.*\('perf procs'=[^ ]*\).*/\1/p" "$HC_OUT")" \
    "'perf procs'=3;@2:4;~:10"
check "latency ranges in seconds: ~:1 and a plain 5" \
    grep -q "'perf latency'=[0-9.]*s;~:1;5 " "$HC_OUT"
hc_done
