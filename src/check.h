/* One configured health check (an HTTP endpoint, a PostgreSQL server or a
 * Redis server): its schedule, thresholds and per-type options, parsed from
 * one element of the "http", "postgres" or "redis" configuration lists. */
#ifndef MAINTOP_CHECK_H
#define MAINTOP_CHECK_H

#include <libconfig.h>
#include <regex.h>
#include <stddef.h>

#include "cfgutil.h"
#include "range.h"

struct jsonpath;
struct settings;

enum check_type {
	CHECK_HTTP,
	CHECK_POSTGRES,
	CHECK_REDIS,
	CHECK_EXEC
};
#define CHECK_NTYPES 4

/*
 * Warning and critical ranges for one named figure, in the figure's unit
 * (seconds for durations, percent for *_pct, a plain number otherwise).
 * A plain number alerts above it, or below it with lower_worse
 * (certificate days); a range string alerts as the monitoring plugins'
 * ranges do (range.h).  The figure's values lie in [min, max], which is
 * what validation uses to prove that both levels can fire.
 */
struct check_threshold {
	const char	*name;		/* figure name (static string) */
	struct range	 warn;
	struct range	 crit;
	int		 lower_worse;
	double		 min;
	double		 max;
};
#define CHECK_MAX_THRESHOLDS 10

/* An accepted HTTP status range (a single status has lo == hi). */
struct check_status_range {
	int	lo;
	int	hi;
};

/*
 * A Prometheus series shown as a figure of an HTTP check: the sum of the
 * series select picks, its change per second (rate), its share of the sum
 * ratio picks (a ratio of rates with rate; over their count with
 * ratio_count), or, with avg instead of select, the average of a histogram
 * or summary over the probe interval (the change of NAME_sum over the
 * change of NAME_count); then 1 - it with complement, times scale.
 * metric.c.
 */
struct check_metric {
	char	*name;		/* figure name */
	char	*select;	/* series selector, e.g. foo{code=~"5.."} */
	char	*ratio;		/* the denominator's selector, or NULL */
	char	*avg;		/* a histogram's selector, or NULL */
	int	 rate;		/* show per-second change between samples */
	int	 ratio_count;	/* ratio's denominator: how many series it
				 * picks, not their sum (load per core) */
	int	 complement;	/* the figure is 1 - the value (a share of
				 * what is free becomes a share used) */
	double	 scale;		/* the figure times this (100: percent);
				 * after complement; default 1 */
	struct range warn;
	struct range crit;
};

/*
 * A number read from a JSON response body as a figure of an HTTP check:
 * the value at path (jsonpath.h), judged by warn and crit.  A body that is
 * not JSON, a missing value or one that is not a number makes the check
 * UNKNOWN.
 */
struct check_json {
	char		*name;		/* figure name */
	struct jsonpath	*path;
	struct range	 warn;
	struct range	 crit;
};

/*
 * A request header whose value is a secret: only where to read it is kept
 * (exactly one of value_env and value_file); the value itself is read at
 * probe time by check_secret_header.
 */
struct check_secret_header {
	char	*name;		/* HTTP token characters */
	char	*value_env;	/* an environment variable, or NULL */
	char	*value_file;	/* a file readable only by the user, or NULL */
};

struct check_http {
	char			 *url;
	char			 *method;	/* "GET" by default */
	char			**headers;	/* "Name: value", never one that
						 * carries a secret (refused) */
	size_t			  nheaders;
	struct check_secret_header *secret_headers;
	size_t			  nsecret_headers;
	char			 *body;		/* request body or NULL */
	struct check_status_range *status;	/* accepted; default 200-399 */
	size_t			  nstatus;
	char			 *body_contains;
	char			 *body_regex;
	regex_t			  re;		/* compiled body_regex */
	int			  has_re;
	int			  follow_redirects;	/* default 0 */
	int			  tls_verify;		/* default 1 */
	long long		  max_body;		/* bytes, default 1 MiB */
	int			  keepalive;		/* default 0 */
	struct check_metric	 *metrics;
	size_t			  nmetrics;
	char			 *metrics_url;	/* NULL: metrics from url */
	struct check_json	 *json;
	size_t			  njson;
	/* TLS (https only; absolute paths, resolved when parsed): the CAs
	 * trusted instead of the system's, a client certificate and its key
	 * (mutual TLS; the key file readable by the user alone), and the
	 * name the server's certificate must hold (also its SNI and Host),
	 * connecting to the URL's host all the same.  NULL: none. */
	char			 *ca_file;
	char			 *client_cert;
	char			 *client_key;
	char			 *tls_server_name;
};

struct check_pg {
	char	*conninfo;	/* as written, or "service=NAME"; never holds
				 * a password (refused when parsing) */
	char	*service;
	char	*password_env;
	char	*password_file;
};

#define CHECK_FRAG_MIN_USED	(64LL * 1024 * 1024)

struct check_redis {
	char		*host;		/* default "127.0.0.1" */
	int		 port;		/* default 6379 */
	int		 db;		/* default 0 */
	char		*user;		/* ACL user or NULL */
	char		*password_env;
	char		*password_file;
	/* Fragmentation is judged only with at least this much used
	 * (bytes; default 64 MiB): an idle Redis's ratio means nothing. */
	long long	 frag_min_used;
};

/* A monitoring-plugins program run without a shell (probe_exec.c). */
struct check_exec {
	char		**argv;		/* argv[0] an absolute path; NULL-ended */
	size_t		  argc;
	int		  enabled;	/* settings.exec_checks */
};

/*
 * A check.  Everything is owned by the check and freed by check_free.
 * Times are in milliseconds.
 */
struct check {
	char			*name;
	enum check_type		 type;
	long long		 interval_ms;	/* between probes */
	long long		 timeout_ms;	/* deadline of one probe */
	long long		 fail_after;	/* bad results before going bad */
	long long		 recover_after;	/* good results to recover */
	long long		 history;	/* samples kept for sparklines */
	struct check_threshold	 thresholds[CHECK_MAX_THRESHOLDS];
	size_t			 nthresholds;
	char			*file;		/* where it was defined */
	int			 line;
	/* The agent's channels for its state changes (none:
	 * settings.notify), and whether it tells them while the check is in
	 * maintenance (by default it tells nobody then). */
	char		       **notify;
	size_t			 nnotify;
	int			 notify_line;
	int			 notify_in_maintenance;
	struct check_http	 http;		/* CHECK_HTTP only */
	struct check_pg		 pg;		/* CHECK_POSTGRES only */
	struct check_redis	 redis;		/* CHECK_REDIS only */
	struct check_exec	 exec;		/* CHECK_EXEC only */
};

/*
 * Validates a libpq conninfo string read from setting s: libpq must parse
 * it, and it must hold no password (a message never quotes one).  With
 * one_host, a list of hosts is refused too.  Problems go to errs.
 */
void check_conninfo_validate(struct cfg_errors *, const config_setting_t *s,
    const char *conninfo, int one_host);
/*
 * Validates key (password_env, value_env: the name env of an environment
 * variable holding a secret) read from setting s: a name, else an error;
 * a warning when the variable is not set.
 */
void check_secret_env(struct cfg_errors *, const config_setting_t *s,
    const char *key, const char *env);

/*
 * Parses one element (a group) of the "http", "postgres" or "redis" lists.
 * Unknown keys (with a did-you-mean), wrong types, out-of-range values and
 * secrets written in the configuration are recorded in errs, with file and
 * line; parsing continues so that every problem is reported.  Defaults come
 * from settings (refresh, timeout, fail_after, recover_after, history).
 * Returns the check (caller frees with check_free), or NULL when this
 * element had errors.
 */
struct check *check_parse(struct cfg_errors *errs, const config_setting_t *,
    enum check_type, const struct settings *);
void check_free(struct check *);

/* "http", "postgres", "redis" or "exec". */
const char *check_type_name(enum check_type);

/* The thresholds for figure name, or NULL when it has none. */
const struct check_threshold *check_threshold(const struct check *,
    const char *name);

/*
 * A description of the target that is safe to show anywhere: the URL
 * without credentials or query, "host:port/db" for Redis, and only host,
 * port, dbname and user for PostgreSQL.  The caller frees it.
 */
char *check_target(const struct check *);

/*
 * Reads a file of at most max bytes.  Opened without blocking (a FIFO put
 * in its place must not freeze anyone), then refused unless it is a
 * regular file, and with owner_only unless it is readable by its owner
 * alone (checked on what was opened, not on the name).  Returns 0 with
 * *data (NUL-terminated; the caller wipes a secret and frees it) and *len,
 * or -1 with *cause saying why (never holding the content).
 */
int check_secret_file(const char *file, size_t max, int owner_only,
    char **data, size_t *len, char **cause);

/*
 * Reads the password of a PostgreSQL or Redis check at connect time: from
 * the environment variable named by password_env or the file named by
 * password_file (which must not be readable by group or others; one
 * trailing newline is removed).  Returns 1 with *pw set (the caller wipes
 * and frees it), 0 when the check has no password, or -1 with *cause set
 * (never containing the password).
 */
int check_password(const struct check *, char **pw, char **cause);

/*
 * Reads secret header i of an HTTP check at probe time, from its value_env
 * or value_file (the same rules as password_env and password_file; at most
 * 64 KiB; no CR, LF or other control character but tab).  Returns 0 with
 * *line set to "Name: value" (the caller wipes and frees it), or -1 with
 * *cause set: it names the header and the variable or file, never the
 * value.
 */
int check_secret_header(const struct check *, size_t i, char **line,
    char **cause);

/* check_secret_header for a header of any list (a webhook channel's). */
int check_secret_header_line(const struct check_secret_header *,
    char **line, char **cause);

/*
 * Parses the "secret_headers" list of group g (an HTTP check's or a
 * webhook channel's) into *v and *n, with the rules of an HTTP check's:
 * a name, and exactly one of value_env and value_file, never a value.
 * plain[0..nplain) are the "Name: value" headers sent beside them (a name
 * given twice is refused).  Problems go to errs with their line.  Free
 * with check_secret_headers_free.
 */
void check_secret_headers_parse(struct cfg_errors *, const config_setting_t *g,
    char *const *plain, size_t nplain, struct check_secret_header **v,
    size_t *n);
void check_secret_headers_free(struct check_secret_header *, size_t n);
/* A deep copy of v[0..n) (NULL when n is 0). */
struct check_secret_header *check_secret_headers_copy(
    const struct check_secret_header *v, size_t n);

/* True when a header of this name carries a secret (Authorization,
 * Proxy-Authorization, Cookie, X-Api-Key; any case), so that it may only
 * be given in secret_headers. */
int check_header_is_secret(const char *name, size_t len);

#endif
