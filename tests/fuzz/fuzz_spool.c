/* Fuzz target for the store's spool reader: any bytes as a spool must
 * replay as whole records only (an id without spaces or controls, one
 * JSON-looking object), in order, and leave the spool empty; a record
 * added after them replays last, as it was added. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_spool.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char *fuzz_dir;

static void
cleanup(void)
{
	char *path = store_spool_path(fuzz_dir);

	unlink(path);
	free(path);
	rmdir(fuzz_dir);
}

/* What the replay put: the last record, and how many. */
struct seen {
	char	*id;
	char	*line;
	size_t	 n;
};

static int
check_put(const char *id, const char *line, void *arg, char **cause)
{
	struct seen *s = arg;
	size_t i, len = strlen(line);

	(void)cause;
	if (*id == '\0' || len < 2 || line[0] != '{' || line[len - 1] != '}')
		abort();
	for (i = 0; id[i] != '\0'; i++)
		if ((unsigned char)id[i] <= ' ' || id[i] == 0x7f)
			abort();
	free(s->id);
	free(s->line);
	s->id = xstrdup(id);
	s->line = xstrdup(line);
	s->n++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char tmpl[] = "/tmp/fuzz_spool.XXXXXX", *path, *cause = NULL;
	struct seen s = { NULL, NULL, 0 };
	struct stat st;
	size_t n;
	int fd;

	if (size > 1 << 20)
		return 0;
	if (fuzz_dir == NULL) {
		if (mkdtemp(tmpl) == NULL)
			abort();
		fuzz_dir = xstrdup(tmpl);
		atexit(cleanup);
	}
	path = store_spool_path(fuzz_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1 || (size > 0 && write(fd, data, size) != (ssize_t)size))
		abort();
	close(fd);
	/* Whatever was there, the record added now comes out last. */
	if (store_spool_add(fuzz_dir, "run:1", "{\"type\":\"run_end\"}",
	    &cause) != 0)
		abort();
	if (store_spool_replay(fuzz_dir, check_put, &s, &n, &cause) != 0 ||
	    n != s.n || n == 0 || strcmp(s.id, "run:1") != 0 ||
	    strcmp(s.line, "{\"type\":\"run_end\"}") != 0)
		abort();
	if (stat(path, &st) != 0 || st.st_size != 0)
		abort();
	free(s.id);
	free(s.line);
	free(path);
	return 0;
}
