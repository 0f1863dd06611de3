#!/bin/sh
# "maintop snapshot": the dashboard as plain text, without curses.
: "${top_srcdir:=.}" "${MAINTOP:=./maintop}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/maintop-snapshot.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp"
. "$top_srcdir/tests/lib/tap.sh"
conf="$top_srcdir/tests/screen/fixtures/frame.conf"
"$MAINTOP" snapshot -c "$conf" --now 2026-11-29T03:00:00Z > "$tmp/out" 2> "$tmp/err"
ok $? "snapshot exits 0"
head -1 "$tmp/out" | grep -q "^maintop snapshot of screen-test at 2026-11-29T03:00:00Z$"
ok $? "the first line names the configuration and the fixed time"
grep -q "^ACTIVE   weekly-vacuum .*ends in 3h" "$tmp/out"
ok $? "the active window with its remaining time"
grep -q "^NEXT     monthly-patch .*2026-12-06T02:00:00Z" "$tmp/out"
ok $? "the next windows with their UTC times"
grep -q "^    5  high   D-1 " "$tmp/out"
ok $? "the debt list with scores"
grep -q "^vacuum-analyze " "$tmp/out"
ok $? "the runbooks"
grep -q "no checks configured" "$tmp/out"
ok $? "the health section says when there is nothing to check"
! grep -q "$(printf '\033')" "$tmp/out"
ok $? "no escape sequence in the output"
# The debt file's items are listed with the configuration's, in score
# order, their columns lined up whatever the ids' lengths.
mkdir -p "$tmp/state"
cat > "$tmp/debt.conf" <<EOF
settings = { timezone = "UTC"; state_dir = "$tmp/state"; };
debt = ( { id = "D-1"; title = "From the configuration"; priority = "low"; } );
EOF
cat > "$tmp/state/debt.conf" <<'EOF'
version = 1;
debt = (
  { id = "D-0002"; title = "From the file"; priority = "high";
    target = "2026-12-01"; },
  { id = "platform-42"; title = "A long id"; priority = "medium"; },
  { id = "D-0003"; title = "Resolved"; priority = "high";
    status = "resolved"; resolved = "2026-11-01"; }
);
EOF
"$MAINTOP" snapshot -c "$tmp/debt.conf" --now 2026-11-29T03:00:00Z \
    > "$tmp/out" 2> "$tmp/err"
ok $? "snapshot with a debt file exits 0"
sed -n '/^== Debt/,/^$/p' "$tmp/out" > "$tmp/debt"
cat > "$tmp/want" <<'EOF'
== Debt (open, by score)
 7.97  high   D-0002      2026-12-01 From the file
    3  medium platform-42 -          A long id
    1  low    D-1         -          From the configuration

EOF
cmp -s "$tmp/want" "$tmp/debt"
ok $? "the debt file's open items, in score order, columns lined up"
cmp -s "$tmp/want" "$tmp/debt" || diff "$tmp/want" "$tmp/debt" | sed 's/^/# /'
"$MAINTOP" snapshot -c "$conf" extra > /dev/null 2>&1
ok $([ $? -eq 2 ] && echo 0 || echo 1) "an extra argument is a usage error"
echo "1..$n"
