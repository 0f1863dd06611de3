/* Saving one change to the debt list safely: the lock that serializes
 * savers, the check that nobody changed the file (or the team store's
 * rows) since it was read, the atomic write and the journal record, on the
 * worker thread for the dashboard, then the list and its undo snapshot
 * updated on the loop. */
#include "debt_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "config.h"
#include "debt_pending.h"
#include "debt_store_priv.h"
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
		debt_store_drop_undo(st);
		debt_list_free(&st->list);
	} else {
		debt_store_drop_undo(st);
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
		debt_store_drop_undo(st);
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
		sv->text = debt_file_format(next, debt_store_settings(st));
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

void
debt_store_save_forget(struct debt_save *sv)
{
	sv->st = NULL;
}

int
debt_store_save(struct debt_store *st, struct debt_list *next, const char *action,
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
