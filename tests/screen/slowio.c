/*
 * An LD_PRELOAD shim for tests/screen/slowio.sh: the journal's files (any
 * path holding "journal") open slowly, and fsync of them or of a run log
 * ("/runs/") is slow.  With SLOWIO_PATHS set (words separated by ':'), the
 * paths holding one of those words are the slow ones instead
 * (tests/health/slowfiles.sh: the password and TLS files).  Each slow call
 * sleeps SLOWIO_MS milliseconds (2000) between a "start" and an "end" line
 * appended to SLOWIO_LOG, so that a test can tell that one is in progress.
 * Everything else is untouched.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void
slowio_log(const char *what)
{
	const char *path = getenv("SLOWIO_LOG");
	int (*real_open)(const char *, int, ...);
	ssize_t n;
	int fd;

	if (path == NULL)
		return;
	real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	fd = real_open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1)
		return;
	n = write(fd, what, strlen(what));
	(void)n;
	close(fd);
}

static void
slowio_nap(void)
{
	const char *s = getenv("SLOWIO_MS");
	long ms = s != NULL ? atol(s) : 2000;
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	slowio_log("start\n");
	while (nanosleep(&ts, &ts) != 0)
		;
	slowio_log("end\n");
}

/* Whether path holds one of the words of SLOWIO_PATHS. */
static int
slowio_listed(const char *path, const char *words)
{
	char word[256];
	size_t n;

	while (*words != '\0') {
		n = strcspn(words, ":");
		if (n > 0 && n < sizeof word) {
			memcpy(word, words, n);
			word[n] = '\0';
			if (strstr(path, word) != NULL)
				return 1;
		}
		words += n;
		if (*words == ':')
			words++;
	}
	return 0;
}

static int
slowio_path(const char *path, int runs)
{
	const char *words = getenv("SLOWIO_PATHS");

	if (path == NULL)
		return 0;
	if (words != NULL)
		return slowio_listed(path, words);
	return strstr(path, "journal") != NULL ||
	    (runs && strstr(path, "/runs/") != NULL);
}

static int
slowio_fd(int fd)
{
	char link[64], path[4096];
	ssize_t n;

	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof path - 1);
	if (n <= 0)
		return 0;
	path[n] = '\0';
	return slowio_path(path, 1);
}

/* The real fsync or fdatasync (name) of fd, after a nap for the journal
 * or a run log. */
static int
slowio_sync(const char *name, int fd)
{
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, name);

	if (slowio_fd(fd))
		slowio_nap();
	return real(fd);
}

int
fsync(int fd)
{
	return slowio_sync("fsync", fd);
}

int
fdatasync(int fd)
{
	return slowio_sync("fdatasync", fd);
}

/* The real open or open64 (name) of path, after a nap for the journal. */
static int
slowio_open(const char *name, const char *path, int flags, va_list ap)
{
	int (*real)(const char *, int, ...) =
	    (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, name);
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE))
		mode = (mode_t)va_arg(ap, int);
	if (slowio_path(path, 0))
		slowio_nap();
	return real(path, flags, mode);
}

int
open(const char *path, int flags, ...)
{
	va_list ap;
	int fd;

	va_start(ap, flags);
	fd = slowio_open("open", path, flags, ap);
	va_end(ap);
	return fd;
}

int
open64(const char *path, int flags, ...)
{
	va_list ap;
	int fd;

	va_start(ap, flags);
	fd = slowio_open("open64", path, flags, ap);
	va_end(ap);
	return fd;
}

/* The real fopen or fopen64 (name), after a nap for the journal. */
static FILE *
slowio_fopen(const char *name, const char *path, const char *how)
{
	FILE *(*real)(const char *, const char *) =
	    (FILE *(*)(const char *, const char *))dlsym(RTLD_NEXT, name);

	if (slowio_path(path, 0))
		slowio_nap();
	return real(path, how);
}

FILE *
fopen(const char *path, const char *how)
{
	return slowio_fopen("fopen", path, how);
}

FILE *
fopen64(const char *path, const char *how)
{
	return slowio_fopen("fopen64", path, how);
}
