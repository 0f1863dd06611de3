/* Cron schedules: parsing five-field expressions (with the L, #n and nL
 * extensions) into one bit per allowed value, and matching a day or a
 * minute against them; the search is in schedule_search.c, the words in
 * schedule_words.c. */
#include "schedule.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "schedule_priv.h"
#include "util.h"

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

/* Longest element (between commas) quoted in an error message. */
#define QUOTE_MAX	32

static int
is_leap(long long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
schedule_month_days(long long y, int m)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && is_leap(y))
		return 29;
	return mdays[m - 1];
}

int
schedule_weekday(long long z)
{
	return (int)(z - util_floordiv(z + 4, 7) * 7 + 4);
}

int
schedule_day_match(const struct schedule *s, int d, int dim, int wd)
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
	return schedule_day_match(s, d, schedule_month_days(y, m),
	    schedule_weekday(util_days_from_civil(y, m, d)));
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
			dim = schedule_month_days(leap ? 2000 : 2001, m);
			for (w1 = 0; w1 < 7; w1++)
				for (d = 1; d <= dim; d++)
					if (schedule_day_match(s, d, dim,
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
	    fd->names[0], f == SCHEDULE_MONTH ? "DEC" : "SAT");
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
	case SCHEDULE_MINUTE:
		sch->minutes |= 1ULL << v;
		break;
	case SCHEDULE_HOUR:
		sch->hours |= 1U << v;
		break;
	case SCHEDULE_DOM:
		sch->days |= 1U << v;
		break;
	case SCHEDULE_MONTH:
		sch->months |= 1U << v;
		break;
	case SCHEDULE_DOW:
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
		if (parse_value(SCHEDULE_DOW, elem, len, &s, hash, &v, cause) != 0)
			return -1;
		if (s != hash) {
			field_error(cause, SCHEDULE_DOW, elem, len, "'#' must follow "
			    "a single weekday (as in SUN#1)");
			return -1;
		}
		s = hash + 1;
		if (parse_count(&s, end, &n) != 0 || s != end) {
			field_error(cause, SCHEDULE_DOW, elem, len, "'#' must be "
			    "followed by a number 1-5 (as in SUN#1)");
			return -1;
		}
		if (n < 1 || n > 5) {
			field_error(cause, SCHEDULE_DOW, elem, len, "occurrence %d "
			    "is out of range (1-5)", n);
			return -1;
		}
		sch->nth[v % 7] |= 1U << n;
		return 1;
	}
	if (len >= 2 && (end[-1] == 'L' || end[-1] == 'l')) {
		if (parse_value(SCHEDULE_DOW, elem, len, &s, end - 1, &v, cause) != 0)
			return -1;
		if (s != end - 1) {
			field_error(cause, SCHEDULE_DOW, elem, len, "'L' must follow "
			    "a single weekday (as in SUNL or 5L)");
			return -1;
		}
		sch->last_weekdays |= 1U << (v % 7);
		return 1;
	}
	if (len == 1 && (elem[0] == 'L' || elem[0] == 'l')) {
		field_error(cause, SCHEDULE_DOW, elem, len, "'L' needs a weekday "
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
	if (len == 1 && (elem[0] == 'L' || elem[0] == 'l') && f == SCHEDULE_DOM) {
		sch->last_day = 1;
		return 0;
	}
	if (len == 1 && (elem[0] == 'L' || elem[0] == 'l') && f != SCHEDULE_DOW) {
		field_error(cause, f, elem, len, "'L' is only allowed in the "
		    "day-of-month and day-of-week fields");
		return -1;
	}
	if (f == SCHEDULE_DOM && (elem[0] == 'L' || elem[0] == 'l')) {
		field_error(cause, f, elem, len, "'L' must stand alone in the "
		    "day-of-month field");
		return -1;
	}
	if (f == SCHEDULE_DOW) {
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
		if ((*s == 'L' || *s == 'l') && f != SCHEDULE_DOM)
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
	sch->dom_star = start[SCHEDULE_DOM][0] == '*';
	sch->dow_star = start[SCHEDULE_DOW][0] == '*';
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
	    tm->tm_mday > schedule_month_days(y, m) || tm->tm_hour < 0 ||
	    tm->tm_hour > 23 || tm->tm_min < 0 || tm->tm_min > 59)
		return 0;
	if ((sch->minutes & (1ULL << tm->tm_min)) == 0 ||
	    (sch->hours & (1U << tm->tm_hour)) == 0)
		return 0;
	return date_match(sch, y, m, tm->tm_mday);
}
