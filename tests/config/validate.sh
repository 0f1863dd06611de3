#!/bin/sh
# "maintop validate" from the command line: exit codes, the summary, every
# error with file and line, the annotated example, and the no-config message.
: "${top_srcdir:=.}" "${MAINTOP:=./maintop}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/maintop-validate.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/xdg"
unset MAINTOP_CONFIG
mkdir -p "$HOME"
. "$top_srcdir/tests/lib/tap.sh"

"$MAINTOP" validate -c "$top_srcdir/doc/maintop.conf.example" > "$tmp/out" 2> "$tmp/err"
ok $? "the annotated example validates (exit 0)"
grep -q "ok: 6 checks (1 postgres, 1 redis, 3 http, 1 exec), 3 windows, 1 debt item, 1 runbook" "$tmp/out"
ok $? "the summary counts checks, windows, debt items and runbooks"
grep -q "overlap" "$tmp/err"
ok $? "conflicts between windows are reported as warnings"

cat > "$tmp/bad.conf" <<'CONF'
settings = {
  refresh = "10s";
  thme = "mono";
};
http = (
  { name = "api"; url = "http://127.0.0.1:1/"; interval = true; }
);
CONF
"$MAINTOP" validate -c "$tmp/bad.conf" > "$tmp/out" 2> "$tmp/err"
ok $([ $? -eq 1 ] && echo 0 || echo 1) "an invalid file exits 1"
grep -q "^$tmp/bad.conf:3: error: unknown key 'thme' in settings (did you mean 'theme'?)$" "$tmp/err"
ok $? "an unknown key: file, line and did-you-mean"
grep -q "^$tmp/bad.conf:6: error: .*interval" "$tmp/err"
ok $? "a wrong type: file and line"
grep -q "invalid: 2 errors" "$tmp/out"
ok $? "the summary counts the errors"

printf 'settings = {\n  name = "x";\n  mouse = "no";\n};\n' > "$tmp/mouse.conf"
"$MAINTOP" validate -c "$tmp/mouse.conf" > "$tmp/out" 2> "$tmp/err"
ok $([ $? -eq 1 ] && grep -qx "$tmp/mouse.conf:3: error: 'mouse' must be true or false, not a string" "$tmp/err" && echo 0 || echo 1) \
    "settings.mouse that is not a boolean: file and line"

printf 'settings = { timezone = "\\x1b]0;pwned\\x07\\x1b[2J"; };\n' > "$tmp/esc.conf"
"$MAINTOP" validate -c "$tmp/esc.conf" > "$tmp/out" 2> "$tmp/err"
ok $([ $? -eq 1 ] && grep -q "unknown time zone" "$tmp/err" && ! grep -q "$(printf '\033')" "$tmp/err" "$tmp/out" && echo 0 || echo 1) \
    "an escape sequence quoted in an error message never reaches the terminal"

"$MAINTOP" validate > "$tmp/out" 2> "$tmp/err"
ok $([ $? -eq 3 ] && echo 0 || echo 1) "no configuration found exits 3"
grep -q "maintop demo" "$tmp/err" && grep -q "$XDG_CONFIG_HOME/maintop/maintop.conf" "$tmp/err"
ok $? "and says where it looked and how to start"

MAINTOP_CONFIG="$tmp/bad.conf" "$MAINTOP" validate > /dev/null 2>&1
ok $([ $? -eq 1 ] && echo 0 || echo 1) "\$MAINTOP_CONFIG is used when -c is absent"

"$MAINTOP" --version | grep -q "^maintop [0-9]"
ok $? "--version prints the version"
"$MAINTOP" --help | grep -q "usage: maintop"
ok $? "--help prints the usage"
"$MAINTOP" --bogus > /dev/null 2>&1
ok $([ $? -eq 2 ] && echo 0 || echo 1) "an unknown option exits 2"
"$MAINTOP" frobnicate > /dev/null 2>&1
ok $([ $? -eq 2 ] && echo 0 || echo 1) "an unknown mode exits 2"
"$MAINTOP" --now yesterday validate > /dev/null 2>&1
ok $([ $? -eq 2 ] && echo 0 || echo 1) "a malformed --now exits 2"
"$MAINTOP" -c "$top_srcdir/doc/maintop.conf.example" < /dev/null > "$tmp/out" 2>&1
ok $([ $? -eq 2 ] && grep -q "needs a terminal" "$tmp/out" && echo 0 || echo 1) \
    "the dashboard without a terminal says so and exits 2"
"$MAINTOP" -c "$top_srcdir/doc/maintop.conf.example" --theme nosuch < /dev/null > "$tmp/out" 2>&1
ok $([ $? -eq 3 ] && grep -q "unknown theme 'nosuch'" "$tmp/out" && echo 0 || echo 1) \
    "an unknown theme is refused with the themes available, exit 3"
printf 'roles = { ok = { fg = "chartreuse"; }; };\n' > "$tmp/bad-theme.conf"
MAINTOP_THEMEDIR="$tmp" "$MAINTOP" -c "$top_srcdir/doc/maintop.conf.example" --theme bad-theme < /dev/null > "$tmp/out" 2>&1
ok $([ $? -eq 3 ] && grep -qF "theme $tmp/bad-theme.conf: line 1: bad colour" "$tmp/out" && echo 0 || echo 1) \
    "a theme file with a bad colour is refused with its file and line"
{ printf 'roles = { ok = { fg = "green"; }; };\n'; head -c 70000 /dev/zero | tr '\0' '#'; echo; } > "$tmp/big-theme.conf"
MAINTOP_THEMEDIR="$tmp" "$MAINTOP" -c "$top_srcdir/doc/maintop.conf.example" --theme big-theme < /dev/null > "$tmp/out" 2>&1
ok $([ $? -eq 3 ] && grep -qF "theme file $tmp/big-theme.conf: larger than 65536 bytes" "$tmp/out" && echo 0 || echo 1) \
    "a theme file over 64 KiB is refused, naming it (not cut and parsed)"
for theme in default mono high-contrast; do
	MAINTOP_THEMEDIR="$top_srcdir/themes" "$MAINTOP" -c "$top_srcdir/doc/maintop.conf.example" --theme $theme < /dev/null > "$tmp/out" 2>&1
	ok $(grep -q "needs a terminal" "$tmp/out" && echo 0 || echo 1) "theme $theme parses"
done

# Threshold pairs that can never warn or never go critical are refused,
# each at its line and saying why; ranges that make sense pass.
cat > "$tmp/pairs.conf" <<'CONF'
http = (
  { name = "score"; url = "http://127.0.0.1:1/";
    metrics = ( { name = "health"; select = "health_score";
      warn = 7.0;
      crit = 5.0; } ); },
  { name = "tls"; url = "https://127.0.0.1:1/";
    cert_warn_days = 3;
    cert_crit_days = 7; }
);
postgres = (
  { name = "db"; service = "x";
    connections_pct_crit = 150; }
);
redis = (
  { name = "cache";
    fragmentation_warn = "5:25";
    fragmentation_crit = "10:20";
    last_save_age_warn = "25h"; last_save_age_crit = "2d"; }
);
CONF
"$MAINTOP" validate -c "$tmp/pairs.conf" > "$tmp/out" 2> "$tmp/err"
ok $([ $? -eq 1 ] && echo 0 || echo 1) "inverted threshold pairs: validate exits 1"
grep -q "^$tmp/pairs.conf:5: error: health: warn 7 can never show: every value above 7 is above crit 5 too, and critical wins (if lower is worse, write ranges: warn = \"7:\"; crit = \"5:\")$" "$tmp/err"
ok $? "warn 7.0 / crit 5.0 on a metric: refused at its line, pointing at ranges"
grep -q "^$tmp/pairs.conf:8: error: cert_days: warn 3 can never show: every value below 3 is below crit 7 too" "$tmp/err"
ok $? "certificate days 3/7 (lower is worse) refused"
grep -q "^$tmp/pairs.conf:12: error: connections_pct: crit 150 can never go critical: this figure is 0 to 100" "$tmp/err"
ok $? "a percentage above 100 never goes critical: refused"
grep -q "^$tmp/pairs.conf:17: error: fragmentation: warn 5:25 can never show" "$tmp/err"
ok $? "a warning range inside the critical one refused"
grep -q "invalid: 4 errors" "$tmp/out" && ! grep -q "last_save_age" "$tmp/err"
ok $? "exactly those four; 25h and 2d are durations"
sed -e 's/warn = 7.0;/warn = "7:";/' -e 's/crit = 5.0;/crit = "5:";/' \
    -e 's/cert_warn_days = 3;/cert_warn_days = 30;/' \
    -e 's/connections_pct_crit = 150;/connections_pct_crit = "~:99";/' \
    -e 's/"5:25"/"@1:1.5"/' -e 's/"10:20"/"~:20"/' \
    "$tmp/pairs.conf" > "$tmp/pairs-ok.conf"
"$MAINTOP" validate -c "$tmp/pairs-ok.conf" > "$tmp/out" 2> "$tmp/err"
ok $? "the same checks written with ranges validate"
echo "1..$n"
