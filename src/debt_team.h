/* The debt list in the team store (settings.store) rather than the state
 * directory's file: the store opened on the thread that first needs it,
 * and the list's loads and saves through it (for debt_store.c). */
#ifndef MAINTOP_DEBT_TEAM_H
#define MAINTOP_DEBT_TEAM_H

#include "debt_file.h"
#include "store_debt.h"

struct config;
struct worker;
struct debt_team;

struct store_lazy;

/*
 * A handle on cfg's team store (cfg borrowed; it must outlive the handle),
 * with state_dir for what the store keeps there, connecting nothing yet:
 * the first load or save connects, on its own thread.  With shared (a
 * dashboard's, borrowed: it must outlive the handle), that store is used
 * instead of one of its own, on the thread that uses it.  Calls on one
 * handle must not overlap.
 */
struct debt_team *debt_team_new(const struct config *cfg,
    const char *state_dir, struct store_lazy *shared);
/*
 * Frees the handle (closing a store of its own): with a worker, as a job
 * after those already queued (they may still use it); without, at once.
 */
void debt_team_free(struct debt_team *, struct worker *);

/*
 * Reads the team's items and their rows (blocking: the worker or a line
 * mode).  0, or -1 with *cause set.
 */
int debt_team_load(struct debt_team *, struct debt_list *,
    struct store_debt_rows *, char **cause);
/*
 * Saves next over base as store_debt_save does, with line as the journal
 * record, and reads the items back (blocking).  0 saved, 1 refused as
 * stale (now holds the store's items), 2 saved but not read back, -1
 * failed; *cause set but for 0.
 */
int debt_team_save(struct debt_team *, const struct store_debt_rows *base,
    const struct debt_list *next, const char *line, struct debt_list *now,
    struct store_debt_rows *rows, char **cause);

#endif
