/* The dashboard's team store: a thread of its own for the store's
 * blocking calls, and a LISTEN connection on the loop that says when the
 * team's runs changed and whether the store answers. */
#ifndef MAINTOP_STORE_ASYNC_H
#define MAINTOP_STORE_ASYNC_H

struct event_base;
struct store;
struct store_async;
struct store_conf;
struct worker;

/*
 * Starts the store's thread (a worker of its own, so that a hung store
 * holds no file work of the dashboard's), opens the store of conf on it
 * (copied; state_dir holds its spool; with offline, opened unconnected
 * when it cannot be reached, for --local-lock) and starts listening
 * (store_listen.h).  Never blocks.
 */
struct store_async *store_async_new(struct event_base *,
    const struct store_conf *conf, const char *state_dir, int offline);

/* What changed, for a subscriber: a bit each. */
#define STORE_ASYNC_RUNS	0x1	/* a journal record or a run lock
					 * notified, a watched run ended */
#define STORE_ASYNC_DEBT	0x2	/* a debt item notified */
#define STORE_ASYNC_LINK	0x4	/* the store reached, lost, back or
					 * opened: notifications may have
					 * been missed, re-read it all */
#define STORE_ASYNC_AGENT	0x8	/* an agent's document written (its
					 * state, its holds) */

/*
 * fn(what, arg) is called on the loop whenever the team's shared state
 * that kinds names (STORE_ASYNC_* bits) may have changed; what holds the
 * bits of kinds that did (a notification the store does not name counts
 * as every kind).  At most a few subscribers; unsubscribe before arg goes
 * away.
 */
void store_async_subscribe(struct store_async *, unsigned kinds,
    void (*fn)(unsigned what, void *), void *arg);
void store_async_unsubscribe(struct store_async *,
    void (*fn)(unsigned what, void *), void *arg);

/*
 * The store, as the loop last saw it opened (to be used by jobs on
 * store_async_worker only), or NULL while it is not open.
 */
struct store *store_async_store(const struct store_async *);
/*
 * The one store of the dashboard's team traffic, for jobs on
 * store_async_worker only: store_lazy_get there opens it if it is not yet,
 * so that the debt list, the agent line and the Runbooks pane share its
 * connection.  Borrowed: valid until store_async_free.
 */
struct store_lazy *store_async_lazy(const struct store_async *);
/* The store's thread: every job that uses the store goes there. */
struct worker *store_async_worker(const struct store_async *);

/*
 * Why what the dashboard shows of the team is stale (the store not
 * reached yet, lost, or refusing to open), or NULL while it is live.
 * Valid until the next turn of the loop.
 */
const char *store_async_stale(const struct store_async *);

/*
 * Watches run of runbook, which the store says is going: when its
 * holder's session ends (the run over, or its maintop killed, however),
 * the subscribers are told.  A run is watched once; a call for a run
 * already watched does nothing.
 */
void store_async_watch(struct store_async *, const char *runbook,
    const char *run);

/* Waits for the store's thread, closes the store, stops listening. */
void store_async_free(struct store_async *);

#endif
