/* The agents' shared state in the team store's table agent_state; see
 * store_doc.h. */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_doc.h"
#include "store_pg.h"
#include "store_priv.h"
#include "util.h"

int
store_has_docs(const struct store *s)
{
	return s->ops == &store_pg_ops;
}

/* The store's connection, held (store_pg_unhold), or NULL with *cause
 * set. */
static PGconn *
doc_hold(struct store *s, char **cause)
{
	if (!store_has_docs(s)) {
		*cause = xstrdup("the agents' state is the state directory's");
		return NULL;
	}
	return store_pg_hold(s, cause);
}

/* The row of name, with conn held.  0, or -1 with *cause set. */
static int
doc_get(PGconn *conn, const char *name, size_t max, const char *lock,
    char **text, size_t *len, char **cause)
{
	char lim[32];
	const char *p[2] = { name, lim };
	PGresult *res;
	char *sql;

	*text = NULL;
	*len = 0;
	snprintf(lim, sizeof lim, "%zu", max);
	sql = xasprintf("SELECT doc FROM maintop.agent_state WHERE name = $1 "
	    "AND octet_length(doc) <= $2::bigint%s", lock);
	res = store_pg_exec(conn, sql, 2, p, cause);
	free(sql);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 1) {
		*len = (size_t)PQgetlength(res, 0, 0);
		*text = xmalloc(*len + 1);
		memcpy(*text, PQgetvalue(res, 0, 0), *len + 1);
	}
	PQclear(res);
	return 0;
}

static int
doc_put(PGconn *conn, const char *name, const char *text, char **cause)
{
	const char *p[2] = { name, text };

	/* Told in the same statement: a dashboard's agent line reads the
	 * document when it changes, never on a timer. */
	return store_pg_run(conn, "WITH up AS (INSERT INTO "
	    "maintop.agent_state (name, doc) VALUES ($1, $2) ON CONFLICT "
	    "(name) DO UPDATE SET doc = excluded.doc, updated_at = now(), "
	    "updated_by = current_user RETURNING name) SELECT pg_notify('"
	    STORE_PG_CHANNEL "', 'doc ' || name) FROM up", 2, p, cause);
}

int
store_doc_read(struct store *s, const char *name, size_t max, char **text,
    size_t *len, char **cause)
{
	PGconn *conn;
	int r;

	*text = NULL;
	*len = 0;
	if ((conn = doc_hold(s, cause)) == NULL)
		return -1;
	r = doc_get(conn, name, max, "", text, len, cause);
	store_pg_unhold(s);
	return r;
}

int
store_doc_write(struct store *s, const char *name, const char *text,
    char **cause)
{
	PGconn *conn;
	int r;

	if ((conn = doc_hold(s, cause)) == NULL)
		return -1;
	r = doc_put(conn, name, text, cause);
	store_pg_unhold(s);
	return r;
}

int
store_doc_update(struct store *s, const char *name, size_t max,
    int (*change)(const char *, size_t, char **, void *, char **),
    void *arg, char **cause)
{
	const char *p[1] = { name };
	char *old = NULL, *text = NULL, *why = NULL;
	size_t len;
	PGconn *conn;
	int r = -1;

	if ((conn = doc_hold(s, cause)) == NULL)
		return -1;
	/* The lock serializes changers even when the row does not exist. */
	if (store_pg_run(conn, "BEGIN", 0, NULL, cause) != 0)
		goto out;
	if (store_pg_run(conn, "SELECT pg_advisory_xact_lock(hashtext("
	    "'maintop agent_state ' || $1))", 1, p, cause) == 0 &&
	    doc_get(conn, name, max, " FOR UPDATE", &old, &len, cause) == 0 &&
	    change(old, len, &text, arg, cause) == 0 &&
	    doc_put(conn, name, text, cause) == 0 &&
	    store_pg_run(conn, "COMMIT", 0, NULL, cause) == 0)
		r = 0;
	if (r != 0 && PQtransactionStatus(conn) != PQTRANS_IDLE) {
		store_pg_run(conn, "ROLLBACK", 0, NULL, &why);
		free(why);
	}
out:
	store_pg_unhold(s);
	free(old);
	free(text);
	return r;
}
