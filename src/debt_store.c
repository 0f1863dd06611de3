/* The editable debt list: the configuration's items and the debt file's,
 * safe saving (lock, change check, atomic write, on the worker thread for
 * the dashboard) with one undo and a journal record of every change. */
#include "debt_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "config.h"
#include "debt_pending.h"
#include "debt_team.h"
#include "journal.h"
#include "worker.h"

/*
 * One save in flight on the worker.  Its work reads only the "in" fields,
 * copied before it is queued, and writes only the "out" ones; the rest
 * stays with the loop for the completion.
 */
struct debt_save {
	/* In. */
	char			*path;
	char			*journal;
	char			*text;		/* the new file */
	char			*line;		/* the journal record, or NULL */
	struct debt_fileid	 fid;		/* the file as last read */
	int			 nowait;
	struct debt_team	*team;		/* or NULL: the file */
	struct store_debt_rows	 base;		/* team: the rows as read */
	/* Out. */
	int			 result;	/* 0 saved, 1 changed, -1; team:
						 * 2 saved, not read back */
	char			*cause;
	char			*jcause;
	struct debt_fileid	 newfid;
	struct debt_list	 now;		/* team: the items saved */
	struct store_debt_rows	 rows;		/* ... and their rows */
	/* The loop's. */
	struct debt_store	*st;		/* NULL once the store is gone */
	struct debt_list	 next;
	char			*action;
	char			*id;
	int			 is_undo;
};

static void save_free(struct debt_save *);
static void drop_undo(struct debt_store *);
static struct debt_item *config_item(const struct debt_store *, const char *);

struct debt_store {
	char			*path;
	char			*journal;
	const struct config	*cfg;
	int			 read_only;
	int			 nowait;	/* never wait for the lock */

	/* Saving on the worker (the dashboard): see debt_store_set_async. */
	struct worker		*worker;
	debt_done_cb		 done;
	void			*done_arg;
	struct debt_save	*save;		/* the save in flight */
	struct debt_refresh	*refresh;	/* the reread in flight */
	char			*broken;	/* why the file cannot be used */

	struct debt_list	 list;
	struct debt_fileid	 fid;
	/* The list in the team store instead (settings.store): its handle,
	 * used on the worker only, and the list's rows as read. */
	struct debt_team	*team;
	struct store_debt_rows	 rows;

	int			 has_undo;
	struct debt_list	 undo;
	char			*undo_action;
	char			*undo_id;
};

void
debt_store_set_nowait(struct debt_store *st, int nowait)
{
	st->nowait = nowait;
}

void
debt_store_set_async(struct debt_store *st, struct worker *worker,
    debt_done_cb done, void *arg)
{
	st->worker = worker;
	st->done = done;
	st->done_arg = arg;
}

int
debt_store_saving(const struct debt_store *st)
{
	return st->save != NULL;
}

static const struct settings *
store_settings(const struct debt_store *st)
{
	return st->cfg != NULL ? &st->cfg->settings : NULL;
}

/* A reread of the file on the worker (debt_store_refresh). */
struct debt_refresh {
	struct debt_store	*st;		/* NULL once the store is gone */
	char			*path;
	const struct settings	*settings;	/* the configuration's: read only */
	struct debt_fileid	 fid;		/* in: as known; out: as read */
	struct debt_team	*team;		/* in: or NULL, the file */
	int			 loaded;	/* out: a new list in list */
	struct debt_list	 list;
	struct store_debt_rows	 rows;		/* out: team, its rows */
	char			*cause;		/* out: team, why not */
	void			(*cb)(void *);
	void			*arg;
};

static void
refresh_work(void *arg)
{
	struct debt_refresh *rf = arg;
	struct cfg_errors errs = { 0 };
	char *why = NULL;

	if (rf->team != NULL) {
		rf->loaded = debt_team_load(rf->team, &rf->list, &rf->rows,
		    &rf->cause) == 0;
		return;
	}
	if (debt_file_changed(rf->path, &rf->fid, &why) == 1) {
		if (debt_file_load(rf->path, rf->settings, &rf->list,
		    &rf->fid, &errs) != 0)
			memset(&rf->list, 0, sizeof rf->list);
		else if (errs.nerrors > 0)
			debt_list_free(&rf->list);
		else
			rf->loaded = 1;
	}
	free(why);
	cfg_errors_free(&errs);
}

/* Whether a reread brings news: another file, other rows, or the first
 * list of the team store. */
static int
refresh_news(const struct debt_store *st, const struct debt_refresh *rf)
{
	if (st->team != NULL)
		return st->broken != NULL || !store_debt_rows_same(&st->rows,
		    &rf->rows);
	return memcmp(rf->fid.hash, st->fid.hash, sizeof rf->fid.hash) != 0;
}

/* Whether an item of l has an id of the configuration's. */
static int
clashes(const struct debt_store *st, const struct debt_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (config_item(st, l->v[i]->id) != NULL)
			return 1;
	return 0;
}

static void
refresh_done(void *arg)
{
	struct debt_refresh *rf = arg;
	struct debt_store *st = rf->st;

	if (st != NULL)
		st->refresh = NULL;
	if (st != NULL && rf->loaded && st->save == NULL &&
	    refresh_news(st, rf) && !clashes(st, &rf->list)) {
		/* The team store's undo puts back one item: it stays while
		 * nobody else changed that one. */
		if (st->team == NULL || store_debt_rows_version(&st->rows,
		    st->undo_id) != store_debt_rows_version(&rf->rows,
		    st->undo_id))
			drop_undo(st);
		debt_list_free(&st->list);
		st->list = rf->list;
		memset(&rf->list, 0, sizeof rf->list);
		st->fid = rf->fid;
		store_debt_rows_free(&st->rows);
		st->rows = rf->rows;
		memset(&rf->rows, 0, sizeof rf->rows);
		free(st->broken);
		st->broken = NULL;
		rf->cb(rf->arg);
	} else if (st != NULL && !rf->loaded && rf->cause != NULL &&
	    st->team != NULL && st->list.n == 0) {
		/* The first load failed: say so, the pane is empty. */
		free(st->broken);
		st->broken = xasprintf("cannot read the debt list from the "
		    "team store: %s", rf->cause);
		rf->cb(rf->arg);
	}
	debt_list_free(&rf->list);
	store_debt_rows_free(&rf->rows);
	free(rf->cause);
	free(rf->path);
	free(rf);
}

void
debt_store_refresh(struct debt_store *st, void (*cb)(void *), void *arg)
{
	struct debt_refresh *rf;

	if (st->worker == NULL || st->refresh != NULL ||
	    (st->broken != NULL && st->team == NULL))
		return;
	rf = xcalloc(1, sizeof *rf);
	rf->st = st;
	rf->path = xstrdup(st->path);
	rf->settings = store_settings(st);
	rf->fid = st->fid;
	rf->team = st->team;
	rf->cb = cb;
	rf->arg = arg;
	st->refresh = rf;
	worker_run(st->worker, refresh_work, refresh_done, rf);
}

static const char *
store_tz(const struct debt_store *st)
{
	return st->cfg != NULL ? st->cfg->settings.timezone : NULL;
}

static void
drop_undo(struct debt_store *st)
{
	if (st->has_undo)
		debt_list_free(&st->undo);
	st->has_undo = 0;
	free(st->undo_action);
	free(st->undo_id);
	st->undo_action = st->undo_id = NULL;
}

static struct debt_item *
config_item(const struct debt_store *st, const char *id)
{
	size_t i;

	if (st->cfg == NULL)
		return NULL;
	for (i = 0; i < st->cfg->ndebt; i++)
		if (strcmp(st->cfg->debt[i]->id, id) == 0)
			return st->cfg->debt[i];
	return NULL;
}

/* The file a configuration item came from, for messages. */
static const char *
config_item_file(const struct debt_store *st, const struct debt_item *c)
{
	if (c->file != NULL)
		return c->file;
	if (st->cfg != NULL && st->cfg->path != NULL)
		return st->cfg->path;
	return "the configuration file";
}

/* Reads the list, from the file or the team store.  0, or -1 with the
 * problems in errs. */
static int
load_now(struct debt_store *st, struct debt_list *l, struct debt_fileid *fid,
    struct store_debt_rows *rows, struct cfg_errors *errs)
{
	char *cause = NULL;

	memset(rows, 0, sizeof *rows);
	if (st->team == NULL)
		return debt_file_load(st->path, store_settings(st), l, fid,
		    errs);
	memset(fid, 0, sizeof *fid);
	if (debt_team_load(st->team, l, rows, &cause) == 0)
		return 0;
	cfg_err_at(errs, st->path, 0, 0, "%s", cause);
	free(cause);
	return -1;
}

int
debt_store_reload(struct debt_store *st, struct cfg_errors *errs)
{
	struct debt_list l;
	struct debt_fileid fid;
	struct store_debt_rows rows;
	struct cfg_errors local = { 0 };
	const struct debt_item *c;
	size_t i;
	char *first;

	drop_undo(st);
	debt_list_free(&st->list);
	store_debt_rows_free(&st->rows);
	free(st->broken);
	st->broken = NULL;
	if (load_now(st, &l, &fid, &rows, &local) == 0) {
		for (i = 0; i < l.n; i++) {
			c = config_item(st, l.v[i]->id);
			if (c == NULL)
				continue;
			cfg_err_at(&local, st->path, l.v[i]->line, 0, "debt id "
			    "'%s' is already used in the configuration "
			    "(%s:%d)", l.v[i]->id, config_item_file(st, c),
			    c->line);
		}
		if (local.nerrors == 0) {
			st->list = l;
			st->fid = fid;
			st->rows = rows;
			debt_move_errors(errs, &local, st->path);
			return 0;
		}
		debt_list_free(&l);
		store_debt_rows_free(&rows);
	}
	/* Keep nothing from a file that does not load: never save over it. */
	first = NULL;
	for (i = 0; i < local.n && first == NULL; i++)
		if (!local.v[i].warning)
			first = cfg_error_format(&local.v[i]);
	st->broken = xasprintf("the debt %s has errors; fix it first (%s)",
	    st->team != NULL ? "list of the team store" : "file",
	    first != NULL ? first : st->path);
	free(first);
	debt_move_errors(errs, &local, st->path);
	return -1;
}

struct debt_store *
debt_store_open(const char *path, const char *journal,
    const struct config *cfg, int read_only, struct cfg_errors *errs)
{
	struct debt_store *st;

	st = xcalloc(1, sizeof *st);
	st->path = xstrdup(path);
	st->journal = journal != NULL ? xstrdup(journal) : NULL;
	st->cfg = cfg;
	st->read_only = read_only;
	st->list.next_id = 1;
	debt_store_reload(st, errs);
	return st;
}

/* The store of the team store's list, through shared when not NULL: read
 * now (load), or by the first debt_store_refresh.  NULL with *cause set
 * without a state directory. */
static struct debt_store *
team_open(const struct config *cfg, int read_only, struct cfg_errors *errs,
    int load, struct store_lazy *shared, char **cause)
{
	struct debt_store *st;
	char *dir = NULL;

	if (config_state_dir(cfg, &dir, cause) != 0)
		return NULL;
	st = xcalloc(1, sizeof *st);
	st->path = xstrdup(STORE_DEBT_WHERE);
	st->cfg = cfg;
	st->read_only = read_only;
	st->list.next_id = 1;
	st->team = debt_team_new(cfg, dir, shared);
	free(dir);
	if (load)
		debt_store_reload(st, errs);
	else
		st->broken = xstrdup("the debt list is being read from the "
		    "team store; try again");
	return st;
}

struct debt_store *
debt_store_open_async(const struct config *cfg, int read_only,
    struct worker *worker, struct store_lazy *shared, debt_done_cb done,
    void (*loaded)(void *), void *arg, struct cfg_errors *errs, char **cause)
{
	struct debt_store *st;

	if (cfg->settings.store == NULL) {
		st = debt_store_open_config(cfg, read_only, errs, cause);
		if (st != NULL)
			debt_store_set_async(st, worker, done, arg);
		return st;
	}
	if ((st = team_open(cfg, read_only, errs, 0, shared, cause)) == NULL)
		return NULL;
	debt_store_set_async(st, worker, done, arg);
	debt_store_refresh(st, loaded, arg);
	return st;
}

struct debt_store *
debt_store_open_config(const struct config *cfg, int read_only,
    struct cfg_errors *errs, char **cause)
{
	struct debt_store *st;
	char *dir = NULL, *path, *journal;

	if (cfg->settings.store != NULL)
		return team_open(cfg, read_only, errs, 1, NULL, cause);
	if (config_state_dir(cfg, &dir, cause) != 0)
		return NULL;
	path = xasprintf("%s/debt.conf", dir);
	journal = xasprintf("%s/journal.jsonl", dir);
	st = debt_store_open(path, journal, cfg, read_only, errs);
	free(path);
	free(journal);
	free(dir);
	return st;
}

void
debt_store_free(struct debt_store *st)
{
	if (st == NULL)
		return;
	if (st->save != NULL)	/* it finishes on the worker, unreported */
		st->save->st = NULL;
	if (st->refresh != NULL)
		st->refresh->st = NULL;
	debt_team_free(st->team, st->worker);
	store_debt_rows_free(&st->rows);
	drop_undo(st);
	debt_list_free(&st->list);
	free(st->broken);
	free(st->path);
	free(st->journal);
	free(st);
}

const char *
debt_store_refusal(const struct debt_store *st)
{
	if (st->read_only)
		return "read-only mode";
	return st->broken;
}

int
debt_store_can_undo(const struct debt_store *st)
{
	return st->has_undo && debt_store_refusal(st) == NULL;
}

size_t
debt_store_list(struct debt_store *st, time_t now, int all,
    struct debt_item ***out)
{
	struct debt_item **v;
	size_t n = 0, i, total;

	total = st->list.n + (st->cfg != NULL ? st->cfg->ndebt : 0);
	v = xcalloc(total + 1, sizeof *v);
	for (i = 0; st->cfg != NULL && i < st->cfg->ndebt; i++)
		if (all || st->cfg->debt[i]->status == DEBT_OPEN)
			v[n++] = st->cfg->debt[i];
	for (i = 0; i < st->list.n; i++)
		if (all || st->list.v[i]->status == DEBT_OPEN)
			v[n++] = st->list.v[i];
	debt_sort(v, n, now, store_tz(st));
	*out = v;
	return n;
}

const struct debt_item *
debt_store_find(const struct debt_store *st, const char *id)
{
	size_t i;

	for (i = 0; i < st->list.n; i++)
		if (strcmp(st->list.v[i]->id, id) == 0)
			return st->list.v[i];
	return config_item(st, id);
}

/* Index of id among the file's items, or -1 with *cause saying why. */
static ssize_t
file_index(const struct debt_store *st, const char *id, char **cause)
{
	const struct debt_item *c;
	size_t i;

	for (i = 0; i < st->list.n; i++)
		if (strcmp(st->list.v[i]->id, id) == 0)
			return (ssize_t)i;
	c = config_item(st, id);
	if (c != NULL)
		*cause = xasprintf("debt item '%s' comes from the configuration "
		    "(%s:%d): edit it there", id, config_item_file(st, c),
		    c->line);
	else
		*cause = xasprintf("no debt item '%s'", id);
	return -1;
}

/* Takes the lock that serializes savers of path (other maintops). */
static int
lock_file(const char *path, int nowait, char **cause)
{
	char *lock;
	int fd, tries;

	lock = xasprintf("%s.lock", path);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		*cause = xasprintf("%s: %s", lock, strerror(errno));
		free(lock);
		return -1;
	}
	/*
	 * A save takes milliseconds; the command line waits up to about
	 * 3 s for another, the dashboard not at all.
	 */
	for (tries = 0; flock(fd, LOCK_EX | LOCK_NB) != 0; tries++) {
		if ((errno != EWOULDBLOCK && errno != EINTR) || tries >= 300 ||
		    (nowait && errno == EWOULDBLOCK)) {
			*cause = xasprintf("%s: cannot lock: %s", lock,
			    errno == EWOULDBLOCK ? "another maintop is saving"
			    "; nothing was changed, try again" :
			    strerror(errno));
			close(fd);
			free(lock);
			return -1;
		}
		usleep(10000);
	}
	free(lock);
	return fd;
}

/* The journal record of a change (caller frees), or NULL: no journal. */
static char *
journal_line(struct debt_store *st, const char *action, const char *id,
    const char *title, const char *extra, time_t now)
{
	json_t *o;
	char when[32], *line;

	if (st->journal == NULL && st->team == NULL)
		return NULL;
	util_format_utc(now, when, sizeof when);
	o = json_object();
	json_object_set_new(o, "type", json_string("debt"));
	json_object_set_new(o, "action", json_string(action));
	json_object_set_new(o, "id", json_string(id));
	if (title != NULL)
		json_object_set_new(o, "title", json_string(title));
	if (extra != NULL)
		json_object_set_new(o, "undid", json_string(extra));
	if (st->team == NULL)
		json_object_set_new(o, "file", json_string(st->path));
	journal_who_json(o);
	json_object_set_new(o, "time", json_string(when));
	line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (line == NULL)
		fatal("out of memory");
	return line;
}

/* The list after a saved change: next (taken) becomes the list. */
static void
apply(struct debt_store *st, struct debt_list *next, const char *action,
    const char *id, int is_undo)
{
	if (is_undo) {
		drop_undo(st);
		debt_list_free(&st->list);
	} else {
		drop_undo(st);
		st->undo = st->list;
		st->has_undo = 1;
		st->undo_action = xstrdup(action);
		st->undo_id = id != NULL ? xstrdup(id) : NULL;
	}
	st->list = *next;
	memset(next, 0, sizeof *next);
}

/* The file changed under us: reload it and say so. */
static char *
changed_reload(struct debt_store *st)
{
	struct cfg_errors errs = { 0 };
	char *cause;

	if (debt_store_reload(st, &errs) == 0)
		cause = xstrdup("debt file changed on disk since it was "
		    "read; reloaded");
	else
		cause = xasprintf("debt file changed on disk since it was "
		    "read; reloaded, but %s", st->broken);
	cfg_errors_free(&errs);
	return cause;
}

static void
save_free(struct debt_save *sv)
{
	if (sv == NULL)
		return;
	debt_list_free(&sv->next);
	free(sv->path);
	free(sv->journal);
	free(sv->text);
	free(sv->line);
	free(sv->cause);
	free(sv->jcause);
	free(sv->action);
	free(sv->id);
	store_debt_rows_free(&sv->base);
	store_debt_rows_free(&sv->rows);
	debt_list_free(&sv->now);
	free(sv);
}

/* On the worker: lock, check, write, fsync, rename, journal.  Touches
 * nothing but the in and out fields of *sv. */
static void
save_work(void *arg)
{
	struct debt_save *sv = arg;
	char *why = NULL;
	int fd, changed;

	if (sv->team != NULL) {
		/* Checked, written and journaled in one transaction. */
		sv->result = debt_team_save(sv->team, &sv->base, &sv->next,
		    sv->line, &sv->now, &sv->rows, &sv->cause);
		return;
	}
	sv->result = -1;
	fd = lock_file(sv->path, sv->nowait, &sv->cause);
	if (fd >= 0) {
		if (sv->line != NULL &&
		    debt_pending_recover(sv->path, sv->journal, &why) < 0)
			sv->jcause = why;	/* kept for the next save */
		why = NULL;
		changed = debt_file_changed(sv->path, &sv->fid, &why);
		if (changed < 0)
			sv->cause = why;
		else if (changed > 0)
			sv->result = 1;
		else if ((sv->line == NULL || debt_pending_write(sv->path,
		    sv->text, sv->line, &sv->cause) == 0) &&
		    debt_file_write(sv->path, sv->text, &sv->newfid,
		    &sv->cause) == 0)
			sv->result = 0;
		if (sv->result == 0 && sv->line != NULL) {
			free(sv->jcause);
			sv->jcause = NULL;
			if (journal_append(sv->journal, sv->line,
			    &sv->jcause) == 0)
				debt_pending_done(sv->path);
			else if (sv->jcause == NULL)
				sv->jcause = xstrdup("failed");
		}
		close(fd);
	}
}

/* A team store's save is done: the list is what the store holds now. */
static int
team_finish(struct debt_store *st, struct debt_save *sv, char **cause)
{
	if (sv->result < 0) {
		*cause = sv->cause;
		sv->cause = NULL;
		return -1;
	}
	if (sv->result == 1) {
		drop_undo(st);
		debt_list_free(&st->list);
		st->list = sv->now;
		memset(&sv->now, 0, sizeof sv->now);
	} else
		apply(st, sv->result == 0 ? &sv->now : &sv->next, sv->action,
		    sv->id, sv->is_undo);
	store_debt_rows_free(&st->rows);
	st->rows = sv->rows;
	memset(&sv->rows, 0, sizeof sv->rows);
	if (sv->result == 0)
		return 0;
	*cause = sv->result == 1 ? xasprintf("%s; reloaded", sv->cause) :
	    sv->cause;
	if (sv->result == 2)
		sv->cause = NULL;
	return sv->result == 1 ? -1 : 1;
}

/* On the loop, or at once without a worker: the save is done; apply its
 * result.  Returns what the change function returns, *cause as it says;
 * frees sv. */
static int
save_finish(struct debt_save *sv, char **cause)
{
	struct debt_store *st = sv->st;
	int r = -1;

	*cause = NULL;
	st->save = NULL;
	if (sv->team != NULL)
		r = team_finish(st, sv, cause);
	else if (sv->result == 1)
		*cause = changed_reload(st);
	else if (sv->result < 0) {
		*cause = sv->cause;
		sv->cause = NULL;
	} else {
		st->fid = sv->newfid;
		apply(st, &sv->next, sv->action, sv->id, sv->is_undo);
		r = 0;
		if (sv->jcause != NULL) {
			*cause = xasprintf("saved, but not recorded in the "
			    "journal: %s", sv->jcause);
			r = 1;
		}
	}
	save_free(sv);
	return r;
}

/* On the loop: the save is done; apply its result and report it. */
static void
save_done(void *arg)
{
	struct debt_save *sv = arg;
	struct debt_store *st = sv->st;
	char *cause = NULL;
	int r;

	if (st == NULL) {
		save_free(sv);
		return;
	}
	r = save_finish(sv, &cause);
	if (st->done != NULL)
		st->done(r, cause, st->done_arg);
	else
		free(cause);
}

/* A save of next (taken), as the store is now, for save_work. */
static struct debt_save *
save_new(struct debt_store *st, struct debt_list *next, const char *action,
    const char *id, const char *title, time_t now, int is_undo)
{
	struct debt_save *sv;

	sv = xcalloc(1, sizeof *sv);
	sv->st = st;
	sv->path = xstrdup(st->path);
	sv->journal = st->journal != NULL ? xstrdup(st->journal) : NULL;
	if (st->team != NULL) {
		sv->team = st->team;
		store_debt_rows_copy(&sv->base, &st->rows);
	} else
		sv->text = debt_file_format(next, store_settings(st));
	sv->line = journal_line(st, action, id, title,
	    is_undo ? st->undo_action : NULL, now);
	sv->fid = st->fid;
	sv->nowait = st->nowait;
	sv->next = *next;
	memset(next, 0, sizeof *next);
	sv->action = xstrdup(action);
	sv->id = id != NULL ? xstrdup(id) : NULL;
	sv->is_undo = is_undo;
	return sv;
}

/*
 * Saves next (taking it) in place of the current list if nobody changed
 * it since it was read (the file on disk, or the store's rows), then keeps
 * the current list as the undo snapshot (unless this is the undo itself)
 * and journals the change.  With a worker, on the worker: returns 2
 * (saving) or -1 with *cause.
 */
static int
commit(struct debt_store *st, struct debt_list *next, const char *action,
    const char *id, const char *title, time_t now, int is_undo,
    char **cause)
{
	struct debt_save *sv;

	if (st->save != NULL) {
		debt_list_free(next);
		*cause = xstrdup("still saving the last change; try again");
		return -1;
	}
	sv = save_new(st, next, action, id, title, now, is_undo);
	st->save = sv;
	if (st->worker != NULL) {
		worker_run(st->worker, save_work, save_done, sv);
		return 2;
	}
	save_work(sv);
	return save_finish(sv, cause);
}

static int
refused(const struct debt_store *st, char **cause)
{
	const char *why = debt_store_refusal(st);

	if (why == NULL)
		return 0;
	*cause = xstrdup(why);
	return 1;
}

int
debt_store_add(struct debt_store *st, struct debt_item *item, time_t now,
    char **newid, char **cause)
{
	struct debt_list next;
	long long n = st->list.next_id;
	size_t i;
	char *id;
	int r;

	if (refused(st, cause) || debt_item_check(item, cause) != 0) {
		debt_item_free(item);
		return -1;
	}
	if (item->id != NULL && debt_store_find(st, item->id) != NULL) {
		*cause = xasprintf("debt id '%s' is already used", item->id);
		debt_item_free(item);
		return -1;
	}
	debt_list_copy(&next, &st->list);
	if (item->id == NULL) {
		/* Never reuse a number, even one the configuration uses. */
		for (i = 0; st->cfg != NULL && i < st->cfg->ndebt; i++)
			if (debt_id_number(st->cfg->debt[i]->id) >= n)
				n = debt_id_number(st->cfg->debt[i]->id) + 1;
		for (;;) {
			item->id = xasprintf("D-%04lld", n++);
			if (debt_store_find(st, item->id) == NULL)
				break;
			free(item->id);
		}
		next.next_id = n;
	} else if (debt_id_number(item->id) >= next.next_id)
		next.next_id = debt_id_number(item->id) + 1;
	if (item->created == 0)
		item->created = debt_today(now, store_tz(st));
	item->source = DEBT_SOURCE_STATE;
	free(item->file);
	item->file = xstrdup(st->path);
	item->line = 0;
	id = xstrdup(item->id);
	debt_list_add(&next, item);
	r = commit(st, &next, "add", id, item->title, now, 0, cause);
	if (r >= 0 && newid != NULL)
		*newid = id;
	else
		free(id);
	return r;
}

int
debt_store_edit(struct debt_store *st, const char *id, struct debt_item *item,
    time_t now, char **cause)
{
	struct debt_list next;
	const struct debt_item *old;
	ssize_t k;

	if (refused(st, cause) || (k = file_index(st, id, cause)) < 0) {
		debt_item_free(item);
		return -1;
	}
	old = st->list.v[k];
	free(item->id);
	item->id = xstrdup(old->id);
	item->created = old->created;
	item->status = old->status;
	item->resolved = old->resolved;
	item->source = DEBT_SOURCE_STATE;
	free(item->file);
	item->file = xstrdup(st->path);
	item->line = old->line;
	if (debt_item_check(item, cause) != 0) {
		debt_item_free(item);
		return -1;
	}
	debt_list_copy(&next, &st->list);
	debt_item_free(next.v[k]);
	next.v[k] = item;
	return commit(st, &next, "edit", item->id, item->title, now, 0, cause);
}

static int
set_status(struct debt_store *st, const char *id, enum debt_status status,
    time_t now, char **cause)
{
	struct debt_list next;
	struct debt_item *d;
	ssize_t k;

	if (refused(st, cause) || (k = file_index(st, id, cause)) < 0)
		return -1;
	if (st->list.v[k]->status == status) {
		*cause = xasprintf("debt item '%s' is already %s", id,
		    debt_status_name(status));
		return -1;
	}
	debt_list_copy(&next, &st->list);
	d = next.v[k];
	d->status = status;
	d->resolved = status == DEBT_RESOLVED ? debt_today(now, store_tz(st)) : 0;
	return commit(st, &next, status == DEBT_RESOLVED ? "resolve" :
	    "reopen", d->id, d->title, now, 0, cause);
}

int
debt_store_resolve(struct debt_store *st, const char *id, time_t now,
    char **cause)
{
	return set_status(st, id, DEBT_RESOLVED, now, cause);
}

int
debt_store_reopen(struct debt_store *st, const char *id, time_t now,
    char **cause)
{
	return set_status(st, id, DEBT_OPEN, now, cause);
}

int
debt_store_delete(struct debt_store *st, const char *id, time_t now,
    char **cause)
{
	struct debt_list next;
	char *keep_id, *title;
	ssize_t k;
	int r;

	if (refused(st, cause) || (k = file_index(st, id, cause)) < 0)
		return -1;
	debt_list_copy(&next, &st->list);
	keep_id = xstrdup(next.v[k]->id);
	title = xstrdup(next.v[k]->title);
	debt_item_free(next.v[k]);
	memmove(&next.v[k], &next.v[k + 1], (next.n - (size_t)k - 1) *
	    sizeof *next.v);
	next.n--;
	r = commit(st, &next, "delete", keep_id, title, now, 0, cause);
	free(keep_id);
	free(title);
	return r;
}

/*
 * The team store's undo: the list as it is, with only the item changed
 * last put back as it was (others may have changed the rest since).
 */
static void
undo_one(const struct debt_store *st, struct debt_list *next)
{
	const struct debt_item *was = NULL;
	size_t i;

	debt_list_copy(next, &st->list);
	for (i = 0; st->undo_id != NULL && i < st->undo.n; i++)
		if (strcmp(st->undo.v[i]->id, st->undo_id) == 0)
			was = st->undo.v[i];
	for (i = 0; st->undo_id != NULL && i < next->n; i++)
		if (strcmp(next->v[i]->id, st->undo_id) == 0)
			break;
	if (i < next->n) {
		debt_item_free(next->v[i]);
		if (was != NULL)
			next->v[i] = debt_item_copy(was);
		else
			memmove(&next->v[i], &next->v[i + 1], (--next->n - i) *
			    sizeof *next->v);
	} else if (was != NULL)
		debt_list_add(next, debt_item_copy(was));
}

int
debt_store_undo(struct debt_store *st, time_t now, char **cause)
{
	struct debt_list next;
	char *id;
	int r;

	if (refused(st, cause))
		return -1;
	if (!st->has_undo) {
		*cause = xstrdup("nothing to undo");
		return -1;
	}
	if (st->team != NULL)
		undo_one(st, &next);
	else
		debt_list_copy(&next, &st->undo);
	/* Numbers handed out stay used: an undone add frees no id. */
	if (st->list.next_id > next.next_id)
		next.next_id = st->list.next_id;
	id = xstrdup(st->undo_id);
	r = commit(st, &next, "undo", id, NULL, now, 1, cause);
	free(id);
	return r;
}
