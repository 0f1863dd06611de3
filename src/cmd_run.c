/* The line modes "maintop run" (a runbook on a plain terminal, with the same
 * prompts, runner and journal as the run console): its options, the
 * parameters, what precedes a run and the loop; what it says on the
 * terminal and reads from it is in runterm.c. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "calendar.h"
#include "cli.h"
#include "config.h"
#include "health.h"
#include "jsonfmt.h"
#include "runbook.h"
#include "runner.h"
#include "store.h"
#include "runterm.h"
#include "sanitize.h"
#include "term.h"

static const char run_usage[] =
"usage: maintop run NAME [-c FILE] [--param K=V]... [--yes] [--yes-danger]\n"
"                   [--dry-run] [--override-window] [--override-health WHY]\n"
"                   [--local-lock WHY]\n"
"Runs the runbook NAME step by step on this terminal, with the dashboard's\n"
"confirmations, lock, journal and run log.  Before each step it prints the\n"
"exact command and asks; after a failure it offers to retry, skip, roll\n"
"back or abort.  A danger step wants the runbook's name typed.\n"
"\n"
"  -c, --config FILE          the configuration\n"
"  -p, --param K=V            a parameter's value (asked on a terminal if\n"
"                             missing; secret ones are masked)\n"
"  -y, --yes                  confirm every step (unattended); refused up\n"
"                             front when a danger step could run without\n"
"                             --yes-danger\n"
"      --yes-danger           with --yes, confirm danger steps too\n"
"  -n, --dry-run              print every step as it would run; run nothing\n"
"      --override-window      run outside the runbook's windows (recorded)\n"
"      --override-health WHY  run although a required check is worse than\n"
"                             it accepts; WHY is recorded\n"
"      --local-lock WHY       with a team store that cannot be reached, take\n"
"                             the lock on this host instead of refusing;\n"
"                             WHY reaches the store with the records\n"
"  -h, --help                 this help\n"
"  --now TIME is for --dry-run only: a real run is refused with it.\n"
"\n"
"Output is sanitized, on a terminal or a pipe; the run log keeps it as\n"
"written.  'maintop history' lists past runs.\n"
"\n"
"Exit 0 success, 1 failed, 2 usage error, 3 no usable configuration,\n"
"4 partial, 5 rolled-back, 6 rollback-failed, 7 aborted, 8 interrupted,\n"
"9 detached, 10 refused.  See maintop(1).\n";


/* The health of a check as probed by this process. */
static int
check_state(const char *name, void *arg)
{
	struct run_ctx *c = arg;
	const struct check_status *st;
	long i;

	if (c->health == NULL || (i = health_find(c->health, name)) < 0)
		return RUNNER_CHECK_UNKNOWN;
	st = health_get(c->health, (size_t)i);
	if (st == NULL || st->last == NULL)
		return RUNNER_CHECK_UNKNOWN;
	return (int)st->state;
}

/* A fresh result of a check, for a success criterion. */
static int
check_fresh(const char *name, unsigned long long *token, const char **msg,
    void *arg)
{
	struct run_ctx *c = arg;

	return c->health != NULL ? health_fresh(c->health, name, token, msg) :
	    -2;
}

/* Whether a window that lists the runbook is active now. */
static int
in_window(const char *runbook, time_t now, char **which, void *arg)
{
	struct run_ctx *c = arg;
	struct occurrence occ;
	size_t i, j;

	for (i = 0; i < c->cfg->nwindows; i++) {
		struct window *w = c->cfg->windows[i];

		for (j = 0; j < w->nrunbooks; j++) {
			if (strcmp(w->runbooks[j], runbook) != 0)
				continue;
			if (calendar_window_active(w, now, &occ)) {
				*which = xstrdup(w->name);
				return 1;
			}
		}
	}
	return 0;
}

/* Reads a parameter's value from the terminal (no echo for secrets). */
static char *
prompt_param(const struct runbook_param *p)
{
	char line[RUNBOOK_MAX_VALUE + 2];
	int noecho;

	fprintf(stderr, "%s%s%s: ", p->name, p->description ? " - " : "",
	    p->description ? p->description : "");
	fflush(stderr);
	noecho = p->secret && term_echo(0) == 0;
	if (fgets(line, sizeof line, stdin) == NULL)
		line[0] = '\0';
	if (noecho) {
		term_echo(1);
		fputc('\n', stderr);
	}
	line[strcspn(line, "\r\n")] = '\0';
	return xstrdup(line);
}

/* Binds --param values, prompting on a terminal for missing ones. */
static int
bind_params(const struct runbook *rb, char **assign, size_t n,
    char ***values)
{
	char **all = xcalloc(n + rb->nparams + 1, sizeof *all), *cause = NULL;
	char *v;
	size_t missing, nall = n, i;
	int rc;

	for (i = 0; i < n; i++)
		all[i] = xstrdup(assign[i]);
	for (;;) {
		rc = runbook_bind(rb, all, nall, values, &missing, &cause);
		if (rc == 0 || missing == (size_t)-1 ||
		    !isatty(STDIN_FILENO))
			break;
		free(cause);
		cause = NULL;
		v = prompt_param(&rb->params[missing]);
		if (runbook_param_check(&rb->params[missing], v, &cause) != 0) {
			fprintf(stderr, "maintop: %s\n", cause);
			free(cause);
			cause = NULL;
			free(v);
			continue;
		}
		all[nall++] = xasprintf("%s=%s", rb->params[missing].name, v);
		free(v);
	}
	if (rc != 0) {
		fprintf(stderr, "maintop run: %s\n", cause);
		free(cause);
	}
	cfg_strlist_free(all, nall);
	return rc;
}

static void
report_orphans(const char *state_dir)
{
	struct runner_orphan *o;
	struct buf b;
	size_t n, i;
	char *cause = NULL, *safe, when[32];

	if (runner_recover(state_dir, 1, &o, &n, &cause) != 0) {
		fprintf(stderr, "maintop: %s\n", cause);
		free(cause);
		return;
	}
	buf_init(&b);
	/* The journal's fields are printed sanitized: it is a file anyone
	 * with write access to the state directory could have edited. */
	for (i = 0; i < n; i++) {
		util_format_utc(o[i].start, when, sizeof when);
		buf_printf(&b, "maintop: run %s of %s (started %s by %s) was "
		    "interrupted", o[i].id, o[i].runbook, when,
		    o[i].user != NULL ? o[i].user : "?");
		if (o[i].step >= 0)
			buf_printf(&b, " at step %d (%s), whose process %ld "
			    "is %s", o[i].step + 1, o[i].step_name ?
			    o[i].step_name : "?", (long)o[i].pid,
			    o[i].pid <= 0 ? "gone" : o[i].alive ?
			    "STILL RUNNING" : "gone");
		buf_printf(&b, "; log %s", o[i].log ? o[i].log : "-");
		safe = sanitize_cstr(b.s, 0);
		fprintf(stderr, "%s\n", safe);
		free(safe);
		buf_reset(&b);
	}
	buf_free(&b);
	runner_orphans_free(o, n);
}

/*
 * "maintop run NAME --now T" without --dry-run: a real run happens at the
 * real time (a window or a "within" judged at T, or T written into the
 * journal as its start, would be false), so it is refused, and the
 * refusal recorded.  Returns the exit code.
 */
static int
refuse_now(const struct runbook *rb, char **values, const char *state_dir,
    const char *config_path, struct store *store)
{
	static const char why[] = "--now fixes the clock for --dry-run and "
	    "the other modes; a real run takes the real time";
	struct runner_env env;
	struct runner *r;
	char *cause = NULL;

	memset(&env, 0, sizeof env);
	env.state_dir = state_dir;
	env.config_path = config_path;
	env.store = store;
	r = runner_new(&env, rb, values, 0);
	if (runner_refuse(r, why, &cause) != 0) {
		fprintf(stderr, "maintop run: %s\n", cause);
		free(cause);
	}
	runner_free(r);
	fprintf(stderr, "maintop run: refused: %s (run it without --now, or "
	    "add --dry-run)\n", why);
	return runner_result_exit(RUNNER_REFUSED);
}

/* Starts the run once the checks it needs have a first result. */
static void
checks_ready(void *arg)
{
	struct run_ctx *c = arg;
	char *cause = NULL;

	if (runner_start(c->r, &cause) != 0) {
		fprintf(stderr, "maintop run: %s\n", cause);
		free(cause);
		c->refused = 1;
		event_base_loopexit(c->base, NULL);
		return;
	}
	c->started = 1;
	if (c->health != NULL)
		health_start(c->health);
}

static int
step_uses_checks(const struct step *st)
{
	size_t j;

	if (st->kind == STEP_WAIT)
		return 1;
	for (j = 0; j < st->ncriteria; j++)
		if (st->criteria[j]->kind == STEP_WAIT)
			return 1;
	/* A rollback may wait for health or judge a check too. */
	for (j = 0; j < st->nrollback; j++)
		if (step_uses_checks(st->rollback[j]))
			return 1;
	return 0;
}

/* Whether the run needs the checks probed: its requirements, or a step
 * (or rollback) that waits for health or judges a check. */
static int
uses_checks(const struct runbook *rb)
{
	size_t i;

	if (rb->nrequires_healthy > 0)
		return 1;
	for (i = 0; i < rb->nsteps; i++)
		if (step_uses_checks(rb->steps[i]))
			return 1;
	return 0;
}

/* The command line of "maintop run", once read. */
struct run_opts {
	const char	*config;	/* -c FILE, or NULL */
	const char	*runbook;
	char		**assign;	/* --param NAME=VALUE, argv's strings */
	size_t		 nassign;
	const char	*health_reason;	/* --override-health, or NULL */
	int		 dry;
};

/* Reads the command line into o and c (yes, yes_danger, overrides).
 * Returns -1 to go on, else the exit code (o->assign freed then). */
static int
run_parse_opts(int argc, char **argv, struct run_ctx *c, struct run_opts *o)
{
	static const struct option longopts[] = {
		{ "param", required_argument, NULL, 'p' },
		{ "yes", no_argument, NULL, 'y' },
		{ "yes-danger", no_argument, NULL, 'Y' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "override-window", no_argument, NULL, 'w' },
		{ "override-health", required_argument, NULL, 'H' },
		{ "local-lock", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_opts co = { .argc = argc, .argv = argv, .shortopts = "p:",
	    .longopts = longopts, .usage = run_usage };
	int ch;

	memset(o, 0, sizeof *o);
	while ((ch = cli_getopt(&co)) != -1) {
		switch (ch) {
		case 'p':
			o->assign = xreallocarray(o->assign, o->nassign + 1,
			    sizeof *o->assign);
			o->assign[o->nassign++] = optarg;
			break;
		case 'y':
			c->yes = 1;
			break;
		case 'Y':
			c->yes_danger = 1;
			break;
		case 'n':
			o->dry = 1;
			break;
		case 'w':
			c->overrides |= RUNNER_OVERRIDE_WINDOW;
			break;
		case 'H':
			o->health_reason = optarg;
			break;
		case 'L':
			c->local_lock = optarg;
			break;
		}
	}
	o->config = co.config;
	if (co.exit == -1 && (optind != argc - 1 || (o->health_reason !=
	    NULL && *o->health_reason == '\0') || (c->local_lock != NULL &&
	    *c->local_lock == '\0')))
		co.exit = cli_usage_error(run_usage);
	if (co.exit != -1) {
		free(o->assign);
		o->assign = NULL;
		return co.exit;
	}
	o->runbook = argv[optind];
	return -1;
}

/* The runbook called name, or NULL after saying that there is none (and
 * which name is close). */
static const struct runbook *
run_find(const struct config *cfg, const char *name)
{
	const struct runbook *rb;
	const char **names, *sugg;
	size_t i;

	if ((rb = config_find_runbook(cfg, name)) != NULL)
		return rb;
	names = xcalloc(cfg->nrunbooks + 1, sizeof *names);
	for (i = 0; i < cfg->nrunbooks; i++)
		names[i] = cfg->runbooks[i]->name;
	sugg = cfg_suggest(name, names);
	fprintf(stderr, "maintop run: no runbook '%s'%s%s%s\n", name,
	    sugg ? " (did you mean '" : "", sugg ? sugg : "",
	    sugg ? "'?)" : "");
	free(names);
	return NULL;
}

/*
 * What comes before a real run, once the values are bound: a dry run is
 * printed; read-only mode refuses; the state directory and the store are
 * opened (into c); a clock fixed by --now refuses.  Returns -1 to go on,
 * else the exit code.
 */
static int
run_prepare(struct run_ctx *c, int dry)
{
	char *cause = NULL, *text;

	if (dry) {
		text = runbook_dry_run(c->rb, c->values);
		fputs(text, stdout);
		free(text);
		return CLI_EXIT_OK;
	}
	if (c->cfg->settings.read_only) {
		fprintf(stderr, "maintop run: refused: read-only mode "
		    "(settings.read_only): runbooks cannot be run\n");
		return runner_result_exit(RUNNER_REFUSED);
	}
	if (config_state_dir(c->cfg, &c->state_dir, &cause) != 0) {
		fprintf(stderr, "maintop run: %s\n", cause);
		free(cause);
		return CLI_EXIT_FAIL;
	}
	report_orphans(c->state_dir);
	/* The team store, when there is one: blocking is fine here.  With
	 * --local-lock an unreachable one is opened unconnected. */
	if ((c->store = c->local_lock != NULL && c->cfg->settings.store !=
	    NULL ? store_open_pg(c->cfg->settings.store, c->state_dir, 1,
	    &cause) : store_open(c->cfg, c->state_dir, &cause)) == NULL) {
		text = sanitize_cstr(cause, 0);
		fprintf(stderr, "maintop run: refused: the store: %s\n", text);
		free(text);
		free(cause);
		return runner_result_exit(RUNNER_REFUSED);
	}
	if (cli_now_fixed())
		return refuse_now(c->rb, c->values, c->state_dir,
		    c->cfg->path, c->store);
	return -1;
}

/* The loop and its events: stdin, SIGINT, SIGTERM and SIGHUP. */
static void
run_events(struct run_ctx *c)
{
	size_t i;

	signal(SIGPIPE, SIG_IGN);
	c->tty = isatty(STDOUT_FILENO);
	/* Colours are kept for a terminal only. */
	sanitizer_init(&c->san, SANITIZE_KEEP_NEWLINES | SANITIZE_KEEP_TABS |
	    (c->tty ? SANITIZE_KEEP_SGR : 0));
	buf_init(&c->input);
	runterm_stdin_setup(c);
	c->base = event_base_new();
	if (c->base == NULL)
		fatal("cannot create the event loop");
	c->ev_stdin = event_new(c->base, STDIN_FILENO, EV_READ | EV_PERSIST,
	    runterm_on_stdin, c);
	c->sigs[0] = evsignal_new(c->base, SIGINT, runterm_on_signal, c);
	c->sigs[1] = evsignal_new(c->base, SIGTERM, runterm_on_signal, c);
	c->sigs[2] = evsignal_new(c->base, SIGHUP, runterm_on_signal, c);
	for (i = 0; i < 3; i++)
		event_add(c->sigs[i], NULL);
}

/* The runner, told about everything through c. */
static void
run_runner(struct run_ctx *c, const char *health_reason)
{
	struct runner_env env;

	memset(&env, 0, sizeof env);
	env.base = c->base;
	env.state_dir = c->state_dir;
	env.config_path = c->cfg->path;
	env.read_only = c->cfg->settings.read_only;
	env.cfg = c->cfg;
	env.store = c->store;
	env.local_lock = c->local_lock;
	env.now = cli_now;
	env.unattended = c->yes || !isatty(STDIN_FILENO);
	env.auto_confirm = c->yes;
	env.auto_danger = c->yes && c->yes_danger;
	env.check_state = check_state;
	env.check_fresh = check_fresh;
	env.in_window = in_window;
	env.on_confirm = runterm_on_confirm;
	env.on_failed = runterm_on_failed;
	env.on_step = runterm_on_step;
	env.on_output = runterm_on_output;
	env.on_terminal = runterm_on_terminal;
	env.on_finished = runterm_on_finished;
	env.arg = c;
	c->r = runner_new(&env, c->rb, c->values, c->overrides);
	if (health_reason != NULL)
		runner_override_health(c->r, health_reason);
}

/* Starts the run, after probing once the checks it needs (requires_healthy
 * needs them), and runs the loop until it ends.  Returns the exit code. */
static int
run_loop(struct run_ctx *c)
{
	const struct runbook *rb = c->rb;
	size_t i;
	long k;

	if (uses_checks(rb) && c->cfg->nchecks > 0) {
		c->health = health_new(c->base, c->cfg, NULL, NULL);
		c->select = xcalloc(c->cfg->nchecks, sizeof *c->select);
		for (i = 0; i < rb->nrequires_healthy; i++) {
			k = health_find(c->health, rb->requires_healthy[i]);
			if (k >= 0)
				c->select[k] = 1;
		}
		runterm_say(c, "Probing the checks the runbook needs...\n");
		health_run_once(c->health, c->select, checks_ready, c);
	} else
		checks_ready(c);
	if (!c->refused)
		event_base_dispatch(c->base);
	if (c->started || c->refused)
		return runner_result_exit(c->refused ? RUNNER_REFUSED :
		    runner_result(c->r));
	return CLI_EXIT_FAIL;
}

/* Frees what the run holds, the loop and the configuration included. */
static void
run_free(struct run_ctx *c, struct config *cfg)
{
	size_t i;

	runner_free(c->r);
	if (c->health != NULL) {
		health_stop(c->health);
		health_free(c->health);
	}
	free(c->select);
	for (i = 0; i < 3; i++) {
		if (c->sigs[i] != NULL)
			event_free(c->sigs[i]);
	}
	if (c->ev_stdin != NULL)
		event_free(c->ev_stdin);
	if (c->base != NULL)
		event_base_free(c->base);
	buf_free(&c->input);
	if (c->rb != NULL)
		runbook_values_free(c->rb, c->values);
	store_close(c->store);
	free(c->state_dir);
	config_free(cfg);
}

int
cmd_run(int argc, char **argv)
{
	struct run_ctx c;
	struct run_opts o;
	struct config *cfg;
	int ret;

	memset(&c, 0, sizeof c);
	if ((ret = run_parse_opts(argc, argv, &c, &o)) != -1)
		return ret;
	if ((cfg = cli_load_config(o.config)) == NULL) {
		free(o.assign);
		return CLI_EXIT_CONFIG;
	}
	c.cfg = cfg;
	if ((c.rb = run_find(cfg, o.runbook)) == NULL ||
	    bind_params(c.rb, o.assign, o.nassign, &c.values) != 0) {
		free(o.assign);
		config_free(cfg);
		return CLI_EXIT_USAGE;
	}
	free(o.assign);
	if ((ret = run_prepare(&c, o.dry)) == -1) {
		run_events(&c);
		run_runner(&c, o.health_reason);
		ret = run_loop(&c);
	}
	run_free(&c, cfg);
	return ret;
}

