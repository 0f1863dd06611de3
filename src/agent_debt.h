/* The debt list's events for the agent: an item added, resolved, or
 * becoming overdue, each told once; what was told is remembered across
 * restarts (state_dir/agent.debt.json, or the team store). */
#ifndef MAINTOP_AGENT_DEBT_H
#define MAINTOP_AGENT_DEBT_H

#include <stddef.h>
#include <time.h>

struct debt_item;

/* The largest memory file read (a bigger one is a fresh start). */
#define AGENT_DEBT_FILE_MAX	(4 * 1024 * 1024)

/* What the agent knows of the debt list: each item's id, whether it was
 * resolved and whether its being overdue was told. */
struct agent_debt;

/*
 * Makes the memory from the text of its file (len bytes; NULL or text
 * that is not a memory file: nothing known yet, and the first
 * agent_debt_step takes the list as it is without telling anything).
 * Never fails; the caller frees it with agent_debt_free.
 */
struct agent_debt *agent_debt_new(const char *text, size_t len);
void agent_debt_free(struct agent_debt *);

/* True when the memory came from a file (not a first start). */
int agent_debt_known(const struct agent_debt *);

/* The memory as the text of its file (JSON; caller frees). */
char *agent_debt_format(const struct agent_debt *);

/*
 * Compares the list items[0..n) at now (dates in zone tz) with the
 * memory and calls emit(arg, id, event) for each item that was added
 * (open), resolved, or became overdue (open, the day after its target)
 * since, then remembers the list.  An item deleted is forgotten.  Returns
 * 1 when the memory changed (write it), 0 when not.  Event ids are
 * "debt.added:ID", "debt.resolved:ID:DATE" and "debt.overdue:ID:TARGET".
 */
int agent_debt_step(struct agent_debt *, struct debt_item *const *items,
    size_t n, time_t now, const char *tz,
    void (*emit)(void *arg, const char *id, const char *event), void *arg);

/*
 * The first instant after now at which an open item of items[0..n) not
 * overdue at now becomes overdue (00:00 after its target day in zone tz),
 * or 0 when none will: what time alone changes in the list.
 */
time_t agent_debt_next_overdue(struct debt_item *const *items, size_t n,
    time_t now, const char *tz);

/* The memory's document: state_dir's file, or the team store's row
 * (agent_doc.h). */
#define AGENT_DEBT_DOC	"agent.debt.json"

/*
 * One look at the debt list without blocking the loop: on the disk worker
 * io it reads the memory (agent.debt.json) and the debt list (the team
 * store's when store keeps it, else state_dir/debt.conf), and compares
 * them, with c's own items, through
 * agent_debt_step; back on the loop it calls emit(arg, id, event) for
 * each event (the caller queues them in the outbox, on io), then queues
 * the memory's atomic write on io, after them, so that an event is never
 * remembered as told before it is in the outbox.  The items are copied:
 * c may change before the look ends.  done(arg, failed, next), when not
 * NULL, is called at the end: failed when the list could not be read,
 * next the instant the next item falls overdue
 * (agent_debt_next_overdue), or 0.
 */
struct config;
struct store;
struct worker;
void agent_debt_poll(struct worker *io, struct store *store,
    const char *state_dir, const struct config *c, time_t now,
    void (*emit)(void *arg, const char *id, const char *event),
    void (*done)(void *arg, int failed, time_t next), void *arg);

#endif
