/* The maintenance calendar: windows (scheduled or one-off maintenance and
 * change freezes) parsed from the configuration, their occurrences, what is
 * active now, what comes next, and conflicts between them. */
#ifndef MAINTOP_CALENDAR_H
#define MAINTOP_CALENDAR_H

#include <libconfig.h>
#include <stddef.h>
#include <time.h>

#include "cfgutil.h"

struct config;
struct settings;
struct schedule;

enum window_kind {
	WINDOW_MAINTENANCE,
	WINDOW_FREEZE
};

/* Priorities are 1 (highest) to 5 (lowest); the words map onto them. */
#define WINDOW_PRIORITY_HIGH	1
#define WINDOW_PRIORITY_MEDIUM	3	/* the default */
#define WINDOW_PRIORITY_LOW	5

/*
 * One element of the "windows" list.  Every string and array is owned by the
 * window and freed by calendar_window_free.
 */
struct window {
	char		 *name;
	enum window_kind  kind;
	struct schedule	 *schedule;	/* NULL for a one-off window */
	char		 *schedule_src;	/* the expression, or NULL */
	time_t		  start;	/* one-off start (schedule NULL) */
	long long	  duration;	/* seconds, > 0; elapsed time */
	char		 *timezone;	/* zone the schedule is read in: the
					 * window's, else settings.timezone;
					 * NULL means UTC */
	char		**systems;	/* names of checks */
	size_t		  nsystems;
	int		  priority;	/* 1 (high) to 5 (low) */
	char		 *owner;	/* or NULL */
	char		 *description;	/* or NULL */
	char		**runbooks;	/* names of runbooks */
	size_t		  nrunbooks;
	long long	  notice;	/* seconds of notice wanted, or 0 */
	char		**autorun;	/* runbooks the agent runs at start */
	size_t		  nautorun;
	int		  catch_up;	/* a start missed while the agent was
					 * down runs late if still open */
	char		**notify;	/* channels for its events, or none:
					 * settings.notify */
	size_t		  nnotify;
	char		 *file;		/* where it was defined, or NULL */
	int		  line;
	int		  systems_line;	/* of the systems key, or 0 */
	int		  runbooks_line;	/* of the runbooks key, or 0 */
	int		  autorun_line;	/* of the autorun key, or 0 */

	/*
	 * Private to calendar.c: the latest start at or before and the first
	 * start after the instant last asked about, reused while the clock
	 * stays between them.
	 */
	struct {
		int	 valid;
		time_t	 lo;		/* cached for lo <= now < hi */
		time_t	 hi;
		int	 has_prev;
		time_t	 prev;
		int	 has_next;
		time_t	 next;
	} cache;
};

/* One occurrence: [start, end).  w stays valid while its config does. */
struct occurrence {
	struct window	*w;
	time_t		 start;
	time_t		 end;
};

/* A clash between two occurrences of different windows. */
struct calendar_conflict {
	struct occurrence  a;		/* the earlier start */
	struct occurrence  b;
	time_t		   start;	/* the overlap */
	time_t		   end;
	const char	  *system;	/* a shared system (owned by a's
					 * window), or NULL for a freeze */
};

/* At most this many occurrences of one window are listed per query, so an
 * every-minute schedule over a long range stays bounded. */
#define CALENDAR_MAX_PER_WINDOW	20000

/*
 * Parses and validates one element of "windows".  Keys: name, kind
 * ("maintenance" or "freeze", default maintenance), schedule (cron) or start
 * (ISO 8601; exactly one), duration (required, > 0), timezone, systems,
 * priority (1-5 or "high", "medium", "low"), owner, description, runbooks,
 * notice.  Every problem is added to errs with its line; returns NULL when
 * there was any.  The caller frees the result with calendar_window_free.
 */
struct window *calendar_window_parse(struct cfg_errors *,
    const config_setting_t *, const struct settings *);
void calendar_window_free(struct window *);

/* Checks every system names a configured check and every runbook a
 * configured runbook; adds errors (with the window's line) to errs. */
void calendar_resolve(const struct config *, struct cfg_errors *);

/* "maintenance" or "freeze". */
const char *calendar_kind_name(enum window_kind);
/* "high", "medium", "low" or the number's word ("priority 2"). */
const char *calendar_priority_name(int);

/*
 * The window's occurrences that overlap [from, to): those starting in it and
 * the one (or more) started before from and still running at from, in start
 * order, at most CALENDAR_MAX_PER_WINDOW.  Returns how many were stored in
 * *out (an array the caller frees; NULL when none).
 */
size_t calendar_occurrences(struct window *, time_t from, time_t to,
    struct occurrence **out);

/*
 * The latest occurrence start at or before now and the first after it
 * (each flag set to 0 when there is none).  Cached per window: asking again
 * with a now between the two costs nothing, so the UI may ask every second.
 */
void calendar_window_around(struct window *, time_t now, int *has_prev,
    time_t *prev, int *has_next, time_t *next);

/* True, and the running occurrence in *occ, when w is active at now. */
int calendar_window_active(struct window *, time_t now,
    struct occurrence *occ);

/*
 * The next notice of w that goes out after now (at *start - notice): the
 * first start whose notice instant is after now, in *start.  Returns 0, or
 * -1 when w gives no notice (none set, or a freeze) or starts no more.
 * Leaves calendar_window_around's cache alone.
 */
int calendar_next_notice(const struct window *, time_t now, time_t *start);

/* True when now is within the window's notice period before start. */
int calendar_in_notice(const struct window *, time_t start, time_t now);

/*
 * The windows active at now (start <= now < end), ordered by end.  Returns
 * the count; *out is an array the caller frees (NULL when none).
 */
size_t calendar_active(const struct config *, time_t now,
    struct occurrence **out);

/*
 * The next occurrences across all windows that start after now and before
 * until (0: no limit), in start order, at most max.  Returns the count; *out
 * is an array the caller frees.
 */
size_t calendar_upcoming(const struct config *, time_t now, time_t until,
    size_t max, struct occurrence **out);

/*
 * Conflicts among occurrences overlapping [from, to): two maintenance
 * windows that overlap in time and share a system, and a maintenance window
 * that overlaps a freeze.  Listed in order of the overlap's start; returns
 * the count, *out an array the caller frees.
 */
size_t calendar_conflicts(const struct config *, time_t from, time_t to,
    struct calendar_conflict **out);

/*
 * Adds one warning per pair of windows in conflict within days days of now
 * (the first overlap, and how many more), at the later window's line.
 */
void calendar_warn_conflicts(const struct config *, time_t now, int days,
    struct cfg_errors *);

/* A duration without zero parts: "6h", "1h30m", "14d", "2d4h", "45s". */
void calendar_format_duration(long long secs, char *buf, size_t len);

/*
 * The window's schedule in words with zone and duration: "every first
 * Sunday of the month at 02:00 UTC for 6h", or for a one-off "once, on
 * 2026-12-24 at 22:00 Europe/Berlin for 4h".  The caller frees it.
 */
char *calendar_describe(const struct window *);

#endif
