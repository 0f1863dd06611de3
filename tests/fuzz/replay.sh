#!/bin/sh
# Replays each fuzz target's corpus (tests/fuzz/corpus/NAME/) through the
# target built with the plain driver: one TAP line per target.
: "${top_srcdir:=.}" "${top_builddir:=.}"
targets=$(ls "$top_srcdir"/tests/fuzz/fuzz_*.c 2>/dev/null | sed 's|.*/fuzz_||; s|\.c$||')
n=0
for t in $targets; do
	n=$((n + 1))
	bin="$top_builddir/tests/fuzz/fuzz_$t"
	corpus="$top_srcdir/tests/fuzz/corpus/$t"
	if [ ! -x "$bin" ]; then
		echo "not ok $n - fuzz_$t: not built"
		continue
	fi
	if [ ! -d "$corpus" ] || [ -z "$(ls "$corpus")" ]; then
		echo "not ok $n - fuzz_$t: empty corpus $corpus"
		continue
	fi
	if out=$("$bin" "$corpus"/* 2>&1); then
		echo "ok $n - fuzz_$t replays $(ls "$corpus" | wc -l) corpus inputs"
	else
		echo "not ok $n - fuzz_$t crashed on its corpus"
		printf '%s\n' "$out" | tail -20 | sed 's/^/# /'
	fi
done
echo "1..$n"
