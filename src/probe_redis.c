/* The Redis probe: one persistent hiredis async connection per target
 * (shared by the checks with the same connection parameters) on the
 * libevent loop (AUTH, SELECT once), then per probe PING for latency, INFO
 * and SLOWLOG LEN; reconnects with backoff after a failure. */
#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include "check.h"
#include "probe.h"
#include "redis_info.h"
#include "resolve.h"

enum redis_conn {
	RC_NONE,
	RC_RESOLVING,
	RC_CONNECTING,		/* TCP, then AUTH and SELECT */
	RC_READY
};

/*
 * One connection, shared by the checks with the same host, port, user,
 * password source and database: the "one connection per target".
 * Probes queue on it and run one at a time.
 */
struct rconn {
	struct rconn		*next;		/* in struct redis_kind */
	struct probe_ctx	*ctx;
	char			*key;
	const struct check	*c;		/* parameters: any of its checks */
	unsigned int		 refs;
	redisAsyncContext	*ac;
	enum redis_conn		 conn;
	struct resolve_req	*rq;
	unsigned int		 fails;		/* consecutive failures */
	long long		 retry_at;	/* monotonic ms */
	char			*last_err;
	double			 t0;		/* connect start */
	const char		*phase;		/* of the connection */
	struct event		*kick;		/* deferred rc_pump */
	struct probe		*cur;		/* commands in flight */
	TAILQ_HEAD(, probe)	 queue;		/* waiting, in order */
};

/* ctx->kind_state[CHECK_REDIS]: the loop's connections. */
struct redis_kind {
	struct rconn		*conns;
};

struct probe {
	struct probe_ctx	*ctx;
	const struct check	*c;
	struct rconn		*rc;
	TAILQ_ENTRY(probe)	 entry;		/* in rc->queue */
	int			 queued;
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

static void redis_send_probe(struct probe *);
static void rc_kick(struct rconn *);

/* Milliseconds on the monotonic clock, with a fraction. */
static double
redis_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Drops the connection without any callback reaching us. */
static void
rc_drop(struct rconn *rc)
{
	redisAsyncContext *ac = rc->ac;

	if (rc->rq != NULL) {
		resolve_cancel(rc->rq);
		rc->rq = NULL;
	}
	rc->ac = NULL;
	rc->conn = RC_NONE;
	rc->phase = NULL;
	if (ac != NULL) {
		ac->data = NULL;
		redisAsyncFree(ac);
	}
}

static void
rc_ref(struct rconn *rc)
{
	rc->refs++;
}

static void
rc_unref(struct rconn *rc)
{
	struct redis_kind *k;
	struct rconn **pp;

	if (--rc->refs > 0)
		return;
	k = rc->ctx->kind_state[CHECK_REDIS];
	for (pp = &k->conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == rc) {
			*pp = rc->next;
			break;
		}
	rc_drop(rc);
	event_free(rc->kick);
	free(rc->last_err);
	free(rc->key);
	free(rc);
}

static void
rc_dequeue(struct rconn *rc, struct probe *p)
{
	TAILQ_REMOVE(&rc->queue, p, entry);
	p->queued = 0;
}

/* Hands the sample over; the connection moves on to the next probe. */
static void
redis_deliver(struct probe *p)
{
	struct rconn *rc = p->rc;
	struct sample *s = p->s;
	probe_done_cb cb = p->cb;

	if (rc->cur == p) {
		rc->cur = NULL;
		rc_kick(rc);
	}
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

/*
 * The connection failed: back off, and every probe on it, in flight or
 * waiting, fails with the reason.
 */
static void
rc_fail(struct rconn *rc, const char *what, const char *err)
{
	struct probe *p;

	free(rc->last_err);
	rc->last_err = xasprintf("%s: %s", what, err);
	rc->fails++;
	rc->retry_at = util_mono_ms() + probe_backoff_ms(rc->fails);
	rc_drop(rc);
	rc_ref(rc);
	while ((p = rc->cur) != NULL ||
	    (p = TAILQ_FIRST(&rc->queue)) != NULL) {
		if (p != rc->cur)
			rc_dequeue(rc, p);
		sample_fail(p->s, STATE_CRIT, "%s", rc->last_err);
		redis_deliver(p);
	}
	rc_unref(rc);
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

	if (rc == NULL || rc->ac != ac)
		return;
	/* hiredis frees the context after this callback. */
	rc->ac = NULL;
	rc->conn = RC_NONE;
	if (rc->cur != NULL || !TAILQ_EMPTY(&rc->queue))
		rc_fail(rc, "connection lost", ac->errstr[0] != '\0' ?
		    ac->errstr : "closed by the server");
}

/* AUTH and SELECT done: the waiting probes go, one at a time. */
static void
rc_is_ready(struct rconn *rc)
{
	struct probe *p;
	double ms = redis_now() - rc->t0;

	rc->conn = RC_READY;
	rc->phase = NULL;
	TAILQ_FOREACH(p, &rc->queue, entry)
		p->connect_ms = ms;
	rc_kick(rc);
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

static void
redis_connected(const redisAsyncContext *cac, int status)
{
	struct rconn *rc = cac->data;
	redisAsyncContext *ac = (redisAsyncContext *)cac;
	const char *argv[3];
	char *pw = NULL, *cause = NULL;
	int argc = 0, r;

	if (rc == NULL || rc->ac != cac)
		return;
	if (status != REDIS_OK) {
		/* hiredis frees the context after this callback. */
		rc->ac = NULL;
		rc_fail(rc, "cannot connect", ac->errstr);
		return;
	}
	r = check_password(rc->c, &pw, &cause);
	if (r < 0) {
		rc_fail(rc, "password", cause);
		free(cause);
		return;
	}
	if (r == 0) {
		/* No AUTH: go on as if it had succeeded. */
		rc_select(rc);
		return;
	}
	argv[argc++] = "AUTH";
	if (rc->c->redis.user != NULL)
		argv[argc++] = rc->c->redis.user;
	argv[argc++] = pw;
	rc->phase = "authenticating";
	redisAsyncCommandArgv(ac, redis_authed, rc, argc, argv, NULL);
	/* hiredis has copied the command into its output buffer. */
	explicit_bzero(pw, strlen(pw));
	free(pw);
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
		rc->ac = NULL;
		rc_fail(rc, "cannot connect", ac->errstr);
		redisAsyncFree(ac);
		return;
	}
	ac->data = rc;
	rc->ac = ac;
	if (redisLibeventAttach(ac, rc->ctx->base) != REDIS_OK) {
		rc_fail(rc, "cannot connect", "event loop attach failed");
		return;
	}
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

static void
redis_evaluate(struct probe *p, long long slowlog)
{
	struct sample *s = p->s;
	const struct redis_info_db *db;
	const struct redis_info_replica *rep;
	const char *role, *ver, *v;
	struct buf bad;
	long long used, maxmem, t, evicted, rejected, off, lag, maxlag;
	double frag;
	char name[64], lat[32];
	size_t i;

	buf_init(&bad);
	role = redis_info_get(p->info, "role");
	ver = redis_info_get(p->info, "redis_version");
	sample_add_num(s, "latency", s->latency_ms / 1000.0, "s");
	sample_add_str(s, "version", ver != NULL ? ver : "?");
	sample_add_str(s, "role", role != NULL ? role : "?");
	info_num(p, "uptime_in_seconds", "uptime", "s");
	info_num(p, "connected_clients", "connected_clients", "");
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
	    &frag) == 0)
		sample_add_num(s, "fragmentation", frag, "");
	else
		sample_add_unavailable(s, "fragmentation", "not in INFO");
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
			buf_adds(&bad, "; last bgsave failed");
	}
	info_num(p, "aof_enabled", "aof_enabled", "");
	v = redis_info_get(p->info, "aof_last_write_status");
	if (v != NULL && strcmp(v, "ok") != 0)
		buf_adds(&bad, "; last AOF write failed");

	/* Thresholds apply to what changed since the previous probe. */
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

	if (role != NULL && strcmp(role, "slave") == 0) {
		v = redis_info_get(p->info, "master_link_status");
		sample_add_str(s, "master_link", v != NULL ? v : "?");
		if (v == NULL || strcmp(v, "up") != 0)
			buf_printf(&bad, "; replication link is %s",
			    v != NULL ? v : "unknown");
		info_num(p, "master_last_io_seconds_ago", "master_last_io",
		    "s");
	} else {
		info_num(p, "connected_slaves", "replicas", "");
		if (redis_info_get_ll(p->info, "master_repl_offset",
		    &off) == 0 && redis_info_nreplicas(p->info) > 0) {
			maxlag = 0;
			for (i = 0; i < redis_info_nreplicas(p->info); i++) {
				rep = redis_info_replica(p->info, i);
				lag = rep->offset >= 0 ? off - rep->offset : 0;
				if (lag > maxlag)
					maxlag = lag;
			}
			sample_add_num(s, "repl_lag_bytes", (double)maxlag,
			    "B");
		}
	}
	for (i = 0; i < redis_info_ndb(p->info) && i < 16; i++) {
		db = redis_info_db(p->info, i);
		snprintf(name, sizeof name, "db%d.keys", db->index);
		sample_add_num(s, name, (double)db->keys, "");
	}
	if (slowlog >= 0)
		sample_add_num(s, "slowlog_len", (double)slowlog, "");
	else
		sample_add_unavailable(s, "slowlog_len", "SLOWLOG not allowed");

	/* The usual summary, then what is wrong (sanitized when set). */
	util_format_quantity(s->latency_ms, "ms", lat, sizeof lat);
	sample_set_msg(s, "%s %s, %s clients, PING %s%s",
	    role != NULL ? role : "?", ver != NULL ? ver : "?",
	    (v = redis_info_get(p->info, "connected_clients")) != NULL ?
	    v : "?", lat, bad.len > 0 ? bad.s : "");
	if (bad.len > 0)
		sample_fail(s, STATE_CRIT, "%s", s->message);
	buf_free(&bad);
	p->rc->fails = 0;
	redis_deliver(p);
}

/* SLOWLOG LEN is the probe's last command: its reply ends the probe. */
static void
redis_slowlog(redisAsyncContext *ac, void *r, void *priv)
{
	struct rconn *rc = rc_owner(ac, priv);
	redisReply *reply = r;
	struct probe *p;

	if (rc == NULL || reply == NULL || (p = rc->cur) == NULL)
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

	if (rc == NULL || reply == NULL || (p = rc->cur) == NULL)
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

	if (rc == NULL || reply == NULL || (p = rc->cur) == NULL)
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
	rc->cur = p;
	p->info_failed = 0;
	p->phase = "waiting for PONG";
	p->t0 = redis_now();
	redisAsyncCommand(rc->ac, redis_pong, rc, "PING");
}

/*
 * Moves the queue on: opens the connection when probes wait for one,
 * sends the next probe's commands when it is idle.  Runs from its own
 * event, never inside start, cancel or a callback.
 */
static void
rc_pump(evutil_socket_t fd, short what, void *arg)
{
	struct rconn *rc = arg;
	struct probe *p;
	long long now;

	if (rc->cur != NULL || TAILQ_EMPTY(&rc->queue))
		return;
	switch (rc->conn) {
	case RC_NONE:
		now = util_mono_ms();
		if (rc->fails > 0 && now < rc->retry_at) {
			/* Backing off: every waiting probe fails now. */
			rc_ref(rc);
			while ((p = TAILQ_FIRST(&rc->queue)) != NULL) {
				rc_dequeue(rc, p);
				sample_fail(p->s, STATE_CRIT, "%s (next try in "
				    "%llds)", rc->last_err != NULL ?
				    rc->last_err : "failed",
				    (rc->retry_at - now + 999) / 1000);
				redis_deliver(p);
			}
			rc_unref(rc);
			return;
		}
		rc->conn = RC_RESOLVING;
		rc->phase = "resolving";
		rc->rq = resolve_start(rc->ctx->resolve, rc->c->redis.host,
		    redis_resolved, rc);
		break;
	case RC_READY:
		p = TAILQ_FIRST(&rc->queue);
		rc_dequeue(rc, p);
		redis_send_probe(p);
		break;
	default:
		break;		/* connecting: it kicks when ready */
	}
}

static void
rc_kick(struct rconn *rc)
{
	event_active(rc->kick, EV_TIMEOUT, 0);
}

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

static struct rconn *
rc_get(struct probe_ctx *ctx, const struct check *c)
{
	struct redis_kind *k = ctx->kind_state[CHECK_REDIS];
	struct rconn *rc;
	char *key;

	if (k == NULL) {
		k = xcalloc(1, sizeof *k);
		ctx->kind_state[CHECK_REDIS] = k;
	}
	key = redis_key(c);
	for (rc = k->conns; rc != NULL; rc = rc->next)
		if (strcmp(rc->key, key) == 0) {
			free(key);
			rc_ref(rc);
			return rc;
		}
	rc = xcalloc(1, sizeof *rc);
	rc->ctx = ctx;
	rc->key = key;
	rc->c = c;
	rc->refs = 1;
	TAILQ_INIT(&rc->queue);
	rc->kick = event_new(ctx->base, -1, 0, rc_pump, rc);
	if (rc->kick == NULL)
		fatal("event_new failed");
	rc->next = k->conns;
	k->conns = rc;
	return rc;
}

static struct probe *
redis_create(struct probe_ctx *ctx, const struct check *c)
{
	struct probe *p;

	p = xcalloc(1, sizeof *p);
	p->ctx = ctx;
	p->c = c;
	p->rc = rc_get(ctx, c);
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
	TAILQ_INSERT_TAIL(&rc->queue, p, entry);
	p->queued = 1;
	rc_kick(rc);
}

static void
redis_cancel(struct probe *p)
{
	struct rconn *rc = p->rc;

	if (p->queued) {
		rc_dequeue(rc, p);
		/* A connection attempt no one waits for any more has taken
		 * a whole deadline: it is stuck, start afresh next time. */
		if (TAILQ_EMPTY(&rc->queue) && rc->cur == NULL &&
		    rc->conn != RC_READY)
			rc_drop(rc);
	} else if (rc->cur == p) {
		/* A connection with a probe stuck on it is not trusted
		 * again; the probes behind get a new one. */
		rc_drop(rc);
		rc->cur = NULL;
		rc_kick(rc);
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

	if (rc->cur == p)
		return p->phase;
	if (!p->queued)
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
	rc_unref(p->rc);
	free(p);
}

static void
redis_ctx_free(struct probe_ctx *ctx)
{
	/* The connections went with their last probe. */
	free(ctx->kind_state[CHECK_REDIS]);
	ctx->kind_state[CHECK_REDIS] = NULL;
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
