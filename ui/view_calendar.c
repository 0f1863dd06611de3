/* The Calendar pane: windows on now, what comes next with countdowns and
 * conflicts; zoomed, a month grid, a seven-day timeline and details. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentline.h"
#include "calendar.h"
#include "health.h"
#include "runbook.h"
#include "ui.h"

#define DAY 86400

struct calendar_view {
	struct list_state	 list;
	time_t			 cursor;	/* the selected day (zoomed) */
	int			 cursor_set;
	int			 detail;	/* details of the cursor's day */
	int			 detail_top;
	struct agentline	*agent;		/* the agent's line */
};

static void *
cview_init(struct ui *ui)
{
	struct calendar_view *v = xcalloc(1, sizeof *v);

	v->agent = agentline_new(ui);
	return v;
}

static void
cview_free(void *p)
{
	struct calendar_view *v = p;

	agentline_free(v->agent);
	free(v);
}

static const char *
tz_of(struct ui *ui)
{
	return ui->cfg->settings.timezone;
}

/* Midnight (in the display zone) of the day holding t. */
static time_t
day_start(struct ui *ui, time_t t)
{
	struct tm tm;

	if (util_localtime(t, tz_of(ui), &tm) != 0)
		return t - t % DAY;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return util_mktime(&tm, tz_of(ui));
}

/* Moves a day start by n days, staying on local midnight across DST. */
static time_t
day_add(struct ui *ui, time_t day, int n)
{
	struct tm tm;

	if (util_localtime(day, tz_of(ui), &tm) != 0)
		return day + (time_t)n * DAY;
	tm.tm_mday += n;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return util_mktime(&tm, tz_of(ui));
}

static void fmt_local(struct ui *, time_t, const char *, char *, size_t)
    __attribute__((format(strftime, 3, 0)));

static void
fmt_local(struct ui *ui, time_t t, const char *fmt, char *buf, size_t len)
{
	struct tm tm;

	if (util_localtime(t, tz_of(ui), &tm) != 0)
		util_localtime(t, NULL, &tm);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	strftime(buf, len, fmt, &tm);
#pragma GCC diagnostic pop
}

static int
has_conflict(struct calendar_conflict *cv, size_t nc, const struct window *w,
    time_t start)
{
	size_t i;

	for (i = 0; i < nc; i++)
		if ((cv[i].a.w == w && cv[i].a.start == start) ||
		    (cv[i].b.w == w && cv[i].b.start == start))
			return 1;
	return 0;
}

static void draw_days(struct calendar_view *, struct ui *, WINDOW *, int,
    int, int, time_t, int);

/* The compact pane: active windows, then the next ones. */
/* True when window wd was listed already (active, or an earlier start). */
static int
listed(const struct occurrence *act, size_t na, const struct occurrence *up,
    size_t before, const struct window *wd)
{
	size_t i;

	for (i = 0; i < na; i++)
		if (act[i].w == wd)
			return 1;
	for (i = 0; i < before; i++)
		if (up[i].w == wd)
			return 1;
	return 0;
}

/* "4h on pg-main, cache": how long, on what. */
static void
draw_extent(WINDOW *win, int y, int x, int w, const struct occurrence *o)
{
	char dur[32];
	size_t k;

	if (x >= w - 1)
		return;
	util_format_duration(o->end - o->start, dur, sizeof dur);
	x += draw_printf(win, y, x, w - x - 1, ROLE_DIM, "%s", dur);
	for (k = 0; k < o->w->nsystems && x < w - 1; k++)
		x += draw_printf(win, y, x, w - x - 1, ROLE_DIM, "%s%s",
		    k == 0 ? " on " : ", ", o->w->systems[k]);
}

/*
 * What is on now, then what comes; once (the small pane): each window's
 * next occurrence only, with its length and systems, so that a weekly
 * window does not fill the pane.  The zoomed view lists every occurrence.
 */
static void
draw_overview(struct calendar_view *v, struct ui *ui, WINDOW *win, int h,
    int w, int once)
{
	struct occurrence *act = NULL, *up = NULL;
	struct calendar_conflict *cv = NULL;
	size_t na, nu, nc, i;
	char left[32], when[64], utc[32];
	int y = 0, x;

	/* The agent's line and the next notices take the last rows when
	 * there is an agent to speak of. */
	h -= agentline_draw(v->agent, ui, win, h, w);
	if (ui->cfg->nwindows == 0) {
		draw_text(win, 0, 1, w - 2, ROLE_DIM,
		    "No maintenance windows configured.");
		return;
	}
	na = calendar_active(ui->cfg, ui->now, &act);
	nu = calendar_upcoming(ui->cfg, ui->now, ui->now + (once ? 400 : 90) *
	    DAY, once ? 64 * ui->cfg->nwindows + 1 : (size_t)(h > 0 ? h : 1),
	    &up);
	nc = calendar_conflicts(ui->cfg, ui->now, ui->now + 30 * DAY, &cv);
	for (i = 0; i < na && y < h; i++, y++) {
		util_format_duration(act[i].end - ui->now, left, sizeof left);
		x = draw_text(win, y, 1, w - 2,
		    act[i].w->kind == WINDOW_FREEZE ? ROLE_CRIT :
		    ROLE_MAINTENANCE, act[i].w->kind == WINDOW_FREEZE ?
		    "FREEZE " : "NOW    ") + 1;
		x += draw_text(win, y, x, 24, ROLE_TEXT, act[i].w->name) + 1;
		draw_printf(win, y, x < 34 ? 34 : x, w - 35, ROLE_TEXT,
		    "ends in %s", left);
	}
	for (i = 0; i < nu && y < h; i++) {
		const struct occurrence *o = &up[i];

		if (once && listed(act, na, up, i, o->w))
			continue;
		util_format_duration(o->start - ui->now, left, sizeof left);
		fmt_local(ui, o->start, "%a %m-%d %H:%M", when, sizeof when);
		util_format_utc(o->start, utc, sizeof utc);
		draw_text(win, y, 1, 6, ROLE_DIM, draw_glyph(GLYPH_ARROW));
		draw_text(win, y, 3, 16, ROLE_TEXT, when);
		draw_printf(win, y, 19, 10, ROLE_DIM, "in %s", left);
		x = draw_text(win, y, 30, 24,
		    o->w->kind == WINDOW_FREEZE ? ROLE_WARN : ROLE_TEXT,
		    o->w->name) + 31;
		if (calendar_in_notice(o->w, o->start, ui->now))
			x += draw_text(win, y, x, w - x, ROLE_BADGE,
			    "notice") + 1;
		if (has_conflict(cv, nc, o->w, o->start))
			x += draw_text(win, y, x, w - x, ROLE_CRIT,
			    "CONFLICT") + 1;
		if (once)
			draw_extent(win, y, x, w, o);
		else if (w >= 100)
			draw_printf(win, y, x, w - x - 1, ROLE_DIM,
			    "%.5s UTC", utc + 11);
		y++;
	}
	if (y < h && nc > 0) {
		draw_printf(win, h - 1, 1, w - 2, ROLE_CRIT,
		    "%zu conflict%s in the next 30 days: %s / %s", nc,
		    nc == 1 ? "" : "s", cv[0].a.w->name, cv[0].b.w->name);
		h--;
	}
	/* Rows to spare on the small pane: the next seven days under the
	 * list, the windows' hours marked, after a blank row and a title. */
	if (once && h - y >= 9 && w - 12 >= 24) {
		draw_text(win, y + 1, 1, w - 2, ROLE_TITLE,
		    "Next 7 days (hours 0-24)");
		draw_days(v, ui, win, y + 2, 1, w - 2, day_start(ui, ui->now),
		    0);
	}
	free(act);
	free(up);
	free(cv);
}

/* Whether any window has an occurrence overlapping [day, next). */
static int
day_has_window(struct ui *ui, time_t day, time_t next, int *freeze)
{
	struct occurrence *o = NULL;
	size_t i, n, k;
	int any = 0;

	*freeze = 0;
	for (i = 0; i < ui->cfg->nwindows; i++) {
		n = calendar_occurrences(ui->cfg->windows[i], day, next, &o);
		for (k = 0; k < n; k++) {
			any = 1;
			if (o[k].w->kind == WINDOW_FREEZE)
				*freeze = 1;
		}
		free(o);
		o = NULL;
	}
	return any;
}

/* The first day of the cursor's month, its month (0-11) in *month and its
 * weekday (Monday 0) in *wday. */
static time_t
month_first(struct calendar_view *v, struct ui *ui, int *month, int *wday)
{
	struct tm tm;
	time_t first;

	util_localtime(v->cursor, tz_of(ui), &tm);
	*month = tm.tm_mon;
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	first = util_mktime(&tm, tz_of(ui));
	util_localtime(first, tz_of(ui), &tm);
	*wday = (tm.tm_wday + 6) % 7;	/* Monday first */
	return first;
}

/* The month grid's origin and the timeline's, zoomed. */
#define MONTH_X		1
#define TIMELINE_X	24

static void
draw_month(struct calendar_view *v, struct ui *ui, WINDOW *win, int y0,
    int x0)
{
	struct tm tm;
	time_t first, day, next, today = day_start(ui, ui->now);
	char title[64], num[8];
	int wday, row, col, freeze, month;

	fmt_local(ui, v->cursor, "%B %Y", title, sizeof title);
	draw_text(win, y0, x0, 28, ROLE_TITLE, title);
	draw_text(win, y0 + 1, x0, 28, ROLE_DIM, "Mo Tu We Th Fr Sa Su");
	first = month_first(v, ui, &month, &wday);
	day = first;
	for (row = 0; row < 6; row++) {
		for (col = 0; col < 7; col++) {
			enum role r = ROLE_TEXT;

			if (row == 0 && col < wday)
				continue;
			util_localtime(day, tz_of(ui), &tm);
			if (tm.tm_mon != month)
				return;
			next = day_add(ui, day, 1);
			if (day_has_window(ui, day, next, &freeze))
				r = freeze ? ROLE_WARN : ROLE_MAINTENANCE;
			if (day == today)
				r = ROLE_TITLE;
			if (day == v->cursor)
				r = ROLE_SELECTION_FOCUS;
			snprintf(num, sizeof num, "%2d", tm.tm_mday);
			draw_text(win, y0 + 2 + row, x0 + col * 3, 2, r, num);
			day = next;
		}
	}
}

/*
 * Seven days from first (a day's start), one a row from y0: the day's name
 * and its hours across w - 11 columns, each window's hours as a bar (a
 * freeze in the warning colour), now marked; the cursor's day highlighted
 * when mark is set.
 */
static void
draw_days(struct calendar_view *v, struct ui *ui, WINDOW *win, int y0,
    int x0, int w, time_t first, int mark)
{
	struct occurrence *o = NULL;
	time_t day, next;
	char label[16];
	int d, cols = w - 11, c0, c1, c;
	size_t i, n, k;

	for (d = 0, day = first; d < 7; d++, day = next) {
		next = day_add(ui, day, 1);
		fmt_local(ui, day, "%a %d", label, sizeof label);
		draw_text(win, y0 + d, x0, 10, mark && day == v->cursor ?
		    ROLE_SELECTION_FOCUS : ROLE_DIM, label);
		for (c = 0; c < cols; c++)
			draw_text(win, y0 + d, x0 + 11 + c, 1, ROLE_DIM,
			    c % (cols / 4 > 0 ? cols / 4 : 1) == 0 ? ":" : ".");
		for (i = 0; i < ui->cfg->nwindows; i++) {
			n = calendar_occurrences(ui->cfg->windows[i], day, next,
			    &o);
			for (k = 0; k < n; k++) {
				time_t s = o[k].start < day ? day : o[k].start;
				time_t e = o[k].end > next ? next : o[k].end;

				c0 = (int)((s - day) * cols / (next - day));
				c1 = (int)((e - day) * cols / (next - day));
				if (c1 <= c0)
					c1 = c0 + 1;
				for (c = c0; c < c1 && c < cols; c++)
					draw_text(win, y0 + d, x0 + 11 + c,
					    1, o[k].w->kind == WINDOW_FREEZE ?
					    ROLE_WARN : ROLE_MAINTENANCE,
					    draw_glyph(GLYPH_BLOCK));
			}
			free(o);
			o = NULL;
		}
		if (ui->now >= day && ui->now < next) {
			c = (int)((ui->now - day) * cols / (next - day));
			draw_text(win, y0 + d, x0 + 11 + c, 1, ROLE_CRIT,
			    draw_glyph(GLYPH_MARK));
		}
	}
}

/* Seven days from the cursor's Monday: hours across, windows as bars. */
static void
draw_timeline(struct calendar_view *v, struct ui *ui, WINDOW *win, int y0,
    int x0, int w)
{
	struct tm tm;

	if (w - 11 < 24)
		return;
	util_localtime(v->cursor, tz_of(ui), &tm);
	draw_text(win, y0, x0, w, ROLE_TITLE, "Week (hours 0-24)");
	draw_days(v, ui, win, y0 + 1, x0, w, day_add(ui, v->cursor,
	    -((tm.tm_wday + 6) % 7)), 1);
}

/* The windows occurring on the cursor's day, in detail. */
static void
draw_detail(struct calendar_view *v, struct ui *ui, WINDOW *win, int h,
    int w)
{
	struct occurrence *o = NULL, *next5 = NULL;
	time_t day = v->cursor, nextday = day_add(ui, day, 1);
	char when[64], buf[64];
	size_t i, n, k, m, s;
	int y = -v->detail_top, any = 0;

	fmt_local(ui, day, "%A %Y-%m-%d", when, sizeof when);
	if (y >= 0)
		draw_printf(win, y, 1, w - 2, ROLE_TITLE, "Windows on %s",
		    when);
	y++;
	for (i = 0; i < ui->cfg->nwindows; i++) {
		struct window *wd = ui->cfg->windows[i];
		size_t *ord;
		char *desc;

		n = calendar_occurrences(wd, day, nextday, &o);
		free(o);
		o = NULL;
		if (n == 0)
			continue;
		any = 1;
		y++;
		desc = calendar_describe(wd);
		if (y >= 0 && y < h)
			draw_printf(win, y, 1, w - 2, wd->kind ==
			    WINDOW_FREEZE ? ROLE_WARN : ROLE_MAINTENANCE,
			    "%s (%s, %s)", wd->name,
			    calendar_kind_name(wd->kind),
			    calendar_priority_name(wd->priority));
		y++;
		if (y >= 0 && y < h)
			draw_text(win, y, 3, w - 4, ROLE_TEXT, desc);
		y++;
		free(desc);
		if (wd->description != NULL) {
			if (y >= 0 && y < h)
				draw_text(win, y, 3, w - 4, ROLE_DIM,
				    wd->description);
			y++;
		}
		if (wd->owner != NULL) {
			if (y >= 0 && y < h)
				draw_printf(win, y, 3, w - 4, ROLE_DIM,
				    "owner: %s", wd->owner);
			y++;
		}
		m = calendar_upcoming(ui->cfg, ui->now, 0, 64, &next5);
		if (y >= 0 && y < h)
			draw_text(win, y, 3, w - 4, ROLE_TEXT,
			    "next occurrences:");
		y++;
		for (k = 0, s = 0; k < m && s < 5; k++) {
			if (next5[k].w != wd)
				continue;
			s++;
			fmt_local(ui, next5[k].start, "%a %Y-%m-%d %H:%M %Z",
			    when, sizeof when);
			util_format_utc(next5[k].start, buf, sizeof buf);
			if (y >= 0 && y < h)
				draw_printf(win, y, 5, w - 6, ROLE_TEXT,
				    "%s  (%s)", when, buf);
			y++;
		}
		free(next5);
		next5 = NULL;
		for (k = 0; k < wd->nsystems; k++) {
			long idx = ui->health != NULL ?
			    health_find(ui->health, wd->systems[k]) : -1;
			const struct check_status *st = idx >= 0 ?
			    health_get(ui->health, (size_t)idx) : NULL;

			if (y >= 0 && y < h)
				draw_printf(win, y, 3, w - 4, st != NULL ?
				    view_state_role(st->state) : ROLE_DIM,
				    "system %s: %s", wd->systems[k],
				    st != NULL ? state_name(st->state) :
				    "not checked");
			y++;
		}
		/* In the order to run them: each after what it requires. */
		ord = runbook_order(ui->cfg, wd->runbooks, wd->nrunbooks);
		for (k = 0; k < wd->nrunbooks; k++) {
			if (y >= 0 && y < h)
				draw_printf(win, y, 3, w - 4, ROLE_TEXT,
				    "runbook: %s", wd->runbooks[ord[k]]);
			y++;
		}
		free(ord);
	}
	if (!any && y >= 0 && y < h)
		draw_text(win, y, 1, w - 2, ROLE_DIM, "No window on this day.");
}

static void
cview_draw(void *p, struct ui *ui, WINDOW *win, int h, int w, int focused,
    int zoomed)
{
	struct calendar_view *v = p;
	int half;

	if (!v->cursor_set) {
		v->cursor = day_start(ui, ui->now);
		v->cursor_set = 1;
	}
	if (focused && agentline_modal(v->agent)) {
		agentline_draw_form(v->agent, ui, win, h, w);
		return;
	}
	if (!zoomed || ui->cfg->nwindows == 0) {
		v->detail = 0;
		draw_overview(v, ui, win, h, w, 1);
		return;
	}
	if (v->detail) {
		draw_detail(v, ui, win, h, w);
		return;
	}
	/* Zoomed: month grid and timeline on top, the list below. */
	draw_month(v, ui, win, 0, MONTH_X);
	draw_timeline(v, ui, win, 0, TIMELINE_X, w - TIMELINE_X - 1);
	half = 9;
	if (h > half + 1) {
		WINDOW *rest = derwin(win, h - half, w, half, 0);

		if (rest != NULL) {
			draw_hline(rest, 0, 0, w, ROLE_BORDER);
			{
				WINDOW *list = derwin(rest, h - half - 1, w, 1,
				    0);

				if (list != NULL) {
					draw_overview(v, ui, list,
					    h - half - 1, w, 0);
					delwin(list);
				}
			}
			delwin(rest);
		}
	}
}

static int
cview_request(void *p, struct ui *ui, enum request req)
{
	struct calendar_view *v = p;

	if (req == REQ_HOLD)
		return agentline_hold(v->agent, ui);
	if (!ui->zoomed)
		return 0;
	if (v->detail) {
		switch (req) {
		case REQ_BACK:
		case REQ_QUIT:
			v->detail = 0;
			return 1;
		case REQ_DOWN:
			v->detail_top++;
			return 1;
		case REQ_UP:
			if (v->detail_top > 0)
				v->detail_top--;
			return 1;
		default:
			return 0;
		}
	}
	switch (req) {
	case REQ_LEFT:
		v->cursor = day_add(ui, v->cursor, -1);
		return 1;
	case REQ_RIGHT:
		v->cursor = day_add(ui, v->cursor, 1);
		return 1;
	case REQ_UP:
		v->cursor = day_add(ui, v->cursor, -7);
		return 1;
	case REQ_DOWN:
		v->cursor = day_add(ui, v->cursor, 7);
		return 1;
	case REQ_PAGE_UP:
	case REQ_MONTH_BACK:
		v->cursor = day_add(ui, v->cursor, -28);
		return 1;
	case REQ_PAGE_DOWN:
	case REQ_MONTH_FORWARD:
		v->cursor = day_add(ui, v->cursor, 28);
		return 1;
	case REQ_TODAY:
		v->cursor = day_start(ui, ui->now);
		return 1;
	case REQ_OPEN:
		v->detail = 1;
		v->detail_top = 0;
		return 1;
	default:
		return 0;
	}
}

/*
 * A click on a day of the zoomed month grid, or on a day's row of the
 * week's timeline, moves the cursor to that day.
 */
static int
cview_click(void *p, struct ui *ui, int y, int x)
{
	struct calendar_view *v = p;
	struct tm tm;
	time_t first, day;
	int month, wday, cell;

	if (!ui->zoomed || v->detail || ui->cfg->nwindows == 0 ||
	    !v->cursor_set)
		return 0;
	if (x >= TIMELINE_X && y >= 1 && y <= 7) {
		util_localtime(v->cursor, tz_of(ui), &tm);
		v->cursor = day_add(ui, v->cursor, y - 1 -
		    (tm.tm_wday + 6) % 7);
		return 1;
	}
	if (x < MONTH_X || x >= MONTH_X + 20 || (x - MONTH_X) % 3 == 2 ||
	    y < 2 || y >= 8)
		return 0;
	first = month_first(v, ui, &month, &wday);
	cell = (y - 2) * 7 + (x - MONTH_X) / 3 - wday;
	if (cell < 0)
		return 0;
	day = day_add(ui, first, cell);
	if (util_localtime(day, tz_of(ui), &tm) != 0 || tm.tm_mon != month)
		return 0;
	v->cursor = day;
	return 1;
}

static const struct hint *
cview_hints(void *p, struct ui *ui)
{
	static const struct hint zoomed[] = {
		{ REQ_LEFT, "day" }, { REQ_DOWN, "week" },
		{ REQ_MONTH_FORWARD, "4 weeks" }, { REQ_TODAY, "today" },
		{ REQ_OPEN, "day's windows" }, HINT_END
	}, detail[] = {
		{ REQ_DOWN, "scroll" }, HINT_END
	};
	struct calendar_view *v = p;

	/* While the hold form is open, its own keys. */
	if (agentline_hints(v->agent) != NULL)
		return agentline_hints(v->agent);
	if (!ui->zoomed)
		return NULL;
	return v->detail ? detail : zoomed;
}

static int
cview_modal(void *p)
{
	struct calendar_view *v = p;

	return agentline_modal(v->agent);
}

static int
cview_key(void *p, struct ui *ui, int key)
{
	struct calendar_view *v = p;

	return agentline_key(v->agent, ui, key);
}

const struct view_ops view_calendar_ops = {
	.name = "Calendar",
	.section = KS_CALENDAR,
	.hints = cview_hints,
	.init = cview_init,
	.free = cview_free,
	.draw = cview_draw,
	.request = cview_request,
	.click = cview_click,
	.wheel = 1,
	.modal = cview_modal,
	.key = cview_key,
};
