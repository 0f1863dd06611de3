/* Child processes: one spawner (signals blocked around fork, execve with a
 * given environment) and one SIGCHLD reaper dispatching exits by pid. */
#include "proc.h"

#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "util.h"

struct proc {
	pid_t			 pid;
	enum proc_group		 group;
	int			 running;	/* not yet reaped */
	int			 freed;		/* owner gone: reap, then free */
	proc_exit_cb		*cb;
	void			*arg;
	struct proc		*next;		/* in proc_live */
};

/* Every child not yet reaped; the reaper's event and its loop. */
static struct proc		*proc_live;
static struct event_base	*proc_base;
static struct event		*proc_ev;
static unsigned			 proc_count;

/*
 * SIGCHLD, delivered by the loop: reap every child that has exited, ours or
 * not (a library's, the demo's servers'), and tell the owners of ours.
 */
static void
proc_reap(evutil_socket_t sig, short what, void *arg)
{
	struct proc *p, **pp;
	pid_t pid;
	int status;

	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid == -1 && errno == EINTR)
			continue;
		if (pid <= 0)
			break;
		for (pp = &proc_live; *pp != NULL; pp = &(*pp)->next) {
			if ((*pp)->pid == pid)
				break;
		}
		if ((p = *pp) == NULL)
			continue;
		*pp = p->next;
		proc_count--;
		p->running = 0;
		if (p->freed)
			free(p);
		else if (p->cb != NULL)
			p->cb(p, status, p->arg);
	}
}

static void
proc_close_from(int lowfd)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned int)lowfd, ~0U, 0) == 0)
		return;
#endif
	{
		long max = sysconf(_SC_OPEN_MAX), fd;

		if (max < 0 || max > 65536)
			max = 65536;
		for (fd = lowfd; fd < max; fd++)
			close((int)fd);
	}
}

/* Writes s to standard error from the child: nothing to do if it fails. */
static void
proc_say(const char *s)
{
	if (write(STDERR_FILENO, s, strlen(s)) == -1)
		return;
}

static void UTIL_NORETURN
proc_die(const char *what, const char *path, int code)
{
	proc_say("maintop: ");
	proc_say(what);
	if (path != NULL)
		proc_say(path);
	proc_say("\n");
	_exit(code);
}

/*
 * The child between fork and execve: async-signal-safe calls only (no
 * allocation, no environment changes: envp was built by the parent).
 */
static void UTIL_NORETURN
proc_child(const struct proc_spec *sp)
{
	struct sigaction sa;
	sigset_t none;
	int sig, i, want[3], high[3];

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (sp->group == PROC_SESSION && setsid() == -1)
		_exit(126);
	if (sp->group == PROC_PGRP)
		setpgid(0, 0);

	/* Copies above 2 first, so that no dup2 overwrites a source. */
	want[0] = sp->fd_in;
	want[1] = sp->fd_out;
	want[2] = sp->fd_err;
	for (i = 0; i < 3; i++) {
		if (want[i] == -1)
			want[i] = open("/dev/null", i == 0 ? O_RDONLY :
			    O_WRONLY);
		if (want[i] == -1 ||
		    (high[i] = fcntl(want[i], F_DUPFD, 3)) == -1)
			_exit(126);
	}
	for (i = 0; i < 3; i++) {
		if (dup2(high[i], i) == -1)
			_exit(126);
	}
	proc_close_from(3);
	if (sp->ctty && ioctl(STDIN_FILENO, TIOCSCTTY, 0) == -1)
		proc_die("cannot take the terminal", NULL, 126);
	if (sp->cwd != NULL && chdir(sp->cwd) != 0)
		proc_die("cannot change to the directory ", sp->cwd, 126);
	execve(sp->path, sp->argv, sp->envp);
	proc_die("cannot execute ", sp->path, 127);
}

struct proc *
proc_spawn(struct event_base *base, const struct proc_spec *sp,
    proc_exit_cb *cb, void *arg, char **cause)
{
	struct proc *p;
	sigset_t all, old;
	pid_t pid;
	int saved;

	if (proc_ev != NULL && base != proc_base)
		fatal("children started from two event loops");
	if (proc_ev == NULL) {
		proc_ev = evsignal_new(base, SIGCHLD, proc_reap, NULL);
		if (proc_ev == NULL || evsignal_add(proc_ev, NULL) != 0)
			fatal("cannot watch SIGCHLD");
		proc_base = base;
	}

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0)
		proc_child(sp);
	saved = errno;
	/* Here too, so that killpg works at once (no race with the child). */
	if (pid > 0 && sp->group == PROC_PGRP)
		setpgid(pid, pid);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid == -1) {
		*cause = xasprintf("fork: %s", strerror(saved));
		return NULL;
	}

	p = xcalloc(1, sizeof *p);
	p->pid = pid;
	p->group = sp->group;
	p->running = 1;
	p->cb = cb;
	p->arg = arg;
	p->next = proc_live;
	proc_live = p;
	proc_count++;
	return p;
}

pid_t
proc_pid(const struct proc *p)
{
	return p->pid;
}

int
proc_running(const struct proc *p)
{
	return p->running;
}

void
proc_signal(struct proc *p, int sig)
{
	if (!p->running)
		return;
	if (p->group == PROC_SAME || (killpg(p->pid, sig) == -1 &&
	    errno == ESRCH))
		kill(p->pid, sig);
}

void
proc_free(struct proc *p)
{
	struct proc **pp;

	if (p == NULL)
		return;
	if (!p->running) {
		free(p);
		return;
	}
	proc_signal(p, SIGKILL);
	if (proc_ev == NULL) {
		/* No reaper any more: nobody will reap it. */
		for (pp = &proc_live; *pp != NULL; pp = &(*pp)->next) {
			if (*pp == p) {
				*pp = p->next;
				proc_count--;
				break;
			}
		}
		free(p);
		return;
	}
	p->freed = 1;
	p->cb = NULL;
}

unsigned
proc_pending(void)
{
	return proc_count;
}

void
proc_shutdown(void)
{
	struct proc *p, **pp;

	if (proc_ev == NULL)
		return;
	proc_reap(-1, 0, NULL);
	event_free(proc_ev);
	proc_ev = NULL;
	proc_base = NULL;
	for (pp = &proc_live; (p = *pp) != NULL; ) {
		if (p->freed) {
			*pp = p->next;
			proc_count--;
			free(p);
		} else
			pp = &p->next;
	}
}
