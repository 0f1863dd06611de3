/* A step's child process: started in its own process group with the
 * step's environment, its output read from a pipe, reaped on SIGCHLD. */
#include "runner_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "runbook.h"

void
child_close_output(struct runner *r)
{
	runner_close_watched(&r->ev_out, &r->out_fd);
}

/* Reads what the step wrote; the pipe is non-blocking. */
void
child_read(struct runner *r)
{
	char chunk[16384];
	ssize_t n;

	while (r->out_fd != -1) {
		n = read(r->out_fd, chunk, sizeof chunk);
		if (n > 0) {
			stepout_write(r, chunk, (size_t)n, 0);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			child_close_output(r);
		break;
	}
}

static void
on_read(evutil_socket_t fd, short what, void *arg)
{
	child_read(arg);
}

/* Sends sig to the step's process group (or, before the child has made
 * its own session, to the child). */
void
child_signal(struct runner *r, int sig)
{
	if (r->pid <= 0)
		return;
	if (killpg(r->pid, sig) == -1 && errno == ESRCH)
		kill(r->pid, sig);
}

/* The child has been reaped: finish the step. */
static void
child_done(struct runner *r, int status)
{
	const struct step *st;
	char msg[96];
	enum runner_step_state s;
	int code = -1, sig = 0;

	child_read(r);
	child_close_output(r);
	pty_read(r);
	stepout_write(r, "", 0, 1);
	pty_end(r, 1);
	r->pid = 0;
	if (WIFEXITED(status))
		code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		sig = WTERMSIG(status);
	st = runner_current_step(r);
	if (st->kind == STEP_HTTP)
		stepcmd_http_body(r);
	stepcmd_cleanup(r);
	if (r->timed_out) {
		s = RSTEP_TIMEDOUT;
		snprintf(msg, sizeof msg, "timed out");
	} else if (code == 0 && st->kind == STEP_REDIS && r->client_error) {
		s = RSTEP_FAILED;
		snprintf(msg, sizeof msg, "redis replied with an error");
	} else if (code == 0 && st->kind == STEP_HTTP &&
	    !stepcmd_http_ok(st, r->http_status)) {
		s = RSTEP_FAILED;
		if (r->http_status < 0)
			snprintf(msg, sizeof msg, "no HTTP status");
		else if (st->expect_status > 0)
			snprintf(msg, sizeof msg, "HTTP status %d, expected "
			    "%lld", r->http_status, st->expect_status);
		else
			snprintf(msg, sizeof msg, "HTTP status %d, expected "
			    "2xx", r->http_status);
	} else if (code == 0) {
		s = RSTEP_OK;
		msg[0] = '\0';
	} else {
		s = RSTEP_FAILED;
		if (sig != 0)
			snprintf(msg, sizeof msg, "killed by signal %d (%s)",
			    sig, strsignal(sig));
		else
			snprintf(msg, sizeof msg, "exit status %d", code);
	}
	runner_step_complete(r, s, code, sig, msg[0] != '\0' ? msg : NULL);
}

void
child_sigchld(evutil_socket_t fd, short what, void *arg)
{
	struct runner *r = arg;
	int status;
	pid_t p;

	/* Only our own child: other modules may have children too. */
	if (r->pid <= 0)
		return;
	do
		p = waitpid(r->pid, &status, WNOHANG);
	while (p == -1 && errno == EINTR);
	if (p == r->pid)
		child_done(r, status);
}

static void
close_fds_from(int lowfd)
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

/*
 * Runs in the child between fork and exec: only async-signal-safe calls.
 * out is the write end of the output pipe or, for an interactive step, the
 * pseudo-terminal, which becomes the controlling terminal of a new session.
 */
static void UTIL_NORETURN
child_exec(const char *path, char **argv, const char *cwd, char **envv,
    int out, int interactive, const sigset_t *old)
{
	struct sigaction sa;
	sigset_t none;
	int sig, nul;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);
	(void)old;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (interactive) {
		/* Its own session: the group is still killpg(pid). */
		if (setsid() == -1 || ioctl(out, TIOCSCTTY, 0) == -1 ||
		    dup2(out, STDIN_FILENO) == -1 ||
		    dup2(out, STDOUT_FILENO) == -1 ||
		    dup2(out, STDERR_FILENO) == -1)
			_exit(126);
	} else {
		setpgid(0, 0);
		nul = open("/dev/null", O_RDONLY);
		if (nul == -1 || dup2(nul, STDIN_FILENO) == -1 ||
		    dup2(out, STDOUT_FILENO) == -1 ||
		    dup2(out, STDERR_FILENO) == -1)
			_exit(126);
	}
	close_fds_from(3);
	if (cwd != NULL && chdir(cwd) != 0) {
		static const char m[] = "maintop: cannot change to the step's "
		    "working directory\n";
		ssize_t n = write(STDERR_FILENO, m, sizeof m - 1);

		(void)n;
		_exit(126);
	}
	for (; *envv != NULL; envv++)
		putenv(*envv);
	execv(path, argv);
	{
		static const char m[] = "maintop: cannot execute ";
		ssize_t n = write(STDERR_FILENO, m, sizeof m - 1);

		n = write(STDERR_FILENO, path, strlen(path));
		n = write(STDERR_FILENO, "\n", 1);
		(void)n;
	}
	_exit(127);
}

static char **
child_env(struct runner *r, const struct step *st, size_t stepno,
    char **extra)
{
	char **v;
	size_t n = 0, i, nextra = 0;

	while (extra != NULL && extra[nextra] != NULL)
		nextra++;
	v = xcalloc(st->nenv + r->rb->nparams + nextra + 5, sizeof *v);
	for (i = 0; i < r->rb->nparams; i++)
		v[n++] = xasprintf("MAINTOP_PARAM_%s=%s", r->rb->params[i].name,
		    r->values[i] != NULL ? r->values[i] : "");
	v[n++] = xasprintf("MAINTOP_RUN_ID=%s", r->id);
	v[n++] = xasprintf("MAINTOP_RUNBOOK=%s", r->rb->name);
	v[n++] = xasprintf("MAINTOP_STEP=%zu", stepno + 1);
	for (i = 0; i < st->nenv; i++)
		v[n++] = runbook_subst(r->rb, r->values, st->env[i],
		    RUNBOOK_SUBST_RAW, 0);
	for (i = 0; i < nextra; i++)
		v[n++] = xstrdup(extra[i]);
	v[n] = NULL;
	return v;
}

/* Starts a step's child.  Returns 0, or -1 with *cause set. */
int
child_spawn(struct runner *r, const struct step *st, char **cause)
{
	char *path = NULL, **argv = NULL, **extra = NULL, *cwd = NULL, **envv;
	int fds[2] = { -1, -1 }, saved, slave = -1;
	sigset_t all, old;
	pid_t pid;

	/* The hard refusal: whatever the front end does. */
	if (r->env.read_only) {
		*cause = xstrdup("read-only mode: no step may run");
		return -1;
	}
	r->client_error = 0;
	r->http_status = -1;
	if (st->kind == STEP_RUN) {
		path = xstrdup("/bin/sh");
		argv = xcalloc(4, sizeof *argv);
		argv[0] = xstrdup("sh");
		argv[1] = xstrdup("-c");
		argv[2] = runbook_subst(r->rb, r->values, st->text,
		    RUNBOOK_SUBST_SHELL_EXEC, 0);
		cwd = runbook_step_cwd(r->rb, r->values, st);
	} else if (stepcmd_build(r, st, &path, &argv, &extra, cause) != 0)
		return -1;
	envv = child_env(r, st, runner_current(r, NULL), extra);
	/*
	 * An interactive step with a user at a terminal runs on a
	 * pseudo-terminal that the loop connects to the real one, so that its
	 * output is logged too.  Without a terminal it runs as any step does
	 * (no input, output through the pipe): nobody could answer it.
	 */
	if (st->interactive && pty_usable()) {
		if (pty_open(r, &slave, cause) != 0)
			goto fail;
		r->interactive = 1;
		if (r->env.on_terminal != NULL)
			r->env.on_terminal(r, 1, r->env.arg);
		pty_begin(r, slave);
	} else if (pipe2(fds, O_CLOEXEC) != 0) {
		*cause = xasprintf("pipe: %s", strerror(errno));
		goto fail;
	}
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0)
		child_exec(path, argv, cwd, envv, r->interactive ? slave :
		    fds[1], r->interactive, &old);
	saved = errno;
	/* Also here, no race with killpg (the pty child makes a session). */
	if (pid > 0 && !r->interactive)
		setpgid(pid, pid);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid == -1) {
		*cause = xasprintf("fork: %s", strerror(saved));
		goto fail;
	}
	r->pid = pid;
	if (r->interactive) {
		close(slave);
		pty_events(r);
	} else {
		close(fds[1]);
		r->out_fd = fds[0];
		fcntl(r->out_fd, F_SETFL, fcntl(r->out_fd, F_GETFL) |
		    O_NONBLOCK);
		r->ev_out = event_new(r->env.base, r->out_fd,
		    EV_READ | EV_PERSIST, on_read, r);
		event_add(r->ev_out, NULL);
	}
	free(path);
	strv_free(argv);
	strv_wipe(extra);
	free(cwd);
	strv_wipe(envv);
	return 0;

fail:
	if (fds[0] != -1) {
		close(fds[0]);
		close(fds[1]);
	}
	if (slave != -1)
		close(slave);
	pty_end(r, 1);
	free(path);
	strv_free(argv);
	strv_wipe(extra);
	free(cwd);
	strv_wipe(envv);
	stepcmd_cleanup(r);
	return -1;
}
