/* The run console: asks for a runbook's parameters, shows the dry run, then
 * runs the runbook step by step with its checklist, live output and prompts.
 * Here: the console's stages, the runner's hooks and the keys; its output
 * is kept by console_out.c and drawn by console_draw.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "cli.h"
#include "console.h"
#include "form.h"
#include "health.h"
#include "runbook.h"
#include "runner.h"
#include "sanitize.h"
#include "store_async.h"
#include "util.h"

#include "console_priv.h"

/* The journal changed (a run started or ended): the owner rereads it. */
static void
con_journal_changed(struct console *con)
{
	if (con->o.journal_changed != NULL)
		con->o.journal_changed(con->o.arg);
}

/* The runner's hooks. */

static time_t
env_last_success(const char *runbook, void *arg)
{
	struct console *con = arg;

	return con->o.last_success(runbook, con->o.arg);
}

static int
env_check_state(const char *check, void *arg)
{
	struct console *con = arg;
	struct health *h = con->o.ui->health;
	const struct check_status *st;
	long i;

	if (h == NULL || (i = health_find(h, check)) < 0)
		return RUNNER_CHECK_UNKNOWN;
	st = health_get(h, (size_t)i);
	if (st->since == 0)
		return RUNNER_CHECK_UNKNOWN;	/* no result yet */
	switch (st->state) {
	case STATE_OK:
		return RUNNER_CHECK_OK;
	case STATE_WARN:
		return RUNNER_CHECK_WARN;
	case STATE_CRIT:
		return RUNNER_CHECK_CRIT;
	default:
		return RUNNER_CHECK_UNKNOWN;
	}
}

/* A fresh result of a check, for a success criterion. */
static int
env_check_fresh(const char *check, unsigned long long *token,
    const char **msg, void *arg)
{
	struct console *con = arg;

	return con->o.ui->health != NULL ? health_fresh(con->o.ui->health,
	    check, token, msg) : -2;
}

static int
env_in_window(const char *runbook, time_t now, char **which, void *arg)
{
	struct console *con = arg;
	const struct config *c = con->o.ui->cfg;
	struct occurrence *act = NULL;
	size_t n, i, k;
	int listed = 0;

	for (i = 0; i < c->nwindows; i++)
		for (k = 0; k < c->windows[i]->nrunbooks; k++)
			if (strcmp(c->windows[i]->runbooks[k], runbook) == 0)
				listed = 1;
	if (!listed)
		return 0;
	n = calendar_active(c, now, &act);
	for (i = 0; i < n; i++) {
		if (act[i].w->kind != WINDOW_MAINTENANCE)
			continue;
		for (k = 0; k < act[i].w->nrunbooks; k++) {
			if (strcmp(act[i].w->runbooks[k], runbook) != 0)
				continue;
			*which = xstrdup(act[i].w->name);
			free(act);
			return 1;
		}
	}
	free(act);
	return 0;
}

static void
con_prompt_reset(struct console *con)
{
	form_free(con->name);
	con->name = NULL;
	con->ask_abort = 0;
	free(con->msg);
	con->msg = NULL;
	free(con->describe);
	con->describe = NULL;
	con->desc_top = 0;
}

static void
env_on_confirm(struct runner *r, void *arg)
{
	struct console *con = arg;

	con_prompt_reset(con);
	con->describe = runner_describe(r);
	con->scroll = 0;
	if (!con->shown)
		ui_notice(con->o.ui, "runbook %s waits for you: Enter on "
		    "Runbooks opens its console", con->rb->name);
	ui_redraw(con->o.ui);
}

static void
env_on_failed(struct runner *r, void *arg)
{
	struct console *con = arg;

	con_prompt_reset(con);
	con->scroll = 0;
	if (!con->shown)
		ui_notice(con->o.ui, "runbook %s: a step failed; Enter on "
		    "Runbooks opens its console", con->rb->name);
	ui_redraw(con->o.ui);
}

static void
env_on_step(struct runner *r, size_t i, void *arg)
{
	struct console *con = arg;
	const struct runner_step *s = runner_step_info(r, i);

	if (s != NULL && s->state == RSTEP_RUNNING) {
		con_prompt_reset(con);
		con->t0[i] = util_mono_ms();
		console_out_note(con, "--- step %zu/%zu: %s ---", i + 1,
		    con->rb->nsteps, con->rb->steps[i]->name);
	} else
		console_out_flush(con);
	ui_redraw(con->o.ui);
}

static void
env_on_output(struct runner *r, const char *data, size_t len, int err,
    void *arg)
{
	struct console *con = arg;
	char *clean;

	if (err) {
		/* One whole line of standard error, drawn in its own role;
		 * sanitized on its own (standard output's partial escape
		 * sequence, if any, stays with standard output). */
		clean = sanitize_text(data, len, 0);
		len = strcspn(clean, "\n");
		if (len > CON_LINE_MAX)
			len = CON_LINE_MAX;
		if (con->partial.len > 0) {
			console_out_push(con, con->partial.s, con->partial.len);
			buf_reset(&con->partial);
		}
		console_out_push_as(con, clean, len, 1);
		free(clean);
	} else
		console_out_feed(con, data, len);
	ui_redraw(con->o.ui);
}

/*
 * An interactive step takes the terminal: curses lets go of it, and takes
 * it back (and redraws everything) when the step ends.
 */
static void
env_on_terminal(struct runner *r, int begin, void *arg)
{
	struct console *con = arg;

	if (begin)
		ui_suspend(con->o.ui);
	else
		ui_resume(con->o.ui);
}

static void
env_on_finished(struct runner *r, void *arg)
{
	struct console *con = arg;

	console_out_flush(con);
	con_prompt_reset(con);
	con->finished = 1;
	con->scroll = 0;
	con_journal_changed(con);
	if (!con->shown)
		ui_notice(con->o.ui, "run of %s ended: %s", con->rb->name,
		    runner_result_name(runner_result(r)));
	ui_redraw(con->o.ui);
}

/* Opening, starting and closing the console. */


static void
con_to_preview(struct console *con)
{
	con->stage = CON_PREVIEW;
	free(con->preview);
	con->preview = runbook_dry_run(con->rb, con->values);
	con->preview_top = 0;
}

struct console *
console_open(const struct console_owner *o, size_t idx)
{
	const struct runbook *rb = o->ui->cfg->runbooks[idx];
	const struct runbook_param *p;
	struct console *con;
	char *title, *hint, *cause = NULL;
	size_t i;
	int flags;

	con = xcalloc(1, sizeof *con);
	con->o = *o;
	con->rb = rb;
	con->idx = idx;
	con->t0 = xcalloc(rb->nsteps + 1, sizeof *con->t0);
	buf_init(&con->partial);
	sanitizer_init(&con->san, SANITIZE_KEEP_NEWLINES);
	con->shown = 1;
	if (rb->nparams == 0) {
		if (runbook_bind(rb, NULL, 0, &con->values, NULL, &cause) !=
		    0) {
			con->values = NULL;
			con->error = cause;
		}
		con_to_preview(con);
		return con;
	}
	con->stage = CON_PARAMS;
	title = xasprintf("Parameters of runbook %s", rb->name);
	con->params = form_new(title, NULL);
	free(title);
	for (i = 0; i < rb->nparams; i++) {
		p = &rb->params[i];
		/* Required values are checked in con_bind, with the same
		 * words the line mode uses. */
		flags = p->secret ? FORM_SECRET : 0;
		if (p->pattern != NULL)
			hint = xasprintf("matching %s%s", p->pattern,
			    p->def == NULL ? " (required)" : "");
		else
			hint = xstrdup(p->def == NULL ? "(required)" : "");
		form_add(con->params, p->name, p->def, hint, flags, NULL);
		/* What the parameter is for, shown whether or not the
		 * field has a value or the focus. */
		form_note(con->params, i, p->description);
		free(hint);
	}
	return con;
}

/* A field's text ("" when the field was never filled). */
static const char *
field(const struct form *f, size_t i)
{
	const char *s = form_value(f, i);

	return s != NULL ? s : "";
}

/* Checks the form's values and binds them; 0, or -1 (errors shown). */
static int
con_bind(struct console *con)
{
	const struct runbook *rb = con->rb;
	char **assign, *cause = NULL;
	const char *val;
	size_t i, n = 0, bad = (size_t)-1;
	int rc;

	for (i = 0; i < rb->nparams; i++) {
		val = field(con->params, i);
		if (*val == '\0')
			continue;
		if (runbook_param_check(&rb->params[i], val, &cause) != 0) {
			form_set_error(con->params, i, "%s", cause);
			free(cause);
			cause = NULL;
			if (bad == (size_t)-1)
				bad = i;
		}
	}
	if (bad != (size_t)-1) {
		form_focus(con->params, bad);
		return -1;
	}
	assign = xcalloc(rb->nparams + 1, sizeof *assign);
	for (i = 0; i < rb->nparams; i++) {
		val = field(con->params, i);
		if (*val != '\0')
			assign[n++] = xasprintf("%s=%s", rb->params[i].name,
			    val);
	}
	rc = runbook_bind(rb, assign, n, &con->values, &bad, &cause);
	for (i = 0; i < n; i++)
		free(assign[i]);
	free(assign);
	if (rc != 0) {
		con->values = NULL;
		if (bad != (size_t)-1) {
			form_set_error(con->params, bad, "a value is needed");
			form_focus(con->params, bad);
		} else
			form_set_error(con->params, FORM_WHOLE, "%s", cause);
		free(cause);
		return -1;
	}
	return 0;
}

/* Creates the runner and starts it; a refusal stays on the preview. */
static void
con_start(struct console *con, int overrides)
{
	struct ui *ui = con->o.ui;
	char *cause = NULL;

	free(con->error);
	con->error = NULL;
	con->refusal = 0;
	con->overrides = overrides;
	/* The front end's refusal; the runner refuses again by itself. */
	if (ui->read_only) {
		con->error = xstrdup("read-only mode: runbooks cannot be run");
		return;
	}
	if (con->o.state_dir == NULL) {
		con->error = xasprintf("no state directory: %s",
		    con->o.state_error != NULL ? con->o.state_error : "?");
		return;
	}
	if (con->values == NULL)
		return;
	/* Without the team store nobody would know of the run, but with
	 * --local-lock: then its lock is this host's, its records spool. */
	if (ui->team != NULL && store_async_stale(ui->team) != NULL &&
	    (ui->local_lock == NULL || store_async_store(ui->team) == NULL)) {
		con->error = xasprintf("%s: new runs are refused until it "
		    "answers (or start maintop with --local-lock WHY)",
		    store_async_stale(ui->team));
		return;
	}
	memset(&con->env, 0, sizeof con->env);
	con->env.base = ui->base;
	con->env.worker = ui->worker;
	if (ui->team != NULL) {
		/* The lock and the records on the store's own thread. */
		con->env.store = store_async_store(ui->team);
		con->env.worker = store_async_worker(ui->team);
		con->env.local_lock = ui->local_lock;
	}
	con->env.state_dir = con->o.state_dir;
	con->env.read_only = ui->read_only;
	con->env.cfg = ui->cfg;
	con->env.now = cli_now;
	con->env.check_state = env_check_state;
	if (con->o.last_success != NULL)
		con->env.last_success = env_last_success;
	con->env.check_fresh = env_check_fresh;
	con->env.in_window = env_in_window;
	con->env.on_confirm = env_on_confirm;
	con->env.on_failed = env_on_failed;
	con->env.on_step = env_on_step;
	con->env.on_output = env_on_output;
	con->env.on_terminal = env_on_terminal;
	con->env.on_finished = env_on_finished;
	con->env.arg = con;
	con->r = runner_new(&con->env, con->rb, con->values,
	    overrides & ~RUNNER_OVERRIDE_HEALTH);
	if (overrides & RUNNER_OVERRIDE_HEALTH)
		runner_override_health(con->r, con->health_reason);
	if (runner_start(con->r, &cause) != 0) {
		con->refusal = runner_refusal(con->r);
		runner_free(con->r);
		con->r = NULL;
		con->error = cause;	/* shown on the dry run */
		return;
	}
	con->stage = CON_RUN;
	console_out_note(con, "run %s of %s%s%s", runner_id(con->r),
	    con->rb->name,
	    overrides & RUNNER_OVERRIDE_WINDOW ? " (outside its windows: "
	    "override recorded)" : "", overrides & RUNNER_OVERRIDE_HEALTH ?
	    " (despite its health requirement: override and reason "
	    "recorded)" : "");
	/* A run that started changes the journal: the pane shows it. */
	con_journal_changed(con);
}

void
console_free(struct console *con)
{
	size_t i;
	int ran;

	if (con == NULL)
		return;
	ran = con->r != NULL;
	runner_free(con->r);
	form_free(con->params);
	form_free(con->name);
	form_free(con->reason);
	free(con->health_reason);
	if (con->values != NULL)
		runbook_values_free(con->rb, con->values);
	free(con->preview);
	free(con->error);
	free(con->msg);
	free(con->describe);
	free(con->t0);
	for (i = 0; i < con->nlines; i++)
		free(con->lines[(con->first + i) % CON_LINES]);
	buf_free(&con->partial);
	if (ran)
		con_journal_changed(con);
	free(con);
}

/* Drawing. */


enum role
console_result_role(const char *result)
{
	if (result == NULL)
		return ROLE_UNKNOWN;
	if (strcmp(result, "success") == 0)
		return ROLE_OK;
	/* "running", or "running 2/4 vacuum" (another maintop's run). */
	if (strcmp(result, "rolled-back") == 0 ||
	    strcmp(result, "detached") == 0 ||
	    (strncmp(result, "running", 7) == 0 && (result[7] == '\0' ||
	    result[7] == ' ')) ||
	    strcmp(result, "unfinished") == 0)
		return ROLE_WARN;
	return ROLE_CRIT;
}

enum role
console_step_role(enum runner_step_state s)
{
	switch (s) {
	case RSTEP_PENDING:
	case RSTEP_SKIPPED:
		return ROLE_DIM;
	case RSTEP_RUNNING:
		return ROLE_WARN;
	case RSTEP_OK:
		return ROLE_OK;
	case RSTEP_ROLLEDBACK:
		return ROLE_MAINTENANCE;
	default:
		return ROLE_CRIT;
	}
}

void
console_status(const struct console *con, char *buf, size_t len, enum role *r)
{
	size_t i;
	int rb;

	*r = ROLE_WARN;
	if (con->stage != CON_RUN) {
		snprintf(buf, len, "preparing a run");
		return;
	}
	i = runner_current(con->r, &rb);
	switch (runner_phase(con->r)) {
	case RUNNER_CONFIRM:
		snprintf(buf, len, "waiting: %s step %zu/%zu",
		    rb >= 0 ? "confirm rollback of" : "confirm", i + 1,
		    con->rb->nsteps);
		break;
	case RUNNER_FAILED:
		*r = ROLE_CRIT;
		snprintf(buf, len, "waiting: step %zu/%zu failed", i + 1,
		    con->rb->nsteps);
		break;
	case RUNNER_DONE:
		*r = console_result_role(runner_result_name(runner_result(con->r)));
		snprintf(buf, len, "%s (console open)",
		    runner_result_name(runner_result(con->r)));
		break;
	default:
		snprintf(buf, len, "running step %zu/%zu", i + 1,
		    con->rb->nsteps);
		break;
	}
}


/* Typing the reason for a health override; Enter starts with it. */
static void
key_reason(struct console *con, int key)
{
	switch (form_key(con->reason, ui_form_request(con->o.ui, key),
	    key)) {
	case FORM_CANCEL:
		break;
	case FORM_SUBMIT:
		if (*field(con->reason, 0) == '\0')
			return;		/* a reason is needed: keep asking */
		free(con->health_reason);
		con->health_reason = xstrdup(field(con->reason, 0));
		form_free(con->reason);
		con->reason = NULL;
		con_start(con, con->overrides | RUNNER_OVERRIDE_HEALTH);
		return;
	case FORM_CONTINUE:
		return;
	}
	form_free(con->reason);
	con->reason = NULL;
}

/* O on the dry run: the override the refusal allows. */
static void
con_override(struct console *con)
{
	if (con->refusal & RUNNER_OVERRIDE_HEALTH) {
		con->reason = form_new("", NULL);
		form_add(con->reason, "reason", NULL, NULL, 0, NULL);
	} else if (con->rb->require_window)
		con_start(con, con->overrides | RUNNER_OVERRIDE_WINDOW);
}


/* Keys. */

static void
con_set_msg(struct console *con, char *cause)
{
	free(con->msg);
	con->msg = cause;
}

/* Scrolls the output (or the preview); returns 1 when req was a move. */
static int
scroll_request(int *top, enum request req, int down_is_newer)
{
	int d;

	switch (req) {
	case REQ_DOWN:
		d = 1;
		break;
	case REQ_UP:
		d = -1;
		break;
	case REQ_PAGE_DOWN:
		d = 10;
		break;
	case REQ_PAGE_UP:
		d = -10;
		break;
	case REQ_LAST:
		*top = down_is_newer ? 0 : 1 << 20;
		return 1;
	case REQ_FIRST:
		*top = down_is_newer ? 1 << 20 : 0;
		return 1;
	default:
		return 0;
	}
	*top += down_is_newer ? -d : d;
	if (*top < 0)
		*top = 0;
	return 1;
}

static void
con_hide(struct console *con)
{
	con->shown = 0;
	ui_notice(con->o.ui, "the run of %s goes on; %s on Runbooks shows it "
	    "again", con->rb->name, ui_key_name(con->o.ui, REQ_OPEN));
}

/* Typing the runbook's name for a danger step. */
static void
key_danger_name(struct console *con, int key)
{
	char *cause = NULL;

	switch (form_key(con->name, ui_form_request(con->o.ui, key), key)) {
	case FORM_CANCEL:
		form_free(con->name);
		con->name = NULL;
		break;
	case FORM_SUBMIT:
		if (runner_confirm(con->r, field(con->name, 0), &cause) != 0) {
			con_set_msg(con, cause);
			form_set_value(con->name, 0, "");
		} else {
			form_free(con->name);
			con->name = NULL;
			con_set_msg(con, NULL);
		}
		break;
	case FORM_CONTINUE:
		break;
	}
}

/* y before a step: runs it, or asks for the runbook's name first. */
static int
con_confirm(struct console *con, char **cause)
{
	if (!runner_needs_name(con->r))
		return runner_confirm(con->r, NULL, cause);
	con->name = form_new("", NULL);
	form_add(con->name, "name", NULL, NULL, 0, NULL);
	con_set_msg(con, NULL);
	return 0;
}

/* A request while the run waits at a step, or after a step failed. */
static int
request_waiting(struct console *con, enum request req, char **cause)
{
	int failed = runner_phase(con->r) == RUNNER_FAILED;

	switch (req) {
	case REQ_CONFIRM:
		return failed ? runner_retry(con->r, cause) :
		    con_confirm(con, cause);
	case REQ_SKIP:
		return runner_skip(con->r, cause);
	case REQ_ROLLBACK:
		return runner_rollback(con->r, cause);
	case REQ_ABORT:
		return runner_abort(con->r, cause);
	default:
		return 0;
	}
}

static enum console_act
key_run(struct console *con, int key)
{
	struct ui *ui = con->o.ui;
	enum request req = ui_request(ui, key);
	char *cause = NULL;

	if (con->finished) {
		if (req == REQ_BACK || req == REQ_QUIT || req == REQ_OPEN)
			return CONSOLE_CLOSE;
		scroll_request(&con->scroll, req, 1);
		return CONSOLE_KEEP;
	}
	if (con->name != NULL) {
		key_danger_name(con, key);
		return CONSOLE_KEEP;
	}
	if (con->ask_abort) {
		if (req == REQ_CONFIRM)
			runner_abort(con->r, NULL);
		con->ask_abort = 0;
		return CONSOLE_KEEP;
	}
	switch (req) {
	case REQ_INTERRUPT:
		if (runner_phase(con->r) == RUNNER_RUNNING)
			runner_interrupt(con->r);
		else
			ui_notice(ui, "nothing is running: %s aborts the run",
			    ui_key_name(ui, REQ_ABORT));
		return CONSOLE_KEEP;
	case REQ_BACK:
	case REQ_QUIT:
		/* The run goes on; the console comes back with Enter. */
		con_hide(con);
		return CONSOLE_KEEP;
	default:
		break;
	}
	if (runner_phase(con->r) == RUNNER_CONFIRM && con->desc_over &&
	    scroll_request(&con->desc_top, req, 0))
		return CONSOLE_KEEP;
	if (scroll_request(&con->scroll, req, 1))
		return CONSOLE_KEEP;
	switch (runner_phase(con->r)) {
	case RUNNER_CONFIRM:
	case RUNNER_FAILED:
		if (request_waiting(con, req, &cause) != 0)
			con_set_msg(con, cause);
		break;
	case RUNNER_RUNNING:
		if (req == REQ_ABORT)
			con->ask_abort = 1;
		break;
	default:
		break;
	}
	return CONSOLE_KEEP;
}

int
console_wheel(struct console *con, enum request req)
{
	switch (con->stage) {
	case CON_PARAMS:
		return 0;
	case CON_PREVIEW:
		return con->reason == NULL &&
		    scroll_request(&con->preview_top, req, 0);
	case CON_RUN:
		if (con->finished)
			return scroll_request(&con->scroll, req, 1);
		if (con->name != NULL || con->ask_abort)
			return 0;
		if (runner_phase(con->r) == RUNNER_CONFIRM && con->desc_over)
			return scroll_request(&con->desc_top, req, 0);
		return scroll_request(&con->scroll, req, 1);
	}
	return 0;
}

enum console_act
console_key(struct console *con, int key)
{
	enum request req = ui_request(con->o.ui, key);

	switch (con->stage) {
	case CON_PARAMS:
		if (req == REQ_INTERRUPT)
			return CONSOLE_CLOSE;
		switch (form_key(con->params, ui_form_request(con->o.ui,
		    key), key)) {
		case FORM_CANCEL:
			return CONSOLE_CLOSE;
		case FORM_SUBMIT:
			if (con_bind(con) == 0)
				con_to_preview(con);
			break;
		case FORM_CONTINUE:
			break;
		}
		return CONSOLE_KEEP;
	case CON_PREVIEW:
		if (con->reason != NULL) {
			key_reason(con, key);
			return CONSOLE_KEEP;
		}
		if (req == REQ_BACK || req == REQ_QUIT || req == REQ_INTERRUPT)
			return CONSOLE_CLOSE;
		if (scroll_request(&con->preview_top, req, 0))
			return CONSOLE_KEEP;
		if (req == REQ_OPEN || req == REQ_CONFIRM)
			con_start(con, con->overrides);
		else if (req == REQ_OVERRIDE)
			con_override(con);
		return CONSOLE_KEEP;
	case CON_RUN:
		return key_run(con, key);
	}
	return CONSOLE_KEEP;
}

size_t
console_index(const struct console *con)
{
	return con->idx;
}

const char *
console_name(const struct console *con)
{
	return con->rb->name;
}

int
console_finished(const struct console *con)
{
	return con->finished;
}

int
console_shown(const struct console *con)
{
	return con->shown;
}

void
console_show(struct console *con)
{
	con->shown = 1;
}

const char *
console_busy(const struct console *con)
{
	static char text[128];

	if (con->r == NULL || con->finished)
		return NULL;
	snprintf(text, sizeof text, "a run of %s is going", con->rb->name);
	return text;
}

const char *
console_badge(const struct console *con)
{
	static char text[160];
	size_t i;
	int rb;

	if (con->r == NULL || con->finished)
		return NULL;
	i = runner_current(con->r, &rb);
	snprintf(text, sizeof text, "RUN %s %zu/%zu%s", con->rb->name, i + 1,
	    con->rb->nsteps, runner_phase(con->r) == RUNNER_CONFIRM ?
	    " waits for you" : runner_phase(con->r) == RUNNER_FAILED ?
	    " failed, waits for you" : rb >= 0 ? " rolling back" : "");
	return text;
}

void
console_hangup(struct console *con)
{
	if (con->r != NULL && !con->finished)
		runner_detach(con->r);
}

const struct hint *
console_hints(const struct console *con)
{
	static const struct hint closing[] = {
		{ REQ_BACK, "close the run console" }, HINT_END
	}, cancel[] = {
		{ REQ_BACK, "cancel" }, HINT_END
	}, params[] = {
		{ REQ_KILL_BEFORE, "clear to the start" },
		{ REQ_CANCEL, "cancel" }, HINT_END
	}, running[] = {
		{ REQ_INTERRUPT, "interrupt the step" },
		{ REQ_BACK, "hide the console (the run goes on)" }, HINT_END
	};

	if (con->finished)
		return closing;
	if (con->stage == CON_PARAMS)
		return params;
	return con->r == NULL ? cancel : running;
}

