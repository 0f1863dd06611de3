# What the runbook tests against the test HTTP server share (criteria.sh,
# health.sh).  Sourced after tests/lib/servers.sh and tests/lib/tap.sh; not
# a test by itself.
#
#   runbook_http_setup NAME  bails unless $MAINTOP runs; skips unless the
#                            HTTP server and curl are installed; starts the
#                            server (bails when it does not start); sets
#                            $dir ($SERVERS_TMP/NAME, made), $U (the
#                            server's URL) and $j (the run journal, under
#                            $dir/state)

runbook_http_setup() {
	"$MAINTOP" --version >/dev/null 2>&1 || bail "$MAINTOP does not run"
	servers_require http curl
	servers_start_http >/dev/null 2>&1 ||
	    bail "the test HTTP server did not start"
	dir=$SERVERS_TMP/$1
	mkdir -p "$dir"
	U=$HTTP_URL_TEST
	j=$dir/state/journal.jsonl
}
