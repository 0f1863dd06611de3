/* The demo's PostgreSQL: initdb, the server on a free port, the monitor
 * role and a table full of dead tuples; see demo_pg.h. */
#include "build.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "demo_httpd.h"
#include "demo_pg.h"
#include "demo_servers.h"
#include "demo_util.h"
#include "util.h"

#define DEMO_PG_WAIT_MS		30000

/* The highest-versioned /usr/lib/postgresql/N/bin holding initdb. */
static char *
demo_pg_find_bindir(void)
{
	const char *env = getenv("MAINTOP_PG_BINDIR");
	glob_t g;
	char *best = NULL, *path, *dir;
	long v, bestv = -1;
	size_t i;

	if (env != NULL && *env != '\0') {
		path = xasprintf("%s/initdb", env);
		if (access(path, X_OK) == 0) {
			free(path);
			return xstrdup(env);
		}
		free(path);
	}
	if (glob("/usr/lib/postgresql/*/bin/initdb", 0, NULL, &g) == 0) {
		for (i = 0; i < g.gl_pathc; i++) {
			path = g.gl_pathv[i] + strlen("/usr/lib/postgresql/");
			v = strtol(path, NULL, 10);
			if (v > bestv && access(g.gl_pathv[i], X_OK) == 0) {
				bestv = v;
				free(best);
				best = xstrdup(g.gl_pathv[i]);
			}
		}
		globfree(&g);
	}
	if (best != NULL) {
		best[strlen(best) - strlen("/initdb")] = '\0';
		return best;
	}
	/* Some systems put initdb in PATH. */
	env = getenv("PATH");
	if (env == NULL)
		return NULL;
	path = xstrdup(env);
	for (dir = strtok(path, ":"); dir != NULL; dir = strtok(NULL, ":")) {
		char *p = xasprintf("%s/initdb", dir);

		if (access(p, X_OK) == 0) {
			free(p);
			best = xstrdup(dir);
			break;
		}
		free(p);
	}
	free(path);
	return best;
}

static int
demo_pg_exec(PGconn *c, const char *sql, char **cause)
{
	PGresult *r;
	int rc = 0;

	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK) {
		*cause = xasprintf("PostgreSQL setup failed: %s",
		    PQerrorMessage(c));
		rc = -1;
	}
	PQclear(r);
	return rc;
}

/* libpq's notice processor for the demo's own connections: silence. */
static void
demo_pg_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* Connects as the superuser over the unix socket. */
static PGconn *
demo_pg_connect(const struct demo *d, const char *db, char **cause)
{
	const char *keys[] = { "host", "port", "user", "dbname",
	    "connect_timeout", NULL };
	char port[16];
	const char *vals[6];
	PGconn *c;

	snprintf(port, sizeof port, "%d", d->pg_port);
	vals[0] = d->pg_socket_dir;
	vals[1] = port;
	vals[2] = "postgres";
	vals[3] = db;
	vals[4] = "5";
	vals[5] = NULL;
	c = PQconnectdbParams(keys, vals, 0);
	if (PQstatus(c) != CONNECTION_OK) {
		*cause = xasprintf("cannot connect to the demo PostgreSQL: %s",
		    PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	/* The set-up's notices ("does not exist, skipping") are not for
	 * the terminal. */
	PQsetNoticeProcessor(c, demo_pg_notice, NULL);
	return c;
}

/*
 * Creates the monitor role, the maintop database and a table with dead
 * tuples and autovacuum off, so "last vacuum" is old and a vacuum runbook
 * has something to show.
 */
static int
demo_pg_setup(struct demo *d, char **cause)
{
	PGconn *c;
	char *sql;
	int rc;

	c = demo_pg_connect(d, "postgres", cause);
	if (c == NULL)
		return -1;
	sql = xasprintf("CREATE ROLE monitor LOGIN PASSWORD '%s' "
	    "IN ROLE pg_monitor", d->pg_password);
	rc = demo_pg_exec(c, sql, cause);
	free(sql);
	if (rc == 0)
		rc = demo_pg_exec(c, "CREATE DATABASE maintop", cause);
	PQfinish(c);
	if (rc != 0)
		return -1;

	c = demo_pg_connect(d, "maintop", cause);
	if (c == NULL)
		return -1;
	rc = demo_pg_exec(c,
	    "CREATE TABLE orders (id bigserial PRIMARY KEY, "
	    "customer text NOT NULL, amount numeric(10,2) NOT NULL, "
	    "created timestamptz NOT NULL DEFAULT now()) "
	    "WITH (autovacuum_enabled = off);"
	    "INSERT INTO orders (customer, amount) "
	    "SELECT 'customer-' || (i % 500), (i % 997) / 10.0 "
	    "FROM generate_series(1, 20000) AS i;"
	    "DELETE FROM orders WHERE id % 3 = 0;"
	    "UPDATE orders SET amount = amount + 1 WHERE id % 7 = 0;"
	    "CREATE TABLE sessions (id serial PRIMARY KEY, token text);"
	    "INSERT INTO sessions (token) SELECT md5(i::text) "
	    "FROM generate_series(1, 1000) AS i;"
	    "ALTER TABLE orders OWNER TO monitor;"
	    "ALTER TABLE sessions OWNER TO monitor;", cause);
	PQfinish(c);
	return rc;
}

/* The files of the demo's PostgreSQL, under its directory. */
struct demo_pg_paths {
	char	*initdb;
	char	*postgres;
	char	*data;		/* the cluster */
	char	*log;		/* the server's log */
	char	*ilog;		/* initdb's log */
};

static void
demo_pg_paths_free(struct demo_pg_paths *pp)
{
	free(pp->initdb);
	free(pp->postgres);
	free(pp->data);
	free(pp->log);
	free(pp->ilog);
}

/* The directories and the (empty) logs, owned by the servers' user. */
static int
demo_pg_prepare(struct demo *d, const struct demo_pg_paths *pp, char **cause)
{
	if (access(pp->postgres, X_OK) != 0) {
		*cause = xasprintf("%s is missing: install the Debian package "
		    "postgresql", pp->postgres);
		return -1;
	}
	if (demo_util_mkdir(d, pp->data, cause) != 0 ||
	    demo_util_mkdir(d, d->pg_socket_dir, cause) != 0)
		return -1;
	/* The logs are written by the servers' user. */
	if (demo_util_write_file(pp->ilog, "", 0600, cause) != 0 ||
	    demo_util_write_file(pp->log, "", 0600, cause) != 0)
		return -1;
	if (d->drop && (chown(pp->ilog, d->uid, d->gid) != 0 ||
	    chown(pp->log, d->uid, d->gid) != 0)) {
		*cause = xasprintf("chown %s: %s", pp->log, strerror(errno));
		return -1;
	}
	return 0;
}

/* A new cluster: trust over the socket, passwords over TCP. */
static int
demo_pg_initdb(struct demo *d, const struct demo_pg_paths *pp, char **cause)
{
	char *argv[] = { pp->initdb, (char *)"-D", pp->data, (char *)"-U",
	    (char *)"postgres", (char *)"-A", (char *)"trust",
	    (char *)"--auth-host=scram-sha-256",
	    (char *)"--auth-local=trust", (char *)"--no-sync",
	    (char *)"--no-locale", (char *)"-E", (char *)"UTF8", NULL };

	return demo_util_run(d, argv, pp->ilog, cause);
}

/* Starts the server on d->pg_port, tuned for a demo (no fsync, little
 * memory): its pid in d->pg_pid, or -1 with *cause set. */
static void
demo_pg_spawn(struct demo *d, const struct demo_pg_paths *pp, char **cause)
{
	char port[16];
	char *argv[] = { pp->postgres, (char *)"-D", pp->data,
	    (char *)"-p", port, (char *)"-k", d->pg_socket_dir,
	    (char *)"-c", (char *)"listen_addresses=127.0.0.1",
	    (char *)"-c", (char *)"fsync=off",
	    (char *)"-c", (char *)"synchronous_commit=off",
	    (char *)"-c", (char *)"full_page_writes=off",
	    (char *)"-c", (char *)"max_connections=20",
	    (char *)"-c", (char *)"shared_buffers=16MB",
	    (char *)"-c", (char *)"track_io_timing=on",
	    (char *)"-c", (char *)"log_min_messages=warning",
	    NULL };

	snprintf(port, sizeof port, "%d", d->pg_port);
	d->pg_pid = demo_util_spawn(d, argv, pp->log, SIGINT, cause);
}

/*
 * Waits for the server to answer: 0 when it does, 1 when it exited first
 * (d->pg_pid is then 0 and *status says how), -1 when it did not answer
 * within DEMO_PG_WAIT_MS (*cause says so, with its log's tail).
 */
static int
demo_pg_wait(struct demo *d, const char *log, int *status, char **cause)
{
	long long deadline = util_mono_ms() + DEMO_PG_WAIT_MS;
	char *conn, *tail;
	int rc = 0;

	conn = xasprintf("host=%s port=%d user=postgres dbname=postgres "
	    "connect_timeout=2", d->pg_socket_dir, d->pg_port);
	while (PQping(conn) != PQPING_OK) {
		if (demo_util_exited(d->pg_pid, status)) {
			d->pg_pid = 0;
			rc = 1;
			break;
		}
		if (util_mono_ms() > deadline) {
			tail = demo_util_log_tail(log);
			*cause = xasprintf("PostgreSQL did not answer within "
			    "%d s (log %s):%s", DEMO_PG_WAIT_MS / 1000, log,
			    tail);
			free(tail);
			rc = -1;
			break;
		}
		demo_util_sleep_ms(50);
	}
	free(conn);
	return rc;
}

/* The server on a free port, tried DEMO_TRIES times: a server that exits
 * at once perhaps found its port taken meanwhile. */
static int
demo_pg_launch(struct demo *d, const struct demo_pg_paths *pp, char **cause)
{
	char *tail, *why;
	int status = 0, tries, r;

	for (tries = 0; tries < DEMO_TRIES; tries++) {
		d->pg_port = demo_httpd_free_port();
		if (d->pg_port < 0) {
			*cause = xstrdup("no free TCP port on 127.0.0.1");
			return -1;
		}
		demo_pg_spawn(d, pp, cause);
		if (d->pg_pid < 0)
			return -1;
		if ((r = demo_pg_wait(d, pp->log, &status, cause)) != 1)
			return r;
	}
	tail = demo_util_log_tail(pp->log);
	why = demo_util_status_text(status);
	*cause = xasprintf("PostgreSQL %s (log %s):%s", why, pp->log, tail);
	free(why);
	free(tail);
	return -1;
}

/* The monitor role's password, in a file of its own for the checks and in
 * a libpq password file for psql in the runbooks' commands. */
static int
demo_pg_passwords(struct demo *d, char **cause)
{
	char *pwfile, *line;
	int rc;

	d->pg_password = demo_util_random_hex(12);
	d->pg_password_file = xasprintf("%s/pgpass-monitor", d->dir);
	if (demo_util_write_file(d->pg_password_file, d->pg_password, 0600,
	    cause) != 0)
		return -1;
	pwfile = xasprintf("%s/pgpass", d->dir);
	line = xasprintf("127.0.0.1:%d:*:monitor:%s\n", d->pg_port,
	    d->pg_password);
	rc = demo_util_write_file(pwfile, line, 0600, cause);
	free(line);
	free(pwfile);
	return rc;
}

int
demo_pg_start(struct demo *d, char **cause)
{
	struct demo_pg_paths pp;
	int rc;

	d->pg_bindir = demo_pg_find_bindir();
	if (d->pg_bindir == NULL) {
		*cause = xstrdup("PostgreSQL's initdb was not found: install "
		    "the Debian package postgresql (apt-get install "
		    "postgresql)");
		return -1;
	}
	pp.initdb = xasprintf("%s/initdb", d->pg_bindir);
	pp.postgres = xasprintf("%s/postgres", d->pg_bindir);
	pp.data = xasprintf("%s/pg", d->dir);
	pp.log = xasprintf("%s/postgres.log", d->dir);
	pp.ilog = xasprintf("%s/initdb.log", d->dir);
	d->pg_socket_dir = xasprintf("%s/pgsock", d->dir);
	rc = demo_pg_prepare(d, &pp, cause) == 0 &&
	    demo_pg_initdb(d, &pp, cause) == 0 &&
	    demo_pg_launch(d, &pp, cause) == 0 &&
	    demo_pg_passwords(d, cause) == 0 &&
	    demo_pg_setup(d, cause) == 0 ? 0 : -1;
	demo_pg_paths_free(&pp);
	return rc;
}
