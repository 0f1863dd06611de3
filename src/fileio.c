/* Safe file I/O: atomic replacement, durable appends, bounded reads, mkdir -p. */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

int
fileio_write_all(int fd, const char *data, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Splits path into its directory (a new string, "." when none). */
static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* fsyncs a directory so that a rename or creation in it is durable. */
static int
fsync_dir(const char *dir)
{
	int fd, r;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	do
		r = fsync(fd);
	while (r != 0 && errno == EINTR);
	/* Some file systems cannot fsync a directory; that is not a failure. */
	if (r != 0 && (errno == EINVAL || errno == EROFS))
		r = 0;
	close(fd);
	return r;
}

int
fileio_write_atomic(const char *path, const char *data, size_t len,
    mode_t mode, char **cause)
{
	const char *base;
	char *dir, *tmp = NULL;
	int fd = -1, saved;

	if (path == NULL || *path == '\0' || path[strlen(path) - 1] == '/') {
		*cause = xasprintf("not a file path: \"%s\"",
		    path != NULL ? path : "");
		return -1;
	}
	dir = dir_of(path);
	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;

	/* The temporary file lives beside path so that rename is atomic. */
	tmp = xasprintf("%s/.%s.XXXXXX.tmp", dir, base);
	fd = mkostemps(tmp, 4, O_CLOEXEC);
	if (fd < 0) {
		*cause = xasprintf("cannot create a temporary file in %s: %s",
		    dir, strerror(errno));
		free(tmp);	/* not ours: never unlink it */
		tmp = NULL;
		goto fail;
	}
	/* The umask may have narrowed the mode; the caller's mode is wanted. */
	if (fchmod(fd, mode & 07777) != 0) {
		*cause = xasprintf("%s: chmod: %s", tmp, strerror(errno));
		goto fail;
	}
	if (fileio_write_all(fd, data, len) != 0) {
		*cause = xasprintf("%s: write: %s", tmp, strerror(errno));
		goto fail;
	}
	if (fsync(fd) != 0) {
		*cause = xasprintf("%s: fsync: %s", tmp, strerror(errno));
		goto fail;
	}
	if (close(fd) != 0) {
		fd = -1;
		*cause = xasprintf("%s: close: %s", tmp, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		*cause = xasprintf("cannot rename %s to %s: %s", tmp, path,
		    strerror(errno));
		goto fail;
	}
	free(tmp);
	tmp = NULL;
	if (fsync_dir(dir) != 0) {
		/* The new file is in place; only its durability is in doubt. */
		*cause = xasprintf("%s: fsync of directory: %s", dir,
		    strerror(errno));
		free(dir);
		return -1;
	}
	free(dir);
	return 0;

fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	if (tmp != NULL)
		unlink(tmp);
	free(tmp);
	free(dir);
	errno = saved;
	return -1;
}

int
fileio_append_line(const char *path, const char *line, char **cause)
{
	struct stat st;
	struct buf b;
	char last;
	ssize_t n;
	int fd, r;

	if (strchr(line, '\n') != NULL) {
		*cause = xasprintf("%s: a record may not contain a newline",
		    path);
		return -1;
	}
	/* Read access lets us look at the last byte (below). */
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd < 0 && errno == EACCES)
		fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	buf_init(&b);
	/*
	 * If an earlier writer died mid-record the file does not end in a
	 * newline; start ours on a fresh line so it is not glued to the torn
	 * one.  (Readers skip lines that are not whole records.)
	 */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n')
		buf_addc(&b, '\n');
	buf_adds(&b, line);
	buf_addc(&b, '\n');

	/* One write() per record: with O_APPEND it lands whole at the end. */
	do
		n = write(fd, b.s, b.len);
	while (n < 0 && errno == EINTR);
	if (n < 0 || (size_t)n != b.len) {
		if (n < 0)
			*cause = xasprintf("%s: write: %s", path,
			    strerror(errno));
		else {
			/* End the fragment so the next record stays whole. */
			if (write(fd, "\n", 1) != 1)
				(void)0;
			*cause = xasprintf("%s: short write (%zd of %zu bytes)",
			    path, n, b.len);
		}
		buf_free(&b);
		close(fd);
		return -1;
	}
	buf_free(&b);
	do
		r = fsync(fd);
	while (r != 0 && errno == EINTR);
	if (r != 0) {
		*cause = xasprintf("%s: fsync: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (close(fd) != 0) {
		*cause = xasprintf("%s: close: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
fileio_read(const char *path, size_t max, char **data, size_t *len,
    char **cause)
{
	struct stat st;
	size_t have = 0, cap;
	ssize_t n;
	char *p;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		*cause = xasprintf("%s: is a directory", path);
		close(fd);
		return -1;
	}
	if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max) {
		*cause = xasprintf("%s: too large (%jd bytes, at most %zu)",
		    path, (intmax_t)st.st_size, max);
		close(fd);
		return -1;
	}
	/* Read until end of file (the size may change while we read). */
	cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 4096;
	if (cap > max + 1)
		cap = max + 1;
	p = xmalloc(cap + 1);
	for (;;) {
		if (have == cap) {
			if (cap > max) {
				*cause = xasprintf("%s: too large (more than "
				    "%zu bytes)", path, max);
				goto fail;
			}
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			p = xreallocarray(p, cap + 1, 1);
		}
		n = read(fd, p + have, cap - have);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			*cause = xasprintf("%s: read: %s", path,
			    strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		have += (size_t)n;
	}
	if (have > max) {
		*cause = xasprintf("%s: too large (more than %zu bytes)", path,
		    max);
		goto fail;
	}
	close(fd);
	p[have] = '\0';
	*data = p;
	*len = have;
	return 0;

fail:
	free(p);
	close(fd);
	return -1;
}

int
fileio_mkdirs(const char *dir, mode_t mode)
{
	struct stat st;
	char *p, *s;
	int saved;

	if (dir == NULL || *dir == '\0') {
		errno = ENOENT;
		return -1;
	}
	s = xstrdup(dir);
	/* Create each ancestor in turn; existing directories are fine. */
	for (p = s + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (p[-1] != '/') {
			char c = *p;

			*p = '\0';
			if (mkdir(s, mode) != 0 && errno != EEXIST) {
				saved = errno;
				free(s);
				errno = saved;
				return -1;
			}
			if (stat(s, &st) != 0 || !S_ISDIR(st.st_mode)) {
				free(s);
				errno = ENOTDIR;
				return -1;
			}
			*p = c;
		}
		if (*p == '\0')
			break;
	}
	free(s);
	return 0;
}
