/* What the schedule files share: a parsed expression's layout and the
 * day arithmetic that matching and the search both use. */
#ifndef MAINTOP_SCHEDULE_PRIV_H
#define MAINTOP_SCHEDULE_PRIV_H

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

/* The five fields, in the expression's order. */
enum schedule_field {
	SCHEDULE_MINUTE, SCHEDULE_HOUR, SCHEDULE_DOM, SCHEDULE_MONTH,
	SCHEDULE_DOW
};

/* The days in month m (1-12) of year y, leap years counted. */
int schedule_month_days(long long y, int m);
/* Weekday (0 Sunday) of a day number (days since 1970-01-01, a
 * Thursday). */
int schedule_weekday(long long day);
/* Whether day d of a month of dim days, falling on weekday wd, matches
 * the day fields of s (the month is the caller's to check). */
int schedule_day_match(const struct schedule *s, int d, int dim, int wd);

#endif
