#!/bin/sh
# The team store restarted in the middle of a run ("maintop run"): the
# records it cannot take meanwhile wait in the state directory's spool and
# go to the store once it answers again, in order, each exactly once (a
# spool replayed twice adds nothing); --local-lock runs with the store
# down and its reason reaches the store.  TAP.
. "$top_srcdir/tests/store/lib.sh"

store_team

cat > "$tmp/alice.conf" <<EOF
settings = { state_dir = "$tmp/alice";
  store = { conninfo = "$ci_w"; password_env = "STORE_PW"; }; };
runbooks = (
  { name = "failover";
    steps = ( { name = "a"; run = "echo a > $tmp/a.up; while [ ! -e $tmp/go1 ]; do sleep 0.1; done"; },
              { name = "b"; run = "true"; },
              { name = "c"; run = "echo c > $tmp/c.up; while [ ! -e $tmp/go2 ]; do sleep 0.1; done"; },
              { name = "d"; run = "true"; } ); },
  { name = "quick"; steps = ( { name = "s"; run = "true"; } ); }
);
EOF
spool=$tmp/alice/store-spool

STORE_PW=$W_PW "$MAINTOP" run failover -c "$tmp/alice.conf" --yes \
    > "$tmp/run.out" 2>&1 &
alice=$!
wait_for "the first step" test -e "$tmp/a.up"
run=$(sq "SELECT run FROM maintop.journal WHERE type = 'run_start'")
is "the store has the run's first records" \
    "$(sq "SELECT string_agg(type, ',' ORDER BY seq) FROM maintop.journal WHERE run = '$run'")" \
    "run_start,step_start"

servers_stop pg
: > "$tmp/go1"
wait_for "step c, with the store down" test -e "$tmp/c.up"
spooled() { [ "$(wc -l < "$spool" 2>/dev/null)" = "$1" ]; }
wait_for "four records in the spool" spooled 4
is "the spool holds them in order, each with its id" \
    "$(cut -d' ' -f1 "$spool" | tr '\n' ,)" "$run:3,$run:4,$run:5,$run:6,"
cp "$spool" "$tmp/spool.copy"
check "the run goes on" kill -0 "$alice"

servers_restart pg || bail "PostgreSQL did not start again"
: > "$tmp/go2"
wait $alice
is "the run succeeds" "$?" 0
# The run's lock is taken back too: a run_lock record among them when
# the run saw it (relock.sh), left out here.
is "the journal in the store is complete and in order" \
    "$(sq "SELECT string_agg(type, ',' ORDER BY seq) FROM maintop.journal WHERE run = '$run' AND type <> 'run_lock'")" \
    "run_start,step_start,step_end,step_start,step_end,step_start,step_end,step_start,step_end,run_end"
is "... each record once, under its id, in the order of the ids" \
    "$(sq "SELECT string_agg(id, ',' ORDER BY seq) FROM maintop.journal WHERE run = '$run'")" \
    "$(sq "SELECT string_agg('$run:' || i, ',' ORDER BY i) FROM generate_series(1, (SELECT count(*) FROM maintop.journal WHERE run = '$run')::int) AS i")"
nrec=$(sq "SELECT count(*) FROM maintop.journal WHERE run = '$run'")
is "... the steps' records in step order" \
    "$(sq "SELECT string_agg(record->>'name', ',' ORDER BY seq) FROM maintop.journal WHERE run = '$run' AND type = 'step_end'")" \
    "a,b,c,d"
is "the spool is empty" "$(wc -c < "$spool")" 0
check "no journal file in the state directory" test ! -e "$tmp/alice/journal.jsonl"

# The same spool once more (a replay cut short by a crash does this):
# the next maintop on the store replays it and adds nothing.
cp "$tmp/spool.copy" "$spool"
printf '%s' "$run:99 {\"type\":\"torn" >> "$spool"
STORE_PW=$W_PW "$MAINTOP" run quick -c "$tmp/alice.conf" --yes > /dev/null 2>&1
is "another run on the store" "$?" 0
is "the spool replayed twice: no duplicate" \
    "$(sq "SELECT count(*), count(DISTINCT id) FROM maintop.journal WHERE run = '$run'")" "$nrec|$nrec"
is "... the torn line is dropped, and the spool is empty" \
    "$(sq "SELECT count(*) FROM maintop.journal WHERE id = '$run:99'"),$(wc -c < "$spool")" "0,0"

# --local-lock: with the store down a run is refused, unless given a
# reason; then it runs on a lock of this host, and the reason reaches the
# store with its records once the store is back.
servers_stop pg
STORE_PW=$W_PW "$MAINTOP" run quick -c "$tmp/alice.conf" --yes \
    > "$tmp/refused.out" 2>&1
is "the store down: a run is refused (10)" "$?" 10
STORE_PW=$W_PW "$MAINTOP" run quick -c "$tmp/alice.conf" --yes \
    --local-lock "db1 is being replaced" > "$tmp/local.out" 2>&1
is "... with --local-lock WHY it runs" "$?" 0
check "... its records wait in the spool, the reason with them" \
    grep -q '"local_lock":"db1 is being replaced"' "$spool"
check "... its log says the lock was this host's" \
    grep -rq "== local lock: the team store is unreachable; --local-lock: db1 is being replaced" "$tmp/alice/runs"
servers_restart pg || bail "PostgreSQL did not start again"
STORE_PW=$W_PW "$MAINTOP" history -c "$tmp/alice.conf" > /dev/null 2>&1
lrun=$(sq "SELECT run FROM maintop.journal WHERE record->>'local_lock' IS NOT NULL")
is "the store back: the reason is in its journal" \
    "$(sq "SELECT record->>'local_lock' FROM maintop.journal WHERE run = '$lrun' AND type = 'run_start'")" \
    "db1 is being replaced"
is "... with the whole run, once" \
    "$(sq "SELECT string_agg(type, ',' ORDER BY seq) FROM maintop.journal WHERE run = '$lrun'")" \
    "run_start,step_start,step_end,run_end"

echo "1..$n"
