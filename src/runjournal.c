/* The runner's journal records, and the journal read back: the run
 * history and the runs that a crash left unfinished. */
#include "runner_priv.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "jsonfmt.h"
#include "runbook.h"
#include "runindex.h"
#include "runlog.h"
#include "store.h"
#include "worker.h"

char *
runner_journal_path(const char *state_dir)
{
	return xasprintf("%s/journal.jsonl", state_dir);
}

/* One record (or the end of the run) for the worker thread.  The job
 * owns its strings and descriptors; it never touches the runner. */
struct runjournal_job {
	struct runner	*r;
	char		*path;
	char		*line;		/* the record, or NULL */
	char		*id;		/* its record id (with a store) */
	struct store	*store;		/* the runner's, or NULL: path */
	int		 log_fd;	/* fsync and close, or -1 */
	int		 lock_fd;	/* release, or -1 */
	struct store_lock *slock;	/* release, or NULL */
	char		*err;
	void		(*then)(struct runner *, const char *);
};

static void
runjournal_work(void *arg)
{
	struct runjournal_job *j = arg;

	if (j->line != NULL && j->store != NULL)
		store_journal_append(j->store, j->id, j->line, &j->err);
	else if (j->line != NULL)
		journal_append(j->path, j->line, &j->err);
	if (j->log_fd != -1) {
		fsync(j->log_fd);
		close(j->log_fd);
	}
	if (j->lock_fd != -1) {
		if (ftruncate(j->lock_fd, 0) != 0) {
			/* A stale content is harmless: the flock counts. */
		}
		close(j->lock_fd);	/* releases the flock */
	}
	if (j->slock != NULL)
		store_lock_release(j->store, j->slock);
}

/*
 * Back on the loop.  A failure to write is reported in the output: the
 * run goes on (the step already happened), but the user sees that the
 * record is missing.
 */
static void
runjournal_done(void *arg)
{
	struct runjournal_job *j = arg;
	struct runner *r = j->r;
	char *s;

	r->jobs--;
	if (j->then != NULL)
		j->then(r, j->err);
	else if (j->err != NULL && !r->freed) {
		s = xasprintf("maintop: journal: %s\n", j->err);
		if (r->env.on_output != NULL)
			r->env.on_output(r, s, strlen(s), 0, r->env.arg);
		if (r->log != NULL)
			stepout_to_log(r, s, strlen(s));
		free(s);
	}
	free(j->path);
	free(j->line);
	free(j->id);
	free(j->err);
	free(j);
	if (r->freed && r->jobs == 0)
		runner_destroy(r);
}

static struct runjournal_job *
runjournal_job(struct runner *r, void (*then)(struct runner *, const char *))
{
	struct runjournal_job *j = xcalloc(1, sizeof *j);

	j->r = r;
	j->path = xstrdup(r->journal);
	j->store = r->env.store;
	j->log_fd = j->lock_fd = -1;
	j->then = then;
	r->jobs++;
	return j;
}

void
runjournal_write(struct runner *r, json_t *obj, int who,
    void (*then)(struct runner *, const char *))
{
	struct runjournal_job *j;
	struct buf b;
	char *s;

	s = jsonfmt_dumps(obj, 0);	/* METRICS as the step wrote them */
	json_decref(obj);
	buf_init(&b);
	buf_addc(&b, '{');
	if (who) {
		journal_who(&b);
		if (s[1] != '}')
			buf_addc(&b, ',');
	}
	buf_adds(&b, s + 1);
	free(s);
	j = runjournal_job(r, then);
	j->line = buf_detach(&b);
	j->id = xasprintf("%s:%lld", r->id, ++r->nrec);
	worker_run(r->env.worker, runjournal_work, runjournal_done, j);
}

void
runjournal_close(struct runner *r, void (*then)(struct runner *,
    const char *))
{
	struct runjournal_job *j = runjournal_job(r, then);

	if (r->log != NULL) {
		j->log_fd = runlog_detach(r->log);
		r->log = NULL;
	}
	j->lock_fd = r->lock_fd;
	r->lock_fd = -1;
	j->slock = r->slock;
	r->slock = NULL;
	worker_run(r->env.worker, runjournal_work, runjournal_done, j);
}

json_t *
runjournal_record(struct runner *r, const char *type)
{
	json_t *o = json_object();

	json_object_set_new(o, "type", json_string(type));
	json_object_set_new(o, "run", json_string(r->id));
	json_object_set_new(o, "runbook", json_string(r->rb->name));
	return o;
}

/* Journal reading: recovery and history. */

struct history_ctx {
	const char		*filter;
	struct runner_run	*v;
	size_t			 n;
};

static void
orphan_clear(struct runner_orphan *o)
{
	free(o->id);
	free(o->runbook);
	free(o->user);
	free(o->step_name);
	free(o->step_result);
	free(o->log);
	memset(o, 0, sizeof *o);
}

/* Adds a step's metrics to a run's (as text: numbers as printed). */
static void
add_metrics(struct runner_run *r, const char *step, json_t *m)
{
	json_t *all = NULL;
	json_error_t jerr;

	if (r->metrics != NULL)
		all = json_loads(r->metrics, 0, &jerr);
	if (!json_is_object(all)) {
		json_decref(all);
		all = json_object();
	}
	json_object_set(all, step, m);
	free(r->metrics);
	r->metrics = jsonfmt_dumps(all, 0);
	json_decref(all);
}

static void
history_line(const char *line, void *arg)
{
	struct history_ctx *h = arg;
	json_t *o, *ov, *x;
	json_error_t jerr;
	const char *type, *id, *rb;
	struct runner_run *r;
	struct buf b;
	size_t i, k;

	o = json_loads(line, 0, &jerr);
	if (o == NULL || !json_is_object(o))
		goto out;
	type = journal_str(o, "type");
	id = journal_str(o, "run");
	rb = journal_str(o, "runbook");
	if (type == NULL || id == NULL || rb == NULL)
		goto out;
	if (h->filter != NULL && strcmp(h->filter, rb) != 0)
		goto out;
	if (strcmp(type, "run_start") == 0) {
		h->v = xreallocarray(h->v, h->n + 1, sizeof *h->v);
		r = &h->v[h->n++];
		memset(r, 0, sizeof *r);
		r->id = xstrdup(id);
		r->runbook = xstrdup(rb);
		r->user = journal_strdup(o, "user");
		r->ssh_client = journal_strdup(o, "ssh_client");
		r->tty = journal_strdup(o, "tty");
		r->start = journal_time(o, "start");
		r->log = journal_strdup(o, "log");
		r->result = xstrdup("unfinished");
		r->duration_ms = -1;
		x = json_object_get(o, "pid");
		r->pid = json_is_integer(x) ? (long)json_integer_value(x) : 0;
		ov = json_object_get(o, "overrides");
		if (json_is_array(ov) && json_array_size(ov) > 0) {
			buf_init(&b);
			for (k = 0; k < json_array_size(ov); k++) {
				x = json_array_get(ov, k);
				if (!json_is_string(x))
					continue;
				if (b.len > 0)
					buf_addc(&b, ',');
				buf_adds(&b, json_string_value(x));
			}
			r->overrides = buf_detach(&b);
		}
	} else if (strcmp(type, "step_end") == 0 &&
	    json_is_object(json_object_get(o, "metrics")) &&
	    json_object_get(o, "rollback") == NULL && journal_str(o, "name") != NULL) {
		for (i = h->n; i-- > 0; )
			if (strcmp(h->v[i].id, id) == 0) {
				add_metrics(&h->v[i], journal_str(o, "name"),
				    json_object_get(o, "metrics"));
				break;
			}
	} else if (strcmp(type, "run_end") == 0) {
		for (i = h->n; i-- > 0; ) {
			if (strcmp(h->v[i].id, id) != 0)
				continue;
			if (journal_str(o, "result") != NULL) {
				free(h->v[i].result);
				h->v[i].result = journal_strdup(o, "result");
			}
			h->v[i].end = journal_time(o, "end");
			x = json_object_get(o, "duration_ms");
			if (json_is_integer(x))
				h->v[i].duration_ms =
				    (long long)json_integer_value(x);
			break;
		}
	}
out:
	json_decref(o);
}

void
runner_runs_free(struct runner_run *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].runbook);
		free(v[i].user);
		free(v[i].ssh_client);
		free(v[i].tty);
		free(v[i].result);
		free(v[i].log);
		free(v[i].overrides);
		free(v[i].metrics);
	}
	free(v);
}

int
runner_history_store(struct store *store, const char *runbook,
    struct runner_run **out, size_t *n, char **cause)
{
	struct history_ctx h;

	memset(&h, 0, sizeof h);
	h.filter = runbook;
	if (store_journal_foreach(store, runbook, history_line, &h,
	    cause) != 0) {
		runner_runs_free(h.v, h.n);
		return -1;
	}
	*out = h.v;
	*n = h.n;
	return 0;
}

int
runner_history(const char *state_dir, const char *runbook,
    struct runner_run **out, size_t *n, char **cause)
{
	struct store *s = store_open_files(state_dir);
	int rc;

	rc = runner_history_store(s, runbook, out, n, cause);
	store_close(s);
	return rc;
}

void
runner_orphans_free(struct runner_orphan *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		orphan_clear(&v[i]);
	free(v);
}

/* The run_end record that closes an interrupted run. */
static char *
interrupted_record(const struct runner_orphan *o, const char *when)
{
	json_t *j;
	char *s;

	j = json_object();
	json_object_set_new(j, "type", json_string("run_end"));
	json_object_set_new(j, "run", json_string(o->id));
	json_object_set_new(j, "runbook", json_string(o->runbook));
	json_object_set_new(j, "result", json_string("interrupted"));
	json_object_set_new(j, "end", json_string(when));
	json_object_set_new(j, "last_step", json_integer(o->step));
	if (o->pid > 0) {
		json_object_set_new(j, "step_pid", json_integer(o->pid));
		json_object_set_new(j, "step_alive", json_boolean(o->alive));
	}
	if (o->log != NULL)
		json_object_set_new(j, "log", json_string(o->log));
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (s == NULL)
		fatal("cannot encode a journal record");
	return s;
}

int
runner_recover(const char *state_dir, int mark, struct runner_orphan **out,
    size_t *n, char **cause)
{
	struct runindex *x;
	struct runner_orphan *v;
	char *path, when[32], *s, *err = NULL;
	size_t i, k = 0, nv;
	int rc = 0;

	/* The open runs from the index and the records since it. */
	if (runindex_load(state_dir, 0, &x, cause) != 0)
		return -1;
	v = x->open;
	nv = x->nopen;
	x->open = NULL;
	x->nopen = 0;
	runindex_free(x);
	path = runner_journal_path(state_dir);
	util_format_utc(time(NULL), when, sizeof when);
	for (i = 0; i < nv; i++) {
		if (rc != 0 || runlock_live(state_dir, v[i].runbook,
		    v[i].id)) {
			if (rc != 0)
				v[k++] = v[i];
			else
				orphan_clear(&v[i]);
			continue;
		}
		if (v[i].pid > 0)
			v[i].alive = kill(v[i].pid, 0) == 0 || errno == EPERM;
		if (mark) {
			s = interrupted_record(&v[i], when);
			if (journal_append(path, s, &err) != 0) {
				*cause = err;
				rc = -1;
			}
			free(s);
		}
		v[k++] = v[i];
	}
	free(path);
	if (rc != 0) {
		runner_orphans_free(v, k);
		return -1;
	}
	*out = v;
	*n = k;
	return 0;
}
