/* Cron schedules in time: the next and previous occurrence in any time
 * zone, skipping by month and day, and wall-clock time turned into an
 * instant across daylight-saving changes. */
#include "schedule.h"

#include <string.h>

#include "schedule_priv.h"
#include "util.h"

/* The search covers a whole Gregorian cycle (400 years, which holds every
 * combination of weekday, month and leap year) plus slack. */
#define SCHEDULE_SPAN_DAYS	(146097LL + 400)
/* Occurrences are looked for between these years only. */
#define SCHEDULE_MIN_YEAR	1800
#define SCHEDULE_MAX_YEAR	9999

static long long
year_start(long long y)
{
	return util_days_from_civil(y, 1, 1) * 86400;
}

static int
is_utc(const char *tz)
{
	return tz == NULL || *tz == '\0' || strcmp(tz, "UTC") == 0;
}

/* The zone's offset from UTC at instant t, in seconds east. */
static int
zone_offset(const char *tz, long long t, long *off)
{
	struct tm tm;

	if (is_utc(tz)) {
		*off = 0;
		return 0;
	}
	if (util_localtime((time_t)t, tz, &tm) != 0)
		return -1;
	*off = tm.tm_gmtoff;
	return 0;
}

/*
 * The instant at which the wall-clock time L (seconds since the epoch as if
 * the zone were UTC) happens: its first happening when it happens twice,
 * the end of the gap when it falls in one.  The offsets in effect within
 * half a day or so of L are the only candidates (no zone is further than
 * 14 hours from UTC).
 */
static int
wall_to_instant(const char *tz, long long L, long long *out)
{
	long cand[3], o, omin, omax;
	long long best = 0, t, lo, hi;
	int i, j, nc = 0, found = 0;

	if (is_utc(tz)) {
		*out = L;
		return 0;
	}
	for (i = -1; i <= 1; i++) {
		if (zone_offset(tz, L + i * 50400LL, &o) != 0)
			return -1;
		for (j = 0; j < nc; j++)
			if (cand[j] == o)
				break;
		if (j == nc)
			cand[nc++] = o;
	}
	if (nc == 1) {
		*out = L - cand[0];
		return 0;
	}
	omin = omax = cand[0];
	for (j = 0; j < nc; j++) {
		if (zone_offset(tz, L - cand[j], &o) != 0)
			return -1;
		if (o == cand[j] && (!found || L - cand[j] < best)) {
			best = L - cand[j];
			found = 1;
		}
		if (cand[j] < omin)
			omin = cand[j];
		if (cand[j] > omax)
			omax = cand[j];
	}
	if (found) {
		*out = best;
		return 0;
	}
	/* In a gap: the first instant whose wall-clock time is past L. */
	lo = L - omax;
	hi = L - omin;
	while (lo < hi) {
		t = lo + (hi - lo) / 2;
		if (zone_offset(tz, t, &o) != 0)
			return -1;
		if (t + o > L)
			hi = t;
		else
			lo = t + 1;
	}
	*out = hi;
	return 0;
}

int
schedule_wall_to_instant(const char *tz, time_t wall, time_t *out)
{
	long long t;

	if ((long long)wall < year_start(SCHEDULE_MIN_YEAR) ||
	    (long long)wall >= year_start(SCHEDULE_MAX_YEAR + 1) ||
	    (tz != NULL && !util_tz_valid(tz)) ||
	    wall_to_instant(tz, wall, &t) != 0)
		return -1;
	*out = (time_t)t;
	return 0;
}

int
schedule_next(const struct schedule *sch, const char *tz, time_t after,
    time_t *out)
{
	long long L, D, Dend, t, y;
	long off;
	int m, d, h, mi, h0, m0, dim;

	if (!sch->possible || (long long)after < year_start(SCHEDULE_MIN_YEAR)
	    || (long long)after >= year_start(SCHEDULE_MAX_YEAR))
		return -1;
	if (zone_offset(tz, after, &off) != 0)
		return -1;
	L = util_floordiv((long long)after + off, 60) * 60;
	D = util_floordiv(L, 86400);
	h0 = (int)((L - D * 86400) / 3600);
	m0 = (int)((L - D * 86400) % 3600 / 60);
	for (Dend = D + SCHEDULE_SPAN_DAYS; D <= Dend; D++, h0 = m0 = 0) {
		util_civil_from_days(D, &y, &m, &d);
		if (y >= SCHEDULE_MAX_YEAR)
			return -1;
		if ((sch->months & (1U << m)) == 0) {
			/* The 1st of the next month, less the loop's step. */
			D += schedule_month_days(y, m) - d;
			continue;
		}
		dim = schedule_month_days(y, m);
		if (!schedule_day_match(sch, d, dim, schedule_weekday(D)))
			continue;
		for (h = h0; h < 24; h++) {
			if ((sch->hours & (1U << h)) == 0)
				continue;
			for (mi = h == h0 ? m0 : 0; mi < 60; mi++) {
				if ((sch->minutes & (1ULL << mi)) == 0)
					continue;
				if (wall_to_instant(tz, D * 86400 + h * 3600 +
				    mi * 60, &t) != 0)
					return -1;
				if (t > (long long)after) {
					*out = (time_t)t;
					return 0;
				}
			}
		}
	}
	return -1;
}

int
schedule_prev(const struct schedule *sch, const char *tz, time_t at,
    time_t *out)
{
	long long L, D, Dend, t, y;
	long off, off2;
	int m, d, h, mi, h0, m0;

	if (!sch->possible || (long long)at < year_start(SCHEDULE_MIN_YEAR) ||
	    (long long)at >= year_start(SCHEDULE_MAX_YEAR))
		return -1;
	/*
	 * Wall-clock times later than at's own can still have happened by
	 * at (after a fall-back), so start from the latest wall-clock time
	 * the last day has shown.
	 */
	if (zone_offset(tz, at, &off) != 0 ||
	    zone_offset(tz, (long long)at - 86400, &off2) != 0)
		return -1;
	if (off2 > off)
		off = off2;
	L = util_floordiv((long long)at + off, 60) * 60;
	D = util_floordiv(L, 86400);
	h0 = (int)((L - D * 86400) / 3600);
	m0 = (int)((L - D * 86400) % 3600 / 60);
	for (Dend = D - SCHEDULE_SPAN_DAYS; D >= Dend; D--, h0 = 23, m0 = 59) {
		util_civil_from_days(D, &y, &m, &d);
		if (y < SCHEDULE_MIN_YEAR)
			return -1;
		if ((sch->months & (1U << m)) == 0) {
			/* The last day of the previous month, plus the
			 * loop's step. */
			D -= d - 1;
			continue;
		}
		if (!schedule_day_match(sch, d, schedule_month_days(y, m), schedule_weekday(D)))
			continue;
		for (h = h0; h >= 0; h--) {
			if ((sch->hours & (1U << h)) == 0)
				continue;
			for (mi = h == h0 ? m0 : 59; mi >= 0; mi--) {
				if ((sch->minutes & (1ULL << mi)) == 0)
					continue;
				if (wall_to_instant(tz, D * 86400 + h * 3600 +
				    mi * 60, &t) != 0)
					return -1;
				if (t <= (long long)at) {
					*out = (time_t)t;
					return 0;
				}
			}
		}
	}
	return -1;
}
