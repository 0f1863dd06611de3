/* "maintop agent hold": an operator holds the next start of a window's
 * autorun (or releases it, or lists the holds), recorded in the journal
 * with who and why; the agent skips that one occurrence. */
#include "build.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_hold.h"
#include "calendar.h"
#include "cli.h"
#include "config.h"
#include "sanitize.h"
#include "store.h"
#include "util.h"

static const char hold_usage[] =
"usage: maintop agent hold WINDOW --reason TEXT [-c FILE]\n"
"       maintop agent hold --release WINDOW [--reason TEXT] [-c FILE]\n"
"       maintop agent hold --list [-c FILE]\n"
"\n"
"Holds the next start of WINDOW's autorun: the agent skips that one\n"
"occurrence (and says so in its log and the journal); later starts run\n"
"as usual.  --release takes the hold back.  Each is a journal record\n"
"with who and why.  --list prints the holds still ahead.\n"
"\n"
"  -c, --config FILE   the configuration\n"
"  -r, --reason TEXT   why (required to hold)\n"
"      --release       take back the hold on WINDOW's next start\n"
"      --list          print the holds\n"
"  -h, --help          this text\n"
"\n"
"Exit 0, 1 when there is nothing to hold or release, 3 without a usable\n"
"configuration.\n";

/* An occurrence's start for people, in the configuration's zone. */
static void
hold_when(time_t t, const char *tz, char *buf, size_t len)
{
	struct tm tm;

	if (util_localtime(t, tz, &tm) != 0 ||
	    strftime(buf, len, "%a %Y-%m-%d %H:%M %Z", &tm) == 0)
		util_format_utc(t, buf, len);
}

static void
hold_list(const struct agent_holds *h, const struct config *c, time_t now)
{
	char when[64], *w, *r, *u;
	size_t i, shown = 0;

	for (i = 0; i < h->n; i++) {
		if (h->v[i].start < now)
			continue;
		hold_when(h->v[i].start, c->settings.timezone, when,
		    sizeof when);
		w = sanitize_cstr(h->v[i].window, 0);
		r = sanitize_cstr(h->v[i].reason, 0);
		u = sanitize_cstr(h->v[i].user, 0);
		printf("%-20s %s  held by %s: %s\n", w, when, u, r);
		free(u);
		free(r);
		free(w);
		shown++;
	}
	if (shown == 0)
		printf("no autorun is held\n");
}

/* Prints the holds still ahead. */
static int
hold_show(const struct config *c, struct store *store, const char *state_dir)
{
	struct agent_holds h = { NULL, 0 };

	hold_list(agent_holds_read(store, state_dir, &h), c, cli_now());
	agent_holds_free(&h);
	return CLI_EXIT_OK;
}

/* Holds or releases the next start of w. */
static int
hold_change(const struct config *c, struct store *store,
    const char *state_dir, int release, struct window *w, const char *reason)
{
	char when[64], *cause = NULL;
	time_t prev, next;
	int has_prev, has_next;

	calendar_window_around(w, cli_now(), &has_prev, &prev, &has_next,
	    &next);
	if (!has_next) {
		fprintf(stderr, "maintop agent hold: window '%s' starts no "
		    "more\n", w->name);
		return CLI_EXIT_FAIL;
	}
	hold_when(next, c->settings.timezone, when, sizeof when);
	if (agent_hold_apply(store, state_dir, w->name, next, release, reason,
	    cli_now(), &cause) != 0) {
		fprintf(stderr, "maintop agent hold: %s (%s)\n", cause, when);
		free(cause);
		return CLI_EXIT_FAIL;
	}
	printf("%s the autorun of '%s' at %s\n", release ? "released" :
	    "held", w->name, when);
	return CLI_EXIT_OK;
}

int
cmd_agent_hold(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ "release", no_argument, NULL, 'R' },
		{ "list", no_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_opts o = { .argc = argc, .argv = argv, .shortopts = "r:",
	    .longopts = longopts, .usage = hold_usage };
	const char *reason = NULL;
	struct config *c;
	struct window *w = NULL;
	struct store *store;
	char *state_dir = NULL, *cause = NULL;
	int ch, release = 0, list = 0, rc;

	while ((ch = cli_getopt(&o)) != -1) {
		switch (ch) {
		case 'r':
			reason = optarg;
			break;
		case 'R':
			release = 1;
			break;
		case 'l':
			list = 1;
			break;
		}
	}
	if (o.exit != -1)
		return o.exit;
	if (argc - optind != (list ? 0 : 1) || (list && release) ||
	    (!list && !release && (reason == NULL || *reason == '\0'))) {
		if (!list && !release && argc - optind == 1)
			fputs("maintop agent hold: say why with --reason\n",
			    stderr);
		return cli_usage_error(hold_usage);
	}
	if (reason != NULL && (strlen(reason) > 1000 ||
	    strpbrk(reason, "\r\n") != NULL)) {
		fputs("maintop agent hold: the reason is one line of at most "
		    "1000 bytes\n", stderr);
		return CLI_EXIT_USAGE;
	}
	if ((c = cli_load_config(o.config)) == NULL)
		return CLI_EXIT_CONFIG;
	if (!list) {
		w = config_find_window(c, argv[optind]);
		if (w == NULL || w->nautorun == 0) {
			cause = sanitize_cstr(argv[optind], 0);
			fprintf(stderr, "maintop agent hold: %s '%s'%s\n",
			    w == NULL ? "no window is called" : "window",
			    cause, w == NULL ? "" : " has no autorun: nothing "
			    "to hold");
			free(cause);
			config_free(c);
			return CLI_EXIT_FAIL;
		}
	}
	if (!list && c->settings.read_only) {
		fputs("maintop agent hold: read-only (settings.read_only)\n",
		    stderr);
		config_free(c);
		return CLI_EXIT_FAIL;
	}
	if (config_state_dir(c, &state_dir, &cause) != 0) {
		fprintf(stderr, "maintop agent hold: %s\n", cause);
		free(cause);
		config_free(c);
		return CLI_EXIT_CONFIG;
	}
	/* With settings.store, the team's holds. */
	if ((store = store_open(c, state_dir, &cause)) == NULL) {
		fprintf(stderr, "maintop agent hold: %s\n", cause);
		free(cause);
		free(state_dir);
		config_free(c);
		return CLI_EXIT_FAIL;
	}
	rc = list ? hold_show(c, store, state_dir) : hold_change(c, store,
	    state_dir, release, w, reason);
	store_close(store);
	free(state_dir);
	config_free(c);
	return rc;
}
