#!/bin/sh
# The debt list on a team store (a real PostgreSQL): "maintop debt" of two
# engineers reads and writes its rows, each change journaled in the store;
# two edits of one item at once, both read at one version: one is saved,
# the other refused and reloaded, and saved when made again, nothing lost;
# edits of two items at once are both saved; a delete of a changed item
# is refused; ids are never reused; the read-only role cannot change the
# list; a hostile row refuses changes, rows over 4 MiB the list; each
# change is announced on the channel maintop.  TAP.
. "$top_srcdir/tests/store/lib.sh"

store_team

conf() {	# conf NAME CONNINFO
	cat > "$tmp/$1.conf" <<EOF
settings = { state_dir = "$tmp/$1"; timezone = "UTC";
  store = { conninfo = "$2"; password_env = "STORE_PW"; }; };
EOF
}
conf a "$ci_w"
conf b "$ci_b"
conf r "$ci_r"
da() { STORE_PW=$W_PW "$MAINTOP" debt -c "$tmp/a.conf" "$@"; }
db() { STORE_PW=$B_PW "$MAINTOP" debt -c "$tmp/b.conf" "$@"; }
dr() { STORE_PW=$R_PW "$MAINTOP" debt -c "$tmp/r.conf" "$@"; }
title() { sq "SELECT substring(item from 'title = \"([^\"]*)\"') FROM maintop.debt_items WHERE id = '$1'"; }
version() { sq "SELECT version FROM maintop.debt_items WHERE id = '$1'"; }
edits() { sq "SELECT count(*) FROM maintop.journal WHERE type = 'debt' AND record->>'action' = 'edit' AND record->>'id' = '$1'"; }
# Sessions of a role waiting for a row lock.
waiting() { sq "SELECT count(*) FROM pg_stat_activity WHERE usename IN ('alice', 'bob') AND wait_event_type = 'Lock'"; }
waiting_are() { [ "$(waiting)" = "$1" ]; }
# at_once WHERE: a session holds the rows WHERE while first and second
# (functions) read the list and wait for the rows, then lets go; their
# exit codes in $ra and $rb, their output in $tmp/1.out and $tmp/2.out.
holds=0
at_once() {
	holds=$((holds + 1))
	hold "h$holds" "BEGIN; SELECT 1 FROM maintop.debt_items WHERE $1 FOR UPDATE;"
	first > "$tmp/1.out" 2>&1 &
	p1=$!
	second > "$tmp/2.out" 2>&1 &
	p2=$!
	wait_for "both changes to wait for the rows" waiting_are 2
	release "h$holds"
	wait $p1; ra=$?
	wait $p2; rb=$?
}

is "alice adds an item" "$(da add --title "Old TLS" --priority high 2>&1)" "added D-0001"
is "bob adds one" "$(db add --title "Backups untested" --priority low 2>&1)" "added D-0002"
is "the store holds both at version 1" \
    "$(sq "SELECT string_agg(id || ':' || version, ',' ORDER BY seq) FROM maintop.debt_items")" \
    "D-0001:1,D-0002:1"
is "bob lists alice's item" "$(db list --json | grep -o '"id":"D-000[12]"' | tr '\n' ' ')" \
    '"id":"D-0001" "id":"D-0002" '
check "the item's source is the team store" sh -c \
    'STORE_PW=$1 "$2" debt -c "$3" show D-0001 | grep -q "^Source *the team store$"' \
    - "$W_PW" "$MAINTOP" "$tmp/a.conf"
is "each change is in the store's journal, with who made it" \
    "$(sq "SELECT string_agg(record->>'action' || ' ' || (record->>'id') || ' ' || actor, ',' ORDER BY seq) FROM maintop.journal WHERE type = 'debt'")" \
    "add D-0001 $(id -un),add D-0002 $(id -un)"
check "nothing was written in the state directories" \
    sh -c '! ls "$1"/a/debt.conf "$1"/b/debt.conf' - "$tmp"

# Two edits of D-0001 at once, both read at version 1: a session holds the
# row, both wait for it, then one is saved and the other finds the
# version changed.
first() { da edit D-0001 --title "TLS 1.0 on the LB"; }
second() { db edit D-0001 --title "Old TLS ciphers"; }
at_once "id = 'D-0001'"
is "one edit saved, one refused" "$(printf '%s\n' $ra $rb | sort | tr '\n' ' ')" "0 1 "
if [ $ra = 0 ]; then won="TLS 1.0 on the LB" lost="Old TLS ciphers" out=2; loser=db
else won="Old TLS ciphers" lost="TLS 1.0 on the LB" out=1; loser=da; fi
is "the refusal says why" "$(cat "$tmp/$out.out")" \
    "maintop debt edit: debt item 'D-0001' was changed in the team store since it was read; reloaded"
is "the store holds the saved edit" "$(title D-0001),$(version D-0001)" "$won,2"
is "one edit in the journal" "$(edits D-0001)" 1
is "the refused edit, made again, is saved" "$($loser edit D-0001 --title "$lost" 2>&1)" "saved D-0001"
is "... over the other" "$(title D-0001),$(version D-0001),$(edits D-0001)" "$lost,3,2"
is "both titles are in the journal" \
    "$(sq "SELECT string_agg(record->>'title', ',' ORDER BY seq) FROM maintop.journal WHERE type = 'debt' AND record->>'action' = 'edit'")" \
    "$won,$lost"

# Two items edited at once: both saved.
first() { da resolve D-0001; }
second() { db edit D-0002 --owner bob; }
at_once "true"
is "changes of two items at once: both saved" "$ra $rb" "0 0"
is "... at their next versions" "$(version D-0001) $(version D-0002)" "4 2"
check "D-0001 resolved" sh -c '[ "$(STORE_PW=$1 "$2" debt -c "$3" list --all --json | grep -c "\"status\":\"resolved\"")" = 1 ]' \
    - "$B_PW" "$MAINTOP" "$tmp/b.conf"

# A delete based on a stale version is refused as well.
hold row2 "BEGIN; UPDATE maintop.debt_items SET version = version + 1 WHERE id = 'D-0002';"
db delete D-0002 > "$tmp/del.out" 2>&1 &
ed=$!
wait_for "the delete to wait" waiting_are 1
release row2
wait $ed
is "a delete of a changed item: refused (1)" "$?" 1
check "... saying so" grep -q "debt item 'D-0002' was changed in the team store since it was read; reloaded" "$tmp/del.out"
is "... and the item is still there" "$(version D-0002)" 3

# The next id comes from the store: nobody reuses a number.
is "the next add gets D-0003" "$(db add --title "Third" --priority medium 2>&1)" "added D-0003"
sq "DELETE FROM maintop.debt_items WHERE id = 'D-0003'" >/dev/null
is "... and a number once handed out stays used" "$(da add --title "Fourth" --priority medium 2>&1)" "added D-0004"

# A change is announced to the dashboards listening.
hold listen "LISTEN maintop;"
is "an edit while a session listens" "$(da edit D-0004 --owner carol 2>&1)" "saved D-0004"
release listen
check "... is announced on the channel maintop as debt D-0004" \
    grep -q 'notification "maintop" with payload "debt D-0004"' "$tmp/listen.out"

# The read-only role reads the list, and the database refuses it a change.
is "the read-only role lists the items" "$(dr list --json | grep -c '"id"')" 2
dr add --title "Wall" --priority low > "$tmp/wall.out" 2>&1
is "an add by the read-only role: refused (1)" "$?" 1
check "... by the database" grep -q "permission denied for table debt_items: the store's role 'wall' may not do this" "$tmp/wall.out"
is "... and nothing was added" "$(sq "SELECT count(*) FROM maintop.debt_items")" 3

# A hostile row refuses the list, naming it, and nothing is saved over it.
sq "INSERT INTO maintop.debt_items (id, item) VALUES ('D-0666', E'debt = ( { id = \"D-0666\"; title = \"a\\u001b[2Jb\"; priority = \"low\"; } );')" >/dev/null
da add --title "Over it" --priority low > "$tmp/host.out" 2>&1
is "a row the debt file would refuse: changes refused (1)" "$?" 1
check "... naming the row" grep -q "store debt item D-0666" "$tmp/host.out"
check "... with no escape on the terminal" sh -c '! LC_ALL=C grep -q "$(printf "\033")" "$1"' - "$tmp/host.out"
is "... and nothing saved" "$(sq "SELECT count(*) FROM maintop.debt_items")" 4
sq "DELETE FROM maintop.debt_items WHERE id = 'D-0666'" >/dev/null
# Rows larger in all than a debt file may be: refused before they are read.
sq "INSERT INTO maintop.debt_items (id, item) VALUES ('D-0777', repeat('#', 4200000))" >/dev/null
da list > "$tmp/big.out" 2>&1
is "items over 4 MiB in all: the list is refused (1)" "$?" 1
check "... saying why" grep -q "the team store's debt items are larger than a debt file may be (4 MiB)" "$tmp/big.out"
sq "DELETE FROM maintop.debt_items WHERE id = 'D-0777'" >/dev/null

echo "1..$n"
