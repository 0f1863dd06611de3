/* Runbook definitions: parsing and validating runbooks, binding their
 * parameters, substituting them safely, and the dry-run text. */
#ifndef MAINTOP_RUNBOOK_H
#define MAINTOP_RUNBOOK_H

#include <libconfig.h>
#include <regex.h>
#include <stddef.h>

#include "cfgutil.h"

struct check;
struct config;
struct settings;

/* Limits that keep hostile files bounded. */
#define RUNBOOK_MAX_STEPS	1000
#define RUNBOOK_MAX_PARAMS	100
#define RUNBOOK_MAX_ROLLBACK	20
#define RUNBOOK_MAX_CRITERIA	50
#define RUNBOOK_MAX_VALUE	4096	/* bytes of one parameter value */

/* Default step timeouts, seconds. */
#define RUNBOOK_TIMEOUT_RUN	600
#define RUNBOOK_TIMEOUT_WAIT	300
#define RUNBOOK_TIMEOUT_OTHER	300

/* What is shown instead of a secret parameter's value. */
#define RUNBOOK_MASK		"******"

/*
 * What happens when a step fails (on_failure, unattended_failure).  A
 * step's own on_failure is RUNBOOK_INHERIT unless it declares one.
 */
enum runbook_policy {
	RUNBOOK_INHERIT = -1,
	RUNBOOK_ASK,		/* the operator chooses: retry, skip, ... */
	RUNBOOK_ROLLBACK,	/* roll back every started step, then stop */
	RUNBOOK_ABORT,		/* stop: the run has failed */
	RUNBOOK_CONTINUE	/* go on; the run ends partial at best */
};

/* Check states a requires_healthy entry accepts (worst), in order. */
#define RUNBOOK_HEALTH_OK	0
#define RUNBOOK_HEALTH_WARN	1
#define RUNBOOK_HEALTH_CRIT	2
#define RUNBOOK_HEALTH_UNKNOWN	3

enum step_kind {
	STEP_RUN,		/* a shell command */
	STEP_SQL,		/* a statement on a postgres check (psql) */
	STEP_REDIS,		/* a command on a redis check (redis-cli) */
	STEP_HTTP,		/* a request (curl) */
	STEP_WAIT,		/* wait until checks are healthy */
	STEP_PAUSE,		/* a manual step: a message and a confirmation */
	STEP_CRITERIA		/* success criteria: each judged, all must pass */
};

struct runbook_param {
	char		*name;
	char		*description;	/* or NULL */
	char		*def;		/* default, or NULL: the value is required */
	char		*pattern;	/* POSIX ERE as written, or NULL */
	regex_t		 re;		/* compiled, anchored ^(...)$ */
	int		 has_re;
	int		 secret;
	int		 line;
};

/* Another runbook that must have succeeded first. */
struct runbook_req {
	char		*runbook;
	long long	 within;	/* seconds; 0: at any time */
	int		 line;
};

struct step {
	char		*name;
	int		 line;
	enum step_kind	 kind;
	/* run: the shell command; sql: the statement; redis: the command;
	 * http: the URL; pause: the message; wait, criteria: NULL. */
	char		*text;
	char		*cwd;		/* run: working directory or NULL */
	char		**env;		/* run: "K=V" strings */
	size_t		 nenv;
	/* run: variables passed from maintop's environment although they
	 * hold a check's secret (password_env, value_env) */
	char		**env_pass;
	size_t		 nenv_pass;
	char		*on;		/* sql, redis: the check's name */
	int		 on_line;	/* of the on key, or 0 */
	/* sql, redis: the check named by on, set by runbook_resolve;
	 * borrowed from the configuration (NULL until resolved). */
	const struct check *check;
	char		*method;	/* http: "GET" by default */
	char		*body;		/* http: request body or NULL */
	char		**headers;	/* http: "Name: value" */
	size_t		 nheaders;
	long long	 expect_status;	/* http: 0 (any 2xx) by default */
	char		**checks;	/* wait_healthy: check names */
	size_t		 nchecks;
	int		 checks_line;	/* of the wait_healthy key, or 0 */
	/*
	 * criteria: the criteria, in order, each a run step (its exit status
	 * decides), an http step (its status decides) or a wait_healthy step
	 * naming one check (a fresh probe no worse than worst decides).
	 */
	struct step	**criteria;
	size_t		 ncriteria;
	int		 worst;		/* a check criterion: RUNBOOK_HEALTH_* */
	int		 confirm;	/* ask before running (default 1) */
	int		 danger;	/* the runbook's name must be typed */
	int		 continue_on_error;
	int		 interactive;	/* the child gets the terminal */
	int		 on_failure;	/* enum runbook_policy; INHERIT */
	int		 always;	/* runs last whatever happened */
	int		 unattended_continue; /* pause: go on unattended */
	long long	 timeout;	/* seconds; 0: none (pause default) */
	struct step	**rollback;	/* run in order when rolling back */
	size_t		 nrollback;
};

struct runbook {
	char			 *name;
	int			  line;
	char			 *file;		/* where defined, or NULL */
	/* The absolute directory of file, against which a step's relative
	 * cwd resolves and in which a step without cwd runs; NULL when the
	 * runbook was read from memory (the working directory is kept). */
	char			 *dir;
	char			 *description;	/* or NULL */
	struct runbook_param	 *params;
	size_t			  nparams;
	/* Checks that must be no worse than healthy_worst[i] (a
	 * RUNBOOK_HEALTH_* level, ok by default) for the run to start. */
	char			**requires_healthy;
	int			 *healthy_worst;
	int			 *healthy_line;	/* each entry's line */
	size_t			  nrequires_healthy;
	int			  require_window;
	int			  on_failure;	/* RUNBOOK_ASK by default */
	int			  unattended_failure; /* ROLLBACK by default */
	long long		  budget;	/* seconds for the run; 0 none */
	char			**secret_values; /* SET names to mask */
	size_t			  nsecret_values;
	struct runbook_req	 *requires;
	size_t			  nrequires;
	struct step		**steps;
	size_t			  nsteps;
	/* The agent's channels for the runs it starts (none: the window's,
	 * else settings.notify). */
	char			**notify;
	size_t			  nnotify;
	int			  notify_line;
};

/*
 * Parses one runbook (a group of the "runbooks" list).  Every problem is
 * added to errs with file and line; returns NULL when the runbook cannot be
 * used at all, otherwise the runbook (which may still have recorded errors:
 * the loader fails when errs holds any).  The caller frees it with
 * runbook_free.  settings may be NULL.
 */
struct runbook *runbook_parse(struct cfg_errors *errs,
    const config_setting_t *group, const struct settings *settings);
void runbook_free(struct runbook *);

/*
 * Loads every "*.conf" file of dir (in name order, hidden files skipped).
 * Each file holds "runbooks = ( { ... }, ... );" and nothing else.  The
 * runbooks are appended to config->runbooks.  Returns the number of
 * errors added to errs.
 */
int runbook_load_dir(struct config *, const char *dir, struct cfg_errors *);
/* Sets where rb was declared, unless known: file, and the directory its
 * relative paths resolve against (config_load, for the main file's). */
void runbook_set_file(struct runbook *, const char *file);
/* The same for one file's text (name is used in messages; for fuzzing). */
int runbook_load_string(struct config *, const char *text, const char *name,
    struct cfg_errors *);

/*
 * Checks cross-references once everything is loaded: checks named by
 * requires_healthy, wait_healthy and "on", required runbooks, cycles in
 * requirements ("a -> b -> a").  Sets each sql and redis step's check
 * (borrowed from c: the runbooks must not outlive it).
 */
void runbook_resolve(const struct config *, struct cfg_errors *);

/*
 * The order in which the runbooks named in names (a window's list) should
 * be offered: each after every runbook it requires, directly or through
 * other runbooks, that is also in the list.  Otherwise the list's own order
 * is kept (a stable topological sort); a name that is not a runbook stays
 * where it is as far as the requirements allow.  Cycles are refused by
 * runbook_resolve; should one remain, it is broken at the earliest name.
 * Returns a new array of n indices into names (caller frees), NULL when n
 * is 0.
 */
size_t *runbook_order(const struct config *, char *const *names, size_t n);

/*
 * Binds parameter values for one run.  assign holds n "K=V" strings (from
 * --param or a form); each must name a parameter and match its pattern.
 * Parameters not assigned take their default.  Returns 0 and stores an
 * array of rb->nparams new strings in *values (free with
 * runbook_values_free), or -1 with *cause set (caller frees); *missing, if
 * not NULL, is set to the index of the first parameter with no value and no
 * default (then -1 is returned so the caller may prompt and retry).
 */
int runbook_bind(const struct runbook *, char *const *assign, size_t n,
    char ***values, size_t *missing, char **cause);
/* Checks one value against a parameter.  0, or -1 with *cause set. */
int runbook_param_check(const struct runbook_param *, const char *value,
    char **cause);
void runbook_values_free(const struct runbook *, char **values);

/* How a parameter's value is written into a step's text. */
enum runbook_subst {
	RUNBOOK_SUBST_RAW,	/* as is (environment values, messages) */
	RUNBOOK_SUBST_SHELL,	/* shown quoted for its place in the command */
	RUNBOOK_SUBST_SHELL_EXEC, /* "${MAINTOP_PARAM_name}": what runs */
	RUNBOOK_SUBST_SQL,	/* an SQL literal; ${x:ident} an identifier */
	RUNBOOK_SUBST_URL,	/* percent-encoded */
	RUNBOOK_SUBST_PSQL	/* as SQL, but a secret as psql's :'maintop_p_x' */
};

/*
 * Substitutes ${name} for each parameter of rb in text.  A ${...} that does
 * not name a parameter is left alone (for the shell: ${HOME}); "$${" is
 * written "${".  For shell commands two forms exist: RUNBOOK_SUBST_SHELL
 * shows the value quoted for where it stands (outside quotes as one
 * single-quoted word, inside quotes escaped for them), which is what the
 * user confirms; RUNBOOK_SUBST_SHELL_EXEC writes a quoted reference to the
 * environment variable MAINTOP_PARAM_name instead, which is what runs: the
 * runner sets those variables, so a value is never parsed by the shell and
 * can never inject syntax (and secrets stay out of the process list).  With mask, secret values are replaced by RUNBOOK_MASK
 * (quoted as any value would be).  values may be NULL (then "${name}" is
 * written as the placeholder itself, for listing).  Returns a new string.
 */
char *runbook_subst(const struct runbook *, char *const *values,
    const char *text, enum runbook_subst how, int mask);

/*
 * The text of one step as it would run: kind, exact command, working
 * directory, environment, timeout, flags and rollback, secrets masked.
 * prefix begins each line.  Returns a new string.
 */
char *runbook_step_text(const struct runbook *, char *const *values,
    const struct step *, const char *prefix);

/*
 * One criterion of a criteria step on one line, as it is judged ("check
 * api is ok", "$ test -f /srv/ready exits 0", "GET http://... answers
 * 200"), secrets masked.  Returns a new string.
 */
char *runbook_criterion_text(const struct runbook *, char *const *values,
    const struct step *criterion);

/*
 * Every step of rb as it would run (for "maintop run NAME --dry-run" and the
 * console's preview), parameters substituted, secrets masked.  Returns a
 * new string.
 */
char *runbook_dry_run(const struct runbook *, char *const *values);

/*
 * The psql script of an sql step whose statement uses a secret parameter:
 * a \set line for each secret parameter (its value quoted for psql), then
 * the statement with every secret written as a psql variable (:'maintop_p_x'
 * or, for ${x:ident}, :"maintop_p_x"), so that the statement psql is given
 * holds no secret.  NULL when the statement uses none.  The caller wipes and
 * frees it.
 */
char *runbook_psql_script(const struct runbook *, char *const *values,
    const char *text);

/*
 * Splits a redis step's command into words: blanks separate words, '...'
 * quotes literally, "..." quotes with backslash escapes (\n, \t, \\, \"),
 * no expansion.  Each word then has its parameters substituted as plain
 * values (RUNBOOK_SUBST_RAW, secrets masked when mask), so a value is never
 * split again.  Returns 0 and a new NULL-terminated array in *argv (free
 * each string and the array), or -1 with *cause set (an unterminated quote,
 * no words).
 */
int runbook_redis_words(const struct runbook *, char *const *values,
    const char *text, int mask, char ***argv, size_t *argc, char **cause);

/*
 * An http step's header with its parameters substituted in the value (the
 * name takes none), secret values masked when mask: "Name: value", or
 * "Name:" when the value is empty.  Returns a new string.
 */
char *runbook_http_header(const struct runbook *, char *const *values,
    const char *header, int mask);

/* "ask", "rollback", "abort", "continue" (a policy's name). */
const char *runbook_policy_name(int);
/* "ok", "warn", "crit", "unknown" (RUNBOOK_HEALTH_*). */
const char *runbook_health_name(int);

/*
 * What a failure of st does: its own on_failure, else the runbook's; when
 * that is "ask" and nobody can be asked (unattended), the runbook's
 * unattended_failure.  Never RUNBOOK_ASK when unattended.
 */
int runbook_step_policy(const struct runbook *, const struct step *,
    int unattended);

/*
 * The first danger step that a run could reach (steps, their rollbacks,
 * always steps), or NULL.  "maintop run --yes" refuses such a runbook
 * before its first step unless --yes-danger is given.
 */
const struct step *runbook_danger_step(const struct runbook *);

/*
 * The working directory of a run step: its cwd with parameters substituted
 * (never masked: this is what runs), resolved against rb->dir when
 * relative; rb->dir when the step has none; NULL when neither is known
 * (the child keeps maintop's).  Returns a new string or NULL.
 */
char *runbook_step_cwd(const struct runbook *, char *const *values,
    const struct step *);

/* Whether a value set by "SET name=..." is secret: named by
 * secret_values, or named like a secret parameter. */
int runbook_value_secret(const struct runbook *, const char *name);

/* A name for a step kind ("run", "sql", "wait_healthy", ...). */
const char *runbook_kind_name(enum step_kind);
/* The parameter called name, or NULL. */
const struct runbook_param *runbook_find_param(const struct runbook *,
    const char *name);

#endif
