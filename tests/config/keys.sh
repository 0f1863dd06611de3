#!/bin/sh
# The configuration's "keys" group: validate accepts a rebinding and names
# file and line of an unknown request, an unknown key and a key bound twice.
: "${top_srcdir:=.}" "${MAINTOP:=./maintop}"
. "$top_srcdir/tests/lib/tap.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/maintop-keys.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp"

cat > "$tmp/good.conf" <<'CONF'
keys = {
  probe_now = "P";
  quit = [ "q", "F10" ];
};
CONF
"$MAINTOP" validate -c "$tmp/good.conf" > "$tmp/out" 2> "$tmp/err"
ok $? "a rebinding validates"

cat > "$tmp/bad.conf" <<'CONF'
keys = {
  frobnicate = "x";
  undo = "Ctrl-u";
  edit = "j";
  quit = 3;
};
CONF
"$MAINTOP" validate -c "$tmp/bad.conf" > "$tmp/out" 2> "$tmp/err"
is "bad keys exit 1" "$?" 1
check "an unknown request: file and line" \
    grep -qx "$tmp/bad.conf:2: error: keys: unknown key request 'frobnicate'" "$tmp/err"
check "an unknown key name: file and line" \
    grep -q "^$tmp/bad.conf:3: error: keys: 'undo': unknown key 'Ctrl-u'" "$tmp/err"
check "a key that already means something else: file, line and its meaning" \
    grep -qx "$tmp/bad.conf:4: error: keys: 'edit': key j already means 'down' (rebind that too)" "$tmp/err"
check "a key that is not a string: file and line" \
    grep -q "^$tmp/bad.conf:5: error: .*quit" "$tmp/err"

printf 'keys = ( "q" );\n' > "$tmp/list.conf"
"$MAINTOP" validate -c "$tmp/list.conf" > "$tmp/out" 2> "$tmp/err"
check "keys must be a group" grep -q "^$tmp/list.conf:1: error: 'keys' must be a group" "$tmp/err"

echo "1..$n"
