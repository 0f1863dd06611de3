/* The PostgreSQL store: its connection for the line modes, its errors,
 * and the backend of the store interface (journal records with idempotent
 * ids, spooled while the store is lost; the run locks are store_pglock.c's). */
#include "build.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "childenv.h"
#include "journal.h"
#include "pg_guard.h"
#include "sanitize.h"
#include "store_pg.h"
#include "store_priv.h"
#include "store_spool.h"
#include "util.h"

/* The most one libpq call may read from the store: a reply past it (a
 * server gone wrong, or not a store) drops the connection.  The debt
 * list's rows are 4 MiB at most, and the journal is read a row at a time. */
#define STORE_PG_READ_MAX	(64ULL * 1024 * 1024)

/* The last guarded call of this thread passed STORE_PG_READ_MAX. */
static _Thread_local int store_pg_tripped;

void
store_pg_guard(PGconn *conn)
{
	int fd = PQsocket(conn);

	store_pg_tripped = 0;
	pg_guard_enter(fd, pg_guard_received(fd) + STORE_PG_READ_MAX);
}

int
store_pg_unguard(void)
{
	return store_pg_tripped = pg_guard_leave();
}

PGresult *
store_pg_get_result(PGconn *conn)
{
	PGresult *res;

	store_pg_guard(conn);
	res = PQgetResult(conn);
	store_pg_unguard();
	return res;
}

/* The dashboard's terminal is curses': no notice goes there. */
static volatile int store_pg_quiet_notices;

void
store_pg_quiet(void)
{
	store_pg_quiet_notices = 1;
}

/* Server notices and warnings, sanitized, on stderr (line modes). */
static void
store_pg_notice(void *arg, const char *msg)
{
	char *s;

	(void)arg;
	if (store_pg_quiet_notices)
		return;
	s = sanitize_cstr(msg, 0);
	fprintf(stderr, "maintop: store: %s\n", s);
	free(s);
}

/* The connection's connect_timeout (ours, or the conninfo's), in ms. */
static long long
connect_timeout_ms(PGconn *conn)
{
	PQconninfoOption *opts = PQconninfo(conn), *o;
	long long ms = 10000;

	for (o = opts; o != NULL && o->keyword != NULL; o++) {
		if (strcmp(o->keyword, "connect_timeout") == 0 &&
		    o->val != NULL && atoi(o->val) > 0)
			ms = 1000LL * atoi(o->val);
	}
	PQconninfoFree(opts);
	return ms;
}

/*
 * Drives a connection started by PQconnectStartParams to its end, each
 * read under the guard, within its connect_timeout.  0, -1 (the
 * connection's error says why) or -2 (out of time).
 */
static int
store_pg_connect_wait(PGconn *conn)
{
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	long long end = util_mono_ms() + connect_timeout_ms(conn), left;
	struct pollfd pfd;
	int r;

	if (PQstatus(conn) == CONNECTION_BAD)
		return -1;
	while (st != PGRES_POLLING_OK) {
		if (st == PGRES_POLLING_FAILED)
			return -1;
		if ((left = end - util_mono_ms()) <= 0)
			return -2;
		pfd.fd = PQsocket(conn);
		pfd.events = st == PGRES_POLLING_READING ? POLLIN : POLLOUT;
		pfd.revents = 0;
		r = poll(&pfd, 1, (int)(left < 1000 ? left : 1000));
		if (r < 0 && errno != EINTR)
			return -1;
		if (r <= 0)
			continue;
		store_pg_guard(conn);
		st = PQconnectPoll(conn);
		if (store_pg_unguard())
			return -1;
	}
	return 0;
}

PGconn *
store_pg_connect(const struct store_conf *conf, char **cause)
{
	const char *kw[11], *val[11], *env = NULL;
	char *pw = NULL, *why;
	PGconn *conn;
	int n = 0, r;

	/* The environment as maintop started, captured on the main thread
	 * before any other (childenv.h): this may be a store thread, and
	 * the loop may set TZ meanwhile. */
	if (conf->password_env != NULL) {
		env = childenv_get(conf->password_env);
		if (env == NULL || *env == '\0') {
			*cause = xasprintf("environment variable %s "
			    "(settings.store.password_env) is not set",
			    conf->password_env);
			return NULL;
		}
		pw = xstrdup(env);
	}
	/* Later values win: the conninfo's own connect_timeout wins over
	 * ours, and it holds no password (validate refuses one). */
	kw[n] = "connect_timeout";	val[n++] = "10";
	/* A store that stops answering is noticed within seconds, not
	 * after the kernel's two hours: a run's records then spool. */
	kw[n] = "keepalives";		val[n++] = "1";
	kw[n] = "keepalives_idle";	val[n++] = "5";
	kw[n] = "keepalives_interval";	val[n++] = "2";
	kw[n] = "keepalives_count";	val[n++] = "3";
	kw[n] = "tcp_user_timeout";	val[n++] = "10000";
	kw[n] = "dbname";		val[n++] = conf->conninfo;
	if (pw != NULL) {
		kw[n] = "password";	val[n++] = pw;
	}
	kw[n] = "fallback_application_name"; val[n++] = "maintop";
	kw[n] = NULL;			val[n] = NULL;
	conn = PQconnectStartParams(kw, val, 1);
	if (pw != NULL) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
	if (conn == NULL) {
		*cause = xstrdup("cannot reach the store: out of memory");
		return NULL;
	}
	PQsetNoticeProcessor(conn, store_pg_notice, NULL);
	if ((r = store_pg_connect_wait(conn)) != 0) {
		why = r == -2 ? xstrdup("no answer within connect_timeout") :
		    store_pg_error(conn, NULL);
		*cause = xasprintf("cannot reach the store: %s", why);
		free(why);
		PQfinish(conn);
		return NULL;
	}
	/* The journal's JSON is UTF-8; "already exists, skipping" is not
	 * news. */
	if (PQsetClientEncoding(conn, "UTF8") != 0) {
		why = store_pg_error(conn, NULL);
		*cause = xasprintf("the store: %s", why);
		free(why);
		PQfinish(conn);
		return NULL;
	}
	if (store_pg_run(conn, "SET client_min_messages = warning", 0, NULL,
	    cause) != 0) {
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

char *
store_pg_error(PGconn *conn, const PGresult *res)
{
	const char *m = NULL, *state = NULL;
	char *safe, *out;

	if (res != NULL) {
		m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	}
	if (m == NULL && store_pg_tripped)
		m = "the store sent more than 64 MiB in one reply (the "
		    "connection was dropped)";
	if (m == NULL)
		m = conn != NULL ? PQerrorMessage(conn) : "out of memory";
	if (m == NULL || *m == '\0')
		m = "unknown error";
	safe = sanitize_cstr(m, 0);
	if (state != NULL && (strcmp(state, "42501") == 0 ||
	    strcmp(state, "25006") == 0)) {
		out = xasprintf("%s: the store's role '%s' may not do this (a "
		    "read-only role has SELECT only; see 'Roles' in "
		    "maintop.conf(5))", safe, conn != NULL &&
		    PQuser(conn) != NULL ? PQuser(conn) : "?");
		free(safe);
		safe = sanitize_cstr(out, 0);
		free(out);
	}
	return safe;
}

PGresult *
store_pg_exec(PGconn *conn, const char *sql, int n, const char *const *params,
    char **cause)
{
	PGresult *res;
	ExecStatusType st;

	store_pg_guard(conn);
	if (n == 0)
		res = PQexec(conn, sql);
	else
		res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
	store_pg_unguard();
	st = PQresultStatus(res);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return res;
	*cause = store_pg_error(conn, res);
	PQclear(res);
	return NULL;
}

int
store_pg_run(PGconn *conn, const char *sql, int n, const char *const *params,
    char **cause)
{
	PGresult *res = store_pg_exec(conn, sql, n, params, cause);

	if (res == NULL)
		return -1;
	PQclear(res);
	return 0;
}


/* The backend: one connection for the journal (the run locks' sessions
 * are store_pglock.c's). */

static int pg_catch_up(struct store *, struct store_pg *);

/* A lost store is tried again at most this often (by an append). */
#define STORE_PG_RETRY_MS	1000

/* The longest a statement of a run's may hang on a stuck store. */
#define STORE_PG_STATEMENT_TIMEOUT	"SET statement_timeout = '10s'"

PGconn *
store_pg_session(const struct store_conf *conf, char **cause)
{
	PGconn *conn = store_pg_connect(conf, cause);

	if (conn != NULL && store_pg_run(conn, STORE_PG_STATEMENT_TIMEOUT, 0,
	    NULL, cause) != 0) {
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

int
store_pg_alive(PGconn *conn)
{
	struct pollfd pfd;
	int i, ok = 1;

	if (conn == NULL || PQstatus(conn) != CONNECTION_OK)
		return 0;
	for (i = 0; ok && i < 4; i++) {
		pfd.fd = PQsocket(conn);
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (pfd.fd < 0)
			return 0;
		if (poll(&pfd, 1, 0) <= 0)
			break;
		store_pg_guard(conn);
		ok = PQconsumeInput(conn);
		if (store_pg_unguard())
			ok = 0;
	}
	return ok && PQstatus(conn) == CONNECTION_OK;
}

int
store_pg_open(struct store *s, const struct store_conf *conf, int offline,
    char **cause)
{
	struct store_pg *pg = xcalloc(1, sizeof *pg);
	char *why = NULL;
	int v;

	pg->conf.conninfo = xstrdup(conf->conninfo);
	if (conf->password_env != NULL)
		pg->conf.password_env = xstrdup(conf->password_env);
	pthread_mutex_init(&pg->mutex, NULL);
	s->data = pg;
	if (offline && (pg->conn = store_pg_session(conf, &why)) == NULL) {
		/* Unconnected: records spool, locks are the caller's. */
		free(why);
		pg->unreachable = 1;
		pg->retry_at = util_mono_ms() + STORE_PG_RETRY_MS;
		pg->opened = 1;
		return 0;
	}
	if ((!offline && (pg->conn = store_pg_session(conf, cause)) == NULL) ||
	    store_pg_version(pg->conn, &v, cause) != 0)
		goto fail;
	if (v != STORE_PG_SCHEMA) {
		*cause = xasprintf("the store's schema is version %d, this "
		    "maintop uses %d: run 'maintop store %s'", v,
		    STORE_PG_SCHEMA, v == 0 ? "init" : v < STORE_PG_SCHEMA ?
		    "migrate" : "status");
		goto fail;
	}
	/* Records a lost store left in the spool: the store has them now
	 * (or they wait for the next append). */
	pthread_mutex_lock(&pg->mutex);
	pg_catch_up(s, pg);
	pthread_mutex_unlock(&pg->mutex);
	pg->opened = 1;
	return 0;
fail:
	store_pg_ops.close(s);
	s->data = NULL;
	return -1;
}

static void
pg_close(struct store *s)
{
	struct store_pg *pg = s->data;

	if (pg == NULL)
		return;
	/* A last try for the records a lost store left in the spool. */
	if (pg->opened && store_spool_pending(s->state_dir)) {
		pg->retry_at = 0;
		pg_catch_up(s, pg);
	}
	if (pg->conn != NULL)
		PQfinish(pg->conn);
	pthread_mutex_destroy(&pg->mutex);
	free(pg->conf.conninfo);
	free(pg->conf.password_env);
	free(pg);
}

/*
 * Whether a command that failed lost the store rather than being refused
 * by it: the connection is gone, the server shuts down or cancelled the
 * statement (SQLSTATE classes 08 and 57).  Such a record is spooled.
 */
static int
pg_lost(PGconn *conn, const PGresult *res)
{
	const char *state;

	if (PQstatus(conn) != CONNECTION_OK || res == NULL)
		return 1;
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	return state == NULL || strncmp(state, "08", 2) == 0 ||
	    strncmp(state, "57", 2) == 0;
}

/* Inserts one record under its id (once: a second insert adds nothing).
 * 0, or -1 with *cause set and *lost saying whether the store was lost. */
static int
pg_insert(PGconn *conn, const char *id, const char *line, int *lost,
    char **cause)
{
	json_t *o = json_loads(line, 0, NULL);
	const char *p[6];
	PGresult *res;
	ExecStatusType st;

	*lost = 0;
	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		*cause = xstrdup("a journal record that is not a JSON object");
		return -1;
	}
	p[0] = id;
	p[1] = journal_str(o, "type");
	p[2] = journal_str(o, "run");
	p[3] = journal_str(o, "runbook");
	p[4] = journal_str(o, "user");
	p[5] = line;
	/* Every dashboard listening hears of a record that is new. */
	store_pg_guard(conn);
	res = PQexecParams(conn, "WITH ins AS (INSERT INTO maintop.journal "
	    "(id, type, run, runbook, actor, record) VALUES ($1, $2, $3, $4, "
	    "$5, $6::json) ON CONFLICT (id) DO NOTHING RETURNING runbook) "
	    "SELECT pg_notify('" STORE_PG_CHANNEL "', 'journal ' || "
	    "coalesce(runbook, '')) FROM ins", 6, NULL, p, NULL, NULL, 0);
	store_pg_unguard();
	json_decref(o);
	st = PQresultStatus(res);
	if (st == PGRES_TUPLES_OK) {
		PQclear(res);
		return 0;
	}
	*lost = pg_lost(conn, res);
	*cause = store_pg_error(conn, res);
	PQclear(res);
	return -1;
}

/* The spool's records, put by the replay. */
static int
pg_put(const char *id, const char *line, void *arg, char **cause)
{
	struct store_pg *pg = arg;
	int lost;

	return pg_insert(pg->conn, id, line, &lost, cause);
}

/*
 * With pg->mutex held: connects again when the store was lost (at most
 * every STORE_PG_RETRY_MS), the run locks taken back first, then replays
 * the spool.  Returns 0 when the
 * store is there and the spool is empty, else -1.
 */
static int
pg_catch_up(struct store *s, struct store_pg *pg)
{
	char *why = NULL;
	size_t n;

	if (pg->conn != NULL && !store_pg_alive(pg->conn)) {
		PQfinish(pg->conn);
		pg->conn = NULL;
	}
	if (pg->conn == NULL) {
		if (util_mono_ms() < pg->retry_at)
			return -1;
		/* The run locks lost with the store are taken back first,
		 * before anything else reaches it. */
		if (store_pglock_keep_all(pg) != 0 ||
		    (pg->conn = store_pg_session(&pg->conf, &why)) == NULL) {
			free(why);
			pg->retry_at = util_mono_ms() + STORE_PG_RETRY_MS;
			return -1;
		}
	}
	if (!store_spool_pending(s->state_dir))
		return 0;
	if (store_spool_replay(s->state_dir, pg_put, pg, &n, &why) != 0) {
		free(why);
		return -1;
	}
	return 0;
}

/*
 * A record goes to the store, after those the spool holds; when the store
 * is lost it goes to the spool, behind them, so that the journal keeps
 * the records' order.
 */
static int
pg_journal_append(struct store *s, const char *id, const char *line,
    char **cause)
{
	struct store_pg *pg = s->data;
	char *why = NULL;
	int r, lost = 1;

	pthread_mutex_lock(&pg->mutex);
	if ((!store_pg_alive(pg->conn) ||
	    store_spool_pending(s->state_dir)) && pg_catch_up(s, pg) != 0)
		r = -1;
	else
		r = pg_insert(pg->conn, id, line, &lost, &why);
	if (r != 0 && lost)
		r = store_spool_add(s->state_dir, id, line, cause);
	else if (r != 0) {
		*cause = why;
		why = NULL;
	}
	free(why);
	pthread_mutex_unlock(&pg->mutex);
	return r;
}

/* With pg->mutex held: the journal's connection, connected again when the
 * store was lost, or NULL with *cause set. */
static PGconn *
pg_conn(struct store *s, struct store_pg *pg, char **cause)
{
	if (!store_pg_alive(pg->conn) &&
	    pg_catch_up(s, pg) != 0 && (pg->conn == NULL ||
	    PQstatus(pg->conn) != CONNECTION_OK)) {
		*cause = xstrdup("the store is unreachable");
		return NULL;
	}
	return pg->conn;
}

static int
pg_last_success(struct store *s, const char *runbook, time_t *when,
    char **cause)
{
	struct store_pg *pg = s->data;
	const char *p[1] = { runbook };
	PGresult *res;
	json_t *o;

	pthread_mutex_lock(&pg->mutex);
	res = pg_conn(s, pg, cause) == NULL ? NULL : store_pg_exec(pg->conn,
	    "SELECT record FROM maintop.journal WHERE runbook = $1 AND type = "
	    "'run_end' AND record->>'result' = 'success' ORDER BY seq DESC "
	    "LIMIT 1", 1, p, cause);
	pthread_mutex_unlock(&pg->mutex);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 1 &&
	    (o = json_loads(PQgetvalue(res, 0, 0), 0, NULL)) != NULL) {
		*when = journal_time(o, "end");
		json_decref(o);
	}
	PQclear(res);
	return 0;
}

/* One row at a time: the journal may be long. */
static int
pg_journal_foreach(struct store *s, const char *runbook,
    void (*fn)(const char *, void *), void *arg, char **cause)
{
	struct store_pg *pg = s->data;
	const char *p[1] = { runbook };
	PGresult *res;
	int r = 0, sent;

	pthread_mutex_lock(&pg->mutex);
	if (pg_conn(s, pg, cause) == NULL) {
		pthread_mutex_unlock(&pg->mutex);
		return -1;
	}
	sent = runbook != NULL ? PQsendQueryParams(pg->conn, "SELECT record "
	    "FROM maintop.journal WHERE runbook = $1 ORDER BY seq", 1, NULL,
	    p, NULL, NULL, 0) : PQsendQuery(pg->conn, "SELECT record FROM "
	    "maintop.journal ORDER BY seq");
	if (sent != 1 || PQsetSingleRowMode(pg->conn) != 1) {
		*cause = store_pg_error(pg->conn, NULL);
		r = -1;
	}
	while (sent == 1 && (res = store_pg_get_result(pg->conn)) != NULL) {
		if (r == 0 && PQresultStatus(res) == PGRES_SINGLE_TUPLE) {
			if (PQgetlength(res, 0, 0) <= JOURNAL_LINE_MAX)
				fn(PQgetvalue(res, 0, 0), arg);
		} else if (r == 0 && PQresultStatus(res) != PGRES_TUPLES_OK) {
			*cause = store_pg_error(pg->conn, res);
			r = -1;
		}
		PQclear(res);
	}
	pthread_mutex_unlock(&pg->mutex);
	return r;
}

/* Its lock's row names it and its session holds the lock. */
static int
pg_run_live(struct store *s, const char *runbook, const char *id, long pid)
{
	struct store_pg *pg = s->data;
	const char *p[2] = { runbook, id };
	char *why = NULL;
	PGresult *res;
	int live;

	(void)pid;
	pthread_mutex_lock(&pg->mutex);
	res = pg_conn(s, pg, &why) == NULL ? NULL : store_pg_exec(pg->conn,
	    "SELECT 1 FROM maintop.run_locks l "
	    "WHERE runbook = $1 AND run = $2 AND EXISTS (SELECT 1 FROM "
	    "pg_locks k WHERE k.locktype = 'advisory' AND k.granted AND "
	    "k.pid = l.backend_pid AND k.objsubid = 1 AND "
	    "((k.classid::bigint << 32) | k.objid::bigint) = l.lock_key)", 2,
	    p, &why);
	pthread_mutex_unlock(&pg->mutex);
	free(why);
	live = res != NULL && PQntuples(res) == 1;
	PQclear(res);
	return live;
}

static int
pg_flush(struct store *s, char **cause)
{
	struct store_pg *pg = s->data;
	int r;

	pthread_mutex_lock(&pg->mutex);
	pg->retry_at = 0;
	if ((r = pg_catch_up(s, pg)) != 0)
		*cause = xstrdup(store_spool_pending(s->state_dir) ?
		    "the store is unreachable: records wait in the spool" :
		    "the store is unreachable");
	pthread_mutex_unlock(&pg->mutex);
	return r;
}

PGconn *
store_pg_hold(struct store *s, char **cause)
{
	struct store_pg *pg = s->data;
	PGconn *conn;

	pthread_mutex_lock(&pg->mutex);
	if ((conn = pg_conn(s, pg, cause)) == NULL)
		pthread_mutex_unlock(&pg->mutex);
	return conn;
}

void
store_pg_unhold(struct store *s)
{
	struct store_pg *pg = s->data;

	pthread_mutex_unlock(&pg->mutex);
}

static int
pg_unreachable(struct store *s)
{
	struct store_pg *pg = s->data;
	int r;

	pthread_mutex_lock(&pg->mutex);
	r = pg->unreachable;
	pthread_mutex_unlock(&pg->mutex);
	return r;
}

const struct store_ops store_pg_ops = {
	.unreachable = pg_unreachable,
	.flush = pg_flush,
	.name = "postgres",
	.lock_take = store_pglock_take,
	.lock_release = store_pglock_release,
	.lock_keep = store_pglock_keep,
	.journal_append = pg_journal_append,
	.last_success = pg_last_success,
	.journal_foreach = pg_journal_foreach,
	.run_live = pg_run_live,
	.close = pg_close,
};
