/* The store's files backend: the state directory as maintop has always
 * kept it (flocked lock files, the journal file and its index). */
#include "build.h"

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

const struct store_ops store_files_ops = {
	.name = "files",
	.lock_take = files_lock_take,
	.lock_release = files_lock_release,
	.journal_append = files_journal_append,
	.last_success = files_last_success,
	.close = NULL,
};
