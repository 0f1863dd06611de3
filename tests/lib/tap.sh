# TAP helpers shared by the shell tests.  Sourced; not a test by itself.
#
#   ok STATUS DESC           one TAP line (STATUS 0 passes)
#   check DESC CMD...        passes when CMD succeeds (its output dropped)
#   is DESC GOT WANT         passes when the strings are equal (either may
#                            span lines)
#   near DESC GOT WANT TOL   passes when |GOT - WANT| <= TOL (numbers)
#   bail REASON              "Bail out!": the test could not run (a server
#                            that does not start, a binary that does not
#                            run); it fails, never skips
#   skip_all REASON          "1..0 # SKIP": only for a Debian package that is
#                            not installed (say which, and how to get it)
#   skip REASON              one test skipped, for the same reason only
#
# $n counts the lines printed, for the plan ("1..$n").

n=0

bail() {
	echo "Bail out! $*"
	exit 1
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
	fi
}

check() {
	_d=$1
	shift
	if "$@" >/dev/null 2>&1; then ok 0 "$_d"; else ok 1 "$_d"; fi
}

is() {
	if [ "$2" = "$3" ]; then
		ok 0 "$1"
	else
		ok 1 "$1"
		printf '%s\n' "$2" | sed 's/^/#   got:  /'
		printf '%s\n' "$3" | sed 's/^/#   want: /'
	fi
}

skip() {
	n=$((n + 1))
	echo "ok $n # SKIP $*"
}

near() {
	if awk -v g="$2" -v w="$3" -v t="$4" 'BEGIN {
	    if (g !~ /^-?[0-9.e+-]+$/) exit 1
	    d = g - w; if (d < 0) d = -d; exit !(d <= t) }'; then
		ok 0 "$1"
	else
		ok 1 "$1"
		printf '#   got:  %s\n#   want: %s (within %s)\n' "$2" "$3" "$4"
	fi
}
