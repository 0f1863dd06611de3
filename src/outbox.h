/* The notification outbox: every event for every channel is kept in the
 * state directory until it is delivered, replayed after a restart, sent
 * once (ids deduplicated), retried with exponential back-off, folded into
 * one summary when a channel's rate limit is reached, and journaled. */
#ifndef MAINTOP_OUTBOX_H
#define MAINTOP_OUTBOX_H

#include <stddef.h>
#include <time.h>

struct channel;
struct event_base;
struct outbox;
struct worker;

/* Each retry waits twice as long as the one before (the channel's backoff
 * the first time), at most this long. */
#define OUTBOX_BACKOFF_MAX	3600
/* Events arriving within this many milliseconds go out together (and are
 * folded when the channel's rate limit would be passed). */
#define OUTBOX_BATCH_MS		500

/*
 * Creates the outbox of state_dir (state_dir/outbox, created mode 0700).
 * Files are written and read on io (the program's worker for the disk);
 * webhooks are POSTed on a worker of the outbox's own.  channels must
 * outlive the outbox (outbox_set_channels after a reload).  log(arg, line)
 * reports each attempt for the program's log (may be NULL).  Nothing is
 * read or sent before outbox_start.
 */
struct outbox *outbox_new(struct event_base *, struct worker *io,
    const char *state_dir, struct channel *const *channels, size_t n,
    void (*log)(void *, const char *), void *arg);

/* After a configuration reload.  Entries for a channel that no longer
 * exists stay in the directory, waiting for it. */
void outbox_set_channels(struct outbox *, struct channel *const *, size_t);

/* Loads what an earlier run left in the outbox, then delivers what is due. */
void outbox_start(struct outbox *);

/*
 * Keeps the outbox in store's table instead of the state directory (a
 * team store, shared by the team's agents; call before outbox_start): an
 * event queued by any agent is queued once, and the outbox delivers only
 * while active, which it is not until outbox_set_active says so.
 */
struct store;
void outbox_set_store(struct outbox *, struct store *);
/*
 * With a store: active (this agent leads the team) loads what the table
 * holds and delivers it; inactive forgets what waits (deliveries in flight
 * finish and are recorded) for the agent that leads now.
 */
void outbox_set_active(struct outbox *, int active);

/*
 * Queues event_json (from notify_event_json; id is its "id") for each
 * channel named in names[0..n).  An id already queued or delivered to a
 * channel is not queued again.
 */
void outbox_add(struct outbox *, const char *id, const char *event_json,
    char *const *names, size_t n);

/*
 * Calls idle(arg) once nothing is queued, loading or being sent (entries
 * waiting for a later retry or a rate limit do not count): for a one-shot
 * run that delivers what is due and exits.  Such a run makes one pass: what
 * is due when this is called, never a retry that falls due meanwhile.
 */
void outbox_when_idle(struct outbox *, void (*idle)(void *), void *arg);

/* Entries waiting (queued or for a retry), and those given up on. */
size_t outbox_waiting(const struct outbox *);
size_t outbox_failed(const struct outbox *);

/* Finishes the files' writes and frees; deliveries in flight are
 * cancelled (they stay in the directory and are sent after a restart). */
void outbox_free(struct outbox *);

#endif
