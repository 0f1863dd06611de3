/* Parsing one runbook step: its kind and text, the keys each kind takes,
 * http headers, criteria, rollbacks and what a failure does. */
#include "runbook.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "runbook_priv.h"

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
	const char *sugg;
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
		if (!runbook_valid_param_name(p, n) ||
		    runbook_find_param_n(rb, p, n) != NULL)
			continue;
		for (lower = 0, i = 0; i < n; i++)
			if (islower((unsigned char)p[i]))
				lower = 1;
		if (!lower)
			continue;	/* ${HOME}, ${MAINTOP_PGPORT}: environment */
		ref = xstrndup(p, n);
		sugg = runbook_suggest_param(rb, ref);
		if (sugg != NULL)
			cfg_warn(e, s, "'${%s}' is not a parameter of runbook "
			    "'%s' (did you mean '%s'?); %s", ref, rb->name,
			    sugg, refs_dest(kind));
		else
			cfg_warn(e, s, "'${%s}' is not a parameter of runbook "
			    "'%s'; %s", ref, rb->name, refs_dest(kind));
		free(ref);
	}
}

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

/* The keys that only some kinds of step take, in the order checked. */
static const struct {
	const char	*key;
	unsigned int	 kinds;		/* 1U << STEP_x of each that may */
	const char	*which;		/* those kinds, for the message */
} only_keys[] = {
	{ "cwd", 1U << STEP_RUN, "run" },
	{ "env", 1U << STEP_RUN, "run" },
	{ "env_pass", 1U << STEP_RUN, "run" },
	{ "interactive", 1U << STEP_RUN, "run" },
	{ "on", 1U << STEP_SQL | 1U << STEP_REDIS, "sql and redis" },
	{ "method", 1U << STEP_HTTP, "http" },
	{ "headers", 1U << STEP_HTTP, "http" },
	{ "body", 1U << STEP_HTTP, "http" },
	{ "expect_status", 1U << STEP_HTTP, "http" },
	{ "unattended", 1U << STEP_PAUSE, "pause" },
};

/* Keys that only some kinds take: an error for each present on another. */
static void
only_for(struct cfg_errors *e, const config_setting_t *g,
    const struct step *st)
{
	const config_setting_t *s;
	size_t i;

	for (i = 0; i < sizeof only_keys / sizeof only_keys[0]; i++) {
		s = config_setting_get_member(g, only_keys[i].key);
		if (s != NULL && (only_keys[i].kinds & (1U << st->kind)) == 0)
			cfg_err(e, s, "'%s' applies only to %s steps, not to "
			    "%s step '%s'", only_keys[i].key,
			    only_keys[i].which, runbook_kind_name(st->kind),
			    st->name);
	}
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
			r = runbook_parse_step(e, el, rb, (size_t)i, name);
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
	if (runbook_parse_choice(e, g, "worst", runbook_health_names,
	    &c->worst) < 0)
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
		} else if ((c = runbook_parse_step(e, el, rb, (size_t)i,
		    name)) == NULL) {
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
	if (runbook_parse_choice(e, g, "on_failure", runbook_policy_names,
	    &v) == 1)
		st->on_failure = v;
	cfg_bool(e, g, "always", 0, &st->always);
	if (runbook_parse_choice(e, g, "unattended", unattended_names, &v) == 1)
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

/*
 * Sets st->kind from the one kind key g holds.  Returns 0, or -1 (the
 * error recorded) when it holds none or more than one.
 */
static int
step_kind(struct cfg_errors *e, const config_setting_t *g,
    const struct runbook *rb, struct step *st)
{
	const char *kinds[8];
	size_t nk = 0;
	int k, found = -1;

	for (k = 0; runbook_kind_keys[k] != NULL; k++) {
		if (config_setting_get_member(g, runbook_kind_keys[k]) == NULL)
			continue;
		kinds[nk++] = runbook_kind_keys[k];
		if (found == -1)
			found = k;
	}
	if (nk == 0) {
		cfg_err(e, g, "step '%s' of runbook '%s' needs exactly one of "
		    "run, sql, redis, http, wait_healthy, pause or criteria",
		    st->name, rb->name);
		return -1;
	}
	if (nk > 1) {
		cfg_err(e, g, "step '%s' of runbook '%s' has both '%s' and "
		    "'%s'; a step does exactly one thing", st->name, rb->name,
		    kinds[0], kinds[1]);
		return -1;
	}
	st->kind = (enum step_kind)found;
	return 0;
}

/*
 * The text of a run, sql, redis, http or pause step (its kind's key),
 * checked: not empty, its references, a redis command's words.  Returns 0,
 * or -1 when the step cannot be used.
 */
static int
step_text(struct cfg_errors *e, const config_setting_t *g,
    const struct runbook *rb, struct step *st)
{
	const char *key = runbook_kind_keys[st->kind];
	const config_setting_t *s = config_setting_get_member(g, key);
	char **words, *why = NULL;
	size_t nwords;

	if (cfg_str(e, g, key, 1, &st->text) != 1)
		return -1;
	if (*st->text == '\0') {
		cfg_err(e, s, "'%s' of step '%s' is empty", key, st->name);
		return -1;
	}
	check_refs(e, s, rb, st->text, key);
	if (st->kind == STEP_REDIS && runbook_redis_words(rb, NULL, st->text,
	    1, &words, &nwords, &why) != 0) {
		cfg_err(e, s, "'redis' of step '%s': %s", st->name, why);
		free(why);
	} else if (st->kind == STEP_REDIS) {
		while (nwords > 0)
			free(words[--nwords]);
		free(words);
	}
	st->timeout = st->kind == STEP_RUN ? RUNBOOK_TIMEOUT_RUN :
	    st->kind == STEP_PAUSE ? 0 : RUNBOOK_TIMEOUT_OTHER;
	return 0;
}

/* What the step does, by its kind.  Returns 0, or -1 when unusable. */
static int
step_body(struct cfg_errors *e, const config_setting_t *g,
    const struct runbook *rb, struct step *st)
{
	switch (st->kind) {
	case STEP_WAIT:
		if (cfg_strlist(e, g, "wait_healthy", 1, &st->checks,
		    &st->nchecks) != 1)
			return -1;
		if (st->nchecks == 0) {
			cfg_err(e, g, "'wait_healthy' of step '%s' names no "
			    "check", st->name);
			return -1;
		}
		st->checks_line = cfg_line(config_setting_get_member(g,
		    "wait_healthy"));
		st->timeout = RUNBOOK_TIMEOUT_WAIT;
		return 0;
	case STEP_CRITERIA:
		st->timeout = RUNBOOK_TIMEOUT_OTHER;
		return 0;
	default:
		return step_text(e, g, rb, st);
	}
}

/* A run step's env ("NAME=value") and env_pass (variable names). */
static void
step_env(struct cfg_errors *e, const config_setting_t *g, struct step *st)
{
	const char *eq;
	size_t i;

	if (cfg_strlist(e, g, "env", 0, &st->env, &st->nenv) == 1) {
		for (i = 0; i < st->nenv; i++) {
			eq = strchr(st->env[i], '=');
			if (eq == NULL || !runbook_valid_param_name(st->env[i],
			    (size_t)(eq - st->env[i])))
				cfg_err(e, config_setting_get_member(g, "env"),
				    "'env' of step '%s': \"%s\" is not "
				    "NAME=value", st->name, st->env[i]);
		}
	}
	if (cfg_strlist(e, g, "env_pass", 0, &st->env_pass,
	    &st->nenv_pass) != 1)
		return;
	for (i = 0; i < st->nenv_pass; i++) {
		if (!runbook_valid_param_name(st->env_pass[i],
		    strlen(st->env_pass[i])))
			cfg_err(e, config_setting_get_member(g, "env_pass"),
			    "'env_pass' of step '%s': \"%s\" is not a "
			    "variable name", st->name, st->env_pass[i]);
	}
}

/* An http step's method (GET by default), headers, body and status. */
static void
step_http(struct cfg_errors *e, const config_setting_t *g,
    const struct runbook *rb, struct step *st)
{
	size_t i;

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
	cfg_int(e, g, "expect_status", 0, 100, 599, &st->expect_status);
}

/* The keys every kind takes: confirm, danger, continue_on_error,
 * interactive and timeout. */
static void
step_flags(struct cfg_errors *e, const config_setting_t *g, struct step *st)
{
	cfg_bool(e, g, "confirm", 0, &st->confirm);
	if (st->kind == STEP_PAUSE && !st->confirm)
		cfg_err(e, config_setting_get_member(g, "confirm"), "pause "
		    "step '%s' waits for the user; it cannot have confirm = "
		    "false", st->name);
	cfg_bool(e, g, "danger", 0, &st->danger);
	cfg_bool(e, g, "continue_on_error", 0, &st->continue_on_error);
	cfg_bool(e, g, "interactive", 0, &st->interactive);
	cfg_duration(e, g, "timeout", 0, 1, &st->timeout);
}

struct step *
runbook_parse_step(struct cfg_errors *e, const config_setting_t *g,
    const struct runbook *rb, size_t idx, const char *defname)
{
	struct step *st;

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
	if (step_kind(e, g, rb, st) != 0 || step_body(e, g, rb, st) != 0) {
		runbook_step_free(st);
		return NULL;
	}
	only_for(e, g, st);
	cfg_str(e, g, "cwd", 0, &st->cwd);
	step_env(e, g, st);
	if (st->kind == STEP_SQL || st->kind == STEP_REDIS) {
		cfg_str(e, g, "on", 1, &st->on);
		st->on_line = cfg_line(config_setting_get_member(g, "on"));
	}
	if (st->kind == STEP_HTTP)
		step_http(e, g, rb, st);
	step_flags(e, g, st);
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
}
