/* A store opened on the thread that first needs it (a dashboard's
 * worker), so that connecting to a team store never waits on the loop. */
#ifndef MAINTOP_STORE_LAZY_H
#define MAINTOP_STORE_LAZY_H

struct config;
struct store;
struct store_conf;
struct worker;
struct store_lazy;

/* The store of cfg (borrowed: it must outlive the handle) and state_dir
 * (copied), not opened yet. */
struct store_lazy *store_lazy_new(const struct config *cfg,
    const char *state_dir);
/* The PostgreSQL store of conf (copied), as store_open_pg opens it (with
 * offline, unconnected when it cannot be reached), not opened yet. */
struct store_lazy *store_lazy_new_pg(const struct store_conf *conf,
    const char *state_dir, int offline);
/*
 * The store, opened now if it is not yet (blocking: call it on a worker
 * or in a line mode; calls must not overlap).  NULL with *cause set when
 * it cannot be opened (tried again at the next call).
 */
struct store *store_lazy_get(struct store_lazy *, char **cause);
/* Frees the handle and closes its store: with a worker, as a job after
 * those already queued (they may still use it); without, at once. */
void store_lazy_free(struct store_lazy *, struct worker *);

#endif
