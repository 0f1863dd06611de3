/* Safe file writing: atomic replacement and durable appends. */
#ifndef MAINTOP_FILEIO_H
#define MAINTOP_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Replaces path with data atomically: writes a temporary file in the same
 * directory (mode as given), fsyncs it, renames it over path and fsyncs the
 * directory.  A crash at any point leaves the old file or the new one,
 * never a mixture.  Returns 0, or -1 with *cause set (caller frees).
 */
int fileio_write_atomic(const char *path, const char *data, size_t len,
    mode_t mode, char **cause);

/*
 * Appends one line (a newline is added) to path, created with mode 0600 if
 * missing, with O_APPEND and fsync, so that a record is either whole on disk
 * or absent.  Returns 0, or -1 with *cause set.
 */
int fileio_append_line(const char *path, const char *line, char **cause);

/*
 * Reads a whole file of at most max bytes into a new NUL-terminated buffer.
 * Returns 0, or -1 with *cause set (also when the file is larger than max).
 */
int fileio_read(const char *path, size_t max, char **data, size_t *len,
    char **cause);

/* Creates dir and its parents with mode (like mkdir -p). Returns 0 or -1. */
int fileio_mkdirs(const char *dir, mode_t mode);

#endif
