/* Parsing a runbook's own keys (name, parameters, health and runbook
 * requirements, policies, budget) and its list of steps. */
#include "runbook.h"

#include <ctype.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "runbook_priv.h"

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
		if (!runbook_valid_param_name(p->name, strlen(p->name))) {
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

int
runbook_parse_choice(struct cfg_errors *e, const config_setting_t *g,
    const char *key, const char *const *names, int *out)
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
			if (runbook_parse_choice(e, el, "worst",
			    runbook_health_names, &worst) < 0)
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

/* What a failure does (on_failure, unattended_failure) and the budget. */
static void
parse_policies(struct cfg_errors *e, const config_setting_t *g,
    struct runbook *rb)
{
	rb->on_failure = RUNBOOK_ASK;
	runbook_parse_choice(e, g, "on_failure", runbook_policy_names,
	    &rb->on_failure);
	rb->unattended_failure = RUNBOOK_ROLLBACK;
	if (runbook_parse_choice(e, g, "unattended_failure",
	    runbook_policy_names, &rb->unattended_failure) == 1 &&
	    rb->unattended_failure == RUNBOOK_ASK) {
		cfg_err(e, config_setting_get_member(g, "unattended_failure"),
		    "'unattended_failure' of runbook '%s' cannot be \"ask\": "
		    "nobody is there to answer", rb->name);
		rb->unattended_failure = RUNBOOK_ROLLBACK;
	}
	cfg_duration(e, g, "budget", 0, 1, &rb->budget);
}

/* The names of the values steps SET that are masked like secrets. */
static void
parse_secret_values(struct cfg_errors *e, const config_setting_t *g,
    struct runbook *rb)
{
	size_t i;

	cfg_strlist(e, g, "secret_values", 0, &rb->secret_values,
	    &rb->nsecret_values);
	for (i = 0; i < rb->nsecret_values; i++)
		if (!runbook_valid_param_name(rb->secret_values[i],
		    strlen(rb->secret_values[i])))
			cfg_err(e, config_setting_get_member(g,
			    "secret_values"), "'secret_values' of runbook "
			    "'%s': \"%s\" is not a value's name (letters, "
			    "digits and '_')", rb->name, rb->secret_values[i]);
}

/* The list of steps, always steps last. */
static void
parse_steps(struct cfg_errors *e, const config_setting_t *g,
    struct runbook *rb)
{
	const config_setting_t *list, *el;
	struct step *st;
	int i, n;

	list = cfg_list(e, g, "steps");
	if (list == NULL) {
		if (config_setting_get_member(g, "steps") == NULL)
			cfg_err(e, g, "runbook '%s' has no 'steps'", rb->name);
		return;
	}
	n = config_setting_length(list);
	if (n == 0)
		cfg_err(e, list, "runbook '%s' has no steps", rb->name);
	if (n > RUNBOOK_MAX_STEPS) {
		cfg_err(e, list, "runbook '%s' has %d steps (at most %d)",
		    rb->name, n, RUNBOOK_MAX_STEPS);
		return;
	}
	rb->steps = xcalloc((size_t)n, sizeof *rb->steps);
	for (i = 0; i < n; i++) {
		el = config_setting_get_elem(list, (unsigned int)i);
		st = runbook_parse_step(e, el, rb, (size_t)i, NULL);
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
}

struct runbook *
runbook_parse(struct cfg_errors *e, const config_setting_t *g,
    const struct settings *settings)
{
	struct runbook *rb;
	const char *file;

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
	parse_policies(e, g, rb);
	parse_secret_values(e, g, rb);
	parse_steps(e, g, rb);
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
