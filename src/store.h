/* The team store: where the journal, run locks, debt items, outbox and
 * agent leadership live, the state directory's files (the default) or a
 * PostgreSQL database shared by a team (settings.store). */
#ifndef MAINTOP_STORE_H
#define MAINTOP_STORE_H

#include <libconfig.h>

#include "cfgutil.h"

/*
 * settings.store: the PostgreSQL database of a team.  Absent from the
 * configuration, the store is the state directory's files.
 */
struct store_conf {
	char	*conninfo;	/* libpq's, never holding a password */
	char	*password_env;	/* the variable holding it, or NULL:
				 * ~/.pgpass, $PGPASSFILE or the service */
};

/*
 * Parses settings.store (s is the member, NULL when absent: *out stays
 * NULL).  Problems (not a group, an unknown key, no conninfo, a conninfo
 * libpq cannot parse or that holds a password, a bad password_env) go to
 * errs with file and line.  *out is set only when the group is valid; the
 * caller frees it with store_conf_free.
 */
void store_conf_parse(struct cfg_errors *errs, const config_setting_t *s,
    struct store_conf **out);
void store_conf_free(struct store_conf *);

#endif
