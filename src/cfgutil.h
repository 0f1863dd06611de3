/* Helpers shared by every configuration section's parser: typed lookups that
 * report errors with file and line, and unknown-key detection. */
#ifndef MAINTOP_CFGUTIL_H
#define MAINTOP_CFGUTIL_H

#include <libconfig.h>
#include <stddef.h>

#include "util.h"

/* One problem found in a configuration, with where it was found. */
struct cfg_error {
	char	*file;		/* may be NULL when unknown */
	int	 line;		/* 0 when unknown */
	int	 warning;	/* 1: reported but does not fail validation */
	char	*msg;
};

/* Every problem found while loading; the loader keeps going after an error
 * so that one run of "maintop validate" shows them all. */
struct cfg_errors {
	struct cfg_error *v;
	size_t		  n;
	size_t		  nerrors;	/* n less the warnings */
};

void cfg_errors_free(struct cfg_errors *);
/* Records an error (or a warning) at setting s (which may be NULL). */
void cfg_err(struct cfg_errors *, const config_setting_t *, const char *, ...)
    UTIL_PRINTF(3, 4);
void cfg_warn(struct cfg_errors *, const config_setting_t *, const char *, ...)
    UTIL_PRINTF(3, 4);
/* Records an error at an explicit file and line. */
void cfg_err_at(struct cfg_errors *, const char *file, int line, int warning,
    const char *, ...) UTIL_PRINTF(5, 6);
/* Formats one error as "file:line: error: msg" into a new string. */
char *cfg_error_format(const struct cfg_error *);

/*
 * Reports every member of group whose name is not in allowed (a NULL-ended
 * list), suggesting the closest allowed name.  what names the group for the
 * message ("http check").  Returns the number of unknown keys.
 */
int cfg_check_keys(struct cfg_errors *, const config_setting_t *group,
    const char *const *allowed, const char *what);
/* The closest of candidates to name, or NULL when none is close. */
const char *cfg_suggest(const char *name, const char *const *candidates);

/*
 * Typed lookups of member key of group.  Each returns 1 when the key is
 * present and valid (and stores it), 0 when absent (an error is recorded
 * if required), and -1 when present but invalid (error recorded).  Strings
 * are copied (the caller frees them).
 */
int cfg_str(struct cfg_errors *, const config_setting_t *, const char *key,
    int required, char **out);
/* A name that line modes and the dashboard print: as cfg_str, and an error
 * (-1, *out NULL) unless it is printable UTF-8 (no C0 or C1 control, no
 * bidirectional control; see sanitize_name_problem). */
int cfg_name(struct cfg_errors *, const config_setting_t *, const char *key,
    int required, char **out);
int cfg_int(struct cfg_errors *, const config_setting_t *, const char *key,
    int required, long long min, long long max, long long *out);
int cfg_double(struct cfg_errors *, const config_setting_t *, const char *key,
    int required, double *out);
int cfg_bool(struct cfg_errors *, const config_setting_t *, const char *key,
    int required, int *out);
/*
 * A duration: a string for util_parse_duration_ms ("500ms", "90m", "25h",
 * "7d", "1h30m") or a number of seconds.  cfg_duration stores whole
 * seconds (a fraction rounds up) and allows up to ten years;
 * cfg_duration_ms stores milliseconds in [min, max].  Both report a bad
 * value with the same message.
 */
int cfg_duration(struct cfg_errors *, const config_setting_t *,
    const char *key, int required, long long min, long long *out);
/*
 * A size in bytes: a number, or a string such as "64k", "64KiB", "1M",
 * "1MiB", "1G"; between min and max.
 */
int cfg_size(struct cfg_errors *, const config_setting_t *, const char *key,
    long long min, long long max, long long *out);
int cfg_duration_ms(struct cfg_errors *, const config_setting_t *,
    const char *key, double min, double max, double *out);
/* An array or list of strings (a single string is taken as a list of one). */
int cfg_strlist(struct cfg_errors *, const config_setting_t *,
    const char *key, int required, char ***out, size_t *n);
void cfg_strlist_free(char **, size_t);

/* The list or array at key, or NULL (an error when present but not one). */
const config_setting_t *cfg_list(struct cfg_errors *,
    const config_setting_t *, const char *key);

/*
 * Calls fn for each group in the list at key (absent: nothing).  Any other
 * entry is an error: "each entry of 'KEY' must be a group SHAPE".
 */
void cfg_each_group(struct cfg_errors *, const config_setting_t *,
    const char *key, const char *shape,
    void (*fn)(struct cfg_errors *, const config_setting_t *, void *),
    void *arg);

/* A new copy of path with a leading "~/" (or "~") replaced by $HOME. */
char *cfg_expand_home(const char *path);

/* Source line of a setting (0 if unknown) and file (NULL if unknown). */
/*
 * A path read from setting s, as a new string: "~/" is the home
 * directory, and a relative path resolves against the directory of the
 * file that declares s (file when libconfig does not know it: the main
 * file), as @include does.  Resolving needs that directory to exist;
 * otherwise the path is returned as written.
 */
char *cfg_resolve_path(const config_setting_t *s, const char *file,
    const char *path);
int cfg_line(const config_setting_t *);
const char *cfg_file(const config_setting_t *);

#endif
