# What the store's tests share: a real PostgreSQL (tests/lib/servers.sh)
# with the roles of doc/team-store.md, and helpers.  Sourced; not a test
# by itself.
#
#   $tmp                  a directory of the test's own
#   $O_PW $W_PW $B_PW $R_PW  the passwords of maintop_owner, alice, bob, wall
#   $ci_o $ci_w $ci_b $ci_r  their conninfo strings (database "team")
#   sq SQL                runs SQL as the superuser in "team", rows on stdout
#   hold NAME SQL         a superuser session runs SQL and stays open ...
#   release NAME          ... until this ends it (with COMMIT)
#   store_grants          the guide's grants, given by the owner
#   store_team            store init by the owner, then store_grants
#   wait_for DESC CMD...  waits up to 10 s ($WAIT_TENTHS tenths) for CMD
#                         to succeed, else bails
#   eventually DESC WANT CMD...  "is": CMD's output, once it is WANT or
#                         10 s have passed
#   at SECONDS            the instant SECONDS from now, as a window's start
#   store_norm            filter: a dashboard's screen on the store with
#                         run ids, $tmp, the clock and dates, durations,
#                         the user, host, terminal and pids written the
#                         same way (for screen_expect_norm)
#   store_expect SCREEN TEXT DESC  (screen tests) once the screen shows
#                         TEXT, screen_expect_norm store_norm SCREEN DESC:
#                         what UPDATE_SCREENS=1 writes is that moment's
#   store_pwfile NAME PW  writes PW to $tmp/NAME.pw (mode 0600)
#   $store_with_pw        a script for sh -c: sh -c "$store_with_pw" - FILE
#                         CMD... runs CMD with STORE_PW read from FILE, so
#                         that the password is in no argv and in no
#                         environment but CMD's
#   store_pw_hidden DESC  one TAP line: no process's argv holds a password
#                         of this script, and no environment but maintop's
: "${MAINTOP:=./maintop}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/servers.sh"

servers_require pg psql
"$MAINTOP" --version >/dev/null 2>&1 || bail "$MAINTOP does not run"
# $STORE_PG_ARGS: more for the server (a benchmark wants connections).
# shellcheck disable=SC2086
servers_start_pg ${STORE_PG_ARGS:-} || bail "PostgreSQL did not start"
tmp=$SERVERS_TMP/store
mkdir -p "$tmp" || bail "cannot make $tmp"

# The roles as doc/team-store.md sets them up: an owner that creates and
# migrates the schema, engineers writing through maintop_writer, a wall
# display reading through maintop_reader.
# Each script's own passwords (its pid in them), so that a script looking
# for its passwords in every process's arguments finds only its own.
O_PW=owner-Secret-93aa-$$
W_PW=writer-Secret-51c9-$$
B_PW=bob-Secret-6a02-$$
R_PW=reader-Secret-0b7d-$$
servers_psql -d postgres <<EOS || bail "cannot make the roles"
CREATE ROLE maintop_owner LOGIN PASSWORD '$O_PW';
CREATE ROLE maintop_writer NOLOGIN;
CREATE ROLE maintop_reader NOLOGIN;
CREATE ROLE alice LOGIN PASSWORD '$W_PW' IN ROLE maintop_writer;
CREATE ROLE bob LOGIN PASSWORD '$B_PW' IN ROLE maintop_writer;
CREATE ROLE wall LOGIN PASSWORD '$R_PW' IN ROLE maintop_reader;
CREATE DATABASE team OWNER maintop_owner;
EOS
ci_o="host=127.0.0.1 port=$PGPORT_TEST dbname=team user=maintop_owner"
ci_w="host=127.0.0.1 port=$PGPORT_TEST dbname=team user=alice"
ci_b="host=127.0.0.1 port=$PGPORT_TEST dbname=team user=bob"
ci_r="host=127.0.0.1 port=$PGPORT_TEST dbname=team user=wall"

sq() { servers_psql -d team -Atc "$1"; }

hold() {
	mkfifo "$tmp/$1.fifo"
	( printf '%s\nSELECT '"'ready';\n" "$2"; cat "$tmp/$1.fifo"
	  printf 'COMMIT;\n' ) |
	    servers_psql -d team -At > "$tmp/$1.out" 2>&1 &
	eval "hold_$1=\$!"
	wait_for "the session $1" grep -q ready "$tmp/$1.out"
}
release() {
	echo > "$tmp/$1.fifo"
	eval "wait \$hold_$1"
}

store_grants() {
	sed -n '/^-- grants: begin/,/^-- grants: end/p' \
	    "$top_srcdir/doc/team-store.md" > "$tmp/grants.sql"
	PGPASSWORD=$O_PW psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 \
	    -p "$PGPORT_TEST" -U maintop_owner -d team -f "$tmp/grants.sql"
}

store_team() {
	cat > "$tmp/o.conf" <<EOS
settings = { store = { conninfo = "$ci_o"; password_env = "STORE_PW"; }; };
EOS
	STORE_PW=$O_PW "$MAINTOP" store init -c "$tmp/o.conf" >/dev/null 2>&1 ||
	    bail "store init failed"
	store_grants >/dev/null 2>&1 || bail "the grants failed"
}

wait_for() {
	_what=$1
	shift
	_i=0
	while ! "$@" 2>/dev/null && [ $_i -lt "${WAIT_TENTHS:-300}" ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	"$@" 2>/dev/null ||
	    bail "waited $(( ${WAIT_TENTHS:-300} / 10 )) s for $_what"
}

eventually() {
	_what=$1
	_want=$2
	shift 2
	_i=0
	while [ "$("$@" 2>/dev/null)" != "$_want" ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	is "$_what" "$("$@" 2>/dev/null)" "$_want"
}

at() { date -u -d "@$(( $(date +%s) + $1 ))" +%Y-%m-%dT%H:%M:%SZ; }

store_pwfile() {
	(umask 077 && printf '%s\n' "$2" > "$tmp/$1.pw") ||
	    bail "cannot write $tmp/$1.pw"
}
store_with_pw='read -r STORE_PW < "$1" && export STORE_PW && shift && exec "$@"'

# The patterns are read from a file: grep's own argv holds none of them.
# A password ends where a digit does not follow (pid 12 is not pid 123).
# A decoy shows that the search finds what it looks for: a shell of ours
# with one more pattern in its argv and environment.  (A maintop's own
# environment may be unreadable: it makes itself undumpable.)  A process
# found is looked at again: maintop's child between fork and exec has its
# environment, and may have run a program of its own since.
store_pw_hidden() {
	_decoy=decoy-Secret-$$
	(umask 077 && printf '%s([^0-9]|$)\n' "$O_PW" "$W_PW" "$B_PW" "$R_PW" \
	    "$_decoy" > "$tmp/pw.pat") || bail "cannot write $tmp/pw.pat"
	STORE_DECOY=$_decoy sh -c 'sleep 30; :' "$_decoy" 2>/dev/null &
	_dpid=$!
	wait_for "the decoy" grep -qzaE -f "$tmp/pw.pat" "/proc/$_dpid/cmdline"
	_argv= _env=
	for _f in $(grep -lzaE -f "$tmp/pw.pat" /proc/[0-9]*/cmdline 2>/dev/null); do
		_d=${_f%/cmdline}
		[ "$_d" = "/proc/$_dpid" ] && _argv="$_argv decoy" ||
		    _argv="$_argv $_d"
	done
	for _f in $(grep -lzaE -f "$tmp/pw.pat" /proc/[0-9]*/environ 2>/dev/null); do
		_d=${_f%/environ}
		if [ "$_d" = "/proc/$_dpid" ]; then
			_env="$_env decoy"
		elif grep -qzaE -f "$tmp/pw.pat" "$_d/environ" 2>/dev/null &&
		    [ "$(cat "$_d/comm" 2>/dev/null)" != maintop ] &&
		    [ "$(cut -d' ' -f4 "$_d/stat" 2>/dev/null)" != "$_dpid" ]; then
			_env="$_env $_d: $(tr '\0' ' ' < "$_d/cmdline" 2>/dev/null)"
		fi
	done
	# Its sleep ended, the decoy ends of itself.
	while kill -0 "$_dpid" 2>/dev/null; do
		pkill -P "$_dpid" 2>/dev/null
		sleep 0.1
	done
	wait "$_dpid"
	is "$1" "in argv:$_argv; in environments but maintop's:$_env" \
	    "in argv: decoy; in environments but maintop's: decoy"
}

store_norm() {
	sed -E -e 's/[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}/RUNID/g' \
	    -e "s#$tmp#TMP#g" \
	    -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/YYYY-MM-DDTHH:MM:SSZ/g' \
	    -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}/YYYY-MM-DD HH:MM/g' \
	    -e 's/(Mon|Tue|Wed|Thu|Fri|Sat|Sun) YYYY/DAY YYYY/' \
	    -e 's/[0-9]+(m[0-9]{2})?s( |,|\)|$)/Ns\2/g' \
	    -e "s/$(id -un)@$(hostname)/USER@HOST/g" \
	    -e "s/ by $(id -un)([ ,])/ by USER\\1/g" \
	    -e "s/( step [0-9]+ '[^']*', )$(id -un)\$/\\1USER/" \
	    -e 's#/dev/pts/[0-9]+#/dev/pts/N#g' \
	    -e 's/(pid|process) [0-9]+/\1 PID/g'
}

store_expect() {
	screen_wait "$2" || screen_wait "$2"
	screen_expect_norm store_norm "$1" "$3"
}
