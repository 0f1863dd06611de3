/* "maintop agent hold": an operator holds the next start of a window's
 * autorun (or releases it, or lists the holds), recorded in the journal
 * with who and why; the agent skips that one occurrence. */
#include "build.h"

#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "agent_hold.h"
#include "calendar.h"
#include "cli.h"
#include "config.h"
#include "fileio.h"
#include "journal.h"
#include "sanitize.h"
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

/* The journal record of a hold or a release. */
static void
hold_journal(const char *state_dir, const char *type, const char *window,
    time_t start, const char *reason)
{
	json_t *o;
	char iso[32], when[32], *line, *path, *cause = NULL;

	util_format_utc(cli_now(), iso, sizeof iso);
	util_format_utc(start, when, sizeof when);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", type, "time", iso,
	    "window", window, "start", when, "reason", reason);
	if (o == NULL)
		fatal("agent hold: cannot build a journal record");
	journal_who_json(o);
	line = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	path = xasprintf("%s/journal.jsonl", state_dir);
	if (line == NULL || journal_append(path, line, &cause) != 0) {
		fprintf(stderr, "maintop agent hold: journal: %s\n",
		    cause != NULL ? cause : "cannot write");
		free(cause);
	}
	free(path);
	free(line);
}

/* The user journal_who names, for the holds file. */
static char *
hold_user(void)
{
	json_t *o = json_object();
	const char *u = NULL;
	char *s;

	journal_who_json(o);
	json_unpack(o, "{s?s}", "user", &u);
	s = xstrdup(u != NULL ? u : "?");
	json_decref(o);
	return s;
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

/* Reads, changes and writes the holds under their lock. */
static int
hold_change(const struct config *c, const char *state_dir, int release,
    struct window *w, const char *reason)
{
	struct agent_holds h = { NULL, 0 };
	char *path = agent_holds_path(state_dir), *lock, *data = NULL;
	char *cause = NULL, *user, when[64];
	size_t len = 0;
	time_t now = cli_now(), prev, next;
	int fd, has_prev, has_next, rc = CLI_EXIT_OK;

	lock = xasprintf("%s.lock", path);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(lock);
	if (fd < 0 || flock(fd, LOCK_EX) != 0)
		fatal("agent hold: cannot lock %s: %s", path, strerror(errno));
	if (fileio_read(path, AGENT_HOLD_FILE_MAX, &data, &len, &cause) != 0) {
		free(cause);
		cause = NULL;
	}
	agent_holds_parse(&h, data, len);
	free(data);
	if (w == NULL) {
		hold_list(&h, c, now);
		goto out;
	}
	calendar_window_around(w, now, &has_prev, &prev, &has_next, &next);
	if (!has_next) {
		fprintf(stderr, "maintop agent hold: window '%s' starts no "
		    "more\n", w->name);
		rc = CLI_EXIT_FAIL;
		goto out;
	}
	hold_when(next, c->settings.timezone, when, sizeof when);
	if (release && !agent_holds_remove(&h, w->name, next)) {
		fprintf(stderr, "maintop agent hold: the autorun of '%s' at %s "
		    "is not held\n", w->name, when);
		rc = CLI_EXIT_FAIL;
		goto out;
	}
	if (!release) {
		user = hold_user();
		agent_holds_add(&h, w->name, next, reason, user, now);
		free(user);
	}
	data = agent_holds_format(&h);
	if (fileio_write_atomic(path, data, strlen(data), 0600, &cause) != 0) {
		fprintf(stderr, "maintop agent hold: %s\n", cause);
		free(cause);
		free(data);
		rc = CLI_EXIT_FAIL;
		goto out;
	}
	free(data);
	hold_journal(state_dir, release ? "hold_release" : "hold", w->name,
	    next, reason != NULL ? reason : "");
	printf("%s the autorun of '%s' at %s\n", release ? "released" :
	    "held", w->name, when);
out:
	agent_holds_free(&h);
	close(fd);
	free(path);
	return rc;
}

int
cmd_agent_hold(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "reason", required_argument, NULL, 'r' },
		{ "release", no_argument, NULL, 'R' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *explicit = NULL, *reason = NULL;
	struct config *c;
	struct window *w = NULL;
	char *state_dir = NULL, *cause = NULL;
	int ch, release = 0, list = 0, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:r:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			explicit = optarg;
			break;
		case 'r':
			reason = optarg;
			break;
		case 'R':
			release = 1;
			break;
		case 'l':
			list = 1;
			break;
		case 'h':
			fputs(hold_usage, stdout);
			return CLI_EXIT_OK;
		default:
			fputs(hold_usage, stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (argc - optind != (list ? 0 : 1) || (list && release) ||
	    (!list && !release && (reason == NULL || *reason == '\0'))) {
		if (!list && !release && argc - optind == 1)
			fputs("maintop agent hold: say why with --reason\n",
			    stderr);
		fputs(hold_usage, stderr);
		return CLI_EXIT_USAGE;
	}
	if (reason != NULL && (strlen(reason) > 1000 ||
	    strpbrk(reason, "\r\n") != NULL)) {
		fputs("maintop agent hold: the reason is one line of at most "
		    "1000 bytes\n", stderr);
		return CLI_EXIT_USAGE;
	}
	if ((c = cli_load_config(explicit)) == NULL)
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
	rc = hold_change(c, state_dir, release, w, reason);
	free(state_dir);
	config_free(c);
	return rc;
}
