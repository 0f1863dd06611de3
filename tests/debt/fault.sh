#!/bin/sh
# Fault injection: kills a process saving the debt file with SIGKILL 200
# times at random moments and checks after each kill that the file is
# whole (the old or the new generation, never a mixture).  Prints TAP.
: "${top_builddir:=.}"
dir=$(mktemp -d "${TMPDIR:-/tmp}/debt-fault.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
"$top_builddir/tests/debt/debt_writer" torture "$dir" "${DEBT_KILLS:-200}"
