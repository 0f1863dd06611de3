#!/bin/sh
# The Debt pane on a team store (a real PostgreSQL, the dashboard in tmux):
# the list read from the store on the worker; an edit from the pane based
# on a version another engineer's "maintop debt" has changed meanwhile is
# refused with its form kept, the item reloaded, and saved when made again
# over the other's change, nothing lost; undo puts back only that item;
# another's change shows as the store announces it.  TAP.
SERVERS_NO_TRAP=1
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/screen/lib.sh"
. "$top_srcdir/tests/store/lib.sh"
trap 'servers_stop_all; screen_cleanup' EXIT
trap 'servers_stop_all; screen_cleanup; trap - EXIT; exit 143' INT TERM HUP
# One count for the screens' lines and the others': tap.sh's.
screen_tap() { ok "$@"; }

store_team
cat > "$tmp/a.conf" <<EOF
settings = { name = "team-test"; state_dir = "$tmp/a"; timezone = "UTC";
  store = { conninfo = "$ci_w"; }; };
EOF
cat > "$tmp/b.conf" <<EOF
settings = { state_dir = "$tmp/b"; timezone = "UTC";
  store = { conninfo = "$ci_b"; password_env = "STORE_PW"; }; };
EOF
# The dashboard's password: alice's ~/.pgpass (never on a command line).
printf '127.0.0.1:%s:team:alice:%s\n' "$PGPORT_TEST" "$W_PW" > "$HOME/.pgpass"
chmod 600 "$HOME/.pgpass"
da() { "$MAINTOP" debt -c "$tmp/a.conf" "$@"; }
db() { STORE_PW=$B_PW "$MAINTOP" debt -c "$tmp/b.conf" "$@"; }
item() { sq "SELECT substring(item from '$2 = \"([^\"]*)\"') || ' v' || version FROM maintop.debt_items WHERE id = '$1'"; }

is "alice adds an item" "$(da add --title "Old TLS" --priority high 2>&1)" "added D-0001"

screen_start 150 30 "$MAINTOP" -c "$tmp/a.conf"
screen_wait "Calendar" >/dev/null || bail "the dashboard did not start"
screen_keys 3 Enter
store_expect teamdebt-list "Old TLS" "the Debt pane lists the store's item"

# The form is open on version 1 when bob's change makes version 2.
screen_keys e
screen_wait "Title" >/dev/null
screen_keys C-u 'Dashboard title'
is "bob edits the item meanwhile" "$(db edit D-0001 --owner frank 2>&1)" "saved D-0001"
screen_keys Enter
store_expect teamdebt-conflict "was changed in the team store since it was read" \
    "the pane's save is refused, the item changed: its form kept with what was typed"
is "bob's change is kept, not overwritten" "$(item D-0001 title),$(item D-0001 owner)" \
    "Old TLS v2,frank v2"
screen_keys Escape
store_expect teamdebt-reloaded "nothing changed" "the list shows the item reloaded, bob's owner in it"

# The item was reloaded: the form now holds bob's owner; saved again.
# (Once the notice has given way to the keys' hints.)
screen_wait "Esc back  Enter details" || screen_wait "Esc back  Enter details"
screen_keys e
store_expect teamdebt-edit-again "frank" "the edit form holds the reloaded item"
screen_keys C-u 'Dashboard title' Enter
store_expect teamdebt-saved "saved D-0001" "made again, the edit is saved"
is "... over bob's change, which it keeps" "$(item D-0001 title),$(item D-0001 owner)" \
    "Dashboard title v3,frank v3"
is "both edits are in the store's journal" \
    "$(sq "SELECT string_agg(record->>'title', ',' ORDER BY seq) FROM maintop.journal WHERE type = 'debt' AND record->>'action' = 'edit'")" \
    "Old TLS,Dashboard title"

# Bob adds an item the pane has not read; undo puts back only D-0001.
is "bob adds another item" "$(db add --title "Backups untested" --priority low 2>&1)" "added D-0002"
screen_keys u
store_expect teamdebt-undone "Backups untested" \
    "u undoes the pane's edit; the pane shows the store's list"
is "D-0001 is back as it was, bob's owner kept" "$(item D-0001 title),$(item D-0001 owner)" \
    "Old TLS v4,frank v4"
is "bob's new item is untouched" "$(item D-0002 title)" "Backups untested v1"

# Bob's change shows in the pane as the store announces it, no key pressed.
is "bob edits his item" "$(db edit D-0002 --title "Backups tested weekly" 2>&1)" "saved D-0002"
store_expect teamdebt-told "Backups tested weekly" \
    "the pane shows bob's change, told by the store, and says the list was reloaded"

echo "1..$n"
