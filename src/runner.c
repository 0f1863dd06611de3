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
#include "runbook.h"
#include "runlog.h"

static void runner_kick(struct runner *, enum runner_op);

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
	}
	return "?";
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

static time_t
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
	return json_dumps(r->metrics[i], JSON_COMPACT | JSON_SORT_KEYS);
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

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct runner *r = arg;
	const struct step *st = runner_current_step(r);
	struct timeval tv;
	long long grace = r->env.kill_grace_ms > 0 ? r->env.kill_grace_ms :
	    5000;
	char dur[32];

	util_format_duration(st->timeout, dur, sizeof dur);
	if (st->kind == STEP_WAIT) {
		runner_event_free(&r->ev_poll);
		stepout_say(r, "maintop: timed out after %s waiting for health\n",
		    dur);
		runner_step_complete(r, RSTEP_TIMEDOUT, -1, 0, "timed out");
		return;
	}
	if (r->pid <= 0)
		return;
	r->timed_out = 1;
	stepout_say(r, "maintop: timed out after %s: SIGTERM to the step\n", dur);
	child_signal(r, SIGTERM);
	r->ev_kill = evtimer_new(r->env.base, on_kill, r);
	tv.tv_sec = grace / 1000;
	tv.tv_usec = (grace % 1000) * 1000;
	evtimer_add(r->ev_kill, &tv);
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

static void
launch(struct runner *r)
{
	const struct step *st = runner_current_step(r);
	size_t i = runner_current(r, NULL);
	struct runner_step *rs = &r->steps[i];
	struct timeval tv;
	json_t *o;
	char *cause = NULL, *text;

	r->phase = RUNNER_RUNNING;
	r->timed_out = 0;
	r->interrupts = 0;
	r->t0 = util_mono_ms();
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
	if (r->pid > 0)
		json_object_set_new(o, "pid", json_integer(r->pid));
	runjournal_write(r, o, 0, NULL);

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

static void
finish(struct runner *r)
{
	json_t *o;
	char when[32], dur[32];
	long long ms = util_mono_ms() - r->start_ms;

	stop_events(r);
	r->phase = RUNNER_DONE;
	iso(runner_now(r), when, sizeof when);
	o = runjournal_record(r, "run_end");
	json_object_set_new(o, "result",
	    json_string(runner_result_name(r->result)));
	json_object_set_new(o, "end", json_string(when));
	json_object_set_new(o, "duration_ms", json_integer(ms));
	json_object_set_new(o, "log", json_string(r->log_path));
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
	json_t *o;
	char dur[32];

	stop_events(r);
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
	if (r->aborting) {
		r->result = RUNNER_ABORTED;
		finish(r);
		return;
	}
	if (s == RSTEP_OK) {
		if (r->in_rollback) {
			owner = r->rbv[r->rbpos].step;
			r->rbpos++;
			if (r->rbpos >= r->nrb || r->rbv[r->rbpos].step !=
			    owner) {
				if (!r->rb_owner_skipped) {
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
		finish(r);
		return;
	}
	if (!r->in_rollback && st->continue_on_error) {
		stepout_say(r, "maintop: step '%s' failed; continuing "
		    "(continue_on_error)\n", st->name);
		r->cur++;
		runner_kick(r, OP_ENTER);
		return;
	}
	r->phase = RUNNER_FAILED;
	if (r->env.on_failed != NULL)
		r->env.on_failed(r, r->env.arg);
}

/* The current step: ask, or launch, or end the run. */
static void
enter(struct runner *r)
{
	const struct step *st;

	if (r->detached) {
		r->result = RUNNER_DETACHED;
		finish(r);
		return;
	}
	st = runner_current_step(r);
	if (st == NULL) {
		r->result = r->in_rollback ? RUNNER_ROLLED_BACK :
		    RUNNER_SUCCESS;
		finish(r);
		return;
	}
	if (r->in_rollback || st->confirm || st->danger ||
	    st->kind == STEP_PAUSE) {
		r->phase = RUNNER_CONFIRM;
		if (r->env.on_confirm != NULL)
			r->env.on_confirm(r, r->env.arg);
		return;
	}
	launch(r);
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
	case OP_FINISH:
		finish(r);
		break;
	}
}

static void
runner_kick(struct runner *r, enum runner_op op)
{
	struct timeval tv = { 0, 0 };

	r->op = op;
	evtimer_add(r->ev_kick, &tv);
}

static int
refuse(char **cause, const char *fmt, ...) UTIL_PRINTF(2, 3);
static int
refuse(char **cause, const char *fmt, ...)
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
		return refuse(cause, "read-only mode: nothing may run");
	if (r->phase != RUNNER_CONFIRM || r->op != OP_NONE || st == NULL)
		return refuse(cause, "no step is waiting for confirmation");
	if (st->danger && (typed == NULL || strcmp(typed, r->rb->name) != 0))
		return refuse(cause, "step '%s' is dangerous: type the "
		    "runbook's name (%s) to run it", st->name, r->rb->name);
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
		return refuse(cause, "no step to skip");
	o = runjournal_record(r, "step_end");
	json_object_set_new(o, "step", json_integer((json_int_t)i));
	json_object_set_new(o, "name", json_string(st->name));
	if (r->in_rollback)
		json_object_set_new(o, "rollback", json_true());
	json_object_set_new(o, "result", json_string("skipped"));
	runjournal_write(r, o, 0, NULL);
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
		return refuse(cause, "read-only mode: nothing may run");
	if (r->phase != RUNNER_FAILED || r->op != OP_NONE)
		return refuse(cause, "no failed step to retry");
	r->phase = RUNNER_RUNNING;
	runner_kick(r, OP_LAUNCH);
	return 0;
}

int
runner_rollback(struct runner *r, char **cause)
{
	size_t i, j;

	if (r->env.read_only)
		return refuse(cause, "read-only mode: nothing may run");
	if ((r->phase != RUNNER_CONFIRM && r->phase != RUNNER_FAILED) ||
	    r->op != OP_NONE || r->in_rollback)
		return refuse(cause, "nothing to roll back from here");
	r->nrb = 0;
	for (i = r->cur; i-- > 0; ) {
		if (r->steps[i].state != RSTEP_OK)
			continue;
		for (j = 0; j < r->rb->steps[i]->nrollback; j++) {
			r->rbv = xreallocarray(r->rbv, r->nrb + 1,
			    sizeof *r->rbv);
			r->rbv[r->nrb].step = i;
			r->rbv[r->nrb].j = j;
			r->nrb++;
		}
	}
	if (r->nrb == 0)
		stepout_say(r, "maintop: no completed step has a rollback\n");
	else
		stepout_say(r, "maintop: rolling back %zu step%s\n", r->nrb,
		    r->nrb == 1 ? "" : "s");
	r->in_rollback = 1;
	r->rbpos = 0;
	r->rb_owner_skipped = 0;
	r->phase = RUNNER_RUNNING;
	runner_kick(r, OP_ENTER);
	return 0;
}

int
runner_abort(struct runner *r, char **cause)
{
	switch (r->phase) {
	case RUNNER_READY:
	case RUNNER_DONE:
		return refuse(cause, "the run is not going");
	case RUNNER_RUNNING:
		if (r->aborting)
			return 0;
		r->aborting = 1;
		if (r->pid > 0) {
			stepout_say(r, "maintop: aborting: SIGKILL to the step\n");
			child_signal(r, SIGKILL);
		} else if (r->ev_poll != NULL) {
			runner_step_complete(r, RSTEP_FAILED, -1, 0, "aborted");
		} else {
			/* Between steps: a kick is pending. */
			r->result = RUNNER_ABORTED;
			runner_kick(r, OP_FINISH);
		}
		return 0;
	case RUNNER_CONFIRM:
	case RUNNER_FAILED:
		stepout_say(r, "maintop: aborted\n");
		r->result = RUNNER_ABORTED;
		r->phase = RUNNER_RUNNING;
		runner_kick(r, OP_FINISH);
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
	} else if (r->ev_poll != NULL) {
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
	if (r->phase == RUNNER_RUNNING && (r->pid > 0 || r->ev_poll != NULL))
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
	r->lock_fd = r->out_fd = r->pty_fd = r->stdin_fd = -1;
	r->phase = RUNNER_READY;
	r->journal = runner_journal_path(env->state_dir);
	buf_init(&r->pend);
	r->in = evbuffer_new();
	r->lines = evbuffer_new();
	if (r->in == NULL || r->lines == NULL)
		fatal("out of memory");
	return r;
}

static void
make_id(struct runner *r)
{
	unsigned char rnd[3];
	char when[32];
	struct tm tm;
	time_t t = r->start;

	if (getrandom(rnd, sizeof rnd, GRND_NONBLOCK) != sizeof rnd) {
		unsigned long x = (unsigned long)getpid() ^
		    (unsigned long)util_mono_ms();

		rnd[0] = (unsigned char)x;
		rnd[1] = (unsigned char)(x >> 8);
		rnd[2] = (unsigned char)(x >> 16);
	}
	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y%m%dT%H%M%SZ", &tm);
	r->id = xasprintf("%s-%02x%02x%02x", when, rnd[0], rnd[1], rnd[2]);
}

/* The newest successful end of runbook name, or 0. */
static time_t
last_success(struct runner *r, const char *name)
{
	struct runner_run *runs;
	size_t n, i;
	time_t t = 0;
	char *cause = NULL;

	if (runner_history(r->env.state_dir, name, &runs, &n, &cause) != 0) {
		free(cause);
		return 0;
	}
	for (i = 0; i < n; i++)
		if (runs[i].result != NULL &&
		    strcmp(runs[i].result, "success") == 0 && runs[i].end > t)
			t = runs[i].end;
	runner_runs_free(runs, n);
	return t;
}

static int
preconditions(struct runner *r, char **cause)
{
	static const char *const names[] = { "ok", "warn", "crit",
	    "unknown" };
	const struct runbook *rb = r->rb;
	char *which = NULL, dur[32], ago[32];
	time_t t;
	size_t i;
	int s, in;

	for (i = 0; i < rb->nrequires_healthy; i++) {
		s = r->env.check_state != NULL ?
		    r->env.check_state(rb->requires_healthy[i], r->env.arg) :
		    RUNNER_CHECK_UNKNOWN;
		if (s < 0 || s > RUNNER_CHECK_UNKNOWN)
			s = RUNNER_CHECK_UNKNOWN;
		if (s != RUNNER_CHECK_OK)
			return refuse(cause, "runbook '%s' requires check "
			    "'%s' to be healthy; it is %s", rb->name,
			    rb->requires_healthy[i], names[s]);
	}
	if (rb->require_window && !(r->overrides & RUNNER_OVERRIDE_WINDOW)) {
		in = r->env.in_window != NULL ? r->env.in_window(rb->name,
		    r->start, &which, r->env.arg) : -1;
		free(which);
		if (in == 0)
			return refuse(cause, "runbook '%s' may run only inside "
			    "one of its maintenance windows, and none is open "
			    "now (override with --override-window; the "
			    "override is recorded)", rb->name);
		if (in != 1)
			return refuse(cause, "runbook '%s' may run only inside "
			    "one of its maintenance windows, and maintop "
			    "cannot tell whether one is open (override with "
			    "--override-window; the override is recorded)",
			    rb->name);
	}
	for (i = 0; i < rb->nrequires; i++) {
		t = last_success(r, rb->requires[i].runbook);
		if (t == 0)
			return refuse(cause, "runbook '%s' requires a "
			    "successful run of '%s' first, and there is none "
			    "in the journal", rb->name,
			    rb->requires[i].runbook);
		if (rb->requires[i].within > 0 &&
		    r->start - t > rb->requires[i].within) {
			util_format_duration(rb->requires[i].within, dur,
			    sizeof dur);
			util_format_duration(r->start - t, ago, sizeof ago);
			return refuse(cause, "runbook '%s' requires a "
			    "successful run of '%s' within %s; the last one "
			    "ended %s ago", rb->name, rb->requires[i].runbook,
			    dur, ago);
		}
	}
	return 0;
}

/* A run whose start could not be recorded: nothing ran, nothing stays. */
static void
start_undo(struct runner *r)
{
	runlog_close(r->log);
	r->log = NULL;
	unlink(r->log_path);
	runlock_release(r);
}

/*
 * The run_start record is written.  Without a worker this is called from
 * within runner_start, which refuses the run on a failure.  With one, the
 * first step waits for the record; a failure ends the run before it,
 * aborted, with the reason in the output.
 */
static void
start_recorded(struct runner *r, const char *err)
{
	char *s;

	if (r->freed || (err != NULL && r->phase == RUNNER_DONE))
		return;		/* ended meanwhile: its own end is recorded */
	if (r->starting) {
		if (err != NULL)
			r->start_err = xstrdup(err);
		return;
	}
	if (err == NULL) {
		if (r->phase == RUNNER_RUNNING && r->op == OP_NONE)
			runner_kick(r, OP_ENTER);
		return;
	}
	s = xasprintf("maintop: cannot record the run in the journal: %s; "
	    "nothing ran\n", err);
	if (r->env.on_output != NULL)
		r->env.on_output(r, s, strlen(s), r->env.arg);
	free(s);
	stop_events(r);
	start_undo(r);
	r->result = RUNNER_ABORTED;
	r->phase = RUNNER_DONE;
	if (r->env.on_finished != NULL)
		r->env.on_finished(r, r->env.arg);
}

int
runner_start(struct runner *r, char **cause)
{
	json_t *o, *p, *ov;
	char when[32], *dir;
	size_t i;

	if (r->env.read_only)
		return refuse(cause, "read-only mode: runbooks cannot be run");
	if (r->phase != RUNNER_READY)
		return refuse(cause, "this run has already started");
	r->start = runner_now(r);
	r->start_ms = util_mono_ms();
	make_id(r);
	if (preconditions(r, cause) != 0)
		return -1;
	if (runlock_take(r, cause) != 0)
		return -1;

	dir = xasprintf("%s/runs", r->env.state_dir);
	if (fileio_mkdirs(dir, 0700) != 0) {
		*cause = xasprintf("%s: %s", dir, strerror(errno));
		free(dir);
		runlock_release(r);
		return -1;
	}
	r->log_path = xasprintf("%s/%s.log", dir, r->id);
	free(dir);
	r->log = runlog_open(r->log_path, r->env.cfg != NULL ?
	    r->env.cfg->settings.run_log_max : 0, cause);
	if (r->log == NULL) {
		runlock_release(r);
		return -1;
	}

	/* Before the first byte of output: every secret maintop knows. */
	stepout_known_secrets(r);
	iso(r->start, when, sizeof when);
	o = runjournal_record(r, "run_start");
	json_object_set_new(o, "start", json_string(when));
	p = json_object();
	for (i = 0; i < r->rb->nparams; i++)
		json_object_set_new(p, r->rb->params[i].name,
		    json_string(r->rb->params[i].secret ? RUNBOOK_MASK :
		    r->values[i]));
	json_object_set_new(o, "params", p);
	ov = json_array();
	if (r->overrides & RUNNER_OVERRIDE_WINDOW)
		json_array_append_new(ov, json_string("window"));
	json_object_set_new(o, "overrides", ov);
	json_object_set_new(o, "pid", json_integer(getpid()));
	json_object_set_new(o, "log", json_string(r->log_path));
	r->ev_kick = evtimer_new(r->env.base, on_kick, r);
	r->starting = 1;
	runjournal_write(r, o, 1, start_recorded);
	r->starting = 0;
	if (r->start_err != NULL) {
		*cause = r->start_err;
		r->start_err = NULL;
		start_undo(r);
		return -1;
	}
	stepout_log(r, "== run %s of runbook %s, started %s\n", r->id,
	    r->rb->name, when);
	for (i = 0; i < r->rb->nparams; i++)
		stepout_log(r, "== param %s = %s\n", r->rb->params[i].name,
		    r->rb->params[i].secret ? RUNBOOK_MASK : r->values[i]);
	if (r->stale != NULL)
		stepout_log(r, "== took over a stale lock left by %s\n",
		    r->stale);
	if (r->overrides & RUNNER_OVERRIDE_WINDOW)
		stepout_log(r, "== override: run outside the maintenance "
		    "windows\n");

	r->phase = RUNNER_RUNNING;
	if (r->env.worker == NULL)
		runner_kick(r, OP_ENTER);	/* else once recorded */
	return 0;
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
		finish(r);
	}
	stop_events(r);
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
	stepcmd_cleanup(r);
	for (i = 0; i < r->rb->nsteps; i++) {
		free(r->steps[i].message);
		json_decref(r->metrics[i]);
	}
	free(r->steps);
	free(r->metrics);
	free(r->rbv);
	free(r->wait_status);
	free(r->stale);
	free(r->start_err);
	free(r->id);
	free(r->journal);
	free(r->log_path);
	free(r->lock_path);
	buf_free(&r->pend);
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

char *
runner_summary(const struct runner *r)
{
	struct buf b;
	char dur[32], *m;
	size_t i;

	buf_init(&b);
	buf_printf(&b, "Run %s of %s: %s\n", r->id != NULL ? r->id : "-",
	    r->rb->name, runner_result_name(r->result));
	for (i = 0; i < r->rb->nsteps; i++) {
		const struct runner_step *s = &r->steps[i];

		util_format_duration(s->duration_ms / 1000, dur, sizeof dur);
		buf_printf(&b, "  %2zu. %-24s %-11s", i + 1,
		    r->rb->steps[i]->name, runner_step_state_name(s->state));
		if (s->state != RSTEP_PENDING && s->state != RSTEP_SKIPPED)
			buf_printf(&b, " %6s", dur);
		if (s->message != NULL)
			buf_printf(&b, "  (%s)", s->message);
		buf_addc(&b, '\n');
		if ((m = runner_step_metrics(r, i)) != NULL) {
			buf_printf(&b, "      metrics %s\n", m);
			free(m);
		}
	}
	if (r->log_path != NULL)
		buf_printf(&b, "Log: %s\n", r->log_path);
	return buf_detach(&b);
}
