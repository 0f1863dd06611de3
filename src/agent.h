/* What the calendar asks of the agent between two instants: window notices,
 * starts and ends, and freezes starting; and the events that say so. */
#ifndef MAINTOP_AGENT_H
#define MAINTOP_AGENT_H

#include <stddef.h>
#include <time.h>

struct config;
struct window;

enum agent_item_kind {
	AGENT_NOTICE,		/* notice before a window starts */
	AGENT_START,		/* a maintenance window starts */
	AGENT_END,		/* a maintenance window ends */
	AGENT_FREEZE_START,
	AGENT_FREEZE_END
};

/* One thing due: w's occurrence [start, end) and the instant it is due. */
struct agent_item {
	enum agent_item_kind	 kind;
	struct window		*w;
	time_t			 start;
	time_t			 end;
	time_t			 when;
	size_t			 seq;		/* ties: found first, first */
};

/*
 * Everything due in (from, to]: an occurrence's notice at start - notice,
 * its start and its end, ordered by when (then by the configuration's
 * order).  Returns the count; *out is an array the caller frees (NULL when
 * none).  At most the calendar's bound per window.
 */
size_t agent_due(const struct config *, time_t from, time_t to,
    struct agent_item **out);

/*
 * The next notices that go out after now, one per window that gives notice
 * (a freeze gives none), soonest first (then in the configuration's order),
 * at most max: AGENT_NOTICE items due at start - notice, whether or not an
 * agent runs to send them.  Returns the count; *out is an array the caller
 * frees (NULL when none).
 */
size_t agent_next_notices(const struct config *, time_t now, size_t max,
    struct agent_item **out);

/* "window.notice", "window.start", "window.end", "freeze.start",
 * "freeze.end". */
const char *agent_item_type(enum agent_item_kind);

/*
 * The event for an item, as notify_event_json makes it: a stable id
 * (type:window:start), a subject for people and the occurrence in data.
 * Caller frees; *id is set to a copy of the id (caller frees).
 */
char *agent_item_event(const struct agent_item *, const char *tz,
    char **id);

/* True when a freeze is active at t (its name in *which, not a copy). */
int agent_frozen(const struct config *, time_t t, const char **which);

#endif
