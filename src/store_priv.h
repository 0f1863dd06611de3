/* What the store's backends share: the operations each one implements
 * (store_files.c, store_pg.c) behind store.h. */
#ifndef MAINTOP_STORE_PRIV_H
#define MAINTOP_STORE_PRIV_H

#include <pthread.h>

#include <libpq-fe.h>

#include "store.h"

/* One backend.  Each member's contract is its store.h function's. */
struct store_ops {
	const char	*name;
	int	(*lock_take)(struct store *, const char *runbook,
		    const char *id, time_t since, struct store_lock **,
		    char **stale, char **cause);
	void	(*lock_release)(struct store *, struct store_lock *);
	int	(*journal_append)(struct store *, const char *id,
		    const char *line, char **cause);
	int	(*last_success)(struct store *, const char *runbook,
		    time_t *when, char **cause);
	int	(*journal_foreach)(struct store *, const char *runbook,
		    void (*)(const char *, void *), void *, char **cause);
	int	(*run_live)(struct store *, const char *runbook,
		    const char *id, long pid);
	/* NULL: always reachable. */
	int	(*unreachable)(struct store *);
	/* NULL: nothing ever waits. */
	int	(*flush)(struct store *, char **cause);
	/* NULL: a lock is never lost (STORE_LOCK_HELD). */
	int	(*lock_keep)(struct store *, struct store_lock *,
		    char **holder);
	/* Frees the backend's data (not the store). */
	void	(*close)(struct store *);
};

struct store {
	const struct store_ops	*ops;
	char			*state_dir;
	void			*data;	/* the backend's */
};

extern const struct store_ops store_files_ops;
extern const struct store_ops store_pg_ops;

/* The PostgreSQL backend's data: one connection for the journal
 * (store_pg.c), one more per run lock (store_pglock.c). */
struct store_pg {
	PGconn			*conn;		/* NULL while unreachable */
	pthread_mutex_t		 mutex;		/* all of it: the worker
						 * appends while the loop
						 * reads */
	struct store_conf	 conf;		/* copied */
	long long		 retry_at;	/* no reconnection before
						 * (util_mono_ms) */
	int			 opened;	/* store_pg_open succeeded */
	int			 unreachable;	/* a lock's session could
						 * not be made */
	struct store_lock	*locks;		/* the run locks held */
};

/* A session of the backend: store_pg_connect, with statements bounded.
 * NULL with *cause set. */
PGconn *store_pg_session(const struct store_conf *, char **cause);

/*
 * Whether an idle session is still there: what the server sent it (its
 * shutdown's message, the end of the connection) is read, and nothing is
 * sent, so an idle store sees nothing.
 */
int store_pg_alive(PGconn *);

/* The run locks (store_pglock.c): store_ops' members. */
int store_pglock_take(struct store *, const char *runbook, const char *id,
    time_t since, struct store_lock **, char **stale, char **cause);
void store_pglock_release(struct store *, struct store_lock *);
int store_pglock_keep(struct store *, struct store_lock *, char **holder);
/*
 * With pg->mutex held: looks at each lock's session (what it received, no
 * statement) and takes back, at once, the locks whose sessions were lost.
 * Returns 0, or -1 when a lock is still waiting for the store to answer.
 */
int store_pglock_keep_all(struct store_pg *);

/* Opens the PostgreSQL backend's data into s->data.  0, or -1 with
 * *cause set. */
int store_pg_open(struct store *s, const struct store_conf *, int offline,
    char **cause);

/*
 * The PostgreSQL backend's connection for one piece of work on the calling
 * thread, reconnected first if it was lost: held until store_pg_unhold
 * (other threads' calls on the store wait).  NULL with *cause set when it
 * cannot be had.
 */
PGconn *store_pg_hold(struct store *, char **cause);
void store_pg_unhold(struct store *);

#endif
