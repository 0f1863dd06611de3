/* The runbook model: the names of kinds, policies and health levels, finding
 * parameters, a step's effective policy and directory, and freeing. */
#include "runbook.h"

#include <string.h>
#include <ctype.h>
#include <stdlib.h>

#include "runbook_priv.h"

/* Policy names, in enum runbook_policy order. */
const char *const runbook_policy_names[] = {
	"ask", "rollback", "abort", "continue", NULL
};

/* Health levels, in RUNBOOK_HEALTH_* order. */
const char *const runbook_health_names[] = {
	"ok", "warn", "crit", "unknown", NULL
};

/* The keys that choose a step's kind, in enum step_kind order. */
const char *const runbook_kind_keys[] = {
	"run", "sql", "redis", "http", "wait_healthy", "pause", "criteria",
	NULL
};

const char *
runbook_kind_name(enum step_kind k)
{
	if ((size_t)k < sizeof runbook_kind_keys / sizeof runbook_kind_keys[0] -
	    1)
		return runbook_kind_keys[k];
	return "?";
}

const char *
runbook_policy_name(int p)
{
	if (p >= 0 && p < (int)(sizeof runbook_policy_names /
	    sizeof runbook_policy_names[0]) - 1)
		return runbook_policy_names[p];
	return "inherit";
}

const char *
runbook_health_name(int h)
{
	if (h >= 0 && h < (int)(sizeof runbook_health_names /
	    sizeof runbook_health_names[0]) - 1)
		return runbook_health_names[h];
	return "?";
}

int
runbook_valid_param_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 64 || (!isalpha((unsigned char)s[0]) && s[0] != '_'))
		return 0;
	for (i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

void
runbook_step_free(struct step *st)
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
		runbook_step_free(st->criteria[i]);
	free(st->criteria);
	for (i = 0; i < st->nrollback; i++)
		runbook_step_free(st->rollback[i]);
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
		runbook_step_free(rb->steps[i]);
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

const char *
runbook_suggest_param(const struct runbook *rb, const char *name)
{
	const char **names, *sugg;
	size_t i;

	names = xcalloc(rb->nparams + 1, sizeof *names);
	for (i = 0; i < rb->nparams; i++)
		names[i] = rb->params[i].name;
	sugg = cfg_suggest(name, names);
	free(names);
	return sugg;
}

const struct runbook_param *
runbook_find_param_n(const struct runbook *rb, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < rb->nparams; i++)
		if (strlen(rb->params[i].name) == n &&
		    strncmp(rb->params[i].name, name, n) == 0)
			return &rb->params[i];
	return NULL;
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
