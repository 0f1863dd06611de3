/* What a run does when a step fails (its failure policy, rollback), when
 * it is aborted or runs out of budget, and how it ends: the always steps
 * after everything else, then one honest result. */
#include "runner_priv.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "runbook.h"

/* The budget's warning comes at this share of it (percent). */
#define RUNPOLICY_BUDGET_WARN	80

/* A journal record of a decision the runner took on its own. */
static void
record_policy(struct runner *r, size_t step, const char *policy,
    const char *why)
{
	json_t *o = runjournal_record(r, "policy");

	json_object_set_new(o, "step", json_integer((json_int_t)step));
	json_object_set_new(o, "policy", json_string(policy));
	json_object_set_new(o, "why", json_string(why));
	if (r->env.unattended)
		json_object_set_new(o, "unattended", json_true());
	runjournal_write(r, o, 0, NULL);
}

/*
 * The result once the always steps are done: a run that would have been a
 * success is partial when one of them failed; an abort during them keeps
 * the result they followed, or is the result when that was a success.
 */
static enum runner_result
final_result(const struct runner *r)
{
	if (r->pending == RUNNER_SUCCESS && r->aborting)
		return RUNNER_ABORTED;
	if (r->pending == RUNNER_SUCCESS && r->always_failed)
		return RUNNER_PARTIAL;
	return r->pending;
}

void
runpolicy_conclude(struct runner *r, enum runner_result res)
{
	size_t i;

	r->pending = res;
	r->in_rollback = 0;
	r->aborting = 0;
	for (i = 0; i < r->rb->nsteps; i++)
		if (r->rb->steps[i]->always && r->steps[i].state ==
		    RSTEP_PENDING)
			break;
	if (i == r->rb->nsteps || r->detached) {
		r->result = r->detached ? RUNNER_DETACHED : final_result(r);
		runner_finish(r);
		return;
	}
	if (res != RUNNER_SUCCESS && res != RUNNER_PARTIAL)
		stepout_say(r, "maintop: the run is %s; the always steps "
		    "follow\n", runner_result_name(res));
	r->always_phase = 1;
	r->cur = i;
	r->phase = RUNNER_RUNNING;
	runner_kick(r, OP_ENTER);
}

void
runpolicy_next_always(struct runner *r)
{
	while (r->cur < r->rb->nsteps && (!r->rb->steps[r->cur]->always ||
	    r->steps[r->cur].state != RSTEP_PENDING))
		r->cur++;
	if (r->cur >= r->rb->nsteps) {
		r->result = final_result(r);
		runner_finish(r);
		return;
	}
	runner_enter_step(r, r->rb->steps[r->cur]);
}

void
runpolicy_always_done(struct runner *r, enum runner_step_state s)
{
	if (s != RSTEP_OK) {
		r->always_failed = 1;
		if (!r->aborting)
			stepout_say(r, "maintop: always step '%s' failed; the "
			    "other always steps still run\n",
			    r->rb->steps[r->cur]->name);
	}
	if (r->aborting) {
		r->result = final_result(r);
		runner_finish(r);
		return;
	}
	r->cur++;
	runner_kick(r, OP_ENTER);
}

void
runpolicy_abort(struct runner *r)
{
	if (r->always_phase) {
		r->aborting = 1;
		r->result = final_result(r);
		runner_kick(r, OP_FINISH);
		return;
	}
	r->pending = r->in_rollback && r->rb_failed ? RUNNER_ROLLBACK_FAILED :
	    RUNNER_ABORTED;
	runner_kick(r, OP_CONCLUDE);
}

void
runpolicy_rollback(struct runner *r)
{
	size_t i, j, last;

	/* Every step that started, the current one included. */
	last = r->cur < r->rb->nsteps ? r->cur : r->rb->nsteps - 1;
	r->nrb = 0;
	for (i = last + 1; i-- > 0; ) {
		if (r->steps[i].state != RSTEP_OK &&
		    r->steps[i].state != RSTEP_FAILED &&
		    r->steps[i].state != RSTEP_TIMEDOUT)
			continue;
		for (j = 0; j < r->rb->steps[i]->nrollback; j++) {
			r->rbv = xreallocarray(r->rbv, r->nrb + 1,
			    sizeof *r->rbv);
			r->rbv[r->nrb].step = i;
			r->rbv[r->nrb].j = j;
			r->nrb++;
		}
	}
	if (r->nrb == 0) {
		stepout_say(r, "maintop: no step that started has a rollback; "
		    "the run has failed\n");
		r->pending = RUNNER_FAILURE;
		runner_kick(r, OP_CONCLUDE);
		return;
	}
	stepout_say(r, "maintop: rolling back %zu step%s\n", r->nrb,
	    r->nrb == 1 ? "" : "s");
	r->in_rollback = 1;
	r->rbpos = 0;
	r->rb_owner_skipped = 0;
	r->rb_failed = 0;
	r->phase = RUNNER_RUNNING;
	runner_kick(r, OP_ENTER);
}

void
runpolicy_failed(struct runner *r, const struct step *st)
{
	size_t i = runner_current(r, NULL);
	int policy;

	if (r->in_rollback) {
		r->rb_failed = 1;
		if (r->env.unattended) {
			stepout_say(r, "maintop: rollback step '%s' failed; "
			    "nothing more is rolled back\n", st->name);
			record_policy(r, i, "stop", "a rollback step failed");
			runpolicy_conclude(r, RUNNER_ROLLBACK_FAILED);
			return;
		}
		r->phase = RUNNER_FAILED;
		if (r->env.on_failed != NULL)
			r->env.on_failed(r, r->env.arg);
		return;
	}
	policy = st->continue_on_error ? RUNBOOK_CONTINUE :
	    runbook_step_policy(r->rb, st, r->env.unattended);
	switch (policy) {
	case RUNBOOK_CONTINUE:
		stepout_say(r, "maintop: step '%s' failed; continuing (%s); "
		    "the run can be partial at best\n", st->name,
		    st->continue_on_error ? "continue_on_error" :
		    "on_failure = continue");
		record_policy(r, i, "continue", "the step failed");
		r->partial = 1;
		r->cur++;
		runner_kick(r, OP_ENTER);
		return;
	case RUNBOOK_ABORT:
		stepout_say(r, "maintop: step '%s' failed; stopping "
		    "(on_failure = abort)\n", st->name);
		record_policy(r, i, "abort", "the step failed");
		runpolicy_conclude(r, RUNNER_FAILURE);
		return;
	case RUNBOOK_ROLLBACK:
		stepout_say(r, "maintop: step '%s' failed; rolling back%s\n",
		    st->name, r->env.unattended ? " (nobody is watching: "
		    "unattended_failure)" : "");
		record_policy(r, i, "rollback", "the step failed");
		runpolicy_rollback(r);
		return;
	default:
		r->phase = RUNNER_FAILED;
		if (r->env.on_failed != NULL)
			r->env.on_failed(r, r->env.arg);
	}
}

void
runpolicy_pause_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct runner *r = arg;
	const struct step *st = runner_current_step(r);
	char dur[32];

	runner_event_free(&r->ev_timeout);
	if (r->phase != RUNNER_CONFIRM || st == NULL || st->kind != STEP_PAUSE)
		return;
	util_format_duration(st->timeout, dur, sizeof dur);
	stepout_say(r, "maintop: pause '%s' was not confirmed within %s\n",
	    st->name, dur);
	r->phase = RUNNER_RUNNING;
	runner_step_complete(r, RSTEP_TIMEDOUT, -1, 0, "not confirmed in "
	    "time");
}

static void
budget_arm(struct runner *r, long long ms)
{
	struct timeval tv;

	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)((ms % 1000) * 1000);
	evtimer_add(r->ev_budget, &tv);
}

/* 80% of the budget: a warning; 100%: the running step is stopped (its
 * failure policy follows) and no further step starts. */
static void
on_budget(evutil_socket_t fd, short what, void *arg)
{
	struct runner *r = arg;
	json_t *o;
	char dur[32];
	long long ms = r->rb->budget * 1000;

	util_format_duration(r->rb->budget, dur, sizeof dur);
	if (!r->budget_warned) {
		r->budget_warned = 1;
		stepout_say(r, "maintop: warning: %d%% of the run's budget of "
		    "%s is spent\n", RUNPOLICY_BUDGET_WARN, dur);
		o = runjournal_record(r, "budget");
		json_object_set_new(o, "spent_pct",
		    json_integer(RUNPOLICY_BUDGET_WARN));
		runjournal_write(r, o, 0, NULL);
		budget_arm(r, ms - ms * RUNPOLICY_BUDGET_WARN / 100);
		return;
	}
	r->over_budget = 1;
	stepout_say(r, "maintop: the run's budget of %s is spent\n", dur);
	o = runjournal_record(r, "budget");
	json_object_set_new(o, "spent_pct", json_integer(100));
	runjournal_write(r, o, 0, NULL);
	if (r->phase == RUNNER_RUNNING && !r->in_rollback &&
	    !r->always_phase)
		runner_stop_step(r, "the run's budget is spent");
	else if (r->phase == RUNNER_CONFIRM && !r->in_rollback &&
	    !r->always_phase) {
		r->phase = RUNNER_RUNNING;
		runner_event_free(&r->ev_timeout);
		runner_kick(r, OP_ENTER);	/* fails: over budget */
	}
}

void
runpolicy_budget(struct runner *r)
{
	long long ms = r->rb->budget * 1000;

	if (r->rb->budget <= 0)
		return;
	r->ev_budget = evtimer_new(r->env.base, on_budget, r);
	budget_arm(r, ms * RUNPOLICY_BUDGET_WARN / 100);
}
