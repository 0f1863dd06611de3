/* Tests for the run log's size limit (runlog.c): head, marker and tail. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runlog.h"
#include "tap.h"
#include "util.h"

static char *
slurp(const char *path, size_t *len)
{
	struct buf b;
	char chunk[8192];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	buf_init(&b);
	buf_adds(&b, "");
	while (fd != -1 && (n = read(fd, chunk, sizeof chunk)) > 0)
		buf_add(&b, chunk, (size_t)n);
	if (fd != -1)
		close(fd);
	*len = b.len;
	return buf_detach(&b);
}

int
main(void)
{
	char dir[] = "/tmp/maintop-runlog-XXXXXX", *path, *got, *cause = NULL;
	char want[64], line[16];
	struct runlog *l;
	size_t len, i, total = 0;

	if (mkdtemp(dir) == NULL)
		return 1;
	path = xasprintf("%s/run.log", dir);

	l = runlog_open(path, 4096, &cause);
	ok(l != NULL, "opens");
	runlog_write(l, "hello\n", 6);
	ok(!runlog_cut(l), "under the limit nothing is cut");
	runlog_close(l);
	got = slurp(path, &len);
	is_str(got, "hello\n", "under the limit the log is what was written");
	free(got);
	unlink(path);

	/* Numbered lines of 8 bytes, 100000 of them: 800000 bytes. */
	l = runlog_open(path, 4096, &cause);
	for (i = 0; i < 100000; i++) {
		snprintf(line, sizeof line, "%07zu\n", i);
		runlog_write(l, line, 8);
		total += 8;
	}
	ok(runlog_cut(l), "past the limit the log says it cut");
	is_int(runlog_max(l), 4096, "the limit");
	runlog_close(l);
	got = slurp(path, &len);
	ok(len > 4096 && len < 4096 + 200, "the file holds the limit and a "
	    "marker (%zu bytes)", len);
	ok(strncmp(got, "0000000\n0000001\n", 16) == 0, "the head is kept");
	snprintf(want, sizeof want, "%llu bytes of output left out",
	    (unsigned long long)(total - 4096));
	ok(strstr(got, want) != NULL, "the marker counts what is left out");
	ok(len >= 16 && memcmp(got + len - 16, "0099998\n0099999\n", 16) == 0,
	    "the tail is kept, in order");
	ok(strstr(got, "0050000\n") == NULL, "the middle is gone");
	free(got);
	unlink(path);

	/* One write much larger than the limit. */
	l = runlog_open(path, 4096, &cause);
	got = xmalloc(100000);
	memset(got, 'y', 100000);
	got[99999] = 'Z';
	runlog_write(l, got, 100000);
	free(got);
	runlog_close(l);
	got = slurp(path, &len);
	ok(len < 4096 + 200 && got[len - 1] == 'Z' && got[0] == 'y',
	    "a single huge write is cut the same way");
	free(got);
	unlink(path);

	rmdir(dir);
	free(path);
	return tap_done();
}
