/* One agent per team leads: an advisory lock held by a session of the
 * team store, waited for and watched on a thread of its own so that the
 * agent's loop never waits on the database. */
#ifndef MAINTOP_AGENT_LEAD_H
#define MAINTOP_AGENT_LEAD_H

struct config;
struct event_base;
struct store;
struct store_conf;
struct agent_lead;

/* The leader writes its heartbeat row this often (seconds): the only
 * statement of the lead's session at rest. */
#define AGENT_LEAD_KEEPALIVE	30
/* A session lost or not made is made again after this many seconds. */
#define AGENT_LEAD_RETRY	2

/*
 * Starts trying to lead the agents of the store conf (copied) as name
 * ("host pid N"; copied).  The thread connects and takes the lock, or
 * waits for it on the server (a follower sends nothing while it waits:
 * the leader's session ending grants it at once), then keeps its session,
 * watching its socket, and its heartbeat row in maintop.agent_heartbeat
 * (every AGENT_LEAD_KEEPALIVE seconds); losing the session (the database
 * restarted, the network gone) loses the lead. changed is called
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
