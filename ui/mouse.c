/* The mouse on the dashboard: ncurses' events turned into what the keys do
 * (focus, select, scroll, open), with clicks told apart here. */
#include "mouse.h"

#include <curses.h>

#include "help.h"
#include "ui.h"
#include "util.h"

/* Two presses on one cell within this long are a double click. */
#define MOUSE_DOUBLE_MS	400
/* Requests a wheel notch makes when the view says nothing. */
#define MOUSE_WHEEL	3
/* Most events read at once (curses queues eight). */
#define MOUSE_QUEUE	16

/* The last press, for telling a double click (one dashboard a process). */
static long long	mouse_last_ms;
static int		mouse_last_y = -1, mouse_last_x = -1;

void
mouse_start(struct ui *ui)
{
	if (!ui->cfg->settings.mouse)
		return;
	/*
	 * No click resolution in curses: it would wait inside wgetch for the
	 * release (and again for a second click) while the loop stands
	 * still.  Presses come as they are; a double click is told here.
	 */
	mouseinterval(0);
	mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
}

/* The pane drawn at (y, x) in the last frame, or -1. */
static int
mouse_pane(const struct ui *ui, int y, int x)
{
	int i;

	for (i = 0; i < 4; i++)
		if (ui->at[i].h > 0 && y >= ui->at[i].y &&
		    y < ui->at[i].y + ui->at[i].h && x >= ui->at[i].x &&
		    x < ui->at[i].x + ui->at[i].w)
			return i;
	return -1;
}

/* The wheel over pane i: focus it and scroll, as its keys would. */
static void
mouse_wheel(struct ui *ui, int i, int down)
{
	const struct view_ops *v = ui_view(i);
	int n = v->wheel > 0 ? v->wheel : MOUSE_WHEEL;

	ui->focus = i;
	while (n-- > 0)
		ui_do(ui, down ? REQ_DOWN : REQ_UP);
}

/* The wheel over the focused pane while it is modal (the run console):
 * what its keys would scroll, if anything. */
static void
mouse_modal_wheel(struct ui *ui, int down)
{
	const struct view_ops *v = ui_view(ui->focus);
	int n = MOUSE_WHEEL;

	if (v->modal_wheel == NULL)
		return;
	while (n-- > 0 && v->modal_wheel(ui->state[ui->focus], ui,
	    down ? REQ_DOWN : REQ_UP))
		;
}

/* A press of the first button at (y, x) over pane i. */
static void
mouse_press(struct ui *ui, int i, int y, int x)
{
	const struct view_ops *v = ui_view(i);
	long long now = util_mono_ms();
	int twice, hit = 0;

	twice = y == mouse_last_y && x == mouse_last_x &&
	    now - mouse_last_ms < MOUSE_DOUBLE_MS;
	/* A third press starts a new pair. */
	mouse_last_ms = twice ? 0 : now;
	mouse_last_y = y;
	mouse_last_x = x;
	ui->focus = i;
	if (v->click != NULL && y > ui->at[i].y)
		hit = v->click(ui->state[i], ui, y - ui->at[i].y - 1,
		    x - ui->at[i].x);
	/*
	 * Twice: what Enter does, on the row just selected (or, on a small
	 * pane, zoom it).  A wall screen opens nothing: it cycles.
	 */
	if (twice && !ui->wall && (hit || !ui->zoomed))
		ui_do(ui, REQ_OPEN);
}

/* One event, as its key would act. */
static void
mouse_event(struct ui *ui, const MEVENT *ev)
{
	const struct view_ops *v;
	int i;

	if (ui->quit_prompt) {
		/* Like any other key: stay. */
		if (ev->bstate & BUTTON1_PRESSED)
			ui->quit_prompt = 0;
		return;
	}
	if (ui->too_small)
		return;
	if (ui->help) {
		if (ev->bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED))
			help_request(ui, ev->bstate & BUTTON5_PRESSED ?
			    REQ_DOWN : REQ_UP);
		return;
	}
	/*
	 * A form or the run console has every key, and keeps the focus: a
	 * click does nothing.  The wheel over the run console scrolls it as
	 * its keys do.
	 */
	i = mouse_pane(ui, ev->y, ev->x);
	v = ui_view(ui->focus);
	if (v->modal != NULL && v->modal(ui->state[ui->focus])) {
		if (i == ui->focus &&
		    (ev->bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)))
			mouse_modal_wheel(ui, (ev->bstate & BUTTON5_PRESSED) != 0);
		return;
	}
	if (i < 0)
		return;
	if (ev->bstate & BUTTON4_PRESSED)
		mouse_wheel(ui, i, 0);
	else if (ev->bstate & BUTTON5_PRESSED)
		mouse_wheel(ui, i, 1);
	else if (ev->bstate & BUTTON1_PRESSED)
		mouse_press(ui, i, ev->y, ev->x);
}

void
mouse_key(struct ui *ui)
{
	MEVENT ev[MOUSE_QUEUE];
	int n = 0;

	/*
	 * One KEY_MOUSE may stand for several events read together (a
	 * double click, wheel notches): curses hands them back newest
	 * first.
	 */
	while (n < MOUSE_QUEUE && getmouse(&ev[n]) == OK)
		n++;
	if (!ui->cfg->settings.mouse)
		return;
	while (n-- > 0)
		mouse_event(ui, &ev[n]);
}
