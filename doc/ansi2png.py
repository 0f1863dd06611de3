#!/usr/bin/python3
"""Renders a terminal screen captured with "tmux capture-pane -e -p" as a
PNG, cell by cell, in DejaVu Sans Mono (Debian: python3-pil,
fonts-dejavu-core).

    ansi2png.py [--cols N] [--rows N] [--size PX] CAPTURE OUT.png

Honours the SGR attributes that capture-pane writes: the 8 and 16
colours, the 256-colour palette and 24-bit colours (foreground and
background), bold, dim, italic (drawn upright), underline and reverse.
Attributes carry from one line to the next, as capture-pane writes them.
Other escape sequences are dropped.  Prints the grid and the picture's
size ("120x40 cells of 9x18 px: 1080x720").
"""

import argparse
import re
import sys
import unicodedata

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
DEFAULT_FG = (0xD3, 0xD7, 0xCF)
DEFAULT_BG = (0x1C, 0x1C, 0x1C)
# The 16 colours (GNOME Terminal's Tango): 1 red is #cc0000.
PALETTE16 = [
    (0x2E, 0x34, 0x36), (0xCC, 0x00, 0x00), (0x4E, 0x9A, 0x06),
    (0xC4, 0xA0, 0x00), (0x34, 0x65, 0xA4), (0x75, 0x50, 0x7B),
    (0x06, 0x98, 0x9A), (0xD3, 0xD7, 0xCF), (0x55, 0x57, 0x53),
    (0xEF, 0x29, 0x29), (0x8A, 0xE2, 0x34), (0xFC, 0xE9, 0x4F),
    (0x72, 0x9F, 0xCF), (0xAD, 0x7F, 0xA8), (0x34, 0xE2, 0xE2),
    (0xEE, 0xEE, 0xEC),
]
# A capture holds SGR sequences (kept) and perhaps other escapes (dropped).
ESCAPE = re.compile(r"\x1b(?:\[([0-9;:]*)([@-~])|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")


def palette256(n):
    """The xterm 256-colour palette: 16 colours, a 6x6x6 cube, 24 greys."""
    if n < 16:
        return PALETTE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    grey = 8 + 10 * (n - 232)
    return (grey, grey, grey)


class Pen:
    """The attributes the next character is drawn with."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = None
        self.bg = None
        self.bold = self.dim = self.underline = self.reverse = False

    def colours(self):
        fg = self.fg if self.fg is not None else DEFAULT_FG
        bg = self.bg if self.bg is not None else DEFAULT_BG
        if self.reverse:
            fg, bg = bg, fg
        if self.dim:
            fg = tuple((f + b) // 2 for f, b in zip(fg, bg))
        return fg, bg

    def sgr(self, params):
        codes = [int(p) if p.isdigit() else 0
                 for p in re.split("[;:]", params)] if params else [0]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0:
                self.reset()
            elif c == 1:
                self.bold = True
            elif c == 2:
                self.dim = True
            elif c == 4:
                self.underline = True
            elif c == 7:
                self.reverse = True
            elif c == 22:
                self.bold = self.dim = False
            elif c == 24:
                self.underline = False
            elif c == 27:
                self.reverse = False
            elif 30 <= c <= 37:
                self.fg = PALETTE16[c - 30]
            elif 90 <= c <= 97:
                self.fg = PALETTE16[c - 90 + 8]
            elif 40 <= c <= 47:
                self.bg = PALETTE16[c - 40]
            elif 100 <= c <= 107:
                self.bg = PALETTE16[c - 100 + 8]
            elif c == 39:
                self.fg = None
            elif c == 49:
                self.bg = None
            elif c in (38, 48) and i + 1 < len(codes):
                colour = None
                if codes[i + 1] == 5 and i + 2 < len(codes):
                    colour = palette256(codes[i + 2] % 256)
                    i += 2
                elif codes[i + 1] == 2 and i + 4 < len(codes):
                    colour = tuple(v % 256 for v in codes[i + 2:i + 5])
                    i += 4
                if c == 38:
                    self.fg = colour
                else:
                    self.bg = colour
            i += 1


def cells(text, cols, rows):
    """The grid: rows of cols cells, each (char, fg, bg, bold, underline);
    char None for the right half of a wide character."""
    pen = Pen()
    blank = (" ", DEFAULT_FG, DEFAULT_BG, False, False)
    grid = []
    for line in text.split("\n")[:rows]:
        row = []
        pos = 0
        for m in ESCAPE.finditer(line):
            row.extend(plain(line[pos:m.start()], pen))
            if m.group(2) == "m":
                pen.sgr(m.group(1))
            pos = m.end()
        row.extend(plain(line[pos:], pen))
        grid.append((row + [blank] * cols)[:cols])
    while len(grid) < rows:
        grid.append([blank] * cols)
    return grid


def plain(text, pen):
    """Cells for text without escapes, drawn with pen."""
    out = []
    fg, bg = pen.colours()
    for ch in text:
        if ch < " " or "\x7f" <= ch < "\xa0":
            continue
        if unicodedata.combining(ch):
            continue
        out.append((ch, fg, bg, pen.bold, pen.underline))
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            out.append((None, fg, bg, pen.bold, pen.underline))
    return out


# Lines and blocks drawn as shapes, so that they join from cell to cell.
BLOCKS = {chr(0x2581 + i): (i + 1) / 8 for i in range(8)}


def draw_cell(draw, x, y, cw, ch, cell, fonts, ascent):
    char, fg, bg, bold, underline = cell
    draw.rectangle([x, y, x + cw - 1, y + ch - 1], fill=bg)
    if char is None or char == " ":
        pass
    elif char in BLOCKS:
        top = y + ch - round(ch * BLOCKS[char])
        draw.rectangle([x, top, x + cw - 1, y + ch - 1], fill=fg)
    elif char == "\u2500":
        draw.line([x, y + ch // 2, x + cw - 1, y + ch // 2], fill=fg)
    elif char == "\u2502":
        draw.line([x + cw // 2, y, x + cw // 2, y + ch - 1], fill=fg)
    else:
        font = fonts[1] if bold else fonts[0]
        width = 2 * cw if unicodedata.east_asian_width(char) in ("W", "F") else cw
        draw.text((x + (width - font.getlength(char)) / 2, y), char,
                  font=font, fill=fg)
    if underline:
        draw.line([x, y + ascent + 1, x + cw - 1, y + ascent + 1], fill=fg)


def render(text, cols, rows, size):
    regular = ImageFont.truetype(FONT_DIR + "/DejaVuSansMono.ttf", size)
    bold = ImageFont.truetype(FONT_DIR + "/DejaVuSansMono-Bold.ttf", size)
    ascent, descent = regular.getmetrics()
    cw, ch = round(regular.getlength("M")), ascent + descent
    image = Image.new("RGB", (cols * cw, rows * ch), DEFAULT_BG)
    draw = ImageDraw.Draw(image)
    for r, row in enumerate(cells(text, cols, rows)):
        for c, cell in enumerate(row):
            draw_cell(draw, c * cw, r * ch, cw, ch, cell, (regular, bold),
                      ascent)
    return image, cw, ch


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cols", type=int, default=120)
    ap.add_argument("--rows", type=int, default=40)
    ap.add_argument("--size", type=int, default=15, help="font size in px")
    ap.add_argument("capture")
    ap.add_argument("out")
    a = ap.parse_args()
    with open(a.capture, encoding="utf-8", errors="replace") as f:
        text = f.read(1 << 20)
    image, cw, ch = render(text, a.cols, a.rows, a.size)
    image.save(a.out, optimize=True)
    print("%dx%d cells of %dx%d px: %dx%d" % (a.cols, a.rows, cw, ch,
                                              image.width, image.height))
    return 0


if __name__ == "__main__":
    sys.exit(main())
