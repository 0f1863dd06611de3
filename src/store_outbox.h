/* The notification outbox in the team store (settings.store): one row an
 * event and channel in maintop.outbox, shared by the team's agents, so
 * that an event queued twice is one row and the lead's successor finds
 * what was not delivered yet. */
#ifndef MAINTOP_STORE_OUTBOX_H
#define MAINTOP_STORE_OUTBOX_H

#include <stddef.h>
#include <time.h>

struct store;

/* Whether the store keeps the outbox itself (a team store). */
int store_has_outbox(const struct store *);

/*
 * Queues event (JSON) id for channel, due at next: *added is 0 when the
 * store already has it (queued, sent or given up, by any agent).  Returns
 * 0, or -1 with *cause set.
 */
int store_outbox_add(struct store *, const char *id, const char *channel,
    const char *event, time_t next, int *added, char **cause);
/*
 * Claims the row of event id for channel before delivering it, in one
 * statement: it becomes claimer's (claimed_by) for lease seconds, unless
 * another claimer holds it (its claim not yet ended) or it no longer
 * waits.  Returns 1 when claimed (claimer's own claim is renewed), 0 when
 * another holds it (until *until, 0 when unknown), -1 when it no longer
 * waits (sent, given up, or not there), -2 with *cause set when the store
 * failed.  store_outbox_retry and store_outbox_done let the claim go.
 */
int store_outbox_claim(struct store *, const char *id, const char *channel,
    const char *claimer, int lease, time_t *until, char **cause);
/* A failed attempt: attempts so far, and when the next is due.  0, or -1
 * with *cause set. */
int store_outbox_retry(struct store *, const char *id, const char *channel,
    long long attempts, time_t next, char **cause);
/* Delivered (delivered set) or given up on: it leaves the queue, its row
 * staying to refuse it again.  0, or -1 with *cause set. */
int store_outbox_done(struct store *, const char *id, const char *channel,
    long long attempts, int delivered, char **cause);
/* The deliveries the team's agents gave up on (0 when the store cannot
 * say). */
long long store_outbox_failed(struct store *);

/*
 * Calls fn with each event still waiting, the longest due first, at most
 * max of them and 64 MiB in all (an event over 1 MiB is left out).  0, or -1 with *cause set.
 */
int store_outbox_foreach(struct store *, size_t max,
    void (*fn)(void *arg, const char *id, const char *channel,
    const char *event, long long attempts, time_t next), void *arg,
    char **cause);

#endif
