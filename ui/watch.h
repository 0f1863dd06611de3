/* Watches the state directory with inotify on the event loop, so that what
 * another maintop writes there (runs in the journal, the debt file) shows
 * within a fraction of a second, with no polling. */
#ifndef MAINTOP_WATCH_H
#define MAINTOP_WATCH_H

struct event_base;
struct watch;

#define WATCH_JOURNAL	0x1	/* journal.jsonl (or its index) changed */
#define WATCH_DEBT	0x2	/* debt.conf was replaced */

/*
 * Watches dir; cb(what, arg) is called on the loop at most every
 * WATCH_DELAY_MS with the WATCH_* bits of what changed since.  Returns
 * NULL (with *cause set) when inotify cannot watch dir: the dashboard
 * then only sees its own changes.
 */
struct watch *watch_new(struct event_base *, const char *dir,
    void (*cb)(unsigned what, void *arg), void *arg, char **cause);
/* Stops watching and frees; NULL is fine. */
void watch_free(struct watch *);

#define WATCH_DELAY_MS	200

#endif
