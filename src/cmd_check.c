/* "maintop check": runs health checks once, concurrently, and reports them
 * as a monitoring plugin does (the worst state and a summary on the first
 * line with every check's perfdata, one line per check after it, exit
 * 0/1/2/3), or as JSON; the calendar's maintenance policy applies. */
#include <event2/event.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli.h"
#include "config.h"
#include "debt_json.h"
#include "health.h"
#include "maint.h"
#include "metric.h"
#include "sanitize.h"

static const char check_usage[] =
"usage: maintop check [-c FILE] [--json] [--ignore-maintenance] [NAME...]\n"
"Runs the named checks (all by default) once, concurrently.  The first line\n"
"is the worst state with a summary and every check's perfdata, then one\n"
"line per check (one check: its own line).  A check in an active\n"
"maintenance window reports OK and says its real state, unless\n"
"--ignore-maintenance.  Exit 0 ok, 1 warning, 2 critical, 3 unknown.\n";

/* Names listed per state in the summary; the rest are counted. */
#define CHECK_SUMMARY_NAMES	5

/* The monitoring-plugins unit of a figure's unit, or "" for none. */
static const char *
perf_unit(const char *unit)
{
	if (strcmp(unit, "s") == 0 || strcmp(unit, "%") == 0 ||
	    strcmp(unit, "B") == 0 || strcmp(unit, "c") == 0)
		return unit;
	return "";
}

/* A number for perfdata: plain decimal, never an exponent. */
static void
perf_num(struct buf *b, double v)
{
	char tmp[64];

	range_num(v, tmp, sizeof tmp);
	buf_adds(b, tmp);
}

/*
 * A perfdata label: 'check figure', quoted, a quote doubled; a character
 * that would end the label or the perfdata ('|', '=', controls) becomes
 * '_'.
 */
static void
perf_label(struct buf *b, const char *check, const char *name)
{
	const char *parts[2] = { check, name };
	const char *p;
	int k;

	buf_addc(b, '\'');
	for (k = 0; k < 2; k++) {
		if (k == 1)
			buf_addc(b, ' ');
		for (p = parts[k]; *p != '\0'; p++) {
			if (*p == '\'')
				buf_addc(b, '\'');
			buf_addc(b, (unsigned char)*p < 0x20 || *p == 0x7f ||
			    *p == '|' || *p == '=' ? '_' : *p);
		}
	}
	buf_addc(b, '\'');
}

/* Appends st's perfdata, each item after a space. */
static void
perf_add(struct buf *b, const struct check_status *st)
{
	const struct sample *s = st->last;
	const struct figure *f;
	char rbuf[100];
	size_t i;

	for (i = 0; s != NULL && i < s->nfigures; i++) {
		f = &s->figures[i];
		if (f->kind != FIGURE_NUM || !isfinite(f->num))
			continue;
		buf_addc(b, ' ');
		perf_label(b, st->check->name, f->name);
		buf_addc(b, '=');
		perf_num(b, f->num);
		buf_adds(b, perf_unit(f->unit));
		if (!f->warn.set && !f->crit.set)
			continue;
		range_format(&f->warn, rbuf, sizeof rbuf);
		buf_printf(b, ";%s", rbuf);
		range_format(&f->crit, rbuf, sizeof rbuf);
		buf_printf(b, ";%s", rbuf);
	}
}

/* What the run reports, shared by the text and JSON writers. */
struct check_report {
	struct health		*h;
	const struct config	*cfg;
	const int		*sel;
	int			 raw;		/* --ignore-maintenance */
	time_t			 now;
};

static int
report_selected(const struct check_report *r, size_t i)
{
	return r->sel == NULL || r->sel[i];
}

/* "STATE - name message", with the maintenance policy's words. */
static void
check_line(struct buf *b, const struct check_report *r,
    const struct check_status *st)
{
	const char *msg = st->last != NULL ? st->last->message :
	    "no result: the probe did not finish";
	char why[256];

	buf_printf(b, "%s - %s ", state_name(maint_state(st, r->raw)),
	    st->check->name);
	if (st->maintenance && !r->raw) {
		maint_describe(st, r->cfg->settings.timezone, r->now, why,
		    sizeof why);
		buf_printf(b, "(%s: %s)", why, msg);
	} else
		buf_adds(b, msg);
}

/*
 * The summary of the first line: "1 critical (payments), 3 warning
 * (pg-main, slow-api, api-tls), 3 ok", worst first, at most
 * CHECK_SUMMARY_NAMES names for each state.
 */
static void
check_summary(struct buf *b, const struct check_report *r)
{
	static const enum state order[] = { STATE_CRIT, STATE_UNKNOWN,
	    STATE_WARN, STATE_OK };
	static const char *const words[] = { "critical", "unknown",
	    "warning", "ok" };
	const struct check_status *st;
	size_t i, k, n, shown, nmaint;

	for (k = 0; k < 4; k++) {
		n = nmaint = 0;
		for (i = 0; i < health_count(r->h); i++) {
			st = health_get(r->h, i);
			if (report_selected(r, i) &&
			    maint_state(st, r->raw) == order[k]) {
				n++;
				nmaint += st->maintenance && !r->raw;
			}
		}
		if (n == 0)
			continue;
		buf_printf(b, "%s%zu %s", k > 0 && b->s[b->len - 1] != ' ' ?
		    ", " : "", n, words[k]);
		if (order[k] == STATE_OK) {
			if (nmaint > 0)
				buf_printf(b, " (%zu in maintenance)", nmaint);
			break;
		}
		buf_adds(b, " (");
		for (i = shown = 0; i < health_count(r->h); i++) {
			st = health_get(r->h, i);
			if (!report_selected(r, i) ||
			    maint_state(st, r->raw) != order[k])
				continue;
			if (shown == CHECK_SUMMARY_NAMES) {
				buf_printf(b, ", %zu more", n - shown);
				break;
			}
			buf_printf(b, "%s%s", shown++ > 0 ? ", " : "",
			    st->check->name);
		}
		buf_addc(b, ')');
	}
}

/* Prints one line of the report, sanitized. */
static void
check_puts(const char *line)
{
	char *safe = sanitize_cstr(line, 0);

	puts(safe);
	free(safe);
}

/* The plugin output: first line, perfdata, long output. */
static void
check_text(const struct check_report *r, enum state worst, size_t nsel)
{
	struct buf b, perf;
	size_t i;

	buf_init(&b);
	buf_init(&perf);
	for (i = 0; i < health_count(r->h); i++)
		if (report_selected(r, i))
			perf_add(&perf, health_get(r->h, i));
	if (nsel == 1) {
		for (i = 0; i < health_count(r->h); i++)
			if (report_selected(r, i))
				check_line(&b, r, health_get(r->h, i));
	} else {
		buf_printf(&b, "%s - ", state_name(worst));
		check_summary(&b, r);
	}
	/* Names are printable by validation and messages sanitized by the
	 * probes; every line is sanitized once more, terminal or not. */
	if (perf.len > 0)
		buf_printf(&b, " |%s", perf.s);
	check_puts(b.s);
	for (i = 0; nsel > 1 && i < health_count(r->h); i++) {
		if (!report_selected(r, i))
			continue;
		buf_reset(&b);
		check_line(&b, r, health_get(r->h, i));
		check_puts(b.s);
	}
	buf_free(&perf);
	buf_free(&b);
}

/* A figure's value for JSON: an integer when it is one. */
static json_t *
figure_json(const struct figure *f)
{
	switch (f->kind) {
	case FIGURE_NUM:
		if (!isfinite(f->num))
			return json_null();
		if (f->num == floor(f->num) && fabs(f->num) < 9e15)
			return json_integer((json_int_t)f->num);
		return json_real(f->num);
	case FIGURE_STR:
		return cli_json_str(f->str);
	case FIGURE_UNAVAILABLE:
		break;
	}
	return json_string("unavailable");
}

/* Seconds from milliseconds, or null when there is no measure. */
static json_t *
seconds_json(double ms)
{
	return ms >= 0 ? json_real(ms / 1000.0) : json_null();
}

static json_t *
status_json(const struct check_report *r, const struct check_status *st)
{
	const struct sample *s = st->last;
	const struct figure *f;
	json_t *o, *figs, *units, *lims, *lim, *m;
	char rbuf[100], until[32];
	size_t i;

	o = json_object();
	json_object_set_new(o, "name", cli_json_str(st->check->name));
	json_object_set_new(o, "type",
	    json_string(check_type_name(st->check->type)));
	json_object_set_new(o, "target", cli_json_str(st->target));
	json_object_set_new(o, "state",
	    json_string(state_short(maint_state(st, r->raw))));
	m = json_null();
	if (st->maintenance && !r->raw) {
		util_format_utc(st->maint_end, until, sizeof until);
		m = json_pack("{s:s, s:s, s:s}", "window", st->maint_window,
		    "until", until, "state", state_short(st->state));
	}
	json_object_set_new(o, "maintenance", m);
	json_object_set_new(o, "latency", seconds_json(s != NULL ?
	    s->latency_ms : -1));
	json_object_set_new(o, "connect", seconds_json(s != NULL ?
	    s->connect_ms : -1));
	json_object_set_new(o, "message",
	    cli_json_str(s != NULL ? s->message : "no result"));
	figs = json_object();
	units = json_object();
	lims = json_object();
	for (i = 0; s != NULL && i < s->nfigures; i++) {
		f = &s->figures[i];
		json_object_set_new(figs, f->name, figure_json(f));
		if (f->kind == FIGURE_NUM && *f->unit != '\0')
			json_object_set_new(units, f->name,
			    json_string(f->unit));
		if (!f->warn.set && !f->crit.set)
			continue;
		lim = json_object();
		range_format(&f->warn, rbuf, sizeof rbuf);
		json_object_set_new(lim, "warn", f->warn.set ?
		    json_string(rbuf) : json_null());
		range_format(&f->crit, rbuf, sizeof rbuf);
		json_object_set_new(lim, "crit", f->crit.set ?
		    json_string(rbuf) : json_null());
		json_object_set_new(lims, f->name, lim);
	}
	json_object_set_new(o, "figures", figs);
	json_object_set_new(o, "units", units);
	json_object_set_new(o, "thresholds", lims);
	return o;
}

/* One object at a time: 1,000 checks never sit in memory twice. */
static void
check_json(const struct check_report *r)
{
	struct debt_json_items *debt;
	json_t *obj;
	const char *p;
	char *text, *safe;
	int first = 1;
	size_t i;

	/* Each check carries the open debt items naming it. */
	debt = debt_json_open(r->cfg, r->now);
	for (i = 0; i < health_count(r->h); i++) {
		if (!report_selected(r, i))
			continue;
		obj = status_json(r, health_get(r->h, i));
		json_object_set_new(obj, "debt", debt_json_system(debt,
		    health_get(r->h, i)->check->name));
		text = json_dumps(obj, JSON_INDENT(2) |
		    JSON_REAL_PRECISION(6));
		json_decref(obj);
		if (text == NULL)
			fatal("out of memory");
		safe = sanitize_json(text, strlen(text));
		free(text);
		text = safe;
		fputs(first ? "[\n  " : ",\n  ", stdout);
		for (p = text; *p != '\0'; p++) {
			putchar(*p);
			if (*p == '\n')
				fputs("  ", stdout);
		}
		free(text);
		first = 0;
	}
	puts(first ? "[]" : "\n]");
	debt_json_close(debt);
}

/*
 * Loads (save 0) or saves (save 1) the previous metric readings of the
 * selected checks that need them, in the state directory, as stateful
 * plugins keep theirs: a rate in a one-shot run is the change since the
 * previous run.  A problem is said on stderr; the check goes on.
 */
static void
check_state(const struct check_report *r, int save)
{
	const struct check *c;
	char *dir = NULL, *cause = NULL;
	size_t i;
	int rc;

	for (i = 0; i < health_count(r->h); i++) {
		c = health_get(r->h, i)->check;
		if (!report_selected(r, i) || c->type != CHECK_HTTP ||
		    !metric_stateful(c))
			continue;
		if (dir == NULL && config_state_dir(r->cfg, &dir, &cause) != 0)
			break;
		rc = save ? metric_state_save(dir, c,
		    health_metric_prev(r->h, i), &cause) :
		    metric_state_load(dir, c, health_metric_prev(r->h, i),
		    &cause);
		if (rc != 0)
			break;
	}
	if (cause != NULL)
		fprintf(stderr, "maintop check: metric state: %s\n", cause);
	free(cause);
	free(dir);
}

struct check_run {
	struct event_base	*base;
	int			 finished;
};

static void
check_all_done(void *arg)
{
	struct check_run *run = arg;

	run->finished = 1;
	event_base_loopbreak(run->base);
}

/* Selects the named checks; prints an UNKNOWN line for each unknown
 * name and returns -1 if there was one. */
static int
check_select(struct health *h, int argc, char **argv, int **sel)
{
	long k;
	int bad = 0;

	*sel = NULL;
	if (optind >= argc)
		return 0;
	*sel = xcalloc(health_count(h) + 1, sizeof **sel);
	for (; optind < argc; optind++) {
		k = health_find(h, argv[optind]);
		if (k >= 0) {
			(*sel)[k] = 1;
			continue;
		}
		if (!bad)
			printf("UNKNOWN - no check named '%s'\n",
			    argv[optind]);
		bad = 1;
	}
	return bad ? -1 : 0;
}

int
cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "ignore-maintenance", no_argument, NULL, 'I' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_opts o = { .argc = argc, .argv = argv, .shortopts = "j",
	    .longopts = longopts, .usage = check_usage };
	struct check_report r;
	struct config *cfg;
	struct event_base *base;
	struct check_run run;
	enum state worst = STATE_OK;
	char *why = NULL;
	int *sel = NULL, ch, json = 0, raw = 0;
	size_t i, nsel = 0;

	while ((ch = cli_getopt(&o)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'I':
			raw = 1;
			break;
		}
	}
	if (o.exit == CLI_EXIT_USAGE) {
		printf("UNKNOWN - bad command line (see maintop check "
		    "--help)\n");
		return STATE_UNKNOWN;
	}
	if (o.exit != -1)
		return STATE_OK;
	cfg = cli_load_config_why(o.config, &why);
	if (cfg == NULL) {
		printf("UNKNOWN - no usable configuration: %s\n", why);
		free(why);
		return STATE_UNKNOWN;
	}
	if (cfg->nchecks == 0) {
		printf("UNKNOWN - no checks in the configuration\n");
		config_free(cfg);
		return STATE_UNKNOWN;
	}
	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	if (base == NULL)
		fatal("event_base_new failed");
	r.h = health_new(base, cfg, NULL, NULL);
	r.cfg = cfg;
	r.raw = raw;
	if (check_select(r.h, argc, argv, &sel) != 0) {
		health_free(r.h);
		event_base_free(base);
		config_free(cfg);
		free(sel);
		return STATE_UNKNOWN;
	}
	r.sel = sel;

	run.base = base;
	run.finished = 0;
	check_state(&r, 0);
	health_run_once(r.h, sel, check_all_done, &run);
	/* Persistent connections keep events, so the loop is broken. */
	if (!run.finished)
		event_base_dispatch(base);
	check_state(&r, 1);

	r.now = cli_now();
	maint_apply(r.h, cfg, r.now);
	for (i = 0; i < health_count(r.h); i++) {
		if (!report_selected(&r, i))
			continue;
		nsel++;
		worst = state_worse(worst, maint_state(health_get(r.h, i),
		    raw));
	}
	if (json)
		check_json(&r);
	else
		check_text(&r, worst, nsel);
	health_free(r.h);
	event_base_free(base);
	config_free(cfg);
	free(sel);
	return (int)worst;
}
