/* Starting a run: its preconditions (danger under --yes, the lock, the
 * checks it needs, its window, the runs it requires), the overrides, the
 * refusals recorded with who asked and why, and the start record. */
#include "runner_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "config.h"
#include "fileio.h"
#include "runbook.h"
#include "runindex.h"
#include "runlog.h"
#include "store.h"


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

/* The newest successful end of runbook name, or 0.  Only success counts:
 * a partial, rolled-back or failed run satisfies nothing. */
static time_t
last_success(struct runner *r, const char *name)
{
	time_t t = 0;
	char *cause = NULL;
	int rc;

	if (r->env.last_success != NULL)
		return r->env.last_success(name, r->env.arg);
	if (r->env.store != NULL)
		rc = store_last_success(r->env.store, name, &t, &cause);
	else
		rc = runindex_last_success(r->env.state_dir, name, &t, &cause);
	if (rc != 0)
		free(cause);
	return rc == 0 ? t : 0;
}

/*
 * requires_healthy: each check no worse than the level it accepts.  With
 * the health override a worse check is written to *overridden (a new
 * string, for the record) instead of refusing.
 */
static int
healthy(struct runner *r, char **overridden, char **cause)
{
	const struct runbook *rb = r->rb;
	struct buf b;
	size_t i;
	int s, worst;

	buf_init(&b);
	for (i = 0; i < rb->nrequires_healthy; i++) {
		s = r->env.check_state != NULL ?
		    r->env.check_state(rb->requires_healthy[i], r->env.arg) :
		    RUNNER_CHECK_UNKNOWN;
		if (s < 0 || s > RUNNER_CHECK_UNKNOWN)
			s = RUNNER_CHECK_UNKNOWN;
		worst = rb->healthy_worst[i];
		if (s <= worst)
			continue;
		if (r->overrides & RUNNER_OVERRIDE_HEALTH) {
			buf_printf(&b, "%s%s is %s", b.len > 0 ? ", " : "",
			    rb->requires_healthy[i], runbook_health_name(s));
			continue;
		}
		buf_free(&b);
		r->refusal = RUNNER_OVERRIDE_HEALTH;
		if (worst == RUNBOOK_HEALTH_OK)
			return runner_deny(cause, "runbook '%s' requires check "
			    "'%s' to be healthy; it is %s (override with "
			    "--override-health REASON; the override is "
			    "recorded)", rb->name, rb->requires_healthy[i],
			    runbook_health_name(s));
		return runner_deny(cause, "runbook '%s' requires check '%s' to "
		    "be %s or better; it is %s (override with "
		    "--override-health REASON; the override is recorded)",
		    rb->name, rb->requires_healthy[i],
		    runbook_health_name(worst), runbook_health_name(s));
	}
	*overridden = b.len > 0 ? buf_detach(&b) : NULL;
	buf_free(&b);
	return 0;
}

static int
preconditions(struct runner *r, char **overridden, char **cause)
{
	const struct runbook *rb = r->rb;
	const struct step *danger;
	char *which = NULL, dur[32], ago[32];
	time_t t;
	size_t i;
	int in;

	*overridden = NULL;
	if (r->env.auto_confirm && !r->env.auto_danger &&
	    (danger = runbook_danger_step(rb)) != NULL)
		return runner_deny(cause, "runbook '%s' has a dangerous step ('%s') "
		    "that --yes does not confirm: nothing was run (add "
		    "--yes-danger to confirm it too, or run it attended)",
		    rb->name, danger->name);
	if (healthy(r, overridden, cause) != 0)
		return -1;
	if (rb->require_window && !(r->overrides & RUNNER_OVERRIDE_WINDOW)) {
		in = r->env.in_window != NULL ? r->env.in_window(rb->name,
		    r->start, &which, r->env.arg) : -1;
		free(which);
		if (in != 1)
			r->refusal = RUNNER_OVERRIDE_WINDOW;
		if (in == 0)
			return runner_deny(cause, "runbook '%s' may run only inside "
			    "one of its maintenance windows, and none is open "
			    "now (override with --override-window; the "
			    "override is recorded)", rb->name);
		if (in != 1)
			return runner_deny(cause, "runbook '%s' may run only inside "
			    "one of its maintenance windows, and maintop "
			    "cannot tell whether one is open (override with "
			    "--override-window; the override is recorded)",
			    rb->name);
	}
	for (i = 0; i < rb->nrequires; i++) {
		t = last_success(r, rb->requires[i].runbook);
		if (t == 0)
			return runner_deny(cause, "runbook '%s' requires a "
			    "successful run of '%s' first, and there is none "
			    "in the journal", rb->name,
			    rb->requires[i].runbook);
		if (rb->requires[i].within > 0 &&
		    r->start - t > rb->requires[i].within) {
			util_format_duration(rb->requires[i].within, dur,
			    sizeof dur);
			util_format_duration(r->start - t, ago, sizeof ago);
			return runner_deny(cause, "runbook '%s' requires a "
			    "successful run of '%s' within %s; the last one "
			    "ended %s ago", rb->name, rb->requires[i].runbook,
			    dur, ago);
		}
	}
	return 0;
}

/* The run_start record: who, when, parameters (secrets masked), overrides
 * with the reason given. */
static json_t *
start_record(struct runner *r, const char *overridden)
{
	json_t *o, *p, *ov;
	char when[32];
	size_t i;

	util_format_utc(r->start, when, sizeof when);
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
	if (r->overrides & RUNNER_OVERRIDE_HEALTH)
		json_array_append_new(ov, json_string("health"));
	json_object_set_new(o, "overrides", ov);
	if (r->health_reason != NULL)
		json_object_set_new(o, "override_reason",
		    json_string(r->health_reason));
	if (overridden != NULL)
		json_object_set_new(o, "overridden", json_string(overridden));
	if (r->env.auto_confirm)
		json_object_set_new(o, "auto_confirm", json_string(
		    r->env.auto_danger ? "all" : "all but danger"));
	if (r->env.unattended)
		json_object_set_new(o, "unattended", json_true());
	if (r->local_locked)
		json_object_set_new(o, "local_lock",
		    json_string(r->env.local_lock));
	json_object_set_new(o, "pid", json_integer(getpid()));
	return o;
}

/* A refused run in the journal: its start (who asked, from where) and its
 * end with result "refused" and the reason. */
static void
record_refusal(struct runner *r, const char *reason)
{
	json_t *o;
	char when[32];

	runjournal_write(r, start_record(r, NULL), 1, NULL);
	util_format_utc(r->start, when, sizeof when);
	o = runjournal_record(r, "run_end");
	json_object_set_new(o, "result", json_string(runner_result_name(
	    RUNNER_REFUSED)));
	json_object_set_new(o, "end", json_string(when));
	json_object_set_new(o, "reason", json_string(reason));
	r->result = RUNNER_REFUSED;
	r->phase = RUNNER_DONE;
	runjournal_write(r, o, 0, NULL);
}

/* A refusal: recorded (a failure to write it is shown in the output),
 * then returned to the caller as *cause. */
static int
refused(struct runner *r, char **cause)
{
	record_refusal(r, *cause);
	return -1;
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
		r->env.on_output(r, s, strlen(s), 0, r->env.arg);
	free(s);
	runner_event_free(&r->ev_budget);
	start_undo(r);
	r->result = RUNNER_ABORTED;
	r->phase = RUNNER_DONE;
	if (r->env.on_finished != NULL)
		r->env.on_finished(r, r->env.arg);
}

void
runner_override_health(struct runner *r, const char *reason)
{
	r->overrides |= RUNNER_OVERRIDE_HEALTH;
	free(r->health_reason);
	r->health_reason = xstrdup(reason != NULL ? reason : "");
}

int
runner_refusal(const struct runner *r)
{
	return r->refusal;
}

int
runner_refuse(struct runner *r, const char *reason, char **cause)
{
	if (r->phase != RUNNER_READY)
		return runner_deny(cause, "this run has already started");
	if (r->env.read_only)
		return 0;	/* read-only writes nothing */
	r->start = time(NULL);
	make_id(r);
	record_refusal(r, reason);
	return 0;
}

/* Opens the run log in state_dir/runs.  Returns 0, or -1 with *cause. */
static int
open_log(struct runner *r, char **cause)
{
	char *dir = xasprintf("%s/runs", r->env.state_dir);

	if (fileio_mkdirs(dir, 0700) != 0) {
		*cause = xasprintf("%s: %s", dir, strerror(errno));
		free(dir);
		return -1;
	}
	r->log_path = xasprintf("%s/%s.log", dir, r->id);
	free(dir);
	r->log = runlog_open(r->log_path, r->env.cfg != NULL ?
	    r->env.cfg->settings.run_log_max : 0, cause);
	return r->log != NULL ? 0 : -1;
}

static void start_locked(struct runner *, const char *);
static int start_run(struct runner *, char *, char **);

int
runner_start(struct runner *r, char **cause)
{
	char *overridden = NULL;

	if (r->env.read_only)
		return runner_deny(cause, "read-only mode: runbooks cannot be run");
	if (r->phase != RUNNER_READY)
		return runner_deny(cause, "this run has already started");
	/* A team's lock must be the team's: never a file beside it. */
	if (r->env.store == NULL && r->env.cfg != NULL &&
	    r->env.cfg->settings.store != NULL)
		return runner_deny(cause, "the team store (settings.store) "
		    "is not open: a run's lock and records must be the "
		    "team's");
	r->start = runner_now(r);
	r->start_ms = util_mono_ms();
	make_id(r);
	if (preconditions(r, &overridden, cause) != 0) {
		free(overridden);
		return refused(r, cause);
	}
	/* The store's lock is the store server's answer: off the loop. */
	if (r->env.store != NULL && r->env.worker != NULL) {
		r->overridden = overridden;
		runlock_take_async(r, start_locked);
		return 0;
	}
	if (runlock_take(r, cause) != 0) {
		free(overridden);
		return refused(r, cause);
	}
	return start_run(r, overridden, cause);
}

/*
 * The store's lock came back (runner_start with a store and a worker): a
 * refusal or a failure to start ends the run at once, before any step,
 * told in the output.
 */
static void
start_locked(struct runner *r, const char *err)
{
	char *cause = NULL, *overridden = r->overridden, *s;

	r->overridden = NULL;
	if (err != NULL) {
		free(overridden);
		cause = xstrdup(err);
		record_refusal(r, cause);
	} else if (start_run(r, overridden, &cause) == 0)
		return;
	else {
		r->result = RUNNER_ABORTED;
		r->phase = RUNNER_DONE;
	}
	s = xasprintf("maintop: %s: %s\n", err != NULL ? "refused" :
	    "cannot start", cause);
	if (r->env.on_output != NULL)
		r->env.on_output(r, s, strlen(s), 0, r->env.arg);
	free(s);
	free(cause);
	if (r->env.on_finished != NULL)
		r->env.on_finished(r, r->env.arg);
}

/* The run starts with its lock held: its log, its start record, the first
 * step.  Takes overridden.  0, or -1 with *cause set and the lock let go. */
static int
start_run(struct runner *r, char *overridden, char **cause)
{
	char when[32];
	json_t *o;
	size_t i;

	if (open_log(r, cause) != 0) {
		free(overridden);
		runlock_release(r);
		return -1;
	}
	/* Before the first step: every secret maintop knows (on the worker,
	 * whose jobs end in order: all read before the start is recorded). */
	runsecrets_read(r);
	o = start_record(r, overridden);
	json_object_set_new(o, "log", json_string(r->log_path));
	r->starting = 1;
	runjournal_write(r, o, 1, start_recorded);
	r->starting = 0;
	if (r->start_err != NULL) {
		*cause = r->start_err;
		r->start_err = NULL;
		free(overridden);
		start_undo(r);
		return -1;
	}
	util_format_utc(r->start, when, sizeof when);
	stepout_log(r, "== run %s of runbook %s, started %s\n", r->id,
	    r->rb->name, when);
	for (i = 0; i < r->rb->nparams; i++)
		stepout_log(r, "== param %s = %s\n", r->rb->params[i].name,
		    r->rb->params[i].secret ? RUNBOOK_MASK : r->values[i]);
	if (r->stale != NULL)
		stepout_log(r, "== took over a stale lock left by %s\n",
		    r->stale);
	if (r->local_locked)
		stepout_log(r, "== local lock: the team store is unreachable; "
		    "--local-lock: %s\n", r->env.local_lock);
	if (r->overrides & RUNNER_OVERRIDE_WINDOW)
		stepout_log(r, "== override: run outside the maintenance "
		    "windows\n");
	if (r->overrides & RUNNER_OVERRIDE_HEALTH)
		stepout_log(r, "== override: health (%s): %s\n",
		    overridden != NULL ? overridden : "every check is fine",
		    r->health_reason);
	free(overridden);
	runner_begin(r);
	return 0;
}
