/* The runbook runner: a state machine on the program's one event loop that
 * runs a runbook's steps with confirmations, timeouts, rollback, a lock, a
 * run log and journal records; plus crash recovery and the run history. */
#ifndef MAINTOP_RUNNER_H
#define MAINTOP_RUNNER_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

struct config;
struct event_base;
struct runbook;
struct step;
struct runner;
struct worker;
struct store;

/* Health as the runner sees it (returned by runner_env.check_state). */
#define RUNNER_CHECK_OK		0
#define RUNNER_CHECK_WARN	1
#define RUNNER_CHECK_CRIT	2
#define RUNNER_CHECK_UNKNOWN	3

/* Overrides chosen by the user for one run; recorded in the journal. */
#define RUNNER_OVERRIDE_WINDOW	0x1	/* run outside the runbook's windows */
#define RUNNER_OVERRIDE_HEALTH	0x2	/* run despite requires_healthy (see
					   runner_override_health) */

enum runner_step_state {
	RSTEP_PENDING,
	RSTEP_RUNNING,
	RSTEP_OK,
	RSTEP_FAILED,
	RSTEP_SKIPPED,
	RSTEP_TIMEDOUT,
	RSTEP_ROLLEDBACK	/* was ok; its rollback ran */
};

/* Where the run stands: what the front end must do next. */
enum runner_phase {
	RUNNER_READY,		/* created, not started */
	RUNNER_CONFIRM,		/* waiting: confirm, skip, abort (rollback) */
	RUNNER_RUNNING,		/* a step is running; interrupt or abort */
	RUNNER_FAILED,		/* waiting: retry, skip, rollback, abort */
	RUNNER_DONE		/* finished; see runner_result */
};

/*
 * How a run ended: each has a name (runner_result_name) and an exit code
 * of "maintop run" (runner_result_exit).  Only success satisfies another
 * runbook's requires.
 */
enum runner_result {
	RUNNER_NONE,		/* not finished */
	RUNNER_SUCCESS,		/* every step ran and succeeded */
	RUNNER_FAILURE,		/* a step failed and the run stopped there */
	RUNNER_ABORTED,		/* an operator chose to stop */
	RUNNER_ROLLED_BACK,	/* a step failed; every rollback succeeded */
	RUNNER_DETACHED,	/* the terminal hung up (SIGHUP) */
	RUNNER_PARTIAL,		/* finished, but a step that may fail did,
				   or an always step failed */
	RUNNER_ROLLBACK_FAILED,	/* a rollback step failed */
	RUNNER_INTERRUPTED,	/* maintop died (found by runner_recover) */
	RUNNER_REFUSED		/* a precondition failed; nothing ran */
};

/* What the front end shows about one step.  Read-only for the front end. */
struct runner_step {
	enum runner_step_state	 state;
	int			 attempts;
	int			 exit_code;	/* -1 when none */
	int			 signal;	/* killing signal, 0 when none */
	long long		 duration_ms;	/* of the last attempt */
	pid_t			 pid;		/* while running, else 0 */
	char			*message;	/* why it failed, or NULL */
	int			 rolled_back;	/* its rollbacks ran */
};

/*
 * Everything the runner needs from its host.  The callbacks may call any
 * runner action (runner_confirm and the others): the runner defers the
 * work to the loop, so they never re-enter it.  Pointers must stay valid
 * for the runner's life.
 */
struct runner_env {
	struct event_base	*base;		/* the program's one loop */
	const char		*state_dir;	/* journal, runs/, locks/ */
	int			 read_only;	/* refuse to run anything */
	time_t			(*now)(void);	/* NULL: time(NULL) */
	const char		*config_path;	/* MAINTOP_CONFIG; or NULL */
	/*
	 * Nobody watching (no terminal, or --yes): a failure policy of
	 * "ask" becomes the runbook's unattended_failure, rollback steps
	 * are confirmed by the runner, and a pause step fails unless it
	 * declares unattended = "continue".
	 */
	int			 unattended;
	/* --yes: the runner confirms every step itself and records it as
	 * auto-confirmed; a danger step too only with auto_danger
	 * (--yes-danger), else runner_start refuses the run. */
	int			 auto_confirm;
	int			 auto_danger;
	long long		 kill_grace_ms;	/* SIGTERM..SIGKILL; 0: 5000 */
	long long		 poll_ms;	/* wait_healthy poll; 0: 1000 */
	/*
	 * The configuration, or NULL: every secret of its checks (passwords,
	 * secret headers) is masked in the output from the first step on,
	 * and settings.run_log_max limits the run log (NULL: 64 MiB).
	 */
	const struct config	*cfg;
	/*
	 * Where the journal records are written and fsynced (and the run
	 * log fsynced at the end), in order; NULL: on the calling thread
	 * (the line modes, which have no screen to keep answering).
	 */
	struct worker		*worker;
	/*
	 * The store holding the run locks and the journal (store.h), used
	 * on the worker when there is one; NULL: the state directory's
	 * files, directly.  A configuration with settings.store needs one:
	 * without it a run is refused.
	 */
	struct store		*store;
	/*
	 * --local-lock REASON, or NULL: when the store cannot be reached the
	 * run takes its lock in the state directory (a lock of this host
	 * only) instead of being refused, and its start record says so with
	 * the reason; the record reaches the store with the spool.
	 */
	const char		*local_lock;

	/* The health of a check (RUNNER_CHECK_*); NULL: all unknown. */
	int	(*check_state)(const char *check, void *arg);
	/*
	 * The newest successful end of runbook (0: none), for requires,
	 * from what the caller already read off its worker (the dashboard).
	 * NULL: the run index is read on the calling thread (line modes).
	 */
	time_t	(*last_success)(const char *runbook, void *arg);
	/*
	 * A result of check newer than the question, for a success
	 * criterion (which judges the system as it is after the steps):
	 * called with *token 0, it starts a probe (after the one in flight,
	 * if any), sets *token and returns -1; called again with that token,
	 * it returns -1 until that probe's result is in, then its state
	 * (RUNNER_CHECK_*, as probed: no hysteresis) with *msg its message
	 * (valid until the loop runs again).  -2: no such check.  NULL: a
	 * check criterion fails, saying maintop cannot probe here.
	 */
	int	(*check_fresh)(const char *check, unsigned long long *token,
		    const char **msg, void *arg);
	/*
	 * Whether now is inside one of the windows that list runbook:
	 * 1 yes, 0 no, -1 cannot tell.  *which is set to the window's name
	 * (caller of the hook frees) when known.  NULL: cannot tell.
	 */
	int	(*in_window)(const char *runbook, time_t now, char **which,
		    void *arg);

	/* The step the run waits on needs confirmation (runner_current
	 * tells which; runner_describe shows what). */
	void	(*on_confirm)(struct runner *, void *arg);
	/* The current step failed: retry, skip, rollback or abort. */
	void	(*on_failed)(struct runner *, void *arg);
	/* A step's state changed (started, ended): redraw the checklist. */
	void	(*on_step)(struct runner *, size_t step, void *arg);
	/* Output of the current step, secrets masked but otherwise raw:
	 * the front end sanitizes before display.  Valid during the call.
	 * With err, data is one whole line (newline included) that the step
	 * wrote on its standard error; otherwise its standard output (or the
	 * runner's own lines), as it comes.
	 * While runner_terminal_owned, the step's bytes and the runner's own
	 * lines have already been written to the terminal: a front end that
	 * prints output must not print these again. */
	void	(*on_output)(struct runner *, const char *data, size_t len,
		    int err, void *arg);
	/*
	 * An interactive step is about to take the terminal (begin 1) or
	 * has given it back (begin 0): suspend and resume the screen.  Only
	 * when stdin is a terminal (and we are in its foreground); the step
	 * then runs on a pseudo-terminal that the runner connects to the real
	 * one, in raw mode, until it ends, so that its output is logged.
	 * Otherwise it runs like any step, with no input.
	 */
	void	(*on_terminal)(struct runner *, int begin, void *arg);
	/* The run is over (runner_result); the runner may be freed now. */
	void	(*on_finished)(struct runner *, void *arg);
	void	 *arg;
};

/*
 * Creates a runner for rb with bound parameter values (runbook_bind;
 * copied) and overrides (RUNNER_OVERRIDE_*).  rb and env must outlive the
 * runner.  Nothing happens until runner_start.
 */
struct runner *runner_new(const struct runner_env *, const struct runbook *,
    char *const *values, int overrides);

/*
 * Lets the run start although a check named by requires_healthy is worse
 * than it accepts; reason (copied) is recorded in the journal and the log
 * with who gave it.  Call before runner_start.
 */
void runner_override_health(struct runner *, const char *reason);

/*
 * Checks the preconditions (read-only, --yes with a danger step, the
 * lock, requires_healthy, the window, required runbooks) and, when they
 * hold, records the start in the journal, opens the log and moves to the
 * first step (the callbacks follow from the loop).  Returns 0, or -1 with
 * *cause set (caller frees) when the run is refused: nothing ran, and the
 * refusal is in the journal (result "refused", who, and why) unless the
 * mode is read-only, which writes nothing.
 */
int runner_start(struct runner *, char **cause);

/*
 * After runner_start refused the run: the override (RUNNER_OVERRIDE_*)
 * that would have let it start (a check worse than requires_healthy
 * accepts; no window open), or 0 when no override can (a lock, a danger
 * step under --yes, a required run missing).
 */
int runner_refusal(const struct runner *);

/*
 * Records a refusal decided by the front end (reason: why) in the journal
 * as a run of result "refused" with who asked.  The runner must not have
 * started; it stays unusable afterwards.  Returns 0, or -1 with *cause.
 */
int runner_refuse(struct runner *, const char *reason, char **cause);

/*
 * Frees the runner.  A step still running is killed (SIGKILL to its
 * process group) and the run is recorded as aborted; the lock is released.
 */
void runner_free(struct runner *);

/*
 * Actions.  Each returns 0, or -1 with *cause set when not possible in the
 * current phase (cause may be NULL when the caller does not want it).
 *  confirm: run the step awaiting confirmation (or end a pause).  For a
 *           danger step typed must equal the runbook's name.
 *  skip:    skip the step awaiting confirmation or the failed step (a
 *           failed step skipped makes the run partial at best).
 *  retry:   run the failed step again.
 *  rollback: from a failed step or a confirmation, roll back: the rollbacks
 *           of every step that started (the failed one included) in
 *           reverse order, each confirmed unless unattended.
 *  abort:   stop the run (a running step is killed); the always steps
 *           still follow (an abort during them ends the run at once).
 */
int runner_confirm(struct runner *, const char *typed, char **cause);
int runner_skip(struct runner *, char **cause);
int runner_retry(struct runner *, char **cause);
int runner_rollback(struct runner *, char **cause);
int runner_abort(struct runner *, char **cause);
/* Ctrl-C: SIGINT to the running step's process group; a second, SIGKILL. */
void runner_interrupt(struct runner *);
/*
 * SIGHUP: the running step is left to finish (its output still goes to the
 * log), no further step starts, and the run is recorded as detached.
 */
void runner_detach(struct runner *);

/*
 * True while an interactive step owns the terminal: between on_terminal's
 * begin 1 and begin 0, the terminal is raw and the step's output goes to
 * it directly.
 */
int runner_terminal_owned(const struct runner *);

/* State for the front end.  Pointers stay valid until runner_free. */
enum runner_phase runner_phase(const struct runner *);
enum runner_result runner_result(const struct runner *);
const char *runner_result_name(enum runner_result);
/* The exit code of "maintop run" for a result: 0 success, 1 failed,
 * 4 partial, 5 rolled-back, 6 rollback-failed, 7 aborted, 8 interrupted,
 * 9 detached, 10 refused (2 and 3 are the usage and configuration
 * errors of every mode). */
int runner_result_exit(enum runner_result);
const char *runner_step_state_name(enum runner_step_state);
const char *runner_id(const struct runner *);
const char *runner_log_path(const struct runner *);
/* The step in question (index into rb->steps) and, while rolling back, the
 * index of the rollback step within it (else -1). */
size_t runner_current(const struct runner *, int *rollback);
/* The step object awaiting or running (a rollback step while rolling back). */
const struct step *runner_current_step(const struct runner *);
const struct runner_step *runner_step_info(const struct runner *, size_t);
/* True when the step awaiting confirmation is a danger step. */
int runner_needs_name(const struct runner *);
/* The METRICS figures of step i as a JSON object (caller frees), or NULL. */
char *runner_step_metrics(const struct runner *, size_t);
/*
 * What the step awaiting confirmation will do, for the prompt: exact
 * command (parameters substituted visibly, secrets masked), where it runs,
 * timeout.  Caller frees.
 */
char *runner_describe(const struct runner *);
/* Each step's result, duration and metrics, the run lock lost to another
 * maintop (if it was), and the log's path. */
char *runner_summary(const struct runner *);

/* A run that started but never ended (maintop crashed or was killed). */
struct runner_orphan {
	char	*id;
	char	*runbook;
	char	*user;
	time_t	 start;
	int	 step;		/* last step started or ended, -1 if none */
	char	*step_name;	/* or NULL */
	char	*step_result;	/* how that step ended ("ok", "failed",
				   "skipped"), or NULL while it runs */
	pid_t	 pid;		/* its process, 0 if none */
	int	 alive;		/* that process still exists */
	char	*log;
};

/*
 * Finds the runs in the journal that started but never ended and whose
 * maintop is gone (their lock is free).  With mark, each is closed with a
 * run_end record of result "interrupted" so it is reported once.  Returns
 * 0 and a new array (free with runner_orphans_free), or -1 with *cause.
 */
int runner_recover(const char *state_dir, int mark,
    struct runner_orphan **out, size_t *n, char **cause);
void runner_orphans_free(struct runner_orphan *, size_t);

/* One run from the journal. */
struct runner_run {
	char		*id;
	char		*runbook;
	char		*user;
	char		*ssh_client;	/* or NULL */
	char		*tty;		/* or NULL */
	time_t		 start;
	time_t		 end;		/* 0 while running */
	char		*result;	/* "success", ..., "running" */
	char		*log;
	char		*overrides;	/* comma-separated, or NULL */
	/* The METRICS of its steps as a JSON object by step name,
	 * {"vacuum": {"rows": 12}}, numbers as printed; or NULL. */
	char		*metrics;
	long long	 duration_ms;	/* monotonic, or -1 when not recorded */
	long		 pid;		/* the maintop that ran it, or 0 */
};

/*
 * The runs in the journal, oldest first; with runbook not NULL only those
 * of that runbook.  Returns 0 and a new array (free with runner_runs_free),
 * or -1 with *cause set.
 */
int runner_history(const char *state_dir, const char *runbook,
    struct runner_run **out, size_t *n, char **cause);
/* The same from a store's journal (store.h). */
int runner_history_store(struct store *, const char *runbook,
    struct runner_run **out, size_t *n, char **cause);
void runner_runs_free(struct runner_run *, size_t);

/* The journal's path in state_dir (caller frees). */
char *runner_journal_path(const char *state_dir);

/*
 * Whether run id of runbook is still going in a maintop: its lock is held
 * and names it.  Reads the lock file: never on the loop thread.
 */
int runlock_live(const char *state_dir, const char *runbook, const char *id);

/*
 * The files' run lock (the store's files backend): an flock on
 * state_dir/locks/RUNBOOK.lock naming who holds it.  Takes it without
 * waiting: 0 with *fd and *stale (a dead holder's description, or NULL;
 * caller frees), or -1 with *cause naming the holder.  Release closes fd
 * (-1: nothing).
 */
int runlock_file_take(const char *state_dir, const char *runbook,
    const char *id, time_t since, int *fd, char **stale, char **cause);
void runlock_file_release(int fd);

#endif
