#!/bin/sh
# Screen tests of the Debt pane: the list and its zoomed columns, details,
# resolved items, sorting, the filter, the add form's validation, resolve,
# undo, delete with confirmation, read-only refusal, a concurrent edit, and
# the mark on items whose systems are in trouble, an item another maintop
# adds shown live.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/screen/lib.sh"

now="2026-11-25T10:00:00Z"
work="$SCREEN_TMP/work"
state="$work/state"
mkdir -p "$work"
cp "$SCREEN_DIR/fixtures/debt.conf" "$SCREEN_DIR/fixtures/debt-health.conf" \
    "$SCREEN_DIR/fixtures/debt-maint.conf" "$work/"

# A fresh state directory holding the fixture debt file (and no journal).
reset_state() {
	rm -rf "$state"
	mkdir -p "$state"
	cp "$SCREEN_DIR/fixtures/debt-file.conf" "$state/debt.conf"
}

# start_debt COLS ROWS CONFIG [ARG...]: maintop run from $work, so the
# relative state_dir of the fixtures lands in it and paths shown are short.
start_debt() {
	c=$1 r=$2 f=$3
	shift 3
	screen_start "$c" "$r" sh -c 'cd "$1" && shift && exec "$@"' sh \
	    "$work" "$MAINTOP" -c "$f" --now "$now" "$@"
}

# Waits (up to 8 s) until TEXT is no longer on screen: footer notices last
# a few seconds and would hide the hints an expected screen shows.
wait_gone() {
	i=0
	while [ $i -lt 80 ]; do
		screen_capture | grep -qF -- "$1" || return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# expect_notice TEXT NAME DESCRIPTION: the footer shows the notice TEXT
# (one TAP line), then, once it has gone, the pane equals expected/NAME.txt
# (another): screens are compared without the notice, which lasts 4 to 5 s.
expect_notice() {
	screen_wait "$1"
	screen_ok $? "$3: the footer says \"$1\""
	wait_gone "$1"
	screen_expect "$2" "$3"
}

# The lines of item ID in the debt file (its group).
item_lines() {
	sed -n "/id = \"$1\"/,/}/p" "$state/debt.conf"
}

# --- The list, zoom, details, resolved items, sorting. ---
reset_state
start_debt 80 24 debt.conf
screen_wait "Calendar" >/dev/null
screen_keys 3
screen_expect debt-80x24 "80x24: open items in score order with target and systems"

start_debt 120 32 debt.conf
screen_wait "Calendar" >/dev/null
screen_keys 3 Enter
screen_expect debt-zoom "zoomed: status line, column header, id and owner"
screen_keys Enter
screen_expect debt-detail "Enter: every field and the score's three parts"
screen_keys Escape
screen_expect debt-zoom "Esc closes the details"
screen_keys A
screen_expect debt-zoom-all "A shows resolved items too"
screen_keys A o
screen_expect debt-sort-target "o sorts by target (nearest first, none last)"
screen_keys o o
screen_expect debt-sort-created "o o: by created date, newest first"
screen_keys o
screen_expect debt-zoom "o again: back to score order"

# --- The filter. ---
screen_keys / r e d i s
screen_expect debt-filter-typing "/ filters as you type (title, id, owner, systems)"
screen_keys Enter
screen_expect debt-filter "Enter keeps the filter"
screen_keys Escape
screen_expect debt-zoom "Esc clears the filter"
screen_keys / d b - p r i m a r y Enter
screen_wait "filter: db-primary" >/dev/null
screen_capture | grep -q "D-0001" && screen_capture | grep -q "D-0003" &&
    ! screen_capture | grep -q "D-0004"
screen_ok $? "a system name filters too"
screen_keys Escape

# --- Adding: validation, then a valid item. ---
reset_state
start_debt 80 24 debt.conf
screen_wait "Calendar" >/dev/null
screen_keys 3 n
screen_expect debt-form "n opens the add form (zoomed)"
screen_keys Tab C-u urgent Tab 'db-primary, db-primary' Tab 2026-13-01 \
    Tab Tab 3x Enter
screen_expect debt-form-errors "Enter with bad values: a message under each bad field"
screen_keys 'Rotate the TLS certificates' Tab C-u high Tab C-u \
    'web, db-primary' Tab C-u 2026-12-10 Tab dave Tab C-u 2d Tab \
    'Expires soon.' C-j 'Automate it.' Tab 'Outage when they expire.' Tab \
    'Certbot on a timer,' C-j 'alert 14 days ahead.'
screen_expect debt-form-multiline "Ctrl-J starts a new line in description, impact and plan"
screen_keys Enter
expect_notice "added D-0007  (u: undo)" debt-added \
    "a valid add closes the form; the item is in the list"
item_lines D-0007 | grep -q 'title = "Rotate the TLS certificates";' &&
    item_lines D-0007 | grep -q 'systems = \[ "web", "db-primary" \];' &&
    item_lines D-0007 | grep -q 'target = "2026-12-10";' &&
    item_lines D-0007 | grep -q 'owner = "dave";' &&
    item_lines D-0007 | grep -q 'effort = "2d";' &&
    item_lines D-0007 | grep -qF 'description = "Expires soon.\nAutomate it.";' &&
    item_lines D-0007 | grep -qF 'impact = "Outage when they expire.";' &&
    item_lines D-0007 | grep -qF 'plan = "Certbot on a timer,\nalert 14 days ahead.";'
screen_ok $? "the debt file holds the new item with every field"
grep -q '"action":"add","id":"D-0007"' "$state/journal.jsonl"
screen_ok $? "the journal records the add"

# --- Every field round-trips through the edit form. ---
screen_keys e
screen_expect debt-edit-form "e: the edit form holds every field as saved"
screen_keys C-u 'Rotate the TLS certificates automatically' Tab C-u high \
    Tab C-u 'web, cache' Tab C-u 2026-12-11 Tab C-u erin Tab C-u 1w Tab \
    C-u 'Line one' C-j 'Line two' C-j C-j 'Line four' Tab C-u 'Outages.' \
    Tab C-u 'Use certbot.' Enter
screen_wait "saved D-0007" >/dev/null
item_lines D-0007 | grep -q 'title = "Rotate the TLS certificates automatically";' &&
    item_lines D-0007 | grep -q 'priority = "high";' &&
    item_lines D-0007 | grep -q 'systems = \[ "web", "cache" \];' &&
    item_lines D-0007 | grep -q 'target = "2026-12-11";' &&
    item_lines D-0007 | grep -q 'owner = "erin";' &&
    item_lines D-0007 | grep -q 'effort = "7d";' &&
    item_lines D-0007 | grep -qF 'description = "Line one\nLine two\n\nLine four";' &&
    item_lines D-0007 | grep -qF 'impact = "Outages.";' &&
    item_lines D-0007 | grep -qF 'plan = "Use certbot.";' &&
    item_lines D-0007 | grep -q 'created = "2026-11-25";'
screen_ok $? "edit saves every field (created kept)"
wait_gone "saved D-0007"
screen_keys e
screen_expect debt-edit-again "the saved values read back into the form"

# The command line edits the same item while the form is open: the
# dashboard's save is refused, its form kept, the other change kept.
screen_keys C-u 'Dashboard title'
(cd "$work" && "$MAINTOP" --now "$now" debt -c debt.conf edit D-0007 \
    --owner frank >/dev/null)
screen_ok $? "maintop debt edit saves while the dashboard's form is open"
screen_keys Enter
screen_wait "debt file changed on disk since it was read; reloaded" >/dev/null
screen_ok $? "the dashboard's save is refused: the file changed"
screen_wait "Dashboard title" >/dev/null
screen_ok $? "the form stays open with what was typed"
item_lines D-0007 | grep -q 'owner = "frank";' &&
    item_lines D-0007 | grep -q 'title = "Rotate the TLS certificates automatically";'
screen_ok $? "the command line's change is kept, not overwritten"
screen_keys Escape
screen_wait "nothing changed" >/dev/null

# --- Resolve and undo. ---
screen_keys g r
expect_notice "resolved D-0003  (u: undo)" debt-resolved \
    "r resolves the selected item; it leaves the list"
item_lines D-0003 | grep -q 'status = "resolved";'
screen_ok $? "the debt file has it resolved"
screen_keys u
expect_notice "undone" debt-undone "u undoes: the item is back"
item_lines D-0003 | grep -q 'status = "open";'
screen_ok $? "the debt file has it open again"
grep -q '"action":"undo"' "$state/journal.jsonl"
screen_ok $? "the journal records the undo"

# --- Delete with confirmation. ---
screen_keys g j j d
screen_expect debt-delete-ask "d asks before deleting"
screen_keys n
screen_wait "kept D-0004"
screen_ok $? "n keeps the item"
item_lines D-0004 | grep -q D-0004
screen_ok $? "the debt file still has it"
screen_keys d y
expect_notice "deleted D-0004  (u: undo)" debt-deleted "d y deletes it"
! grep -q 'D-0004' "$state/debt.conf"
screen_ok $? "the debt file no longer has it"

# Items from the configuration are listed but not changed here.
screen_keys G r
screen_wait "D-0001 comes from the configuration (debt.conf:13): edit it there"
screen_ok $? "r on a configuration item names its file"

# --- Read-only: every change is refused and the file stays as it was. ---
reset_state
start_debt 80 24 debt.conf --read-only
screen_wait "Calendar" >/dev/null
screen_keys 3 n
screen_wait "read-only: cannot add debt items in read-only mode"
screen_ok $? "read-only: n is refused with a notice"
screen_keys e r d
screen_wait "read-only: cannot delete debt items in read-only mode"
screen_ok $? "read-only: e r d are refused"
screen_keys u
expect_notice "read-only: cannot undo in read-only mode" debt-read-only \
    "read-only: u is refused; no form or prompt opened"
cmp -s "$SCREEN_DIR/fixtures/debt-file.conf" "$state/debt.conf" &&
    [ ! -e "$state/journal.jsonl" ]
screen_ok $? "read-only: the debt file is unchanged and nothing journaled"

# --- A debt file with errors is shown, not used, and never overwritten. ---
rm -rf "$state"
mkdir -p "$state"
cp "$SCREEN_DIR/fixtures/debt-bad.conf" "$state/debt.conf"
start_debt 120 32 debt.conf
screen_wait "Calendar" >/dev/null
screen_keys 3 Enter
screen_expect debt-bad-file "a bad debt file: the error with file and line, config items still listed"
screen_keys n
screen_wait "cannot add debt items: the debt file has errors"
screen_ok $? "n is refused while the file has errors"
screen_keys G d
screen_wait "cannot delete debt items: the debt file has errors"
screen_ok $? "d is refused while the file has errors"
cmp -s "$SCREEN_DIR/fixtures/debt-bad.conf" "$state/debt.conf"
screen_ok $? "the bad file is left as it was"

# --- Someone else edits the file while maintop runs. ---
reset_state
start_debt 80 24 debt.conf
screen_wait "Calendar" >/dev/null
screen_keys 3
screen_wait "Document the on-call handover" >/dev/null
sed 's/Document the on-call handover/Write the on-call handover guide/' \
    "$state/debt.conf" > "$state/debt.conf.new" &&
    mv "$state/debt.conf.new" "$state/debt.conf"
cp "$state/debt.conf" "$SCREEN_TMP/theirs.conf"
screen_keys r
expect_notice "debt file changed on disk since it was read; reloaded" \
    debt-changed "r after an outside edit: refused, reloaded, shown"
cmp -s "$SCREEN_TMP/theirs.conf" "$state/debt.conf"
screen_ok $? "the outside edit is kept, not overwritten"
screen_keys r
screen_wait "resolved D-0003"
screen_ok $? "r again resolves, on top of the reloaded file"
item_lines D-0003 | grep -q 'status = "resolved";' &&
    grep -q "Write the on-call handover guide" "$state/debt.conf"
screen_ok $? "the file has both changes"

# --- Items whose systems are critical are marked. ---
reset_state
start_debt 120 32 debt-health.conf
screen_wait "Calendar" >/dev/null
screen_keys 3 Enter
screen_wait "CRIT 1" >/dev/null
screen_expect debt-health "items touching a critical check carry a ! mark"
screen_keys Enter
screen_wait "db-primary  CRITICAL"
screen_ok $? "the details show each system's state"
# Critical for longer than debt_crit_hint (2 s): the details say so.  The
# details are redrawn (Ctrl-L) until the hint shows, up to 10 s.
i=0
while [ $i -lt 50 ]; do
	screen_capture | grep -Eq 'db-primary crit for [0-9]+ seconds?: consider raising the priority' && break
	screen_keys C-l
	sleep 0.2
	i=$((i + 1))
done
screen_capture | grep -Eq '^ +db-primary crit for [0-9]+ seconds?: consider raising the priority *$' &&
    screen_capture | grep -q '^ Score       9.43 = 5 + 1 + 3.43$'
r=$?
screen_ok $r "crit longer than debt_crit_hint: a hint in the details, the score unchanged"
[ $r -eq 0 ] || screen_capture | sed 's/^/# /'

# A system named by an active maintenance window, though not a check.
reset_state
rm -f "$state/debt.conf"
start_debt 120 32 debt-maint.conf
screen_wait "Calendar" >/dev/null
screen_keys 3 Enter
screen_expect debt-maint "items whose systems are in an active window carry M"

# Live: an item another maintop adds shows here, with a notice; this
# dashboard's own save afterwards is based on the file as it now is.
reset_state
start_debt 120 32 debt.conf
screen_wait "Calendar" >/dev/null
screen_keys 3 Enter
screen_wait "Debt" >/dev/null
(cd "$work" && "$MAINTOP" debt add -c debt.conf --now "$now" \
    --title "Added elsewhere" --priority high >/dev/null 2>&1)
screen_wait "Added elsewhere"
screen_ok $? "an item another maintop adds shows in the pane"
screen_wait "debt list reloaded: changed by another maintop"
screen_ok $? "... with a notice"

screen_done
