/* The notification outbox in the team store's table maintop.outbox; see
 * store_outbox.h. */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_outbox.h"
#include "store_pg.h"
#include "store_priv.h"
#include "util.h"

int
store_has_outbox(const struct store *s)
{
	return s->ops == &store_pg_ops;
}

/* Runs sql on the store's connection; *rows is how many rows it changed
 * (when rows is not NULL).  0, or -1 with *cause set. */
static int
outbox_run(struct store *s, const char *sql, int n, const char *const *p,
    long long *rows, char **cause)
{
	PGresult *res;
	PGconn *conn;

	if (!store_has_outbox(s)) {
		*cause = xstrdup("the outbox is the state directory's");
		return -1;
	}
	if ((conn = store_pg_hold(s, cause)) == NULL)
		return -1;
	res = store_pg_exec(conn, sql, n, p, cause);
	store_pg_unhold(s);
	if (res == NULL)
		return -1;
	if (rows != NULL)
		*rows = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return 0;
}

int
store_outbox_add(struct store *s, const char *id, const char *channel,
    const char *event, time_t next, int *added, char **cause)
{
	char due[32];
	const char *p[4] = { id, channel, event, due };
	long long rows = 0;

	*added = 0;
	snprintf(due, sizeof due, "%lld", (long long)next);
	if (outbox_run(s, "INSERT INTO maintop.outbox (id, channel, event, "
	    "due_at) VALUES ($1, $2, $3::json, to_timestamp($4::bigint)) ON "
	    "CONFLICT (id, channel) DO NOTHING", 4, p, &rows, cause) != 0)
		return -1;
	*added = rows == 1;
	return 0;
}

int
store_outbox_retry(struct store *s, const char *id, const char *channel,
    long long attempts, time_t next, char **cause)
{
	char due[32], n[32];
	const char *p[4] = { id, channel, n, due };

	snprintf(n, sizeof n, "%lld", attempts);
	snprintf(due, sizeof due, "%lld", (long long)next);
	return outbox_run(s, "UPDATE maintop.outbox SET attempts = "
	    "$3::integer, due_at = to_timestamp($4::bigint), claimed_by = "
	    "NULL, claimed_until = NULL WHERE id = $1 AND channel = $2 AND "
	    "state = 'waiting'", 4, p, NULL, cause);
}

int
store_outbox_done(struct store *s, const char *id, const char *channel,
    long long attempts, int delivered, char **cause)
{
	char n[32];
	const char *p[4] = { id, channel, n, delivered ? "sent" : "failed" };

	snprintf(n, sizeof n, "%lld", attempts);
	return outbox_run(s, "UPDATE maintop.outbox SET attempts = "
	    "$3::integer, state = $4, due_at = now(), claimed_by = NULL, "
	    "claimed_until = NULL WHERE id = $1 AND channel = $2", 4, p, NULL,
	    cause);
}

int
store_outbox_claim(struct store *s, const char *id, const char *channel,
    const char *claimer, int lease, time_t *until, char **cause)
{
	char secs[32];
	const char *p[4] = { id, channel, claimer, secs };
	PGresult *res;
	PGconn *conn;
	int r;

	*until = 0;
	if (!store_has_outbox(s)) {
		*cause = xstrdup("the outbox is the state directory's");
		return -2;
	}
	snprintf(secs, sizeof secs, "%d", lease);
	if ((conn = store_pg_hold(s, cause)) == NULL)
		return -2;
	/*
	 * Two agents claiming at once: the second's UPDATE waits for the
	 * first's and then finds the row claimed.  Its SELECT sees the row
	 * as it was before either (the statement's snapshot): "held, until
	 * unknown".
	 */
	res = store_pg_exec(conn, "WITH c AS (UPDATE maintop.outbox SET "
	    "claimed_by = $3, claimed_until = now() + $4::integer * interval "
	    "'1 second' WHERE id = $1 AND channel = $2 AND state = 'waiting' "
	    "AND (claimed_by IS NULL OR claimed_by = $3 OR claimed_until <= "
	    "now()) RETURNING claimed_until) SELECT (SELECT count(*) FROM c), "
	    "o.state, extract(epoch FROM o.claimed_until)::bigint FROM "
	    "maintop.outbox o WHERE o.id = $1 AND o.channel = $2", 4, p,
	    cause);
	store_pg_unhold(s);
	if (res == NULL)
		return -2;
	if (PQntuples(res) != 1)
		r = -1;
	else if (strcmp(PQgetvalue(res, 0, 0), "1") == 0)
		r = 1;
	else if (strcmp(PQgetvalue(res, 0, 1), "waiting") != 0)
		r = -1;
	else {
		r = 0;
		if (!PQgetisnull(res, 0, 2))
			*until = (time_t)strtoll(PQgetvalue(res, 0, 2), NULL,
			    10);
	}
	PQclear(res);
	return r;
}

long long
store_outbox_failed(struct store *s)
{
	PGresult *res;
	PGconn *conn;
	char *why = NULL;
	long long n = 0;

	if (!store_has_outbox(s) || (conn = store_pg_hold(s, &why)) == NULL) {
		free(why);
		return 0;
	}
	res = store_pg_exec(conn, "SELECT count(*) FROM maintop.outbox WHERE "
	    "state = 'failed'", 0, NULL, &why);
	store_pg_unhold(s);
	if (res != NULL && PQntuples(res) == 1)
		n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	free(why);
	return n;
}

int
store_outbox_foreach(struct store *s, size_t max,
    void (*fn)(void *, const char *, const char *, const char *, long long,
    time_t), void *arg, char **cause)
{
	char lim[32];
	const char *p[1] = { lim };
	PGresult *res;
	PGconn *conn;
	int i;

	if (!store_has_outbox(s)) {
		*cause = xstrdup("the outbox is the state directory's");
		return -1;
	}
	snprintf(lim, sizeof lim, "%zu", max);
	if ((conn = store_pg_hold(s, cause)) == NULL)
		return -1;
	/* At most 1 MiB an event and 64 MiB in all: the rest waits.  A due
	 * time's seconds are rounded down: an event queued a moment ago is
	 * due now, not next second (a one-shot flush would leave it). */
	res = store_pg_exec(conn, "SELECT id, channel, event, attempts, due "
	    "FROM (SELECT id, channel, event, attempts, floor(extract(epoch "
	    "FROM due_at))::bigint AS due, sum(octet_length(event::text)) OVER "
	    "(ORDER BY due_at, id, channel) AS total FROM maintop.outbox "
	    "WHERE state = 'waiting' AND octet_length(event::text) <= "
	    "1048576) AS w WHERE total <= 67108864 ORDER BY total LIMIT "
	    "$1::bigint", 1, p, cause);
	store_pg_unhold(s);
	if (res == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++)
		fn(arg, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
		    PQgetvalue(res, i, 2), strtoll(PQgetvalue(res, i, 3), NULL,
		    10), (time_t)strtoll(PQgetvalue(res, i, 4), NULL, 10));
	PQclear(res);
	return 0;
}
