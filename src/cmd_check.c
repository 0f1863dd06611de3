/* "maintop check": runs health checks once, concurrently, and reports them
 * as the monitoring plugins do (one line each and exit 0/1/2/3), or as
 * JSON. */
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
#include "health.h"

static const char check_usage[] =
"usage: maintop check [-c FILE] [--json] [NAME...]\n"
"Runs the named checks (all by default) once, concurrently, and prints one\n"
"line per check: STATE - name message | perfdata.  Exit 0 ok, 1 warning,\n"
"2 critical, 3 unknown, for the worst (critical > unknown > warning).\n";

/* The monitoring-plugins unit of a figure's unit, or NULL for none. */
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

static void
perf_label(struct buf *b, const char *name)
{
	const char *p;

	if (strpbrk(name, " ='") == NULL) {
		buf_adds(b, name);
		return;
	}
	buf_addc(b, '\'');
	for (p = name; *p != '\0'; p++) {
		if (*p == '\'')
			buf_addc(b, '\'');
		buf_addc(b, *p);
	}
	buf_addc(b, '\'');
}

static void
print_line(const struct check_status *st)
{
	const struct sample *s = st->last;
	const struct figure *f;
	struct buf b;
	char rbuf[100];
	size_t i;
	int first = 1;

	buf_init(&b);
	buf_printf(&b, "%s - %s %s", state_name(st->state), st->check->name,
	    s != NULL ? s->message : "no result");
	for (i = 0; s != NULL && i < s->nfigures; i++) {
		f = &s->figures[i];
		if (f->kind != FIGURE_NUM || !isfinite(f->num))
			continue;
		buf_adds(&b, first ? " | " : " ");
		first = 0;
		perf_label(&b, f->name);
		buf_addc(&b, '=');
		perf_num(&b, f->num);
		buf_adds(&b, perf_unit(f->unit));
		if (!f->warn.set && !f->crit.set)
			continue;
		range_format(&f->warn, rbuf, sizeof rbuf);
		buf_printf(&b, ";%s", rbuf);
		range_format(&f->crit, rbuf, sizeof rbuf);
		buf_printf(&b, ";%s", rbuf);
	}
	puts(b.s);
	buf_free(&b);
}

static json_t *
status_json(const struct check_status *st)
{
	const struct sample *s = st->last;
	const struct figure *f;
	json_t *o, *figs;
	size_t i;

	o = json_object();
	json_object_set_new(o, "name", json_string(st->check->name));
	json_object_set_new(o, "type",
	    json_string(check_type_name(st->check->type)));
	json_object_set_new(o, "target", json_string(st->target));
	json_object_set_new(o, "state", json_string(state_short(st->state)));
	json_object_set_new(o, "latency_ms", s != NULL && s->latency_ms >= 0 ?
	    json_real(s->latency_ms) : json_null());
	json_object_set_new(o, "connect_ms", s != NULL && s->connect_ms >= 0 ?
	    json_real(s->connect_ms) : json_null());
	json_object_set_new(o, "message",
	    json_string(s != NULL ? s->message : "no result"));
	figs = json_object();
	for (i = 0; s != NULL && i < s->nfigures; i++) {
		f = &s->figures[i];
		switch (f->kind) {
		case FIGURE_NUM:
			if (!isfinite(f->num))
				json_object_set_new(figs, f->name,
				    json_null());
			else if (f->num == floor(f->num) &&
			    fabs(f->num) < 9e15)
				json_object_set_new(figs, f->name,
				    json_integer((json_int_t)f->num));
			else
				json_object_set_new(figs, f->name,
				    json_real(f->num));
			break;
		case FIGURE_STR:
			json_object_set_new(figs, f->name,
			    json_string(f->str));
			break;
		case FIGURE_UNAVAILABLE:
			json_object_set_new(figs, f->name,
			    json_string("unavailable"));
			break;
		}
	}
	json_object_set_new(o, "figures", figs);
	return o;
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

int
cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *explicit = NULL;
	struct config *cfg;
	struct event_base *base;
	struct health *h;
	struct check_run run;
	const struct check_status *st;
	enum state worst = STATE_OK;
	json_t *obj;
	const char *p;
	int first;
	char *text;
	int *sel = NULL, ch, json = 0, bad = 0;
	long k;
	size_t i;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:jh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			explicit = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(check_usage, stdout);
			return STATE_OK;
		default:
			fputs(check_usage, stderr);
			return STATE_UNKNOWN;
		}
	}
	cfg = cli_load_config(explicit);
	if (cfg == NULL) {
		printf("UNKNOWN - no usable configuration\n");
		return STATE_UNKNOWN;
	}
	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	if (base == NULL)
		fatal("event_base_new failed");
	h = health_new(base, cfg, NULL, NULL);
	if (optind < argc) {
		sel = xcalloc(cfg->nchecks + 1, sizeof *sel);
		for (; optind < argc; optind++) {
			k = health_find(h, argv[optind]);
			if (k < 0) {
				printf("UNKNOWN - no check named '%s'\n",
				    argv[optind]);
				bad = 1;
			} else
				sel[k] = 1;
		}
	}
	if (bad) {
		health_free(h);
		event_base_free(base);
		config_free(cfg);
		free(sel);
		return STATE_UNKNOWN;
	}

	run.base = base;
	run.finished = 0;
	health_run_once(h, sel, check_all_done, &run);
	/* Persistent connections keep events, so the loop is broken. */
	if (!run.finished)
		event_base_dispatch(base);

	/* One object at a time: 1,000 checks never sit in memory twice. */
	first = 1;
	for (i = 0; i < health_count(h); i++) {
		if (sel != NULL && !sel[i])
			continue;
		st = health_get(h, i);
		worst = state_worse(worst, st->state);
		if (!json) {
			print_line(st);
			continue;
		}
		obj = status_json(st);
		text = json_dumps(obj, JSON_INDENT(2) |
		    JSON_REAL_PRECISION(6));
		json_decref(obj);
		if (text == NULL)
			fatal("out of memory");
		fputs(first ? "[\n  " : ",\n  ", stdout);
		for (p = text; *p != '\0'; p++) {
			putchar(*p);
			if (*p == '\n')
				fputs("  ", stdout);
		}
		free(text);
		first = 0;
	}
	if (json)
		puts(first ? "[]" : "\n]");
	health_free(h);
	event_base_free(base);
	config_free(cfg);
	free(sel);
	return (int)worst;
}
