/* The store's spool: journal records kept in the state directory while the
 * team store is unreachable, one "ID RECORD" line each, replayed in order. */
#include "build.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "journal.h"
#include "store_spool.h"
#include "util.h"

/* Longest record id kept (ours are a run id and a number, or a SHA-256). */
#define SPOOL_ID_MAX	200

char *
store_spool_path(const char *state_dir)
{
	return xasprintf("%s/store-spool", state_dir);
}

/* Opens and flocks the spool (created when create); -1 with errno. */
static int
spool_open(const char *path, int create)
{
	int fd, r;

	fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW |
	    (create ? O_CREAT : 0), 0600);
	if (fd == -1)
		return -1;
	do
		r = flock(fd, LOCK_EX);
	while (r == -1 && errno == EINTR);
	if (r == -1) {
		r = errno;
		close(fd);
		errno = r;
		return -1;
	}
	return fd;
}

static int
id_ok(const char *id)
{
	size_t n = strlen(id), i;

	if (n == 0 || n > SPOOL_ID_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)id[i] <= ' ' || id[i] == 0x7f)
			return 0;
	return 1;
}

int
store_spool_add(const char *state_dir, const char *id, const char *line,
    char **cause)
{
	char *path, last;
	struct stat st;
	struct buf b;
	int fd, r = 0;

	if (!id_ok(id) || strchr(line, '\n') != NULL || line[0] != '{') {
		*cause = xstrdup("the spool takes one record on one line "
		    "under an id without spaces");
		return -1;
	}
	if (fileio_mkdirs(state_dir, 0700) != 0) {
		*cause = xasprintf("%s: %s", state_dir, strerror(errno));
		return -1;
	}
	path = store_spool_path(state_dir);
	if ((fd = spool_open(path, 1)) == -1) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	buf_init(&b);
	/* A writer that died mid-line: ours starts a line of its own. */
	if (fstat(fd, &st) == 0 && st.st_size > 0 &&
	    pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n')
		buf_addc(&b, '\n');
	buf_printf(&b, "%s %s\n", id, line);
	if (fileio_write_all(fd, b.s, b.len) != 0 || fsync(fd) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		r = -1;
	}
	buf_free(&b);
	close(fd);
	free(path);
	return r;
}

int
store_spool_pending(const char *state_dir)
{
	char *path = store_spool_path(state_dir);
	struct stat st;
	int r;

	r = stat(path, &st) == 0 && st.st_size > 0;
	free(path);
	return r;
}

/* Puts one line of the spool: "ID RECORD".  0 when put or not a record. */
static int
spool_line(char *s, size_t len,
    int (*put)(const char *, const char *, void *, char **), void *arg,
    size_t *n, char **cause)
{
	char *sp = memchr(s, ' ', len);
	size_t rlen;

	if (sp == NULL || memchr(s, '\0', len) != NULL)
		return 0;
	*sp = '\0';
	rlen = len - (size_t)(sp + 1 - s);
	if (!id_ok(s) || rlen < 2 || sp[1] != '{' || sp[rlen] != '}')
		return 0;
	if (put(s, sp + 1, arg, cause) != 0)
		return -1;
	(*n)++;
	return 0;
}

int
store_spool_replay(const char *state_dir,
    int (*put)(const char *id, const char *line, void *arg, char **cause),
    void *arg, size_t *n, char **cause)
{
	char *path = store_spool_path(state_dir);
	struct buf line;
	FILE *f;
	int fd, c, skip = 0, r = 0, dfd;

	*n = 0;
	if ((fd = spool_open(path, 0)) == -1) {
		if (errno == ENOENT) {
			free(path);
			return 0;
		}
		*cause = xasprintf("%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	if ((dfd = dup(fd)) == -1 || (f = fdopen(dfd, "r")) == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		if (dfd != -1)
			close(dfd);
		close(fd);
		free(path);
		return -1;
	}
	buf_init(&line);
	buf_adds(&line, "");
	while (r == 0 && (c = getc_unlocked(f)) != EOF) {
		if (c != '\n') {
			if (line.len >= JOURNAL_LINE_MAX + SPOOL_ID_MAX + 1)
				skip = 1;
			else
				buf_addc(&line, (char)c);
			continue;
		}
		if (!skip)
			r = spool_line(line.s, line.len, put, arg, n, cause);
		skip = 0;
		buf_reset(&line);
	}
	/* A last line without its newline was torn by a crash: dropped. */
	if (r == 0 && ferror(f)) {
		*cause = xasprintf("%s: read error", path);
		r = -1;
	}
	if (r == 0 && (ftruncate(fd, 0) != 0 || fsync(fd) != 0)) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		r = -1;
	}
	buf_free(&line);
	fclose(f);
	close(fd);
	free(path);
	return r;
}
