/* The run index: the last run of each runbook and the runs still open,
 * folded from the journal's records and kept in a small file. */
#include "runindex.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fileio.h"
#include "jsonfmt.h"
#include "runner.h"
#include "util.h"

char *
runindex_path(const char *state_dir)
{
	return xasprintf("%s/journal.index", state_dir);
}

/* An integer member, or def. */
static long long
jint(json_t *o, const char *key, long long def)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) : def;
}

static void
last_clear(struct runindex_last *l)
{
	free(l->runbook);
	free(l->run);
	free(l->result);
	json_decref(l->metrics);
	json_decref(l->prev_metrics);
}

/* A step's figures in the last run's metrics (its own step_end), unless
 * they would make them too large to keep. */
static void
metrics_add(struct runindex_last *l, json_t *o)
{
	json_t *m = json_object_get(o, "metrics");
	const char *step = journal_str(o, "name");
	char *text;
	size_t n;

	if (!json_is_object(m) || step == NULL || json_is_true(
	    json_object_get(o, "rollback")))
		return;
	if (l->metrics == NULL)
		l->metrics = json_object();
	json_object_set(l->metrics, step, m);
	text = jsonfmt_dumps(l->metrics, 0);
	n = strlen(text);
	free(text);
	if (n > RUNINDEX_METRICS_MAX)
		json_object_del(l->metrics, step);
}

static void
open_clear(struct runner_orphan *o)
{
	free(o->id);
	free(o->runbook);
	free(o->user);
	free(o->step_name);
	free(o->step_result);
	free(o->log);
}

void
runindex_clear(struct runindex *x)
{
	size_t i;

	for (i = 0; i < x->nlast; i++)
		last_clear(&x->last[i]);
	free(x->last);
	for (i = 0; i < x->nopen; i++)
		open_clear(&x->open[i]);
	free(x->open);
	memset(x, 0, sizeof *x);
}

void
runindex_free(struct runindex *x)
{
	if (x == NULL)
		return;
	runindex_clear(x);
	free(x);
}

const struct runindex_last *
runindex_find(const struct runindex *x, const char *runbook)
{
	size_t i;

	for (i = 0; i < x->nlast; i++)
		if (strcmp(x->last[i].runbook, runbook) == 0)
			return &x->last[i];
	return NULL;
}

/* The entry of runbook, made when missing (NULL when the index is full). */
static struct runindex_last *
last_get(struct runindex *x, const char *runbook)
{
	struct runindex_last *l;

	l = (struct runindex_last *)runindex_find(x, runbook);
	if (l != NULL || x->nlast >= RUNINDEX_ENTRIES)
		return l;
	x->last = xreallocarray(x->last, x->nlast + 1, sizeof *x->last);
	l = &x->last[x->nlast++];
	memset(l, 0, sizeof *l);
	l->runbook = xstrdup(runbook);
	return l;
}

static struct runner_orphan *
open_find(struct runindex *x, const char *id)
{
	size_t i;

	for (i = 0; i < x->nopen; i++)
		if (strcmp(x->open[i].id, id) == 0)
			return &x->open[i];
	return NULL;
}

static void
open_remove(struct runindex *x, struct runner_orphan *o)
{
	size_t i = (size_t)(o - x->open);

	open_clear(o);
	memmove(o, o + 1, (x->nopen - i - 1) * sizeof *o);
	x->nopen--;
}

/* A new open run (the oldest is dropped when the index is full). */
static struct runner_orphan *
open_add(struct runindex *x, const char *id, const char *runbook)
{
	struct runner_orphan *o;

	if (x->nopen >= RUNINDEX_ENTRIES)
		open_remove(x, &x->open[0]);
	x->open = xreallocarray(x->open, x->nopen + 1, sizeof *x->open);
	o = &x->open[x->nopen++];
	memset(o, 0, sizeof *o);
	o->id = xstrdup(id);
	o->runbook = xstrdup(runbook);
	o->step = -1;
	return o;
}

static void
fold(struct runindex *x, json_t *o, const char *type, const char *id,
    const char *rb)
{
	struct runindex_last *l;
	struct runner_orphan *p = open_find(x, id);
	json_t *v;

	if (strcmp(type, "run_start") == 0) {
		if ((l = last_get(x, rb)) != NULL) {
			free(l->run);
			free(l->result);
			l->run = xstrdup(id);
			l->result = xstrdup("unfinished");
			/* The last run's metrics become the previous ones. */
			if (l->metrics != NULL &&
			    json_object_size(l->metrics) > 0) {
				json_decref(l->prev_metrics);
				l->prev_metrics = l->metrics;
			} else
				json_decref(l->metrics);
			l->metrics = NULL;
			l->start = journal_time(o, "start");
			l->end = 0;
		}
		if (p == NULL) {
			p = open_add(x, id, rb);
			p->user = journal_strdup(o, "user");
			p->start = journal_time(o, "start");
			p->log = journal_strdup(o, "log");
		}
	} else if (strcmp(type, "step_start") == 0 && p != NULL) {
		p->step = (int)jint(o, "step", -1);
		free(p->step_name);
		p->step_name = journal_strdup(o, "name");
		free(p->step_result);
		p->step_result = NULL;
		p->pid = (pid_t)jint(o, "pid", 0);
		if (p->pid < 0)
			p->pid = 0;
	} else if (strcmp(type, "step_end") == 0) {
		/* Between steps: the step that ended (a skipped one never
		 * started) and how. */
		if (p != NULL) {
			p->pid = 0;
			p->step = (int)jint(o, "step", p->step);
			if ((v = json_object_get(o, "name")) != NULL &&
			    json_is_string(v)) {
				free(p->step_name);
				p->step_name = xstrdup(json_string_value(v));
			}
			free(p->step_result);
			p->step_result = journal_strdup(o, "result");
			if (p->step_result == NULL)
				p->step_result = xstrdup("ended");
		}
		l = (struct runindex_last *)runindex_find(x, rb);
		if (l != NULL && l->run != NULL && strcmp(l->run, id) == 0)
			metrics_add(l, o);
	}
	else if (strcmp(type, "run_end") == 0) {
		if (p != NULL)
			open_remove(x, p);
		l = (struct runindex_last *)runindex_find(x, rb);
		if (l != NULL && l->run != NULL && strcmp(l->run, id) == 0) {
			if ((v = json_object_get(o, "result")) != NULL &&
			    json_is_string(v)) {
				free(l->result);
				l->result = xstrdup(json_string_value(v));
			}
			l->end = journal_time(o, "end");
		}
		if (l != NULL && (v = json_object_get(o, "result")) != NULL &&
		    json_is_string(v) &&
		    strcmp(json_string_value(v), "success") == 0 &&
		    journal_time(o, "end") > l->success)
			l->success = journal_time(o, "end");
	}
}

void
runindex_record(struct runindex *x, const char *line)
{
	json_t *o;
	json_error_t jerr;
	const char *type, *id, *rb;

	o = json_loads(line, 0, &jerr);
	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		return;
	}
	type = journal_str(o, "type");
	id = journal_str(o, "run");
	rb = journal_str(o, "runbook");
	if (type != NULL && id != NULL && rb != NULL)
		fold(x, o, type, id, rb);
	json_decref(o);
}

static void
record_cb(const char *line, void *arg)
{
	runindex_record(arg, line);
}

/* A time as an integer member (0 is left out). */
static void
set_time(json_t *o, const char *key, time_t t)
{
	if (t != 0)
		json_object_set_new(o, key, json_integer((json_int_t)t));
}

static void
set_str(json_t *o, const char *key, const char *s)
{
	if (s != NULL)
		json_object_set_new(o, key, json_string(s));
}

char *
runindex_format(const struct runindex *x)
{
	json_t *root, *a, *e;
	char *s;
	size_t i;

	root = json_object();
	json_object_set_new(root, "version", json_integer(1));
	json_object_set_new(root, "dev", json_integer((json_int_t)x->pos.dev));
	json_object_set_new(root, "ino", json_integer((json_int_t)x->pos.ino));
	json_object_set_new(root, "offset", json_integer(x->pos.off));
	json_object_set_new(root, "head", json_integer(x->pos.head));
	json_object_set_new(root, "headlen", json_integer(x->pos.headlen));
	a = json_array();
	for (i = 0; i < x->nlast; i++) {
		e = json_object();
		set_str(e, "runbook", x->last[i].runbook);
		set_str(e, "run", x->last[i].run);
		set_str(e, "result", x->last[i].result);
		set_time(e, "start", x->last[i].start);
		set_time(e, "end", x->last[i].end);
		set_time(e, "success", x->last[i].success);
		if (x->last[i].metrics != NULL)
			json_object_set(e, "metrics", x->last[i].metrics);
		if (x->last[i].prev_metrics != NULL)
			json_object_set(e, "prev_metrics",
			    x->last[i].prev_metrics);
		json_array_append_new(a, e);
	}
	json_object_set_new(root, "last", a);
	a = json_array();
	for (i = 0; i < x->nopen; i++) {
		e = json_object();
		set_str(e, "run", x->open[i].id);
		set_str(e, "runbook", x->open[i].runbook);
		set_str(e, "user", x->open[i].user);
		set_time(e, "start", x->open[i].start);
		json_object_set_new(e, "step", json_integer(x->open[i].step));
		set_str(e, "step_name", x->open[i].step_name);
		set_str(e, "step_result", x->open[i].step_result);
		if (x->open[i].pid > 0)
			json_object_set_new(e, "pid",
			    json_integer(x->open[i].pid));
		set_str(e, "log", x->open[i].log);
		json_array_append_new(a, e);
	}
	json_object_set_new(root, "open", a);
	/* Metrics' numbers as the steps printed them (0.95, not
	 * 0.94999999999999996). */
	s = jsonfmt_dumps(root, 0);
	json_decref(root);
	return s;
}

/* A metrics object of an index entry (a new reference), or NULL: each
 * member must be an object of figures. */
static json_t *
metrics_get(json_t *e, const char *key)
{
	json_t *m = json_object_get(e, key), *v;
	const char *k;

	if (!json_is_object(m))
		return NULL;
	json_object_foreach(m, k, v)
		if (!json_is_object(v))
			return NULL;
	return json_incref(m);
}

/* The entries of the array at key; bad ones are skipped. */
static void
parse_last(struct runindex *x, json_t *a)
{
	struct runindex_last *l;
	json_t *e;
	size_t i;

	json_array_foreach(a, i, e) {
		if (journal_str(e, "runbook") == NULL ||
		    runindex_find(x, journal_str(e, "runbook")) != NULL ||
		    (l = last_get(x, journal_str(e, "runbook"))) == NULL)
			continue;
		l->run = journal_strdup(e, "run");
		l->result = journal_strdup(e, "result");
		l->start = (time_t)jint(e, "start", 0);
		l->end = (time_t)jint(e, "end", 0);
		l->success = (time_t)jint(e, "success", 0);
		l->metrics = metrics_get(e, "metrics");
		l->prev_metrics = metrics_get(e, "prev_metrics");
	}
}

static void
parse_open(struct runindex *x, json_t *a)
{
	struct runner_orphan *o;
	json_t *e;
	size_t i;

	json_array_foreach(a, i, e) {
		if (journal_str(e, "run") == NULL || journal_str(e, "runbook") == NULL ||
		    open_find(x, journal_str(e, "run")) != NULL)
			continue;
		o = open_add(x, journal_str(e, "run"), journal_str(e, "runbook"));
		o->user = journal_strdup(e, "user");
		o->start = (time_t)jint(e, "start", 0);
		o->step = (int)jint(e, "step", -1);
		o->step_name = journal_strdup(e, "step_name");
		o->step_result = journal_strdup(e, "step_result");
		o->pid = (pid_t)jint(e, "pid", 0);
		if (o->pid < 0)
			o->pid = 0;
		o->log = journal_strdup(e, "log");
	}
}

int
runindex_parse(const char *text, size_t len, struct runindex *x)
{
	json_t *root;
	json_error_t jerr;

	memset(x, 0, sizeof *x);
	if (len > RUNINDEX_MAX)
		return -1;
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL || !json_is_object(root) ||
	    jint(root, "version", 0) != 1 ||
	    !json_is_array(json_object_get(root, "last")) ||
	    !json_is_array(json_object_get(root, "open")) ||
	    jint(root, "offset", -1) < 0) {
		json_decref(root);
		return -1;
	}
	x->pos.dev = (unsigned long long)jint(root, "dev", 0);
	x->pos.ino = (unsigned long long)jint(root, "ino", 0);
	x->pos.off = jint(root, "offset", 0);
	x->pos.head = jint(root, "head", -1);
	x->pos.headlen = jint(root, "headlen", -1);
	parse_last(x, json_object_get(root, "last"));
	parse_open(x, json_object_get(root, "open"));
	json_decref(root);
	return 0;
}

/* Reads the index file into x (empty when it is missing or not one). */
static void
read_index(const char *state_dir, struct runindex *x)
{
	char *path = runindex_path(state_dir), *data = NULL, *cause = NULL;
	size_t len;

	memset(x, 0, sizeof *x);
	if (fileio_read(path, RUNINDEX_MAX, &data, &len, &cause) == 0 &&
	    runindex_parse(data, len, x) != 0)
		runindex_clear(x);
	free(cause);
	free(data);
	free(path);
}

int
runindex_load(const char *state_dir, int save, struct runindex **out,
    char **cause)
{
	struct runindex *x = xcalloc(1, sizeof *x);
	struct journal_pos was;
	char *path = runner_journal_path(state_dir);
	char *old = journal_rotated_path(path), *text, *err = NULL;
	long long from = 0;
	int rc = 0;

	read_index(state_dir, x);
	was = x->pos;
	if (journal_same(path, &x->pos))
		from = x->pos.off;
	else if (journal_same(old, &x->pos))
		rc = journal_read(old, x->pos.off, record_cb, x, NULL, cause);
	else {
		/* No index, or one from before both files: everything. */
		runindex_clear(x);
		rc = journal_read(old, 0, record_cb, x, NULL, cause);
	}
	if (rc == 0)
		rc = journal_read(path, from, record_cb, x, &x->pos, cause);
	if (rc == 0 && save && x->pos.ino != 0 &&
	    memcmp(&was, &x->pos, sizeof was) != 0) {
		text = runindex_format(x);
		free(path);
		path = runindex_path(state_dir);
		/* Only a cache: a failure costs the next start a reading. */
		if (fileio_write_atomic(path, text, strlen(text), 0600,
		    &err) != 0)
			free(err);
		free(text);
	}
	free(path);
	free(old);
	if (rc != 0) {
		runindex_free(x);
		return -1;
	}
	*out = x;
	return 0;
}

int
runindex_last_success(const char *state_dir, const char *runbook,
    time_t *when, char **cause)
{
	const struct runindex_last *l;
	struct runindex *x;

	*when = 0;
	if (runindex_load(state_dir, 0, &x, cause) != 0)
		return -1;
	if ((l = runindex_find(x, runbook)) != NULL)
		*when = l->success;
	runindex_free(x);
	return 0;
}
