/* Which debt items a list shows and in what order: the filter, the orders
 * other than the score, and the target's label ("in 3d", "overdue 2d"). */
#include "debt_query.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const order_names[DEBT_ORDER_COUNT] = {
	[DEBT_ORDER_SCORE] = "score",
	[DEBT_ORDER_TARGET] = "target",
	[DEBT_ORDER_PRIORITY] = "priority",
	[DEBT_ORDER_CREATED] = "created",
};

const char *
debt_order_name(enum debt_order o)
{
	return o < DEBT_ORDER_COUNT ? order_names[o] : "score";
}

int
debt_matches(const struct debt_item *d, const char *f)
{
	size_t i;

	if (f == NULL || *f == '\0')
		return 1;
	if (strcasestr(d->title, f) != NULL || strcasestr(d->id, f) != NULL)
		return 1;
	if (d->owner != NULL && strcasestr(d->owner, f) != NULL)
		return 1;
	for (i = 0; i < d->nsystems; i++)
		if (strcasestr(d->systems[i], f) != NULL)
			return 1;
	return 0;
}

struct ranked {
	struct debt_item	*d;
	long long		 key;		/* smaller first */
	size_t			 rank;		/* position in score order */
};

static int
cmp_ranked(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->rank < b->rank ? -1 : a->rank > b->rank;
}

/* The sort key of d in order o: smaller comes first. */
static long long
order_key(const struct debt_item *d, enum debt_order o)
{
	switch (o) {
	case DEBT_ORDER_TARGET:
		return d->target == 0 ? LLONG_MAX : (long long)d->target;
	case DEBT_ORDER_PRIORITY:
		return (long long)d->priority;
	case DEBT_ORDER_CREATED:
		return -(long long)d->created;
	default:
		return 0;
	}
}

size_t
debt_query(struct debt_item **v, size_t n, const char *filter,
    enum debt_order order)
{
	struct ranked *r;
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (debt_matches(v[i], filter))
			v[k++] = v[i];
	n = k;
	if (order == DEBT_ORDER_SCORE || n < 2)
		return n;
	r = xcalloc(n, sizeof *r);
	for (i = 0; i < n; i++) {
		r[i].d = v[i];
		r[i].key = order_key(v[i], order);
		r[i].rank = i;
	}
	qsort(r, n, sizeof *r, cmp_ranked);
	for (i = 0; i < n; i++)
		v[i] = r[i].d;
	free(r);
	return n;
}

enum debt_due
debt_target_label(const struct debt_item *d, time_t now, const char *tz,
    char *buf, size_t len)
{
	long long days;

	if (debt_days_left(d, now, tz, &days) != 0) {
		snprintf(buf, len, "-");
		return DEBT_DUE_NONE;
	}
	if (days < 0) {
		snprintf(buf, len, "overdue %lldd", -days);
		return DEBT_DUE_OVERDUE;
	}
	if (days == 0) {
		snprintf(buf, len, "today");
		return DEBT_DUE_TODAY;
	}
	snprintf(buf, len, "in %lldd", days);
	return days <= 14 ? DEBT_DUE_SOON : DEBT_DUE_LATER;
}
