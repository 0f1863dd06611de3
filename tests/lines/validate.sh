#!/bin/sh
# "maintop validate" messages: sorted by file and line; a refused key keeps
# its object, so there is one error, not a cascade; a reference error at the
# line of the key that holds it (windows, runbooks' requires, requires_healthy,
# on and wait_healthy, debt systems); a misspelt ${name} in an sql step said to
# go to psql.  Prints TAP.
: "${MAINTOP:=./maintop}"
. "$top_srcdir/tests/lib/tap.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lines-validate.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
"$MAINTOP" --version >/dev/null || { echo "Bail out! $MAINTOP does not run"; exit 1; }
cat > "$tmp/v.conf" <<'EOC'
runbooks = (
  { name = "fix"; steps = ( { name = "q"; sql = "select * from ${tabel}"; on = "ledger-db"; } ); }
);
windows = (
  {
    name = "w";
    kind = "maintenance";
    schedule = "0 2 * * 0";
    duration = "1h";
    systems = [ "ledger-db" ];
    runbooks = [ "fixx" ];
  }
);
postgres = (
  { name = "ledger-db"; conninfo = "host=127.0.0.1 dbname=x"; password = "secret"; }
);
debt = ( { id = "D-1"; title = "t"; priority = "low"; systems = [ "ledger-db" ]; } );
EOC
"$MAINTOP" validate -c "$tmp/v.conf" > "$tmp/out" 2> "$tmp/err"
is "exit 1: the configuration is invalid" "$?" 1
sed 's/^/#   /' "$tmp/err"
is "messages in line order" "$(cut -d: -f2 "$tmp/err" | tr '\n' ' ')" "2 11 15 "
check "the refused password is the one error about the check" \
    grep -q "v.conf:15: error: 'password' is not allowed" "$tmp/err"
check "no cascade: the window, the sql step and the debt item that name the check are not reported" \
    sh -c '! grep -q "unknown system\|unknown check\|not a configured check" "$1"' - "$tmp/err"
check "a reference error points at its key's line (runbooks, line 11)" \
    grep -q "v.conf:11: error: window 'w': unknown runbook 'fixx' (did you mean 'fix'?)" "$tmp/err"
check "a misspelt \${tabel} in an sql step goes to psql, not the shell" \
    grep -q "v.conf:2: warning: '\${tabel}' is not a parameter of runbook 'fix'; it goes to psql as written" "$tmp/err"
is "the summary counts two errors and a warning" "$(cat "$tmp/out")" "$tmp/v.conf: invalid: 2 errors, 1 warning"

# Every reference error at the line of the key (or list entry) that holds
# it, not the first line of its runbook, step or debt item.
cat > "$tmp/r.conf" <<'EOC'
postgres = ( { name = "ledger-db"; conninfo = "host=127.0.0.1 dbname=x"; } );
redis = ( { name = "cache"; host = "127.0.0.1"; } );
runbooks = (
  {
    name = "fix";
    description = "every reference on a line of its own";
    requires = (
      "prep",
      { runbook = "fixx"; within = "1h"; }
    );
    requires_healthy = [ "ledger" ];
    steps = (
      {
        name = "q";
        sql = "select 1";
        on = "ledger";
      },
      {
        name = "r";
        redis = "PING";
        on = "ledger-db";
      },
      {
        name = "w";
        wait_healthy = [ "cachee" ];
      }
    );
  }
);
debt = (
  {
    id = "D-1";
    title = "t";
    priority = "low";
    systems = [ "ledger" ];
  }
);
EOC
"$MAINTOP" validate -c "$tmp/r.conf" > "$tmp/out" 2> "$tmp/err"
is "exit 1: unknown references are errors" "$?" 1
sed 's/^/#   /' "$tmp/err"
check "requires: a runbook name at its entry's line (8)" \
    grep -qx "$tmp/r.conf:8: error: runbook 'fix' requires unknown runbook 'prep'" "$tmp/err"
check "requires: a { runbook = ... } entry at its line (9)" \
    grep -qx "$tmp/r.conf:9: error: runbook 'fix' requires unknown runbook 'fixx' (did you mean 'fix'?)" "$tmp/err"
check "requires_healthy at its entry's line (11), with the nearest check" \
    grep -qx "$tmp/r.conf:11: error: requires_healthy of runbook 'fix' names unknown check 'ledger' (did you mean 'ledger-db'?)" "$tmp/err"
check "an sql step's on at the on key's line (16), not the step's (13)" \
    grep -qx "$tmp/r.conf:16: error: sql step of runbook 'fix' names unknown check 'ledger' (did you mean 'ledger-db'?)" "$tmp/err"
check "a redis step's on naming a postgres check at the on key's line (21)" \
    grep -qx "$tmp/r.conf:21: error: redis step of runbook 'fix': check 'ledger-db' is not a redis check" "$tmp/err"
check "wait_healthy at its key's line (25), not the step's (23)" \
    grep -qx "$tmp/r.conf:25: error: wait_healthy of runbook 'fix' names unknown check 'cachee' (did you mean 'cache'?)" "$tmp/err"
check "a debt item's systems at the systems key's line (35), not the item's (31)" \
    grep -qx "$tmp/r.conf:35: warning: debt item 'D-1': system 'ledger' is not a configured check (did you mean 'ledger-db'?) (kept, but it will not link to health)" "$tmp/err"
is "seven messages, nothing else" "$(wc -l < "$tmp/err" | tr -d ' ')" 7

# Sorted across an include: the main file's lines, then the included one's.
printf 'settings = { refresh = "x"; };\n@include "inc.conf"\nhttp = ( { name = "a"; url = "ftp://x/"; } );\n' > "$tmp/m.conf"
printf '# included\nwindows = ( { name = "w"; kind = "nope"; schedule = "0 2 * * 0"; duration = "1h"; } );\n' > "$tmp/inc.conf"
"$MAINTOP" validate -c "$tmp/m.conf" 2> "$tmp/err2" >/dev/null
sed 's/^/#   /' "$tmp/err2"
is "sorted by file, then line" "$(sed 's/: error.*//; s|.*/||' "$tmp/err2" | tr '\n' ' ')" "m.conf:1 m.conf:3 inc.conf:2 "
echo "1..$n"
