/* maintop's entry point: parses the command line and runs one mode. */
#include "build.h"

#ifndef MAINTOP_SYSCONFDIR
#define MAINTOP_SYSCONFDIR "/etc"
#endif

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "childenv.h"
#include "cli.h"
#include "config.h"
#include "journal.h"
#include "probe.h"
#include "sanitize.h"
#include "ui_run.h"
#include "util.h"

static const char usage_text[] =
"usage: maintop [-c FILE] [--theme NAME] [--read-only] [--wall] [--now TIME]\n"
"               [--no-exec] [--local-lock WHY]\n"
"       maintop help [MODE]\n"
"       maintop validate [-c FILE]\n"
"       maintop snapshot [-c FILE]\n"
"       maintop check [-c FILE] [--json] [--ignore-maintenance] [NAME...]\n"
"       maintop calendar [-c FILE] [--days N] [--json | --ics]\n"
"       maintop debt [-c FILE] [--json] [--all]\n"
"       maintop debt add|resolve|reopen|delete ...\n"
"       maintop run NAME [-c FILE] [--param K=V]... [--yes] [--yes-danger]\n"
"                   [--dry-run] [--override-window] [--override-health WHY]\n"
"                   [--local-lock WHY]\n"
"       maintop history [-c FILE] [--runbook NAME] [--since WHEN] [--limit N]\n"
"                       [--reverse] [--json]\n"
"       maintop notify test CHANNEL | flush | list [-c FILE]\n"
"       maintop agent [-c FILE] [--once]\n"
"       maintop store init|migrate|status|import|export [-c FILE] [--to N|DIR]\n"
"       maintop demo\n"
"\n"
"A terminal dashboard for the people who keep production running:\n"
"maintenance windows, health of PostgreSQL, Redis and HTTP services,\n"
"technical debt, and runbooks run step by step.\n"
"\n"
"Options:\n"
"  -c, --config FILE   configuration file (default: $MAINTOP_CONFIG,\n"
"                      $XDG_CONFIG_HOME/maintop/maintop.conf,\n"
"                      " MAINTOP_SYSCONFDIR "/maintop/maintop.conf)\n"
"  -t, --theme NAME    colour theme: default, mono, high-contrast, ...\n"
"  -r, --read-only     refuse every action that changes anything\n"
"  -w, --wall          wall display: read-only, panes cycle, no keys needed\n"
"  -n, --now TIME      fix the clock at an ISO 8601 instant\n"
"                      (e.g. 2026-12-06T02:30:00Z); works with every mode\n"
"      --no-exec       run no exec check (each reports UNKNOWN); every mode\n"
"      --local-lock WHY  while the team store cannot be reached, runbooks\n"
"                      run on a lock of this host instead of being refused;\n"
"                      WHY reaches the store with their records\n"
"  -h, --help          this help; 'maintop help MODE' for a mode\n"
"  -V, --version       print the version\n"
"\n"
"Exit codes: 0 success; 1 failure or refusal; 2 usage error;\n"
"3 no usable configuration.  'maintop check' uses 0 OK, 1 WARNING,\n"
"2 CRITICAL, 3 UNKNOWN.  'maintop run' exits with its result: 0 success,\n"
"1 failed, 4 partial, 5 rolled-back, 6 rollback-failed, 7 aborted,\n"
"8 interrupted, 9 detached, 10 refused ('maintop run --help').\n"
"See maintop(1) and maintop.conf(5).\n";

static const struct {
	const char	*name;
	int		(*fn)(int, char **);
} modes[] = {
	{ "validate", cmd_validate },
	{ "snapshot", cmd_snapshot },
	{ "check", cmd_check },
	{ "calendar", cmd_calendar },
	{ "debt", cmd_debt },
	{ "run", cmd_run },
	{ "history", cmd_history },
	{ "demo", cmd_demo },
	{ "notify", cmd_notify },
	{ "agent", cmd_agent },
	{ "store", cmd_store },
};

#define NMODES (sizeof modes / sizeof modes[0])

static size_t
mode_find(const char *name)
{
	size_t i;

	for (i = 0; i < NMODES; i++)
		if (strcmp(name, modes[i].name) == 0)
			break;
	return i;
}

/* One line: the mode is unknown, the nearest one, where the list is. */
static int
unknown_mode(const char *name)
{
	const char *names[NMODES + 2], *sugg;
	char *safe = sanitize_cstr(name, 0);
	size_t i;

	for (i = 0; i < NMODES; i++)
		names[i] = modes[i].name;
	names[i++] = "help";
	names[i] = NULL;
	sugg = cfg_suggest(name, names);
	if (sugg != NULL)
		fprintf(stderr, "maintop: unknown mode '%s' (did you mean "
		    "'%s'?); 'maintop help' lists the modes\n", safe, sugg);
	else
		fprintf(stderr, "maintop: unknown mode '%s'; 'maintop help' "
		    "lists the modes\n", safe);
	free(safe);
	return CLI_EXIT_USAGE;
}

/*
 * "maintop help" prints the usage; "maintop help MODE" the mode's own
 * help, as "maintop MODE --help" does.
 */
static int
help(int argc, char **argv)
{
	char *args[3];
	size_t i;

	if (argc < 2) {
		fputs(usage_text, stdout);
		return CLI_EXIT_OK;
	}
	if (argc > 2) {
		fprintf(stderr, "usage: maintop help [MODE]\n");
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "help") == 0) {
		printf("usage: maintop help [MODE]\nPrints the modes, or the "
		    "help of one (as 'maintop MODE --help').\n");
		return CLI_EXIT_OK;
	}
	if ((i = mode_find(argv[1])) == NMODES)
		return unknown_mode(argv[1]);
	args[0] = argv[1];
	args[1] = (char *)"--help";
	args[2] = NULL;
	return modes[i].fn(2, args);
}

/*
 * Takes --now out of argv wherever it stands, so that every mode honours it
 * without parsing it itself.  Returns -1 on a malformed instant.
 */
static int
take_now(int *argc, char **argv)
{
	int i, j, take;
	const char *val;

	for (i = 1; i < *argc && argv[i] != NULL; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		val = NULL;
		take = 0;
		if ((strcmp(argv[i], "--now") == 0 ||
		    strcmp(argv[i], "-n") == 0) && i + 1 < *argc) {
			val = argv[i + 1];
			take = 2;
		} else if (strncmp(argv[i], "--now=", 6) == 0) {
			val = argv[i] + 6;
			take = 1;
		}
		if (val == NULL)
			continue;
		if (cli_set_now(val) != 0) {
			fprintf(stderr, "maintop: --now: not an ISO 8601 "
			    "instant: '%s' (e.g. 2026-12-06T02:30:00Z)\n",
			    val);
			return -1;
		}
		for (j = i; j + take <= *argc; j++)
			argv[j] = argv[j + take];
		*argc -= take;
		i--;
	}
	return 0;
}

/* Takes --no-exec out of argv wherever it stands (every mode honours it):
 * exec checks report UNKNOWN and run nothing. */
static void
take_no_exec(int *argc, char **argv)
{
	int i, j;

	for (i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--no-exec") != 0)
			continue;
		probe_exec_disable();
		for (j = i; j < *argc; j++)
			argv[j] = argv[j + 1];
		(*argc)--;
		i--;
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "theme", required_argument, NULL, 't' },
		{ "read-only", no_argument, NULL, 'r' },
		{ "wall", no_argument, NULL, 'w' },
		{ "local-lock", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct ui_opts opts;
	const char *cfgpath = NULL;
	struct config *cfg;
	size_t i;
	int ch, ret;

	/* Children get the environment maintop was started with, before
	 * maintop sets TZ and ESCDELAY for itself. */
	childenv_capture();
	/* Who acts, for the journal, while no other thread runs. */
	journal_init();
	/* Before any password is read: a core file would hold them. */
	if (util_no_core() != 0)
		fprintf(stderr, "maintop: cannot turn core dumps off: %s\n",
		    strerror(errno));
	cli_started_ms = util_mono_ms();
	/* The user's character type only: the width of a name in columns
	 * (wcwidth) for tables that line up in every mode.  Numbers keep the
	 * C locale's decimal point. */
	setlocale(LC_CTYPE, "");
	if (take_now(&argc, argv) != 0)
		return CLI_EXIT_USAGE;
	take_no_exec(&argc, argv);
	if (argc > 1 && argv[1][0] != '-') {
		if (strcmp(argv[1], "help") == 0)
			return help(argc - 1, argv + 1);
		if ((i = mode_find(argv[1])) < NMODES)
			return modes[i].fn(argc - 1, argv + 1);
		return unknown_mode(argv[1]);
	}

	memset(&opts, 0, sizeof opts);
	while ((ch = getopt_long(argc, argv, "c:t:rwhV", longopts, NULL))
	    != -1) {
		switch (ch) {
		case 'c':
			cfgpath = optarg;
			break;
		case 't':
			opts.theme = optarg;
			break;
		case 'r':
			opts.read_only = 1;
			break;
		case 'w':
			opts.wall = 1;
			break;
		case 'L':
			if (*optarg == '\0') {
				fputs(usage_text, stderr);
				return CLI_EXIT_USAGE;
			}
			opts.local_lock = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return CLI_EXIT_OK;
		case 'V':
			printf("maintop %s\n", PACKAGE_VERSION);
			return CLI_EXIT_OK;
		default:
			fputs(usage_text, stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "maintop: unexpected argument '%s'\n%s",
		    argv[optind], usage_text);
		return CLI_EXIT_USAGE;
	}
	cfg = cli_load_config(cfgpath);
	if (cfg == NULL)
		return CLI_EXIT_CONFIG;
	opts.cfg = cfg;
	ret = ui_run(&opts);
	config_free(cfg);
	return ret;
}
