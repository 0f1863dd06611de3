/* Child processes as tmux runs them: fork with signals blocked, execve with
 * an environment built in the parent, and one SIGCHLD reaper on the event
 * loop that dispatches exits by pid; nothing ever waits. */
#ifndef MAINTOP_PROC_H
#define MAINTOP_PROC_H

#include <sys/types.h>

struct event_base;
struct proc;

/* How the child stands towards maintop's terminal and signals. */
enum proc_group {
	PROC_SESSION,	/* setsid: no controlling terminal, /dev/tty fails */
	PROC_PGRP,	/* its own process group in maintop's session */
	PROC_SAME	/* maintop's process group (rarely right) */
};

/*
 * What to start.  Everything is copied or used before proc_spawn returns,
 * so it may live on the caller's stack.
 */
struct proc_spec {
	const char	 *path;		/* the program; no PATH search */
	char *const	 *argv;		/* argv[0] included, NULL-terminated */
	char *const	 *envp;		/* the whole environment (childenv) */
	const char	 *cwd;		/* NULL: maintop's directory */
	enum proc_group	  group;
	/*
	 * Standard input, output and error: descriptors of the parent that
	 * the child gets as 0, 1 and 2 (the parent keeps its own copies and
	 * closes them when it wants); -1 is /dev/null.  Every other
	 * descriptor is closed in the child.
	 */
	int		  fd_in;
	int		  fd_out;
	int		  fd_err;
	/* fd_in is a pseudo-terminal's slave that becomes the controlling
	 * terminal (needs PROC_SESSION): an interactive child. */
	int		  ctty;
};

/*
 * Called once from the loop when the child has exited; status is as from
 * waitpid.  The proc stays valid until proc_free, which the callback may
 * call.  Output still in a pipe can be read after this.
 */
typedef void proc_exit_cb(struct proc *, int status, void *arg);

/*
 * Starts a child.  The first call installs the reaper on base (one event
 * loop per process: every later call must use the same base until
 * proc_shutdown).  Returns the proc, or NULL with *cause set (caller frees)
 * when fork fails; a child that cannot change directory or exec writes why
 * on its standard error and exits 126 or 127, reported through cb like any
 * exit.
 */
struct proc *proc_spawn(struct event_base *base, const struct proc_spec *,
    proc_exit_cb *cb, void *arg, char **cause);

/* The child's pid (also its process group, except with PROC_SAME). */
pid_t proc_pid(const struct proc *);

/* True until the child has been reaped. */
int proc_running(const struct proc *);

/*
 * Sends sig to the child's process group (or the child alone before it
 * has made its group, or with PROC_SAME).  Nothing once it has exited.
 */
void proc_signal(struct proc *, int sig);

/*
 * Forgets the proc: a child still running gets SIGKILL (its whole group)
 * and is reaped later by the reaper, without a callback.  Never waits.
 */
void proc_free(struct proc *);

/* Children started and not yet reaped, freed ones included. */
unsigned proc_pending(void);

/*
 * Removes the reaper from its loop (before the loop is freed).  Children
 * not yet reaped are signalled no more and reaped by no one; a later
 * proc_spawn may use another loop.
 */
void proc_shutdown(void);

#endif
