/* Tests of the safe file I/O: atomic replacement, appends, bounded reads and
 * mkdir -p, including the failure paths and their cleanup. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "tap.h"
#include "util.h"

static char tmpdir[] = "/tmp/test_fileio.XXXXXX";

/* Number of entries in dir whose name starts with '.' (temporary files). */
static int
count_hidden(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] == '.' && strcmp(e->d_name, ".") != 0 &&
		    strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static char *
slurp(const char *path, size_t *len)
{
	char *data = NULL, *cause = NULL;

	if (fileio_read(path, 1 << 20, &data, len, &cause) != 0) {
		free(cause);
		return NULL;
	}
	return data;
}

static void
test_atomic(void)
{
	char *path = xasprintf("%s/a.conf", tmpdir), *cause = NULL, *data;
	struct stat st;
	size_t len;

	umask(022);
	ok(fileio_write_atomic(path, "one\n", 4, 0640, &cause) == 0,
	    "atomic write creates a file");
	data = slurp(path, &len);
	is_str(data, "one\n", "the content is written");
	free(data);
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640,
	    "the mode is the one asked for");
	umask(077);
	ok(fileio_write_atomic(path, "two two\n", 8, 0644, &cause) == 0,
	    "atomic write replaces a file");
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0644,
	    "the mode is kept whatever the umask");
	umask(022);
	data = slurp(path, &len);
	is_str(data, "two two\n", "the new content replaced the old");
	free(data);
	is_int(count_hidden(tmpdir), 0, "no temporary file is left");

	ok(fileio_write_atomic(path, "", 0, 0600, &cause) == 0,
	    "an empty file can be written");
	data = slurp(path, &len);
	ok(data != NULL && len == 0, "and it is empty");
	free(data);
	free(path);

	/* A missing directory fails with a reason. */
	path = xasprintf("%s/missing/a.conf", tmpdir);
	cause = NULL;
	ok(fileio_write_atomic(path, "x", 1, 0600, &cause) == -1 &&
	    cause != NULL && strstr(cause, "temporary") != NULL,
	    "a missing directory is an error with a cause");
	free(cause);
	free(path);

	/* A directory in the way: the rename fails; the temp file is removed. */
	path = xasprintf("%s/adir", tmpdir);
	mkdir(path, 0700);
	cause = NULL;
	ok(fileio_write_atomic(path, "x", 1, 0600, &cause) == -1 &&
	    cause != NULL && strstr(cause, "rename") != NULL,
	    "renaming over a directory fails with a cause");
	free(cause);
	is_int(count_hidden(tmpdir), 0, "the temporary file is cleaned up");
	rmdir(path);
	free(path);

	cause = NULL;
	ok(fileio_write_atomic("", "x", 1, 0600, &cause) == -1 &&
	    cause != NULL, "an empty path is refused");
	free(cause);

	/* Not writable (meaningless for root, who may write anywhere). */
	if (geteuid() != 0) {
		path = xasprintf("%s/ro", tmpdir);
		mkdir(path, 0500);
		free(path);
		path = xasprintf("%s/ro/x", tmpdir);
		cause = NULL;
		ok(fileio_write_atomic(path, "x", 1, 0600, &cause) == -1 &&
		    cause != NULL, "a read-only directory is an error");
		free(cause);
		free(path);
		path = xasprintf("%s/ro", tmpdir);
		rmdir(path);
		free(path);
	} else
		ok(1, "# skip read-only directory: running as root");
}

static void
test_append(void)
{
	char *path = xasprintf("%s/j.log", tmpdir), *cause = NULL, *data;
	struct stat st;
	size_t len;
	int fd;

	ok(fileio_append_line(path, "first", &cause) == 0, "append creates");
	ok(fileio_append_line(path, "second", &cause) == 0, "append appends");
	data = slurp(path, &len);
	is_str(data, "first\nsecond\n", "each line ends with a newline");
	free(data);
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
	    "the file is created with mode 0600");

	cause = NULL;
	ok(fileio_append_line(path, "two\nlines", &cause) == -1 &&
	    cause != NULL, "a newline inside a record is refused");
	free(cause);

	/* A writer died mid-record: the next record starts on a new line. */
	fd = open(path, O_WRONLY | O_APPEND);
	ok(fd >= 0 && write(fd, "tor", 3) == 3, "simulate a torn record");
	close(fd);
	ok(fileio_append_line(path, "third", &cause) == 0, "append after it");
	data = slurp(path, &len);
	is_str(data, "first\nsecond\ntor\nthird\n",
	    "the new record is not glued to the torn one");
	free(data);
	free(path);

	path = xasprintf("%s/nodir/j.log", tmpdir);
	cause = NULL;
	ok(fileio_append_line(path, "x", &cause) == -1 && cause != NULL,
	    "append into a missing directory fails with a cause");
	free(cause);
	free(path);
}

static void
test_read(void)
{
	char *path = xasprintf("%s/r.bin", tmpdir), *cause = NULL, *data;
	size_t len;

	ok(fileio_write_atomic(path, "ab\0cd", 5, 0600, &cause) == 0,
	    "write a file with a NUL byte");
	ok(fileio_read(path, 5, &data, &len, &cause) == 0 && len == 5 &&
	    memcmp(data, "ab\0cd", 5) == 0 && data[5] == '\0',
	    "read returns every byte and a terminating NUL");
	free(data);
	cause = NULL;
	ok(fileio_read(path, 4, &data, &len, &cause) == -1 && cause != NULL &&
	    strstr(cause, "too large") != NULL, "a file over max is refused");
	free(cause);
	cause = NULL;
	ok(fileio_read(tmpdir, 100, &data, &len, &cause) == -1 &&
	    cause != NULL, "a directory is refused");
	free(cause);
	free(path);
	path = xasprintf("%s/none", tmpdir);
	cause = NULL;
	ok(fileio_read(path, 100, &data, &len, &cause) == -1 &&
	    cause != NULL && strstr(cause, "No such file") != NULL,
	    "a missing file is an error naming why");
	free(cause);
	free(path);
	/* A file that is not regular is read up to max. */
	cause = NULL;
	ok(fileio_read("/dev/zero", 1000, &data, &len, &cause) == -1 &&
	    cause != NULL, "an endless file stops at max");
	free(cause);
}

static void
test_mkdirs(void)
{
	char *path = xasprintf("%s/m/n/o/", tmpdir), *file;
	struct stat st;

	ok(fileio_mkdirs(path, 0700) == 0, "mkdirs creates nested directories");
	ok(stat(path, &st) == 0 && S_ISDIR(st.st_mode), "and they exist");
	ok(fileio_mkdirs(path, 0700) == 0, "existing directories are fine");
	file = xasprintf("%s/m/f", tmpdir);
	close(open(file, O_CREAT | O_WRONLY, 0600));
	free(path);
	path = xasprintf("%s/m/f/g", tmpdir);
	errno = 0;
	ok(fileio_mkdirs(path, 0700) == -1 && errno == ENOTDIR,
	    "a file in the way is ENOTDIR");
	free(path);
	free(file);
	errno = 0;
	ok(fileio_mkdirs("", 0700) == -1, "an empty path fails");
}

int
main(void)
{
	char *cmd;

	if (mkdtemp(tmpdir) == NULL)
		return 1;
	test_atomic();
	test_append();
	test_read();
	test_mkdirs();
	cmd = xasprintf("rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	free(cmd);
	return tap_done();
}
