#!/bin/sh
# Screen tests: runbook and step names of 40 to 60 characters are whole in
# the zoomed Runbooks pane at 120 columns (the list, the run console's
# checklist and its summary), the columns beside them moved right, not
# over them; a long description wraps under itself in the zoomed pane.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/screen/lib.sh"

conf="$SCREEN_DIR/fixtures/names.conf"
SCREEN_ENV="XDG_STATE_HOME=$SCREEN_TMP/state"

# Run ids, the temporary directory and durations vary from run to run.
names_normalize() {
	sed -E -e 's/[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}/RUNID/g' \
	    -e "s#$SCREEN_TMP#TMP#g" -e 's/ [0-9]+s( |$)/ Ns\1/g'
}

screen_start 120 30 "$MAINTOP" -c "$conf" --now "2026-11-25T10:00:00Z"
screen_wait "Runbooks" >/dev/null || bail "maintop did not draw its frame"
screen_keys 4 Enter
screen_expect names-list "zoomed at 120 columns: every runbook name whole, 59 columns at most"
screen_keys Enter
screen_wait "Dry run" >/dev/null
screen_keys Enter
screen_wait "waiting for you" >/dev/null
screen_expect_norm names_normalize names-checklist \
    "the console's checklist: step names of 44 and 57 columns whole, state and duration after them"
screen_keys y
screen_wait "Esc close" >/dev/null
screen_expect_norm names_normalize names-summary \
    "the summary: every step name whole, results in one column"
screen_keys Escape
screen_expect names-list-after \
    "after the run: the last result beside the long name, the descriptions in one column"

# A description longer than its column wraps under itself, each line in
# the column; the next runbook comes under it and j reaches it.
cat > "$SCREEN_TMP/long.conf" <<'EOF'
settings = { name = "screen-test"; timezone = "UTC"; };
runbooks = (
  { name = "failover";
    description = "Promote the standby in the other zone, repoint the pgbouncer pools at it, wait for the applications to reconnect, then rebuild the old primary as the new standby from a fresh base backup";
    steps = ( { name = "promote"; run = "true"; } ); },
  { name = "vacuum"; description = "VACUUM ANALYZE the orders table";
    steps = ( { name = "vacuum"; run = "true"; } ); }
);
EOF
screen_start 100 30 "$MAINTOP" -c "$SCREEN_TMP/long.conf" --now "2026-11-25T10:00:00Z"
screen_wait "Runbooks" >/dev/null
screen_keys 4 Enter
screen_expect names-wrapped "a long description wraps in its column, nothing cut"
screen_keys j Enter
screen_wait "Dry run" >/dev/null
screen_capture | grep -q "Run console: vacuum"
screen_ok $? "j moves past the wrapped lines to the next runbook"
screen_done
