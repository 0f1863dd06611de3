/* What the line modes share: loading the configuration with every problem
 * printed, and the clock that --now can fix. */
#include "cli.h"
#include "check.h"
#include "childenv.h"
#include "journal.h"
#include "notify.h"
#include "sanitize.h"
#include "store.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long long	cli_started_ms;

static time_t	cli_fixed;
static int	cli_fixed_set;

/* An error and its place in the list, to sort by file and line. */
struct cli_err {
	const struct cfg_error	*e;
	size_t			 pos;
};

static int
cli_err_cmp(const void *a, const void *b)
{
	const struct cli_err *x = a, *y = b;
	const char *fx = x->e->file != NULL ? x->e->file : "";
	const char *fy = y->e->file != NULL ? y->e->file : "";
	int c = strcmp(fx, fy);

	if (c != 0)
		return c;
	if (x->e->line != y->e->line)
		return x->e->line < y->e->line ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

void
cli_print_errors(const struct cfg_errors *errs)
{
	struct cli_err *v;
	char *line, *safe;
	size_t i;

	v = xcalloc(errs->n + 1, sizeof *v);
	for (i = 0; i < errs->n; i++) {
		v[i].e = &errs->v[i];
		v[i].pos = i;
	}
	qsort(v, errs->n, sizeof *v, cli_err_cmp);
	for (i = 0; i < errs->n; i++) {
		line = cfg_error_format(v[i].e);
		safe = sanitize_cstr(line, 0);
		fprintf(stderr, "%s\n", safe);
		free(safe);
		free(line);
	}
	free(v);
}

void
cli_hide_secrets(const struct config *c)
{
	const struct check *k;
	size_t i, j;

	if (c->settings.store != NULL && c->settings.store->password_env != NULL)
		childenv_secret(c->settings.store->password_env);
	for (i = 0; i < c->nchannels; i++)
		for (j = 0; j < c->channels[i]->nsecrets; j++)
			if (c->channels[i]->secrets[j].value_env != NULL)
				childenv_secret(
				    c->channels[i]->secrets[j].value_env);

	for (i = 0; i < c->nchecks; i++) {
		k = c->checks[i];
		if (k->type == CHECK_POSTGRES && k->pg.password_env != NULL)
			childenv_secret(k->pg.password_env);
		if (k->type == CHECK_REDIS && k->redis.password_env != NULL)
			childenv_secret(k->redis.password_env);
		for (j = 0; k->type == CHECK_HTTP &&
		    j < k->http.nsecret_headers; j++) {
			if (k->http.secret_headers[j].value_env != NULL)
				childenv_secret(
				    k->http.secret_headers[j].value_env);
		}
	}
}

struct config *
cli_load_config(const char *explicit)
{
	return cli_load_config_why(explicit, NULL);
}

struct config *
cli_load_config_why(const char *explicit, char **why)
{
	struct cfg_errors errs = { 0 };
	struct config *c;
	char *path, *cause = NULL, *line;
	size_t i;

	if (why != NULL)
		*why = NULL;
	path = config_find(explicit, &cause);
	if (path == NULL) {
		fprintf(stderr, "maintop: %s\n", cause);
		if (why != NULL)
			*why = sanitize_cstr(cause, 0);
		free(cause);
		return NULL;
	}
	c = config_load(path, &errs);
	cli_print_errors(&errs);
	if (c == NULL)
		fprintf(stderr, "maintop: %s: %zu error%s in the "
		    "configuration\n", path, errs.nerrors,
		    errs.nerrors == 1 ? "" : "s");
	for (i = 0; c == NULL && why != NULL && i < errs.n; i++) {
		if (errs.v[i].warning)
			continue;
		line = cfg_error_format(&errs.v[i]);
		*why = sanitize_cstr(line, 0);
		free(line);
		break;
	}
	if (c == NULL && why != NULL && *why == NULL)
		*why = xasprintf("%s: the configuration is not usable", path);
	cfg_errors_free(&errs);
	free(path);
	if (c != NULL) {
		cli_hide_secrets(c);
		journal_set_max(c->settings.journal_max);
	}
	return c;
}

json_t *
cli_json_str(const char *s)
{
	json_t *j;
	char *valid;

	if (s == NULL)
		return json_null();
	if ((j = json_string(s)) != NULL)
		return j;
	valid = sanitize_valid_utf8(s);
	j = json_string(valid);
	free(valid);
	return j != NULL ? j : json_string("");
}

void
cli_json_puts(const char *json)
{
	char *safe = sanitize_json(json, strlen(json));

	fputs(safe, stdout);
	free(safe);
}

int
cli_json_print(const json_t *v, size_t flags)
{
	char *text;

	if ((text = json_dumps(v, flags)) == NULL)
		return -1;
	cli_json_puts(text);
	putchar('\n');
	free(text);
	return 0;
}

int
cli_set_now(const char *s)
{
	time_t t;

	if (util_parse_iso8601(s, NULL, &t) != 0)
		return -1;
	cli_fixed = t;
	cli_fixed_set = 1;
	return 0;
}

time_t
cli_now(void)
{
	return cli_fixed_set ? cli_fixed : time(NULL);
}

int
cli_now_fixed(void)
{
	return cli_fixed_set;
}

/* Appends to o's options those of list (ended by a NULL name). */
static void
cli_add_longopts(struct cli_opts *o, size_t *n, const struct option *list)
{
	for (; list != NULL && list->name != NULL; list++) {
		if (*n >= CLI_OPTS_MAX)
			fatal("cli_getopt: more than %d options", CLI_OPTS_MAX);
		o->all_long[(*n)++] = *list;
	}
}

int
cli_getopt(struct cli_opts *o)
{
	static const struct option common[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	size_t n = 0;
	int ch;

	if (!o->ready) {
		if ((size_t)snprintf(o->all_short, sizeof o->all_short,
		    "c:h%s", o->shortopts != NULL ? o->shortopts : "") >=
		    sizeof o->all_short)
			fatal("cli_getopt: too many short options");
		cli_add_longopts(o, &n, common);
		cli_add_longopts(o, &n, o->longopts);
		memset(&o->all_long[n], 0, sizeof o->all_long[n]);
		o->config = NULL;
		o->exit = -1;
		o->ready = 1;
		optind = 1;
		opterr = 1;
	}
	for (;;) {
		ch = getopt_long(o->argc, o->argv, o->all_short, o->all_long,
		    NULL);
		switch (ch) {
		case 'c':
			o->config = optarg;
			continue;
		case 'h':
			fputs(o->usage, stdout);
			o->exit = CLI_EXIT_OK;
			return -1;
		case '?':
		case ':':
			o->exit = cli_usage_error(o->usage);
			return -1;
		default:
			return ch;
		}
	}
}

int
cli_usage_error(const char *usage)
{
	fputs(usage, stderr);
	return CLI_EXIT_USAGE;
}

int
cli_config_only(int argc, char **argv, const char *usage,
    const char **explicit)
{
	struct cli_opts o = { .argc = argc, .argv = argv, .usage = usage };

	while (cli_getopt(&o) != -1)
		;	/* no option of its own */
	*explicit = o.config;
	if (o.exit != -1)
		return o.exit;
	if (optind != argc)
		return cli_usage_error(usage);
	return -1;
}
