# Shared helpers of the health integration tests (tests/health/*.sh): TAP
# output, running "maintop check --json" on a configuration and reading its
# figures with jq.  Sourced after setting nothing; not a test by itself.
#
#   hc_init REQUIREMENTS...  servers_require them (and jq), set up $HC_TMP
#   hc_http                  starts the test HTTP server (or bails out) and
#                            sets $U to its plain URL
#   ok STATUS DESC           one TAP line (STATUS 0 passes)
#   check DESC CMD...        passes when CMD succeeds
#   is DESC GOT WANT         passes when the strings are equal
#   near DESC GOT WANT TOL   passes when |GOT - WANT| <= TOL (numbers)
#   hc_conf                  the configuration file ($HC_CONF), from stdin
#   hc_run [ARGS...]         maintop check --json -c $HC_CONF ARGS; stdout
#                            in $HC_OUT, stderr in $HC_ERR, status in $HC_RC
#   hc_text [ARGS...]        the same without --json
#   hc_get CHECK JQPATH      a field of check CHECK in $HC_OUT (e.g. .state)
#   hc_fig CHECK FIGURE      a figure of check CHECK in $HC_OUT
#   hc_done                  prints the plan

set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=.}"
: "${MAINTOP:=$top_builddir/maintop}"
export top_srcdir top_builddir MAINTOP
. "$top_srcdir/tests/lib/servers.sh"

. "$top_srcdir/tests/lib/tap.sh"

hc_init() {
	servers_require jq "$@"
	if ! "$MAINTOP" check --help >/dev/null 2>&1; then
		bail "$MAINTOP does not run"
	fi
	servers_init || exit 1
	HC_TMP=$SERVERS_TMP/hc
	mkdir -p "$HC_TMP"
	HC_CONF=$HC_TMP/maintop.conf
	HC_OUT=$HC_TMP/out
	HC_ERR=$HC_TMP/err
	HC_RC=0
}

hc_http() {
	if ! servers_start_http; then
		echo "Bail out! testhttpd does not start"
		exit 1
	fi
	U=$HTTP_URL_TEST
}

hc_conf() {
	cat >"$HC_CONF"
}

hc_run() {
	HC_RC=0
	"$MAINTOP" check -c "$HC_CONF" --json "$@" >"$HC_OUT" 2>"$HC_ERR" ||
	    HC_RC=$?
	if ! jq -e 'type == "array"' "$HC_OUT" >/dev/null 2>&1; then
		echo "# maintop check --json printed no JSON array:"
		sed 's/^/#   /' "$HC_OUT" "$HC_ERR" | head -n 20
	fi
}

hc_text() {
	HC_RC=0
	"$MAINTOP" check -c "$HC_CONF" "$@" >"$HC_OUT" 2>"$HC_ERR" || HC_RC=$?
}

hc_get() {
	jq -r --arg n "$1" ".[] | select(.name == \$n) | $2" "$HC_OUT" \
	    2>/dev/null
}

hc_fig() {
	jq -r --arg n "$1" --arg f "$2" \
	    '.[] | select(.name == $n) | .figures[$f] // "absent"' \
	    "$HC_OUT" 2>/dev/null
}

hc_done() {
	echo "1..$n"
}
