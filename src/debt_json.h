/* Debt items as JSON (jansson) for "maintop debt --json" and "maintop check
 * --json". */
#ifndef MAINTOP_DEBT_JSON_H
#define MAINTOP_DEBT_JSON_H

#include <jansson.h>
#include <time.h>

#include "debt.h"

/*
 * The whole item d as a new JSON object (the caller owns the reference):
 * id, title, priority, status, systems, target, days_until_target (the
 * score's count, null without a target), score, score_parts {weight,
 * systems, urgency}, created, resolved, owner, effort (seconds, null when
 * unknown), description, impact, plan and source ("config" or "state").
 * Dates are YYYY-MM-DD in tz; absent values are null.
 */
json_t *debt_json_item(const struct debt_item *d, time_t now, const char *tz);

/*
 * The items among v (n, in score order) that name system among their
 * systems, as a new JSON array of {id, title, priority, score, source}.
 */
json_t *debt_json_for_system(struct debt_item *const *v, size_t n,
    const char *system, time_t now, const char *tz);

/*
 * The open items of a configuration and of its debt file, read once for
 * "check --json": debt_json_open reads them (a debt file that is missing,
 * unreadable or broken gives the configuration's alone), debt_json_system
 * gives those naming a system as debt_json_for_system does, and
 * debt_json_close frees them.  cfg must outlive the result.
 */
struct config;
struct debt_json_items;
struct debt_json_items *debt_json_open(const struct config *cfg, time_t now);
json_t *debt_json_system(const struct debt_json_items *, const char *system);
void debt_json_close(struct debt_json_items *);

/* The flags every debt JSON is dumped with: compact, in insertion order,
 * ten significant digits. */
#define DEBT_JSON_FLAGS \
	(JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10))

#endif
