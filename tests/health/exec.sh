#!/bin/sh
# Exec checks: Debian's monitoring plugins run without a shell (check_load,
# check_disk, check_procs, check_log), exit codes 0-3 as states, the first
# line as the message and perfdata as figures; a plugin that hangs is
# killed at its timeout with its children; one printing escape sequences
# never reaches the output raw; one printing 10 MB is cut; the turn limit;
# the environment without secrets; --no-exec and settings.exec_checks.
# TAP.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/health/common.sh"

P=/usr/lib/nagios/plugins
for plugin in check_load check_disk check_procs check_log; do
	if [ ! -x "$P/$plugin" ]; then
		echo "1..0 # SKIP $P/$plugin is missing (monitoring-plugins)"
		exit 0
	fi
done
hc_init
S=$HC_TMP/plugins
mkdir -p "$S" "$HC_TMP/turns"
MARK=mtexec$$
cp /bin/sleep "$S/$MARK-main"
cp /bin/sleep "$S/$MARK-child"
cat >"$S/hang" <<EOF
#!/bin/sh
# Hangs, with a child of its own, both named by the marker.
"$S/$MARK-child" 300 &
exec "$S/$MARK-main" 300
EOF
cat >"$S/escape" <<'EOF'
#!/bin/sh
printf '\033]0;pwned\007OK \033[2Jall \233fine\r| esc=1;2;3\n'
EOF
cat >"$S/huge" <<'EOF'
#!/bin/sh
echo "OK ten megabytes follow | big=10MB;;;0"
head -c 10000000 /dev/zero | tr '\0' x
EOF
cat >"$S/code" <<'EOF'
#!/bin/sh
echo "exit $1 | code=$1"
exit "$1"
EOF
cat >"$S/turn" <<EOF
#!/bin/sh
n=\$(ls "$HC_TMP/turns" | wc -l)
touch "$HC_TMP/turns/\$\$"
sleep 0.2
rm -f "$HC_TMP/turns/\$\$"
echo "OK others=\$n | others=\$n"
EOF
cat >"$S/env" <<'EOF'
#!/bin/sh
echo "OK secret=${MT_EXEC_SECRET:-absent} home=${HOME:+set}"
EOF
chmod +x "$S"/*
printf 'one\ntwo\n' >"$HC_TMP/app.log"

conf() {
	{
		printf 'settings = { timeout = "10s"; %s };\n' "${1:-}"
		echo 'redis = ( { name = "r"; password_env = "MT_EXEC_SECRET"; } );'
		echo 'exec = ('
		echo '  { name = "load"; command = [ "'$P'/check_load", "-w", "1000,1000,1000", "-c", "2000,2000,2000" ]; },'
		echo '  { name = "disk"; command = [ "'$P'/check_disk", "-w", "0%", "-c", "0%", "-p", "/" ]; },'
		echo '  { name = "procs"; command = [ "'$P'/check_procs", "-C", "'$MARK'x", "-w", "1:", "-c", "0:" ]; },'
		echo '  { name = "log"; command = [ "'$P'/check_log", "-F", "'$HC_TMP'/app.log", "-O", "'$HC_TMP'/app.old", "-q", "ERROR" ]; },'
		echo '  { name = "hang"; timeout = "1s"; command = [ "'$S'/hang" ]; },'
		echo '  { name = "escape"; command = [ "'$S'/escape" ]; },'
		echo '  { name = "huge"; command = [ "'$S'/huge" ]; },'
		echo '  { name = "warn"; command = [ "'$S'/code", "1" ]; },'
		echo '  { name = "unknown"; command = [ "'$S'/code", "3" ]; },'
		echo '  { name = "odd"; command = [ "'$S'/code", "7" ]; },'
		echo '  { name = "env"; command = [ "'$S'/env" ]; },'
		i=0
		while [ $i -lt 20 ]; do
			i=$((i + 1))
			echo '  { name = "turn'$i'"; command = [ "'$S'/turn" ]; },'
		done
		echo '  { name = "noprog"; command = [ "/bin/true" ]; }'
		echo ');'
	} | hc_conf
}
conf
export MT_EXEC_SECRET=hunter2-exec

hc_run load disk log
is "check_load: ok" "$(hc_get load .state)" ok
check "check_load: its first line is the message" \
    sh -c 'jq -r ".[] | select(.name == \"load\") | .message" "$1" | grep -q "^LOAD OK - total load average: "' sh "$HC_OUT"
near "check_load: load1 from its perfdata, as /proc/loadavg says" \
    "$(hc_fig load load1)" "$(cut -d' ' -f1 /proc/loadavg)" 1
is "check_load: its ranges kept" "$(hc_get load '.thresholds.load1 | "\(.warn) \(.crit)"')" "1000 2000"
is "check_disk: ok" "$(hc_get disk .state)" ok
check "check_disk: / used, in bytes, from MB perfdata" \
    sh -c 'test "$(jq -r ".[] | select(.name == \"disk\") | .units[\"/\"]" "$1")" = B && jq -e ".[] | select(.name == \"disk\") | .figures[\"/\"] > 1048576" "$1"' sh "$HC_OUT"
is "check_log: first run initialises, ok" "$(hc_get log .state)" ok
echo "ERROR disk on fire" >>"$HC_TMP/app.log"
hc_run log
is "check_log: a new ERROR line is critical (exit 2)" "$(hc_get log .state)" crit
check "check_log: the line in the message" \
    sh -c 'jq -r ".[0].message" "$1" | grep -q "ERROR disk on fire"' sh "$HC_OUT"

# The count check_procs sees, and maintop reads through the exec check.
cp /bin/sleep "$HC_TMP/${MARK}x"
"$HC_TMP/${MARK}x" 300 &
k1=$!
"$HC_TMP/${MARK}x" 300 &
k2=$!
trap 'kill $k1 $k2 2>/dev/null; servers_stop_all' EXIT
hc_run procs
is "check_procs through exec: its count as a figure" "$(hc_fig procs procs)" 2
is "check_procs: -w 1: -c 0: on 2: ok" "$(hc_get procs .state)" ok
kill $k1 $k2 2>/dev/null

# Look for the plugin's child while maintop waits for it.
saw=
# It looks until maintop has finished (a loaded machine may take seconds
# to start it), not for a fixed number of tries.
( i=0; while [ ! -e "$HC_TMP/hang-done" ] && [ $i -lt 6000 ]; do
	if ps -eo args | awk -v m="$S/$MARK-child" 'index($0, m) == 1 { f = 1 }
	    END { exit !f }'; then echo seen >"$HC_TMP/saw"; break; fi
	i=$((i + 1)); sleep 0.01; done ) &
watcher=$!
hc_run hang
: > "$HC_TMP/hang-done"
wait $watcher
saw=$(cat "$HC_TMP/saw" 2>/dev/null)
is "a hanging plugin: critical at its timeout" "$(hc_get hang .state)" crit
check "a hanging plugin: the message says timeout" \
    sh -c 'jq -r ".[0].message" "$1" | grep -q "timeout after 1s"' sh "$HC_OUT"
check "a hanging plugin: it did run (its child was seen)" \
    test -n "$saw"
gone=1
i=0
while ps -eo args | awk -v m="$S/$MARK-" 'index($0, m) == 1 { f = 1 }
    END { exit !f }'; do
	i=$((i + 1))
	if [ $i -gt 100 ]; then gone=0; break; fi
	sleep 0.05
done
ok $((1 - gone)) "a hanging plugin: it and its child are killed (the group)"

hc_text escape
is "escape sequences: ok" "$HC_RC" 0
check "escape sequences: no ESC, BEL, CSI or CR reaches the output" \
    sh -c '! grep -q "$(printf "\033")\|$(printf "\007")\|$(printf "\r")\|$(printf "\302\233")" "$1"' sh "$HC_OUT"
check "escape sequences: the text is kept" grep -q "all.*fine" "$HC_OUT"
hc_run escape
is "escape sequences: perfdata read" "$(hc_fig escape esc)" 1

hc_run huge
is "10 MB of output: ok, read to the end" "$(hc_get huge .state)" ok
check "10 MB of output: the message is the first line, cut is said" \
    sh -c 'jq -r ".[0].message" "$1" | grep -q "^OK ten megabytes follow (output cut at 64 KiB)$"' sh "$HC_OUT"
is "10 MB of output: perfdata in bytes" "$(hc_fig huge big)" 10485760

hc_run warn unknown odd
is "exit 1: warning" "$(hc_get warn .state)" warn
is "exit 3: unknown" "$(hc_get unknown .state)" unknown
is "exit 7: unknown" "$(hc_get odd .state)" unknown
check "exit 7: says it is not a plugin's code" \
    sh -c 'jq -r ".[] | select(.name == \"odd\") | .message" "$1" | grep -q "exit 7, not a plugin"' sh "$HC_OUT"

hc_run env
check "environment: the start-up one, without the checks' secrets" \
    sh -c 'jq -r ".[0].message" "$1" | grep -q "^OK secret=absent home=set$"' sh "$HC_OUT"

names=
i=0
while [ $i -lt 20 ]; do i=$((i + 1)); names="$names turn$i"; done
hc_run $names
is "20 plugins at once: all ok" \
    "$(jq '[.[] | select(.state == "ok")] | length' "$HC_OUT")" 20
check "20 plugins at once: never more than 8 running" \
    sh -c 'jq -e "[.[] | .figures.others] | max < 8" "$1"' sh "$HC_OUT"

"$MAINTOP" --no-exec check -c "$HC_CONF" load >"$HC_OUT" 2>&1
is "--no-exec: exit 3" "$?" 3
check "--no-exec: UNKNOWN saying why" \
    grep -q "^UNKNOWN - load exec checks are turned off (--no-exec)" "$HC_OUT"
conf 'exec_checks = false;'
hc_text load
check "settings.exec_checks = false: UNKNOWN saying why" \
    grep -q "^UNKNOWN - load exec checks are turned off (settings.exec_checks = false)" "$HC_OUT"

printf 'exec = ( { name = "x"; command = [ "check_load" ]; } );\n' >"$HC_TMP/bad.conf"
"$MAINTOP" validate -c "$HC_TMP/bad.conf" >/dev/null 2>"$HC_TMP/err"
check "a relative program refused at its line" \
    grep -q ":1: error: 'command' must start with the program's absolute path" "$HC_TMP/err"
hc_done
