#!/bin/sh
# Files read at each probe on a slow file system: with the shim
# tests/screen/slowio.so making every open of the files under "slow/"
# (a PostgreSQL and a Redis password_file, an HTTP check's secret header
# value_file, its ca_file and its client certificate and key) take 3 s, as
# a hung NFS mount would, the dashboard's keys open and close the help
# while such a read is in progress, at start-up and between probes.  The
# reads end and every check turns ok with what was read: the password
# authenticates, the header reaches the server, the CA and the client
# certificate pass mutual TLS.  A check whose deadline passes first says
# what it was waiting for.  TAP.
SERVERS_NO_TRAP=1
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/screen/lib.sh"
. "$top_srcdir/tests/lib/servers.sh"
trap 'servers_stop_all; screen_cleanup' EXIT
trap 'servers_stop_all; screen_cleanup; trap - EXIT; exit 143' INT TERM HUP

servers_require pg redis redis-cli http openssl
shim="$top_builddir/tests/screen/slowio.so"
[ -f "$shim" ] || bail "the shim $shim is not built (make check builds it)"
"$MAINTOP" --version >/dev/null 2>&1 || bail "$MAINTOP does not run"

run=$SCREEN_TMP/run
slow=$run/slow
mkdir -p "$run/state" "$slow"
# The PKI for mutual TLS: a CA, the server's certificate, the client's.
pki() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -keyout "$run/ca.key" -out "$slow/ca.pem" -days 400 \
	    -subj "/CN=maintop slow CA" &&
	for who in srv client; do
		printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' \
		    >"$run/$who.ext"
		openssl req -new -newkey ec \
		    -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		    -keyout "$slow/$who.key" -out "$run/$who.csr" \
		    -subj "/CN=$who" &&
		openssl x509 -req -in "$run/$who.csr" -CA "$slow/ca.pem" \
		    -CAkey "$run/ca.key" -CAcreateserial -days 400 \
		    -extfile "$run/$who.ext" -out "$slow/$who.pem" || return 1
		chmod 600 "$slow/$who.key"
	done
}
pki >"$run/openssl.log" 2>&1 || bail "openssl could not make the certificates"
if ! servers_start_pg || ! servers_start_redis auth ||
    ! servers_start_mtls "$slow/srv.pem" "$slow/srv.key" "$slow/ca.pem"; then
	bail "the test servers did not start"
fi
redis-cli -h 127.0.0.1 -p "$REDIS_AUTH_PORT_TEST" --no-auth-warning \
    -a "$REDIS_PASSWORD_TEST" CONFIG SET requirepass "$PG_MONITOR_PASSWORD" \
    >/dev/null || bail "redis-cli cannot set the password"
printf '%s\n' "$PG_MONITOR_PASSWORD" >"$slow/pw"
printf 'slow-token\n' >"$slow/token"
chmod 600 "$slow/pw" "$slow/token"

T=https://127.0.0.1:$MTLS_PORT_TEST
cat >"$run/maintop.conf" <<EOF2
settings = { name = "slow-files"; timezone = "UTC"; state_dir = "state";
  fail_after = 1; recover_after = 1; };
redis = ( { name = "cache"; port = $REDIS_AUTH_PORT_TEST; interval = "2s";
  timeout = "30s"; password_file = "$slow/pw"; } );
postgres = ( { name = "db"; conninfo = "$PG_CONNINFO_TEST"; interval = "2s";
  timeout = "30s"; password_file = "$slow/pw"; } );
http = (
  { name = "mtls"; url = "$T/client"; interval = "2s"; timeout = "30s";
    ca_file = "$slow/ca.pem"; client_cert = "$slow/client.pem";
    client_key = "$slow/client.key"; body_contains = "client";
    secret_headers = ( { name = "X-Api-Key";
      value_file = "$slow/token"; } ); },
  { name = "hasty"; url = "$T/client"; interval = "1h"; timeout = "1s";
    ca_file = "$slow/ca.pem"; client_cert = "$slow/client.pem";
    client_key = "$slow/client.key"; }
);
EOF2

export SLOWIO_LOG="$run/slowio.log"
. "$top_srcdir/tests/lib/slowio.sh"
# The shim is not built with the sanitizers: ASan need not come first.
SCREEN_ENV="LD_PRELOAD=$shim SLOWIO_MS=3000 SLOWIO_PATHS=$slow/ SLOWIO_LOG=$SLOWIO_LOG ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0"

state() {
	screen_capture | awk -v n="$1" '$2 == n { print $3; exit }'
}
# wait_state NAME STATE: until check NAME shows STATE (a prefix), 90 s
# at most (each file read takes 3 s, one after the other).
wait_state() {
	_i=0
	until case "$(state "$1")" in "$2"*) true ;; *) false ;; esac; do
		[ "$_i" -lt 900 ] || return 1
		sleep 0.1
		_i=$((_i + 1))
	done
}

cd "$run" || exit 1
screen_start 120 30 "$MAINTOP" -c maintop.conf
cd - >/dev/null || exit 1
screen_wait "slow-files" >/dev/null && [ "$(slowio_ends)" = 0 ]
screen_ok $? "the first frame comes before the first slow read ends"
screen_keys 2 z
slowio_during '?' "maintop keys" "" \
    "start-up: ? opens the help while a secret file is being read"
slowio_during Escape "maintop keys" gone \
    "start-up: Escape closes it while a secret file is being read"
for c in cache db mtls; do
	wait_state "$c" ok
	screen_ok $? "$c turns ok with what was read on the slow file system"
done
slowio_during '?' "maintop keys" "" \
    "between probes: ? opens the help while the files are read again"
slowio_during Escape "maintop keys" gone \
    "between probes: Escape closes it while the files are read again"
wait_state hasty crit
screen_capture | grep -q "hasty .*reading the secret and TLS files"
screen_ok $? "a deadline passed during the read says what it waited for"
[ "$(grep -c '^end$' "$SLOWIO_LOG")" -ge 6 ]
screen_ok $? "the files were read through the slow shim ($(slowio_ends) reads)"
screen_keys q
screen_done
