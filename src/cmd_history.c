/* "maintop history": the runs in the journal, newest first, as a table
 * whose columns fit the longest field, or as JSON. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "config.h"
#include "jsonfmt.h"
#include "runner.h"
#include "sanitize.h"
#include "store.h"

static const char history_usage[] =
"usage: maintop history [-c FILE] [--runbook NAME] [--since WHEN]\n"
"                       [--limit N] [--reverse] [--json]\n"
"Lists the runs in the runbook journal, newest first: id, runbook, user,\n"
"start (UTC), duration and result.  A run with no end is 'running' while\n"
"the maintop that started it is alive (with settings.store: while its\n"
"lock is held in the team store, from any host), else 'interrupted'.\n"
"\n"
"  -c, --config FILE   the configuration (its state_dir holds the journal;\n"
"                      with settings.store, the team store does)\n"
"  -r, --runbook NAME  only the runs of this runbook\n"
"  -s, --since WHEN    only runs started at or after WHEN: an ISO 8601\n"
"                      instant (2026-12-01, 2026-12-01T08:00:00Z) or a\n"
"                      duration back from now (12h, 7d)\n"
"  -l, --limit N       the N newest runs (default: a screenful, the\n"
"                      terminal's height less 3, or 20 on a pipe; 0: all)\n"
"      --reverse       oldest first\n"
"  -j, --json          the same runs as a JSON array\n"
"  -h, --help          this help\n"
"\n"
"Exit 0; 1 when the journal cannot be read; 2 usage error; 3 no usable\n"
"configuration.  See maintop(1).\n";

struct history_opts {
	const char	*config;
	const char	*runbook;
	time_t		 since;		/* 0: all */
	long		 limit;		/* 0: all */
	int		 reverse;
	int		 json;
};

/* A run's result; resolve_open said what a run with no end is. */
static const char *
run_result(const struct runner_run *r)
{
	return r->result;
}

/* A run with no end is running while the store says so (its maintop
 * alive, its lock held), else interrupted. */
static void
resolve_open(struct store *st, struct runner_run *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(v[i].result, "unfinished") != 0)
			continue;
		free(v[i].result);
		v[i].result = xstrdup(store_run_live(st, v[i].runbook,
		    v[i].id, v[i].pid) ? "running" : "interrupted");
	}
}

/* The runs from the configuration's store: 0, or -1 with *cause. */
static int
history_runs(const struct config *cfg, const char *runbook,
    struct runner_run **runs, size_t *n, char **cause)
{
	struct store *st;
	char *dir;
	int rc;

	if (config_state_dir(cfg, &dir, cause) != 0)
		return -1;
	st = store_open(cfg, dir, cause);
	free(dir);
	if (st == NULL)
		return -1;
	rc = runner_history_store(st, runbook, runs, n, cause);
	if (rc == 0)
		resolve_open(st, *runs, *n);
	store_close(st);
	return rc;
}

static void
run_duration(const struct runner_run *r, char *out, size_t len)
{
	if (r->duration_ms >= 0)
		util_format_quantity((double)r->duration_ms, "ms", out, len);
	else if (r->end != 0 && r->start != 0)
		util_format_duration(r->end - r->start, out, len);
	else
		snprintf(out, len, "-");
}

/* A screenful: the terminal's rows less the header and the prompt. */
static long
screenful(void)
{
	struct winsize ws;

	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) ==
	    0 && ws.ws_row > 6)
		return ws.ws_row - 3;
	return 20;
}

static int
parse_since(const char *s, time_t *out)
{
	long long secs;

	if (util_parse_iso8601(s, NULL, out) == 0)
		return 0;
	if (util_parse_duration(s, &secs) != 0)
		return -1;
	*out = cli_now() - (time_t)secs;
	return 0;
}

static int
parse_opts(int argc, char **argv, struct history_opts *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "runbook", required_argument, NULL, 'r' },
		{ "since", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'l' },
		{ "reverse", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_opts co = { .argc = argc, .argv = argv,
	    .shortopts = "jr:s:l:", .longopts = longopts,
	    .usage = history_usage };
	char *end;
	int ch;

	memset(o, 0, sizeof *o);
	o->limit = -1;
	while ((ch = cli_getopt(&co)) != -1) {
		switch (ch) {
		case 'j':
			o->json = 1;
			break;
		case 'r':
			o->runbook = optarg;
			break;
		case 's':
			if (parse_since(optarg, &o->since) != 0) {
				fprintf(stderr, "maintop history: --since: "
				    "not an instant or a duration: '%s'\n",
				    optarg);
				return CLI_EXIT_USAGE;
			}
			break;
		case 'l':
			errno = 0;
			o->limit = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || errno != 0 ||
			    o->limit < 0) {
				fprintf(stderr, "maintop history: --limit: "
				    "not a number of runs: '%s'\n", optarg);
				return CLI_EXIT_USAGE;
			}
			break;
		case 'R':
			o->reverse = 1;
			break;
		}
	}
	o->config = co.config;
	if (co.exit != -1)
		return co.exit;
	if (optind != argc)
		return cli_usage_error(history_usage);
	if (o->limit < 0)
		o->limit = o->json ? 0 : screenful();
	return -1;
}

/* The metrics of the run of the same runbook before runs[i] that has
 * some (runs are oldest first), or NULL. */
static const char *
previous_metrics(const struct runner_run *runs, size_t i)
{
	size_t j = i;

	while (j-- > 0)
		if (runs[j].metrics != NULL &&
		    strcmp(runs[j].runbook, runs[i].runbook) == 0)
			return runs[j].metrics;
	return NULL;
}

/* A run's metrics text as a JSON value (null when none). */
static json_t *
metrics_json(const char *text)
{
	json_error_t jerr;
	json_t *v = text != NULL ? json_loads(text, 0, &jerr) : NULL;

	return v != NULL ? v : json_null();
}

static json_t *
run_json(const struct runner_run *runs, size_t i)
{
	const struct runner_run *r = &runs[i];
	json_t *o = json_object();
	char t[32];

	util_format_utc(r->start, t, sizeof t);
	json_object_set_new(o, "id", cli_json_str(r->id));
	json_object_set_new(o, "runbook", cli_json_str(r->runbook));
	json_object_set_new(o, "user", cli_json_str(r->user));
	json_object_set_new(o, "ssh_client", cli_json_str(r->ssh_client));
	json_object_set_new(o, "tty", cli_json_str(r->tty));
	json_object_set_new(o, "start", json_string(t));
	if (r->end != 0) {
		util_format_utc(r->end, t, sizeof t);
		json_object_set_new(o, "end", json_string(t));
		/* The measured duration when the journal has it: under
		 * --now, start and end are the same fixed instant. */
		json_object_set_new(o, "duration_s", json_integer(
		    r->duration_ms >= 0 ? (r->duration_ms + 500) / 1000 :
		    r->end - r->start));
	} else {
		json_object_set_new(o, "end", json_null());
		json_object_set_new(o, "duration_s", json_null());
	}
	json_object_set_new(o, "duration_ms", r->duration_ms >= 0 ?
	    json_integer(r->duration_ms) : json_null());
	json_object_set_new(o, "result", cli_json_str(run_result(r)));
	json_object_set_new(o, "log", cli_json_str(r->log));
	json_object_set_new(o, "overrides", cli_json_str(r->overrides));
	json_object_set_new(o, "metrics", metrics_json(r->metrics));
	json_object_set_new(o, "previous_metrics",
	    metrics_json(previous_metrics(runs, i)));
	return o;
}

/* The columns of the table, sanitized, one row per run. */
enum { COL_ID, COL_RUNBOOK, COL_USER, COL_START, COL_DURATION, COL_RESULT,
    NCOLS };

static void
print_row(char *const *cell, const size_t *width)
{
	size_t k, w;

	for (k = 0; k < NCOLS; k++) {
		w = sanitize_width(cell[k]);
		/* The duration is right-aligned; the last column not padded. */
		if (k == COL_DURATION)
			printf("%*s", (int)(width[k] - w), "");
		fputs(cell[k], stdout);
		if (k != COL_DURATION && k + 1 < NCOLS)
			printf("%*s", (int)(width[k] - w), "");
		if (k + 1 < NCOLS)
			fputs("  ", stdout);
	}
	putchar('\n');
}

/* A run's METRICS figures, beside those of the previous run. */
static void
print_metrics(const struct runner_run *runs, size_t i)
{
	const char *prev;
	char *s;

	if (runs[i].metrics == NULL)
		return;
	s = sanitize_cstr(runs[i].metrics, 0);
	printf("    metrics %s", s);
	free(s);
	if ((prev = previous_metrics(runs, i)) != NULL) {
		s = sanitize_cstr(prev, 0);
		printf(" (previous %s)", s);
		free(s);
	}
	putchar('\n');
}

static void
print_table(const struct runner_run *runs, const struct runner_run **v,
    size_t n, const char *runbook)
{
	static const char *const head[NCOLS] = { "ID", "RUNBOOK", "USER",
	    "START", "DURATION", "RESULT" };
	char **cell, buf[64], *res;
	size_t width[NCOLS], i, k, w;

	if (n == 0) {
		res = sanitize_cstr(runbook, 0);
		printf("No runs in the journal%s%s.\n", runbook ? " for " : "",
		    runbook ? res : "");
		free(res);
		return;
	}
	cell = xcalloc(n * NCOLS, sizeof *cell);
	for (k = 0; k < NCOLS; k++)
		width[k] = strlen(head[k]);
	for (i = 0; i < n; i++) {
		char **c = cell + i * NCOLS;

		c[COL_ID] = sanitize_cstr(v[i]->id, 0);
		c[COL_RUNBOOK] = sanitize_cstr(v[i]->runbook, 0);
		c[COL_USER] = sanitize_cstr(v[i]->user ? v[i]->user : "?", 0);
		util_format_utc(v[i]->start, buf, sizeof buf);
		c[COL_START] = xstrdup(buf);
		run_duration(v[i], buf, sizeof buf);
		c[COL_DURATION] = xstrdup(buf);
		res = v[i]->overrides != NULL ? xasprintf("%s (override: %s)",
		    run_result(v[i]), v[i]->overrides) :
		    xstrdup(run_result(v[i]));
		c[COL_RESULT] = sanitize_cstr(res, 0);
		free(res);
		for (k = 0; k < NCOLS; k++)
			if ((w = sanitize_width(c[k])) > width[k])
				width[k] = w;
	}
	print_row((char *const *)head, width);
	for (i = 0; i < n; i++) {
		print_row(cell + i * NCOLS, width);
		print_metrics(runs, (size_t)(v[i] - runs));
	}
	for (i = 0; i < n * NCOLS; i++)
		free(cell[i]);
	free(cell);
}

int
cmd_history(int argc, char **argv)
{
	struct history_opts o;
	struct config *cfg;
	struct runner_run *runs;
	const struct runner_run **sel;
	char *cause = NULL, *res, *text;
	size_t n, m = 0, i, j;
	json_t *arr;
	int ret;

	if ((ret = parse_opts(argc, argv, &o)) != -1)
		return ret;
	if ((cfg = cli_load_config(o.config)) == NULL)
		return CLI_EXIT_CONFIG;
	if (history_runs(cfg, o.runbook, &runs, &n, &cause) != 0) {
		res = sanitize_cstr(cause, 0);
		fprintf(stderr, "maintop history: %s\n", res);
		free(res);
		free(cause);
		config_free(cfg);
		return CLI_EXIT_FAIL;
	}
	/* The journal is oldest first: newest first, then the limit. */
	sel = xcalloc(n + 1, sizeof *sel);
	for (i = n; i-- > 0; ) {
		if (o.since != 0 && runs[i].start < o.since)
			continue;
		if (o.limit > 0 && m == (size_t)o.limit)
			break;
		sel[m++] = &runs[i];
	}
	for (i = 0, j = m; o.reverse && i < m / 2; i++) {
		const struct runner_run *t = sel[i];

		sel[i] = sel[--j];
		sel[j] = t;
	}
	if (o.json) {
		arr = json_array();
		for (i = 0; i < m; i++)
			json_array_append_new(arr, run_json(runs,
			    (size_t)(sel[i] - runs)));
		/* Numbers as the steps wrote them (0.95, 1e-7). */
		text = jsonfmt_dumps(arr, 2);
		cli_json_puts(text);
		putchar('\n');
		free(text);
		json_decref(arr);
	} else
		print_table(runs, sel, m, o.runbook);
	free(sel);
	runner_runs_free(runs, n);
	config_free(cfg);
	return CLI_EXIT_OK;
}
