#!/bin/sh
# "maintop run" and "maintop history" on a plain terminal: prompts answered
# from a pipe, danger confirmation, rollback, --yes, exit codes, masking,
# read-only refusal.  Prints TAP.
: "${MAINTOP:=./maintop}"
dir=$(mktemp -d "${TMPDIR:-/tmp}/runbook-cli.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
. "$top_srcdir/tests/lib/tap.sh"
cat > "$dir/m.conf" <<EOC
settings = { state_dir = "$dir/state"; };
runbooks = (
  { name = "hello";
    params = ( { name = "who"; default = "world"; },
               { name = "pw"; secret = true; default = "sekrit"; } );
    steps = ( { name = "greet"; run = "echo hello \${who} \$MAINTOP_PARAM_pw"; },
              { name = "boom"; run = "echo boom > $dir/boom"; danger = true; } ); },
  { name = "undo";
    steps = ( { name = "make"; run = "echo made > $dir/made"; rollback = "rm $dir/made"; },
              { name = "fail"; run = "exit 4"; } ); }
);
EOC
sed 's/^settings = {/settings = { read_only = true;/' "$dir/m.conf" > "$dir/ro.conf"

out=$("$MAINTOP" run hello -c "$dir/m.conf" --dry-run --param pw=hunter2)
check "dry run exits 0" test $? -eq 0
check "dry run masks the secret" sh -c '! printf "%s" "$1" | grep -q hunter2' - "$out"
check "dry run shows the command" sh -c 'printf "%s" "$1" | grep -q "echo hello '"'"'world'"'"'"' - "$out"
check "dry run ran nothing" test ! -e "$dir/boom"

printf 'y\nhelo\nhello\n' | "$MAINTOP" run hello -c "$dir/m.conf" --param pw=hunter2 > "$dir/out1" 2>&1
check "a full run with the danger name typed exits 0" test $? -eq 0
check "the danger step ran after its name was typed" test -e "$dir/boom"
check "a wrong name was refused first" grep -q "type the runbook's name (hello)" "$dir/out1"
check "output masked" sh -c '! grep -q hunter2 "$1" && grep -q "hello world \*\*\*\*\*\*" "$1"' - "$dir/out1"
check "journal never holds the secret" sh -c '! grep -rq hunter2 "$1/state"' - "$dir"

rm -f "$dir/boom"
"$MAINTOP" run hello -c "$dir/m.conf" --yes < /dev/null > "$dir/out2" 2>&1
check "--yes with a danger step is refused up front: exit 10" test $? -eq 10
check "the danger step did not run" test ! -e "$dir/boom"
"$MAINTOP" run hello -c "$dir/m.conf" --yes --yes-danger < /dev/null > /dev/null 2>&1
check "--yes --yes-danger runs it all" test $? -eq 0 -a -e "$dir/boom"

printf 'y\ny\nb\ny\n' | "$MAINTOP" run undo -c "$dir/m.conf" > "$dir/out3" 2>&1
check "failure then rollback exits 5 (rolled-back)" test $? -eq 5
check "the rollback undid step 1" test ! -e "$dir/made"
check "summary says rolled-back" grep -q "of undo: rolled-back" "$dir/out3"

rm -f "$dir/boom"
"$MAINTOP" run hello -c "$dir/ro.conf" --yes --yes-danger < /dev/null > "$dir/out4" 2>&1
check "read-only: refused with exit 10" test $? -eq 10
check "read-only: nothing ran" test ! -e "$dir/boom"

"$MAINTOP" run nope -c "$dir/m.conf" > /dev/null 2>&1
check "unknown runbook: exit 2" test $? -eq 2
"$MAINTOP" run hello -c "$dir/m.conf" --param nope=1 > /dev/null 2>&1
check "unknown parameter: exit 2" test $? -eq 2

"$MAINTOP" history -c "$dir/m.conf" > "$dir/h"
check "history lists runs" sh -c 'test "$(grep -c " hello " "$1")" -eq 3 && grep -q rolled-back "$1"' - "$dir/h"
"$MAINTOP" history -c "$dir/m.conf" --json --runbook undo > "$dir/hj"
check "history --json --runbook" sh -c 'grep -q "\"result\": \"rolled-back\"" "$1" && ! grep -q "\"runbook\": \"hello\"" "$1"' - "$dir/hj"
echo "1..$n"
