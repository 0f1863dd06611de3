/* Parses and describes health checks: one element of the "http",
 * "postgres", "redis" or "exec" configuration lists becomes a struct check.
 * Here: the keys every check takes, thresholds, an exec check's command,
 * freeing, the target as shown, and secrets read when a probe needs them;
 * each kind's own keys are in check_http.c and check_db.c. */
#include "check.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_priv.h"
#include "config.h"
#include "jsonpath.h"

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


/* The most read from a value_file (a long JWT still fits). */
#define SECRET_HEADER_MAX	(64 * 1024)


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

int
check_cfg_range(struct cfg_errors *e, const config_setting_t *g,
    const char *key, enum range_unit unit, int lower_worse, struct range *out)
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

void
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

void
check_parse_thresholds(struct cfg_errors *e, const config_setting_t *g,
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
		bad = check_cfg_range(e, g, wkey, unit, sp->lower_worse,
		    &t->warn) < 0;
		bad |= check_cfg_range(e, g, ckey, unit, sp->lower_worse,
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

struct check_threshold *
check_threshold_mut(struct check *c, const char *name)
{
	return (struct check_threshold *)check_threshold(c, name);
}


void
check_home_path(char **path)
{
	char *p = cfg_expand_home(*path);

	free(*path);
	*path = p;
}

void
check_private_file(struct cfg_errors *e, const config_setting_t *s,
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
		check_http_parse(e, g, c, set->main_file);
		break;
	case CHECK_POSTGRES:
		check_pg_parse(e, g, c);
		break;
	case CHECK_REDIS:
		check_redis_parse(e, g, c);
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

int
check_secret_file(const char *file, size_t max, int owner_only, char **data,
    size_t *len, char **cause)
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
	if (owner_only && (st.st_mode & 077) != 0) {
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
	if (check_secret_file(file, max, 1, &data, &len, &why) != 0) {
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
