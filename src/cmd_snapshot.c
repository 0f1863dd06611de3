/* "maintop snapshot": the dashboard's content as plain text, for mail and
 * cron: every check probed once, the calendar, the debt list, runbooks. */
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calendar.h"
#include "check.h"
#include "debt_store.h"
#include "cli.h"
#include "config.h"
#include "health.h"
#include "maint.h"
#include "runbook.h"
#include "sanitize.h"

#define DAY 86400

static void
snapshot_calendar(struct config *c, time_t now)
{
	struct occurrence *o = NULL;
	struct calendar_conflict *cv = NULL;
	char a[32], b[32], left[32];
	size_t n, i;

	printf("\n== Calendar (times in UTC)\n");
	if (c->nwindows == 0) {
		printf("no maintenance windows configured\n");
		return;
	}
	n = calendar_active(c, now, &o);
	for (i = 0; i < n; i++) {
		util_format_duration(o[i].end - now, left, sizeof left);
		util_format_utc(o[i].end, b, sizeof b);
		printf("ACTIVE   %-24s %-11s until %s (ends in %s)\n",
		    o[i].w->name, calendar_kind_name(o[i].w->kind), b, left);
	}
	free(o);
	o = NULL;
	n = calendar_upcoming(c, now, now + 30 * DAY, 10, &o);
	for (i = 0; i < n; i++) {
		util_format_duration(o[i].start - now, left, sizeof left);
		util_format_utc(o[i].start, a, sizeof a);
		util_format_utc(o[i].end, b, sizeof b);
		printf("NEXT     %-24s %-11s %s - %s (in %s)%s\n",
		    o[i].w->name, calendar_kind_name(o[i].w->kind), a, b, left,
		    calendar_in_notice(o[i].w, o[i].start, now) ?
		    " [notice]" : "");
	}
	free(o);
	n = calendar_conflicts(c, now, now + 30 * DAY, &cv);
	for (i = 0; i < n; i++) {
		util_format_utc(cv[i].start, a, sizeof a);
		printf("CONFLICT %s and %s overlap from %s%s%s\n",
		    cv[i].a.w->name, cv[i].b.w->name, a,
		    cv[i].system != NULL ? " on " : "",
		    cv[i].system != NULL ? cv[i].system : "");
	}
	free(cv);
}

/* The open items of the configuration and of the debt file in the state
 * directory, in score order, in columns that line up. */
static void
snapshot_debt(struct config *c, time_t now)
{
	const char *tz = c->settings.timezone;
	struct cfg_errors errs = { 0 };
	struct debt_store *st;
	struct debt_item **v;
	char target[32], score[32], *title, *cause = NULL;
	size_t i, n, idw = 2;

	printf("\n== Debt (open, by score)\n");
	st = debt_store_open_config(c, 1, &errs, &cause);
	if (st == NULL) {
		/* No state directory: the configuration's items only. */
		printf("debt file unavailable: %s\n", cause);
		free(cause);
		st = debt_store_open("/nonexistent/debt.conf", NULL, c, 1,
		    &errs);
	}
	if (errs.nerrors != 0)
		printf("the debt file has errors; see maintop debt\n");
	cfg_errors_free(&errs);
	n = debt_store_list(st, now, 0, &v);
	if (n == 0)
		printf("no open debt items\n");
	for (i = 0; i < n; i++)
		if (strlen(v[i]->id) > idw)
			idw = strlen(v[i]->id);
	for (i = 0; i < n; i++) {
		if (v[i]->target != 0)
			debt_format_date(v[i]->target, tz, target,
			    sizeof target);
		else
			snprintf(target, sizeof target, "-");
		title = sanitize_cstr(v[i]->title, 0);
		debt_format_score(debt_score(v[i], now, tz).total, score,
		    sizeof score);
		printf("%5s  %-6s %-*s %-10s %s\n", score,
		    debt_priority_name(v[i]->priority), (int)idw, v[i]->id,
		    target, title);
		free(title);
	}
	free(v);
	debt_store_free(st);
}

static void
snapshot_runbooks(struct config *c)
{
	size_t i;

	printf("\n== Runbooks\n");
	if (c->nrunbooks == 0)
		printf("no runbooks configured\n");
	for (i = 0; i < c->nrunbooks; i++) {
		char *d = sanitize_cstr(c->runbooks[i]->description, 0);

		printf("%-24s %s\n", c->runbooks[i]->name, d);
		free(d);
	}
}

static const char snapshot_usage[] =
"usage: maintop snapshot [-c FILE]\n"
"Prints the dashboard as plain text: health (each check probed once),\n"
"calendar, debt and runbooks.  Exit 0, or 3 without a configuration.\n";

static void
snapshot_done(void *arg)
{
	event_base_loopbreak(arg);
}

static void
snapshot_health(struct config *c, struct event_base *base)
{
	struct health *h;
	char why[256];
	size_t i;

	printf("\n== Health\n");
	if (c->nchecks == 0) {
		printf("no checks configured\n");
		return;
	}
	h = health_new(base, c, NULL, NULL);
	health_run_once(h, NULL, snapshot_done, base);
	event_base_dispatch(base);
	maint_apply(h, c, cli_now());
	for (i = 0; i < health_count(h); i++) {
		const struct check_status *st = health_get(h, i);
		char lat[32];

		if (st->last != NULL && st->last->latency_ms >= 0)
			util_format_quantity(st->last->latency_ms, "ms", lat,
			    sizeof lat);
		else
			snprintf(lat, sizeof lat, "-");
		maint_describe(st, c->settings.timezone, cli_now(), why,
		    sizeof why);
		printf("%-8s %-20s %-8s %9s  %s%s%s%s%s\n",
		    state_name(maint_state(st, 0)), st->check->name,
		    check_type_name(st->check->type), lat,
		    *why != '\0' ? "(" : "", why, *why != '\0' ? ": " : "",
		    st->last != NULL ? st->last->message : "",
		    *why != '\0' ? ")" : "");
	}
	health_free(h);
}

int
cmd_snapshot(int argc, char **argv)
{
	const char *explicit = NULL;
	struct event_base *base;
	struct config *c;
	char when[32], host[256];
	int ret;

	if ((ret = cli_config_only(argc, argv, snapshot_usage, &explicit)) != -1)
		return ret;
	if ((c = cli_load_config(explicit)) == NULL)
		return CLI_EXIT_CONFIG;
	if (gethostname(host, sizeof host) != 0)
		snprintf(host, sizeof host, "localhost");
	host[sizeof host - 1] = '\0';
	util_format_utc(cli_now(), when, sizeof when);
	printf("maintop snapshot of %s at %s\n",
	    c->settings.name != NULL ? c->settings.name : host, when);

	base = event_base_new();
	if (base == NULL)
		fatal("cannot create the event loop");
	snapshot_health(c, base);
	event_base_free(base);
	snapshot_calendar(c, cli_now());
	snapshot_debt(c, cli_now());
	snapshot_runbooks(c);
	config_free(c);
	return CLI_EXIT_OK;
}
