#!/bin/sh
# sql, redis and http runbook steps through "maintop run --yes" against real
# servers (tests/lib/servers.sh): a table created, a key set with an
# authenticated ACL user, POST /toggle flipping /health, custom headers
# echoed by /echo (one from a secret parameter), a failing statement, a
# wrong status, a missing client, and no password or secret anywhere in the
# output, the run log or the journal.  Prints TAP.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
: "${MAINTOP:=./maintop}"
. "$top_srcdir/tests/lib/servers.sh"
. "$top_srcdir/tests/lib/tap.sh"
"$MAINTOP" --version >/dev/null 2>&1 || bail "$MAINTOP does not run"
servers_require pg redis http psql redis-cli curl
if ! servers_start_pg >/dev/null 2>&1 ||
    ! servers_start_redis auth >/dev/null 2>&1 ||
    ! servers_start_http >/dev/null 2>&1; then
	bail "the test servers did not start"
fi
dir=$SERVERS_TMP/steps
mkdir -p "$dir"
has() { grep -q -- "$2" "$1"; }
hasnt() { ! grep -rq -- "$2" "$1"; }

servers_psql -c "GRANT CREATE ON SCHEMA public TO monitor" >/dev/null 2>&1
U=$HTTP_URL_TEST
cat > "$dir/m.conf" <<EOC
settings = { state_dir = "$dir/state"; };
postgres = ( { name = "pg-main"; conninfo = "$PG_CONNINFO_TEST";
               password_file = "$PG_MONITOR_PASSFILE"; } );
redis = ( { name = "cache"; port = $REDIS_AUTH_PORT_TEST; db = 3;
            user = "$REDIS_ACL_USER_TEST";
            password_env = "STEPS_REDIS_PW"; } );
http = ( { name = "web"; url = "$U/health"; } );
runbooks = (
  { name = "good";
    params = ( { name = "tbl"; default = "steps_t"; },
               { name = "val"; default = "x'y; DROP TABLE z"; } );
    steps = (
      { name = "create"; sql = "CREATE TABLE \${tbl:ident} (v text)"; on = "pg-main"; },
      { name = "insert"; sql = "INSERT INTO \${tbl:ident} VALUES (\${val})"; on = "pg-main"; },
      { name = "set"; redis = "SET 'steps key' \${val}"; on = "cache"; },
      { name = "flip"; http = "$U/toggle"; method = "POST"; },
      { name = "down"; http = "$U/health"; expect_status = 503; },
      { name = "back"; http = "$U/toggle"; method = "POST"; }
    ); },
  { name = "badsql";
    steps = ( { name = "boom"; sql = "SELECT * FROM no_such_table"; on = "pg-main"; } ); },
  { name = "badredis";
    steps = ( { name = "boom"; redis = "INCR 'steps key'"; on = "cache"; } ); },
  { name = "badhttp";
    steps = ( { name = "boom"; http = "$U/status/500"; } ); },
  { name = "headers";
    params = ( { name = "who"; default = "alice"; },
               { name = "token"; secret = true; } );
    steps = ( { name = "echo"; http = "$U/echo"; method = "POST";
                headers = [ "X-Maintop-Test: \${who} was here",
                            "Authorization: Bearer \${token}",
                            "X-Empty:" ]; } ); }
);
EOC
sed 's/^settings = {/settings = { read_only = true;/' "$dir/m.conf" > "$dir/ro.conf"
export STEPS_REDIS_PW="$REDIS_ACL_PASSWORD_TEST"
rcli() { REDISCLI_AUTH=$REDIS_ACL_PASSWORD_TEST redis-cli -h 127.0.0.1 \
    -p "$REDIS_AUTH_PORT_TEST" --user "$REDIS_ACL_USER_TEST" -n 3 "$@"; }
status() { curl -s -o /dev/null -w '%{http_code}' "$U/health"; }
secrets() {	# no password in the given files or the state directory
	for f; do
		hasnt "$f" "$PG_MONITOR_PASSWORD" || return 1
		hasnt "$f" "$REDIS_ACL_PASSWORD_TEST" || return 1
	done
}

echo "1..28"

"$MAINTOP" run good -c "$dir/m.conf" --dry-run > "$dir/dry" 2>&1
check "dry run exits 0" test $? -eq 0
check "dry run shows the statement and where" has "$dir/dry" \
    "sql on pg-main (monitor@127.0.0.1:$PGPORT_TEST/maintop): CREATE TABLE \"steps_t\""
check "dry run shows the redis command and where" has "$dir/dry" \
    "redis on cache (monitor@127.0.0.1:$REDIS_AUTH_PORT_TEST/3): SET \"steps key\" \"x'y; DROP TABLE z\""
check "dry run shows the request" has "$dir/dry" "POST $U/toggle (expect 2xx)"
check "the dry run ran nothing" test "$(status)" = 200

"$MAINTOP" run good -c "$dir/m.conf" --yes < /dev/null > "$dir/out" 2>&1
check "a run of sql, redis and http steps succeeds" test $? -eq 0
check "the table was created, the value a literal" test \
    "$(servers_psql -Atc "SELECT v FROM steps_t")" = "x'y; DROP TABLE z"
check "the key was set (one word, not re-split)" test \
    "$(rcli GET 'steps key')" = "x'y; DROP TABLE z"
check "the toggle flipped /health and back" has "$dir/out" \
    "maintop: HTTP status 503"
check "/health is back" test "$(status)" = 200

"$MAINTOP" run badsql -c "$dir/m.conf" --yes < /dev/null > "$dir/out2" 2>&1
check "a failing statement fails the run" test $? -eq 1
check "with the server's error" has "$dir/out2" 'relation "no_such_table" does not exist'
check "psql's standard error marked as such" has "$dir/out2" \
    '^2> .*relation "no_such_table" does not exist'
check "its last lines in the journal, as why it failed" has \
    "$dir/state/journal.jsonl" \
    '"step_end".*"runbook":"badsql".*"stderr_lines":[1-9][0-9]*,"stderr_tail":\["ERROR: .*no_such_table'

"$MAINTOP" run badredis -c "$dir/m.conf" --yes < /dev/null > "$dir/out3" 2>&1
check "a redis error reply fails the run" test $? -eq 1 -a -n "$(grep 'redis replied with an error' "$dir/out3")"

"$MAINTOP" run badhttp -c "$dir/m.conf" --yes < /dev/null > "$dir/out4" 2>&1
check "a wrong status fails the run" test $? -eq 1 -a -n "$(grep 'HTTP status 500, expected 2xx' "$dir/out4")"

empty=$dir/emptybin
mkdir -p "$empty"
env PATH="$empty" "$MAINTOP" run badsql -c "$dir/m.conf" --yes < /dev/null > "$dir/out5" 2>&1
check "a missing client fails the step" test $? -eq 1
check "and names the package" has "$dir/out5" "install the Debian package postgresql-client"

servers_psql -c "DROP TABLE steps_t" >/dev/null 2>&1
"$MAINTOP" run good -c "$dir/ro.conf" --yes < /dev/null > "$dir/out6" 2>&1
check "read-only: refused (exit 10)" test $? -eq 10
check "read-only: no statement was sent" test \
    "$(servers_psql -Atc "SELECT count(*) FROM pg_tables WHERE tablename = 'steps_t'")" = 0
check "read-only: /health untouched" test "$(status)" = 200

tok=hdr-s3cret-$$
"$MAINTOP" run headers -c "$dir/m.conf" --param "token=$tok" --dry-run \
    > "$dir/dry7" 2>&1
check "dry run shows the headers, the secret masked" has "$dir/dry7" \
    "header: Authorization: Bearer \*\*\*\*\*\*"
"$MAINTOP" run headers -c "$dir/m.conf" --param "token=$tok" --yes \
    < /dev/null > "$dir/out7" 2>&1
check "a request with custom headers succeeds" test $? -eq 0
check "the server saw the header, its parameter substituted" has \
    "$dir/out7" "X-Maintop-Test: alice was here"
check "and the empty one" has "$dir/out7" "X-Empty: *\$"
check "the secret header arrived, masked in what is shown" has "$dir/out7" \
    "Authorization: Bearer \*\*\*\*\*\*"

check "no password in the output, the logs or the journal" secrets \
    "$dir/dry" "$dir/out" "$dir/out2" "$dir/out3" "$dir/out4" "$dir/state" \
    "$dir/out7" "$dir/dry7"
check "no secret header value in the output, the logs or the journal" \
    hasnt "$dir" "$tok"
