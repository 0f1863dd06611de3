/* The environment children get, captured at start-up and built in the
 * parent for each child. */
#include "childenv.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

extern char **environ;

static char	**childenv_vars;	/* "NAME=value", captured */
static size_t	  childenv_nvars;
static int	  childenv_captured;
static char	**childenv_hidden;	/* names of secret variables */
static size_t	  childenv_nhidden;

/* The length of the name in "NAME=value" (the whole string without '='). */
static size_t
childenv_namelen(const char *s)
{
	const char *eq = strchr(s, '=');

	return eq != NULL ? (size_t)(eq - s) : strlen(s);
}

static int
childenv_is(const char *var, const char *name, size_t len)
{
	return childenv_namelen(var) == len && strncmp(var, name, len) == 0;
}

void
childenv_capture(void)
{
	size_t i, n = 0;

	if (childenv_captured)
		return;
	childenv_captured = 1;
	while (environ != NULL && environ[n] != NULL)
		n++;
	childenv_vars = xcalloc(n + 1, sizeof *childenv_vars);
	for (i = 0; i < n; i++) {
		if (strchr(environ[i], '=') != NULL)
			childenv_vars[childenv_nvars++] = xstrdup(environ[i]);
	}
}

/* The index of name in the captured environment, or -1. */
static long
childenv_find(const char *name)
{
	size_t i, len = strlen(name);

	childenv_capture();
	for (i = 0; i < childenv_nvars; i++) {
		if (childenv_is(childenv_vars[i], name, len))
			return (long)i;
	}
	return -1;
}

void
childenv_set(const char *name, const char *value)
{
	long i = childenv_find(name);

	if (i >= 0) {
		free(childenv_vars[i]);
		childenv_vars[i] = childenv_vars[--childenv_nvars];
		childenv_vars[childenv_nvars] = NULL;
	}
	if (value == NULL)
		return;
	childenv_vars = xreallocarray(childenv_vars, childenv_nvars + 2,
	    sizeof *childenv_vars);
	childenv_vars[childenv_nvars++] = xasprintf("%s=%s", name, value);
	childenv_vars[childenv_nvars] = NULL;
}

const char *
childenv_get(const char *name)
{
	long i = childenv_find(name);

	return i >= 0 ? childenv_vars[i] + strlen(name) + 1 : NULL;
}

void
childenv_secret(const char *name)
{
	size_t i;

	for (i = 0; i < childenv_nhidden; i++) {
		if (strcmp(childenv_hidden[i], name) == 0)
			return;
	}
	childenv_hidden = xreallocarray(childenv_hidden, childenv_nhidden + 1,
	    sizeof *childenv_hidden);
	childenv_hidden[childenv_nhidden++] = xstrdup(name);
}

void
childenv_secrets_clear(void)
{
	size_t i;

	for (i = 0; i < childenv_nhidden; i++)
		free(childenv_hidden[i]);
	free(childenv_hidden);
	childenv_hidden = NULL;
	childenv_nhidden = 0;
}

/* Whether list (NULL-terminated, may be NULL) holds the name of var. */
static int
childenv_listed(char *const *list, const char *var, int with_value)
{
	size_t len = childenv_namelen(var);

	for (; list != NULL && *list != NULL; list++) {
		if (with_value ? childenv_is(*list, var, len) :
		    (strlen(*list) == len && strncmp(*list, var, len) == 0))
			return 1;
	}
	return 0;
}

static int
childenv_hidden_var(const char *var)
{
	size_t i, len = childenv_namelen(var);

	for (i = 0; i < childenv_nhidden; i++) {
		if (strlen(childenv_hidden[i]) == len &&
		    strncmp(childenv_hidden[i], var, len) == 0)
			return 1;
	}
	return 0;
}

char **
childenv_build(char *const *pass, char *const *set)
{
	char **v;
	size_t n = 0, nset = 0, i;

	childenv_capture();
	while (set != NULL && set[nset] != NULL)
		nset++;
	v = xcalloc(childenv_nvars + nset + 1, sizeof *v);
	for (i = 0; i < childenv_nvars; i++) {
		const char *var = childenv_vars[i];

		if (childenv_hidden_var(var) && !childenv_listed(pass, var, 0))
			continue;
		if (childenv_listed(set, var, 1))
			continue;
		v[n++] = xstrdup(var);
	}
	for (i = 0; i < nset; i++) {
		/* A later setting of the same name wins. */
		if (strchr(set[i], '=') == NULL ||
		    childenv_listed(set + i + 1, set[i], 1))
			continue;
		v[n++] = xstrdup(set[i]);
	}
	v[n] = NULL;
	return v;
}

void
childenv_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++) {
		explicit_bzero(v[i], strlen(v[i]));
		free(v[i]);
	}
	free(v);
}
