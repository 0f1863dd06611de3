# What the tests of "maintop agent --once" at chosen instants share.
# Sourced after tests/lib/tap.sh; not a test by itself.
#
#   agent_tmp NAME        makes $tmp (removed on exit, after stopping the
#                         agent whose pid is in $apid, if any), sets HOME
#                         to it and TZ to UTC
#   once INSTANT          runs "maintop agent --once --now INSTANT" on
#                         $tmp/m.conf, its output in $tmp/log; returns its
#                         exit status
#   count_events FILE TYPE SOURCE
#                         how many events of TYPE about SOURCE a command
#                         channel appended to FILE (0 without FILE)
#   runs                  how many lines $tmp/runs holds (the tests'
#                         runbooks append one a run)
#   journal TYPE          the records of TYPE in the run journal under
#                         $tmp/state

agent_tmp() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/maintop-$1.XXXXXX") ||
	    bail "no temporary directory"
	apid=
	trap '[ -n "$apid" ] && kill "$apid" 2>/dev/null; rm -rf "$tmp"' EXIT
	HOME=$tmp
	TZ=UTC
	export HOME TZ
}

once() {
	"$MAINTOP" agent --once --now "$1" -c "$tmp/m.conf" > "$tmp/log" 2>&1
}

count_events() {
	cat "$1" 2>/dev/null | grep -c "\"type\":\"$2\".*\"source\":\"$3\""
}

runs() {
	[ -f "$tmp/runs" ] && wc -l < "$tmp/runs" | tr -d ' ' || echo 0
}

journal() {
	grep "\"type\":\"$1\"" "$tmp/state/journal.jsonl" 2>/dev/null
}
