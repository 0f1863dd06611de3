/* The PostgreSQL store's run locks: an advisory lock held by a session of
 * its own for the run's life, taken back when the store comes back after
 * losing that session. */
#include "build.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "journal.h"
#include "sanitize.h"
#include "store_pg.h"
#include "store_priv.h"
#include "store_spool.h"
#include "util.h"

struct store_lock {
	PGconn			*conn;		/* the session holding the
						 * advisory lock; NULL while
						 * lost */
	char			*runbook;
	char			*id;		/* the run's */
	time_t			 since;
	enum store_lock_state	 state;
	char			*holder;	/* who took it, when lost */
	struct store_lock	*next;		/* the backend's list */
};

/* A runbook's advisory lock key: 64 bits of an MD5 of its name. */
#define STORE_PG_RUN_KEY \
	"('x' || substr(md5('maintop run ' || $1), 1, 16))::bit(64)::bigint"

/* Who takes a lock: the journal's user and terminal, this host. */
static void
pg_who(char **user, char **tty, char *host, size_t hostlen)
{
	json_t *o = json_object();
	const char *v;

	journal_who_json(o);
	v = json_string_value(json_object_get(o, "user"));
	*user = xstrdup(v != NULL ? v : "?");
	v = json_string_value(json_object_get(o, "tty"));
	*tty = v != NULL ? xstrdup(v) : NULL;
	json_decref(o);
	if (gethostname(host, hostlen - 1) != 0 || host[0] == '\0')
		snprintf(host, hostlen, "?");
	host[hostlen - 1] = '\0';
}

/* "alice@bastion1 (on /dev/pts/3, pid 123, run ID) since T": the holder
 * in row i of a run_locks result. */
static char *
pg_holder(PGresult *res, int i)
{
	char *s, *safe;

	s = xasprintf("%s@%s (%s%s%spid %s, run %s) since %s",
	    PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
	    PQgetisnull(res, i, 2) ? "" : "on ",
	    PQgetisnull(res, i, 2) ? "" : PQgetvalue(res, i, 2),
	    PQgetisnull(res, i, 2) ? "" : ", ", PQgetvalue(res, i, 3),
	    PQgetvalue(res, i, 4), PQgetvalue(res, i, 5));
	safe = sanitize_cstr(s, 0);
	free(s);
	return safe;
}

/* The holder of runbook's row: live (its session holds the lock) or
 * not.  A new string, or NULL when there is no such row. */
static char *
pg_lock_holder(PGconn *conn, const char *runbook, int live)
{
	const char *p[1] = { runbook };
	char *who = NULL, *why = NULL;
	PGresult *res;

	res = store_pg_exec(conn, live ?
	    "SELECT usr, host, tty, pid, run, to_char(started_at AT TIME "
	    "ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM "
	    "maintop.run_locks l WHERE runbook = $1 AND EXISTS (SELECT 1 "
	    "FROM pg_locks k WHERE k.locktype = 'advisory' AND k.granted "
	    "AND k.pid = l.backend_pid AND k.objsubid = 1 AND "
	    "((k.classid::bigint << 32) | k.objid::bigint) = l.lock_key)" :
	    "SELECT usr, host, tty, pid, run, to_char(started_at AT TIME "
	    "ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM "
	    "maintop.run_locks WHERE runbook = $1", 1, p, &why);
	free(why);
	if (res != NULL && PQntuples(res) == 1)
		who = pg_holder(res, 0);
	PQclear(res);
	return who;
}

/* Describes this process as the holder of runbook's lock. */
static int
pg_lock_describe(PGconn *conn, const char *runbook, const char *key,
    const char *id, time_t since, char **cause)
{
	char *user, *tty, host[256], pid[32], when[32];
	const char *p[8];
	int r;

	pg_who(&user, &tty, host, sizeof host);
	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	util_format_utc(since, when, sizeof when);
	p[0] = runbook; p[1] = key; p[2] = id; p[3] = user; p[4] = host;
	p[5] = tty; p[6] = pid; p[7] = when;
	r = store_pg_run(conn, "WITH up AS (INSERT INTO maintop.run_locks "
	    "(runbook, lock_key, run, usr, host, tty, pid, backend_pid, "
	    "started_at) VALUES ($1, $2::bigint, $3, $4, $5, $6, $7::integer, "
	    "pg_backend_pid(), $8::timestamptz) ON CONFLICT (runbook) DO "
	    "UPDATE SET lock_key = excluded.lock_key, run = excluded.run, "
	    "usr = excluded.usr, host = excluded.host, tty = excluded.tty, "
	    "pid = excluded.pid, backend_pid = excluded.backend_pid, "
	    "started_at = excluded.started_at RETURNING runbook) SELECT "
	    "pg_notify('" STORE_PG_CHANNEL "', 'lock ' || runbook) FROM up",
	    8, p, cause);
	free(user);
	free(tty);
	return r;
}

/*
 * Takes runbook's lock on conn, a session of its own, and describes this
 * run as its holder.  Returns 0 (*stale, when not NULL, set as
 * store_lock_take says), 1 when another holds it (*cause names them), or
 * -1 with *cause set.
 */
static int
pglock_acquire(PGconn *conn, const char *runbook, const char *id,
    time_t since, char **stale, char **cause)
{
	const char *p[1] = { runbook };
	char *who, *key;
	PGresult *res;

	res = store_pg_exec(conn, "SELECT k, pg_try_advisory_lock(k) FROM "
	    "(SELECT " STORE_PG_RUN_KEY " AS k) AS s", 1, p, cause);
	if (res == NULL || PQntuples(res) != 1) {
		if (res != NULL)
			*cause = xstrdup("the store did not answer the lock");
		PQclear(res);
		return -1;
	}
	if (strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
		PQclear(res);
		who = pg_lock_holder(conn, runbook, 1);
		*cause = xasprintf("runbook '%s' is already running: started "
		    "by %s", runbook, who != NULL ? who : "another maintop "
		    "(it has not said who yet)");
		free(who);
		return 1;
	}
	key = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (stale != NULL)
		*stale = pg_lock_holder(conn, runbook, 0);
	if (store_pg_run(conn, "SELECT pg_advisory_lock(" STORE_PG_LIVE_KEY
	    ")", 1, p, cause) != 0 ||
	    pg_lock_describe(conn, runbook, key, id, since, cause) != 0) {
		if (stale != NULL) {
			free(*stale);
			*stale = NULL;
		}
		free(key);
		return -1;
	}
	free(key);
	return 0;
}

/*
 * The lock is an advisory lock of a session of its own, held for the
 * run's life: a holder killed by any signal loses its session and so the
 * lock.  Its row in run_locks only says who holds it.
 */
int
store_pglock_take(struct store *s, const char *runbook, const char *id,
    time_t since, struct store_lock **lock, char **stale, char **cause)
{
	struct store_pg *pg = s->data;
	struct store_lock *l;
	PGconn *conn;

	conn = store_pg_session(&pg->conf, cause);
	pthread_mutex_lock(&pg->mutex);
	pg->unreachable = conn == NULL;
	pthread_mutex_unlock(&pg->mutex);
	if (conn == NULL)
		return -1;
	if (pglock_acquire(conn, runbook, id, since, stale, cause) != 0) {
		PQfinish(conn);	/* and the lock with it */
		return -1;
	}
	l = xcalloc(1, sizeof *l);
	l->conn = conn;
	l->runbook = xstrdup(runbook);
	l->id = xstrdup(id);
	l->since = since;
	l->state = STORE_LOCK_HELD;
	pthread_mutex_lock(&pg->mutex);
	l->next = pg->locks;
	pg->locks = l;
	pthread_mutex_unlock(&pg->mutex);
	*lock = l;
	return 0;
}

void
store_pglock_release(struct store *s, struct store_lock *lock)
{
	struct store_pg *pg = s->data;
	struct store_lock **lp;
	const char *p[1] = { lock->runbook };
	char *why = NULL;

	pthread_mutex_lock(&pg->mutex);
	for (lp = &pg->locks; *lp != NULL; lp = &(*lp)->next)
		if (*lp == lock) {
			*lp = lock->next;
			break;
		}
	pthread_mutex_unlock(&pg->mutex);
	/* The row goes first, while the lock still keeps others away; a
	 * lock lost to another leaves its row alone. */
	if (lock->conn != NULL && store_pg_run(lock->conn, "WITH del AS "
	    "(DELETE FROM maintop.run_locks WHERE runbook = $1 AND "
	    "backend_pid = pg_backend_pid() RETURNING runbook) SELECT "
	    "pg_notify('" STORE_PG_CHANNEL "', 'lock ' || runbook) FROM del",
	    1, p, &why) != 0)
		free(why);
	if (lock->conn != NULL)
		PQfinish(lock->conn);	/* ends the session: the lock is free */
	free(lock->runbook);
	free(lock->id);
	free(lock->holder);
	free(lock);
}

/* A lost lock taken back on a new session, or found taken by another. */
static void
pglock_retake(struct store_pg *pg, struct store_lock *l)
{
	char *why = NULL;
	PGconn *conn;
	int r;

	if ((conn = store_pg_session(&pg->conf, &why)) == NULL) {
		free(why);
		return;		/* still waiting */
	}
	r = pglock_acquire(conn, l->runbook, l->id, l->since, NULL, &why);
	if (r == 0) {
		l->conn = conn;
		l->state = STORE_LOCK_BACK;
		free(why);
		return;
	}
	PQfinish(conn);
	if (r == 1) {
		l->state = STORE_LOCK_LOST;
		free(l->holder);
		/* "runbook 'X' is already running: started by WHO" */
		l->holder = xstrdup(strstr(why, "started by ") != NULL ?
		    strstr(why, "started by ") + 11 : why);
	}
	free(why);
}

int
store_pglock_keep_all(struct store_pg *pg)
{
	struct store_lock *l;
	int waiting = 0;

	for (l = pg->locks; l != NULL; l = l->next) {
		if (l->state == STORE_LOCK_HELD && !store_pg_alive(l->conn)) {
			PQfinish(l->conn);
			l->conn = NULL;
			l->state = STORE_LOCK_WAITING;
		}
		if (l->state == STORE_LOCK_WAITING)
			pglock_retake(pg, l);
		if (l->state == STORE_LOCK_WAITING)
			waiting = 1;
	}
	return waiting ? -1 : 0;
}

int
store_pglock_keep(struct store *s, struct store_lock *lock, char **holder)
{
	struct store_pg *pg = s->data;
	enum store_lock_state st;
	char *why = NULL;

	pthread_mutex_lock(&pg->mutex);
	store_pglock_keep_all(pg);
	st = lock->state;
	if (st == STORE_LOCK_BACK)
		lock->state = STORE_LOCK_HELD;
	if (st == STORE_LOCK_LOST)
		*holder = xstrdup(lock->holder);
	pthread_mutex_unlock(&pg->mutex);
	/* The lock first, then the records that waited for the store. */
	if ((st == STORE_LOCK_BACK || (st == STORE_LOCK_HELD &&
	    store_spool_pending(s->state_dir))) && store_flush(s, &why) != 0)
		free(why);
	return st;
}
