/* A run's log file with a size limit: the head on disk at once, the tail
 * in a ring in memory, the marker between them. */
#include "runlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "util.h"

/* The tail kept past the limit: half the limit, at most this. */
#define RUNLOG_TAIL_MAX		(1024 * 1024)

struct runlog {
	int		 fd;
	long long	 max;
	size_t		 head_max;	/* bytes written directly */
	size_t		 written;	/* of those */
	char		*ring;		/* the tail, once past head_max */
	size_t		 ring_size;
	size_t		 ring_pos;	/* next byte to write */
	int		 ring_full;	/* ring_pos has wrapped */
	unsigned long long dropped;	/* bytes left out */
};

struct runlog *
runlog_open(const char *path, long long max, char **cause)
{
	struct runlog *l;
	size_t tail;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd == -1) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (max <= 0)
		max = RUNLOG_DEFAULT_MAX;
	if (max < RUNLOG_MIN_MAX)
		max = RUNLOG_MIN_MAX;
	tail = (size_t)(max / 2);
	if (tail > RUNLOG_TAIL_MAX)
		tail = RUNLOG_TAIL_MAX;
	l = xcalloc(1, sizeof *l);
	l->fd = fd;
	l->max = max;
	l->head_max = (size_t)max - tail;
	l->ring_size = tail;
	return l;
}

/* A failing disk loses bytes; the caller goes on. */
static void
runlog_put(int fd, const char *data, size_t len)
{
	if (fileio_write_all(fd, data, len) != 0) {
		/* Nothing to do: the output still reaches the front end. */
	}
}

/* Keeps data as the newest bytes of the tail. */
static void
runlog_ring(struct runlog *l, const char *data, size_t len)
{
	size_t n, kept;

	if (l->ring == NULL)
		l->ring = xmalloc(l->ring_size);
	if (len > l->ring_size) {
		l->dropped += len - l->ring_size;
		data += len - l->ring_size;
		len = l->ring_size;
	}
	kept = l->ring_full ? l->ring_size : l->ring_pos;
	if (kept + len > l->ring_size)
		l->dropped += kept + len - l->ring_size;
	while (len > 0) {
		n = l->ring_size - l->ring_pos;
		if (n > len)
			n = len;
		memcpy(l->ring + l->ring_pos, data, n);
		l->ring_pos += n;
		if (l->ring_pos == l->ring_size) {
			l->ring_pos = 0;
			l->ring_full = 1;
		}
		data += n;
		len -= n;
	}
}

void
runlog_write(struct runlog *l, const char *data, size_t len)
{
	size_t n;

	if (l == NULL || len == 0)
		return;
	if (l->written < l->head_max) {
		n = l->head_max - l->written;
		if (n > len)
			n = len;
		runlog_put(l->fd, data, n);
		l->written += n;
		data += n;
		len -= n;
	}
	if (len > 0)
		runlog_ring(l, data, len);
}

int
runlog_cut(const struct runlog *l)
{
	return l != NULL && l->dropped > 0;
}

long long
runlog_max(const struct runlog *l)
{
	return l->max;
}

int
runlog_detach(struct runlog *l)
{
	char marker[160];
	int fd, len;

	if (l == NULL)
		return -1;
	if (l->dropped > 0) {
		len = snprintf(marker, sizeof marker, "\n== maintop: the run "
		    "log reached its limit (%lld bytes): %llu bytes of output "
		    "left out here ==\n", l->max, l->dropped);
		runlog_put(l->fd, marker, (size_t)len);
	}
	if (l->ring != NULL) {
		if (l->ring_full)
			runlog_put(l->fd, l->ring + l->ring_pos,
			    l->ring_size - l->ring_pos);
		runlog_put(l->fd, l->ring, l->ring_pos);
	}
	fd = l->fd;
	free(l->ring);
	free(l);
	return fd;
}

void
runlog_close(struct runlog *l)
{
	int fd = runlog_detach(l);

	if (fd != -1)
		close(fd);
}
