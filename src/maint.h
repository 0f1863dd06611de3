/* The calendar's maintenance policy, the one rule every mode applies
 * (dashboard, wall, check, check --json, snapshot): what an active
 * maintenance window covers and what a check in one reports. */
#ifndef MAINTOP_MAINT_H
#define MAINTOP_MAINT_H

#include <stddef.h>
#include <time.h>

#include "probe.h"

struct config;
struct health;
struct check_status;

/* The maintenance window covering a system at an instant. */
struct maint {
	const char	*window;	/* its name (owned by the config) */
	time_t		 end;		/* when that occurrence ends */
};

/*
 * The rule: a system (a check's name, or any name a debt item gives) is in
 * maintenance at now when an active window of kind maintenance names it;
 * a freeze covers nothing.  When several do, the one that ends last is
 * reported.  Returns 1 and fills *m (which may be NULL), or 0.
 */
int maint_system(const struct config *, time_t now, const char *system,
    struct maint *m);

/*
 * Applies the rule to every check of the model at now: each is marked in
 * maintenance (with its window and end) or out of it.  Every mode calls
 * this before it reads states.
 */
void maint_apply(struct health *, const struct config *, time_t now);

/*
 * The state a check reports: OK while it is in maintenance (its alerts
 * are expected), its own state otherwise or when raw is set (check
 * --ignore-maintenance).
 */
enum state maint_state(const struct check_status *, int raw);

/*
 * Why a check in maintenance reports OK, for messages: 'in maintenance
 * "db-patch" until 06:00; really WARNING' (the end in zone tz, NULL for
 * UTC, with the date when it is not within a day of now).  Empty when the
 * check is not in maintenance.
 */
void maint_describe(const struct check_status *, const char *tz, time_t now,
    char *buf, size_t len);

#endif
