/* Cron schedules: parsing five-field expressions (with the L, #n and nL
 * extensions and the @ shortcuts) and finding occurrences in a time zone. */
#ifndef MAINTOP_SCHEDULE_H
#define MAINTOP_SCHEDULE_H

#include <time.h>

struct schedule;

/*
 * Parses a cron expression: "minute hour day-of-month month day-of-week",
 * or one of @hourly @daily @midnight @weekly @monthly @yearly @annually.
 * Each field takes '*', numbers, ranges "a-b", steps "*" "/n", "a-b/n" and
 * "a/n" (a to the field's end), and comma-separated lists of those.
 * Months and weekdays also take names (JAN..DEC, SUN..SAT, any case).
 * Weekdays are 0-7, both 0 and 7 meaning Sunday.  Extensions:
 * day-of-month "L" (the last day of the month), day-of-week "D#n" (the
 * n-th weekday D of the month, n 1-5) and "DL" (the last weekday D).
 *
 * As in Vixie cron, when both day fields are restricted (neither starts with
 * '*'), a day matches when either matches; otherwise both must.
 *
 * Returns a new schedule (free with schedule_free), or NULL and sets *cause
 * (which the caller frees) to a message naming the field and the problem.
 * An expression that parses but can never match ("0 0 30 2 *") is accepted;
 * schedule_possible() tells.
 */
struct schedule *schedule_parse(const char *expr, char **cause);
void schedule_free(struct schedule *);

/* False when no day of any year can match (February 30th and the like). */
int schedule_possible(const struct schedule *);

/*
 * The first occurrence strictly after "after", with the fields read as
 * wall-clock time in the IANA zone tz (NULL or "UTC" for UTC).  Returns 0
 * and stores it in *out, or -1 when there is none (an impossible schedule,
 * an unknown zone, or an instant out of range).
 *
 * Daylight-saving rule: a wall-clock time that does not exist (in a
 * spring-forward gap) occurs once, at the first instant after the gap; a
 * wall-clock time that happens twice (fall-back) occurs once, at its first
 * happening.  Several times in one gap therefore give one occurrence.
 */
int schedule_next(const struct schedule *, const char *tz, time_t after,
    time_t *out);

/* The latest occurrence at or before "at"; same rules as schedule_next. */
int schedule_prev(const struct schedule *, const char *tz, time_t at,
    time_t *out);

/*
 * The instant at which wall-clock time "wall" (counted in seconds since
 * 1970-01-01 00:00 as if the zone were UTC) happens in zone tz, under the
 * daylight-saving rule above: the first happening of a repeated time, the
 * end of the gap for a time that does not exist.  Returns 0 or -1.
 */
int schedule_wall_to_instant(const char *tz, time_t wall, time_t *out);

/*
 * True when the wall-clock minute in tm (tm_year, tm_mon, tm_mday,
 * tm_hour, tm_min; tm_wday is recomputed, not trusted) matches.
 */
int schedule_matches(const struct schedule *, const struct tm *);

/*
 * The schedule in English words, e.g. "every first Sunday of the month at
 * 02:00" or "every day every 15 minutes".  The caller frees the result.
 */
char *schedule_describe(const struct schedule *);

#endif
