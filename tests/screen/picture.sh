#!/bin/sh
# doc/ansi2png.py, which draws the README's picture, on a real capture
# (tmux capture-pane -e) of the dashboard at 120x40: the PNG is 120x40
# cells of the size it reports, and the header's red CRIT badge is red in
# it; and on crafted captures, the 256-colour palette, 24-bit colours,
# reverse video, attributes carried from one line to the next, and bold.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/screen/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || skip_all "python3 not found: apt-get install python3"
"$PY" -c 'import PIL' 2>/dev/null ||
	skip_all "python3-pil missing (apt-get install python3-pil)"
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ] ||
	skip_all "DejaVu Sans Mono missing (apt-get install fonts-dejavu-core)"
render="$top_srcdir/doc/ansi2png.py"

# A check that fails at once: nothing listens on port 1.
cat > "$SCREEN_TMP/m.conf" <<EOC
settings = { name = "prod"; timezone = "UTC"; state_dir = "$SCREEN_TMP/st"; };
http = ( { name = "web"; url = "http://127.0.0.1:1/"; } );
EOC
screen_start 120 40 "$MAINTOP" -c "$SCREEN_TMP/m.conf" --now 2026-12-02T10:00:00Z
screen_wait " CRIT web " || screen_wait " CRIT web "
screen_ok $? "the header names the failing check"
screen_capture -e > "$SCREEN_TMP/screen.ans"
screen_capture > "$SCREEN_TMP/screen.txt"

"$PY" "$render" "$SCREEN_TMP/screen.ans" "$SCREEN_TMP/screen.png" \
    > "$SCREEN_TMP/report"
screen_ok $? "ansi2png.py renders the capture"
grep -Eq '^120x40 cells of [0-9]+x[0-9]+ px: [0-9]+x[0-9]+$' "$SCREEN_TMP/report"
screen_ok $? "it reports the grid and the picture's size: $(cat "$SCREEN_TMP/report")"

# Checks the picture $1 against the report: its size in pixels is the
# grid's, and each "COL ROW R G B" on standard input is the colour of the
# top-left pixel of that cell (a blank cell is its background).
pixels() {
	"$PY" - "$1" "$(cat "$SCREEN_TMP/report")" <<'PY'
import re, sys
from PIL import Image
cols, rows, cw, ch, w, h = map(int, re.findall(r"\d+", sys.argv[2]))
im = Image.open(sys.argv[1]).convert("RGB")
bad = []
if im.size != (cols * cw, rows * ch) or (w, h) != im.size:
    bad.append("size %dx%d, want %dx%d" % (im.size + (cols * cw, rows * ch)))
for line in sys.stdin:
    c, r, *rgb = map(int, line.split())
    got = im.getpixel((c * cw + 1, r * ch + 1))
    if got != tuple(rgb):
        bad.append("cell %d,%d is %s, want %s" % (c, r, got, tuple(rgb)))
for b in bad:
    print("#", b)
sys.exit(1 if bad else 0)
PY
}

# The blank before CRIT, in the header's red badge: Tango red, #cc0000.
col=$("$PY" -c 'import sys; print(open(sys.argv[1], encoding="utf-8").readline().index(" CRIT web "))' \
    "$SCREEN_TMP/screen.txt")
echo "$col 0 204 0 0" | pixels "$SCREEN_TMP/screen.png"
screen_ok $? "the PNG is 120x40 cells, and the badge's cell at column $col is red"

# A crafted capture: a 256-colour background (196: #ff0000), a 24-bit
# one, reverse video (the default background as foreground and the other
# way round), and a background carried onto the next line.
printf '\033[48;5;196m \033[0m\033[48;2;1;2;3m \033[0m\033[7m \033[0m\033[44m \n \033[0m \n' \
    > "$SCREEN_TMP/crafted.ans"
"$PY" "$render" --cols 4 --rows 3 "$SCREEN_TMP/crafted.ans" \
    "$SCREEN_TMP/crafted.png" > "$SCREEN_TMP/report"
printf '%s\n' "0 0 255 0 0" "1 0 1 2 3" "2 0 211 215 207" "3 0 52 101 164" \
    "0 1 52 101 164" "1 1 28 28 28" "0 2 28 28 28" |
    pixels "$SCREEN_TMP/crafted.png"
screen_ok $? "256 colours, 24-bit colours, reverse video, a line's carried background"

# Bold is drawn in DejaVu Sans Mono Bold: the same letter takes more ink.
printf 'MM\n\033[1mMM\033[0m\n' > "$SCREEN_TMP/bold.ans"
"$PY" "$render" --cols 2 --rows 2 "$SCREEN_TMP/bold.ans" \
    "$SCREEN_TMP/bold.png" > "$SCREEN_TMP/report"
"$PY" - "$SCREEN_TMP/bold.png" <<'PY'
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
w, h = im.size
ink = [sum(1 for x in range(w) for y in range(r * h // 2, (r + 1) * h // 2)
           if im.getpixel((x, y)) != (28, 28, 28)) for r in (0, 1)]
print("# ink: regular %d, bold %d" % tuple(ink))
sys.exit(0 if ink[1] > ink[0] * 1.15 else 1)
PY
screen_ok $? "a bold letter is drawn bolder"

screen_done
