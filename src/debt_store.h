/* The editable debt list: the configuration's items and the debt file's,
 * safe saving (lock, change check, atomic write) with undo and a journal. */
#ifndef MAINTOP_DEBT_STORE_H
#define MAINTOP_DEBT_STORE_H

#include "debt_file.h"

/*
 * The editable debt list: the configuration's items (read-only, borrowed
 * from the config) and the debt file's items, the file's identity when
 * read, and one undo snapshot.  Every successful change is saved at once
 * and recorded in the journal as
 *   {"type":"debt","action":"resolve","id":"D-0003","title":"...",
 *    "user":...,"ssh_client":...,"tty":...,"time":"...Z"}
 * Items from the configuration are never changed: every change function
 * refuses them with a message naming the configuration file and line.
 */
struct debt_store;

/*
 * Opens the store for the debt file path, recording changes in the
 * journal file journal (NULL: none).  cfg is borrowed and must outlive the
 * store.  With read_only every change is refused.  Problems loading the
 * file go to errs; the store is then still usable for reading (config
 * items only) but refuses changes until a reload succeeds, so a file that
 * cannot be parsed is never overwritten.  The caller frees the store with
 * debt_store_free.
 */
struct debt_store *debt_store_open(const char *path, const char *journal,
    const struct config *cfg, int read_only, struct cfg_errors *errs);
void debt_store_free(struct debt_store *);
/*
 * debt_store_open on the configuration's state directory: its debt.conf,
 * its journal.jsonl; or, with settings.store, on the team store's debt
 * items and journal, read now (blocking: the line modes).  Returns NULL
 * with *cause set (caller frees) when there is no state directory.
 */
struct debt_store *debt_store_open_config(const struct config *cfg,
    int read_only, struct cfg_errors *errs, char **cause);
/*
 * With nowait set (the dashboard), a change finding the file locked by
 * another maintop is refused at once ("try again") instead of waiting up
 * to 3 s for the lock: the screen must not stall.
 */
void debt_store_set_nowait(struct debt_store *, int nowait);
/*
 * With a worker (the dashboard's), a change is saved on the worker thread
 * (lock, check, write, fsync, rename, journal) so the loop never waits on
 * the disk: the change functions then return 2 ("saving") and done is
 * called later on the loop with what they would have returned and the
 * cause (done frees it).  The list changes only when the save succeeded;
 * until done, another change is refused ("still saving").  A save still
 * queued when the store is freed completes unreported.
 */
struct worker;
typedef void (*debt_done_cb)(int r, char *cause, void *arg);
void debt_store_set_async(struct debt_store *, struct worker *,
    debt_done_cb done, void *arg);
/*
 * debt_store_open_config then debt_store_set_async, for the dashboard: when
 * the list is the team store's (settings.store) nothing is read on the
 * calling thread: the list is empty and refuses changes until the worker
 * has read it, then loaded(arg) is called on the loop (also when that
 * failed: the refusal then says why); the store is shared's (the
 * dashboard's, used on worker only; debt_team_new) when it is not NULL.
 * A file is read at once, as by debt_store_open_config, and loaded is not
 * called.
 */
struct store_lazy;
struct debt_store *debt_store_open_async(const struct config *cfg,
    int read_only, struct worker *, struct store_lazy *shared,
    debt_done_cb done, void (*loaded)(void *), void *arg,
    struct cfg_errors *errs, char **cause);
/* True while a save is in flight. */
int debt_store_saving(const struct debt_store *);
/*
 * With a worker: rereads the file there when it changed on disk (another
 * maintop saved it), then on the loop replaces the list and calls
 * cb(arg) -- unless a save went out meanwhile, or the file is the one this
 * store wrote last.  A file that does not load leaves the list as it is.
 */
void debt_store_refresh(struct debt_store *, void (*cb)(void *arg),
    void *arg);
/* Rereads the file (dropping the undo snapshot).  0, or -1 with errs. */
int debt_store_reload(struct debt_store *, struct cfg_errors *errs);
/* NULL, or why the store refuses changes ("read-only mode", file errors). */
const char *debt_store_refusal(const struct debt_store *);

/*
 * The items in score order (resolved ones only with all).  The array is
 * new (the caller frees it, not the items); the items stay valid until the
 * next change, reload or debt_store_free.
 */
size_t debt_store_list(struct debt_store *, time_t now, int all,
    struct debt_item ***out);
/* The item with id (config or file), or NULL.  Valid as for the list. */
const struct debt_item *debt_store_find(const struct debt_store *,
    const char *id);

/*
 * Changes.  Each returns 0 when saved and journaled; 1 when saved but the
 * journal record failed (*cause says why: tell the user); -1 when refused
 * or failed with *cause set (caller frees) and nothing changed.  When the
 * file changed on disk since it was read, the change is refused with
 * "debt file changed on disk since it was read; reloaded" and the store
 * holds the file's new content.  now dates the change.
 *
 * add takes ownership of item (freed on failure too): a NULL id gets the
 * next "D-NNNN", a zero created date gets today; the id is stored in
 * *newid when newid is not NULL (caller frees).  edit replaces the item id
 * with item (ownership taken; id, created and status are kept from the old
 * item).  resolve, reopen and delete act on the item id.  undo restores the
 * file as it was before the last change made through this store.
 */
int debt_store_add(struct debt_store *, struct debt_item *item, time_t now,
    char **newid, char **cause);
int debt_store_edit(struct debt_store *, const char *id,
    struct debt_item *item, time_t now, char **cause);
int debt_store_resolve(struct debt_store *, const char *id, time_t now,
    char **cause);
int debt_store_reopen(struct debt_store *, const char *id, time_t now,
    char **cause);
int debt_store_delete(struct debt_store *, const char *id, time_t now,
    char **cause);
int debt_store_undo(struct debt_store *, time_t now, char **cause);
/* True when there is a change to undo. */
int debt_store_can_undo(const struct debt_store *);

#endif
