/* Threshold ranges in the monitoring-plugins syntax ("10", "10:", "~:10",
 * "10:20", "@10:20"): parsing, judging a value, explaining a verdict and
 * proving that a warning and critical pair can fire. */
#ifndef MAINTOP_RANGE_H
#define MAINTOP_RANGE_H

#include <stddef.h>

/*
 * One range, as the plugin development guidelines define it: a value
 * alerts when it lies outside [lo, hi] (ends included in the range, so the
 * comparison is strict), or inside it with '@'.  "10" is 0:10, "10:" has no
 * upper end, "~:10" no lower end.  A plain number from the configuration
 * (not a string) keeps maintop's older meaning: above it alerts, or below
 * it for a figure where lower is worse; it is stored as ~:N or N: and
 * printed as written.
 */
struct range {
	int	 set;		/* 0: no limit at all */
	int	 inside;	/* '@': alert inside [lo, hi] */
	int	 lo_inf;	/* no lower end (~, or a plain number) */
	int	 hi_inf;	/* no upper end ("10:") */
	int	 plain;		/* from a plain number */
	double	 lo;
	double	 hi;
};

/* How range_parse reads the ends. */
enum range_unit {
	RANGE_NUMBER,		/* decimal numbers, signed */
	RANGE_DURATION		/* durations ("500ms", "2h"), in seconds */
};

/*
 * Parses s ("10", "10:", "~:10", "10:20", "@10:20"; ends are numbers or,
 * with RANGE_DURATION, durations in seconds).  Returns 0, or -1 with
 * *cause set (the caller frees it) when s is malformed or its start is
 * above its end.
 */
int range_parse(const char *s, enum range_unit, struct range *,
    char **cause);

/* A plain number: above v alerts, or below it when lower_worse. */
void range_plain(struct range *, double v, int lower_worse);

/* True when v is outside the range (inside it, with '@').  An unset range
 * and NaN never alert. */
int range_alert(const struct range *, double v);

/*
 * Writes the range in the figure's unit for perfdata, as configured: "80"
 * for a plain 80, "30:" for a plain 30 where lower is worse, "~:0.5",
 * "@10:20".  Empty for an unset range.
 */
void range_format(const struct range *, char *buf, size_t len);

/* A number as perfdata and ranges write it: plain decimal with at most six
 * places and no trailing zeros ("0.5", "80", "-3"); an exponent only from
 * 1e15 up. */
void range_num(double, char *buf, size_t len);

/*
 * Why v alerts, as an operator and a limit: "> 10", "< 5", "inside 10:20".
 * The limit is left to the caller to format: *limit is set to the end that
 * was crossed (for '@', to lo, with op "inside").  Returns the operator.
 */
const char *range_verdict(const struct range *, double v, double *limit);

/*
 * Checks that a pair can reach every state it names, for figures whose
 * values lie in [dlo, dhi] (either may be infinite).  Critical is judged
 * first, so a warning shows only outside the critical alert set.  Returns
 * 0, or -1 with *cause set (the caller frees it) saying why warn can never
 * show or crit can never fire.  Either range may be unset.
 */
int range_pair_check(const struct range *warn, const struct range *crit,
    double dlo, double dhi, char **cause);

#endif
