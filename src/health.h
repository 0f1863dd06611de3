/* The health model the views read: every check's state with hysteresis,
 * its last sample and a bounded ring of recent ones, kept current by
 * probes scheduled on the one event loop. */
#ifndef MAINTOP_HEALTH_H
#define MAINTOP_HEALTH_H

#include <stddef.h>
#include <time.h>

#include "probe.h"

struct config;
struct event_base;
struct health;

/* One point of a check's history, for sparklines. */
struct health_point {
	time_t		time;
	float		latency_ms;	/* -1 when the probe had none */
	unsigned char	state;		/* enum state of that sample */
};

/*
 * What the views show for one check.  Everything here is owned by the
 * model; pointers stay valid until the next time the loop runs (the model
 * changes only from loop callbacks) or health_free.
 */
struct check_status {
	const struct check	*check;
	char			*target;	/* check_target(): safe to show */
	enum state		 state;		/* with hysteresis */
	time_t			 since;		/* last change of state; 0:
						 * never had a result */
	struct sample		*last;		/* NULL before the first */
	char			*last_error;	/* last non-OK message, full */
	time_t			 last_error_time;
	int			 maintenance;	/* set by maint_apply */
	const char		*maint_window;	/* its window (the config's) */
	time_t			 maint_end;	/* when that occurrence ends */
	int			 running;	/* a probe is in flight */

	/* The ring: the last "history" samples, oldest first through
	 * health_point_at(). */
	struct health_point	*ring;
	size_t			 ring_cap;	/* most kept */
	size_t			 ring_alloc;	/* allocated so far */
	size_t			 ring_len;
	size_t			 ring_head;	/* next slot to write */

	/* The previous reading of each metric of an HTTP check (metric.c),
	 * for rates and averages; NULL without metrics. */
	struct metric_prev	*mprev;

	/* Counters since start. */
	unsigned long long	 nprobes;
	unsigned long long	 nstate[4];	/* results per enum state */
	unsigned long long	 ntransitions;
	unsigned long long	 nskipped;	/* due while still running */

	/* Hysteresis: consecutive results pointing away from state. */
	enum state		 pending;
	int			 pending_dir;	/* +1 worse, -1 better */
	long long		 pending_count;
};

/*
 * Creates the model for every check of config (which must outlive it).
 * changed(arg) is called after each result is recorded (it may be NULL).
 * Nothing runs until health_start or health_run_once.  Free with
 * health_free.
 */
struct health *health_new(struct event_base *, const struct config *,
    void (*changed)(void *), void *arg);
void health_free(struct health *);

/*
 * From now on the probes read their files (password_file, value_file, the
 * TLS files) on a worker thread of h's own, so a slow or hung file system
 * holds back only the probes that read one, never the loop (the dashboard,
 * the agent).  By default they are read at once: the line modes have no
 * screen to keep answering.
 */
void health_read_files_off_loop(struct health *);

/*
 * Schedules every check at its interval.  First runs are spread over the
 * first second (or the shortest interval, if shorter) so that hundreds of
 * checks do not start in the same millisecond.
 */
void health_start(struct health *);
/* Stops the schedule and cancels every probe in flight. */
void health_stop(struct health *);

/*
 * Runs the selected checks once, concurrently (select[i] non-zero runs
 * check i; NULL runs them all), and calls done(arg) when every one has a
 * result (at once if none is selected).  Results set the state directly,
 * without hysteresis.
 */
void health_run_once(struct health *, const int *select,
    void (*done)(void *), void *arg);
/* Starts check i now if it is not running (a "refresh" key). */
void health_run_now(struct health *, size_t i);

/*
 * A result of check name that started after the first call (for a
 * success criterion): with *token 0, starts a probe unless one is in
 * flight, sets *token and returns -1; with that token, returns -1 until a
 * probe started after the first call has ended (starting it once the one
 * in flight is done), then its state (enum state, as probed: no
 * hysteresis, no maintenance) with *msg (if not NULL) its message, valid
 * until the loop runs again.  -2: no check of that name.
 */
int health_fresh(struct health *, const char *name,
    unsigned long long *token, const char **msg);

size_t health_count(const struct health *);
const struct check_status *health_get(const struct health *, size_t i);
/* Index of the check called name, or -1. */
long health_find(const struct health *, const char *name);
/* The worst state the checks report (maint_state: one in maintenance
 * reports OK); OK when there is none. */
enum state health_worst(const struct health *);
/*
 * Marks check i as in maintenance under window (a name that outlives the
 * model) until end, or out of it when window is NULL; probing goes on.
 * maint_apply calls this; the rule itself lives in maint.c.
 */
void health_set_maintenance(struct health *, size_t i, const char *window,
    time_t end);

/* The previous metric readings of check i (NULL without metrics), which
 * a one-shot run loads before and saves after the probe (metric.c). */
struct metric_prev *health_metric_prev(struct health *, size_t i);

/* History point k of st, 0 the oldest, k < st->ring_len. */
const struct health_point *health_point_at(const struct check_status *,
    size_t k);

/*
 * Records a result for a status as the scheduler does (takes ownership of
 * s).  once: set the state directly, as for health_run_once.  Exposed for
 * tests of the state machine and ring.
 */
void health_record(struct check_status *, struct sample *, int once);
/* Prepares and releases a standalone status (for tests). */
void health_status_init(struct check_status *, const struct check *);
void health_status_clear(struct check_status *);

#endif
