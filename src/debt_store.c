/* The editable debt list: the configuration's items and the debt file's
 * (or the team store's), read now or on the worker thread, and what the
 * views and the line modes ask of it; a change is made in
 * debt_store_edit.c and saved in debt_store_save.c. */
#include "debt_store.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "debt_store_priv.h"
#include "debt_team.h"
#include "worker.h"

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

const struct settings *
debt_store_settings(const struct debt_store *st)
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
		if (debt_store_config_item(st, l->v[i]->id) != NULL)
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
			debt_store_drop_undo(st);
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
	rf->settings = debt_store_settings(st);
	rf->fid = st->fid;
	rf->team = st->team;
	rf->cb = cb;
	rf->arg = arg;
	st->refresh = rf;
	worker_run(st->worker, refresh_work, refresh_done, rf);
}

const char *
debt_store_tz(const struct debt_store *st)
{
	return st->cfg != NULL ? st->cfg->settings.timezone : NULL;
}

void
debt_store_drop_undo(struct debt_store *st)
{
	if (st->has_undo)
		debt_list_free(&st->undo);
	st->has_undo = 0;
	free(st->undo_action);
	free(st->undo_id);
	st->undo_action = st->undo_id = NULL;
}

struct debt_item *
debt_store_config_item(const struct debt_store *st, const char *id)
{
	size_t i;

	if (st->cfg == NULL)
		return NULL;
	for (i = 0; i < st->cfg->ndebt; i++)
		if (strcmp(st->cfg->debt[i]->id, id) == 0)
			return st->cfg->debt[i];
	return NULL;
}

const char *
debt_store_config_file(const struct debt_store *st, const struct debt_item *c)
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
		return debt_file_load(st->path, debt_store_settings(st), l, fid,
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

	debt_store_drop_undo(st);
	debt_list_free(&st->list);
	store_debt_rows_free(&st->rows);
	free(st->broken);
	st->broken = NULL;
	if (load_now(st, &l, &fid, &rows, &local) == 0) {
		for (i = 0; i < l.n; i++) {
			c = debt_store_config_item(st, l.v[i]->id);
			if (c == NULL)
				continue;
			cfg_err_at(&local, st->path, l.v[i]->line, 0, "debt id "
			    "'%s' is already used in the configuration "
			    "(%s:%d)", l.v[i]->id, debt_store_config_file(st, c),
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
		debt_store_save_forget(st->save);
	if (st->refresh != NULL)
		st->refresh->st = NULL;
	debt_team_free(st->team, st->worker);
	store_debt_rows_free(&st->rows);
	debt_store_drop_undo(st);
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
	debt_sort(v, n, now, debt_store_tz(st));
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
	return debt_store_config_item(st, id);
}
