#!/bin/sh
# Secret runbook parameters and check passwords in sql, redis and http
# steps against real servers (tests/lib/servers.sh): the process list and
# the clients' environments, scanned for the whole run, never show one on
# psql's, redis-cli's or curl's command line or in their environment, and
# neither the output, the run log nor the journal holds one; the servers
# still get the value.  Prints TAP.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
: "${MAINTOP:=./maintop}"
. "$top_srcdir/tests/lib/servers.sh"
. "$top_srcdir/tests/lib/tap.sh"
"$MAINTOP" --version >/dev/null 2>&1 || bail "$MAINTOP does not run"
servers_require pg redis http psql redis-cli curl ps
if ! servers_start_pg >/dev/null 2>&1 ||
    ! servers_start_redis auth >/dev/null 2>&1 ||
    ! servers_start_http >/dev/null 2>&1; then
	bail "the test servers did not start"
fi
dir=$SERVERS_TMP/secrets
mkdir -p "$dir"
secret="TopSecret-$$-q'x"
U=$HTTP_URL_TEST

servers_psql -c "GRANT CREATE ON SCHEMA public TO monitor" >/dev/null 2>&1
cat > "$dir/m.conf" <<EOC
settings = { state_dir = "$dir/state"; };
postgres = ( { name = "pg-main"; conninfo = "$PG_CONNINFO_TEST";
               password_file = "$PG_MONITOR_PASSFILE"; } );
redis = ( { name = "cache"; port = $REDIS_AUTH_PORT_TEST;
            user = "$REDIS_ACL_USER_TEST"; password_env = "SECRETS_REDIS_PW"; } );
runbooks = (
  { name = "sec";
    params = ( { name = "tok"; secret = true; default = "$secret"; } );
    steps = (
      { name = "table"; confirm = false;
        sql = "CREATE TABLE IF NOT EXISTS sec_t (v text)"; on = "pg-main"; },
      { name = "slow-sql"; confirm = false; on = "pg-main";
        sql = "INSERT INTO sec_t SELECT \${tok} FROM pg_sleep(3)"; },
      { name = "slow-redis"; confirm = false; on = "cache";
        redis = "BLPOP \${tok} 3"; },
      { name = "set"; confirm = false; on = "cache";
        redis = "SET sec-key \${tok}"; },
      { name = "slow-http"; confirm = false;
        http = "$U/slow?ms=3000&t=\${tok}"; }
    ); }
);
EOC
export SECRETS_REDIS_PW="$REDIS_ACL_PASSWORD_TEST"

# The process list, as often as ps can, while the run goes on.
: >"$dir/ps.txt"
: >"$dir/env.txt"
(
	while [ ! -e "$dir/done" ]; do
		ps -eo pid=,comm=,args= >"$dir/snap" 2>/dev/null
		sed 's/^ *[0-9]* [^ ]* *//' "$dir/snap" >>"$dir/ps.txt"
		# This run's clients only (other tests may run beside it).
		awk '$2 == "psql" || $2 == "redis-cli" || $2 == "curl" {
		    print $1 }' "$dir/snap" |
		while read -r p; do
			tr '\0' '\n' <"/proc/$p/environ" >"$dir/one.env" &&
			    grep -qx "SECRETS_RUN=$$" "$dir/one.env" &&
			    cat "$dir/one.env" >>"$dir/env.txt"
		done 2>/dev/null
	done
) &
scanner=$!
# The value comes from the configuration (on --param it would be on
# maintop's own command line).
# maintop gets only the variable its configuration names (the suite's own
# copies of the passwords are removed from its environment).
env -u PG_MONITOR_PASSWORD -u PG_APP_PASSWORD -u REDIS_PASSWORD_TEST \
    -u REDIS_ACL_PASSWORD_TEST SECRETS_RUN=$$ \
    "$MAINTOP" run sec -c "$dir/m.conf" --yes >"$dir/out" 2>&1 </dev/null
rc=$?
touch "$dir/done"
wait "$scanner"
ok $rc "the run succeeds"
[ $rc = 0 ] || sed 's/^/# /' "$dir/out"

check "the scan saw psql at work" grep -q "psql -X -w .*user=monitor -f -" "$dir/ps.txt"
check "the scan saw redis-cli at work" \
    grep -q "^redis-cli .*-p $REDIS_AUTH_PORT_TEST" "$dir/ps.txt"
check "the scan saw curl at work" grep -q "^curl .*-K -" "$dir/ps.txt"
check "no secret on any command line, all run long" \
    sh -c "! grep -qF 'TopSecret-' '$dir/ps.txt'"
check "the scan read the clients' environments" grep -q "^PGAPPNAME=maintop" "$dir/env.txt"
check "no check password in a client's environment" \
    sh -c "! grep -qF -e '$PG_MONITOR_PASSWORD' -e '$REDIS_ACL_PASSWORD_TEST' '$dir/env.txt'"
check "nor a secret parameter" sh -c "! grep -qF 'TopSecret-' '$dir/env.txt'"
check "not in the output" sh -c "! grep -qF 'TopSecret-' '$dir/out'"
check "nor in the run log or the journal" \
    sh -c "! grep -rqF 'TopSecret-' '$dir/state'"
got=$(servers_psql -At -c "SELECT v FROM sec_t" 2>/dev/null)
is "PostgreSQL got the value as a literal, quote and all" "$got" "$secret"
got=$(redis-cli -p "$REDIS_AUTH_PORT_TEST" --user "$REDIS_ACL_USER_TEST" \
    --pass "$REDIS_ACL_PASSWORD_TEST" --no-auth-warning GET sec-key 2>/dev/null)
is "Redis got the value as one argument" "$got" "$secret"
echo "1..$n"
