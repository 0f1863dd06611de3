/* The mouse on the dashboard: the terminal's reports, read here (not by
 * curses), turned into what the keys do (focus, select, scroll, open),
 * with clicks told apart here. */
#include "mouse.h"

#include <curses.h>
#include <string.h>
#include <term.h>

#include "help.h"
#include "mousereport.h"
#include "ui.h"
#include "util.h"

/* Two presses on one cell within this long are a double click. */
#define MOUSE_DOUBLE_MS	400
/* Requests a wheel notch makes when the view says nothing. */
#define MOUSE_WHEEL	3
/* A report whose next byte has not come for this long was cut short. */
#define MOUSE_REPORT_MS	500
/* The key codes curses returns for the reports' prefixes: our own, far
 * above those curses gives the terminal's keys. */
#define MOUSE_KEY_SGR	0x7f01
#define MOUSE_KEY_X10	0x7f02

/* The last press, for telling a double click (one dashboard a process). */
static long long	mouse_last_ms;
static int		mouse_last_y = -1, mouse_last_x = -1;
/* The report being read, if any, and when its last byte came. */
static struct mousereport mouse_report;
static int		mouse_reading;
static long long	mouse_report_ms;
/* The prefixes' key codes (0: curses has that prefix as another key). */
static int		mouse_key_sgr, mouse_key_x10;

/* Has curses return prefix as code, unless it is another key's. */
static int
mouse_prefix(const char *prefix, int code)
{
	const char *kmous = tigetstr("kmous");
	int k = key_defined(prefix);

	/* The terminal's own kmous is KEY_MOUSE to curses: ours now. */
	if (k == 0 || k == KEY_MOUSE || (kmous != NULL &&
	    kmous != (char *)-1 && strcmp(kmous, prefix) == 0))
		return define_key(prefix, code) == OK ? code : 0;
	return 0;
}

void
mouse_start(struct ui *ui)
{
	if (ui->cfg->settings.mouse) {
		/*
		 * No click resolution in curses: it would wait inside wgetch
		 * for the release (and again for a second click) while the
		 * loop stands still.  Presses come as they are; a double
		 * click is told here.
		 */
		mouseinterval(0);
		mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED,
		    NULL);
	}
	/*
	 * Curses turns the terminal's reporting on and off (around an
	 * interactive step too), but reads no report: its reader waits in
	 * read(2) for a report's end, which a cut one never sends, and with
	 * the mouse off hands a report's bytes on as keys.  The prefixes
	 * become keys of their own and mouse_input reads what follows.
	 */
	mouse_key_sgr = mouse_prefix("\033[<", MOUSE_KEY_SGR);
	mouse_key_x10 = mouse_prefix("\033[M", MOUSE_KEY_X10);
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

/* One event (a press), as its key would act. */
static void
mouse_event(struct ui *ui, const struct mousereport_event *ev)
{
	const struct view_ops *v;
	int i, wheel, down;

	wheel = ev->button == MOUSEREPORT_WHEEL_UP ||
	    ev->button == MOUSEREPORT_WHEEL_DOWN;
	down = ev->button == MOUSEREPORT_WHEEL_DOWN;
	if (!ev->press || (!wheel && ev->button != MOUSEREPORT_LEFT))
		return;
	if (ui->quit_prompt) {
		/* Like any other key: stay. */
		if (ev->button == MOUSEREPORT_LEFT)
			ui->quit_prompt = 0;
		return;
	}
	if (ui->too_small)
		return;
	if (ui->help) {
		if (wheel)
			help_request(ui, down ? REQ_DOWN : REQ_UP);
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
		if (i == ui->focus && wheel)
			mouse_modal_wheel(ui, down);
		return;
	}
	if (i < 0)
		return;
	if (wheel)
		mouse_wheel(ui, i, down);
	else
		mouse_press(ui, i, ev->y, ev->x);
}

int
mouse_input(struct ui *ui, int key)
{
	struct mousereport_event ev;
	long long now = util_mono_ms();

	/* A report whose bytes stopped coming was cut short: dropped. */
	if (mouse_reading && now - mouse_report_ms > MOUSE_REPORT_MS)
		mouse_reading = 0;
	if (mouse_reading) {
		mouse_report_ms = now;
		switch (mousereport_feed(&mouse_report, key, &ev)) {
		case MOUSEREPORT_MORE:
			return 1;
		case MOUSEREPORT_BAD:
			mouse_reading = 0;
			return 1;
		case MOUSEREPORT_DONE:
			mouse_reading = 0;
			if (ui->cfg->settings.mouse)
				mouse_event(ui, &ev);
			return 1;
		case MOUSEREPORT_STRAY:
			/* The report is dropped; the key may start another. */
			mouse_reading = 0;
			break;
		}
	}
	if (key == KEY_MOUSE) {
		/* A kmous of neither form, read by curses: dropped. */
		while (getmouse(&(MEVENT){ 0 }) == OK)
			;
		return 1;
	}
	if (key != 0 && key == mouse_key_sgr)
		mousereport_start(&mouse_report, MOUSEREPORT_SGR);
	else if (key != 0 && key == mouse_key_x10)
		mousereport_start(&mouse_report, MOUSEREPORT_X10);
	else
		return 0;
	mouse_reading = 1;
	mouse_report_ms = now;
	return 1;
}
