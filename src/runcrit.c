/* A criteria step: every success criterion judged in turn (a check on a
 * fresh probe, a command's exit status, a request's status), each verdict
 * reported and journaled, and the step failed if any failed. */
#include "runner_priv.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "runbook.h"

/* How often a check criterion looks for its probe's result. */
#define RUNCRIT_POLL_MS		50

const struct step *
runner_active_step(const struct runner *r)
{
	return r->crit_item != NULL ? r->crit_item : runner_current_step(r);
}

json_t *
runcrit_end(struct runner *r)
{
	json_t *res = r->crit_results;

	r->crit_active = 0;
	r->crit_item = NULL;
	r->crit_results = NULL;
	r->crit_token = 0;
	return res;
}

/* The verdict on the current criterion: shown, logged and journaled;
 * then the next one (from the loop). */
static void
verdict(struct runner *r, int pass, const char *why)
{
	const struct step *c = r->crit_item;
	json_t *o, *v;
	char *text;

	text = runbook_criterion_text(r->rb, r->values, c);
	if (pass)
		stepout_say(r, "maintop: criterion %zu/%zu passed: %s\n",
		    r->crit_pos + 1, runner_current_step(r)->ncriteria, text);
	else {
		r->crit_failed++;
		stepout_say(r, "maintop: criterion %zu/%zu FAILED: %s: %s\n",
		    r->crit_pos + 1, runner_current_step(r)->ncriteria, text,
		    why);
	}
	v = json_object();
	json_object_set_new(v, "name", json_string(c->name));
	json_object_set_new(v, "criterion", json_string(text));
	json_object_set_new(v, "result", json_string(pass ? "passed" :
	    "failed"));
	if (!pass)
		json_object_set_new(v, "why", json_string(why));
	o = runjournal_record(r, "criterion");
	json_object_set_new(o, "step", json_integer((json_int_t)
	    runner_current(r, NULL)));
	json_object_set_new(o, "index", json_integer((json_int_t)r->crit_pos));
	json_object_update(o, v);
	runjournal_write(r, o, 0, NULL);
	json_array_append_new(r->crit_results, v);
	free(text);
	r->crit_pos++;
	runner_kick(r, OP_CRITERION);
}

/* A check criterion waits for its fresh probe. */
static void
on_poll(evutil_socket_t fd, short what, void *arg)
{
	struct runner *r = arg;
	const struct step *c = r->crit_item;
	const char *msg = NULL;
	struct timeval tv = { 0, RUNCRIT_POLL_MS * 1000 };
	char *why;
	int s;

	s = r->env.check_fresh(c->checks[0], &r->crit_token, &msg,
	    r->env.arg);
	if (s == -1) {
		evtimer_add(r->ev_poll, &tv);
		return;
	}
	runner_event_free(&r->ev_poll);
	if (s < 0) {
		verdict(r, 0, "no such check");
		return;
	}
	if (s > RUNNER_CHECK_UNKNOWN)
		s = RUNNER_CHECK_UNKNOWN;
	if (s <= c->worst) {
		verdict(r, 1, NULL);
		return;
	}
	if (msg != NULL && *msg != '\0')
		why = xasprintf("it is %s (%s)", runbook_health_name(s), msg);
	else
		why = xasprintf("it is %s", runbook_health_name(s));
	verdict(r, 0, why);
	free(why);
}

/* Starts judging the current criterion. */
static void
judge(struct runner *r)
{
	const struct step *c = r->crit_item;
	struct timeval tv = { 0, 0 };
	char *cause = NULL, *why;

	if (c->kind == STEP_WAIT) {
		if (r->env.check_fresh == NULL) {
			verdict(r, 0, "maintop cannot probe checks here");
			return;
		}
		r->crit_token = 0;
		if (r->env.check_fresh(c->checks[0], &r->crit_token, NULL,
		    r->env.arg) == -2) {
			verdict(r, 0, "no such check");
			return;
		}
		r->ev_poll = evtimer_new(r->env.base, on_poll, r);
		evtimer_add(r->ev_poll, &tv);
		return;
	}
	if (child_spawn(r, c, &cause) != 0) {
		why = xasprintf("could not start: %s", cause);
		verdict(r, 0, why);
		free(why);
		free(cause);
		return;
	}
	r->steps[runner_current(r, NULL)].pid = r->pid;
}

void
runcrit_start(struct runner *r)
{
	r->crit_active = 1;
	r->crit_pos = 0;
	r->crit_failed = 0;
	json_decref(r->crit_results);
	r->crit_results = json_array();
	runcrit_next(r);
}

void
runcrit_next(struct runner *r)
{
	const struct step *st = runner_current_step(r);
	char *msg;

	if (!r->crit_active || st == NULL)
		return;
	if (r->crit_pos >= st->ncriteria) {
		if (r->crit_failed == 0) {
			stepout_say(r, "maintop: every criterion passed\n");
			runner_step_complete(r, RSTEP_OK, 0, 0, NULL);
			return;
		}
		msg = xasprintf("%zu of %zu criteria failed", r->crit_failed,
		    st->ncriteria);
		stepout_say(r, "maintop: %s\n", msg);
		runner_step_complete(r, RSTEP_FAILED, -1, 0, msg);
		free(msg);
		return;
	}
	r->crit_item = st->criteria[r->crit_pos];
	judge(r);
}

void
runcrit_child_done(struct runner *r, enum runner_step_state s, int code,
    int sig, const char *msg)
{
	/* A timeout, an abort or Ctrl-C ends the whole step, not one
	 * criterion: the rest are not judged. */
	if (r->timed_out) {
		runner_step_complete(r, RSTEP_TIMEDOUT, -1, 0, "timed out");
		return;
	}
	if (r->aborting || r->interrupts > 0) {
		runner_step_complete(r, RSTEP_FAILED, code, sig, r->aborting ?
		    "aborted" : "interrupted");
		return;
	}
	verdict(r, s == RSTEP_OK, msg != NULL ? msg : "failed");
}
