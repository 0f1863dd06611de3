/* The exec probe: runs a monitoring-plugins program without a shell, in a
 * session of its own, through the one spawner and reaper (proc.c); its
 * exit code is the state, its first line the message and its perfdata the
 * figures.  Never waits: output is read as it comes, exits are reaped by
 * the reaper, a deadline kills the whole group. */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/wait.h>
#include <unistd.h>

#include "childenv.h"
#include "plugin_out.h"
#include "probe.h"
#include "proc.h"

/* The most output kept; the rest is read and dropped so that a chatty
 * plugin never blocks on a full pipe. */
#define EXEC_MAX_OUTPUT		(64 * 1024)
/* Plugins running at once; the others wait their turn (in order). */
#define EXEC_MAX_RUNNING	8

static int exec_disabled;	/* --no-exec or settings.exec_checks */

struct probe;

/* What the exec checks of one loop share: the turn queue. */
struct exec_ctx {
	TAILQ_HEAD(, probe)	 queue;
	unsigned		 running;
};

struct probe {
	struct probe_ctx	*ctx;
	const struct check	*c;
	struct proc		*proc;
	struct event		*ev;		/* the output pipe */
	int			 fd;
	struct buf		 out;
	size_t			 seen;		/* bytes read, kept or not */
	int			 queued;
	int			 active;	/* holds a turn */
	long long		 start_ms;
	probe_done_cb		 cb;
	void			*arg;
	TAILQ_ENTRY(probe)	 entry;
};

void
probe_exec_disable(void)
{
	exec_disabled = 1;
}

static struct exec_ctx *
exec_ctx(struct probe_ctx *ctx)
{
	struct exec_ctx *x = ctx->kind_state[CHECK_EXEC];

	if (x == NULL) {
		x = xcalloc(1, sizeof *x);
		TAILQ_INIT(&x->queue);
		ctx->kind_state[CHECK_EXEC] = x;
	}
	return x;
}

static struct probe *
exec_create(struct probe_ctx *ctx, const struct check *c)
{
	struct probe *p = xcalloc(1, sizeof *p);

	p->ctx = ctx;
	p->c = c;
	p->fd = -1;
	buf_init(&p->out);
	return p;
}

/* Releases the child, the pipe and the turn; starts the next in line. */
static void exec_next(struct exec_ctx *);

static void
exec_release(struct probe *p)
{
	struct exec_ctx *x = exec_ctx(p->ctx);

	if (p->proc != NULL)
		proc_free(p->proc);	/* kills the group if still running */
	p->proc = NULL;
	if (p->ev != NULL)
		event_free(p->ev);
	p->ev = NULL;
	if (p->fd != -1)
		close(p->fd);
	p->fd = -1;
	if (p->queued)
		TAILQ_REMOVE(&x->queue, p, entry);
	p->queued = 0;
	if (p->active) {
		p->active = 0;
		x->running--;
		exec_next(x);
	}
}

/* Reads what the pipe holds now; keeps at most EXEC_MAX_OUTPUT. */
static void
exec_drain(struct probe *p)
{
	char tmp[8192];
	ssize_t n;

	while (p->fd != -1) {
		n = read(p->fd, tmp, sizeof tmp);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		p->seen += (size_t)n;
		if (p->out.len < EXEC_MAX_OUTPUT)
			buf_add(&p->out, tmp, (size_t)n > EXEC_MAX_OUTPUT -
			    p->out.len ? EXEC_MAX_OUTPUT - p->out.len :
			    (size_t)n);
	}
}

static void
exec_readable(evutil_socket_t fd, short what, void *arg)
{
	exec_drain(arg);
}

/* Turns the exit status and output into the sample. */
static void
exec_result(struct probe *p, int status, struct sample *s)
{
	plugin_output(s, p->out.s != NULL ? p->out.s : "",
	    p->seen > EXEC_MAX_OUTPUT);
	if (WIFEXITED(status) && WEXITSTATUS(status) <= 3)
		s->state = (enum state)WEXITSTATUS(status);
	else if (WIFEXITED(status))
		sample_fail(s, STATE_UNKNOWN, "%s (exit %d, not a plugin's "
		    "0-3)", s->message, WEXITSTATUS(status));
	else
		sample_fail(s, STATE_UNKNOWN, "%s (killed by signal %d)",
		    s->message, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static void
exec_exited(struct proc *proc, int status, void *arg)
{
	struct probe *p = arg;
	struct sample *s = sample_new();
	probe_done_cb cb = p->cb;

	exec_drain(p);
	s->latency_ms = (double)(util_mono_ms() - p->start_ms);
	exec_result(p, status, s);
	buf_free(&p->out);
	buf_init(&p->out);
	exec_release(p);
	p->cb = NULL;
	cb(s, p->arg);
}

/* Starts the plugin (its turn has come). */
static void
exec_run(struct probe *p)
{
	const struct check_exec *x = &p->c->exec;
	struct proc_spec spec;
	struct sample *s;
	char **env, *cause = NULL;
	int fds[2];

	p->active = 1;
	exec_ctx(p->ctx)->running++;
	p->start_ms = util_mono_ms();
	if (pipe2(fds, O_CLOEXEC) != 0) {
		cause = xasprintf("pipe: %s", strerror(errno));
		goto fail;
	}
	(void)fcntl(fds[0], F_SETFL, O_NONBLOCK);
	memset(&spec, 0, sizeof spec);
	spec.path = x->argv[0];
	spec.argv = x->argv;
	env = childenv_build(NULL, NULL);
	spec.envp = env;
	spec.group = PROC_SESSION;
	spec.fd_in = -1;
	spec.fd_out = fds[1];
	spec.fd_err = fds[1];
	p->fd = fds[0];
	p->proc = proc_spawn(p->ctx->base, &spec, exec_exited, p, &cause);
	childenv_free(env);
	close(fds[1]);
	if (p->proc == NULL)
		goto fail;
	p->ev = event_new(p->ctx->base, p->fd, EV_READ | EV_PERSIST,
	    exec_readable, p);
	if (p->ev == NULL || event_add(p->ev, NULL) != 0)
		fatal("event_new failed");
	return;
fail:
	s = sample_new();
	sample_fail(s, STATE_UNKNOWN, "cannot start %s: %s", x->argv[0],
	    cause);
	free(cause);
	exec_release(p);
	p->cb(s, p->arg);
}

static void
exec_next(struct exec_ctx *x)
{
	struct probe *p;

	while (x->running < EXEC_MAX_RUNNING &&
	    (p = TAILQ_FIRST(&x->queue)) != NULL) {
		TAILQ_REMOVE(&x->queue, p, entry);
		p->queued = 0;
		exec_run(p);
	}
}

static void
exec_start(struct probe *p, long long timeout_ms, probe_done_cb cb,
    void *arg)
{
	struct exec_ctx *x = exec_ctx(p->ctx);
	struct sample *s;

	p->cb = cb;
	p->arg = arg;
	if (exec_disabled || !p->c->exec.enabled) {
		s = sample_new();
		sample_fail(s, STATE_UNKNOWN, "exec checks are turned off "
		    "(%s)", exec_disabled ? "--no-exec" :
		    "settings.exec_checks = false");
		cb(s, arg);
		return;
	}
	TAILQ_INSERT_TAIL(&x->queue, p, entry);
	p->queued = 1;
	exec_next(x);
}

static void
exec_cancel(struct probe *p)
{
	exec_release(p);
	buf_free(&p->out);
	buf_init(&p->out);
	p->cb = NULL;
}

static const char *
exec_phase(struct probe *p)
{
	return p->queued ? "waiting for its turn" : "running";
}

static void
exec_free(struct probe *p)
{
	exec_cancel(p);
	free(p);
}

static void
exec_ctx_free(struct probe_ctx *ctx)
{
	free(ctx->kind_state[CHECK_EXEC]);
	ctx->kind_state[CHECK_EXEC] = NULL;
}

const struct probe_ops probe_exec_ops = {
	.type = CHECK_EXEC,
	.name = "exec",
	.create = exec_create,
	.start = exec_start,
	.cancel = exec_cancel,
	.phase = exec_phase,
	.free = exec_free,
	.ctx_free = exec_ctx_free,
};
