/* Tests of the run index and of journal rotation: reading from an offset,
 * the index kept beside the journal and used instead of it, rotation by
 * size with the index still right, history across the rotated file,
 * recovery from the index, and hostile index files. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "journal.h"
#include "jsonfmt.h"
#include "runindex.h"
#include "runner.h"
#include "tap.h"
#include "util.h"

static char tmpdir[] = "/tmp/test_runindex.XXXXXX";

/* A fresh state directory under tmpdir (caller frees). */
static char *
state(const char *name)
{
	char *d = xasprintf("%s/%s", tmpdir, name);

	mkdir(d, 0700);
	return d;
}

/* Appends the records of one run: start, a step (pid), and the end with
 * result (NULL: no end, the run stays open). */
static void
run(const char *dir, const char *id, const char *rb, int minute,
    const char *result)
{
	char *path = runner_journal_path(dir), *rec, *cause = NULL;

	rec = xasprintf("{\"user\":\"alice\",\"type\":\"run_start\","
	    "\"run\":\"%s\",\"runbook\":\"%s\",\"start\":"
	    "\"2026-11-25T10:%02d:00Z\",\"log\":\"/x/%s.log\"}", id, rb,
	    minute, id);
	journal_append(path, rec, &cause);
	free(rec);
	rec = xasprintf("{\"type\":\"step_start\",\"run\":\"%s\",\"runbook\":"
	    "\"%s\",\"step\":0,\"name\":\"one\",\"pid\":999999}", id, rb);
	journal_append(path, rec, &cause);
	free(rec);
	if (result != NULL) {
		rec = xasprintf("{\"type\":\"run_end\",\"run\":\"%s\","
		    "\"runbook\":\"%s\",\"result\":\"%s\",\"end\":"
		    "\"2026-11-25T10:%02d:30Z\"}", id, rb, result, minute);
		journal_append(path, rec, &cause);
		free(rec);
	}
	free(cause);
	free(path);
}

static void
count_line(const char *line, void *arg)
{
	(*(int *)arg)++;
}

static void
test_read(void)
{
	char *d = state("read"), *path = runner_journal_path(d), *cause = NULL;
	struct journal_pos end, end2;
	struct stat sb;
	FILE *f;
	int n = 0, i;

	run(d, "r1", "a", 1, "success");
	ok(journal_read(path, 0, count_line, &n, &end, &cause) == 0 &&
	    n == 3, "journal_read: every record from 0");
	stat(path, &sb);
	ok(end.off == (long long)sb.st_size &&
	    end.ino == (unsigned long long)sb.st_ino,
	    "journal_read: the end is the file's size, and the file is named");
	run(d, "r2", "a", 2, "failed");
	n = 0;
	ok(journal_read(path, end.off, count_line, &n, &end2, &cause) == 0 &&
	    n == 3, "journal_read: from the offset, only the records since");
	/* A torn line is not read, and the end stays before it. */
	f = fopen(path, "a");
	fputs("{\"type\":\"run_start\",\"run\":\"torn\"", f);
	fclose(f);
	n = 0;
	ok(journal_read(path, end2.off, count_line, &n, &end, &cause) == 0 &&
	    n == 0 && end.off == end2.off, "a torn last line is left for "
	    "the next reading");
	/* A line longer than the limit is skipped, whole. */
	f = fopen(path, "a");
	fputs("\n{", f);
	for (i = 0; i < JOURNAL_LINE_MAX / 8 + 10; i++)
		fputs("\"a\":\"1\",", f);
	fputs("\"b\":2}\n", f);
	fclose(f);
	run(d, "r3", "a", 3, "success");
	n = 0;
	ok(journal_read(path, end2.off, count_line, &n, &end, &cause) == 0 &&
	    n == 3, "a line past the limit is skipped, the records after it "
	    "read");
	n = 0;
	ok(journal_read(path, 1LL << 40, count_line, &n, NULL, &cause) == 0 &&
	    n == 9, "an offset past the end reads the file from its start");
	free(cause);
	free(path);
	free(d);
}

static void
test_index(void)
{
	char *d = state("index"), *path = runner_journal_path(d);
	char *ipath = runindex_path(d), *cause = NULL, *text;
	const struct runindex_last *l;
	struct runindex *x;
	struct stat sb;
	int fd;

	run(d, "a1", "alpha", 1, "success");
	run(d, "b1", "beta", 2, "failed");
	run(d, "a2", "alpha", 3, "rolled-back");
	run(d, "c1", "gamma", 4, NULL);
	ok(runindex_load(d, 1, &x, &cause) == 0, "load without an index");
	l = runindex_find(x, "alpha");
	ok(l != NULL && strcmp(l->result, "rolled-back") == 0 &&
	    strcmp(l->run, "a2") == 0 && l->success != 0 &&
	    l->success < l->start, "the last run of alpha, and its last "
	    "success before it");
	l = runindex_find(x, "gamma");
	ok(l != NULL && strcmp(l->result, "unfinished") == 0 && x->nopen == 1 &&
	    strcmp(x->open[0].id, "c1") == 0 && x->open[0].pid == 999999 &&
	    strcmp(x->open[0].step_name, "one") == 0, "an open run, with its "
	    "step and process");
	ok(runindex_find(x, "delta") == NULL, "a runbook never run");
	is_int((long long)x->nlast, 3, "one entry per runbook");
	runindex_free(x);
	ok(stat(ipath, &sb) == 0 && (sb.st_mode & 0777) == 0600, "the index "
	    "is written beside the journal, private");

	/* Blank the journal's records in place past its first bytes (which
	 * tell the file apart): only the index knows them now. */
	stat(path, &sb);
	fd = open(path, O_WRONLY);
	text = xmalloc((size_t)sb.st_size);
	memset(text, ' ', (size_t)sb.st_size);
	ok(sb.st_size > JOURNAL_HEAD + 200 && pwrite(fd, text,
	    (size_t)sb.st_size - JOURNAL_HEAD, JOURNAL_HEAD) ==
	    sb.st_size - JOURNAL_HEAD, "blank the journal");
	free(text);
	close(fd);
	run(d, "b2", "beta", 5, "success");
	ok(runindex_load(d, 1, &x, &cause) == 0, "load with the index");
	l = runindex_find(x, "alpha");
	ok(l != NULL && strcmp(l->result, "rolled-back") == 0, "the index is "
	    "read, not the journal before its offset");
	l = runindex_find(x, "beta");
	is_str(l != NULL ? l->result : "(none)", "success", "and the records "
	    "since are folded in");
	runindex_free(x);

	/* A hostile index is ignored: the journal is read whole. */
	fileio_write_atomic(ipath, "{\"version\":1,\"last\":7}", 22, 0600,
	    &cause);
	ok(runindex_load(d, 0, &x, &cause) == 0 &&
	    (l = runindex_find(x, "alpha")) != NULL &&
	    strcmp(l->run, "a1") == 0 && runindex_find(x, "beta") != NULL,
	    "a broken index is rebuilt from the journal as it is now");
	runindex_free(x);
	free(cause);
	free(ipath);
	free(path);
	free(d);
}

/* Where an open run is: the step running, or between steps the one that
 * ended last and how (a skipped step never started), kept by the index. */
static void
test_between(void)
{
	struct runindex x, y;
	struct runner_orphan *o;
	char *s;

	memset(&x, 0, sizeof x);
	runindex_record(&x, "{\"type\":\"run_start\",\"run\":\"r1\","
	    "\"runbook\":\"vac\",\"start\":\"2026-11-25T10:00:00Z\"}");
	runindex_record(&x, "{\"type\":\"step_start\",\"run\":\"r1\","
	    "\"runbook\":\"vac\",\"step\":0,\"name\":\"one\",\"pid\":7}");
	o = x.nopen == 1 ? &x.open[0] : NULL;
	ok(o != NULL && o->step == 0 && strcmp(o->step_name, "one") == 0 &&
	    o->step_result == NULL, "a step started: it is running");
	runindex_record(&x, "{\"type\":\"step_end\",\"run\":\"r1\","
	    "\"runbook\":\"vac\",\"step\":0,\"name\":\"one\","
	    "\"result\":\"ok\"}");
	ok(o != NULL && o->step == 0 && o->step_result != NULL &&
	    strcmp(o->step_result, "ok") == 0 && o->pid == 0,
	    "it ended: between steps, after it");
	runindex_record(&x, "{\"type\":\"step_end\",\"run\":\"r1\","
	    "\"runbook\":\"vac\",\"step\":1,\"name\":\"two\","
	    "\"result\":\"skipped\"}");
	ok(o != NULL && o->step == 1 && strcmp(o->step_name, "two") == 0 &&
	    strcmp(o->step_result, "skipped") == 0,
	    "the next one skipped: after it, skipped");
	s = runindex_format(&x);
	ok(runindex_parse(s, strlen(s), &y) == 0 && y.nopen == 1 &&
	    y.open[0].step == 1 && y.open[0].step_result != NULL &&
	    strcmp(y.open[0].step_result, "skipped") == 0,
	    "the index keeps it");
	free(s);
	runindex_clear(&y);
	runindex_record(&x, "{\"type\":\"step_start\",\"run\":\"r1\","
	    "\"runbook\":\"vac\",\"step\":2,\"name\":\"three\"}");
	ok(o != NULL && o->step == 2 && strcmp(o->step_name, "three") == 0 &&
	    o->step_result == NULL, "the third started: running again");
	runindex_clear(&x);
}

static void
test_parse(void)
{
	static const char *const bad[] = {
		"", "null", "[]", "{}", "{\"version\":2,\"last\":[],\"open\":[]}",
		"{\"version\":1,\"last\":[],\"open\":{}}",
		"{\"version\":1,\"last\":[],\"open\":[],\"offset\":-5}",
		"{\"version\":1,\"version\":1,\"last\":[],\"open\":[]}",
	};
	struct runindex x, y;
	char *s;
	size_t i;
	int all = 1;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (runindex_parse(bad[i], strlen(bad[i]), &x) == 0)
			all = 0;
	ok(all, "index files that are not one are refused");
	s = xstrdup("{\"version\":1,\"offset\":10,\"last\":[{\"runbook\":"
	    "\"a\",\"result\":\"ok\\u001b[2J\",\"start\":\"x\"},{\"runbook\":"
	    "\"a\"},7,{\"run\":1}],\"open\":[{\"run\":\"r\",\"runbook\":\"a\","
	    "\"pid\":-4},{\"run\":\"r\",\"runbook\":\"a\"},{\"runbook\":\"b\"}]}");
	ok(runindex_parse(s, strlen(s), &x) == 0 && x.nlast == 1 &&
	    x.last[0].start == 0 && x.nopen == 1 && x.open[0].pid == 0,
	    "bad entries are skipped: duplicates, wrong types, a negative pid");
	free(s);
	s = runindex_format(&x);
	ok(runindex_parse(s, strlen(s), &y) == 0 && y.nlast == 1 &&
	    strcmp(y.last[0].result, x.last[0].result) == 0 &&
	    y.pos.off == 10, "what is written reads back the same");
	free(s);
	/* runindex_parse leaves its entries to the caller: free them. */
	runindex_clear(&x);
	runindex_clear(&y);
}

static void
test_rotation(void)
{
	char *d = state("rotate"), *path = runner_journal_path(d);
	char *old = journal_rotated_path(path), *cause = NULL, *id;
	const struct runindex_last *l;
	struct runner_run *runs;
	struct runner_orphan *o;
	struct runindex *x;
	struct stat sb;
	size_t n;
	int i;

	journal_set_max(4096);
	run(d, "open1", "long", 0, NULL);
	ok(runindex_load(d, 1, &x, &cause) == 0 && x->nopen == 1,
	    "an open run, indexed");
	runindex_free(x);
	/* The dashboard keeps the index after each run it sees end. */
	for (i = 1; i <= 40; i++) {
		id = xasprintf("r%02d", i);
		run(d, id, i % 2 ? "odd" : "even", i % 60, i == 39 ? "failed" :
		    "success");
		free(id);
		if (runindex_load(d, 1, &x, &cause) == 0)
			runindex_free(x);
	}
	ok(stat(old, &sb) == 0 && stat(path, &sb) == 0 && sb.st_size < 4096,
	    "past its size the journal was rotated, the new one is small");
	ok(runindex_load(d, 1, &x, &cause) == 0, "load after rotation");
	l = runindex_find(x, "odd");
	ok(l != NULL && strcmp(l->run, "r39") == 0 &&
	    strcmp(l->result, "failed") == 0, "the index follows the "
	    "journal across the rotation");
	ok(x->nopen == 1 && strcmp(x->open[0].id, "open1") == 0, "an open "
	    "run whose start is in a rotated file is still known");
	runindex_free(x);
	ok(runner_history(d, NULL, &runs, &n, &cause) == 0 && n > 1 &&
	    strcmp(runs[n - 1].id, "r40") == 0, "history reads the rotated "
	    "journal and the new one");
	runner_runs_free(runs, n);
	ok(runner_recover(d, 1, &o, &n, &cause) == 0 && n == 1 &&
	    strcmp(o[0].id, "open1") == 0 && o[0].pid == 999999,
	    "recovery finds the open run from the index");
	runner_orphans_free(o, n);
	ok(runner_recover(d, 1, &o, &n, &cause) == 0 && n == 0,
	    "and closed it: it is reported once");
	runner_orphans_free(o, n);

	/* Rotated twice since the index: its file is gone (its inode may be
	 * another file's now); the journals are read whole, never from the
	 * index's offset in the wrong file. */
	for (i = 41; i <= 80; i++) {
		id = xasprintf("r%02d", i);
		run(d, id, "late", i % 60, "success");
		free(id);
	}
	ok(runindex_load(d, 0, &x, &cause) == 0 &&
	    (l = runindex_find(x, "late")) != NULL &&
	    strcmp(l->run, "r80") == 0 && runindex_find(x, "odd") == NULL,
	    "an index older than both journals is not used");
	runindex_free(x);
	journal_set_max(JOURNAL_DEFAULT_MAX);
	free(cause);
	free(old);
	free(path);
	free(d);
}

/* A step's end with metrics (text of a JSON object). */
static void
step_metrics(const char *dir, const char *id, const char *rb,
    const char *step, const char *metrics, int rollback)
{
	char *path = runner_journal_path(dir), *rec, *cause = NULL;

	rec = xasprintf("{\"type\":\"step_end\",\"run\":\"%s\",\"runbook\":"
	    "\"%s\",\"step\":0,\"name\":\"%s\",%s\"result\":\"ok\","
	    "\"metrics\":%s}", id, rb, step, rollback ? "\"rollback\":true," :
	    "", metrics);
	journal_append(path, rec, &cause);
	free(rec);
	free(cause);
	free(path);
}

/* The metrics of a runbook's last run and of the one before that had any,
 * numbers as printed, through the index file and back. */
static void
test_metrics(void)
{
	char *d = state("metrics"), *cause = NULL, *m, *p, *s;
	struct runindex *x = NULL, y;
	const struct runindex_last *l;

	run(d, "r1", "vac", 1, NULL);
	step_metrics(d, "r1", "vac", "vacuum", "{\"rows\":10,\"ratio\":0.97}",
	    0);
	run(d, "r1", "vac", 1, "success");
	run(d, "r2", "vac", 2, NULL);
	step_metrics(d, "r2", "vac", "vacuum", "{\"rows\":12,\"ratio\":0.95,"
	    "\"tiny\":1e-7}", 0);
	step_metrics(d, "r2", "vac", "rollback of vacuum", "{\"x\":1}", 1);
	ok(runindex_load(d, 1, &x, &cause) == 0, "an index with metrics loads");
	l = x != NULL ? runindex_find(x, "vac") : NULL;
	m = l != NULL ? jsonfmt_dumps(l->metrics, 0) : xstrdup("");
	p = l != NULL ? jsonfmt_dumps(l->prev_metrics, 0) : xstrdup("");
	is_str(m, "{\"vacuum\":{\"rows\":12,\"ratio\":0.95,\"tiny\":1e-7}}",
	    "the last run's metrics, as printed (a rollback's left out)");
	is_str(p, "{\"vacuum\":{\"rows\":10,\"ratio\":0.97}}",
	    "beside the previous run's");
	s = x != NULL ? runindex_format(x) : xstrdup("");
	ok(runindex_parse(s, strlen(s), &y) == 0 && y.nlast == 1 &&
	    y.last[0].metrics != NULL && y.last[0].prev_metrics != NULL,
	    "both kept in the index file");
	ok(strstr(s, "\"ratio\":0.95") != NULL, "the file keeps 0.95 as 0.95");
	runindex_clear(&y);
	free(s);
	free(m);
	free(p);
	runindex_free(x);
	run(d, "r3", "vac", 3, "failed");
	ok(runindex_load(d, 1, &x, &cause) == 0 && (l = runindex_find(x,
	    "vac")) != NULL && l->metrics == NULL && l->prev_metrics != NULL,
	    "a run without metrics: none of its own, the previous still known");
	runindex_free(x);
	free(cause);
	free(d);
}

int
main(void)
{
	char *cmd;

	if (mkdtemp(tmpdir) == NULL)
		return 1;
	test_read();
	test_index();
	test_between();
	test_parse();
	test_metrics();
	test_rotation();
	cmd = xasprintf("rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	free(cmd);
	return tap_done();
}
