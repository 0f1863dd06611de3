/* Tests of the debt list's policy: the filter, the orders other than the
 * score (score order breaking ties), and the target's label. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debt_query.h"
#include "tap.h"
#include "util.h"

static time_t
date(const char *s)
{
	time_t t = 0;

	if (s != NULL && debt_parse_date(s, "UTC", &t) != 0)
		printf("# bad date %s\n", s);
	return t;
}

static struct debt_item *
mk(const char *id, const char *title, enum debt_priority p,
    const char *target, const char *created, const char *owner,
    const char *system)
{
	struct debt_item *d = xcalloc(1, sizeof *d);

	d->id = xstrdup(id);
	d->title = xstrdup(title);
	d->priority = p;
	d->target = date(target);
	d->created = date(created);
	d->owner = owner != NULL ? xstrdup(owner) : NULL;
	d->systems = xcalloc(2, sizeof *d->systems);
	if (system != NULL)
		d->systems[d->nsystems++] = xstrdup(system);
	return d;
}

/* The ids of v[0..n) joined by spaces. */
static const char *
ids(struct debt_item **v, size_t n)
{
	static char buf[256];
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		strcat(buf, v[i]->id);
		strcat(buf, i + 1 < n ? " " : "");
	}
	return buf;
}

int
main(void)
{
	struct debt_item *items[5], *v[5];
	time_t now = date("2026-03-10") + 12 * 3600;
	char label[32];
	size_t n, i;

	/* In score order, as debt_store_list gives them. */
	items[0] = mk("D-1", "Replace cron backups", DEBT_HIGH, "2026-04-01",
	    "2026-01-01", "alice", "db-primary");
	items[1] = mk("D-2", "Upgrade Redis", DEBT_MEDIUM, "2026-03-12",
	    "2026-02-01", "bob", "cache");
	items[2] = mk("D-3", "Document on-call", DEBT_LOW, NULL, "2026-03-01",
	    NULL, NULL);
	items[3] = mk("D-4", "Rotate TLS", DEBT_HIGH, "2026-03-12",
	    "2025-12-01", "Carol", "web");
	items[4] = mk("D-5", "Old tables", DEBT_LOW, NULL, "2026-03-01",
	    NULL, NULL);

	ok(debt_matches(items[0], NULL) && debt_matches(items[0], ""),
	    "no filter matches everything");
	ok(debt_matches(items[0], "CRON") && debt_matches(items[1], "d-2") &&
	    debt_matches(items[3], "carol") && debt_matches(items[1], "cach"),
	    "title, id, owner and systems match, ignoring case");
	ok(!debt_matches(items[2], "alice"), "an item without owner: no match");

	memcpy(v, items, sizeof v);
	n = debt_query(v, 5, "d-", DEBT_ORDER_SCORE);
	is_str(ids(v, n), "D-1 D-2 D-3 D-4 D-5",
	    "score order is kept as given");
	memcpy(v, items, sizeof v);
	n = debt_query(v, 5, "e", DEBT_ORDER_SCORE);
	is_str(ids(v, n), "D-1 D-2 D-3 D-4 D-5", "a filter matching all");
	memcpy(v, items, sizeof v);
	n = debt_query(v, 5, "db-", DEBT_ORDER_SCORE);
	is_str(ids(v, n), "D-1", "the filter keeps what matches");
	memcpy(v, items, sizeof v);
	n = debt_query(v, 5, NULL, DEBT_ORDER_TARGET);
	is_str(ids(v, n), "D-2 D-4 D-1 D-3 D-5",
	    "target: nearest first, ties and no target in score order");
	memcpy(v, items, sizeof v);
	n = debt_query(v, 5, NULL, DEBT_ORDER_PRIORITY);
	is_str(ids(v, n), "D-1 D-4 D-2 D-3 D-5",
	    "priority: high, medium, low, ties in score order");
	memcpy(v, items, sizeof v);
	n = debt_query(v, 5, NULL, DEBT_ORDER_CREATED);
	is_str(ids(v, n), "D-3 D-5 D-2 D-1 D-4",
	    "created: newest first, ties in score order");
	is_str(debt_order_name(DEBT_ORDER_CREATED), "created", "order names");

	is_int(debt_target_label(items[2], now, "UTC", label, sizeof label),
	    DEBT_DUE_NONE, "no target");
	is_str(label, "-", "... labelled -");
	is_int(debt_target_label(items[1], now, "UTC", label, sizeof label),
	    DEBT_DUE_SOON, "in 2 calendar days: soon");
	is_str(label, "in 2d", "... labelled in 2d");
	is_int(debt_target_label(items[0], now, "UTC", label, sizeof label),
	    DEBT_DUE_LATER, "in 22 days: later");
	items[4]->target = date("2026-03-10");
	is_int(debt_target_label(items[4], now, "UTC", label, sizeof label),
	    DEBT_DUE_TODAY, "due today at noon: today (the label counts "
	    "calendar days)");
	items[4]->target = date("2026-03-07");
	is_int(debt_target_label(items[4], now, "UTC", label, sizeof label),
	    DEBT_DUE_OVERDUE, "three days ago: overdue");
	is_str(label, "overdue 3d", "... labelled overdue 3d");

	for (i = 0; i < 5; i++)
		debt_item_free(items[i]);
	return tap_done();
}
