#!/bin/sh
# Screen tests of the Health details view: its figures written by the one
# rule for numbers (util_format_quantity: 0.39, 1.2 s, 118 MiB, 88%, 37,
# never 0.391281 or 117.7 MiB) with their limits beside them ("warn 80%"),
# and a long message and last error wrapped to the pane, not cut, at 80x24
# and at 120x40.  The check is an exec check: a script printing a fixed
# message and perfdata, so that the screens do not move.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/screen/lib.sh"

"$MAINTOP" --version >/dev/null 2>&1 || bail "$MAINTOP does not run"
plugin="$SCREEN_TMP/figures"
cat > "$plugin" <<'EOP'
#!/bin/sh
echo "WARNING - dead_ratio 0.391281 >= 0.25 on orders, after autovacuum last ran at 02:00 and found 1,234,567 dead tuples in 3,155,023 live ones; a manual VACUUM (ANALYZE) in the next window is advised | dead_ratio=0.391281;0.25;0.5 busy=1.234567s;1;2 size=123456789B used=87.5%;80;90 count=42c temp=36.66666"
exit 1
EOP
chmod +x "$plugin"
conf="$SCREEN_TMP/details.conf"
# One probe (interval 1h): the screen does not move.
cat > "$conf" <<EOC
settings = { name = "details"; timezone = "UTC"; refresh = "1h"; };
exec = ( { name = "orders-db"; command = [ "$plugin" ]; } );
EOC
"$MAINTOP" validate -c "$conf" >/dev/null 2>&1 || bail "the test configuration does not validate"
SCREEN_ENV="XDG_STATE_HOME=$SCREEN_TMP/state"

# What varies from run to run: the temporary directory, the run time (the
# latency), the real dates of the result and the sparkline's height.
details_norm() {
	sed -e "s#$SCREEN_TMP#TMP#g" \
	    -e 's/latency [^ ]* m\{0,1\}s /latency N ms /' \
	    -e 's/20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-9:]*Z/DATE/g' \
	    -e 's/ for [^ ]* (since DATE)/ for T (since DATE)/' \
	    -e 's/▂\|▃\|▄\|▅\|▆\|▇\|█/▁/g'
}

for size in 80x24 120x40; do
	screen_start "${size%x*}" "${size#*x}" "$MAINTOP" -c "$conf" \
	    --now "2026-11-25T10:00:00Z"
	screen_wait "WARN orders-db" >/dev/null ||
	    bail "the exec check gave no result"
	screen_keys 2 Enter Enter
	screen_wait "last error" >/dev/null
	screen_expect_norm details_norm "details-$size" \
	    "$size: figures by the one rule, the message and the last error wrapped whole"
done
screen_capture | grep -q "0\.391281 *warn\|117\.7\|87\.5 %\|36\.7"
screen_ok $((! $?)) "no figure printed by a formatter of the view's own"
screen_done
