/* Runbook definitions: the parser and validator, parameter binding, safe
 * substitution of parameters into commands, and the dry-run text. */
#include "runbook.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfgscan.h"
#include "check.h"
#include "config.h"

/* Larger runbook files are refused before libconfig reads them. */
#define RUNBOOK_FILE_MAX	(4 * 1024 * 1024)

static const char *const runbook_keys[] = {
	"name", "description", "params", "requires_healthy", "require_window",
	"requires", "steps", "on_failure", "unattended_failure", "budget",
	"secret_values", "notify", NULL
};

static const char *const health_keys[] = { "check", "worst", NULL };

static const char *const param_keys[] = {
	"name", "description", "default", "pattern", "secret", NULL
};

static const char *const require_keys[] = { "runbook", "within", NULL };

static const char *const step_keys[] = {
	"name", "run", "sql", "redis", "http", "wait_healthy", "pause",
	"cwd", "env", "env_pass", "on", "method", "headers", "body", "expect_status",
	"confirm",
	"danger", "timeout", "rollback", "continue_on_error", "interactive",
	"on_failure", "always", "unattended", "criteria", NULL
};

/* The keys a criterion takes: a check and its level, or a command, or a
 * request and what it expects. */
static const char *const criterion_keys[] = {
	"name", "check", "worst", "run", "cwd", "env", "http", "method",
	"headers", "body", "expect_status", NULL
};

/* Policy names, in enum runbook_policy order. */
static const char *const policy_names[] = {
	"ask", "rollback", "abort", "continue", NULL
};

/* Health levels, in RUNBOOK_HEALTH_* order. */
static const char *const health_names[] = {
	"ok", "warn", "crit", "unknown", NULL
};

/* The keys that choose a step's kind, in enum step_kind order. */
static const char *const kind_keys[] = {
	"run", "sql", "redis", "http", "wait_healthy", "pause", "criteria",
	NULL
};

static const char *const file_keys[] = { "runbooks", NULL };

const char *
runbook_kind_name(enum step_kind k)
{
	if ((size_t)k < sizeof kind_keys / sizeof kind_keys[0] - 1)
		return kind_keys[k];
	return "?";
}

const char *
runbook_policy_name(int p)
{
	if (p >= 0 && p < (int)(sizeof policy_names / sizeof policy_names[0]) -
	    1)
		return policy_names[p];
	return "inherit";
}

const char *
runbook_health_name(int h)
{
	if (h >= 0 && h < (int)(sizeof health_names / sizeof health_names[0]) -
	    1)
		return health_names[h];
	return "?";
}

/* Names that are safe in file names (locks, logs) and on a command line. */
static int
valid_runbook_name(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 64 || !isalnum((unsigned char)s[0]))
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_' && s[i] != '.')
			return 0;
	return 1;
}

/* Parameter names are shell-variable names (they become MAINTOP_PARAM_x). */
static int
valid_param_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 64 || (!isalpha((unsigned char)s[0]) && s[0] != '_'))
		return 0;
	for (i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

static void
step_free(struct step *st)
{
	size_t i;

	if (st == NULL)
		return;
	free(st->name);
	free(st->text);
	free(st->cwd);
	cfg_strlist_free(st->env, st->nenv);
	cfg_strlist_free(st->env_pass, st->nenv_pass);
	free(st->on);
	free(st->method);
	free(st->body);
	cfg_strlist_free(st->headers, st->nheaders);
	cfg_strlist_free(st->checks, st->nchecks);
	for (i = 0; i < st->ncriteria; i++)
		step_free(st->criteria[i]);
	free(st->criteria);
	for (i = 0; i < st->nrollback; i++)
		step_free(st->rollback[i]);
	free(st->rollback);
	free(st);
}

void
runbook_free(struct runbook *rb)
{
	size_t i;

	if (rb == NULL)
		return;
	free(rb->name);
	cfg_strlist_free(rb->notify, rb->nnotify);
	free(rb->file);
	free(rb->dir);
	free(rb->description);
	for (i = 0; i < rb->nparams; i++) {
		free(rb->params[i].name);
		free(rb->params[i].description);
		free(rb->params[i].def);
		free(rb->params[i].pattern);
		if (rb->params[i].has_re)
			regfree(&rb->params[i].re);
	}
	free(rb->params);
	cfg_strlist_free(rb->requires_healthy, rb->nrequires_healthy);
	free(rb->healthy_worst);
	free(rb->healthy_line);
	cfg_strlist_free(rb->secret_values, rb->nsecret_values);
	for (i = 0; i < rb->nrequires; i++)
		free(rb->requires[i].runbook);
	free(rb->requires);
	for (i = 0; i < rb->nsteps; i++)
		step_free(rb->steps[i]);
	free(rb->steps);
	free(rb);
}

const struct runbook_param *
runbook_find_param(const struct runbook *rb, const char *name)
{
	size_t i;

	for (i = 0; i < rb->nparams; i++)
		if (strcmp(rb->params[i].name, name) == 0)
			return &rb->params[i];
	return NULL;
}

static const struct runbook_param *
find_param_n(const struct runbook *rb, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < rb->nparams; i++)
		if (strlen(rb->params[i].name) == n &&
		    strncmp(rb->params[i].name, name, n) == 0)
			return &rb->params[i];
	return NULL;
}

static void
parse_params(struct cfg_errors *e, const config_setting_t *g,
    struct runbook *rb)
{
	const config_setting_t *list, *el;
	struct runbook_param *p;
	char *pat, errbuf[128];
	int i, n, rc;
	size_t j;

	if ((list = cfg_list(e, g, "params")) == NULL)
		return;
	n = config_setting_length(list);
	if (n > RUNBOOK_MAX_PARAMS) {
		cfg_err(e, list, "runbook '%s' has %d params (at most %d)",
		    rb->name, n, RUNBOOK_MAX_PARAMS);
		return;
	}
	rb->params = xcalloc((size_t)n, sizeof *rb->params);
	for (i = 0; i < n; i++) {
		el = config_setting_get_elem(list, (unsigned int)i);
		if (!config_setting_is_group(el)) {
			cfg_err(e, el, "each parameter of runbook '%s' must be a "
			    "group { name = \"...\"; ... }", rb->name);
			continue;
		}
		cfg_check_keys(e, el, param_keys, "runbook parameter");
		p = &rb->params[rb->nparams];
		memset(p, 0, sizeof *p);
		p->line = cfg_line(el);
		if (cfg_name(e, el, "name", 1, &p->name) != 1)
			continue;
		if (!valid_param_name(p->name, strlen(p->name))) {
			cfg_err(e, el, "parameter name '%s' must be letters, "
			    "digits and '_', not starting with a digit",
			    p->name);
			free(p->name);
			continue;
		}
		for (j = 0; j < rb->nparams; j++)
			if (strcmp(rb->params[j].name, p->name) == 0)
				cfg_err(e, el, "duplicate parameter '%s' in "
				    "runbook '%s'", p->name, rb->name);
		cfg_str(e, el, "description", 0, &p->description);
		cfg_str(e, el, "default", 0, &p->def);
		cfg_bool(e, el, "secret", 0, &p->secret);
		if (cfg_str(e, el, "pattern", 0, &p->pattern) == 1) {
			pat = xasprintf("^(%s)$", p->pattern);
			rc = regcomp(&p->re, pat, REG_EXTENDED | REG_NOSUB);
			free(pat);
			if (rc != 0) {
				regerror(rc, &p->re, errbuf, sizeof errbuf);
				cfg_err(e, config_setting_get_member(el,
				    "pattern"), "parameter '%s': bad pattern: "
				    "%s", p->name, errbuf);
			} else
				p->has_re = 1;
		}
		if (p->def != NULL && p->has_re &&
		    regexec(&p->re, p->def, 0, NULL, 0) != 0)
			cfg_err(e, el, "parameter '%s': the default \"%s\" does "
			    "not match its pattern", p->name,
			    p->secret ? RUNBOOK_MASK : p->def);
		rb->nparams++;
	}
}

/*
 * A string member that must be one of names (NULL-ended): stores its index
 * in *out and returns 1, 0 when absent, -1 (error recorded) otherwise.
 */
static int
parse_choice(struct cfg_errors *e, const config_setting_t *g, const char *key,
    const char *const *names, int *out)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	const char *v, *sugg;
	struct buf b;
	int i;

	if (s == NULL)
		return 0;
	v = config_setting_get_string(s);
	for (i = 0; v != NULL && names[i] != NULL; i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = i;
			return 1;
		}
	}
	buf_init(&b);
	for (i = 0; names[i] != NULL; i++)
		buf_printf(&b, "%s\"%s\"", i == 0 ? "" : names[i + 1] == NULL ?
		    " or " : ", ", names[i]);
	sugg = v != NULL ? cfg_suggest(v, names) : NULL;
	cfg_err(e, s, "'%s' must be %s%s%s%s", key, b.s,
	    sugg != NULL ? " (did you mean \"" : "", sugg != NULL ? sugg : "",
	    sugg != NULL ? "\"?)" : "");
	buf_free(&b);
	return -1;
}

/*
 * requires_healthy: each entry a check's name (it must be ok) or
 * { check = "pg-main"; worst = "warn"; } (no worse than warn).
 */
static void
parse_healthy(struct cfg_errors *e, const config_setting_t *g,
    struct runbook *rb)
{
	const config_setting_t *list, *el;
	char *name;
	int i, n, worst;

	if ((list = config_setting_get_member(g, "requires_healthy")) == NULL)
		return;
	if (!config_setting_is_list(list) && !config_setting_is_array(list)) {
		cfg_err(e, list, "'requires_healthy' must be a list of check "
		    "names or { check = \"...\"; worst = \"warn\"; }");
		return;
	}
	n = config_setting_length(list);
	if (n > RUNBOOK_MAX_PARAMS) {
		cfg_err(e, list, "too many requires_healthy entries in "
		    "runbook '%s'", rb->name);
		return;
	}
	rb->requires_healthy = xcalloc((size_t)n + 1,
	    sizeof *rb->requires_healthy);
	rb->healthy_worst = xcalloc((size_t)n + 1, sizeof *rb->healthy_worst);
	rb->healthy_line = xcalloc((size_t)n + 1, sizeof *rb->healthy_line);
	for (i = 0; i < n; i++) {
		el = config_setting_get_elem(list, (unsigned int)i);
		worst = RUNBOOK_HEALTH_OK;
		if (config_setting_type(el) == CONFIG_TYPE_STRING)
			name = xstrdup(config_setting_get_string(el));
		else if (config_setting_is_group(el)) {
			cfg_check_keys(e, el, health_keys,
			    "requires_healthy entry");
			if (cfg_str(e, el, "check", 1, &name) != 1)
				continue;
			if (parse_choice(e, el, "worst", health_names,
			    &worst) < 0)
				worst = RUNBOOK_HEALTH_OK;
		} else {
			cfg_err(e, el, "a requires_healthy entry is a check's "
			    "name or { check = \"...\"; worst = \"warn\"; }");
			continue;
		}
		rb->healthy_worst[rb->nrequires_healthy] = worst;
		rb->healthy_line[rb->nrequires_healthy] = cfg_line(el);
		rb->requires_healthy[rb->nrequires_healthy++] = name;
	}
}

static void
parse_requires(struct cfg_errors *e, const config_setting_t *g,
    struct runbook *rb)
{
	const config_setting_t *list, *el;
	struct runbook_req *r;
	int i, n;

	if ((list = cfg_list(e, g, "requires")) == NULL)
		return;
	n = config_setting_length(list);
	if (n > RUNBOOK_MAX_PARAMS) {
		cfg_err(e, list, "too many requirements in runbook '%s'",
		    rb->name);
		return;
	}
	rb->requires = xcalloc((size_t)n, sizeof *rb->requires);
	for (i = 0; i < n; i++) {
		el = config_setting_get_elem(list, (unsigned int)i);
		r = &rb->requires[rb->nrequires];
		memset(r, 0, sizeof *r);
		r->line = cfg_line(el);
		if (config_setting_type(el) == CONFIG_TYPE_STRING) {
			r->runbook = xstrdup(config_setting_get_string(el));
		} else if (config_setting_is_group(el)) {
			cfg_check_keys(e, el, require_keys, "requirement");
			if (cfg_str(e, el, "runbook", 1, &r->runbook) != 1)
				continue;
			cfg_duration(e, el, "within", 0, 1, &r->within);
		} else {
			cfg_err(e, el, "a requirement is a runbook name or "
			    "{ runbook = \"...\"; within = \"24h\"; }");
			continue;
		}
		rb->nrequires++;
	}
}

/* Where text of a step kind goes, for the warning below. */
static const char *
refs_dest(const char *kind)
{
	if (strcmp(kind, "sql") == 0)
		return "it goes to psql as written";
	if (strcmp(kind, "redis") == 0)
		return "it goes to redis-cli as written";
	if (strcmp(kind, "http") == 0)
		return "it is sent as written";
	if (strcmp(kind, "run") == 0)
		return "it is left to the shell";
	return "it is shown as written";
}

/* Warns about ${name} references that look like parameters but are not:
 * a likely typo, that the shell would expand to nothing and psql,
 * redis-cli or curl would get as written.  kind is the step's kind key. */
static void
check_refs(struct cfg_errors *e, const config_setting_t *s,
    const struct runbook *rb, const char *text, const char *kind)
{
	const char *p = text, *end;
	const char **names, *sugg;
	char *ref;
	size_t n, i;
	int lower;

	while ((p = strstr(p, "${")) != NULL) {
		if (p > text && p[-1] == '$') {
			p += 2;
			continue;
		}
		p += 2;
		end = strchr(p, '}');
		if (end == NULL)
			return;
		n = (size_t)(end - p);
		if (n > 6 && strncmp(end - 6, ":ident", 6) == 0)
			n -= 6;
		if (!valid_param_name(p, n) || find_param_n(rb, p, n) != NULL)
			continue;
		for (lower = 0, i = 0; i < n; i++)
			if (islower((unsigned char)p[i]))
				lower = 1;
		if (!lower)
			continue;	/* ${HOME}, ${MAINTOP_PGPORT}: environment */
		ref = xstrndup(p, n);
		names = xcalloc(rb->nparams + 1, sizeof *names);
		for (i = 0; i < rb->nparams; i++)
			names[i] = rb->params[i].name;
		sugg = cfg_suggest(ref, names);
		if (sugg != NULL)
			cfg_warn(e, s, "'${%s}' is not a parameter of runbook "
			    "'%s' (did you mean '%s'?); %s", ref, rb->name,
			    sugg, refs_dest(kind));
		else
			cfg_warn(e, s, "'${%s}' is not a parameter of runbook "
			    "'%s'; %s", ref, rb->name, refs_dest(kind));
		free(names);
		free(ref);
	}
}

static struct step *parse_step(struct cfg_errors *, const config_setting_t *,
    const struct runbook *, size_t, const char *);

/* A character of an HTTP token (RFC 9110 5.6.2), as in a header's name. */
static int
http_tchar(int c)
{
	return isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) !=
	    NULL);
}

/*
 * The headers of an http step: each "Name: value" on one line, the name
 * made of token characters.  Parameters may stand in the value only.
 */
static void
parse_headers(struct cfg_errors *e, const config_setting_t *g,
    const struct runbook *rb, struct step *st)
{
	const config_setting_t *list = config_setting_get_member(g, "headers"),
	    *el;
	const char *h, *colon;
	size_t i, n;

	if (cfg_strlist(e, g, "headers", 0, &st->headers, &st->nheaders) != 1)
		return;
	for (i = 0; i < st->nheaders; i++) {
		h = st->headers[i];
		el = config_setting_get_elem(list, (unsigned int)i);
		if (el == NULL)
			el = list;
		colon = strchr(h, ':');
		n = colon != NULL ? (size_t)(colon - h) : 0;
		if (strpbrk(h, "\r\n") != NULL) {
			cfg_err(e, el, "'headers' item %zu of step '%s' must "
			    "be on one line (no CR or LF)", i + 1, st->name);
			continue;
		}
		if (colon == NULL || n == 0) {
			cfg_err(e, el, "'headers' item %zu of step '%s' must "
			    "look like \"Name: value\"", i + 1, st->name);
			continue;
		}
		while (n > 0 && http_tchar((unsigned char)h[n - 1]))
			n--;
		if (n > 0) {
			cfg_err(e, el, "'headers' item %zu of step '%s': the "
			    "name \"%.*s\" may hold only letters, digits and "
			    "!#$%%&'*+-.^_`|~", i + 1, st->name,
			    (int)(colon - h), h);
			continue;
		}
		check_refs(e, el, rb, colon + 1, "http");
	}
}

/* Key that only some kinds take: an error when present on another kind. */
static void
only_for(struct cfg_errors *e, const config_setting_t *g, const char *key,
    const struct step *st, unsigned int kinds, const char *which)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	if (s != NULL && (kinds & (1U << st->kind)) == 0)
		cfg_err(e, s, "'%s' applies only to %s steps, not to %s step "
		    "'%s'", key, which, runbook_kind_name(st->kind), st->name);
}

static void
parse_rollback(struct cfg_errors *e, const config_setting_t *g,
    const struct runbook *rb, struct step *st)
{
	const config_setting_t *s, *el;
	struct step *r;
	char *name;
	int i, n;

	if ((s = config_setting_get_member(g, "rollback")) == NULL)
		return;
	if (config_setting_type(s) == CONFIG_TYPE_STRING ||
	    config_setting_is_group(s))
		n = 1;
	else if (config_setting_is_list(s) || config_setting_is_array(s))
		n = config_setting_length(s);
	else {
		cfg_err(e, s, "'rollback' must be a command string, a step "
		    "{ ... } or a list of them");
		return;
	}
	if (n > RUNBOOK_MAX_ROLLBACK) {
		cfg_err(e, s, "'rollback' of step '%s' has %d steps (at most "
		    "%d)", st->name, n, RUNBOOK_MAX_ROLLBACK);
		return;
	}
	st->rollback = xcalloc((size_t)n, sizeof *st->rollback);
	for (i = 0; i < n; i++) {
		el = (config_setting_type(s) == CONFIG_TYPE_STRING ||
		    config_setting_is_group(s)) ? s :
		    config_setting_get_elem(s, (unsigned int)i);
		name = n == 1 ? xasprintf("rollback of %s", st->name) :
		    xasprintf("rollback %d of %s", i + 1, st->name);
		if (config_setting_type(el) == CONFIG_TYPE_STRING) {
			r = xcalloc(1, sizeof *r);
			r->name = name;
			r->line = cfg_line(el);
			r->kind = STEP_RUN;
			r->text = xstrdup(config_setting_get_string(el));
			r->confirm = 1;
			r->on_failure = RUNBOOK_INHERIT;
			r->timeout = RUNBOOK_TIMEOUT_RUN;
			check_refs(e, el, rb, r->text, "run");
		} else if (config_setting_is_group(el)) {
			if (config_setting_get_member(el, "rollback") != NULL) {
				cfg_err(e, el, "a rollback step cannot have its "
				    "own rollback");
				free(name);
				continue;
			}
			r = parse_step(e, el, rb, (size_t)i, name);
			free(name);
			if (r == NULL)
				continue;
			r->confirm = 1;	/* rollbacks are always confirmed */
		} else {
			cfg_err(e, el, "each rollback must be a command string "
			    "or a step { ... }");
			free(name);
			continue;
		}
		st->rollback[st->nrollback++] = r;
	}
}

/* A check criterion: { check = "api"; worst = "warn"; } (ok by default). */
static struct step *
parse_check_criterion(struct cfg_errors *e, const config_setting_t *g,
    const char *name)
{
	struct step *c;
	char *check;

	if (cfg_str(e, g, "check", 1, &check) != 1)
		return NULL;
	c = xcalloc(1, sizeof *c);
	c->line = cfg_line(g);
	c->kind = STEP_WAIT;
	c->checks = xcalloc(2, sizeof *c->checks);
	c->checks[c->nchecks++] = check;
	c->checks_line = cfg_line(config_setting_get_member(g, "check"));
	c->worst = RUNBOOK_HEALTH_OK;
	if (parse_choice(e, g, "worst", health_names, &c->worst) < 0)
		c->worst = RUNBOOK_HEALTH_OK;
	if (cfg_name(e, g, "name", 0, &c->name) != 1)
		c->name = xstrdup(name);
	c->on_failure = RUNBOOK_INHERIT;
	return c;
}

/*
 * A criteria step's list: each criterion a check (its fresh state no
 * worse than worst), a command run by the shell (exit 0 passes) or an
 * http request (the expected status passes).  All are judged, in order,
 * and the step fails if any failed.
 */
static void
parse_criteria(struct cfg_errors *e, const config_setting_t *g,
    const struct runbook *rb, struct step *st)
{
	const config_setting_t *list = config_setting_get_member(g,
	    "criteria"), *el;
	struct step *c;
	char *name;
	int i, n, nk;

	if (!config_setting_is_list(list)) {
		cfg_err(e, list, "'criteria' of step '%s' must be a list of "
		    "( { check = \"...\"; }, { run = \"...\"; }, "
		    "{ http = \"...\"; } )", st->name);
		return;
	}
	n = config_setting_length(list);
	if (n == 0 || n > RUNBOOK_MAX_CRITERIA) {
		cfg_err(e, list, "'criteria' of step '%s' has %d criteria (1 "
		    "to %d)", st->name, n, RUNBOOK_MAX_CRITERIA);
		return;
	}
	st->criteria = xcalloc((size_t)n, sizeof *st->criteria);
	for (i = 0; i < n; i++) {
		el = config_setting_get_elem(list, (unsigned int)i);
		if (!config_setting_is_group(el)) {
			cfg_err(e, el, "each criterion of step '%s' must be a "
			    "group { check = \"...\"; } or { run = \"...\"; } "
			    "or { http = \"...\"; }", st->name);
			continue;
		}
		cfg_check_keys(e, el, criterion_keys, "criterion");
		nk = (config_setting_get_member(el, "check") != NULL) +
		    (config_setting_get_member(el, "run") != NULL) +
		    (config_setting_get_member(el, "http") != NULL);
		if (nk != 1) {
			cfg_err(e, el, "criterion %d of step '%s' needs exactly "
			    "one of check, run or http", i + 1, st->name);
			continue;
		}
		name = xasprintf("criterion %d of %s", i + 1, st->name);
		if (config_setting_get_member(el, "check") != NULL) {
			if ((c = parse_check_criterion(e, el, name)) == NULL) {
				free(name);
				continue;
			}
		} else if (config_setting_get_member(el, "worst") != NULL) {
			cfg_err(e, config_setting_get_member(el, "worst"),
			    "'worst' applies to a check criterion");
			free(name);
			continue;
		} else if ((c = parse_step(e, el, rb, (size_t)i, name)) ==
		    NULL) {
			free(name);
			continue;
		}
		free(name);
		/* One timeout, the step's, covers every criterion. */
		c->timeout = st->timeout;
		c->confirm = 0;
		st->criteria[st->ncriteria++] = c;
	}
}

/* on_failure, always and a pause's unattended: what a failure does. */
static void
parse_step_policy(struct cfg_errors *e, const config_setting_t *g,
    struct step *st, int is_rollback)
{
	static const char *const unattended_names[] = { "fail", "continue",
	    NULL };
	const config_setting_t *s;
	int v;

	st->on_failure = RUNBOOK_INHERIT;
	if (parse_choice(e, g, "on_failure", policy_names, &v) == 1)
		st->on_failure = v;
	cfg_bool(e, g, "always", 0, &st->always);
	if (parse_choice(e, g, "unattended", unattended_names, &v) == 1)
		st->unattended_continue = v == 1;
	if (!is_rollback)
		return;
	if ((s = config_setting_get_member(g, "always")) != NULL)
		cfg_err(e, s, "'always' applies to a runbook's steps, not to "
		    "a rollback");
	if ((s = config_setting_get_member(g, "on_failure")) != NULL)
		cfg_err(e, s, "a failed rollback ends the run as "
		    "rollback-failed; it takes no 'on_failure'");
}

static struct step *
parse_step(struct cfg_errors *e, const config_setting_t *g,
    const struct runbook *rb, size_t idx, const char *defname)
{
	struct step *st;
	const config_setting_t *s;
	const char *kinds[8];
	char **words, *why = NULL;
	size_t nk = 0, i, nwords;
	int k, found = -1;

	if (!config_setting_is_group(g)) {
		cfg_err(e, g, "each step of runbook '%s' must be a group "
		    "{ name = \"...\"; run = \"...\"; }", rb->name);
		return NULL;
	}
	cfg_check_keys(e, g, step_keys, "runbook step");
	st = xcalloc(1, sizeof *st);
	st->line = cfg_line(g);
	st->confirm = 1;
	if (cfg_name(e, g, "name", 0, &st->name) != 1)
		st->name = defname != NULL ? xstrdup(defname) :
		    xasprintf("step %zu", idx + 1);
	for (k = 0; kind_keys[k] != NULL; k++) {
		if (config_setting_get_member(g, kind_keys[k]) == NULL)
			continue;
		kinds[nk++] = kind_keys[k];
		if (found == -1)
			found = k;
	}
	if (nk == 0) {
		cfg_err(e, g, "step '%s' of runbook '%s' needs exactly one of "
		    "run, sql, redis, http, wait_healthy, pause or criteria",
		    st->name, rb->name);
		step_free(st);
		return NULL;
	}
	if (nk > 1) {
		cfg_err(e, g, "step '%s' of runbook '%s' has both '%s' and "
		    "'%s'; a step does exactly one thing", st->name, rb->name,
		    kinds[0], kinds[1]);
		step_free(st);
		return NULL;
	}
	st->kind = (enum step_kind)found;
	switch (st->kind) {
	case STEP_WAIT:
		if (cfg_strlist(e, g, "wait_healthy", 1, &st->checks,
		    &st->nchecks) != 1)
			goto bad;
		if (st->nchecks == 0) {
			cfg_err(e, g, "'wait_healthy' of step '%s' names no "
			    "check", st->name);
			goto bad;
		}
		st->checks_line = cfg_line(config_setting_get_member(g,
		    "wait_healthy"));
		st->timeout = RUNBOOK_TIMEOUT_WAIT;
		break;
	case STEP_CRITERIA:
		st->timeout = RUNBOOK_TIMEOUT_OTHER;
		break;
	default:
		if (cfg_str(e, g, kind_keys[found], 1, &st->text) != 1)
			goto bad;
		if (*st->text == '\0') {
			cfg_err(e, config_setting_get_member(g,
			    kind_keys[found]), "'%s' of step '%s' is empty",
			    kind_keys[found], st->name);
			goto bad;
		}
		check_refs(e, config_setting_get_member(g, kind_keys[found]),
		    rb, st->text, kind_keys[found]);
		if (st->kind == STEP_REDIS && runbook_redis_words(rb, NULL,
		    st->text, 1, &words, &nwords, &why) != 0) {
			cfg_err(e, config_setting_get_member(g,
			    kind_keys[found]), "'redis' of step '%s': %s",
			    st->name, why);
			free(why);
		} else if (st->kind == STEP_REDIS) {
			while (nwords > 0)
				free(words[--nwords]);
			free(words);
		}
		st->timeout = st->kind == STEP_RUN ? RUNBOOK_TIMEOUT_RUN :
		    st->kind == STEP_PAUSE ? 0 : RUNBOOK_TIMEOUT_OTHER;
		break;
	}

	only_for(e, g, "cwd", st, 1U << STEP_RUN, "run");
	only_for(e, g, "env", st, 1U << STEP_RUN, "run");
	only_for(e, g, "env_pass", st, 1U << STEP_RUN, "run");
	only_for(e, g, "interactive", st, 1U << STEP_RUN, "run");
	only_for(e, g, "on", st, 1U << STEP_SQL | 1U << STEP_REDIS,
	    "sql and redis");
	only_for(e, g, "method", st, 1U << STEP_HTTP, "http");
	only_for(e, g, "headers", st, 1U << STEP_HTTP, "http");
	only_for(e, g, "body", st, 1U << STEP_HTTP, "http");
	only_for(e, g, "expect_status", st, 1U << STEP_HTTP, "http");
	only_for(e, g, "unattended", st, 1U << STEP_PAUSE, "pause");

	cfg_str(e, g, "cwd", 0, &st->cwd);
	if (cfg_strlist(e, g, "env", 0, &st->env, &st->nenv) == 1) {
		for (i = 0; i < st->nenv; i++) {
			const char *eq = strchr(st->env[i], '=');

			if (eq == NULL || !valid_param_name(st->env[i],
			    (size_t)(eq - st->env[i])))
				cfg_err(e, config_setting_get_member(g, "env"),
				    "'env' of step '%s': \"%s\" is not "
				    "NAME=value", st->name, st->env[i]);
		}
	}
	if (cfg_strlist(e, g, "env_pass", 0, &st->env_pass,
	    &st->nenv_pass) == 1) {
		for (i = 0; i < st->nenv_pass; i++) {
			if (!valid_param_name(st->env_pass[i],
			    strlen(st->env_pass[i])))
				cfg_err(e, config_setting_get_member(g,
				    "env_pass"), "'env_pass' of step '%s': "
				    "\"%s\" is not a variable name", st->name,
				    st->env_pass[i]);
		}
	}
	if (st->kind == STEP_SQL || st->kind == STEP_REDIS) {
		cfg_str(e, g, "on", 1, &st->on);
		st->on_line = cfg_line(config_setting_get_member(g, "on"));
	}
	if (st->kind == STEP_HTTP) {
		if (cfg_str(e, g, "method", 0, &st->method) != 1)
			st->method = xstrdup("GET");
		for (i = 0; st->method[i] != '\0'; i++)
			if (!isupper((unsigned char)st->method[i]))
				break;
		if (st->method[i] != '\0' || i == 0 || i > 16)
			cfg_err(e, config_setting_get_member(g, "method"),
			    "'method' of step '%s' must be an upper-case HTTP "
			    "method such as \"POST\"", st->name);
		parse_headers(e, g, rb, st);
		cfg_str(e, g, "body", 0, &st->body);
		st->expect_status = 0;	/* any 2xx */
		cfg_int(e, g, "expect_status", 0, 100, 599,
		    &st->expect_status);
	}
	cfg_bool(e, g, "confirm", 0, &st->confirm);
	if (st->kind == STEP_PAUSE && !st->confirm) {
		s = config_setting_get_member(g, "confirm");
		cfg_err(e, s, "pause step '%s' waits for the user; it cannot "
		    "have confirm = false", st->name);
	}
	cfg_bool(e, g, "danger", 0, &st->danger);
	cfg_bool(e, g, "continue_on_error", 0, &st->continue_on_error);
	cfg_bool(e, g, "interactive", 0, &st->interactive);
	cfg_duration(e, g, "timeout", 0, 1, &st->timeout);
	if (st->kind == STEP_CRITERIA)
		parse_criteria(e, g, rb, st);
	parse_step_policy(e, g, st, defname != NULL);
	if (defname == NULL)
		parse_rollback(e, g, rb, st);
	else if (config_setting_get_member(g, "rollback") != NULL)
		cfg_err(e, g, "a rollback step cannot have its own rollback");
	if (st->always && st->nrollback > 0)
		cfg_err(e, config_setting_get_member(g, "rollback"), "always "
		    "step '%s' runs after any rollback; it cannot have one",
		    st->name);
	return st;

bad:
	step_free(st);
	return NULL;
}

/* The absolute directory of a file (a new string), or NULL. */
static char *
file_dir(const char *file)
{
	char *copy, *dir, real[PATH_MAX];

	if (file == NULL)
		return NULL;
	copy = xstrdup(file);
	dir = dirname(copy);
	if (realpath(dir, real) == NULL) {
		free(copy);
		return NULL;
	}
	free(copy);
	return xstrdup(real);
}

struct runbook *
runbook_parse(struct cfg_errors *e, const config_setting_t *g,
    const struct settings *settings)
{
	struct runbook *rb;
	const config_setting_t *list, *el;
	struct step *st;
	const char *file;
	int i, n;

	(void)settings;
	if (g == NULL || !config_setting_is_group(g)) {
		cfg_err(e, g, "a runbook must be a group { name = \"...\"; "
		    "steps = ( ... ); }");
		return NULL;
	}
	cfg_check_keys(e, g, runbook_keys, "runbook");
	rb = xcalloc(1, sizeof *rb);
	rb->line = cfg_line(g);
	file = cfg_file(g);
	rb->file = file != NULL ? xstrdup(file) : NULL;
	if (cfg_str(e, g, "name", 1, &rb->name) != 1) {
		runbook_free(rb);
		return NULL;
	}
	if (!valid_runbook_name(rb->name)) {
		cfg_err(e, config_setting_get_member(g, "name"), "runbook name "
		    "'%s' must be 1-64 letters, digits, '-', '_' or '.', "
		    "starting with a letter or digit", rb->name);
		runbook_free(rb);
		return NULL;
	}
	rb->dir = file_dir(file);
	cfg_str(e, g, "description", 0, &rb->description);
	parse_params(e, g, rb);
	parse_healthy(e, g, rb);
	cfg_bool(e, g, "require_window", 0, &rb->require_window);
	if (cfg_strlist(e, g, "notify", 0, &rb->notify, &rb->nnotify) == 1)
		rb->notify_line = cfg_line(config_setting_get_member(g,
		    "notify"));
	parse_requires(e, g, rb);
	rb->on_failure = RUNBOOK_ASK;
	parse_choice(e, g, "on_failure", policy_names, &rb->on_failure);
	rb->unattended_failure = RUNBOOK_ROLLBACK;
	if (parse_choice(e, g, "unattended_failure", policy_names,
	    &rb->unattended_failure) == 1 &&
	    rb->unattended_failure == RUNBOOK_ASK) {
		cfg_err(e, config_setting_get_member(g, "unattended_failure"),
		    "'unattended_failure' of runbook '%s' cannot be \"ask\": "
		    "nobody is there to answer", rb->name);
		rb->unattended_failure = RUNBOOK_ROLLBACK;
	}
	cfg_duration(e, g, "budget", 0, 1, &rb->budget);
	cfg_strlist(e, g, "secret_values", 0, &rb->secret_values,
	    &rb->nsecret_values);
	for (i = 0; i < (int)rb->nsecret_values; i++)
		if (!valid_param_name(rb->secret_values[i],
		    strlen(rb->secret_values[i])))
			cfg_err(e, config_setting_get_member(g,
			    "secret_values"), "'secret_values' of runbook "
			    "'%s': \"%s\" is not a value's name (letters, "
			    "digits and '_')", rb->name, rb->secret_values[i]);

	list = cfg_list(e, g, "steps");
	if (list == NULL) {
		if (config_setting_get_member(g, "steps") == NULL)
			cfg_err(e, g, "runbook '%s' has no 'steps'", rb->name);
		return rb;
	}
	n = config_setting_length(list);
	if (n == 0)
		cfg_err(e, list, "runbook '%s' has no steps", rb->name);
	if (n > RUNBOOK_MAX_STEPS) {
		cfg_err(e, list, "runbook '%s' has %d steps (at most %d)",
		    rb->name, n, RUNBOOK_MAX_STEPS);
		return rb;
	}
	rb->steps = xcalloc((size_t)n, sizeof *rb->steps);
	for (i = 0; i < n; i++) {
		el = config_setting_get_elem(list, (unsigned int)i);
		st = parse_step(e, el, rb, (size_t)i, NULL);
		if (st == NULL)
			continue;
		if (!st->always && rb->nsteps > 0 &&
		    rb->steps[rb->nsteps - 1]->always)
			cfg_err(e, el, "step '%s' of runbook '%s' follows an "
			    "always step: always steps run last, so list them "
			    "last", st->name, rb->name);
		if (st->always && st->on_failure != RUNBOOK_INHERIT)
			cfg_err(e, config_setting_get_member(el, "on_failure"),
			    "always step '%s' never stops the run; it takes "
			    "no 'on_failure'", st->name);
		rb->steps[rb->nsteps++] = st;
	}
	return rb;
}

void
runbook_set_file(struct runbook *rb, const char *file)
{
	if (rb->file == NULL)
		rb->file = xstrdup(file);
	if (rb->dir == NULL)
		rb->dir = file_dir(file);
}

/* Appends the runbooks of an already read text to c; from_file: the text
 * is the file name's, whose directory the runbooks' paths are relative
 * to. */
static int
load_config_t(struct config *c, config_t *lc, const char *name,
    int from_file, struct cfg_errors *e)
{
	const config_setting_t *root, *list, *el;
	struct runbook *rb;
	size_t before = e->nerrors, first, k;
	int i, n;

	first = e->n;
	root = config_root_setting(lc);
	cfg_check_keys(e, root, file_keys, "a runbook file");
	list = cfg_list(e, root, "runbooks");
	if (list == NULL) {
		if (config_setting_get_member(root, "runbooks") == NULL)
			cfg_err_at(e, name, 0, 0, "no 'runbooks = ( ... );' "
			    "list in this runbook file");
		goto out;
	}
	n = config_setting_length(list);
	for (i = 0; i < n; i++) {
		el = config_setting_get_elem(list, (unsigned int)i);
		rb = runbook_parse(e, el, &c->settings);
		if (rb == NULL)
			continue;
		if (from_file)
			runbook_set_file(rb, name);
		else if (rb->file == NULL)
			rb->file = xstrdup(name);	/* rb->dir stays NULL */
		c->runbooks = xreallocarray(c->runbooks, c->nrunbooks + 1,
		    sizeof *c->runbooks);
		c->runbooks[c->nrunbooks++] = rb;
	}
out:
	/* Text read from memory has no file name in libconfig: use ours. */
	for (k = first; k < e->n; k++)
		if (e->v[k].file == NULL)
			e->v[k].file = xstrdup(name);
	return (int)(e->nerrors - before);
}

static void
syntax_error(config_t *lc, const char *name, struct cfg_errors *e)
{
	const char *file = config_error_file(lc);
	const char *text = config_error_text(lc);

	cfg_err_at(e, file != NULL ? file : name, config_error_line(lc), 0,
	    "%s", text != NULL ? text : "cannot read runbook file");
}

/* Reads text, already checked by cfgscan, and appends its runbooks. */
static int
load_checked(struct config *c, char *text, const char *name,
    const char *dir, struct cfg_errors *e)
{
	config_t lc;
	int n;

	if (text == NULL)
		return 1;
	config_init(&lc);
	if (dir != NULL)
		config_set_include_dir(&lc, dir);
	if (config_read_string(&lc, text) != CONFIG_TRUE) {
		syntax_error(&lc, name, e);
		config_destroy(&lc);
		free(text);
		return 1;
	}
	free(text);
	n = load_config_t(c, &lc, name, dir != NULL, e);
	config_destroy(&lc);
	return n;
}

int
runbook_load_string(struct config *c, const char *text, const char *name,
    struct cfg_errors *e)
{
	return load_checked(c, cfgscan_string(text, strlen(text), name, NULL,
	    e), name, NULL, e);
}

static int
load_file(struct config *c, const char *dir, const char *path,
    struct cfg_errors *e)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		cfg_err_at(e, path, 0, 0, "%s", strerror(errno));
		return 1;
	}
	if (!S_ISREG(st.st_mode))
		return 0;
	if (st.st_size > RUNBOOK_FILE_MAX) {
		cfg_err_at(e, path, 0, 0, "runbook file is too large (%lld "
		    "bytes, at most %d)", (long long)st.st_size,
		    RUNBOOK_FILE_MAX);
		return 1;
	}
	return load_checked(c, cfgscan_file(path, dir, e), path, dir, e);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
runbook_load_dir(struct config *c, const char *dir, struct cfg_errors *e)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL, *path;
	size_t n = 0, i, len;
	int errors = 0;

	if ((d = opendir(dir)) == NULL) {
		cfg_err_at(e, c != NULL ? c->path : NULL, 0, 0,
		    "runbook_dir %s: %s", dir, strerror(errno));
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 6 ||
		    strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, name_cmp);
	for (i = 0; i < n; i++) {
		path = xasprintf("%s/%s", dir, names[i]);
		errors += load_file(c, dir, path, e);
		free(path);
		free(names[i]);
	}
	free(names);
	return errors;
}

/* Whether a check is of the kind a step needs ("postgres", "redis"). */
static int
check_is_kind(const struct check *chk, const char *kind)
{
	if (strcmp(kind, "postgres") == 0)
		return chk->type == CHECK_POSTGRES;
	if (strcmp(kind, "redis") == 0)
		return chk->type == CHECK_REDIS;
	return chk->type == CHECK_HTTP;
}

/*
 * Reports a check reference that names no check, or one of the wrong kind,
 * at line (the line of the key or entry that holds it), with the nearest
 * configured name when one is close.
 */
static void
resolve_check(const struct config *c, struct cfg_errors *e,
    const struct runbook *rb, int line, const char *name, const char *kind,
    const char *what)
{
	const struct check *chk = config_find_check(c, name);
	const char **names, *sugg;
	size_t i;

	if (chk == NULL) {
		names = xcalloc(c->nchecks + 1, sizeof *names);
		for (i = 0; i < c->nchecks; i++)
			names[i] = c->checks[i]->name;
		sugg = cfg_suggest(name, names);
		cfg_err_at(e, rb->file, line, 0, "%s of runbook '%s' names "
		    "unknown check '%s'%s%s%s", what, rb->name, name,
		    sugg != NULL ? " (did you mean '" : "",
		    sugg != NULL ? sugg : "", sugg != NULL ? "'?)" : "");
		free(names);
	} else if (kind != NULL && !check_is_kind(chk, kind))
		cfg_err_at(e, rb->file, line, 0, "%s of runbook '%s': check "
		    "'%s' is not a %s check", what, rb->name, name, kind);
}

static void
resolve_step(const struct config *c, struct cfg_errors *e,
    const struct runbook *rb, struct step *st)
{
	const struct check *chk;
	size_t i;

	switch (st->kind) {
	case STEP_WAIT:
		for (i = 0; i < st->nchecks; i++)
			resolve_check(c, e, rb, st->checks_line > 0 ?
			    st->checks_line : st->line, st->checks[i], NULL,
			    "wait_healthy");
		break;
	case STEP_SQL:
	case STEP_REDIS:
		if (st->on == NULL)
			break;
		resolve_check(c, e, rb, st->on_line > 0 ? st->on_line :
		    st->line, st->on,
		    st->kind == STEP_SQL ? "postgres" : "redis",
		    st->kind == STEP_SQL ? "sql step" : "redis step");
		chk = config_find_check(c, st->on);
		if (chk != NULL && check_is_kind(chk, st->kind == STEP_SQL ?
		    "postgres" : "redis"))
			st->check = chk;
		break;
	case STEP_CRITERIA:
		for (i = 0; i < st->ncriteria; i++) {
			if (st->criteria[i]->kind == STEP_WAIT)
				resolve_check(c, e, rb,
				    st->criteria[i]->checks_line,
				    st->criteria[i]->checks[0], NULL,
				    "criterion");
			else
				resolve_step(c, e, rb, st->criteria[i]);
		}
		break;
	default:
		break;
	}
	for (i = 0; i < st->nrollback; i++)
		resolve_step(c, e, rb, st->rollback[i]);
}

static size_t
runbook_index(const struct config *c, const struct runbook *rb)
{
	size_t i;

	for (i = 0; i < c->nrunbooks; i++)
		if (c->runbooks[i] == rb)
			return i;
	return (size_t)-1;
}

/*
 * Depth-first search over "requires" edges.  colour: 0 unseen, 1 on the
 * path, 2 done.  A cycle is reported once, at the runbook that closes it,
 * spelled out from where it starts on the current path.
 */
static void
find_cycles(const struct config *c, struct cfg_errors *e, size_t v,
    int *colour, size_t *path, size_t depth)
{
	const struct runbook *rb = c->runbooks[v], *to;
	struct buf b;
	size_t i, j, w, start;

	colour[v] = 1;
	path[depth] = v;
	for (i = 0; i < rb->nrequires; i++) {
		to = config_find_runbook(c, rb->requires[i].runbook);
		if (to == NULL || (w = runbook_index(c, to)) == (size_t)-1)
			continue;
		if (colour[w] == 0)
			find_cycles(c, e, w, colour, path, depth + 1);
		else if (colour[w] == 1) {
			for (start = 0; start <= depth; start++)
				if (path[start] == w)
					break;
			buf_init(&b);
			for (j = start; j <= depth; j++)
				buf_printf(&b, "%s -> ",
				    c->runbooks[path[j]]->name);
			buf_adds(&b, c->runbooks[w]->name);
			cfg_err_at(e, rb->file, rb->requires[i].line, 0,
			    "runbook requirements form a cycle: %s", b.s);
			buf_free(&b);
		}
	}
	colour[v] = 2;
}

void
runbook_resolve(const struct config *c, struct cfg_errors *e)
{
	const struct runbook *rb;
	const char **names;
	const char *sugg;
	size_t i, j, *path;
	int *colour;

	names = xcalloc(c->nrunbooks + 1, sizeof *names);
	for (i = 0; i < c->nrunbooks; i++)
		names[i] = c->runbooks[i]->name;
	for (i = 0; i < c->nrunbooks; i++) {
		rb = c->runbooks[i];
		for (j = 0; j < rb->nrequires_healthy; j++)
			resolve_check(c, e, rb, rb->healthy_line[j] > 0 ?
			    rb->healthy_line[j] : rb->line,
			    rb->requires_healthy[j], NULL, "requires_healthy");
		for (j = 0; j < rb->nrequires; j++) {
			if (config_find_runbook(c, rb->requires[j].runbook)
			    != NULL)
				continue;
			sugg = cfg_suggest(rb->requires[j].runbook, names);
			if (sugg != NULL)
				cfg_err_at(e, rb->file, rb->requires[j].line,
				    0, "runbook '%s' requires unknown runbook "
				    "'%s' (did you mean '%s'?)", rb->name,
				    rb->requires[j].runbook, sugg);
			else
				cfg_err_at(e, rb->file, rb->requires[j].line,
				    0, "runbook '%s' requires unknown runbook "
				    "'%s'", rb->name, rb->requires[j].runbook);
		}
		for (j = 0; j < rb->nsteps; j++)
			resolve_step(c, e, rb, rb->steps[j]);
	}
	colour = xcalloc(c->nrunbooks + 1, sizeof *colour);
	path = xcalloc(c->nrunbooks + 1, sizeof *path);
	for (i = 0; i < c->nrunbooks; i++)
		if (colour[i] == 0)
			find_cycles(c, e, i, colour, path, 0);
	free(path);
	free(colour);
	free(names);
}

/*
 * Marks in seen (one flag per configured runbook) every runbook that v
 * requires, directly or through others.
 */
static void
mark_required(const struct config *c, size_t v, unsigned char *seen)
{
	const struct runbook *rb = c->runbooks[v], *to;
	size_t i, w;

	for (i = 0; i < rb->nrequires; i++) {
		to = config_find_runbook(c, rb->requires[i].runbook);
		if (to == NULL || (w = runbook_index(c, to)) == (size_t)-1 ||
		    seen[w])
			continue;
		seen[w] = 1;
		mark_required(c, w, seen);
	}
}

/* A min-heap of indices: the ready names, the earliest in the list first. */
struct order_heap {
	size_t	*v;
	size_t	 n;
};

static void
heap_push(struct order_heap *h, size_t x)
{
	size_t i = h->n++, p, t;

	h->v[i] = x;
	while (i > 0 && h->v[p = (i - 1) / 2] > h->v[i]) {
		t = h->v[p];
		h->v[p] = h->v[i];
		h->v[i] = t;
		i = p;
	}
}

static size_t
heap_pop(struct order_heap *h)
{
	size_t top = h->v[0], i = 0, c, t;

	h->v[0] = h->v[--h->n];
	for (;;) {
		c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->v[c + 1] < h->v[c])
			c++;
		if (h->v[i] <= h->v[c])
			break;
		t = h->v[c];
		h->v[c] = h->v[i];
		h->v[i] = t;
		i = c;
	}
	return top;
}

/*
 * Kahn's algorithm over the names, always taking the earliest ready one.
 * Names of the same runbook share a "slot" so that the work grows with the
 * distinct runbooks named, not with the square of a long list: req[a * ns +
 * b] says slot b's runbook must come before slot a's, need[a] counts the
 * names still to be placed that slot a waits for.
 */
size_t *
runbook_order(const struct config *c, char *const *names, size_t n)
{
	const struct runbook *rb;
	struct order_heap heap;
	unsigned char *req, *seen, *placed, *cyclic;
	size_t *order, *slot, *rbof, *cnt, *need, ns = 0, i, a, b, k, next = 0;
	size_t p;

	if (n == 0)
		return NULL;
	order = xcalloc(n, sizeof *order);
	slot = xcalloc(n, sizeof *slot);
	rbof = xcalloc(c->nrunbooks + 1, sizeof *rbof);	/* slot of each */
	placed = xcalloc(n, 1);
	for (i = 0; i < c->nrunbooks; i++)
		rbof[i] = (size_t)-1;
	/* The slots: which configured runbook each stands for. */
	for (i = 0; i < n; i++) {
		rb = config_find_runbook(c, names[i]);
		k = rb != NULL ? runbook_index(c, rb) : (size_t)-1;
		if (k == (size_t)-1) {
			slot[i] = (size_t)-1;
			continue;
		}
		if (rbof[k] == (size_t)-1)
			rbof[k] = ns++;
		slot[i] = rbof[k];
	}
	req = xcalloc(ns * ns + 1, 1);
	cnt = xcalloc(ns + 1, sizeof *cnt);
	need = xcalloc(ns + 1, sizeof *need);
	seen = xcalloc(c->nrunbooks + 1, 1);
	cyclic = xcalloc(ns + 1, 1);
	for (k = 0; k < c->nrunbooks; k++) {
		if ((a = rbof[k]) == (size_t)-1)
			continue;
		memset(seen, 0, c->nrunbooks + 1);
		mark_required(c, k, seen);
		cyclic[a] = seen[k];
		for (i = 0; i < c->nrunbooks; i++)
			if (i != k && seen[i] && rbof[i] != (size_t)-1)
				req[a * ns + rbof[i]] = 1;
	}
	for (i = 0; i < n; i++)
		if (slot[i] != (size_t)-1)
			cnt[slot[i]]++;
	for (a = 0; a < ns; a++)
		for (b = 0; b < ns; b++)
			if (req[a * ns + b])
				need[a] += cnt[b];
	heap.v = xcalloc(n, sizeof *heap.v);
	heap.n = 0;
	for (i = 0; i < n; i++)
		if (slot[i] == (size_t)-1 || need[slot[i]] == 0)
			heap_push(&heap, i);
	for (k = 0; k < n; k++) {
		if (heap.n > 0)
			p = heap_pop(&heap);
		else {
			/*
			 * Only a cycle leaves nothing ready: break it at the
			 * earliest name on one (what merely requires a cycle
			 * still waits for it).
			 */
			for (p = 0; p < n; p++)
				if (!placed[p] && slot[p] != (size_t)-1 &&
				    cyclic[slot[p]])
					break;
			if (p == n) {
				while (placed[next])
					next++;
				p = next;
			}
		}
		placed[p] = 1;
		order[k] = p;
		if ((b = slot[p]) == (size_t)-1)
			continue;
		for (a = 0; a < ns; a++) {
			if (!req[a * ns + b] || need[a] == 0 || --need[a] > 0)
				continue;
			/* Slot a waits for nothing more: its names are ready. */
			for (i = 0; i < n; i++)
				if (slot[i] == a && !placed[i])
					heap_push(&heap, i);
		}
	}
	free(heap.v);
	free(cyclic);
	free(seen);
	free(need);
	free(cnt);
	free(req);
	free(placed);
	free(rbof);
	free(slot);
	return order;
}

int
runbook_step_policy(const struct runbook *rb, const struct step *st,
    int unattended)
{
	int p = st->on_failure != RUNBOOK_INHERIT ? st->on_failure :
	    rb->on_failure;

	if (p == RUNBOOK_ASK && unattended)
		p = rb->unattended_failure;
	if (p == RUNBOOK_ASK && unattended)
		p = RUNBOOK_ROLLBACK;	/* never ask nobody */
	return p;
}

const struct step *
runbook_danger_step(const struct runbook *rb)
{
	const struct step *st;
	size_t i, j;

	for (i = 0; i < rb->nsteps; i++) {
		st = rb->steps[i];
		if (st->danger)
			return st;
		for (j = 0; j < st->nrollback; j++)
			if (st->rollback[j]->danger)
				return st->rollback[j];
	}
	return NULL;
}

char *
runbook_step_cwd(const struct runbook *rb, char *const *values,
    const struct step *st)
{
	char *cwd, *abs;

	if (st->cwd == NULL)
		return rb->dir != NULL ? xstrdup(rb->dir) : NULL;
	cwd = runbook_subst(rb, values, st->cwd, RUNBOOK_SUBST_RAW, 0);
	if (cwd[0] == '~' && (cwd[1] == '/' || cwd[1] == '\0')) {
		abs = cfg_expand_home(cwd);
		free(cwd);
		cwd = abs;
	}
	if (cwd[0] == '/' || rb->dir == NULL)
		return cwd;
	abs = xasprintf("%s/%s", rb->dir, cwd);
	free(cwd);
	return abs;
}

int
runbook_value_secret(const struct runbook *rb, const char *name)
{
	const struct runbook_param *p;
	size_t i;

	for (i = 0; i < rb->nsecret_values; i++)
		if (strcmp(rb->secret_values[i], name) == 0)
			return 1;
	p = runbook_find_param(rb, name);
	return p != NULL && p->secret;
}

int
runbook_param_check(const struct runbook_param *p, const char *v,
    char **cause)
{
	const char *shown = p->secret ? RUNBOOK_MASK : v;

	if (strlen(v) > RUNBOOK_MAX_VALUE) {
		*cause = xasprintf("parameter '%s' is too long (at most %d "
		    "bytes)", p->name, RUNBOOK_MAX_VALUE);
		return -1;
	}
	if (p->has_re && regexec(&p->re, v, 0, NULL, 0) != 0) {
		*cause = xasprintf("parameter '%s': \"%s\" does not match "
		    "the pattern %s", p->name, shown, p->pattern);
		return -1;
	}
	return 0;
}

void
runbook_values_free(const struct runbook *rb, char **values)
{
	size_t i;

	if (values == NULL)
		return;
	for (i = 0; i < rb->nparams; i++)
		free(values[i]);
	free(values);
}

int
runbook_bind(const struct runbook *rb, char *const *assign, size_t n,
    char ***out, size_t *missing, char **cause)
{
	char **v;
	const char **names, *eq, *sugg;
	const struct runbook_param *p;
	char *key;
	size_t i, k;

	if (missing != NULL)
		*missing = (size_t)-1;
	v = xcalloc(rb->nparams + 1, sizeof *v);
	for (i = 0; i < n; i++) {
		eq = strchr(assign[i], '=');
		if (eq == NULL) {
			*cause = xasprintf("--param needs NAME=VALUE, not "
			    "\"%s\"", assign[i]);
			goto fail;
		}
		key = xstrndup(assign[i], (size_t)(eq - assign[i]));
		p = runbook_find_param(rb, key);
		if (p == NULL) {
			names = xcalloc(rb->nparams + 1, sizeof *names);
			for (k = 0; k < rb->nparams; k++)
				names[k] = rb->params[k].name;
			sugg = cfg_suggest(key, names);
			if (sugg != NULL)
				*cause = xasprintf("runbook '%s' has no "
				    "parameter '%s' (did you mean '%s'?)",
				    rb->name, key, sugg);
			else
				*cause = xasprintf("runbook '%s' has no "
				    "parameter '%s'", rb->name, key);
			free(names);
			free(key);
			goto fail;
		}
		free(key);
		k = (size_t)(p - rb->params);
		if (runbook_param_check(p, eq + 1, cause) != 0)
			goto fail;
		free(v[k]);
		v[k] = xstrdup(eq + 1);
	}
	for (k = 0; k < rb->nparams; k++) {
		if (v[k] != NULL)
			continue;
		if (rb->params[k].def == NULL) {
			if (missing != NULL)
				*missing = k;
			*cause = xasprintf("runbook '%s' needs a value for "
			    "parameter '%s'%s%s", rb->name,
			    rb->params[k].name,
			    rb->params[k].description != NULL ? ": " : "",
			    rb->params[k].description != NULL ?
			    rb->params[k].description : "");
			goto fail;
		}
		v[k] = xstrdup(rb->params[k].def);
	}
	*out = v;
	return 0;

fail:
	runbook_values_free(rb, v);
	return -1;
}

static void
quote_shell(struct buf *b, const char *v)
{
	buf_addc(b, '\'');
	for (; *v != '\0'; v++) {
		if (*v == '\'')
			buf_adds(b, "'\\''");
		else
			buf_addc(b, *v);
	}
	buf_addc(b, '\'');
}

static void
quote_sql(struct buf *b, const char *v, char q)
{
	buf_addc(b, q);
	for (; *v != '\0'; v++) {
		if (*v == q)
			buf_addc(b, q);
		buf_addc(b, *v);
	}
	buf_addc(b, q);
}

static void
quote_url(struct buf *b, const char *v)
{
	const unsigned char *p;

	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		if (isalnum(*p) || strchr("-._~", *p) != NULL)
			buf_addc(b, (char)*p);
		else
			buf_printf(b, "%%%02X", *p);
	}
}

/*
 * The shell quoting context at a point of a template: a stack, since
 * "$(...)" and backquotes open a fresh unquoted context even inside double
 * quotes.  A mistake here cannot inject anything (values are never in the
 * command text), it could only split a word: the tracking is for
 * correctness, not for safety.
 */
enum shell_ctx { SH_PLAIN, SH_SINGLE, SH_DOUBLE, SH_PAREN, SH_BACK };
#define SHELL_DEPTH 32

struct shell_state {
	enum shell_ctx	v[SHELL_DEPTH];
	int		n;	/* v[n - 1] is the context; n >= 1 */
};

static enum shell_ctx
shell_top(const struct shell_state *ss)
{
	return ss->v[ss->n - 1];
}

static void
shell_push(struct shell_state *ss, enum shell_ctx c)
{
	if (ss->n < SHELL_DEPTH)
		ss->v[ss->n++] = c;
}

static void
shell_pop(struct shell_state *ss)
{
	if (ss->n > 1)
		ss->n--;
}

/* Advances over the character at *pp (and the one it escapes). */
static void
shell_track(struct shell_state *ss, const char **pp)
{
	const char *p = *pp;
	enum shell_ctx c = shell_top(ss);

	if (c == SH_SINGLE) {
		if (*p == '\'')
			shell_pop(ss);
		return;
	}
	if (*p == '\\' && p[1] != '\0') {
		*pp = p + 1;
		return;
	}
	if (*p == '$' && p[1] == '(') {
		shell_push(ss, SH_PAREN);
		*pp = p + 1;
		return;
	}
	if (*p == '`') {
		if (c == SH_BACK)
			shell_pop(ss);
		else
			shell_push(ss, SH_BACK);
		return;
	}
	if (c == SH_DOUBLE) {
		if (*p == '"')
			shell_pop(ss);
		return;
	}
	if (*p == '\'')
		shell_push(ss, SH_SINGLE);
	else if (*p == '"')
		shell_push(ss, SH_DOUBLE);
	else if (*p == '(')
		shell_push(ss, SH_PAREN);
	else if (*p == ')' && c == SH_PAREN)
		shell_pop(ss);
}

/* A value as it reads in the template's context (for display). */
static void
shell_show(struct buf *b, enum shell_ctx c, const char *v)
{
	switch (c) {
	case SH_PLAIN:
	case SH_PAREN:
	case SH_BACK:
		quote_shell(b, v);
		break;
	case SH_SINGLE:
		for (; *v != '\0'; v++) {
			if (*v == '\'')
				buf_adds(b, "'\\''");
			else
				buf_addc(b, *v);
		}
		break;
	case SH_DOUBLE:
		for (; *v != '\0'; v++) {
			if (strchr("\"\\$`", *v) != NULL)
				buf_addc(b, '\\');
			buf_addc(b, *v);
		}
		break;
	}
}

/*
 * What runs: a reference to the environment variable that holds the value,
 * quoted for the context.  The value itself never enters the command text,
 * so the shell never parses it as syntax, whatever it holds and whatever
 * the context really is (at worst a mistaken context splits a word).
 */
static void
shell_ref(struct buf *b, enum shell_ctx c, const char *name)
{
	switch (c) {
	case SH_PLAIN:
	case SH_PAREN:
	case SH_BACK:
		buf_printf(b, "\"${MAINTOP_PARAM_%s}\"", name);
		break;
	case SH_SINGLE:
		buf_printf(b, "'\"${MAINTOP_PARAM_%s}\"'", name);
		break;
	case SH_DOUBLE:
		buf_printf(b, "${MAINTOP_PARAM_%s}", name);
		break;
	}
}

char *
runbook_subst(const struct runbook *rb, char *const *values,
    const char *text, enum runbook_subst how, int mask)
{
	struct buf b;
	const char *p = text, *end, *start;
	const struct runbook_param *par;
	const char *v;
	struct shell_state ss;
	size_t n;
	int ident, shell;

	shell = how == RUNBOOK_SUBST_SHELL || how == RUNBOOK_SUBST_SHELL_EXEC;
	ss.v[0] = SH_PLAIN;
	ss.n = 1;
	buf_init(&b);
	buf_adds(&b, "");
	while (*p != '\0') {
		if (p[0] == '$' && p[1] == '$' && p[2] == '{') {
			buf_adds(&b, "${");
			p += 3;
			continue;
		}
		if (p[0] != '$' || p[1] != '{' ||
		    (end = strchr(p + 2, '}')) == NULL) {
			start = p;
			if (shell)
				shell_track(&ss, &p);
			p++;
			buf_add(&b, start, (size_t)(p - start));
			continue;
		}
		n = (size_t)(end - (p + 2));
		ident = 0;
		if ((how == RUNBOOK_SUBST_SQL || how == RUNBOOK_SUBST_PSQL) &&
		    n > 6 &&
		    strncmp(end - 6, ":ident", 6) == 0) {
			n -= 6;
			ident = 1;
		}
		par = find_param_n(rb, p + 2, n);
		if (par == NULL) {
			buf_adds(&b, "${");
			p += 2;
			continue;
		}
		if (how == RUNBOOK_SUBST_SHELL_EXEC) {
			shell_ref(&b, shell_top(&ss), par->name);
			p = end + 1;
			continue;
		}
		if (values == NULL) {
			buf_add(&b, p, (size_t)(end + 1 - p));
			p = end + 1;
			continue;
		}
		v = values[par - rb->params];
		if (v == NULL)
			v = "";
		if (mask && par->secret)
			v = RUNBOOK_MASK;
		switch (how) {
		case RUNBOOK_SUBST_RAW:
			buf_adds(&b, v);
			break;
		case RUNBOOK_SUBST_SHELL:
		case RUNBOOK_SUBST_SHELL_EXEC:
			shell_show(&b, shell_top(&ss), v);
			break;
		case RUNBOOK_SUBST_SQL:
			quote_sql(&b, v, ident ? '"' : '\'');
			break;
		case RUNBOOK_SUBST_PSQL:
			if (par->secret)
				buf_printf(&b, ident ? ":\"maintop_p_%s\"" :
				    ":'maintop_p_%s'", par->name);
			else
				quote_sql(&b, v, ident ? '"' : '\'');
			break;
		case RUNBOOK_SUBST_URL:
			quote_url(&b, v);
			break;
		}
		p = end + 1;
	}
	return buf_detach(&b);
}

char *
runbook_psql_script(const struct runbook *rb, char *const *values,
    const char *text)
{
	struct buf b;
	char *stmt, *ref[2];
	const char *v;
	size_t i;
	int used = 0;

	stmt = runbook_subst(rb, values, text, RUNBOOK_SUBST_PSQL, 0);
	buf_init(&b);
	for (i = 0; i < rb->nparams; i++) {
		if (!rb->params[i].secret)
			continue;
		ref[0] = xasprintf(":'maintop_p_%s'", rb->params[i].name);
		ref[1] = xasprintf(":\"maintop_p_%s\"", rb->params[i].name);
		if (strstr(stmt, ref[0]) != NULL ||
		    strstr(stmt, ref[1]) != NULL)
			used = 1;
		free(ref[0]);
		free(ref[1]);
		/* psql's quoting: '' and \\ as in SQL with escapes, \n. */
		buf_printf(&b, "\\set maintop_p_%s '", rb->params[i].name);
		for (v = values != NULL && values[i] != NULL ? values[i] : "";
		    *v != '\0'; v++) {
			if (*v == '\'')
				buf_adds(&b, "''");
			else if (*v == '\\')
				buf_adds(&b, "\\\\");
			else if (*v == '\n')
				buf_adds(&b, "\\n");
			else if (*v == '\r')
				buf_adds(&b, "\\r");
			else
				buf_addc(&b, *v);
		}
		buf_adds(&b, "'\n");
	}
	if (used) {
		buf_adds(&b, stmt);
		buf_addc(&b, '\n');
	}
	explicit_bzero(stmt, strlen(stmt));
	free(stmt);
	if (!used) {
		if (b.s != NULL)
			explicit_bzero(b.s, b.len);
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b);
}

int
runbook_redis_words(const struct runbook *rb, char *const *values,
    const char *text, int mask, char ***argv, size_t *argc, char **cause)
{
	struct buf w;
	char **v = NULL, q;
	const char *p = text;
	size_t n = 0;

	*argv = NULL;
	*argc = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0')
			break;
		buf_init(&w);
		buf_adds(&w, "");
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' &&
		    *p != '\r') {
			if (*p != '\'' && *p != '"') {
				buf_addc(&w, *p++);
				continue;
			}
			q = *p++;
			while (*p != '\0' && *p != q) {
				if (q == '"' && *p == '\\' && p[1] != '\0') {
					p++;
					buf_addc(&w, *p == 'n' ? '\n' :
					    *p == 't' ? '\t' :
					    *p == 'r' ? '\r' : *p);
					p++;
					continue;
				}
				buf_addc(&w, *p++);
			}
			if (*p != q) {
				buf_free(&w);
				goto unterminated;
			}
			p++;
		}
		v = xreallocarray(v, n + 2, sizeof *v);
		v[n++] = runbook_subst(rb, values, w.s, RUNBOOK_SUBST_RAW,
		    mask);
		v[n] = NULL;
		buf_free(&w);
	}
	if (n == 0) {
		*cause = xstrdup("the redis command is empty");
		free(v);
		return -1;
	}
	*argv = v;
	*argc = n;
	return 0;

unterminated:
	*cause = xstrdup("the redis command has an unterminated quote");
	while (n > 0)
		free(v[--n]);
	free(v);
	return -1;
}

/*
 * A redis command as the words that run (secrets masked), each quoted when
 * it holds blanks, quotes or control characters, so that the value of a
 * parameter reads as the one argument it is.
 */
static char *
redis_show(const struct runbook *rb, char *const *values, const char *text)
{
	struct buf b;
	char **w, *cause = NULL;
	const char *p;
	size_t n, i;

	if (runbook_redis_words(rb, values, text, 1, &w, &n, &cause) != 0) {
		free(cause);
		return runbook_subst(rb, values, text, RUNBOOK_SUBST_RAW, 1);
	}
	buf_init(&b);
	buf_adds(&b, "");
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(&b, ' ');
		if (*w[i] != '\0' && strpbrk(w[i], " \t\r\n'\"\\") == NULL) {
			buf_adds(&b, w[i]);
			free(w[i]);
			continue;
		}
		buf_addc(&b, '"');
		for (p = w[i]; *p != '\0'; p++) {
			if (*p == '\n')
				buf_adds(&b, "\\n");
			else if (*p == '\t')
				buf_adds(&b, "\\t");
			else if (*p == '\r')
				buf_adds(&b, "\\r");
			else {
				if (*p == '"' || *p == '\\')
					buf_addc(&b, '\\');
				buf_addc(&b, *p);
			}
		}
		buf_addc(&b, '"');
		free(w[i]);
	}
	free(w);
	return buf_detach(&b);
}

char *
runbook_http_header(const struct runbook *rb, char *const *values,
    const char *header, int mask)
{
	const char *colon = strchr(header, ':'), *v;
	char *sub, *s;

	if (colon == NULL)
		return xstrdup(header);
	for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
		;
	sub = runbook_subst(rb, values, v, RUNBOOK_SUBST_RAW, mask);
	s = xasprintf("%.*s:%s%s", (int)(colon - header), header,
	    *sub != '\0' ? " " : "", sub);
	if (!mask)
		explicit_bzero(sub, strlen(sub));
	free(sub);
	return s;
}

static void
add_lines(struct buf *b, const char *prefix, const char *label,
    const char *text)
{
	const char *nl;

	buf_printf(b, "%s%s", prefix, label);
	while ((nl = strchr(text, '\n')) != NULL) {
		buf_add(b, text, (size_t)(nl - text + 1));
		buf_printf(b, "%s%*s", prefix, (int)strlen(label), "");
		text = nl + 1;
	}
	buf_printf(b, "%s\n", text);
}

/* A criterion as the prompt and the dry run show it, on one line. */
char *
runbook_criterion_text(const struct runbook *rb, char *const *values,
    const struct step *c)
{
	struct buf b;
	char *s;

	buf_init(&b);
	switch (c->kind) {
	case STEP_WAIT:
		buf_printf(&b, "check %s is %s%s", c->checks[0],
		    runbook_health_name(c->worst), c->worst ==
		    RUNBOOK_HEALTH_OK ? "" : " or better");
		break;
	case STEP_HTTP:
		s = runbook_subst(rb, values, c->text, RUNBOOK_SUBST_URL, 1);
		buf_printf(&b, "%s %s answers ", c->method, s);
		free(s);
		if (c->expect_status > 0)
			buf_printf(&b, "%lld", c->expect_status);
		else
			buf_adds(&b, "2xx");
		break;
	default:
		s = runbook_subst(rb, values, c->text, RUNBOOK_SUBST_SHELL, 1);
		buf_printf(&b, "$ %s exits 0", s);
		free(s);
		break;
	}
	return buf_detach(&b);
}

/* The criteria of a criteria step, one per line. */
static void
criteria_text(struct buf *b, const struct runbook *rb, char *const *values,
    const struct step *st, const char *prefix)
{
	char *s, *label;
	size_t i;

	buf_printf(b, "%ssucceeds when every criterion passes (all are "
	    "judged):\n", prefix);
	for (i = 0; i < st->ncriteria; i++) {
		s = runbook_criterion_text(rb, values, st->criteria[i]);
		label = xasprintf("%zu. ", i + 1);
		add_lines(b, prefix, label, s);
		free(label);
		free(s);
	}
}

char *
runbook_step_text(const struct runbook *rb, char *const *values,
    const struct step *st, const char *prefix)
{
	struct buf b;
	char *s, dur[32], *sub, *target;
	size_t i;

	buf_init(&b);
	buf_adds(&b, "");
	switch (st->kind) {
	case STEP_RUN:
		s = runbook_subst(rb, values, st->text, RUNBOOK_SUBST_SHELL, 1);
		add_lines(&b, prefix, "$ ", s);
		free(s);
		if (st->cwd != NULL) {
			s = runbook_subst(rb, values, st->cwd,
			    RUNBOOK_SUBST_RAW, 1);
			buf_printf(&b, "%sin: %s\n", prefix, s);
			free(s);
		}
		for (i = 0; i < st->nenv; i++) {
			s = runbook_subst(rb, values, st->env[i],
			    RUNBOOK_SUBST_RAW, 1);
			buf_printf(&b, "%senv: %s\n", prefix, s);
			free(s);
		}
		for (i = 0; i < st->nenv_pass; i++)
			buf_printf(&b, "%senv: %s (from maintop's "
			    "environment)\n", prefix, st->env_pass[i]);
		break;
	case STEP_SQL:
	case STEP_REDIS:
		if (st->kind == STEP_SQL)
			s = runbook_subst(rb, values, st->text,
			    RUNBOOK_SUBST_SQL, 1);
		else
			s = redis_show(rb, values, st->text);
		target = st->check != NULL ? check_target(st->check) : NULL;
		sub = xasprintf("%s on %s%s%s%s: ", runbook_kind_name(st->kind),
		    st->on != NULL ? st->on : "?", target != NULL ? " (" : "",
		    target != NULL ? target : "", target != NULL ? ")" : "");
		add_lines(&b, prefix, sub, s);
		free(target);
		free(sub);
		free(s);
		break;
	case STEP_HTTP:
		s = runbook_subst(rb, values, st->text, RUNBOOK_SUBST_URL, 1);
		buf_printf(&b, "%s%s %s (expect ", prefix, st->method, s);
		if (st->expect_status > 0)
			buf_printf(&b, "%lld)\n", st->expect_status);
		else
			buf_adds(&b, "2xx)\n");
		free(s);
		for (i = 0; i < st->nheaders; i++) {
			s = runbook_http_header(rb, values, st->headers[i], 1);
			add_lines(&b, prefix, "header: ", s);
			free(s);
		}
		if (st->body != NULL) {
			s = runbook_subst(rb, values, st->body,
			    RUNBOOK_SUBST_RAW, 1);
			add_lines(&b, prefix, "body: ", s);
			free(s);
		}
		break;
	case STEP_WAIT:
		buf_printf(&b, "%swait until healthy:", prefix);
		for (i = 0; i < st->nchecks; i++)
			buf_printf(&b, " %s", st->checks[i]);
		buf_addc(&b, '\n');
		break;
	case STEP_PAUSE:
		s = runbook_subst(rb, values, st->text, RUNBOOK_SUBST_RAW, 1);
		add_lines(&b, prefix, "pause: ", s);
		free(s);
		break;
	case STEP_CRITERIA:
		criteria_text(&b, rb, values, st, prefix);
		break;
	}
	buf_printf(&b, "%s", prefix);
	if (st->timeout > 0) {
		util_format_duration(st->timeout, dur, sizeof dur);
		buf_printf(&b, "timeout %s", dur);
	} else
		buf_adds(&b, "no timeout");
	buf_adds(&b, st->confirm ? ", confirm" : ", no confirmation");
	if (st->danger)
		buf_adds(&b, ", DANGER (type the runbook's name)");
	if (st->continue_on_error)
		buf_adds(&b, ", continue on error");
	if (st->interactive)
		buf_adds(&b, ", interactive");
	if (st->on_failure != RUNBOOK_INHERIT)
		buf_printf(&b, ", on failure %s",
		    runbook_policy_name(st->on_failure));
	if (st->always)
		buf_adds(&b, ", always");
	if (st->kind == STEP_PAUSE)
		buf_adds(&b, st->unattended_continue ? ", unattended: continue"
		    : ", unattended: fail");
	buf_addc(&b, '\n');
	for (i = 0; i < st->nrollback; i++) {
		sub = xasprintf("%s  rollback: ", prefix);
		s = runbook_step_text(rb, values, st->rollback[i], sub);
		buf_adds(&b, s);
		free(s);
		free(sub);
	}
	return buf_detach(&b);
}

char *
runbook_dry_run(const struct runbook *rb, char *const *values)
{
	struct buf b;
	const struct runbook_param *p;
	char *s, dur[32];
	size_t i;

	buf_init(&b);
	buf_printf(&b, "runbook %s", rb->name);
	if (rb->description != NULL)
		buf_printf(&b, ": %s", rb->description);
	buf_addc(&b, '\n');
	for (i = 0; i < rb->nparams; i++) {
		p = &rb->params[i];
		buf_printf(&b, "  param %s = ", p->name);
		if (values == NULL)
			buf_adds(&b, "(unset)");
		else if (p->secret)
			buf_adds(&b, RUNBOOK_MASK);
		else
			quote_shell(&b, values[i] != NULL ? values[i] : "");
		buf_addc(&b, '\n');
	}
	if (rb->nrequires_healthy > 0) {
		buf_adds(&b, "  requires healthy:");
		for (i = 0; i < rb->nrequires_healthy; i++) {
			buf_printf(&b, " %s", rb->requires_healthy[i]);
			if (rb->healthy_worst[i] != RUNBOOK_HEALTH_OK)
				buf_printf(&b, " (%s or better)",
				    runbook_health_name(rb->healthy_worst[i]));
		}
		buf_addc(&b, '\n');
	}
	if (rb->on_failure != RUNBOOK_ASK ||
	    rb->unattended_failure != RUNBOOK_ROLLBACK)
		buf_printf(&b, "  on failure: %s; unattended: %s\n",
		    runbook_policy_name(rb->on_failure),
		    runbook_policy_name(rb->unattended_failure));
	if (rb->budget > 0) {
		util_format_duration(rb->budget, dur, sizeof dur);
		buf_printf(&b, "  budget %s\n", dur);
	}
	for (i = 0; i < rb->nrequires; i++) {
		buf_printf(&b, "  requires a successful run of %s",
		    rb->requires[i].runbook);
		if (rb->requires[i].within > 0) {
			util_format_duration(rb->requires[i].within, dur,
			    sizeof dur);
			buf_printf(&b, " within %s", dur);
		}
		buf_addc(&b, '\n');
	}
	if (rb->require_window)
		buf_adds(&b, "  requires one of its maintenance windows\n");
	for (i = 0; i < rb->nsteps; i++) {
		buf_printf(&b, "step %zu/%zu: %s (%s)\n", i + 1, rb->nsteps,
		    rb->steps[i]->name, runbook_kind_name(rb->steps[i]->kind));
		s = runbook_step_text(rb, values, rb->steps[i], "    ");
		buf_adds(&b, s);
		free(s);
	}
	return buf_detach(&b);
}
