/* The runbook runner: runs a runbook's steps as a state machine on the one
 * event loop, with confirmations, timeouts, rollback, a per-runbook lock, a
 * run log and journal records. */
#include "runner_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "config.h"
#include "fileio.h"
#include "jsonfmt.h"
#include "runbook.h"
#include "runlog.h"
#include "sanitize.h"


const char *
runner_result_name(enum runner_result res)
{
	switch (res) {
	case RUNNER_NONE:
		return "running";
	case RUNNER_SUCCESS:
		return "success";
	case RUNNER_FAILURE:
		return "failed";
	case RUNNER_ABORTED:
		return "aborted";
	case RUNNER_ROLLED_BACK:
		return "rolled-back";
	case RUNNER_DETACHED:
		return "detached";
	case RUNNER_PARTIAL:
		return "partial";
	case RUNNER_ROLLBACK_FAILED:
		return "rollback-failed";
	case RUNNER_INTERRUPTED:
		return "interrupted";
	case RUNNER_REFUSED:
		return "refused";
	}
	return "?";
}

int
runner_result_exit(enum runner_result res)
{
	switch (res) {
	case RUNNER_SUCCESS:
		return 0;
	case RUNNER_NONE:
	case RUNNER_FAILURE:
		return 1;
	case RUNNER_PARTIAL:
		return 4;
	case RUNNER_ROLLED_BACK:
		return 5;
	case RUNNER_ROLLBACK_FAILED:
		return 6;
	case RUNNER_ABORTED:
		return 7;
	case RUNNER_INTERRUPTED:
		return 8;
	case RUNNER_DETACHED:
		return 9;
	case RUNNER_REFUSED:
		return 10;
	}
	return 1;
}

const char *
runner_step_state_name(enum runner_step_state s)
{
	switch (s) {
	case RSTEP_PENDING:
		return "pending";
	case RSTEP_RUNNING:
		return "running";
	case RSTEP_OK:
		return "ok";
	case RSTEP_FAILED:
		return "failed";
	case RSTEP_SKIPPED:
		return "skipped";
	case RSTEP_TIMEDOUT:
		return "timed-out";
	case RSTEP_ROLLEDBACK:
		return "rolled-back";
	}
	return "?";
}

time_t
runner_now(const struct runner *r)
{
	return r->env.now != NULL ? r->env.now() : time(NULL);
}

static void
iso(time_t t, char *out, size_t len)
{
	util_format_utc(t, out, len);
}

/* The step being confirmed or run: a rollback step while rolling back. */
const struct step *
runner_current_step(const struct runner *r)
{
	const struct step *st;

	if (r->in_rollback) {
		if (r->rbpos >= r->nrb)
			return NULL;
		st = r->rb->steps[r->rbv[r->rbpos].step];
		return st->rollback[r->rbv[r->rbpos].j];
	}
	if (r->cur >= r->rb->nsteps)
		return NULL;
	return r->rb->steps[r->cur];
}

size_t
runner_current(const struct runner *r, int *rollback)
{
	if (r->in_rollback && r->rbpos < r->nrb) {
		if (rollback != NULL)
			*rollback = (int)r->rbv[r->rbpos].j;
		return r->rbv[r->rbpos].step;
	}
	if (rollback != NULL)
		*rollback = -1;
	return r->cur;
}

enum runner_phase
runner_phase(const struct runner *r)
{
	return r->phase;
}

enum runner_result
runner_result(const struct runner *r)
{
	return r->result;
}

const char *
runner_id(const struct runner *r)
{
	return r->id;
}

const char *
runner_log_path(const struct runner *r)
{
	return r->log_path;
}

const struct runner_step *
runner_step_info(const struct runner *r, size_t i)
{
	return i < r->rb->nsteps ? &r->steps[i] : NULL;
}

int
runner_needs_name(const struct runner *r)
{
	const struct step *st = runner_current_step(r);

	return r->phase == RUNNER_CONFIRM && st != NULL && st->danger;
}

char *
runner_step_metrics(const struct runner *r, size_t i)
{
	if (i >= r->rb->nsteps || r->metrics[i] == NULL)
		return NULL;
	return jsonfmt_dumps(r->metrics[i], 0);
}

void
runner_event_free(struct event **ev)
{
	if (*ev != NULL) {
		event_free(*ev);
		*ev = NULL;
	}
}

/* Stops watching a descriptor and closes it. */
void
runner_close_watched(struct event **ev, int *fd)
{
	runner_event_free(ev);
	if (*fd != -1) {
		close(*fd);
		*fd = -1;
	}
}

int
runner_terminal_owned(const struct runner *r)
{
	return r->interactive;
}

static void
on_kill(evutil_socket_t fd, short what, void *arg)
{
	struct runner *r = arg;

	if (r->pid > 0) {
		stepout_say(r, "maintop: still running after the grace period: "
		    "SIGKILL\n");
		child_signal(r, SIGKILL);
	}
}

void
runner_stop_step(struct runner *r, const char *why)
{
	struct timeval tv;
	long long grace = r->env.kill_grace_ms > 0 ? r->env.kill_grace_ms :
	    5000;

	if (r->ev_poll != NULL || (r->crit_active && r->pid <= 0)) {
		/* A wait, or a criteria step between two criteria. */
		runner_event_free(&r->ev_poll);
		stepout_say(r, "maintop: %s\n", why);
		runner_step_complete(r, RSTEP_TIMEDOUT, -1, 0, why);
		return;
	}
	if (r->pid <= 0 || r->timed_out)
		return;
	r->timed_out = 1;
	stepout_say(r, "maintop: %s: SIGTERM to the step\n", why);
	child_signal(r, SIGTERM);
	r->ev_kill = evtimer_new(r->env.base, on_kill, r);
	tv.tv_sec = grace / 1000;
	tv.tv_usec = (grace % 1000) * 1000;
	evtimer_add(r->ev_kill, &tv);
}

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct runner *r = arg;
	const struct step *st = runner_current_step(r);
	char dur[32], *why;

	util_format_duration(st->timeout, dur, sizeof dur);
	why = xasprintf(st->kind == STEP_WAIT ? "timed out after %s waiting "
	    "for health" : "timed out after %s", dur);
	runner_stop_step(r, why);
	free(why);
}

static void
on_poll(evutil_socket_t fd, short what, void *arg)
{
	struct runner *r = arg;
	const struct step *st = runner_current_step(r);
	static const char *const names[] = { "ok", "warn", "crit",
	    "unknown" };
	struct buf b;
	struct timeval tv;
	long long ms = r->env.poll_ms > 0 ? r->env.poll_ms : 1000;
	size_t i;
	int s, all = 1;

	buf_init(&b);
	buf_adds(&b, "waiting for");
	for (i = 0; i < st->nchecks; i++) {
		s = r->env.check_state != NULL ?
		    r->env.check_state(st->checks[i], r->env.arg) :
		    RUNNER_CHECK_UNKNOWN;
		if (s < 0 || s > RUNNER_CHECK_UNKNOWN)
			s = RUNNER_CHECK_UNKNOWN;
		if (s != RUNNER_CHECK_OK)
			all = 0;
		buf_printf(&b, " %s (%s)", st->checks[i], names[s]);
	}
	if (all) {
		buf_free(&b);
		runner_event_free(&r->ev_poll);
		stepout_say(r, "maintop: every check is ok\n");
		runner_step_complete(r, RSTEP_OK, 0, 0, NULL);
		return;
	}
	if (r->wait_status == NULL || strcmp(r->wait_status, b.s) != 0) {
		stepout_say(r, "maintop: %s\n", b.s);
		free(r->wait_status);
		r->wait_status = buf_detach(&b);
	}
	buf_free(&b);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(r->ev_poll, &tv);
}

/* Forgets the last step's standard error lines. */
static void
runner_err_reset(struct runner *r)
{
	size_t i;

	for (i = 0; i < RUNNER_ERR_TAIL; i++) {
		free(r->err_tail[i]);
		r->err_tail[i] = NULL;
	}
	r->err_lines = 0;
}

/* The last lines of standard error, oldest first, as a JSON array. */
static json_t *
err_tail(const struct runner *r)
{
	json_t *a = json_array();
	size_t i, n = r->err_lines < RUNNER_ERR_TAIL ? r->err_lines :
	    RUNNER_ERR_TAIL;

	for (i = r->err_lines - n; i < r->err_lines; i++)
		json_array_append_new(a, json_string(
		    r->err_tail[i % RUNNER_ERR_TAIL]));
	return a;
}

static void
launch(struct runner *r)
{
	const struct step *st = runner_current_step(r);
	size_t i = runner_current(r, NULL);
	struct runner_step *rs = &r->steps[i];
	struct timeval tv;
	json_t *o;
	char *cause = NULL, *text;

	if (runkeep_halted(r))
		return;
	r->phase = RUNNER_RUNNING;
	r->timed_out = 0;
	r->interrupts = 0;
	r->t0 = util_mono_ms();
	runner_err_reset(r);
	if (!r->in_rollback) {
		rs->state = RSTEP_RUNNING;
		rs->attempts++;
		rs->exit_code = -1;
		rs->signal = 0;
		free(rs->message);
		rs->message = NULL;
		if (r->metrics[i] != NULL) {
			json_decref(r->metrics[i]);
			r->metrics[i] = NULL;
		}
	}
	text = runbook_step_text(r->rb, r->values, st, "   ");
	stepout_log(r, "== %s%s %zu/%zu: %s\n%s", r->in_rollback ? "rollback "
	    : "", "step", i + 1, r->rb->nsteps, st->name, text);
	free(text);

	if ((st->kind == STEP_RUN || st->kind == STEP_SQL ||
	    st->kind == STEP_REDIS || st->kind == STEP_HTTP) &&
	    child_spawn(r, st, &cause) != 0) {
		stepout_say(r, "maintop: cannot run the step: %s\n", cause);
		free(cause);
		runner_step_complete(r, RSTEP_FAILED, -1, 0, "could not start");
		return;
	}
	if (st->kind == STEP_WAIT && r->env.read_only) {
		runner_step_complete(r, RSTEP_FAILED, -1, 0, "read-only mode");
		return;
	}

	o = runjournal_record(r, "step_start");
	json_object_set_new(o, "step", json_integer((json_int_t)i));
	json_object_set_new(o, "name", json_string(st->name));
	if (r->in_rollback)
		json_object_set_new(o, "rollback", json_true());
	if (r->always_phase)
		json_object_set_new(o, "always", json_true());
	if (r->auto_confirmed)
		json_object_set_new(o, "auto_confirmed", json_true());
	if (r->pid > 0)
		json_object_set_new(o, "pid", json_integer(r->pid));
	runjournal_write(r, o, 0, NULL);
	r->auto_confirmed = 0;

	if (!r->in_rollback && r->env.on_step != NULL) {
		rs->pid = r->pid;
		r->env.on_step(r, i, r->env.arg);
	}
	if (st->timeout > 0) {
		r->ev_timeout = evtimer_new(r->env.base, on_timeout, r);
		tv.tv_sec = (time_t)st->timeout;
		tv.tv_usec = 0;
		evtimer_add(r->ev_timeout, &tv);
	}
	if (st->kind == STEP_WAIT) {
		free(r->wait_status);
		r->wait_status = NULL;
		r->ev_poll = evtimer_new(r->env.base, on_poll, r);
		tv.tv_sec = 0;
		tv.tv_usec = 0;
		evtimer_add(r->ev_poll, &tv);
	}
	if (st->kind == STEP_PAUSE)
		runner_step_complete(r, RSTEP_OK, 0, 0, NULL);
	if (st->kind == STEP_CRITERIA)
		runcrit_start(r);
}

static void
stop_events(struct runner *r)
{
	runner_event_free(&r->ev_timeout);
	runner_event_free(&r->ev_kill);
	runner_event_free(&r->ev_poll);
}

/* The run's records are on disk, its log closed, its lock released. */
static void
finished(struct runner *r, const char *err)
{
	(void)err;
	/* Last: the front end may free the runner in this callback. */
	if (!r->freed && r->env.on_finished != NULL)
		r->env.on_finished(r, r->env.arg);
}

/* The run's own timers, stopped when it ends. */
static void
stop_run_events(struct runner *r)
{
	stop_events(r);
	runner_event_free(&r->ev_budget);
	runkeep_stop(r);
}

void
runner_finish(struct runner *r)
{
	json_t *o;
	char when[32], dur[32];
	long long ms = util_mono_ms() - r->start_ms;

	stop_run_events(r);
	r->phase = RUNNER_DONE;
	iso(runner_now(r), when, sizeof when);
	o = runjournal_record(r, "run_end");
	json_object_set_new(o, "result",
	    json_string(runner_result_name(r->result)));
	json_object_set_new(o, "end", json_string(when));
	json_object_set_new(o, "duration_ms", json_integer(ms));
	json_object_set_new(o, "log", json_string(r->log_path));
	if (r->always_failed)
		json_object_set_new(o, "always_failed", json_true());
	if (r->lock_lost != NULL)
		json_object_set_new(o, "lock_lost_to",
		    json_string(r->lock_lost));
	runjournal_write(r, o, 0, NULL);
	util_format_duration(ms / 1000, dur, sizeof dur);
	stepout_log(r, "== run %s: %s after %s\n", r->id,
	    runner_result_name(r->result), dur);
	/* The log fsynced, the lock released once the record is written. */
	runjournal_close(r, finished);
}

void
runner_step_complete(struct runner *r, enum runner_step_state s, int code, int sig,
    const char *msg)
{
	const struct step *st = runner_current_step(r);
	size_t i = runner_current(r, NULL), owner;
	struct runner_step *rs = &r->steps[i];
	long long ms = util_mono_ms() - r->t0;
	json_t *o, *verdicts;
	char dur[32];

	stop_events(r);
	verdicts = runcrit_end(r);
	stepout_close_line(r);	/* the step's last line, if left open */
	util_format_duration(ms / 1000, dur, sizeof dur);
	stepout_log(r, "== %s %s after %s%s%s\n", st->name,
	    runner_step_state_name(s), dur, msg != NULL ? ": " : "",
	    msg != NULL ? msg : "");
	o = runjournal_record(r, "step_end");
	json_object_set_new(o, "step", json_integer((json_int_t)i));
	json_object_set_new(o, "name", json_string(st->name));
	if (r->in_rollback)
		json_object_set_new(o, "rollback", json_true());
	json_object_set_new(o, "result",
	    json_string(runner_step_state_name(s)));
	json_object_set_new(o, "exit", code >= 0 ? json_integer(code) :
	    json_null());
	if (sig != 0)
		json_object_set_new(o, "signal", json_integer(sig));
	json_object_set_new(o, "duration_ms", json_integer(ms));
	if (!r->in_rollback && r->metrics[i] != NULL)
		json_object_set(o, "metrics", r->metrics[i]);
	if (msg != NULL)
		json_object_set_new(o, "message", json_string(msg));
	if (verdicts != NULL)
		json_object_set_new(o, "criteria", verdicts);
	if (r->err_lines > 0) {
		/* What it said on standard error: how much, and its last
		 * lines (often the reason it failed). */
		json_object_set_new(o, "stderr_lines",
		    json_integer((json_int_t)r->err_lines));
		json_object_set_new(o, "stderr_tail", err_tail(r));
	}
	runjournal_write(r, o, 0, NULL);

	if (!r->in_rollback) {
		rs->state = s;
		rs->exit_code = code;
		rs->signal = sig;
		rs->duration_ms = ms;
		rs->pid = 0;
		free(rs->message);
		rs->message = msg != NULL ? xstrdup(msg) : NULL;
		if (r->env.on_step != NULL)
			r->env.on_step(r, i, r->env.arg);
	}
	if (r->always_phase) {
		runpolicy_always_done(r, s);
		return;
	}
	if (r->aborting) {
		runpolicy_conclude(r, RUNNER_ABORTED);
		return;
	}
	if (s == RSTEP_OK) {
		if (r->in_rollback) {
			owner = r->rbv[r->rbpos].step;
			r->rbpos++;
			if (r->rbpos >= r->nrb || r->rbv[r->rbpos].step !=
			    owner) {
				if (!r->rb_owner_skipped) {
					if (r->steps[owner].state == RSTEP_OK)
						r->steps[owner].state =
						    RSTEP_ROLLEDBACK;
					r->steps[owner].rolled_back = 1;
					if (r->env.on_step != NULL)
						r->env.on_step(r, owner,
						    r->env.arg);
				}
				r->rb_owner_skipped = 0;
			}
		} else
			r->cur++;
		runner_kick(r, OP_ENTER);
		return;
	}
	if (r->detached) {
		r->result = RUNNER_DETACHED;
		runner_finish(r);
		return;
	}
	runpolicy_failed(r, st);
}

/* Whether the runner confirms st itself (and records it so). */
static int
auto_confirm(const struct runner *r, const struct step *st)
{
	if (st->danger && !r->env.auto_danger)
		return 0;
	if (r->env.auto_confirm)
		return 1;
	/* Unattended, a rollback has nobody to confirm it. */
	return r->env.unattended && r->in_rollback;
}

/* The current step failed before it started (msg says why). */
static void
fail_unstarted(struct runner *r, const char *msg)
{
	size_t i = runner_current(r, NULL);

	r->t0 = util_mono_ms();
	if (!r->in_rollback)
		r->steps[i].attempts++;
	stepout_say(r, "maintop: step '%s': %s\n", runner_current_step(r)->name,
	    msg);
	runner_step_complete(r, RSTEP_FAILED, -1, 0, msg);
}

/* The current step: ask, or launch, or end the run. */
static void
enter(struct runner *r)
{
	const struct step *st;

	if (runkeep_halted(r))
		return;
	if (r->detached) {
		r->result = RUNNER_DETACHED;
		runner_finish(r);
		return;
	}
	if (r->always_phase) {
		runpolicy_next_always(r);
		return;
	}
	st = runner_current_step(r);
	if (r->in_rollback && st == NULL) {
		runpolicy_conclude(r, r->rb_failed ? RUNNER_ROLLBACK_FAILED :
		    RUNNER_ROLLED_BACK);
		return;
	}
	if (st == NULL || (!r->in_rollback && st->always)) {
		runpolicy_conclude(r, r->partial ? RUNNER_PARTIAL :
		    RUNNER_SUCCESS);
		return;
	}
	runner_enter_step(r, st);
}

void
runner_enter_step(struct runner *r, const struct step *st)
{
	struct timeval tv;

	if (r->over_budget && !r->in_rollback && !r->always_phase) {
		fail_unstarted(r, "the run's budget is spent");
		return;
	}
	if (st->kind == STEP_PAUSE && r->env.unattended &&
	    !st->unattended_continue) {
		fail_unstarted(r, "a pause needs someone to look, and nobody "
		    "is watching (unattended = \"continue\" lets it pass)");
		return;
	}
	if (!r->in_rollback && !st->confirm && !st->danger &&
	    st->kind != STEP_PAUSE) {
		launch(r);
		return;
	}
	if (auto_confirm(r, st) || (st->kind == STEP_PAUSE &&
	    r->env.unattended)) {
		r->auto_confirmed = 1;
		stepout_say(r, "maintop: '%s' auto-confirmed (%s)\n", st->name,
		    r->env.auto_confirm ? (st->danger ? "--yes-danger" :
		    "--yes") : "unattended");
		if (st->kind == STEP_PAUSE)
			r->t0 = util_mono_ms();
		launch(r);
		return;
	}
	r->phase = RUNNER_CONFIRM;
	if (st->kind == STEP_PAUSE && st->timeout > 0) {
		r->t0 = util_mono_ms();
		r->ev_timeout = evtimer_new(r->env.base, runpolicy_pause_timeout,
		    r);
		tv.tv_sec = (time_t)st->timeout;
		tv.tv_usec = 0;
		evtimer_add(r->ev_timeout, &tv);
	}
	if (r->env.on_confirm != NULL)
		r->env.on_confirm(r, r->env.arg);
}

static void
on_kick(evutil_socket_t fd, short what, void *arg)
{
	struct runner *r = arg;
	enum runner_op op = r->op;

	r->op = OP_NONE;
	switch (op) {
	case OP_NONE:
		break;
	case OP_ENTER:
		enter(r);
		break;
	case OP_LAUNCH:
		launch(r);
		break;
	case OP_PAUSE_DONE:
		launch(r);	/* a pause completes at once */
		break;
	case OP_CONCLUDE:
		runpolicy_conclude(r, r->pending);
		break;
	case OP_CRITERION:
		runcrit_next(r);
		break;
	case OP_FINISH:
		runner_finish(r);
		break;
	}
}

void
runner_kick(struct runner *r, enum runner_op op)
{
	struct timeval tv = { 0, 0 };

	r->op = op;
	evtimer_add(r->ev_kick, &tv);
}

int
runner_deny(char **cause, const char *fmt, ...)
{
	va_list ap;

	if (cause != NULL) {
		va_start(ap, fmt);
		*cause = xvasprintf(fmt, ap);
		va_end(ap);
	}
	return -1;
}

int
runner_confirm(struct runner *r, const char *typed, char **cause)
{
	const struct step *st = runner_current_step(r);

	if (r->env.read_only)
		return runner_deny(cause, "read-only mode: nothing may run");
	if (r->phase != RUNNER_CONFIRM || r->op != OP_NONE || st == NULL)
		return runner_deny(cause, "no step is waiting for confirmation");
	if (st->danger && (typed == NULL || strcmp(typed, r->rb->name) != 0))
		return runner_deny(cause, "step '%s' is dangerous: type the "
		    "runbook's name (%s) to run it", st->name, r->rb->name);
	runner_event_free(&r->ev_timeout);	/* a pause's */
	r->phase = RUNNER_RUNNING;
	runner_kick(r, st->kind == STEP_PAUSE ? OP_PAUSE_DONE : OP_LAUNCH);
	return 0;
}

int
runner_skip(struct runner *r, char **cause)
{
	const struct step *st = runner_current_step(r);
	size_t i = runner_current(r, NULL);
	json_t *o;

	if ((r->phase != RUNNER_CONFIRM && r->phase != RUNNER_FAILED) ||
	    r->op != OP_NONE || st == NULL)
		return runner_deny(cause, "no step to skip");
	runner_event_free(&r->ev_timeout);	/* a pause's */
	o = runjournal_record(r, "step_end");
	json_object_set_new(o, "step", json_integer((json_int_t)i));
	json_object_set_new(o, "name", json_string(st->name));
	if (r->in_rollback)
		json_object_set_new(o, "rollback", json_true());
	json_object_set_new(o, "result", json_string("skipped"));
	runjournal_write(r, o, 0, NULL);
	if (r->phase == RUNNER_FAILED && !r->in_rollback) {
		/* The run did not do what the step was for: whoever reads
		 * the journal later must see so, not a success. */
		stepout_log(r, "== %s skipped after it failed; the run can be "
		    "partial at best\n", st->name);
		r->partial = 1;
	} else
		stepout_log(r, "== %s skipped\n", st->name);
	if (r->in_rollback) {
		r->rb_owner_skipped = 1;
		r->rbpos++;
		if (r->rbpos < r->nrb && r->rbv[r->rbpos].step != i)
			r->rb_owner_skipped = 0;
	} else {
		r->steps[i].state = RSTEP_SKIPPED;
		if (r->env.on_step != NULL)
			r->env.on_step(r, i, r->env.arg);
		r->cur++;
	}
	r->phase = RUNNER_RUNNING;
	runner_kick(r, OP_ENTER);
	return 0;
}

int
runner_retry(struct runner *r, char **cause)
{
	if (r->env.read_only)
		return runner_deny(cause, "read-only mode: nothing may run");
	if (r->phase != RUNNER_FAILED || r->op != OP_NONE)
		return runner_deny(cause, "no failed step to retry");
	if (r->in_rollback)
		r->rb_failed = 0;	/* decided by the new attempt */
	r->phase = RUNNER_RUNNING;
	runner_kick(r, OP_LAUNCH);
	return 0;
}

int
runner_rollback(struct runner *r, char **cause)
{
	if (r->env.read_only)
		return runner_deny(cause, "read-only mode: nothing may run");
	if ((r->phase != RUNNER_CONFIRM && r->phase != RUNNER_FAILED) ||
	    r->op != OP_NONE || r->in_rollback || r->always_phase)
		return runner_deny(cause, "nothing to roll back from here");
	runner_event_free(&r->ev_timeout);	/* a pause's */
	r->phase = RUNNER_RUNNING;
	runpolicy_rollback(r);
	return 0;
}

int
runner_abort(struct runner *r, char **cause)
{
	switch (r->phase) {
	case RUNNER_READY:
	case RUNNER_DONE:
		return runner_deny(cause, "the run is not going");
	case RUNNER_RUNNING:
		if (r->aborting)
			return 0;
		r->aborting = 1;
		if (r->pid > 0) {
			stepout_say(r, "maintop: aborting: SIGKILL to the "
			    "step\n");
			child_signal(r, SIGKILL);
		} else if (r->ev_poll != NULL || r->crit_active) {
			runner_step_complete(r, RSTEP_FAILED, -1, 0, "aborted");
		} else
			runpolicy_abort(r);	/* between steps */
		return 0;
	case RUNNER_CONFIRM:
	case RUNNER_FAILED:
		runner_event_free(&r->ev_timeout);	/* a pause's */
		stepout_say(r, "maintop: aborted\n");
		r->phase = RUNNER_RUNNING;
		runpolicy_abort(r);
		return 0;
	}
	return -1;
}

void
runner_interrupt(struct runner *r)
{
	if (r->phase != RUNNER_RUNNING)
		return;
	if (r->pid > 0) {
		r->interrupts++;
		stepout_say(r, "maintop: %s to the step\n", r->interrupts == 1 ?
		    "SIGINT" : "SIGKILL");
		child_signal(r, r->interrupts == 1 ? SIGINT : SIGKILL);
	} else if (r->ev_poll != NULL || r->crit_active) {
		stepout_say(r, "maintop: interrupted\n");
		runner_step_complete(r, RSTEP_FAILED, -1, 0, "interrupted");
	}
}

void
runner_detach(struct runner *r)
{
	json_t *o;

	if (r->phase == RUNNER_READY || r->phase == RUNNER_DONE ||
	    r->detached)
		return;
	r->detached = 1;
	o = runjournal_record(r, "run_detach");
	if (r->pid > 0)
		json_object_set_new(o, "pid", json_integer(r->pid));
	runjournal_write(r, o, 0, NULL);
	stepout_log(r, "== terminal hung up: the run is detached\n");
	if (r->phase == RUNNER_RUNNING && (r->pid > 0 || r->ev_poll != NULL ||
	    r->crit_active))
		return;		/* the step finishes, then the run ends */
	r->result = RUNNER_DETACHED;
	r->phase = RUNNER_RUNNING;
	runner_kick(r, OP_FINISH);
}

struct runner *
runner_new(const struct runner_env *env, const struct runbook *rb,
    char *const *values, int overrides)
{
	struct runner *r;
	size_t i, n;

	r = xcalloc(1, sizeof *r);
	r->env = *env;
	r->rb = rb;
	r->overrides = overrides;
	r->values = xcalloc(rb->nparams + 1, sizeof *r->values);
	r->secrets = xcalloc(rb->nparams + 1, sizeof *r->secrets);
	for (i = 0; i < rb->nparams; i++) {
		r->values[i] = xstrdup(values != NULL && values[i] != NULL ?
		    values[i] : "");
		n = strlen(r->values[i]);
		if (rb->params[i].secret && n > 0) {
			r->secrets[r->nsecrets++] = r->values[i];
			if (n > r->secret_max)
				r->secret_max = n;
		}
	}
	r->steps = xcalloc(rb->nsteps + 1, sizeof *r->steps);
	for (i = 0; i < rb->nsteps; i++)
		r->steps[i].exit_code = -1;
	r->metrics = xcalloc(rb->nsteps + 1, sizeof *r->metrics);
	r->lock_fd = r->out_fd = r->err_fd = r->pty_fd = r->stdin_fd = -1;
	buf_init(&r->errline);
	r->phase = RUNNER_READY;
	r->journal = runner_journal_path(env->state_dir);
	buf_init(&r->pend);
	buf_init(&r->setbuf);
	r->in = evbuffer_new();
	r->lines = evbuffer_new();
	if (r->in == NULL || r->lines == NULL)
		fatal("out of memory");
	return r;
}

void
runner_begin(struct runner *r)
{
	r->ev_kick = evtimer_new(r->env.base, on_kick, r);
	runpolicy_budget(r);
	runkeep_start(r);
	r->phase = RUNNER_RUNNING;
	if (r->env.worker == NULL)
		runner_kick(r, OP_ENTER);	/* else once recorded */
}

void
runner_free(struct runner *r)
{
	size_t i;

	if (r == NULL)
		return;
	/* A step still running is killed and reaped later: never a wait. */
	child_free(r);
	child_close_output(r);
	/* The terminal's settings back; the front end is going away. */
	pty_end(r, 0);
	if (r->phase != RUNNER_READY && r->phase != RUNNER_DONE) {
		r->result = RUNNER_ABORTED;
		r->env.on_finished = NULL;
		r->env.on_output = NULL;
		runner_finish(r);
	}
	stop_run_events(r);
	runner_event_free(&r->ev_kick);
	runlock_release(r);
	runlog_close(r->log);
	for (i = 0; i < r->rb->nparams; i++)
		free(r->values[i]);
	free(r->values);
	free(r->secrets);
	for (i = 0; i < r->npasswords; i++) {
		explicit_bzero(r->passwords[i], strlen(r->passwords[i]));
		free(r->passwords[i]);
	}
	free(r->passwords);
	runsecrets_free(r);
	stepcmd_cleanup(r);
	for (i = 0; i < r->rb->nsteps; i++) {
		free(r->steps[i].message);
		json_decref(r->metrics[i]);
	}
	free(r->steps);
	free(r->metrics);
	free(r->rbv);
	json_decref(runcrit_end(r));
	free(r->health_reason);
	runvars_free(r);
	free(r->wait_status);
	free(r->stale);
	free(r->lock_lost);
	free(r->start_err);
	free(r->overridden);
	free(r->id);
	free(r->journal);
	free(r->log_path);
	buf_free(&r->pend);
	buf_free(&r->errline);
	runner_err_reset(r);
	evbuffer_free(r->in);
	evbuffer_free(r->lines);
	/* Its journal jobs still to come back hold the struct itself. */
	r->freed = 1;
	if (r->jobs == 0)
		runner_destroy(r);
}

void
runner_destroy(struct runner *r)
{
	free(r);
}

char *
runner_describe(const struct runner *r)
{
	const struct step *st = runner_current_step(r);
	size_t i = runner_current(r, NULL);
	struct buf b;
	char *text;

	if (st == NULL)
		return xstrdup("");
	buf_init(&b);
	if (r->in_rollback)
		buf_printf(&b, "Rollback for step %zu/%zu (%s): %s\n", i + 1,
		    r->rb->nsteps, r->rb->steps[i]->name, st->name);
	else
		buf_printf(&b, "Step %zu/%zu: %s (%s)\n", i + 1, r->rb->nsteps,
		    st->name, runbook_kind_name(st->kind));
	if (st->kind == STEP_RUN)
		buf_printf(&b, "  runs with /bin/sh on this host%s\n",
		    st->interactive ? ", with the terminal" : "");
	else if (st->kind == STEP_SQL)
		buf_adds(&b, "  runs with psql on this host\n");
	else if (st->kind == STEP_REDIS)
		buf_adds(&b, "  runs with redis-cli on this host\n");
	else if (st->kind == STEP_HTTP)
		buf_adds(&b, "  runs with curl on this host\n");
	text = runbook_step_text(r->rb, r->values, st, "  ");
	buf_adds(&b, text);
	free(text);
	return buf_detach(&b);
}

/* Whether step i's summary row shows a duration. */
static int
summary_timed(const struct runner *r, size_t i)
{
	return r->steps[i].state != RSTEP_PENDING &&
	    r->steps[i].state != RSTEP_SKIPPED;
}

/* Appends s, then when more follows, spaces up to width columns and two
 * more between columns. */
static void
summary_cell(struct buf *b, const char *s, size_t width, int more)
{
	size_t w = sanitize_width(s);

	buf_adds(b, s);
	if (more)
		buf_printf(b, "%*s", (int)(width > w ? width - w : 0) + 2, "");
}

char *
runner_summary(const struct runner *r)
{
	struct buf b;
	char dur[32], *m;
	size_t i, w, wname = 0, wstate = 0, wdur = 0, wnum;
	const struct runner_step *s;

	/* Columns as wide as their longest entry, so that they line up
	 * whatever the names' lengths. */
	for (i = 0; i < r->rb->nsteps; i++) {
		if ((w = sanitize_width(r->rb->steps[i]->name)) > wname)
			wname = w;
		w = strlen(runner_step_state_name(r->steps[i].state));
		if (w > wstate)
			wstate = w;
		util_format_duration(r->steps[i].duration_ms / 1000, dur,
		    sizeof dur);
		if (summary_timed(r, i) && strlen(dur) > wdur)
			wdur = strlen(dur);
	}
	wnum = (size_t)snprintf(dur, sizeof dur, "%zu", r->rb->nsteps);
	buf_init(&b);
	buf_printf(&b, "Run %s of %s: %s\n", r->id != NULL ? r->id : "-",
	    r->rb->name, runner_result_name(r->result));
	for (i = 0; i < r->rb->nsteps; i++) {
		s = &r->steps[i];
		buf_printf(&b, "  %*zu. ", (int)(wnum < 2 ? 2 : wnum), i + 1);
		summary_cell(&b, r->rb->steps[i]->name, wname, 1);
		summary_cell(&b, runner_step_state_name(s->state), wstate,
		    summary_timed(r, i) || s->message != NULL);
		util_format_duration(s->duration_ms / 1000, dur, sizeof dur);
		if (summary_timed(r, i))
			buf_printf(&b, "%*s", (int)wdur, dur);
		else if (s->message != NULL)
			buf_printf(&b, "%*s", (int)wdur, "");
		if (s->message != NULL)
			buf_printf(&b, "  (%s)", s->message);
		buf_addc(&b, '\n');
		if ((m = runner_step_metrics(r, i)) != NULL) {
			buf_printf(&b, "      metrics %s\n", m);
			free(m);
		}
	}
	if (r->lock_lost != NULL)
		buf_printf(&b, "LOCK LOST: the run's lock was taken by %s while "
		    "the team store was unreachable; the run started nothing "
		    "more\n", r->lock_lost);
	if (r->log_path != NULL)
		buf_printf(&b, "Log: %s\n", r->log_path);
	return buf_detach(&b);
}
