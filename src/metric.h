/* The metrics of an HTTP check turned into figures: a series as read, a
 * rate per second, a ratio of two selectors and an average from a _sum and
 * _count pair, from raw readings and the previous ones; and the small state
 * file that keeps the previous readings between runs of "maintop check". */
#ifndef MAINTOP_METRIC_H
#define MAINTOP_METRIC_H

#include <stddef.h>

struct check;
struct prom;
struct sample;

/* What a probe read for one configured metric. */
struct metric_reading {
	const char	*why;	/* NULL when read, else why not (static) */
	double		 a;	/* select's sum, or avg's _sum */
	double		 b;	/* ratio's sum, or avg's _count; else 0 */
	long long	 t_ms;	/* wall clock when read, milliseconds */
};

/* The previous reading of one metric, for rates and averages. */
struct metric_prev {
	int		 have;
	double		 a;
	double		 b;
	long long	 t_ms;	/* wall clock */
};

/*
 * Reads every metric of check c from a parsed Prometheus page into r (an
 * array of c->http.nmetrics), stamped with the wall clock now.
 */
void metric_read(const struct check *c, const struct prom *,
    struct metric_reading *r);

/*
 * Turns the readings of sample s (s->readings, one per metric, or none at
 * all) into figures, in the order of the configuration, applies each
 * metric's thresholds, and updates prev (one per metric).  A rate or an
 * average without a previous reading is unavailable and says so in the
 * message ("first sample"); a counter that went down (a restart) gives no
 * negative rate: the figure is unavailable and the new reading is kept.
 */
void metric_derive(const struct check *c, struct metric_prev *prev,
    struct sample *s);

/* True when one of c's metrics needs the previous reading. */
int metric_stateful(const struct check *c);

/*
 * The state file of check c in dir: the previous readings, matched to the
 * metrics by name and selectors, so a changed configuration never mixes
 * them up.  load fills prev (missing or unreadable: nothing is kept, not an
 * error); save writes it atomically (mode 0600).  Return 0, or -1 with
 * *cause set (the caller frees).
 */
int metric_state_load(const char *dir, const struct check *c,
    struct metric_prev *prev, char **cause);
int metric_state_save(const char *dir, const struct check *c,
    const struct metric_prev *prev, char **cause);

#endif
