#!/bin/sh
# "maintop store" against a real PostgreSQL (tests/lib/servers.sh): init
# twice, migrate from the version before, status with a lock held, import
# twice, export back to identical files, the read-only role of
# doc/team-store.md refused with a clear error by every command that
# writes, and the password never in the process list or a message.  TAP.
. "$top_srcdir/tests/store/lib.sh"

conf() {	# conf FILE CONNINFO
	cat > "$1" <<EOF
settings = { state_dir = "$tmp/state";
  store = { conninfo = "$2"; password_env = "STORE_PW"; }; };
runbooks = ( { name = "r"; steps = ( { name = "s"; run = "true"; } ); } );
EOF
}
conf "$tmp/o.conf" "$ci_o"
conf "$tmp/w.conf" "$ci_w"
conf "$tmp/r.conf" "$ci_r"
cat > "$tmp/files.conf" <<EOF
settings = { state_dir = "$tmp/state"; };
runbooks = ( { name = "r"; steps = ( { name = "s"; run = "true"; } ); } );
EOF
so() { STORE_PW=$O_PW "$MAINTOP" store -c "$tmp/o.conf" "$@"; }
sw() { STORE_PW=$W_PW "$MAINTOP" store -c "$tmp/w.conf" "$@"; }
sr() { STORE_PW=$R_PW "$MAINTOP" store -c "$tmp/r.conf" "$@"; }

# Configuration.
STORE_PW=$W_PW "$MAINTOP" validate -c "$tmp/w.conf" >/dev/null 2>&1
is "validate accepts settings.store" "$?" 0
printf 'settings = {\n  store = { conninfo = "host=x password=hunter2"; };\n};\n' > "$tmp/bad.conf"
"$MAINTOP" validate -c "$tmp/bad.conf" > "$tmp/out" 2>&1
is "a password in the conninfo: refused" "$?" 1
check "... at its file and line" grep -q "bad.conf:2: error: 'conninfo' holds a password" "$tmp/out"
check "... never quoted" sh -c '! grep -q hunter2 "$1"' - "$tmp/out"
printf 'settings = {\n  store = { conninfo = "dbname=x"; pasword_env = "X"; };\n};\n' > "$tmp/bad.conf"
"$MAINTOP" validate -c "$tmp/bad.conf" > "$tmp/out" 2>&1
check "an unknown key in store: refused with the nearest" \
    grep -q "bad.conf:2: .*pasword_env.*password_env" "$tmp/out"
printf 'settings = {\n  store = "dbname=x";\n};\n' > "$tmp/bad.conf"
"$MAINTOP" validate -c "$tmp/bad.conf" > "$tmp/out" 2>&1
check "store that is not a group: refused at its line" \
    grep -q "bad.conf:2: error: 'store' must be a group" "$tmp/out"
"$MAINTOP" store status -c "$tmp/files.conf" > "$tmp/out" 2>&1
is "no settings.store: status says files, exit 0" "$?:$(cat "$tmp/out")" \
    "0:store: files in $tmp/state"
"$MAINTOP" store init -c "$tmp/files.conf" > /dev/null 2>&1
is "no settings.store: init refused (3)" "$?" 3

# Schema.
so status > "$tmp/out" 2>&1
is "status of an empty database: exit 1" "$?" 1
check "... says to run init" grep -q "^schema: none (run 'maintop store init')" "$tmp/out"
so migrate --to 1 > "$tmp/out" 2>&1
is "migrate --to 1 on an empty database" "$?:$(cat "$tmp/out")" \
    "0:schema migrated from version 0 to 1"
so init > "$tmp/out" 2>&1
is "init at version 1 says to migrate" "$?" 1
check "... naming migrate" grep -q "run 'maintop store migrate'" "$tmp/out"
so status > "$tmp/out" 2>&1
check "status at version 1 says to migrate" \
    grep -q "^schema: version 1, this maintop uses 4 (run 'maintop store migrate')" "$tmp/out"
is "migrate --to 2 from version 1" "$(so migrate --to 2 2>&1)" \
    "schema migrated from version 1 to 2"
is "the outbox and heartbeats of version 2 exist" \
    "$(sq "SELECT count(*) FROM pg_tables WHERE schemaname = 'maintop' AND tablename IN ('outbox', 'agent_heartbeat')")" 2
is "migrate --to 3 from version 2" "$(so migrate --to 3 2>&1)" \
    "schema migrated from version 2 to 3"
is "the agents' state of version 3 exists" \
    "$(sq "SELECT count(*) FROM pg_tables WHERE schemaname = 'maintop' AND tablename = 'agent_state'")" 1
# An outbox row of version 3 stays through the migration to 4.
sq "INSERT INTO maintop.outbox (id, channel, event) VALUES ('e1', 'hook', '{}')" >/dev/null
is "migrate from version 3, the one before this maintop's" "$(so migrate 2>&1)" \
    "schema migrated from version 3 to 4"
is "the outbox's claims of version 4 exist, the row of version 3 unclaimed" \
    "$(sq "SELECT id || ' ' || state || ' ' || coalesce(claimed_by, 'none') || ' ' || coalesce(claimed_until::text, 'none') FROM maintop.outbox")" \
    "e1 waiting none none"
sq "DELETE FROM maintop.outbox" >/dev/null
is "init after migrate: nothing to do" "$(so init 2>&1)" \
    "store already initialized: schema version 4"
is "init again: nothing to do" "$(so init 2>&1)" \
    "store already initialized: schema version 4"
is "schema_version records each version once" \
    "$(sq "SELECT string_agg(version::text, ',' ORDER BY version) FROM maintop.schema_version")" "1,2,3,4"
is "migrate again: nothing to do" "$(so migrate 2>&1)" "schema already at version 4"
so migrate --to 1 > "$tmp/out" 2>&1
is "migrate backwards: refused" "$?" 1
so migrate --to 9 > /dev/null 2>&1
is "migrate --to past this maintop's: usage error" "$?" 2

# The grants of doc/team-store.md, as the owner gives them.
store_grants > "$tmp/out" 2>&1
is "the guide's grants apply" "$?" 0
check "the guide holds the grants" grep -q "GRANT SELECT" "$tmp/grants.sql"

# Status: the server, the version, the role's rights, a lock and its holder.
sw status > "$tmp/out" 2>&1
is "status of a current store: exit 0" "$?" 0
is "status: store, server, schema, role, contents" "$(sed -n 1,6p "$tmp/out")" \
"store: postgres ($ci_w)
server: PostgreSQL $(sq 'SHOW server_version')
schema: version 4 (current)
role: alice (reads and writes)
journal: 0 records
debt: 0 items"
# A holder whose session holds the runbook's advisory lock, and one whose
# session is gone (that row holds nothing).
hold lock "SELECT pg_advisory_lock(42);
INSERT INTO maintop.run_locks VALUES ('failover', 42, 'R1', 'bob', 'bastion1',
    'pts/3', 4242, pg_backend_pid(), '2026-12-03T10:00:00Z');
INSERT INTO maintop.run_locks VALUES ('gone', 43, 'R2', 'eve', 'b2', NULL, 1,
    1, now());"
sw status > "$tmp/out" 2>&1
is "status names the lock's holder, terminal and start" \
    "$(grep '^run lock' "$tmp/out")" \
    "run lock: failover held by bob@bastion1 on pts/3 since 2026-12-03T10:00:00Z (pid 4242)"
check "... and nobody leads the agents" grep -q "^agent lead: nobody" "$tmp/out"
sr status > "$tmp/out" 2>&1
check "the read-only role sees the lock too" grep -q "^run lock: failover held by bob" "$tmp/out"
check "... and is told it reads only" grep -q "^role: wall (reads only)" "$tmp/out"
release lock
sw status > "$tmp/out" 2>&1
check "the holder gone, no lock is held" grep -q "^run locks: none held" "$tmp/out"
sq "DELETE FROM maintop.run_locks" >/dev/null

# Import: a file journal and debt list made by maintop itself.
for i in 1 2 3; do
	"$MAINTOP" run r -c "$tmp/files.conf" --yes >/dev/null 2>&1 ||
	    bail "a run on the file store failed"
done
"$MAINTOP" debt add -c "$tmp/files.conf" --title "Old TLS" --priority high \
    --system pg-main --owner ops >/dev/null 2>&1 || bail "debt add failed"
"$MAINTOP" debt add -c "$tmp/files.conf" --title "Backups untested" \
    --priority low --plan "restore weekly" >/dev/null 2>&1 || bail "debt add failed"
# Two identical lines are two records.
tail -n 1 "$tmp/state/journal.jsonl" >> "$tmp/state/journal.jsonl"
lines=$(wc -l < "$tmp/state/journal.jsonl" | tr -d ' ')
sr import > "$tmp/out" 2>&1
is "the read-only role cannot import (exit 1)" "$?" 1
check "... told it may not write" grep -q "permission denied for table journal: the store's role 'wall' may not do this" "$tmp/out"
is "... and nothing was written" "$(sq 'SELECT count(*) FROM maintop.journal')" 0
is "import" "$(sw import 2>&1)" \
    "imported from $tmp/state: journal $lines records, $lines new; debt 2 items, 2 new"
is "the journal's rows" "$(sq 'SELECT count(*) FROM maintop.journal')" "$lines"
is "import again adds nothing" "$(sw import 2>&1)" \
    "imported from $tmp/state: journal $lines records, 0 new; debt 2 items, 0 new"
is "the same rows" "$(sq 'SELECT count(*) FROM maintop.journal'),$(sq 'SELECT count(*) FROM maintop.debt_items')" "$lines,2"
is "the records keep who acted" \
    "$(sq "SELECT count(*) FROM maintop.journal WHERE type = 'run_start' AND actor IS NOT NULL")" 3

# Export: back to files that are the same bytes.
mkdir "$tmp/out-dir"
is "export --to DIR" "$(sr export --to "$tmp/out-dir" 2>&1)" \
    "exported to $tmp/out-dir: journal $lines records; debt 2 items"
check "the journal round-trips byte for byte" cmp "$tmp/state/journal.jsonl" "$tmp/out-dir/journal.jsonl"
check "the debt list round-trips byte for byte" cmp "$tmp/state/debt.conf" "$tmp/out-dir/debt.conf"
is "the exported files are private" "$(stat -c %a "$tmp/out-dir/journal.jsonl") $(stat -c %a "$tmp/out-dir/debt.conf")" "600 600"
check "no temporary file left" sh -c '[ "$(ls -A "$1" | wc -l)" = 2 ]' - "$tmp/out-dir"
is "the files store reads the export" \
    "$("$MAINTOP" debt -c "$tmp/files.conf" --json | grep -c '"title"')" 2

# What the store holds is input: hostile rows are refused or skipped, and
# nothing from them reaches the terminal raw.
sq "INSERT INTO maintop.journal (id, record) VALUES ('h1', E'{\"a\":\n1}')" >/dev/null
sq "INSERT INTO maintop.debt_items (id, item) VALUES ('D-9999', 'debt = ( { id = \"D-9999\"; title = 1; } );')" >/dev/null
mkdir "$tmp/out-hostile"
sr export --to "$tmp/out-hostile" > "$tmp/out" 2>&1
is "a debt item the debt file would refuse: export refused (1)" "$?" 1
check "... naming the item and the problem" grep -q "store debt item D-9999:1: error: .*title" "$tmp/out"
check "... and writing nothing" sh -c '[ -z "$(ls -A "$1")" ]' - "$tmp/out-hostile"
sq "DELETE FROM maintop.debt_items WHERE id = 'D-9999'" >/dev/null
sr export --to "$tmp/out-hostile" > "$tmp/out" 2>&1
check "a record that is not one line: skipped, and said" \
    grep -q "^skipped 1 journal lines that are not records" "$tmp/out"
check "... the journal file has one record a line" sh -c '[ "$(wc -l < "$1")" = "$2" ]' - "$tmp/out-hostile/journal.jsonl" "$lines"
sq "DELETE FROM maintop.journal WHERE id = 'h1'" >/dev/null
hold evil "SELECT pg_advisory_lock(44);
INSERT INTO maintop.run_locks VALUES (E'ev\\u001b[2Jil', 44, 'R3',
    E'mal\\u001b]0;x\\u0007lory', E'h\\u009bost', NULL, 1,
    pg_backend_pid(), now());"
sw status > "$tmp/out" 2>&1
check "status shows a hostile lock row" grep -q "^run lock: ev.*il held by mal" "$tmp/out"
check "... with no escape or C1 control" \
    sh -c '! LC_ALL=C grep -q "$(printf "\033\\|\302\233\\|\007")" "$1"' - "$tmp/out"
release evil
sq "DELETE FROM maintop.run_locks" >/dev/null

# The read-only role cannot write through any command.
sq "DELETE FROM maintop.schema_version WHERE version >= 2; DROP TABLE maintop.outbox, maintop.agent_heartbeat, maintop.agent_state" >/dev/null
sr migrate > "$tmp/out" 2>&1
is "the read-only role cannot migrate (exit 1)" "$?" 1
check "... told why" grep -q "migration to version 2: permission denied for schema maintop: the store's role 'wall' may not do this" "$tmp/out"
is "... and the schema stayed at version 1" "$(sq 'SELECT max(version) FROM maintop.schema_version')" 1
so migrate >/dev/null 2>&1
servers_psql -d postgres -c "CREATE DATABASE empty" >/dev/null
conf "$tmp/r2.conf" "host=127.0.0.1 port=$PGPORT_TEST dbname=empty user=wall"
STORE_PW=$R_PW "$MAINTOP" store -c "$tmp/r2.conf" init > "$tmp/out" 2>&1
is "the read-only role cannot init a database (exit 1)" "$?" 1
check "... told why" grep -q "permission denied for database empty: the store's role 'wall' may not do this" "$tmp/out"

# The password: not in the process list while a command waits on the
# server, never in a message.
hold table "BEGIN; LOCK TABLE maintop.journal IN EXCLUSIVE MODE;"
sw import > "$tmp/imp" 2>&1 &
imp=$!
i=0
while [ "$(sq "SELECT count(*) FROM pg_stat_activity WHERE usename = 'alice' AND wait_event_type = 'Lock'")" != 1 ] &&
    [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
is "an import waits on the table" "$(sq "SELECT count(*) FROM pg_stat_activity WHERE usename = 'alice' AND wait_event_type = 'Lock'")" 1
ps -eo args > "$tmp/ps"
check "the waiting maintop is in the process list" grep -q "store -c $tmp/w.conf import" "$tmp/ps"
check "... without its password" sh -c '! grep -q "$1" "$2"' - "$W_PW" "$tmp/ps"
release table
wait $imp
is "... and it finishes when the table is free" "$?" 0
STORE_PW=Wrong-Pass-3e1a "$MAINTOP" store -c "$tmp/w.conf" status > "$tmp/out" 2>&1
is "a wrong password: exit 1" "$?" 1
check "... says authentication failed" grep -q "password authentication failed for user \"alice\"" "$tmp/out"
check "... without the password" sh -c '! grep -q Wrong-Pass "$1"' - "$tmp/out"
"$MAINTOP" store -c "$tmp/w.conf" status > "$tmp/out" 2>&1
is "password_env unset: exit 1" "$?" 1
check "... names the variable" grep -q "environment variable STORE_PW (settings.store.password_env) is not set" "$tmp/out"
# .pgpass instead of password_env.
printf 'settings = { state_dir = "%s/state"; store = { conninfo = "%s"; }; };\n' "$tmp" "$ci_w" > "$tmp/p.conf"
(umask 077; printf '127.0.0.1:%s:team:alice:%s\n' "$PGPORT_TEST" "$W_PW" > "$tmp/pgpass")
PGPASSFILE=$tmp/pgpass "$MAINTOP" store -c "$tmp/p.conf" status > "$tmp/out" 2>&1
is "the password from a password file (.pgpass)" "$?" 0
# A step's child never sees the store's password variable.
cat > "$tmp/env.conf" <<EOF
settings = { state_dir = "$tmp/state2";
  store = { conninfo = "$ci_w"; password_env = "STORE_PW"; }; };
runbooks = ( { name = "env"; steps = ( { name = "s"; run = "env > $tmp/child-env"; } ); } );
EOF
STORE_PW=$W_PW "$MAINTOP" run env -c "$tmp/env.conf" --yes >/dev/null 2>&1
check "a step ran" test -s "$tmp/child-env"
check "... without the store's password in its environment" \
    sh -c '! grep -q "$1" "$2"' - "$W_PW" "$tmp/child-env"

echo "1..$n"
