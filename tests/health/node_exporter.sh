#!/bin/sh
# The recipes of doc/node-exporter.conf against a real
# prometheus-node-exporter started here on a loopback port (the package's
# own service plays no part): CPU busy %, memory available %, filesystem
# used % and load per core, each within a tolerance of what /proc and df
# say over the same moments.  TAP.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/health/common.sh"

hc_init curl prometheus-node-exporter
if ! servers_start_node_exporter; then
	bail "prometheus-node-exporter did not start"
fi
NE=$NODE_EXPORTER_URL_TEST

# The recipes use mountpoint "/"; where the node exporter does not list
# it (an overlay root is left out), the first mount point it lists.
mp=/
if ! curl -s "$NE/metrics" | grep -q '^node_filesystem_size_bytes{.*mountpoint="/"}'; then
	mp=$(curl -s "$NE/metrics" |
	    sed -n 's/^node_filesystem_size_bytes{.*mountpoint="\([^"]*\)".*/\1/p' |
	    head -n 1)
fi
check "the node exporter lists a file system ($mp)" test -n "$mp"
{
	echo "settings = { timeout = \"5s\"; state_dir = \"$HC_TMP/state\"; };"
	sed -e "s|http://127.0.0.1:9100|$NE|" \
	    -e "s|mountpoint=\\\\\"/\\\\\"|mountpoint=\\\\\"$mp\\\\\"|g" \
	    "$top_srcdir/doc/node-exporter.conf"
} | hc_conf
check "the recipe file validates" "$MAINTOP" validate -c "$HC_CONF"

# Figures of /proc and df.
stat_line() {
	awk '$1 == "cpu" { print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $5 }' \
	    /proc/stat
}
loadavg() {
	cut -d ' ' -f 1 /proc/loadavg
}
ncpu=$(grep -c '^cpu[0-9]' /proc/stat)

s0=$(stat_line)
hc_run
check "first run: every other figure read (not unknown)" \
    test "$(hc_get host .state)" != unknown
is "first run: no CPU use yet (a rate needs two)" \
    "$(hc_fig host cpu_busy)" unavailable
check "first run: says so" \
    sh -c 'jq -r ".[0].message" "$1" | grep -q "cpu_busy: first sample"' \
    sh "$HC_OUT"
# Wait for at least 3 s of CPU time between the two runs.
t0=$(date +%s)
while [ $(($(date +%s) - t0)) -lt 4 ]; do
	sleep 1
done
l0=$(loadavg)
hc_run
l1=$(loadavg)
s1=$(stat_line)
mem_proc=$(awk '$1 == "MemTotal:" { t = $2 } $1 == "MemAvailable:" { a = $2 }
    END { printf "%.3f", 100 * a / t }' /proc/meminfo)
fs_proc=$(df -P -B1 "$mp" | awk 'NR == 2 { printf "%.3f", 100 * (1 - $4 / $2) }')

busy=$(hc_fig host cpu_busy)
busy_proc=$(echo "$s0 $s1" | awk '{ printf "%.3f", 100 * (1 - ($4 - $2) / ($3 - $1)) }')
near "CPU busy % against /proc/stat over the same seconds" "$busy" \
    "$busy_proc" 15
check "CPU busy % is a percentage" \
    awk -v b="$busy" 'BEGIN { exit !(b >= 0 && b <= 100) }'
near "memory available % against /proc/meminfo" \
    "$(hc_fig host mem_available)" "$mem_proc" 2
near "file system used % against df $mp" "$(hc_fig host root_used)" \
    "$fs_proc" 0.5
lpc=$(hc_fig host load_per_core)
check "load per core ($lpc) is load1 $l0..$l1 over $ncpu CPUs" \
    awk -v v="$lpc" -v a="$l0" -v b="$l1" -v n="$ncpu" 'BEGIN {
	lo = (a < b ? a : b) / n - 0.01; hi = (a > b ? a : b) / n + 0.01
	exit !(v >= lo && v <= hi) }'
# The state is what the recipe's ranges make of these figures (a loaded
# machine may well be over its load per core).
want=$(awk -v b="$busy" -v m="$(hc_fig host mem_available)" \
    -v f="$(hc_fig host root_used)" -v l="$lpc" 'BEGIN {
	if (b > 98 || m < 5 || f > 90 || l > 3) print "crit"
	else if (b > 90 || m < 10 || f > 80 || l > 1.5) print "warn"
	else print "ok" }')
is "second run: the state the ranges give ($want)" "$(hc_get host .state)" \
    "$want"
is "units: percent for the shares" \
    "$(hc_get host '.units.cpu_busy + .units.mem_available + .units.root_used')" \
    "%%%"

hc_text
# The load may have crossed a limit since: the exit status agrees with
# this run's own first line.
case $(head -c 4 "$HC_OUT") in OK\ -) rc=0 ;; WARN) rc=1 ;; CRIT) rc=2 ;; *) rc=3 ;; esac
is "line mode: the exit status of its first line ($rc)" "$HC_RC" "$rc"
check "line mode: OK, WARNING or CRITICAL" test "$rc" != 3
check "line mode: perfdata in percent with the recipe's ranges" \
    grep -q "'host mem_available'=[0-9.]*%;10:;5: " "$HC_OUT"
check "line mode: load per core with its limits" \
    grep -q "'host load_per_core'=[0-9.]*;1.5;3" "$HC_OUT"

# Thresholds that fire: memory available below 101% is always critical.
sed -e 's/warn = "10:"; crit = "5:";/warn = "102:"; crit = "101:";/' \
    "$HC_CONF" >"$HC_TMP/fire.conf"
HC_RC=0
"$MAINTOP" check -c "$HC_TMP/fire.conf" --json >"$HC_OUT" 2>"$HC_ERR" ||
    HC_RC=$?
is "memory available below 102%: crit" "$HC_RC" 2
check "the message names mem_available below 101%" \
    sh -c 'jq -r ".[0].message" "$1" | grep -q "mem_available [0-9.]*% < 101"' \
    sh "$HC_OUT"

hc_done
