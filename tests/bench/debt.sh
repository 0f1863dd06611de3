#!/bin/sh
# Benchmark: "maintop debt" listing a debt file of 10,000, 20,000 and
# 40,000 items (the last about 4 MB, just under the file's limit), beside
# sort(1) over the same file, three runs each, best kept.  Linear reading
# shows as a time per item that stays flat as the file doubles (issue 10:
# 40,000 items took 7.4 s when the list grew one item a time).
#
# Usage: tests/bench/debt.sh   (from a build directory, or with MAINTOP
# set).  Prints figures; asserts nothing.
set -u
: "${MAINTOP:=./maintop}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/maintop-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/state"
printf 'settings = { state_dir = "%s/state"; timezone = "UTC"; };\n' \
    "$tmp" > "$tmp/m.conf"

# debt_file N: a debt file of N open items.
debt_file() {
	awk -v n="$1" 'BEGIN {
		printf "version = 1;\nnext_id = %d;\ndebt = (\n", n + 1
		for (i = 1; i <= n; i++)
			printf "  { id = \"D-%04d\"; title = \"Item %d\"; priority = \"high\"; status = \"open\"; created = \"2026-11-01\"; }%s\n", i, i, i < n ? "," : ""
		print ");"
	}' > "$tmp/state/debt.conf"
}

# best CMD...: the best of three wall times of CMD, in ms.
best() {
	b=
	for r in 1 2 3; do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		ms=$(( (t1 - t0) / 1000000 ))
		[ -z "$b" ] || [ "$ms" -lt "$b" ] && b=$ms
	done
	echo "$b"
}

printf '%8s %8s %12s %14s %10s\n' items bytes "debt (ms)" "us per item" "sort (ms)"
for n in 10000 20000 40000; do
	debt_file "$n"
	size=$(wc -c < "$tmp/state/debt.conf")
	"$MAINTOP" debt -c "$tmp/m.conf" >/dev/null 2>&1 ||
		echo "# maintop debt refused the file of $n items"
	m=$(best "$MAINTOP" debt -c "$tmp/m.conf")
	s=$(best sort "$tmp/state/debt.conf")
	printf '%8d %8d %12d %14d %10d\n' "$n" "$size" "$m" $((m * 1000 / n)) "$s"
done
