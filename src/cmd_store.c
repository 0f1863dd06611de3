/* "maintop store": the team store's administration: creating and
 * upgrading its schema, its status, and moving the journal and debt list
 * in and out. */
#include "build.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "sanitize.h"
#include "store.h"
#include "store_pg.h"
#include "util.h"

static const char store_usage[] =
"usage: maintop store init [-c FILE]\n"
"       maintop store migrate [-c FILE] [--to N]\n"
"       maintop store status [-c FILE]\n"
"       maintop store import [-c FILE]\n"
"       maintop store export [-c FILE] [--to DIR]\n"
"\n"
"The team store is the PostgreSQL database of settings.store (see\n"
"maintop.conf(5)); without it, the store is the state directory's files\n"
"and needs no setup.\n"
"\n"
"init     creates the schema in an empty database (again: nothing to do)\n"
"migrate  upgrades the schema, one transaction per version; --to N stops\n"
"         at version N\n"
"status   the store, the server, the schema version, the role's rights,\n"
"         and who holds which lock; exit 1 unless the schema is current\n"
"import   adds the state directory's journal and debt list to the store;\n"
"         a second import adds nothing\n"
"export   writes the store's journal and debt list as files, each\n"
"         replaced atomically, in the state directory or --to DIR\n"
"\n"
"  -c, --config FILE   the configuration (else $MAINTOP_CONFIG, then the\n"
"                      usual places; see maintop(1))\n"
"      --to N|DIR      see migrate and export\n"
"  -h, --help          this text\n"
"\n"
"Exit 0 on success; 1 when the store refused or failed; 2 usage error;\n"
"3 no usable configuration or no settings.store.\n";

/* Prints a failure of the store on stderr, sanitized. */
static int
store_fail(const char *what, char *cause)
{
	char *safe = sanitize_cstr(cause, 0);

	fprintf(stderr, "maintop: store %s: %s\n", what, safe);
	free(safe);
	free(cause);
	return CLI_EXIT_FAIL;
}

static int
store_init(PGconn *conn)
{
	char *cause = NULL;
	int from, n;

	if (store_pg_version(conn, &from, &cause) != 0)
		return store_fail("init", cause);
	if (from > 0 && from < STORE_PG_SCHEMA) {
		fprintf(stderr, "maintop: store init: the store is at schema "
		    "version %d, this maintop uses %d: run 'maintop store "
		    "migrate'\n", from, STORE_PG_SCHEMA);
		return CLI_EXIT_FAIL;
	}
	if ((n = store_pg_migrate(conn, STORE_PG_SCHEMA, &from, &cause)) < 0)
		return store_fail("init", cause);
	if (n == 0)
		printf("store already initialized: schema version %d\n",
		    STORE_PG_SCHEMA);
	else
		printf("store initialized: schema version %d\n",
		    STORE_PG_SCHEMA);
	return CLI_EXIT_OK;
}

static int
store_migrate(PGconn *conn, int to)
{
	char *cause = NULL;
	int from, now, n;

	if (store_pg_version(conn, &from, &cause) != 0)
		return store_fail("migrate", cause);
	if (from > to) {
		fprintf(stderr, "maintop: store migrate: the store is at "
		    "schema version %d, past %d: migrations only go "
		    "forward\n", from, to);
		return CLI_EXIT_FAIL;
	}
	if ((n = store_pg_migrate(conn, to, &from, &cause)) < 0)
		return store_fail("migrate", cause);
	if (store_pg_version(conn, &now, &cause) != 0)
		return store_fail("migrate", cause);
	if (n == 0)
		printf("schema already at version %d\n", now);
	else
		printf("schema migrated from version %d to %d\n", from, now);
	return CLI_EXIT_OK;
}

/* Prints text before, one value from the store sanitized, then after. */
static void
print_safe(const char *before, const char *v, const char *after)
{
	char *safe = sanitize_cstr(v, 0);

	printf("%s%s%s", before, safe, after);
	free(safe);
}

/* The run locks whose holder's session still holds them. */
static int
status_locks(PGconn *conn, char **cause)
{
	PGresult *res;
	int i;

	res = store_pg_exec(conn, "SELECT l.runbook, l.usr, l.host, "
	    "coalesce(l.tty, '-'), to_char(l.started_at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), l.pid FROM maintop.run_locks l "
	    "JOIN pg_locks k ON k.locktype = 'advisory' AND k.granted AND "
	    "k.pid = l.backend_pid AND k.objsubid = 1 AND "
	    "((k.classid::bigint << 32) | k.objid::bigint) = l.lock_key "
	    "ORDER BY l.runbook", 0, NULL, cause);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0)
		printf("run locks: none held\n");
	for (i = 0; i < PQntuples(res); i++) {
		print_safe("run lock: ", PQgetvalue(res, i, 0), "");
		print_safe(" held by ", PQgetvalue(res, i, 1), "");
		print_safe("@", PQgetvalue(res, i, 2), "");
		print_safe(" on ", PQgetvalue(res, i, 3), "");
		print_safe(" since ", PQgetvalue(res, i, 4), "");
		print_safe(" (pid ", PQgetvalue(res, i, 5), ")\n");
	}
	PQclear(res);
	res = store_pg_exec(conn, "SELECT h.agent, to_char(h.started_at AT "
	    "TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM "
	    "maintop.agent_heartbeat h JOIN pg_locks k ON k.locktype = "
	    "'advisory' AND k.granted AND k.pid = h.backend_pid AND "
	    "k.objsubid = 1 AND ((k.classid::bigint << 32) | "
	    "k.objid::bigint) = " STORE_PG_AGENT_KEY, 0, NULL, cause);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0)
		printf("agent lead: nobody\n");
	for (i = 0; i < PQntuples(res); i++) {
		print_safe("agent lead: ", PQgetvalue(res, i, 0), "");
		print_safe(" since ", PQgetvalue(res, i, 1), "\n");
	}
	PQclear(res);
	return 0;
}

/* What the store holds and whether this role may change it. */
static int
status_contents(PGconn *conn, char **cause)
{
	PGresult *res;

	res = store_pg_exec(conn, "SELECT has_table_privilege("
	    "'maintop.journal', 'INSERT'), (SELECT count(*) FROM "
	    "maintop.journal), (SELECT count(*) FROM maintop.debt_items)", 0,
	    NULL, cause);
	if (res == NULL)
		return -1;
	print_safe("role: ", PQuser(conn), "");
	printf(" (%s)\n", strcmp(PQgetvalue(res, 0, 0), "t") == 0 ?
	    "reads and writes" : "reads only");
	print_safe("journal: ", PQgetvalue(res, 0, 1), " records\n");
	print_safe("debt: ", PQgetvalue(res, 0, 2), " items\n");
	PQclear(res);
	return 0;
}

static int
store_status(PGconn *conn)
{
	const char *sv = PQparameterStatus(conn, "server_version");
	char *cause = NULL;
	int v;

	if (store_pg_version(conn, &v, &cause) != 0)
		return store_fail("status", cause);
	print_safe("server: PostgreSQL ", sv != NULL ? sv : "?", "\n");
	if (v == 0) {
		printf("schema: none (run 'maintop store init')\n");
		return CLI_EXIT_FAIL;
	}
	if (v < STORE_PG_SCHEMA)
		printf("schema: version %d, this maintop uses %d (run 'maintop "
		    "store migrate')\n", v, STORE_PG_SCHEMA);
	else if (v > STORE_PG_SCHEMA)
		printf("schema: version %d, newer than this maintop's (%d)\n",
		    v, STORE_PG_SCHEMA);
	else
		printf("schema: version %d (current)\n", v);
	if (v < STORE_PG_SCHEMA)
		return CLI_EXIT_FAIL;
	if (status_contents(conn, &cause) != 0 ||
	    status_locks(conn, &cause) != 0)
		return store_fail("status", cause);
	return v == STORE_PG_SCHEMA ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

/* import and export: the store must be current, the directory known. */
static int
store_move(PGconn *conn, const struct config *cfg, int import,
    const char *to)
{
	const char *what = import ? "import" : "export";
	struct store_moved m;
	char *dir = NULL, *cause = NULL, *safe;
	int v, r;

	if (store_pg_version(conn, &v, &cause) != 0)
		return store_fail(what, cause);
	if (v != STORE_PG_SCHEMA) {
		fprintf(stderr, "maintop: store %s: the store's schema is "
		    "version %d, this maintop uses %d: run 'maintop store "
		    "%s'\n", what, v, STORE_PG_SCHEMA, v == 0 ? "init" :
		    "migrate");
		return CLI_EXIT_FAIL;
	}
	if (to != NULL)
		dir = xstrdup(to);
	else if (config_state_dir(cfg, &dir, &cause) != 0)
		return store_fail(what, cause);
	if (import)
		r = store_pg_import(conn, cfg, dir, &m, &cause);
	else
		r = store_pg_export(conn, cfg, dir, &m, &cause);
	safe = sanitize_cstr(dir, 0);
	free(dir);
	if (r != 0) {
		free(safe);
		return store_fail(what, cause);
	}
	if (import)
		printf("imported from %s: journal %lld records, %lld new; "
		    "debt %lld items, %lld new\n", safe, m.journal_read,
		    m.journal_new, m.debt_read, m.debt_new);
	else
		printf("exported to %s: journal %lld records; debt %lld "
		    "items\n", safe, m.journal_read, m.debt_read);
	if (m.journal_skipped > 0)
		printf("skipped %lld journal lines that are not records\n",
		    m.journal_skipped);
	free(safe);
	return CLI_EXIT_OK;
}

/* The verb on the store of cfg. */
static int
store_verb(const struct config *cfg, const char *verb, const char *to)
{
	const struct store_conf *sc = cfg->settings.store;
	char *cause = NULL, *dir;
	PGconn *conn;
	int r, to_n = STORE_PG_SCHEMA;

	if (sc == NULL) {
		if (strcmp(verb, "status") == 0 &&
		    config_state_dir(cfg, &dir, &cause) == 0) {
			print_safe("store: files in ", dir, "\n");
			free(dir);
			return CLI_EXIT_OK;
		}
		free(cause);
		fprintf(stderr, "maintop: store %s: no settings.store in the "
		    "configuration: the store is the state directory's files, "
		    "which need no setup (see maintop.conf(5))\n", verb);
		return CLI_EXIT_CONFIG;
	}
	if (strcmp(verb, "migrate") == 0 && to != NULL) {
		to_n = (int)strtol(to, &cause, 10);
		if (*to == '\0' || *cause != '\0' || to_n < 1 ||
		    to_n > STORE_PG_SCHEMA) {
			fprintf(stderr, "maintop: store migrate: --to takes a "
			    "version from 1 to %d\n", STORE_PG_SCHEMA);
			return CLI_EXIT_USAGE;
		}
		cause = NULL;
	}
	if ((conn = store_pg_connect(sc, &cause)) == NULL)
		return store_fail(verb, cause);
	if (strcmp(verb, "status") == 0)
		print_safe("store: postgres (", sc->conninfo, ")\n");
	if (strcmp(verb, "init") == 0)
		r = store_init(conn);
	else if (strcmp(verb, "migrate") == 0)
		r = store_migrate(conn, to_n);
	else if (strcmp(verb, "status") == 0)
		r = store_status(conn);
	else
		r = store_move(conn, cfg, strcmp(verb, "import") == 0, to);
	PQfinish(conn);
	return r;
}

int
cmd_store(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const verbs[] = {
		"init", "migrate", "status", "import", "export", NULL
	};
	struct cli_opts o = { .argc = argc, .argv = argv,
	    .longopts = longopts, .usage = store_usage };
	const char *to = NULL, *verb;
	struct config *cfg;
	size_t i;
	int ret;

	while (cli_getopt(&o) == 't')
		to = optarg;
	if (o.exit != -1)
		return o.exit;
	verb = optind + 1 == argc ? argv[optind] : NULL;
	for (i = 0; verb != NULL && verbs[i] != NULL; i++)
		if (strcmp(verb, verbs[i]) == 0)
			break;
	if (verb == NULL || verbs[i] == NULL || (to != NULL &&
	    strcmp(verb, "migrate") != 0 && strcmp(verb, "export") != 0))
		return cli_usage_error(store_usage);
	cfg = cli_load_config(o.config);
	if (cfg == NULL)
		return CLI_EXIT_CONFIG;
	ret = store_verb(cfg, verb, to);
	config_free(cfg);
	return ret;
}
