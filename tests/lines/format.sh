#!/bin/sh
# Figures and durations in the line modes (check, snapshot, run), written
# the one way: two significant digits, no trailing zeros, "1d" not "1d0h",
# "10m" not "10m00s".  A Prometheus page served by python3's http.server gives a figure
# with six decimals.  Prints TAP.
: "${MAINTOP:=./maintop}"
. "$top_srcdir/tests/lib/tap.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lines-format.XXXXXX") || exit 1
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
command -v python3 >/dev/null || { echo "1..0 # SKIP needs python3"; exit 0; }
"$MAINTOP" --version >/dev/null || { echo "Bail out! $MAINTOP does not run"; exit 1; }

mkdir "$tmp/www"
printf 'app_ratio 0.391281\napp_busy 1234.567\n' > "$tmp/www/metrics"
python3 -c '
import http.server, functools, sys
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
h = functools.partial(Quiet, directory=sys.argv[1])
s = http.server.HTTPServer(("127.0.0.1", 0), h)
open(sys.argv[2] + ".tmp", "w").write(str(s.server_port))
import os; os.rename(sys.argv[2] + ".tmp", sys.argv[2])
s.serve_forever()' "$tmp/www" "$tmp/port" &
pid=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$tmp/port" ] || { echo "Bail out! the HTTP server did not start"; exit 1; }
port=$(cat "$tmp/port")

cat > "$tmp/m.conf" <<EOC
settings = { state_dir = "$tmp/state"; };
http = (
  { name = "app"; url = "http://127.0.0.1:$port/metrics";
    metrics = ( { name = "ratio"; select = "app_ratio"; warn = 0.25; },
                { name = "busy"; select = "app_busy"; warn = 999.5; } ); }
);
runbooks = (
  { name = "r"; steps = ( { name = "s"; run = "true"; },
                          { name = "day"; run = "true"; timeout = "1d"; } ); }
);
EOC

out=$("$MAINTOP" check -c "$tmp/m.conf" 2>&1)
printf '%s\n' "$out" | sed 's/^/# /'
check "check: a six-decimal figure reads 0.39" \
    sh -c 'printf "%s" "$1" | grep -q "ratio 0.39 > 0.25"' - "$out"
check "check: a large one reads 1235, its limit 999.5 reads 1000" \
    sh -c 'printf "%s" "$1" | grep -q "busy 1235 > 1000"' - "$out"
check "check: never six decimals in the message" \
    sh -c '! printf "%s" "$1" | sed "s/|.*//" | grep -q "[0-9]\.[0-9]\{3\}"' - "$out"

out=$("$MAINTOP" snapshot -c "$tmp/m.conf" 2>&1)
printf '%s\n' "$out" | sed -n '/== Health/,/^$/p' | sed 's/^/# /'
check "snapshot: the same figures, 0.39 and 1235 > 1000" \
    sh -c 'printf "%s" "$1" | grep -q "busy 1235 > 1000; ratio 0.39 > 0.25"' - "$out"
check "snapshot: never six decimals" \
    sh -c '! printf "%s" "$1" | grep -q "[0-9]\.[0-9]\{3\}"' - "$out"

out=$("$MAINTOP" run r -c "$tmp/m.conf" --dry-run 2>&1)
check "run --dry-run: the default timeout reads 10m" \
    sh -c 'printf "%s" "$1" | grep -q "timeout 10m,"' - "$out"
check "run --dry-run: a day reads 1d" \
    sh -c 'printf "%s" "$1" | grep -q "timeout 1d,"' - "$out"
check "run --dry-run: no zero part anywhere" \
    sh -c '! printf "%s" "$1" | grep -q "[0-9]d0h\|h00m\|m00s"' - "$out"

echo "1..$n"
