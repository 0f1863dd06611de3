/* "maintop demo": starts throwaway PostgreSQL, Redis and HTTP servers on
 * 127.0.0.1, writes a configuration for them and runs the dashboard. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "childenv.h"
#include "cli.h"
#include "config.h"
#include "demo_servers.h"
#include "ui_run.h"

static const char demo_usage[] =
"usage: maintop demo [--snapshot] [--read-only | --wall] [--theme NAME]\n"
"Starts PostgreSQL, Redis and an HTTP server on 127.0.0.1 in a temporary\n"
"directory (as an unprivileged user when run as root), writes a\n"
"configuration that points at them and runs the dashboard on it.\n"
"Everything is stopped and removed when the dashboard exits.\n"
"--snapshot prints 'maintop snapshot' of the demo instead (no terminal).\n";

/* For maintop's own use (the configuration) and for the runbooks' steps,
 * whose environment was captured at start-up. */
static void
demo_setenv(const char *name, const char *value)
{
	setenv(name, value, 1);
	childenv_set(name, value);
}

/* demo_start has written the configuration; the runbooks (the demo's and
 * the examples in doc/runbooks) find the servers through these. */
static void
demo_setenv_servers(const struct demo *d)
{
	char port[16];

	demo_setenv("MAINTOP_DEMO_DIR", d->dir);
	snprintf(port, sizeof port, "%d", d->pg_port);
	demo_setenv("MAINTOP_DEMO_PG_PORT", port);
	snprintf(port, sizeof port, "%d", d->redis_port);
	demo_setenv("MAINTOP_DEMO_REDIS_PORT", port);
	snprintf(port, sizeof port, "%d", d->http_port);
	demo_setenv("MAINTOP_DEMO_HTTP_PORT", port);
}

/* --snapshot: 'maintop snapshot' of the demo's configuration. */
static int
demo_snapshot(const struct demo *d)
{
	char *args[] = { "snapshot", "-c", d->config_path, NULL };

	return cmd_snapshot(3, args);
}

/* The dashboard on the demo's configuration; returns its exit code. */
static int
demo_dashboard(const struct demo *d, struct ui_opts *opts)
{
	struct config *c;
	int ret;

	c = cli_load_config(d->config_path);
	if (c == NULL)
		return CLI_EXIT_CONFIG;
	opts->cfg = c;
	ret = ui_run(opts);
	config_free(c);
	opts->cfg = NULL;
	return ret;
}

int
cmd_demo(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "snapshot", no_argument, NULL, 's' },
		{ "read-only", no_argument, NULL, 'r' },
		{ "wall", no_argument, NULL, 'w' },
		{ "theme", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_opts o = { .argc = argc, .argv = argv, .shortopts = "srwt:",
	    .longopts = longopts, .usage = demo_usage };
	struct ui_opts opts;
	struct demo *d;
	char *cause = NULL;
	int ch, snapshot = 0, ret;

	memset(&opts, 0, sizeof opts);
	while ((ch = cli_getopt(&o)) != -1) {
		switch (ch) {
		case 's':
			snapshot = 1;
			break;
		case 'r':
			opts.read_only = 1;
			break;
		case 'w':
			opts.wall = 1;
			break;
		case 't':
			opts.theme = optarg;
			break;
		}
	}
	if (o.exit != -1)
		return o.exit;
	/* The demo writes its own configuration: -c has nothing to name. */
	if (o.config != NULL) {
		fprintf(stderr, "maintop demo: -c: the demo writes its own "
		    "configuration\n");
		return cli_usage_error(demo_usage);
	}
	if (optind != argc)
		return cli_usage_error(demo_usage);

	fprintf(stderr, "maintop demo: starting PostgreSQL, Redis and HTTP "
	    "servers on 127.0.0.1...\n");
	if ((d = demo_start(&cause)) == NULL) {
		fprintf(stderr, "maintop demo: %s\n", cause);
		free(cause);
		return CLI_EXIT_FAIL;
	}
	demo_setenv_servers(d);
	if (snapshot) {
		ret = demo_snapshot(d);
		demo_stop(d);
		return ret;
	}
	ret = demo_dashboard(d, &opts);
	demo_stop(d);
	fprintf(stderr, "maintop demo: servers stopped, %s removed\n",
	    "temporary files");
	return ret;
}
