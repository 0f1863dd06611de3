/* The keys of an HTTP check: the request, what the answer must be (status,
 * body), metrics and JSON fields read from it, redirects and TLS. */
#include "check.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_priv.h"
#include "jsonpath.h"
#include "prom.h"


static const struct threshold_spec http_thresholds[] = {
	{ "latency", 1, 0, 0, 0, 0, 0, ANY },
	{ "cert_days", 0, 1, 1, 30, 7, -ANY, ANY },
	{ NULL, 0, 0, 0, 0, 0, 0, 0 }
};


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
	if ((check_cfg_range(e, el, "warn", RANGE_NUMBER, 0, &m->warn) |
	    check_cfg_range(e, el, "crit", RANGE_NUMBER, 0, &m->crit)) >= 0)
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
	if ((check_cfg_range(e, el, "warn", RANGE_NUMBER, 0, &j->warn) |
	    check_cfg_range(e, el, "crit", RANGE_NUMBER, 0, &j->crit)) >= 0)
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
		check_private_file(e, config_setting_get_member(g,
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

void
check_http_parse(struct cfg_errors *e, const config_setting_t *g,
    struct check *c, const char *main_file)
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
	check_headers_parse(e, g, h);
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
	check_parse_thresholds(e, g, c, http_thresholds);
	t = check_threshold_mut(c, "cert_days");
	if ((check_cfg_range(e, g, "cert_warn_days", RANGE_NUMBER, 1,
	    &t->warn) | check_cfg_range(e, g, "cert_crit_days", RANGE_NUMBER,
	    1, &t->crit)) >= 0)
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
