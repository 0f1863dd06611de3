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

void
header_draw(struct ui *ui)
{
	const char *badge;
	char banner[160];
	char clock[64], left[320];
	struct tm tm;
	const char *name = ui->cfg->settings.name;
	char host[256];
	int x, cw, w = ui->cols;

	if (name == NULL) {
		if (gethostname(host, sizeof host) != 0)
			snprintf(host, sizeof host, "localhost");
		host[sizeof host - 1] = '\0';
		name = host;
	}
	draw_fill(stdscr, 0, 0, w, ROLE_HEADER);
	snprintf(left, sizeof left, " maintop %s %s", draw_glyph(GLYPH_VLINE),
	    name);
	x = draw_text(stdscr, 0, 0, w / 2, ROLE_HEADER, left);
	x += 2;
	x += draw_overall(ui, x, w - x - 1) + 1;
	update_maintenance(ui, banner, sizeof banner);
	badge = header_badge(ui);
	if (badge != NULL && x < w - 1)
		x += draw_printf(stdscr, 0, x, w - x - 1, ROLE_BADGE, " %s ",
		    badge) + 1;
	/* Modes are facts, not alarms: drawn like the rest of the header. */
	if (ui->wall)
		x += draw_text(stdscr, 0, x, w - x, ROLE_HEADER, " WALL ") + 1;
	else if (ui->read_only)
		x += draw_text(stdscr, 0, x, w - x, ROLE_HEADER,
		    " READ-ONLY ") + 1;
	/* The team's runs and locks as last heard: the reason is in the
	 * Runbooks pane and in a refusal. */
	if (ui->team != NULL && store_async_stale(ui->team) != NULL &&
	    x < w - 1)
		x += draw_text(stdscr, 0, x, w - x - 1, ROLE_HEADER_ALERT,
		    " SHARED STATE STALE ") + 1;
	if (util_localtime(ui->now, ui->cfg->settings.timezone, &tm) != 0)
		util_localtime(ui->now, NULL, &tm);
	/* To the minute: a clock that ticked every second would send bytes
	 * every second to every idle dashboard (and wall screen). */
	strftime(clock, sizeof clock, w >= 120 || banner[0] == '\0' ?
	    "%a %Y-%m-%d %H:%M %Z " : "%H:%M %Z ", &tm);
	cw = draw_width(clock);
	if (banner[0] != '\0' && x < w - 1)
		x += draw_text(stdscr, 0, x, w - x - 1, ROLE_TITLE_FOCUS,
		    banner) + 1;
	if (cw < w - x)
		draw_text(stdscr, 0, w - cw, cw, ROLE_HEADER, clock);
}
