# servers.sh: starts real PostgreSQL, Redis and HTTP(S) test servers on
# 127.0.0.1 for maintop's shell tests, and stops them however a test ends.
#
# Usage, in a POSIX sh test that prints TAP:
#
#	. "$top_srcdir/tests/lib/servers.sh"
#	servers_require pg redis http curl	# or print "1..0 # SKIP" and exit
#	servers_start_pg
#	servers_start_redis
#	servers_start_http
#	... tests using $PGPORT_TEST, $REDIS_PORT_TEST, $HTTP_URL_TEST ...
#	# servers_stop_all runs from the EXIT trap that servers_init sets.
#
# Everything lives in one temporary directory per test file ($SERVERS_TMP,
# under ${TMPDIR:-/tmp}); every server listens on 127.0.0.1 only, on a free
# port, and is killed (and the directory removed) on exit, on SIGINT,
# SIGTERM and SIGHUP, and also when the test shell dies (the servers get
# SIGTERM through setpriv --pdeathsig).  When run as root, PostgreSQL and
# Redis run as an unprivileged user ($SERVERS_USER: postgres, else nobody).
#
# Do not call the start functions in a command substitution or a pipeline:
# they must run in the test's own shell, which is the servers' parent.
# Set SERVERS_KEEP=1 to keep the directory (its logs) after the test.
# The library works with "set -eu" and needs only POSIX sh, coreutils,
# util-linux (setpriv) and the servers' own Debian packages.

# --- internals --------------------------------------------------------------

_servers_say() {
	printf '# servers: %s\n' "$*" >&2
}

# Quotes $1 for the shell, for saved command lines.
_servers_q() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# True if process $1 exists and is not a zombie.
_servers_alive() {
	_st=
	[ -n "${1:-}" ] || return 1
	[ -r "/proc/$1/stat" ] || return 1
	_st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1) || return 1
	[ -n "$_st" ] && [ "$_st" != Z ] && [ "$_st" != X ]
}

# Sleeps a tenth of a second (GNU sleep takes fractions).
_servers_nap() {
	sleep 0.1 2>/dev/null || sleep 1
}

# Finds PostgreSQL's server binaries: $MAINTOP_PG_BINDIR, then the newest
# /usr/lib/postgresql/N/bin, then PATH.  Sets SERVERS_PG_BINDIR.
_servers_find_pg() {
	if [ -n "${SERVERS_PG_BINDIR:-}" ]; then
		return 0
	fi
	if [ -n "${MAINTOP_PG_BINDIR:-}" ] &&
	    [ -x "$MAINTOP_PG_BINDIR/initdb" ]; then
		SERVERS_PG_BINDIR=$MAINTOP_PG_BINDIR
		return 0
	fi
	_d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null |
	    sed 's|^/usr/lib/postgresql/\([0-9]*\).*|\1 &|' | sort -n |
	    tail -n 1 | cut -d' ' -f2)
	if [ -n "$_d" ] && [ -x "$_d/initdb" ] && [ -x "$_d/postgres" ]; then
		SERVERS_PG_BINDIR=$_d
		return 0
	fi
	_d=$(command -v initdb 2>/dev/null || true)
	if [ -n "$_d" ]; then
		SERVERS_PG_BINDIR=$(dirname "$_d")
		return 0
	fi
	return 1
}

# Runs "$@" as the servers' user (or as ourselves when not root), with
# SIGTERM when the test shell dies.
_servers_as() {
	if [ -n "${SERVERS_USER:-}" ]; then
		setpriv --reuid="$SERVERS_USER" --regid="$SERVERS_GROUP" \
		    --clear-groups --pdeathsig TERM -- "$@"
	else
		setpriv --pdeathsig TERM -- "$@"
	fi
}

# Makes directory $1 for the servers' user, mode 0700.
_servers_mkdir() {
	mkdir -p "$1" || return 1
	chmod 700 "$1"
	if [ -n "${SERVERS_USER:-}" ]; then
		chown "$SERVERS_USER:$SERVERS_GROUP" "$1" || return 1
	fi
}

# _servers_spawn NAME SIGNAL AS COMMAND...: starts COMMAND in the
# background (as the servers' user when AS is "user"), its output in
# $SERVERS_TMP/NAME.log, and remembers its pid, stop signal and command.
_servers_spawn() {
	_n=$1 _sig=$2 _as=$3
	shift 3
	: >"$SERVERS_TMP/$_n.cmd"
	for _a in "$@"; do
		printf '%s ' "$(_servers_q "$_a")" >>"$SERVERS_TMP/$_n.cmd"
	done
	printf '%s\n' "$_sig" >"$SERVERS_TMP/$_n.sig"
	printf '%s\n' "$_as" >"$SERVERS_TMP/$_n.as"
	# setpriv execs the server, so $! is the server's pid (a function
	# run in the background would be a subshell in between).
	if [ "$_as" = user ] && [ -n "${SERVERS_USER:-}" ]; then
		setpriv --reuid="$SERVERS_USER" --regid="$SERVERS_GROUP" \
		    --clear-groups --pdeathsig TERM -- "$@" </dev/null \
		    >>"$SERVERS_TMP/$_n.log" 2>&1 &
	else
		setpriv --pdeathsig TERM -- "$@" </dev/null \
		    >>"$SERVERS_TMP/$_n.log" 2>&1 &
	fi
	printf '%s\n' "$!" >"$SERVERS_TMP/$_n.pid"
	case " $SERVERS_NAMES " in
	*" $_n "*) ;;
	*) SERVERS_NAMES="$SERVERS_NAMES $_n" ;;
	esac
}

# The pid of server NAME, or nothing.
_servers_pid() {
	cat "$SERVERS_TMP/$1.pid" 2>/dev/null || true
}

# Waits until command "$2..." succeeds while server $1 lives, for at most
# $SERVERS_WAIT tenths of a second (300).  Returns 0 when ready, 2 when the
# server died, 1 on timeout.
_servers_wait() {
	_wn=$1
	shift
	_wpid=$(_servers_pid "$_wn")
	_i=0
	while [ "$_i" -lt "${SERVERS_WAIT:-300}" ]; do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		if ! _servers_alive "$_wpid"; then
			return 2
		fi
		_servers_nap
		_i=$((_i + 1))
	done
	return 1
}

_servers_pg_ready() {
	if [ -x "$SERVERS_PG_BINDIR/pg_isready" ]; then
		"$SERVERS_PG_BINDIR/pg_isready" -q -h "$PGSOCKET_TEST" \
		    -p "$PGPORT_TEST" -U postgres -d postgres
	else
		psql -X -A -t -h "$PGSOCKET_TEST" -p "$PGPORT_TEST" \
		    -U postgres -d postgres -c 'SELECT 1'
	fi
}

_servers_redis_ready() {
	# $1 port, $2 password (may be empty)
	if [ -n "${2:-}" ]; then
		_r=$(redis-cli -h 127.0.0.1 -p "$1" -a "$2" --no-auth-warning \
		    ping 2>/dev/null)
	else
		_r=$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)
	fi
	[ "$_r" = PONG ]
}

_servers_file_ready() {
	[ -s "$1" ]
}

_servers_tail() {
	_servers_say "last lines of $1:"
	tail -n 5 "$1" 2>/dev/null | sed 's/^/#   /' >&2
}

# --- public functions -------------------------------------------------------

# servers_init: creates $SERVERS_TMP and sets the EXIT, INT, TERM and HUP
# traps to servers_stop_all (not when SERVERS_NO_TRAP is set: then call
# servers_stop_all from your own trap).  Called by every start function;
# calling it again does nothing.  When root, picks $SERVERS_USER.
servers_init() {
	if [ -n "${SERVERS_TMP:-}" ] && [ -d "$SERVERS_TMP" ]; then
		return 0
	fi
	SERVERS_TMP=$(mktemp -d "${TMPDIR:-/tmp}/maintop-servers.XXXXXX") ||
	    return 1
	SERVERS_NAMES=
	SERVERS_PORTS=
	SERVERS_USER=
	SERVERS_GROUP=
	if [ "$(id -u)" = 0 ]; then
		for _u in ${MAINTOP_DEMO_USER:-} postgres nobody; do
			if id -u "$_u" >/dev/null 2>&1 &&
			    [ "$(id -u "$_u")" != 0 ]; then
				SERVERS_USER=$_u
				SERVERS_GROUP=$(id -g "$_u")
				break
			fi
		done
		# The servers' user must reach its own subdirectories.
		chmod 711 "$SERVERS_TMP"
	fi
	export SERVERS_TMP SERVERS_USER
	if [ -z "${SERVERS_NO_TRAP:-}" ]; then
		trap 'servers_stop_all' EXIT
		trap 'servers_stop_all; trap - EXIT; exit 129' HUP
		trap 'servers_stop_all; trap - EXIT; exit 130' INT
		trap 'servers_stop_all; trap - EXIT; exit 143' TERM
	fi
}

# servers_require WHAT...: checks that everything the test needs is
# installed; WHAT is pg, redis, http, or any command name (curl, tmux,
# openssl, ...).  When something is missing, prints the TAP plan
# "1..0 # SKIP <what> not found: apt-get install <package>" and exits 0,
# so call it before printing any TAP line.
servers_require() {
	for _w in "$@"; do
		_miss= _pkg=
		case $_w in
		pg|postgres|postgresql)
			if ! _servers_find_pg; then
				_miss="PostgreSQL (initdb)" _pkg=postgresql
			elif ! command -v psql >/dev/null 2>&1; then
				_miss=psql _pkg=postgresql-client
			fi ;;
		redis)
			if ! command -v redis-server >/dev/null 2>&1; then
				_miss=redis-server _pkg=redis-server
			elif ! command -v redis-cli >/dev/null 2>&1; then
				_miss=redis-cli _pkg=redis-tools
			fi ;;
		http)
			_servers_find_testhttpd
			if [ ! -x "$SERVERS_TESTHTTPD" ]; then
				_miss="$SERVERS_TESTHTTPD (run make check)"
				_pkg="nothing: build it with make check"
			elif ! command -v openssl >/dev/null 2>&1; then
				_miss=openssl _pkg=openssl
			fi ;;
		*)
			if ! command -v "$_w" >/dev/null 2>&1; then
				_miss=$_w
				case $_w in
				psql) _pkg=postgresql-client ;;
				redis-cli) _pkg=redis-tools ;;
				*) _pkg=$_w ;;
				esac
			fi ;;
		esac
		if [ -z "$_miss" ] && ! command -v setpriv >/dev/null 2>&1; then
			_miss=setpriv _pkg=util-linux
		fi
		if [ -n "$_miss" ]; then
			printf '1..0 # SKIP %s not found: apt-get install %s\n' \
			    "$_miss" "$_pkg"
			exit 0
		fi
	done
}

_servers_find_testhttpd() {
	if [ -z "${SERVERS_TESTHTTPD:-}" ]; then
		SERVERS_TESTHTTPD=${top_builddir:-.}/tests/servers/testhttpd
	fi
}

# free_port: prints a TCP port that is free on 127.0.0.1 now and that this
# test file has not handed out before.  Another process may still take it
# before the server binds it: the start functions retry with a new port.
free_port() {
	_servers_find_testhttpd
	_tries=0
	while [ "$_tries" -lt 50 ]; do
		_tries=$((_tries + 1))
		_p=
		if [ -x "$SERVERS_TESTHTTPD" ]; then
			_p=$("$SERVERS_TESTHTTPD" --free-port 2>/dev/null) ||
			    _p=
		fi
		if [ -z "$_p" ]; then
			# No testhttpd: a random port not listening now.
			_p=$(awk -v s="$$$(date +%N 2>/dev/null)$_tries" \
			    'BEGIN { srand(s % 2147483647);
			    print 20000 + int(rand() * 30000) }')
			_hex=$(printf '%04X' "$_p")
			if grep -q ":$_hex " /proc/net/tcp /proc/net/tcp6 \
			    2>/dev/null; then
				continue
			fi
		fi
		case " ${SERVERS_PORTS:-} " in
		*" $_p "*) continue ;;
		esac
		SERVERS_PORTS="${SERVERS_PORTS:-} $_p"
		printf '%s\n' "$_p"
		return 0
	done
	_servers_say "no free port found"
	return 1
}

# servers_start_pg [-c name=value ...]: starts PostgreSQL.  The first call
# in a test file runs initdb (as $SERVERS_USER when root) and creates:
#   the database "maintop";
#   the role "monitor" (LOGIN, not superuser, member of pg_monitor) with
#     password $PG_MONITOR_PASSWORD;
#   the role "app" (LOGIN, no pg_monitor) with password $PG_APP_PASSWORD,
#     for wrong-password and "unavailable to this role" tests.
# Later calls (after servers_stop pg) reuse that cluster and its port.
# Extra arguments go to the postgres command line (e.g. -c
# max_connections=5).  Settings: 127.0.0.1 only, fsync off,
# max_connections 20, unix socket in $PGSOCKET_TEST; pg_hba: trust on the
# socket, scram-sha-256 over TCP.  Exports:
#   PGHOST_TEST=127.0.0.1  PGPORT_TEST  PGSOCKET_TEST  PGDATA_TEST
#   PG_CONNINFO_TEST   "host=127.0.0.1 port=N dbname=maintop user=monitor"
#   PG_MONITOR_USER PG_MONITOR_PASSWORD PG_MONITOR_PASSFILE (0600, the
#   password alone)  PG_APP_USER PG_APP_PASSWORD
#   PGPASSFILE_TEST    a libpq password file for both roles (0600)
# Returns non-zero (after printing why on stderr) when it cannot start.
servers_start_pg() {
	servers_init || return 1
	if ! _servers_find_pg; then
		_servers_say "PostgreSQL not found: apt-get install postgresql"
		return 1
	fi
	if _servers_alive "$(_servers_pid pg)"; then
		return 0
	fi
	_new=
	if [ -z "${PGDATA_TEST:-}" ]; then
		_new=1
		PGDATA_TEST=$SERVERS_TMP/pg/data
		PGSOCKET_TEST=$SERVERS_TMP/pg/sock
		_servers_mkdir "$SERVERS_TMP/pg" || return 1
		_servers_mkdir "$PGDATA_TEST" || return 1
		_servers_mkdir "$PGSOCKET_TEST" || return 1
		: >"$SERVERS_TMP/initdb.log"
		if [ -n "${SERVERS_USER:-}" ]; then
			chown "$SERVERS_USER" "$SERVERS_TMP/initdb.log"
		fi
		if ! _servers_as "$SERVERS_PG_BINDIR/initdb" -D "$PGDATA_TEST" \
		    -U postgres -A trust --auth-local=trust \
		    --auth-host=scram-sha-256 --no-sync --no-locale -E UTF8 \
		    >>"$SERVERS_TMP/initdb.log" 2>&1 </dev/null; then
			_servers_say "initdb failed"
			_servers_tail "$SERVERS_TMP/initdb.log"
			return 1
		fi
		PGPORT_TEST=
	fi
	_keep=${PGPORT_TEST:-}
	_try=0
	while :; do
		_try=$((_try + 1))
		if [ -z "$_keep" ]; then
			PGPORT_TEST=$(free_port) || return 1
		fi
		export PGHOST_TEST=127.0.0.1 PGPORT_TEST PGSOCKET_TEST PGDATA_TEST
		_servers_spawn pg INT user "$SERVERS_PG_BINDIR/postgres" \
		    -D "$PGDATA_TEST" -p "$PGPORT_TEST" -k "$PGSOCKET_TEST" \
		    -c listen_addresses=127.0.0.1 -c fsync=off \
		    -c synchronous_commit=off -c full_page_writes=off \
		    -c max_connections=20 -c shared_buffers=16MB "$@"
		_rc=0
		_servers_wait pg _servers_pg_ready || _rc=$?
		if [ "$_rc" = 0 ]; then
			break
		fi
		if [ "$_rc" = 2 ] && [ -z "$_keep" ] && [ "$_try" -lt 3 ]; then
			continue	# perhaps the port was taken
		fi
		_servers_say "PostgreSQL did not start"
		_servers_tail "$SERVERS_TMP/pg.log"
		servers_stop pg
		return 1
	done
	PG_MONITOR_USER=monitor
	PG_MONITOR_PASSWORD=monitor-Secret-8d1f
	PG_APP_USER=app
	PG_APP_PASSWORD=app-Secret-3c2e
	PG_MONITOR_PASSFILE=$SERVERS_TMP/pg-monitor.pass
	PGPASSFILE_TEST=$SERVERS_TMP/pgpass
	PG_CONNINFO_TEST="host=127.0.0.1 port=$PGPORT_TEST dbname=maintop user=monitor"
	export PG_MONITOR_USER PG_MONITOR_PASSWORD PG_APP_USER PG_APP_PASSWORD
	export PG_MONITOR_PASSFILE PGPASSFILE_TEST PG_CONNINFO_TEST
	(
		umask 077
		printf '%s' "$PG_MONITOR_PASSWORD" >"$PG_MONITOR_PASSFILE"
		printf '127.0.0.1:%s:*:%s:%s\n127.0.0.1:%s:*:%s:%s\n' \
		    "$PGPORT_TEST" monitor "$PG_MONITOR_PASSWORD" \
		    "$PGPORT_TEST" app "$PG_APP_PASSWORD" >"$PGPASSFILE_TEST"
	)
	if [ -n "$_new" ]; then
		servers_psql -d postgres >"$SERVERS_TMP/pgsetup.log" 2>&1 <<EOF || {
CREATE ROLE monitor LOGIN PASSWORD '$PG_MONITOR_PASSWORD' IN ROLE pg_monitor;
CREATE ROLE app LOGIN PASSWORD '$PG_APP_PASSWORD';
CREATE DATABASE maintop;
EOF
			_servers_say "PostgreSQL setup failed"
			_servers_tail "$SERVERS_TMP/pgsetup.log"
			return 1
		}
	fi
	return 0
}

# servers_psql [psql arguments]: runs psql as the superuser "postgres" over
# the unix socket, database maintop unless -d is given, stopping at the
# first error; reads SQL from stdin or -c.  Example:
#	servers_psql -Atc "SELECT count(*) FROM pg_stat_activity"
servers_psql() {
	psql -X -q -v ON_ERROR_STOP=1 -h "$PGSOCKET_TEST" -p "$PGPORT_TEST" \
	    -U postgres -d maintop "$@"
}

# servers_start_redis [plain|auth] [--save]: starts redis-server.
#   plain (the default): no password; exports REDIS_PORT_TEST.
#   auth: the default user needs $REDIS_PASSWORD_TEST (requirepass), and
#     the ACL user $REDIS_ACL_USER_TEST (monitor) has password
#     $REDIS_ACL_PASSWORD_TEST; exports REDIS_AUTH_PORT_TEST and the
#     password files REDIS_PASSFILE_TEST, REDIS_ACL_PASSFILE_TEST (0600).
# Both export REDIS_HOST_TEST=127.0.0.1.  Snapshots are off unless --save
# (then "save 3600 1" and a dump in the server's directory).  The server's
# name for servers_stop/servers_restart is "redis" or "redis_auth".
servers_start_redis() {
	servers_init || return 1
	_kind=plain _save=
	for _a in "$@"; do
		case $_a in
		plain|auth) _kind=$_a ;;
		--save) _save=1 ;;
		*) _servers_say "servers_start_redis: unknown argument $_a"
		   return 1 ;;
		esac
	done
	if ! command -v redis-server >/dev/null 2>&1; then
		_servers_say "redis-server not found: apt-get install redis-server"
		return 1
	fi
	_n=redis
	if [ "$_kind" = auth ]; then
		_n=redis_auth
	fi
	if _servers_alive "$(_servers_pid $_n)"; then
		return 0
	fi
	_servers_mkdir "$SERVERS_TMP/$_n" || return 1
	REDIS_HOST_TEST=127.0.0.1
	REDIS_PASSWORD_TEST=redis-Secret-71ab
	REDIS_ACL_USER_TEST=monitor
	REDIS_ACL_PASSWORD_TEST=redis-Monitor-5e90
	export REDIS_HOST_TEST
	_pw=
	_try=0
	while :; do
		_try=$((_try + 1))
		_port=$(free_port) || return 1
		if [ -n "$_save" ]; then
			set -- --save "3600 1"
		else
			set -- --save ""
		fi
		if [ "$_kind" = auth ]; then
			_pw=$REDIS_PASSWORD_TEST
			set -- "$@" --requirepass "$REDIS_PASSWORD_TEST" \
			    --user "$REDIS_ACL_USER_TEST" on \
			    ">$REDIS_ACL_PASSWORD_TEST" '~*' '&*' +@all \
			    -@dangerous +info +slowlog +config\|get +client
		fi
		_servers_spawn "$_n" TERM user redis-server --port "$_port" \
		    --bind 127.0.0.1 --dir "$SERVERS_TMP/$_n" \
		    --appendonly no --daemonize no --databases 16 "$@"
		_rc=0
		_servers_wait "$_n" _servers_redis_ready "$_port" "$_pw" ||
		    _rc=$?
		if [ "$_rc" = 0 ]; then
			break
		fi
		if [ "$_rc" = 2 ] && [ "$_try" -lt 3 ]; then
			continue
		fi
		_servers_say "redis-server did not start"
		_servers_tail "$SERVERS_TMP/$_n.log"
		servers_stop "$_n"
		return 1
	done
	printf '%s\n' "$_port" >"$SERVERS_TMP/$_n.port"
	if [ "$_kind" = auth ]; then
		REDIS_AUTH_PORT_TEST=$_port
		REDIS_PASSFILE_TEST=$SERVERS_TMP/redis.pass
		REDIS_ACL_PASSFILE_TEST=$SERVERS_TMP/redis-acl.pass
		(
			umask 077
			printf '%s' "$REDIS_PASSWORD_TEST" >"$REDIS_PASSFILE_TEST"
			printf '%s' "$REDIS_ACL_PASSWORD_TEST" \
			    >"$REDIS_ACL_PASSFILE_TEST"
		)
		export REDIS_AUTH_PORT_TEST REDIS_PASSWORD_TEST
		export REDIS_ACL_USER_TEST REDIS_ACL_PASSWORD_TEST
		export REDIS_PASSFILE_TEST REDIS_ACL_PASSFILE_TEST
	else
		REDIS_PORT_TEST=$_port
		export REDIS_PORT_TEST
	fi
	return 0
}

# servers_start_http: starts tests/servers/testhttpd (see src/demo_httpd.h
# for its endpoints: /health /status/NNN /slow?ms=N /hang /huge?mb=N
# /escape /metrics /redirect /toggle /echo /header?name=N&value=V) with
# three listeners: plain HTTP, HTTPS with a self-signed certificate valid
# for 365 days, and HTTPS with one that expires in 3 days (both made with
# openssl req -x509, for CN=localhost and IP 127.0.0.1).  Exports:
#   HTTP_PORT_TEST HTTPS_PORT_TEST HTTPS_SHORT_PORT_TEST
#   HTTP_URL_TEST=http://127.0.0.1:N  HTTPS_URL_TEST  HTTPS_SHORT_URL_TEST
#   HTTPS_CERT_TEST HTTPS_SHORT_CERT_TEST  (the PEM certificates, to trust)
# The server's name for servers_stop/servers_restart is "http".
servers_start_http() {
	servers_init || return 1
	_servers_find_testhttpd
	if [ ! -x "$SERVERS_TESTHTTPD" ]; then
		_servers_say "$SERVERS_TESTHTTPD is not built (make check)"
		return 1
	fi
	if _servers_alive "$(_servers_pid http)"; then
		return 0
	fi
	HTTPS_CERT_TEST=$SERVERS_TMP/https-cert.pem
	HTTPS_SHORT_CERT_TEST=$SERVERS_TMP/https-short-cert.pem
	for _c in "$HTTPS_CERT_TEST:365" "$HTTPS_SHORT_CERT_TEST:3"; do
		_f=${_c%:*} _days=${_c##*:}
		if ! openssl req -x509 -newkey ec \
		    -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		    -keyout "${_f%-cert.pem}-key.pem" -out "$_f" \
		    -days "$_days" -subj "/O=maintop test/CN=localhost" \
		    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
		    >>"$SERVERS_TMP/openssl.log" 2>&1; then
			_servers_say "openssl could not make a certificate"
			_servers_tail "$SERVERS_TMP/openssl.log"
			return 1
		fi
	done
	_try=0
	while :; do
		_try=$((_try + 1))
		HTTP_PORT_TEST=$(free_port) || return 1
		HTTPS_PORT_TEST=$(free_port) || return 1
		HTTPS_SHORT_PORT_TEST=$(free_port) || return 1
		rm -f "$SERVERS_TMP/http.ports"
		_servers_spawn http TERM self "$SERVERS_TESTHTTPD" \
		    --port "$HTTP_PORT_TEST" \
		    --cert "$HTTPS_CERT_TEST" \
		    --key "$SERVERS_TMP/https-key.pem" \
		    --tls-port "$HTTPS_PORT_TEST" \
		    --cert2 "$HTTPS_SHORT_CERT_TEST" \
		    --key2 "$SERVERS_TMP/https-short-key.pem" \
		    --tls2-port "$HTTPS_SHORT_PORT_TEST" \
		    --port-file "$SERVERS_TMP/http.ports"
		_rc=0
		_servers_wait http _servers_file_ready \
		    "$SERVERS_TMP/http.ports" || _rc=$?
		if [ "$_rc" = 0 ]; then
			break
		fi
		if [ "$_rc" = 2 ] && [ "$_try" -lt 3 ]; then
			continue
		fi
		_servers_say "testhttpd did not start"
		_servers_tail "$SERVERS_TMP/http.log"
		servers_stop http
		return 1
	done
	HTTP_URL_TEST=http://127.0.0.1:$HTTP_PORT_TEST
	HTTPS_URL_TEST=https://127.0.0.1:$HTTPS_PORT_TEST
	HTTPS_SHORT_URL_TEST=https://127.0.0.1:$HTTPS_SHORT_PORT_TEST
	export HTTP_PORT_TEST HTTPS_PORT_TEST HTTPS_SHORT_PORT_TEST
	export HTTP_URL_TEST HTTPS_URL_TEST HTTPS_SHORT_URL_TEST
	export HTTPS_CERT_TEST HTTPS_SHORT_CERT_TEST
	return 0
}

# servers_start_mtls CERT KEY CA: a second tests/servers/testhttpd (its
# name "mtls") whose TLS listener presents CERT with KEY and requires a
# client certificate that chains to CA (mutual TLS); its ports are picked
# by the server itself.  Exports MTLS_PORT_TEST (the TLS port).
servers_start_mtls() {
	servers_init || return 1
	_servers_find_testhttpd
	if [ ! -x "$SERVERS_TESTHTTPD" ]; then
		_servers_say "$SERVERS_TESTHTTPD is not built (make check)"
		return 1
	fi
	rm -f "$SERVERS_TMP/mtls.ports"
	_servers_spawn mtls TERM self "$SERVERS_TESTHTTPD" --cert "$1" \
	    --key "$2" --client-ca "$3" --port-file "$SERVERS_TMP/mtls.ports"
	if ! _servers_wait mtls _servers_file_ready "$SERVERS_TMP/mtls.ports"
	then
		_servers_say "testhttpd (mutual TLS) did not start"
		_servers_tail "$SERVERS_TMP/mtls.log"
		servers_stop mtls
		return 1
	fi
	MTLS_PORT_TEST=$(awk '$1 == "TLS_PORT" { print $2 }' \
	    "$SERVERS_TMP/mtls.ports")
	export MTLS_PORT_TEST
}

# servers_start_node_exporter: Debian's prometheus-node-exporter (its name
# "node_exporter") on a free loopback port, started here whatever the
# package's own service does.  Exports NODE_EXPORTER_URL_TEST
# (http://127.0.0.1:N).
servers_start_node_exporter() {
	servers_init || return 1
	_try=0
	while :; do
		_try=$((_try + 1))
		_port=$(free_port) || return 1
		_servers_spawn node_exporter TERM self \
		    "$(command -v prometheus-node-exporter)" \
		    --web.listen-address="127.0.0.1:$_port"
		_rc=0
		_servers_wait node_exporter curl -sf -o /dev/null \
		    "http://127.0.0.1:$_port/metrics" || _rc=$?
		if [ "$_rc" = 0 ]; then
			break
		fi
		if [ "$_rc" = 2 ] && [ "$_try" -lt 3 ]; then
			continue
		fi
		_servers_say "prometheus-node-exporter did not start"
		_servers_tail "$SERVERS_TMP/node_exporter.log"
		servers_stop node_exporter
		return 1
	done
	NODE_EXPORTER_URL_TEST=http://127.0.0.1:$_port
	export NODE_EXPORTER_URL_TEST
}

# servers_running NAME: true if server NAME (pg, redis, redis_auth, http)
# is running.
servers_running() {
	[ -n "${SERVERS_TMP:-}" ] && _servers_alive "$(_servers_pid "$1")"
}

# servers_stop NAME: stops server NAME (pg, redis, redis_auth, http) with
# its signal (PostgreSQL: SIGINT, a fast shutdown; others SIGTERM), then
# SIGKILL after 10 s, and reaps it.  Its files stay, so servers_restart or
# the start function can start it again on the same port and data.
servers_stop() {
	[ -n "${SERVERS_TMP:-}" ] || return 0
	_sp=$(_servers_pid "$1")
	[ -n "$_sp" ] || return 0
	_ssig=$(cat "$SERVERS_TMP/$1.sig" 2>/dev/null || echo TERM)
	kill -"$_ssig" "$_sp" 2>/dev/null || true
	_i=0
	while _servers_alive "$_sp" && [ "$_i" -lt 100 ]; do
		_servers_nap
		_i=$((_i + 1))
	done
	if _servers_alive "$_sp"; then
		_servers_say "$1 ($_sp) did not stop: SIGKILL"
		kill -KILL "$_sp" 2>/dev/null || true
	fi
	wait "$_sp" 2>/dev/null || true
	rm -f "$SERVERS_TMP/$1.pid"
}

# servers_kill NAME: kills server NAME at once with SIGKILL (a crash), and
# reaps it.
servers_kill() {
	[ -n "${SERVERS_TMP:-}" ] || return 0
	_sp=$(_servers_pid "$1")
	[ -n "$_sp" ] || return 0
	kill -KILL "$_sp" 2>/dev/null || true
	wait "$_sp" 2>/dev/null || true
	rm -f "$SERVERS_TMP/$1.pid"
}

# servers_restart NAME: stops server NAME if it runs and starts it again
# with the same command line (same port, same data), then waits until it
# answers.  For "a server went away and came back" tests.
servers_restart() {
	servers_stop "$1"
	[ -f "$SERVERS_TMP/$1.cmd" ] || return 1
	_rn=$1
	_ras=$(cat "$SERVERS_TMP/$_rn.as")
	_rsig=$(cat "$SERVERS_TMP/$_rn.sig")
	eval "set -- $(cat "$SERVERS_TMP/$_rn.cmd")"
	case $_rn in
	http) rm -f "$SERVERS_TMP/http.ports" ;;
	esac
	_servers_spawn "$_rn" "$_rsig" "$_ras" "$@"
	case $_rn in
	pg) _servers_wait pg _servers_pg_ready ;;
	redis) _servers_wait redis _servers_redis_ready "$REDIS_PORT_TEST" ;;
	redis_auth) _servers_wait redis_auth _servers_redis_ready \
	    "$REDIS_AUTH_PORT_TEST" "$REDIS_PASSWORD_TEST" ;;
	http) _servers_wait http _servers_file_ready "$SERVERS_TMP/http.ports" ;;
	esac
}

# servers_stop_all: stops every server this file started and removes
# $SERVERS_TMP (kept when SERVERS_KEEP is set).  Safe to call twice, from
# a trap, or when nothing was started; never fails.
servers_stop_all() {
	[ -n "${SERVERS_TMP:-}" ] || return 0
	for _n in ${SERVERS_NAMES:-}; do
		servers_stop "$_n"
	done
	if [ -n "${SERVERS_KEEP:-}" ]; then
		_servers_say "kept $SERVERS_TMP"
	else
		rm -rf "$SERVERS_TMP"
	fi
	SERVERS_TMP=
	SERVERS_NAMES=
	PGDATA_TEST=
	return 0
}
