/* A window's autoruns, run by "maintop agent" one at a time, unattended:
 * the runner's callbacks, the journal and events of each run, and the
 * holds read at the window's start. */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <jansson.h>

#include "agent.h"
#include "agent_doc.h"
#include "agent_hold.h"
#include "agent_priv.h"
#include "agent_tell.h"
#include "calendar.h"
#include "cli.h"
#include "config.h"
#include "health.h"
#include "journal.h"
#include "maint.h"
#include "notify.h"
#include "outbox.h"
#include "runbook.h"
#include "sanitize.h"
#include "store.h"
#include "worker.h"

/* --- autoruns ------------------------------------------------------------- */

static void	told_started(struct agent *);

static void
on_next(evutil_socket_t fd, short what, void *arg)
{
	agent_run_next(arg);
}

/* A journal record the worker could not write. */
static void
journal_failed(void *arg, const char *cause)
{
	agent_log(arg, 3, "journal: %s", cause);
}

static void
journal_autorun(struct agent *a, const struct window *w, const char *rb,
    const char *result, const char *why)
{
	struct buf b;
	char iso[32], *id;

	util_format_utc(cli_now(), iso, sizeof iso);
	buf_init(&b);
	buf_adds(&b, "{\"type\":\"autorun\",\"time\":");
	buf_json_str(&b, iso);
	buf_adds(&b, ",\"window\":");
	buf_json_str(&b, w->name);
	buf_adds(&b, ",\"runbook\":");
	buf_json_str(&b, rb);
	buf_adds(&b, ",\"result\":");
	buf_json_str(&b, result);
	buf_adds(&b, ",\"why\":");
	buf_json_str(&b, why);
	buf_adds(&b, ",");
	journal_who(&b);
	buf_adds(&b, "}");
	/* On the worker (an append and fsync, or a row of the team store),
	 * in order with the runs' records queued there. */
	id = xasprintf("autorun %s %s %s %s", w->name, rb, iso, result);
	agent_journal_later(a->io, a->store, a->state_dir, id, b.s,
	    journal_failed, a);
	free(id);
	buf_free(&b);
}

static void
run_event(struct agent *a, const char *type, const char *result,
    const char *text)
{
	char *id, *subject, *ev, iso[32];
	char *const *names;
	size_t n;

	util_format_utc(cli_now(), iso, sizeof iso);
	id = xasprintf("%s:%s:%s:%s", type, a->running->name,
	    a->run_window->name, iso);
	subject = result == NULL ? xasprintf("runbook '%s' started by the "
	    "agent (window '%s')", a->running->name, a->run_window->name) :
	    xasprintf("runbook '%s' (window '%s'): %s", a->running->name,
	    a->run_window->name, result);
	ev = notify_event_json(id, type, cli_now(), a->running->name, subject,
	    text, NULL);
	names = agent_tell_run_channels(a->cfg, a->running, a->run_window,
	    &n);
	agent_send(a, names, n, id, ev);
	free(ev);
	free(subject);
	free(id);
}

static void
on_run_output(struct runner *r, const char *data, size_t len, int err,
    void *arg)
{
	struct agent *a = arg;

	/* A line of standard error is marked as in the run log. */
	if (err)
		agent_tell_tail_add(&a->out_tail, "2> ", 3);
	agent_tell_tail_add(&a->out_tail, data, len);
}

/* A step started (its output is kept from now) or failed (what it wrote
 * last is kept for the run.end event). */
static void
on_run_step(struct runner *r, size_t step, void *arg)
{
	struct agent *a = arg;
	const struct runner_step *st = runner_step_info(r, step);

	if (st == NULL)
		return;
	told_started(a);
	if (st->state == RSTEP_RUNNING) {
		free(a->out_tail);
		a->out_tail = NULL;
	} else if ((st->state == RSTEP_FAILED || st->state ==
	    RSTEP_TIMEDOUT) && a->failed_tail == NULL) {
		a->failed_tail = xstrdup(a->out_tail != NULL ? a->out_tail :
		    "");
		a->failed_step = step;
	}
}

static void
on_run_finished(struct runner *r, void *arg)
{
	struct agent *a = arg;
	const char *res = runner_result_name(runner_result(r));
	char *summary = runner_summary(r), *lines, *text;

	if (runner_result(r) != RUNNER_REFUSED)
		told_started(a);
	agent_log(a, strcmp(res, "success") == 0 ? 6 : 3, "autorun %s (window "
	    "%s): %s", a->running->name, a->run_window->name, res);
	if (strcmp(res, "success") != 0)
		a->failed = 1;
	if (a->failed_tail != NULL && a->failed_step < a->running->nsteps) {
		lines = agent_tell_tail_lines(a->failed_tail, 10);
		text = xasprintf("%s\nThe last lines of step %zu (%s):\n%s",
		    summary, a->failed_step + 1,
		    a->running->steps[a->failed_step]->name, *lines != '\0' ?
		    lines : "(no output)\n");
		free(summary);
		free(lines);
		summary = text;
	}
	run_event(a, "run.end", res, summary);
	free(summary);
	/* Free from the loop, not inside the runner's own callback. */
	event_base_once(a->base, -1, EV_TIMEOUT, on_next, a, NULL);
}

/*
 * Nobody watches an autorun: with env.unattended and env.auto_confirm the
 * runner decides by itself, and these are not called.  Should a step still
 * wait for someone, an ordinary one is confirmed (and journaled as
 * auto-confirmed by the runner), a danger one stops the run, and a failed
 * step rolls back.
 */
static void
agent_on_confirm(struct runner *r, void *arg)
{
	struct agent *a = arg;

	if (runner_needs_name(r)) {
		agent_log(a, 3, "autorun %s: a danger step needs a person; "
		    "stopping", a->running->name);
		runner_abort(r, NULL);
	} else
		runner_confirm(r, NULL, NULL);
}

static void
agent_on_failed(struct runner *r, void *arg)
{
	if (runner_rollback(r, NULL) != 0)
		runner_abort(r, NULL);
}

static int
agent_check_state(const char *name, void *arg)
{
	struct agent *a = arg;
	const struct check_status *st;
	long i;

	if (a->health == NULL || (i = health_find(a->health, name)) < 0 ||
	    (st = health_get(a->health, (size_t)i)) == NULL ||
	    st->last == NULL)
		return RUNNER_CHECK_UNKNOWN;
	return (int)st->state;
}

/* A fresh result of a check, for a success criterion. */
static int
agent_check_fresh(const char *name, unsigned long long *token,
    const char **msg, void *arg)
{
	struct agent *a = arg;

	return a->health != NULL ? health_fresh(a->health, name, token, msg) :
	    -2;
}

static int
agent_in_window(const char *runbook, time_t now, char **which, void *arg)
{
	struct agent *a = arg;
	struct occurrence occ;

	if (a->run_window != NULL &&
	    calendar_window_active(a->run_window, now, &occ)) {
		*which = xstrdup(a->run_window->name);
		return 1;
	}
	return 0;
}

/* The last success of a required runbook, as read before the start. */
static time_t
agent_last_success(const char *runbook, void *arg)
{
	struct agent *a = arg;

	return agent_prep_last_success(&a->prep, runbook);
}

static void	autorun_start(void *);

/* Takes the next queued autorun, if nothing runs: its parameters bound,
 * its requirements read on the worker, then autorun_start. */
void
agent_run_next(struct agent *a)
{
	struct autorun ar;
	char *cause = NULL;
	size_t missing;

	if (a->runner != NULL) {
		runner_free(a->runner);
		a->runner = NULL;
	}
	while (a->runner == NULL && !a->preparing && a->nqueue > 0 &&
	    !a->stopping) {
		ar = a->queue[0];
		memmove(a->queue, a->queue + 1, --a->nqueue * sizeof *a->queue);
		a->running = ar.rb;
		a->run_window = ar.w;
		if (runbook_bind(ar.rb, NULL, 0, &a->values, &missing,
		    &cause) != 0) {
			/* Unattended: a parameter without a default cannot
			 * be asked for. */
			agent_log(a, 3, "autorun %s: %s", ar.rb->name, cause);
			journal_autorun(a, ar.w, ar.rb->name, "refused",
			    cause);
			free(cause);
			cause = NULL;
			a->values = NULL;
			a->failed = 1;
			continue;
		}
		a->preparing = 1;
		agent_prep_requires(a->io, a->store, a->state_dir, ar.rb,
		    &a->prep, autorun_start, a);
	}
	if (a->runner == NULL && !a->preparing) {
		a->running = NULL;
		a->run_window = NULL;
	}
}

/* Back on the loop with the requirements read: starts the run. */
static void
autorun_start(void *arg)
{
	struct agent *a = arg;
	char *cause = NULL;

	a->preparing = 0;
	free(a->out_tail);
	free(a->failed_tail);
	a->out_tail = a->failed_tail = NULL;
	if (a->stopping) {
		runbook_values_free(a->running, a->values);
		a->values = NULL;
		return;
	}
	a->runner = runner_new(&a->env, a->running, a->values, 0);
	runbook_values_free(a->running, a->values);
	a->values = NULL;
	if (runner_start(a->runner, &cause) != 0) {
		agent_log(a, 4, "autorun %s (window %s) skipped: %s",
		    a->running->name, a->run_window->name, cause);
		journal_autorun(a, a->run_window, a->running->name, "skipped",
		    cause);
		run_event(a, "run.end", "skipped", cause);
		free(cause);
		runner_free(a->runner);
		a->runner = NULL;
		agent_run_next(a);
		return;
	}
	/* Told once the run has its lock and goes (it may take the team
	 * store's lock on the worker and be refused there). */
	a->started = 0;
}

/* The autorun goes: said once, as its first step starts. */
static void
told_started(struct agent *a)
{
	if (a->started)
		return;
	a->started = 1;
	agent_log(a, 6, "autorun %s (window %s) started", a->running->name,
	    a->run_window->name);
	run_event(a, "run.start", NULL, "");
}

/* Queues a window's autoruns in dependency order, unless a freeze holds. */
static void
autorun_window(struct agent *a, struct window *w, time_t start, time_t now)
{
	const char *freeze = NULL;
	size_t *order, i;
	char *why;

	if (!agent_leads(a)) {
		agent_log(a, 6, "window %s: another agent leads and runs its "
		    "autoruns", w->name);
		return;
	}
	if (agent_frozen(a->cfg, start, &freeze)) {
		why = xasprintf("change freeze '%s' is active", freeze);
		for (i = 0; i < w->nautorun; i++)
			journal_autorun(a, w, w->autorun[i], "skipped", why);
		agent_log(a, 4, "window %s: autorun skipped: %s", w->name, why);
		free(why);
		return;
	}
	if (now - start > AGENT_LATE) {
		struct occurrence occ;

		if (!w->catch_up || !calendar_window_active(w, now, &occ)) {
			why = xasprintf("the start at %lld passed while no "
			    "agent ran%s", (long long)start, w->catch_up ?
			    " and the window is closed" : " (catch_up is "
			    "off)");
			for (i = 0; i < w->nautorun; i++)
				journal_autorun(a, w, w->autorun[i], "missed",
				    why);
			agent_log(a, 4, "window %s: autorun missed: %s", w->name,
			    why);
			free(why);
			return;
		}
		agent_log(a, 5, "window %s: running its autoruns late (catch_up)",
		    w->name);
	}
	order = runbook_order(a->cfg, w->autorun, w->nautorun);
	for (i = 0; i < w->nautorun; i++) {
		const struct runbook *rb = config_find_runbook(a->cfg,
		    w->autorun[order[i]]);

		if (rb == NULL)
			continue;
		a->queue = xreallocarray(a->queue, a->nqueue + 1,
		    sizeof *a->queue);
		a->queue[a->nqueue].w = w;
		a->queue[a->nqueue].rb = rb;
		a->queue[a->nqueue].start = start;
		a->nqueue++;
	}
	free(order);
	if (a->runner == NULL)
		agent_run_next(a);
}

/* --- holds ----------------------------------------------------------------- */

/* A window's start whose autoruns wait for the holds to be read. */
struct hold_look {
	struct agent	*a;
	struct store	*store;
	char		*dir;
	char		*window;
	time_t		 start;
	time_t		 now;
	struct agent_holds holds;
};

static void
hold_work(void *arg)
{
	struct hold_look *h = arg;

	agent_holds_read(h->store, h->dir, &h->holds);
}

/* Back on the loop: runs the window's autoruns unless this start is held
 * (then each is journaled as held, with who and why). */
static void
hold_done(void *arg)
{
	struct hold_look *h = arg;
	struct agent *a = h->a;
	const struct agent_hold *held;
	struct window *w = config_find_window(a->cfg, h->window);
	char *why;
	size_t i;

	a->hold_looking--;
	if (w != NULL && w->nautorun > 0 && !a->stopping) {
		held = agent_holds_find(&h->holds, w->name, h->start);
		if (held == NULL)
			autorun_window(a, w, h->start, h->now);
		else {
			why = xasprintf("held by %s: %s", held->user,
			    held->reason);
			for (i = 0; i < w->nautorun; i++)
				journal_autorun(a, w, w->autorun[i], "held",
				    why);
			agent_log(a, 5, "window %s: autorun %s (this start only)",
			    w->name, why);
			free(why);
		}
	}
	agent_holds_free(&h->holds);
	free(h->window);
	free(h->dir);
	free(h);
}

/* Reads the holds on the disk worker, then hold_done decides. */
void
agent_run_hold_look(struct agent *a, struct window *w, time_t start, time_t now)
{
	struct hold_look *h = xcalloc(1, sizeof *h);

	h->a = a;
	h->store = a->store;
	h->dir = xstrdup(a->state_dir);
	h->window = xstrdup(w->name);
	h->start = start;
	h->now = now;
	a->hold_looking++;
	worker_run(a->io, hold_work, hold_done, h);
}

/* The runner's callbacks of an unattended autorun. */
void
agent_run_env(struct agent *a)
{
	a->env.last_success = agent_last_success;
	a->env.check_state = agent_check_state;
	a->env.check_fresh = agent_check_fresh;
	a->env.in_window = agent_in_window;
	a->env.on_confirm = agent_on_confirm;
	a->env.on_failed = agent_on_failed;
	a->env.on_finished = on_run_finished;
	a->env.on_output = on_run_output;
	a->env.on_step = on_run_step;
}
