/* Moving in and out of the PostgreSQL store: the state directory's
 * journal and debt list imported (idempotently) and exported back as
 * files (atomically). */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "debt_file.h"
#include "fileio.h"
#include "journal.h"
#include "runner.h"
#include "store_debt.h"
#include "store_pg.h"
#include "util.h"

/* The most an export holds in memory before writing the journal file. */
#define STORE_EXPORT_MAX	(512LL * 1024 * 1024)

/* Appends s to b as one COPY text field (NULL: \N). */
static void
copy_field(struct buf *b, const char *s)
{
	if (s == NULL) {
		buf_adds(b, "\\N");
		return;
	}
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '\\': buf_adds(b, "\\\\"); break;
		case '\t': buf_adds(b, "\\t"); break;
		case '\n': buf_adds(b, "\\n"); break;
		case '\r': buf_adds(b, "\\r"); break;
		default: buf_addc(b, *s); break;
		}
	}
}

/* Starts a COPY FROM STDIN.  0, or -1 with *cause set. */
static int
copy_start(PGconn *conn, const char *sql, char **cause)
{
	PGresult *res;
	int r = 0;

	store_pg_guard(conn);
	res = PQexec(conn, sql);
	store_pg_unguard();
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		*cause = store_pg_error(conn, res);
		r = -1;
	}
	PQclear(res);
	return r;
}

/*
 * Ends a COPY FROM STDIN, failing it with errmsg when not NULL, and reads
 * its results.  0, or -1 with *cause set (when cause is not NULL).
 */
static int
copy_end(PGconn *conn, const char *errmsg, char **cause)
{
	PGresult *res;
	int r = 0;

	if (PQputCopyEnd(conn, errmsg) != 1)
		r = -1;
	while ((res = store_pg_get_result(conn)) != NULL) {
		if (r == 0 && PQresultStatus(res) != PGRES_COMMAND_OK) {
			if (cause != NULL)
				*cause = store_pg_error(conn, res);
			r = -2;
		}
		PQclear(res);
	}
	if (r == -1 && cause != NULL)
		*cause = store_pg_error(conn, NULL);
	if (r == 0 && errmsg != NULL && cause != NULL)
		*cause = xstrdup(errmsg);
	return r == 0 && errmsg == NULL ? 0 : -1;
}

struct import_ctx {
	PGconn			*conn;
	struct store_moved	*m;
	long long		 ord;
	int			 failed;
};

/* One journal line into the COPY: valid JSON objects only. */
static void
import_line(const char *line, void *arg)
{
	struct import_ctx *c = arg;
	json_t *o = json_loads(line, JSON_REJECT_DUPLICATES, NULL);
	struct buf b;

	if (c->failed)
		goto out;
	if (o == NULL || !json_is_object(o)) {
		c->m->journal_skipped++;
		goto out;
	}
	c->m->journal_read++;
	buf_init(&b);
	buf_printf(&b, "%lld\t", c->ord++);
	copy_field(&b, journal_str(o, "type"));
	buf_addc(&b, '\t');
	copy_field(&b, journal_str(o, "run"));
	buf_addc(&b, '\t');
	copy_field(&b, journal_str(o, "runbook"));
	buf_addc(&b, '\t');
	copy_field(&b, journal_str(o, "user"));
	buf_addc(&b, '\t');
	copy_field(&b, line);
	buf_addc(&b, '\n');
	if (PQputCopyData(c->conn, b.s, (int)b.len) != 1)
		c->failed = 1;
	buf_free(&b);
out:
	json_decref(o);
}

/* The journal (its rotated part first) through COPY into a temporary
 * table, then the records not yet there, in order. */
static int
import_journal(PGconn *conn, const char *state_dir, struct store_moved *m,
    char **cause)
{
	struct import_ctx c = { conn, m, 0, 0 };
	char *path = runner_journal_path(state_dir), *old, *why = NULL;
	PGresult *res;
	int r = -1;

	old = journal_rotated_path(path);
	if (store_pg_run(conn, "CREATE TEMPORARY TABLE import_journal (ord "
	    "bigint, type text, run text, runbook text, actor text, record "
	    "text) ON COMMIT DROP", 0, NULL, cause) != 0 ||
	    copy_start(conn, "COPY import_journal FROM STDIN", cause) != 0)
		goto out;
	if (journal_foreach(old, import_line, &c, &why) != 0 ||
	    journal_foreach(path, import_line, &c, &why) != 0) {
		copy_end(conn, "the journal could not be read", NULL);
		*cause = why;
		goto out;
	}
	if (copy_end(conn, c.failed ? "sending failed" : NULL, cause) != 0)
		goto out;
	/* A record's id: its text's hash, and how many times the same text
	 * came before it (two identical lines are two records). */
	res = store_pg_exec(conn, "INSERT INTO maintop.journal (id, type, "
	    "run, runbook, actor, record) SELECT id, type, run, runbook, "
	    "actor, record::json FROM (SELECT ord, type, run, runbook, actor, "
	    "record, encode(sha256(convert_to(record, 'UTF8')), 'hex') || '-' "
	    "|| (row_number() OVER (PARTITION BY record ORDER BY ord) - 1) AS "
	    "id FROM import_journal) AS i ORDER BY ord ON CONFLICT (id) DO "
	    "NOTHING", 0, NULL, cause);
	if (res == NULL)
		goto out;
	m->journal_new = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	r = 0;
out:
	free(path);
	free(old);
	return r;
}

static int
import_debt(PGconn *conn, const struct config *cfg, const char *state_dir,
    struct store_moved *m, char **cause)
{
	struct debt_list l = { NULL, 0, 1 };
	struct cfg_errors errs = { 0 };
	char *path = xasprintf("%s/debt.conf", state_dir), *text, num[32];
	const char *p[2];
	PGresult *res;
	size_t i;
	int r = -1;

	if (debt_file_load(path, &cfg->settings, &l, NULL, &errs) != 0) {
		*cause = errs.n > 0 ? cfg_error_format(&errs.v[0]) :
		    xasprintf("%s cannot be read", path);
		goto out;
	}
	for (i = 0; i < l.n; i++) {
		text = store_debt_text(l.v[i], &cfg->settings);
		p[0] = l.v[i]->id;
		p[1] = text;
		res = store_pg_exec(conn, "INSERT INTO maintop.debt_items (id, "
		    "item) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING", 2, p,
		    cause);
		free(text);
		if (res == NULL)
			goto out;
		m->debt_read++;
		m->debt_new += strtoll(PQcmdTuples(res), NULL, 10);
		PQclear(res);
	}
	snprintf(num, sizeof num, "%lld", l.next_id);
	p[0] = num;
	if (l.n > 0 && store_pg_run(conn, "INSERT INTO maintop.meta (key, "
	    "value) VALUES ('debt_next_id', $1) ON CONFLICT (key) DO UPDATE "
	    "SET value = greatest(meta.value::bigint, excluded.value::bigint)"
	    "::text", 1, p, cause) != 0)
		goto out;
	r = 0;
out:
	debt_list_free(&l);
	cfg_errors_free(&errs);
	free(path);
	return r;
}

int
store_pg_import(PGconn *conn, const struct config *cfg, const char *state_dir,
    struct store_moved *m, char **cause)
{
	char *why = NULL;

	memset(m, 0, sizeof *m);
	if (store_pg_run(conn, "BEGIN", 0, NULL, cause) != 0)
		return -1;
	/* Two imports at once: the second waits, then adds nothing. */
	if (store_pg_run(conn, "SELECT pg_advisory_xact_lock("
	    STORE_PG_IMPORT_KEY ")", 0, NULL, cause) != 0 ||
	    import_journal(conn, state_dir, m, cause) != 0 ||
	    import_debt(conn, cfg, state_dir, m, cause) != 0 ||
	    store_pg_run(conn, "COMMIT", 0, NULL, cause) != 0) {
		store_pg_run(conn, "ROLLBACK", 0, NULL, &why);
		free(why);
		return -1;
	}
	return 0;
}

/* Reads the rows of sql one at a time, calling fn with each; at most
 * STORE_EXPORT_MAX bytes in all.  0, or -1 with *cause set. */
static int
export_rows(PGconn *conn, const char *sql, int (*fn)(PGresult *, void *,
    char **), void *arg, char **cause)
{
	PGresult *res;
	long long total = 0;
	int r = 0, i;

	if (PQsendQuery(conn, sql) != 1 || PQsetSingleRowMode(conn) != 1) {
		*cause = store_pg_error(conn, NULL);
		return -1;
	}
	while ((res = store_pg_get_result(conn)) != NULL) {
		if (r == 0 && PQresultStatus(res) == PGRES_SINGLE_TUPLE) {
			for (i = 0; i < PQnfields(res); i++)
				total += PQgetlength(res, 0, i);
			if (total > STORE_EXPORT_MAX) {
				*cause = xstrdup("the store holds more than "
				    "512 MiB to export");
				r = -1;
			} else
				r = fn(res, arg, cause);
		} else if (r == 0 && PQresultStatus(res) != PGRES_TUPLES_OK) {
			*cause = store_pg_error(conn, res);
			r = -1;
		}
		PQclear(res);
	}
	return r;
}

struct export_ctx {
	struct buf		 journal;
	struct debt_list	 debt;
	const struct settings	*settings;
	struct store_moved	*m;
};

/* A record goes out as it came in, if it is one line of JSON object. */
static int
export_record(PGresult *res, void *arg, char **cause)
{
	struct export_ctx *c = arg;
	const char *s = PQgetvalue(res, 0, 0);
	size_t len = (size_t)PQgetlength(res, 0, 0);

	(void)cause;
	if (len < 2 || len > JOURNAL_LINE_MAX || s[0] != '{' ||
	    s[len - 1] != '}' || memchr(s, '\n', len) != NULL) {
		c->m->journal_skipped++;
		return 0;
	}
	buf_add(&c->journal, s, len);
	buf_addc(&c->journal, '\n');
	c->m->journal_read++;
	return 0;
}

/* A debt item is parsed as the debt file would be: the store is input. */
static int
export_item(PGresult *res, void *arg, char **cause)
{
	struct export_ctx *c = arg;
	struct debt_item *d;

	d = store_debt_parse(PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1),
	    (size_t)PQgetlength(res, 0, 1), c->settings, cause);
	if (d == NULL)
		return -1;
	debt_list_add(&c->debt, d);
	c->m->debt_read++;
	return 0;
}

int
store_pg_export(PGconn *conn, const struct config *cfg, const char *dir,
    struct store_moved *m, char **cause)
{
	struct export_ctx c;
	char *path = NULL;
	int r = -1;

	memset(m, 0, sizeof *m);
	memset(&c, 0, sizeof c);
	buf_init(&c.journal);
	c.debt.next_id = 1;
	c.settings = &cfg->settings;
	c.m = m;
	/* One snapshot for both. */
	if (store_pg_run(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ "
	    "READ ONLY", 0, NULL, cause) != 0)
		goto out;
	if (export_rows(conn, "SELECT record FROM maintop.journal ORDER BY "
	    "seq", export_record, &c, cause) != 0 ||
	    export_rows(conn, "SELECT id, item FROM maintop.debt_items ORDER "
	    "BY seq", export_item, &c, cause) != 0 ||
	    store_debt_next_id(conn, &c.debt, cause) != 0 ||
	    store_pg_run(conn, "COMMIT", 0, NULL, cause) != 0)
		goto out;
	if (m->journal_read > 0) {
		path = runner_journal_path(dir);
		if (fileio_write_atomic(path, c.journal.s, c.journal.len, 0600,
		    cause) != 0)
			goto out;
		free(path);
		path = NULL;
	}
	if (c.debt.n > 0) {
		path = xasprintf("%s/debt.conf", dir);
		if (debt_file_save(path, &c.debt, &cfg->settings, NULL,
		    cause) != 0)
			goto out;
	}
	r = 0;
out:
	if (r != 0 && PQtransactionStatus(conn) != PQTRANS_IDLE)
		PQclear(PQexec(conn, "ROLLBACK"));
	free(path);
	buf_free(&c.journal);
	debt_list_free(&c.debt);
	return r;
}
