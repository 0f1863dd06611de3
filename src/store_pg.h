/* The PostgreSQL store's connection for the line modes: connecting with
 * the password kept out of argv and messages, server notices sanitized,
 * errors that say what to do (store_pg.c); the schema's versions
 * (store_schema.c); import and export (store_move.c). */
#ifndef MAINTOP_STORE_PG_H
#define MAINTOP_STORE_PG_H

#include <libpq-fe.h>

struct store_conf;

/*
 * Connects to the store (blocking: for line modes, never on the
 * dashboard's loop).  The password comes from conf->password_env when set,
 * as maintop started (childenv_get: safe on any thread; wiped from our
 * copy once libpq has it), else libpq finds it (~/.pgpass, $PGPASSFILE,
 * the service file); it is never on a command line or in a message.
 * Server notices and warnings go to stderr sanitized, as
 * "maintop: store: WARNING: ...".  Returns the connection (the caller ends
 * it with PQfinish), or NULL with *cause set (the caller frees it).
 */
PGconn *store_pg_connect(const struct store_conf *conf, char **cause);

/* From now on server notices are dropped, not written to stderr: for the
 * dashboard, whose terminal belongs to curses. */
void store_pg_quiet(void);

/*
 * What went wrong, on one sanitized line: the server's primary message of
 * res (or the connection's message when res is NULL), with a pointer to the
 * roles when the role may not write (SQLSTATE 42501 or 25006).  The caller
 * frees it.
 */
char *store_pg_error(PGconn *, const PGresult *res);

/*
 * The guard (pg_guard.h) around one libpq call that reads from conn: past
 * 64 MiB the connection is dropped, and store_pg_unguard returns 1 (and
 * store_pg_error then says so).  store_pg_exec and store_pg_get_result
 * guard themselves.
 */
void store_pg_guard(PGconn *);
int store_pg_unguard(void);
/* PQgetResult under the guard. */
PGresult *store_pg_get_result(PGconn *);

/*
 * Runs sql with n text parameters (params may be NULL when n is 0).
 * Returns the result when its status is PGRES_COMMAND_OK or
 * PGRES_TUPLES_OK (the caller PQclears it), or NULL with *cause set from
 * store_pg_error.
 */
PGresult *store_pg_exec(PGconn *, const char *sql, int n,
    const char *const *params, char **cause);
/* store_pg_exec for a command whose rows are not wanted: 0 or -1. */
int store_pg_run(PGconn *, const char *sql, int n, const char *const *params,
    char **cause);

/* The schema version this maintop writes and reads. */
#define STORE_PG_SCHEMA	4

/*
 * The database's schema version: 0 when no maintop schema is there.
 * Returns 0, or -1 with *cause set.
 */
int store_pg_version(PGconn *, int *version, char **cause);
/*
 * Applies the migrations after the database's version up to to (1 to
 * STORE_PG_SCHEMA), each in one transaction that also records it in
 * maintop.schema_version; another maintop migrating at the same time
 * waits, then finds the work done.  *from is the version found.  Returns
 * the number applied, or -1 with *cause set (the failing migration is
 * rolled back, earlier ones stay).
 */
int store_pg_migrate(PGconn *, int to, int *from, char **cause);

/* The channel the journal's new records and the run locks' changes are
 * notified on ("journal RUNBOOK", "lock RUNBOOK"), in their transaction. */
#define STORE_PG_CHANNEL	"maintop"

/*
 * A runbook's second advisory lock, named by $1: the holder of its run
 * lock holds it too, for dashboards to wait on (shared) and so hear when
 * the holder's session ends, however it ends.  Nobody else takes it
 * exclusively, so waiting on it never delays a run lock.
 */
#define STORE_PG_LIVE_KEY \
	"('x' || substr(md5('maintop live ' || $1), 1, 16))::bit(64)::bigint"

/* The advisory lock the leading agent's session holds. */
#define STORE_PG_AGENT_KEY	"7021382944451612674"
/* The advisory lock an import holds for its transaction. */
#define STORE_PG_IMPORT_KEY	"7021382944451612673"

struct config;

/* What an import or export moved. */
struct store_moved {
	long long	journal_read;	/* records read */
	long long	journal_new;	/* of them, not yet in the store */
	long long	journal_skipped; /* lines that are not records */
	long long	debt_read;	/* items read */
	long long	debt_new;	/* of them, not yet in the store */
};

/*
 * Imports state_dir's journal (journal.jsonl.1, then journal.jsonl) and
 * debt file (debt.conf) in one transaction.  A record's id is its text's
 * SHA-256 and the number of identical records before it, so a second
 * import of the same files adds nothing; a debt item already in the store
 * (by id) is left as it is there.  Returns 0 and fills m, or -1 with
 * *cause set and nothing imported.
 */
int store_pg_import(PGconn *, const struct config *, const char *state_dir,
    struct store_moved *m, char **cause);
/*
 * Writes the store's journal to dir/journal.jsonl and its debt items to
 * dir/debt.conf, each replaced atomically (a file is not written when the
 * store holds none), from one snapshot.  Returns 0 and fills m, or -1 with
 * *cause set.
 */
int store_pg_export(PGconn *, const struct config *, const char *dir,
    struct store_moved *m, char **cause);

#endif
