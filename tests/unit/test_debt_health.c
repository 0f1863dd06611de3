/* Tests of what the checks say about debt items: the worst state of an
 * item's systems, maintenance, and the hint when one has been critical
 * for longer than debt_crit_hint (the score never changes). */
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config.h"
#include "debt_health.h"
#include "health.h"
#include "tap.h"

static struct check *
mk_check(const char *name)
{
	struct check *c = xcalloc(1, sizeof *c);

	c->name = xstrdup(name);
	c->type = CHECK_HTTP;
	c->interval_ms = 10000;
	c->timeout_ms = 1000;
	c->fail_after = 1;
	c->recover_after = 1;
	c->history = 10;
	c->http.url = xstrdup("http://127.0.0.1:1/");
	c->http.method = xstrdup("GET");
	c->http.max_body = 1024;
	return c;
}

/* Records a result of state at t as the check's state since t. */
static void
record(struct health *h, const char *name, enum state state, time_t t)
{
	struct check_status *st;
	struct sample *s = sample_new();

	s->state = state;
	s->time = t;
	st = (struct check_status *)health_get(h, (size_t)health_find(h, name));
	health_record(st, s, 1);
}

static struct debt_item *
mk_item(const char *s1, const char *s2)
{
	struct debt_item *d = xcalloc(1, sizeof *d);

	d->id = xstrdup("D-1");
	d->title = xstrdup("item");
	d->priority = DEBT_MEDIUM;
	d->systems = xcalloc(3, sizeof *d->systems);
	d->systems[d->nsystems++] = xstrdup(s1);
	if (s2 != NULL)
		d->systems[d->nsystems++] = xstrdup(s2);
	return d;
}

static void
test_format(void)
{
	char b[32];

	debt_health_format_for(3 * 86400 + 7200, b, sizeof b);
	is_str(b, "3 days", "three days and two hours: 3 days");
	debt_health_format_for(86400, b, sizeof b);
	is_str(b, "1 day", "one day, singular");
	debt_health_format_for(86399, b, sizeof b);
	is_str(b, "23 hours", "a second short of a day: 23 hours");
	debt_health_format_for(150, b, sizeof b);
	is_str(b, "2 minutes", "150 s: 2 minutes");
	debt_health_format_for(1, b, sizeof b);
	is_str(b, "1 second", "one second");
}

static void
test_hints(void)
{
	const time_t t0 = 1800000000;
	struct event_base *base = event_base_new();
	struct config cfg;
	struct health *h;
	struct debt_item *d, *other;
	char *out[4];
	size_t n, i;

	memset(&cfg, 0, sizeof cfg);
	cfg.nchecks = 3;
	cfg.checks = xcalloc(3, sizeof *cfg.checks);
	cfg.checks[0] = mk_check("pg-main");
	cfg.checks[1] = mk_check("cache");
	cfg.checks[2] = mk_check("api");
	h = health_new(base, &cfg, NULL, NULL);
	d = mk_item("pg-main", "cache");
	other = mk_item("api", "not-a-check");

	ok(debt_health_trouble(h, d) == STATE_OK &&
	    debt_health_hints(h, d, t0, 86400, out, 4) == 0,
	    "no result yet: no trouble, no hint");
	record(h, "pg-main", STATE_CRIT, t0);
	record(h, "cache", STATE_WARN, t0);
	record(h, "api", STATE_OK, t0);
	is_int(debt_health_trouble(h, d), STATE_CRIT, "crit is the worst");
	is_int(debt_health_trouble(h, other), STATE_OK,
	    "an ok check and a system that is no check: no trouble");
	ok(debt_health_hints(h, d, t0 + 86399, 86400, out, 4) == 0,
	    "crit a second short of debt_crit_hint: no hint");
	n = debt_health_hints(h, d, t0 + 3 * 86400 + 60, 86400, out, 4);
	ok(n == 1, "crit for longer: one hint (the warn check gives none)");
	if (n == 1)
		is_str(out[0], "pg-main crit for 3 days: consider raising the "
		    "priority", "the hint names the check and how long");
	for (i = 0; i < n; i++)
		free(out[i]);
	ok(debt_health_hints(h, d, t0 + 3 * 86400, 0, out, 4) == 0,
	    "debt_crit_hint 0: never a hint");
	ok(debt_health_hints(NULL, d, t0 + 3 * 86400, 86400, out, 4) == 0,
	    "no health: no hint");

	health_set_maintenance(h, 0, "db-patch", t0 + 4 * 86400);
	ok(debt_health_hints(h, d, t0 + 3 * 86400, 86400, out, 4) == 0,
	    "in maintenance: no hint");
	is_int(debt_health_trouble(h, d), STATE_WARN,
	    "in maintenance: the crit check does not count");
	ok(debt_health_in_maintenance(&cfg, h, t0, d),
	    "a check in maintenance puts the item in maintenance");
	ok(!debt_health_in_maintenance(&cfg, h, t0, other),
	    "the other item is not");

	debt_item_free(d);
	debt_item_free(other);
	health_free(h);
	for (i = 0; i < 3; i++)
		check_free(cfg.checks[i]);
	free(cfg.checks);
	event_base_free(base);
}

int
main(void)
{
	test_format();
	test_hints();
	return tap_done();
}
