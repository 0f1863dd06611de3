/* The dashboard's frame: the header, the footer and the four panes laid
 * out for the terminal's size (a 2x2 grid, stacked, one zoomed, or the
 * notice that the terminal is too small), with the help over them. */
#include "layout.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "header.h"
#include "help.h"
#include "theme.h"
#include "ui.h"
#include "wall.h"

#define MIN_COLS	80
#define MIN_ROWS	24
#define GRID_COLS	120
#define GRID_ROWS	32

static void
draw_footer(struct ui *ui)
{
	static const struct hint top[] = {
		{ REQ_NEXT_PANE, "pane" }, { REQ_OPEN, "zoom" }, HINT_END
	}, zoomed[] = {
		{ REQ_BACK, "back" }, HINT_END
	}, tail[] = {
		{ REQ_HELP, "help" }, { REQ_QUIT, "quit" }, HINT_END
	}, wall[] = {
		{ REQ_HELP, "help" }, { REQ_QUIT, "quit" }, HINT_END
	};
	const struct view_ops *v = ui_view(ui->focus);
	void *st = ui->state[ui->focus];
	const char *busy;
	int y = ui->rows - 1, x;

	draw_fill(stdscr, y, 0, ui->cols, ROLE_FOOTER);
	if (ui->quit_prompt) {
		busy = ui_busy(ui);
		draw_printf(stdscr, y, 1, ui->cols - 2, ROLE_FOOTER_KEY,
		    "%s%sQuit maintop? %s: quit   any other key: stay",
		    busy != NULL ? busy : "", busy != NULL ? ": quitting "
		    "aborts it. " : "", ui_key_name(ui, REQ_CONFIRM));
		return;
	}
	if (ui->message[0] != '\0' && time(NULL) < ui->message_until) {
		draw_text(stdscr, y, 1, ui->cols - 2, ROLE_FOOTER_KEY,
		    ui->message);
		return;
	}
	if (ui->wall) {
		x = 1 + draw_text(stdscr, y, 1, ui->cols - 2, ROLE_FOOTER,
		    "Wall display: panes cycle by themselves   ");
		ui_draw_hints(ui, stdscr, y, x, ui->cols - 1 - x, wall);
		return;
	}
	if (v->modal != NULL && v->modal(st)) {
		/* A form or console has every key: only its own hints. */
		if (v->hints != NULL)
			ui_draw_hints(ui, stdscr, y, 1, ui->cols - 2,
			    v->hints(st, ui));
		return;
	}
	x = 1 + ui_draw_hints(ui, stdscr, y, 1, ui->cols - 2, ui->zoomed ?
	    zoomed : top);
	if (v->hints != NULL)
		x += ui_draw_hints(ui, stdscr, y, x, ui->cols - 1 - x,
		    v->hints(st, ui));
	ui_draw_hints(ui, stdscr, y, x, ui->cols - 1 - x, tail);
}

/* Draws pane i's title row and lets its view fill the rest. */
static void
draw_pane(struct ui *ui, int i, int y, int x, int h, int w)
{
	WINDOW *win = ui->panes[i];
	char title[64];
	int focused = i == ui->focus;

	if (h < 1 || w < 1)
		return;
	ui->at[i].y = y;
	ui->at[i].x = x;
	ui->at[i].h = h;
	ui->at[i].w = w;
	if (win == NULL) {
		win = newwin(h, w, y, x);
		if (win == NULL)
			return;
		leaveok(win, TRUE);
		ui->panes[i] = win;
	} else {
		int oh, ow, oy, ox;

		getmaxyx(win, oh, ow);
		getbegyx(win, oy, ox);
		if (oh != h || ow != w || oy != y || ox != x) {
			delwin(win);
			win = newwin(h, w, y, x);
			ui->panes[i] = win;
			if (win == NULL)
				return;
			leaveok(win, TRUE);
		}
	}
	werase(win);
	draw_hline(win, 0, 0, w, focused ? ROLE_TITLE_FOCUS : ROLE_BORDER);
	snprintf(title, sizeof title, " %d %s ", i + 1, ui_view(i)->name);
	draw_text(win, 0, 1, w - 2, focused ? ROLE_TITLE_FOCUS : ROLE_TITLE,
	    title);
	if (h > 1) {
		WINDOW *body = derwin(win, h - 1, w, 1, 0);

		if (body != NULL) {
			ui_view(i)->draw(ui->state[i], ui, body, h - 1, w,
			    focused, ui->zoomed);
			delwin(body);
		}
	}
	wnoutrefresh(win);
}

void
layout_drop_panes(struct ui *ui)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (ui->panes[i] != NULL)
			delwin(ui->panes[i]);
		ui->panes[i] = NULL;
	}
}

static void
draw_too_small(struct ui *ui)
{
	char line[128];
	int y = ui->rows / 2;

	erase();
	/* What is wrong still shows, above the notice. */
	header_draw(ui);
	snprintf(line, sizeof line, "Terminal too small: %dx%d", ui->cols,
	    ui->rows);
	mvaddnstr(y > 0 ? y - 1 : 0, 0, line, ui->cols);
	snprintf(line, sizeof line, "maintop needs at least %dx%d.",
	    MIN_COLS, MIN_ROWS);
	if (y < ui->rows)
		mvaddnstr(y, 0, line, ui->cols);
	if (y + 1 < ui->rows)
		mvaddnstr(y + 1, 0, "Enlarge the window, or press q to quit.",
		    ui->cols);
	wnoutrefresh(stdscr);
}

/*
 * The stacked layout (below 120x32): the panes one under the other.
 * Health first gets a row for every check in trouble, then the focused
 * pane takes what is left; the others keep a title and two lines (one
 * when the screen is short).
 */
static void
draw_stacked(struct ui *ui, int top, int body)
{
	int size[4], i, y, total = 0, need = view_health_rows_needed(ui);

	for (i = 0; i < 4; i++)
		size[i] = 3;
	if (need > size[1])
		size[1] = need;
	for (i = 0; i < 4; i++)
		total += size[i];
	for (i = 0; i < 4 && total > body; i++)
		if (i != 1 && i != ui->focus) {
			size[i]--;
			total--;
		}
	if (total > body) {
		/* More checks in trouble than rows: Health takes it all
		 * but a title and a line for each other pane. */
		size[1] -= total - body;
		if (size[1] < 3) {
			size[ui->focus] -= 3 - size[1];
			size[1] = 3;
		}
		total = body;
	}
	size[ui->focus] += body - total;
	for (i = 0, y = top; i < 4; i++) {
		draw_pane(ui, i, y, 0, size[i], ui->cols);
		y += size[i];
	}
}

/*
 * The grid layout (from 120x32): Calendar over Debt on the left, Health
 * over Runbooks on the right, where Health gets a row per check in trouble
 * before the Runbooks pane under it.
 */
static void
draw_grid(struct ui *ui, int top, int body)
{
	int hh = body / 2, lw = (ui->cols - 1) / 2, rh;

	rh = view_health_rows_needed(ui);
	if (rh < hh)
		rh = hh;
	if (rh > body - 4)
		rh = body - 4;
	draw_pane(ui, 0, top, 0, hh, lw);
	draw_pane(ui, 1, top, lw + 1, rh, ui->cols - lw - 1);
	draw_pane(ui, 2, top + hh, 0, body - hh, lw);
	draw_pane(ui, 3, top + rh, lw + 1, body - rh, ui->cols - lw - 1);
	draw_vline(stdscr, top + 1, lw, hh - 1, ROLE_BORDER);
	draw_vline(stdscr, top + hh + 1, lw, body - hh - 1, ROLE_BORDER);
	wnoutrefresh(stdscr);
}

void
layout_draw(struct ui *ui)
{
	int top = 1, body, i;

	ui->too_small = ui->cols < MIN_COLS || ui->rows < MIN_ROWS;
	if (ui->too_small) {
		memset(ui->at, 0, sizeof ui->at);
		layout_drop_panes(ui);
		draw_too_small(ui);
		doupdate();
		return;
	}
	werase(stdscr);
	memset(ui->at, 0, sizeof ui->at);
	header_draw(ui);
	if (ui->wall) {
		/* The status band a wall screen is read by. */
		top = 1 + wall_draw(ui, 1);
	}
	draw_footer(ui);
	wnoutrefresh(stdscr);
	body = ui->rows - 1 - top;

	if (ui->zoomed) {
		for (i = 0; i < 4; i++)
			if (i != ui->focus && ui->panes[i] != NULL) {
				delwin(ui->panes[i]);
				ui->panes[i] = NULL;
			}
		draw_pane(ui, ui->focus, top, 0, body, ui->cols);
	} else if (ui->cols >= GRID_COLS && ui->rows >= GRID_ROWS)
		draw_grid(ui, top, body);
	else
		draw_stacked(ui, top, body);
	if (ui->help)
		help_draw(ui);
	doupdate();
}
