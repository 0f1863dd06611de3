/* The Redis probe: one persistent hiredis async connection per check on the
 * libevent loop (AUTH, SELECT once), then per probe PING for latency, INFO
 * and SLOWLOG LEN; reconnects with backoff after a failure. */
#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
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

struct probe {
	struct probe_ctx	*ctx;
	const struct check	*c;
	redisAsyncContext	*ac;
	enum redis_conn		 conn;
	struct resolve_req	*rq;
	unsigned int		 fails;		/* consecutive failures */
	long long		 retry_at;	/* monotonic ms */
	char			*last_err;
	double			 t0;		/* connect or PING start */
	double			 connect_ms;
	const char		*phase;

	/* The probe in flight. */
	probe_done_cb		 cb;
	void			*arg;
	struct sample		*s;
	struct redis_info	*info;

	/* Counters at the previous probe, for per-interval changes. */
	int			 have_prev;
	long long		 prev_evicted;
	long long		 prev_rejected;
};

static void redis_send_probe(struct probe *);

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
redis_drop(struct probe *p)
{
	redisAsyncContext *ac = p->ac;

	if (p->rq != NULL) {
		resolve_cancel(p->rq);
		p->rq = NULL;
	}
	p->ac = NULL;
	p->conn = RC_NONE;
	if (ac != NULL) {
		ac->data = NULL;
		redisAsyncFree(ac);
	}
}

static void
redis_deliver(struct probe *p)
{
	struct sample *s = p->s;
	probe_done_cb cb = p->cb;

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

/* Ends the probe in flight as failed and schedules the reconnection. */
static void
redis_fail(struct probe *p, const char *what, const char *err)
{
	free(p->last_err);
	p->last_err = xasprintf("%s: %s", what, err);
	p->fails++;
	p->retry_at = util_mono_ms() + probe_backoff_ms(p->fails);
	redis_drop(p);
	if (p->s != NULL) {
		sample_fail(p->s, STATE_CRIT, "%s", p->last_err);
		redis_deliver(p);
	}
}

/* The callbacks' guard: the reply belongs to our current connection. */
static struct probe *
redis_owner(const redisAsyncContext *ac, void *priv)
{
	struct probe *p = priv;

	if (p == NULL || p->ac != ac)
		return NULL;
	return p;
}

static void
redis_disconnected(const redisAsyncContext *ac, int status)
{
	struct probe *p = ac->data;

	if (p == NULL || p->ac != ac)
		return;
	/* hiredis frees the context after this callback. */
	p->ac = NULL;
	p->conn = RC_NONE;
	if (p->s != NULL)
		redis_fail(p, "connection lost", ac->errstr[0] != '\0' ?
		    ac->errstr : "closed by the server");
}

static void
redis_ready(redisAsyncContext *ac, void *r, void *priv)
{
	struct probe *p = redis_owner(ac, priv);
	redisReply *reply = r;

	if (p == NULL || reply == NULL)
		return;
	if (reply->type == REDIS_REPLY_ERROR) {
		redis_fail(p, "SELECT failed", reply->str);
		return;
	}
	p->conn = RC_READY;
	if (p->s != NULL)
		redis_send_probe(p);
}

static void
redis_authed(redisAsyncContext *ac, void *r, void *priv)
{
	struct probe *p = redis_owner(ac, priv);
	redisReply *reply = r;
	char db[16];
	const char *argv[2];

	if (p == NULL || reply == NULL)
		return;
	if (reply->type == REDIS_REPLY_ERROR) {
		redis_fail(p, "authentication failed", reply->str);
		return;
	}
	if (p->c->redis.db == 0) {
		p->conn = RC_READY;
		if (p->s != NULL)
			redis_send_probe(p);
		return;
	}
	snprintf(db, sizeof db, "%d", p->c->redis.db);
	argv[0] = "SELECT";
	argv[1] = db;
	p->phase = "selecting the database";
	redisAsyncCommandArgv(p->ac, redis_ready, p, 2, argv, NULL);
}

static void
redis_connected(const redisAsyncContext *cac, int status)
{
	struct probe *p = cac->data;
	redisAsyncContext *ac = (redisAsyncContext *)cac;
	const char *argv[3];
	char *pw = NULL, *cause = NULL;
	int argc = 0, r;

	if (p == NULL || p->ac != cac)
		return;
	if (status != REDIS_OK) {
		/* hiredis frees the context after this callback. */
		p->ac = NULL;
		redis_fail(p, "cannot connect", ac->errstr);
		return;
	}
	p->connect_ms = redis_now() - p->t0;
	r = check_password(p->c, &pw, &cause);
	if (r < 0) {
		redis_fail(p, "password", cause);
		free(cause);
		return;
	}
	if (r == 0) {
		/* No AUTH: go on as if it had succeeded. */
		if (p->c->redis.db == 0) {
			p->conn = RC_READY;
			if (p->s != NULL)
				redis_send_probe(p);
		} else {
			char db[16];
			const char *sv[2] = { "SELECT", db };

			snprintf(db, sizeof db, "%d", p->c->redis.db);
			p->phase = "selecting the database";
			redisAsyncCommandArgv(ac, redis_ready, p, 2, sv, NULL);
		}
		return;
	}
	argv[argc++] = "AUTH";
	if (p->c->redis.user != NULL)
		argv[argc++] = p->c->redis.user;
	argv[argc++] = pw;
	p->phase = "authenticating";
	redisAsyncCommandArgv(ac, redis_authed, p, argc, argv, NULL);
	/* hiredis has copied the command into its output buffer. */
	explicit_bzero(pw, strlen(pw));
	free(pw);
}

static void
redis_connect(struct probe *p, const char *addr)
{
	redisAsyncContext *ac;

	p->conn = RC_CONNECTING;
	p->phase = "connecting";
	p->t0 = redis_now();
	ac = redisAsyncConnect(addr, p->c->redis.port);
	if (ac == NULL) {
		redis_fail(p, "cannot connect", "out of memory");
		return;
	}
	if (ac->err) {
		p->ac = NULL;
		redis_fail(p, "cannot connect", ac->errstr);
		redisAsyncFree(ac);
		return;
	}
	ac->data = p;
	p->ac = ac;
	if (redisLibeventAttach(ac, p->ctx->base) != REDIS_OK) {
		redis_fail(p, "cannot connect", "event loop attach failed");
		return;
	}
	redisAsyncSetConnectCallback(ac, redis_connected);
	redisAsyncSetDisconnectCallback(ac, redis_disconnected);
}

static void
redis_resolved(int err, const char *addr, const char *why, void *arg)
{
	struct probe *p = arg;

	p->rq = NULL;
	if (err != 0) {
		p->conn = RC_NONE;
		redis_fail(p, "cannot resolve", why);
		return;
	}
	redis_connect(p, addr);
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
	char name[64];
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
	sample_set_msg(s, "%s %s, %s clients, PING %.1f ms%s",
	    role != NULL ? role : "?", ver != NULL ? ver : "?",
	    (v = redis_info_get(p->info, "connected_clients")) != NULL ?
	    v : "?", s->latency_ms, bad.len > 0 ? bad.s : "");
	if (bad.len > 0)
		sample_fail(s, STATE_CRIT, "%s", s->message);
	buf_free(&bad);
	p->fails = 0;
	redis_deliver(p);
}

static void
redis_slowlog(redisAsyncContext *ac, void *r, void *priv)
{
	struct probe *p = redis_owner(ac, priv);
	redisReply *reply = r;

	if (p == NULL || reply == NULL || p->s == NULL)
		return;
	/* An ACL user without SLOWLOG gets an error: not fatal. */
	redis_evaluate(p, reply->type == REDIS_REPLY_INTEGER ?
	    reply->integer : -1);
}

static void
redis_info_reply(redisAsyncContext *ac, void *r, void *priv)
{
	struct probe *p = redis_owner(ac, priv);
	redisReply *reply = r;

	if (p == NULL || reply == NULL || p->s == NULL)
		return;
	if (reply->type == REDIS_REPLY_ERROR) {
		sample_fail(p->s, STATE_CRIT, "INFO failed: %s", reply->str);
		redis_deliver(p);
		return;
	}
	if (reply->type != REDIS_REPLY_STRING &&
	    reply->type != REDIS_REPLY_STATUS) {
		sample_fail(p->s, STATE_UNKNOWN, "INFO: unexpected reply");
		redis_deliver(p);
		return;
	}
	p->info = redis_info_parse(reply->str, reply->len);
	p->phase = "waiting for SLOWLOG LEN";
}

static void
redis_pong(redisAsyncContext *ac, void *r, void *priv)
{
	struct probe *p = redis_owner(ac, priv);
	redisReply *reply = r;

	if (p == NULL || reply == NULL || p->s == NULL)
		return;
	p->s->latency_ms = redis_now() - p->t0;
	if (reply->type == REDIS_REPLY_ERROR) {
		/* NOAUTH, or a server loading its data set. */
		sample_fail(p->s, STATE_CRIT, "PING failed: %s", reply->str);
		redis_deliver(p);
		return;
	}
	p->phase = "waiting for INFO";
	redisAsyncCommand(p->ac, redis_info_reply, p, "INFO");
	redisAsyncCommand(p->ac, redis_slowlog, p, "SLOWLOG LEN");
}

static void
redis_send_probe(struct probe *p)
{
	if (p->connect_ms >= 0)
		p->s->connect_ms = p->connect_ms;
	p->phase = "waiting for PONG";
	p->t0 = redis_now();
	redisAsyncCommand(p->ac, redis_pong, p, "PING");
}

static struct probe *
redis_create(struct probe_ctx *ctx, const struct check *c)
{
	struct probe *p;

	p = xcalloc(1, sizeof *p);
	p->ctx = ctx;
	p->c = c;
	p->connect_ms = -1;
	return p;
}

static void
redis_start(struct probe *p, long long timeout_ms, probe_done_cb cb,
    void *arg)
{
	long long now = util_mono_ms();

	p->cb = cb;
	p->arg = arg;
	p->s = sample_new();
	p->connect_ms = -1;
	if (p->conn == RC_READY && p->ac != NULL) {
		redis_send_probe(p);
		return;
	}
	if (p->conn != RC_NONE)
		return;		/* connection under way: it sends the probe */
	if (p->fails > 0 && now < p->retry_at) {
		sample_fail(p->s, STATE_CRIT, "%s (next try in %llds)",
		    p->last_err != NULL ? p->last_err : "failed",
		    (p->retry_at - now + 999) / 1000);
		redis_deliver(p);
		return;
	}
	p->conn = RC_RESOLVING;
	p->phase = "resolving";
	p->rq = resolve_start(p->ctx->resolve, p->c->redis.host,
	    redis_resolved, p);
}

static void
redis_cancel(struct probe *p)
{
	/* A connection with a probe stuck on it is not trusted again. */
	if (p->s != NULL) {
		redis_drop(p);
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
	return p->phase;
}

static void
redis_free(struct probe *p)
{
	if (p == NULL)
		return;
	redis_cancel(p);
	redis_drop(p);
	free(p->last_err);
	free(p);
}

const struct probe_ops probe_redis_ops = {
	.type = CHECK_REDIS,
	.name = "redis",
	.create = redis_create,
	.start = redis_start,
	.cancel = redis_cancel,
	.phase = redis_phase,
	.free = redis_free,
};
