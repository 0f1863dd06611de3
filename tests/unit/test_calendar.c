/* Tests for the maintenance calendar: window parsing and its errors with
 * line numbers, occurrences, active windows, upcoming, conflicts and the
 * warnings "maintop validate" prints, and schedules in words. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "config.h"
#include "schedule.h"
#include "util.h"
#include "tap.h"

static time_t
iso(const char *s)
{
	time_t t;

	if (util_parse_iso8601(s, NULL, &t) != 0) {
		printf("# bad instant in test: %s\n", s);
		exit(1);
	}
	return t;
}

static const char *
fmt(time_t t)
{
	static char b[4][32];
	static int i;

	i = (i + 1) % 4;
	util_format_utc(t, b[i], sizeof b[i]);
	return b[i];
}

/*
 * The plan, with "now" at Sunday 2026-11-29 03:00 UTC (line numbers matter
 * for the warnings; the windows start on line 8):
 *  - weekly-db: every Sunday 02:00-06:00 UTC, affects db; active now.
 *  - monthly-os: first Sunday, 01:00 Berlin for 6h (00:00-06:00 UTC in
 *    winter), affects db and web: overlaps weekly-db on Dec 6th 02:00-06:00.
 *  - cache-flush: daily 03:30 UTC for 30m, affects cache only.
 *  - year-end-freeze: a freeze from Dec 20th 00:00 UTC for 14 days.
 *  - release: one-off Dec 1st 22:00 +01:00 (21:00 UTC) for 2h, web.
 *  - dev-freeze: a freeze overlapping year-end-freeze (freezes do not
 *    conflict with each other), from Dec 24th 04:00 (UTC, the settings'
 *    zone) for 20h: it touches cache-flush's 03:30-04:00 but does not
 *    overlap it.
 */
static const char plan[] =
"settings = { timezone = \"UTC\"; };\n"
"postgres = ( { name = \"db\"; conninfo = \"host=127.0.0.1\"; } );\n"
"redis = ( { name = \"cache\"; host = \"127.0.0.1\"; } );\n"
"http = ( { name = \"web\"; url = \"http://127.0.0.1:9/\"; } );\n"
"runbooks = ( { name = \"vacuum\";\n"
"    steps = ( { name = \"v\"; run = \"true\"; } ); } );\n"
"windows = (\n"
"  { name = \"weekly-db\"; schedule = \"0 2 * * SUN\"; duration = \"4h\";\n"
"    systems = [ \"db\" ]; runbooks = [ \"vacuum\" ]; priority = \"high\";\n"
"    owner = \"dba\"; notice = \"48h\"; description = \"vacuum\"; },\n"
"  { name = \"monthly-os\"; schedule = \"0 1 * * SUN#1\";\n"
"    duration = \"6h\"; timezone = \"Europe/Berlin\";\n"
"    systems = [ \"db\", \"web\" ]; priority = 2; },\n"
"  { name = \"cache-flush\"; schedule = \"30 3 * * *\";\n"
"    duration = \"30m\"; systems = \"cache\"; priority = \"low\"; },\n"
"  { name = \"year-end-freeze\"; kind = \"freeze\";\n"
"    start = \"2026-12-20T00:00:00Z\"; duration = \"14d\"; },\n"
"  { name = \"release\"; start = \"2026-12-01T22:00:00+01:00\";\n"
"    duration = \"2h\"; systems = [ \"web\" ]; },\n"
"  { name = \"dev-freeze\"; kind = \"freeze\";\n"
"    start = \"2026-12-24 04:00\"; duration = \"20h\"; }\n"
");\n";

static struct config *
load(const char *text, struct cfg_errors *e)
{
	struct config *c = config_load_string(text, "test.conf", e);
	size_t i;

	if (c == NULL)
		for (i = 0; i < e->n; i++)
			printf("# %d: %s\n", e->v[i].line, e->v[i].msg);
	return c;
}

static void
test_parse_good(void)
{
	struct cfg_errors e = { 0 };
	struct config *c = load(plan, &e);
	struct window *w;

	if (!ok(c != NULL, "the plan loads"))
		return;
	is_int((long long)c->nwindows, 6, "six windows");
	w = config_find_window(c, "weekly-db");
	ok(w != NULL && w->schedule != NULL && w->duration == 4 * 3600 &&
	    w->priority == WINDOW_PRIORITY_HIGH && w->notice == 48 * 3600 &&
	    w->nsystems == 1 && w->nrunbooks == 1 && w->line == 8 &&
	    strcmp(w->owner, "dba") == 0 && w->kind == WINDOW_MAINTENANCE,
	    "weekly-db: its fields, at line 8");
	is_str(w->timezone, "UTC", "the zone defaults to settings.timezone");
	is_str(w->schedule_src, "0 2 * * SUN", "the schedule's text is kept");
	w = config_find_window(c, "monthly-os");
	ok(w != NULL && w->priority == 2 && strcmp(w->timezone,
	    "Europe/Berlin") == 0 && w->nsystems == 2,
	    "monthly-os: priority 2, its own zone, two systems");
	w = config_find_window(c, "cache-flush");
	ok(w != NULL && w->priority == WINDOW_PRIORITY_LOW &&
	    w->nsystems == 1 && strcmp(w->systems[0], "cache") == 0,
	    "a single string is a list of one system");
	w = config_find_window(c, "year-end-freeze");
	ok(w != NULL && w->kind == WINDOW_FREEZE && w->schedule == NULL &&
	    w->start == iso("2026-12-20T00:00:00Z") && w->duration ==
	    14 * 86400, "a one-off freeze");
	w = config_find_window(c, "release");
	ok(w != NULL && w->start == iso("2026-12-01T21:00:00Z") &&
	    w->priority == WINDOW_PRIORITY_MEDIUM,
	    "a one-off with an offset; priority defaults to medium");
	config_free(c);
	cfg_errors_free(&e);
}

/* Each bad window is alone on its line; the error must name that line. */
static void
test_parse_errors(void)
{
	static const struct {
		int		 line;
		const char	*want;
	} v[] = {
		{ 6, "unknown key 'sytems' in window (did you mean 'systems'?)" },
		{ 7, "has both 'schedule' and 'start'" },
		{ 8, "needs a 'schedule'" },
		{ 9, "'duration' is out of range" },
		{ 10, "'duration' is not a duration" },
		{ 11, "missing required key 'duration'" },
		{ 12, "unknown time zone \"Mars/Olympus\"" },
		{ 13, "did you mean \"freeze\"?" },
		{ 14, "bad schedule: day-of-week field \"SUN#6\"" },
		{ 15, "schedule \"0 0 30 2 *\" never happens" },
		{ 16, "'start' is not an ISO 8601 instant" },
		{ 17, "unknown system 'dbb' (did you mean 'db'?)" },
		{ 18, "unknown runbook 'vacum' (did you mean 'vacuum'?)" },
		{ 19, "priority must be \"high\", \"medium\", \"low\"" },
		{ 20, "'priority' is 9, must be between 1 and 5" },
		{ 21, "missing required key 'name'" },
		{ 22, "window name must be non-empty" },
		{ 23, "unknown system 'nowhere' (systems name" },
		{ 24, "'systems' must hold only strings" },
	};
	static const char text[] =
"postgres = ( { name = \"db\"; conninfo = \"host=127.0.0.1\"; } );\n"
"runbooks = ( { name = \"vacuum\";\n"
"    steps = ( { name = \"v\"; run = \"true\"; } ); } );\n"
"windows = (\n"
"  { name = \"fine\"; schedule = \"@daily\"; duration = 60; },\n"
"  { name = \"a\"; schedule = \"@daily\"; duration = \"1h\"; sytems = [ \"db\" ]; },\n"
"  { name = \"b\"; schedule = \"@daily\"; start = \"2026-12-01\"; duration = \"1h\"; },\n"
"  { name = \"c\"; duration = \"1h\"; },\n"
"  { name = \"d\"; schedule = \"@daily\"; duration = 0; },\n"
"  { name = \"e\"; schedule = \"@daily\"; duration = \"soon\"; },\n"
"  { name = \"f\"; schedule = \"@daily\"; },\n"
"  { name = \"g\"; schedule = \"@daily\"; duration = \"1h\"; timezone = \"Mars/Olympus\"; },\n"
"  { name = \"h\"; schedule = \"@daily\"; duration = \"1h\"; kind = \"freez\"; },\n"
"  { name = \"i\"; schedule = \"0 0 * * SUN#6\"; duration = \"1h\"; },\n"
"  { name = \"j\"; schedule = \"0 0 30 2 *\"; duration = \"1h\"; },\n"
"  { name = \"k\"; start = \"next tuesday\"; duration = \"1h\"; },\n"
"  { name = \"l\"; schedule = \"@daily\"; duration = \"1h\"; systems = [ \"dbb\" ]; },\n"
"  { name = \"m\"; schedule = \"@daily\"; duration = \"1h\"; runbooks = [ \"vacum\" ]; },\n"
"  { name = \"n\"; schedule = \"@daily\"; duration = \"1h\"; priority = \"urgent\"; },\n"
"  { name = \"o\"; schedule = \"@daily\"; duration = \"1h\"; priority = 9; },\n"
"  { schedule = \"@daily\"; duration = \"1h\"; },\n"
"  { name = \"\"; schedule = \"@daily\"; duration = \"1h\"; },\n"
"  { name = \"p\"; schedule = \"@daily\"; duration = \"1h\"; systems = [ \"nowhere\" ]; },\n"
"  { name = \"q\"; schedule = \"@daily\"; duration = \"1h\"; systems = [ 1 ]; }\n"
");\n";
	struct cfg_errors e = { 0 };
	struct config *c;
	size_t i, k;
	int found;

	c = config_load_string(text, "bad.conf", &e);
	ok(c == NULL, "a configuration with bad windows is refused");
	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		found = 0;
		for (k = 0; k < e.n; k++)
			if (strstr(e.v[k].msg, v[i].want) != NULL &&
			    e.v[k].line == v[i].line && !e.v[k].warning)
				found = 1;
		if (!ok(found, "line %d: %s", v[i].line, v[i].want))
			for (k = 0; k < e.n; k++)
				printf("#   %d: %s\n", e.v[k].line,
				    e.v[k].msg);
	}
	for (k = 0, found = 0; k < e.n; k++)
		if (e.v[k].line == 5)
			found = 1;
	ok(!found, "no error on the good window's line");
	config_free(c);
	cfg_errors_free(&e);
}

/* calendar_window_parse directly, with no settings at all: UTC. */
static void
test_parse_direct(void)
{
	struct cfg_errors e = { 0 };
	config_t lc;
	struct window *w;

	config_init(&lc);
	ok(config_read_string(&lc, "w = { name = \"x\"; start = "
	    "\"2026-03-29 02:30\"; duration = \"90m\"; timezone = "
	    "\"Europe/Berlin\"; };") == CONFIG_TRUE, "libconfig reads it");
	w = calendar_window_parse(&e, config_lookup(&lc, "w"), NULL);
	ok(w != NULL && e.n == 0, "a one-off in a zone, without settings");
	/* 02:30 does not exist in Berlin that day: as for schedules, the
	 * first instant after the gap. */
	if (w != NULL)
		is_str(fmt(w->start), "2026-03-29T01:00:00Z", "a start in "
		    "the gap is at 03:00 CEST, the first instant after it");
	calendar_window_free(w);
	config_destroy(&lc);
	config_init(&lc);
	ok(config_read_string(&lc, "w = { name = \"x\"; start = "
	    "\"2026-10-25T02:30\"; duration = \"90m\"; timezone = "
	    "\"Europe/Berlin\"; };") == CONFIG_TRUE, "libconfig reads it");
	w = calendar_window_parse(&e, config_lookup(&lc, "w"), NULL);
	if (ok(w != NULL, "a one-off at a repeated time"))
		is_str(fmt(w->start), "2026-10-25T00:30:00Z", "is at its "
		    "first happening, 02:30 CEST");
	calendar_window_free(w);
	config_destroy(&lc);
	config_init(&lc);
	ok(config_read_string(&lc, "w = { name = \"x\"; start = "
	    "\"2026-10-25T02:30-05:00\"; duration = \"90m\"; timezone = "
	    "\"Europe/Berlin\"; };") == CONFIG_TRUE, "libconfig reads it");
	w = calendar_window_parse(&e, config_lookup(&lc, "w"), NULL);
	if (ok(w != NULL, "a one-off with an offset"))
		is_str(fmt(w->start), "2026-10-25T07:30:00Z", "the offset "
		    "wins over the zone");
	calendar_window_free(w);
	config_destroy(&lc);
	cfg_errors_free(&e);
}

static void
test_occurrences(struct config *c)
{
	struct window *w = config_find_window(c, "weekly-db"), *x;
	struct occurrence *o;
	size_t n;

	n = calendar_occurrences(w, iso("2026-11-29T03:00:00Z"),
	    iso("2026-12-13T03:00:00Z"), &o);
	is_int((long long)n, 3, "weekly-db over two weeks: three, the first "
	    "started before the range and is still running");
	if (n == 3) {
		is_str(fmt(o[0].start), "2026-11-29T02:00:00Z", "the running one");
		is_str(fmt(o[0].end), "2026-11-29T06:00:00Z", "ends at 06:00");
		is_str(fmt(o[2].start), "2026-12-13T02:00:00Z", "the third");
	}
	free(o);
	n = calendar_occurrences(w, iso("2026-11-29T06:00:00Z"),
	    iso("2026-12-06T02:00:00Z"), &o);
	is_int((long long)n, 0, "none in [06:00 Sunday, 02:00 next Sunday): "
	    "the end and the next start are both outside");
	free(o);

	x = config_find_window(c, "release");
	n = calendar_occurrences(x, iso("2026-12-01T22:00:00Z"),
	    iso("2026-12-31T00:00:00Z"), &o);
	ok(n == 1 && o[0].start == iso("2026-12-01T21:00:00Z"),
	    "a one-off running at the start of the range is included");
	free(o);
	n = calendar_occurrences(x, iso("2026-12-01T23:00:00Z"),
	    iso("2026-12-31T00:00:00Z"), &o);
	is_int((long long)n, 0, "and not once it has ended");
	free(o);
	n = calendar_occurrences(x, iso("2026-12-02T00:00:00Z"),
	    iso("2026-12-01T00:00:00Z"), &o);
	ok(n == 0 && o == NULL, "an empty range has none");
}

/* A window longer than its period overlaps itself: all of them count. */
static void
test_long_window(void)
{
	static const char text[] =
	    "windows = ( { name = \"hourly-3h\"; schedule = \"0 * * * *\"; "
	    "duration = \"3h\"; } );\n";
	struct cfg_errors e = { 0 };
	struct config *c = load(text, &e);
	struct occurrence *o, occ;
	size_t n;

	if (!ok(c != NULL, "loads an hourly window of 3h"))
		return;
	n = calendar_occurrences(c->windows[0], iso("2026-11-29T10:30:00Z"),
	    iso("2026-11-29T10:31:00Z"), &o);
	ok(n == 3 && o[0].start == iso("2026-11-29T08:00:00Z") &&
	    o[2].start == iso("2026-11-29T10:00:00Z"),
	    "three hourly occurrences of 3h are running at 10:30");
	free(o);
	ok(calendar_window_active(c->windows[0], iso("2026-11-29T10:30:00Z"),
	    &occ) && occ.end == iso("2026-11-29T13:00:00Z"),
	    "active: the latest one, ending at 13:00");
	config_free(c);
	cfg_errors_free(&e);
}

static void
test_active(struct config *c)
{
	struct occurrence *o;
	size_t n;

	n = calendar_active(c, iso("2026-11-29T03:00:00Z"), &o);
	ok(n == 1 && strcmp(o[0].w->name, "weekly-db") == 0 &&
	    o[0].end - iso("2026-11-29T03:00:00Z") == 3 * 3600,
	    "at 03:00 Sunday weekly-db is on, 3h left");
	free(o);
	n = calendar_active(c, iso("2026-11-29T03:45:00Z"), &o);
	ok(n == 2 && strcmp(o[0].w->name, "cache-flush") == 0 &&
	    strcmp(o[1].w->name, "weekly-db") == 0,
	    "at 03:45 cache-flush too, listed first as it ends first");
	free(o);
	n = calendar_active(c, iso("2026-11-29T06:00:00Z"), &o);
	ok(n == 0 && o == NULL, "at 06:00 exactly nothing (ends are "
	    "exclusive)");
	n = calendar_active(c, iso("2026-11-29T01:59:59Z"), &o);
	ok(n == 0, "nor a second before 02:00");
	free(o);
	n = calendar_active(c, iso("2026-12-24T12:00:00Z"), &o);
	ok(n == 2 && strcmp(o[0].w->name, "dev-freeze") == 0 &&
	    strcmp(o[1].w->name, "year-end-freeze") == 0 &&
	    o[0].end == iso("2026-12-25T00:00:00Z"),
	    "on Christmas Eve at noon both freezes are on");
	free(o);
}

/* The cache: asking second by second gives the same answers as asking
 * afresh, including across the start and end of occurrences. */
static void
test_cache(struct config *c)
{
	struct window *w = config_find_window(c, "cache-flush");
	time_t t, prev, next, p2, n2;
	int hp, hn, hp2, hn2, bad = 0;

	for (t = iso("2026-11-29T03:29:00Z"); t < iso("2026-11-29T04:01:00Z");
	    t += 7) {
		calendar_window_around(w, t, &hp, &prev, &hn, &next);
		hp2 = schedule_prev(w->schedule, w->timezone, t, &p2) == 0;
		hn2 = schedule_next(w->schedule, w->timezone, t, &n2) == 0;
		if (hp != hp2 || hn != hn2 || prev != p2 || next != n2)
			bad++;
	}
	ok(bad == 0, "cached prev/next agree with the engine every 7s");
	calendar_window_around(w, iso("2026-11-20T00:00:00Z"), &hp, &prev,
	    &hn, &next);
	ok(hp && prev == iso("2026-11-19T03:30:00Z") && hn &&
	    next == iso("2026-11-20T03:30:00Z"),
	    "going back in time (--now) recomputes");
	w = config_find_window(c, "release");
	calendar_window_around(w, iso("2026-11-20T00:00:00Z"), &hp, &prev,
	    &hn, &next);
	ok(!hp && hn && next == iso("2026-12-01T21:00:00Z"),
	    "a one-off before its start: no previous, next is its start");
	calendar_window_around(w, iso("2026-12-20T00:00:00Z"), &hp, &prev,
	    &hn, &next);
	ok(hp && !hn, "and after it: a previous, no next");
}

static void
test_upcoming(struct config *c)
{
	static const char *const want[] = {
		"cache-flush 2026-11-29T03:30:00Z",
		"cache-flush 2026-11-30T03:30:00Z",
		"cache-flush 2026-12-01T03:30:00Z",
		"release 2026-12-01T21:00:00Z",
		"cache-flush 2026-12-02T03:30:00Z",
	};
	struct occurrence *o;
	char got[128];
	size_t i, n;

	n = calendar_upcoming(c, iso("2026-11-29T03:00:00Z"), 0, 5, &o);
	is_int((long long)n, 5, "five upcoming asked, five given");
	for (i = 0; i < n && i < 5; i++) {
		snprintf(got, sizeof got, "%s %s", o[i].w->name,
		    fmt(o[i].start));
		is_str(got, want[i], want[i]);
	}
	free(o);
	n = calendar_upcoming(c, iso("2026-11-29T03:00:00Z"),
	    iso("2026-12-29T03:00:00Z"), 1000, &o);
	is_int((long long)n, 38, "38 start in the next 30 days (30 flushes, "
	    "4 weekly, 1 monthly, 2 freezes, 1 release)");
	for (i = 1; i < n; i++)
		if (o[i].start < o[i - 1].start)
			break;
	ok(i >= n, "in start order");
	free(o);
	ok(calendar_in_notice(config_find_window(c, "weekly-db"),
	    iso("2026-12-06T02:00:00Z"), iso("2026-12-04T03:00:00Z")),
	    "47h before weekly-db is inside its 48h notice");
	ok(!calendar_in_notice(config_find_window(c, "weekly-db"),
	    iso("2026-12-06T02:00:00Z"), iso("2026-12-04T01:00:00Z")),
	    "49h before is not");
	ok(!calendar_in_notice(config_find_window(c, "cache-flush"),
	    iso("2026-12-06T03:30:00Z"), iso("2026-12-06T03:00:00Z")),
	    "a window without notice never is");
}

static void
test_conflicts(struct config *c)
{
	struct calendar_conflict *v;
	struct cfg_errors e = { 0 };
	size_t n, i, nfreeze = 0;
	int found;

	n = calendar_conflicts(c, iso("2026-11-29T03:00:00Z"),
	    iso("2026-12-29T03:00:00Z"), &v);
	is_int((long long)n, 12, "12 conflicts in 30 days: 1 shared system, "
	    "9 flushes and 2 weekly-db in the freeze");
	if (n > 0) {
		is_str(v[0].a.w->name, "monthly-os", "first: monthly-os");
		is_str(v[0].b.w->name, "weekly-db", "against weekly-db");
		is_str(fmt(v[0].start), "2026-12-06T02:00:00Z", "from 02:00");
		is_str(fmt(v[0].end), "2026-12-06T06:00:00Z", "to 06:00");
		is_str(v[0].system, "db", "both affect db");
	}
	for (i = 0; i < n; i++) {
		if (v[i].system == NULL)
			nfreeze++;
		if (strcmp(v[i].a.w->name, "dev-freeze") == 0 &&
		    strcmp(v[i].b.w->name, "year-end-freeze") == 0)
			ok(0, "two freezes do not conflict");
	}
	is_int((long long)nfreeze, 11, "11 overlap a freeze");
	free(v);

	calendar_warn_conflicts(c, iso("2026-11-29T03:00:00Z"), 30, &e);
	is_int((long long)e.n, 3, "three warnings: one per pair");
	ok(e.nerrors == 0, "warnings only");
	found = 0;
	for (i = 0; i < e.n; i++) {
		if (strcmp(e.v[i].msg, "maintenance windows 'weekly-db' and "
		    "'monthly-os' overlap from 2026-12-06T02:00:00Z to "
		    "2026-12-06T06:00:00Z, both affecting 'db'") == 0 &&
		    e.v[i].line == 11)
			found |= 1;
		if (strcmp(e.v[i].msg, "maintenance window 'cache-flush' "
		    "overlaps freeze 'year-end-freeze' from "
		    "2026-12-20T03:30:00Z to 2026-12-20T04:00:00Z (and 8 "
		    "more times in the next 30 days)") == 0 &&
		    e.v[i].line == 16)
			found |= 2;
		if (strstr(e.v[i].msg, "'weekly-db' overlaps freeze "
		    "'year-end-freeze' from 2026-12-20T02:00:00Z") != NULL &&
		    strstr(e.v[i].msg, "(and 1 more time in the next 30 "
		    "days)") != NULL)
			found |= 4;
	}
	if (!is_int(found, 7, "the three warnings, at the later window's "
	    "line"))
		for (i = 0; i < e.n; i++)
			printf("#   %d: %s\n", e.v[i].line, e.v[i].msg);
	cfg_errors_free(&e);
	calendar_warn_conflicts(c, iso("2026-11-29T03:00:00Z"), 5, &e);
	is_int((long long)e.n, 0, "no warning within the next 5 days");
	cfg_errors_free(&e);
}

/* Windows that touch (one ends as the other starts) do not conflict. */
static void
test_touching(void)
{
	static const char text[] =
	    "postgres = ( { name = \"db\"; conninfo = \"host=x\"; } );\n"
	    "windows = (\n"
	    "  { name = \"a\"; schedule = \"0 2 * * *\"; duration = \"1h\";\n"
	    "    systems = [ \"db\" ]; },\n"
	    "  { name = \"b\"; schedule = \"0 3 * * *\"; duration = \"1h\";\n"
	    "    systems = [ \"db\" ]; },\n"
	    "  { name = \"c\"; schedule = \"59 2 * * *\"; duration = \"1h\"; }\n"
	    ");\n";
	struct cfg_errors e = { 0 };
	struct config *c = load(text, &e);
	struct calendar_conflict *v;
	size_t n;

	if (!ok(c != NULL, "loads touching windows"))
		return;
	n = calendar_conflicts(c, iso("2026-11-29T00:00:00Z"),
	    iso("2026-12-01T00:00:00Z"), &v);
	is_int((long long)n, 0, "02:00-03:00 and 03:00-04:00 on db touch "
	    "but do not overlap; c overlaps both but shares no system");
	free(v);
	config_free(c);
	cfg_errors_free(&e);
}

static void
test_describe(struct config *c)
{
	static const struct {
		const char	*name;
		const char	*want;
	} v[] = {
		{ "weekly-db", "every Sunday at 02:00 UTC for 4h" },
		{ "monthly-os", "every first Sunday of the month at 01:00 "
		  "Europe/Berlin for 6h" },
		{ "cache-flush", "every day at 03:30 UTC for 30m" },
		{ "year-end-freeze", "once, on 2026-12-20 at 00:00 UTC for "
		  "14d" },
		{ "release", "once, on 2026-12-01 at 21:00 UTC for 2h" },
	};
	char *d, b[32];
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		d = calendar_describe(config_find_window(c, v[i].name));
		is_str(d, v[i].want, v[i].name);
		free(d);
	}
	calendar_format_duration(5400, b, sizeof b);
	is_str(b, "1h30m", "90 minutes in words");
	calendar_format_duration(2 * 86400 + 4 * 3600 + 5, b, sizeof b);
	is_str(b, "2d4h5s", "zero parts are left out");
	is_str(calendar_kind_name(WINDOW_FREEZE), "freeze", "kind names");
	is_str(calendar_priority_name(1), "high", "priority names");
}

/* Hostile windows: escapes in names and schedules, huge values. */
static void
test_hostile(void)
{
	static const char text[] =
"windows = (\n"
"  { name = \"\\x1b[31mred\"; schedule = \"@daily\"; duration = 60; },\n"
"  { name = \"x\"; schedule = \"\\x1b]0;title\\x07 * * * *\"; duration = 60; },\n"
"  { name = \"y\"; schedule = \"@daily\"; duration = 999999999999; },\n"
"  { name = \"z\"; schedule = \"@daily\"; duration = \"1h\"; notice = -5; },\n"
"  { name = \"z2\"; start = \"99999-01-01T00:00:00Z\"; duration = \"1h\"; },\n"
"  { name = \"z3\"; schedule = [ \"@daily\" ]; duration = \"1h\"; },\n"
"  { name = \"z4\"; schedule = \"@daily\"; duration = \"1h\"; systems = ( ( \"a\" ) ); }\n"
");\n";
	struct cfg_errors e = { 0 };
	struct config *c;
	size_t k;
	int esc = 0;
	int lines[8] = { 0 };

	c = config_load_string(text, "hostile.conf", &e);
	ok(c == NULL, "hostile windows are refused");
	for (k = 0; k < e.n; k++) {
		if (strchr(e.v[k].msg, '\x1b') != NULL ||
		    strchr(e.v[k].msg, '\x07') != NULL)
			esc = 1;
		if (e.v[k].line >= 2 && e.v[k].line <= 8)
			lines[e.v[k].line - 1] = 1;
	}
	ok(!esc, "no raw control character in any message");
	for (k = 1; k < 8; k++)
		ok(lines[k], "an error on line %zu", k + 1);
	config_free(c);
	cfg_errors_free(&e);
}

int
main(void)
{
	struct cfg_errors e = { 0 };
	struct config *c;

	test_parse_good();
	test_parse_errors();
	test_parse_direct();
	test_hostile();
	test_long_window();
	test_touching();
	c = load(plan, &e);
	if (c != NULL) {
		test_occurrences(c);
		test_active(c);
		test_cache(c);
		test_upcoming(c);
		test_conflicts(c);
		test_describe(c);
		config_free(c);
	}
	cfg_errors_free(&e);
	return tap_done();
}
