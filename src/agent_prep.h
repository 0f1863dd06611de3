/* What the agent would otherwise wait for on its loop, done on its worker:
 * the last successes an autorun's requirements name (the team store's
 * journal or the state directory's index), and its own journal records. */
#ifndef MAINTOP_AGENT_PREP_H
#define MAINTOP_AGENT_PREP_H

#include <stddef.h>
#include <time.h>

struct runbook;
struct store;
struct worker;

/* The last successes read for one autorun. */
struct agent_prep {
	char	**names;
	time_t	 *when;		/* 0: none */
	size_t	  n;
};
void agent_prep_clear(struct agent_prep *);

/*
 * Reads on io the last success of each runbook rb requires (from store
 * when not NULL, else state_dir's run index) into *prep (replaced), then
 * calls done(arg) on the loop.  rb's names are copied: it may go before.
 */
void agent_prep_requires(struct worker *io, struct store *,
    const char *state_dir, const struct runbook *rb, struct agent_prep *prep,
    void (*done)(void *), void *arg);
/* The last success of runbook read by agent_prep_requires, or 0. */
time_t agent_prep_last_success(const struct agent_prep *,
    const char *runbook);

/*
 * Appends line (one JSON object) to the journal on io: the store's under
 * record id id when store is not NULL, else state_dir/journal.jsonl.  A
 * failure is told to fail(arg, cause) on the loop (cause valid during the
 * call).  Jobs on io run in order, so records keep theirs.
 */
void agent_journal_later(struct worker *io, struct store *,
    const char *state_dir, const char *id, const char *line,
    void (*fail)(void *, const char *), void *arg);

#endif
