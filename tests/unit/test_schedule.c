/* Tests for the cron engine: hand-checked occurrences, daylight-saving
 * transitions, hostile expressions, words, and properties checked against a
 * brute-force minute-by-minute reference over generated expressions. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedule.h"
#include "util.h"
#include "tap.h"

static time_t
iso(const char *s)
{
	time_t t;

	if (util_parse_iso8601(s, NULL, &t) != 0) {
		printf("# bad instant in test: %s\n", s);
		exit(1);
	}
	return t;
}

static const char *
fmt(time_t t)
{
	static char b[4][32];
	static int i;

	i = (i + 1) % 4;
	util_format_utc(t, b[i], sizeof b[i]);
	return b[i];
}

/*
 * Each case: the first occurrence strictly after "after" (dir 1) or the
 * latest at or before it (dir -1), in zone tz.  "want" NULL means none.
 * Every expected instant was worked out by hand from a printed calendar.
 */
static const struct occ_case {
	const char	*why;
	const char	*expr;
	const char	*tz;
	int		 dir;
	const char	*after;
	const char	*want;
} occ_cases[] = {
	{ "Feb 29 from March 2027 is in the next leap year, 2028",
	  "0 0 29 2 *", NULL, 1, "2027-03-01T00:00:00Z",
	  "2028-02-29T00:00:00Z" },
	{ "Feb 29 after 2096 skips 2100, which is not a leap year",
	  "0 0 29 2 *", NULL, 1, "2096-03-01T00:00:00Z",
	  "2104-02-29T00:00:00Z" },
	{ "the 31st after January 31st skips February to March 31st",
	  "0 0 31 * *", NULL, 1, "2027-01-31T00:00:00Z",
	  "2027-03-31T00:00:00Z" },
	{ "the 31st after March 31st skips April (30 days) to May 31st",
	  "0 0 31 * *", NULL, 1, "2027-03-31T00:00:00Z",
	  "2027-05-31T00:00:00Z" },
	{ "L in a leap February is the 29th",
	  "0 3 L * *", NULL, 1, "2028-02-01T00:00:00Z",
	  "2028-02-29T03:00:00Z" },
	{ "L in a common February is the 28th",
	  "0 3 L * *", NULL, 1, "2027-02-01T00:00:00Z",
	  "2027-02-28T03:00:00Z" },
	{ "L in November 2026 is the 30th",
	  "0 3 l * *", NULL, 1, "2026-11-23T00:00:00Z",
	  "2026-11-30T03:00:00Z" },
	{ "SUN#1: December 1st 2026 is a Tuesday, so the 6th",
	  "0 2 * * SUN#1", NULL, 1, "2026-11-23T00:00:00Z",
	  "2026-12-06T02:00:00Z" },
	{ "0#1 is the same as SUN#1",
	  "0 2 * * 0#1", NULL, 1, "2026-11-23T00:00:00Z",
	  "2026-12-06T02:00:00Z" },
	{ "7#2 (7 is Sunday too): the second Sunday of December 2026",
	  "0 2 * * 7#2", NULL, 1, "2026-11-23T00:00:00Z",
	  "2026-12-13T02:00:00Z" },
	{ "SUN#5 in February only happens when Feb 29 is a Sunday: 2032",
	  "0 0 * 2 SUN#5", NULL, 1, "2026-11-23T00:00:00Z",
	  "2032-02-29T00:00:00Z" },
	{ "5L: the last Friday of November 2026 is the 27th",
	  "0 4 * * 5L", NULL, 1, "2026-11-23T00:00:00Z",
	  "2026-11-27T04:00:00Z" },
	{ "FRIL after the 27th: the last Friday of December 2026, the 25th",
	  "0 4 * * FRIL", NULL, 1, "2026-11-27T04:00:00Z",
	  "2026-12-25T04:00:00Z" },
	{ "*/15 from 10:07:30 is 10:15",
	  "*/15 * * * *", NULL, 1, "2026-11-23T10:07:30Z",
	  "2026-11-23T10:15:00Z" },
	{ "1-10/2 (1,3,5,7,9) after 10:09 is 11:01",
	  "1-10/2 * * * *", NULL, 1, "2026-11-23T10:09:00Z",
	  "2026-11-23T11:01:00Z" },
	{ "a list with a range: 5,20-22 after 08:20 is 08:21",
	  "5,20-22 8 * * *", NULL, 1, "2026-11-23T08:20:00Z",
	  "2026-11-23T08:21:00Z" },
	{ "a/n runs to the field's end: 50/5 after 08:55 is 09:50",
	  "50/5 * * * *", NULL, 1, "2026-11-23T08:55:00Z",
	  "2026-11-23T09:50:00Z" },
	{ "both day fields restricted: the 13th OR a Friday (Fri 27th)",
	  "0 0 13 * FRI", NULL, 1, "2026-11-23T00:00:00Z",
	  "2026-11-27T00:00:00Z" },
	{ "both restricted: after Fri Dec 11th comes Sun Dec 13th",
	  "0 0 13 * FRI", NULL, 1, "2026-12-11T00:00:00Z",
	  "2026-12-13T00:00:00Z" },
	{ "day-of-month starts with '*': odd days AND Mondays (Dec 7th)",
	  "0 0 */2 * MON", NULL, 1, "2026-11-23T00:00:00Z",
	  "2026-12-07T00:00:00Z" },
	{ "year rollover: Jan 1st from Dec 31st 23:59:59",
	  "0 0 1 1 *", NULL, 1, "2026-12-31T23:59:59Z",
	  "2027-01-01T00:00:00Z" },
	{ "Dec 31st 23:59 right after itself is a year later",
	  "59 23 31 12 *", NULL, 1, "2026-12-31T23:59:00Z",
	  "2027-12-31T23:59:00Z" },
	{ "@hourly is strictly after: 10:00 gives 11:00",
	  "@hourly", NULL, 1, "2026-11-23T10:00:00Z",
	  "2026-11-23T11:00:00Z" },
	{ "@weekly is Sunday midnight",
	  "@weekly", NULL, 1, "2026-11-23T00:00:00Z",
	  "2026-11-29T00:00:00Z" },
	{ "@monthly is the 1st at midnight",
	  "@Monthly", NULL, 1, "2026-11-23T00:00:00Z",
	  "2026-12-01T00:00:00Z" },
	{ "@annually is January 1st",
	  "@annually", NULL, 1, "2026-11-23T00:00:00Z",
	  "2027-01-01T00:00:00Z" },
	{ "month names, any case: jan,Jul from November is January 1st",
	  "0 6 1 jan,Jul *", NULL, 1, "2026-11-23T00:00:00Z",
	  "2027-01-01T06:00:00Z" },
	{ "mon-fri from Saturday Nov 28th is Monday Nov 30th",
	  "0 9 * * mon-fri", NULL, 1, "2026-11-28T00:00:00Z",
	  "2026-11-30T09:00:00Z" },
	{ "5-7 covers Friday to Sunday: from Monday the 23rd, Friday",
	  "0 0 * * 5-7", NULL, 1, "2026-11-23T00:00:00Z",
	  "2026-11-27T00:00:00Z" },
	{ "Berlin: 02:00 in Berlin (CET, +1) is 01:00 UTC",
	  "0 2 * * *", "Europe/Berlin", 1, "2026-11-23T00:00:00Z",
	  "2026-11-23T01:00:00Z" },
	{ "Berlin: from 01:00 UTC itself, the next day",
	  "0 2 * * *", "Europe/Berlin", 1, "2026-11-23T01:00:00Z",
	  "2026-11-24T01:00:00Z" },
	{ "Berlin spring-forward: 02:30 does not exist on March 29th "
	  "2026, so it runs at 03:00 CEST (01:00 UTC)",
	  "30 2 * * *", "Europe/Berlin", 1, "2026-03-28T12:00:00Z",
	  "2026-03-29T01:00:00Z" },
	{ "Berlin, the day after the gap: 02:30 CEST is 00:30 UTC",
	  "30 2 * * *", "Europe/Berlin", 1, "2026-03-29T01:00:00Z",
	  "2026-03-30T00:30:00Z" },
	{ "Berlin: 02:00, 02:30 and 03:00 on the spring-forward day are "
	  "one occurrence at 03:00 CEST; the next is 03:30 CEST",
	  "0,30 2-3 * * *", "Europe/Berlin", 1, "2026-03-29T01:00:00Z",
	  "2026-03-29T01:30:00Z" },
	{ "Berlin fall-back: 02:30 happens twice on October 25th 2026; "
	  "it runs at the first, 02:30 CEST (00:30 UTC)",
	  "30 2 * * *", "Europe/Berlin", 1, "2026-10-24T12:00:00Z",
	  "2026-10-25T00:30:00Z" },
	{ "Berlin fall-back: the second 02:30 (CET) is not an occurrence",
	  "30 2 * * *", "Europe/Berlin", 1, "2026-10-25T00:30:00Z",
	  "2026-10-26T01:30:00Z" },
	{ "New York spring-forward: 02:30 on March 8th 2026 runs at "
	  "03:00 EDT (07:00 UTC)",
	  "30 2 * * *", "America/New_York", 1, "2026-03-07T12:00:00Z",
	  "2026-03-08T07:00:00Z" },
	{ "New York fall-back: 01:30 on November 1st runs at 01:30 EDT",
	  "30 1 * * *", "America/New_York", 1, "2026-10-31T12:00:00Z",
	  "2026-11-01T05:30:00Z" },
	{ "New York fall-back: then not at 01:30 EST but the next day",
	  "30 1 * * *", "America/New_York", 1, "2026-11-01T05:30:00Z",
	  "2026-11-02T06:30:00Z" },
	{ "New York hourly across fall-back: after 01:00 EDT comes 02:00 "
	  "EST; the repeated 01:00 EST is skipped",
	  "0 * * * *", "America/New_York", 1, "2026-11-01T05:00:00Z",
	  "2026-11-01T07:00:00Z" },
	{ "previous: an occurrence at the instant itself counts",
	  "0 2 * * SUN#1", NULL, -1, "2026-12-06T02:00:00Z",
	  "2026-12-06T02:00:00Z" },
	{ "previous: a second earlier gives the first Sunday of November",
	  "0 2 * * SUN#1", NULL, -1, "2026-12-06T01:59:59Z",
	  "2026-11-01T02:00:00Z" },
	{ "previous across a year: Dec 31st 2026 from Jan 1st 2027 03:00",
	  "0 3 L * *", NULL, -1, "2027-01-01T03:00:00Z",
	  "2026-12-31T03:00:00Z" },
	{ "previous in New York during the repeated hour (01:45 EST): "
	  "01:30 ran at its first happening, 01:30 EDT",
	  "30 1 * * *", "America/New_York", -1, "2026-11-01T06:45:00Z",
	  "2026-11-01T05:30:00Z" },
	{ "previous in Berlin, 02:30 in the gap ran at 03:00 CEST",
	  "30 2 * * *", "Europe/Berlin", -1, "2026-03-29T05:00:00Z",
	  "2026-03-29T01:00:00Z" },
	{ "February 30th never happens",
	  "0 0 30 2 *", NULL, 1, "2026-11-23T00:00:00Z", NULL },
	{ "the 31st of April, June, September, November never happens",
	  "0 0 31 4,6,9,11 *", NULL, 1, "2026-11-23T00:00:00Z", NULL },
	{ "no previous for an impossible schedule",
	  "0 0 30 2 *", NULL, -1, "2026-11-23T00:00:00Z", NULL },
	{ "an unknown zone gives no occurrence",
	  "0 0 * * *", "Nowhere/Atlantis", 1, "2026-11-23T00:00:00Z",
	  NULL },
};

static void
test_occurrences(void)
{
	const struct occ_case *c;
	struct schedule *s;
	char *cause;
	time_t got;
	size_t i;
	int r;

	for (i = 0; i < sizeof occ_cases / sizeof occ_cases[0]; i++) {
		c = &occ_cases[i];
		s = schedule_parse(c->expr, &cause);
		if (!ok(s != NULL, "parses: %s", c->expr)) {
			printf("#   %s\n", cause);
			free(cause);
			continue;
		}
		if (c->dir > 0)
			r = schedule_next(s, c->tz, iso(c->after), &got);
		else
			r = schedule_prev(s, c->tz, iso(c->after), &got);
		if (c->want == NULL)
			ok(r == -1, "%s", c->why);
		else
			is_str(r == 0 ? fmt(got) : "(none)", c->want, c->why);
		schedule_free(s);
	}
}

static void
test_possible(void)
{
	static const struct {
		const char	*expr;
		int		 possible;
	} v[] = {
		{ "0 0 30 2 *", 0 },
		{ "0 0 31 2,4 *", 0 },
		{ "0 0 29 2 *", 1 },
		{ "0 0 30 2 MON", 1 },	/* either field: any Monday */
		/* Starts with '*': both must match, and Feb 1st is never
		 * a fifth Sunday. */
		{ "0 0 */30 2 SUN#5", 0 },
		{ "0 0 * 2 SUN#5", 1 },
		{ "0 0 * 4 SUN#5", 1 },
	};
	struct schedule *s;
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		s = schedule_parse(v[i].expr, NULL);
		if (!ok(s != NULL, "parses %s", v[i].expr))
			continue;
		is_int(schedule_possible(s), v[i].possible, v[i].expr);
		schedule_free(s);
	}
}

static void
test_matches(void)
{
	struct schedule *s = schedule_parse("30 2 L * 1#2", NULL);
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = 2026 - 1900;
	tm.tm_mon = 10;		/* November */
	tm.tm_mday = 30;
	tm.tm_hour = 2;
	tm.tm_min = 30;
	tm.tm_wday = 3;		/* wrong on purpose: not trusted */
	ok(schedule_matches(s, &tm), "matches the last day of November");
	tm.tm_mday = 9;
	ok(schedule_matches(s, &tm), "matches the second Monday (Nov 9th)");
	tm.tm_mday = 16;
	ok(!schedule_matches(s, &tm), "not the third Monday");
	tm.tm_mday = 31;
	ok(!schedule_matches(s, &tm), "November 31st is not a date");
	tm.tm_mday = 30;
	tm.tm_min = 31;
	ok(!schedule_matches(s, &tm), "not at 02:31");
	schedule_free(s);
}

/* The expression with bytes outside printable ASCII as "\\xNN", so test
 * names never put raw escapes on a terminal. */
static const char *
printable(const char *s)
{
	static char b[256];
	size_t n = 0;

	for (; *s != '\0' && n + 5 < sizeof b; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f)
			n += (size_t)snprintf(b + n, sizeof b - n, "\\x%02x", c);
		else
			b[n++] = (char)c;
	}
	b[n] = '\0';
	return b;
}

/* Hostile and malformed expressions: each must fail with a message naming
 * what is wrong (want is a substring of the message). */
static void
test_hostile(void)
{
	static const struct {
		const char	*expr;
		const char	*want;
	} v[] = {
		{ "", "expected 5 fields" },
		{ "   \t ", "expected 5 fields" },
		{ "* * * *", "found 4" },
		{ "* * * * * *", "found 6" },
		{ "0 0 1 1 * /bin/true", "found 6" },
		{ "@", "unknown shortcut" },
		{ "@reboot", "unknown shortcut \"@reboot\"" },
		{ "@daily now", "unknown shortcut" },
		{ "*/0 * * * *", "minute field \"*/0\": step 0" },
		{ "*/61 * * * *", "step 61 is out of range" },
		{ "*/ * * * *", "followed by a step" },
		{ "1/x * * * *", "followed by a step" },
		{ "60 * * * *", "60 is out of range (0-59)" },
		{ "0 24 * * *", "hour field \"24\": 24 is out of range" },
		{ "0 0 0 * *", "day-of-month field \"0\"" },
		{ "0 0 32 * *", "32 is out of range (1-31)" },
		{ "0 0 * 13 *", "month field" },
		{ "0 0 * 0 *", "month field" },
		{ "0 0 * * 8", "day-of-week field \"8\"" },
		{ "99999999999999999999 * * * *", "number is too large" },
		{ "0 0 1-99999999 * *", "number is too large" },
		{ "5-2 * * * *", "reversed range" },
		{ "0 0 * DEC-JAN *", "reversed range" },
		{ "0 0 * * SAT-SUN", "reversed range" },
		{ "1,,2 * * * *", "empty list item" },
		{ ", * * * *", "empty list item" },
		{ "1, * * * *", "empty list item" },
		{ "1- * * * *", "a value is missing" },
		{ "-1 * * * *", "unexpected character" },
		{ "1--2 * * * *", "unexpected character" },
		{ "*-5 * * * *", "unexpected text" },
		{ "L * * * *", "minute field \"L\": 'L' is only allowed" },
		{ "0 L * * *", "hour field" },
		{ "0 0 * L *", "month field" },
		{ "0 0 L-1 * *", "'L' must stand alone" },
		{ "0 0 LW * *", "day-of-month field" },
		{ "0 5L * * *", "'L' is only allowed" },
		{ "0 0 * * L", "'L' needs a weekday" },
		{ "0 0 * * SUN#6", "occurrence 6 is out of range (1-5)" },
		{ "0 0 * * SUN#0", "occurrence 0 is out of range" },
		{ "0 0 * * SUN#", "followed by a number 1-5" },
		{ "0 0 * * #1", "day-of-week field \"#1\"" },
		{ "0 0 * * SUN#1#2", "followed by a number" },
		{ "0 0 * * MON-FRI#1", "'#' must follow a single weekday" },
		{ "0 0 * * SUNL#1", "day-of-week field" },
		{ "0 0 * * 8L", "8 is out of range" },
		{ "0 0 1#1 * *", "'#' is only allowed in the day-of-week" },
		{ "0 0 * * MONDAY", "unknown name" },
		{ "0 0 * JANUARY *", "unknown name (use JAN to DEC)" },
		{ "0 MON * * *", "names are not allowed in the hour field" },
		{ "0 0 * * */MON", "followed by a step" },
		{ "\x1b[31m * * * *", "\\x1b" },
		{ "\xff\xfe * * * *", "\\xff\\xfe" },
		{ "*/5x * * * *", "unexpected text" },
	};
	struct schedule *s;
	char *cause, big[200000];
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		cause = NULL;
		s = schedule_parse(v[i].expr, &cause);
		ok(s == NULL && cause != NULL && strstr(cause, v[i].want) !=
		    NULL, "rejects \"%s\" with \"%s\"", printable(v[i].expr),
		    v[i].want);
		if (cause != NULL && strstr(cause, v[i].want) == NULL)
			printf("#   got: %s\n", cause);
		if (cause != NULL && strchr(cause, '\x1b') != NULL)
			ok(0, "raw escape in the message");
		schedule_free(s);
		free(cause);
	}

	/* A long list of valid items parses; a long garbage item is cut. */
	big[0] = '\0';
	for (i = 0; i < 20000; i++)
		strcat(big + (i ? strlen(big) : 0), i % 2 ? "1," : "59,");
	strcat(big, "0 * * * *");
	s = schedule_parse(big, &cause);
	ok(s != NULL, "a 50 kB list of minutes parses");
	schedule_free(s);
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	s = schedule_parse(big, &cause);
	ok(s == NULL && cause != NULL && strlen(cause) < 200,
	    "200 kB of garbage: a short message");
	free(cause);
	s = schedule_parse("0 0 * * *", NULL);
	ok(s != NULL, "a NULL cause pointer is allowed");
	schedule_free(s);
	s = schedule_parse("bad", NULL);
	ok(s == NULL, "and errors still return NULL");
}

static void
test_describe(void)
{
	static const struct {
		const char	*expr;
		const char	*want;
	} v[] = {
		{ "0 2 * * SUN#1", "every first Sunday of the month at 02:00" },
		{ "0 2 * * 0", "every Sunday at 02:00" },
		{ "0 2 * * *", "every day at 02:00" },
		{ "@daily", "every day at 00:00" },
		{ "0 2,14 * * *", "every day at 02:00 and 14:00" },
		{ "0 2 * * 1-5", "every Monday to Friday at 02:00" },
		{ "0 2 * * 1,3", "every Monday and Wednesday at 02:00" },
		{ "0 2 * * SUN#1,SUN#3",
		  "every first and third Sunday of the month at 02:00" },
		{ "0 4 * * 5L", "every last Friday of the month at 04:00" },
		{ "0 3 L * *", "on the last day of the month at 03:00" },
		{ "0 3 1,15 * *", "on the 1st and 15th of the month at 03:00" },
		{ "0 0 1 1 *", "on the 1st of January at 00:00" },
		{ "0 6 1 1,4,7,10 *", "on the 1st of the month in January, "
		  "April, July and October at 06:00" },
		{ "0 0 13 * FRI",
		  "on the 13th of the month and every Friday at 00:00" },
		{ "*/15 * * * *", "every 15 minutes, every day" },
		{ "*/15 9-17 * * MON-FRI", "every 15 minutes during hours 09 "
		  "to 17, every Monday to Friday" },
		{ "30 * * * *", "every hour at minute 30, every day" },
		{ "0 2 * * 0#2", "every second Sunday of the month at 02:00" },
	};
	struct schedule *s;
	char *d;
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		s = schedule_parse(v[i].expr, NULL);
		d = s != NULL ? schedule_describe(s) : NULL;
		is_str(d, v[i].want, v[i].expr);
		free(d);
		schedule_free(s);
	}
}

/* A small deterministic PRNG (xorshift64*), so failures reproduce. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static unsigned int
rnd(unsigned int n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (unsigned int)((rng_state * 0x2545f4914f6cdd1dULL) >> 33) % n;
}

static void
gen_plain(struct buf *b, int lo, int hi, int dense)
{
	int a, z;

	switch (rnd(dense ? 6 : 4)) {
	case 0:
		buf_printf(b, "%d", lo + (int)rnd((unsigned)(hi - lo + 1)));
		break;
	case 1:
		a = lo + (int)rnd((unsigned)(hi - lo + 1));
		z = a + (int)rnd((unsigned)(hi - a + 1));
		buf_printf(b, "%d-%d", a, z);
		break;
	case 2:
		a = lo + (int)rnd((unsigned)(hi - lo + 1));
		z = a + (int)rnd((unsigned)(hi - a + 1));
		buf_printf(b, "%d-%d/%d", a, z, 1 + (int)rnd(7));
		break;
	case 3:
		buf_printf(b, "%d,%d", lo + (int)rnd((unsigned)(hi - lo + 1)),
		    lo + (int)rnd((unsigned)(hi - lo + 1)));
		break;
	case 4:
		buf_adds(b, "*");
		break;
	default:
		buf_printf(b, "*/%d", 1 + (int)rnd(20));
		break;
	}
}

/* A random, mostly frequent, expression; sometimes with the extensions. */
static char *
gen_expr(void)
{
	struct buf b;

	buf_init(&b);
	gen_plain(&b, 0, 59, 1);
	buf_addc(&b, ' ');
	if (rnd(3) == 0)
		buf_adds(&b, "*");
	else
		gen_plain(&b, 0, 23, 1);
	buf_addc(&b, ' ');
	switch (rnd(6)) {
	case 0:
		buf_adds(&b, "L");
		break;
	case 1:
	case 2:
		gen_plain(&b, 1, 31, 0);
		break;
	default:
		buf_adds(&b, "*");
		break;
	}
	buf_adds(&b, rnd(4) == 0 ? " 1-12/2 " : " * ");
	switch (rnd(7)) {
	case 0:
		buf_printf(&b, "%d#%d", (int)rnd(8), 1 + (int)rnd(5));
		break;
	case 1:
		buf_printf(&b, "%dL", (int)rnd(8));
		break;
	case 2:
		gen_plain(&b, 0, 7, 0);
		break;
	case 3:
		buf_printf(&b, "%d#%d,%dL", (int)rnd(7), 1 + (int)rnd(4),
		    (int)rnd(7));
		break;
	default:
		buf_adds(&b, "*");
		break;
	}
	return buf_detach(&b);
}

static long
offset_at(const char *tz, time_t t)
{
	struct tm tm;

	util_localtime(t, tz, &tm);
	return tm.tm_gmtoff;
}

static int
wall_matches(const struct schedule *s, long long wall)
{
	struct tm tm;
	time_t w = (time_t)wall;

	gmtime_r(&w, &tm);
	return schedule_matches(s, &tm);
}

/*
 * The reference: walks every minute of (from, to] and lists what the
 * documented rule calls occurrences.  A minute is one when its wall-clock
 * time is new (later than any shown before: the second happening of a
 * repeated time is not new) and either matches, or a matching wall-clock
 * minute was jumped over by a spring-forward just before it.
 */
static size_t
reference(const struct schedule *s, const char *tz, time_t from, time_t to,
    time_t *out, size_t max)
{
	long long wall, maxwall, w;
	time_t u;
	size_t n = 0;
	int hit;

	maxwall = LLONG_MIN;
	for (u = from - 86400 - from % 60; u <= to; u += 60) {
		wall = (long long)u + offset_at(tz, u);
		if (wall <= maxwall)
			continue;
		hit = wall_matches(s, wall);
		if (!hit && maxwall != LLONG_MIN)
			for (w = maxwall + 60; w < wall && !hit; w += 60)
				hit = wall_matches(s, w);
		maxwall = wall;
		if (hit && u > from && n < max)
			out[n++] = u;
	}
	return n;
}

static const char *const zones[] = {
	NULL, "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
	"Asia/Kolkata", "America/Sao_Paulo", "Europe/London",
};

/* Instants near daylight-saving changes, where the rules matter. */
static const char *const near[] = {
	"2026-03-29T00:00:00Z", "2026-10-25T00:00:00Z",
	"2026-03-08T05:00:00Z", "2026-11-01T04:00:00Z",
	"2026-04-04T14:00:00Z", "2026-10-03T15:00:00Z",
	"2018-11-03T02:00:00Z", "2019-02-16T01:00:00Z",
};

static void
test_properties(void)
{
	struct schedule *s;
	time_t t, n, p, n2, ref[400], got[400];
	size_t i, nref, ngot;
	int k, fail_next = 0, fail_match = 0, fail_skip = 0, fail_prev = 0;
	int checked_skip = 0, checked = 0;
	const char *tz;
	char *e, *cause;
	struct tm tm;

	for (i = 0; i < 600; i++) {
		e = gen_expr();
		s = schedule_parse(e, &cause);
		if (s == NULL) {
			ok(0, "generated \"%s\" parses: %s", e, cause);
			free(cause);
			free(e);
			continue;
		}
		tz = zones[rnd(sizeof zones / sizeof zones[0])];
		if (rnd(2) == 0)
			t = iso(near[rnd(sizeof near / sizeof near[0])]) +
			    (time_t)rnd(86400 * 2) - 86400;
		else
			t = iso("2020-01-01T00:00:00Z") +
			    (time_t)rnd(86400U * 365 * 15);
		checked++;

		/* Next is strictly later and is an occurrence. */
		if (schedule_next(s, tz, t, &n) == 0) {
			if (n <= t && fail_next++ < 5)
				printf("# next(%s) of %s in %s is %s\n",
				    fmt(t), e, tz ? tz : "UTC", fmt(n));
			util_localtime(n, tz, &tm);
			if (!schedule_matches(s, &tm) &&
			    offset_at(tz, n - 1) >= offset_at(tz, n) &&
			    fail_match++ < 5)
				printf("# next of %s in %s is %s, which does "
				    "not match and ends no gap\n", e,
				    tz ? tz : "UTC", fmt(n));
		} else if (schedule_possible(s) && fail_next++ < 5)
			printf("# no next for possible %s\n", e);

		/* Previous and next agree. */
		if (schedule_prev(s, tz, t, &p) == 0) {
			if (p > t || schedule_next(s, tz, p - 1, &n2) != 0 ||
			    n2 != p || (schedule_next(s, tz, p, &n2) == 0 &&
			    n2 <= t)) {
				if (fail_prev++ < 5)
					printf("# prev/next disagree for %s in "
					    "%s at %s (prev %s)\n", e,
					    tz ? tz : "UTC", fmt(t), fmt(p));
			}
		}

		/* Against the brute force, over two days for one in four. */
		if (i % 4 == 0) {
			checked_skip++;
			nref = reference(s, tz, t, t + 2 * 86400, ref, 400);
			ngot = 0;
			n = t;
			while (ngot < 400 && schedule_next(s, tz, n, &n) == 0 &&
			    n <= t + 2 * 86400)
				got[ngot++] = n;
			if (nref != ngot || memcmp(ref, got, ngot *
			    sizeof got[0]) != 0) {
				if (fail_skip++ < 5) {
					printf("# %s in %s from %s: %zu "
					    "occurrences, reference %zu\n", e,
					    tz ? tz : "UTC", fmt(t), ngot,
					    nref);
					for (k = 0; k < (int)ngot &&
					    k < (int)nref; k++)
						if (got[k] != ref[k]) {
							printf("#   first "
							    "difference: %s "
							    "vs %s\n",
							    fmt(got[k]),
							    fmt(ref[k]));
							break;
						}
				}
			}
		}
		schedule_free(s);
		free(e);
	}
	ok(fail_next == 0, "%d generated expressions: next is strictly "
	    "after the instant", checked);
	ok(fail_match == 0, "next matches the expression (or ends a "
	    "daylight-saving gap)");
	ok(fail_prev == 0, "prev is at or before, next(prev - 1) is prev, "
	    "and nothing lies between prev and the instant");
	ok(fail_skip == 0, "%d expressions over two days: the same "
	    "occurrences as a minute-by-minute walk", checked_skip);
}

int
main(void)
{
	test_occurrences();
	test_possible();
	test_matches();
	test_hostile();
	test_describe();
	test_properties();
	return tap_done();
}
