/* Drawing helpers shared by the views: clipped text, lines, glyphs with an
 * ASCII fallback, sparklines. */
#include "draw.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "sanitize.h"
#include "util.h"

static int draw_utf8;

static const char *const glyphs_utf8[GLYPH_COUNT] = {
	[GLYPH_HLINE] = "\xe2\x94\x80",		/* U+2500 */
	[GLYPH_VLINE] = "\xe2\x94\x82",		/* U+2502 */
	[GLYPH_BULLET] = "\xe2\x97\x8f",	/* U+25CF */
	[GLYPH_ARROW] = "\xe2\x96\xb8",		/* U+25B8 */
	[GLYPH_ELLIPSIS] = "\xe2\x80\xa6",	/* U+2026 */
	[GLYPH_BLOCK] = "\xe2\x96\x88",		/* U+2588 */
	[GLYPH_MARK] = "\xe2\x94\x83",		/* U+2503 */
};

static const char *const glyphs_ascii[GLYPH_COUNT] = {
	[GLYPH_HLINE] = "-",
	[GLYPH_VLINE] = "|",
	[GLYPH_BULLET] = "*",
	[GLYPH_ARROW] = ">",
	[GLYPH_ELLIPSIS] = "~",
	[GLYPH_BLOCK] = "#",
	[GLYPH_MARK] = "|",
};

static const char *const spark_utf8[8] = {
	"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
	"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
};
static const char spark_ascii[] = ".:-=+*#@";

void
draw_init(int utf8)
{
	draw_utf8 = utf8;
}

int
draw_is_utf8(void)
{
	return draw_utf8;
}

const char *
draw_glyph(enum glyph g)
{
	return draw_utf8 ? glyphs_utf8[g] : glyphs_ascii[g];
}

/*
 * Decodes the next character of s into *wc with its width; control and
 * undecodable bytes become '?', and a bidirectional control (which could
 * make a title read backwards) becomes 0 of width 0, to be skipped.
 * Returns the bytes consumed (0 at the end).
 */
static size_t
next_char(const char *s, wchar_t *wc, int *width)
{
	mbstate_t st;
	size_t n;
	int w;

	if (*s == '\0')
		return 0;
	if (!draw_utf8 || (unsigned char)*s < 0x80) {
		unsigned char c = (unsigned char)*s;

		*wc = (c < 0x20 || c >= 0x7f) ? L'?' : (wchar_t)c;
		*width = 1;
		return 1;
	}
	memset(&st, 0, sizeof st);
	n = mbrtowc(wc, s, MB_CUR_MAX, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*wc = L'?';
		*width = 1;
		return 1;
	}
	if (sanitize_is_bidi((unsigned int)*wc)) {
		*wc = 0;
		*width = 0;
		return n;
	}
	w = wcwidth(*wc);
	if (w < 0 || (*wc >= 0x80 && *wc < 0xa0)) {
		*wc = L'?';
		w = 1;
	}
	*width = w;
	return n;
}

int
draw_width(const char *s)
{
	wchar_t wc;
	int w, total = 0;
	size_t n;

	while ((n = next_char(s, &wc, &w)) != 0) {
		total += w;
		s += n;
	}
	return total;
}

int
draw_text(WINDOW *win, int y, int x, int width, enum role r, const char *s)
{
	wchar_t buf[512];
	wchar_t wc;
	size_t n, len = 0;
	int w, used = 0, total, ell;

	if (width <= 0 || s == NULL)
		return 0;
	total = draw_width(s);
	ell = total > width;
	while ((n = next_char(s, &wc, &w)) != 0 && len < 510) {
		if (used + w > width - ell)
			break;
		if (wc != 0)
			buf[len++] = wc;
		used += w;
		s += n;
	}
	if (ell && used < width) {
		if (draw_utf8)
			buf[len++] = L'\x2026';
		else
			buf[len++] = L'~';
		used++;
	}
	buf[len] = L'\0';
	wattrset(win, theme_attr(r));
	mvwaddnwstr(win, y, x, buf, (int)len);
	wattrset(win, A_NORMAL);
	return used;
}

int
draw_printf(WINDOW *win, int y, int x, int width, enum role r,
    const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	n = draw_text(win, y, x, width, r, s);
	free(s);
	return n;
}

/*
 * Where the line starting at p ends when it may take width columns: at the
 * newline or the end when it fits, else at the last space that fits (a
 * word wider than the line is broken between characters, one at least).
 */
static const char *
wrap_cut(const char *p, const char *end, int width)
{
	const char *q = p, *space = NULL;
	wchar_t wc;
	size_t n;
	int cols = 0, cw;

	while (q < end && (n = next_char(q, &wc, &cw)) != 0) {
		if (cols + cw > width)
			break;
		if (*q == ' ')
			space = q;
		cols += cw;
		q += n;
	}
	if (q >= end)
		return end;
	if (*q == ' ')
		return q;
	if (space != NULL && space > p)
		return space;
	if (q == p)
		q += next_char(q, &wc, &cw);
	return q;
}

char *
draw_wrap(const char *s, int width)
{
	struct buf b;
	const char *p = s != NULL ? s : "", *end, *cut;

	if (width < 8)
		width = 8;
	buf_init(&b);
	while (*p != '\0') {
		end = p + strcspn(p, "\n");
		cut = wrap_cut(p, end, width);
		buf_add(&b, p, (size_t)(cut - p));
		buf_addc(&b, '\n');
		p = cut;
		while (*p == ' ')
			p++;
		if (*p == '\n')
			p++;
	}
	if (b.s == NULL)
		buf_adds(&b, "");
	return buf_detach(&b);
}

int
draw_count_lines(const char *text)
{
	size_t len;
	int n = 0;

	if (text == NULL || (len = strlen(text)) == 0)
		return 0;
	if (text[len - 1] != '\n')
		n++;
	for (; *text != '\0'; text++)
		if (*text == '\n')
			n++;
	return n;
}

int
draw_lines(WINDOW *win, int y, int x, int rows, int width, enum role r,
    const char *text, int top)
{
	const char *p = text != NULL ? text : "", *nl;
	char *line;
	int k = 0, used = 0;

	for (; *p != '\0' && used < rows; k++) {
		nl = p + strcspn(p, "\n");
		if (k >= top) {
			line = xstrndup(p, (size_t)(nl - p));
			draw_text(win, y + used++, x, width, r, line);
			free(line);
		}
		p = *nl == '\n' ? nl + 1 : nl;
	}
	return used;
}

void
draw_fill(WINDOW *win, int y, int x, int width, enum role r)
{
	int i;

	wattrset(win, theme_attr(r));
	for (i = 0; i < width; i++)
		mvwaddch(win, y, x + i, ' ');
	wattrset(win, A_NORMAL);
}

void
draw_column_header(WINDOW *win, int y, int w, const struct draw_column *c,
    size_t n)
{
	size_t i;

	draw_fill(win, y, 0, w, ROLE_DIM);
	for (i = 0; i < n; i++)
		draw_text(win, y, c[i].x, c[i].width > 0 ? c[i].width :
		    w - c[i].x - 1, ROLE_DIM, c[i].label);
}

void
draw_hline(WINDOW *win, int y, int x, int width, enum role r)
{
	int i;

	wattrset(win, theme_attr(r));
	for (i = 0; i < width; i++) {
		if (draw_utf8)
			mvwaddstr(win, y, x + i, glyphs_utf8[GLYPH_HLINE]);
		else
			mvwaddch(win, y, x + i, '-');
	}
	wattrset(win, A_NORMAL);
}

void
draw_vline(WINDOW *win, int y, int x, int height, enum role r)
{
	int i;

	wattrset(win, theme_attr(r));
	for (i = 0; i < height; i++) {
		if (draw_utf8)
			mvwaddstr(win, y + i, x, glyphs_utf8[GLYPH_VLINE]);
		else
			mvwaddch(win, y + i, x, '|');
	}
	wattrset(win, A_NORMAL);
}

void
draw_sparkline(WINDOW *win, int y, int x, int width, const enum role *r,
    const double *v, size_t n, double full_scale)
{
	size_t start, i;
	double max = full_scale > 0 ? full_scale : 0;
	int level, col;

	if (width <= 0)
		return;
	start = n > (size_t)width ? n - (size_t)width : 0;
	for (i = start; i < n; i++)
		if (!isnan(v[i]) && v[i] > max)
			max = v[i];
	col = x + width - (int)(n - start);
	for (i = start; i < n; i++, col++) {
		wattrset(win, theme_attr(r[i]));
		if (isnan(v[i]) || v[i] < 0) {
			mvwaddch(win, y, col, ' ');
			continue;
		}
		/* Truncated, not rounded: small jitter stays on one level. */
		level = max > 0 ? (int)(v[i] / max * 8.0) : 0;
		if (level > 7)
			level = 7;
		if (draw_utf8)
			mvwaddstr(win, y, col, spark_utf8[level]);
		else
			mvwaddch(win, y, col, (chtype)spark_ascii[level]);
	}
	wattrset(win, A_NORMAL);
}
