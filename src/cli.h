/* What the line modes (validate, snapshot, check, calendar, debt, run,
 * history, store, ...) share: their common options, loading the
 * configuration, the clock, exit codes. */
#ifndef MAINTOP_CLI_H
#define MAINTOP_CLI_H

#include <getopt.h>
#include <jansson.h>
#include <time.h>

#include "config.h"

/* Exit codes for every mode but "check" (which uses the monitoring-plugins
 * codes 0 ok, 1 warning, 2 critical, 3 unknown). */
#define CLI_EXIT_OK		0
#define CLI_EXIT_FAIL		1	/* the operation failed or was refused */
#define CLI_EXIT_USAGE		2	/* bad command line */
#define CLI_EXIT_CONFIG		3	/* no usable configuration */

/*
 * Finds and loads the configuration (explicit is the -c argument or NULL),
 * printing every error and warning to stderr as "file:line: error: ...".
 * Returns the configuration, or NULL after printing why.
 */
struct config *cli_load_config(const char *explicit);
/*
 * The variables that hold secrets (the checks' password_env and
 * value_env, the channels' value_env, the store's password_env) are
 * never passed to a child unless a step asks for one by name.  cli_load_config does this; a program
 * that loads another configuration (the agent's reload) calls it too.
 */
void cli_hide_secrets(const struct config *);
/* The same; when it fails, *why (if why is not NULL) is set to the first
 * reason on one sanitized line, for modes that must say it on stdout
 * (check).  The caller frees it. */
struct config *cli_load_config_why(const char *explicit, char **why);

/*
 * Prints every error and warning of errs to stderr, one a line, as
 * "file:line: error: message", sorted by file and line, with anything that
 * could drive the terminal removed (a message may quote the configuration's
 * own text).
 */
void cli_print_errors(const struct cfg_errors *errs);

/* The most long options a mode has, the common ones included. */
#define CLI_OPTS_MAX		32

/*
 * A line mode's command line being read by cli_getopt.  The mode sets the
 * first five members (with a designated initializer: the rest starts
 * zeroed) and reads config and exit.
 */
struct cli_opts {
	int			 argc;
	char			**argv;
	const char		*shortopts;	/* the mode's own, or NULL */
	const struct option	*longopts;	/* the mode's own, or NULL */
	const char		*usage;		/* for --help and mistakes */
	const char		*config;	/* -c FILE, or NULL */
	int			 exit;		/* at the end: -1 or a code */
	/* cli_getopt's own: the mode's options and the common ones. */
	int			 ready;
	char			 all_short[64];
	struct option		 all_long[CLI_OPTS_MAX + 1];
};

/*
 * getopt_long over a mode's command line, taking care of the options every
 * mode has: -c FILE / --config FILE (into o->config), -h / --help (usage on
 * stdout, o->exit CLI_EXIT_OK) and a mistake (usage on stderr, o->exit
 * CLI_EXIT_USAGE).  Returns each of the mode's own options as getopt_long
 * does (optarg holds its argument), then -1: o->exit is then -1 to go on,
 * with optind the first word after the options, or the exit code to return
 * at once.
 */
int cli_getopt(struct cli_opts *o);

/* Prints usage to stderr and returns CLI_EXIT_USAGE: a bad command line. */
int cli_usage_error(const char *usage);

/*
 * Parses the command line of a mode whose only options are -c FILE and
 * --help and which takes no argument: stores the -c value (or NULL) in
 * *explicit and returns -1 to go on, or the exit code to return at once
 * (after printing usage for --help or a mistake).
 */
int cli_config_only(int argc, char **argv, const char *usage,
    const char **explicit);

/*
 * A JSON string for any text, never NULL: jansson refuses invalid UTF-8
 * (json_string returns NULL and the member would silently vanish), so
 * such bytes become U+FFFD.  NULL gives JSON null.
 */
json_t *cli_json_str(const char *);
/*
 * Prints v to stdout with jansson's flags and a final newline, with C1 and
 * bidirectional controls escaped (see sanitize_json).  Returns 0 or -1.
 */
int cli_json_print(const json_t *v, size_t flags);
/* The same for JSON text already written (by buf_json_str, say). */
void cli_json_puts(const char *json);

/* Sets the clock from --now (an ISO 8601 instant); 0 or -1 when malformed. */
int cli_set_now(const char *);
/* The current time: the --now instant if one was given, else time(NULL). */
time_t cli_now(void);
/* True when the clock is fixed by --now ("maintop run" refuses a real run
 * then). */
int cli_now_fixed(void);

/* Monotonic milliseconds when main() started (for the first-frame
 * benchmark). */
extern long long cli_started_ms;

/*
 * Each line mode is a function taking the arguments after "maintop"
 * (argv[0] is the mode's name) and returning the process's exit code.
 * Common options each mode accepts: -c FILE / --config FILE, --help.
 */
int cmd_validate(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_calendar(int argc, char **argv);
int cmd_debt(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_notify(int argc, char **argv);
int cmd_agent(int argc, char **argv);
/* "maintop agent hold": cmd_agent_hold.c. */
int cmd_agent_hold(int argc, char **argv);
int cmd_store(int argc, char **argv);

#endif
