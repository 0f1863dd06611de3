/* The private parts shared by the files that parse health checks: the
 * common keys and thresholds (check.c), HTTP checks (check_http.c) and
 * their headers (check_headers.c), PostgreSQL and Redis checks
 * (check_db.c). */
#ifndef MAINTOP_CHECK_PRIV_H
#define MAINTOP_CHECK_PRIV_H

#include <math.h>

#include "cfgutil.h"
#include "check.h"
#include "range.h"

/* A threshold a check type accepts as NAME_warn and NAME_crit. */
struct threshold_spec {
	const char	*name;
	int		 duration;	/* value is a duration, stored in s */
	int		 lower_worse;
	int		 has_default;
	double		 warn;
	double		 crit;
	double		 min;		/* the values the figure can take */
	double		 max;
};

#define ANY	INFINITY

/*
 * A threshold at key: a number (seconds for a duration) is a plain limit,
 * a string a range (range.h) whose ends are numbers or durations.  Same
 * return convention as the cfg_* lookups.
 */
int check_cfg_range(struct cfg_errors *e, const config_setting_t *g,
    const char *key, enum range_unit unit, int lower_worse,
    struct range *out);

/*
 * Refuses a warning and critical pair that can never warn or never go
 * critical (what names them in the message), at the line of the later of
 * the two keys wkey and ckey.
 */
void check_pair(struct cfg_errors *e, const config_setting_t *g,
    const char *wkey, const char *ckey, const char *what,
    const struct range *warn, const struct range *crit, double min,
    double max);

/* Adds to c every threshold of specs (ended by a NULL name), each read
 * from NAME_warn and NAME_crit of g or left at its default. */
void check_parse_thresholds(struct cfg_errors *e, const config_setting_t *g,
    struct check *c, const struct threshold_spec *specs);

/* The threshold of c named name (it must exist), to change. */
struct check_threshold *check_threshold_mut(struct check *c,
    const char *name);

/* Replaces "~/x" in *path by the user's home, as the shell does. */
void check_home_path(char **path);

/*
 * Checks at load time a file that holds a secret (password_file,
 * value_file, client_key) named by key s: a regular file that group and
 * others cannot read or write.  It is checked again when it is read.
 */
void check_private_file(struct cfg_errors *e, const config_setting_t *s,
    const char *key, const char *file);

/*
 * The plain headers of g into h: each "Name: value" on one line; a header
 * that carries a secret (Authorization, Cookie, ...) is refused with a
 * pointer to secret_headers.  The value is never quoted in a message.
 */
void check_headers_parse(struct cfg_errors *e, const config_setting_t *g,
    struct check_http *h);

/* Each kind's own keys of g into c; main_file is the main configuration
 * file, against which an http check's relative TLS files resolve. */
void check_http_parse(struct cfg_errors *e, const config_setting_t *g,
    struct check *c, const char *main_file);
void check_pg_parse(struct cfg_errors *e, const config_setting_t *g,
    struct check *c);
void check_redis_parse(struct cfg_errors *e, const config_setting_t *g,
    struct check *c);

#endif
