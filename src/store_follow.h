/* The team journal followed by a dashboard: a run index kept on the
 * store's thread and brought up to date with the records after the last
 * one read, so that a step change costs its own records, not the journal. */
#ifndef MAINTOP_STORE_FOLLOW_H
#define MAINTOP_STORE_FOLLOW_H

struct runindex;
struct store;
struct store_follow;

/* An empty index, to be read whole by the first update. */
struct store_follow *store_follow_new(void);

/*
 * Brings the index up to date with the journal of s (blocking: the
 * store's thread only), then marks which of its open runs are going
 * (their lock held in the store; runner_orphan.alive).  The journal is
 * read whole with full set (the store was lost or is new: notifications
 * may have been missed), after a failure, or when a record turns up
 * between two read before (records are committed out of order); else
 * only its records after the last one read.  For the files store, the
 * journal is read whole each time.  Returns 0, or -1 with *cause set.
 */
int store_follow_update(struct store_follow *, struct store *s, int full,
    char **cause);

/* The index as the last update left it: owned by the follower, valid
 * until the next update or store_follow_free (never during an update). */
const struct runindex *store_follow_index(const struct store_follow *);

void store_follow_free(struct store_follow *);

#endif
