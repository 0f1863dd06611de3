/* "maintop validate": checks a configuration like "nginx -t" does. */
#include <stdio.h>
#include <stdlib.h>

#include "calendar.h"
#include "check.h"
#include "cli.h"
#include "config.h"

/* Conflicts are looked for this far ahead. */
#define VALIDATE_DAYS 90

static const char validate_usage[] =
"usage: maintop validate [-c FILE]\n"
"Checks the configuration: prints every error and warning with file and\n"
"line, or a summary.  Exit 0 when valid, 1 when not, 3 when no file.\n";

int
cmd_validate(int argc, char **argv)
{
	struct cfg_errors errs = { 0 };
	const char *explicit = NULL;
	struct config *c;
	char *path, *cause = NULL;
	size_t i, npg = 0, nredis = 0, nhttp = 0, nexec = 0, nwarn;
	int ret;

	if ((ret = cli_config_only(argc, argv, validate_usage, &explicit)) != -1)
		return ret;
	path = config_find(explicit, &cause);
	if (path == NULL) {
		fprintf(stderr, "maintop: %s\n", cause);
		free(cause);
		return CLI_EXIT_CONFIG;
	}
	c = config_load(path, &errs);
	if (c != NULL)
		calendar_warn_conflicts(c, cli_now(), VALIDATE_DAYS, &errs);
	cli_print_errors(&errs);
	nwarn = errs.n - errs.nerrors;
	if (c == NULL) {
		printf("%s: invalid: %zu error%s, %zu warning%s\n", path,
		    errs.nerrors, errs.nerrors == 1 ? "" : "s", nwarn,
		    nwarn == 1 ? "" : "s");
		cfg_errors_free(&errs);
		free(path);
		return CLI_EXIT_FAIL;
	}
	for (i = 0; i < c->nchecks; i++) {
		switch (c->checks[i]->type) {
		case CHECK_POSTGRES:
			npg++;
			break;
		case CHECK_REDIS:
			nredis++;
			break;
		case CHECK_HTTP:
			nhttp++;
			break;
		case CHECK_EXEC:
			nexec++;
			break;
		}
	}
	printf("%s: ok: %zu check%s (%zu postgres, %zu redis, %zu http%s%.0zu%s"
	    "), %zu window%s, %zu debt item%s, %zu runbook%s", path,
	    c->nchecks, c->nchecks == 1 ? "" : "s", npg, nredis, nhttp,
	    nexec > 0 ? ", " : "", nexec, nexec > 0 ? " exec" : "", c->nwindows,
	    c->nwindows == 1 ? "" : "s", c->ndebt, c->ndebt == 1 ? "" : "s",
	    c->nrunbooks, c->nrunbooks == 1 ? "" : "s");
	if (nwarn > 0)
		printf("; %zu warning%s", nwarn, nwarn == 1 ? "" : "s");
	printf("\n");
	cfg_errors_free(&errs);
	config_free(c);
	free(path);
	return CLI_EXIT_OK;
}
