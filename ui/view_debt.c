/* The Debt pane: technical debt in priority-score order, marked where
 * today's health trouble touches it, with a detail view, a filter, and
 * add, edit, resolve, delete and undo through the debt store (the form,
 * the prompts and the changes in view_debt_edit.c). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "calendar.h"
#include "debt_fields.h"
#include "debt_health.h"
#include "debt_query.h"
#include "debt_store.h"
#include "form.h"
#include "health.h"
#include "maint.h"
#include "store_async.h"
#include "ui.h"
#include "util.h"
#include "watch.h"

#include "view_debt.h"

#define KEY_ESCAPE	27

/* ------------------------------------------------------------------ */
/* The rows. */

/* The filter in force: what is being typed, else the one kept. */
static const char *
current_filter(const struct debt_view *v)
{
	if (v->filter_form != NULL)
		return form_value(v->filter_form, 0);
	return v->filter;
}

/*
 * The rows to show: the store's items (or, without a store, the
 * configuration's), resolved ones only when asked, filtered, in the chosen
 * order (score order breaks ties).  The array is new (the caller frees it);
 * the items stay valid until the store next changes.
 */
size_t
view_debt_rows(struct debt_view *v, struct ui *ui, struct debt_item ***out)
{
	struct debt_item **all;
	size_t n, i;

	if (v->store != NULL)
		n = debt_store_list(v->store, ui->now, v->show_all, &all);
	else {
		all = xcalloc(ui->cfg->ndebt + 1, sizeof *all);
		for (i = 0, n = 0; i < ui->cfg->ndebt; i++)
			if (v->show_all || ui->cfg->debt[i]->status == DEBT_OPEN)
				all[n++] = ui->cfg->debt[i];
		debt_sort(all, n, ui->now, v->tz);
	}
	*out = all;
	return debt_query(all, n, current_filter(v), v->sort);
}

void
view_debt_set_sel(struct debt_view *v, const char *id)
{
	free(v->sel_id);
	v->sel_id = id != NULL ? xstrdup(id) : NULL;
}

/*
 * Follows the selected item by id across changes and reorderings; when it
 * is gone (deleted, resolved, filtered out) the selection stays at the same
 * position.
 */
void
view_debt_sync_sel(struct debt_view *v, struct debt_item **rows, size_t n)
{
	size_t i;

	if (v->sel_id != NULL)
		for (i = 0; i < n; i++)
			if (strcmp(rows[i]->id, v->sel_id) == 0) {
				v->list.sel = (int)i;
				break;
			}
	if (v->list.sel >= (int)n)
		v->list.sel = (int)n - 1;
	if (v->list.sel < 0)
		v->list.sel = 0;
	view_debt_set_sel(v, n > 0 ? rows[v->list.sel]->id : NULL);
}

/* ------------------------------------------------------------------ */
/* Formatting. */

/* Where d was read: its file, else (an item of the main configuration
 * file) the configuration's path. */
const char *
view_debt_item_file(struct ui *ui, const struct debt_item *d)
{
	if (d->file != NULL)
		return d->file;
	if (d->source == DEBT_SOURCE_CONFIG && ui->cfg->path != NULL)
		return ui->cfg->path;
	return "?";
}

/* The target's label and its role (resolved items: "resolved"). */
static void
fmt_target(const struct debt_item *d, struct ui *ui, const char *tz,
    char *buf, size_t len, enum role *r)
{
	static const enum role roles[] = {
		[DEBT_DUE_NONE] = ROLE_DIM,
		[DEBT_DUE_LATER] = ROLE_TEXT,
		[DEBT_DUE_SOON] = ROLE_WARN,
		[DEBT_DUE_TODAY] = ROLE_WARN,
		[DEBT_DUE_OVERDUE] = ROLE_CRIT,
	};

	if (d->status == DEBT_RESOLVED) {
		snprintf(buf, len, "resolved");
		*r = ROLE_DIM;
		return;
	}
	*r = roles[debt_target_label(d, ui->now, tz, buf, len)];
}

/* d's systems joined with sep (a new string). */
static char *
join_systems(const struct debt_item *d, const char *sep)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < d->nsystems; i++) {
		if (i > 0)
			buf_adds(&b, sep);
		buf_adds(&b, d->systems[i]);
	}
	return buf_detach(&b);
}

/* ------------------------------------------------------------------ */
/* The list. */

/*
 * Where the columns go for a width; wide adds the id and owner.  A column
 * empty in every row shown (no owner, no target, no system) is left out,
 * its width given to the title (width 0: not drawn), but for the target's
 * while the list is in target order.  The id is never cut.
 */
struct cols {
	int	wide;
	int	title, titlew;
	int	id, idw;
	int	owner, ownerw;
	int	target, targetw;
	int	sys, sysw;
};

/* The width of d's systems joined with commas, counted up to cap. */
static int
systems_width(const struct debt_item *d, int cap)
{
	int k = 0;
	size_t i;

	for (i = 0; i < d->nsystems && k < cap; i++)
		k += (i > 0) + draw_width(d->systems[i]);
	return k > 0 ? k : 1;
}

static void
layout(struct cols *c, int w, int zoomed, enum debt_order sort,
    struct debt_item **rows, size_t n)
{
	int owner = 0, target = sort == DEBT_ORDER_TARGET, right = w - 1;
	int k, syscap = w >= 100 ? 24 : 16, sys = 0;
	size_t i;

	memset(c, 0, sizeof *c);
	c->idw = 8;
	for (i = 0; i < n; i++) {
		owner |= rows[i]->owner != NULL && rows[i]->owner[0] != '\0';
		target |= rows[i]->target != 0 ||
		    rows[i]->status == DEBT_RESOLVED;
		if (rows[i]->nsystems > 0 && sys < syscap &&
		    (k = systems_width(rows[i], syscap)) > sys)
			sys = k;
		if ((k = draw_width(rows[i]->id)) > c->idw)
			c->idw = k;
	}
	c->wide = zoomed && w >= 100;
	if (sys > 0) {
		/* As wide as the widest systems (the header's "Systems" at
		 * least) up to the cap: the rest is the title's. */
		c->sysw = sys < 7 ? 7 : sys > syscap ? syscap : sys;
		c->sys = right - c->sysw;
		right = c->sys - 1;
	}
	if (target) {
		c->targetw = 12;
		c->target = right - c->targetw;
		right = c->target - 1;
	}
	c->title = 16;
	if (c->wide) {
		c->id = 16;
		c->title = c->id + c->idw + 1;
		if (owner) {
			c->ownerw = 10;
			c->owner = right - c->ownerw;
			right = c->owner - 1;
		}
	}
	c->titlew = right - c->title;
	if (c->titlew < 8)
		c->titlew = 8;
}

static void
draw_header_row(WINDOW *win, int y, const struct cols *c, enum debt_order s)
{
	enum role t = ROLE_TITLE, on = ROLE_TITLE_FOCUS;

	draw_text(win, y, 3, 5, s == DEBT_ORDER_SCORE ? on : t, "Score");
	draw_text(win, y, 9, 6, s == DEBT_ORDER_PRIORITY ? on : t, "Prio");
	if (c->wide)
		draw_text(win, y, c->id, c->idw, t, "Id");
	if (c->ownerw > 0)
		draw_text(win, y, c->owner, c->ownerw, t, "Owner");
	draw_text(win, y, c->title, c->titlew, s == DEBT_ORDER_CREATED ? on : t,
	    s == DEBT_ORDER_CREATED ? "Title (newest first)" : "Title");
	if (c->targetw > 0)
		draw_text(win, y, c->target, c->targetw,
		    s == DEBT_ORDER_TARGET ? on : t, "Target");
	if (c->sysw > 0)
		draw_text(win, y, c->sys, c->sysw, t, "Systems");
}

/* The unzoomed list's header: the columns draw_item_row draws (the mark
 * column, "!" or "M", is explained in the help). */
static void
draw_column_row(WINDOW *win, int y, int w, const struct cols *c)
{
	struct draw_column col[5];
	size_t n = 0;

	col[n++] = (struct draw_column){ 3, 5, "SCORE" };
	col[n++] = (struct draw_column){ 9, 6, "PRIO" };
	col[n++] = (struct draw_column){ c->title, c->titlew, "TITLE" };
	if (c->targetw > 0)
		col[n++] = (struct draw_column){ c->target, c->targetw,
		    "TARGET" };
	if (c->sysw > 0)
		col[n++] = (struct draw_column){ c->sys, c->sysw, "SYSTEMS" };
	draw_column_header(win, y, w, col, n);
}

static void
draw_item_row(struct debt_view *v, struct ui *ui, WINDOW *win, int y, int w,
    const struct cols *c, const struct debt_item *d, int selected)
{
	struct debt_score sc;
	char score[32];
	enum role text, tr;
	enum state trouble;
	char target[32], *sys;

	text = selected ? ROLE_SELECTION_FOCUS :
	    d->status == DEBT_RESOLVED ? ROLE_DIM : ROLE_TEXT;
	if (selected)
		draw_fill(win, y, 0, w, ROLE_SELECTION_FOCUS);
	trouble = debt_health_trouble(ui->health, d);
	if (trouble != STATE_OK)
		draw_text(win, y, 1, 1, view_state_role(trouble), "!");
	else if (debt_health_in_maintenance(ui->cfg, ui->health, ui->now, d))
		draw_text(win, y, 1, 1, ROLE_MAINTENANCE, "M");
	sc = debt_score(d, ui->now, v->tz);
	debt_format_score(sc.total, score, sizeof score);
	draw_printf(win, y, 3, 5, text, "%5s", score);
	draw_text(win, y, 9, 6, text, debt_priority_name(d->priority));
	if (c->wide)
		draw_text(win, y, c->id, c->idw, text, d->id);
	if (c->ownerw > 0)
		draw_text(win, y, c->owner, c->ownerw, selected ? text :
		    ROLE_DIM, d->owner != NULL ? d->owner : "-");
	draw_text(win, y, c->title, c->titlew, text, d->title);
	if (c->targetw > 0) {
		fmt_target(d, ui, v->tz, target, sizeof target, &tr);
		draw_text(win, y, c->target, c->targetw, selected ||
		    d->status == DEBT_RESOLVED ? text : tr, target);
	}
	if (c->sysw > 0) {
		sys = join_systems(d, ",");
		draw_text(win, y, c->sys, c->sysw, selected ? text : ROLE_DIM,
		    *sys != '\0' ? sys : "-");
		free(sys);
	}
}

/* The line saying why changes cannot be made, or NULL. */
static const char *
problem_line(struct debt_view *v, struct ui *ui, enum role *r)
{
	const char *why;

	*r = ROLE_WARN;
	if (v->store == NULL)
		return v->why;
	if (ui->read_only)
		return NULL;
	why = debt_store_refusal(v->store);
	*r = ROLE_CRIT;
	return why;
}

/* ------------------------------------------------------------------ */
/* The detail view. */

struct dline {
	enum role	 r;
	int		 indent;
	char		*text;
};

struct dlines {
	struct dline	*v;
	size_t		 n;
};

static void
dl_add(struct dlines *l, enum role r, int indent, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
dl_add(struct dlines *l, enum role r, int indent, const char *fmt, ...)
{
	va_list ap;

	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n].r = r;
	l->v[l->n].indent = indent;
	va_start(ap, fmt);
	l->v[l->n].text = xvasprintf(fmt, ap);
	va_end(ap);
	l->n++;
}

static void
dl_free(struct dlines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].text);
	free(l->v);
}

/* Bytes of the UTF-8 character starting at s (1 for a stray byte). */
static size_t
char_len(const char *s)
{
	unsigned char c = (unsigned char)*s;
	size_t n = 1;

	if (c >= 0xc0)
		while (n < 4 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n++;
	return n;
}

/* Adds text as paragraphs (one per line of it) wrapped at width columns. */
static void
dl_wrap(struct dlines *l, enum role r, int indent, const char *text,
    int width)
{
	char *copy, *para, *next, *p, *cut, save, one[8];
	int used, cw;
	size_t k;

	if (width < 10)
		width = 10;
	copy = xstrdup(text);
	for (p = copy; *p != '\0'; p++)
		if (*p == '\t' || *p == '\r')
			*p = ' ';
	for (para = copy; para != NULL; para = next) {
		if ((next = strchr(para, '\n')) != NULL)
			*next++ = '\0';
		if (*para == '\0') {
			dl_add(l, r, indent, "%s", "");
			continue;
		}
		while (*para != '\0') {
			used = 0;
			cut = NULL;
			for (p = para; *p != '\0'; p += k) {
				k = char_len(p);
				memcpy(one, p, k);
				one[k] = '\0';
				cw = draw_width(one);
				if (used + cw > width)
					break;
				if (*p == ' ')
					cut = p;
				used += cw;
			}
			if (*p == '\0' || cut == NULL || cut == para)
				cut = p;	/* all of it, or a hard break */
			save = *cut;
			*cut = '\0';
			dl_add(l, r, indent, "%s", para);
			*cut = save;
			para = cut;
			while (*para == ' ')
				para++;
		}
	}
	free(copy);
}

static void
detail_lines(struct debt_view *v, struct ui *ui, const struct debt_item *d,
    int w, struct dlines *l)
{
	const struct check_status *st;
	struct debt_terms terms;
	char *hints[8];
	size_t nhints;
	char date[32], target[32], eff[64];
	enum role tr;
	size_t i;
	long k;
	int lw = 12;

	dl_add(l, ROLE_TITLE, 1, "%s  %s", d->id, d->title);
	dl_add(l, ROLE_TEXT, 1, "%s", "");
	debt_score_explain(d, ui->now, v->tz, &terms);
	dl_add(l, ROLE_TEXT, 1, "%-*s%s", lw, "Score", terms.total);
	dl_add(l, ROLE_DIM, 1, "%-*s%s", lw, "", terms.weight);
	dl_add(l, ROLE_DIM, 1, "%-*s%s", lw, "", terms.systems);
	dl_add(l, ROLE_DIM, 1, "%-*s%s", lw, "", terms.urgency);
	dl_add(l, ROLE_TEXT, 1, "%-*s%s", lw, "Priority",
	    debt_priority_name(d->priority));
	if (d->status == DEBT_RESOLVED) {
		debt_format_date(d->resolved, v->tz, date, sizeof date);
		dl_add(l, ROLE_DIM, 1, "%-*sresolved on %s", lw, "Status",
		    date);
	} else
		dl_add(l, ROLE_TEXT, 1, "%-*sopen", lw, "Status");
	if (d->target != 0) {
		debt_format_date(d->target, v->tz, date, sizeof date);
		fmt_target(d, ui, v->tz, target, sizeof target, &tr);
		if (d->status == DEBT_RESOLVED)
			dl_add(l, ROLE_TEXT, 1, "%-*s%s", lw, "Target", date);
		else
			dl_add(l, tr == ROLE_DIM ? ROLE_TEXT : tr, 1,
			    "%-*s%s (%s)", lw, "Target", date, target);
	} else
		dl_add(l, ROLE_TEXT, 1, "%-*s-", lw, "Target");
	if (d->nsystems == 0)
		dl_add(l, ROLE_TEXT, 1, "%-*s-", lw, "Systems");
	for (i = 0; i < d->nsystems; i++) {
		const char *label = i == 0 ? "Systems" : "";

		k = ui->health != NULL ? health_find(ui->health,
		    d->systems[i]) : -1;
		if (k < 0) {
			dl_add(l, ROLE_TEXT, 1, "%-*s%s  (no health check)",
			    lw, label, d->systems[i]);
			continue;
		}
		st = health_get(ui->health, (size_t)k);
		if (st->maintenance)
			dl_add(l, ROLE_MAINTENANCE, 1, "%-*s%s  in maintenance",
			    lw, label, d->systems[i]);
		else if (st->since == 0)
			dl_add(l, ROLE_UNKNOWN, 1, "%-*s%s  no result yet",
			    lw, label, d->systems[i]);
		else
			dl_add(l, view_state_role(st->state), 1, "%-*s%s  %s",
			    lw, label, d->systems[i], state_name(st->state));
	}
	/* Long-critical systems: a hint, the score stays the formula. */
	nhints = debt_health_hints(ui->health, d, time(NULL),
	    ui->cfg->settings.debt_crit_hint, hints, 8);
	for (i = 0; i < nhints; i++) {
		dl_add(l, ROLE_CRIT, 1, "%-*s%s", lw, "", hints[i]);
		free(hints[i]);
	}
	dl_add(l, ROLE_TEXT, 1, "%-*s%s", lw, "Owner",
	    d->owner != NULL ? d->owner : "-");
	debt_format_effort(d->effort, eff, sizeof eff);
	dl_add(l, ROLE_TEXT, 1, "%-*s%s", lw, "Effort", d->effort > 0 ? eff :
	    "-");
	if (d->created != 0)
		debt_format_date(d->created, v->tz, date, sizeof date);
	else
		snprintf(date, sizeof date, "-");
	dl_add(l, ROLE_TEXT, 1, "%-*s%s", lw, "Created", date);
	if (d->source == DEBT_SOURCE_CONFIG)
		dl_add(l, ROLE_DIM, 1, "%-*sconfiguration %s:%d (read-only "
		    "here)", lw, "Source", view_debt_item_file(ui, d),
		    d->line);
	else
		dl_add(l, ROLE_DIM, 1, "%-*s%s", lw, "Source",
		    d->file != NULL ? d->file : "debt file");
	if (d->description != NULL) {
		dl_add(l, ROLE_TEXT, 1, "%s", "");
		dl_add(l, ROLE_TITLE, 1, "Description");
		dl_wrap(l, ROLE_TEXT, 3, d->description, w - 4);
	}
	if (d->impact != NULL) {
		dl_add(l, ROLE_TEXT, 1, "%s", "");
		dl_add(l, ROLE_TITLE, 1, "Impact");
		dl_wrap(l, ROLE_TEXT, 3, d->impact, w - 4);
	}
	if (d->plan != NULL) {
		dl_add(l, ROLE_TEXT, 1, "%s", "");
		dl_add(l, ROLE_TITLE, 1, "Plan");
		dl_wrap(l, ROLE_TEXT, 3, d->plan, w - 4);
	}
}

static void
draw_detail(struct debt_view *v, struct ui *ui, WINDOW *win, int h, int w,
    const struct debt_item *d)
{
	struct dlines l = { NULL, 0 };
	int i, y;

	detail_lines(v, ui, d, w, &l);
	if (v->detail_top > (int)l.n - h)
		v->detail_top = (int)l.n - h;
	if (v->detail_top < 0)
		v->detail_top = 0;
	for (i = v->detail_top, y = 0; i < (int)l.n && y < h; i++, y++)
		draw_text(win, y, l.v[i].indent, w - l.v[i].indent - 1,
		    l.v[i].r, l.v[i].text);
	dl_free(&l);
}

/* ------------------------------------------------------------------ */
/* Drawing. */

static void
draw_status(struct debt_view *v, WINDOW *win, int y, int w, size_t n)
{
	const char *f = current_filter(v);
	char line[256];
	const char *keys = "/ filter  A resolved  s sort  Enter details";
	int used;

	snprintf(line, sizeof line, "%zu %s  sort: %s%s%s%s", n,
	    v->show_all ? (n == 1 ? "item" : "items") : "open",
	    debt_order_name(v->sort), f != NULL && *f != '\0' ? "  filter: " : "",
	    f != NULL ? f : "", v->show_all ? "  (resolved shown)" : "");
	used = draw_text(win, y, 1, w - 2, ROLE_DIM, line);
	if (used + 4 + draw_width(keys) < w - 1)
		draw_text(win, y, w - 1 - draw_width(keys), draw_width(keys),
		    ROLE_DIM, keys);
}

/* The form's own line of keys. */
static const struct hint hints_form[] = {
	{ REQ_FIELD_NEXT, "next" }, { REQ_FIELD_PREV, "previous" },
	{ REQ_SUBMIT, "save" }, { REQ_CANCEL, "cancel" }, HINT_END
};

static void
dview_draw(void *p, struct ui *ui, WINDOW *win, int h, int w, int focused,
    int zoomed)
{
	struct debt_view *v = p;
	struct debt_item **rows;
	const char *problem, *f;
	struct cols c;
	enum role pr;
	size_t n;
	int i, y = 0, bottom = h;

	if (focused)
		v->zoomed = zoomed;
	if (v->form != NULL && focused) {
		form_draw(v->form, ui->keys, win, h, w, hints_form);
		return;
	}
	n = view_debt_rows(v, ui, &rows);
	view_debt_sync_sel(v, rows, n);
	v->list_y = v->list_end = 0;
	if (v->detail && zoomed && n > 0) {
		if (v->confirm_id != NULL)
			bottom--;
		draw_detail(v, ui, win, bottom, w, rows[v->list.sel]);
		goto prompts;
	}
	problem = problem_line(v, ui, &pr);
	if (problem != NULL && zoomed) {
		/* Zoomed, the whole reason fits: up to three lines of it. */
		struct dlines l = { NULL, 0 };
		size_t k;

		dl_wrap(&l, pr, 1, problem, w - 2);
		for (k = 0; k < l.n && k < 3 && y < h; k++)
			draw_text(win, y++, 1, w - 2, pr, l.v[k].text);
		dl_free(&l);
	} else if (problem != NULL && y < h)
		draw_text(win, y++, 1, w - 2, pr, problem);
	layout(&c, w, zoomed, v->sort, rows, n);
	if (zoomed && h - y >= 4) {
		draw_status(v, win, y++, w, n);
		draw_header_row(win, y++, &c, v->sort);
	}
	if (v->filter_form != NULL || v->confirm_id != NULL)
		bottom--;
	/* Unzoomed, the header row only when an item still fits under it. */
	if (!zoomed && n > 0 && bottom - y >= 2)
		draw_column_row(win, y++, w, &c);
	if (n == 0 && y < bottom) {
		f = current_filter(v);
		if (f != NULL && *f != '\0')
			draw_printf(win, y, 1, w - 2, ROLE_DIM,
			    "Nothing matches \"%s\".%s", f,
			    v->filter_form == NULL ? "  Esc clears the filter."
			    : "");
		else
			draw_printf(win, y, 1, w - 2, ROLE_DIM,
			    "No %stechnical debt recorded.%s",
			    v->show_all ? "" : "open ", ui->read_only ||
			    v->store == NULL ? "" : "  n: add an item");
	}
	list_clamp(&v->list, (int)n, bottom - y);
	v->list_y = y;
	v->list_end = bottom;
	for (i = v->list.top; i < (int)n && y < bottom; i++, y++)
		draw_item_row(v, ui, win, y, w, &c, rows[i],
		    focused && i == v->list.sel);

prompts:
	if (v->filter_form != NULL) {
		draw_text(win, h - 1, 1, 2, ROLE_FOOTER_KEY, "/");
		form_draw_field(v->filter_form, 0, win, h - 1, 3, w - 4);
	} else if (v->confirm_id != NULL) {
		const struct debt_item *d = v->store != NULL ?
		    debt_store_find(v->store, v->confirm_id) : NULL;

		draw_fill(win, h - 1, 0, w, ROLE_FOOTER);
		draw_printf(win, h - 1, 1, w - 2, ROLE_FOOTER_KEY,
		    "Delete %s \"%s\"?  %s: delete   any other key: keep",
		    v->confirm_id, d != NULL ? d->title : "",
		    ui_key_name(ui, REQ_CONFIRM));
	}
	free(rows);
}


/* Keys while a form, the filter or a question is open. */
static int
dview_key(void *p, struct ui *ui, int key)
{
	struct debt_view *v = p;

	if (v->form != NULL)
		return view_debt_key_form(v, ui, key);
	if (v->filter_form != NULL)
		return view_debt_key_filter(v, ui, key);
	return view_debt_key_confirm(v, ui, key);
}

static int
dview_request(void *p, struct ui *ui, enum request req)
{
	struct debt_view *v = p;
	struct debt_item **rows;
	size_t n;
	int used;

	switch (req) {
	case REQ_ADD:
	case REQ_EDIT:
	case REQ_RESOLVE:
	case REQ_DELETE:
	case REQ_UNDO:
		return view_debt_request_change(v, ui, req);
	default:
		break;
	}
	n = view_debt_rows(v, ui, &rows);
	view_debt_sync_sel(v, rows, n);
	free(rows);
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
		if (!ui->zoomed)
			v->detail = 0;
		else
			return 0;
	}
	switch (req) {
	case REQ_FILTER:
		v->filter_form = form_new("filter", v);
		form_add(v->filter_form, "Filter", v->filter,
		    "title, id, owner or system;  Enter keep  Esc clear", 0,
		    NULL);
		ui->zoomed = 1;
		return 1;
	case REQ_OPEN:
		if (!ui->zoomed || n == 0)
			return 0;
		v->detail = 1;
		v->detail_top = 0;
		return 1;
	case REQ_BACK:
	case REQ_QUIT:
		if (ui->zoomed && v->filter != NULL) {
			free(v->filter);
			v->filter = NULL;
			return 1;
		}
		return 0;
	case REQ_SHOW_RESOLVED:
		if (!ui->zoomed)
			return 0;
		v->show_all = !v->show_all;
		return 1;
	case REQ_ORDER:
		if (!ui->zoomed)
			return 0;
		v->sort = (v->sort + 1) % DEBT_ORDER_COUNT;
		return 1;
	default:
		break;
	}
	used = list_request(&v->list, req, (int)n, 10);
	if (used) {
		n = view_debt_rows(v, ui, &rows);
		if (n > 0 && v->list.sel < (int)n)
			view_debt_set_sel(v, rows[v->list.sel]->id);
		free(rows);
	}
	return used;
}

/* A click on an item's row selects it. */
static int
dview_click(void *p, struct ui *ui, int y, int x)
{
	struct debt_view *v = p;
	struct debt_item **rows;
	int i = v->list.top + y - v->list_y, hit = 0;
	size_t n;

	(void)x;
	if (y < v->list_y || y >= v->list_end)
		return 0;
	n = view_debt_rows(v, ui, &rows);
	if (i < (int)n) {
		v->list.sel = i;
		view_debt_set_sel(v, rows[i]->id);
		hit = 1;
	}
	free(rows);
	return hit;
}

static const struct hint *
dview_hints_list(void *p, struct ui *ui)
{
	static const struct hint list[] = {
		{ REQ_ADD, "add" }, { REQ_EDIT, "edit" },
		{ REQ_RESOLVE, "resolve" }, { REQ_DELETE, "del" },
		{ REQ_UNDO, "undo" }, HINT_END
	}, zoomed[] = {
		{ REQ_OPEN, "details" }, { REQ_ADD, "add" },
		{ REQ_EDIT, "edit" }, { REQ_RESOLVE, "resolve" },
		{ REQ_DELETE, "del" }, { REQ_UNDO, "undo" },
		{ REQ_FILTER, "filter" }, { REQ_SHOW_RESOLVED, "resolved" },
		{ REQ_ORDER, "sort" }, HINT_END
	}, detail[] = {
		{ REQ_DOWN, "scroll" }, { REQ_EDIT, "edit" },
		{ REQ_RESOLVE, "resolve/reopen" }, { REQ_DELETE, "delete" },
		HINT_END
	}, editing[] = {
		{ REQ_NEWLINE, "new line" },
		{ REQ_KILL_BEFORE, "clear to the start" },
		{ REQ_LINE_START, "start" }, { REQ_LINE_END, "end" },
		HINT_END
	}, filtering[] = {
		{ REQ_SUBMIT, "keep the filter" }, { REQ_CANCEL, "clear it" },
		HINT_END
	}, deleting[] = {
		{ REQ_CONFIRM, "delete (any other key keeps it)" }, HINT_END
	};
	struct debt_view *v = p;

	/* While a form or a question is open, its own keys. */
	if (v->form != NULL)
		return editing;
	if (v->filter_form != NULL)
		return filtering;
	if (v->confirm_id != NULL)
		return deleting;
	if (v->detail && ui->zoomed)
		return detail;
	return ui->zoomed ? zoomed : list;
}

static int
dview_modal(void *p)
{
	struct debt_view *v = p;

	return v->form != NULL || v->filter_form != NULL ||
	    v->confirm_id != NULL;
}

/* ------------------------------------------------------------------ */
/* Life cycle. */

/* The store's thread has saved (or failed to save) the change. */
static void
debt_saved(int r, char *cause, void *arg)
{
	struct debt_view *v = arg;
	struct ui *ui = v->ui;

	if (v->saving_form) {
		if (r < 0 && v->form != NULL) {
			/* Nothing lost: the form still holds what was typed. */
			form_set_error(v->form, FORM_WHOLE, "%s", cause);
			ui_notice(ui, "not saved");
		} else if (r < 0)
			ui_notice(ui, "not saved: %s", cause);
		else {
			view_debt_set_sel(v, v->saving_id);
			ui_notice(ui, "%s", r == 0 ? v->saving_msg : cause);
			if (v->form != NULL)
				view_debt_close_form(v, ui);
		}
		free(cause);
	} else
		view_debt_report(ui, r, cause, "%s", v->saving_msg);
	free(v->saving_id);
	v->saving_id = NULL;
	free(v->saving_msg);
	v->saving_msg = NULL;
	ui_redraw(ui);
}

/* Another maintop saved the debt file: the list follows. */
static void
debt_refreshed(void *arg)
{
	struct debt_view *v = arg;

	ui_notice(v->ui, "debt list reloaded: changed by another maintop");
	ui_redraw(v->ui);
}

/* The team store's list has been read (or could not be). */
static void
debt_loaded(void *arg)
{
	struct debt_view *v = arg;

	ui_redraw(v->ui);
}

void
view_debt_reread(struct debt_view *v)
{
	if (v->form != NULL)
		v->reread = 1;
	else if (v->store != NULL)
		debt_store_refresh(v->store, debt_refreshed, v);
}

/* The team's debt items may have changed (a notification of one, the
 * store back). */
static void
team_changed(unsigned what, void *arg)
{
	(void)what;
	view_debt_reread(arg);
}

static void
state_changed(unsigned what, void *arg)
{
	if (what & WATCH_DEBT)
		view_debt_reread(arg);
}

static void *
dview_init(struct ui *ui)
{
	struct debt_view *v;
	struct cfg_errors errs = { 0 };
	char *cause = NULL, *dir = NULL;

	v = xcalloc(1, sizeof *v);
	v->ui = ui;
	v->tz = ui->cfg->settings.timezone;
	/* Saves run on the worker: the screen never waits on the disk, nor
	 * on another maintop holding the lock (the worker waits for it, up
	 * to 3 s), nor on the team store, whose list is read and saved on
	 * the store's thread through the dashboard's one connection. */
	v->store = debt_store_open_async(ui->cfg, ui->read_only, ui->team !=
	    NULL ? store_async_worker(ui->team) : ui->worker, ui->team !=
	    NULL ? store_async_lazy(ui->team) : NULL, debt_saved, debt_loaded,
	    v, &errs, &cause);
	if (v->store == NULL) {
		v->why = xasprintf("debt file unavailable: %s", cause);
		free(cause);
		return v;
	}
	/* What another engineer saves in the team store shows here. */
	if (ui->team != NULL)
		store_async_subscribe(ui->team, STORE_ASYNC_DEBT |
		    STORE_ASYNC_LINK, team_changed, v);
	/* What another maintop saves shows here (none without inotify). */
	if (config_state_dir(ui->cfg, &dir, &cause) == 0)
		v->watch = watch_new(ui->base, dir, state_changed, v, &cause);
	free(cause);
	free(dir);
	/* Load problems are kept by the store as its refusal, shown in the
	 * pane; the list of them is not needed here. */
	cfg_errors_free(&errs);
	return v;
}

static void
dview_free(void *p)
{
	struct debt_view *v = p;

	if (v == NULL)
		return;
	watch_free(v->watch);
	if (v->ui->team != NULL)
		store_async_unsubscribe(v->ui->team, team_changed, v);
	debt_store_free(v->store);
	form_free(v->form);
	form_free(v->filter_form);
	free(v->why);
	free(v->sel_id);
	free(v->filter);
	free(v->edit_id);
	free(v->confirm_id);
	free(v->saving_id);
	free(v->saving_msg);
	free(v);
}

const struct view_ops view_debt_ops = {
	.name = "Debt",
	.section = KS_DEBT,
	.hints = dview_hints_list,
	.init = dview_init,
	.free = dview_free,
	.draw = dview_draw,
	.request = dview_request,
	.click = dview_click,
	.key = dview_key,
	.modal = dview_modal,
};

