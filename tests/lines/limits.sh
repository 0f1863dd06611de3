#!/bin/sh
# A configuration is checked before libconfig reads it: size, lines and
# settings limits over the file and its includes, only regular files
# included (a FIFO must not hang), NUL bytes refused with their line, and
# syntax errors that name the line where the broken part started and say
# what was expected.  Prints TAP.
: "${MAINTOP:=./maintop}"
. "$top_srcdir/tests/lib/tap.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lines-limits.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
"$MAINTOP" --version >/dev/null || { echo "Bail out! $MAINTOP does not run"; exit 1; }

# validate NAME: runs "maintop validate" on $tmp/NAME (10 s at most: a hang
# is a failure), leaving its status in $st and its stderr in $err.
validate() {
	err=$(timeout 10 "$MAINTOP" validate -c "$tmp/$1" 2>&1 >/dev/null)
	st=$?
}
# has TEXT: the last validate said TEXT.
has() { printf '%s\n' "$err" | grep -qF -- "$1"; }
expect() {	# expect DESC FILE:LINE: TEXT
	if [ "$st" != 0 ] && has "$2"; then ok 0 "$1"; else
		ok 1 "$1"; printf '#   status %s, said:\n' "$st"
		printf '%s\n' "$err" | sed 's/^/#     /'; fi
}

mkfifo "$tmp/fifo.conf"
printf 'settings = { refresh = 5; };\n@include "fifo.conf"\n' > "$tmp/fifo-main.conf"
validate fifo-main.conf
expect "@include of a FIFO: refused at once, with file and line" \
    "fifo-main.conf:2: error: @include \"fifo.conf\": $tmp/fifo.conf is not a regular file"

printf '@include "sub"\n' > "$tmp/dir-main.conf"
mkdir "$tmp/sub"
validate dir-main.conf
expect "@include of a directory: refused" "dir-main.conf:1: error: @include \"sub\": $tmp/sub is not a regular file"

# Two includes of 5 MB each: each is within 8 MB, together they are not.
awk 'BEGIN { for (i = 0; i < 170000; i++) printf "# padding line %06d of a large comment\n", i }' > "$tmp/half.conf"
printf 'settings = { refresh = 5; };\n@include "half.conf"\n@include "half.conf"\n' > "$tmp/twice.conf"
validate twice.conf
expect "includes count toward the 8 MB limit" "twice.conf:3: error: @include \"half.conf\": $tmp/half.conf is too large"

awk 'BEGIN { for (i = 0; i < 510000; i++) print "" }' > "$tmp/lines.conf"
validate lines.conf
expect "more than 500,000 lines: refused at the line past the limit" "lines.conf:500001: error: more than 500000 lines"

awk 'BEGIN { print "settings = {"; for (i = 0; i < 300; i++) printf "  k%d = %d;\n", i, i; print "};" }' > "$tmp/group.conf"
validate group.conf
expect "a group of 300 settings: refused at the 257th" "group.conf:258: error: more than 256 settings in one group"

printf 'settings = {\n  name = "a\000b";\n};\n' > "$tmp/nul.conf"
validate nul.conf
expect "a NUL byte in a string: an error with its line" "nul.conf:2: error: a NUL byte"
printf 'settings = {\n  refresh = 5;\n  name = "a\\x00b";\n};\n' > "$tmp/x00.conf"
validate x00.conf
expect "\\x00 in a string: an error with its line" "x00.conf:3: error: \\x00 in a string"

printf 'settings = {\n  refresh = 5;\n  name = "unclosed;\n  timeout = 5;\n};\nhttp = ();\n' > "$tmp/string.conf"
validate string.conf
expect "an unterminated string: the line where it opened" "string.conf:3: error: unterminated string"
printf 'settings = {\n  refresh = 5;\n\nhttp = ();\n' > "$tmp/group-open.conf"
validate group-open.conf
expect "an unclosed group: the line where it opened" "group-open.conf:1: error: the group '{' opened on this line is never closed"
printf 'settings = { refresh = 5; };\n/* a comment\nhttp = ();\n' > "$tmp/comment.conf"
validate comment.conf
expect "an unclosed comment: the line where it opened" "comment.conf:2: error: the comment '/*' opened on this line is never closed"

printf 'http = (\n  { name = "a"; url = "http://127.0.0.1/"; }\n  { name = "b"; url = "http://127.0.0.1/"; }\n);\n' > "$tmp/comma.conf"
validate comma.conf
expect "a missing comma between list entries: what was expected" "comma.conf:3: error: expected ',' or ')' to close the list opened on line 1, found '{'"
printf 'settings = {\n  timeout = 5s;\n};\n' > "$tmp/unit.conf"
validate unit.conf
expect "a bare duration: put it in quotes" "unit.conf:2: error: 5s is not a number: put text and durations in quotes (\"5s\")"
printf 'settings = {\n  theme = dark;\n};\n' > "$tmp/word.conf"
validate word.conf
expect "a bare word as a value: what a value can be" "word.conf:2: error: expected a value for 'theme' (a number, \"text in quotes\", true, false, [array], (list) or { group }), found 'dark'"
printf 'settings = {\n  refresh = 5\n  timeout = 3;;\n};\n' > "$tmp/semi.conf"
validate semi.conf
expect "a doubled ';': what was expected instead" "semi.conf:3: error: expected a setting name or '}' to close the group opened on line 1, found ';'"
printf 'settings = { refresh = 5; };\n@include "broken.conf"\n' > "$tmp/inc-main.conf"
printf '# an included file\nhttp = (\n  { name = "x"; url = ; }\n);\n' > "$tmp/broken.conf"
validate inc-main.conf
expect "an error in an included file names that file and line" "broken.conf:3: error: expected a value for 'url'"
printf 'settings = {\n  refresh = 5;\n  refresh = 6;\n};\n' > "$tmp/twice-key.conf"
validate twice-key.conf
expect "a key set twice: both lines" "twice-key.conf:3: error: 'refresh' is set twice in the same group (first on line 2)"

# The debt file in the state directory goes through the same check.
mkdir "$tmp/state"
printf 'settings = { state_dir = "%s/state"; };\n' "$tmp" > "$tmp/d.conf"
printf 'version = 1;\ndebt = (\n  { id = "D-0001"; title = "a\\x00b"; priority = "low"; }\n);\n' > "$tmp/state/debt.conf"
err=$(timeout 10 "$MAINTOP" debt -c "$tmp/d.conf" 2>&1 >/dev/null)
check "the debt file: \\x00 refused with its line" sh -c 'printf "%s" "$1" | grep -qF "debt.conf:3: error: \\x00 in a string"' - "$err"

echo "1..$n"
