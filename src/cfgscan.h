/* The check every configuration text passes before libconfig reads it:
 * limits, NUL bytes, only regular files included, and the grammar, with
 * errors that name the line where the broken part started. */
#ifndef MAINTOP_CFGSCAN_H
#define MAINTOP_CFGSCAN_H

#include <stddef.h>

#include "cfgutil.h"

/*
 * The limits, for a file and every file it includes together.  No real
 * configuration comes near them; they bound memory and time on hostile
 * input.  A group holds at most CFGSCAN_MAX_GROUP settings because libconfig
 * looks for a duplicate name among a group's members at each new one.
 */
#define CFGSCAN_MAX_BYTES	(8 * 1024 * 1024)
#define CFGSCAN_MAX_LINES	500000
#define CFGSCAN_MAX_SETTINGS	500000
#define CFGSCAN_MAX_GROUP	256
#define CFGSCAN_MAX_DEPTH	64
#define CFGSCAN_MAX_INCLUDE	10	/* libconfig's own nesting limit */

/*
 * Reads the file at path and checks it, and each file it includes: an
 * "@include" name is read from include_dir, as libconfig reads it, and
 * include_dir NULL refuses @include.  Files are opened without blocking and
 * only regular files are read (a FIFO or a device is an error).  Errors are
 * recorded in e as "file:line" with what was expected.  Returns the file's
 * text, NUL-terminated and ending in a newline, for config_read_string (the
 * caller frees it), or NULL after recording why.
 */
char *cfgscan_file(const char *path, const char *include_dir,
    struct cfg_errors *e);

/* As cfgscan_file for a text already in memory (len bytes), named name in
 * messages.  Returns a new copy to give to libconfig, or NULL. */
char *cfgscan_string(const char *text, size_t len, const char *name,
    const char *include_dir, struct cfg_errors *e);

#endif
