/* The one small interface every probe kind (HTTP, PostgreSQL, Redis)
 * implements, the samples they produce, and the table of probe kinds. */
#ifndef MAINTOP_PROBE_H
#define MAINTOP_PROBE_H

#include <stddef.h>
#include <time.h>

#include "check.h"
#include "metric.h"
#include "util.h"

struct event_base;
struct resolve;
struct worker;

/*
 * States, in order of severity as used for "the worst": ok < warn <
 * unknown < crit.  The numeric values are the monitoring-plugins exit
 * codes (0 ok, 1 warning, 2 critical, 3 unknown).
 */
enum state {
	STATE_OK = 0,
	STATE_WARN = 1,
	STATE_CRIT = 2,
	STATE_UNKNOWN = 3
};

/* "OK", "WARNING", "CRITICAL", "UNKNOWN". */
const char *state_name(enum state);
/* "ok", "warn", "crit", "unknown" (for JSON and compact displays). */
const char *state_short(enum state);
/* Severity rank: ok 0, warn 1, unknown 2, crit 3. */
int state_rank(enum state);
/* The worse of two states. */
enum state state_worse(enum state, enum state);

enum figure_kind {
	FIGURE_NUM,		/* num is valid */
	FIGURE_STR,		/* str is valid */
	FIGURE_UNAVAILABLE	/* the role cannot see it; str may say why */
};

/* One named figure of a sample (a connection count, a lag, a version). */
struct figure {
	char			*name;
	enum figure_kind	 kind;
	double			 num;
	char			*str;
	const char		*unit;	/* static: "s", "%", "B", "" */
	struct range		 warn;	/* the thresholds applied */
	struct range		 crit;
	enum state		 state;	/* this figure against them */
	/* Static: why the check's thresholds do not apply to this sample's
	 * figure (a Redis's fragmentation at little memory used), or NULL. */
	const char		*unjudged;
};

/*
 * The result of one probe.  A sample owns its message and figures; it is
 * freed with sample_free.  The message is one line of sanitized text and
 * never holds a password.
 */
struct sample {
	time_t		 time;		/* wall clock when it finished */
	enum state	 state;
	double		 latency_ms;	/* query/request latency; -1: none */
	double		 connect_ms;	/* new connection's setup; -1: none */
	char		*message;
	struct figure	*figures;
	size_t		 nfigures;
	/* An HTTP check's metrics as read (one per configured metric, or
	 * NULL), turned into figures by the model (metric.c). */
	struct metric_reading *readings;
	size_t		 nreadings;
};

/*
 * Sample helpers (implemented in health.c).  sample_new gives an OK sample
 * stamped now with no latency.  Text from servers passed to sample_set_msg
 * or sample_add_str is sanitized (escape sequences and controls removed)
 * before it is stored.
 */
struct sample *sample_new(void);
void sample_free(struct sample *);
struct sample *sample_dup(const struct sample *);
/* Sets state (made no better than it was) and the message. */
void sample_fail(struct sample *, enum state, const char *, ...)
    UTIL_PRINTF(3, 4);
/* Replaces the message with a formatted one (sanitized). */
void sample_set_msg(struct sample *, const char *, ...) UTIL_PRINTF(2, 3);
/* Adds a figure; returns it (valid until the next add). */
struct figure *sample_add_num(struct sample *, const char *name, double,
    const char *unit);
struct figure *sample_add_str(struct sample *, const char *name,
    const char *value);
struct figure *sample_add_unavailable(struct sample *, const char *name,
    const char *why);
/* The figure called name, or NULL. */
const struct figure *sample_figure(const struct sample *, const char *);
/*
 * Applies the check's thresholds to every numeric figure of that name
 * (but an unjudged one),
 * raises the sample's state to the worst figure's, and puts the figures
 * that crossed a limit before the message, critical ones first, so the
 * reason leads ("dead_ratio 0.39 > 0.2; PostgreSQL 15 ...", "latency
 * 1.2 s > 1 s", "score 4 < 5", "load 15 inside 10:20").
 */
void sample_apply(struct sample *, const struct check *);
/*
 * Applies one pair of ranges to a figure (as sample_apply does for the
 * check's thresholds); either may be unset.
 */
void sample_limit(struct sample *, struct figure *, const struct range *warn,
    const struct range *crit);

/*
 * What every probe kind shares for one event loop.  kind_state[type] is
 * private to the probe kind (the HTTP kind keeps its curl multi handle
 * there) and is released by its ops' ctx_free.
 */
struct probe_ctx {
	struct event_base	*base;
	struct resolve		*resolve;
	struct worker		*worker;	/* reads files; NULL: at once */
	void			*kind_state[CHECK_NTYPES];
};

struct probe;		/* one check's probe state, private to its kind */

/*
 * Called exactly once per started probe unless it is cancelled first.  The
 * sample passes to the callee.  It may be called from inside start (when
 * the probe fails at once), so start must be the caller's last use of
 * anything the callback may free.
 */
typedef void (*probe_done_cb)(struct sample *, void *arg);

/* One probe kind: designated initializers, one table below. */
struct probe_ops {
	enum check_type	 type;
	const char	*name;
	/* Creates the per-check state; no I/O yet.  check outlives it. */
	struct probe	*(*create)(struct probe_ctx *, const struct check *);
	/*
	 * Starts one probe.  The caller enforces the deadline (timeout_ms)
	 * and calls cancel when it passes; the probe may use timeout_ms for
	 * server-side limits.  Never called while a probe is in flight.
	 */
	void		 (*start)(struct probe *, long long timeout_ms,
			     probe_done_cb, void *arg);
	/*
	 * Cancels the probe in flight, if any, tearing down its connection
	 * (a persistent one is reopened by the next start).  The callback
	 * is not called.
	 */
	void		 (*cancel)(struct probe *);
	/* What the probe in flight is doing ("connecting", "waiting for the
	 * reply"), for timeout messages. */
	const char	*(*phase)(struct probe *);
	/* Cancels and frees the per-check state. */
	void		 (*free)(struct probe *);
	/* Releases ctx->kind_state[type] (may be NULL). */
	void		 (*ctx_free)(struct probe_ctx *);
};

extern const struct probe_ops probe_http_ops;
extern const struct probe_ops probe_pg_ops;
extern const struct probe_ops probe_redis_ops;
extern const struct probe_ops probe_exec_ops;

/* Turns every exec check off (--no-exec): each reports UNKNOWN saying so,
 * and no program is run. */
void probe_exec_disable(void);

/* The table of probe kinds, indexed by enum check_type (health.c). */
extern const struct probe_ops *const probe_kinds[CHECK_NTYPES];

/*
 * Parses a certificate's expiry as curl's CERTINFO gives it, "Nov 23
 * 13:00:00 2026 GMT" (OpenSSL's ASN1_TIME_print form; leading blanks
 * skipped), into *out (UTC).  Returns 0, or -1 when s is not that form.
 */
int probe_http_parse_expiry(const char *, time_t *);

/* Backoff before reconnecting after n consecutive failures, in ms. */
long long probe_backoff_ms(unsigned int n);

#endif
