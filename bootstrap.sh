#!/bin/sh
# Sets up maintop on a fresh Debian machine and then either starts the live
# demo or runs every test.  Run as root (or with sudo): it installs packages.
#
#   ./bootstrap.sh demo    install, build, run the demo dashboard
#   ./bootstrap.sh test    install, build with sanitizers, run all tests
#   ./bootstrap.sh deps    only install the Debian packages
#
# "test" runs the suite as root and, when it can create one, once more as
# an unprivileged user.  With CI=true it also runs "make distcheck",
# scan-build and a short libFuzzer run, and any skip that
# tests/skips.allowed does not declare is a failure.  Its last line is
# "N passed, N failed, N skipped", counting every result of every run.
set -eu
cd "$(dirname "$0")"
top=$(pwd)

# Build and test dependencies, all from Debian.
BUILD_PKGS="build-essential autoconf automake pkg-config
 libncurses-dev libpq-dev libhiredis-dev libcurl4-openssl-dev libconfig-dev
 libevent-dev libssl-dev libjansson-dev"
RUN_PKGS="postgresql redis-server openssl ca-certificates"
TEST_PKGS="tmux curl jq procps psmisc time python3 python3-icalendar clang
 clang-tools libclang-rt-14-dev monitoring-plugins-basic
 monitoring-plugins-standard htop iproute2 netcat-openbsd util-linux
 msmtp-mta python3-aiosmtpd prometheus-node-exporter python3-pil
 fonts-dejavu-core"

# One line per phase; the tools' own chatter goes to a log, shown only when
# the phase fails.
phase() {
	printf 'bootstrap: %s\n' "$*"
}

quiet() {
	log=$1
	shift
	if ! "$@" > "$log" 2>&1; then
		tail -n 40 "$log" >&2
		echo "bootstrap: failed; the whole output is in $log" >&2
		return 1
	fi
}

deps() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "bootstrap.sh: installing packages needs root: run it as" \
		    "root (or with sudo)" >&2
		exit 1
	fi
	phase "installing Debian packages (apt-get)"
	export DEBIAN_FRONTEND=noninteractive
	quiet /tmp/maintop-apt.log apt-get update -qq
	# shellcheck disable=SC2086
	quiet /tmp/maintop-apt.log apt-get install -y -qq \
	    --no-install-recommends $BUILD_PKGS $RUN_PKGS $TEST_PKGS
}

build() {
	builddir=$1
	shift
	mkdir -p "$builddir"
	if [ ! -x configure ]; then
		phase "generating configure (autoreconf)"
		quiet "$builddir/autoreconf.log" autoreconf -fi
	fi
	phase "configuring $builddir $*"
	(cd "$builddir" && quiet configure.log ../configure "$@")
	phase "building in $builddir"
	(cd "$builddir" && quiet make.log make -j"$(nproc)")
}

# Every result goes into $results as "RUN STATUS NAME", so that the last
# line counts them all.
results=

# Appends the TAP results of one "make check" (its .trs files, and its
# output for the names of the skipped ones) as RUN; a harness that failed
# without any failing result (a build error, a script missing) is one
# failure, so that the summary never hides it.
collect() {
	run=$1 dir=$2 status=$3
	find "$dir" -name '*.trs' -exec cat {} + 2>/dev/null |
	    awk -v run="$run" '
		/^:test-result: (PASS|XFAIL)/ { print run, "PASS", "-" }
		/^:test-result: (FAIL|XPASS|ERROR)/ { print run, "FAIL", "-"; f++ }
		END { if (f == 0 && "'"$status"'" != 0)
			print run, "FAIL", "make-check-harness" }
	    ' >> "$results"
	grep -E '^SKIP: ' "$dir/check.out" 2>/dev/null |
	    sed "s/^SKIP: /$run SKIP /" >> "$results" || true
}

# One result for a whole step (distcheck, scan-build, fuzz).
record() {
	if [ "$2" -eq 0 ]; then
		echo "$1 PASS -" >> "$results"
	else
		echo "$1 FAIL -" >> "$results"
	fi
}

# Runs "make check" in $2 as RUN ($1); prints what failed or skipped.
suite() {
	run=$1 dir=$2
	shift 2
	phase "running the test suite ($run, log: $dir/check.out)"
	status=0
	find "$dir" -name '*.trs' -exec rm -f {} + 2>/dev/null || true
	"$@" sh -c "cd '$dir' && make -j$(nproc) check" > "$dir/check.out" \
	    2>&1 || status=1
	grep -E '^(FAIL|SKIP|ERROR|XPASS|XFAIL|make.*\*\*\*)' \
	    "$dir/check.out" || true
	if [ $status -ne 0 ]; then
		for log in $(grep -l -E '^(not ok|Bail out)' \
		    "$dir"/tests/*/*.log 2>/dev/null); do
			echo "==== $log"
			tail -n 40 "$log"
		done
	fi
	grep -E '^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR):' \
	    "$dir/check.out" || true
	collect "$run" "$dir" $status
}

# The suite again as an unprivileged user, on a copy of the tree that the
# user owns: what root may do regardless (write a read-only directory,
# signal anyone) is tested for real there.
suite_unprivileged() {
	user=maintop-test
	if ! id "$user" >/dev/null 2>&1; then
		useradd --system --user-group --no-create-home \
		    --shell /usr/sbin/nologin "$user" 2>/dev/null || {
			echo "bootstrap: cannot create $user; the" \
			    "unprivileged run is a failure" >&2
			echo "user FAIL useradd" >> "$results"
			return
		}
	fi
	copy=$(mktemp -d /tmp/maintop-user.XXXXXX)
	tar -cf - --exclude=./.git --exclude=./build --exclude=./build-test --exclude=./build-scan . | (cd "$copy" && tar xf -)
	mkdir "$copy/build-user"
	chown -R "$user:" "$copy"
	chmod 755 "$copy"
	phase "building as $user in $copy/build-user"
	if ! runuser -u "$user" -- sh -c "cd '$copy/build-user' &&
	    ../configure -q --enable-sanitizers --enable-werror >configure.log 2>&1 &&
	    make -j$(nproc) >make.log 2>&1"; then
		tail -n 40 "$copy/build-user/make.log" "$copy/build-user/configure.log" 2>/dev/null
		echo "user FAIL build" >> "$results"
		return
	fi
	# No SHELL, as under cron or CI: the account's own shell is nologin.
	suite user "$copy/build-user" runuser -u "$user" -- env -u SHELL \
	    HOME="$copy" TMPDIR="$copy"
	rm -rf "$copy"
}

# With CI=true, a skip that tests/skips.allowed does not declare fails the
# run: a test must not pass by not running.
strict_skips() {
	bad=$(awk -F '\t' '
		FNR == NR {
			if ($0 !~ /^#/ && NF >= 3) { run[++k] = $1; test[k] = $2; why[k] = $3 }
			next
		}
		{
			split($0, f, " ")
			if (f[2] != "SKIP") next
			for (i = 1; i <= k; i++)
				if ((run[i] == "*" || run[i] == f[1]) && test[i] == f[3] &&
				    index($0, why[i]) > 0)
					next
			print
		}' tests/skips.allowed "$results")
	if [ -n "$bad" ]; then
		echo "bootstrap: skips not declared in tests/skips.allowed:"
		printf '%s\n' "$bad" | sed 's/^/  /'
		printf '%s\n' "$bad" | awk '{ print $1, "FAIL", "undeclared-skip" }' \
		    >> "$results"
	fi
}

ci_extras() {
	phase "make distcheck (the tarball builds, installs and uninstalls)"
	st=0
	(cd build-test && quiet distcheck.log make distcheck TESTS=) || st=1
	record distcheck $st

	# Each report of the analyser is printed, and any report fails the run.
	phase "scan-build (clang static analyser)"
	rm -rf build-scan && mkdir build-scan
	if (cd build-scan && quiet configure.log ../configure -q &&
	    scan-build -o "$top/build-scan/reports" make -j"$(nproc)" \
	    > scan.log 2>&1); then
		grep -h -o '<!-- BUG\(TYPE\|FILE\|LINE\) [^>]*-->' \
		    build-scan/reports/*/report-*.html 2>/dev/null |
		    sed 's/<!-- BUG[A-Z]* //; s/ -->//' | paste - - - |
		    sed "s|$top/||; s|[^	]*\.\./||" |
		    awk -F '\t' '{ printf "  %s:%s: %s\n", $2, $3, $1 }' | sort
		nrep=$(ls build-scan/reports/*/report-*.html 2>/dev/null | wc -l)
		printf 'bootstrap: scan-build: %s reports\n' "$nrep"
		record scan-build "$nrep"
	else
		tail -n 20 build-scan/scan.log
		record scan-build 1
	fi

	phase "libFuzzer on every target (FUZZ_SECONDS=${FUZZ_SECONDS:-5})"
	st=0
	(cd build-test && quiet fuzz.log make fuzz \
	    FUZZ_SECONDS="${FUZZ_SECONDS:-5}") || st=1
	record fuzz $st
}

summary() {
	awk '
		$2 == "PASS" { p++ }
		$2 == "FAIL" { f++ }
		$2 == "SKIP" { s++ }
		END { printf "%d passed, %d failed, %d skipped\n", p, f, s }
	' "$results"
}

case "${1:-}" in
deps)
	deps
	;;
demo)
	deps
	build build
	phase "starting the demo (q quits and removes its servers)"
	exec ./build/maintop demo
	;;
test)
	deps
	build build-test --enable-sanitizers --enable-werror
	results=$top/build-test/results.txt
	: > "$results"
	suite root build-test
	if [ "$(id -u)" -eq 0 ]; then
		suite_unprivileged
	fi
	if [ "${CI:-}" = true ]; then
		ci_extras
		strict_skips
	fi
	status=0
	grep -q ' FAIL ' "$results" && status=1
	summary
	exit $status
	;;
*)
	echo "usage: $0 demo | test | deps" >&2
	exit 2
	;;
esac
