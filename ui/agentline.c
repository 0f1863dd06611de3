/* The agent in the Calendar pane; see agentline.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "agent_doc.h"
#include "agent_hold.h"
#include "agent_state.h"
#include "agent_tell.h"
#include "agentline.h"
#include "calendar.h"
#include "config.h"
#include "form.h"
#include "notify.h"
#include "store_async.h"
#include "store_lazy.h"
#include "ui.h"
#include "worker.h"

/* The state file is read this often (milliseconds); the team store's
 * document only when the store says it was written. */
#define AGENTLINE_EVERY_MS	5000
/* At most this many next notices are listed. */
#define AGENTLINE_NOTICES	2

struct agentline {
	char			*dir;		/* the state directory, or NULL */
	struct store_lazy	*lazy;		/* its store, on worker */
	struct worker		*worker;	/* the team store's, or
						 * the dashboard's */
	int			 own;		/* lazy is ours to free */
	struct store_async	*team;		/* told of writes, or NULL */
	int			 dirty;		/* the team's document to read */
	struct agent_status	 st;
	int			 present;	/* a state file was read */
	int			 reading;
	long long		 read_ms;	/* when the last reading began */
	struct ui		*ui;

	/* Holding the next autorun: the form asking why, and what. */
	struct form		*form;
	char			*hold_window;
	time_t			 hold_start;
	char			 hold_when[64];
};

struct agentline_job {
	struct agentline	*al;
	char			*dir;
	struct store_lazy	*lazy;
	struct agent_status	 st;
	int			 present;
};

/* On the worker: the agent's state, the team's with a team store. */
static void
read_work(void *arg)
{
	struct agentline_job *j = arg;
	struct store *store;
	char *data, *cause = NULL;
	size_t len = 0;

	store = store_lazy_get(j->lazy, &cause);
	free(cause);	/* unreachable: no agent seen */
	if (store == NULL)
		return;
	data = agent_doc_read(store, j->dir, AGENT_STATE_DOC,
	    AGENT_STATE_FILE_MAX, &len);
	if (data == NULL)
		return;
	j->present = agent_status_parse(&j->st, data, len) == 0;
	free(data);
}

static void
read_done(void *arg)
{
	struct agentline_job *j = arg;
	struct agentline *al = j->al;

	agent_status_free(&al->st);
	al->st = j->st;
	al->present = j->present;
	al->reading = 0;
	free(j->dir);
	free(j);
	ui_redraw(al->ui);
}

/* Asks the worker for a fresh reading when the last is old enough. */
static void
agentline_poll(struct agentline *al)
{
	struct agentline_job *j;
	long long now = util_mono_ms();

	if (al->dir == NULL || al->reading)
		return;
	if (al->team != NULL ? !al->dirty : (al->read_ms != 0 &&
	    now - al->read_ms < AGENTLINE_EVERY_MS))
		return;
	al->dirty = 0;
	j = xcalloc(1, sizeof *j);
	j->al = al;
	j->dir = xstrdup(al->dir);
	j->lazy = al->lazy;
	al->reading = 1;
	al->read_ms = now;
	worker_run(al->worker, read_work, read_done, j);
}

/* The team store wrote an agent's document, or was reached again. */
static void
team_changed(unsigned what, void *arg)
{
	struct agentline *al = arg;

	(void)what;
	al->dirty = 1;
	agentline_poll(al);
}

struct agentline *
agentline_new(struct ui *ui)
{
	struct agentline *al = xcalloc(1, sizeof *al);
	char *dir = NULL, *cause = NULL;

	al->ui = ui;
	/* As the Runbooks pane: a configured directory as it is. */
	if (ui->cfg->settings.state_dir != NULL)
		al->dir = xstrdup(ui->cfg->settings.state_dir);
	else if (config_state_dir(ui->cfg, &dir, &cause) == 0)
		al->dir = dir;
	free(cause);
	/* A team store is the dashboard's, shared on its thread. */
	al->worker = ui->team != NULL ? store_async_worker(ui->team) :
	    ui->worker;
	if (al->dir != NULL && ui->team != NULL) {
		al->lazy = store_async_lazy(ui->team);
		al->team = ui->team;
		al->dirty = 1;
		store_async_subscribe(ui->team, STORE_ASYNC_AGENT |
		    STORE_ASYNC_LINK, team_changed, al);
	} else if (al->dir != NULL) {
		al->lazy = store_lazy_new(ui->cfg, al->dir);
		al->own = 1;
	}
	agentline_poll(al);
	return al;
}

void
agentline_free(struct agentline *al)
{
	if (al == NULL)
		return;
	if (al->team != NULL)
		store_async_unsubscribe(al->team, team_changed, al);
	agent_status_free(&al->st);
	form_free(al->form);
	free(al->hold_window);
	free(al->dir);
	if (al->own)
		store_lazy_free(al->lazy, al->worker);
	free(al);
}

int
agentline_wanted(struct agentline *al, struct ui *ui)
{
	size_t i;

	if (al->present || ui->cfg->nchannels > 0)
		return 1;
	for (i = 0; i < ui->cfg->nwindows; i++)
		if (ui->cfg->windows[i]->nautorun > 0)
			return 1;
	return 0;
}

/* "4s", "3m", "2h", "5d": how long ago, to the largest unit. */
static void
ago(time_t secs, char *buf, size_t len)
{
	if (secs < 0)
		secs = 0;
	if (secs < 120)
		snprintf(buf, len, "%llds", (long long)secs);
	else if (secs < 7200)
		snprintf(buf, len, "%lldm", (long long)secs / 60);
	else if (secs < 2 * 86400)
		snprintf(buf, len, "%lldh", (long long)secs / 3600);
	else
		snprintf(buf, len, "%lldd", (long long)secs / 86400);
}

/* "notice db-maintenance 12-04 02:00 in 9h to ops-log, chat": when a
 * window's notice goes out and to which channels. */
static void
draw_notice(const struct agent_item *it, struct ui *ui, WINDOW *win, int y,
    int w)
{
	char when[32], left[32];
	char *const *names;
	struct tm tm;
	size_t n, k;
	int x = 1, end = w - 1;

	if (util_localtime(it->when, ui->cfg->settings.timezone, &tm) != 0 ||
	    strftime(when, sizeof when, "%m-%d %H:%M", &tm) == 0)
		snprintf(when, sizeof when, "?");
	util_format_duration(it->when - ui->now, left, sizeof left);
	names = agent_tell_channels(ui->cfg, it->w->notify, it->w->nnotify,
	    NULL, 0, &n);
	x += draw_text(win, y, x, end - x, ROLE_DIM, "notice ");
	x += draw_text(win, y, x, end - x, ROLE_TEXT, it->w->name);
	x += draw_printf(win, y, x, end - x, ROLE_DIM, " %s in %s", when,
	    left);
	if (n == 0) {
		draw_text(win, y, x, end - x, ROLE_WARN, " to no channel");
		return;
	}
	for (k = 0; k < n && x < end; k++) {
		x += draw_text(win, y, x, end - x, ROLE_DIM, k == 0 ? " to " :
		    ", ");
		x += draw_text(win, y, x, end - x, ROLE_TEXT, names[k]);
	}
}

/* The agent's line: its heartbeat, next autorun, failed deliveries. */
static void
draw_agent(struct agentline *al, struct ui *ui, WINDOW *win, int y, int w)
{
	const struct agent_status *st = al->present ? &al->st : NULL;
	enum agent_liveness live = agent_status_liveness(st, ui->now);
	char when[32], age[32];
	struct tm tm;
	int x = 1, end = w - 1;

	agentline_poll(al);
	if (st != NULL && live == AGENT_ALIVE) {
		ago(ui->now - st->heartbeat, age, sizeof age);
		x += draw_printf(win, y, x, end - x, ROLE_OK, "agent %s",
		    draw_glyph(GLYPH_BULLET));
		x += draw_printf(win, y, x, end - x, ROLE_DIM, " %s ago",
		    age);
	} else if (st != NULL && live == AGENT_STALE) {
		ago(ui->now - st->heartbeat, age, sizeof age);
		x += draw_printf(win, y, x, end - x, ROLE_WARN, "agent not "
		    "seen for %s", age);
	} else
		x += draw_text(win, y, x, end - x, ROLE_WARN, "no agent");
	if (st != NULL && st->nnext > 0 && x < end) {
		if (util_localtime(st->next[0].start,
		    ui->cfg->settings.timezone, &tm) != 0 ||
		    strftime(when, sizeof when, "%m-%d %H:%M", &tm) == 0)
			snprintf(when, sizeof when, "?");
		x += draw_printf(win, y, x, end - x, ROLE_TEXT, "  autorun ");
		x += draw_text(win, y, x, end - x, ROLE_TEXT,
		    st->next[0].window);
		x += draw_printf(win, y, x, end - x, ROLE_DIM, " %s", when);
		if (st->next[0].held)
			x += draw_text(win, y, x, end - x, ROLE_WARN, " held");
	}
	if (st != NULL && st->failed > 0 && x < end)
		draw_printf(win, y, x, end - x, ROLE_CRIT, "  %lld failed "
		    "deliver%s", st->failed, st->failed == 1 ? "y" : "ies");
}

int
agentline_draw(struct agentline *al, struct ui *ui, WINDOW *win, int h,
    int w)
{
	struct agent_item *notices;
	size_t n, i;
	int rows;

	if (h < 2 || !agentline_wanted(al, ui))
		return 0;
	/* The notices below the agent's line, while two rows at least are
	 * left for the calendar. */
	n = agent_next_notices(ui->cfg, ui->now, AGENTLINE_NOTICES, &notices);
	if (h < 3)
		n = 0;
	else if (n > (size_t)h - 3)
		n = (size_t)h - 3;
	rows = 1 + (int)n;
	draw_agent(al, ui, win, h - rows, w);
	for (i = 0; i < n; i++)
		draw_notice(&notices[i], ui, win, h - rows + 1 + (int)i, w);
	free(notices);
	return rows;
}

/* --- holding the next autorun ------------------------------------------- */

struct hold_job {
	struct ui	*ui;
	char		*dir;
	struct store_lazy *lazy;
	char		*window;
	char		*when;
	char		*reason;
	time_t		 start;
	time_t		 now;
	int		 rc;
	char		*cause;
};

static void
hold_work(void *arg)
{
	struct hold_job *j = arg;
	struct store *store = store_lazy_get(j->lazy, &j->cause);

	j->rc = store == NULL ? -1 : agent_hold_apply(store, j->dir,
	    j->window, j->start, 0, j->reason, j->now, &j->cause);
}

static void
hold_done(void *arg)
{
	struct hold_job *j = arg;

	if (j->rc == 0)
		ui_notice(j->ui, "held the autorun of '%s' at %s", j->window,
		    j->when);
	else
		ui_notice(j->ui, "not held: %s", j->cause);
	free(j->cause);
	free(j->reason);
	free(j->when);
	free(j->window);
	free(j->dir);
	free(j);
}

/* A reason is one line of at most 1000 bytes (the CLI's rule). */
static char *
hold_check(size_t field, const char *value, void *arg)
{
	if (strlen(value) > 1000)
		return xstrdup("at most 1000 bytes");
	return NULL;
}

int
agentline_hold(struct agentline *al, struct ui *ui)
{
	struct window *w, *best = NULL;
	time_t prev, next, when = 0;
	int has_prev, has_next;
	struct tm tm;
	char *title;
	size_t i;

	if (ui->read_only) {
		ui_notice(ui, "read-only: no autorun is held");
		return 1;
	}
	for (i = 0; i < ui->cfg->nwindows; i++) {
		w = ui->cfg->windows[i];
		if (w->nautorun == 0)
			continue;
		calendar_window_around(w, ui->now, &has_prev, &prev,
		    &has_next, &next);
		if (has_next && (best == NULL || next < when)) {
			best = w;
			when = next;
		}
	}
	if (best == NULL || al->dir == NULL) {
		ui_notice(ui, best == NULL ? "no autorun to hold" :
		    "no state directory: nothing can be held");
		return 1;
	}
	free(al->hold_window);
	al->hold_window = xstrdup(best->name);
	al->hold_start = when;
	if (util_localtime(when, ui->cfg->settings.timezone, &tm) != 0 ||
	    strftime(al->hold_when, sizeof al->hold_when,
	    "%a %Y-%m-%d %H:%M %Z", &tm) == 0)
		util_format_utc(when, al->hold_when, sizeof al->hold_when);
	title = xasprintf("Hold the autorun of '%s' at %s", best->name,
	    al->hold_when);
	form_free(al->form);
	al->form = form_new(title, al);
	free(title);
	form_add(al->form, "Reason", NULL, "why: the journal records it",
	    FORM_REQUIRED, hold_check);
	return 1;
}

int
agentline_modal(struct agentline *al)
{
	return al->form != NULL;
}

/* The form's keys, from the key table. */
static const struct hint agentline_form_hints[] = {
	{ REQ_SUBMIT, "hold" }, { REQ_CANCEL, "cancel" }, HINT_END
};

const struct hint *
agentline_hints(struct agentline *al)
{
	return al->form != NULL ? agentline_form_hints : NULL;
}

void
agentline_draw_form(struct agentline *al, const struct ui *ui, WINDOW *win,
    int h, int w)
{
	if (al->form != NULL)
		form_draw(al->form, ui->keys, win, h, w, agentline_form_hints);
}

int
agentline_key(struct agentline *al, struct ui *ui, int key)
{
	struct hold_job *j;

	switch (form_key(al->form, ui_form_request(ui, key), key)) {
	case FORM_CANCEL:
		ui_notice(ui, "nothing held");
		break;
	case FORM_SUBMIT:
		j = xcalloc(1, sizeof *j);
		j->ui = ui;
		j->dir = xstrdup(al->dir);
		j->lazy = al->lazy;
		j->window = xstrdup(al->hold_window);
		j->when = xstrdup(al->hold_when);
		j->reason = xstrdup(form_value(al->form, 0));
		j->start = al->hold_start;
		j->now = ui->now;
		worker_run(al->worker, hold_work, hold_done, j);
		break;
	default:
		return 1;
	}
	form_free(al->form);
	al->form = NULL;
	ui_redraw(ui);
	return 1;
}
