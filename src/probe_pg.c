/* The PostgreSQL probe: one persistent libpq connection per target (shared
 * by the checks with the same connection parameters), opened
 * with PQconnectStartParams/PQconnectPoll by address on the libevent loop,
 * and per probe one batch of statistics queries sent with PQsendQuery. */
#include <event2/event.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "probe.h"
#include "pg_guard.h"
#include "pg_stats.h"
#include "resolve.h"
#include "secretfile.h"
#include "share.h"

#define PG_STMT "maintop_stats"

/* What the probe in flight waits for. */
enum pg_step {
	PS_PING,		/* SELECT 1 */
	PS_PREPARE,		/* the statistics statement, once */
	PS_STATS
};

enum pg_state {
	PC_NONE,
	PC_SECRET,		/* reading the password file */
	PC_RESOLVING,
	PC_CONNECTING,
	PC_READY,		/* idle, watching for the server closing */
	PC_QUERYING
};

/*
 * What the server may send for one connection set-up or one probe: its
 * replies are a few kilobytes.  Counted on the socket (TCP_INFO), so a
 * message libpq would buffer whole (an ErrorResponse announcing a
 * gigabyte, endless DataRows) is refused while it arrives.
 */
#define PG_REPLY_MAX	(4 * 1024 * 1024)

/* The socket's receive buffer (the kernel doubles it). */
#define PG_RCVBUF	(32 * 1024)

/* The longest server notice kept (the first line of it). */
#define PG_NOTICE_MAX	512

/*
 * One connection, shared by every check with the same connection
 * parameters (conninfo or service, password source, timeout): the issue's
 * "one connection per target".  Probes queue on it and run one at a time
 * (share.h); a new backend costs the server far more than a batch of
 * queries.
 */
struct pg_conn {
	struct share		 sh;		/* first */
	struct probe_ctx	*ctx;
	const struct check	*c;		/* parameters: any of its checks */
	PGconn			*conn;
	enum pg_state		 state;
	struct event		*ev;
	struct resolve_req	*rq;
	struct secretfile	*sf;		/* the password being read */
	char			*pw;		/* read, until connecting */
	double			 t0;		/* connect start */
	int			 prepared;	/* PG_STMT on conn */
	unsigned long long	 rx0;		/* bytes received at the start */
	int			 tripped;	/* the guard aborted it */
	char			*notice;	/* the last server notice */
};

struct probe {
	struct share_waiter	 w;
	struct probe_ctx	*ctx;
	const struct check	*c;
	struct pg_conn		*pc;
	double			 t0;		/* queries sent */
	double			 connect_ms;	/* of this probe's connection */
	int			 reused;	/* connection older than probe */
	int			 retried;

	probe_done_cb		 cb;
	void			*arg;
	struct sample		*s;
	enum pg_step		 step;
	int			 failed;	/* a statement failed */
	int			 reprepared;
};

static void pg_send(struct probe *);
static void pc_open(struct pg_conn *);

/* Milliseconds on the monotonic clock, with a fraction. */
static double
pg_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static struct probe *
pg_cur(struct pg_conn *pc)
{
	return pc->sh.cur != NULL ? pc->sh.cur->owner : NULL;
}

static void
pc_unwatch(struct pg_conn *pc)
{
	if (pc->ev != NULL) {
		event_free(pc->ev);
		pc->ev = NULL;
	}
}

/* Closes the connection; the probes keep their places (share_ops). */
static void
pc_drop(struct share *sh)
{
	struct pg_conn *pc = (struct pg_conn *)sh;

	pc_unwatch(pc);
	if (pc->rq != NULL) {
		resolve_cancel(pc->rq);
		pc->rq = NULL;
	}
	secretfile_cancel(pc->sf);
	pc->sf = NULL;
	secretfile_forget(&pc->pw);
	if (pc->conn != NULL) {
		PQfinish(pc->conn);
		pc->conn = NULL;
	}
	pc->state = PC_NONE;
	pc->prepared = 0;
	free(pc->notice);
	pc->notice = NULL;
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

/* A probe on a failed connection (share_ops). */
static void
pg_fail_one(struct share_waiter *w, int state, const char *msg)
{
	struct probe *p = w->owner;

	if (p->s != NULL) {
		sample_fail(p->s, (enum state)state, "%s", msg);
		pg_deliver(p);
	}
}

static void
pc_fail(struct pg_conn *pc, const char *what, const char *err)
{
	/* Our own password missing says nothing about the server. */
	share_fail(&pc->sh, strcmp(what, "password") == 0 ? STATE_UNKNOWN :
	    STATE_CRIT, what, err);
}

/* libpq's message, first line only ("FATAL:  too many clients"). */
static char *
pg_error(PGconn *conn)
{
	const char *m = conn != NULL ? PQerrorMessage(conn) : "out of memory";
	size_t n = strcspn(m, "\n");

	return xstrndup(m, n);
}

/*
 * libpq's notice processor: a server's NOTICE or WARNING (which may hold
 * any byte a database owner put in a setting) is kept, first line only,
 * and shown sanitized as the sample's "notice" figure; it never reaches
 * the terminal.
 */
static void
pg_notice(void *arg, const char *msg)
{
	struct pg_conn *pc = arg;
	size_t n = strcspn(msg, "\n");

	free(pc->notice);
	pc->notice = xstrndup(msg, n < PG_NOTICE_MAX ? n : PG_NOTICE_MAX);
}

/* Bytes the kernel has received on the connection's socket, or 0 when it
 * cannot say (a Unix socket: the local server is trusted that far). */
static unsigned long long
pc_received(struct pg_conn *pc)
{
	return pg_guard_received(pc->conn != NULL ? PQsocket(pc->conn) : -1);
}

/*
 * The libpq calls that read, each under the guard (pg_guard.h): libpq reads
 * a message it was told is long (an ErrorResponse announcing a gigabyte)
 * for as long as bytes keep coming, within one call, so the budget checked
 * after the call would come too late.
 */
static void
pc_guard(struct pg_conn *pc)
{
	pg_guard_enter(PQsocket(pc->conn), pc->rx0 + PG_REPLY_MAX);
}

static PostgresPollingStatusType
pc_connect_poll(struct pg_conn *pc)
{
	PostgresPollingStatusType st;

	pc_guard(pc);
	st = PQconnectPoll(pc->conn);
	pc->tripped |= pg_guard_leave();
	return st;
}

static int
pc_consume(struct pg_conn *pc)
{
	int r;

	pc_guard(pc);
	r = PQconsumeInput(pc->conn);
	pc->tripped |= pg_guard_leave();
	return r;
}

/*
 * libpq reads a message it was told is long (an ErrorResponse announcing a
 * gigabyte) for as long as bytes keep arriving, within one call: a server
 * on the same machine can keep it reading, the loop waiting and memory
 * growing, far past the budget checked after the call.  A small receive
 * buffer makes each read small and the sender wait for room, so the call
 * ends soon with nothing left to read.  Replies are a few kilobytes.
 */
static void
pc_clamp(struct pg_conn *pc)
{
	int fd = PQsocket(pc->conn), size = PG_RCVBUF;

	if (fd >= 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size,
		    sizeof size);
}

/* Starts counting what the server sends for one set-up or one probe. */
static void
pc_budget_start(struct pg_conn *pc)
{
	pc->rx0 = pc_received(pc);
	pc->tripped = 0;
}

/* The connection's last notice, as the probe's "notice" figure. */
static void
pg_notice_figure(struct probe *p)
{
	if (p->pc->notice != NULL && p->s != NULL)
		sample_add_str(p->s, "notice", p->pc->notice);
}

/* Fails the connection when the server has sent more than its budget. */
static int
pc_budget_over(struct pg_conn *pc)
{
	unsigned long long rx = pc_received(pc);

	if (rx < pc->rx0)
		pc->rx0 = 0;	/* libpq opened another socket */
	if (!pc->tripped && rx - pc->rx0 <= PG_REPLY_MAX)
		return 0;
	pc_fail(pc, "refused", "reply larger than the limit (4 MiB)");
	return 1;
}

static void pg_event(evutil_socket_t, short, void *);

static void
pc_watch(struct pg_conn *pc, short what)
{
	pc_unwatch(pc);
	pc->ev = event_new(pc->ctx->base, PQsocket(pc->conn), what, pg_event,
	    pc);
	if (pc->ev == NULL)
		fatal("event_new failed");
	event_add(pc->ev, NULL);
}

static void
pc_poll_connect(struct pg_conn *pc)
{
	PostgresPollingStatusType st;
	struct share_waiter *w;
	struct probe *p;
	double ms;
	char *err;

	st = pc_connect_poll(pc);
	if (pc_budget_over(pc))
		return;
	switch (st) {
	case PGRES_POLLING_READING:
		pc_watch(pc, EV_READ);
		return;
	case PGRES_POLLING_WRITING:
		pc_watch(pc, EV_WRITE);
		return;
	case PGRES_POLLING_OK:
		break;
	default:
		err = pg_error(pc->conn);
		pc_fail(pc, "cannot connect", err);
		free(err);
		return;
	}
	PQsetnonblocking(pc->conn, 1);
	pc->state = PC_READY;
	pc_watch(pc, EV_READ | EV_PERSIST);
	/* Everyone who waited for this connection paid for it. */
	ms = pg_now() - pc->t0;
	TAILQ_FOREACH(w, &pc->sh.queue, entry) {
		p = w->owner;
		p->connect_ms = ms;
		p->reused = 0;
	}
	share_kick(&pc->sh);
}

/*
 * Behind a transaction pooler (pgbouncer) the server session changes under
 * us: the statement may already exist (42P05: fine) or be gone (26000:
 * prepare it again, once per probe).  Returns 1 when the error is handled.
 */
static int
pg_pooled(struct probe *p, PGresult *r)
{
	const char *code = PQresultErrorField(r, PG_DIAG_SQLSTATE);

	if (code == NULL || p->failed)
		return 0;
	if (p->step == PS_PREPARE && strcmp(code, "42P05") == 0)
		return 1;
	if (p->step == PS_STATS && strcmp(code, "26000") == 0 &&
	    !p->reprepared) {
		p->reprepared = 1;
		p->pc->prepared = 0;
		p->step = PS_PING;	/* so the next step prepares */
		return 1;
	}
	return 0;
}

/* Reads whatever results are complete; finishes the probe at the end. */
static void
pc_read(struct pg_conn *pc)
{
	struct probe *p = pg_cur(pc);
	PGresult *r;
	char *err;

	if (!pc_consume(pc)) {
		if (pc_budget_over(pc))
			return;
		goto broken;
	}
	if (pc_budget_over(pc))
		return;
	while (!PQisBusy(pc->conn)) {
		r = PQgetResult(pc->conn);
		if (r == NULL) {
			/* All results of this step in. */
			if (PQstatus(pc->conn) == CONNECTION_BAD)
				goto broken;
			if (!p->failed && p->step == PS_PING &&
			    !pc->prepared) {
				p->step = PS_PREPARE;
				if (!PQsendPrepare(pc->conn, PG_STMT, pg_stats_sql,
				    0, NULL))
					goto broken;
			} else if (!p->failed && p->step != PS_STATS) {
				pc->prepared = 1;
				p->step = PS_STATS;
				if (!PQsendQueryPrepared(pc->conn, PG_STMT, 0,
				    NULL, NULL, NULL, 0))
					goto broken;
			} else {
				pc->state = PC_READY;
				pc_watch(pc, EV_READ | EV_PERSIST);
				pc->sh.fails = 0;
				share_done(&pc->sh);
				pg_notice_figure(p);
				pg_deliver(p);
				return;
			}
			if (PQflush(pc->conn) == 1)
				pc_watch(pc, EV_READ | EV_WRITE | EV_PERSIST);
			continue;
		}
		if (PQresultStatus(r) != PGRES_TUPLES_OK &&
		    PQresultStatus(r) != PGRES_COMMAND_OK) {
			if (pg_pooled(p, r)) {
				PQclear(r);
				continue;
			}
			if (!p->failed) {
				err = xstrndup(PQresultErrorMessage(r),
				    strcspn(PQresultErrorMessage(r), "\n"));
				sample_fail(p->s, STATE_CRIT, "query failed: "
				    "%s", err);
				free(err);
				p->failed = 1;	/* keep the first */
			}
		} else if (!p->failed) {
			if (p->step == PS_PING) {
				p->s->latency_ms = pg_now() - p->t0;
				sample_add_num(p->s, "latency",
				    p->s->latency_ms / 1000.0, "s");
			} else if (p->step == PS_STATS)
				pg_stats_read(p->s, r);
		}
		PQclear(r);
	}
	return;
broken:
	err = pg_error(pc->conn);
	if (p->reused && !p->retried) {
		/*
		 * The server closed our idle connection (a restart): that
		 * says nothing about now, so connect again at once, this
		 * probe first.
		 */
		p->retried = 1;
		pc_drop(&pc->sh);
		free(err);
		sample_free(p->s);
		p->s = sample_new();
		pc->sh.cur = NULL;
		share_enqueue(&pc->sh, &p->w, 1);
		share_kick(&pc->sh);
		return;
	}
	pc_fail(pc, "connection lost", err);
	free(err);
}

static void
pg_event(evutil_socket_t fd, short what, void *arg)
{
	struct pg_conn *pc = arg;
	int r;

	switch (pc->state) {
	case PC_CONNECTING:
		pc_poll_connect(pc);
		break;
	case PC_READY:
		/* Idle: the server may be closing (shutdown, terminate). */
		if (!pc_consume(pc) || PQstatus(pc->conn) == CONNECTION_BAD)
			pc_drop(&pc->sh);
		else
			pc_budget_over(pc);
		break;
	case PC_QUERYING:
		share_ref(&pc->sh);
		if (what & EV_WRITE) {
			r = PQflush(pc->conn);
			if (r < 0)
				pc_read(pc);
			else if (r == 0)
				pc_watch(pc, EV_READ | EV_PERSIST);
		}
		if ((what & EV_READ) && pc->state == PC_QUERYING)
			pc_read(pc);
		share_unref(&pc->sh);
		break;
	default:
		break;
	}
}

/* Sends the head of the queue's queries on the ready connection. */
static void
pg_send(struct probe *p)
{
	struct pg_conn *pc = p->pc;

	if (p->connect_ms >= 0)
		p->s->connect_ms = p->connect_ms;
	pc->sh.cur = &p->w;
	pc->state = PC_QUERYING;
	pc_budget_start(pc);
	p->step = PS_PING;
	p->failed = 0;
	p->reprepared = 0;
	p->t0 = pg_now();
	if (!PQsendQuery(pc->conn, "SELECT 1")) {
		p->reused = 1;
		pc_read(pc);
		return;
	}
	pc_watch(pc, PQflush(pc->conn) == 1 ? EV_READ | EV_WRITE |
	    EV_PERSIST : EV_READ | EV_PERSIST);
}

/*
 * Moves the queue on (share_ops): opens the connection when probes wait
 * for one, sends the next probe's queries when it is idle.
 */
static void
pc_pump(struct share *sh)
{
	struct pg_conn *pc = (struct pg_conn *)sh;
	struct share_waiter *w;

	switch (pc->state) {
	case PC_NONE:
		if (!share_backing_off(sh))
			pc_open(pc);
		break;
	case PC_READY:
		w = TAILQ_FIRST(&sh->queue);
		share_dequeue(sh, w);
		pg_send(w->owner);
		break;
	default:
		break;		/* resolving or connecting */
	}
}

static const struct share_ops pg_share_ops = {
	.pump = pc_pump,
	.drop = pc_drop,
	.fail = pg_fail_one,
};

/* Connects with the password read (pc->pw, wiped once libpq has it). */
static void
pc_connect(struct pg_conn *pc, const char *addr)
{
	PQconninfoOption *opts = NULL, *o;
	const char **kw = NULL, **val = NULL;
	char *options, *err;
	const char *user_opts = NULL;
	size_t n = 0;

	if (pc->c->pg.conninfo != NULL)
		opts = PQconninfoParse(pc->c->pg.conninfo, NULL);
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
		util_kv_add(&kw, &val, &n, o->keyword, o->val);
	}
	if (pc->c->pg.service != NULL)
		util_kv_add(&kw, &val, &n, "service", pc->c->pg.service);
	if (addr != NULL)
		util_kv_add(&kw, &val, &n, "hostaddr", addr);
	if (pc->pw != NULL)
		util_kv_add(&kw, &val, &n, "password", pc->pw);
	util_kv_add(&kw, &val, &n, "fallback_application_name", "maintop");
	/* The server stops our query by itself if we give up on it. */
	options = xasprintf("%s%s-c statement_timeout=%lld",
	    user_opts != NULL ? user_opts : "", user_opts != NULL ? " " : "",
	    pc->c->timeout_ms > 0 ? pc->c->timeout_ms : 5000);
	util_kv_add(&kw, &val, &n, "options", options);

	pc->state = PC_CONNECTING;
	pc->t0 = pg_now();
	pc->conn = PQconnectStartParams(kw, val, 0);
	if (pc->conn != NULL) {
		PQsetNoticeProcessor(pc->conn, pg_notice, pc);
		pc_clamp(pc);
	}
	pc_budget_start(pc);
	secretfile_forget(&pc->pw);
	free(options);
	free(kw);
	free(val);
	PQconninfoFree(opts);
	if (pc->conn == NULL || PQstatus(pc->conn) == CONNECTION_BAD) {
		err = pg_error(pc->conn);
		pc_fail(pc, "cannot connect", err);
		free(err);
		return;
	}
	pc_watch(pc, EV_WRITE);
}

static void
pg_resolved(int err, const char *addr, const char *why, void *arg)
{
	struct pg_conn *pc = arg;

	pc->rq = NULL;
	if (err != 0) {
		pc_fail(pc, "cannot resolve", why);
		return;
	}
	pc_connect(pc, addr);
}

/* The password read (or not): resolves the host if needed, then connects
 * by address. */
static void
pc_secret(struct secretfile_result *r, void *arg)
{
	struct pg_conn *pc = arg;
	char *host;

	pc->sf = NULL;
	if (r->cause != NULL) {
		pc_fail(pc, "password", r->cause);
		return;
	}
	pc->pw = r->password;
	r->password = NULL;
	host = resolve_pg_host(pc->c->pg.conninfo,
	    pc->c->pg.service != NULL);
	if (host == NULL) {
		pc_connect(pc, NULL);
		return;
	}
	pc->state = PC_RESOLVING;
	pc->rq = resolve_start(pc->ctx->resolve, host, pg_resolved, pc);
	free(host);
}

/* Reads the password (a file on the worker), then connects. */
static void
pc_open(struct pg_conn *pc)
{
	pc->state = PC_SECRET;
	pc->sf = secretfile_read(pc->ctx->worker, pc->c, pc_secret, pc);
}

/* What makes two checks' connections the same. */
static char *
pg_key(const struct check *c)
{
	const struct check_pg *g = &c->pg;

	return xasprintf("%s\037%s\037%s\037%s\037%lld",
	    g->conninfo != NULL ? g->conninfo : "",
	    g->service != NULL ? g->service : "",
	    g->password_env != NULL ? g->password_env : "",
	    g->password_file != NULL ? g->password_file : "", c->timeout_ms);
}

static struct probe *
pg_create(struct probe_ctx *ctx, const struct check *c)
{
	struct probe *p;
	struct pg_conn *pc;

	p = xcalloc(1, sizeof *p);
	p->ctx = ctx;
	p->c = c;
	p->w.owner = p;
	pc = (struct pg_conn *)share_get(&ctx->kind_state[CHECK_POSTGRES],
	    ctx->base, pg_key(c), sizeof *pc, &pg_share_ops);
	if (pc->ctx == NULL) {
		pc->ctx = ctx;
		pc->c = c;
	}
	p->pc = pc;
	p->connect_ms = -1;
	return p;
}

static void
pg_start(struct probe *p, long long timeout_ms, probe_done_cb cb, void *arg)
{
	struct pg_conn *pc = p->pc;

	(void)timeout_ms;	/* the connection's statement_timeout */
	p->cb = cb;
	p->arg = arg;
	p->s = sample_new();
	p->connect_ms = -1;
	p->retried = 0;
	/* Unless it connects while this probe waits, it reuses. */
	p->reused = 1;
	share_enqueue(&pc->sh, &p->w, 0);
	share_kick(&pc->sh);
}

static void
pg_cancel(struct probe *p)
{
	struct pg_conn *pc = p->pc;

	if (p->w.queued) {
		share_dequeue(&pc->sh, &p->w);
		/* A connection attempt no one waits for any more has taken
		 * a whole deadline: it is stuck, start afresh next time.
		 * A password file still being read is left to finish, so a
		 * hung file system holds one read, not one per probe. */
		if (TAILQ_EMPTY(&pc->sh.queue) && pc->sh.cur == NULL &&
		    (pc->state == PC_RESOLVING || pc->state == PC_CONNECTING))
			pc_drop(&pc->sh);
	} else if (pc->sh.cur == &p->w) {
		/*
		 * Closing the connection abandons the query (the server ends
		 * it at statement_timeout at the latest); the probes behind
		 * get a new connection.
		 */
		pc_drop(&pc->sh);
		share_done(&pc->sh);
	}
	sample_free(p->s);
	p->s = NULL;
	p->cb = NULL;
}

static const char *
pg_phase(struct probe *p)
{
	struct pg_conn *pc = p->pc;

	if (pc->sh.cur == &p->w)
		return "waiting for the query";
	if (!p->w.queued)
		return NULL;
	switch (pc->state) {
	case PC_SECRET:
		return "reading the password file";
	case PC_RESOLVING:
		return "resolving";
	case PC_NONE:
	case PC_CONNECTING:
		return "connecting";
	default:
		return "queued behind another check's query";
	}
}

static void
pg_free(struct probe *p)
{
	if (p == NULL)
		return;
	pg_cancel(p);
	share_unref(&p->pc->sh);
	free(p);
}

static void
pg_ctx_free(struct probe_ctx *ctx)
{
	share_set_free(&ctx->kind_state[CHECK_POSTGRES]);
}

const struct probe_ops probe_pg_ops = {
	.type = CHECK_POSTGRES,
	.name = "postgres",
	.create = pg_create,
	.start = pg_start,
	.cancel = pg_cancel,
	.phase = pg_phase,
	.free = pg_free,
	.ctx_free = pg_ctx_free,
};
