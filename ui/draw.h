/* Drawing helpers shared by the views: clipped text, lines, glyphs with an
 * ASCII fallback, sparklines. */
#ifndef MAINTOP_DRAW_H
#define MAINTOP_DRAW_H

#include <curses.h>
#include <stddef.h>

#include "theme.h"

enum glyph {
	GLYPH_HLINE,
	GLYPH_VLINE,
	GLYPH_BULLET,		/* a state dot */
	GLYPH_ARROW,		/* "next" */
	GLYPH_ELLIPSIS,
	GLYPH_BLOCK,		/* a full bar cell */
	GLYPH_MARK,		/* "now" marker */
	GLYPH_COUNT
};

/* Chooses UTF-8 glyphs or ASCII ones (when the locale is not UTF-8). */
void draw_init(int utf8);
int draw_is_utf8(void);
const char *draw_glyph(enum glyph);

/*
 * Writes s at (y, x) in role r, clipped to width columns (an ellipsis marks
 * a cut).  Control characters show as '?', and so do non-ASCII characters
 * when the locale is not UTF-8: nothing in s can drive the terminal.
 * Returns the number of columns written.
 */
int draw_text(WINDOW *, int y, int x, int width, enum role r, const char *s);
/* Like draw_text with a printf format. */
int draw_printf(WINDOW *, int y, int x, int width, enum role r,
    const char *, ...) __attribute__((format(printf, 6, 7)));
/* Display width of s as draw_text would draw it. */
int draw_width(const char *s);
/*
 * Breaks s into lines of at most width columns (at least 8), as draw_text
 * counts them: at spaces, a word wider than a line broken between
 * characters, and at each newline of s.  Returns a new string of
 * newline-ended lines ("" for an empty s); the caller frees it.
 */
char *draw_wrap(const char *s, int width);
/* The lines in text (a last one without its newline counts). */
int draw_count_lines(const char *text);
/*
 * Draws text's lines from line top on (0 the first) into rows y to
 * y + rows - 1 at column x, each clipped to width columns.  Returns the
 * rows used.
 */
int draw_lines(WINDOW *, int y, int x, int rows, int width, enum role r,
    const char *text, int top);
/* Fills width cells from (y, x) with spaces in role r. */
void draw_fill(WINDOW *, int y, int x, int width, enum role r);
/* One column of a list's header row: its label at column x, clipped to
 * width (0: to the end of the row). */
struct draw_column {
	int		 x;
	int		 width;
	const char	*label;
};
/*
 * A list's header row at y, width w wide: dim, each of the n columns'
 * labels at its place.  Every list pane draws its header with this.
 */
void draw_column_header(WINDOW *, int y, int w, const struct draw_column *,
    size_t n);
/* A horizontal line of width cells. */
void draw_hline(WINDOW *, int y, int x, int width, enum role r);
/* A vertical line of height cells. */
void draw_vline(WINDOW *, int y, int x, int height, enum role r);
/*
 * A sparkline of the last width values (NaN or negative: a gap), value i
 * drawn in role r[i] (each sample in its own state's colour), scaled to
 * the largest value shown but never to less than full_scale (so that noise
 * around a small value draws a flat line, which also costs no bytes to
 * redraw when it shifts); eight levels in UTF-8, ".:-=+*#@" in ASCII.
 */
void draw_sparkline(WINDOW *, int y, int x, int width, const enum role *r,
    const double *v, size_t n, double full_scale);

#endif
