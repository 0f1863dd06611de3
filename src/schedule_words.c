/* Cron schedules in words: "every Monday to Friday at 02:00". */
#include "schedule.h"

#include <stdlib.h>
#include <string.h>

#include "schedule_priv.h"
#include "util.h"

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
	case SCHEDULE_MONTH:
		return xstrdup(month_words[v - 1]);
	case SCHEDULE_DOW:
		return xstrdup(dow_words[v]);
	case SCHEDULE_DOM:
		return ordinal(v);
	case SCHEDULE_HOUR:
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

	add_runs(&p, SCHEDULE_DOW, sch->weekdays, 0, 6);
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
		buf_printf(b, "day-of-week %s", sch->text[SCHEDULE_DOW]);
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

	add_runs(&p, SCHEDULE_DOM, sch->days, 1, 31);
	if (sch->last_day)
		phrases_add(&p, xstrdup("last day"));
	if (p.n > WORDS_MAX) {
		phrases_free(&p);
		buf_printf(b, "days matching %s", sch->text[SCHEDULE_DOM]);
		return;
	}
	phrases_join(&p, b);
}

static void
words_months(const struct schedule *sch, struct buf *b)
{
	struct phrases p = { .n = 0 };

	add_runs(&p, SCHEDULE_MONTH, sch->months, 1, 12);
	if (p.n > WORDS_MAX) {
		phrases_free(&p);
		buf_printf(b, "months %s", sch->text[SCHEDULE_MONTH]);
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
				add_runs(&p, SCHEDULE_MINUTE, sch->minutes, 0, 59);
				if (p.n > WORDS_MAX) {
					phrases_free(&p);
					buf_printf(b, "at minutes %s",
					    sch->text[SCHEDULE_MINUTE]);
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
	add_runs(&p, SCHEDULE_HOUR, sch->hours, 0, 23);
	if (p.n > WORDS_MAX) {
		phrases_free(&p);
		buf_adds(b, sch->text[SCHEDULE_HOUR]);
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
