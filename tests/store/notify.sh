#!/bin/sh
# "maintop notify" with a team store (a real PostgreSQL): its outbox is the
# store's table, shared with the team's agents, not the state directory's;
# the attempts go to the store's journal; each row is claimed before it is
# sent, so that two outbox users on one store never both send it.  TAP.
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

# Claims: a row another agent claimed (its claim not yet ended) is not
# sent; once the claim has ended (its agent died) it is.
sq "INSERT INTO maintop.outbox (id, channel, event, claimed_by, claimed_until) VALUES ('ev-2', 'hook', '{\"id\":\"ev-2\",\"type\":\"test\",\"subject\":\"claimed by bastion2\"}', 'bastion2 pid 7', now() + interval '1 hour')" > /dev/null
STORE_PW=$B_PW "$MAINTOP" notify flush -c "$tmp/bob.conf" > "$tmp/flush3.out" 2>&1
is "a row claimed by another agent: not sent" "$?:$(posts)" "0:2"
check "... the flush says another delivers it" grep -q "^notify hook ev-2: another agent is delivering it" "$tmp/flush3.out"
is "... the row still waits, its claim untouched" \
    "$(sq "SELECT state || ' ' || claimed_by FROM maintop.outbox WHERE id = 'ev-2'")" "waiting bastion2 pid 7"
sq "UPDATE maintop.outbox SET claimed_until = now() - interval '1 second' WHERE id = 'ev-2'" > /dev/null
STORE_PW=$B_PW "$MAINTOP" notify flush -c "$tmp/bob.conf" > "$tmp/flush4.out" 2>&1
is "its claim ended: the next flush sends it" "$?:$(posts)" "0:3"
check "... the row claimed by bastion2" grep -q "claimed by bastion2" "$tmp/hook.3.200"
is "... sent, its claim let go" \
    "$(sq "SELECT state || ' ' || coalesce(claimed_by, 'none') FROM maintop.outbox WHERE id = 'ev-2'")" "sent none"

# Two outbox users on one store at once, each loading the same 30 waiting
# rows: each row is sent once, by whichever claims it first.
sq "INSERT INTO maintop.outbox (id, channel, event) SELECT 'many-' || i, 'hook', format('{\"id\":\"many-%s\",\"type\":\"test\",\"subject\":\"many %s\"}', i, i)::json FROM generate_series(1, 30) AS i" > /dev/null
STORE_PW=$W_PW "$MAINTOP" notify flush -c "$tmp/alice.conf" > "$tmp/fa.out" 2>&1 &
fa=$!
STORE_PW=$B_PW "$MAINTOP" notify flush -c "$tmp/bob.conf" > "$tmp/fb.out" 2>&1
rb=$?
wait $fa
is "two flushes at once: both end well" "$?:$rb" "0:0"
is "... 30 POSTs in all" "$(posts)" 33
is "... each row's event once" \
    "$(cat "$tmp"/hook.*.200 | grep -o '"id":"many-[0-9]*"' | sort -u | wc -l)" 30
is "... every row sent" \
    "$(sq "SELECT count(*) FROM maintop.outbox WHERE id LIKE 'many-%' AND state = 'sent' AND claimed_by IS NULL")" 30
is "... each delivery once in the journal" \
    "$(sq "SELECT count(*), count(DISTINCT record->>'event') FROM maintop.journal WHERE type = 'notify' AND record->>'event' LIKE 'many-%'")" "30|30"

# A store that cannot be reached: refused, and nothing sent.
conf nowhere "host=127.0.0.1 port=1 dbname=team user=alice connect_timeout=2"
STORE_PW=$W_PW "$MAINTOP" notify test hook -c "$tmp/nowhere.conf" \
    > "$tmp/nowhere.out" 2>&1
is "notify test with the store unreachable: exit 1" "$?" 1
check "... saying it is the store's outbox" grep -q "^maintop: the team store's outbox: cannot reach the store" "$tmp/nowhere.out"
is "... nothing sent" "$(posts)" 33
check "... no password in what it said" sh -c '! grep -q "$1" "$2"' - "$W_PW" "$tmp/nowhere.out"

echo "1..$n"
