/* What the checks say about debt items: the worst state among an item's
 * systems, whether one is in maintenance, and the hint to raise the
 * priority when one has been critical for long. */
#include "debt_health.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "health.h"
#include "maint.h"
#include "util.h"

/* The status of the check named name, or NULL when no check has it. */
static const struct check_status *
find(const struct health *h, const char *name)
{
	long k;

	if (h == NULL || (k = health_find(h, name)) < 0)
		return NULL;
	return health_get(h, (size_t)k);
}

enum state
debt_health_trouble(const struct health *h, const struct debt_item *d)
{
	const struct check_status *st;
	enum state worst = STATE_OK, s;
	size_t i;

	for (i = 0; i < d->nsystems; i++) {
		st = find(h, d->systems[i]);
		if (st == NULL || st->since == 0)
			continue;
		s = maint_state(st, 0);
		if (s == STATE_CRIT)
			worst = STATE_CRIT;
		else if (s == STATE_WARN && worst != STATE_CRIT)
			worst = STATE_WARN;
	}
	return worst;
}

int
debt_health_in_maintenance(const struct config *cfg, const struct health *h,
    time_t now, const struct debt_item *d)
{
	const struct check_status *st;
	size_t i;

	for (i = 0; i < d->nsystems; i++) {
		if (maint_system(cfg, now, d->systems[i], NULL))
			return 1;
		if ((st = find(h, d->systems[i])) != NULL && st->maintenance)
			return 1;
	}
	return 0;
}

void
debt_health_format_for(long long secs, char *buf, size_t len)
{
	static const struct {
		long long	 size;
		const char	*unit;
	} units[] = { { 86400, "day" }, { 3600, "hour" }, { 60, "minute" },
	    { 1, "second" } };
	long long n;
	size_t i;

	if (secs < 1)
		secs = 1;
	for (i = 0; i < 3 && secs < units[i].size; i++)
		;
	n = secs / units[i].size;
	snprintf(buf, len, "%lld %s%s", n, units[i].unit, n == 1 ? "" : "s");
}

size_t
debt_health_hints(const struct health *h, const struct debt_item *d,
    time_t clock, long long after, char **out, size_t max)
{
	const struct check_status *st;
	char span[32];
	size_t i, n = 0;

	if (after <= 0)
		return 0;
	for (i = 0; i < d->nsystems && n < max; i++) {
		st = find(h, d->systems[i]);
		if (st == NULL || st->maintenance || st->since == 0 ||
		    st->state != STATE_CRIT || clock - st->since < after)
			continue;
		debt_health_format_for((long long)(clock - st->since), span,
		    sizeof span);
		out[n++] = xasprintf("%s crit for %s: consider raising the "
		    "priority", d->systems[i], span);
	}
	return n;
}
