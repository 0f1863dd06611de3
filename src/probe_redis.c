/* The Redis probe: one persistent hiredis async connection per target
 * (shared by the checks with the same connection parameters) on the
 * libevent loop (AUTH, SELECT once), then per probe PING for latency, INFO
 * and SLOWLOG LEN; reconnects with backoff after a failure.  Every reply is
 * bounded while it is read (redis_reply.h). */
#include <event2/event.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "probe.h"
#include "redis_info.h"
#include "redis_reply.h"
#include "resolve.h"
#include "secretfile.h"
#include "share.h"

enum redis_conn {
	RC_NONE,
	RC_SECRET,		/* reading the password file */
	RC_RESOLVING,
	RC_CONNECTING,		/* TCP, then AUTH and SELECT */
	RC_READY
};

/*
 * One connection, shared by the checks with the same host, port, user,
 * password source and database: the "one connection per target".
 * Probes queue on it and run one at a time (share.h).
 */
struct rconn {
	struct share		 sh;		/* first */
	struct probe_ctx	*ctx;
	const struct check	*c;		/* parameters: any of its checks */
	redisAsyncContext	*ac;
	enum redis_conn		 conn;
	struct resolve_req	*rq;
	struct secretfile	*sf;		/* the password being read */
	char			*pw;		/* read before connecting */
	double			 t0;		/* connect start */
	const char		*phase;		/* of the connection */
	struct redis_reply_budget budget;
};

/* hiredis's hooks on the libevent loop, for one context. */
struct rlink {
	redisAsyncContext	*ac;
	struct event		*rev;
	struct event		*wev;
};

struct probe {
	struct share_waiter	 w;
	struct probe_ctx	*ctx;
	const struct check	*c;
	struct rconn		*rc;
	double			 t0;		/* PING sent */
	double			 connect_ms;
	const char		*phase;

	/* The probe in flight. */
	probe_done_cb		 cb;
	void			*arg;
	struct sample		*s;
	struct redis_info	*info;
	int			 info_failed;

	/* Counters at the previous probe, for per-interval changes. */
	int			 have_prev;
	long long		 prev_evicted;
	long long		 prev_rejected;
};

/* Milliseconds on the monotonic clock, with a fraction. */
static double
redis_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static struct probe *
redis_cur(struct rconn *rc)
{
	return rc->sh.cur != NULL ? rc->sh.cur->owner : NULL;
}

/* Drops the connection without any callback reaching us (share_ops). */
static void
rc_drop(struct share *sh)
{
	struct rconn *rc = (struct rconn *)sh;
	redisAsyncContext *ac = rc->ac;

	if (rc->rq != NULL) {
		resolve_cancel(rc->rq);
		rc->rq = NULL;
	}
	secretfile_cancel(rc->sf);
	rc->sf = NULL;
	secretfile_forget(&rc->pw);
	rc->ac = NULL;
	rc->conn = RC_NONE;
	rc->phase = NULL;
	if (ac != NULL) {
		ac->data = NULL;
		redisAsyncFree(ac);
	}
}

/* Hands the sample over; the connection moves on to the next probe. */
static void
redis_deliver(struct probe *p)
{
	struct rconn *rc = p->rc;
	struct sample *s = p->s;
	probe_done_cb cb = p->cb;

	if (rc->sh.cur == &p->w)
		share_done(&rc->sh);
	redis_info_free(p->info);
	p->info = NULL;
	p->s = NULL;
	p->cb = NULL;
	p->phase = NULL;
	if (cb != NULL)
		cb(s, p->arg);
	else
		sample_free(s);
}

/* A probe on a failed connection (share_ops). */
static void
redis_fail_one(struct share_waiter *w, int state, const char *msg)
{
	struct probe *p = w->owner;

	sample_fail(p->s, (enum state)state, "%s", msg);
	redis_deliver(p);
}

static void
rc_fail(struct rconn *rc, const char *what, const char *err)
{
	/* Our own password missing says nothing about the server. */
	share_fail(&rc->sh, strcmp(what, "password") == 0 ? STATE_UNKNOWN :
	    STATE_CRIT, what, err);
}

/* The callbacks' guard: the reply belongs to our current connection. */
static struct rconn *
rc_owner(const redisAsyncContext *ac, void *priv)
{
	struct rconn *rc = priv;

	if (rc == NULL || rc->ac != ac)
		return NULL;
	return rc;
}

static void
redis_disconnected(const redisAsyncContext *ac, int status)
{
	struct rconn *rc = ac->data;

	(void)status;
	if (rc == NULL || rc->ac != ac)
		return;
	/* hiredis frees the context after this callback. */
	rc->ac = NULL;
	rc->conn = RC_NONE;
	if (rc->budget.exceeded)
		rc_fail(rc, "refused", redis_reply_why());
	else if (rc->sh.cur != NULL || !TAILQ_EMPTY(&rc->sh.queue))
		rc_fail(rc, "connection lost", ac->errstr[0] != '\0' ?
		    ac->errstr : "closed by the server");
}

/* AUTH and SELECT done: the waiting probes go, one at a time. */
static void
rc_is_ready(struct rconn *rc)
{
	struct share_waiter *w;
	double ms = redis_now() - rc->t0;

	rc->conn = RC_READY;
	rc->phase = NULL;
	TAILQ_FOREACH(w, &rc->sh.queue, entry)
		((struct probe *)w->owner)->connect_ms = ms;
	share_kick(&rc->sh);
}

static void
redis_ready(redisAsyncContext *ac, void *r, void *priv)
{
	struct rconn *rc = rc_owner(ac, priv);
	redisReply *reply = r;

	if (rc == NULL || reply == NULL)
		return;
	if (reply->type == REDIS_REPLY_ERROR) {
		rc_fail(rc, "SELECT failed", reply->str);
		return;
	}
	rc_is_ready(rc);
}

static void
rc_select(struct rconn *rc)
{
	char db[16];
	const char *argv[2];

	if (rc->c->redis.db == 0) {
		rc_is_ready(rc);
		return;
	}
	snprintf(db, sizeof db, "%d", rc->c->redis.db);
	argv[0] = "SELECT";
	argv[1] = db;
	rc->phase = "selecting the database";
	redisAsyncCommandArgv(rc->ac, redis_ready, rc, 2, argv, NULL);
}

static void
redis_authed(redisAsyncContext *ac, void *r, void *priv)
{
	struct rconn *rc = rc_owner(ac, priv);
	redisReply *reply = r;

	if (rc == NULL || reply == NULL)
		return;
	if (reply->type == REDIS_REPLY_ERROR) {
		rc_fail(rc, "authentication failed", reply->str);
		return;
	}
	rc_select(rc);
}

/*
 * hiredis goes on using the context after this callback returns: nothing
 * here may free it (the password was read before connecting for that).
 */
static void
redis_connected(const redisAsyncContext *cac, int status)
{
	struct rconn *rc = cac->data;
	redisAsyncContext *ac = (redisAsyncContext *)cac;
	const char *argv[3];
	int argc = 0;

	if (rc == NULL || rc->ac != cac)
		return;
	if (status != REDIS_OK) {
		/* hiredis frees the context after this callback. */
		rc->ac = NULL;
		rc_fail(rc, "cannot connect", ac->errstr);
		return;
	}
	if (rc->pw == NULL) {
		/* No AUTH: go on as if it had succeeded. */
		rc_select(rc);
		return;
	}
	argv[argc++] = "AUTH";
	if (rc->c->redis.user != NULL)
		argv[argc++] = rc->c->redis.user;
	argv[argc++] = rc->pw;
	rc->phase = "authenticating";
	redisAsyncCommandArgv(ac, redis_authed, rc, argc, argv, NULL);
	/* hiredis has copied the command into its output buffer. */
	secretfile_forget(&rc->pw);
}

/* Readable: refuses a reply grown past the limit before reading more. */
static void
rlink_read(evutil_socket_t fd, short what, void *arg)
{
	struct rlink *l = arg;
	redisAsyncContext *ac = l->ac;
	struct rconn *rc = ac->data;

	(void)fd;
	(void)what;
	if (rc != NULL && redis_reply_over(ac->c.reader, &rc->budget)) {
		/* Frees ac and l: neither is used after this. */
		rc_fail(rc, "refused", redis_reply_why());
		return;
	}
	redisAsyncHandleRead(ac);
}

static void
rlink_write(evutil_socket_t fd, short what, void *arg)
{
	struct rlink *l = arg;

	(void)fd;
	(void)what;
	redisAsyncHandleWrite(l->ac);
}

static void
rlink_add_read(void *arg)
{
	event_add(((struct rlink *)arg)->rev, NULL);
}

static void
rlink_del_read(void *arg)
{
	event_del(((struct rlink *)arg)->rev);
}

static void
rlink_add_write(void *arg)
{
	event_add(((struct rlink *)arg)->wev, NULL);
}

static void
rlink_del_write(void *arg)
{
	event_del(((struct rlink *)arg)->wev);
}

static void
rlink_cleanup(void *arg)
{
	struct rlink *l = arg;

	event_free(l->rev);
	event_free(l->wev);
	free(l);
}

/* Joins the context to the loop through hiredis's adapter hooks. */
static void
rlink_attach(redisAsyncContext *ac, struct event_base *base)
{
	struct rlink *l;

	l = xcalloc(1, sizeof *l);
	l->ac = ac;
	l->rev = event_new(base, ac->c.fd, EV_READ | EV_PERSIST, rlink_read,
	    l);
	l->wev = event_new(base, ac->c.fd, EV_WRITE | EV_PERSIST,
	    rlink_write, l);
	if (l->rev == NULL || l->wev == NULL)
		fatal("event_new failed");
	ac->ev.addRead = rlink_add_read;
	ac->ev.delRead = rlink_del_read;
	ac->ev.addWrite = rlink_add_write;
	ac->ev.delWrite = rlink_del_write;
	ac->ev.cleanup = rlink_cleanup;
	ac->ev.data = l;
}

static void
rc_connect(struct rconn *rc, const char *addr)
{
	redisAsyncContext *ac;

	rc->conn = RC_CONNECTING;
	rc->phase = "connecting";
	rc->t0 = redis_now();
	ac = redisAsyncConnect(addr, rc->c->redis.port);
	if (ac == NULL) {
		rc_fail(rc, "cannot connect", "out of memory");
		return;
	}
	if (ac->err) {
		rc_fail(rc, "cannot connect", ac->errstr);
		redisAsyncFree(ac);
		return;
	}
	ac->data = rc;
	rc->ac = ac;
	redis_reply_limit(ac->c.reader, &rc->budget);
	rlink_attach(ac, rc->ctx->base);
	redisAsyncSetConnectCallback(ac, redis_connected);
	redisAsyncSetDisconnectCallback(ac, redis_disconnected);
}

static void
redis_resolved(int err, const char *addr, const char *why, void *arg)
{
	struct rconn *rc = arg;

	rc->rq = NULL;
	if (err != 0) {
		rc->conn = RC_NONE;
		rc_fail(rc, "cannot resolve", why);
		return;
	}
	rc_connect(rc, addr);
}

/* The password read (or not): resolves and connects. */
static void
rc_secret(struct secretfile_result *r, void *arg)
{
	struct rconn *rc = arg;

	rc->sf = NULL;
	if (r->cause != NULL) {
		rc->conn = RC_NONE;
		rc_fail(rc, "password", r->cause);
		return;
	}
	rc->pw = r->password;
	r->password = NULL;
	rc->conn = RC_RESOLVING;
	rc->phase = "resolving";
	rc->rq = resolve_start(rc->ctx->resolve, rc->c->redis.host,
	    redis_resolved, rc);
}

/*
 * Reads the password (a file on the worker), then resolves and connects.
 * Reading it before connecting, outside hiredis's callbacks, lets a
 * missing password fail the probes without a context to free.
 */
static void
rc_open(struct rconn *rc)
{
	secretfile_forget(&rc->pw);
	rc->conn = RC_SECRET;
	rc->phase = "reading the password file";
	rc->sf = secretfile_read(rc->ctx->worker, rc->c, rc_secret, rc);
}

/* Adds a figure from an INFO integer field, or "unavailable". */
static long long
info_num(struct probe *p, const char *key, const char *name,
    const char *unit)
{
	long long v;

	if (redis_info_get_ll(p->info, key, &v) != 0) {
		sample_add_unavailable(p->s, name, "not in INFO");
		return -1;
	}
	sample_add_num(p->s, name, (double)v, unit);
	return v;
}

/* Memory: used, the limit and the share of it used, and fragmentation
 * (judged only above fragmentation_min_used). */
static void
redis_memory(struct probe *p)
{
	struct sample *s = p->s;
	long long used, maxmem;
	struct figure *f;
	double frag;

	used = info_num(p, "used_memory", "used_memory", "B");
	if (redis_info_get_ll(p->info, "maxmemory", &maxmem) == 0 &&
	    maxmem > 0) {
		sample_add_num(s, "maxmemory", (double)maxmem, "B");
		if (used >= 0)
			sample_add_num(s, "memory_pct",
			    100.0 * (double)used / (double)maxmem, "%");
	} else
		sample_add_unavailable(s, "memory_pct", "no maxmemory set");
	if (redis_info_get_double(p->info, "mem_fragmentation_ratio",
	    &frag) == 0) {
		/* At little memory used the ratio is the allocator's own
		 * overhead over almost nothing: shown, not judged. */
		f = sample_add_num(s, "fragmentation", frag, "");
		if (used < p->c->redis.frag_min_used)
			f->unjudged = "judged from fragmentation_min_used";
	} else
		sample_add_unavailable(s, "fragmentation", "not in INFO");
}

/* Persistence: the last save's age, and a failed bgsave or AOF write
 * added to bad. */
static void
redis_persistence(struct probe *p, struct buf *bad)
{
	struct sample *s = p->s;
	const char *v;
	long long t;

	if (redis_info_get_ll(p->info, "rdb_last_save_time", &t) == 0 &&
	    t > 0)
		sample_add_num(s, "last_save_age",
		    difftime(time(NULL), (time_t)t), "s");
	else
		sample_add_unavailable(s, "last_save_age", "not in INFO");
	v = redis_info_get(p->info, "rdb_last_bgsave_status");
	if (v != NULL) {
		sample_add_str(s, "last_bgsave", v);
		if (strcmp(v, "ok") != 0)
			buf_adds(bad, "; last bgsave failed");
	}
	info_num(p, "aof_enabled", "aof_enabled", "");
	v = redis_info_get(p->info, "aof_last_write_status");
	if (v != NULL && strcmp(v, "ok") != 0)
		buf_adds(bad, "; last AOF write failed");
}

/* Evictions and rejected connections: the totals, and (thresholds apply
 * to these) what changed since the previous probe. */
static void
redis_counters(struct probe *p)
{
	struct sample *s = p->s;
	long long evicted, rejected;

	evicted = info_num(p, "evicted_keys", "evicted_keys_total", "");
	rejected = info_num(p, "rejected_connections",
	    "rejected_connections_total", "");
	if (p->have_prev && evicted >= p->prev_evicted &&
	    rejected >= p->prev_rejected) {
		sample_add_num(s, "evicted_keys",
		    (double)(evicted - p->prev_evicted), "");
		sample_add_num(s, "rejected_connections",
		    (double)(rejected - p->prev_rejected), "");
	} else {
		sample_add_unavailable(s, "evicted_keys", "first sample");
		sample_add_unavailable(s, "rejected_connections",
		    "first sample");
	}
	p->have_prev = evicted >= 0 && rejected >= 0;
	p->prev_evicted = evicted;
	p->prev_rejected = rejected;
}

/* Replication: a replica's link to its primary (a link not up is added
 * to bad), or a primary's replicas and how far the furthest lags. */
static void
redis_replication(struct probe *p, const char *role, struct buf *bad)
{
	struct sample *s = p->s;
	const struct redis_info_replica *rep;
	long long off, lag, maxlag = 0;
	const char *v;
	size_t i;

	if (role != NULL && strcmp(role, "slave") == 0) {
		v = redis_info_get(p->info, "master_link_status");
		sample_add_str(s, "master_link", v != NULL ? v : "?");
		if (v == NULL || strcmp(v, "up") != 0)
			buf_printf(bad, "; replication link is %s",
			    v != NULL ? v : "unknown");
		info_num(p, "master_last_io_seconds_ago", "master_last_io",
		    "s");
		return;
	}
	info_num(p, "connected_slaves", "replicas", "");
	if (redis_info_get_ll(p->info, "master_repl_offset", &off) != 0 ||
	    redis_info_nreplicas(p->info) == 0)
		return;
	for (i = 0; i < redis_info_nreplicas(p->info); i++) {
		rep = redis_info_replica(p->info, i);
		lag = rep->offset >= 0 ? off - rep->offset : 0;
		if (lag > maxlag)
			maxlag = lag;
	}
	sample_add_num(s, "repl_lag_bytes", (double)maxlag, "B");
}

/* The keys of the first 16 databases, and the slow log's length (-1: the
 * user may not ask). */
static void
redis_keyspace(struct probe *p, long long slowlog)
{
	const struct redis_info_db *db;
	char name[64];
	size_t i;

	for (i = 0; i < redis_info_ndb(p->info) && i < 16; i++) {
		db = redis_info_db(p->info, i);
		snprintf(name, sizeof name, "db%d.keys", db->index);
		sample_add_num(p->s, name, (double)db->keys, "");
	}
	if (slowlog >= 0)
		sample_add_num(p->s, "slowlog_len", (double)slowlog, "");
	else
		sample_add_unavailable(p->s, "slowlog_len",
		    "SLOWLOG not allowed");
}

/* The INFO reply and the slow log's length make the sample's figures and
 * message; what is wrong makes it critical.  Delivers the sample. */
static void
redis_evaluate(struct probe *p, long long slowlog)
{
	struct sample *s = p->s;
	const char *role, *ver, *clients;
	struct buf bad;
	char lat[32];

	role = redis_info_get(p->info, "role");
	ver = redis_info_get(p->info, "redis_version");
	if (role == NULL && ver == NULL) {
		/* Whatever answered, it said nothing a Redis INFO says. */
		sample_fail(s, STATE_UNKNOWN, "INFO holds neither role nor "
		    "redis_version (%zu fields): not a Redis INFO reply",
		    redis_info_count(p->info));
		redis_deliver(p);
		return;
	}
	buf_init(&bad);
	sample_add_num(s, "latency", s->latency_ms / 1000.0, "s");
	sample_add_str(s, "version", ver != NULL ? ver : "?");
	sample_add_str(s, "role", role != NULL ? role : "?");
	info_num(p, "uptime_in_seconds", "uptime", "s");
	info_num(p, "connected_clients", "connected_clients", "");
	redis_memory(p);
	redis_persistence(p, &bad);
	redis_counters(p);
	redis_replication(p, role, &bad);
	redis_keyspace(p, slowlog);

	/* The usual summary, then what is wrong (sanitized when set). */
	util_format_quantity(s->latency_ms, "ms", lat, sizeof lat);
	clients = redis_info_get(p->info, "connected_clients");
	sample_set_msg(s, "%s %s, %s clients, PING %s%s",
	    role != NULL ? role : "?", ver != NULL ? ver : "?",
	    clients != NULL ? clients : "?", lat, bad.len > 0 ? bad.s : "");
	if (bad.len > 0)
		sample_fail(s, STATE_CRIT, "%s", s->message);
	buf_free(&bad);
	p->rc->sh.fails = 0;
	redis_deliver(p);
}

/* SLOWLOG LEN is the probe's last command: its reply ends the probe. */
static void
redis_slowlog(redisAsyncContext *ac, void *r, void *priv)
{
	struct rconn *rc = rc_owner(ac, priv);
	redisReply *reply = r;
	struct probe *p;

	if (rc == NULL || reply == NULL || (p = redis_cur(rc)) == NULL)
		return;
	if (p->info_failed) {
		redis_deliver(p);
		return;
	}
	/* An ACL user without SLOWLOG gets an error: not fatal. */
	redis_evaluate(p, reply->type == REDIS_REPLY_INTEGER ?
	    reply->integer : -1);
}

static void
redis_info_reply(redisAsyncContext *ac, void *r, void *priv)
{
	struct rconn *rc = rc_owner(ac, priv);
	redisReply *reply = r;
	struct probe *p;

	if (rc == NULL || reply == NULL || (p = redis_cur(rc)) == NULL)
		return;
	p->phase = "waiting for SLOWLOG LEN";
	if (reply->type == REDIS_REPLY_ERROR) {
		sample_fail(p->s, STATE_CRIT, "INFO failed: %s", reply->str);
		p->info_failed = 1;
		return;
	}
	if (reply->type != REDIS_REPLY_STRING &&
	    reply->type != REDIS_REPLY_STATUS) {
		sample_fail(p->s, STATE_UNKNOWN, "INFO: unexpected reply");
		p->info_failed = 1;
		return;
	}
	p->info = redis_info_parse(reply->str, reply->len);
}

static void
redis_pong(redisAsyncContext *ac, void *r, void *priv)
{
	struct rconn *rc = rc_owner(ac, priv);
	redisReply *reply = r;
	struct probe *p;

	if (rc == NULL || reply == NULL || (p = redis_cur(rc)) == NULL)
		return;
	p->s->latency_ms = redis_now() - p->t0;
	if (reply->type == REDIS_REPLY_ERROR) {
		/* NOAUTH, or a server loading its data set. */
		sample_fail(p->s, STATE_CRIT, "PING failed: %s", reply->str);
		redis_deliver(p);
		return;
	}
	p->phase = "waiting for INFO";
	redisAsyncCommand(rc->ac, redis_info_reply, rc, "INFO");
	redisAsyncCommand(rc->ac, redis_slowlog, rc, "SLOWLOG LEN");
}

static void
redis_send_probe(struct probe *p)
{
	struct rconn *rc = p->rc;

	if (p->connect_ms >= 0)
		p->s->connect_ms = p->connect_ms;
	rc->sh.cur = &p->w;
	p->info_failed = 0;
	p->phase = "waiting for PONG";
	p->t0 = redis_now();
	redisAsyncCommand(rc->ac, redis_pong, rc, "PING");
}

/*
 * Moves the queue on (share_ops): opens the connection when probes wait
 * for one, sends the next probe's commands when it is idle.
 */
static void
rc_pump(struct share *sh)
{
	struct rconn *rc = (struct rconn *)sh;
	struct share_waiter *w;

	switch (rc->conn) {
	case RC_NONE:
		if (!share_backing_off(sh))
			rc_open(rc);
		break;
	case RC_READY:
		w = TAILQ_FIRST(&sh->queue);
		share_dequeue(sh, w);
		redis_send_probe(w->owner);
		break;
	default:
		break;		/* connecting: it kicks when ready */
	}
}

static const struct share_ops redis_share_ops = {
	.pump = rc_pump,
	.drop = rc_drop,
	.fail = redis_fail_one,
};

/* What makes two checks' connections the same. */
static char *
redis_key(const struct check *c)
{
	const struct check_redis *r = &c->redis;

	return xasprintf("%s\037%d\037%d\037%s\037%s\037%s", r->host,
	    r->port, r->db, r->user != NULL ? r->user : "",
	    r->password_env != NULL ? r->password_env : "",
	    r->password_file != NULL ? r->password_file : "");
}

static struct probe *
redis_create(struct probe_ctx *ctx, const struct check *c)
{
	struct probe *p;
	struct rconn *rc;

	p = xcalloc(1, sizeof *p);
	p->ctx = ctx;
	p->c = c;
	p->w.owner = p;
	rc = (struct rconn *)share_get(&ctx->kind_state[CHECK_REDIS],
	    ctx->base, redis_key(c), sizeof *rc, &redis_share_ops);
	if (rc->ctx == NULL) {
		rc->ctx = ctx;
		rc->c = c;
	}
	p->rc = rc;
	p->connect_ms = -1;
	return p;
}

static void
redis_start(struct probe *p, long long timeout_ms, probe_done_cb cb,
    void *arg)
{
	struct rconn *rc = p->rc;

	(void)timeout_ms;
	p->cb = cb;
	p->arg = arg;
	p->s = sample_new();
	p->connect_ms = -1;
	share_enqueue(&rc->sh, &p->w, 0);
	share_kick(&rc->sh);
}

static void
redis_cancel(struct probe *p)
{
	struct rconn *rc = p->rc;

	if (p->w.queued) {
		share_dequeue(&rc->sh, &p->w);
		/* A connection attempt no one waits for any more has taken
		 * a whole deadline: it is stuck, start afresh next time.
		 * A password file still being read is left to finish, so a
		 * hung file system holds one read, not one per probe. */
		if (TAILQ_EMPTY(&rc->sh.queue) && rc->sh.cur == NULL &&
		    rc->conn != RC_READY && rc->conn != RC_SECRET)
			rc_drop(&rc->sh);
	} else if (rc->sh.cur == &p->w) {
		/* A connection with a probe stuck on it is not trusted
		 * again; the probes behind get a new one. */
		rc_drop(&rc->sh);
		share_done(&rc->sh);
	}
	if (p->s != NULL) {
		sample_free(p->s);
		p->s = NULL;
	}
	redis_info_free(p->info);
	p->info = NULL;
	p->cb = NULL;
	p->phase = NULL;
}

static const char *
redis_phase(struct probe *p)
{
	struct rconn *rc = p->rc;

	if (rc->sh.cur == &p->w)
		return p->phase;
	if (!p->w.queued)
		return NULL;
	if (rc->conn == RC_READY)
		return "queued behind another check's commands";
	return rc->phase != NULL ? rc->phase : "connecting";
}

static void
redis_free(struct probe *p)
{
	if (p == NULL)
		return;
	redis_cancel(p);
	share_unref(&p->rc->sh);
	free(p);
}

static void
redis_ctx_free(struct probe_ctx *ctx)
{
	share_set_free(&ctx->kind_state[CHECK_REDIS]);
}

const struct probe_ops probe_redis_ops = {
	.type = CHECK_REDIS,
	.name = "redis",
	.create = redis_create,
	.start = redis_start,
	.cancel = redis_cancel,
	.phase = redis_phase,
	.free = redis_free,
	.ctx_free = redis_ctx_free,
};
