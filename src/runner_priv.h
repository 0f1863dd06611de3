/* The runner's private parts, shared by the files that make it up: the run
 * itself (runner.c), its child process (child.c) and pseudo-terminal
 * (pty.c), the client commands of sql, redis and http steps (stepcmd.c),
 * the step's output (stepout.c), the lock (runlock.c) and the journal
 * records (runjournal.c). */
#ifndef MAINTOP_RUNNER_PRIV_H
#define MAINTOP_RUNNER_PRIV_H

#include <sys/types.h>
#include <time.h>

#include <jansson.h>

#include "runner.h"
#include "util.h"

struct event;
struct evbuffer;
struct proc;
struct runlog;
struct runsecret;
struct check;

/* What the deferred "kick" event does next. */
enum runner_op {
	OP_NONE,
	OP_ENTER,	/* the current step: ask for confirmation or launch */
	OP_LAUNCH,	/* launch the current step without asking */
	OP_PAUSE_DONE,	/* a confirmed pause step: it is done */
	OP_CONCLUDE,	/* the main part is over (r->pending): always steps */
	OP_CRITERION,	/* a criteria step: judge the next criterion */
	OP_FINISH	/* end the run with r->result */
};

/* Lines of a step's standard error kept for its journal record. */
#define RUNNER_ERR_TAIL		3

/* Values set by "SET name=value" lines kept per run (more are ignored). */
#define RUNNER_VARS_MAX		100

/* One value a step set. */
struct runner_var {
	char	*name;
	char	*value;
};

/* One rollback step to run: step i's rollback j. */
struct rb_item {
	size_t	step;
	size_t	j;
};

struct runner {
	struct runner_env	 env;
	const struct runbook	*rb;
	char			**values;
	int			 overrides;

	char			*id;
	char			*journal;
	char			*log_path;
	int			 lock_fd;
	struct store_lock	*slock;		/* with env.store */
	struct event		*ev_keep;	/* runkeep.c's look */
	int			 keep_out;	/* a look is on the worker */
	int			 keep_waiting;	/* the store is lost */
	char			*lock_lost;	/* who took the lock, or NULL */
	int			 local_locked;	/* env.local_lock was used */
	long long		 nrec;		/* records written */
	struct runlog		*log;		/* the run log, or NULL */
	int			 log_cut_told;	/* the user knows it was cut */
	time_t			 start;
	long long		 start_ms;

	enum runner_phase	 phase;
	enum runner_result	 result;
	struct runner_step	*steps;
	json_t			**metrics;
	size_t			 cur;

	int			 in_rollback;
	struct rb_item		*rbv;
	size_t			 nrb;
	size_t			 rbpos;
	int			 rb_owner_skipped;
	int			 rb_failed;	/* a rollback step failed */

	int			 always_phase;	/* running the always steps */
	enum runner_result	 pending;	/* the result before them */
	int			 partial;	/* a step failed, the run went on */
	int			 always_failed;
	int			 auto_confirmed; /* the step launching now */
	char			*health_reason;	/* --override-health */
	int			 refusal;	/* the override that would
						   have let it start */
	struct event		*ev_budget;	/* 80%, then 100% of budget */
	int			 budget_warned;
	int			 over_budget;

	enum runner_op		 op;
	struct event		*ev_kick;
	struct event		*ev_out;
	struct event		*ev_timeout;
	struct event		*ev_kill;
	struct event		*ev_poll;

	struct proc		*proc;		/* the step's child, or NULL */
	pid_t			 pid;		/* its pid while running, or 0 */
	int			 stdin_fd;	/* the client's input, or -1 */
	int			 out_fd;	/* the step's standard output */
	int			 err_fd;	/* its standard error */
	struct event		*ev_err;
	struct buf		 errline;	/* stderr not yet a line */
	size_t			 err_lines;	/* stderr lines of the step */
	/* The last RUNNER_ERR_TAIL of them (masked), err_lines - 1 the
	 * newest, at err_tail[(err_lines - 1) % RUNNER_ERR_TAIL]. */
	char			*err_tail[RUNNER_ERR_TAIL];
	struct evbuffer		*in;		/* read from pty_fd */
	int			 interactive;	/* the step runs on pty_fd */
	int			 pty_fd;	/* its pseudo-terminal's master */
	struct event		*ev_pty;	/* the step's output */
	struct event		*ev_tty;	/* the user's keys */
	struct event		*ev_winch;
	int			 tty_gone;	/* the terminal cannot be written */
	int			 timed_out;
	int			 interrupts;
	int			 aborting;
	int			 detached;
	long long		 t0;
	char			*wait_status;
	char			*stale;		/* who left a stale lock */

	int			 jobs;		/* journal jobs not done */
	int			 freed;		/* runner_free was called */
	int			 starting;	/* in runner_start */
	char			*start_err;	/* run_start not recorded */
	char			*overridden;	/* for the start record, while
						   the store's lock is taken */

	char			**secrets;
	size_t			 nsecrets;
	size_t			 secret_max;
	char			**passwords;	/* owned; also in secrets */
	size_t			 npasswords;
	struct runsecret	**known;	/* runsecrets.c: per check */
	size_t			 nknown;

	int			 client_error;	/* redis: an error reply */
	int			 http_status;	/* -1 until curl tells */
	char			*http_out;	/* response body file */
	char			*http_in;	/* request body file */
	char			*http_hdr;	/* request headers file */
	char			*pgpass;	/* psql's password file */
	struct buf		 pend;	/* output held back for masking */
	struct evbuffer		*lines;	/* masked output not yet a line */
	int			 out_open; /* the output's last line is open */

	/* A criteria step in progress: the criterion judged now (or just
	 * judged, between two), its place, the failures so far, the
	 * verdicts for the step's record and a check's probe token. */
	int			 crit_active;
	const struct step	*crit_item;
	size_t			 crit_pos;
	size_t			 crit_failed;
	json_t			*crit_results;
	unsigned long long	 crit_token;

	struct runner_var	*vars;		/* SET name=value, in order */
	size_t			 nvars;
	int			 set_state;	/* 0 line start, 1 in a line,
						   2 holding a possible SET */
	struct buf		 setbuf;	/* the line held */
	int			 line_long;	/* the current line is too long */
};

/* runner.c */
/* Frees *ev if set and clears it. */
void runner_event_free(struct event **ev);
/* Stops watching a descriptor and closes it (*fd becomes -1). */
void runner_close_watched(struct event **ev, int *fd);
/*
 * The current step (or rollback step) ended in state s with exit code
 * (-1: none), killing signal sig and message msg (or NULL): records it,
 * tells the front end and moves the run on.
 */
void runner_step_complete(struct runner *, enum runner_step_state s,
    int code, int sig, const char *msg);
/* Frees a runner that runner_free left for its last journal job. */
void runner_destroy(struct runner *);

/* Ends the run: the run_end record, the log closed, the lock released,
 * then on_finished (which may free the runner). */
void runner_finish(struct runner *);
/* Schedules op on the loop (never re-entering the caller). */
void runner_kick(struct runner *, enum runner_op);
/* Asks for confirmation of st (the current step) or launches it, or fails
 * it at once (over budget, a pause nobody can confirm). */
void runner_enter_step(struct runner *, const struct step *st);
/* Stops the running step (SIGTERM, then SIGKILL after the grace period;
 * a wait ends at once): it ends timed out, why saying why. */
void runner_stop_step(struct runner *, const char *why);
/* The run is accepted and its start record queued: events set up, and
 * the first step entered (with a worker, once the record is written). */
void runner_begin(struct runner *);
/* The current time of the run (env.now or time(NULL)). */
time_t runner_now(const struct runner *);

/* The step whose child runs now: a criterion of a criteria step while
 * one is judged, else runner_current_step. */
const struct step *runner_active_step(const struct runner *);

/* runcrit.c */
/* A criteria step was launched: judges its first criterion. */
void runcrit_start(struct runner *);
/* Judges the next criterion, or ends the step with the verdict. */
void runcrit_next(struct runner *);
/* The criterion's child ended in state s (msg: why it failed, or NULL). */
void runcrit_child_done(struct runner *, enum runner_step_state s,
    int code, int sig, const char *msg);
/* Forgets the criteria step's state (its step has ended); the verdicts,
 * if any, are handed to the caller (NULL otherwise). */
json_t *runcrit_end(struct runner *);

/* runpolicy.c */
/* The current (not rollback, not always) step failed: applies its
 * policy (continue, abort, rollback, or ask through on_failed). */
void runpolicy_failed(struct runner *, const struct step *);
/* Rolls back every started step, in reverse order; with none to roll
 * back, the run has failed. */
void runpolicy_rollback(struct runner *);
/* The operator (or a signal) stops the run: the always steps follow,
 * unless they are what runs now. */
void runpolicy_abort(struct runner *);
/* The main part is over with result res: the always steps not yet run
 * follow, then the run ends. */
void runpolicy_conclude(struct runner *, enum runner_result res);
/* Enters the next always step, or ends the run. */
void runpolicy_next_always(struct runner *);
/* An always step ended in state s. */
void runpolicy_always_done(struct runner *, enum runner_step_state s);
/* The timer of a pause waiting for its confirmation (arg: the runner). */
void runpolicy_pause_timeout(int fd, short what, void *arg);
/* Arms the run's budget timers (nothing without a budget). */
void runpolicy_budget(struct runner *);

/* child.c */
/*
 * Starts the current step's child (a shell for run steps, the client for
 * sql, redis and http steps) in a session of its own, its output on a
 * watched pipe or, for an interactive step with a user at the terminal,
 * on a pseudo-terminal.  Returns 0, or -1 with *cause set.
 */
int child_spawn(struct runner *, const struct step *, char **cause);
/* Sends sig to the step's process group (or, before the child has made
 * its own session, to the child).  Nothing without a child. */
void child_signal(struct runner *, int sig);
/* Reads what the step wrote so far (the pipe is non-blocking). */
void child_read(struct runner *);
/* Stops watching the output pipe and closes it. */
void child_close_output(struct runner *);
/* Forgets the step's child: one still running is killed (its group) and
 * reaped later; never waits. */
void child_free(struct runner *);

/* pty.c */
/* Whether an interactive step can have the user: stdin is a terminal of
 * which we are not in the background. */
int pty_usable(void);
/* Writes to the real terminal while the step owns it; with crlf, "\n"
 * becomes "\r\n".  A failed write stops further writes. */
void pty_write(struct runner *, const char *data, size_t len, int crlf);
/* Opens a pseudo-terminal: the master (non-blocking) in r->pty_fd, the
 * slave for the child in *slave.  Returns 0, or -1 with *cause set. */
int pty_open(struct runner *, int *slave, char **cause);
/* Before the child starts: the step's terminal gets the user's settings
 * and window size, and the real one goes raw. */
void pty_begin(struct runner *, int slave);
/* Once the child runs: watches its output, the user's keys and window
 * size changes. */
void pty_events(struct runner *);
/* Reads what the step wrote on its pseudo-terminal so far. */
void pty_read(struct runner *);
/* The end of an interactive step: the rest of its output, the terminal's
 * settings back and, with notify, the front end told.  Nothing when the
 * step is not interactive. */
void pty_end(struct runner *, int notify);

/* stepcmd.c */
/*
 * The client command of a sql, redis or http step: the program's path,
 * its argv and the extra environment ("PGAPPNAME=maintop"), all new; a
 * password goes to the client in a private file or on its standard input.
 * Returns 0, or -1 with *cause set.
 */
int stepcmd_build(struct runner *, const struct step *, char **path,
    char ***argv, char ***extra, char **cause);
/* Watches one line of the client's output (a redis error reply, curl's
 * status line). */
void stepcmd_line(struct runner *, const char *s, size_t len);
/* Whether an http step's status is the one expected (default: 2xx). */
int stepcmd_http_ok(const struct step *, int status);
/* Shows the start of an http step's response body. */
void stepcmd_http_body(struct runner *);
/* Removes an http step's temporary files. */
void stepcmd_cleanup(struct runner *);

/* stepout.c */
/*
 * The step's output: every secret replaced by RUNBOOK_MASK, then to the
 * log, the front end and the METRICS scanner.  final flushes what was
 * held back as the possible start of a secret.
 */
void stepout_write(struct runner *, const char *data, size_t len,
    int final);
/*
 * The step's standard error: taken line by line (a line left open, or
 * longer than 4 KiB, is cut at final or at that size), each with every
 * secret masked, after the open line of standard output is closed; to the
 * log marked "2> ", to the front end as one line with err set, counted for
 * the journal.
 */
void stepout_write_err(struct runner *, const char *data, size_t len,
    int final);
/* Writes to the run log (within its limit: the first time output is cut,
 * the user is told). */
void stepout_to_log(struct runner *, const char *data, size_t len);
/* Masks secret pw (taken; wiped when freed) in the output from now on. */
void stepout_secret(struct runner *, char *pw);

/* runsecrets.c */
/*
 * Reads every secret maintop knows, once per run: the passwords and secret
 * header values of every check of env.cfg, the files on env.worker (at
 * once with a NULL worker), so a slow file system never holds the loop.
 * Each is masked from when it is read: queued before the start record,
 * they are all read before the first step.  A check whose secrets cannot
 * be read is skipped by the masker (nothing can use them either).
 */
void runsecrets_read(struct runner *);
/*
 * The password of check c as read at the run's start, into *pw (new; the
 * caller wipes it).  Returns 1, 0 when c has none, or -1 with *cause (why
 * it could not be read).  A check not of env.cfg is read now.
 */
int runsecrets_password(struct runner *, const struct check *c, char **pw,
    char **cause);
/* Cancels the reads still pending and wipes what was read. */
void runsecrets_free(struct runner *);
/* Writes text to the log only (framing lines: commands, results). */
void stepout_log(struct runner *, const char *fmt, ...) UTIL_PRINTF(2, 3);
/* Output the runner itself produces (status lines): log and front end. */
void stepout_say(struct runner *, const char *fmt, ...) UTIL_PRINTF(2, 3);

/* Closes the output's last line if a step left it open (no newline), so
 * that what follows starts a line of its own. */
void stepout_close_line(struct runner *);

/* runvars.c */
/*
 * Passes the step's raw output to out, taking the lines that begin with
 * "SET name=" aside until whole: each sets $MAINTOP_VAR_name for the later
 * steps, is journaled, and is shown with its value masked when the name is
 * declared secret (the value is masked in all output from then on).
 * final: the output has ended (a held line is taken as whole).
 */
void runvars_filter(struct runner *, const char *data, size_t len,
    int final, struct buf *out);
/* How many strings runvars_env adds at most. */
size_t runvars_count(const struct runner *);
/* Adds MAINTOP_CONFIG, MAINTOP_BIN, MAINTOP_STATE_DIR and every
 * MAINTOP_VAR_name to the environment strings set (from index *n); a
 * secret value only for a shell (shell), never for a client. */
void runvars_env(struct runner *, int shell, char **set, size_t *n);
/* Frees the values (wiped). */
void runvars_free(struct runner *);

/* runlock.c */
/* Takes the runbook's lock (state_dir/locks/NAME.lock) without waiting
 * and writes who holds it.  Returns 0, or -1 with *cause set. */
int runlock_take(struct runner *, char **cause);
/*
 * Takes the store's lock on the worker (env.store and env.worker set), for
 * a front end that must not wait: then(r, cause) on the loop, cause NULL
 * when it is held (r->slock and r->stale set) or saying why not.  Not
 * called when the runner was freed meanwhile (the lock, if taken, is
 * released).
 */
void runlock_take_async(struct runner *, void (*then)(struct runner *,
    const char *cause));
/* Releases the lock if held (a store's on the worker when there is one). */
void runlock_release(struct runner *);

/* runkeep.c */
/* The run began with the store's lock (r->slock): a look at it every
 * second from now (store_lock_keep), told in the output and the journal
 * when it is lost and taken back, or lost to another. */
void runkeep_start(struct runner *);
/* No more looks (the run ends). */
void runkeep_stop(struct runner *);
/* Before anything of the run starts: 1 when the lock was lost to another
 * maintop, and the run is then ended (aborted, from the loop). */
int runkeep_halted(struct runner *);

/* runjournal.c */
/* A new journal record of type for this run (type, run, runbook). */
json_t *runjournal_record(struct runner *, const char *type);
/*
 * Appends obj (taken) to the journal on the worker (env.worker; at once
 * without one), after every record queued before it; who adds the user,
 * SSH client and terminal.  Then, on the loop, then(r, err) with err NULL
 * on success; with then NULL a failure is shown in the output and the log.
 */
void runjournal_write(struct runner *, json_t *obj, int who,
    void (*then)(struct runner *, const char *err));
/*
 * After the run's last record: on the worker, the run log is fsynced and
 * closed and the lock released (r->log_fd and r->lock_fd become -1 at
 * once); then then(r, NULL) on the loop.
 */
void runjournal_close(struct runner *, void (*then)(struct runner *,
    const char *err));

/* Sets *cause (when not NULL) from the format and returns -1: the shape
 * of every refusal of the runner's actions and of runner_start. */
int runner_deny(char **cause, const char *fmt, ...) UTIL_PRINTF(2, 3);

#endif
