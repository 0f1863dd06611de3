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
#include "runlog.h"
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
	int		 log_fd;	/* fsync and close, or -1 */
	int		 lock_fd;	/* release, or -1 */
	char		*err;
	void		(*then)(struct runner *, const char *);
};

static void
runjournal_work(void *arg)
{
	struct runjournal_job *j = arg;

	if (j->line != NULL)
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
			r->env.on_output(r, s, strlen(s), r->env.arg);
		if (r->log != NULL)
			stepout_to_log(r, s, strlen(s));
		free(s);
	}
	free(j->path);
	free(j->line);
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

static const char *
jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static char *
jdup(json_t *o, const char *key)
{
	const char *s = jstr(o, key);

	return s != NULL ? xstrdup(s) : NULL;
}

static time_t
jtime(json_t *o, const char *key)
{
	const char *s = jstr(o, key);
	size_t len = s != NULL ? strlen(s) : 0;
	time_t t;

	/* Always UTC: never the local time zone (this runs on the worker). */
	if (len == 0 || s[len - 1] != 'Z' ||
	    util_parse_iso8601(s, NULL, &t) != 0)
		return 0;
	return t;
}

struct history_ctx {
	const char		*filter;
	struct runner_run	*v;
	size_t			 n;
	struct runner_orphan	*o;
	size_t			 no;
	int			 orphans;
};

static void
orphan_clear(struct runner_orphan *o)
{
	free(o->id);
	free(o->runbook);
	free(o->user);
	free(o->step_name);
	free(o->log);
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
	struct runner_orphan *p;
	struct buf b;
	size_t i, k;

	o = json_loads(line, 0, &jerr);
	if (o == NULL || !json_is_object(o))
		goto out;
	type = jstr(o, "type");
	id = jstr(o, "run");
	rb = jstr(o, "runbook");
	if (type == NULL || id == NULL || rb == NULL)
		goto out;
	if (h->filter != NULL && strcmp(h->filter, rb) != 0)
		goto out;
	if (h->orphans) {
		for (i = 0; i < h->no; i++)
			if (strcmp(h->o[i].id, id) == 0)
				break;
		if (strcmp(type, "run_start") == 0 && i == h->no) {
			h->o = xreallocarray(h->o, h->no + 1, sizeof *h->o);
			p = &h->o[h->no++];
			memset(p, 0, sizeof *p);
			p->id = xstrdup(id);
			p->runbook = xstrdup(rb);
			p->user = jdup(o, "user");
			p->start = jtime(o, "start");
			p->log = jdup(o, "log");
			p->step = -1;
		} else if (strcmp(type, "step_start") == 0 && i < h->no) {
			p = &h->o[i];
			x = json_object_get(o, "step");
			p->step = json_is_integer(x) ?
			    (int)json_integer_value(x) : -1;
			free(p->step_name);
			p->step_name = jdup(o, "name");
			x = json_object_get(o, "pid");
			p->pid = json_is_integer(x) ?
			    (pid_t)json_integer_value(x) : 0;
		} else if (strcmp(type, "step_end") == 0 && i < h->no)
			h->o[i].pid = 0;
		else if (strcmp(type, "run_end") == 0 && i < h->no) {
			orphan_clear(&h->o[i]);
			memmove(&h->o[i], &h->o[i + 1],
			    (h->no - i - 1) * sizeof *h->o);
			h->no--;
		}
		goto out;
	}
	if (strcmp(type, "run_start") == 0) {
		h->v = xreallocarray(h->v, h->n + 1, sizeof *h->v);
		r = &h->v[h->n++];
		memset(r, 0, sizeof *r);
		r->id = xstrdup(id);
		r->runbook = xstrdup(rb);
		r->user = jdup(o, "user");
		r->ssh_client = jdup(o, "ssh_client");
		r->tty = jdup(o, "tty");
		r->start = jtime(o, "start");
		r->log = jdup(o, "log");
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
	    json_object_get(o, "rollback") == NULL && jstr(o, "name") != NULL) {
		for (i = h->n; i-- > 0; )
			if (strcmp(h->v[i].id, id) == 0) {
				add_metrics(&h->v[i], jstr(o, "name"),
				    json_object_get(o, "metrics"));
				break;
			}
	} else if (strcmp(type, "run_end") == 0) {
		for (i = h->n; i-- > 0; ) {
			if (strcmp(h->v[i].id, id) != 0)
				continue;
			if (jstr(o, "result") != NULL) {
				free(h->v[i].result);
				h->v[i].result = jdup(o, "result");
			}
			h->v[i].end = jtime(o, "end");
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
runner_history(const char *state_dir, const char *runbook,
    struct runner_run **out, size_t *n, char **cause)
{
	struct history_ctx h;
	char *path = runner_journal_path(state_dir);
	int rc;

	memset(&h, 0, sizeof h);
	h.filter = runbook;
	rc = journal_foreach(path, history_line, &h, cause);
	free(path);
	if (rc != 0) {
		runner_runs_free(h.v, h.n);
		return -1;
	}
	*out = h.v;
	*n = h.n;
	return 0;
}

void
runner_orphans_free(struct runner_orphan *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		orphan_clear(&v[i]);
	free(v);
}

int
runner_recover(const char *state_dir, int mark, struct runner_orphan **out,
    size_t *n, char **cause)
{
	struct history_ctx h;
	char *path = runner_journal_path(state_dir), when[32], *err = NULL;
	json_t *o;
	char *s;
	size_t i, k = 0;

	memset(&h, 0, sizeof h);
	h.orphans = 1;
	if (journal_foreach(path, history_line, &h, cause) != 0) {
		runner_orphans_free(h.o, h.no);
		free(path);
		return -1;
	}
	util_format_utc(time(NULL), when, sizeof when);
	for (i = 0; i < h.no; i++) {
		if (runlock_live(state_dir, h.o[i].runbook,
		    h.o[i].id)) {
			orphan_clear(&h.o[i]);
			continue;
		}
		if (h.o[i].pid > 0)
			h.o[i].alive = kill(h.o[i].pid, 0) == 0 ||
			    errno == EPERM;
		if (mark) {
			o = json_object();
			json_object_set_new(o, "type", json_string("run_end"));
			json_object_set_new(o, "run", json_string(h.o[i].id));
			json_object_set_new(o, "runbook",
			    json_string(h.o[i].runbook));
			json_object_set_new(o, "result",
			    json_string("interrupted"));
			json_object_set_new(o, "end", json_string(when));
			json_object_set_new(o, "last_step",
			    json_integer(h.o[i].step));
			if (h.o[i].pid > 0) {
				json_object_set_new(o, "step_pid",
				    json_integer(h.o[i].pid));
				json_object_set_new(o, "step_alive",
				    json_boolean(h.o[i].alive));
			}
			if (h.o[i].log != NULL)
				json_object_set_new(o, "log",
				    json_string(h.o[i].log));
			s = json_dumps(o, JSON_COMPACT);
			json_decref(o);
			if (journal_append(path, s, &err) != 0) {
				free(s);
				*cause = err;
				for (; i < h.no; i++)
					h.o[k++] = h.o[i];
				runner_orphans_free(h.o, k);
				free(path);
				return -1;
			}
			free(s);
		}
		h.o[k++] = h.o[i];
	}
	free(path);
	*out = h.o;
	*n = k;
	return 0;
}
