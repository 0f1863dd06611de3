#!/bin/sh
# Modes as a newcomer meets them: "maintop help [MODE]" as git help, a
# mistyped mode answered in one line with the nearest one, run and history
# help as deep as check's, and one default configuration path.  Prints TAP.
: "${MAINTOP:=./maintop}"
. "$top_srcdir/tests/lib/tap.sh"
"$MAINTOP" --version >/dev/null || { echo "Bail out! $MAINTOP does not run"; exit 1; }

out=$("$MAINTOP" help 2>&1); st=$?
is "maintop help: exit 0" "$st" 0
check "maintop help: the usage with every mode" \
    sh -c 'printf "%s" "$1" | grep -q "maintop validate" && printf "%s" "$1" | grep -q "maintop history"' - "$out"
is "maintop help check: what 'maintop check --help' prints" \
    "$("$MAINTOP" help check)" "$("$MAINTOP" check --help)"
is "maintop help history: what 'maintop history --help' prints" \
    "$("$MAINTOP" help history)" "$("$MAINTOP" history --help)"
err=$("$MAINTOP" chek 2>&1 >/dev/null); st=$?
is "maintop chek: exit 2" "$st" 2
is "maintop chek: one line, with the nearest mode" "$err" \
    "maintop: unknown mode 'chek' (did you mean 'check'?); 'maintop help' lists the modes"
err=$("$MAINTOP" help histroy 2>&1 >/dev/null); st=$?
is "maintop help histroy: one line, the nearest mode, exit 2" "$st:$err" \
    "2:maintop: unknown mode 'histroy' (did you mean 'history'?); 'maintop help' lists the modes"
err=$("$MAINTOP" "$(printf 'x\033]0;T\007')" 2>&1 >/dev/null)
check "an unknown mode is echoed sanitized" sh -c '! printf "%s" "$1" | LC_ALL=C grep -q "$(printf "\033")"' - "$err"

TMPDIR_H=$(mktemp -d) || bail "mktemp failed"
trap 'rm -rf "$TMPDIR_H"' EXIT

for m in run history; do
	n_lines=$("$MAINTOP" $m --help | wc -l)
	check "$m --help explains itself (at least as many lines as check --help)" \
	    test "$n_lines" -ge "$("$MAINTOP" check --help | wc -l)"
	check "$m --help names the exit codes" sh -c '"$1" $2 --help | grep -q "^Exit 0"' - "$MAINTOP" $m
done
check "run --help lists every option" sh -c 'h=$("$1" run --help); for o in --config --param --yes --yes-danger --dry-run --override-window --help; do printf "%s" "$h" | grep -q -- "$o" || exit 1; done' - "$MAINTOP"

# The options every line mode shares (cli_getopt): -h and --help print the
# usage on stdout alone and exit 0; an unknown option prints it on stderr
# and exits 2 (check: 3 with UNKNOWN on stdout); -c and --config name the
# file read, so a missing one is exit 3 naming it (validate: 1, "invalid").
for m in validate snapshot check calendar debt "run x" history "notify list" \
    "store status" "agent hold --list"; do
	name=${m%% *}
	for h in -h --help; do
		"$MAINTOP" $m $h > "$TMPDIR_H/out" 2> "$TMPDIR_H/err"; st=$?
		check "maintop $m $h: exit 0, the usage on stdout, nothing on stderr" \
		    sh -c '[ "$1" = 0 ] && grep -q "^Usage\|maintop $2" "$3/out" && ! test -s "$3/err"' - "$st" "$name" "$TMPDIR_H"
	done
	"$MAINTOP" $m --no-such-option > "$TMPDIR_H/out" 2> "$TMPDIR_H/err"; st=$?
	if [ "$name" = check ]; then
		is "maintop check --no-such-option: exit 3, UNKNOWN on stdout" \
		    "$st:$(cat "$TMPDIR_H/out")" "3:UNKNOWN - bad command line (see maintop check --help)"
	else
		is "maintop $m --no-such-option: exit 2" "$st" 2
		check "maintop $m --no-such-option: the usage on stderr, nothing on stdout" \
		    sh -c 'grep -q "maintop $1" "$2/err" && ! test -s "$2/out"' - "$name" "$TMPDIR_H"
	fi
	want=3
	[ "$name" = validate ] && want=1
	for c in -c --config; do
		"$MAINTOP" $m $c "$TMPDIR_H/none.conf" > "$TMPDIR_H/out" 2> "$TMPDIR_H/err"; st=$?
		check "maintop $m $c FILE: exit $want, naming FILE" \
		    sh -c '[ "$1" = "$3" ] && grep -q "$2/none.conf: error: cannot open" "$2/err"' - "$st" "$TMPDIR_H" "$want"
	done
done

# The demo reads its options the same way (and starts no server here): -h
# and --help on stdout with exit 0, a mistake exit 2 with the usage on
# stderr; -c is a mistake too, since the demo writes its own configuration.
for h in -h --help; do
	"$MAINTOP" demo $h > "$TMPDIR_H/out" 2> "$TMPDIR_H/err"; st=$?
	check "maintop demo $h: exit 0, the usage on stdout, nothing on stderr" \
	    sh -c '[ "$1" = 0 ] && grep -q "^usage: maintop demo" "$2/out" && ! test -s "$2/err"' - "$st" "$TMPDIR_H"
done
for bad in --no-such-option --version --theme "-c none.conf" \
    --config=none.conf "--snapshot extra"; do
	"$MAINTOP" demo $bad > "$TMPDIR_H/out" 2> "$TMPDIR_H/err"; st=$?
	check "maintop demo $bad: exit 2, the usage on stderr, nothing on stdout" \
	    sh -c '[ "$1" = 2 ] && grep -q "^usage: maintop demo" "$2/err" && ! test -s "$2/out"' - "$st" "$TMPDIR_H"
done
check "maintop demo -c: says why" \
    sh -c '"$1" demo -c x 2>&1 >/dev/null | grep -q "^maintop demo: -c: the demo writes its own configuration"' - "$MAINTOP"

# The default path: the one --help prints is the one the binary looks in.
env -u MAINTOP_CONFIG -u XDG_CONFIG_HOME HOME=/nonexistent "$MAINTOP" validate > /dev/null 2> "${TMPDIR:-/tmp}/help-$$"
searched=$(grep -o '/[^ ]*/maintop/maintop.conf' "${TMPDIR:-/tmp}/help-$$" | grep -v nonexistent | head -1)
rm -f "${TMPDIR:-/tmp}/help-$$"
check "--help prints the system path the binary searches ($searched)" \
    sh -c '[ -n "$2" ] && "$1" --help | grep -qF "$2"' - "$MAINTOP" "$searched"
check "maintop(1) and README name the path of the default build" \
    sh -c 'grep -q "/usr/local/etc/maintop/maintop.conf" "$1/doc/maintop.1" && grep -q "/usr/local/etc/maintop/maintop.conf" "$1/README.md" && ! grep -q "^\.BR /etc/maintop/maintop.conf" "$1/doc/maintop.1"' - "$top_srcdir"
echo "1..$n"
