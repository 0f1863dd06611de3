/* Tests of the maintenance policy (maint.c): which checks and systems an
 * active window covers, what a check in maintenance reports, and how the
 * reason reads; freezes and windows that are over cover nothing. */
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "health.h"
#include "maint.h"
#include "tap.h"

static const char conf[] =
"http = (\n"
"  { name = \"api\"; url = \"http://127.0.0.1:1/\"; },\n"
"  { name = \"web\"; url = \"http://127.0.0.1:1/\"; },\n"
"  { name = \"db\"; url = \"http://127.0.0.1:1/\"; },\n"
"  { name = \"cache\"; url = \"http://127.0.0.1:1/\"; }\n"
");\n"
"windows = (\n"
"  { name = \"db-patch\"; start = \"2026-12-01T02:00:00Z\";\n"
"    duration = \"4h\"; systems = [ \"api\", \"cache\" ]; },\n"
"  { name = \"long\"; start = \"2026-12-01T01:00:00Z\";\n"
"    duration = \"2d\"; systems = [ \"api\" ]; },\n"
"  { name = \"freeze\"; kind = \"freeze\"; start = \"2026-12-01T00:00:00Z\";\n"
"    duration = \"1d\"; systems = [ \"web\" ]; }\n"
");\n";

/* 2026-12-01T03:00:00Z, inside every window. */
#define INSIDE	((time_t)1796094000)

static struct sample *
bad(enum state st)
{
	struct sample *s = sample_new();

	sample_fail(s, st, "latency 1.2 s > 1 s");
	return s;
}

int
main(void)
{
	struct cfg_errors e = { 0 };
	struct event_base *base;
	struct config *c;
	struct health *h;
	const struct check_status *api, *web, *db;
	struct maint m;
	char buf[200];

	c = config_load_string(conf, "m.conf", &e);
	if (!ok(c != NULL, "the configuration loads")) {
		size_t i;

		for (i = 0; i < e.n; i++)
			printf("# %s\n", e.v[i].msg);
		cfg_errors_free(&e);
		return tap_done();
	}
	cfg_errors_free(&e);
	base = event_base_new();
	h = health_new(base, c, NULL, NULL);
	api = health_get(h, 0);
	web = health_get(h, 1);
	db = health_get(h, 2);
	health_record((struct check_status *)api, bad(STATE_WARN), 1);
	health_record((struct check_status *)web, bad(STATE_CRIT), 1);
	health_record((struct check_status *)db, bad(STATE_CRIT), 1);

	maint_apply(h, c, INSIDE);
	ok(api->maintenance, "a check named by an active window is in it");
	is_str(api->maint_window, "long", "the window that ends last");
	is_int(api->maint_end, INSIDE - 7200 + 2 * 86400, "and its end");
	ok(!web->maintenance, "a freeze covers nothing");
	ok(!db->maintenance, "a check no window names is not in maintenance");
	is_int(maint_state(api, 0), STATE_OK, "in maintenance: reports OK");
	is_int(maint_state(api, 1), STATE_WARN, "raw: its own state");
	is_int(maint_state(web, 0), STATE_CRIT, "outside: its own state");
	is_int(api->state, STATE_WARN, "the raw state is kept");
	is_int(health_worst(h), STATE_CRIT, "worst: the checks outside");

	maint_describe(api, NULL, INSIDE, buf, sizeof buf);
	is_str(buf, "in maintenance \"long\" until 2026-12-03 01:00; really "
	    "WARNING", "the reason, with the date beyond a day");
	maint_describe(api, "Europe/Berlin", INSIDE, buf, sizeof buf);
	ok(strstr(buf, "until 2026-12-03 02:00") != NULL,
	    "the end in the configured zone");
	maint_describe(db, NULL, INSIDE, buf, sizeof buf);
	is_str(buf, "", "nothing to say outside maintenance");

	ok(maint_system(c, INSIDE, "cache", &m) &&
	    strcmp(m.window, "db-patch") == 0 &&
	    m.end == INSIDE + 3 * 3600, "maint_system: the window and end");
	ok(!maint_system(c, INSIDE, "storage", NULL),
	    "a system no window names");
	ok(!maint_system(c, INSIDE, "web", NULL), "a freeze's system");
	ok(!maint_system(c, INSIDE + 3 * 86400, "api", NULL),
	    "after every window: nothing");

	/* At 06:30 db-patch is over and long goes on. */
	maint_apply(h, c, INSIDE + 3 * 3600 + 1800);
	is_str(api->maint_window, "long", "one window over, the other kept");
	maint_describe(api, NULL, INSIDE + 2 * 86400 - 7200 - 3600, buf,
	    sizeof buf);
	is_str(buf, "in maintenance \"long\" until 01:00; really WARNING",
	    "within a day: the time alone");
	maint_apply(h, c, INSIDE + 3 * 86400);
	ok(!api->maintenance && api->maint_window == NULL,
	    "windows over: out of maintenance");
	is_int(maint_state(api, 0), STATE_WARN, "and its own state again");
	is_int(health_worst(h), STATE_CRIT, "worst unchanged");

	health_free(h);
	event_base_free(base);
	config_free(c);
	return tap_done();
}
