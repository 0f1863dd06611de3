/* "maintop debt": prints the technical-debt list in score order and adds,
 * resolves, reopens or deletes items of the debt file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "debt_store.h"
#include "sanitize.h"

static const char debt_usage[] =
"usage: maintop debt [-c FILE] [--json] [--all]\n"
"       maintop debt add --title T --priority high|medium|low [--system S]...\n"
"                        [--target YYYY-MM-DD] [--owner O] [--effort 2d]\n"
"                        [--description D] [--impact I] [--plan P] [--id ID]\n"
"       maintop debt resolve|reopen|delete ID\n"
"Lists open technical-debt items, highest score first (--all: resolved\n"
"ones too; --json: a JSON array).  score = priority weight (high 5,\n"
"medium 3, low 1) + 0.5 per affected system + max(0, (90 - days until the\n"
"target) / 30), the days counted from now to the target's midnight and\n"
"rounded down.  Changes go to the debt file in the state directory and\n"
"the journal; items from the configuration file are edited there.\n"
"Options: -c FILE, --read-only (refuse changes), --help.\n";

struct debt_args {
	const char	 *config;
	int		  json;
	int		  all;
	int		  read_only;
	int		  add_opts;	/* an add-only option was given */
	char		 *id;
	char		 *title;
	char		 *priority;
	char		**systems;
	size_t		  nsystems;
	char		 *target;
	char		 *owner;
	char		 *effort;
	char		 *description;
	char		 *impact;
	char		 *plan;
};

/* Text from the debt list made safe for a terminal (the model refuses
 * controls already; this keeps the line mode safe whatever changes). */
static void
put_text(FILE *f, const char *s)
{
	char *t = sanitize_cstr(s, 0);

	fputs(t, f);
	free(t);
}

static void
target_label(const struct debt_item *d, time_t now, const char *tz,
    char *out, size_t len)
{
	char date[16];
	long long days;

	if (d->status == DEBT_RESOLVED) {
		debt_format_date(d->resolved, tz, date, sizeof date);
		snprintf(out, len, "resolved %s", date);
	} else if (debt_days_left(d, now, tz, &days) != 0)
		snprintf(out, len, "-");
	else if (days < 0)
		snprintf(out, len, "overdue %lldd", -days);
	else if (days == 0)
		snprintf(out, len, "today");
	else
		snprintf(out, len, "in %lldd", days);
}

static void
print_plain(struct debt_item **v, size_t n, time_t now, const char *tz)
{
	struct debt_score sc;
	char target[48];
	size_t i, j, idw = 2, tw = 6;

	if (n == 0) {
		printf("no technical debt\n");
		return;
	}
	for (i = 0; i < n; i++) {
		if (strlen(v[i]->id) > idw)
			idw = strlen(v[i]->id);
		target_label(v[i], now, tz, target, sizeof target);
		if (strlen(target) > tw)
			tw = strlen(target);
	}
	printf("SCORE  PRIORITY  %-*s  %-*s  TITLE  [SYSTEMS]\n", (int)idw,
	    "ID", (int)tw, "TARGET");
	for (i = 0; i < n; i++) {
		sc = debt_score(v[i], now, tz);
		target_label(v[i], now, tz, target, sizeof target);
		printf("%5.2f  %-8s  %-*s  %-*s  ", sc.total,
		    debt_priority_name(v[i]->priority), (int)idw, v[i]->id,
		    (int)tw, target);
		put_text(stdout, v[i]->title);
		if (v[i]->nsystems > 0) {
			fputs("  [", stdout);
			for (j = 0; j < v[i]->nsystems; j++) {
				if (j > 0)
					fputs(", ", stdout);
				put_text(stdout, v[i]->systems[j]);
			}
			fputs("]", stdout);
		}
		putchar('\n');
	}
}

static void
json_opt_str(struct buf *b, const char *key, const char *v)
{
	buf_printf(b, ",\"%s\":", key);
	if (v != NULL)
		buf_json_str(b, v);
	else
		buf_adds(b, "null");
}

static void
json_date(struct buf *b, const char *key, time_t t, const char *tz)
{
	char date[16];

	if (t == 0) {
		json_opt_str(b, key, NULL);
		return;
	}
	debt_format_date(t, tz, date, sizeof date);
	json_opt_str(b, key, date);
}

static void
print_json(struct debt_item **v, size_t n, time_t now, const char *tz)
{
	const struct debt_item *d;
	struct debt_score sc;
	struct buf b;
	long long days;
	size_t i, j;

	buf_init(&b);
	buf_addc(&b, '[');
	for (i = 0; i < n; i++) {
		d = v[i];
		sc = debt_score(d, now, tz);
		buf_adds(&b, i == 0 ? "\n  {" : ",\n  {");
		buf_adds(&b, "\"id\":");
		buf_json_str(&b, d->id);
		json_opt_str(&b, "title", d->title);
		json_opt_str(&b, "priority", debt_priority_name(d->priority));
		json_opt_str(&b, "status", debt_status_name(d->status));
		buf_adds(&b, ",\"systems\":[");
		for (j = 0; j < d->nsystems; j++) {
			if (j > 0)
				buf_addc(&b, ',');
			buf_json_str(&b, d->systems[j]);
		}
		buf_addc(&b, ']');
		json_date(&b, "target", d->target, tz);
		if (debt_days_until(d, now, tz, &days) == 0)
			buf_printf(&b, ",\"days_until_target\":%lld", days);
		else
			buf_adds(&b, ",\"days_until_target\":null");
		buf_printf(&b, ",\"score\":%.10g,\"score_parts\":{\"weight\":"
		    "%.10g,\"systems\":%.10g,\"urgency\":%.10g}", sc.total,
		    sc.weight, sc.systems, sc.urgency);
		json_date(&b, "created", d->created, tz);
		json_date(&b, "resolved", d->resolved, tz);
		json_opt_str(&b, "owner", d->owner);
		if (d->effort > 0)
			buf_printf(&b, ",\"effort\":%lld", d->effort);
		else
			buf_adds(&b, ",\"effort\":null");
		json_opt_str(&b, "description", d->description);
		json_opt_str(&b, "impact", d->impact);
		json_opt_str(&b, "plan", d->plan);
		json_opt_str(&b, "source", d->source == DEBT_SOURCE_CONFIG ?
		    "config" : "state");
		buf_addc(&b, '}');
	}
	buf_adds(&b, n > 0 ? "\n]\n" : "]\n");
	fputs(b.s, stdout);
	buf_free(&b);
}

static void
print_errors(struct cfg_errors *errs)
{
	char *line;
	size_t i;

	for (i = 0; i < errs->n; i++) {
		line = cfg_error_format(&errs->v[i]);
		fprintf(stderr, "%s\n", line);
		free(line);
	}
}

/* Builds the item for "add" from the options; NULL after a message. */
static struct debt_item *
build_item(const struct debt_args *a, const char *tz)
{
	struct debt_item *d;
	int p;

	if (a->title == NULL || a->priority == NULL) {
		fprintf(stderr, "maintop debt add: --title and --priority are "
		    "required\n");
		return NULL;
	}
	p = debt_priority_from_name(a->priority);
	if (p < 0) {
		fprintf(stderr, "maintop debt add: --priority must be high, "
		    "medium or low\n");
		return NULL;
	}
	d = xcalloc(1, sizeof *d);
	d->priority = (enum debt_priority)p;
	d->title = xstrdup(a->title);
	if (a->id != NULL)
		d->id = xstrdup(a->id);
	d->systems = xcalloc(a->nsystems + 1, sizeof *d->systems);
	for (d->nsystems = 0; d->nsystems < a->nsystems; d->nsystems++)
		d->systems[d->nsystems] = xstrdup(a->systems[d->nsystems]);
	if (a->target != NULL && debt_parse_date(a->target, tz,
	    &d->target) != 0) {
		fprintf(stderr, "maintop debt add: --target is not a date "
		    "(use YYYY-MM-DD)\n");
		debt_item_free(d);
		return NULL;
	}
	if (a->effort != NULL && util_parse_duration(a->effort,
	    &d->effort) != 0) {
		fprintf(stderr, "maintop debt add: --effort is not a duration "
		    "(e.g. 4h, 2d, 1w)\n");
		debt_item_free(d);
		return NULL;
	}
	if (a->owner != NULL)
		d->owner = xstrdup(a->owner);
	if (a->description != NULL)
		d->description = xstrdup(a->description);
	if (a->impact != NULL)
		d->impact = xstrdup(a->impact);
	if (a->plan != NULL)
		d->plan = xstrdup(a->plan);
	return d;
}

static int
parse_args(int argc, char **argv, struct debt_args *a)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "read-only", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "id", required_argument, NULL, 'I' },
		{ "title", required_argument, NULL, 'T' },
		{ "priority", required_argument, NULL, 'P' },
		{ "system", required_argument, NULL, 'S' },
		{ "target", required_argument, NULL, 'D' },
		{ "owner", required_argument, NULL, 'O' },
		{ "effort", required_argument, NULL, 'E' },
		{ "description", required_argument, NULL, 'X' },
		{ "impact", required_argument, NULL, 'M' },
		{ "plan", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	optind = 1;
	opterr = 1;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		if (strchr("ITPSDOEXML", ch) != NULL && ch != 0)
			a->add_opts = 1;
		switch (ch) {
		case 'c':
			a->config = optarg;
			break;
		case 'j':
			a->json = 1;
			break;
		case 'a':
			a->all = 1;
			break;
		case 'r':
			a->read_only = 1;
			break;
		case 'h':
			fputs(debt_usage, stdout);
			return 1;
		case 'I':
			a->id = optarg;
			break;
		case 'T':
			a->title = optarg;
			break;
		case 'P':
			a->priority = optarg;
			break;
		case 'S':
			a->systems = xreallocarray(a->systems, a->nsystems + 1,
			    sizeof *a->systems);
			a->systems[a->nsystems++] = optarg;
			break;
		case 'D':
			a->target = optarg;
			break;
		case 'O':
			a->owner = optarg;
			break;
		case 'E':
			a->effort = optarg;
			break;
		case 'X':
			a->description = optarg;
			break;
		case 'M':
			a->impact = optarg;
			break;
		case 'L':
			a->plan = optarg;
			break;
		default:
			fputs(debt_usage, stderr);
			return -1;
		}
	}
	return 0;
}

static int
do_list(struct debt_store *st, const struct debt_args *a, time_t now,
    const char *tz, int broken)
{
	struct debt_item **v;
	size_t n;

	n = debt_store_list(st, now, a->all, &v);
	if (a->json)
		print_json(v, n, now, tz);
	else
		print_plain(v, n, now, tz);
	free(v);
	return broken ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

static int
do_change(struct debt_store *st, const char *verb, const char *id,
    const struct debt_args *a, time_t now, const char *tz)
{
	struct debt_item *d;
	char *cause = NULL, *newid = NULL;
	int r;

	if (strcmp(verb, "add") == 0) {
		if ((d = build_item(a, tz)) == NULL)
			return CLI_EXIT_USAGE;
		r = debt_store_add(st, d, now, &newid, &cause);
	} else if (strcmp(verb, "resolve") == 0)
		r = debt_store_resolve(st, id, now, &cause);
	else if (strcmp(verb, "reopen") == 0)
		r = debt_store_reopen(st, id, now, &cause);
	else
		r = debt_store_delete(st, id, now, &cause);
	if (r < 0) {
		fprintf(stderr, "maintop debt %s: ", verb);
		put_text(stderr, cause);
		fputc('\n', stderr);
		free(cause);
		return CLI_EXIT_FAIL;
	}
	if (r > 0) {
		/* Saved: exit 0 so that a script does not repeat it. */
		fprintf(stderr, "maintop debt %s: warning: %s\n", verb, cause);
		free(cause);
	}
	if (newid != NULL) {
		printf("added %s\n", newid);
		free(newid);
	} else
		printf("%s %s\n", strcmp(verb, "resolve") == 0 ? "resolved" :
		    strcmp(verb, "reopen") == 0 ? "reopened" : "deleted", id);
	return CLI_EXIT_OK;
}

int
cmd_debt(int argc, char **argv)
{
	struct debt_args a;
	struct cfg_errors errs = { 0 };
	struct config *cfg;
	struct debt_store *st;
	const char *verb = "list", *id = NULL, *tz;
	char *dir = NULL, *path, *journal, *cause = NULL;
	int r, nargs, want, broken;
	time_t now;

	memset(&a, 0, sizeof a);
	r = parse_args(argc, argv, &a);
	if (r != 0) {
		free(a.systems);
		return r > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	nargs = argc - optind;
	if (nargs > 0)
		verb = argv[optind];
	if (strcmp(verb, "list") == 0 || strcmp(verb, "add") == 0)
		want = 1;
	else if (strcmp(verb, "resolve") == 0 || strcmp(verb, "reopen") == 0 ||
	    strcmp(verb, "delete") == 0)
		want = 2;
	else {
		fprintf(stderr, "maintop debt: unknown command '%s'\n%s",
		    verb, debt_usage);
		free(a.systems);
		return CLI_EXIT_USAGE;
	}
	if ((nargs > 0 && nargs != want) || (nargs == 0 && want != 1) ||
	    (a.add_opts && strcmp(verb, "add") != 0)) {
		fputs(debt_usage, stderr);
		free(a.systems);
		return CLI_EXIT_USAGE;
	}
	if (want == 2)
		id = argv[optind + 1];

	cfg = cli_load_config(a.config);
	if (cfg == NULL) {
		free(a.systems);
		return CLI_EXIT_CONFIG;
	}
	if (config_state_dir(cfg, &dir, &cause) != 0) {
		fprintf(stderr, "maintop debt: %s\n", cause);
		free(cause);
		config_free(cfg);
		free(a.systems);
		return CLI_EXIT_FAIL;
	}
	path = xasprintf("%s/debt.conf", dir);
	journal = xasprintf("%s/journal.jsonl", dir);
	now = cli_now();
	tz = cfg->settings.timezone;

	st = debt_store_open(path, journal, cfg, a.read_only ||
	    cfg->settings.read_only || strcmp(verb, "list") == 0, &errs);
	print_errors(&errs);
	broken = errs.nerrors != 0;
	cfg_errors_free(&errs);

	if (strcmp(verb, "list") == 0)
		r = do_list(st, &a, now, tz, broken);
	else if (a.read_only || cfg->settings.read_only) {
		fprintf(stderr, "maintop debt %s: refused: read-only mode%s\n",
		    verb, a.read_only ? "" : " (settings.read_only is set)");
		r = CLI_EXIT_FAIL;
	} else
		r = do_change(st, verb, id, &a, now, tz);

	debt_store_free(st);
	free(path);
	free(journal);
	free(dir);
	config_free(cfg);
	free(a.systems);
	return r;
}
