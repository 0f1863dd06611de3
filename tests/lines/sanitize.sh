#!/bin/sh
# Names are printable UTF-8 or refused at load with file and line, and what
# the line modes print is sanitized whether or not stdout is a terminal:
# "maintop run | cat" step output and the interrupted-run notice.  The
# bytes written are read, not a rendering of them.  Prints TAP.
: "${MAINTOP:=./maintop}"
. "$top_srcdir/tests/lib/tap.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lines-sanitize.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
"$MAINTOP" --version >/dev/null || { echo "Bail out! $MAINTOP does not run"; exit 1; }
# The bytes that must never be printed: ESC, a C1 CSI (U+009B), BEL, and
# the bidi override U+202E.
bad=$(printf '\033\\|\302\233\\|\007\\|\342\200\256')
clean() { ! LC_ALL=C grep -q "$bad" "$1"; }

refused() {	# refused DESC FILE:LINE TEXT CONF
	printf '%b' "$4" > "$tmp/c.conf"
	err=$("$MAINTOP" validate -c "$tmp/c.conf" 2>&1 >/dev/null)
	st=$?
	if [ $st != 0 ] && printf '%s\n' "$err" | grep -qF "c.conf:$2: error: $3" &&
	    printf '%s' "$err" > "$tmp/err" && clean "$tmp/err"; then
		ok 0 "$1"
	else
		ok 1 "$1"; printf '%s\n' "$err" | sed 's/^/#   /'
	fi
}
refused "a check name with ESC: refused at its line" 3 \
    "'name' must be printable text: it holds a control character" \
    'http = (\n  {\n    name = "api\\x1b]0;PWNED\\x07";\n    url = "http://127.0.0.1/";\n  }\n);\n'
refused "a check name with U+009B: refused" 2 \
    "'name' must be printable text: it holds a control character" \
    'http = (\n  { name = "api\xc2\x9b2J";\n    url = "http://127.0.0.1/"; }\n);\n'
refused "a check name that is not UTF-8: refused" 2 \
    "'name' must be printable text: it holds invalid UTF-8" \
    'http = (\n  { name = "api\xff";\n    url = "http://127.0.0.1/"; }\n);\n'
refused "a step name with U+202E: refused" 3 \
    "'name' must be printable text: it holds a bidirectional control" \
    'runbooks = (\n  { name = "r"; steps = (\n    { name = "evil\xe2\x80\xaecod"; run = "true"; } ); }\n);\n'
refused "a window name with BEL: refused" 2 \
    "'name' must be printable text: it holds a control character" \
    'windows = (\n  { name = "w\\x07"; kind = "maintenance"; schedule = "weekly sun 02:00"; duration = "1h"; }\n);\n'

cat > "$tmp/m.conf" <<EOC
settings = { state_dir = "$tmp/state"; };
runbooks = (
  { name = "noisy"; steps = ( { name = "s";
      run = "printf 'a\\\\033]0;PWNED\\\\007b\\\\302\\\\2332Jc\\\\342\\\\200\\\\256d\\\\n'"; } ); }
);
EOC
"$MAINTOP" validate -c "$tmp/m.conf" >/dev/null 2>&1 || echo "Bail out! the runbook configuration is refused"
"$MAINTOP" run noisy -c "$tmp/m.conf" --yes < /dev/null 2>&1 | cat > "$tmp/piped"
check "run | cat: the step's output is there" grep -q "abc" "$tmp/piped"
check "run | cat: no escape, BEL, C1 or bidi control written" clean "$tmp/piped"
check "the run log keeps the output as the step wrote it" \
    sh -c 'LC_ALL=C grep -q "$(printf "\033")]0;PWNED" "$1"/state/runs/*.log' - "$tmp"

# An abandoned run whose journal fields carry escapes: the notice printed
# before the next run is sanitized.
printf '{"type":"run_start","run":"x\\u001b[2J","runbook":"noisy\\u009b","user":"\\u202eu\\u0007","start":"2026-12-02T10:00:00Z","pid":999999999,"log":"l\\u001b]0;T\\u0007"}\n' >> "$tmp/state/journal.jsonl"
"$MAINTOP" run noisy -c "$tmp/m.conf" --yes < /dev/null > /dev/null 2> "$tmp/notice"
check "the interrupted-run notice is printed" grep -q "was interrupted" "$tmp/notice"
check "the interrupted-run notice is sanitized" clean "$tmp/notice"
echo "1..$n"
