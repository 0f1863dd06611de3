/* The Runbooks pane: runbooks with their last run and interrupted runs; Enter
 * opens the run console (console.c) in the pane. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "console.h"
#include "jsonfmt.h"
#include "runbook.h"
#include "runindex.h"
#include "runner.h"
#include "sanitize.h"
#include "store.h"
#include "store_async.h"
#include "store_follow.h"
#include "ui.h"
#include "util.h"
#include "watch.h"
#include "worker.h"

/* The last run of one runbook, from the journal. */
struct last_run {
	char	*result;	/* "success", ..., or NULL: never run */
	time_t	 start;
	time_t	 success;	/* the newest successful end, or 0 */
	json_t	*metrics;	/* its steps' METRICS, or NULL */
	json_t	*prev_metrics;	/* those of the run before with any */
	char	*detail;	/* a team's run going: its step and who */
};

/* Most steps whose metrics the zoomed pane shows. */
#define RBVIEW_METRICS_ROWS	4

struct rbview {
	struct list_state	 list;
	struct ui		*ui;
	char			*state_dir;	/* or NULL (state_error) */
	char			*state_error;
	int			 known;		/* the journal was read once */
	struct last_run		*last;		/* one per runbook */
	struct runner_orphan	*orphans;	/* found at start */
	size_t			 norphans;
	char			*start_notice;	/* shown on the first frame */
	struct console		*con;		/* at most one */
	int			 jobs;		/* journal reads not done */
	int			 gone;		/* freed, but for jobs */
	int			 reading;	/* a history read is queued */
	int			 reread;	/* ... and another is due after */
	int			 full;		/* the next reads the team's
						 * journal whole */
	struct store_follow	*follow;	/* the team's runs, or NULL */
	struct watch		*watch;		/* other maintops' runs */
	int			 list_rows;	/* rows of the list as last
						 * drawn (from the top) */
	int			*row_item;	/* the runbook on each of them,
						 * or -1 */
};

static void con_close(struct rbview *);

/*
 * Reading the journal (recovery, then the last runs) is the worker's job:
 * the pane shows what it knows and redraws when the reading is done.
 */
struct rbjob {
	struct rbview		*v;
	struct store		*store;		/* the team's, or NULL */
	struct store_follow	*follow;	/* ... its runs, kept */
	int			 full;		/* read them whole */
	char			*state_dir;
	int			 recover;	/* else the history */
	int			 mark;		/* may write (not read-only) */
	int			 rc;
	char			*cause;
	struct runindex		*index;		/* the last runs (files) */
	struct runner_orphan	*orphans;
	size_t			 norphans;
};

static void runbooks_destroy(struct rbview *);
static void load_history(struct rbview *);

/*
 * The team store's runs, on its thread: the index kept by the follower,
 * brought up to date with the journal's new records, a run with no end
 * going while its lock is held in the store.  Runs left by a maintop that
 * died are not closed here: the store's locks say which they are, for
 * every dashboard alike.
 */
static void
rbjob_store(struct rbjob *j)
{
	if (j->recover) {
		j->rc = 0;
		return;
	}
	j->rc = store_follow_update(j->follow, j->store, j->full, &j->cause);
}

/* On the worker thread: touches nothing but the job. */
static void
rbjob_work(void *arg)
{
	struct rbjob *j = arg;
	struct runner_orphan *o;
	size_t i;

	if (j->store != NULL)
		rbjob_store(j);
	else if (j->recover)
		j->rc = runner_recover(j->state_dir, j->mark, &j->orphans,
		    &j->norphans, &j->cause);
	else {	/* the index and the records since; it keeps the index */
		j->rc = runindex_load(j->state_dir, j->mark, &j->index,
		    &j->cause);
		/* Which unfinished runs are going (their lock is held). */
		for (i = 0; j->rc == 0 && i < j->index->nopen; i++) {
			o = &j->index->open[i];
			o->alive = runlock_live(j->state_dir, o->runbook,
			    o->id);
		}
	}
}

/* What the list says of a run that has no end in the journal: going in a
 * maintop (this one or another), or left by one that died.  *open is its
 * entry, or NULL. */
static const char *
unfinished(const struct runindex *x, const struct runindex_last *l,
    const struct runner_orphan **open)
{
	size_t i;

	*open = NULL;
	for (i = 0; i < x->nopen; i++)
		if (l->run != NULL && strcmp(x->open[i].id, l->run) == 0) {
			*open = &x->open[i];
			return x->open[i].alive ? "running" : "interrupted";
		}
	return "unfinished";
}

/*
 * A team's last attempt was refused (someone else's run held the lock):
 * the run that held it says more, while it goes or once it died without
 * an end.  The newest such run of the runbook, or NULL.
 */
static const struct runner_orphan *
refused_over(const struct runindex *x, const struct runindex_last *l)
{
	const struct runner_orphan *o = NULL;
	size_t i;

	if (l->result == NULL || strcmp(l->result, "refused") != 0)
		return NULL;
	for (i = 0; i < x->nopen; i++)
		if (strcmp(x->open[i].runbook, l->runbook) == 0 &&
		    (o == NULL || x->open[i].start >= o->start))
			o = &x->open[i];
	return o;
}

/* "step 2 'copy', alice": a team's run going, sanitized. */
static char *
run_detail(const struct runner_orphan *o)
{
	char *s, *safe;

	if (o->step_name != NULL)
		s = xasprintf("step %d '%s', %s", o->step + 1, o->step_name,
		    o->user != NULL ? o->user : "?");
	else
		s = xasprintf("starting, %s", o->user != NULL ? o->user : "?");
	safe = sanitize_cstr(s, 0);
	free(s);
	return safe;
}

/*
 * A run going, with where it is, sanitized (the index is a file): "running
 * 2/4 vacuum" while that step runs; between steps, "running, after 2/4
 * vacuum" once it succeeded, else how it ended ("running, 2/4 vacuum
 * failed" while its maintop asks what to do).
 */
static char *
running_step(const struct runner_orphan *o, const struct runbook *rb)
{
	char *s, *safe;

	if (o->step_result == NULL)
		s = xasprintf("running %d/%zu %s", o->step + 1, rb->nsteps,
		    o->step_name);
	else if (strcmp(o->step_result, "ok") == 0)
		s = xasprintf("running, after %d/%zu %s", o->step + 1,
		    rb->nsteps, o->step_name);
	else
		s = xasprintf("running, %d/%zu %s %s", o->step + 1,
		    rb->nsteps, o->step_name, o->step_result);
	safe = sanitize_cstr(s, 0);
	free(s);
	return safe;
}

/* The last run of every runbook, from the journal's runs. */
static void
history_read(struct rbview *v, struct rbjob *j)
{
	const struct config *c = v->ui->cfg;
	const struct runindex *x = j->store != NULL ?
	    store_follow_index(v->follow) : j->index;
	const struct runindex_last *l;
	const struct runner_orphan *o;
	size_t k;

	/* What was last read stays, the error said beside it (the header
	 * says the team's state is stale): a lost store does not make every
	 * runbook look never run. */
	if (j->rc != 0) {
		free(v->state_error);
		v->state_error = xasprintf("cannot read the journal: %s",
		    j->cause);
		return;
	}
	v->known = 1;
	for (k = 0; k < c->nrunbooks; k++) {
		free(v->last[k].result);
		v->last[k].result = NULL;
		free(v->last[k].detail);
		v->last[k].detail = NULL;
		v->last[k].start = 0;
		v->last[k].success = 0;
		json_decref(v->last[k].metrics);
		json_decref(v->last[k].prev_metrics);
		v->last[k].metrics = v->last[k].prev_metrics = NULL;
	}
	free(v->state_error);
	v->state_error = NULL;
	for (k = 0; k < c->nrunbooks; k++) {
		l = runindex_find(x, c->runbooks[k]->name);
		if (l == NULL)
			continue;
		o = NULL;
		if (j->store != NULL && (o = refused_over(x, l)) !=
		    NULL)
			v->last[k].result = xstrdup(o->alive ? "running" :
			    "interrupted");
		else
			v->last[k].result = xstrdup(l->result != NULL &&
			    strcmp(l->result, "unfinished") != 0 ? l->result :
			    unfinished(x, l, &o));
		/* Another maintop's run on this state directory: the
		 * step it last started. */
		if (j->store == NULL && o != NULL && o->alive &&
		    o->step >= 0 && o->step_name != NULL) {
			free(v->last[k].result);
			v->last[k].result = running_step(o, c->runbooks[k]);
		}
		if (j->store != NULL && o != NULL && o->alive) {
			v->last[k].detail = run_detail(o);
			/* Its end, however it comes, is heard. */
			store_async_watch(v->ui->team, o->runbook, o->id);
		}
		v->last[k].start = l->start;
		v->last[k].success = l->success;
		/* Copied: the team's index is folded again on its thread. */
		v->last[k].metrics = json_deep_copy(l->metrics);
		v->last[k].prev_metrics = json_deep_copy(l->prev_metrics);
	}
}

/* The runs a crashed or killed maintop left behind, and the notice. */
static void
recover_read(struct rbview *v, struct rbjob *j)
{
	struct runner_orphan *o = j->orphans;
	size_t n = j->norphans;

	if (j->rc != 0) {
		free(v->start_notice);
		v->start_notice = xasprintf("cannot check for interrupted "
		    "runs: %s", j->cause);
		return;
	}
	runner_orphans_free(v->orphans, v->norphans);
	v->orphans = o;
	v->norphans = n;
	j->orphans = NULL;
	j->norphans = 0;
	if (n == 0)
		return;
	free(v->start_notice);
	if (o[0].pid > 0)
		v->start_notice = xasprintf("interrupted run of %s found "
		    "(step '%s'; its process %ld %s)%s", o[0].runbook,
		    o[0].step_name != NULL ? o[0].step_name : "?",
		    (long)o[0].pid, o[0].alive ? "is still running" :
		    "is gone", n > 1 ? " and more" : "");
	else
		v->start_notice = xasprintf("interrupted run of %s found "
		    "(%s%s%s)%s", o[0].runbook, o[0].step_name != NULL ?
		    "last step '" : "before its first step",
		    o[0].step_name != NULL ? o[0].step_name : "",
		    o[0].step_name != NULL ? "'" : "", n > 1 ? " and more" :
		    "");
}

/* Back on the loop. */
static void
rbjob_done(void *arg)
{
	struct rbjob *j = arg;
	struct rbview *v = j->v;

	v->jobs--;
	if (!j->recover)
		v->reading = 0;
	if (!v->gone) {
		if (j->recover)
			recover_read(v, j);
		else
			history_read(v, j);
		ui_redraw(v->ui);
		if (!j->recover && v->reread) {
			v->reread = 0;
			load_history(v);
		}
	}
	runindex_free(j->index);
	runner_orphans_free(j->orphans, j->norphans);
	free(j->cause);
	free(j->state_dir);
	free(j);
	if (v->gone && v->jobs == 0)
		runbooks_destroy(v);
}

static void
rbjob_queue(struct rbview *v, int recover)
{
	struct store *store = NULL;
	struct rbjob *j;

	if (v->state_dir == NULL)
		return;
	/* The team's store: read on its thread once it is open. */
	if (v->ui->team != NULL && (store = store_async_store(v->ui->team)) ==
	    NULL) {
		if (!recover)
			v->reading = 0;
		return;
	}
	j = xcalloc(1, sizeof *j);
	j->v = v;
	j->store = store;
	j->follow = v->follow;
	if (!recover) {
		j->full = v->full;
		v->full = 0;
	}
	j->state_dir = xstrdup(v->state_dir);
	j->recover = recover;
	/* Read-only: report, but write nothing to the journal or the
	 * index. */
	j->mark = !v->ui->read_only;
	v->jobs++;
	worker_run(store != NULL ? store_async_worker(v->ui->team) :
	    v->ui->worker, rbjob_work, rbjob_done, j);
}

/* Rereads the last run of every runbook from the journal: one read at a
 * time, and one more after it when the journal changed meanwhile. */
static void
load_history(struct rbview *v)
{
	if (v->reading) {
		v->reread = 1;
		return;
	}
	v->reading = 1;
	rbjob_queue(v, 0);
}

/* Another maintop (or this one) wrote the journal: the list follows. */
static void
state_changed(unsigned what, void *arg)
{
	struct rbview *v = arg;

	if (what & WATCH_JOURNAL)
		load_history(v);
}

/* The team store notified a record or a lock: the records after those
 * read are read; or it was reached or lost: the journal is read whole. */
static void
team_changed(unsigned what, void *arg)
{
	struct rbview *v = arg;

	if (what & STORE_ASYNC_LINK)
		v->full = 1;
	load_history(v);
}

/* Finds the runs a crashed or killed maintop left behind. */
static void
recover(struct rbview *v)
{
	rbjob_queue(v, 1);
}

static void *
runbooks_init(struct ui *ui)
{
	struct rbview *v;
	char *cause = NULL;

	v = xcalloc(1, sizeof *v);
	v->ui = ui;
	v->last = xcalloc(ui->cfg->nrunbooks + 1, sizeof *v->last);
	/*
	 * A configured state directory is used as it is: the runner creates
	 * what it needs when a run starts, so merely looking creates nothing.
	 */
	if (ui->cfg->settings.state_dir != NULL)
		v->state_dir = xstrdup(ui->cfg->settings.state_dir);
	else if (config_state_dir(ui->cfg, &v->state_dir, &cause) != 0) {
		v->state_error = cause;
		v->state_dir = NULL;
	}
	if (ui->team != NULL)
		v->follow = store_follow_new();
	recover(v);
	load_history(v);
	if (ui->team != NULL)
		store_async_subscribe(ui->team, STORE_ASYNC_RUNS |
		    STORE_ASYNC_LINK, team_changed, v);
	/* Without inotify the pane shows this maintop's runs only. */
	if (v->state_dir != NULL &&
	    (v->watch = watch_new(ui->base, v->state_dir, state_changed, v,
	    &cause)) == NULL)
		free(cause);
	return v;
}

static void
runbooks_free(void *p)
{
	struct rbview *v = p;
	size_t k;

	if (v == NULL)
		return;
	watch_free(v->watch);
	if (v->ui->team != NULL)
		store_async_unsubscribe(v->ui->team, team_changed, v);
	con_close(v);
	for (k = 0; k < v->ui->cfg->nrunbooks; k++) {
		free(v->last[k].result);
		free(v->last[k].detail);
		json_decref(v->last[k].metrics);
		json_decref(v->last[k].prev_metrics);
	}
	free(v->last);
	runner_orphans_free(v->orphans, v->norphans);
	free(v->start_notice);
	free(v->state_dir);
	free(v->state_error);
	/* A journal read still out comes back to the struct itself. */
	v->gone = 1;
	if (v->jobs == 0)
		runbooks_destroy(v);
}

static void
runbooks_destroy(struct rbview *v)
{
	store_follow_free(v->follow);
	free(v->row_item);
	free(v);
}

static const struct runner_orphan *
find_orphan(const struct rbview *v, const char *name)
{
	size_t i;

	for (i = v->norphans; i-- > 0; )
		if (strcmp(v->orphans[i].runbook, name) == 0)
			return &v->orphans[i];
	return NULL;
}

/*
 * The name column: as wide as the longest name, never cut while the pane
 * leaves the status ("success      2026-11-25 10:00") its room; at least
 * 20 columns so that short names keep the status where it always was.
 */
static int
name_width(const struct config *c, int w)
{
	int nw = 20, k, room = w - 4 - 29;
	size_t i;

	for (i = 0; i < c->nrunbooks; i++)
		if ((k = draw_width(c->runbooks[i]->name)) > nw)
			nw = k;
	if (nw > room)
		nw = room > 20 ? room : 20;
	return nw;
}

/* How many rows the selected runbook's metrics take (zoomed): a title and
 * a line per step, at most RBVIEW_METRICS_ROWS. */
static int
metrics_rows(const struct last_run *l)
{
	size_t n;

	if (l->metrics == NULL || (n = json_object_size(l->metrics)) == 0)
		return 0;
	return 1 + (int)(n > RBVIEW_METRICS_ROWS ? RBVIEW_METRICS_ROWS : n);
}

/* The METRICS of the selected runbook's last run, each figure beside the
 * previous run's when it differs, from row y. */
static void
draw_metrics(const struct last_run *l, WINDOW *win, int y, int w)
{
	const char *step;
	json_t *figs;
	char *text, *safe, *name;
	int k = 0;

	draw_text(win, y++, 1, w - 2, ROLE_TITLE, "METRICS of the last run "
	    "(before: the run before it)");
	json_object_foreach(l->metrics, step, figs) {
		if (k++ >= RBVIEW_METRICS_ROWS)
			break;
		text = jsonfmt_figures(figs, l->prev_metrics != NULL ?
		    json_object_get(l->prev_metrics, step) : NULL);
		/* The index is a file: what it says is sanitized. */
		safe = sanitize_cstr(text, 0);
		name = sanitize_cstr(step, 0);
		draw_printf(win, y++, 3, w - 4, ROLE_TEXT, "%s: %s",
		    name, safe);
		free(name);
		free(safe);
		free(text);
	}
}

/*
 * Runbook i's status in the list into buf ("success      2026-11-25
 * 10:00", "running step 2/4", "never run") and its role; returns the
 * interrupted run found at start, if that is what the status says.
 */
static const struct runner_orphan *
row_status(struct rbview *v, size_t i, char *buf, size_t len, enum role *sr)
{
	const struct config *c = v->ui->cfg;
	const struct last_run *l = &v->last[i];
	const struct runner_orphan *o = find_orphan(v, c->runbooks[i]->name);
	char when[32];
	struct tm tm;

	if (v->con != NULL && console_index(v->con) == i &&
	    !console_finished(v->con)) {
		console_status(v->con, buf, len, sr);
		return NULL;
	}
	if (o != NULL) {
		*sr = ROLE_CRIT;
		snprintf(buf, len, "INTERRUPTED at %s%s%s",
		    o->step_name != NULL ? "step '" : "the start",
		    o->step_name != NULL ? o->step_name : "",
		    o->step_name != NULL ? "'" : "");
		return o;
	}
	if (l->result == NULL) {
		*sr = ROLE_UNKNOWN;
		/* Not "never run" when the journal could not be read. */
		snprintf(buf, len, "%s", v->known || v->state_error == NULL ?
		    "never run" : "unknown");
		return NULL;
	}
	*sr = console_result_role(l->result);
	if (util_localtime(l->start, c->settings.timezone, &tm) != 0)
		util_localtime(l->start, NULL, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
	snprintf(buf, len, "%-12s %s%s%s", l->result, when, l->detail != NULL ?
	    "  " : "", l->detail != NULL ? l->detail : "");
	return NULL;
}

/*
 * Runbook i's description wrapped to the column from dx (zoomed), under a
 * status that reaches past dx - 3; NULL when it shows none.  Returns the
 * rows the runbook takes.
 */
static int
row_lines(struct rbview *v, size_t i, int nw, int dx, int w, char **desc)
{
	const struct runbook *rb = v->ui->cfg->runbooks[i];
	char status[160];
	enum role sr;
	int n;

	*desc = NULL;
	if (rb->description == NULL || dx >= w - 9)
		return 1;
	row_status(v, i, status, sizeof status, &sr);
	*desc = draw_wrap(rb->description, w - 1 - dx);
	n = draw_count_lines(*desc);
	/* A long status: the description starts on the row below. */
	if (4 + nw + draw_width(status) + 3 > dx)
		n++;
	return n;
}

/* Keeps the selection whole on screen when runbook i takes ht[i] rows. */
static void
list_fit(struct list_state *l, const int *ht, int n, int rows)
{
	int k, sum;

	if (l->top > l->sel)
		l->top = l->sel;
	for (;;) {
		for (k = l->top, sum = 0; k <= l->sel; k++)
			sum += ht[k];
		if (sum <= rows || l->top >= l->sel)
			break;
		l->top++;
	}
	/* No empty rows at the end while runbooks above are hidden. */
	for (;;) {
		for (k = l->top - 1, sum = 0; k >= 0 && k < n; k++)
			sum += ht[k];
		if (l->top == 0 || sum > rows)
			break;
		l->top--;
	}
}

/* Under the zoomed list from row y: the selected runbook's metrics (mrows
 * rows), the state directory's error, the interrupted runs found. */
static void
draw_below(struct rbview *v, WINDOW *win, int y, int h, int w, int mrows)
{
	const struct runner_orphan *o;
	char when[32];
	size_t j;

	if (mrows > 0) {
		draw_metrics(&v->last[v->list.sel], win, y + 1, w);
		y += mrows + 1;
	}
	if (v->state_error != NULL)
		draw_text(win, y++, 1, w - 2, ROLE_CRIT, v->state_error);
	if (v->norphans == 0)
		return;
	y++;
	draw_text(win, y++, 1, w - 2, ROLE_TITLE, "Interrupted runs found "
	    "at start (maintop crashed or was killed):");
	for (j = 0; j < v->norphans && y + 1 < h; j++) {
		o = &v->orphans[j];
		util_format_utc(o->start, when, sizeof when);
		draw_printf(win, y++, 1, w - 2, ROLE_CRIT,
		    "! %s: run %s by %s, started %s", o->runbook, o->id,
		    o->user != NULL ? o->user : "?", when);
		if (o->pid > 0)
			draw_printf(win, y++, 3, w - 4, ROLE_TEXT,
			    "interrupted at step '%s'; its process %ld %s",
			    o->step_name != NULL ? o->step_name : "?",
			    (long)o->pid, o->alive ? "is still running" :
			    "is gone");
		else if (o->step_name != NULL)
			draw_printf(win, y++, 3, w - 4, ROLE_TEXT,
			    "interrupted after step '%s'", o->step_name);
		else
			draw_text(win, y++, 3, w - 4, ROLE_TEXT,
			    "interrupted before its first step");
	}
}

/* The list's header: the name, the last run's status, and the
 * description from column dx when one is shown (dx 0: none). */
static void
draw_column_row(WINDOW *win, int w, int nw, int dx)
{
	struct draw_column col[3] = {
		{ 3, nw, "RUNBOOK" },
		{ 4 + nw, 0, "LAST RUN" },
		{ dx, 0, "DESCRIPTION" },
	};

	if (dx > 0)
		col[1].width = dx - 4 - nw - 1;
	draw_column_header(win, 0, w, col, dx > 0 ? 3 : 2);
}

static void
draw_list(struct rbview *v, struct ui *ui, WINDOW *win, int h, int w,
    int focused, int zoomed)
{
	const struct config *c = ui->cfg;
	const struct runner_orphan *o;
	char status[160], **desc;
	enum role r, sr;
	int i, y, x, rows = h, n = (int)c->nrunbooks, nw, dx, d, mrows = 0;
	int *ht, k, top;

	nw = name_width(c, w);
	/* The description's column: five past the widest usual status. */
	dx = nw + 38;

	if (zoomed && v->norphans > 0)
		rows = h - 2 * (int)(v->norphans > 3 ? 3 : v->norphans) - 2;
	if (zoomed && v->state_error != NULL)
		rows--;
	if (zoomed && v->list.sel >= 0 && v->list.sel < n)
		mrows = metrics_rows(&v->last[v->list.sel]);
	if (mrows > 0 && rows - mrows - 1 >= 3)
		rows -= mrows + 1;
	else
		mrows = 0;
	if (rows < 1)
		rows = 1;
	/* Zoomed, a description wraps under itself rather than being cut. */
	ht = xcalloc((size_t)n + 1, sizeof *ht);
	desc = xcalloc((size_t)n + 1, sizeof *desc);
	for (i = 0; i < n; i++)
		ht[i] = zoomed ? row_lines(v, (size_t)i, nw, dx, w, &desc[i]) :
		    1;
	/* The header row only when a runbook still fits under it. */
	top = rows > 1;
	for (i = 0, k = 0; i < n; i++)
		k |= desc[i] != NULL;
	if (top)
		draw_column_row(win, w, nw, k ? dx : 0);
	list_clamp(&v->list, n, rows - top);
	list_fit(&v->list, ht, n, rows - top);
	free(v->row_item);
	v->row_item = xcalloc((size_t)rows, sizeof *v->row_item);
	v->list_rows = rows;
	for (k = 0; k < rows; k++)
		v->row_item[k] = -1;
	for (i = v->list.top, y = top; i < n && y < rows; i++, y += ht[i - 1]) {
		const struct runbook *rb = c->runbooks[i];

		r = ROLE_TEXT;
		if (focused && i == v->list.sel) {
			for (k = y; k < y + ht[i] && k < rows; k++)
				draw_fill(win, k, 0, w, ROLE_SELECTION_FOCUS);
			r = ROLE_SELECTION_FOCUS;
		}
		for (k = y; k < y + ht[i] && k < rows; k++)
			v->row_item[k] = i;
		o = row_status(v, (size_t)i, status, sizeof status, &sr);
		draw_text(win, y, 1, 1, sr, o != NULL && sr == ROLE_CRIT ?
		    "!" : draw_glyph(GLYPH_BULLET));
		draw_text(win, y, 3, nw, r, rb->name);
		x = 4 + nw + draw_text(win, y, 4 + nw, w - 5 - nw,
		    r == ROLE_TEXT ? (sr == ROLE_UNKNOWN ? ROLE_DIM : sr) : r,
		    status);
		d = x + 3 > dx ? y + 1 : y;
		if (desc[i] != NULL && d < rows)
			draw_lines(win, d, dx, rows - d, w - 1 - dx,
			    r == ROLE_TEXT ? ROLE_DIM : r, desc[i], 0);
	}
	for (i = 0; i < n; i++)
		free(desc[i]);
	free(desc);
	free(ht);
	if (zoomed)
		draw_below(v, win, rows, h, w, mrows);
}


static void
runbooks_draw(void *p, struct ui *ui, WINDOW *win, int h, int w, int focused,
    int zoomed)
{
	struct rbview *v = p;

	if (v->start_notice != NULL) {
		ui_notice(ui, "%s", v->start_notice);
		free(v->start_notice);
		v->start_notice = NULL;
	}
	v->list_rows = 0;
	if (v->con != NULL && console_shown(v->con)) {
		console_draw(v->con, win, h, w);
		return;
	}
	if (ui->cfg->nrunbooks == 0) {
		draw_text(win, 0, 1, w - 2, ROLE_DIM,
		    "No runbooks configured.");
		return;
	}
	draw_list(v, ui, win, h, w, focused, zoomed);
}


/* The console's run started or ended: the list shows it. */
static void
journal_changed(void *arg)
{
	load_history(arg);
}

/* A runbook's newest success as last read off the worker (for requires:
 * the loop never reads the journal itself). */
static time_t
last_success(const char *name, void *arg)
{
	struct rbview *v = arg;
	const struct config *c = v->ui->cfg;
	size_t k;

	for (k = 0; k < c->nrunbooks; k++)
		if (strcmp(c->runbooks[k]->name, name) == 0)
			return v->last[k].success;
	return 0;
}

static void
con_close(struct rbview *v)
{
	console_free(v->con);
	v->con = NULL;
}

static void
con_open(struct rbview *v, size_t idx)
{
	struct console_owner o;

	memset(&o, 0, sizeof o);
	o.ui = v->ui;
	o.state_dir = v->state_dir;
	o.state_error = v->state_error;
	o.journal_changed = journal_changed;
	o.last_success = last_success;
	o.arg = v;
	v->con = console_open(&o, idx);
}

/* Keys while the console has the pane. */
static int
runbooks_key(void *p, struct ui *ui, int key)
{
	struct rbview *v = p;

	if (console_key(v->con, key) == CONSOLE_CLOSE)
		con_close(v);
	return 1;
}

/* The wheel over the run console scrolls it, as its keys do. */
static int
runbooks_modal_wheel(void *p, struct ui *ui, enum request req)
{
	struct rbview *v = p;

	(void)ui;
	return v->con != NULL && console_shown(v->con) &&
	    console_wheel(v->con, req);
}

static int
runbooks_request(void *p, struct ui *ui, enum request req)
{
	struct rbview *v = p;
	int n = (int)ui->cfg->nrunbooks;
	size_t sel;

	if (req != REQ_OPEN)
		return list_request(&v->list, req, n, 10);
	/* Enter on the small pane zooms it (the frame does that). */
	if (!ui->zoomed || n == 0)
		return 0;
	if (ui->read_only) {
		ui_notice(ui, "read-only mode: runbooks cannot be run");
		return 1;
	}
	list_clamp(&v->list, n, 1 << 20);
	sel = (size_t)v->list.sel;
	if (v->con != NULL) {
		if (!console_finished(v->con) || console_index(v->con) == sel) {
			if (console_index(v->con) != sel)
				ui_notice(ui, "one run at a time: %s is still "
				    "going", console_name(v->con));
			console_show(v->con);
			return 1;
		}
		con_close(v);
	}
	con_open(v, sel);
	return 1;
}

/* A click on a runbook's rows selects it. */
static int
runbooks_click(void *p, struct ui *ui, int y, int x)
{
	struct rbview *v = p;

	(void)x;
	if (y < 0 || y >= v->list_rows || v->row_item[y] < 0 ||
	    v->row_item[y] >= (int)ui->cfg->nrunbooks)
		return 0;
	v->list.sel = v->row_item[y];
	return 1;
}

static int
runbooks_modal(void *p)
{
	struct rbview *v = p;

	return v->con != NULL && console_shown(v->con);
}

/* What quitting would interrupt: a run that has not finished. */
static const char *
runbooks_busy(void *p)
{
	struct rbview *v = p;

	return v->con != NULL ? console_busy(v->con) : NULL;
}

static const char *
runbooks_badge(void *p)
{
	struct rbview *v = p;

	return v->con != NULL ? console_badge(v->con) : NULL;
}

/* The terminal hung up: the running step finishes, nothing new starts. */
static void
runbooks_hangup(void *p)
{
	struct rbview *v = p;

	if (v->con != NULL)
		console_hangup(v->con);
}

static const struct hint *
runbooks_hints(void *p, struct ui *ui)
{
	static const struct hint zoomed[] = {
		{ REQ_OPEN, "run console" }, HINT_END
	};
	struct rbview *v = p;

	if (v->con != NULL && console_shown(v->con))
		return console_hints(v->con);
	return ui->zoomed ? zoomed : NULL;
}

const struct view_ops view_runbooks_ops = {
	.name = "Runbooks",
	.section = KS_CONSOLE,
	.hints = runbooks_hints,
	.init = runbooks_init,
	.free = runbooks_free,
	.draw = runbooks_draw,
	.request = runbooks_request,
	.click = runbooks_click,
	.key = runbooks_key,
	.modal = runbooks_modal,
	.modal_wheel = runbooks_modal_wheel,
	.busy = runbooks_busy,
	.badge = runbooks_badge,
	.hangup = runbooks_hangup,
};
