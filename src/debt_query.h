/* Which debt items a list shows and in what order: the filter, the orders
 * other than the score, and the target's label ("in 3d", "overdue 2d"). */
#ifndef MAINTOP_DEBT_QUERY_H
#define MAINTOP_DEBT_QUERY_H

#include <stddef.h>
#include <time.h>

#include "debt.h"

enum debt_order {
	DEBT_ORDER_SCORE,	/* highest score first (debt_sort) */
	DEBT_ORDER_TARGET,	/* nearest target first, none last */
	DEBT_ORDER_PRIORITY,	/* high, medium, low */
	DEBT_ORDER_CREATED,	/* newest first: what was just added on top */
	DEBT_ORDER_COUNT
};

/* "score", "target", "priority" or "created". */
const char *debt_order_name(enum debt_order);

/* True when filter (NULL or "" matches all) is found, ignoring case, in
 * d's title, id, owner or one of its systems. */
int debt_matches(const struct debt_item *d, const char *filter);

/*
 * Keeps the items of v (n, in score order) that match filter, in place,
 * then orders them by order, score order breaking ties.  Returns how many
 * are kept.
 */
size_t debt_query(struct debt_item **v, size_t n, const char *filter,
    enum debt_order order);

/* How near an item's target is, for the label's colour. */
enum debt_due {
	DEBT_DUE_NONE,		/* no target */
	DEBT_DUE_LATER,		/* more than 14 days away */
	DEBT_DUE_SOON,		/* within 14 days */
	DEBT_DUE_TODAY,
	DEBT_DUE_OVERDUE
};

/*
 * Writes d's target as calendar days from now in tz ("-", "in 3d",
 * "today", "overdue 2d") into buf and says how near it is.  The days are
 * calendar days (debt_days_left), not the score's count.
 */
enum debt_due debt_target_label(const struct debt_item *d, time_t now,
    const char *tz, char *buf, size_t len);

#endif
