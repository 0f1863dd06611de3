/* The dashboard's LISTEN connection to the team store, driven by the event
 * loop: resolved by resolve.c, connected by PQconnectPoll, notifications
 * read with PQconsumeInput and PQnotifies, and connected again when lost. */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <libpq-fe.h>

#include "childenv.h"
#include "pg_guard.h"
#include "resolve.h"
#include "sanitize.h"
#include "store.h"
#include "store_listen.h"
#include "store_pg.h"
#include "util.h"

/* How long a connection may take before it is given up. */
#define SL_CONNECT_MS	10000
/* The first wait before connecting again, and the longest. */
#define SL_RETRY_MIN_MS	500
#define SL_RETRY_MAX_MS	5000
/* The most one read of the connection may take in: LISTEN's result and a
 * burst of notifications (each under 8,000 bytes) are far below it. */
#define SL_READ_MAX	(1024 * 1024)

enum sl_state {
	SL_WAITING,	/* for the retry timer */
	SL_RESOLVING,
	SL_CONNECTING,
	SL_LISTEN_SENT,	/* LISTEN sent, its result not read yet */
	SL_LISTENING
};

struct store_listen {
	struct event_base	*base;
	struct resolve		*resolve;
	struct resolve_req	*rq;
	char			*conninfo;
	char			*password_env;
	char			*sql;		/* sent once connected */
	char			*param;		/* its $1, or NULL */
	PGconn			*conn;
	struct event		*ev;		/* the socket */
	struct event		*timer;		/* deadline, or retry */
	enum sl_state		 state;
	int			 tripped;	/* a read passed SL_READ_MAX */
	int			 down_told;	/* DOWN said since the last UP */
	long long		 retry_ms;
	store_listen_cb		 cb;
	void			*arg;
};

static void sl_open(struct store_listen *);
static void sl_socket(evutil_socket_t, short, void *);

static void
sl_unwatch(struct store_listen *sl)
{
	if (sl->ev != NULL) {
		event_free(sl->ev);
		sl->ev = NULL;
	}
}

static void
sl_watch(struct store_listen *sl, short what)
{
	sl_unwatch(sl);
	sl->ev = event_new(sl->base, PQsocket(sl->conn), what, sl_socket, sl);
	if (sl->ev == NULL)
		fatal("event_new failed");
	event_add(sl->ev, NULL);
}

static void
sl_timer(struct store_listen *sl, long long ms)
{
	struct timeval tv;

	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	evtimer_add(sl->timer, &tv);
}

/* The connection is lost or was never made: told once, tried again. */
static void
sl_fail(struct store_listen *sl, const char *why)
{
	char *safe = sanitize_cstr(why != NULL && *why != '\0' ? why :
	    "the connection failed", 0);
	size_t n = strlen(safe);

	while (n > 0 && (safe[n - 1] == '\n' || safe[n - 1] == ' '))
		safe[--n] = '\0';
	sl_unwatch(sl);
	if (sl->rq != NULL) {
		resolve_cancel(sl->rq);
		sl->rq = NULL;
	}
	if (sl->conn != NULL) {
		PQfinish(sl->conn);
		sl->conn = NULL;
	}
	sl->state = SL_WAITING;
	evtimer_del(sl->timer);
	sl_timer(sl, sl->retry_ms);
	if (sl->retry_ms * 2 <= SL_RETRY_MAX_MS)
		sl->retry_ms *= 2;
	else
		sl->retry_ms = SL_RETRY_MAX_MS;
	if (!sl->down_told) {
		sl->down_told = 1;
		sl->cb(STORE_LISTEN_DOWN, safe, sl->arg);
	}
	free(safe);
}

/* The deadline of a connection, or the end of the wait before a retry. */
static void
sl_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct store_listen *sl = arg;

	(void)fd;
	(void)what;
	if (sl->state == SL_WAITING)
		sl_open(sl);
	else if (sl->state != SL_LISTENING)
		sl_fail(sl, "the store did not answer within 10 seconds");
}

/*
 * Each libpq call that reads runs under the guard (pg_guard.h), so that a
 * hostile or broken server announcing an endless message is cut off at
 * SL_READ_MAX instead of filling memory.
 */
static void
sl_guard(struct store_listen *sl)
{
	int fd = PQsocket(sl->conn);

	pg_guard_enter(fd, pg_guard_received(fd) + SL_READ_MAX);
}

static int
sl_consume(struct store_listen *sl)
{
	int r;

	sl_guard(sl);
	r = PQconsumeInput(sl->conn);
	sl->tripped = pg_guard_leave();
	return r && !sl->tripped;
}

static PostgresPollingStatusType
sl_connect_poll(struct store_listen *sl)
{
	PostgresPollingStatusType st;

	sl_guard(sl);
	st = PQconnectPoll(sl->conn);
	if ((sl->tripped = pg_guard_leave()))
		return PGRES_POLLING_FAILED;
	return st;
}

/* The failure to give when a read failed. */
static const char *
sl_read_error(struct store_listen *sl)
{
	if (sl->tripped)
		return "the store sent more than 1 MiB at once";
	return PQerrorMessage(sl->conn);
}

/* Reads what came: LISTEN's result, then notifications. */
static void
sl_read(struct store_listen *sl)
{
	PGnotify *nf;
	PGresult *res;
	ExecStatusType st;
	char *why;

	if (!sl_consume(sl)) {
		sl_fail(sl, sl_read_error(sl));
		return;
	}
	while (!PQisBusy(sl->conn) && (res = PQgetResult(sl->conn)) != NULL) {
		st = PQresultStatus(res);
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
			why = xstrdup(PQresultErrorMessage(res));
			PQclear(res);
			sl_fail(sl, why);
			free(why);
			return;
		}
		PQclear(res);
		if (sl->state == SL_LISTEN_SENT) {
			sl->state = SL_LISTENING;
			evtimer_del(sl->timer);
			sl->retry_ms = SL_RETRY_MIN_MS;
			sl->down_told = 0;
			sl->cb(STORE_LISTEN_UP, NULL, sl->arg);
			if (sl->conn == NULL)
				return;
		}
	}
	while (sl->conn != NULL && (nf = PQnotifies(sl->conn)) != NULL) {
		sl->cb(STORE_LISTEN_NOTIFY, nf->extra, sl->arg);
		PQfreemem(nf);
	}
	if (sl->conn != NULL && PQstatus(sl->conn) != CONNECTION_OK)
		sl_fail(sl, PQerrorMessage(sl->conn));
}

static void
sl_poll(struct store_listen *sl)
{
	switch (sl_connect_poll(sl)) {
	case PGRES_POLLING_READING:
		sl_watch(sl, EV_READ);
		return;
	case PGRES_POLLING_WRITING:
		sl_watch(sl, EV_WRITE);
		return;
	case PGRES_POLLING_OK:
		break;
	default:
		sl_fail(sl, sl_read_error(sl));
		return;
	}
	PQsetnonblocking(sl->conn, 1);
	if (!PQsendQueryParams(sl->conn, sl->sql, sl->param != NULL ? 1 : 0,
	    NULL, (const char *const *)&sl->param, NULL, NULL, 0)) {
		sl_fail(sl, PQerrorMessage(sl->conn));
		return;
	}
	sl->state = SL_LISTEN_SENT;
	sl_watch(sl, PQflush(sl->conn) == 1 ? EV_READ | EV_WRITE | EV_PERSIST :
	    EV_READ | EV_PERSIST);
}

static void
sl_socket(evutil_socket_t fd, short what, void *arg)
{
	struct store_listen *sl = arg;

	(void)fd;
	if (sl->state == SL_CONNECTING) {
		sl_poll(sl);
		return;
	}
	if ((what & EV_WRITE) && PQflush(sl->conn) == 0)
		sl_watch(sl, EV_READ | EV_PERSIST);
	if (what & EV_READ)
		sl_read(sl);
}

static void
sl_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* Starts the connection, to addr when the host was resolved. */
static void
sl_connect(struct store_listen *sl, const char *addr)
{
	PQconninfoOption *opts, *o;
	const char **kw = NULL, **val = NULL, *env;
	char *pw = NULL;
	size_t n = 0;

	if (sl->password_env != NULL) {
		/* As maintop started (childenv.h): never getenv off the
		 * main thread's start. */
		if ((env = childenv_get(sl->password_env)) == NULL ||
		    *env == '\0') {
			sl_fail(sl, "the store's password variable is not set");
			return;
		}
		pw = xstrdup(env);
	}
	util_kv_add(&kw, &val, &n, "keepalives", "1");
	util_kv_add(&kw, &val, &n, "keepalives_idle", "5");
	util_kv_add(&kw, &val, &n, "keepalives_interval", "2");
	util_kv_add(&kw, &val, &n, "keepalives_count", "3");
	util_kv_add(&kw, &val, &n, "tcp_user_timeout", "10000");
	opts = PQconninfoParse(sl->conninfo, NULL);
	for (o = opts; o != NULL && o->keyword != NULL; o++) {
		if (o->val == NULL || *o->val == '\0' ||
		    strcmp(o->keyword, "password") == 0 ||
		    (addr != NULL && strcmp(o->keyword, "hostaddr") == 0))
			continue;
		util_kv_add(&kw, &val, &n, o->keyword, o->val);
	}
	if (addr != NULL)
		util_kv_add(&kw, &val, &n, "hostaddr", addr);
	if (pw != NULL)
		util_kv_add(&kw, &val, &n, "password", pw);
	util_kv_add(&kw, &val, &n, "fallback_application_name", "maintop");
	sl->conn = PQconnectStartParams(kw, val, 0);
	if (pw != NULL) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
	free(kw);
	free(val);
	PQconninfoFree(opts);
	if (sl->conn == NULL || PQstatus(sl->conn) == CONNECTION_BAD) {
		sl_fail(sl, sl->conn != NULL ? PQerrorMessage(sl->conn) :
		    "out of memory");
		return;
	}
	/* A notice (the server going down says so) is nobody's business:
	 * libpq's default would write it on the dashboard's terminal. */
	PQsetNoticeProcessor(sl->conn, sl_notice, NULL);
	sl->state = SL_CONNECTING;
	sl_watch(sl, EV_WRITE);
}

static void
sl_resolved(int err, const char *addr, const char *why, void *arg)
{
	struct store_listen *sl = arg;

	sl->rq = NULL;
	if (err != 0) {
		sl_fail(sl, why);
		return;
	}
	sl_connect(sl, addr);
}

static void
sl_open(struct store_listen *sl)
{
	char *host = resolve_pg_host(sl->conninfo, 0);

	sl_timer(sl, SL_CONNECT_MS);
	if (host == NULL) {
		sl_connect(sl, NULL);
		return;
	}
	sl->state = SL_RESOLVING;
	sl->rq = resolve_start(sl->resolve, host, sl_resolved, sl);
	free(host);
}

struct store_listen *
store_listen_new(struct event_base *base, const struct store_conf *conf,
    store_listen_cb cb, void *arg)
{
	return store_listen_query(base, conf, "LISTEN " STORE_PG_CHANNEL,
	    NULL, cb, arg);
}

struct store_listen *
store_listen_query(struct event_base *base, const struct store_conf *conf,
    const char *sql, const char *param, store_listen_cb cb, void *arg)
{
	struct store_listen *sl = xcalloc(1, sizeof *sl);

	sl->sql = xstrdup(sql);
	if (param != NULL)
		sl->param = xstrdup(param);
	sl->base = base;
	sl->resolve = resolve_new(base);
	sl->conninfo = xstrdup(conf->conninfo);
	if (conf->password_env != NULL)
		sl->password_env = xstrdup(conf->password_env);
	sl->cb = cb;
	sl->arg = arg;
	sl->retry_ms = SL_RETRY_MIN_MS;
	sl->timer = evtimer_new(base, sl_on_timer, sl);
	if (sl->timer == NULL)
		fatal("evtimer_new failed");
	sl_open(sl);
	return sl;
}

void
store_listen_free(struct store_listen *sl)
{
	if (sl == NULL)
		return;
	sl_unwatch(sl);
	if (sl->rq != NULL)
		resolve_cancel(sl->rq);
	if (sl->conn != NULL)
		PQfinish(sl->conn);
	event_free(sl->timer);
	resolve_free(sl->resolve);
	free(sl->conninfo);
	free(sl->password_env);
	free(sl->sql);
	free(sl->param);
	free(sl);
}
