/* What the agent finds due between two instants: notices, starts and ends
 * of windows and freezes, in order, each once however the time is cut;
 * stable event ids; the freeze test; whom a check's change is told; and
 * the debt list's events, each once, across a restart. */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "agent.h"
#include "agent_debt.h"
#include "agent_tell.h"
#include "calendar.h"
#include "check.h"
#include "config.h"
#include "debt.h"
#include "health.h"
#include "tap.h"
#include "util.h"

/* Monday 2026-11-30 00:00 UTC. */
#define MON	1795996800

static const char conf[] =
"windows = (\n"
"  { name = \"weekly\"; schedule = \"0 2 * * MON\"; duration = \"2h\";\n"
"    notice = \"48h\"; autorun = [ \"r\" ]; description = \"patch\"; },\n"
"  { name = \"freeze\"; kind = \"freeze\"; start = \"2026-12-14T00:00:00Z\";\n"
"    duration = \"1d\"; },\n"
"  { name = \"daily\"; schedule = \"0 4 * * *\"; duration = \"30m\"; }\n"
");\n"
"runbooks = ( { name = \"r\"; steps = ( { name = \"s\"; run = \"true\"; } ); } );\n";

/* Checks in and out of a maintenance window, with and without their own
 * channels. */
static const char tellconf[] =
"settings = { notify = [ \"ops\" ]; };\n"
"channels = ( { name = \"ops\"; type = \"email\"; to = \"o@x.test\"; },\n"
"  { name = \"db\"; type = \"email\"; to = \"d@x.test\"; } );\n"
"http = ( { name = \"web\"; url = \"http://127.0.0.1:1/\"; },\n"
"  { name = \"pg\"; url = \"http://127.0.0.1:1/\"; notify = [ \"db\" ]; },\n"
"  { name = \"loud\"; url = \"http://127.0.0.1:1/\";\n"
"    notify_in_maintenance = true; } );\n"
"windows = ( { name = \"patch\"; start = \"2026-11-30T02:00:00Z\";\n"
"  duration = \"2h\"; systems = [ \"pg\", \"loud\" ]; } );\n";

/* Whom a change of state is told, and when. */
static void
test_tell(void)
{
	struct cfg_errors e = { 0 };
	struct config *c = config_load_string(tellconf, "tell.conf", &e);
	struct check_status st;
	struct sample s;
	enum state told = AGENT_TOLD_NONE;
	char *id, *ev, *const *names;
	size_t n;

	ok(c != NULL, "the checks and the window load");
	if (c == NULL)
		return;
	memset(&st, 0, sizeof st);
	memset(&s, 0, sizeof s);
	s.message = (char *)"503 in 2 ms";
	st.last = &s;
	st.check = config_find_check(c, "pg");
	st.state = STATE_OK;
	st.since = MON + 3600;
	ok(!agent_tell_check(c, &st, MON + 3600, &told, &id, &ev) &&
	    told == STATE_OK, "the first result is not told, only noted");
	st.state = STATE_CRIT;
	st.since = MON + 2 * 3600 + 60;
	ok(!agent_tell_check(c, &st, MON + 2 * 3600 + 60, &told, &id, &ev) &&
	    told == STATE_OK, "in maintenance: held back");
	ok(agent_tell_check(c, &st, MON + 4 * 3600, &told, &id, &ev) &&
	    told == STATE_CRIT, "told once the window is over");
	is_str(id, "check.state:pg:CRITICAL:2026-11-30T02:01:00Z",
	    "its id: the check, the state and since when");
	ok(strstr(ev, "\"subject\":\"pg is CRITICAL\"") != NULL,
	    "its subject says the state");
	free(id);
	free(ev);
	ok(!agent_tell_check(c, &st, MON + 4 * 3600 + 1, &told, &id, &ev),
	    "and only once");
	names = agent_tell_check_channels(c, st.check, &n);
	ok(n == 1 && strcmp(names[0], "db") == 0, "to the check's own channel");
	st.check = config_find_check(c, "web");
	names = agent_tell_check_channels(c, st.check, &n);
	ok(n == 1 && strcmp(names[0], "ops") == 0,
	    "a check without one: settings.notify");

	st.check = config_find_check(c, "loud");
	told = STATE_OK;
	ok(agent_tell_check(c, &st, MON + 2 * 3600 + 60, &told, &id, &ev),
	    "notify_in_maintenance: told in maintenance");
	ok(strstr(ev, "(in maintenance 'patch')") != NULL, "saying so");
	free(id);
	free(ev);
	st.last = NULL;
	told = STATE_OK;
	ok(!agent_tell_check(c, &st, MON, &told, &id, &ev),
	    "nothing before a result");
	config_free(c);
	cfg_errors_free(&e);
}

static size_t
count(struct agent_item *v, size_t n, enum agent_item_kind k,
    const char *window)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (v[i].kind == k && strcmp(v[i].w->name, window) == 0)
			c++;
	return c;
}

/* The debt events seen by one agent_debt_step. */
static char	 debt_seen[1024];

static void
debt_collect(void *arg, const char *id, const char *ev)
{
	size_t len = strlen(debt_seen);

	snprintf(debt_seen + len, sizeof debt_seen - len, "%s%s",
	    len > 0 ? " " : "", id);
	(*(int *)arg)++;
}

/* Added, resolved and overdue, each told once, remembered by the memory's
 * text (a restart), hostile memory files a fresh start. */
static void
test_debt(void)
{
	static const char items[] =
	"debt = (\n"
	"  { id = \"D-1\"; title = \"old\"; priority = \"low\";\n"
	"    target = \"2026-12-02\"; },\n"
	"  { id = \"D-2\"; title = \"new\"; priority = \"high\";\n"
	"    created = \"2026-11-30\"; },\n"
	"  { id = \"D-3\"; title = \"done\"; priority = \"low\";\n"
	"    status = \"resolved\"; resolved = \"2026-12-01\"; } );\n";
	static const char *const hostile[] = {
		"", "{", "[]", "{\"version\":2,\"items\":[]}",
		"{\"version\":1,\"items\":{}}",
		"{\"version\":1,\"items\":[{\"id\":7}]}",
		"{\"version\":1,\"items\":[1,null,\"x\"]}", NULL
	};
	struct cfg_errors e = { 0 };
	struct config *c = config_load_string(items, "debt.conf", &e);
	struct agent_debt *m;
	char *text;
	int count = 0;
	size_t i;

	ok(c != NULL && c->ndebt == 3, "three debt items load");
	if (c == NULL)
		return;
	m = agent_debt_new(NULL, 0);
	ok(!agent_debt_known(m), "without a memory file nothing is known");
	ok(agent_debt_step(m, c->debt, 1, MON, "UTC", debt_collect, &count) &&
	    count == 0, "a first look takes the list as it is, telling none");
	debt_seen[0] = '\0';
	agent_debt_step(m, c->debt, 3, MON, "UTC", debt_collect, &count);
	is_str(debt_seen, "debt.added:D-2:2026-11-30",
	    "an item added is told (a resolved one is only noted)");
	text = agent_debt_format(m);
	agent_debt_free(m);
	m = agent_debt_new(text, strlen(text));
	free(text);
	ok(agent_debt_known(m), "the memory reads back (a restart)");
	debt_seen[0] = '\0';
	ok(!agent_debt_step(m, c->debt, 3, MON, "UTC", debt_collect, &count) &&
	    debt_seen[0] == '\0', "nothing new, nothing told, nothing changed");
	ok(agent_debt_next_overdue(c->debt, 3, MON, "UTC") == MON + 3 * 86400,
	    "the next to fall overdue: D-1, at 00:00 after its target day");
	ok(agent_debt_next_overdue(c->debt, 3, MON, "Europe/Paris") ==
	    MON + 3 * 86400 - 3600, "... on the zone's clock (Paris)");
	ok(agent_debt_next_overdue(c->debt, 3, MON + 3 * 86400 - 1, "UTC") ==
	    MON + 3 * 86400, "... a second before it");
	ok(agent_debt_next_overdue(c->debt, 3, MON + 3 * 86400, "UTC") == 0,
	    "none once it is overdue (nor items without a target)");
	agent_debt_step(m, c->debt, 3, MON + 3 * 86400, "UTC", debt_collect,
	    &count);
	is_str(debt_seen, "debt.overdue:D-1:2026-12-02",
	    "the day after its target an item is overdue");
	debt_seen[0] = '\0';
	agent_debt_step(m, c->debt, 3, MON + 9 * 86400, "UTC", debt_collect,
	    &count);
	ok(debt_seen[0] == '\0', "overdue is told once");
	c->debt[1]->status = DEBT_RESOLVED;
	c->debt[1]->resolved = MON + 86400;
	agent_debt_step(m, c->debt, 3, MON + 9 * 86400, "UTC", debt_collect,
	    &count);
	is_str(debt_seen, "debt.resolved:D-2:2026-12-01",
	    "an item resolved is told");
	agent_debt_free(m);
	for (i = 0; hostile[i] != NULL; i++) {
		int known;

		m = agent_debt_new(hostile[i], strlen(hostile[i]));
		known = agent_debt_known(m);
		count = 0;
		agent_debt_step(m, c->debt, 3, MON, "UTC", debt_collect,
		    &count);
		/* Unreadable: a fresh start (nothing told); readable with
		 * bad items: those are skipped (D-1, still open, is new). */
		ok(i < 5 ? !known && count == 0 : known && count == 1,
		    "a hostile memory file (%zu) is a fresh start or skips its "
		    "bad items", i);
		agent_debt_free(m);
	}
	config_free(c);
	cfg_errors_free(&e);
}

/* The failed step's output for run.end: bounded, its last lines, clean. */
static void
test_tail(void)
{
	char *tail = NULL, *lines, big[3 * AGENT_TELL_TAIL_MAX];

	lines = agent_tell_tail_lines(NULL, 10);
	is_str(lines, "", "no output: no lines");
	free(lines);
	agent_tell_tail_add(&tail, "a\r\nb\n", 5);
	agent_tell_tail_add(&tail, "c \033[31mred\033[0m\nd",
	    strlen("c \033[31mred\033[0m\nd"));
	lines = agent_tell_tail_lines(tail, 3);
	is_str(lines, "b\nc red\nd\n",
	    "the last lines, CR LF and escapes gone, the last one closed");
	free(lines);
	memset(big, 'x', sizeof big);
	big[sizeof big - 1] = '\n';
	agent_tell_tail_add(&tail, big, sizeof big);
	agent_tell_tail_add(&tail, "end\n", 4);
	is_int((long long)strlen(tail), AGENT_TELL_TAIL_MAX,
	    "at most AGENT_TELL_TAIL_MAX bytes are kept");
	lines = agent_tell_tail_lines(tail, 1);
	is_str(lines, "end\n", "its end is what is kept");
	free(lines);
	agent_tell_tail_add(&tail, "n\0l\n", 4);
	lines = agent_tell_tail_lines(tail, 1);
	is_str(lines, "n?l\n", "a NUL byte does not cut it");
	free(lines);
	free(tail);
}

/* The next notices agree with agent_due: at any instant, each window's
 * next notice is the first that agent_due finds after it. */
static void
test_next_notices(void)
{
	static const char nconf[] =
	"windows = (\n"
	"  { name = \"weekly\"; schedule = \"0 2 * * MON\";\n"
	"    duration = \"2h\"; notice = \"48h\"; },\n"
	"  { name = \"once\"; start = \"2026-12-03T12:00:00Z\";\n"
	"    duration = \"1h\"; notice = \"30m\"; },\n"
	"  { name = \"freeze\"; kind = \"freeze\"; notice = \"1d\";\n"
	"    start = \"2026-12-04T00:00:00Z\"; duration = \"1d\"; },\n"
	"  { name = \"quiet\"; schedule = \"0 4 * * *\"; duration = \"1h\"; }\n"
	");\n";
	struct cfg_errors e = { 0 };
	struct config *c = config_load_string(nconf, "n.conf", &e);
	struct agent_item *v, *due;
	size_t n, nd, i, k, bad = 0;
	time_t t;

	if (!ok(c != NULL, "a configuration of notices loads"))
		return;
	/* Monday 00:00: the one-off's notice (Thursday 11:30) comes before
	 * Saturday's for the next Monday; this Monday's went out Saturday. */
	n = agent_next_notices(c, MON, 10, &v);
	is_int((long long)n, 2, "two windows give notice (not the freeze, "
	    "not the one without)");
	ok(n == 2 && strcmp(v[0].w->name, "once") == 0 &&
	    strcmp(v[1].w->name, "weekly") == 0 &&
	    v[1].when == MON + 5 * 86400 + 2 * 3600 &&
	    v[1].start == MON + 7 * 86400 + 2 * 3600 &&
	    v[1].kind == AGENT_NOTICE,
	    "the one-off's first, then weekly's: Saturday 02:00 for the "
	    "Monday after");
	free(v);
	n = agent_next_notices(c, MON + 3 * 86400, 1, &v);
	ok(n == 1 && strcmp(v[0].w->name, "once") == 0 &&
	    v[0].when == MON + 3 * 86400 + 11 * 3600 + 1800,
	    "at most max, soonest first: the one-off's at Thursday 11:30");
	free(v);
	n = agent_next_notices(c, MON + 3 * 86400 + 11 * 3600 + 1800, 10, &v);
	ok(n == 1 && strcmp(v[0].w->name, "weekly") == 0,
	    "a notice due at now is not next; a one-off gives one only");
	free(v);
	/* Every 53 minutes over two weeks: the same as agent_due's. */
	for (t = MON; t < MON + 14 * 86400; t += 53 * 60) {
		n = agent_next_notices(c, t, 10, &v);
		nd = agent_due(c, t, t + 15 * 86400, &due);
		for (i = 0; i < n; i++) {
			for (k = 0; k < nd && !(due[k].kind == AGENT_NOTICE &&
			    due[k].w == v[i].w); k++)
				;
			if (k == nd || due[k].when != v[i].when ||
			    due[k].start != v[i].start)
				bad++;
		}
		free(v);
		free(due);
	}
	is_int((long long)bad, 0, "over two weeks, each next notice is the "
	    "first agent_due finds");
	n = agent_next_notices(c, MON + 30 * 86400, 10, &v);
	ok(n == 1 && v != NULL, "after the one-off: weekly's only");
	free(v);
	config_free(c);
	cfg_errors_free(&e);
}

int
main(void)
{
	struct cfg_errors e = { 0 };
	struct config *c = config_load_string(conf, "t.conf", &e);
	struct agent_item *v;
	size_t n, i, total;
	time_t t;
	const char *which = NULL;
	char *id, *ev;
	json_t *o;

	ok(c != NULL, "the configuration loads");
	if (c == NULL)
		return tap_done();

	/* Monday: the weekly window starts at 02:00 and ends at 04:00, the
	 * daily one starts at 04:00. */
	n = agent_due(c, MON, MON + 86400, &v);
	is_int((long long)count(v, n, AGENT_START, "weekly"), 1,
	    "weekly starts once on Monday");
	is_int((long long)count(v, n, AGENT_END, "weekly"), 1,
	    "and ends once");
	is_int((long long)count(v, n, AGENT_START, "daily"), 1,
	    "daily starts once a day");
	for (i = 0; i < n && !(v[i].kind == AGENT_START &&
	    strcmp(v[i].w->name, "weekly") == 0); i++)
		;
	ok(i < n && v[i].when == MON + 2 * 3600 && v[i].start == MON +
	    2 * 3600 && v[i].end == MON + 4 * 3600,
	    "the start is due at 02:00, the occurrence 02:00-04:00");
	for (i = 1; i < n; i++)
		if (v[i].when < v[i - 1].when)
			break;
	ok(i == n, "items come in time order");
	for (i = 0; i + 1 < n; i++)
		if (v[i].when == MON + 4 * 3600)
			break;
	ok(i + 1 < n && v[i].kind == AGENT_END &&
	    strcmp(v[i].w->name, "weekly") == 0 &&
	    v[i + 1].kind == AGENT_START,
	    "at 04:00 the weekly end comes before the daily start");
	free(v);

	/* The 48 h notice of next Monday's window falls on Saturday 02:00. */
	n = agent_due(c, MON + 5 * 86400, MON + 6 * 86400, &v);
	is_int((long long)count(v, n, AGENT_NOTICE, "weekly"), 1,
	    "the notice falls 48 h before the start");
	ok(n > 0 && v[0].kind == AGENT_NOTICE && v[0].when == MON +
	    5 * 86400 + 2 * 3600 && v[0].start == MON + 7 * 86400 + 2 * 3600,
	    "at Saturday 02:00, for Monday's occurrence");
	free(v);

	/* However two weeks are cut, each item comes exactly once. */
	total = 0;
	for (t = MON; t < MON + 14 * 86400; t += 3607) {
		n = agent_due(c, t, t + 3607, &v);
		total += n;
		free(v);
	}
	{
		size_t whole;

		n = agent_due(c, MON, MON + (14 * 86400 / 3607 + 1) * 3607, &v);
		whole = n;
		free(v);
		is_int((long long)total, (long long)whole,
		    "cut into 3607-second steps, the same items as at once");
	}
	n = agent_due(c, MON, MON, &v);
	ok(n == 0 && v == NULL, "an empty interval holds nothing");

	/* The freeze: starts and ends, and agent_frozen sees it. */
	n = agent_due(c, MON + 13 * 86400, MON + 16 * 86400, &v);
	is_int((long long)count(v, n, AGENT_FREEZE_START, "freeze"), 1,
	    "the freeze starts");
	is_int((long long)count(v, n, AGENT_FREEZE_END, "freeze"), 1,
	    "and ends");
	is_int((long long)count(v, n, AGENT_NOTICE, "freeze"), 0,
	    "a freeze gives no notice");
	free(v);
	ok(agent_frozen(c, MON + 14 * 86400 + 2 * 3600, &which) &&
	    which != NULL && strcmp(which, "freeze") == 0,
	    "Monday 12-14 02:00 is frozen, and says by what");
	ok(!agent_frozen(c, MON + 7 * 86400 + 2 * 3600, NULL),
	    "Monday 12-07 02:00 is not");

	/* Events: stable ids and the occurrence in data. */
	n = agent_due(c, MON, MON + 86400, &v);
	for (i = 0; i < n && v[i].kind != AGENT_START; i++)
		;
	ev = agent_item_event(&v[i], "UTC", &id);
	is_str(id, "window.start:weekly:2026-11-30T02:00:00Z",
	    "a start's id names the type, the window and the occurrence");
	o = json_loads(ev, 0, NULL);
	is_str(json_string_value(json_object_get(json_object_get(o, "data"),
	    "end")), "2026-11-30T04:00:00Z", "its data holds the end");
	ok(strstr(json_string_value(json_object_get(o, "text")), "patch") !=
	    NULL, "its text the window's description");
	json_decref(o);
	free(ev);
	free(id);
	ev = agent_item_event(&v[i], "UTC", &id);
	free(ev);
	ok(strcmp(id, "window.start:weekly:2026-11-30T02:00:00Z") == 0,
	    "the same item gives the same id again");
	free(id);
	free(v);

	config_free(c);
	cfg_errors_free(&e);
	test_tell();
	test_debt();
	test_tail();
	test_next_notices();
	return tap_done();
}
