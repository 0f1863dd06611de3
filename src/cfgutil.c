/* Helpers shared by every configuration section's parser: typed lookups that
 * report errors with file and line, and unknown-key detection. */
#include "cfgutil.h"
#include "sanitize.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest duration any key takes. */
#define CFG_DURATION_MAX_MS	(10.0 * 366 * 86400 * 1000)

int
cfg_line(const config_setting_t *s)
{
	return s == NULL ? 0 : (int)config_setting_source_line(s);
}

const char *
cfg_file(const config_setting_t *s)
{
	return s == NULL ? NULL : config_setting_source_file(s);
}

static void
cfg_add(struct cfg_errors *e, const char *file, int line, int warning,
    char *msg)
{
	struct cfg_error *x;

	e->v = xreallocarray(e->v, e->n + 1, sizeof *e->v);
	x = &e->v[e->n++];
	x->file = file != NULL ? xstrdup(file) : NULL;
	x->line = line;
	x->warning = warning;
	x->msg = msg;
	if (!warning)
		e->nerrors++;
}

void
cfg_errors_free(struct cfg_errors *e)
{
	size_t i;

	for (i = 0; i < e->n; i++) {
		free(e->v[i].file);
		free(e->v[i].msg);
	}
	free(e->v);
	e->v = NULL;
	e->n = e->nerrors = 0;
}

void
cfg_err(struct cfg_errors *e, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_add(e, cfg_file(s), cfg_line(s), 0, xvasprintf(fmt, ap));
	va_end(ap);
}

void
cfg_warn(struct cfg_errors *e, const config_setting_t *s, const char *fmt,
    ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_add(e, cfg_file(s), cfg_line(s), 1, xvasprintf(fmt, ap));
	va_end(ap);
}

void
cfg_err_at(struct cfg_errors *e, const char *file, int line, int warning,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_add(e, file, line, warning, xvasprintf(fmt, ap));
	va_end(ap);
}

char *
cfg_error_format(const struct cfg_error *x)
{
	const char *kind = x->warning ? "warning" : "error";

	if (x->file != NULL && x->line > 0)
		return xasprintf("%s:%d: %s: %s", x->file, x->line, kind,
		    x->msg);
	if (x->file != NULL)
		return xasprintf("%s: %s: %s", x->file, kind, x->msg);
	return xasprintf("%s: %s", kind, x->msg);
}

const char *
cfg_suggest(const char *name, const char *const *candidates)
{
	const char *best = NULL;
	size_t d, bestd = (size_t)-1, limit;

	limit = strlen(name) <= 4 ? 1 : strlen(name) / 3 + 1;
	for (; *candidates != NULL; candidates++) {
		d = util_levenshtein(name, *candidates);
		if (d < bestd) {
			bestd = d;
			best = *candidates;
		}
	}
	return bestd <= limit ? best : NULL;
}

int
cfg_check_keys(struct cfg_errors *e, const config_setting_t *group,
    const char *const *allowed, const char *what)
{
	const config_setting_t *m;
	const char *name, *const *a, *sugg;
	int i, n, unknown = 0;

	if (group == NULL || !config_setting_is_group(group))
		return 0;
	n = config_setting_length(group);
	for (i = 0; i < n; i++) {
		m = config_setting_get_elem(group, (unsigned int)i);
		name = config_setting_name(m);
		if (name == NULL)
			continue;
		for (a = allowed; *a != NULL; a++)
			if (strcmp(*a, name) == 0)
				break;
		if (*a != NULL)
			continue;
		unknown++;
		sugg = cfg_suggest(name, allowed);
		if (sugg != NULL)
			cfg_err(e, m, "unknown key '%s' in %s (did you mean "
			    "'%s'?)", name, what, sugg);
		else
			cfg_err(e, m, "unknown key '%s' in %s", name, what);
	}
	return unknown;
}

static const char *
type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a number";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	case CONFIG_TYPE_GROUP:
		return "a group";
	default:
		return "a setting";
	}
}

static const config_setting_t *
member(struct cfg_errors *e, const config_setting_t *group, const char *key,
    int required)
{
	const config_setting_t *s;

	s = group != NULL ? config_setting_get_member(group, key) : NULL;
	if (s == NULL && required)
		cfg_err(e, group, "missing required key '%s'", key);
	return s;
}

int
cfg_str(struct cfg_errors *e, const config_setting_t *group, const char *key,
    int required, char **out)
{
	const config_setting_t *s = member(e, group, key, required);
	const char *v;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfg_err(e, s, "'%s' must be a string, not %s", key,
		    type_name(config_setting_type(s)));
		return -1;
	}
	v = config_setting_get_string(s);
	*out = xstrdup(v != NULL ? v : "");
	return 1;
}

int
cfg_name(struct cfg_errors *e, const config_setting_t *group, const char *key,
    int required, char **out)
{
	const char *why;
	int r;

	if ((r = cfg_str(e, group, key, required, out)) != 1)
		return r;
	if ((why = sanitize_name_problem(*out)) == NULL)
		return 1;
	cfg_err(e, config_setting_get_member(group, key), "'%s' must be "
	    "printable text: it holds %s", key, why);
	free(*out);
	*out = NULL;
	return -1;
}

int
cfg_int(struct cfg_errors *e, const config_setting_t *group, const char *key,
    int required, long long min, long long max, long long *out)
{
	const config_setting_t *s = member(e, group, key, required);
	long long v;

	if (s == NULL)
		return 0;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		v = config_setting_get_int(s);
		break;
	case CONFIG_TYPE_INT64:
		v = config_setting_get_int64(s);
		break;
	default:
		cfg_err(e, s, "'%s' must be an integer, not %s", key,
		    type_name(config_setting_type(s)));
		return -1;
	}
	if (v < min || v > max) {
		cfg_err(e, s, "'%s' is %lld, must be between %lld and %lld",
		    key, v, min, max);
		return -1;
	}
	*out = v;
	return 1;
}

int
cfg_double(struct cfg_errors *e, const config_setting_t *group,
    const char *key, int required, double *out)
{
	const config_setting_t *s = member(e, group, key, required);

	if (s == NULL)
		return 0;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		*out = config_setting_get_int(s);
		return 1;
	case CONFIG_TYPE_INT64:
		*out = (double)config_setting_get_int64(s);
		return 1;
	case CONFIG_TYPE_FLOAT:
		*out = config_setting_get_float(s);
		return 1;
	default:
		cfg_err(e, s, "'%s' must be a number, not %s", key,
		    type_name(config_setting_type(s)));
		return -1;
	}
}

int
cfg_bool(struct cfg_errors *e, const config_setting_t *group, const char *key,
    int required, int *out)
{
	const config_setting_t *s = member(e, group, key, required);

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		cfg_err(e, s, "'%s' must be true or false, not %s", key,
		    type_name(config_setting_type(s)));
		return -1;
	}
	*out = config_setting_get_bool(s);
	return 1;
}

/*
 * A duration at s in milliseconds: a string for util_parse_duration_ms or
 * a number of seconds.  Every duration key reports a bad value with this
 * one message.
 */
static int
duration_value(struct cfg_errors *e, const config_setting_t *s,
    const char *key, double *ms)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		*ms = (double)config_setting_get_int64(s) * 1000.0;
		return 0;
	case CONFIG_TYPE_FLOAT:
		*ms = config_setting_get_float(s) * 1000.0;
		if (isfinite(*ms) && *ms >= 0)
			return 0;
		break;
	case CONFIG_TYPE_STRING:
		if (util_parse_duration_ms(config_setting_get_string(s), ms)
		    == 0)
			return 0;
		cfg_err(e, s, "'%s' is not a duration: \"%s\" (use e.g. "
		    UTIL_DURATION_EXAMPLES ")", key,
		    config_setting_get_string(s));
		return -1;
	default:
		break;
	}
	cfg_err(e, s, "'%s' is not a duration: use a string such as "
	    UTIL_DURATION_EXAMPLES ", or a number of seconds", key);
	return -1;
}

/* A limit in words: "100ms", "1s", "1d", "ten years". */
static void
duration_words(double ms, char *buf, size_t len)
{
	if (ms >= CFG_DURATION_MAX_MS)
		snprintf(buf, len, "ten years");
	else if (ms < 1000 || fmod(ms, 1000) != 0)
		snprintf(buf, len, "%gms", ms);
	else if (fmod(ms, 86400000) == 0)
		snprintf(buf, len, "%gd", ms / 86400000);
	else
		snprintf(buf, len, "%gs", ms / 1000);
}

int
cfg_duration_ms(struct cfg_errors *e, const config_setting_t *group,
    const char *key, double min, double max, double *out)
{
	const config_setting_t *s = config_setting_get_member(group, key);
	char lo[32], hi[32];
	double v;

	if (s == NULL)
		return 0;
	if (duration_value(e, s, key, &v) != 0)
		return -1;
	if (v < min || v > max) {
		duration_words(min, lo, sizeof lo);
		duration_words(max, hi, sizeof hi);
		cfg_err(e, s, "'%s' is out of range (at least %s, at most %s)",
		    key, lo, hi);
		return -1;
	}
	*out = v;
	return 1;
}

int
cfg_duration(struct cfg_errors *e, const config_setting_t *group,
    const char *key, int required, long long min, long long *out)
{
	const config_setting_t *s = member(e, group, key, required);
	double ms;

	if (s == NULL)
		return 0;
	if (cfg_duration_ms(e, group, key, (double)min * 1000.0,
	    CFG_DURATION_MAX_MS, &ms) != 1)
		return -1;
	*out = (long long)ceil(ms / 1000.0);
	return 1;
}

void
cfg_strlist_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int
cfg_strlist(struct cfg_errors *e, const config_setting_t *group,
    const char *key, int required, char ***out, size_t *nout)
{
	const config_setting_t *s = member(e, group, key, required), *el;
	char **v;
	int i, n;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		v = xcalloc(1, sizeof *v);
		v[0] = xstrdup(config_setting_get_string(s));
		*out = v;
		*nout = 1;
		return 1;
	}
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST) {
		cfg_err(e, s, "'%s' must be a list of strings, not %s", key,
		    type_name(config_setting_type(s)));
		return -1;
	}
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		el = config_setting_get_elem(s, (unsigned int)i);
		if (config_setting_type(el) != CONFIG_TYPE_STRING) {
			cfg_err(e, el, "'%s' must hold only strings; item %d "
			    "is %s", key, i + 1,
			    type_name(config_setting_type(el)));
			return -1;
		}
	}
	v = xcalloc((size_t)n + 1, sizeof *v);
	for (i = 0; i < n; i++)
		v[i] = xstrdup(config_setting_get_string(
		    config_setting_get_elem(s, (unsigned int)i)));
	*out = v;
	*nout = (size_t)n;
	return 1;
}

const config_setting_t *
cfg_list(struct cfg_errors *e, const config_setting_t *group, const char *key)
{
	const config_setting_t *s;

	s = group != NULL ? config_setting_get_member(group, key) : NULL;
	if (s == NULL)
		return NULL;
	if (config_setting_type(s) != CONFIG_TYPE_LIST &&
	    config_setting_type(s) != CONFIG_TYPE_ARRAY) {
		cfg_err(e, s, "'%s' must be a list ( ... ), not %s", key,
		    type_name(config_setting_type(s)));
		return NULL;
	}
	return s;
}

void
cfg_each_group(struct cfg_errors *e, const config_setting_t *group,
    const char *key, const char *shape,
    void (*fn)(struct cfg_errors *, const config_setting_t *, void *),
    void *arg)
{
	const config_setting_t *list, *el;
	int i, n;

	list = cfg_list(e, group, key);
	if (list == NULL)
		return;
	n = config_setting_length(list);
	for (i = 0; i < n; i++) {
		el = config_setting_get_elem(list, (unsigned int)i);
		if (!config_setting_is_group(el))
			cfg_err(e, el, "each entry of '%s' must be a group %s",
			    key, shape);
		else
			fn(e, el, arg);
	}
}

char *
cfg_expand_home(const char *path)
{
	const char *home;

	if (path[0] != '~' || (path[1] != '/' && path[1] != '\0'))
		return xstrdup(path);
	home = getenv("HOME");
	if (home == NULL || *home == '\0')
		home = "/";
	return xasprintf("%s%s", home, path + 1);
}

/* Parses a size such as 65536, "64k", "64KiB", "1M", "1MiB". */
int
cfg_size(struct cfg_errors *e, const config_setting_t *g, const char *key,
    long long min, long long max, long long *out)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	const char *str;
	char *end;
	long long v, unit = 1;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return cfg_int(e, g, key, 0, min, max, out);
	str = config_setting_get_string(s);
	errno = 0;
	v = strtoll(str, &end, 10);
	if (end == str || errno != 0 || v < 0)
		goto bad;
	if (*end == 'k' || *end == 'K')
		unit = 1024;
	else if (*end == 'M')
		unit = 1024 * 1024;
	else if (*end == 'G')
		unit = 1024 * 1024 * 1024;
	else if (*end != '\0')
		goto bad;
	if (*end != '\0') {
		end++;
		if (strcmp(end, "iB") != 0 && strcmp(end, "B") != 0 &&
		    *end != '\0')
			goto bad;
	}
	if (v > max / unit || v * unit < min) {
		cfg_err(e, s, "'%s' is out of range (%lld to %lld bytes)",
		    key, min, max);
		return -1;
	}
	*out = v * unit;
	return 1;
bad:
	cfg_err(e, s, "'%s' is not a size: \"%s\" (use e.g. 65536, \"64k\" "
	    "or \"1MiB\")", key, str);
	return -1;
}

char *
cfg_resolve_path(const config_setting_t *s, const char *file,
    const char *path)
{
	char *p = cfg_expand_home(path), *copy, *abs, real[PATH_MAX];
	const char *from = cfg_file(s) != NULL ? cfg_file(s) : file;

	if (p[0] == '/' || p[0] == '\0' || from == NULL)
		return p;
	copy = xstrdup(from);
	if (realpath(dirname(copy), real) == NULL) {
		free(copy);
		return p;	/* as written: the error names it */
	}
	free(copy);
	abs = xasprintf("%s/%s", real, p);
	free(p);
	return abs;
}
