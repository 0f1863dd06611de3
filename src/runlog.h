/* A run's log file with a size limit: past it, the head and the tail are
 * kept, joined by a line saying how much was left out. */
#ifndef MAINTOP_RUNLOG_H
#define MAINTOP_RUNLOG_H

#include <stddef.h>

/* The default limit of one run's log (settings.run_log_max). */
#define RUNLOG_DEFAULT_MAX	(64LL * 1024 * 1024)
/* The smallest limit a configuration may set. */
#define RUNLOG_MIN_MAX		4096LL

struct runlog;

/*
 * Opens (creates, mode 0600, or appends to) the log at path, keeping at
 * most max bytes of what is written (0: RUNLOG_DEFAULT_MAX) plus the
 * marker line.  Returns the log, or NULL with *cause set.
 */
struct runlog *runlog_open(const char *path, long long max, char **cause);

/*
 * Writes to the log.  Up to the head's share of the limit bytes go to the
 * file at once; after that only the last bytes (the tail's share, at most
 * 1 MiB) are kept in memory and written, after the marker, when the log is
 * closed.  A failing disk loses bytes, never stops the caller.
 */
void runlog_write(struct runlog *, const char *data, size_t len);

/* True once bytes have been left out (the caller tells the user once). */
int runlog_cut(const struct runlog *);

/* The limit in bytes. */
long long runlog_max(const struct runlog *);

/*
 * Writes the marker and the kept tail, frees the log and returns its
 * descriptor, still open (the caller fsyncs and closes it), or -1.
 */
int runlog_detach(struct runlog *);

/* runlog_detach, then close. */
void runlog_close(struct runlog *);

#endif
