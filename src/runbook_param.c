/* A runbook's parameters: values bound from NAME=VALUE and checked, and
 * substituted safely into shell, SQL, psql, redis and URL text. */
#include "runbook.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "runbook_priv.h"

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
	const char *eq, *sugg;
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
			sugg = runbook_suggest_param(rb, key);
			if (sugg != NULL)
				*cause = xasprintf("runbook '%s' has no "
				    "parameter '%s' (did you mean '%s'?)",
				    rb->name, key, sugg);
			else
				*cause = xasprintf("runbook '%s' has no "
				    "parameter '%s'", rb->name, key);
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

void
runbook_quote_shell(struct buf *b, const char *v)
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
		runbook_quote_shell(b, v);
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

/*
 * Appends the value v of parameter par (ident: an SQL identifier) as how
 * wants it; ctx is the shell context at the reference.
 */
static void
subst_value(struct buf *b, const struct runbook_param *par, const char *v,
    enum runbook_subst how, int ident, enum shell_ctx ctx)
{
	switch (how) {
	case RUNBOOK_SUBST_RAW:
		buf_adds(b, v);
		break;
	case RUNBOOK_SUBST_SHELL:
	case RUNBOOK_SUBST_SHELL_EXEC:
		shell_show(b, ctx, v);
		break;
	case RUNBOOK_SUBST_SQL:
		quote_sql(b, v, ident ? '"' : '\'');
		break;
	case RUNBOOK_SUBST_PSQL:
		if (par->secret)
			buf_printf(b, ident ? ":\"maintop_p_%s\"" :
			    ":'maintop_p_%s'", par->name);
		else
			quote_sql(b, v, ident ? '"' : '\'');
		break;
	case RUNBOOK_SUBST_URL:
		quote_url(b, v);
		break;
	}
}

/*
 * The reference "${...}" at p, ending at end: appended to b as how wants
 * it when it names a parameter of rb.  Returns where to go on in the
 * text: past the reference, or past its "${" when it names none.
 */
static const char *
subst_ref(struct buf *b, const struct runbook *rb, char *const *values,
    const char *p, const char *end, enum runbook_subst how, int mask,
    enum shell_ctx ctx)
{
	const struct runbook_param *par;
	const char *v;
	size_t n = (size_t)(end - (p + 2));
	int ident = 0;

	if ((how == RUNBOOK_SUBST_SQL || how == RUNBOOK_SUBST_PSQL) &&
	    n > 6 && strncmp(end - 6, ":ident", 6) == 0) {
		n -= 6;
		ident = 1;
	}
	if ((par = runbook_find_param_n(rb, p + 2, n)) == NULL) {
		buf_adds(b, "${");
		return p + 2;
	}
	if (how == RUNBOOK_SUBST_SHELL_EXEC)
		shell_ref(b, ctx, par->name);
	else if (values == NULL)
		buf_add(b, p, (size_t)(end + 1 - p));
	else {
		v = values[par - rb->params];
		if (v == NULL)
			v = "";
		if (mask && par->secret)
			v = RUNBOOK_MASK;
		subst_value(b, par, v, how, ident, ctx);
	}
	return end + 1;
}

char *
runbook_subst(const struct runbook *rb, char *const *values,
    const char *text, enum runbook_subst how, int mask)
{
	struct buf b;
	const char *p = text, *end, *start;
	struct shell_state ss;
	int shell;

	shell = how == RUNBOOK_SUBST_SHELL || how == RUNBOOK_SUBST_SHELL_EXEC;
	ss.v[0] = SH_PLAIN;
	ss.n = 1;
	buf_init(&b);
	buf_adds(&b, "");
	while (*p != '\0') {
		if (p[0] == '$' && p[1] == '$' && p[2] == '{') {
			buf_adds(&b, "${");
			p += 3;
		} else if (p[0] != '$' || p[1] != '{' ||
		    (end = strchr(p + 2, '}')) == NULL) {
			start = p;
			if (shell)
				shell_track(&ss, &p);
			p++;
			buf_add(&b, start, (size_t)(p - start));
		} else
			p = subst_ref(&b, rb, values, p, end, how, mask,
			    shell_top(&ss));
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
