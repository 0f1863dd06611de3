#!/bin/sh
# Sets up maintop on a fresh Debian machine and then either starts the live
# demo or runs every test.  Run as root (or with sudo): it installs packages.
#
#   ./bootstrap.sh demo    install, build, run the demo dashboard
#   ./bootstrap.sh test    install, build with sanitizers, run all tests
#   ./bootstrap.sh deps    only install the Debian packages
set -eu
cd "$(dirname "$0")"

# Build and test dependencies, all from Debian.
BUILD_PKGS="build-essential autoconf automake pkg-config
 libncurses-dev libpq-dev libhiredis-dev libcurl4-openssl-dev libconfig-dev
 libevent-dev libssl-dev libjansson-dev"
RUN_PKGS="postgresql redis-server openssl ca-certificates"
TEST_PKGS="tmux curl jq procps psmisc time python3 python3-icalendar clang
 libclang-rt-14-dev monitoring-plugins-basic monitoring-plugins-standard
 htop iproute2 netcat-openbsd"

deps() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "bootstrap.sh: installing packages needs root: sudo $0 $*" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $BUILD_PKGS $RUN_PKGS \
	    $TEST_PKGS >/dev/null
}

build() {
	builddir=$1
	shift
	[ -x configure ] || autoreconf -fi
	mkdir -p "$builddir"
	(cd "$builddir" && ../configure -q "$@" && make -j"$(nproc)" >/dev/null)
}

# Prints "N passed, N failed, N skipped", counting every TAP result the
# harness recorded (the .trs files); a harness that failed without any
# failing result (a build error, a test script missing) counts as one
# failure, so that the line never hides it.
summary() {
	dir=$1 status=$2
	find "$dir" -name '*.trs' -exec cat {} + 2>/dev/null |
	    awk -v status="$status" '
		/^:test-result: (PASS|XFAIL)/ { p++ }
		/^:test-result: (FAIL|XPASS|ERROR)/ { f++ }
		/^:test-result: SKIP/ { s++ }
		END {
			if (status != 0 && f == 0) f = 1
			printf "%d passed, %d failed, %d skipped\n", p, f, s
		}'
}

case "${1:-}" in
deps)
	deps
	;;
demo)
	deps
	build build
	exec ./build/maintop demo
	;;
test)
	deps
	build build-test --enable-sanitizers --enable-werror
	status=0
	find build-test -name '*.trs' -exec rm -f {} + 2>/dev/null || true
	(cd build-test && make -j"$(nproc)" check) > build-test/check.out 2>&1 ||
	    status=1
	# Everything but the passing lines, so failures stand out.
	grep -E '^(FAIL|SKIP|ERROR|XPASS|XFAIL|make.*\*\*\*)' \
	    build-test/check.out || true
	if [ $status -ne 0 ]; then
		for log in $(grep -l -E '^(not ok|Bail out)' \
		    build-test/tests/*/*.log 2>/dev/null); do
			echo "==== $log"
			tail -n 40 "$log"
		done
	fi
	grep -E '^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR):' \
	    build-test/check.out || true
	summary build-test "$status"
	exit $status
	;;
*)
	echo "usage: $0 demo | test | deps" >&2
	exit 2
	;;
esac
