/* The PostgreSQL store's schema: its versions and the migrations between
 * them, each in one transaction. */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg.h"
#include "util.h"

/* The advisory lock that migrations take inside their transaction. */
#define STORE_PG_MIGRATE_KEY	"7021382944451612672"	/* "maintop\0" */

/*
 * The migrations, in order: migrations[i] takes the schema from version i
 * to i + 1.  One never changes once released; a change is a new one.
 */
static const char *const migrations[STORE_PG_SCHEMA] = {
	/* 1: the journal, run locks' holders, debt items. */
	"CREATE SCHEMA IF NOT EXISTS maintop;"
	"CREATE TABLE maintop.schema_version ("
	"  version integer PRIMARY KEY,"
	"  applied_at timestamptz NOT NULL DEFAULT now(),"
	"  applied_by text NOT NULL DEFAULT current_user);"
	/* The records of the file journal, each its JSON text as written. */
	"CREATE TABLE maintop.journal ("
	"  seq bigserial PRIMARY KEY,"
	"  id text NOT NULL UNIQUE,"
	"  type text, run text, runbook text, actor text,"
	"  at timestamptz NOT NULL DEFAULT now(),"
	"  record json NOT NULL);"
	"CREATE INDEX journal_runbook ON maintop.journal (runbook, seq);"
	"CREATE INDEX journal_run ON maintop.journal (run, seq);"
	/* Who holds a run lock: the lock itself is an advisory lock of the
	 * holder's session (backend_pid), so a row whose session is gone
	 * holds nothing. */
	"CREATE TABLE maintop.run_locks ("
	"  runbook text PRIMARY KEY,"
	"  lock_key bigint NOT NULL,"
	"  run text, usr text NOT NULL, host text NOT NULL, tty text,"
	"  pid integer NOT NULL, backend_pid integer NOT NULL,"
	"  started_at timestamptz NOT NULL DEFAULT now());"
	/* One debt item a row, as the debt file writes it; version counts
	 * its changes (a change from a stale version is refused). */
	"CREATE TABLE maintop.debt_items ("
	"  id text PRIMARY KEY,"
	"  seq bigserial NOT NULL,"
	"  version bigint NOT NULL DEFAULT 1,"
	"  item text NOT NULL,"
	"  updated_at timestamptz NOT NULL DEFAULT now(),"
	"  updated_by text NOT NULL DEFAULT current_user);"
	"CREATE TABLE maintop.meta ("
	"  key text PRIMARY KEY, value text NOT NULL);",

	/* 2: the notification outbox and the agents' heartbeats. */
	"CREATE TABLE maintop.outbox ("
	"  id text NOT NULL, channel text NOT NULL,"
	"  event json NOT NULL,"
	"  attempts integer NOT NULL DEFAULT 0,"
	"  due_at timestamptz NOT NULL DEFAULT now(),"
	"  state text NOT NULL DEFAULT 'waiting'"
	"    CHECK (state IN ('waiting', 'sent', 'failed')),"
	"  PRIMARY KEY (id, channel));"
	"CREATE TABLE maintop.agent_heartbeat ("
	"  agent text PRIMARY KEY,"
	"  host text NOT NULL, pid integer NOT NULL, backend_pid integer,"
	"  leader boolean NOT NULL DEFAULT false,"
	"  started_at timestamptz NOT NULL DEFAULT now(),"
	"  seen_at timestamptz NOT NULL DEFAULT now());",

	/* 3: the agents' shared state, one document a row: the holds on
	 * autoruns, what was told of the debt list, the leader's status. */
	"CREATE TABLE maintop.agent_state ("
	"  name text PRIMARY KEY,"
	"  doc text NOT NULL,"
	"  updated_at timestamptz NOT NULL DEFAULT now(),"
	"  updated_by text NOT NULL DEFAULT current_user);",

	/* 4: an agent claims an outbox row before sending it, so that no
	 * other agent sends it meanwhile; a claim ends (claimed_until) so
	 * that a dead claimer's rows are sent by the next agent. */
	"ALTER TABLE maintop.outbox ADD COLUMN claimed_by text,"
	"  ADD COLUMN claimed_until timestamptz;",
};

int
store_pg_version(PGconn *conn, int *version, char **cause)
{
	PGresult *res;
	long v = -1;
	char *end;

	*version = 0;
	res = store_pg_exec(conn, "SELECT to_regclass('maintop.schema_version')"
	    " IS NOT NULL", 0, NULL, cause);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		PQclear(res);
		return 0;
	}
	PQclear(res);
	res = store_pg_exec(conn, "SELECT coalesce(max(version), 0) FROM "
	    "maintop.schema_version", 0, NULL, cause);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 1) {
		v = strtol(PQgetvalue(res, 0, 0), &end, 10);
		if (*end != '\0' || v > 1000000)
			v = -1;
	}
	PQclear(res);
	if (v < 0) {
		*cause = xstrdup("maintop.schema_version holds no version");
		return -1;
	}
	*version = (int)v;
	return 0;
}

/* Applies migration v (to version v + 1) unless another maintop did. */
static int
store_pg_apply(PGconn *conn, int v, int *applied, char **cause)
{
	char num[16], *why = NULL;
	const char *p[1] = { num };
	int now;

	*applied = 0;
	if (store_pg_run(conn, "BEGIN", 0, NULL, cause) != 0)
		return -1;
	if (store_pg_run(conn, "SELECT pg_advisory_xact_lock("
	    STORE_PG_MIGRATE_KEY ")", 0, NULL, cause) != 0 ||
	    store_pg_version(conn, &now, cause) != 0)
		goto fail;
	if (now > v) {
		store_pg_run(conn, "COMMIT", 0, NULL, &why);
		free(why);
		return 0;
	}
	if (v < 0 || v >= STORE_PG_SCHEMA) {
		*cause = xasprintf("no migration from version %d", v);
		goto fail;
	}
	snprintf(num, sizeof num, "%d", v + 1);
	if (store_pg_run(conn, migrations[v], 0, NULL, cause) != 0 ||
	    store_pg_run(conn, "INSERT INTO maintop.schema_version (version) "
	    "VALUES ($1::integer)", 1, p, cause) != 0 ||
	    store_pg_run(conn, "COMMIT", 0, NULL, cause) != 0)
		goto fail;
	*applied = 1;
	return 0;
fail:
	store_pg_run(conn, "ROLLBACK", 0, NULL, &why);
	free(why);
	return -1;
}

int
store_pg_migrate(PGconn *conn, int to, int *from, char **cause)
{
	int v, applied, n = 0;
	char *why;

	if (store_pg_version(conn, from, cause) != 0)
		return -1;
	if (*from > STORE_PG_SCHEMA) {
		*cause = xasprintf("the store's schema is version %d, newer "
		    "than this maintop's (%d): upgrade maintop", *from,
		    STORE_PG_SCHEMA);
		return -1;
	}
	for (v = *from; v < to; v++) {
		if (store_pg_apply(conn, v, &applied, &why) != 0) {
			*cause = xasprintf("migration to version %d: %s",
			    v + 1, why);
			free(why);
			return -1;
		}
		n += applied;
	}
	return n;
}
