/* What "maintop agent" (cmd_agent.c) shares with its autoruns
 * (agent_run.c) and its watch on the debt list (agent_watch.c): the
 * agent's state and the few calls between them. */
#ifndef MAINTOP_AGENT_PRIV_H
#define MAINTOP_AGENT_PRIV_H

#include <time.h>

#include "agent_prep.h"
#include "agent_state.h"
#include "check.h"
#include "runner.h"
#include "util.h"

/* A start later than this is late: it runs only with catch_up. */
#define AGENT_LATE	60
/* The state file is written at most this often (and at each change). */
#define AGENT_HEARTBEAT	AGENT_STATE_HEARTBEAT

struct agent {
	struct event_base	*base;
	struct config		*cfg;
	const char		*explicit;
	char			*state_dir;
	int			 once;
	int			 journald;
	int			 failed;
	time_t			 last;		/* everything up to it is done */
	time_t			 written;	/* the state file's heartbeat */
	int			 state_again;	/* write the state at the tick */
	/* The debt list is looked at again when told (debt_again) or at
	 * debt_next (0: only when told); see agent_watch.c. */
	int			 debt_again;
	time_t			 debt_next;
	int			 debt_looking;
	int			 hold_looking;	/* holds being read */

	struct worker		*io;
	struct outbox		*outbox;
	struct health		*health;
	enum state		*states;	/* last told, per check */
	struct event		*tick;
	struct event		*ev_hup;
	struct event		*ev_term;
	struct event		*ev_int;

	/* Autoruns: a queue of (window, runbook) run one at a time. */
	struct runner_env	 env;
	struct runner		*runner;
	const struct runbook	*running;
	struct window		*run_window;
	struct autorun {
		struct window		*w;
		const struct runbook	*rb;
		time_t			 start;
	}			*queue;
	size_t			 nqueue;
	/* The next autorun, its requirements being read on io. */
	int			 preparing;
	int			 started;	/* its start was told */
	char			**values;	/* its parameters, bound */
	struct agent_prep	 prep;
	int			 stopping;
	/* The running step's output (masked) and, once a step failed, its
	 * last output, for the run.end event. */
	char			*out_tail;
	char			*failed_tail;
	size_t			 failed_step;

	/* With settings.store: the team's store, who leads and, while this
	 * agent leads, its LISTEN connection. */
	struct store		*store;
	struct agent_lead	*lead;
	struct store_listen	*listen;
};

/* True unless another agent of the team leads. */
int agent_leads(const struct agent *);
/* One log line: "<N>" for journald when it reads us, else a prefix. */
void agent_log(struct agent *, int prio, const char *fmt, ...)
    UTIL_PRINTF(3, 4);
/* Queues event ev (its id) for the channels names, when this agent leads. */
void agent_send(struct agent *, char *const *names, size_t n,
    const char *id, const char *ev);

/* While leading, looks at the debt list when due (agent_watch.c). */
void agent_watch_step(struct agent *, time_t now);
/* The lead taken (listening to the team store, the debt list to be looked
 * at) or lost (no longer listening). */
void agent_watch_lead(struct agent *, int leading);
/* Stops listening, at the end. */
void agent_watch_free(struct agent *);

/* Sets the runner callbacks of an unattended autorun in a->env. */
void agent_run_env(struct agent *);
/* Starts the next queued autorun, if none is running. */
void agent_run_next(struct agent *);
/* At window w's start: reads its holds on the worker, then queues its
 * autoruns (or journals them held, late or missed). */
void agent_run_hold_look(struct agent *, struct window *w, time_t start,
    time_t now);

#endif
