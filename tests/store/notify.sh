#!/bin/sh
# "maintop notify" with a team store (a real PostgreSQL): its outbox is the
# store's table, shared with the team's agents, not the state directory's;
# the attempts go to the store's journal.  TAP.
. "$top_srcdir/tests/store/lib.sh"
. "$top_srcdir/tests/lib/notify.sh"

[ -x "$PY" ] || skip_all "python3 not found: apt-get install python3"
store_team
hook_start "$tmp" 0
trap 'kill $pids 2>/dev/null; servers_stop_all' EXIT

# conf NAME CONNINFO: NAME's configuration, state in $tmp/NAME.
conf() {
	cat > "$tmp/$1.conf" <<EOF2
settings = { state_dir = "$tmp/$1"; timezone = "UTC";
  store = { conninfo = "$2"; password_env = "STORE_PW"; }; };
channels = (
  { name = "hook"; type = "webhook"; url = "http://127.0.0.1:$hook_port/in"; }
);
EOF2
}
conf alice "$ci_w"
conf bob "$ci_b"
posts() { ls "$tmp" | grep -c '^hook\.[0-9]*\.200$'; }

STORE_PW=$W_PW "$MAINTOP" notify test hook -c "$tmp/alice.conf" \
    > "$tmp/test.out" 2>&1
is "notify test on the store: delivered (0)" "$?" 0
is "... one POST" "$(posts)" 1
is "... its row in the store's outbox, sent" \
    "$(sq "SELECT channel || ' ' || state || ' ' || attempts FROM maintop.outbox WHERE id LIKE 'test:hook:%'")" \
    "hook sent 1"
is "... its attempt in the store's journal" \
    "$(sq "SELECT record->>'channel' || ' ' || (record->>'result') FROM maintop.journal WHERE type = 'notify'")" \
    "hook delivered"
is "... nothing in the state directory's outbox or journal" \
    "$(find "$tmp/alice" -type f | wc -l)" 0

# An event waiting in the team's outbox (queued by an agent): bob's
# flush delivers it, once, from his host's state directory.
sq "INSERT INTO maintop.outbox (id, channel, event) VALUES ('ev-1', 'hook', '{\"id\":\"ev-1\",\"type\":\"test\",\"subject\":\"queued by an agent\"}')" > /dev/null
STORE_PW=$B_PW "$MAINTOP" notify flush -c "$tmp/bob.conf" > "$tmp/flush.out" 2>&1
is "notify flush on the store: nothing failed (0)" "$?" 0
is "... the team's waiting event delivered" "$(posts)" 2
check "... the one queued in the store" grep -q "queued by an agent" "$tmp/hook.2.200"
is "... its row sent" "$(sq "SELECT state FROM maintop.outbox WHERE id = 'ev-1'")" sent
STORE_PW=$B_PW "$MAINTOP" notify flush -c "$tmp/bob.conf" > "$tmp/flush2.out" 2>&1
is "a second flush sends nothing more" "$?:$(posts)" "0:2"
check "... and says nothing waits" grep -q "^0 waiting in the outbox, 0 given up on" "$tmp/flush2.out"

# A store that cannot be reached: refused, and nothing sent.
conf nowhere "host=127.0.0.1 port=1 dbname=team user=alice connect_timeout=2"
STORE_PW=$W_PW "$MAINTOP" notify test hook -c "$tmp/nowhere.conf" \
    > "$tmp/nowhere.out" 2>&1
is "notify test with the store unreachable: exit 1" "$?" 1
check "... saying it is the store's outbox" grep -q "^maintop: the team store's outbox: cannot reach the store" "$tmp/nowhere.out"
is "... nothing sent" "$(posts)" 2
check "... no password in what it said" sh -c '! grep -q "$1" "$2"' - "$W_PW" "$tmp/nowhere.out"

echo "1..$n"
