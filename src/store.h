/* The team store: where the journal, run locks, debt items, outbox and
 * agent leadership live, the state directory's files (the default) or a
 * PostgreSQL database shared by a team (settings.store). */
#ifndef MAINTOP_STORE_H
#define MAINTOP_STORE_H

#include <libconfig.h>
#include <time.h>

#include "cfgutil.h"

/*
 * settings.store: the PostgreSQL database of a team.  Absent from the
 * configuration, the store is the state directory's files.
 */
struct store_conf {
	char	*conninfo;	/* libpq's, never holding a password */
	char	*password_env;	/* the variable holding it, or NULL:
				 * ~/.pgpass, $PGPASSFILE or the service */
};

/*
 * Parses settings.store (s is the member, NULL when absent: *out stays
 * NULL).  Problems (not a group, an unknown key, no conninfo, a conninfo
 * libpq cannot parse or that holds a password, a bad password_env) go to
 * errs with file and line.  *out is set only when the group is valid; the
 * caller frees it with store_conf_free.
 */
void store_conf_parse(struct cfg_errors *errs, const config_setting_t *s,
    struct store_conf **out);
void store_conf_free(struct store_conf *);

struct config;
struct store;		/* an open store */
struct store_lock;	/* a run lock held */

/*
 * Opens the configuration's store: the files in state_dir (copied), or
 * the PostgreSQL database of settings.store, connected now (blocking: the
 * line modes only) and at this maintop's schema version.  Returns the
 * store (free with store_close), or NULL with *cause set.
 */
struct store *store_open(const struct config *, const char *state_dir,
    char **cause);
/*
 * The PostgreSQL store of conf (store_open's, for a caller that keeps its
 * own copy of settings.store).  With offline, a store that cannot be
 * reached now is opened all the same, unconnected (for --local-lock): its
 * records spool until it answers, and store_unreachable says so.
 */
struct store *store_open_pg(const struct store_conf *conf,
    const char *state_dir, int offline, char **cause);

/*
 * Whether the store could not be reached by the last attempt to take a
 * run lock (or to open it offline): a refusal then is not the team's
 * answer, and --local-lock may take the lock in the state directory.
 * Always 0 for the files.
 */
int store_unreachable(struct store *);
/* The files store of state_dir, whatever the configuration says. */
struct store *store_open_files(const char *state_dir);
/* Closes the store; every lock must have been released. */
void store_close(struct store *);

/*
 * Takes the run lock of runbook for run id started at since, without
 * waiting.  It is held until store_lock_release, or until this process
 * dies (kill -9 included): by an flock on state_dir/locks/NAME.lock, or by
 * an advisory lock of a database session of its own.  Returns 0 with
 * *lock set and *stale set (the caller frees it) when a holder that died
 * left its description behind, else NULL; or -1 with *cause set: held by
 * someone else ("runbook 'X' is already running: started by USER@HOST (on
 * TTY, pid N, run ID) since T") or the store failed.
 */
int store_lock_take(struct store *, const char *runbook, const char *id,
    time_t since, struct store_lock **lock, char **stale, char **cause);
/* Releases a lock from store_lock_take (NULL: nothing).  It may be called
 * on another thread than the one that took it, never at the same time as
 * another call on the store. */
void store_lock_release(struct store *, struct store_lock *);

/* What store_lock_keep found. */
enum store_lock_state {
	STORE_LOCK_HELD,	/* held, as it was */
	STORE_LOCK_WAITING,	/* lost with the store, which does not
				 * answer yet: taken back when it does */
	STORE_LOCK_BACK,	/* lost with the store, and taken back now
				 * that it answers (said once) */
	STORE_LOCK_LOST		/* lost with the store, and another maintop
				 * took it before it answered again */
};

/*
 * Keeps a lock from store_lock_take held while its run goes; call it
 * every second or so, where store_lock_release would be called.  It looks
 * at what the lock's session received (no statement is sent: an idle
 * store sees nothing).  When the session was lost (the store restarted,
 * or the connection broke), the store is tried again at once, and the
 * first connection that succeeds takes the lock back before the spool is
 * replayed (as does every other reconnection of the store: a journal
 * append, store_flush).  Returns an enum store_lock_state; with
 * STORE_LOCK_LOST, *holder (new) names who holds it now.  The files'
 * locks are never lost.
 */
int store_lock_keep(struct store *, struct store_lock *, char **holder);

/*
 * Appends a journal record: line is one JSON object on one line; id is its
 * record id, unique to it (a second append of one id adds nothing; the
 * files ignore it).  When PostgreSQL cannot be reached (the connection
 * lost, the server shutting down, a statement timed out) the record goes
 * to the state directory's spool, behind those already there, and the
 * store gets them all, in order, on a later append or store_flush once it
 * answers.  Returns 0 (sent or spooled), or -1 with *cause set.
 */
int store_journal_append(struct store *, const char *id, const char *line,
    char **cause);

/*
 * Tries the store again now and sends it the records that waited in the
 * state directory's spool while it was unreachable (store_spool.h), in
 * order.  Returns 0 when nothing waits any more (always, for the files),
 * or -1 with *cause set.
 */
int store_flush(struct store *, char **cause);

/*
 * Calls fn with each journal record (one line of JSON, valid during the
 * call), oldest first; with runbook not NULL at least that runbook's (fn
 * still filters).  The files are read as journal_foreach reads them; a
 * row of the store longer than JOURNAL_LINE_MAX is skipped.  Returns 0,
 * or -1 with *cause set.
 */
int store_journal_foreach(struct store *, const char *runbook,
    void (*fn)(const char *, void *), void *arg, char **cause);

/*
 * Whether run id of runbook, which has no end in the journal, is still
 * going: for the files, its maintop (pid, on this host) is alive; for
 * PostgreSQL, its run lock is held in the store, from whatever host.
 */
int store_run_live(struct store *, const char *runbook, const char *id,
    long pid);

/*
 * The end of runbook's newest successful run in *when (0: none).  Returns
 * 0, or -1 with *cause set.
 */
int store_last_success(struct store *, const char *runbook, time_t *when,
    char **cause);

struct debt_list;
struct settings;
struct store_debt_rows;

/* Whether the store keeps the debt items itself (a team store), rather
 * than the state directory's debt file. */
int store_has_debt(const struct store *);
/*
 * The store's debt items in order, and their rows as read (the versions a
 * change is based on).  Returns 0, or -1 with *cause set.
 */
int store_debt_load(struct store *, const struct settings *,
    struct debt_list *, struct store_debt_rows *, char **cause);
/*
 * Makes the store's items next where nobody changed them since base was
 * read (store_debt_write), then reads them back into now and rows.
 * Returns 0 when saved; 1 when refused because an item was changed by
 * someone else (*cause names it; now holds the store's items); 2 when saved
 * but not read back (now empty, *cause says why); -1 with *cause set when
 * the store failed and nothing was saved.
 */
int store_debt_save(struct store *, const struct settings *,
    const struct store_debt_rows *base, const struct debt_list *next,
    const char *line, struct debt_list *now, struct store_debt_rows *rows,
    char **cause);

#endif
