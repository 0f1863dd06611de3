/* The keys of PostgreSQL and Redis checks: where to connect, where the
 * password is read from (never the password itself), and the thresholds. */
#include "check.h"

#include <libpq-fe.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_priv.h"


static const struct threshold_spec pg_thresholds[] = {
	{ "latency", 1, 0, 0, 0, 0, 0, ANY },
	{ "connections_pct", 0, 0, 1, 80, 95, 0, 100 },
	{ "replication_lag", 1, 0, 0, 0, 0, 0, ANY },
	{ "xid_age", 0, 0, 1, 500000000.0, 1000000000.0, 0, ANY },
	{ "dead_ratio", 0, 0, 0, 0, 0, 0, 1 },
	{ "longest_query", 1, 0, 0, 0, 0, 0, ANY },
	{ "oldest_xact", 1, 0, 0, 0, 0, 0, ANY },
	{ NULL, 0, 0, 0, 0, 0, 0, 0 }
};

static const struct threshold_spec redis_thresholds[] = {
	{ "latency", 1, 0, 0, 0, 0, 0, ANY },
	{ "memory_pct", 0, 0, 1, 80, 95, 0, ANY },
	{ "fragmentation", 0, 0, 0, 0, 0, 0, ANY },
	{ "last_save_age", 1, 0, 0, 0, 0, 0, ANY },
	{ "slowlog_len", 0, 0, 0, 0, 0, 0, ANY },
	{ "rejected_connections", 0, 0, 0, 0, 0, 0, ANY },
	{ "evicted_keys", 0, 0, 0, 0, 0, 0, ANY },
	{ NULL, 0, 0, 0, 0, 0, 0, 0 }
};


static const char secret_help[] =
    "passwords are never written in the configuration: use password_env "
    "(the name of an environment variable) or password_file (a file "
    "readable only by you, mode 0600)";

/* Validates password_env and password_file at load time. */
static void
parse_secret(struct cfg_errors *e, const config_setting_t *g,
    char **env, char **file)
{
	const config_setting_t *s;

	if ((s = config_setting_get_member(g, "password")) != NULL)
		cfg_err(e, s, "'password' is not allowed: %s%s", secret_help,
		    config_setting_get_member(g, "conninfo") != NULL ?
		    "; PostgreSQL also reads ~/.pgpass and the service file" :
		    "");
	if (cfg_str(e, g, "password_env", 0, env) == 1)
		check_secret_env(e, config_setting_get_member(g,
		    "password_env"), "password_env", *env);
	if (cfg_str(e, g, "password_file", 0, file) == 1) {
		s = config_setting_get_member(g, "password_file");
		check_home_path(file);
		if (*env != NULL)
			cfg_err(e, s, "use either password_env or "
			    "password_file, not both");
		check_private_file(e, s, "password_file", *file);
	}
}

/*
 * Whether a conninfo that libpq cannot parse may hold a password: a
 * "password" keyword, or a URI with a colon and an @ after its "://"
 * (postgresql://user:secret@host).
 */
static int
conninfo_may_hold_password(const char *ci)
{
	const char *p;

	if (strcasestr(ci, "password") != NULL)
		return 1;
	/* Any colon with an @ after it: whatever a parser takes for the
	 * user part, it may hold a password. */
	if ((p = strstr(ci, "://")) == NULL || (p = strchr(p + 3, ':')) == NULL)
		return 0;
	return strchr(p, '@') != NULL;
}

void
check_conninfo_validate(struct cfg_errors *e, const config_setting_t *s,
    const char *conninfo, int one_host)
{
	PQconninfoOption *opts, *o;
	char *err = NULL;

	opts = PQconninfoParse(conninfo, &err);
	if (opts == NULL && conninfo_may_hold_password(conninfo))
		/* libpq's message may quote the password. */
		cfg_err(e, s, "'conninfo' is not valid, and it seems to hold "
		    "a password: %s", secret_help);
	else if (opts == NULL)
		cfg_err(e, s, "'conninfo' is not valid: %s",
		    err != NULL ? err : "out of memory");
	if (opts == NULL) {
		PQfreemem(err);
		return;
	}
	for (o = opts; o->keyword != NULL; o++) {
		if (o->val == NULL || *o->val == '\0')
			continue;
		if (strcmp(o->keyword, "password") == 0)
			cfg_err(e, s, "'conninfo' holds a password: %s; "
			    "PostgreSQL also reads ~/.pgpass and the service "
			    "file", secret_help);
		if (one_host && strcmp(o->keyword, "host") == 0 &&
		    strchr(o->val, ',') != NULL)
			cfg_err(e, s, "'conninfo': one host per check (make "
			    "one check per server)");
	}
	PQconninfoFree(opts);
}

void
check_pg_parse(struct cfg_errors *e, const config_setting_t *g,
    struct check *c)
{
	struct check_pg *p = &c->pg;

	cfg_str(e, g, "conninfo", 0, &p->conninfo);
	cfg_str(e, g, "service", 0, &p->service);
	if (p->conninfo == NULL && p->service == NULL)
		cfg_err(e, g, "postgres check '%s' needs 'conninfo' (e.g. "
		    "\"host=db1 dbname=app user=monitor\") or 'service'",
		    c->name != NULL ? c->name : "?");
	if (p->conninfo != NULL)
		check_conninfo_validate(e, config_setting_get_member(g,
		    "conninfo"), p->conninfo, 1);
	parse_secret(e, g, &p->password_env, &p->password_file);
	check_parse_thresholds(e, g, c, pg_thresholds);
}

void
check_redis_parse(struct cfg_errors *e, const config_setting_t *g,
    struct check *c)
{
	struct check_redis *r = &c->redis;
	long long v;

	if (cfg_str(e, g, "host", 0, &r->host) != 1)
		r->host = xstrdup("127.0.0.1");
	else if (*r->host == '\0' || strpbrk(r->host, " /\t\r\n") != NULL)
		cfg_err(e, config_setting_get_member(g, "host"),
		    "'host' must be a host name or address");
	r->port = 6379;
	if (cfg_int(e, g, "port", 0, 1, 65535, &v) == 1)
		r->port = (int)v;
	if (cfg_int(e, g, "db", 0, 0, 100000, &v) == 1)
		r->db = (int)v;
	cfg_str(e, g, "user", 0, &r->user);
	parse_secret(e, g, &r->password_env, &r->password_file);
	if (r->user != NULL && r->password_env == NULL &&
	    r->password_file == NULL)
		cfg_err(e, config_setting_get_member(g, "user"), "'user' "
		    "needs password_env or password_file");
	check_parse_thresholds(e, g, c, redis_thresholds);
	r->frag_min_used = CHECK_FRAG_MIN_USED;
	cfg_size(e, g, "fragmentation_min_used", 0, 1LL << 50,
	    &r->frag_min_used);
}
