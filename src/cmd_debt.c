/* "maintop debt": prints the technical-debt list in score order and adds,
 * resolves, reopens or deletes items of the debt file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "debt_fields.h"
#include "debt_json.h"
#include "debt_query.h"
#include "debt_store.h"
#include "sanitize.h"

static const char debt_usage[] =
"usage: maintop debt [-c FILE] [--json] [--all]\n"
"       maintop debt show ID\n"
"       maintop debt add --title T --priority high|medium|low [FIELD...]\n"
"       maintop debt edit ID FIELD...\n"
"       maintop debt resolve|reopen|delete ID\n"
"FIELD: --title T, --priority P, --system S (repeatable) or --systems\n"
"'a, b', --target YYYY-MM-DD, --owner O, --effort 2d, --description D,\n"
"--impact I, --plan P; add also takes --id ID.  In edit, an empty value\n"
"clears the field.\n"
"Lists open technical-debt items, highest score first (--all: resolved\n"
"ones too; --json: a JSON array); show prints one item whole with its\n"
"score's terms.  score = priority weight (high 5,\n"
"medium 3, low 1) + 0.5 per affected system + max(0, (90 - days until the\n"
"target) / 30), the days counted from now to the target's midnight and\n"
"rounded down.  Changes go to the debt file in the state directory and\n"
"the journal; items from the configuration file are edited there.\n"
"Options: -c FILE, --read-only (refuse changes), --help.\n";

/* A field option given on the command line, in order. */
struct debt_opt {
	enum debt_field	 field;
	const char	*value;
};

struct debt_args {
	const char	 *config;
	int		  json;
	int		  all;
	int		  read_only;
	char		 *id;
	struct debt_opt	 *opts;
	size_t		  nopts;
	char		**systems;	/* --system, in order */
	size_t		  nsystems;
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

/* A multi-line field under its heading, indented, when it has text. */
static void
print_text(const struct debt_item *d, enum debt_field f)
{
	const char *s = f == DEBT_FIELD_DESCRIPTION ? d->description :
	    f == DEBT_FIELD_IMPACT ? d->impact : d->plan;
	const char *nl;

	if (s == NULL)
		return;
	printf("\n%s\n", debt_fields[f].label);
	for (; *s != '\0'; s = *nl != '\0' ? nl + 1 : nl) {
		nl = s + strcspn(s, "\n");
		fputs("    ", stdout);
		while (s < nl) {
			char *one = xstrndup(s, (size_t)(nl - s));

			put_text(stdout, one);
			free(one);
			s = nl;
		}
		putchar('\n');
	}
}

static void
target_label(const struct debt_item *d, time_t now, const char *tz,
    char *out, size_t len)
{
	char date[16];

	if (d->status == DEBT_RESOLVED) {
		debt_format_date(d->resolved, tz, date, sizeof date);
		snprintf(out, len, "resolved %s", date);
	} else
		debt_target_label(d, now, tz, out, len);
}

static void
print_plain(struct debt_item **v, size_t n, time_t now, const char *tz)
{
	struct debt_score sc;
	char target[48], score[32];
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
		debt_format_score(sc.total, score, sizeof score);
		target_label(v[i], now, tz, target, sizeof target);
		printf("%5s  %-8s  %-*s  %-*s  ", score,
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

/* The list as a JSON array, one item a line. */
static void
print_json(struct debt_item **v, size_t n, time_t now, const char *tz)
{
	json_t *o;
	char *text;
	size_t i;

	fputs("[", stdout);
	for (i = 0; i < n; i++) {
		o = debt_json_item(v[i], now, tz);
		text = json_dumps(o, DEBT_JSON_FLAGS);
		json_decref(o);
		if (text == NULL)
			fatal("out of memory");
		printf("%s%s", i == 0 ? "\n  " : ",\n  ", text);
		free(text);
	}
	fputs(n > 0 ? "\n]\n" : "]\n", stdout);
}

/*
 * Applies the field options to d: 0, or after a message the exit code
 * (usage for a value of the wrong kind, failure for refused text).
 */
static int
apply_opts(struct debt_item *d, const struct debt_args *a, const char *verb,
    const char *tz)
{
	enum debt_field f;
	char *cause = NULL, *joined;
	struct buf b;
	size_t i;
	int r = 0;

	for (i = 0; i < a->nopts && r == 0; i++) {
		f = a->opts[i].field;
		if (debt_field_set(d, f, a->opts[i].value, tz, &cause) == 0)
			continue;
		fprintf(stderr, "maintop debt %s: --%s: ", verb,
		    debt_fields[f].name);
		put_text(stderr, cause);
		fputc('\n', stderr);
		free(cause);
		r = f == DEBT_FIELD_PRIORITY || f == DEBT_FIELD_TARGET ||
		    f == DEBT_FIELD_EFFORT || f == DEBT_FIELD_SYSTEMS ?
		    CLI_EXIT_USAGE : CLI_EXIT_FAIL;
	}
	if (r == 0 && a->nsystems > 0) {
		buf_init(&b);
		for (i = 0; i < a->nsystems; i++) {
			if (i > 0)
				buf_adds(&b, ",");
			buf_adds(&b, a->systems[i]);
		}
		joined = buf_detach(&b);
		if (debt_field_set(d, DEBT_FIELD_SYSTEMS, joined, tz,
		    &cause) != 0) {
			fprintf(stderr, "maintop debt %s: --system: ", verb);
			put_text(stderr, cause);
			fputc('\n', stderr);
			free(cause);
			r = CLI_EXIT_USAGE;
		}
		free(joined);
	}
	return r;
}

/* The option for field f was given. */
static int
has_opt(const struct debt_args *a, enum debt_field f)
{
	size_t i;

	for (i = 0; i < a->nopts; i++)
		if (a->opts[i].field == f)
			return 1;
	return 0;
}

/* Builds the item for "add" from the options; NULL after a message with
 * the exit code in *rc. */
static struct debt_item *
build_item(const struct debt_args *a, const char *tz, int *rc)
{
	struct debt_item *d;

	if (!has_opt(a, DEBT_FIELD_TITLE) || !has_opt(a, DEBT_FIELD_PRIORITY)) {
		fprintf(stderr, "maintop debt add: --title and --priority are "
		    "required\n");
		*rc = CLI_EXIT_USAGE;
		return NULL;
	}
	d = xcalloc(1, sizeof *d);
	d->systems = xcalloc(1, sizeof *d->systems);
	if (a->id != NULL)
		d->id = xstrdup(a->id);
	if ((*rc = apply_opts(d, a, "add", tz)) != 0) {
		debt_item_free(d);
		return NULL;
	}
	return d;
}

static void
add_opt(struct debt_args *a, enum debt_field f, const char *value)
{
	a->opts = xreallocarray(a->opts, a->nopts + 1, sizeof *a->opts);
	a->opts[a->nopts].field = f;
	a->opts[a->nopts++].value = value;
}

/* Field options are 256 + the field, after the others. */
#define OPT_FIELD	256

static int
parse_args(int argc, char **argv, struct debt_args *a)
{
	static struct option longopts[8 + DEBT_FIELD_COUNT];
	static const struct option fixed[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "read-only", no_argument, NULL, 'r' },
		{ "id", required_argument, NULL, 'I' },
		{ "system", required_argument, NULL, 'S' },
	};
	struct cli_opts o = { .argc = argc, .argv = argv,
	    .longopts = longopts, .usage = debt_usage };
	size_t i, n = sizeof fixed / sizeof fixed[0];
	int ch;

	memcpy(longopts, fixed, sizeof fixed);
	for (i = 0; i < DEBT_FIELD_COUNT; i++) {
		longopts[n + i].name = debt_fields[i].name;
		longopts[n + i].has_arg = required_argument;
		longopts[n + i].flag = NULL;
		longopts[n + i].val = OPT_FIELD + (int)i;
	}
	memset(&longopts[n + i], 0, sizeof longopts[0]);
	while ((ch = cli_getopt(&o)) != -1) {
		if (ch >= OPT_FIELD && ch < OPT_FIELD + DEBT_FIELD_COUNT) {
			add_opt(a, (enum debt_field)(ch - OPT_FIELD), optarg);
			continue;
		}
		switch (ch) {
		case 'j':
			a->json = 1;
			break;
		case 'a':
			a->all = 1;
			break;
		case 'r':
			a->read_only = 1;
			break;
		case 'I':
			a->id = optarg;
			break;
		case 'S':
			a->systems = xreallocarray(a->systems, a->nsystems + 1,
			    sizeof *a->systems);
			a->systems[a->nsystems++] = optarg;
			break;
		}
	}
	a->config = o.config;
	return o.exit == -1 ? 0 : o.exit == CLI_EXIT_OK ? 1 : -1;
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

/* "show": one item whole, its score's terms included. */
static int
do_show(struct debt_store *st, const char *id, time_t now,
    const struct config *cfg)
{
	const char *tz = cfg->settings.timezone;
	const struct debt_item *d = debt_store_find(st, id);
	static const enum debt_field texts[] = { DEBT_FIELD_DESCRIPTION,
	    DEBT_FIELD_IMPACT, DEBT_FIELD_PLAN };
	struct debt_terms t;
	char date[16], label[48];
	size_t i;

	if (d == NULL) {
		fprintf(stderr, "maintop debt show: no debt item '");
		put_text(stderr, id);
		fprintf(stderr, "'\n");
		return CLI_EXIT_FAIL;
	}
	put_text(stdout, d->id);
	fputs("  ", stdout);
	put_text(stdout, d->title);
	debt_score_explain(d, now, tz, &t);
	printf("\n%-12s%s\n%-12s%s\n%-12s%s\n%-12s%s\n", "Score", t.total, "",
	    t.weight, "", t.systems, "", t.urgency);
	printf("%-12s%s\n", "Priority", debt_priority_name(d->priority));
	if (d->status == DEBT_RESOLVED) {
		debt_format_date(d->resolved, tz, date, sizeof date);
		printf("%-12sresolved on %s\n", "Status", date);
	} else
		printf("%-12sopen\n", "Status");
	if (d->target != 0) {
		debt_format_date(d->target, tz, date, sizeof date);
		target_label(d, now, tz, label, sizeof label);
		printf("%-12s%s (%s)\n", "Target", date, label);
	} else
		printf("%-12s-\n", "Target");
	printf("%-12s", "Systems");
	for (i = 0; i < d->nsystems; i++) {
		fputs(i > 0 ? ", " : "", stdout);
		put_text(stdout, d->systems[i]);
	}
	printf("%s\n%-12s", d->nsystems == 0 ? "-" : "", "Owner");
	put_text(stdout, d->owner != NULL ? d->owner : "-");
	debt_format_effort(d->effort, label, sizeof label);
	printf("\n%-12s%s\n", "Effort", d->effort > 0 ? label : "-");
	if (d->created != 0)
		debt_format_date(d->created, tz, date, sizeof date);
	printf("%-12s%s\n%-12s", "Created", d->created != 0 ? date : "-",
	    "Source");
	if (d->source == DEBT_SOURCE_CONFIG)
		fputs("configuration ", stdout);
	put_text(stdout, d->file != NULL ? d->file : cfg->path != NULL ?
	    cfg->path : "-");
	if (d->line > 0 && d->source == DEBT_SOURCE_CONFIG)
		printf(":%d", d->line);
	putchar('\n');
	for (i = 0; i < sizeof texts / sizeof texts[0]; i++)
		print_text(d, texts[i]);
	return CLI_EXIT_OK;
}

/*
 * "edit": a copy of item id with the options applied, to save as the
 * dashboard saves it (same checks, lock, conflict refusal and journal).
 * An empty item when id is not the debt file's (the store then says why);
 * NULL after a message with the exit code in *rc.
 */
static struct debt_item *
edit_item(struct debt_store *st, const char *id, const struct debt_args *a,
    const char *tz, int *rc)
{
	const struct debt_item *old = debt_store_find(st, id);
	struct debt_item *d;

	if (old == NULL || old->source != DEBT_SOURCE_STATE)
		return xcalloc(1, sizeof *d);
	d = debt_item_copy(old);
	if ((*rc = apply_opts(d, a, "edit", tz)) != 0) {
		debt_item_free(d);
		return NULL;
	}
	return d;
}

static int
do_change(struct debt_store *st, const char *verb, const char *id,
    const struct debt_args *a, time_t now, const char *tz)
{
	struct debt_item *d;
	char *cause = NULL, *newid = NULL;
	int r = CLI_EXIT_FAIL;

	if (strcmp(verb, "add") == 0) {
		if ((d = build_item(a, tz, &r)) == NULL)
			return r;
		r = debt_store_add(st, d, now, &newid, &cause);
	} else if (strcmp(verb, "edit") == 0) {
		if ((d = edit_item(st, id, a, tz, &r)) == NULL)
			return r;
		r = debt_store_edit(st, id, d, now, &cause);
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
		fprintf(stderr, "maintop debt %s: warning: ", verb);
		put_text(stderr, cause);
		fputc('\n', stderr);
		free(cause);
	}
	if (newid != NULL) {
		printf("added %s\n", newid);
		free(newid);
	} else {
		printf("%s ", strcmp(verb, "resolve") == 0 ? "resolved" :
		    strcmp(verb, "reopen") == 0 ? "reopened" :
		    strcmp(verb, "edit") == 0 ? "saved" : "deleted");
		put_text(stdout, id);
		putchar('\n');
	}
	return CLI_EXIT_OK;
}

/* How many words a command takes (itself included), or 0 when unknown. */
static int
verb_words(const char *verb)
{
	static const char *const one[] = { "list", "add", NULL };
	static const char *const two[] = { "show", "edit", "resolve", "reopen",
	    "delete", NULL };
	size_t i;

	for (i = 0; one[i] != NULL; i++)
		if (strcmp(verb, one[i]) == 0)
			return 1;
	for (i = 0; two[i] != NULL; i++)
		if (strcmp(verb, two[i]) == 0)
			return 2;
	return 0;
}

static void
args_free(struct debt_args *a)
{
	free(a->systems);
	free(a->opts);
}

/* Checks the words against the options: 0, or the usage exit code. */
static int
check_words(int nargs, const char *verb, const struct debt_args *a)
{
	int want = verb_words(verb), fields;

	if (want == 0) {
		fprintf(stderr, "maintop debt: unknown command '%s'\n%s",
		    verb, debt_usage);
		return CLI_EXIT_USAGE;
	}
	fields = a->nopts > 0 || a->nsystems > 0;
	if ((nargs > 0 && nargs != want) || (nargs == 0 && want != 1) ||
	    (fields && strcmp(verb, "add") != 0 && strcmp(verb, "edit") != 0) ||
	    (a->id != NULL && strcmp(verb, "add") != 0) ||
	    (!fields && strcmp(verb, "edit") == 0)) {
		fputs(debt_usage, stderr);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

int
cmd_debt(int argc, char **argv)
{
	struct debt_args a;
	struct cfg_errors errs = { 0 };
	struct config *cfg;
	struct debt_store *st;
	const char *verb = "list", *id = NULL, *tz;
	char *cause = NULL;
	int r, nargs, broken, ro;
	time_t now;

	memset(&a, 0, sizeof a);
	r = parse_args(argc, argv, &a);
	if (r != 0) {
		args_free(&a);
		return r > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	nargs = argc - optind;
	if (nargs > 0)
		verb = argv[optind];
	if ((r = check_words(nargs, verb, &a)) != 0) {
		args_free(&a);
		return r;
	}
	if (verb_words(verb) == 2)
		id = argv[optind + 1];

	cfg = cli_load_config(a.config);
	if (cfg == NULL) {
		args_free(&a);
		return CLI_EXIT_CONFIG;
	}
	now = cli_now();
	tz = cfg->settings.timezone;
	ro = a.read_only || cfg->settings.read_only;
	st = debt_store_open_config(cfg, ro || strcmp(verb, "list") == 0 ||
	    strcmp(verb, "show") == 0, &errs, &cause);
	if (st == NULL) {
		fprintf(stderr, "maintop debt: %s\n", cause);
		free(cause);
		config_free(cfg);
		args_free(&a);
		return CLI_EXIT_FAIL;
	}
	cli_print_errors(&errs);
	broken = errs.nerrors != 0;
	cfg_errors_free(&errs);

	if (strcmp(verb, "list") == 0)
		r = do_list(st, &a, now, tz, broken);
	else if (strcmp(verb, "show") == 0)
		r = do_show(st, id, now, cfg);
	else if (ro) {
		fprintf(stderr, "maintop debt %s: refused: read-only mode%s\n",
		    verb, a.read_only ? "" : " (settings.read_only is set)");
		r = CLI_EXIT_FAIL;
	} else
		r = do_change(st, verb, id, &a, now, tz);

	debt_store_free(st);
	config_free(cfg);
	args_free(&a);
	return r;
}
