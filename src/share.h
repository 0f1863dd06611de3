/* One connection shared by the checks with the same connection parameters
 * (the PostgreSQL and Redis probes): the probes queued on it, its
 * references, the backoff after a failure and the deferred pump. */
#ifndef MAINTOP_SHARE_H
#define MAINTOP_SHARE_H

#include <sys/queue.h>

struct event;
struct event_base;
struct share;

/* A probe's place on a shared connection; owner is the kind's probe. */
struct share_waiter {
	TAILQ_ENTRY(share_waiter) entry;
	int			 queued;
	void			*owner;
};

/* What a probe kind does with its connections (designated initializers). */
struct share_ops {
	/*
	 * Moves the connection on: opens it, or sends the head of the queue's
	 * commands when it is ready.  Called from the share's own event when
	 * no probe is in flight and some wait; never inside a library
	 * callback.
	 */
	void	(*pump)(struct share *);
	/* Closes the connection at once; no callback reaches the probes. */
	void	(*drop)(struct share *);
	/* Fails the waiter's probe with state and msg and delivers it. */
	void	(*fail)(struct share_waiter *, int state, const char *msg);
};

/*
 * The kind's connection struct starts with a struct share.  cur is the
 * probe whose commands are in flight; queue the probes waiting, in order.
 */
struct share {
	struct share		*next;		/* in the kind's set */
	struct share		**set;		/* the set's head */
	const struct share_ops	*ops;
	char			*key;
	unsigned int		 refs;
	unsigned int		 fails;		/* consecutive failures */
	long long		 retry_at;	/* monotonic ms */
	char			*last_err;
	int			 last_state;	/* enum state of last_err */
	struct event		*kick;		/* deferred pump */
	struct share_waiter	*cur;
	TAILQ_HEAD(, share_waiter) queue;
};

/*
 * The connection with this key from the set kept in *slot (a probe kind's
 * ctx->kind_state), with one more reference; or a new one of size bytes
 * (zeroed, a struct share first) with one reference.  key passes to the
 * share.  share_set_free frees the set once every share is gone.
 */
struct share *share_get(void **slot, struct event_base *, char *key,
    size_t size, const struct share_ops *);
void share_set_free(void **slot);

/* References: the last unref drops the connection and frees the share. */
void share_ref(struct share *);
void share_unref(struct share *);

/* Queues a waiter (at the front when front is set), or takes it out. */
void share_enqueue(struct share *, struct share_waiter *, int front);
void share_dequeue(struct share *, struct share_waiter *);

/* Runs ops->pump from the loop soon (never inside the caller). */
void share_kick(struct share *);

/*
 * The connection failed (what: "cannot connect", err: why): backs off,
 * drops the connection, and fails every probe on it, in flight or waiting,
 * with state (an enum state: crit when the server failed, unknown when
 * our own side did) and "what: err".  The share stays valid for the
 * caller.
 */
void share_fail(struct share *, int state, const char *what,
    const char *err);

/*
 * For ops->pump when there is no connection: while backing off after a
 * failure, fails every waiting probe with the last error and the time of
 * the next try, and returns 1.  Returns 0 when a connection may be opened.
 */
int share_backing_off(struct share *);

/* The probe in flight is done: the next one may go. */
void share_done(struct share *);

#endif
