/* The debt items in the PostgreSQL store: rows with versions, read in
 * order, changed in one transaction only where nobody changed them since
 * they were read, with the change's journal record. */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debt_file.h"
#include "store_debt.h"
#include "store_pg.h"
#include "store_priv.h"
#include "util.h"

void
store_debt_rows_free(struct store_debt_rows *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].id);
		free(r->v[i].text);
	}
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

static void
rows_add(struct store_debt_rows *r, const char *id, long long version,
    const char *text)
{
	/* Doubling at each power of two, as debt_list_add. */
	if (r->n == 0 || (r->n & (r->n - 1)) == 0)
		r->v = xreallocarray(r->v, r->n > 0 ? r->n * 2 : 1,
		    sizeof *r->v);
	r->v[r->n].id = xstrdup(id);
	r->v[r->n].version = version;
	r->v[r->n].text = xstrdup(text);
	r->n++;
}

void
store_debt_rows_copy(struct store_debt_rows *to,
    const struct store_debt_rows *from)
{
	size_t i;

	memset(to, 0, sizeof *to);
	for (i = 0; i < from->n; i++)
		rows_add(to, from->v[i].id, from->v[i].version,
		    from->v[i].text);
}

static const struct store_debt_row *
rows_find(const struct store_debt_rows *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->v[i].id, id) == 0)
			return &r->v[i];
	return NULL;
}

char *
store_debt_text(struct debt_item *d, const struct settings *s)
{
	struct debt_list one = { &d, 1, 1 };

	return debt_file_format(&one, s);
}

struct debt_item *
store_debt_parse(const char *id, const char *text, size_t len,
    const struct settings *s, char **cause)
{
	struct debt_list one = { NULL, 0, 1 };
	struct cfg_errors errs = { 0 };
	struct debt_item *d = NULL;
	char *name = xasprintf("store debt item %s", id);

	if (len > DEBT_FILE_MAX || debt_file_parse(text, len, name, s, &one,
	    &errs) != 0 || one.n != 1 || strcmp(one.v[0]->id, id) != 0) {
		*cause = errs.n > 0 ? cfg_error_format(&errs.v[0]) :
		    xasprintf("%s is not one debt item of that id", name);
	} else {
		d = one.v[0];
		one.n = 0;
		free(d->file);
		d->file = xstrdup(STORE_DEBT_WHERE);
		d->line = 0;
	}
	debt_list_free(&one);
	cfg_errors_free(&errs);
	free(name);
	return d;
}

int
store_debt_next_id(PGconn *conn, struct debt_list *l, char **cause)
{
	PGresult *res;
	long long v;
	size_t i;

	res = store_pg_exec(conn, "SELECT value FROM maintop.meta WHERE key = "
	    "'debt_next_id'", 0, NULL, cause);
	if (res == NULL)
		return -1;
	l->next_id = 1;
	for (i = 0; i < l->n; i++)
		if ((v = debt_id_number(l->v[i]->id)) >= l->next_id)
			l->next_id = v + 1;
	if (PQntuples(res) == 1 && (v = strtoll(PQgetvalue(res, 0, 0), NULL,
	    10)) > l->next_id && v < 1000000000)
		l->next_id = v;
	PQclear(res);
	return 0;
}

int
store_debt_read(PGconn *conn, const struct settings *s, struct debt_list *l,
    struct store_debt_rows *rows, char **cause)
{
	struct debt_item *d;
	PGresult *res;
	int i;

	memset(l, 0, sizeof *l);
	l->next_id = 1;
	if (rows != NULL)
		memset(rows, 0, sizeof *rows);
	/* One snapshot for the items and the next id. */
	if (store_pg_run(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ "
	    "ONLY", 0, NULL, cause) != 0)
		return -1;
	/* No more than the debt file may hold, counted by the server. */
	res = store_pg_exec(conn, "SELECT coalesce(sum(octet_length(item)), "
	    "0) FROM maintop.debt_items", 0, NULL, cause);
	if (res != NULL && strtoll(PQgetvalue(res, 0, 0), NULL, 10) >
	    DEBT_FILE_MAX) {
		*cause = xstrdup("the team store's debt items are larger than "
		    "a debt file may be (4 MiB)");
		PQclear(res);
		res = NULL;
	} else if (res != NULL) {
		PQclear(res);
		res = store_pg_exec(conn, "SELECT id, version, item FROM "
		    "maintop.debt_items ORDER BY seq", 0, NULL, cause);
	}
	for (i = 0; res != NULL && i < PQntuples(res); i++) {
		d = store_debt_parse(PQgetvalue(res, i, 0), PQgetvalue(res, i,
		    2), (size_t)PQgetlength(res, i, 2), s, cause);
		if (d == NULL)
			break;
		debt_list_add(l, d);
		if (rows != NULL)
			rows_add(rows, d->id, strtoll(PQgetvalue(res, i, 1),
			    NULL, 10), PQgetvalue(res, i, 2));
	}
	if (res != NULL && i == PQntuples(res) &&
	    store_debt_next_id(conn, l, cause) == 0 &&
	    store_pg_run(conn, "COMMIT", 0, NULL, cause) == 0) {
		PQclear(res);
		return 0;
	}
	PQclear(res);
	if (PQtransactionStatus(conn) != PQTRANS_IDLE)
		PQclear(PQexec(conn, "ROLLBACK"));
	debt_list_free(l);
	if (rows != NULL)
		store_debt_rows_free(rows);
	return -1;
}

/* Runs one conditional change of a row: 0 when it touched one row, 1
 * when none (someone else got there first), -1 on failure. */
static int
write_row(PGconn *conn, const char *sql, int n, const char *const *p,
    char **cause)
{
	PGresult *res = store_pg_exec(conn, sql, n, p, cause);
	int r;

	if (res == NULL)
		return -1;
	r = strcmp(PQcmdTuples(res), "1") == 0 ? 0 : 1;
	PQclear(res);
	return r;
}

/* The rows of base that next no longer holds, deleted. */
static int
write_deletes(PGconn *conn, const struct store_debt_rows *base,
    const struct debt_list *next, const char **stale, char **cause)
{
	char ver[32];
	const char *p[2];
	size_t i, k;
	int r;

	for (i = 0; i < base->n; i++) {
		for (k = 0; k < next->n; k++)
			if (strcmp(next->v[k]->id, base->v[i].id) == 0)
				break;
		if (k < next->n)
			continue;
		snprintf(ver, sizeof ver, "%lld", base->v[i].version);
		p[0] = base->v[i].id;
		p[1] = ver;
		r = write_row(conn, "DELETE FROM maintop.debt_items WHERE id = "
		    "$1 AND version = $2::bigint", 2, p, cause);
		if (r != 0) {
			*stale = base->v[i].id;
			return r;
		}
	}
	return 0;
}

/* The items of next that base does not hold as they are: inserted or
 * updated. */
static int
write_items(PGconn *conn, const struct settings *s,
    const struct store_debt_rows *base, const struct debt_list *next,
    const char **stale, char **cause)
{
	const struct store_debt_row *b;
	char ver[32], *text;
	const char *p[3];
	size_t k;
	int r = 0;

	for (k = 0; k < next->n && r == 0; k++) {
		b = rows_find(base, next->v[k]->id);
		text = store_debt_text(next->v[k], s);
		p[0] = next->v[k]->id;
		p[1] = text;
		if (b == NULL)
			r = write_row(conn, "INSERT INTO maintop.debt_items "
			    "(id, item) VALUES ($1, $2) ON CONFLICT (id) DO "
			    "NOTHING", 2, p, cause);
		else if (strcmp(b->text, text) != 0) {
			snprintf(ver, sizeof ver, "%lld", b->version);
			p[2] = ver;
			r = write_row(conn, "UPDATE maintop.debt_items SET "
			    "item = $2, version = version + 1, updated_at = "
			    "now(), updated_by = current_user WHERE id = $1 "
			    "AND version = $3::bigint", 3, p, cause);
		}
		free(text);
		if (r != 0)
			*stale = next->v[k]->id;
	}
	return r;
}

/* The next id (never lowered) and the journal record. */
static int
write_rest(PGconn *conn, const struct debt_list *next, const char *line,
    char **cause)
{
	char num[32];
	const char *p[1];

	snprintf(num, sizeof num, "%lld", next->next_id);
	p[0] = num;
	if (store_pg_run(conn, "INSERT INTO maintop.meta (key, value) VALUES "
	    "('debt_next_id', $1) ON CONFLICT (key) DO UPDATE SET value = "
	    "greatest(meta.value::bigint, excluded.value::bigint)::text", 1,
	    p, cause) != 0)
		return -1;
	if (line == NULL)
		return 0;
	p[0] = line;
	/* One change a transaction: its id is the transaction's.  The
	 * dashboards listening hear of it once it is committed. */
	return store_pg_run(conn, "WITH j AS (INSERT INTO maintop.journal "
	    "(id, type, actor, record) VALUES ('debt:' || txid_current(), "
	    "'debt', $1::json->>'user', $1::json) RETURNING record) SELECT "
	    "pg_notify('" STORE_DEBT_CHANNEL "', 'debt ' || coalesce(record->>"
	    "'id', '')) "
	    "FROM j", 1, p, cause);
}

int
store_debt_write(PGconn *conn, const struct settings *s,
    const struct store_debt_rows *base, const struct debt_list *next,
    const char *line, char **cause)
{
	const char *stale = NULL;
	char *why = NULL;
	int r;

	if (store_pg_run(conn, "BEGIN", 0, NULL, cause) != 0)
		return -1;
	r = write_deletes(conn, base, next, &stale, cause);
	if (r == 0)
		r = write_items(conn, s, base, next, &stale, cause);
	if (r == 0 && (write_rest(conn, next, line, cause) != 0 ||
	    store_pg_run(conn, "COMMIT", 0, NULL, cause) != 0))
		r = -1;
	if (r == 0)
		return 0;
	if (PQtransactionStatus(conn) != PQTRANS_IDLE) {
		store_pg_run(conn, "ROLLBACK", 0, NULL, &why);
		free(why);
	}
	if (r == 1)
		*cause = xasprintf("debt item '%s' was changed in the team "
		    "store since it was read", stale);
	return r;
}

int
store_has_debt(const struct store *s)
{
	return s->ops == &store_pg_ops;
}

int
store_debt_load(struct store *s, const struct settings *set,
    struct debt_list *l, struct store_debt_rows *rows, char **cause)
{
	PGconn *conn;
	int r;

	if (!store_has_debt(s)) {
		*cause = xstrdup("the debt list is the state directory's file");
		return -1;
	}
	if ((conn = store_pg_hold(s, cause)) == NULL)
		return -1;
	r = store_debt_read(conn, set, l, rows, cause);
	store_pg_unhold(s);
	return r;
}

int
store_debt_save(struct store *s, const struct settings *set,
    const struct store_debt_rows *base, const struct debt_list *next,
    const char *line, struct debt_list *now, struct store_debt_rows *rows,
    char **cause)
{
	PGconn *conn;
	char *why = NULL;
	int r;

	memset(now, 0, sizeof *now);
	memset(rows, 0, sizeof *rows);
	if (!store_has_debt(s)) {
		*cause = xstrdup("the debt list is the state directory's file");
		return -1;
	}
	if ((conn = store_pg_hold(s, cause)) == NULL)
		return -1;
	r = store_debt_write(conn, set, base, next, line, cause);
	/* Saved or refused, what the store holds now. */
	if (r >= 0 && store_debt_read(conn, set, now, rows, &why) != 0) {
		if (r == 0) {
			*cause = xasprintf("saved, but not read back: %s", why);
			r = 2;
		} else {
			free(*cause);
			*cause = xstrdup(why);
			r = -1;
		}
		free(why);
	}
	store_pg_unhold(s);
	return r;
}

long long
store_debt_rows_version(const struct store_debt_rows *r, const char *id)
{
	const struct store_debt_row *row = id != NULL ? rows_find(r, id) :
	    NULL;

	return row != NULL ? row->version : -1;
}

int
store_debt_rows_same(const struct store_debt_rows *a,
    const struct store_debt_rows *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i].id, b->v[i].id) != 0 ||
		    a->v[i].version != b->v[i].version)
			return 0;
	return 1;
}
