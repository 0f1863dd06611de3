/* Cron schedules: a parser for five-field expressions and a search for the
 * next and previous occurrence in any time zone, skipping by month and day. */
#include "schedule.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * A parsed expression, one bit per allowed value.  Day matching follows
 * Vixie cron: dom_star and dow_star record whether the field's text starts
 * with '*', which decides between "both day fields must match" and "either
 * may match".
 */
struct schedule {
	char			*source;
	char			*text[5];	/* each field's text, for words */
	unsigned long long	 minutes;	/* bit m: minute m, 0-59 */
	unsigned int		 hours;		/* bit h: hour h, 0-23 */
	unsigned int		 days;		/* bit d: day d, 1-31 */
	int			 last_day;	/* "L" in day-of-month */
	unsigned int		 months;	/* bit m: month m, 1-12 */
	unsigned int		 weekdays;	/* bit w: weekday w, 0 Sunday */
	unsigned int		 nth[7];	/* weekday w: bit n, n-th of month */
	unsigned int		 last_weekdays;	/* bit w: last weekday w */
	int			 dom_star;
	int			 dow_star;
	int			 possible;
};

enum {
	F_MINUTE, F_HOUR, F_DOM, F_MONTH, F_DOW
};

static const char *const month_names[] = {
	"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT",
	"NOV", "DEC", NULL
};
static const char *const dow_names[] = {
	"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", NULL
};

static const struct field_def {
	const char		*name;
	int			 min;
	int			 max;
	const char *const	*names;		/* names[i] is min + i */
} fields[5] = {
	{ "minute", 0, 59, NULL },
	{ "hour", 0, 23, NULL },
	{ "day-of-month", 1, 31, NULL },
	{ "month", 1, 12, month_names },
	{ "day-of-week", 0, 7, dow_names },
};

/* The search covers a whole Gregorian cycle (400 years, which holds every
 * combination of weekday, month and leap year) plus slack. */
#define SCHEDULE_SPAN_DAYS	(146097LL + 400)
/* Occurrences are looked for between these years only. */
#define SCHEDULE_MIN_YEAR	1800
#define SCHEDULE_MAX_YEAR	9999

/* Longest element (between commas) quoted in an error message. */
#define QUOTE_MAX	32

static int
is_leap(long long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(long long y, int m)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && is_leap(y))
		return 29;
	return mdays[m - 1];
}

/* Weekday (0 Sunday) of a day number; 1970-01-01 was a Thursday. */
static int
weekday(long long z)
{
	return (int)(z - util_floordiv(z + 4, 7) * 7 + 4);
}

/* Does day d of a month with dim days, falling on weekday wd, match? */
static int
day_match(const struct schedule *s, int d, int dim, int wd)
{
	int dom, dow;

	dom = (s->days & (1U << d)) != 0 || (s->last_day && d == dim);
	dow = (s->weekdays & (1U << wd)) != 0 ||
	    (s->nth[wd] & (1U << ((d - 1) / 7 + 1))) != 0 ||
	    ((s->last_weekdays & (1U << wd)) != 0 && d + 7 > dim);
	if (s->dom_star || s->dow_star)
		return dom && dow;
	return dom || dow;
}

static int
date_match(const struct schedule *s, long long y, int m, int d)
{
	if ((s->months & (1U << m)) == 0)
		return 0;
	return day_match(s, d, month_days(y, m),
	    weekday(util_days_from_civil(y, m, d)));
}

/*
 * Every (month, length of February, weekday of the 1st) happens somewhere
 * in a 400-year cycle, so trying them all says whether any day can match.
 */
static int
compute_possible(const struct schedule *s)
{
	int m, leap, w1, d, dim;

	for (m = 1; m <= 12; m++) {
		if ((s->months & (1U << m)) == 0)
			continue;
		for (leap = 0; leap <= 1; leap++) {
			dim = month_days(leap ? 2000 : 2001, m);
			for (w1 = 0; w1 < 7; w1++)
				for (d = 1; d <= dim; d++)
					if (day_match(s, d, dim,
					    (w1 + d - 1) % 7))
						return 1;
		}
	}
	return 0;
}

/* Appends s (len bytes) quoted, escaped and shortened, for a message. */
static void
quote(struct buf *b, const char *s, size_t len)
{
	size_t i;

	buf_addc(b, '"');
	for (i = 0; i < len && i < QUOTE_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			buf_printf(b, "\\x%02x", c);
		else
			buf_addc(b, (char)c);
	}
	if (len > QUOTE_MAX)
		buf_adds(b, "...");
	buf_addc(b, '"');
}

/* Sets *cause to "<field> field "<elem>": <what>". */
static void UTIL_PRINTF(5, 6)
field_error(char **cause, int f, const char *elem, size_t len,
    const char *fmt, ...)
{
	struct buf b;
	va_list ap;
	char *what;

	if (cause == NULL)
		return;
	buf_init(&b);
	buf_printf(&b, "%s field ", fields[f].name);
	quote(&b, elem, len);
	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	buf_printf(&b, ": %s", what);
	free(what);
	*cause = buf_detach(&b);
}

/*
 * Reads one value (a number or, where the field has them, a name) at *sp
 * within [*sp, end).  Returns 0 and advances, or -1 with *cause set.
 */
static int
parse_value(int f, const char *elem, size_t len, const char **sp,
    const char *end, int *out, char **cause)
{
	const struct field_def *fd = &fields[f];
	const char *s = *sp, *start = s;
	long v = 0;
	int i;

	if (s < end && isdigit((unsigned char)*s)) {
		while (s < end && isdigit((unsigned char)*s)) {
			if (v > 1000)
				break;
			v = v * 10 + (*s++ - '0');
		}
		if (s < end && isdigit((unsigned char)*s)) {
			field_error(cause, f, elem, len, "number is too large "
			    "(%d-%d)", fd->min, fd->max);
			return -1;
		}
		if (v > fd->max || v < fd->min) {
			field_error(cause, f, elem, len, "%ld is out of range "
			    "(%d-%d)", v, fd->min, fd->max);
			return -1;
		}
		*sp = s;
		*out = (int)v;
		return 0;
	}
	while (s < end && isalpha((unsigned char)*s))
		s++;
	if (s == start) {
		if (s == end)
			field_error(cause, f, elem, len, "a value is missing");
		else
			field_error(cause, f, elem, len, "unexpected "
			    "character where a value should be");
		return -1;
	}
	if (fd->names == NULL) {
		field_error(cause, f, elem, len, "names are not allowed in "
		    "the %s field (use numbers %d-%d)", fd->name, fd->min,
		    fd->max);
		return -1;
	}
	for (i = 0; fd->names[i] != NULL; i++) {
		if (s - start == 3 && strncasecmp(start, fd->names[i], 3) == 0) {
			*sp = s;
			*out = fd->min + i;
			return 0;
		}
	}
	field_error(cause, f, elem, len, "unknown name (use %s to %s)",
	    fd->names[0], f == F_MONTH ? "DEC" : "SAT");
	return -1;
}

/* Reads a step or occurrence count: 1-3 digits. */
static int
parse_count(const char **sp, const char *end, int *out)
{
	const char *s = *sp;
	int v = 0, n = 0;

	while (s < end && isdigit((unsigned char)*s)) {
		if (++n > 4)
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	if (n == 0)
		return -1;
	*sp = s;
	*out = v;
	return 0;
}

static void
set_bit(struct schedule *sch, int f, int v)
{
	switch (f) {
	case F_MINUTE:
		sch->minutes |= 1ULL << v;
		break;
	case F_HOUR:
		sch->hours |= 1U << v;
		break;
	case F_DOM:
		sch->days |= 1U << v;
		break;
	case F_MONTH:
		sch->months |= 1U << v;
		break;
	case F_DOW:
		sch->weekdays |= 1U << (v % 7);
		break;
	}
}

/* Parses one weekday extension, "D#n" or "DL"; 1 if it was one, 0 if the
 * element is not an extension, -1 on error. */
static int
parse_dow_ext(struct schedule *sch, const char *elem, size_t len,
    char **cause)
{
	const char *s = elem, *end = elem + len, *hash;
	int v, n;

	hash = memchr(elem, '#', len);
	if (hash != NULL) {
		if (parse_value(F_DOW, elem, len, &s, hash, &v, cause) != 0)
			return -1;
		if (s != hash) {
			field_error(cause, F_DOW, elem, len, "'#' must follow "
			    "a single weekday (as in SUN#1)");
			return -1;
		}
		s = hash + 1;
		if (parse_count(&s, end, &n) != 0 || s != end) {
			field_error(cause, F_DOW, elem, len, "'#' must be "
			    "followed by a number 1-5 (as in SUN#1)");
			return -1;
		}
		if (n < 1 || n > 5) {
			field_error(cause, F_DOW, elem, len, "occurrence %d "
			    "is out of range (1-5)", n);
			return -1;
		}
		sch->nth[v % 7] |= 1U << n;
		return 1;
	}
	if (len >= 2 && (end[-1] == 'L' || end[-1] == 'l')) {
		if (parse_value(F_DOW, elem, len, &s, end - 1, &v, cause) != 0)
			return -1;
		if (s != end - 1) {
			field_error(cause, F_DOW, elem, len, "'L' must follow "
			    "a single weekday (as in SUNL or 5L)");
			return -1;
		}
		sch->last_weekdays |= 1U << (v % 7);
		return 1;
	}
	if (len == 1 && (elem[0] == 'L' || elem[0] == 'l')) {
		field_error(cause, F_DOW, elem, len, "'L' needs a weekday "
		    "(as in SUNL or 5L, the last Sunday or Friday)");
		return -1;
	}
	return 0;
}

/* Parses one element of a list: '*', a value, a range, each with an
 * optional step, or an extension.  Returns 0 or -1 with *cause set. */
static int
parse_element(struct schedule *sch, int f, const char *elem, size_t len,
    char **cause)
{
	const struct field_def *fd = &fields[f];
	const char *s = elem, *end = elem + len;
	int lo, hi, step = 1, v, r;

	if (len == 0) {
		field_error(cause, f, elem, len, "empty list item");
		return -1;
	}
	if (len == 1 && (elem[0] == 'L' || elem[0] == 'l') && f == F_DOM) {
		sch->last_day = 1;
		return 0;
	}
	if (len == 1 && (elem[0] == 'L' || elem[0] == 'l') && f != F_DOW) {
		field_error(cause, f, elem, len, "'L' is only allowed in the "
		    "day-of-month and day-of-week fields");
		return -1;
	}
	if (f == F_DOM && (elem[0] == 'L' || elem[0] == 'l')) {
		field_error(cause, f, elem, len, "'L' must stand alone in the "
		    "day-of-month field");
		return -1;
	}
	if (f == F_DOW) {
		if ((r = parse_dow_ext(sch, elem, len, cause)) != 0)
			return r < 0 ? -1 : 0;
	} else if (memchr(elem, '#', len) != NULL) {
		field_error(cause, f, elem, len, "'#' is only allowed in the "
		    "day-of-week field");
		return -1;
	}
	if (*s == '*') {
		s++;
		lo = fd->min;
		hi = fd->max;
	} else {
		if (parse_value(f, elem, len, &s, end, &lo, cause) != 0)
			return -1;
		hi = lo;
		if (s < end && *s == '-') {
			s++;
			if (parse_value(f, elem, len, &s, end, &hi, cause) != 0)
				return -1;
			if (hi < lo) {
				field_error(cause, f, elem, len, "reversed "
				    "range (%d is after %d)", lo, hi);
				return -1;
			}
		} else if (s < end && *s == '/')
			hi = fd->max;	/* "a/n": from a to the end */
	}
	if (s < end && *s == '/') {
		s++;
		if (parse_count(&s, end, &step) != 0) {
			field_error(cause, f, elem, len, "'/' must be "
			    "followed by a step (as in */15)");
			return -1;
		}
		if (step < 1 || step > fd->max - fd->min + 1) {
			field_error(cause, f, elem, len, "step %d is out of "
			    "range (1-%d)", step, fd->max - fd->min + 1);
			return -1;
		}
	}
	if (s != end) {
		if ((*s == 'L' || *s == 'l') && f != F_DOM)
			field_error(cause, f, elem, len, "'L' is only allowed "
			    "in the day-of-month and day-of-week fields");
		else if (*s == 'L' || *s == 'l')
			field_error(cause, f, elem, len, "'L' must stand "
			    "alone in the day-of-month field");
		else
			field_error(cause, f, elem, len, "unexpected text "
			    "after the value");
		return -1;
	}
	for (v = lo; v <= hi; v += step)
		set_bit(sch, f, v);
	return 0;
}

static int
parse_field(struct schedule *sch, int f, const char *text, size_t len,
    char **cause)
{
	const char *s = text, *end = text + len, *comma;

	for (;;) {
		comma = memchr(s, ',', (size_t)(end - s));
		if (comma == NULL)
			comma = end;
		if (parse_element(sch, f, s, (size_t)(comma - s), cause) != 0)
			return -1;
		if (comma == end)
			break;
		s = comma + 1;
	}
	return 0;
}

static const struct {
	const char	*name;
	const char	*expr;
} shortcuts[] = {
	{ "@yearly", "0 0 1 1 *" },
	{ "@annually", "0 0 1 1 *" },
	{ "@monthly", "0 0 1 * *" },
	{ "@weekly", "0 0 * * 0" },
	{ "@daily", "0 0 * * *" },
	{ "@midnight", "0 0 * * *" },
	{ "@hourly", "0 * * * *" },
};

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

struct schedule *
schedule_parse(const char *expr, char **cause)
{
	struct schedule *sch;
	const char *s, *start[6], *fend[6], *body = expr;
	size_t i, n = 0, len;
	struct buf b;

	if (cause != NULL)
		*cause = NULL;
	s = expr;
	while (is_blank(*s))
		s++;
	if (*s == '@') {
		len = 0;
		while (s[len] != '\0' && !is_blank(s[len]))
			len++;
		for (i = 0; i < sizeof shortcuts / sizeof shortcuts[0]; i++) {
			if (strlen(shortcuts[i].name) == len &&
			    strncasecmp(s, shortcuts[i].name, len) == 0)
				break;
		}
		if (i == sizeof shortcuts / sizeof shortcuts[0] ||
		    s[len + strspn(s + len, " \t\r\n")] != '\0') {
			if (cause != NULL) {
				buf_init(&b);
				buf_adds(&b, "unknown shortcut ");
				quote(&b, s, strlen(s));
				buf_adds(&b, " (use @hourly, @daily, @weekly, "
				    "@monthly or @yearly)");
				*cause = buf_detach(&b);
			}
			return NULL;
		}
		body = shortcuts[i].expr;
		s = body;
	}
	while (*s != '\0') {
		while (is_blank(*s))
			s++;
		if (*s == '\0')
			break;
		if (n < 6)
			start[n] = s;
		while (*s != '\0' && !is_blank(*s))
			s++;
		if (n < 6)
			fend[n] = s;
		n++;
	}
	if (n != 5) {
		if (cause != NULL)
			*cause = xasprintf("expected 5 fields (minute hour "
			    "day-of-month month day-of-week), found %zu", n);
		return NULL;
	}
	sch = xcalloc(1, sizeof *sch);
	sch->source = xstrdup(expr);
	for (i = 0; i < 5; i++) {
		len = (size_t)(fend[i] - start[i]);
		sch->text[i] = xstrndup(start[i], len);
		if (parse_field(sch, (int)i, start[i], len, cause) != 0) {
			schedule_free(sch);
			return NULL;
		}
	}
	sch->dom_star = start[F_DOM][0] == '*';
	sch->dow_star = start[F_DOW][0] == '*';
	sch->possible = compute_possible(sch);
	return sch;
}

void
schedule_free(struct schedule *sch)
{
	int i;

	if (sch == NULL)
		return;
	for (i = 0; i < 5; i++)
		free(sch->text[i]);
	free(sch->source);
	free(sch);
}

int
schedule_possible(const struct schedule *sch)
{
	return sch->possible;
}

int
schedule_matches(const struct schedule *sch, const struct tm *tm)
{
	long long y = (long long)tm->tm_year + 1900;
	int m = tm->tm_mon + 1;

	if (m < 1 || m > 12 || tm->tm_mday < 1 ||
	    tm->tm_mday > month_days(y, m) || tm->tm_hour < 0 ||
	    tm->tm_hour > 23 || tm->tm_min < 0 || tm->tm_min > 59)
		return 0;
	if ((sch->minutes & (1ULL << tm->tm_min)) == 0 ||
	    (sch->hours & (1U << tm->tm_hour)) == 0)
		return 0;
	return date_match(sch, y, m, tm->tm_mday);
}

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
			D += month_days(y, m) - d;
			continue;
		}
		dim = month_days(y, m);
		if (!day_match(sch, d, dim, weekday(D)))
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
		if (!day_match(sch, d, month_days(y, m), weekday(D)))
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

/* Words. */

static const char *const month_words[] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"
};
static const char *const dow_words[] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	"Saturday"
};
static const char *const nth_words[] = {
	"", "first", "second", "third", "fourth", "fifth"
};

/* A list of phrases joined as "a, b and c". */
struct phrases {
	char	*v[64];
	int	 n;
};

static void
phrases_add(struct phrases *p, char *s)
{
	if (p->n < (int)(sizeof p->v / sizeof p->v[0]))
		p->v[p->n++] = s;
	else
		free(s);
}

/* Appends the phrases joined to b and frees them. */
static void
phrases_join(struct phrases *p, struct buf *b)
{
	int i;

	for (i = 0; i < p->n; i++) {
		if (i > 0)
			buf_adds(b, i == p->n - 1 ? " and " : ", ");
		buf_adds(b, p->v[i]);
		free(p->v[i]);
	}
	p->n = 0;
}

static void
phrases_free(struct phrases *p)
{
	int i;

	for (i = 0; i < p->n; i++)
		free(p->v[i]);
	p->n = 0;
}

static char *
ordinal(int n)
{
	const char *suf = "th";

	if (n % 100 < 11 || n % 100 > 13) {
		if (n % 10 == 1)
			suf = "st";
		else if (n % 10 == 2)
			suf = "nd";
		else if (n % 10 == 3)
			suf = "rd";
	}
	return xasprintf("%d%s", n, suf);
}

static char *
value_word(int f, int v)
{
	switch (f) {
	case F_MONTH:
		return xstrdup(month_words[v - 1]);
	case F_DOW:
		return xstrdup(dow_words[v]);
	case F_DOM:
		return ordinal(v);
	case F_HOUR:
		return xasprintf("%02d", v);
	default:
		return xasprintf("%d", v);
	}
}

/*
 * Adds the values v[lo..hi] of field f whose bit is set, runs of three or
 * more as "a to b".  Returns the number of phrases added.
 */
static int
add_runs(struct phrases *p, int f, unsigned long long bits, int lo, int hi)
{
	int v, end, n = 0;
	char *a, *z;

	for (v = lo; v <= hi; v++) {
		if ((bits & (1ULL << v)) == 0)
			continue;
		for (end = v; end + 1 <= hi && (bits & (1ULL << (end + 1)));
		    end++)
			;
		if (end - v >= 2) {
			a = value_word(f, v);
			z = value_word(f, end);
			phrases_add(p, xasprintf("%s to %s", a, z));
			free(a);
			free(z);
			n++;
			v = end;
		} else {
			phrases_add(p, value_word(f, v));
			n++;
		}
	}
	return n;
}

static int
popcount(unsigned long long x)
{
	int n = 0;

	for (; x != 0; x &= x - 1)
		n++;
	return n;
}

static int
lowest(unsigned long long x)
{
	int n = 0;

	while ((x & 1) == 0 && n < 63) {
		x >>= 1;
		n++;
	}
	return n;
}

/* Too many pieces read worse than the field itself. */
#define WORDS_MAX	6

/* The weekdays: "Monday to Friday", "first and third Sunday". */
static void
words_dow(const struct schedule *sch, struct buf *b)
{
	struct phrases p = { .n = 0 }, q = { .n = 0 };
	struct buf nb;
	int w, n;

	add_runs(&p, F_DOW, sch->weekdays, 0, 6);
	for (w = 0; w < 7; w++) {
		if (sch->nth[w] == 0)
			continue;
		buf_init(&nb);
		for (n = 1; n <= 5; n++)
			if (sch->nth[w] & (1U << n))
				phrases_add(&q, xstrdup(nth_words[n]));
		phrases_join(&q, &nb);
		buf_printf(&nb, " %s", dow_words[w]);
		phrases_add(&p, buf_detach(&nb));
		buf_free(&nb);
	}
	for (w = 0; w < 7; w++)
		if (sch->last_weekdays & (1U << w))
			phrases_add(&p, xasprintf("last %s", dow_words[w]));
	if (p.n > WORDS_MAX) {
		phrases_free(&p);
		buf_printf(b, "day-of-week %s", sch->text[F_DOW]);
		return;
	}
	phrases_join(&p, b);
	if (sch->nth[0] | sch->nth[1] | sch->nth[2] | sch->nth[3] |
	    sch->nth[4] | sch->nth[5] | sch->nth[6] | sch->last_weekdays)
		buf_adds(b, " of the month");
}

/* The days of the month, after "the": "1st and 15th", "last day". */
static void
words_dom(const struct schedule *sch, struct buf *b)
{
	struct phrases p = { .n = 0 };

	add_runs(&p, F_DOM, sch->days, 1, 31);
	if (sch->last_day)
		phrases_add(&p, xstrdup("last day"));
	if (p.n > WORDS_MAX) {
		phrases_free(&p);
		buf_printf(b, "days matching %s", sch->text[F_DOM]);
		return;
	}
	phrases_join(&p, b);
}

static void
words_months(const struct schedule *sch, struct buf *b)
{
	struct phrases p = { .n = 0 };

	add_runs(&p, F_MONTH, sch->months, 1, 12);
	if (p.n > WORDS_MAX) {
		phrases_free(&p);
		buf_printf(b, "months %s", sch->text[F_MONTH]);
		return;
	}
	phrases_join(&p, b);
}

#define ALL_MINUTES	((1ULL << 60) - 1)
#define ALL_HOURS	((1U << 24) - 1)
#define ALL_DAYS	(((1U << 31) - 1) << 1)
#define ALL_MONTHS	(((1U << 12) - 1) << 1)
#define ALL_WEEKDAYS	((1U << 7) - 1)

/* The time of day: "at 02:00", "every 15 minutes during hours 09 to 17". */
static void
words_time(const struct schedule *sch, struct buf *b)
{
	struct phrases p = { .n = 0 };
	int h, m, step, nm = popcount(sch->minutes), nh;

	nh = popcount(sch->hours);
	if (nm == 1) {
		m = lowest(sch->minutes);
		if (sch->hours == ALL_HOURS) {
			buf_printf(b, "every hour at minute %d", m);
			return;
		}
		if (nh <= WORDS_MAX) {
			for (h = 0; h < 24; h++)
				if (sch->hours & (1U << h))
					phrases_add(&p, xasprintf("%02d:%02d",
					    h, m));
			buf_adds(b, "at ");
			phrases_join(&p, b);
			return;
		}
		buf_printf(b, "at minute %d past hours ", m);
	} else {
		if (sch->minutes == ALL_MINUTES)
			buf_adds(b, "every minute");
		else {
			step = 0;
			if (sch->minutes & 1) {
				for (step = 2; step <= 30; step++) {
					unsigned long long want = 0;

					if (60 % step != 0)
						continue;
					for (m = 0; m < 60; m += step)
						want |= 1ULL << m;
					if (want == sch->minutes)
						break;
				}
			}
			if (step >= 2 && step <= 30)
				buf_printf(b, "every %d minutes", step);
			else {
				add_runs(&p, F_MINUTE, sch->minutes, 0, 59);
				if (p.n > WORDS_MAX) {
					phrases_free(&p);
					buf_printf(b, "at minutes %s",
					    sch->text[F_MINUTE]);
				} else {
					buf_adds(b, "at minutes ");
					phrases_join(&p, b);
				}
			}
		}
		if (sch->hours == ALL_HOURS)
			return;
		buf_adds(b, nh == 1 ? " during hour " : " during hours ");
	}
	add_runs(&p, F_HOUR, sch->hours, 0, 23);
	if (p.n > WORDS_MAX) {
		phrases_free(&p);
		buf_adds(b, sch->text[F_HOUR]);
	} else
		phrases_join(&p, b);
}

char *
schedule_describe(const struct schedule *sch)
{
	struct buf day, tm, out;
	int dom_all, dow_all, one_month;

	buf_init(&day);
	buf_init(&tm);
	buf_init(&out);
	dom_all = sch->days == ALL_DAYS;
	dow_all = sch->weekdays == ALL_WEEKDAYS;
	one_month = popcount(sch->months) == 1;
	if (dom_all && dow_all)
		buf_adds(&day, "every day");
	else if (dom_all) {
		buf_adds(&day, "every ");
		words_dow(sch, &day);
	} else if (dow_all || sch->dow_star) {
		buf_adds(&day, "on the ");
		words_dom(sch, &day);
		buf_adds(&day, one_month ? " of " : " of the month");
	} else if (sch->dom_star) {
		buf_adds(&day, "every ");
		words_dow(sch, &day);
		buf_adds(&day, " that falls on the ");
		words_dom(sch, &day);
		buf_adds(&day, " of the month");
	} else {
		buf_adds(&day, "on the ");
		words_dom(sch, &day);
		buf_adds(&day, " of the month and every ");
		words_dow(sch, &day);
	}
	/* "on the 1st of" takes the month directly. */
	if (one_month && !dom_all && (dow_all || sch->dow_star))
		words_months(sch, &day);
	else if (sch->months != ALL_MONTHS) {
		buf_adds(&day, " in ");
		words_months(sch, &day);
	}
	words_time(sch, &tm);
	if (strncmp(tm.s, "at ", 3) == 0)
		buf_printf(&out, "%s %s", day.s, tm.s);
	else
		buf_printf(&out, "%s, %s", tm.s, day.s);
	buf_free(&day);
	buf_free(&tm);
	return buf_detach(&out);
}
