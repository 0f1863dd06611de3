#!/bin/sh
# A run's secrets on a slow file system: with the shim tests/screen/slowio.so
# making every open of the files under "slow/" (a PostgreSQL check's
# password_file, and two more checks' files) take 3 s, as a hung NFS
# mount would, a dashboard run of a runbook with a sql step on that check
# reads every check's password at its start on the worker: the console
# hides, the help opens and closes while those reads are in progress.
# The run then succeeds against the suite's PostgreSQL with what was read,
# and the password, printed by the step, is masked on screen and in the
# run log.  TAP.
SERVERS_NO_TRAP=1
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/screen/lib.sh"
. "$top_srcdir/tests/lib/servers.sh"
trap 'servers_stop_all; screen_cleanup' EXIT
trap 'servers_stop_all; screen_cleanup; trap - EXIT; exit 143' INT TERM HUP

servers_require pg psql
shim="$top_builddir/tests/screen/slowio.so"
[ -f "$shim" ] || bail "the shim $shim is not built (make check builds it)"
"$MAINTOP" --version >/dev/null 2>&1 || bail "$MAINTOP does not run"
servers_start_pg >/dev/null 2>&1 || bail "PostgreSQL did not start"

run=$SCREEN_TMP/run
slow=$run/slow
mkdir -p "$run/state" "$slow"
pw=$PG_MONITOR_PASSWORD
for f in pw pw2 pw3; do
	printf '%s\n' "$pw" >"$slow/$f"
	chmod 600 "$slow/$f"
done
# The step prints the password without its text holding it.
head=$(printf '%s' "$pw" | cut -c1-6)
tail=$(printf '%s' "$pw" | cut -c7-)
cat >"$run/maintop.conf" <<EOF2
settings = { name = "slow-secrets"; timezone = "UTC"; state_dir = "state";
  fail_after = 1; recover_after = 1; };
postgres = (
  { name = "db"; conninfo = "$PG_CONNINFO_TEST"; interval = "1h";
    timeout = "60s"; password_file = "$slow/pw"; },
  { name = "db2"; conninfo = "$PG_CONNINFO_TEST"; interval = "1h";
    timeout = "60s"; password_file = "$slow/pw2"; },
  { name = "db3"; conninfo = "$PG_CONNINFO_TEST"; interval = "1h";
    timeout = "60s"; password_file = "$slow/pw3"; }
);
runbooks = (
  { name = "peek"; description = "One sql step on db";
    steps = ( { name = "echo"; confirm = false; on = "db";
      sql = "SELECT '$head' || '$tail' AS echoed"; } ); }
);
EOF2

export SLOWIO_LOG="$run/slowio.log"
. "$top_srcdir/tests/lib/slowio.sh"
# The shim is not built with the sanitizers: ASan need not come first.
SCREEN_ENV="LD_PRELOAD=$shim SLOWIO_MS=3000 SLOWIO_PATHS=$slow/ SLOWIO_LOG=$SLOWIO_LOG ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0"

cd "$run" || exit 1
screen_start 120 30 "$MAINTOP" -c maintop.conf
cd - >/dev/null || exit 1
# The probes' own reads first (a positive event: the three reads ended and
# db turned ok, 90 s).
i=0
until [ "$(slowio_ends)" -ge 3 ] &&
    screen_capture | awk '$2 == "db" { print $3 }' | grep -q '^ok'; do
	[ $i -lt 900 ] || break
	sleep 0.1
	i=$((i + 1))
done
screen_capture | awk '$2 == "db" { print $3 }' | grep -q '^ok'
screen_ok $? "db turns ok with the password read by its probe"
before=$(slowio_ends)

screen_keys 4 Enter g
screen_keys Enter
screen_wait "Dry run"
screen_ok $? "Enter opens the console"
screen_keys Enter
slowio_during Escape "Run console" gone \
    "a run: Escape hides the console while its secrets are read"
slowio_during '?' "maintop keys" "" \
    "a run: ? opens the help while its secrets are read"
slowio_during Escape "maintop keys" gone \
    "a run: Escape closes it while its secrets are read"
journal=$(find "$run/state" -name journal.jsonl | head -n 1)
i=0
until [ -n "$journal" ] && grep -q '"type":"run_end".*"result":"success"' \
    "$journal" 2>/dev/null; do
	[ $i -lt 900 ] || break
	sleep 0.1
	i=$((i + 1))
	journal=$(find "$run/state" -name journal.jsonl | head -n 1)
done
grep -q '"type":"run_end".*"result":"success"' "$journal" 2>/dev/null
screen_ok $? "the run succeeds against PostgreSQL with the password read"

[ "$(slowio_ends)" -gt "$before" ]
screen_ok $? "the run read the password file through the slow shim"

logs=$(find "$run/state" -path '*runs*' -type f)
[ -n "$logs" ] && grep -q 'echoed' $logs && grep -qF '******' $logs &&
    ! grep -qF "$pw" $logs
screen_ok $? "the password the step printed is masked in the run log"
! grep -rqF "$pw" "$run/state"
screen_ok $? "no file of the state directory holds the password"
screen_keys 4
screen_capture >"$run/screen.txt"
! grep -qF "$pw" "$run/screen.txt"
screen_ok $? "the screen does not show the password"
screen_keys q
screen_done
