#!/bin/sh
# requires_healthy levels against a real HTTP server (tests/lib/servers.sh):
# a runbook that accepts warn (the vacuum meant to fix a warn) runs on a
# warn check and is refused on a crit one; a runbook that needs ok is
# refused on warn, and --override-health runs it anyway; every refusal and
# the override (with its reason, who and where) are in the journal.
# Prints TAP.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
: "${MAINTOP:=./maintop}"
. "$top_srcdir/tests/lib/servers.sh"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/runbook.sh"
runbook_http_setup rbhealth

cat > "$dir/m.conf" <<EOC
settings = { state_dir = "$dir/state"; };
http = (
  { name = "slow"; url = "$U/slow?ms=400"; latency_warn = "100ms";
    latency_crit = "20s"; },
  { name = "broken"; url = "$U/status/500"; }
);
runbooks = (
  { name = "vacuum"; requires_healthy = ( { check = "slow"; worst = "warn"; } );
    steps = ( { name = "vacuum"; run = "touch $dir/vacuum.done"; } ); },
  { name = "vacuum-crit"; requires_healthy = ( { check = "broken"; worst = "warn"; } );
    steps = ( { name = "vacuum"; run = "touch $dir/vacuum-crit.done"; } ); },
  { name = "strict"; requires_healthy = [ "slow" ];
    steps = ( { name = "go"; run = "touch $dir/strict.done"; } ); }
);
EOC

"$MAINTOP" validate -c "$dir/m.conf" > /dev/null 2>&1
is "a requirement with a level validates" "$?" 0
"$MAINTOP" run vacuum -c "$dir/m.conf" --dry-run > "$dir/dry" 2>&1
check "the dry run shows the level" grep -q "requires healthy: slow (warn or better)" \
    "$dir/dry"

"$MAINTOP" run vacuum -c "$dir/m.conf" --yes < /dev/null > "$dir/out1" 2>&1
is "worst = warn: runs on a warn check (exit 0)" "$?" 0
check "the step ran" test -e "$dir/vacuum.done"

"$MAINTOP" run vacuum-crit -c "$dir/m.conf" --yes < /dev/null > "$dir/out2" 2>&1
is "worst = warn: refused on a crit check (exit 10)" "$?" 10
check "nothing ran" test ! -e "$dir/vacuum-crit.done"
check "it says which check, what it accepts and what it is" grep -q \
    "requires check 'broken' to be warn or better; it is crit" "$dir/out2"
check "the refusal is in the journal, with why" grep -q \
    '"runbook":"vacuum-crit","result":"refused".*"reason":"runbook .vacuum-crit. requires check .broken.' \
    "$j"
check "and who asked" grep -q \
    '"user":"[^"]*".*"type":"run_start".*"runbook":"vacuum-crit"' \
    "$j"

"$MAINTOP" run strict -c "$dir/m.conf" --yes < /dev/null > "$dir/out3" 2>&1
is "a plain requirement: refused on warn" "$?" 10
check "and says how to override" grep -q "override with --override-health" \
    "$dir/out3"
"$MAINTOP" run strict -c "$dir/m.conf" --yes \
    --override-health "replica checked by hand" < /dev/null > "$dir/out4" 2>&1
is "--override-health: it runs" "$?-$(test -e "$dir/strict.done" && echo ran)" \
    "0-ran"
check "the override is in the journal with its reason and what it overrode" \
    grep -q '"overrides":\["health"\],"override_reason":"replica checked by hand","overridden":"slow is warn"' "$j"
log=$(sed -n 's/.*"runbook":"strict".*"log":"\([^"]*\)".*/\1/p' "$j" | tail -n 1)
check "and in the run log" grep -q \
    "override: health (slow is warn): replica checked by hand" "$log"
"$MAINTOP" run strict -c "$dir/m.conf" --override-health "" < /dev/null \
    > /dev/null 2>&1
is "an empty reason is a usage error" "$?" 2
echo "1..$n"
