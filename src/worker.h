/* One worker thread for the file work that may be slow (appends with
 * fsync, reading the journal), so that the event loop never waits on the
 * disk: a job queue, and a completion pipe the loop watches. */
#ifndef MAINTOP_WORKER_H
#define MAINTOP_WORKER_H

#include <stddef.h>

struct event_base;
struct worker;

/*
 * Starts the thread (every signal blocked in it) and watches its
 * completion pipe on base.  Exits through fatal() when the thread, the
 * pipe or the event cannot be made.
 */
struct worker *worker_new(struct event_base *base);

/*
 * Queues a job: work(arg) runs on the worker thread, then done(arg) on the
 * loop's thread (either may be NULL).  Jobs run one at a time in the order
 * queued, and their done callbacks are called in that order too.  work
 * must touch nothing the loop uses without a lock.  With a NULL worker the
 * job runs at once on the calling thread (work, then done): the line modes
 * have no screen to keep answering.
 */
void worker_run(struct worker *, void (*work)(void *),
    void (*done)(void *), void *arg);

/* Jobs queued whose done callback has not been called yet. */
size_t worker_pending(const struct worker *);

/*
 * Waits until every queued job has run and calls their done callbacks
 * (for the end of the program, when nothing is drawn any more).
 */
void worker_drain(struct worker *);

/* Drains, stops the thread and frees.  NULL is fine. */
void worker_free(struct worker *);

#endif
