/* A run's lock in the team store, kept while the run goes: a look at its
 * session every second (nothing is sent to the store), the lock taken back
 * as soon as the store answers again after losing it, and the run stopped
 * before its next step when another maintop took it meanwhile. */
#include "runner_priv.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "runbook.h"
#include "store.h"
#include "worker.h"

/* How often the lock's session is looked at, and a lost store tried. */
#define RUNKEEP_MS	1000

/* One look, on the worker (the job never touches the runner there). */
struct runkeep_job {
	struct runner		*r;
	struct store		*store;
	struct store_lock	*lock;
	int			 state;	/* enum store_lock_state */
	char			*holder;
};

/*
 * Another maintop holds the lock now: two runs of the runbook may be
 * going.  The step going now is not killed (half a step is worse than a
 * whole one), but nothing more starts: neither a step, nor a rollback,
 * nor an always step, which could undo or redo the other run's work.
 */
static void
runkeep_lost(struct runner *r, const char *holder)
{
	json_t *o;

	r->lock_lost = xstrdup(holder);
	runner_event_free(&r->ev_keep);
	stepout_close_line(r);
	stepout_say(r, "maintop: WARNING: LOCK LOST: the team store lost this "
	    "run's lock of '%s' while it was unreachable, and %s has taken it "
	    "since: two runs of '%s' may be going at once.  This run starts "
	    "nothing more (no step, no rollback, no always step); talk to "
	    "them before anything else runs.\n", r->rb->name, holder,
	    r->rb->name);
	o = runjournal_record(r, "run_lock");
	json_object_set_new(o, "state", json_string("lost"));
	json_object_set_new(o, "holder", json_string(holder));
	runjournal_write(r, o, 1, NULL);
	if (r->phase == RUNNER_CONFIRM || r->phase == RUNNER_FAILED)
		runkeep_halted(r);	/* nothing runs: it ends now */
}

/* What the look found, back on the loop. */
static void
runkeep_found(struct runner *r, int state, const char *holder)
{
	json_t *o;

	switch (state) {
	case STORE_LOCK_HELD:
		break;
	case STORE_LOCK_WAITING:
		if (r->keep_waiting)
			break;
		r->keep_waiting = 1;
		stepout_say(r, "maintop: the team store is unreachable: the "
		    "run goes on, its records wait in the spool, and its lock "
		    "is taken back as soon as the store answers\n");
		break;
	case STORE_LOCK_BACK:
		r->keep_waiting = 0;
		stepout_say(r, "maintop: the team store answers again: this "
		    "run holds its lock of '%s' again\n", r->rb->name);
		o = runjournal_record(r, "run_lock");
		json_object_set_new(o, "state", json_string("retaken"));
		runjournal_write(r, o, 0, NULL);
		break;
	case STORE_LOCK_LOST:
		if (r->lock_lost == NULL)
			runkeep_lost(r, holder != NULL ? holder : "another "
			    "maintop");
		break;
	}
}

static void
runkeep_work(void *arg)
{
	struct runkeep_job *j = arg;

	j->state = store_lock_keep(j->store, j->lock, &j->holder);
}

static void
runkeep_done(void *arg)
{
	struct runkeep_job *j = arg;
	struct runner *r = j->r;

	r->jobs--;
	r->keep_out = 0;
	if (!r->freed && r->phase != RUNNER_DONE)
		runkeep_found(r, j->state, j->holder);
	free(j->holder);
	free(j);
	if (r->freed && r->jobs == 0)
		runner_destroy(r);
}

static void
runkeep_tick(evutil_socket_t fd, short what, void *arg)
{
	struct runner *r = arg;
	struct runkeep_job *j;

	(void)fd;
	(void)what;
	if (r->keep_out || r->slock == NULL)
		return;
	j = xcalloc(1, sizeof *j);
	j->r = r;
	j->store = r->env.store;
	j->lock = r->slock;
	r->keep_out = 1;
	r->jobs++;
	/* In order with the run's records on the worker (at once without
	 * one: the line modes may wait). */
	worker_run(r->env.worker, runkeep_work, runkeep_done, j);
}

void
runkeep_start(struct runner *r)
{
	struct timeval tv;

	if (r->slock == NULL || r->ev_keep != NULL)
		return;
	r->ev_keep = event_new(r->env.base, -1, EV_PERSIST, runkeep_tick, r);
	tv.tv_sec = RUNKEEP_MS / 1000;
	tv.tv_usec = (RUNKEEP_MS % 1000) * 1000;
	evtimer_add(r->ev_keep, &tv);
}

void
runkeep_stop(struct runner *r)
{
	runner_event_free(&r->ev_keep);
}

int
runkeep_halted(struct runner *r)
{
	if (r->lock_lost == NULL)
		return 0;
	runner_event_free(&r->ev_timeout);	/* a pause's */
	r->phase = RUNNER_RUNNING;
	r->result = RUNNER_ABORTED;
	runner_kick(r, OP_FINISH);
	return 1;
}
