/* What the checks say about debt items: the worst state among an item's
 * systems, whether one is in maintenance, and the hint to raise the
 * priority when one has been critical for long. */
#ifndef MAINTOP_DEBT_HEALTH_H
#define MAINTOP_DEBT_HEALTH_H

#include <stddef.h>
#include <time.h>

#include "debt.h"
#include "probe.h"

struct config;
struct health;

/*
 * The worst state, warn or crit, among the checks named in d's systems
 * that have a result and are not in maintenance; STATE_OK when none is in
 * trouble (or health is NULL).
 */
enum state debt_health_trouble(const struct health *, const struct debt_item *d);

/*
 * True when one of d's systems is in maintenance at now: by maint.c's rule
 * (an active maintenance window names it, a check or not), or a check that
 * health marks as in maintenance.  health may be NULL.
 */
int debt_health_in_maintenance(const struct config *, const struct health *,
    time_t now, const struct debt_item *d);

/*
 * The hints for d, one line each, for the checks among its systems that
 * have been critical (and not in maintenance) for at least after seconds
 * at clock (the real time, as health's state changes are dated):
 * "pg-main crit for 3 days: consider raising the priority".  Returns how
 * many were stored in out (at most max; each a new string, the caller
 * frees them).  None when after is 0 or health is NULL.  The score never
 * changes: it stays the source formula.
 */
size_t debt_health_hints(const struct health *, const struct debt_item *d,
    time_t clock, long long after, char **out, size_t max);

/* A duration in the largest whole unit: "3 days", "1 hour", "5 minutes",
 * "1 second". */
void debt_health_format_for(long long secs, char *buf, size_t len);

#endif
