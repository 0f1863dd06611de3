/* A step's child process: started in a session of its own with an
 * environment built here, its standard output and standard error read from
 * two pipes, its exit reported by the one reaper (proc.c). */
#include "runner_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "childenv.h"
#include "proc.h"
#include "runbook.h"

void
child_close_output(struct runner *r)
{
	runner_close_watched(&r->ev_out, &r->out_fd);
	if (r->err_fd != -1)
		stepout_write_err(r, "", 0, 1);	/* a last line left open */
	runner_close_watched(&r->ev_err, &r->err_fd);
}

/*
 * Reads what the step wrote on one of its pipes (non-blocking) and hands
 * it on: standard output as it comes, standard error line by line.  End
 * of file or an error closes the pipe.
 */
static void
read_pipe(struct runner *r, int *fd, struct event **ev, int err)
{
	char buf[16384];
	ssize_t n;

	while (*fd != -1) {
		n = read(*fd, buf, sizeof buf);
		if (n > 0) {
			if (err)
				stepout_write_err(r, buf, (size_t)n, 0);
			else
				stepout_write(r, buf, (size_t)n, 0);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
			if (err)
				stepout_write_err(r, "", 0, 1);
			runner_close_watched(ev, fd);
		}
		break;
	}
}

void
child_read(struct runner *r)
{
	read_pipe(r, &r->out_fd, &r->ev_out, 0);
	read_pipe(r, &r->err_fd, &r->ev_err, 1);
}

static void
on_read(evutil_socket_t fd, short what, void *arg)
{
	struct runner *r = arg;

	read_pipe(r, &r->out_fd, &r->ev_out, 0);
}

static void
on_read_err(evutil_socket_t fd, short what, void *arg)
{
	struct runner *r = arg;

	read_pipe(r, &r->err_fd, &r->ev_err, 1);
}

/* Watches one end of a pipe the child writes. */
static struct event *
watch_pipe(struct runner *r, int fd, event_callback_fn cb)
{
	struct event *ev;

	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	ev = event_new(r->env.base, fd, EV_READ | EV_PERSIST, cb, r);
	event_add(ev, NULL);
	return ev;
}

/* Sends sig to the step's process group (the child's session). */
void
child_signal(struct runner *r, int sig)
{
	if (r->proc != NULL)
		proc_signal(r->proc, sig);
}

/* Forgets the step's child: still running, it is killed (its group) and
 * reaped later by the reaper; nothing waits. */
void
child_free(struct runner *r)
{
	proc_free(r->proc);
	r->proc = NULL;
	r->pid = 0;
}

/* The child has been reaped (the reaper's callback): finish the step. */
static void
child_done(struct proc *p, int status, void *arg)
{
	struct runner *r = arg;
	const struct step *st;
	char msg[96];
	enum runner_step_state s;
	int code = -1, sig = 0;

	child_read(r);
	child_close_output(r);
	pty_read(r);
	stepout_write(r, "", 0, 1);
	pty_end(r, 1);
	child_free(r);
	if (WIFEXITED(status))
		code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		sig = WTERMSIG(status);
	st = runner_active_step(r);
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
	if (r->crit_item != NULL)
		runcrit_child_done(r, s, code, sig, msg[0] != '\0' ? msg :
		    NULL);
	else
		runner_step_complete(r, s, code, sig, msg[0] != '\0' ? msg :
		    NULL);
}

/*
 * The step's environment, built here in the parent: the one maintop was
 * started with (without the checks' secret variables unless the step
 * passes one by name), the parameters (for a shell), the run's names, the
 * step's env and the client's extra variables.
 */
static char **
child_env(struct runner *r, const struct step *st, size_t stepno,
    char **extra)
{
	char **set, **v;
	size_t n = 0, i, nextra = 0;

	while (extra != NULL && extra[nextra] != NULL)
		nextra++;
	set = xcalloc(st->nenv + r->rb->nparams + nextra + 5 +
	    runvars_count(r), sizeof *set);
	/* A shell reads the parameters there; a client gets them otherwise
	 * (its command line or standard input), and no secret in its
	 * environment. */
	for (i = 0; st->kind == STEP_RUN && i < r->rb->nparams; i++)
		set[n++] = xasprintf("MAINTOP_PARAM_%s=%s",
		    r->rb->params[i].name, r->values[i] != NULL ?
		    r->values[i] : "");
	set[n++] = xasprintf("MAINTOP_RUN_ID=%s", r->id);
	set[n++] = xasprintf("MAINTOP_RUNBOOK=%s", r->rb->name);
	set[n++] = xasprintf("MAINTOP_STEP=%zu", stepno + 1);
	runvars_env(r, st->kind == STEP_RUN, set, &n);
	for (i = 0; i < st->nenv; i++)
		set[n++] = runbook_subst(r->rb, r->values, st->env[i],
		    RUNBOOK_SUBST_RAW, 0);
	for (i = 0; i < nextra; i++)
		set[n++] = xstrdup(extra[i]);
	set[n] = NULL;
	v = childenv_build(st->env_pass, set);
	childenv_free(set);
	return v;
}

/* Starts a step's child.  Returns 0, or -1 with *cause set. */
int
child_spawn(struct runner *r, const struct step *st, char **cause)
{
	char *path = NULL, **argv = NULL, **extra = NULL, *cwd = NULL, **envv;
	int fds[2] = { -1, -1 }, efds[2] = { -1, -1 }, slave = -1;
	struct proc_spec sp;

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
	} else if (pipe2(fds, O_CLOEXEC) != 0 || pipe2(efds, O_CLOEXEC) !=
	    0) {
		/* Two pipes: standard error can be told from standard output
		 * (in the same order as far as two pipes can keep it). */
		*cause = xasprintf("pipe: %s", strerror(errno));
		goto fail;
	}
	memset(&sp, 0, sizeof sp);
	sp.path = path;
	sp.argv = argv;
	sp.envp = envv;
	sp.cwd = cwd;
	/*
	 * A session of its own: a step without the terminal has no controlling
	 * terminal at all, so /dev/tty fails at once (no prompt it could hang
	 * on, no escape sequence on the user's screen); an interactive step
	 * gets its pseudo-terminal as its controlling terminal.
	 */
	sp.group = PROC_SESSION;
	sp.fd_in = r->interactive ? slave : r->stdin_fd;
	sp.fd_out = r->interactive ? slave : fds[1];
	sp.fd_err = r->interactive ? slave : efds[1];
	sp.ctty = r->interactive;
	r->proc = proc_spawn(r->env.base, &sp, child_done, r, cause);
	if (r->proc == NULL)
		goto fail;
	r->pid = proc_pid(r->proc);
	if (r->stdin_fd != -1) {
		close(r->stdin_fd);
		r->stdin_fd = -1;
	}
	if (r->interactive) {
		close(slave);
		pty_events(r);
	} else {
		close(fds[1]);
		close(efds[1]);
		r->out_fd = fds[0];
		r->ev_out = watch_pipe(r, r->out_fd, on_read);
		r->err_fd = efds[0];
		r->ev_err = watch_pipe(r, r->err_fd, on_read_err);
	}
	free(path);
	strv_free(argv);
	strv_wipe(extra);
	free(cwd);
	childenv_free(envv);
	return 0;

fail:
	if (fds[0] != -1) {
		close(fds[0]);
		close(fds[1]);
	}
	if (efds[0] != -1) {
		close(efds[0]);
		close(efds[1]);
	}
	if (slave != -1)
		close(slave);
	pty_end(r, 1);
	free(path);
	strv_free(argv);
	strv_wipe(extra);
	free(cwd);
	childenv_free(envv);
	if (r->stdin_fd != -1) {
		close(r->stdin_fd);
		r->stdin_fd = -1;
	}
	stepcmd_cleanup(r);
	return -1;
}
