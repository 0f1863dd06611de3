/* Tests of the debt score: the source formula's day count at midnight, a
 * minute past and a minute before the next, in two zones; each term
 * written out; and the order with its ties. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debt.h"
#include "tap.h"
#include "util.h"

/* An instant written in local time in tz ("2026-03-10T00:01"). */
static time_t
at(const char *s, const char *tz)
{
	time_t t = 0;

	if (util_parse_iso8601(s, tz, &t) != 0)
		printf("# bad instant %s in %s\n", s, tz);
	return t;
}

static time_t
date(const char *s, const char *tz)
{
	time_t t = 0;

	if (s != NULL && debt_parse_date(s, tz, &t) != 0)
		printf("# bad date %s\n", s);
	return t;
}

/* An item built in code: nsys systems named s1, s2, ... */
static struct debt_item *
mk(const char *id, enum debt_priority p, size_t nsys, const char *target,
    const char *created, const char *tz)
{
	struct debt_item *d = xcalloc(1, sizeof *d);
	size_t i;

	d->id = xstrdup(id);
	d->title = xasprintf("item %s", id);
	d->priority = p;
	d->systems = xcalloc(nsys + 1, sizeof *d->systems);
	for (i = 0; i < nsys; i++)
		d->systems[i] = xasprintf("s%zu", i + 1);
	d->nsystems = nsys;
	d->target = date(target, tz);
	d->created = date(created, tz);
	return d;
}

/*
 * The table.  Today is 2026-03-10 on the zone's wall clock; the
 * formula is days = (target's midnight - now).days, so at 00:00 the days
 * are the calendar days and a minute later one fewer (the timedelta is
 * -1 day + 23:59 for an item due today).  Urgency is in thirtieths:
 * max(0, 90 - days).  In New York, 89 to 91 days ahead lie beyond the
 * spring's daylight-saving change (2026-03-08 is before; none between),
 * in Kolkata (UTC+05:30) there is none: both count on the wall clock.
 */
static void
test_table(void)
{
	static const char *const zones[] = { "America/New_York",
	    "Asia/Kolkata" };
	static const char *const times[] = { "00:00", "00:01", "23:59" };
	static const struct {
		const char	*what;
		const char	*target;	/* NULL: none */
		long long	 days[3];	/* at 00:00, 00:01, 23:59 */
		long long	 urgency[3];	/* thirtieths */
	} rows[] = {
		{ "due today", "2026-03-10", { 0, -1, -1 }, { 90, 91, 91 } },
		{ "due tomorrow", "2026-03-11", { 1, 0, 0 }, { 89, 90, 90 } },
		{ "due in 89 days", "2026-06-07", { 89, 88, 88 }, { 1, 2, 2 } },
		{ "due in 90 days", "2026-06-08", { 90, 89, 89 }, { 0, 1, 1 } },
		{ "due in 91 days", "2026-06-09", { 91, 90, 90 }, { 0, 0, 0 } },
		{ "overdue by 1 day", "2026-03-09", { -1, -2, -2 },
		    { 91, 92, 92 } },
		{ "overdue by 400 days", "2025-02-03", { -400, -401, -401 },
		    { 490, 491, 491 } },
		{ "no target", NULL, { 0, 0, 0 }, { 0, 0, 0 } },
	};
	struct debt_score s;
	struct debt_item *d;
	char when[32];
	long long days;
	size_t z, r, k;
	time_t now;
	int have;

	for (z = 0; z < 2; z++) {
		for (r = 0; r < sizeof rows / sizeof rows[0]; r++) {
			d = mk("D-1", DEBT_LOW, 0, rows[r].target, NULL,
			    zones[z]);
			for (k = 0; k < 3; k++) {
				snprintf(when, sizeof when, "2026-03-10T%s",
				    times[k]);
				now = at(when, zones[z]);
				have = debt_days_until(d, now, zones[z],
				    &days) == 0;
				s = debt_score(d, now, zones[z]);
				ok((rows[r].target == NULL ? !have : have &&
				    days == rows[r].days[k]) &&
				    s.urgency * 30 > (double)rows[r].urgency[k] -
				    1e-6 && s.urgency * 30 <
				    (double)rows[r].urgency[k] + 1e-6 &&
				    s.total * 30 > 30.0 +
				    (double)rows[r].urgency[k] - 1e-6 &&
				    s.total * 30 < 30.0 +
				    (double)rows[r].urgency[k] + 1e-6,
				    "%s, %s %s: days %lld, urgency %lld/30",
				    rows[r].what, zones[z], times[k],
				    rows[r].days[k], rows[r].urgency[k]);
				if (have && days != rows[r].days[k])
					printf("#   got days %lld\n", days);
			}
			debt_item_free(d);
		}
	}
}

/* The example: high, two systems, due in 20 calendar days, at
 * 12:00: 5 + 1 + (90 - 19) / 30 = 8.3667, not 8.3333 + 1/30. */
static void
test_example(void)
{
	struct debt_item *d;
	struct debt_terms t;
	struct debt_score s;
	time_t now = at("2026-03-10T12:00", "UTC");

	d = mk("D-1", DEBT_HIGH, 2, "2026-03-30", NULL, "UTC");
	s = debt_score(d, now, "UTC");
	ok(s.total * 30 > 251 - 1e-6 && s.total * 30 < 251 + 1e-6,
	    "high, 2 systems, due in 20 days at noon: 251/30 = 8.3667");
	debt_score_explain(d, now, "UTC", &t);
	is_str(t.weight, "priority high = 5", "the weight term");
	is_str(t.systems, "systems 2 \u00d7 0.5 = 1", "the systems term");
	is_str(t.urgency, "urgency (90 \u2212 19) / 30 = 2.37",
	    "the urgency term with its figures");
	is_str(t.total, "8.37 = 5 + 1 + 2.37", "the total");
	debt_item_free(d);

	d = mk("D-2", DEBT_MEDIUM, 0, "2026-03-07", NULL, "UTC");
	debt_score_explain(d, now, "UTC", &t);
	is_str(t.urgency, "urgency (90 \u2212 (\u22124)) / 30 = 3.13",
	    "overdue: the negative days in the formula");
	is_str(t.systems, "systems 0 \u00d7 0.5 = 0", "no systems");
	debt_item_free(d);

	d = mk("D-3", DEBT_LOW, 1, "2026-12-31", NULL, "UTC");
	debt_score_explain(d, now, "UTC", &t);
	is_str(t.urgency, "urgency max(0, (90 \u2212 295) / 30) = 0",
	    "far away: the max(0, ...) shown");
	is_str(t.total, "1.5 = 1 + 0.5 + 0", "the total of a far item");
	debt_item_free(d);

	d = mk("D-4", DEBT_LOW, 0, NULL, NULL, "UTC");
	debt_score_explain(d, now, "UTC", &t);
	is_str(t.urgency, "urgency: no target = 0", "no target");
	is_int((long long)(debt_score(d, now, "UTC").total * 30 + 0.5), 30,
	    "no target: the weight alone, 30/30");
	debt_item_free(d);
}

/* The two day counts: the formula's and the calendar's (for labels). */
static void
test_days(void)
{
	struct debt_item *d = mk("D-1", DEBT_LOW, 0, NULL, NULL, "UTC");
	long long days = 99;
	const char *ny = "America/New_York";

	ok(debt_days_until(d, at("2026-03-10T12:00", "UTC"), "UTC",
	    &days) == -1 && debt_days_left(d, 0, "UTC", &days) == -1,
	    "no target: no day count");
	d->target = date("2026-03-11", "UTC");
	ok(debt_days_until(d, at("2026-03-10T23:59:59", "UTC"), "UTC",
	    &days) == 0 && days == 0, "one second before midnight: 0 days");
	ok(debt_days_left(d, at("2026-03-10T23:59:59", "UTC"), "UTC",
	    &days) == 0 && days == 1, "... and the label's 1 day");
	ok(debt_days_until(d, at("2026-03-11T00:00", "UTC"), "UTC",
	    &days) == 0 && days == 0, "at the target's midnight: 0");
	ok(debt_days_until(d, at("2026-03-11T00:00:01", "UTC"), "UTC",
	    &days) == 0 && days == -1, "a second later: -1");
	ok(debt_days_left(d, at("2026-03-11T23:59", "UTC"), "UTC",
	    &days) == 0 && days == 0, "the label says today all day");

	/* 23:30 UTC is 00:30 the next day in Berlin (UTC+1 in March). */
	d->target = date("2026-03-11", "Europe/Berlin");
	ok(debt_days_until(d, at("2026-03-10T23:30:00Z", NULL),
	    "Europe/Berlin", &days) == 0 && days == -1,
	    "days count in the settings' zone (Berlin: already the 11th)");

	/* New York springs forward on 2026-03-08: a 23-hour day.  From its
	 * midnight to the next is 23 hours, yet one day on the wall clock,
	 * as a Python timedelta between two local times counts it. */
	d->target = date("2026-03-09", ny);
	ok(debt_days_until(d, at("2026-03-08T00:00", ny), ny, &days) == 0 &&
	    days == 1, "midnight on the 23-hour day: 1 day, not 0");
	ok(debt_days_until(d, at("2026-03-08T23:59", ny), ny, &days) == 0 &&
	    days == 0, "23:59 on the short day: 0");
	/* And falls back on 2026-11-01: a 25-hour day. */
	d->target = date("2026-11-02", ny);
	ok(debt_days_until(d, at("2026-11-01T00:00", ny), ny, &days) == 0 &&
	    days == 1, "midnight on the 25-hour day: 1 day, not 1.04");
	debt_item_free(d);
}

/* Score, then the oldest created, then the order given (the source's
 * stable sort), never the id. */
static void
test_order(void)
{
	time_t now = at("2026-03-10T12:00", "UTC");
	struct debt_item *v[8];
	char got[128];
	size_t i;

	/* 5 + 0.5 + (90 + 13) / 30: 268/30 */
	v[0] = mk("D-0001", DEBT_HIGH, 1, "2026-02-26", "2026-01-01", "UTC");
	/* 5 + (90 + 13) / 30: 253/30, created later than D-0004 */
	v[1] = mk("D-0002", DEBT_HIGH, 0, "2026-02-26", "2026-02-01", "UTC");
	/* 1 + (90 - 0) / 30: 120/30 */
	v[2] = mk("D-0009", DEBT_LOW, 0, "2026-03-11", "2026-01-01", "UTC");
	/* 3 + 0.5 + (90 + 58) / 30: 253/30 exactly, the oldest */
	v[3] = mk("D-0004", DEBT_MEDIUM, 1, "2026-01-12", "2025-06-01", "UTC");
	/* 3 + 1: 120/30, as old as D-0009 and given after it */
	v[4] = mk("D-0003", DEBT_MEDIUM, 2, NULL, "2026-01-01", "UTC");
	/* 5: 150/30 */
	v[5] = mk("D-0005", DEBT_HIGH, 0, NULL, "2026-01-01", "UTC");
	/* 3 + 4 x 0.5: 150/30, no created date: counts as oldest */
	v[6] = mk("D-0006", DEBT_MEDIUM, 4, NULL, NULL, "UTC");
	/* 1 + (90 + 1) / 30: 121/30, due today at noon: days -1 */
	v[7] = mk("D-0007", DEBT_LOW, 0, "2026-03-10", "2026-01-01", "UTC");
	debt_sort(v, 8, now, "UTC");
	got[0] = '\0';
	for (i = 0; i < 8; i++) {
		strcat(got, v[i]->id + 2);
		strcat(got, i < 7 ? " " : "");
	}
	is_str(got, "0001 0004 0002 0006 0005 0007 0009 0003",
	    "order: score, then oldest created, then the order given");
	for (i = 0; i < 8; i++)
		debt_item_free(v[i]);
}

int
main(void)
{
	test_table();
	test_example();
	test_days();
	test_order();
	return tap_done();
}
