/* Whom the agent tells, and what: a check's state change (after the
 * hysteresis, held back while the check is in maintenance unless it says
 * notify_in_maintenance), and the channels of a run's or the debt list's
 * events. */
#ifndef MAINTOP_AGENT_TELL_H
#define MAINTOP_AGENT_TELL_H

#include <stddef.h>
#include <time.h>

#include "probe.h"

struct check_status;
struct config;
struct runbook;
struct window;

/* What the agent last told of a check before it has told anything. */
#define AGENT_TOLD_NONE	((enum state)-1)

/*
 * Decides whether the state of check st is told at now, *told being the
 * state last told (AGENT_TOLD_NONE at first: the first result only sets
 * it).  A change is told unless the check is in maintenance at now and
 * does not say notify_in_maintenance; held back, it is told once the
 * maintenance is over if the state still differs.  Returns 1 with *told
 * updated, *id and *ev the event (notify_event_json; caller frees both),
 * or 0.
 */
int agent_tell_check(const struct config *, const struct check_status *st,
    time_t now, enum state *told, char **id, char **ev);

/*
 * The channels for an event: the first non-empty of the lists given
 * (first[0..nfirst), then second[0..nsecond)), else settings.notify.
 * Returns a list borrowed from the configuration (*n may be 0).
 */
char *const *agent_tell_channels(const struct config *, char *const *first,
    size_t nfirst, char *const *second, size_t nsecond, size_t *n);

/* A check's channels: its notify, else settings.notify. */
char *const *agent_tell_check_channels(const struct config *,
    const struct check *, size_t *n);

/* The channels of a run the agent started of rb in window w: the
 * runbook's notify, else the window's, else settings.notify. */
char *const *agent_tell_run_channels(const struct config *,
    const struct runbook *rb, const struct window *w, size_t *n);

/* The most of a step's output the agent keeps for a run.end event. */
#define AGENT_TELL_TAIL_MAX	8192

/*
 * Appends a step's output (data[0..len), masked by the runner) to *tail
 * (a NUL-terminated string, or NULL), keeping only its last
 * AGENT_TELL_TAIL_MAX bytes.
 */
void agent_tell_tail_add(char **tail, const char *data, size_t len);

/*
 * The last n lines of tail for people: sanitized (no control but line
 * breaks), CR LF as LF, a last line without newline closed.  Caller frees;
 * "" when tail is NULL or empty.
 */
char *agent_tell_tail_lines(const char *tail, size_t n);

#endif
