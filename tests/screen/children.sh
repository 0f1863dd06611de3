#!/bin/sh
# A runbook step started from the dashboard gets the environment maintop
# was started with: not the TZ and ESCDELAY maintop sets for its own screen,
# and no check's secret variable.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/screen/lib.sh"

work="$SCREEN_TMP/work"
mkdir -p "$work"
cat > "$SCREEN_TMP/m.conf" <<EOC
settings = { state_dir = "$SCREEN_TMP/state"; };
redis = ( { name = "cache"; port = 1; password_env = "SCREEN_REDIS_PW"; } );
runbooks = ( { name = "env";
    steps = ( { name = "env"; confirm = false;
                run = "env > '$work/env.out'; echo env-written"; } ); } );
EOC
# The user's zone; no ESCDELAY (the dashboard sets one for itself).
SCREEN_ENV="TZ=America/New_York SCREEN_REDIS_PW=hunter2x"
screen_start 100 30 "$MAINTOP" -c "$SCREEN_TMP/m.conf"
screen_wait "Runbooks" >/dev/null
screen_keys 4 Enter g Enter
screen_wait "Dry run" >/dev/null
screen_keys Enter
screen_wait "Esc close"
screen_ok $? "the runbook ran from the dashboard"
test -s "$work/env.out"
screen_ok $? "its step wrote its environment"
grep -qx "TZ=America/New_York" "$work/env.out"
screen_ok $? "the step sees the user's TZ"
! grep -q "^TZ=UTC0" "$work/env.out"
screen_ok $? "not the TZ the dashboard set for itself"
! grep -q "^ESCDELAY=" "$work/env.out"
screen_ok $? "nor the ESCDELAY it set for curses"
! grep -q "SCREEN_REDIS_PW\|hunter2x" "$work/env.out"
screen_ok $? "nor a check's password variable"
screen_keys Escape q
screen_done
