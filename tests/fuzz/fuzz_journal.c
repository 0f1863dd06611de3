/* Fuzz target for the journal reader: any bytes as a journal must give a
 * history, a run index and a recovery (none marked), never a crash; the
 * same bytes as an index file must parse or be refused, and an index that
 * parses must format and parse again to the same entries. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runindex.h"
#include "runner.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char *fuzz_dir;

/* Removes the directory the target works in. */
static void
cleanup(void)
{
	char *path = runner_journal_path(fuzz_dir);

	unlink(path);
	free(path);
	rmdir(fuzz_dir);
}

/* Writes data to path, replacing it. */
static void
put(const char *path, const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd == -1 || (size > 0 && write(fd, data, size) != (ssize_t)size))
		abort();
	close(fd);
}

/* The index text parsed, formatted and parsed again. */
static void
index_text(const uint8_t *data, size_t size)
{
	struct runindex x, y;
	char *again;
	size_t i;

	if (runindex_parse((const char *)data, size, &x) != 0)
		return;
	again = runindex_format(&x);
	if (runindex_parse(again, strlen(again), &y) != 0 ||
	    y.nlast != x.nlast || y.nopen != x.nopen ||
	    y.pos.off != x.pos.off)
		abort();
	for (i = 0; i < x.nlast; i++)
		if (strcmp(x.last[i].runbook, y.last[i].runbook) != 0)
			abort();
	free(again);
	runindex_clear(&x);
	runindex_clear(&y);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct runner_run *runs;
	struct runner_orphan *o;
	struct runindex *x;
	char *path, *ipath, *cause = NULL;
	char tmpl[] = "/tmp/fuzz_journal.XXXXXX";
	size_t n;

	if (size > 1 << 20)
		return 0;
	if (fuzz_dir == NULL) {
		if (mkdtemp(tmpl) == NULL)
			abort();
		fuzz_dir = xstrdup(tmpl);
		atexit(cleanup);
	}
	path = runner_journal_path(fuzz_dir);
	ipath = runindex_path(fuzz_dir);
	unlink(ipath);
	put(path, data, size);
	if (runner_history(fuzz_dir, NULL, &runs, &n, &cause) == 0)
		runner_runs_free(runs, n);
	free(cause);
	cause = NULL;
	if (runindex_load(fuzz_dir, 0, &x, &cause) == 0)
		runindex_free(x);
	free(cause);
	cause = NULL;
	if (runner_recover(fuzz_dir, 0, &o, &n, &cause) == 0)
		runner_orphans_free(o, n);
	free(cause);
	index_text(data, size);
	free(ipath);
	free(path);
	return 0;
}
