/* The statistics statement of the PostgreSQL probe and the reading of its
 * one row into a sample's figures. */
#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_stats.h"
#include "probe.h"
#include "util.h"

static void pg_stats_table(struct sample *, const PGresult *, int,
    const char *, int);

/*
 * Prepared once per connection and run after "SELECT 1", whose round trip
 * alone is the query latency.  One statement, each statistics view read
 * once: parsing and planning these views costs the server more than
 * running them, hence the prepared statement.  Everything a role without
 * pg_monitor cannot see comes back NULL and is shown as unavailable, never
 * as an error; column 13 says whether the role can see other sessions.
 * Columns 15-17: the table least recently vacuumed, 18-19: analyzed.
 */
const char pg_stats_sql[] =
    "WITH a AS (SELECT"
    "  count(*) FILTER (WHERE backend_type = 'client backend') AS conns,"
    "  extract(epoch FROM max(clock_timestamp() - xact_start) FILTER"
    "   (WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid()"
    "   AND backend_type = 'client backend'))::float8 AS xact,"
    "  extract(epoch FROM max(clock_timestamp() - query_start) FILTER"
    "   (WHERE state = 'active' AND pid <> pg_backend_pid()"
    "   AND backend_type = 'client backend'))::float8 AS query"
    "  FROM pg_stat_activity),"
    " r AS (SELECT extract(epoch FROM max(replay_lag))::float8 AS lag,"
    "  count(*)::int8 AS n FROM pg_stat_replication),"
    " t AS MATERIALIZED (SELECT schemaname || '.' || relname AS name,"
    "  greatest(last_vacuum, last_autovacuum) AS vac,"
    "  greatest(last_analyze, last_autoanalyze) AS ana,"
    "  n_dead_tup, n_live_tup, n_mod_since_analyze"
    "  FROM pg_stat_user_tables),"
    " v AS (SELECT name, extract(epoch FROM now() - vac)::float8 AS age,"
    "  n_dead_tup::float8 / nullif(n_live_tup + n_dead_tup, 0) AS ratio"
    "  FROM t ORDER BY vac ASC NULLS FIRST, n_dead_tup DESC LIMIT 1),"
    " z AS (SELECT name, extract(epoch FROM now() - ana)::float8 AS age"
    "  FROM t ORDER BY ana ASC NULLS FIRST, n_mod_since_analyze DESC"
    "  LIMIT 1)"
    " SELECT current_setting('server_version'),"
    " extract(epoch FROM now() - pg_postmaster_start_time())::float8,"
    " a.conns::int8,"
    " current_setting('max_connections')::int8,"
    " pg_is_in_recovery(),"
    " CASE WHEN pg_is_in_recovery() THEN extract(epoch FROM now() -"
    "  pg_last_xact_replay_timestamp())::float8 END,"
    " r.lag, r.n,"
    " (SELECT max(age(datfrozenxid)) FROM pg_database)::int8,"
    " a.xact, a.query,"
    " pg_database_size(current_database())::int8,"
    " current_database(),"
    " coalesce((SELECT rolsuper FROM pg_roles"
    "  WHERE rolname = current_user), false) OR"
    "  pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER'),"
    " (SELECT max(n_dead_tup::float8 / (n_live_tup + n_dead_tup))"
    "  FROM t WHERE n_live_tup + n_dead_tup >= 1000),"
    " v.name, v.age, v.ratio, z.name, z.age"
    " FROM a CROSS JOIN r LEFT JOIN v ON true LEFT JOIN z ON true";

/* A column as a number; NULL, or anything but a finite number, is null. */
static double
pg_stats_num(const PGresult *r, int row, int col, int *null)
{
	const char *s = PQgetvalue(r, row, col);
	char *end;
	double v;

	*null = 1;
	if (PQgetisnull(r, row, col))
		return 0;
	v = strtod(s, &end);
	if (end == s || !isfinite(v))
		return 0;
	*null = 0;
	return v;
}

/*
 * A figure about other sessions, which a role without pg_monitor sees only
 * for its own sessions: a figure from that subset would look like the
 * truth, so it is unavailable.  With pg_monitor, NULL means 0.
 */
static void
pg_stats_fig(struct sample *s, int can_stats, const PGresult *r, int col,
    const char *name, const char *unit)
{
	int null;
	double v = pg_stats_num(r, 0, col, &null);

	if (!can_stats)
		sample_add_unavailable(s, name, "needs pg_monitor");
	else
		sample_add_num(s, name, v, unit);
}

void
pg_stats_read(struct sample *s, const PGresult *r)
{
	double conns, maxc, v;
	double replicas;
	int null, standby, can_stats;
	const char *ver;
	char lat[32];

	if (PQntuples(r) != 1 || PQnfields(r) < 20) {
		sample_fail(s, STATE_UNKNOWN, "unexpected reply to the "
		    "statistics query");
		return;
	}
	can_stats = strcmp(PQgetvalue(r, 0, 13), "t") == 0;
	ver = PQgetvalue(r, 0, 0);
	sample_add_str(s, "version", ver);
	sample_add_num(s, "uptime", pg_stats_num(r, 0, 1, &null), "s");
	conns = pg_stats_num(r, 0, 2, &null);
	maxc = pg_stats_num(r, 0, 3, &null);
	sample_add_num(s, "connections", conns, "");
	sample_add_num(s, "max_connections", maxc, "");
	if (maxc > 0)
		sample_add_num(s, "connections_pct", 100.0 * conns / maxc,
		    "%");
	standby = strcmp(PQgetvalue(r, 0, 4), "t") == 0;
	sample_add_str(s, "role", standby ? "standby" : "primary");
	replicas = pg_stats_num(r, 0, 7, &null);
	if (standby) {
		v = pg_stats_num(r, 0, 5, &null);
		if (null)
			sample_add_unavailable(s, "replication_lag",
			    "nothing replayed yet");
		else
			sample_add_num(s, "replication_lag", v, "s");
	} else {
		sample_add_num(s, "replicas", replicas, "");
		if (replicas > 0)
			pg_stats_fig(s, can_stats, r, 6, "replication_lag", "s");
	}
	v = pg_stats_num(r, 0, 8, &null);
	if (!null)
		sample_add_num(s, "xid_age", v, "");
	pg_stats_fig(s, can_stats, r, 9, "oldest_xact", "s");
	pg_stats_fig(s, can_stats, r, 10, "longest_query", "s");
	v = pg_stats_num(r, 0, 11, &null);
	if (!null)
		sample_add_num(s, "db_size", v, "B");
	sample_add_str(s, "database", PQgetvalue(r, 0, 12));
	v = pg_stats_num(r, 0, 14, &null);
	sample_add_num(s, "dead_ratio", null ? 0 : v, "");
	pg_stats_table(s, r, 15, "vacuum", 1);
	pg_stats_table(s, r, 18, "analyze", 0);
	util_format_quantity(s->latency_ms, "ms", lat, sizeof lat);
	sample_set_msg(s, "PostgreSQL %s %s, %.0f/%.0f connections, query "
	    "%s", ver, standby ? "standby" : "primary", conns, maxc, lat);
}

/* The least recently vacuumed or analyzed table, from columns col... */
static void
pg_stats_table(struct sample *s, const PGresult *r, int col,
    const char *what, int with_ratio)
{
	char name[64];
	int null;
	double v;

	snprintf(name, sizeof name, "%s_oldest", what);
	if (PQgetisnull(r, 0, col)) {
		sample_add_str(s, name, "(no tables)");
		return;
	}
	sample_add_str(s, name, PQgetvalue(r, 0, col));
	snprintf(name, sizeof name, "%s_age", what);
	v = pg_stats_num(r, 0, col + 1, &null);
	if (null)
		sample_add_str(s, name, "never");
	else
		sample_add_num(s, name, v, "s");
	if (with_ratio) {
		snprintf(name, sizeof name, "%s_dead_ratio", what);
		v = pg_stats_num(r, 0, col + 2, &null);
		if (!null)
			sample_add_num(s, name, v, "");
	}
}
