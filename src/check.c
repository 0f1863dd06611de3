/* Parses and describes health checks: one element of the "http",
 * "postgres" or "redis" configuration lists becomes a struct check. */
#include "check.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "fileio.h"
#include "jsonpath.h"
#include "prom.h"

/* A threshold a check type accepts as NAME_warn and NAME_crit. */
struct threshold_spec {
	const char	*name;
	int		 duration;	/* value is a duration, stored in s */
	int		 lower_worse;
	int		 has_default;
	double		 warn;
	double		 crit;
	double		 min;		/* the values the figure can take */
	double		 max;
};

#define ANY	INFINITY

static const struct threshold_spec http_thresholds[] = {
	{ "latency", 1, 0, 0, 0, 0, 0, ANY },
	{ "cert_days", 0, 1, 1, 30, 7, -ANY, ANY },
	{ NULL, 0, 0, 0, 0, 0, 0, 0 }
};

static const struct threshold_spec pg_thresholds[] = {
	{ "latency", 1, 0, 0, 0, 0, 0, ANY },
	{ "connections_pct", 0, 0, 1, 80, 95, 0, 100 },
	{ "replication_lag", 1, 0, 0, 0, 0, 0, ANY },
	{ "xid_age", 0, 0, 1, 500000000.0, 1000000000.0, 0, ANY },
	{ "dead_ratio", 0, 0, 0, 0, 0, 0, 1 },
	{ "longest_query", 1, 0, 0, 0, 0, 0, ANY },
	{ "oldest_xact", 1, 0, 0, 0, 0, 0, ANY },
	{ NULL, 0, 0, 0, 0, 0, 0, 0 }
};

static const struct threshold_spec redis_thresholds[] = {
	{ "latency", 1, 0, 0, 0, 0, 0, ANY },
	{ "memory_pct", 0, 0, 1, 80, 95, 0, ANY },
	{ "fragmentation", 0, 0, 0, 0, 0, 0, ANY },
	{ "last_save_age", 1, 0, 0, 0, 0, 0, ANY },
	{ "slowlog_len", 0, 0, 0, 0, 0, 0, ANY },
	{ "rejected_connections", 0, 0, 0, 0, 0, 0, ANY },
	{ "evicted_keys", 0, 0, 0, 0, 0, 0, ANY },
	{ NULL, 0, 0, 0, 0, 0, 0, 0 }
};

static const char *const http_keys[] = {
	"name", "interval", "timeout", "fail_after", "recover_after",
	"history", "notify", "notify_in_maintenance", "url", "method",
	"headers", "body", "expect_status",
	"body_contains", "body_regex", "latency_warn", "latency_crit",
	"follow_redirects", "tls_verify", "cert_warn_days", "cert_crit_days",
	"max_body", "keepalive", "metrics", "metrics_url", "secret_headers",
	"json", "ca_file", "client_cert", "client_key", "tls_server_name",
	NULL
};

static const char *const pg_keys[] = {
	"name", "interval", "timeout", "fail_after", "recover_after",
	"history", "notify", "notify_in_maintenance", "conninfo", "service",
	"password_env", "password_file", "password",
	"latency_warn", "latency_crit", "connections_pct_warn",
	"connections_pct_crit", "replication_lag_warn",
	"replication_lag_crit", "xid_age_warn", "xid_age_crit",
	"dead_ratio_warn", "dead_ratio_crit", "longest_query_warn",
	"longest_query_crit", "oldest_xact_warn", "oldest_xact_crit", NULL
};

static const char *const redis_keys[] = {
	"name", "interval", "timeout", "fail_after", "recover_after",
	"history", "notify", "notify_in_maintenance", "host", "port", "db",
	"user", "password_env", "password_file", "password",
	"latency_warn", "latency_crit", "memory_pct_warn", "memory_pct_crit",
	"fragmentation_warn", "fragmentation_crit", "last_save_age_warn",
	"last_save_age_crit", "slowlog_len_warn", "slowlog_len_crit",
	"rejected_connections_warn", "rejected_connections_crit",
	"evicted_keys_warn", "evicted_keys_crit", "fragmentation_min_used",
	NULL
};

static const char *const exec_keys[] = {
	"name", "interval", "timeout", "fail_after", "recover_after",
	"history", "notify", "notify_in_maintenance", "command", NULL
};

/* "value" is known so that it gets its own error, not a did-you-mean. */
static const char *const secret_header_keys[] = {
	"name", "value_env", "value_file", "value", NULL
};

/* Headers that carry a secret: never in "headers", only secret_headers. */
static const char *const secret_header_names[] = {
	"Authorization", "Proxy-Authorization", "Cookie", "X-Api-Key", NULL
};

/* The most read from a value_file (a long JWT still fits). */
#define SECRET_HEADER_MAX	(64 * 1024)

static const char *const metric_keys[] = {
	"name", "select", "rate", "ratio", "avg", "warn", "crit",
	"ratio_count", "complement", "scale", NULL
};

static const char *const json_keys[] = {
	"name", "path", "warn", "crit", NULL
};

/* The figures every HTTP check has: no metric or JSON field takes their
 * names. */
static const char *const http_figures[] = {
	"status", "latency", "size", "cert_days", NULL
};

static const char *const http_methods[] = {
	"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", NULL
};

const char *
check_type_name(enum check_type t)
{
	switch (t) {
	case CHECK_HTTP:
		return "http";
	case CHECK_POSTGRES:
		return "postgres";
	case CHECK_REDIS:
		return "redis";
	case CHECK_EXEC:
		return "exec";
	}
	return "?";
}

static void
add_threshold(struct check *c, const struct threshold_spec *sp)
{
	struct check_threshold *t;

	if (c->nthresholds >= CHECK_MAX_THRESHOLDS)
		return;
	t = &c->thresholds[c->nthresholds++];
	memset(t, 0, sizeof *t);
	t->name = sp->name;
	t->lower_worse = sp->lower_worse;
	t->min = sp->min;
	t->max = sp->max;
	if (sp->has_default) {
		range_plain(&t->warn, sp->warn, sp->lower_worse);
		range_plain(&t->crit, sp->crit, sp->lower_worse);
	}
}

/*
 * A threshold at key: a number (seconds for a duration) is a plain limit,
 * a string a range (range.h) whose ends are numbers or durations.  Same
 * return convention as the cfg_* lookups.
 */
static int
cfg_range(struct cfg_errors *e, const config_setting_t *g, const char *key,
    enum range_unit unit, int lower_worse, struct range *out)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	const char *str;
	char *cause = NULL;
	double v;

	if (s == NULL)
		return 0;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
	case CONFIG_TYPE_FLOAT:
		v = config_setting_type(s) == CONFIG_TYPE_FLOAT ?
		    config_setting_get_float(s) :
		    (double)config_setting_get_int64(s);
		if (!isfinite(v) || (unit == RANGE_DURATION && v < 0)) {
			cfg_err(e, s, "'%s' is out of range", key);
			return -1;
		}
		range_plain(out, v, lower_worse);
		return 1;
	case CONFIG_TYPE_STRING:
		str = config_setting_get_string(s);
		if (range_parse(str, unit, out, &cause) != 0) {
			if (unit == RANGE_DURATION && strpbrk(str, ":@") == NULL)
				cfg_err(e, s, "'%s' is not a duration: \"%s\" "
				    "(use e.g. " UTIL_DURATION_EXAMPLES ")", key,
				    str);
			else
				cfg_err(e, s, "'%s': %s", key, cause);
			free(cause);
			return -1;
		}
		if (lower_worse && strpbrk(str, ":@") == NULL)
			cfg_warn(e, s, "'%s' = \"%s\" is the range 0:%s, which "
			    "alerts above %s; lower is worse here, so you may "
			    "mean \"%s:\" (or the number %s)", key, str, str, str,
			    str, str);
		return 1;
	default:
		cfg_err(e, s, "'%s' must be a number or a range such as "
		    "\"10:\" or \"@10:20\"", key);
		return -1;
	}
}

/*
 * Refuses a warning and critical pair that can never warn or never go
 * critical, at the line of the later of the two keys.
 */
static void
check_pair(struct cfg_errors *e, const config_setting_t *g,
    const char *wkey, const char *ckey, const char *what,
    const struct range *warn, const struct range *crit, double min,
    double max)
{
	const config_setting_t *s;
	char *cause = NULL;

	if (range_pair_check(warn, crit, min, max, &cause) == 0)
		return;
	s = config_setting_get_member(g, ckey);
	if (s == NULL)
		s = config_setting_get_member(g, wkey);
	cfg_err(e, s != NULL ? s : g, "%s: %s", what, cause);
	free(cause);
}

/* Reads NAME_warn and NAME_crit for every threshold of the type. */
static void
parse_thresholds(struct cfg_errors *e, const config_setting_t *g,
    struct check *c, const struct threshold_spec *specs)
{
	const struct threshold_spec *sp;
	struct check_threshold *t;
	char wkey[64], ckey[64];
	enum range_unit unit;
	int bad;

	for (sp = specs; sp->name != NULL; sp++) {
		add_threshold(c, sp);
		t = &c->thresholds[c->nthresholds - 1];
		unit = sp->duration ? RANGE_DURATION : RANGE_NUMBER;
		snprintf(wkey, sizeof wkey, "%s_warn", sp->name);
		snprintf(ckey, sizeof ckey, "%s_crit", sp->name);
		bad = cfg_range(e, g, wkey, unit, sp->lower_worse,
		    &t->warn) < 0;
		bad |= cfg_range(e, g, ckey, unit, sp->lower_worse,
		    &t->crit) < 0;
		if (!bad && !sp->lower_worse)
			check_pair(e, g, wkey, ckey, sp->name, &t->warn,
			    &t->crit, t->min, t->max);
	}
}

const struct check_threshold *
check_threshold(const struct check *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nthresholds; i++)
		if (strcmp(c->thresholds[i].name, name) == 0)
			return &c->thresholds[i];
	return NULL;
}

static struct check_threshold *
threshold_mut(struct check *c, const char *name)
{
	return (struct check_threshold *)check_threshold(c, name);
}

/* Parses one expect_status item: 200, "200", "200-299" or "2xx". */
static int
parse_status(const char *s, struct check_status_range *r)
{
	char *end;
	long lo, hi;

	if (strlen(s) == 3 && s[0] >= '1' && s[0] <= '5' &&
	    (s[1] == 'x' || s[1] == 'X') && (s[2] == 'x' || s[2] == 'X')) {
		r->lo = (s[0] - '0') * 100;
		r->hi = r->lo + 99;
		return 0;
	}
	if (!isdigit((unsigned char)*s))
		return -1;
	lo = strtol(s, &end, 10);
	hi = lo;
	if (*end == '-') {
		s = end + 1;
		if (!isdigit((unsigned char)*s))
			return -1;
		hi = strtol(s, &end, 10);
	}
	if (*end != '\0' || lo < 100 || hi > 599 || lo > hi)
		return -1;
	r->lo = (int)lo;
	r->hi = (int)hi;
	return 0;
}

static void
parse_expect_status(struct cfg_errors *e, const config_setting_t *g,
    struct check_http *h)
{
	const config_setting_t *s, *el;
	struct check_status_range r;
	char num[16];
	const char *str;
	int i, n, single;

	s = config_setting_get_member(g, "expect_status");
	if (s == NULL)
		return;
	single = config_setting_type(s) == CONFIG_TYPE_INT ||
	    config_setting_type(s) == CONFIG_TYPE_STRING;
	if (!single && !config_setting_is_aggregate(s)) {
		cfg_err(e, s, "'expect_status' must be a list of statuses "
		    "such as [200, \"300-399\"]");
		return;
	}
	n = single ? 1 : config_setting_length(s);
	for (i = 0; i < n; i++) {
		el = single ? s : config_setting_get_elem(s, (unsigned int)i);
		if (config_setting_type(el) == CONFIG_TYPE_INT) {
			snprintf(num, sizeof num, "%d",
			    config_setting_get_int(el));
			str = num;
		} else if (config_setting_type(el) == CONFIG_TYPE_STRING)
			str = config_setting_get_string(el);
		else {
			cfg_err(e, el, "'expect_status' items must be "
			    "statuses (200) or ranges (\"200-299\", \"2xx\")");
			continue;
		}
		if (parse_status(str, &r) != 0) {
			cfg_err(e, el, "'expect_status': \"%s\" is not a "
			    "status between 100 and 599, a range such as "
			    "\"200-299\" or a class such as \"2xx\"", str);
			continue;
		}
		h->status = xreallocarray(h->status, h->nstatus + 1,
		    sizeof *h->status);
		h->status[h->nstatus++] = r;
	}
}

/* Refuses a malformed selector at key. */
static void
metric_selector_check(struct cfg_errors *e, const config_setting_t *el,
    const struct check_metric *m, const char *key, const char *sel)
{
	char *cause = NULL;

	if (sel == NULL || prom_selector_valid(sel, &cause))
		return;
	cfg_err(e, config_setting_get_member(el, key), "metric '%s': '%s' is "
	    "not a valid selector: %s", m->name != NULL ? m->name : "?", key,
	    cause != NULL ? cause : "malformed");
	free(cause);
}

/*
 * Refuses a metric or JSON field named like another figure of the check
 * (each figure is one name in perfdata and JSON): a built-in one, the
 * first nm metrics or the first nj JSON fields.
 */
static void
figure_name_check(struct cfg_errors *e, const config_setting_t *el,
    const struct check_http *h, const char *name, size_t nm, size_t nj)
{
	const char *const *f;
	size_t i;
	int taken = 0;

	for (f = http_figures; *f != NULL; f++)
		taken |= strcmp(*f, name) == 0;
	for (i = 0; i < nm; i++)
		taken |= h->metrics[i].name != NULL &&
		    strcmp(h->metrics[i].name, name) == 0;
	for (i = 0; i < nj; i++)
		taken |= h->json[i].name != NULL &&
		    strcmp(h->json[i].name, name) == 0;
	if (taken)
		cfg_err(e, config_setting_get_member(el, "name"), "'%s' is "
		    "already the name of a figure of this check: each metric "
		    "and json field needs a name of its own", name);
}

/* One group of "metrics": { name; select or avg; rate; ratio; warn;
 * crit; }. */
static void
parse_metric(struct cfg_errors *e, const config_setting_t *el, void *arg)
{
	struct check_http *h = arg;
	struct check_metric *m;

	cfg_check_keys(e, el, metric_keys, "metric");
	h->metrics = xreallocarray(h->metrics, h->nmetrics + 1,
	    sizeof *h->metrics);
	m = &h->metrics[h->nmetrics++];
	memset(m, 0, sizeof *m);
	if (cfg_name(e, el, "name", 1, &m->name) == 1)
		figure_name_check(e, el, h, m->name, h->nmetrics - 1, 0);
	cfg_str(e, el, "select", 0, &m->select);
	cfg_str(e, el, "ratio", 0, &m->ratio);
	cfg_str(e, el, "avg", 0, &m->avg);
	cfg_bool(e, el, "rate", 0, &m->rate);
	if ((m->select == NULL) == (m->avg == NULL))
		cfg_err(e, el, "metric '%s' needs exactly one of 'select' (a "
		    "series) and 'avg' (a histogram's name)",
		    m->name != NULL ? m->name : "?");
	if (m->avg != NULL && (m->rate || m->ratio != NULL))
		cfg_err(e, el, "metric '%s': 'avg' is already an average over "
		    "the interval: no 'rate' or 'ratio' with it",
		    m->name != NULL ? m->name : "?");
	m->scale = 1;
	cfg_bool(e, el, "ratio_count", 0, &m->ratio_count);
	cfg_bool(e, el, "complement", 0, &m->complement);
	if (cfg_double(e, el, "scale", 0, &m->scale) == 1 &&
	    (!isfinite(m->scale) || m->scale == 0))
		cfg_err(e, config_setting_get_member(el, "scale"), "metric "
		    "'%s': 'scale' must be a number other than 0",
		    m->name != NULL ? m->name : "?");
	if (m->ratio_count && (m->ratio == NULL || m->rate))
		cfg_err(e, config_setting_get_member(el, "ratio_count"),
		    "metric '%s': 'ratio_count' counts the series 'ratio' "
		    "picks: it needs 'ratio', and no 'rate'",
		    m->name != NULL ? m->name : "?");
	if (m->avg != NULL && (m->complement ||
	    config_setting_get_member(el, "scale") != NULL))
		cfg_err(e, el, "metric '%s': no 'complement' or 'scale' "
		    "with 'avg'", m->name != NULL ? m->name : "?");
	metric_selector_check(e, el, m, "select", m->select);
	metric_selector_check(e, el, m, "ratio", m->ratio);
	metric_selector_check(e, el, m, "avg", m->avg);
	if ((cfg_range(e, el, "warn", RANGE_NUMBER, 0, &m->warn) |
	    cfg_range(e, el, "crit", RANGE_NUMBER, 0, &m->crit)) >= 0)
		check_pair(e, el, "warn", "crit", m->name != NULL ? m->name :
		    "metric", &m->warn, &m->crit, -ANY, ANY);
}

/* One group of "json": { name; path; warn; crit; }. */
static void
parse_json_field(struct cfg_errors *e, const config_setting_t *el, void *arg)
{
	struct check_http *h = arg;
	struct check_json *j;
	char *path = NULL, *cause = NULL;
	const char *name;

	cfg_check_keys(e, el, json_keys, "json field");
	h->json = xreallocarray(h->json, h->njson + 1, sizeof *h->json);
	j = &h->json[h->njson++];
	memset(j, 0, sizeof *j);
	if (cfg_name(e, el, "name", 1, &j->name) == 1)
		figure_name_check(e, el, h, j->name, h->nmetrics, h->njson - 1);
	name = j->name != NULL ? j->name : "?";
	if (cfg_str(e, el, "path", 1, &path) == 1 &&
	    jsonpath_parse(path, &j->path, &cause) != 0) {
		cfg_err(e, config_setting_get_member(el, "path"), "json field "
		    "'%s': \"%s\" is not a path: %s (use member names and "
		    "[n] joined by dots, e.g. \"checks[0].latency\")", name,
		    path, cause);
		free(cause);
	}
	free(path);
	if ((cfg_range(e, el, "warn", RANGE_NUMBER, 0, &j->warn) |
	    cfg_range(e, el, "crit", RANGE_NUMBER, 0, &j->crit)) >= 0)
		check_pair(e, el, "warn", "crit", name, &j->warn, &j->crit,
		    -ANY, ANY);
}

/*
 * Checks a URL: http or https only, and no password in it (which would
 * then show in every view and log).
 */
static void
check_url(struct cfg_errors *e, const config_setting_t *s, const char *key,
    const char *url)
{
	CURLU *u;
	char *scheme = NULL, *pw = NULL;

	u = curl_url();
	if (u == NULL)
		fatal("curl_url: out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		cfg_err(e, s, "'%s' is not a valid URL", key);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)) {
		cfg_err(e, s, "'%s' must be an http:// or https:// URL", key);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_PASSWORD, &pw, 0) == CURLUE_OK &&
	    pw != NULL)
		cfg_err(e, s, "'%s' holds a password: passwords are never "
		    "written in the configuration", key);
out:
	curl_free(scheme);
	curl_free(pw);
	curl_url_cleanup(u);
}

/* A character of an HTTP token (RFC 9110 5.6.2), as in a header's name. */
static int
http_tchar(int c)
{
	return isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) !=
	    NULL);
}

/* The usual spelling of a header that carries a secret, or NULL. */
static const char *
secret_header_name(const char *name, size_t len)
{
	const char *const *n;

	while (len > 0 && (name[len - 1] == ' ' || name[len - 1] == '\t'))
		len--;
	for (n = secret_header_names; *n != NULL; n++)
		if (strlen(*n) == len && strncasecmp(*n, name, len) == 0)
			return *n;
	return NULL;
}

int
check_header_is_secret(const char *name, size_t len)
{
	return secret_header_name(name, len) != NULL;
}

/* "~/x" in a file name is the user's home, as in the shell. */
static void
home_path(char **path)
{
	char *p = cfg_expand_home(*path);

	free(*path);
	*path = p;
}

/*
 * Checks at load time a file that holds a secret (password_file,
 * value_file): a regular file that group and others cannot read or write.
 * It is checked again when it is read.
 */
static void
secret_file_check(struct cfg_errors *e, const config_setting_t *s,
    const char *key, const char *file)
{
	struct stat st;

	if (stat(file, &st) != 0)
		cfg_err(e, s, "%s %s: %s", key, file, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		cfg_err(e, s, "%s %s is not a regular file", key, file);
	else if ((st.st_mode & 077) != 0)
		cfg_err(e, s, "permissions %04o for %s %s are too open: it "
		    "must not be accessible by group or others (chmod 600 %s)",
		    (unsigned int)(st.st_mode & 07777), key, file, file);
}

void
check_secret_env(struct cfg_errors *e, const config_setting_t *s,
    const char *key, const char *env)
{
	const char *v;

	if (*env == '\0' || strchr(env, '=') != NULL)
		cfg_err(e, s, "'%s' must name an environment variable", key);
	else if ((v = getenv(env)) == NULL || *v == '\0')
		cfg_warn(e, s, "environment variable %s (%s) is not set", env,
		    key);
}

/*
 * The plain headers: each "Name: value" on one line; a header that carries
 * a secret (Authorization, Cookie, ...) is refused with a pointer to
 * secret_headers.  The value is never quoted in a message.
 */
static void
parse_headers(struct cfg_errors *e, const config_setting_t *g,
    struct check_http *h)
{
	const config_setting_t *list, *el;
	const char *colon, *name;
	size_t i, n;

	if (cfg_strlist(e, g, "headers", 0, &h->headers, &h->nheaders) != 1)
		return;
	list = config_setting_get_member(g, "headers");
	for (i = 0; i < h->nheaders; i++) {
		el = config_setting_get_elem(list, (unsigned int)i);
		if (el == NULL)
			el = list;
		colon = strchr(h->headers[i], ':');
		if (colon == NULL || colon == h->headers[i] ||
		    strpbrk(h->headers[i], "\r\n") != NULL) {
			cfg_err(e, el, "'headers' item %zu must look like "
			    "\"Name: value\" on one line", i + 1);
			continue;
		}
		n = (size_t)(colon - h->headers[i]);
		if ((name = secret_header_name(h->headers[i], n)) != NULL)
			cfg_err(e, el, "'headers' item %zu: %s carries a "
			    "secret, which is never written in the "
			    "configuration: use secret_headers = ( { name = "
			    "\"%s\"; value_env = \"VARIABLE\"; } ), or "
			    "value_file = \"/path\" for a file readable only "
			    "by you", i + 1, name, name);
	}
}

/* A secret_headers list being parsed, and the plain headers beside it. */
struct secret_list {
	char *const			 *plain;	/* "Name: value" */
	size_t				  nplain;
	struct check_secret_header	**v;
	size_t				 *n;
};

/* True when the plain headers or (*l->v)[0..k) already name this header. */
static int
header_given(const struct secret_list *l, size_t k, const char *name)
{
	const char *colon;
	size_t i, n = strlen(name);

	for (i = 0; i < l->nplain; i++) {
		colon = strchr(l->plain[i], ':');
		if (colon != NULL && (size_t)(colon - l->plain[i]) == n &&
		    strncasecmp(l->plain[i], name, n) == 0)
			return 1;
	}
	for (i = 0; i < k; i++)
		if ((*l->v)[i].name != NULL &&
		    strcasecmp((*l->v)[i].name, name) == 0)
			return 1;
	return 0;
}

/*
 * One group of secret_headers: { name; value_env; } or { name; value_file; }.
 * Only the name and where to read the value are kept.
 */
static void
parse_secret_header(struct cfg_errors *e, const config_setting_t *el,
    void *arg)
{
	struct secret_list *l = arg;
	struct check_secret_header *sh;
	const config_setting_t *s;
	const char *p;

	cfg_check_keys(e, el, secret_header_keys, "secret header");
	*l->v = xreallocarray(*l->v, *l->n + 1, sizeof **l->v);
	sh = &(*l->v)[(*l->n)++];
	memset(sh, 0, sizeof *sh);
	if ((s = config_setting_get_member(el, "value")) != NULL)
		cfg_err(e, s, "'value' is not allowed: a secret header's value "
		    "is never written in the configuration: use value_env (the "
		    "name of an environment variable) or value_file (a file "
		    "readable only by you, mode 0600)");
	if (cfg_name(e, el, "name", 1, &sh->name) == 1) {
		s = config_setting_get_member(el, "name");
		for (p = sh->name; *p != '\0'; p++)
			if (!http_tchar((unsigned char)*p))
				break;
		if (*sh->name == '\0' || *p != '\0')
			cfg_err(e, s, "secret header name \"%s\" may hold only "
			    "letters, digits and !#$%%&'*+-.^_`|~", sh->name);
		else if (header_given(l, *l->n - 1, sh->name))
			cfg_err(e, s, "header %s is given twice (in headers or "
			    "secret_headers)", sh->name);
	}
	if (cfg_str(e, el, "value_env", 0, &sh->value_env) == 1)
		check_secret_env(e, config_setting_get_member(el, "value_env"),
		    "value_env", sh->value_env);
	if (cfg_str(e, el, "value_file", 0, &sh->value_file) == 1) {
		s = config_setting_get_member(el, "value_file");
		home_path(&sh->value_file);
		if (sh->value_env != NULL)
			cfg_err(e, s, "secret header %s: use either value_env "
			    "or value_file, not both",
			    sh->name != NULL ? sh->name : "?");
		secret_file_check(e, s, "value_file", sh->value_file);
	}
	if (config_setting_get_member(el, "value") == NULL &&
	    config_setting_get_member(el, "value_env") == NULL &&
	    config_setting_get_member(el, "value_file") == NULL)
		cfg_err(e, el, "secret header %s needs value_env (the name of "
		    "an environment variable) or value_file (a file readable "
		    "only by you, mode 0600)",
		    sh->name != NULL ? sh->name : "?");
}

/*
 * curl sends Authorization and Cookie only to the URL's origin (and
 * CURLOPT_UNRESTRICTED_AUTH stays off), but any other header to every
 * origin a redirect names: such a secret header with follow_redirects is
 * refused.
 */
static void
refuse_secret_redirects(struct cfg_errors *e, const config_setting_t *g,
    const struct check_http *h)
{
	size_t i;

	if (!h->follow_redirects)
		return;
	for (i = 0; i < h->nsecret_headers; i++) {
		if (h->secret_headers[i].name == NULL ||
		    strcasecmp(h->secret_headers[i].name, "Authorization")
		    == 0 || strcasecmp(h->secret_headers[i].name, "Cookie")
		    == 0)
			continue;
		cfg_err(e, config_setting_get_member(g, "follow_redirects"),
		    "follow_redirects with secret header %s: refused, a "
		    "redirect would send it to whatever host it names (only "
		    "Authorization and Cookie stay with the URL's host)",
		    h->secret_headers[i].name);
	}
}

void
check_secret_headers_parse(struct cfg_errors *e, const config_setting_t *g,
    char *const *plain, size_t nplain, struct check_secret_header **v,
    size_t *n)
{
	struct secret_list l = { plain, nplain, v, n };

	cfg_each_group(e, g, "secret_headers", "{ name = \"Authorization\"; "
	    "value_env = \"VARIABLE\"; } (or value_file = \"/path\")",
	    parse_secret_header, &l);
}

void
check_secret_headers_free(struct check_secret_header *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value_env);
		free(v[i].value_file);
	}
	free(v);
}

struct check_secret_header *
check_secret_headers_copy(const struct check_secret_header *v, size_t n)
{
	struct check_secret_header *c;
	size_t i;

	if (n == 0)
		return NULL;
	c = xcalloc(n, sizeof *c);
	for (i = 0; i < n; i++) {
		c[i].name = xstrdup(v[i].name);
		c[i].value_env = v[i].value_env != NULL ?
		    xstrdup(v[i].value_env) : NULL;
		c[i].value_file = v[i].value_file != NULL ?
		    xstrdup(v[i].value_file) : NULL;
	}
	return c;
}

/* A file of the TLS keys at key: its path made absolute (relative to the
 * declaring file) in *out, and an error unless it is a readable regular
 * file.  Returns 1 when given. */
static int
tls_file(struct cfg_errors *e, const config_setting_t *g, const char *key,
    const char *file, char **out)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	struct stat st;
	char *raw = NULL;

	if (cfg_str(e, g, key, 0, &raw) != 1)
		return 0;
	*out = cfg_resolve_path(s, file, raw);
	free(raw);
	if (stat(*out, &st) != 0 || access(*out, R_OK) != 0)
		cfg_err(e, s, "%s %s: %s", key, *out, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		cfg_err(e, s, "%s %s is not a regular file", key, *out);
	return 1;
}

/* A host name or address: letters, digits, '-' and '.', no port. */
static int
tls_name_valid(const char *n)
{
	size_t i, len = strlen(n);

	if (len == 0 || len > 253 || n[0] == '.' || n[0] == '-')
		return 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)n[i]) && n[i] != '-' &&
		    n[i] != '.')
			return 0;
	return 1;
}

/* ca_file, client_cert and client_key, tls_server_name. */
static void
parse_tls(struct cfg_errors *e, const config_setting_t *g, struct check *c,
    const char *main_file)
{
	struct check_http *h = &c->http;
	const char *const keys[] = { "ca_file", "client_cert", "client_key",
	    "tls_server_name" };
	const config_setting_t *s;
	size_t i;
	int https;

	tls_file(e, g, "ca_file", main_file, &h->ca_file);
	tls_file(e, g, "client_cert", main_file, &h->client_cert);
	if (tls_file(e, g, "client_key", main_file, &h->client_key))
		secret_file_check(e, config_setting_get_member(g,
		    "client_key"), "client_key", h->client_key);
	if ((h->client_cert == NULL) != (h->client_key == NULL))
		cfg_err(e, config_setting_get_member(g, h->client_cert != NULL ?
		    "client_cert" : "client_key"), "'client_cert' and "
		    "'client_key' go together (mutual TLS)");
	if (cfg_str(e, g, "tls_server_name", 0, &h->tls_server_name) == 1 &&
	    !tls_name_valid(h->tls_server_name))
		cfg_err(e, config_setting_get_member(g, "tls_server_name"),
		    "'tls_server_name' must be a host name (letters, digits, "
		    "'-' and '.'; no port)");
	https = (h->url != NULL && strncmp(h->url, "https:", 6) == 0) ||
	    (h->metrics_url != NULL && strncmp(h->metrics_url, "https:", 6)
	    == 0);
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if ((s = config_setting_get_member(g, keys[i])) == NULL)
			continue;
		if (!https)
			cfg_err(e, s, "'%s' is for https:// URLs", keys[i]);
		else if (!h->tls_verify && i != 1 && i != 2)
			cfg_err(e, s, "'%s' with tls_verify = false: no "
			    "certificate is checked, so it would do nothing",
			    keys[i]);
	}
}

static void
parse_http(struct cfg_errors *e, const config_setting_t *g, struct check *c,
    const char *main_file)
{
	struct check_http *h = &c->http;
	struct check_threshold *t;
	const char *const *m;
	char ebuf[256];
	int r;

	h->tls_verify = 1;
	h->max_body = 1024 * 1024;
	if (cfg_str(e, g, "url", 1, &h->url) == 1)
		check_url(e, config_setting_get_member(g, "url"), "url",
		    h->url);
	if (cfg_str(e, g, "method", 0, &h->method) == 1) {
		for (m = http_methods; *m != NULL; m++)
			if (strcmp(*m, h->method) == 0)
				break;
		if (*m == NULL)
			cfg_err(e, config_setting_get_member(g, "method"),
			    "'method' must be one of GET, HEAD, POST, PUT, "
			    "PATCH, DELETE, OPTIONS (in capitals)");
	} else
		h->method = xstrdup("GET");
	parse_headers(e, g, h);
	check_secret_headers_parse(e, g, h->headers, h->nheaders,
	    &h->secret_headers, &h->nsecret_headers);
	cfg_str(e, g, "body", 0, &h->body);
	parse_expect_status(e, g, h);
	cfg_str(e, g, "body_contains", 0, &h->body_contains);
	if (cfg_str(e, g, "body_regex", 0, &h->body_regex) == 1) {
		r = regcomp(&h->re, h->body_regex, REG_EXTENDED | REG_NOSUB);
		if (r != 0) {
			regerror(r, &h->re, ebuf, sizeof ebuf);
			cfg_err(e, config_setting_get_member(g, "body_regex"),
			    "'body_regex' is not a valid extended regular "
			    "expression: %s", ebuf);
		} else
			h->has_re = 1;
	}
	cfg_bool(e, g, "follow_redirects", 0, &h->follow_redirects);
	refuse_secret_redirects(e, g, h);
	cfg_bool(e, g, "tls_verify", 0, &h->tls_verify);
	cfg_bool(e, g, "keepalive", 0, &h->keepalive);
	cfg_size(e, g, "max_body", 1024, 1024LL * 1024 * 1024, &h->max_body);
	parse_thresholds(e, g, c, http_thresholds);
	t = threshold_mut(c, "cert_days");
	if ((cfg_range(e, g, "cert_warn_days", RANGE_NUMBER, 1, &t->warn) |
	    cfg_range(e, g, "cert_crit_days", RANGE_NUMBER, 1, &t->crit)) >= 0)
		check_pair(e, g, "cert_warn_days", "cert_crit_days",
		    "cert_days", &t->warn, &t->crit, t->min, t->max);
	cfg_each_group(e, g, "metrics", "{ name = ...; select = ...; }",
	    parse_metric, h);
	if (cfg_str(e, g, "metrics_url", 0, &h->metrics_url) == 1)
		check_url(e, config_setting_get_member(g, "metrics_url"),
		    "metrics_url", h->metrics_url);
	cfg_each_group(e, g, "json", "{ name = ...; path = ...; }",
	    parse_json_field, h);
	parse_tls(e, g, c, main_file);
	if (h->njson > 0 && h->method != NULL &&
	    strcmp(h->method, "HEAD") == 0)
		cfg_err(e, config_setting_get_member(g, "json"), "'json' "
		    "fields are read from the body, which a HEAD request does "
		    "not get");
}

static const char secret_help[] =
    "passwords are never written in the configuration: use password_env "
    "(the name of an environment variable) or password_file (a file "
    "readable only by you, mode 0600)";

/* Validates password_env and password_file at load time. */
static void
parse_secret(struct cfg_errors *e, const config_setting_t *g,
    char **env, char **file)
{
	const config_setting_t *s;

	if ((s = config_setting_get_member(g, "password")) != NULL)
		cfg_err(e, s, "'password' is not allowed: %s%s", secret_help,
		    config_setting_get_member(g, "conninfo") != NULL ?
		    "; PostgreSQL also reads ~/.pgpass and the service file" :
		    "");
	if (cfg_str(e, g, "password_env", 0, env) == 1)
		check_secret_env(e, config_setting_get_member(g,
		    "password_env"), "password_env", *env);
	if (cfg_str(e, g, "password_file", 0, file) == 1) {
		s = config_setting_get_member(g, "password_file");
		home_path(file);
		if (*env != NULL)
			cfg_err(e, s, "use either password_env or "
			    "password_file, not both");
		secret_file_check(e, s, "password_file", *file);
	}
}

/*
 * Whether a conninfo that libpq cannot parse may hold a password: a
 * "password" keyword, or a URI with a colon and an @ after its "://"
 * (postgresql://user:secret@host).
 */
static int
conninfo_may_hold_password(const char *ci)
{
	const char *p;

	if (strcasestr(ci, "password") != NULL)
		return 1;
	/* Any colon with an @ after it: whatever a parser takes for the
	 * user part, it may hold a password. */
	if ((p = strstr(ci, "://")) == NULL || (p = strchr(p + 3, ':')) == NULL)
		return 0;
	return strchr(p, '@') != NULL;
}

void
check_conninfo_validate(struct cfg_errors *e, const config_setting_t *s,
    const char *conninfo, int one_host)
{
	PQconninfoOption *opts, *o;
	char *err = NULL;

	opts = PQconninfoParse(conninfo, &err);
	if (opts == NULL && conninfo_may_hold_password(conninfo))
		/* libpq's message may quote the password. */
		cfg_err(e, s, "'conninfo' is not valid, and it seems to hold "
		    "a password: %s", secret_help);
	else if (opts == NULL)
		cfg_err(e, s, "'conninfo' is not valid: %s",
		    err != NULL ? err : "out of memory");
	if (opts == NULL) {
		PQfreemem(err);
		return;
	}
	for (o = opts; o->keyword != NULL; o++) {
		if (o->val == NULL || *o->val == '\0')
			continue;
		if (strcmp(o->keyword, "password") == 0)
			cfg_err(e, s, "'conninfo' holds a password: %s; "
			    "PostgreSQL also reads ~/.pgpass and the service "
			    "file", secret_help);
		if (one_host && strcmp(o->keyword, "host") == 0 &&
		    strchr(o->val, ',') != NULL)
			cfg_err(e, s, "'conninfo': one host per check (make "
			    "one check per server)");
	}
	PQconninfoFree(opts);
}

static void
parse_pg(struct cfg_errors *e, const config_setting_t *g, struct check *c)
{
	struct check_pg *p = &c->pg;

	cfg_str(e, g, "conninfo", 0, &p->conninfo);
	cfg_str(e, g, "service", 0, &p->service);
	if (p->conninfo == NULL && p->service == NULL)
		cfg_err(e, g, "postgres check '%s' needs 'conninfo' (e.g. "
		    "\"host=db1 dbname=app user=monitor\") or 'service'",
		    c->name != NULL ? c->name : "?");
	if (p->conninfo != NULL)
		check_conninfo_validate(e, config_setting_get_member(g,
		    "conninfo"), p->conninfo, 1);
	parse_secret(e, g, &p->password_env, &p->password_file);
	parse_thresholds(e, g, c, pg_thresholds);
}

static void
parse_redis(struct cfg_errors *e, const config_setting_t *g,
    struct check *c)
{
	struct check_redis *r = &c->redis;
	long long v;

	if (cfg_str(e, g, "host", 0, &r->host) != 1)
		r->host = xstrdup("127.0.0.1");
	else if (*r->host == '\0' || strpbrk(r->host, " /\t\r\n") != NULL)
		cfg_err(e, config_setting_get_member(g, "host"),
		    "'host' must be a host name or address");
	r->port = 6379;
	if (cfg_int(e, g, "port", 0, 1, 65535, &v) == 1)
		r->port = (int)v;
	if (cfg_int(e, g, "db", 0, 0, 100000, &v) == 1)
		r->db = (int)v;
	cfg_str(e, g, "user", 0, &r->user);
	parse_secret(e, g, &r->password_env, &r->password_file);
	if (r->user != NULL && r->password_env == NULL &&
	    r->password_file == NULL)
		cfg_err(e, config_setting_get_member(g, "user"), "'user' "
		    "needs password_env or password_file");
	parse_thresholds(e, g, c, redis_thresholds);
	r->frag_min_used = CHECK_FRAG_MIN_USED;
	cfg_size(e, g, "fragmentation_min_used", 0, 1LL << 50,
	    &r->frag_min_used);
}

/*
 * command: a list of strings, the program (an absolute path to an
 * executable file) and its arguments, run without a shell.
 */
static void
parse_exec(struct cfg_errors *e, const config_setting_t *g, struct check *c,
    const struct settings *set)
{
	struct check_exec *x = &c->exec;
	const config_setting_t *s;
	char **v = NULL;
	size_t n = 0;

	x->enabled = set->exec_checks;
	if (cfg_strlist(e, g, "command", 1, &v, &n) != 1)
		return;
	s = config_setting_get_member(g, "command");
	x->argv = xreallocarray(v, n + 1, sizeof *v);
	x->argv[n] = NULL;
	x->argc = n;
	if (n == 0 || x->argv[0][0] != '/')
		cfg_err(e, s, "'command' must start with the program's "
		    "absolute path (no shell, no PATH search), e.g. "
		    "[\"/usr/lib/nagios/plugins/check_load\", \"-w\", "
		    "\"5\", \"-c\", \"10\"]");
	else if (access(x->argv[0], X_OK) != 0)
		cfg_warn(e, s, "'command': %s: %s (the check will be "
		    "unknown until it can run)", x->argv[0], strerror(errno));
}

struct check *
check_parse(struct cfg_errors *e, const config_setting_t *g,
    enum check_type type, const struct settings *set)
{
	static const char *const *keys[CHECK_NTYPES] = {
		http_keys, pg_keys, redis_keys, exec_keys
	};
	struct check *c;
	const char *file;
	size_t before = e->nerrors;
	double ms;
	char what[64];

	c = xcalloc(1, sizeof *c);
	c->type = type;
	c->line = cfg_line(g);
	file = cfg_file(g);
	c->file = file != NULL ? xstrdup(file) : NULL;
	c->interval_ms = set->refresh * 1000;
	c->timeout_ms = set->timeout * 1000;
	c->fail_after = set->fail_after;
	c->recover_after = set->recover_after;
	c->history = set->history;

	snprintf(what, sizeof what, "%s check", check_type_name(type));
	cfg_check_keys(e, g, keys[type], what);
	if (cfg_name(e, g, "name", 1, &c->name) == 1 &&
	    (*c->name == '\0' || strpbrk(c->name, " \t\r\n") != NULL ||
	    strlen(c->name) > 64))
		cfg_err(e, config_setting_get_member(g, "name"), "check "
		    "name must be 1 to 64 characters without spaces");
	if (cfg_duration_ms(e, g, "interval", 100, 86400000, &ms) == 1)
		c->interval_ms = (long long)ms;
	if (cfg_duration_ms(e, g, "timeout", 10, 86400000, &ms) == 1)
		c->timeout_ms = (long long)ms;
	if (c->timeout_ms > c->interval_ms)
		cfg_warn(e, g, "check '%s': timeout is longer than interval; "
		    "a probe still running when the next is due is skipped",
		    c->name != NULL ? c->name : "?");
	cfg_int(e, g, "fail_after", 0, 1, 100, &c->fail_after);
	cfg_int(e, g, "recover_after", 0, 1, 100, &c->recover_after);
	cfg_int(e, g, "history", 0, 10, 10000, &c->history);
	if (cfg_strlist(e, g, "notify", 0, &c->notify, &c->nnotify) == 1)
		c->notify_line = cfg_line(config_setting_get_member(g,
		    "notify"));
	cfg_bool(e, g, "notify_in_maintenance", 0,
	    &c->notify_in_maintenance);

	switch (type) {
	case CHECK_HTTP:
		parse_http(e, g, c, set->main_file);
		break;
	case CHECK_POSTGRES:
		parse_pg(e, g, c);
		break;
	case CHECK_REDIS:
		parse_redis(e, g, c);
		break;
	case CHECK_EXEC:
		parse_exec(e, g, c, set);
		break;
	}
	if (e->nerrors != before) {
		check_free(c);
		return NULL;
	}
	return c;
}

void
check_free(struct check *c)
{
	size_t i;

	if (c == NULL)
		return;
	free(c->name);
	free(c->file);
	cfg_strlist_free(c->notify, c->nnotify);
	free(c->http.url);
	free(c->http.method);
	cfg_strlist_free(c->http.headers, c->http.nheaders);
	check_secret_headers_free(c->http.secret_headers,
	    c->http.nsecret_headers);
	free(c->http.body);
	free(c->http.status);
	free(c->http.body_contains);
	free(c->http.body_regex);
	if (c->http.has_re)
		regfree(&c->http.re);
	for (i = 0; i < c->http.nmetrics; i++) {
		free(c->http.metrics[i].name);
		free(c->http.metrics[i].select);
		free(c->http.metrics[i].ratio);
		free(c->http.metrics[i].avg);
	}
	free(c->http.metrics);
	free(c->http.metrics_url);
	for (i = 0; i < c->http.njson; i++) {
		free(c->http.json[i].name);
		jsonpath_free(c->http.json[i].path);
	}
	free(c->http.json);
	free(c->http.ca_file);
	free(c->http.client_cert);
	free(c->http.client_key);
	free(c->http.tls_server_name);
	free(c->pg.conninfo);
	free(c->pg.service);
	free(c->pg.password_env);
	free(c->pg.password_file);
	free(c->redis.host);
	free(c->redis.user);
	free(c->redis.password_env);
	free(c->redis.password_file);
	cfg_strlist_free(c->exec.argv, c->exec.argc);
	free(c);
}

static char *
http_target(const char *url)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	char *query = NULL, *out;

	u = curl_url();
	if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		curl_url_cleanup(u);
		return xstrdup("(invalid URL)");
	}
	curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	curl_url_get(u, CURLUPART_HOST, &host, 0);
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	curl_url_get(u, CURLUPART_PATH, &path, 0);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	out = xasprintf("%s://%s%s%s%s%s", scheme != NULL ? scheme : "?",
	    host != NULL ? host : "?", port != NULL ? ":" : "",
	    port != NULL ? port : "", path != NULL ? path : "/",
	    query != NULL ? "?..." : "");
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(u);
	return out;
}

static char *
pg_target(const struct check_pg *p)
{
	PQconninfoOption *opts, *o;
	const char *host = NULL, *port = NULL, *db = NULL, *user = NULL;
	struct buf b;

	buf_init(&b);
	if (p->service != NULL)
		buf_printf(&b, "service=%s", p->service);
	opts = p->conninfo != NULL ? PQconninfoParse(p->conninfo, NULL) : NULL;
	if (opts != NULL) {
		for (o = opts; o->keyword != NULL; o++) {
			if (o->val == NULL || *o->val == '\0')
				continue;
			if (strcmp(o->keyword, "host") == 0)
				host = o->val;
			else if (strcmp(o->keyword, "hostaddr") == 0 &&
			    host == NULL)
				host = o->val;
			else if (strcmp(o->keyword, "port") == 0)
				port = o->val;
			else if (strcmp(o->keyword, "dbname") == 0)
				db = o->val;
			else if (strcmp(o->keyword, "user") == 0)
				user = o->val;
		}
		if (b.len != 0)
			buf_addc(&b, ' ');
		if (user != NULL)
			buf_printf(&b, "%s@", user);
		buf_adds(&b, host != NULL ? host : "(local)");
		if (port != NULL)
			buf_printf(&b, ":%s", port);
		if (db != NULL)
			buf_printf(&b, "/%s", db);
		PQconninfoFree(opts);
	}
	if (b.len == 0)
		buf_adds(&b, "(default)");
	return buf_detach(&b);
}

char *
check_target(const struct check *c)
{
	switch (c->type) {
	case CHECK_HTTP:
		return http_target(c->http.url);
	case CHECK_POSTGRES:
		return pg_target(&c->pg);
	case CHECK_REDIS:
		return xasprintf("%s%s%s:%d/%d",
		    c->redis.user != NULL ? c->redis.user : "",
		    c->redis.user != NULL ? "@" : "", c->redis.host,
		    c->redis.port, c->redis.db);
	case CHECK_EXEC:
		return xstrdup(c->exec.argv != NULL ? c->exec.argv[0] : "?");
	}
	return xstrdup("?");
}

/*
 * Reads a secret file of at most max bytes.  Opened without blocking (a
 * FIFO put in its place must not freeze the loop), then refused unless it
 * is a regular file readable by its owner alone (checked on what was
 * opened, not on the name).  Returns 0 with *data (NUL-terminated) and
 * *len, or -1 with *cause saying why (never holding the content).
 */
static int
secret_open(const char *file, size_t max, char **data, size_t *len,
    char **cause)
{
	struct stat st;
	ssize_t n = 0;
	char *buf;
	int fd;

	fd = open(file, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		*cause = xstrdup(strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		*cause = xstrdup(strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		*cause = xstrdup("not a regular file: refused");
		close(fd);
		return -1;
	}
	if ((st.st_mode & 077) != 0) {
		*cause = xasprintf("permissions %04o are too open (chmod 600 "
		    "%s)", (unsigned int)(st.st_mode & 07777), file);
		close(fd);
		return -1;
	}
	buf = xmalloc(max + 2);
	*len = 0;
	while (*len <= max) {
		n = read(fd, buf + *len, max + 1 - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	close(fd);
	if (n < 0 || *len > max) {
		explicit_bzero(buf, *len);
		free(buf);
		*cause = n < 0 ? xasprintf("read: %s", strerror(errno)) :
		    xasprintf("larger than %zu bytes", max);
		return -1;
	}
	buf[*len] = '\0';
	*data = buf;
	return 0;
}

/*
 * Reads a secret at use time from the environment variable env or, when
 * env is NULL, the file file (checked again: it may have changed since
 * loading; one trailing newline is removed).  kenv and kfile name the keys
 * ("password_env"), what (may be "") says whose secret it is for messages.
 * Returns 1 with *out set (the caller wipes and frees it), 0 when both are
 * NULL, or -1 with *cause set (never containing the secret).
 */
static int
secret_read(const char *env, const char *file, const char *kenv,
    const char *kfile, const char *what, size_t max, char **out,
    char **cause)
{
	const char *v;
	size_t len;
	char *data, *why = NULL;

	*out = NULL;
	if (env != NULL) {
		v = getenv(env);
		if (v == NULL || *v == '\0') {
			*cause = xasprintf("environment variable %s (%s%s) is "
			    "not set", env, kenv, what);
			return -1;
		}
		*out = xstrdup(v);
		return 1;
	}
	if (file == NULL)
		return 0;
	if (secret_open(file, max, &data, &len, &why) != 0) {
		*cause = xasprintf("%s %s%s: %s", kfile, file, what, why);
		free(why);
		return -1;
	}
	if (len > 0 && data[len - 1] == '\n')
		data[--len] = '\0';
	if (len > 0 && data[len - 1] == '\r')
		data[--len] = '\0';
	if (len == 0 || strlen(data) != len) {
		explicit_bzero(data, len);
		free(data);
		*cause = xasprintf("%s %s%s is empty or holds a NUL byte",
		    kfile, file, what);
		return -1;
	}
	*out = data;
	return 1;
}

int
check_password(const struct check *c, char **pw, char **cause)
{
	switch (c->type) {
	case CHECK_POSTGRES:
		return secret_read(c->pg.password_env, c->pg.password_file,
		    "password_env", "password_file", "", 4096, pw, cause);
	case CHECK_REDIS:
		return secret_read(c->redis.password_env,
		    c->redis.password_file, "password_env", "password_file",
		    "", 4096, pw, cause);
	default:
		*pw = NULL;
		return 0;
	}
}

int
check_secret_header(const struct check *c, size_t i, char **line,
    char **cause)
{
	*line = NULL;
	if (c->type != CHECK_HTTP || i >= c->http.nsecret_headers) {
		*cause = xstrdup("no such secret header");
		return -1;
	}
	return check_secret_header_line(&c->http.secret_headers[i], line,
	    cause);
}

int
check_secret_header_line(const struct check_secret_header *sh, char **line,
    char **cause)
{
	char *v = NULL, *what;
	const char *p;
	size_t nlen, vlen;
	int r;

	*line = NULL;
	what = xasprintf(", secret header %s", sh->name);
	r = secret_read(sh->value_env, sh->value_file, "value_env",
	    "value_file", what, SECRET_HEADER_MAX, &v, cause);
	if (r == 0)
		*cause = xasprintf("secret header %s has neither value_env "
		    "nor value_file", sh->name);
	if (r != 1) {
		free(what);
		return -1;
	}
	/* A line break would start another header (or the body). */
	for (p = v; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 ? *p != '\t' : *p == 0x7f)
			break;
	if (*p != '\0') {
		*cause = xasprintf("the value of %s %s%s holds %s: refused",
		    sh->value_env != NULL ? "value_env" : "value_file",
		    sh->value_env != NULL ? sh->value_env : sh->value_file,
		    what, *p == '\r' || *p == '\n' ? "a line break (CR or LF)" :
		    "a control character");
		explicit_bzero(v, strlen(v));
		free(v);
		free(what);
		return -1;
	}
	free(what);
	/* Put together by hand: no copy of the value is left behind. */
	nlen = strlen(sh->name);
	vlen = strlen(v);
	*line = xmalloc(nlen + 2 + vlen + 1);
	memcpy(*line, sh->name, nlen);
	memcpy(*line + nlen, ": ", 2);
	memcpy(*line + nlen + 2, v, vlen + 1);
	explicit_bzero(v, vlen);
	free(v);
	return 0;
}
