/* The demo's configuration, written for the servers demo_servers.c started:
 * checks that show every state, windows (one open now), debt and runbooks
 * that run to success against those servers. */
#include "build.h"

#include <time.h>

#include "demo_servers.h"
#include "util.h"

/* The demo's own window opens at the hour the demo starts and lasts this
 * long, so one check is in maintenance for the demo's whole life. */
#define DEMO_WINDOW_NOW	"8h"

static void
demo_conf_settings(struct buf *b, const struct demo *d)
{
	buf_printf(b,
	    "# maintop demo configuration, written by \"maintop demo\".\n"
	    "# Every server below is a throwaway one on 127.0.0.1, in\n"
	    "# %s, removed when the demo ends.\n\n", d->dir);
	/* Notices and events go to a file in the demo's directory: a
	 * channel an agent could deliver to, with no network. */
	buf_printf(b,
	    "settings = {\n"
	    "  name = \"demo\";\n"
	    "  refresh = \"5s\";\n"
	    "  timeout = \"2s\";\n"
	    "  timezone = \"UTC\";\n"
	    "  state_dir = \"%s\";\n"
	    "  notify = [ \"ops-log\" ];\n"
	    "};\n\n"
	    "channels = (\n"
	    "  { name = \"ops-log\"; type = \"command\";\n"
	    "    command = [ \"/bin/sh\", \"-c\", "
	    "\"cat >> %s/events.jsonl\" ]; }\n"
	    ");\n\n", d->state_dir, d->dir);
}

/* PostgreSQL and Redis: pg-main warns of the dead tuples that the
 * vacuum-orders runbook removes. */
static void
demo_conf_databases(struct buf *b, const struct demo *d)
{
	buf_printf(b,
	    "postgres = (\n"
	    "  {\n"
	    "    name = \"pg-main\";\n"
	    "    conninfo = \"host=127.0.0.1 port=%d dbname=maintop "
	    "user=monitor\";\n"
	    "    password_file = \"%s\";\n"
	    "    connections_pct_warn = 70;\n"
	    "    connections_pct_crit = 90;\n"
	    "    dead_ratio_warn = 0.2;\n"
	    "    dead_ratio_crit = 0.5;\n"
	    "  }\n"
	    ");\n\n", d->pg_port, d->pg_password_file);
	buf_printf(b,
	    "redis = (\n"
	    "  {\n"
	    "    name = \"cache\";\n"
	    "    host = \"127.0.0.1\";\n"
	    "    port = %d;\n"
	    "    memory_pct_warn = 80;\n"
	    "    memory_pct_crit = 95;\n"
	    "  }\n"
	    ");\n\n", d->redis_port);
}

/* One HTTP check per state: healthy, slow (warn), failing (crit), a
 * certificate near its end (warn, in maintenance) and metrics. */
static void
demo_conf_http(struct buf *b, const struct demo *d)
{
	buf_printf(b,
	    "http = (\n"
	    "  {\n"
	    "    name = \"api\";\n"
	    "    url = \"http://127.0.0.1:%d/health\";\n"
	    "    body_contains = \"ok\";\n"
	    "    latency_warn = \"200ms\";\n"
	    "    latency_crit = \"1s\";\n"
	    "  },\n"
	    "  {\n"
	    "    name = \"slow-api\";\n"
	    "    url = \"http://127.0.0.1:%d/slow?ms=300\";\n"
	    "    latency_warn = \"200ms\";\n"
	    "    latency_crit = \"2s\";\n"
	    "  },\n"
	    "  {\n"
	    "    name = \"payments\";\n"
	    "    url = \"http://127.0.0.1:%d/status/500\";\n"
	    "  },\n"
	    "  {\n"
	    "    name = \"api-tls\";\n"
	    "    url = \"https://127.0.0.1:%d/health\";\n"
	    "    tls_verify = false;\n"
	    "    cert_warn_days = 30;\n"
	    "    cert_crit_days = 7;\n"
	    "  },\n"
	    "  {\n"
	    "    name = \"api-metrics\";\n"
	    "    url = \"http://127.0.0.1:%d/metrics\";\n"
	    "    metrics = (\n"
	    "      { name = \"requests\"; "
	    "select = \"http_requests_total{code=\\\"200\\\"}\"; "
	    "rate = true; }\n"
	    "    );\n"
	    "  }\n"
	    ");\n\n", d->http_port, d->http_port, d->http_port,
	    d->https_port, d->http_port);
}

/*
 * A weekly window with a notice, a monthly one, and one open now (from the
 * hour the demo started) that puts api-tls in maintenance while its
 * certificate is renewed.
 */
static void
demo_conf_windows(struct buf *b, time_t now)
{
	char start[32];

	util_format_utc(now - now % 3600, start, sizeof start);
	buf_printf(b,
	    "windows = (\n"
	    "  {\n"
	    "    name = \"db-maintenance\";\n"
	    "    description = \"Weekly PostgreSQL vacuum and reindex\";\n"
	    "    schedule = \"0 2 * * SUN\";\n"
	    "    duration = \"2h\";\n"
	    "    notice = \"48h\";\n"
	    "    systems = [ \"pg-main\" ];\n"
	    "    runbooks = [ \"vacuum-orders\" ];\n"
	    "  },\n"
	    "  {\n"
	    "    name = \"cache-flush\";\n"
	    "    description = \"Monthly Redis restart\";\n"
	    "    schedule = \"30 3 1 * *\";\n"
	    "    duration = \"30m\";\n"
	    "    systems = [ \"cache\" ];\n"
	    "    runbooks = [ \"flush-sessions\" ];\n"
	    "  },\n"
	    "  {\n"
	    "    name = \"cert-renewal\";\n"
	    "    description = \"Renew the API's TLS certificate\";\n"
	    "    start = \"%s\";\n"
	    "    duration = \"%s\";\n"
	    "    systems = [ \"api-tls\" ];\n"
	    "  }\n"
	    ");\n\n", start, DEMO_WINDOW_NOW);
}

/* Each item names the checks it is about: payments is crit, pg-main warn,
 * api-tls in maintenance. */
static void
demo_conf_debt(struct buf *b)
{
	buf_adds(b,
	    "debt = (\n"
	    "  {\n"
	    "    id = \"orders-bloat\";\n"
	    "    title = \"orders table has autovacuum turned off\";\n"
	    "    priority = \"high\";\n"
	    "    systems = [ \"pg-main\" ];\n"
	    "    effort = \"2h\";\n"
	    "    impact = \"Dead tuples pile up; queries slow down.\";\n"
	    "    plan = \"Re-enable autovacuum after the next window.\";\n"
	    "    owner = \"dba\";\n"
	    "  },\n"
	    "  {\n"
	    "    id = \"payments-500\";\n"
	    "    title = \"payments health endpoint answers 500\";\n"
	    "    priority = \"medium\";\n"
	    "    systems = [ \"payments\" ];\n"
	    "    impact = \"The payments check is crit until it is "
	    "fixed.\";\n"
	    "  },\n"
	    "  {\n"
	    "    id = \"tls-renewal\";\n"
	    "    title = \"automate certificate renewal for api-tls\";\n"
	    "    priority = \"low\";\n"
	    "    systems = [ \"api-tls\" ];\n"
	    "  }\n"
	    ");\n\n");
}

/*
 * VACUUM a table through sql steps on pg-main (psql with the check's
 * connection and password), a parameter with a default, and pg-main's
 * warn accepted: the dead-tuple ratio it warns of is what the run fixes.
 */
static void
demo_conf_vacuum(struct buf *b)
{
	buf_adds(b,
	    "  {\n"
	    "    name = \"vacuum-orders\";\n"
	    "    description = \"VACUUM the bloated orders table\";\n"
	    "    params = (\n"
	    "      { name = \"table\"; default = \"orders\";\n"
	    "        pattern = \"[a-z_][a-z0-9_]{0,62}\";\n"
	    "        description = \"the table to vacuum: orders holds the "
	    "dead tuples\"; }\n"
	    "    );\n"
	    "    requires_healthy = ( { check = \"pg-main\"; "
	    "worst = \"warn\"; } );\n"
	    "    steps = (\n"
	    "      { name = \"show dead tuples\"; confirm = false;\n"
	    "        sql = \"SELECT relname, n_live_tup, n_dead_tup FROM "
	    "pg_stat_user_tables WHERE relname = ${table}\";\n"
	    "        on = \"pg-main\"; },\n"
	    "      { name = \"vacuum\";\n"
	    "        sql = \"VACUUM (ANALYZE) ${table:ident}\";\n"
	    "        on = \"pg-main\"; },\n"
	    "      { name = \"pg-main healthy\"; confirm = false;\n"
	    "        wait_healthy = [ \"pg-main\" ]; timeout = \"1m\"; }\n"
	    "    );\n"
	    "  },\n");
}

/*
 * Takes the API down and up through the demo server's /toggle, the first
 * step undone by its rollback should the run stop, an operator's pause,
 * and success criteria that probe the api check and its endpoint again.
 */
static void
demo_conf_restart(struct buf *b, const struct demo *d)
{
	buf_printf(b,
	    "  {\n"
	    "    name = \"restart-api\";\n"
	    "    description = \"Take the API out and back (the demo "
	    "server's /toggle)\";\n"
	    "    steps = (\n"
	    "      { name = \"mark down\";\n"
	    "        run = \"curl -fsS -X POST http://127.0.0.1:%d/toggle\";\n"
	    "        rollback = \"curl -fsS -X POST "
	    "http://127.0.0.1:%d/toggle\"; },\n"
	    "      { name = \"see it fail\"; confirm = false;\n"
	    "        run = \"curl -sS -o /dev/null -w 'health answers "
	    "%%{http_code}\\\\n' http://127.0.0.1:%d/health\"; },\n"
	    "      { name = \"operator check\"; pause = \"The API is out: "
	    "its health endpoint answers 503.\"; },\n"
	    "      { name = \"mark up\";\n"
	    "        run = \"curl -fsS -X POST "
	    "http://127.0.0.1:%d/toggle\"; },\n"
	    "      { name = \"verify\"; confirm = false; timeout = \"1m\";\n"
	    "        criteria = (\n"
	    "          { check = \"api\"; },\n"
	    "          { name = \"health answers 200\";\n"
	    "            http = \"http://127.0.0.1:%d/health\"; "
	    "expect_status = 200; }\n"
	    "        ); }\n"
	    "    );\n"
	    "  },\n", d->http_port, d->http_port, d->http_port,
	    d->http_port, d->http_port);
}

/* A danger step (the runbook's name is typed to run it) on a healthy
 * cache, counted before and after. */
static void
demo_conf_flush(struct buf *b)
{
	buf_adds(b,
	    "  {\n"
	    "    name = \"flush-sessions\";\n"
	    "    description = \"Drop cached sessions\";\n"
	    "    requires_healthy = [ \"cache\" ];\n"
	    "    steps = (\n"
	    "      { name = \"count keys\"; confirm = false;\n"
	    "        redis = \"DBSIZE\"; on = \"cache\"; },\n"
	    "      { name = \"flush\"; danger = true;\n"
	    "        redis = \"FLUSHDB\"; on = \"cache\"; },\n"
	    "      { name = \"verify\"; confirm = false;\n"
	    "        criteria = ( { check = \"cache\"; } ); }\n"
	    "    );\n"
	    "  }\n");
}

char *
demo_config_text(const struct demo *d, time_t now)
{
	struct buf b;

	buf_init(&b);
	demo_conf_settings(&b, d);
	demo_conf_databases(&b, d);
	demo_conf_http(&b, d);
	demo_conf_windows(&b, now);
	demo_conf_debt(&b);
	buf_adds(&b, "runbooks = (\n");
	demo_conf_vacuum(&b);
	demo_conf_restart(&b, d);
	demo_conf_flush(&b);
	buf_adds(&b, ");\n");
	return buf_detach(&b);
}
