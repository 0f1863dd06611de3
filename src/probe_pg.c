/* The PostgreSQL probe: one persistent libpq connection per check, opened
 * with PQconnectStartParams/PQconnectPoll by address on the libevent loop,
 * and per probe one batch of statistics queries sent with PQsendQuery. */
#include <event2/event.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "probe.h"
#include "resolve.h"

/*
 * Sent after "SELECT 1", whose round trip alone is the query latency (the
 * server flushes replies only at the end of a query string).  Everything a role without pg_monitor
 * cannot see comes back NULL and is shown as unavailable, never as an
 * error; the last column says whether the role can see other sessions.
 */
static const char pg_sql[] =
    "SELECT current_setting('server_version'),"
    " extract(epoch FROM now() - pg_postmaster_start_time())::float8,"
    " (SELECT count(*) FROM pg_stat_activity"
    "  WHERE backend_type = 'client backend')::int8,"
    " current_setting('max_connections')::int8,"
    " pg_is_in_recovery(),"
    " CASE WHEN pg_is_in_recovery() THEN extract(epoch FROM now() -"
    "  pg_last_xact_replay_timestamp())::float8 END,"
    " (SELECT extract(epoch FROM max(replay_lag))::float8"
    "  FROM pg_stat_replication),"
    " (SELECT count(*) FROM pg_stat_replication)::int8,"
    " (SELECT max(age(datfrozenxid)) FROM pg_database)::int8,"
    " (SELECT extract(epoch FROM max(clock_timestamp() - xact_start))::float8"
    "  FROM pg_stat_activity WHERE xact_start IS NOT NULL"
    "  AND pid <> pg_backend_pid()"
    "  AND backend_type = 'client backend'),"
    " (SELECT extract(epoch FROM max(clock_timestamp() - query_start))::float8"
    "  FROM pg_stat_activity WHERE state = 'active'"
    "  AND pid <> pg_backend_pid()"
    "  AND backend_type = 'client backend'),"
    " pg_database_size(current_database())::int8,"
    " current_database(),"
    " coalesce((SELECT rolsuper FROM pg_roles"
    "  WHERE rolname = current_user), false) OR"
    "  pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER'),"
    " (SELECT max(n_dead_tup::float8 / (n_live_tup + n_dead_tup))"
    "  FROM pg_stat_user_tables WHERE n_live_tup + n_dead_tup >= 1000);"
    "SELECT schemaname || '.' || relname,"
    " extract(epoch FROM now() -"
    "  greatest(last_vacuum, last_autovacuum))::float8,"
    " n_dead_tup::float8 / nullif(n_live_tup + n_dead_tup, 0)"
    " FROM pg_stat_user_tables"
    " ORDER BY greatest(last_vacuum, last_autovacuum) ASC NULLS FIRST,"
    " n_dead_tup DESC LIMIT 1;"
    "SELECT schemaname || '.' || relname,"
    " extract(epoch FROM now() -"
    "  greatest(last_analyze, last_autoanalyze))::float8"
    " FROM pg_stat_user_tables"
    " ORDER BY greatest(last_analyze, last_autoanalyze) ASC NULLS FIRST,"
    " n_mod_since_analyze DESC LIMIT 1";

enum pg_state {
	PC_NONE,
	PC_RESOLVING,
	PC_CONNECTING,
	PC_READY,		/* idle, watching for the server closing */
	PC_QUERYING
};

struct probe {
	struct probe_ctx	*ctx;
	const struct check	*c;
	PGconn			*conn;
	enum pg_state		 state;
	struct event		*ev;
	struct resolve_req	*rq;
	unsigned int		 fails;
	long long		 retry_at;
	char			*last_err;
	long long		 timeout_ms;
	double			 t0;
	double			 connect_ms;	/* of this probe's connection */
	int			 reused;	/* connection older than probe */
	int			 retried;

	probe_done_cb		 cb;
	void			*arg;
	struct sample		*s;
	int			 nresult;
	int			 can_stats;
};

static void pg_send(struct probe *);
static void pg_open(struct probe *);

/* Milliseconds on the monotonic clock, with a fraction. */
static double
pg_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void
pg_unwatch(struct probe *p)
{
	if (p->ev != NULL) {
		event_free(p->ev);
		p->ev = NULL;
	}
}

static void
pg_drop(struct probe *p)
{
	pg_unwatch(p);
	if (p->rq != NULL) {
		resolve_cancel(p->rq);
		p->rq = NULL;
	}
	if (p->conn != NULL) {
		PQfinish(p->conn);
		p->conn = NULL;
	}
	p->state = PC_NONE;
}

static void
pg_deliver(struct probe *p)
{
	struct sample *s = p->s;
	probe_done_cb cb = p->cb;

	p->s = NULL;
	p->cb = NULL;
	if (cb != NULL)
		cb(s, p->arg);
	else
		sample_free(s);
}

/* libpq's message, first line only ("FATAL:  too many clients"). */
static char *
pg_error(PGconn *conn)
{
	const char *m = conn != NULL ? PQerrorMessage(conn) : "out of memory";
	size_t n = strcspn(m, "\n");

	return xstrndup(m, n);
}

static void
pg_fail(struct probe *p, const char *what, const char *err)
{
	free(p->last_err);
	p->last_err = xasprintf("%s: %s", what, err);
	p->fails++;
	p->retry_at = util_mono_ms() + probe_backoff_ms(p->fails);
	pg_drop(p);
	if (p->s != NULL) {
		sample_fail(p->s, STATE_CRIT, "%s", p->last_err);
		pg_deliver(p);
	}
}

static void pg_event(evutil_socket_t, short, void *);

static void
pg_watch(struct probe *p, short what)
{
	pg_unwatch(p);
	p->ev = event_new(p->ctx->base, PQsocket(p->conn), what, pg_event, p);
	if (p->ev == NULL)
		fatal("event_new failed");
	event_add(p->ev, NULL);
}

static void
pg_poll_connect(struct probe *p)
{
	PostgresPollingStatusType st;
	char *err;

	st = PQconnectPoll(p->conn);
	switch (st) {
	case PGRES_POLLING_READING:
		pg_watch(p, EV_READ);
		return;
	case PGRES_POLLING_WRITING:
		pg_watch(p, EV_WRITE);
		return;
	case PGRES_POLLING_OK:
		break;
	default:
		err = pg_error(p->conn);
		pg_fail(p, "cannot connect", err);
		free(err);
		return;
	}
	PQsetnonblocking(p->conn, 1);
	p->connect_ms = pg_now() - p->t0;
	p->state = PC_READY;
	pg_watch(p, EV_READ | EV_PERSIST);
	if (p->s != NULL)
		pg_send(p);
}

static double
col_num(PGresult *r, int row, int col, int *null)
{
	*null = PQgetisnull(r, row, col);
	return *null ? 0 : strtod(PQgetvalue(r, row, col), NULL);
}

/*
 * A figure about other sessions, which a role without pg_monitor sees only
 * for its own sessions: a figure from that subset would look like the
 * truth, so it is unavailable.  With pg_monitor, NULL means 0.
 */
static void
stat_fig(struct probe *p, PGresult *r, int col, const char *name,
    const char *unit)
{
	int null;
	double v = col_num(r, 0, col, &null);

	if (!p->can_stats)
		sample_add_unavailable(p->s, name, "needs pg_monitor");
	else
		sample_add_num(p->s, name, v, unit);
}

static void
pg_result_main(struct probe *p, PGresult *r)
{
	struct sample *s = p->s;
	double conns, maxc, v;
	int null, standby, replicas;
	const char *ver;

	if (PQntuples(r) != 1 || PQnfields(r) < 15) {
		sample_fail(s, STATE_UNKNOWN, "unexpected reply to the "
		    "statistics query");
		return;
	}
	p->can_stats = strcmp(PQgetvalue(r, 0, 13), "t") == 0;
	ver = PQgetvalue(r, 0, 0);
	sample_add_str(s, "version", ver);
	sample_add_num(s, "uptime", col_num(r, 0, 1, &null), "s");
	conns = col_num(r, 0, 2, &null);
	maxc = col_num(r, 0, 3, &null);
	sample_add_num(s, "connections", conns, "");
	sample_add_num(s, "max_connections", maxc, "");
	if (maxc > 0)
		sample_add_num(s, "connections_pct", 100.0 * conns / maxc,
		    "%");
	standby = strcmp(PQgetvalue(r, 0, 4), "t") == 0;
	sample_add_str(s, "role", standby ? "standby" : "primary");
	replicas = (int)col_num(r, 0, 7, &null);
	if (standby) {
		v = col_num(r, 0, 5, &null);
		if (null)
			sample_add_unavailable(s, "replication_lag",
			    "nothing replayed yet");
		else
			sample_add_num(s, "replication_lag", v, "s");
	} else {
		sample_add_num(s, "replicas", replicas, "");
		if (replicas > 0)
			stat_fig(p, r, 6, "replication_lag", "s");
	}
	v = col_num(r, 0, 8, &null);
	if (!null)
		sample_add_num(s, "xid_age", v, "");
	stat_fig(p, r, 9, "oldest_xact", "s");
	stat_fig(p, r, 10, "longest_query", "s");
	v = col_num(r, 0, 11, &null);
	if (!null)
		sample_add_num(s, "db_size", v, "B");
	sample_add_str(s, "database", PQgetvalue(r, 0, 12));
	v = col_num(r, 0, 14, &null);
	sample_add_num(s, "dead_ratio", null ? 0 : v, "");
	sample_set_msg(s, "PostgreSQL %s %s, %.0f/%.0f connections, query "
	    "%.1f ms", ver, standby ? "standby" : "primary", conns, maxc,
	    s->latency_ms);
}

static void
pg_result_table(struct probe *p, PGresult *r, const char *what)
{
	char name[64];
	int null;
	double v;

	snprintf(name, sizeof name, "%s_oldest", what);
	if (PQntuples(r) < 1) {
		sample_add_str(p->s, name, "(no tables)");
		return;
	}
	sample_add_str(p->s, name, PQgetvalue(r, 0, 0));
	snprintf(name, sizeof name, "%s_age", what);
	v = col_num(r, 0, 1, &null);
	if (null)
		sample_add_str(p->s, name, "never");
	else
		sample_add_num(p->s, name, v, "s");
	if (PQnfields(r) > 2) {
		snprintf(name, sizeof name, "%s_dead_ratio", what);
		v = col_num(r, 0, 2, &null);
		if (!null)
			sample_add_num(p->s, name, v, "");
	}
}

/* Reads whatever results are complete; finishes the probe at the end. */
static void
pg_read(struct probe *p)
{
	PGresult *r;
	char *err;

	if (!PQconsumeInput(p->conn))
		goto broken;
	while (!PQisBusy(p->conn)) {
		r = PQgetResult(p->conn);
		if (r == NULL) {
			/* All results in. */
			if (PQstatus(p->conn) == CONNECTION_BAD)
				goto broken;
			if (p->nresult == 1 && p->s != NULL) {
				/* The latency probe is in: now the rest. */
				if (!PQsendQuery(p->conn, pg_sql))
					goto broken;
				if (PQflush(p->conn) == 1)
					pg_watch(p, EV_READ | EV_WRITE |
					    EV_PERSIST);
				continue;
			}
			p->state = PC_READY;
			pg_watch(p, EV_READ | EV_PERSIST);
			p->fails = 0;
			pg_deliver(p);
			return;
		}
		if (p->s == NULL) {
			PQclear(r);
			continue;
		}
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			if (p->nresult >= 0) {
				err = xstrndup(PQresultErrorMessage(r),
				    strcspn(PQresultErrorMessage(r), "\n"));
				sample_fail(p->s, STATE_CRIT, "query failed: "
				    "%s", err);
				free(err);
				p->nresult = -1;	/* keep the first */
			}
		} else if (p->nresult >= 0) {
			if (p->nresult == 0) {
				p->s->latency_ms = pg_now() - p->t0;
				sample_add_num(p->s, "latency",
				    p->s->latency_ms / 1000.0, "s");
			} else if (p->nresult == 1)
				pg_result_main(p, r);
			else if (p->nresult == 2)
				pg_result_table(p, r, "vacuum");
			else if (p->nresult == 3)
				pg_result_table(p, r, "analyze");
			p->nresult++;
		}
		PQclear(r);
	}
	return;
broken:
	err = pg_error(p->conn);
	if (p->s != NULL && p->reused && !p->retried) {
		/*
		 * The server closed our idle connection (a restart): that
		 * says nothing about now, so connect again at once.
		 */
		p->retried = 1;
		pg_drop(p);
		free(err);
		sample_free(p->s);
		p->s = sample_new();
		pg_open(p);
		return;
	}
	if (p->s != NULL)
		pg_fail(p, "connection lost", err);
	else
		pg_drop(p);
	free(err);
}

static void
pg_event(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;
	int r;

	switch (p->state) {
	case PC_CONNECTING:
		pg_poll_connect(p);
		break;
	case PC_READY:
		/* Idle: the server may be closing (shutdown, terminate). */
		if (!PQconsumeInput(p->conn) ||
		    PQstatus(p->conn) == CONNECTION_BAD)
			pg_drop(p);
		break;
	case PC_QUERYING:
		if (what & EV_WRITE) {
			r = PQflush(p->conn);
			if (r < 0) {
				pg_read(p);
				break;
			}
			if (r == 0)
				pg_watch(p, EV_READ | EV_PERSIST);
		}
		if (what & EV_READ)
			pg_read(p);
		break;
	default:
		break;
	}
}

static void
pg_send(struct probe *p)
{
	if (p->connect_ms >= 0)
		p->s->connect_ms = p->connect_ms;
	p->state = PC_QUERYING;
	p->nresult = 0;
	p->t0 = pg_now();
	if (!PQsendQuery(p->conn, "SELECT 1")) {
		p->reused = 1;
		pg_read(p);
		return;
	}
	pg_watch(p, PQflush(p->conn) == 1 ? EV_READ | EV_WRITE | EV_PERSIST :
	    EV_READ | EV_PERSIST);
}

/* Appends a keyword and value to the parameter arrays. */
static void
kv_add(const char ***kw, const char ***val, size_t *n, const char *k,
    const char *v)
{
	*kw = xreallocarray(*kw, *n + 2, sizeof **kw);
	*val = xreallocarray(*val, *n + 2, sizeof **val);
	(*kw)[*n] = k;
	(*val)[*n] = v;
	(*n)++;
	(*kw)[*n] = NULL;
	(*val)[*n] = NULL;
}

static void
pg_connect(struct probe *p, const char *addr)
{
	PQconninfoOption *opts = NULL, *o;
	const char **kw = NULL, **val = NULL;
	char *pw = NULL, *cause = NULL, *options, *err;
	const char *user_opts = NULL;
	size_t n = 0;
	int r;

	r = check_password(p->c, &pw, &cause);
	if (r < 0) {
		pg_fail(p, "password", cause);
		free(cause);
		return;
	}
	if (p->c->pg.conninfo != NULL)
		opts = PQconninfoParse(p->c->pg.conninfo, NULL);
	for (o = opts; o != NULL && o->keyword != NULL; o++) {
		if (o->val == NULL || *o->val == '\0' ||
		    strcmp(o->keyword, "password") == 0)
			continue;
		if (strcmp(o->keyword, "options") == 0) {
			user_opts = o->val;
			continue;
		}
		if (addr != NULL && strcmp(o->keyword, "hostaddr") == 0)
			continue;
		kv_add(&kw, &val, &n, o->keyword, o->val);
	}
	if (p->c->pg.service != NULL)
		kv_add(&kw, &val, &n, "service", p->c->pg.service);
	if (addr != NULL)
		kv_add(&kw, &val, &n, "hostaddr", addr);
	if (pw != NULL)
		kv_add(&kw, &val, &n, "password", pw);
	kv_add(&kw, &val, &n, "fallback_application_name", "maintop");
	/* The server stops our query by itself if we give up on it. */
	options = xasprintf("%s%s-c statement_timeout=%lld",
	    user_opts != NULL ? user_opts : "", user_opts != NULL ? " " : "",
	    p->timeout_ms > 0 ? p->timeout_ms : 5000);
	kv_add(&kw, &val, &n, "options", options);

	p->state = PC_CONNECTING;
	p->t0 = pg_now();
	p->conn = PQconnectStartParams(kw, val, 0);
	if (pw != NULL) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
	free(options);
	free(kw);
	free(val);
	PQconninfoFree(opts);
	p->reused = 0;
	if (p->conn == NULL || PQstatus(p->conn) == CONNECTION_BAD) {
		err = pg_error(p->conn);
		pg_fail(p, "cannot connect", err);
		free(err);
		return;
	}
	pg_watch(p, EV_WRITE);
}

static void
pg_resolved(int err, const char *addr, const char *why, void *arg)
{
	struct probe *p = arg;

	p->rq = NULL;
	if (err != 0) {
		pg_fail(p, "cannot resolve", why);
		return;
	}
	pg_connect(p, addr);
}

/*
 * The host libpq would connect to, when it needs resolving: from conninfo
 * or else $PGHOST.  NULL for a socket directory, an address, or hostaddr.
 * A host set only in a service file is not seen here; libpq resolves it
 * itself.
 */
static char *
pg_host(const struct check *c)
{
	PQconninfoOption *opts, *o;
	const char *host = NULL;
	char *out = NULL;
	int hostaddr = 0;

	opts = c->pg.conninfo != NULL ?
	    PQconninfoParse(c->pg.conninfo, NULL) : NULL;
	for (o = opts; o != NULL && o->keyword != NULL; o++) {
		if (o->val == NULL || *o->val == '\0')
			continue;
		if (strcmp(o->keyword, "host") == 0)
			host = o->val;
		else if (strcmp(o->keyword, "hostaddr") == 0)
			hostaddr = 1;
	}
	if (host == NULL && c->pg.service == NULL)
		host = getenv("PGHOST");
	if (host != NULL && !hostaddr && *host != '/' && *host != '@' &&
	    !resolve_is_numeric(host))
		out = xstrdup(host);
	PQconninfoFree(opts);
	return out;
}

/* Resolves the host if needed, then connects by address. */
static void
pg_open(struct probe *p)
{
	char *host;

	host = pg_host(p->c);
	if (host == NULL) {
		pg_connect(p, NULL);
		return;
	}
	p->state = PC_RESOLVING;
	p->rq = resolve_start(p->ctx->resolve, host, pg_resolved, p);
	free(host);
}

static struct probe *
pg_create(struct probe_ctx *ctx, const struct check *c)
{
	struct probe *p;

	p = xcalloc(1, sizeof *p);
	p->ctx = ctx;
	p->c = c;
	p->connect_ms = -1;
	return p;
}

static void
pg_start(struct probe *p, long long timeout_ms, probe_done_cb cb, void *arg)
{
	long long now = util_mono_ms();

	p->cb = cb;
	p->arg = arg;
	p->s = sample_new();
	p->timeout_ms = timeout_ms;
	p->connect_ms = -1;
	p->retried = 0;
	if (p->state == PC_READY) {
		p->reused = 1;
		pg_send(p);
		return;
	}
	if (p->state != PC_NONE)
		return;
	if (p->fails > 0 && now < p->retry_at) {
		sample_fail(p->s, STATE_CRIT, "%s (next try in %llds)",
		    p->last_err != NULL ? p->last_err : "failed",
		    (p->retry_at - now + 999) / 1000);
		pg_deliver(p);
		return;
	}
	pg_open(p);
}

static void
pg_cancel(struct probe *p)
{
	if (p->s != NULL) {
		/* Closing the connection abandons the query; the server
		 * ends it at statement_timeout at the latest. */
		pg_drop(p);
		sample_free(p->s);
		p->s = NULL;
	}
	p->cb = NULL;
}

static const char *
pg_phase(struct probe *p)
{
	switch (p->state) {
	case PC_RESOLVING:
		return "resolving";
	case PC_CONNECTING:
		return "connecting";
	case PC_QUERYING:
		return "waiting for the query";
	default:
		return NULL;
	}
}

static void
pg_free(struct probe *p)
{
	if (p == NULL)
		return;
	pg_cancel(p);
	pg_drop(p);
	free(p->last_err);
	free(p);
}

const struct probe_ops probe_pg_ops = {
	.type = CHECK_POSTGRES,
	.name = "postgres",
	.create = pg_create,
	.start = pg_start,
	.cancel = pg_cancel,
	.phase = pg_phase,
	.free = pg_free,
};
