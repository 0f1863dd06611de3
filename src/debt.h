/* Technical debt, the model: items, their checks, dates, the priority score
 * and the order (the debt file is debt_file.h, editing debt_store.h). */
#ifndef MAINTOP_DEBT_H
#define MAINTOP_DEBT_H

#include <libconfig.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "cfgutil.h"

struct config;
struct settings;

enum debt_priority {
	DEBT_HIGH,
	DEBT_MEDIUM,
	DEBT_LOW
};

enum debt_status {
	DEBT_OPEN,
	DEBT_RESOLVED
};

enum debt_source {
	DEBT_SOURCE_CONFIG,	/* the user's configuration: read-only here */
	DEBT_SOURCE_STATE	/* the debt file that maintop edits */
};

/*
 * One item.  Strings are owned by the item and freed by debt_item_free;
 * optional ones are NULL when absent.  No string holds a control character
 * other than newline and tab (and those only in description, impact and
 * plan): the parser and debt_item_check refuse them, so the model never
 * carries escape sequences.
 *
 * Dates are calendar days in the settings' time zone, stored as the
 * instant that day starts (00:00 local).  The same zone must be used to
 * read them back (debt_format_date).
 */
struct debt_item {
	char			 *id;		/* "D-0007"; [A-Za-z0-9._-], 1-32 */
	char			 *title;
	char			 *description;
	enum debt_priority	  priority;
	char			**systems;	/* affected systems (check names) */
	size_t			  nsystems;
	long long		  effort;	/* seconds; 0 when unknown */
	char			 *impact;
	char			 *plan;		/* resolution plan */
	char			 *owner;
	time_t			  created;	/* 0 when unknown: sorts oldest */
	time_t			  target;	/* 0: no target date */
	enum debt_status	  status;
	time_t			  resolved;	/* when status is DEBT_RESOLVED */
	enum debt_source	  source;
	char			 *file;		/* where it was read, or NULL */
	int			  line;		/* 0 when unknown */
	int			  systems_line;	/* of the systems key, or 0 */
};

/* The parts of an item's score (see debt_score). */
struct debt_score {
	double	weight;		/* high 5, medium 3, low 1 */
	double	systems;	/* 0.5 per affected system */
	double	urgency;	/* max(0, (90 - days until target) / 30) */
	double	total;
};

/*
 * Parses one element of a `debt = ( { ... }, ... );` list (a group).
 * Keys: id (required), title (required), priority (required: "high",
 * "medium" or "low"), description, systems (a string or list of strings),
 * effort (a duration), impact, plan, owner, created, target and resolved
 * (dates "YYYY-MM-DD" in settings->timezone), status ("open" or
 * "resolved"; resolved needs a resolved date).  Unknown keys are errors
 * with a suggestion.  Every problem goes to errs with the setting's file
 * and line.  Returns a new item (source DEBT_SOURCE_CONFIG, file and line
 * of the group) or NULL when the element has errors.  Uniqueness of ids
 * across a list is the caller's business.
 */
struct debt_item *debt_item_parse(struct cfg_errors *errs,
    const config_setting_t *group, const struct settings *settings);
void debt_item_free(struct debt_item *);
/* A deep copy (the caller frees it). */
struct debt_item *debt_item_copy(const struct debt_item *);
/*
 * Checks an item built in code (the TUI's form, the command line): id
 * syntax when id is not NULL, a non-empty title, strings free of control
 * characters, no system listed twice, resolved consistent with status.
 * Returns 0, or -1 with *cause set (caller frees).
 */
int debt_item_check(const struct debt_item *, char **cause);

/* The longest title, owner or system name, and the longest description,
 * impact or plan, in bytes. */
#define DEBT_TITLE_MAX	256
#define DEBT_TEXT_MAX	16384
/*
 * Why s is not acceptable text for an item, or NULL: longer than max
 * bytes, not UTF-8, or holding a control character (newline and tab are
 * allowed when multiline; C1 controls, U+0080 to U+009F, never, since some
 * terminals obey them).  The message follows the field's name: "the title
 * %s".
 */
const char *debt_text_problem(const char *s, int multiline, size_t max);

/*
 * Cross-checks the configuration's items once everything is loaded: a
 * system that names no configured check is a warning (systems may be wider
 * than checks), with the item's file and the line of its systems key.
 */
void debt_resolve(const struct config *, struct cfg_errors *errs);

/* Names for priorities and statuses ("high", "open"...), and back (-1 when
 * the name is unknown; case is ignored). */
const char *debt_priority_name(enum debt_priority);
int debt_priority_from_name(const char *);
const char *debt_status_name(enum debt_status);

/*
 * Parses a date "YYYY-MM-DD" as the start of that day in zone tz (NULL:
 * UTC).  Returns 0 or -1.  debt_format_date writes the day of t in tz
 * ("YYYY-MM-DD") into out (at least 11 bytes).
 */
int debt_parse_date(const char *, const char *tz, time_t *);
void debt_format_date(time_t, const char *tz, char *out, size_t len);
/*
 * The one way a score (or a part of one) is written: the formula's two
 * decimals, without trailing zeros ("7.43", "7.8", "3").
 */
void debt_format_score(double, char *out, size_t len);

/*
 * The days until an item's target, as the score counts them (the source
 * formula's `(target_date - now).days`): the whole days from now to the
 * target day's midnight (00:00) in zone tz, rounded down, so negative when
 * overdue.  At 00:00 the day before the target it is 1, from 00:01 that
 * day 0; at 00:00 on the target day 0, from 00:01 that day -1.  It is
 * counted on the zone's wall clock, so a daylight-saving day of 23 or 25
 * hours shifts nothing.  Returns 0 and stores the count, or -1 when the
 * item has no target.
 */
int debt_days_until(const struct debt_item *, time_t now, const char *tz,
    long long *days);
/*
 * The calendar days to the target for labels ("today", "in 3d", "overdue
 * 2d"): the target's day minus today, both in tz; 0 on the target day.
 * Returns 0, or -1 when the item has no target.
 */
int debt_days_left(const struct debt_item *, time_t now, const char *tz,
    long long *days);

/*
 * The score: weight (high 5, medium 3, low 1) + 0.5 x number of systems +
 * max(0, (90 - days until target) / 30), no urgency term without a target.
 * Overdue items keep gaining urgency.  Resolved items are scored the same
 * way (the list shows them only on request).
 */
struct debt_score debt_score(const struct debt_item *, time_t now,
    const char *tz);
/*
 * Each term of the score written out with the figures that made it, for
 * the details and "maintop debt show": weight "priority high = 5",
 * systems "systems 2 × 0.5 = 1", urgency "urgency (90 − 19) / 30 = 2.37"
 * (or "urgency: no target = 0", or "urgency max(0, (90 − 120) / 30) = 0"),
 * and total "8.37 = 5 + 1 + 2.37".  Figures have at most two decimals.
 */
struct debt_terms {
	char	weight[64];
	char	systems[64];
	char	urgency[128];
	char	total[160];
};
void debt_score_explain(const struct debt_item *, time_t now, const char *tz,
    struct debt_terms *);
/*
 * Sorts items: score descending; equal scores put the oldest created date
 * first (unknown created dates count as oldest), then keep the order given
 * (the configuration's items, then the debt file's, each in file order):
 * the source's stable sort over items kept in the order they were added.
 * Scores are compared exactly (in thirtieths), not as floating point.
 */
void debt_sort(struct debt_item **, size_t, time_t now, const char *tz);

/* The start of the day now falls on in zone tz (00:00 local). */
time_t debt_today(time_t now, const char *tz);

#endif
