#!/bin/sh
# "maintop validate" messages: sorted by file and line; a refused key keeps
# its object, so there is one error, not a cascade; a reference error at the
# line of the key that holds it; a misspelt ${name} in an sql step said to
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

# Sorted across an include: the main file's lines, then the included one's.
printf 'settings = { refresh = "x"; };\n@include "inc.conf"\nhttp = ( { name = "a"; url = "ftp://x/"; } );\n' > "$tmp/m.conf"
printf '# included\nwindows = ( { name = "w"; kind = "nope"; schedule = "0 2 * * 0"; duration = "1h"; } );\n' > "$tmp/inc.conf"
"$MAINTOP" validate -c "$tmp/m.conf" 2> "$tmp/err2" >/dev/null
sed 's/^/#   /' "$tmp/err2"
is "sorted by file, then line" "$(sed 's/: error.*//; s|.*/||' "$tmp/err2" | tr '\n' ' ')" "m.conf:1 m.conf:3 inc.conf:2 "
echo "1..$n"
