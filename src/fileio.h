/* Safe file writing: atomic replacement and durable appends. */
#ifndef MAINTOP_FILEIO_H
#define MAINTOP_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Replaces path with data atomically: writes a temporary file in the same
 * directory (".NAME.RANDOM.tmp", created with O_EXCL so it never reuses
 * someone else's file; mode as given, whatever the umask), fsyncs it,
 * renames it over path and fsyncs the directory.  A crash at any point
 * leaves the old file or the new one, never a mixture (a crash may leave a
 * stray temporary file; any other failure removes it).  Returns 0, or -1
 * with *cause set (caller frees).  A failed directory fsync returns -1 too,
 * though the new file is then already in place.
 */
int fileio_write_atomic(const char *path, const char *data, size_t len,
    mode_t mode, char **cause);

/*
 * Writes all of data to fd, retrying after signals and short writes.
 * Returns 0, or -1 with errno set.
 */
int fileio_write_all(int fd, const char *data, size_t len);

/*
 * Appends one line (a newline is added) to path, created with mode 0600 if
 * missing, with O_APPEND, a single write() and fsync, so that a record is
 * either whole on disk or absent.  line may not contain a newline.  If the
 * file does not end in a newline (an earlier writer died mid-record), the
 * record starts on a new line.  Returns 0, or -1 with *cause set.
 */
int fileio_append_line(const char *path, const char *line, char **cause);

/*
 * Reads a whole file of at most max bytes into a new NUL-terminated buffer
 * (the caller frees *data; the data may itself contain NUL bytes, *len
 * counts them all).  Returns 0, or -1 with *cause set (also when the file
 * is larger than max or is a directory).
 */
int fileio_read(const char *path, size_t max, char **data, size_t *len,
    char **cause);

/* Creates dir and its parents with mode (like mkdir -p); existing
 * directories are fine.  Returns 0, or -1 with errno set. */
int fileio_mkdirs(const char *dir, mode_t mode);

#endif
