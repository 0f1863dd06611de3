/* The dashboard's header row: the name, what is wrong, the run badge, the
 * modes, the maintenance or freeze banner and the clock. */
#include "header.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "calendar.h"
#include "health.h"
#include "maint.h"
#include "store_async.h"
#include "theme.h"
#include "ui.h"
#include "util.h"

/*
 * Summarises the checks: "OK 12/12", "CRIT 2 WARN 1", or "" with no checks.
 * Returns the worst state through *worst.
 */
static void
overall_text(struct ui *ui, char *buf, size_t len, enum state *worst)
{
	size_t i, n = ui->health != NULL ? health_count(ui->health) : 0;
	size_t count[4] = { 0, 0, 0, 0 }, ok;

	*worst = STATE_OK;
	buf[0] = '\0';
	if (n == 0)
		return;
	for (i = 0; i < n; i++) {
		const struct check_status *st = health_get(ui->health, i);

		count[maint_state(st, 0)]++;
	}
	*worst = health_worst(ui->health);
	ok = count[STATE_OK];
	if (ok == n) {
		snprintf(buf, len, "OK %zu/%zu", ok, n);
		return;
	}
	buf[0] = '\0';
	if (count[STATE_CRIT] > 0)
		snprintf(buf + strlen(buf), len - strlen(buf), "CRIT %zu ",
		    count[STATE_CRIT]);
	if (count[STATE_WARN] > 0)
		snprintf(buf + strlen(buf), len - strlen(buf), "WARN %zu ",
		    count[STATE_WARN]);
	if (count[STATE_UNKNOWN] > 0)
		snprintf(buf + strlen(buf), len - strlen(buf), "UNKNOWN %zu ",
		    count[STATE_UNKNOWN]);
	snprintf(buf + strlen(buf), len - strlen(buf), "ok %zu/%zu", ok, n);
}

/*
 * One state's part of the header: " CRIT payments +1 " names the first
 * check in that state (configuration order) and counts the others; empty
 * when no check is in it.
 */
static void
state_segment(struct ui *ui, enum state s, char *buf, size_t len)
{
	size_t i, n = ui->health != NULL ? health_count(ui->health) : 0, k = 0;
	const char *first = NULL;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		const struct check_status *st = health_get(ui->health, i);

		if (maint_state(st, 0) != s || (s == STATE_UNKNOWN &&
		    st->since == 0))
			continue;
		if (k++ == 0)
			first = st->check->name;
	}
	if (k == 0)
		return;
	snprintf(buf, len, " %s %s", s == STATE_CRIT ? "CRIT" : s ==
	    STATE_WARN ? "WARN" : "UNKNOWN", first);
	if (k > 1)
		snprintf(buf + strlen(buf), len - strlen(buf), " +%zu", k - 1);
	snprintf(buf + strlen(buf), len - strlen(buf), " ");
}

/*
 * What is wrong, worst first: " CRIT payments +1 " on red, " WARN pg-main "
 * on yellow, or " OK 7/7 " when nothing is.  Returns the columns used.
 */
static int
draw_overall(struct ui *ui, int x, int width)
{
	static const enum state order[] = { STATE_CRIT, STATE_UNKNOWN,
	    STATE_WARN };
	char text[96], seg[160];
	enum state worst;
	size_t i;
	int x0 = x;

	overall_text(ui, text, sizeof text, &worst);
	if (text[0] == '\0')
		return 0;
	if (worst == STATE_OK)
		return draw_printf(stdscr, 0, x, width, ROLE_HEADER, " %s %s ",
		    draw_glyph(GLYPH_BULLET), text);
	for (i = 0; i < sizeof order / sizeof order[0]; i++) {
		state_segment(ui, order[i], seg, sizeof seg);
		if (seg[0] == '\0' || x - x0 >= width)
			continue;
		if (x > x0)
			x += draw_text(stdscr, 0, x, width - (x - x0),
			    ROLE_HEADER, draw_glyph(GLYPH_BULLET));
		x += draw_text(stdscr, 0, x, width - (x - x0), order[i] ==
		    STATE_CRIT ? ROLE_BIG_BAD : ROLE_HEADER_ALERT, seg);
	}
	return x - x0;
}

/*
 * Follows the calendar: applies the maintenance policy to the checks
 * (maint.c) and writes the banner text for the header ("" when no
 * maintenance window is on).
 */
static void
update_maintenance(struct ui *ui, char *banner, size_t len)
{
	struct occurrence *act = NULL;
	size_t n, i;
	char left[32];

	banner[0] = '\0';
	if (ui->health != NULL)
		maint_apply(ui->health, ui->cfg, ui->now);
	n = calendar_active(ui->cfg, ui->now, &act);
	/* A freeze says more than a maintenance window: it goes first. */
	for (i = 0; i < n; i++) {
		if (act[i].w->kind != WINDOW_FREEZE)
			continue;
		util_format_duration(act[i].end - ui->now, left, sizeof left);
		snprintf(banner, len, " FREEZE %s, ends in %s%s ",
		    act[i].w->name, left, n > 1 ? " (+more)" : "");
		break;
	}
	for (i = 0; i < n && banner[0] == '\0'; i++) {
		if (act[i].w->kind != WINDOW_MAINTENANCE)
			continue;
		util_format_duration(act[i].end - ui->now, left, sizeof left);
		snprintf(banner, len, " IN MAINTENANCE: %s ends in %s%s ",
		    act[i].w->name, left, n > 1 ? " (+more)" : "");
		break;
	}
	free(act);
}

/* The run badge ("RUN restart-api 2/4 waits for you"), or NULL. */
static const char *
header_badge(struct ui *ui)
{
	const struct view_ops *v;
	const char *b;
	int i;

	for (i = 0; i < 4; i++) {
		v = ui_view(i);
		if (v->badge != NULL && (b = v->badge(ui->state[i])) != NULL)
			return b;
	}
	return NULL;
}

/*
 * The clock at ui->now in settings.timezone, to the minute: a clock that
 * ticked every second would send bytes every second to every idle
 * dashboard (and wall screen).  The full form ("Sun 2026-12-06 03:30 CET ")
 * when full is set, else "03:30 CET ".  Returns its columns.
 */
static int
header_clock(struct ui *ui, int full, char *buf, size_t len)
{
	struct tm tm;

	if (util_localtime(ui->now, ui->cfg->settings.timezone, &tm) != 0)
		util_localtime(ui->now, NULL, &tm);
	strftime(buf, len, full ? "%a %Y-%m-%d %H:%M %Z " : "%H:%M %Z ", &tm);
	return draw_width(buf);
}

/* " maintop │ NAME" (the host's name without settings.name), cut to
 * width.  Returns the columns used. */
static int
header_name(struct ui *ui, int width)
{
	const char *name = ui->cfg->settings.name;
	char host[256], left[320];

	if (name == NULL) {
		if (gethostname(host, sizeof host) != 0)
			snprintf(host, sizeof host, "localhost");
		host[sizeof host - 1] = '\0';
		name = host;
	}
	snprintf(left, sizeof left, " maintop %s %s", draw_glyph(GLYPH_VLINE),
	    name);
	return draw_text(stdscr, 0, 0, width, ROLE_HEADER, left);
}

/*
 * The run badge, the mode and a stale team state from column x on, each
 * followed by a blank, none beyond column end.  Returns the next column.
 */
static int
header_marks(struct ui *ui, int x, int end)
{
	const char *badge = header_badge(ui);

	if (badge != NULL && x < end)
		x += draw_printf(stdscr, 0, x, end - x, ROLE_BADGE, " %s ",
		    badge) + 1;
	/* Modes are facts, not alarms: drawn like the rest of the header. */
	if (ui->wall && x < end)
		x += draw_text(stdscr, 0, x, end - x, ROLE_HEADER, " WALL ") + 1;
	else if (ui->read_only && !ui->wall && x < end)
		x += draw_text(stdscr, 0, x, end - x, ROLE_HEADER,
		    " READ-ONLY ") + 1;
	/* The team's runs and locks as last heard: the reason is in the
	 * Runbooks pane and in a refusal. */
	if (ui->team != NULL && store_async_stale(ui->team) != NULL &&
	    x < end)
		x += draw_text(stdscr, 0, x, end - x, ROLE_HEADER_ALERT,
		    " SHARED STATE STALE ") + 1;
	return x;
}

void
header_draw(struct ui *ui)
{
	char banner[160], clock[64];
	int x, end, cw, w = ui->cols;

	update_maintenance(ui, banner, sizeof banner);
	/*
	 * The clock always stays: everything else is laid out left of its
	 * short form and a blank, and cut (with an ellipsis) where it would
	 * reach it, the banner first since it comes last.  Only a screen
	 * too narrow for the short form goes without a clock.
	 */
	cw = header_clock(ui, 0, clock, sizeof clock);
	end = cw < w ? w - cw - 1 : w;
	draw_fill(stdscr, 0, 0, w, ROLE_HEADER);
	x = header_name(ui, end < w / 2 ? end : w / 2);
	x += 2;
	if (x < end)
		x += draw_overall(ui, x, end - x) + 1;
	x = header_marks(ui, x, end);
	if (banner[0] != '\0' && x < end)
		x += draw_text(stdscr, 0, x, end - x, ROLE_TITLE_FOCUS,
		    banner) + 1;
	if (end == w)
		return;
	/* The date too where it fits: on a wide screen, or when no banner
	 * wants the room. */
	if (w >= 120 || banner[0] == '\0') {
		char full[64];
		int fw = header_clock(ui, 1, full, sizeof full);

		if (fw <= w - x) {
			memcpy(clock, full, sizeof clock);
			cw = fw;
		}
	}
	draw_text(stdscr, 0, w - cw, cw, ROLE_HEADER, clock);
}
