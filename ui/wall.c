/* The wall display's status band: a summary a room can read, in block
 * letters of a five-row font on a wide screen, and the full line below. */
#include "wall.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "health.h"
#include "maint.h"
#include "ui.h"
#include "util.h"

/* Block letters from this size on. */
#define WALL_BIG_COLS	120
#define WALL_BIG_ROWS	30
#define FONT_H		5

/* One letter: rows of '#' (a block) and ' ', all of one width. */
struct wall_glyph {
	char		 c;
	const char	*rows[FONT_H];
};

static const struct wall_glyph wall_font[] = {
	{ 'A', { " ## ", "#  #", "####", "#  #", "#  #" } },
	{ 'B', { "### ", "#  #", "### ", "#  #", "### " } },
	{ 'C', { " ###", "#   ", "#   ", "#   ", " ###" } },
	{ 'D', { "### ", "#  #", "#  #", "#  #", "### " } },
	{ 'E', { "####", "#   ", "### ", "#   ", "####" } },
	{ 'F', { "####", "#   ", "### ", "#   ", "#   " } },
	{ 'G', { " ###", "#   ", "# ##", "#  #", " ###" } },
	{ 'H', { "#  #", "#  #", "####", "#  #", "#  #" } },
	{ 'I', { "###", " # ", " # ", " # ", "###" } },
	{ 'J', { "  ##", "   #", "   #", "#  #", " ## " } },
	{ 'K', { "#  #", "# # ", "##  ", "# # ", "#  #" } },
	{ 'L', { "#   ", "#   ", "#   ", "#   ", "####" } },
	{ 'M', { "#   #", "## ##", "# # #", "#   #", "#   #" } },
	{ 'N', { "#   #", "##  #", "# # #", "#  ##", "#   #" } },
	{ 'O', { " ## ", "#  #", "#  #", "#  #", " ## " } },
	{ 'P', { "### ", "#  #", "### ", "#   ", "#   " } },
	{ 'Q', { " ## ", "#  #", "#  #", "# ##", " ###" } },
	{ 'R', { "### ", "#  #", "### ", "# # ", "#  #" } },
	{ 'S', { " ###", "#   ", " ## ", "   #", "### " } },
	{ 'T', { "#####", "  #  ", "  #  ", "  #  ", "  #  " } },
	{ 'U', { "#  #", "#  #", "#  #", "#  #", " ## " } },
	{ 'V', { "#   #", "#   #", "#   #", " # # ", "  #  " } },
	{ 'W', { "#   #", "#   #", "# # #", "## ##", "#   #" } },
	{ 'X', { "#   #", " # # ", "  #  ", " # # ", "#   #" } },
	{ 'Y', { "#   #", " # # ", "  #  ", "  #  ", "  #  " } },
	{ 'Z', { "####", "   #", " ## ", "#   ", "####" } },
	{ '0', { " ## ", "# ##", "## #", "#  #", " ## " } },
	{ '1', { " # ", "## ", " # ", " # ", "###" } },
	{ '2', { "### ", "   #", " ## ", "#   ", "####" } },
	{ '3', { "### ", "   #", " ## ", "   #", "### " } },
	{ '4', { "#  #", "#  #", "####", "   #", "   #" } },
	{ '5', { "####", "#   ", "### ", "   #", "### " } },
	{ '6', { " ## ", "#   ", "### ", "#  #", " ## " } },
	{ '7', { "####", "   #", "  # ", " #  ", " #  " } },
	{ '8', { " ## ", "#  #", " ## ", "#  #", " ## " } },
	{ '9', { " ## ", "#  #", " ###", "   #", " ## " } },
	{ ' ', { "  ", "  ", "  ", "  ", "  " } },
	{ '-', { "   ", "   ", "###", "   ", "   " } },
	{ '+', { "   ", " # ", "###", " # ", "   " } },
	{ '.', { " ", " ", " ", " ", "#" } },
	{ ':', { " ", "#", " ", "#", " " } },
	{ '/', { "  #", "  #", " # ", "#  ", "#  " } },
	{ '_', { "   ", "   ", "   ", "   ", "###" } },
	{ '?', { "### ", "   #", " ## ", "    ", " #  " } },
};

/* The letter for c (a small letter as its capital; '?' when none). */
static const struct wall_glyph *
wall_glyph(int c)
{
	size_t i, n = sizeof wall_font / sizeof wall_font[0];

	c = toupper((unsigned char)c);
	for (i = 0; i < n; i++)
		if (wall_font[i].c == c)
			return &wall_font[i];
	return wall_glyph('?');
}

/* Columns s takes in block letters, a column between letters. */
static int
wall_big_width(const char *s)
{
	int w = 0;

	for (; *s != '\0'; s++)
		w += (int)strlen(wall_glyph(*s)->rows[0]) + (s[1] != '\0');
	return w;
}

static void
wall_big_draw(int y, int x, enum role r, const char *s)
{
	const struct wall_glyph *g;
	const char *block = draw_glyph(GLYPH_BLOCK);
	int row, k, w;

	for (; *s != '\0'; s++) {
		g = wall_glyph(*s);
		w = (int)strlen(g->rows[0]);
		for (row = 0; row < FONT_H; row++)
			for (k = 0; k < w; k++)
				if (g->rows[row][k] == '#')
					draw_text(stdscr, y + row, x + k, 1, r,
					    block);
		x += w + 1;
	}
}

/* What the band says: the short forms for block letters, the line's
 * parts. */
#define WALL_PARTS	8
struct wall_text {
	enum role	 role;
	char		 big[3][96];	/* the longest first */
	char		 part[WALL_PARTS][512];
	int		 nparts;
};

/* A state as the band writes it. */
static const char *
wall_state(enum state s)
{
	return s == STATE_CRIT ? "CRIT" : s == STATE_WARN ? "WARN" :
	    s == STATE_UNKNOWN ? "UNKNOWN" : "OK";
}

/* Adds a part to the line. */
static void wall_add(struct wall_text *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
wall_add(struct wall_text *t, const char *fmt, ...)
{
	va_list ap;

	if (t->nparts == WALL_PARTS)
		return;
	va_start(ap, fmt);
	vsnprintf(t->part[t->nparts++], sizeof t->part[0], fmt, ap);
	va_end(ap);
}

/*
 * The line's parts, "   " between them, as lines of at most width columns,
 * broken between parts where it can (within a part wider than a line).
 * Returns a new string of newline-ended lines; the caller frees it.
 */
static char *
wall_lines(const struct wall_text *t, int width)
{
	struct buf b;
	char *out;
	int i, used = 0, pw;

	buf_init(&b);
	for (i = 0; i < t->nparts; i++) {
		pw = draw_width(t->part[i]);
		if (used > 0 && used + 3 + pw > width) {
			buf_addc(&b, '\n');
			used = 0;
		} else if (used > 0) {
			buf_adds(&b, "   ");
			used += 3;
		}
		buf_adds(&b, t->part[i]);
		used += pw;
	}
	out = draw_wrap(b.s, width);
	buf_free(&b);
	return out;
}

/*
 * The checks: each state that needs a person with the names of its checks
 * ("CRIT payments, ledger"), worst first; the short forms name the first
 * of the worst.  Returns the newest change of state (0: none yet).
 */
static time_t
wall_checks(struct ui *ui, struct wall_text *t)
{
	static const enum state order[] = { STATE_CRIT, STATE_UNKNOWN,
	    STATE_WARN };
	size_t i, k, n = ui->health != NULL ? health_count(ui->health) : 0;
	size_t count[4] = { 0, 0, 0, 0 }, bad = 0, waiting = 0;
	const struct check_status *st, *first = NULL;
	enum state worst = STATE_OK;
	char names[768];
	time_t newest = 0;

	for (i = 0; i < n; i++) {
		st = health_get(ui->health, i);
		if (st->since > newest)
			newest = st->since;
		if (st->since == 0)
			waiting++;
		else
			count[maint_state(st, 0)]++;
	}
	for (k = 0; k < sizeof order / sizeof order[0]; k++) {
		if (count[order[k]] == 0)
			continue;
		names[0] = '\0';
		for (i = 0; i < n; i++) {
			st = health_get(ui->health, i);
			if (st->since == 0 || maint_state(st, 0) != order[k])
				continue;
			if (first == NULL) {
				first = st;
				worst = order[k];
			}
			snprintf(names + strlen(names), sizeof names -
			    strlen(names), "%s%s", names[0] != '\0' ? ", " :
			    "", st->check->name);
		}
		wall_add(t, "%s %s", wall_state(order[k]), names);
		bad += count[order[k]];
	}
	t->role = worst == STATE_WARN ? ROLE_BIG_WARN : worst == STATE_OK ?
	    ROLE_BIG_OK : ROLE_BIG_BAD;
	if (first != NULL) {
		snprintf(t->big[0], sizeof t->big[0], "%s %.40s", wall_state(worst),
		    first->check->name);
		if (bad > 1)
			snprintf(t->big[0] + strlen(t->big[0]), sizeof t->big[0] -
			    strlen(t->big[0]), " +%zu", bad - 1);
		snprintf(t->big[1], sizeof t->big[1], "%s %zu",
		    wall_state(worst), bad);
		snprintf(t->big[2], sizeof t->big[2], "%s", wall_state(worst));
	} else if (n == 0) {
		snprintf(t->big[0], sizeof t->big[0], "NO CHECKS");
		wall_add(t, "NO HEALTH CHECKS CONFIGURED");
	} else if (waiting > 0 && count[STATE_OK] == 0) {
		snprintf(t->big[0], sizeof t->big[0], "CHECKING");
		wall_add(t, "CHECKING: no answer yet from %zu check%s",
		    waiting, waiting == 1 ? "" : "s");
	} else {
		snprintf(t->big[0], sizeof t->big[0], "ALL OK");
		wall_add(t, "ALL %zu CHECKS OK%s", count[STATE_OK],
		    waiting > 0 ? " that answered" : "");
	}
	return newest;
}

/* The freeze on now, else the maintenance window, with its end. */
static void
wall_window(struct ui *ui, struct wall_text *t)
{
	struct occurrence *act = NULL;
	size_t n, i, k;
	char left[32];

	n = calendar_active(ui->cfg, ui->now, &act);
	for (k = 0; k < 2; k++)
		for (i = 0; i < n; i++) {
			if (act[i].w->kind != (k == 0 ? WINDOW_FREEZE :
			    WINDOW_MAINTENANCE))
				continue;
			util_format_duration(act[i].end - ui->now, left,
			    sizeof left);
			wall_add(t, "%s %s, ends in %s%s", k == 0 ? "FREEZE" :
			    "IN MAINTENANCE", act[i].w->name, left, n > 1 ?
			    " (+more)" : "");
			k = 2;
			break;
		}
	free(act);
}

int
wall_draw(struct ui *ui, int y)
{
	struct wall_text t;
	time_t newest;
	long long age;
	char ago[32], *lines;
	int big, rows, nl, i, w;

	memset(&t, 0, sizeof t);
	newest = wall_checks(ui, &t);
	wall_window(ui, &t);
	/*
	 * Checks change state on the real clock (--now moves the calendar),
	 * and the age is told to the minute: the band then changes once a
	 * minute at most, and sends nothing in between.
	 */
	if (newest != 0) {
		age = (long long)(time(NULL) - newest);
		if (age < 60)
			snprintf(ago, sizeof ago, "<1m");
		else
			util_format_duration(age / 60 * 60, ago, sizeof ago);
		wall_add(&t, "last change %s ago", ago);
	}
	/* The line wraps rather than lose its end (two lines at most under
	 * block letters, three without). */
	big = ui->cols >= WALL_BIG_COLS && ui->rows >= WALL_BIG_ROWS;
	lines = wall_lines(&t, ui->cols - 4);
	nl = draw_count_lines(lines);
	if (nl > (big ? 2 : 3))
		nl = big ? 2 : 3;
	/* A row of the band's colour above, letters, the line, a row below. */
	rows = 2 + (big ? FONT_H : 0) + nl;
	for (i = 0; i < rows; i++)
		draw_fill(stdscr, y + i, 0, ui->cols, t.role);
	for (i = 0; big && i < 3 && t.big[i][0] != '\0'; i++) {
		w = wall_big_width(t.big[i]);
		if (w <= ui->cols - 4) {
			wall_big_draw(y + 1, (ui->cols - w) / 2, t.role,
			    t.big[i]);
			break;
		}
	}
	draw_lines(stdscr, y + 1 + (big ? FONT_H : 0), 2, nl, ui->cols - 4,
	    t.role, lines, 0);
	free(lines);
	return rows;
}
