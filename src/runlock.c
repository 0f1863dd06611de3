/* The per-runbook lock: a flock on state_dir/locks/NAME.lock, which names
 * who holds it, so that one runbook runs once at a time on a host; or the
 * team store's lock when the runner has a store. */
#include "runner_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "fileio.h"
#include "journal.h"
#include "runbook.h"
#include "store.h"
#include "worker.h"

/* "alice (ssh 10.0.0.1, /dev/pts/3, pid 123, run X) since T" from a lock. */
static char *
describe_holder(const char *text)
{
	json_t *o, *v;
	json_error_t jerr;
	struct buf b;
	const char *user;

	o = json_loads(text, 0, &jerr);
	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		return xstrdup("another maintop (its lock file says nothing "
		    "more)");
	}
	buf_init(&b);
	user = json_string_value(json_object_get(o, "user"));
	buf_adds(&b, user != NULL ? user : "someone");
	buf_adds(&b, " (");
	if ((v = json_object_get(o, "ssh_client")) != NULL &&
	    json_is_string(v))
		buf_printf(&b, "from %s, ", json_string_value(v));
	if ((v = json_object_get(o, "tty")) != NULL && json_is_string(v))
		buf_printf(&b, "on %s, ", json_string_value(v));
	if ((v = json_object_get(o, "pid")) != NULL && json_is_integer(v))
		buf_printf(&b, "pid %lld, ", (long long)json_integer_value(v));
	if ((v = json_object_get(o, "run")) != NULL && json_is_string(v))
		buf_printf(&b, "run %s", json_string_value(v));
	buf_addc(&b, ')');
	if ((v = json_object_get(o, "since")) != NULL && json_is_string(v))
		buf_printf(&b, " since %s", json_string_value(v));
	json_decref(o);
	return buf_detach(&b);
}

static char *
runlock_path(const char *state_dir, const char *runbook)
{
	return xasprintf("%s/locks/%s.lock", state_dir, runbook);
}

/* Reads a lock file's content (at most 4 KiB) from fd. */
static char *
read_lock(int fd)
{
	char buf[4096];
	ssize_t n;

	n = pread(fd, buf, sizeof buf - 1, 0);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	return xstrdup(buf);
}

int
runlock_file_take(const char *state_dir, const char *runbook, const char *id,
    time_t since, int *fd, char **stale, char **cause)
{
	char *dir, *path, *text, *who, when[32];
	struct buf b;

	*fd = -1;
	*stale = NULL;
	dir = xasprintf("%s/locks", state_dir);
	if (fileio_mkdirs(dir, 0700) != 0) {
		*cause = xasprintf("%s: %s", dir, strerror(errno));
		free(dir);
		return -1;
	}
	free(dir);
	path = runlock_path(state_dir, runbook);
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (*fd == -1) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	free(path);
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		text = read_lock(*fd);
		who = describe_holder(text);
		*cause = xasprintf("runbook '%s' is already running: started "
		    "by %s", runbook, who);
		free(who);
		free(text);
		close(*fd);
		*fd = -1;
		return -1;
	}
	text = read_lock(*fd);
	if (*text != '\0')
		*stale = describe_holder(text);
	free(text);
	util_format_utc(since, when, sizeof when);
	buf_init(&b);
	buf_addc(&b, '{');
	journal_who(&b);
	buf_printf(&b, ",\"pid\":%ld,\"since\":\"%s\",\"run\":", (long)getpid(),
	    when);
	buf_json_str(&b, id);
	buf_adds(&b, "}\n");
	if (ftruncate(*fd, 0) != 0 ||
	    pwrite(*fd, b.s, b.len, 0) != (ssize_t)b.len) {
		/* The flock holds; only the description is missing. */
	}
	buf_free(&b);
	return 0;
}

void
runlock_file_release(int fd)
{
	if (fd == -1)
		return;
	if (ftruncate(fd, 0) != 0) {
		/* A stale content is harmless: the flock is what counts. */
	}
	close(fd);	/* releases the flock */
}

/*
 * The store's lock; with --local-lock, the state directory's when the
 * store cannot be reached.  Returns 0 (*fd set for a local one), or -1
 * with *cause set.
 */
static int
runlock_store_take(struct store *store, const char *state_dir, int local,
    const char *runbook, const char *id, time_t since,
    struct store_lock **lock, int *fd, char **stale, char **cause)
{
	*fd = -1;
	if (store_lock_take(store, runbook, id, since, lock, stale,
	    cause) == 0)
		return 0;
	if (!local || !store_unreachable(store))
		return -1;
	free(*cause);
	*cause = NULL;
	return runlock_file_take(state_dir, runbook, id, since, fd, stale,
	    cause);
}

int
runlock_take(struct runner *r, char **cause)
{
	if (r->env.store != NULL) {
		if (runlock_store_take(r->env.store, r->env.state_dir,
		    r->env.local_lock != NULL, r->rb->name, r->id, r->start,
		    &r->slock, &r->lock_fd, &r->stale, cause) != 0)
			return -1;
		r->local_locked = r->lock_fd != -1;
		return 0;
	}
	return runlock_file_take(r->env.state_dir, r->rb->name, r->id,
	    r->start, &r->lock_fd, &r->stale, cause);
}

/* The store's lock taken or released on the worker (the dashboard's store
 * thread): the job owns its strings; r is NULL for a release. */
struct runlock_job {
	struct runner		*r;
	struct store		*store;
	char			*runbook;
	char			*id;
	time_t			 since;
	struct store_lock	*lock;
	char			*state_dir;
	int			 local;		/* may take a local lock */
	int			 lock_fd;	/* the local lock taken, or -1 */
	char			*stale;
	char			*cause;
	int			 rc;
	void			(*then)(struct runner *, const char *);
};

static void
runlock_job_free(struct runlock_job *j)
{
	free(j->state_dir);
	free(j->runbook);
	free(j->id);
	free(j->stale);
	free(j->cause);
	free(j);
}

static void
runlock_release_work(void *arg)
{
	struct runlock_job *j = arg;

	store_lock_release(j->store, j->lock);
}

static void
runlock_release_done(void *arg)
{
	runlock_job_free(arg);
}

/* Releases a store lock on the worker, after what is queued before. */
static void
runlock_release_later(struct worker *w, struct store *store,
    struct store_lock *lock)
{
	struct runlock_job *j = xcalloc(1, sizeof *j);

	j->store = store;
	j->lock = lock;
	worker_run(w, runlock_release_work, runlock_release_done, j);
}

static void
runlock_take_work(void *arg)
{
	struct runlock_job *j = arg;

	j->rc = runlock_store_take(j->store, j->state_dir, j->local,
	    j->runbook, j->id, j->since, &j->lock, &j->lock_fd, &j->stale,
	    &j->cause);
}

static void
runlock_take_done(void *arg)
{
	struct runlock_job *j = arg;
	struct runner *r = j->r;

	r->jobs--;
	if (r->freed) {
		/* Nobody wants the run any more: the lock goes at once. */
		if (j->lock != NULL)
			runlock_release_later(r->env.worker, j->store,
			    j->lock);
		runlock_file_release(j->lock_fd);
		runlock_job_free(j);
		if (r->jobs == 0)
			runner_destroy(r);
		return;
	}
	r->slock = j->lock;
	r->lock_fd = j->lock_fd;
	r->local_locked = j->lock_fd != -1;
	r->stale = j->stale;
	j->stale = NULL;
	j->then(r, j->rc == 0 ? NULL : j->cause != NULL ? j->cause :
	    "the store did not say why");
	runlock_job_free(j);
}

void
runlock_take_async(struct runner *r, void (*then)(struct runner *,
    const char *cause))
{
	struct runlock_job *j = xcalloc(1, sizeof *j);

	j->r = r;
	j->store = r->env.store;
	j->state_dir = xstrdup(r->env.state_dir);
	j->local = r->env.local_lock != NULL;
	j->lock_fd = -1;
	j->runbook = xstrdup(r->rb->name);
	j->id = xstrdup(r->id);
	j->since = r->start;
	j->then = then;
	r->jobs++;
	worker_run(r->env.worker, runlock_take_work, runlock_take_done, j);
}

void
runlock_release(struct runner *r)
{
	if (r->slock != NULL) {
		/* A store's release talks to its server: never on the loop. */
		if (r->env.worker != NULL)
			runlock_release_later(r->env.worker, r->env.store,
			    r->slock);
		else
			store_lock_release(r->env.store, r->slock);
		r->slock = NULL;
	}
	runlock_file_release(r->lock_fd);
	r->lock_fd = -1;
}

int
runlock_live(const char *state_dir, const char *runbook, const char *id)
{
	char *path, *text;
	const char *run;
	json_t *j;
	json_error_t jerr;
	int fd, live = 0;

	/* A name from the journal: never a path out of locks/. */
	if (strchr(runbook, '/') != NULL || runbook[0] == '.')
		return 0;
	path = runlock_path(state_dir, runbook);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	free(path);
	if (fd == -1)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		close(fd);	/* free: nobody runs it */
		return 0;
	}
	text = read_lock(fd);
	close(fd);
	j = json_loads(text, 0, &jerr);
	free(text);
	run = json_string_value(json_object_get(j, "run"));
	if (run != NULL && strcmp(run, id) == 0)
		live = 1;
	json_decref(j);
	return live;
}
