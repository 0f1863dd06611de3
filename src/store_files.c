/* The store's files backend: the state directory as maintop has always
 * kept it (flocked lock files, the journal file and its index). */
#include "build.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>

#include "journal.h"
#include "runindex.h"
#include "runner.h"
#include "store_priv.h"
#include "util.h"

struct store_lock {
	int	fd;
};

static int
files_lock_take(struct store *s, const char *runbook, const char *id,
    time_t since, struct store_lock **lock, char **stale, char **cause)
{
	int fd;

	if (runlock_file_take(s->state_dir, runbook, id, since, &fd, stale,
	    cause) != 0)
		return -1;
	*lock = xcalloc(1, sizeof **lock);
	(*lock)->fd = fd;
	return 0;
}

static void
files_lock_release(struct store *s, struct store_lock *lock)
{
	(void)s;
	runlock_file_release(lock->fd);
	free(lock);
}

/* The file journal has no record ids: a record is its line. */
static int
files_journal_append(struct store *s, const char *id, const char *line,
    char **cause)
{
	char *path = runner_journal_path(s->state_dir);
	int r;

	(void)id;
	r = journal_append(path, line, cause);
	free(path);
	return r;
}

/* The index and the records since: never the whole journal. */
static int
files_last_success(struct store *s, const char *runbook, time_t *when,
    char **cause)
{
	return runindex_last_success(s->state_dir, runbook, when, cause);
}

/* The rotated journal first: its records are the older ones. */
static int
files_journal_foreach(struct store *s, const char *runbook,
    void (*fn)(const char *, void *), void *arg, char **cause)
{
	char *path = runner_journal_path(s->state_dir);
	char *old = journal_rotated_path(path);
	int rc;

	(void)runbook;
	rc = journal_foreach(old, fn, arg, cause);
	if (rc == 0)
		rc = journal_foreach(path, fn, arg, cause);
	free(old);
	free(path);
	return rc;
}

/* Its maintop ran on this host (the state directory is this user's). */
static int
files_run_live(struct store *s, const char *runbook, const char *id,
    long pid)
{
	(void)s;
	(void)runbook;
	(void)id;
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

const struct store_ops store_files_ops = {
	.name = "files",
	.lock_take = files_lock_take,
	.lock_release = files_lock_release,
	.journal_append = files_journal_append,
	.last_success = files_last_success,
	.journal_foreach = files_journal_foreach,
	.run_live = files_run_live,
	.close = NULL,
};
