/* The Health pane: one line per check with its state, how long it has been
 * in it, latency, a sparkline and the message; Enter shows every figure. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "health.h"
#include "ui.h"

struct health_view {
	struct list_state	list;		/* positions in order[] */
	int			detail;		/* the detail view is open */
	int			detail_top;	/* its scroll offset */
	int			config_order;	/* o: as configured */
	size_t			*order;		/* check indexes, as shown */
	size_t			norder;
	long			sel_check;	/* the selected check, or -1 */
	int			list_y;		/* the list's first row as last
						 * drawn; -1: no list shown */
};

enum role
view_state_role(enum state s)
{
	switch (s) {
	case STATE_OK:
		return ROLE_OK;
	case STATE_WARN:
		return ROLE_WARN;
	case STATE_CRIT:
		return ROLE_CRIT;
	default:
		return ROLE_UNKNOWN;
	}
}

static void *
hview_init(struct ui *ui)
{
	struct health_view *v = xcalloc(1, sizeof *v);

	v->sel_check = -1;
	v->list_y = -1;
	return v;
}

static void
hview_free(void *p)
{
	struct health_view *v = p;

	if (v != NULL)
		free(v->order);
	free(v);
}

/*
 * Where a check goes in the list: what needs a person first.  Crit, then
 * unknown (no answer is worse than a slow one), warn, in maintenance, ok.
 */
static int
severity_rank(const struct check_status *st)
{
	if (st->maintenance)
		return 3;
	if (st->since == 0)
		return 1;
	switch (st->state) {
	case STATE_CRIT:
		return 0;
	case STATE_UNKNOWN:
		return 1;
	case STATE_WARN:
		return 2;
	default:
		return 4;
	}
}

/*
 * Orders the checks (stable within a rank: configuration order), keeps
 * the selection on the same check when the order changes.
 */
static void
build_order(struct health_view *v, struct ui *ui)
{
	size_t n = health_count(ui->health), i, k, pos = 0;
	int r;

	if (v->norder != n) {
		free(v->order);
		v->order = xcalloc(n + 1, sizeof *v->order);
		v->norder = n;
	}
	for (r = 0; r <= 4; r++)
		for (i = 0; i < n; i++)
			if (v->config_order ? r == 0 :
			    severity_rank(health_get(ui->health, i)) == r)
				v->order[pos++] = i;
	for (k = 0; k < n && v->sel_check >= 0; k++)
		if (v->order[k] == (size_t)v->sel_check) {
			v->list.sel = (int)k;
			break;
		}
}

/* The check at the selection. */
static const struct check_status *
selected(struct health_view *v, struct ui *ui)
{
	if (v->norder == 0 || v->list.sel < 0 ||
	    (size_t)v->list.sel >= v->norder)
		return NULL;
	return health_get(ui->health, v->order[v->list.sel]);
}

/* A latency in whole milliseconds (finer digits are noise that costs
 * bytes to redraw), written by the one rule for figures
 * (util_format_quantity): "5 ms", "12 ms", "1.2 s"; below one, "<1 ms". */
static void
fmt_latency(double ms, char *buf, size_t len)
{
	if (ms < 0)
		snprintf(buf, len, "-");
	else if (ms < 1)
		snprintf(buf, len, "<1 ms");
	else
		util_format_quantity(round(ms), "ms", buf, len);
}

/*
 * How long a check has been in its state, to the minute: the list is read
 * at a glance, and a column that changed every second would cost bytes on
 * every row every second (the detail view has the exact time).
 */
static void
fmt_since(long long secs, char *buf, size_t len)
{
	if (secs < 60)
		snprintf(buf, len, "<1m");
	else
		util_format_duration(secs / 60 * 60, buf, len);
}

/*
 * Seconds a check has been in its state.  Probes run on the real clock
 * whatever --now says (--now moves the calendar), so this is real time
 * too: with --now in the past it is never negative.
 */
static long long
state_age(const struct check_status *st)
{
	time_t now = time(NULL);

	return now > st->since ? (long long)(now - st->since) : 0;
}

/*
 * The sparkline of the last max samples, into v (heights) and r (each
 * sample's own state's role); returns how many.  Heights are relative to
 * the check's own history: latency above its lowest, over its spread, and
 * the spread never under 50 ms nor half the highest, so that a steady
 * check draws a flat line at the bottom (a slow but steady one as well:
 * it is not news) and a healthy check's jitter (1 ms, 3 ms) draws no
 * moving line (a line that moves on every probe costs bytes on every
 * probe, and over SSH every byte counts).  A critical sample is a full
 * bar.
 */
static size_t
spark_values(const struct check_status *st, double *v, enum role *r,
    size_t max, double *scale)
{
	size_t k, n = st->ring_len, start = n > max ? n - max : 0, i = 0;
	double lo = INFINITY, hi = 0, span;

	for (k = 0; k < n; k++) {
		const struct health_point *p = health_point_at(st, k);

		if (p->latency_ms < 0)
			continue;
		if (p->latency_ms < lo)
			lo = p->latency_ms;
		if (p->latency_ms > hi)
			hi = p->latency_ms;
	}
	if (isinf(lo))
		lo = 0;
	span = hi - lo;
	if (span < 50)
		span = 50;
	if (span < hi / 2)
		span = hi / 2;
	*scale = span;
	for (k = start; k < n; k++) {
		const struct health_point *p = health_point_at(st, k);

		r[i] = view_state_role((enum state)p->state);
		if (p->state == STATE_CRIT)
			v[i] = span;
		else
			v[i] = p->latency_ms < 0 ? NAN : p->latency_ms - lo;
		i++;
	}
	return i;
}

/* The columns, from the widest name: a name is never cut. */
struct columns {
	int	name;		/* width of the name column */
	int	since;		/* shown (0: left out) */
	int	spark;		/* width of the sparkline */
};

static void
columns_fit(struct health_view *v, struct ui *ui, int w, struct columns *c)
{
	size_t i;
	int len;

	c->name = 5;
	for (i = 0; i < v->norder; i++) {
		len = draw_width(health_get(ui->health, i)->check->name);
		if (len > c->name)
			c->name = len;
	}
	if (c->name > w / 3)
		c->name = w / 3;
	c->since = w >= 72;
	c->spark = w >= 100 ? 20 : 8;
}

static void
draw_header(WINDOW *win, int w, const struct columns *c)
{
	struct draw_column col[6];
	size_t n = 0;
	int x = 3;

	col[n++] = (struct draw_column){ x, c->name, "CHECK" };
	x += c->name + 1;
	col[n++] = (struct draw_column){ x, 5, "STATE" };
	x += 6;
	if (c->since) {
		col[n++] = (struct draw_column){ x, 7, "FOR" };
		x += 8;
	}
	col[n++] = (struct draw_column){ x, 8, "LATENCY" };
	x += 9;
	col[n++] = (struct draw_column){ x, c->spark, "TREND" };
	x += c->spark + 1;
	col[n++] = (struct draw_column){ x, 0, "WHY / WHAT" };
	draw_column_header(win, 0, w, col, n);
}

static void
draw_row(struct ui *ui, WINDOW *win, int y, int w, const struct check_status *st,
    int selected, const struct columns *c)
{
	char lat[32], since[32], line[64];
	double vals[64], scale;
	enum role roles[64];
	size_t nv;
	enum role text = selected ? ROLE_SELECTION_FOCUS : ROLE_TEXT;
	enum role sr = view_state_role(st->state);
	int x, msgw, sparkw = c->spark;

	if (selected)
		draw_fill(win, y, 0, w, ROLE_SELECTION_FOCUS);
	draw_text(win, y, 1, 1, sr, draw_glyph(GLYPH_BULLET));
	draw_text(win, y, 3, c->name, text, st->check->name);
	x = 3 + c->name + 1;
	if (st->maintenance)
		draw_text(win, y, x, 5, ROLE_MAINTENANCE, "MAINT");
	else
		draw_text(win, y, x, 5, sr, st->since == 0 ? "..." :
		    state_short(st->state));
	x += 6;
	/* Narrow panes (the 2x2 grid at 120 columns) leave out "since",
	 * which the detail view shows, to keep room for the message. */
	if (c->since) {
		if (st->since != 0)
			fmt_since(state_age(st), since, sizeof since);
		else
			snprintf(since, sizeof since, "-");
		draw_text(win, y, x, 7, ROLE_DIM, since);
		x += 8;
	}
	fmt_latency(st->last != NULL ? st->last->latency_ms : -1, lat,
	    sizeof lat);
	draw_text(win, y, x, 8, text, lat);
	x += 9;
	nv = spark_values(st, vals, roles, (size_t)sparkw, &scale);
	draw_sparkline(win, y, x, sparkw, roles, vals, nv, scale);
	x += sparkw + 1;
	msgw = w - x - 1;
	/*
	 * A healthy check shows what it watches (it does not change, so an
	 * idle screen sends nothing); a check in trouble shows why.  The
	 * detail view has the last message either way.
	 */
	if (st->last != NULL && st->state == STATE_OK && st->target != NULL)
		draw_text(win, y, x, msgw, selected ? text : ROLE_DIM,
		    st->target);
	else if (st->last != NULL)
		draw_text(win, y, x, msgw, selected ? text : ROLE_TEXT,
		    st->last->message);
	else {
		snprintf(line, sizeof line, "%s", st->running ? "probing..." :
		    "waiting for the first result");
		draw_text(win, y, x, msgw, ROLE_DIM, line);
	}
}

/* A limit as "> 80%", "< 30 days", or a range as written ("@10:20"). */
static void
fmt_limit(const struct range *r, const char *unit, char *buf, size_t len)
{
	char v[40];

	if (r->plain) {
		util_format_quantity(r->hi_inf ? r->lo : r->hi, unit, v,
		    sizeof v);
		snprintf(buf, len, "%s %s", r->hi_inf ? "<" : ">", v);
	} else {
		/* As written, the unit joined as util_format_quantity
		 * joins it ("80%", "2 s"). */
		range_format(r, v, sizeof v);
		snprintf(buf, len, "%s%s%s", v, *unit != '\0' &&
		    strcmp(unit, "%") != 0 ? " " : "", unit);
	}
}

static void
draw_figure(WINDOW *win, int y, int w, const struct figure *f)
{
	char val[96], lim[200], a[64], b[64];

	switch (f->kind) {
	case FIGURE_NUM:
		util_format_quantity(f->num, f->unit, val, sizeof val);
		break;
	case FIGURE_STR:
		snprintf(val, sizeof val, "%s", f->str != NULL ? f->str : "");
		break;
	default:
		snprintf(val, sizeof val, "unavailable%s%s",
		    f->str != NULL ? ": " : "", f->str != NULL ? f->str : "");
		break;
	}
	lim[0] = '\0';
	if (f->warn.set || f->crit.set) {
		fmt_limit(&f->warn, f->unit, a, sizeof a);
		fmt_limit(&f->crit, f->unit, b, sizeof b);
		snprintf(lim, sizeof lim, "warn %s%s%s", f->warn.set ? a : "-",
		    f->crit.set ? "  crit " : "", f->crit.set ? b : "");
	}
	draw_text(win, y, 3, 24, ROLE_TEXT, f->name);
	draw_text(win, y, 28, 30, f->kind == FIGURE_UNAVAILABLE ? ROLE_DIM :
	    view_state_role(f->state), val);
	if (w > 60)
		draw_text(win, y, 60, w - 61, ROLE_DIM, lim);
}

/*
 * Draws text from row y at column x, wrapped to the pane's width rather
 * than cut (as many rows as it needs of those left above row h); returns
 * the row after it.
 */
static int
draw_wrapped(WINDOW *win, int y, int h, int x, int w, enum role r,
    const char *text)
{
	char *lines = draw_wrap(text, w - x - 1);

	if (y < h)
		y += draw_lines(win, y, x, h - y, w - x - 1, r, lines, 0);
	free(lines);
	return y;
}

static void
draw_detail(struct health_view *v, struct ui *ui, WINDOW *win, int h, int w,
    const struct check_status *st)
{
	char since[32], buf[256], *title;
	double vals[256], scale;
	enum role roles[256];
	size_t nv, i;
	int y = 0, row;

	title = xasprintf("%s (%s)  %s", st->check->name,
	    check_type_name(st->check->type), st->target != NULL ?
	    st->target : "");
	y = draw_wrapped(win, y, h, 1, w, ROLE_TITLE, title);
	free(title);
	if (st->since != 0) {
		util_format_duration(state_age(st), since, sizeof since);
		util_format_utc(st->since, buf, sizeof buf);
		draw_printf(win, y++, 1, w - 2, view_state_role(st->state),
		    "%s for %s (since %s)%s", state_name(st->state), since,
		    buf, st->maintenance ? "  IN MAINTENANCE" : "");
	} else
		draw_text(win, y++, 1, w - 2, ROLE_UNKNOWN,
		    "no result yet");
	if (st->last != NULL) {
		char lat[32], con[32];

		fmt_latency(st->last->latency_ms, lat, sizeof lat);
		fmt_latency(st->last->connect_ms, con, sizeof con);
		draw_printf(win, y++, 1, w - 2, ROLE_TEXT,
		    "latency %s   connect %s   probes %llu   changes %llu",
		    lat, con, st->nprobes, st->ntransitions);
		y = draw_wrapped(win, y, h, 1, w, ROLE_TEXT,
		    st->last->message);
	}
	nv = spark_values(st, vals, roles, (size_t)(w - 2 > 256 ? 256 :
	    w - 2), &scale);
	draw_sparkline(win, y++, 1, w - 2, roles, vals, nv, scale);
	if (st->last_error != NULL) {
		util_format_utc(st->last_error_time, buf, sizeof buf);
		draw_printf(win, y++, 1, w - 2, ROLE_CRIT, "last error (%s):",
		    buf);
		y = draw_wrapped(win, y, h, 3, w, ROLE_TEXT, st->last_error);
	}
	y++;
	if (st->last == NULL || y >= h)
		return;
	if (v->detail_top > (int)st->last->nfigures - (h - y))
		v->detail_top = (int)st->last->nfigures - (h - y);
	if (v->detail_top < 0)
		v->detail_top = 0;
	for (i = (size_t)v->detail_top, row = y; i < st->last->nfigures &&
	    row < h; i++, row++)
		draw_figure(win, row, w, &st->last->figures[i]);
}

static void
hview_draw(void *p, struct ui *ui, WINDOW *win, int h, int w, int focused,
    int zoomed)
{
	struct health_view *v = p;
	struct columns c;
	int i, y, n = ui->health != NULL ? (int)health_count(ui->health) : 0;

	if (n == 0) {
		draw_text(win, 0, 1, w - 2, ROLE_DIM,
		    "No checks configured (postgres, redis, http).");
		return;
	}
	build_order(v, ui);
	v->list_y = -1;
	if (v->detail && zoomed) {
		list_clamp(&v->list, n, h);
		draw_detail(v, ui, win, h, w, selected(v, ui));
		return;
	}
	columns_fit(v, ui, w, &c);
	/* The header row only when a check row still fits under it. */
	y = h > 1 ? 1 : 0;
	if (y == 1)
		draw_header(win, w, &c);
	list_clamp(&v->list, n, h - y);
	v->list_y = y;
	for (i = v->list.top; i < n && y < h; i++, y++)
		draw_row(ui, win, y, w, health_get(ui->health, v->order[i]),
		    focused && i == v->list.sel, &c);
}

/* Rows the pane needs to show every check that is not OK, with its title
 * and the column header: the frame gives Health these first. */
int
view_health_rows_needed(struct ui *ui)
{
	size_t i, n = ui->health != NULL ? health_count(ui->health) : 0;
	int bad = 0;

	for (i = 0; i < n; i++)
		if (severity_rank(health_get(ui->health, i)) < 3)
			bad++;
	return 2 + (bad > 0 ? bad : 1) + (n > 0);
}

static int
hview_request(void *p, struct ui *ui, enum request req)
{
	struct health_view *v = p;
	int n = ui->health != NULL ? (int)health_count(ui->health) : 0;

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
			v->detail_top--;
			return 1;
		default:
			break;
		}
		if (req != REQ_PROBE_NOW)
			return 0;
	}
	if (req == REQ_OPEN && ui->zoomed && n > 0) {
		v->detail = 1;
		v->detail_top = 0;
		return 1;
	}
	if (req == REQ_PROBE_NOW && n > 0 && v->norder == (size_t)n) {
		health_run_now(ui->health, v->order[v->list.sel]);
		ui_notice(ui, "probing %s now",
		    health_get(ui->health, v->order[v->list.sel])->check->name);
		return 1;
	}
	if (req == REQ_ORDER) {
		v->config_order = !v->config_order;
		ui_notice(ui, "Health: %s", v->config_order ? "as configured" :
		    "most urgent first");
		return 1;
	}
	if (!list_request(&v->list, req, n, 10))
		return 0;
	if (v->norder == (size_t)n && n > 0)
		v->sel_check = (long)v->order[v->list.sel];
	return 1;
}

/* A click on a check's row selects it. */
static int
hview_click(void *p, struct ui *ui, int y, int x)
{
	struct health_view *v = p;
	int i = v->list.top + y - v->list_y;

	(void)x;
	if (v->list_y < 0 || y < v->list_y || i >= (int)v->norder ||
	    (ui->health != NULL && v->norder != health_count(ui->health)))
		return 0;
	v->list.sel = i;
	v->sel_check = (long)v->order[i];
	return 1;
}

static const struct hint *
hview_hints(void *p, struct ui *ui)
{
	static const struct hint list[] = {
		{ REQ_PROBE_NOW, "probe now" }, { REQ_ORDER, "order" }, HINT_END
	}, zoomed[] = {
		{ REQ_OPEN, "details" }, { REQ_PROBE_NOW, "probe now" },
		{ REQ_ORDER, "order" }, HINT_END
	}, detail[] = {
		{ REQ_DOWN, "scroll" }, { REQ_PROBE_NOW, "probe now" },
		HINT_END
	};
	struct health_view *v = p;

	if (v->detail && ui->zoomed)
		return detail;
	return ui->zoomed ? zoomed : list;
}

const struct view_ops view_health_ops = {
	.name = "Health",
	.section = KS_HEALTH,
	.hints = hview_hints,
	.init = hview_init,
	.free = hview_free,
	.draw = hview_draw,
	.request = hview_request,
	.click = hview_click,
};
