#!/bin/sh
# Keys answer while the disk is slow: with an LD_PRELOAD shim
# (tests/screen/slowio.so) that makes every open of the journal's files
# and every fsync of them or of a run log take SLOWIO_MS (3 s), the help
# opens and closes, and the console hides, while one of those calls is
# still in progress (the shim logs when each starts and ends), at start-up
# (recovery and the last runs read from the journal) and during a run (its
# records written).  The run's records still reach the journal, in order.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/screen/lib.sh"

shim="$top_builddir/tests/screen/slowio.so"
[ -f "$shim" ] || bail "the shim $shim is not built (make check builds it)"
conf="$SCREEN_DIR/fixtures/slowio.conf"
now="2026-11-25T10:00:00Z"
state="$SCREEN_TMP/state/maintop"
journal="$state/journal.jsonl"
log="$SCREEN_TMP/slowio.log"
mkdir -p "$state"
printf '%s\n' \
    '{"user":"alice","type":"run_start","run":"20261124T090000Z-000001","runbook":"quick","start":"2026-11-24T09:00:00Z"}' \
    '{"type":"run_end","run":"20261124T090000Z-000001","runbook":"quick","result":"success","end":"2026-11-24T09:00:01Z"}' \
    > "$journal"
# The shim is not built with the sanitizers: ASan need not come first.
SCREEN_ENV="XDG_STATE_HOME=$SCREEN_TMP/state LD_PRELOAD=$shim SLOWIO_MS=3000 SLOWIO_LOG=$log ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0"

export SLOWIO_LOG="$log"
. "$top_srcdir/tests/lib/slowio.sh"

screen_start 100 30 "$MAINTOP" -c "$conf" --now "$now"
screen_wait "Runbooks" && [ "$(slowio_ends)" = 0 ]
screen_ok $? "the first frame comes before the first slow read ends"
slowio_during '?' "maintop keys" "" "start-up: ? opens the help during a slow read"
slowio_during Escape "maintop keys" gone "start-up: Escape closes it during a slow read"

# The last run, once the reading is done: a positive event (60 s).
i=0
while ! screen_capture | grep -q "quick.*success"; do
	[ $i -lt 600 ] || break
	sleep 0.1
	i=$((i + 1))
done
screen_capture | grep -q "quick.*success"
screen_ok $? "the pane shows the last run once the journal is read"

# A run: its records are written slowly while the console answers.
screen_keys 4 Enter g
screen_keys Enter
screen_wait "Dry run"
screen_ok $? "Enter opens the console"
screen_keys Enter
slowio_during Escape "Run console" gone "a run: Escape hides the console during a slow write"
slowio_during '?' "maintop keys" "" "a run: ? opens the help during a slow write"
slowio_during Escape "maintop keys" gone "a run: Escape closes it during a slow write"

# Every record of the run, in order (90 s at most: each is slow).
i=0
while [ "$(grep -c '"type":"run_end"' "$journal")" -lt 2 ]; do
	[ $i -lt 900 ] || break
	sleep 0.1
	i=$((i + 1))
done
types=$(grep -v 20261124T090000Z "$journal" |
    sed -n 's/.*"type":"\([a-z_]*\)".*/\1/p' | tr '\n' ' ')
[ "$types" = "run_start step_start step_end run_end " ]
screen_ok $? "the run's records reached the journal in order ($types)"
screen_done
