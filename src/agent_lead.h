/* One agent per team leads: an advisory lock held by a session of the
 * team store, tried and watched on a thread of its own so that the
 * agent's loop never waits on the database. */
#ifndef MAINTOP_AGENT_LEAD_H
#define MAINTOP_AGENT_LEAD_H

struct config;
struct event_base;
struct store;
struct store_conf;
struct agent_lead;

/* How often a follower tries to lead and a leader checks its session
 * (and writes its heartbeat), in seconds. */
#define AGENT_LEAD_PERIOD	2

/*
 * Starts trying to lead the agents of the store conf (copied) as name
 * ("host pid N"; copied).  The thread connects, tries the lock every
 * AGENT_LEAD_PERIOD seconds until it holds it, then keeps its session and
 * its heartbeat row in maintop.agent_heartbeat; losing the session (the
 * database restarted, the network gone) loses the lead.  changed is called
 * on base's loop with the new state (1 leading, 0 not) and, when not NULL,
 * why (valid during the call: the store's error, sanitized), each time it
 * changes or the store fails with a new reason.  Returns the leadership
 * (free with agent_lead_free).
 */
struct agent_lead *agent_lead_new(struct event_base *base,
    const struct store_conf *conf, const char *name,
    void (*changed)(void *arg, int leading, const char *why), void *arg);

/*
 * With cfg's settings.store (else 0, *store and *lead NULL): opens the
 * store for the agent's runs (connecting now: call it before the loop
 * runs) and starts trying to lead as "HOST pid N".  Refused with once
 * (--once is for one agent alone).  Returns 0, or -1 with *cause set
 * (sanitized; the caller frees it).
 */
int agent_lead_start(struct event_base *, const struct config *cfg,
    const char *state_dir, int once, struct store **store,
    struct agent_lead **lead,
    void (*changed)(void *arg, int leading, const char *why), void *arg,
    char **cause);

/* True while this agent leads (as changed last said). */
int agent_lead_leading(const struct agent_lead *);

/* Stops the thread (ending its session: the lead is free at once) and
 * frees everything. */
void agent_lead_free(struct agent_lead *);

#endif
