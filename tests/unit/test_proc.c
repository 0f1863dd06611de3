/* Tests for the spawner and reaper (proc.c) and the children's environment
 * (childenv.c): real children, reaped through the event loop. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "childenv.h"
#include "proc.h"
#include "tap.h"
#include "util.h"

static struct event_base *base;

struct exit_rec {
	int	done;
	int	status;
};

static void
on_exit_cb(struct proc *p, int status, void *arg)
{
	struct exit_rec *e = arg;

	e->done++;
	e->status = status;
	(void)p;
}

static void
on_deadline(evutil_socket_t fd, short what, void *arg)
{
	*(int *)arg = 1;
}

/* Runs the loop until *flag is set or pending children reach zero (flag
 * NULL); 0 on success, -1 after 30 seconds. */
static int
loop_until(int *flag)
{
	struct timeval tv = { 30, 0 };
	struct event *ev;
	int late = 0;

	ev = evtimer_new(base, on_deadline, &late);
	evtimer_add(ev, &tv);
	while (!late && (flag != NULL ? !*flag : proc_pending() != 0))
		event_base_loop(base, EVLOOP_ONCE);
	event_free(ev);
	return late ? -1 : 0;
}

/* Runs argv with envp and returns what it wrote (caller frees). */
static char *
run_capture(char *const argv[], char *const envp[], enum proc_group g,
    const char *cwd, struct exit_rec *e)
{
	struct proc_spec sp;
	struct proc *p;
	struct buf b;
	char chunk[4096], *cause = NULL;
	int fds[2];
	ssize_t n;

	memset(e, 0, sizeof *e);
	if (pipe2(fds, O_CLOEXEC) != 0)
		return NULL;
	memset(&sp, 0, sizeof sp);
	sp.path = argv[0];
	sp.argv = argv;
	sp.envp = envp;
	sp.cwd = cwd;
	sp.group = g;
	sp.fd_in = -1;
	sp.fd_out = sp.fd_err = fds[1];
	p = proc_spawn(base, &sp, on_exit_cb, e, &cause);
	close(fds[1]);
	if (p == NULL) {
		free(cause);
		close(fds[0]);
		return NULL;
	}
	buf_init(&b);
	while ((n = read(fds[0], chunk, sizeof chunk)) > 0 ||
	    (n < 0 && errno == EINTR))
		if (n > 0)
			buf_add(&b, chunk, (size_t)n);
	close(fds[0]);
	if (loop_until(&e->done) != 0)
		buf_adds(&b, "(never reaped)");
	proc_free(p);
	return buf_detach(&b);
}

static void
test_spawn(void)
{
	char *env_argv[] = { "/usr/bin/env", NULL };
	char *envp[] = { "A=1", "B=two words", NULL };
	char *sh_exit[] = { "/bin/sh", "-c", "exit 3", NULL };
	char *sh_pwd[] = { "/bin/sh", "-c", "pwd; echo err >&2", NULL };
	char *nosuch[] = { "/nonexistent/program", NULL };
	char *sess[] = { "/bin/sh", "-c", "set -- $(cat /proc/$$/stat); "
	    "test \"$6\" = $$ && echo own-session", NULL };
	char *tty[] = { "/bin/sh", "-c", "echo x >/dev/tty || echo no-tty",
	    NULL };
	struct exit_rec e;
	char *out;

	out = run_capture(env_argv, envp, PROC_PGRP, NULL, &e);
	is_str(out, "A=1\nB=two words\n", "the child's environment is envp, "
	    "nothing else");
	ok(e.done == 1 && WIFEXITED(e.status) && WEXITSTATUS(e.status) == 0,
	    "env reaped once, exit 0");
	free(out);

	out = run_capture(sh_exit, envp, PROC_PGRP, NULL, &e);
	ok(WIFEXITED(e.status) && WEXITSTATUS(e.status) == 3,
	    "exit status 3 reaches the callback");
	free(out);

	out = run_capture(sh_pwd, envp, PROC_PGRP, "/tmp", &e);
	is_str(out, "/tmp\nerr\n", "cwd and standard error");
	free(out);

	out = run_capture(nosuch, envp, PROC_PGRP, NULL, &e);
	ok(strstr(out, "cannot execute /nonexistent/program") != NULL,
	    "exec failure explained on standard error");
	ok(WIFEXITED(e.status) && WEXITSTATUS(e.status) == 127,
	    "exec failure exits 127");
	free(out);

	out = run_capture(sess, envp, PROC_SESSION, NULL, &e);
	is_str(out, "own-session\n", "PROC_SESSION: the child leads a new "
	    "session");
	free(out);

	out = run_capture(tty, envp, PROC_SESSION, NULL, &e);
	ok(strstr(out, "no-tty") != NULL, "PROC_SESSION: /dev/tty cannot be "
	    "opened");
	free(out);
	ok(proc_pending() == 0, "nothing left to reap");
}

static void
test_free_never_waits(void)
{
	char *argv[] = { "/bin/sh", "-c", "trap '' TERM; echo ready; "
	    "exec sleep 600", NULL };
	char *envp[] = { "PATH=/usr/bin:/bin", NULL };
	struct proc_spec sp;
	struct proc *p;
	char line[16], *cause = NULL;
	int fds[2], reaped_before;
	pid_t pid;
	ssize_t n;

	if (pipe2(fds, O_CLOEXEC) != 0)
		return;
	memset(&sp, 0, sizeof sp);
	sp.path = argv[0];
	sp.argv = argv;
	sp.envp = envp;
	sp.group = PROC_PGRP;
	sp.fd_in = -1;
	sp.fd_out = sp.fd_err = fds[1];
	p = proc_spawn(base, &sp, on_exit_cb, NULL, &cause);
	close(fds[1]);
	ok(p != NULL, "a child that ignores SIGTERM starts");
	if (p == NULL)
		return;
	n = read(fds[0], line, sizeof line);
	close(fds[0]);
	ok(n == 6 && memcmp(line, "ready\n", 6) == 0, "it is running");
	pid = proc_pid(p);
	proc_signal(p, SIGTERM);
	proc_free(p);
	reaped_before = proc_pending() == 0;
	ok(!reaped_before && kill(pid, 0) == 0, "proc_free returned without "
	    "reaping it (no wait)");
	ok(loop_until(NULL) == 0, "the reaper reaps it later (SIGKILL "
	    "from proc_free)");
	ok(kill(pid, 0) == -1 && errno == ESRCH, "and it is gone");
}

static void
test_strangers(void)
{
	char *argv[] = { "/bin/true", NULL };
	char *envp[] = { NULL };
	struct exit_rec e;
	pid_t stranger;
	char *out;

	/* A child maintop did not start through proc (a library's). */
	stranger = fork();
	if (stranger == 0)
		_exit(0);
	out = run_capture(argv, envp, PROC_PGRP, NULL, &e);
	free(out);
	is_int(e.done, 1, "ours is reported once while a stranger exits too");
}

static int
has(char **v, const char *s)
{
	for (; v != NULL && *v != NULL; v++)
		if (strcmp(*v, s) == 0)
			return 1;
	return 0;
}

static int
has_name(char **v, const char *name)
{
	size_t len = strlen(name);

	for (; v != NULL && *v != NULL; v++)
		if (strncmp(*v, name, len) == 0 && (*v)[len] == '=')
			return 1;
	return 0;
}

static void
test_childenv(void)
{
	char *pass[] = { "APP_TOKEN", NULL };
	char *set[] = { "MAINTOP_STEP=1", "HOME=/elsewhere", NULL };
	char **v;

	/* What the user started maintop with ... */
	setenv("TZ", "America/New_York", 1);
	unsetenv("ESCDELAY");
	setenv("PG_PASSWORD_TEST", "hunter2", 1);
	setenv("APP_TOKEN", "tok", 1);
	setenv("HOME", "/home/user", 1);
	childenv_capture();
	/* ... and what maintop then does to its own environment. */
	setenv("TZ", "UTC0", 1);
	setenv("ESCDELAY", "25", 1);
	childenv_secret("PG_PASSWORD_TEST");
	childenv_secret("APP_TOKEN");

	v = childenv_build(NULL, NULL);
	ok(has(v, "TZ=America/New_York"), "the user's TZ, not maintop's");
	ok(!has_name(v, "ESCDELAY"), "maintop's ESCDELAY is not passed");
	ok(!has_name(v, "PG_PASSWORD_TEST") && !has_name(v, "APP_TOKEN"),
	    "variables holding secrets are removed");
	ok(has(v, "HOME=/home/user"), "the rest is passed");
	childenv_free(v);

	v = childenv_build(pass, set);
	ok(has(v, "APP_TOKEN=tok") && !has_name(v, "PG_PASSWORD_TEST"),
	    "a secret variable asked for by name is passed, only that one");
	ok(has(v, "MAINTOP_STEP=1") && has(v, "HOME=/elsewhere") &&
	    !has(v, "HOME=/home/user"), "settings add and replace");
	childenv_free(v);

	childenv_set("MAINTOP_DEMO_PORT", "5433");
	childenv_set("HOME", NULL);
	v = childenv_build(NULL, NULL);
	ok(has(v, "MAINTOP_DEMO_PORT=5433") && !has_name(v, "HOME"),
	    "childenv_set changes what every later child gets");
	is_str(childenv_get("MAINTOP_DEMO_PORT"), "5433", "childenv_get");
	childenv_free(v);
	childenv_secrets_clear();
	v = childenv_build(NULL, NULL);
	ok(has(v, "PG_PASSWORD_TEST=hunter2"), "secrets_clear forgets the "
	    "names");
	childenv_free(v);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	test_childenv();
	test_spawn();
	test_free_never_waits();
	test_strangers();
	proc_shutdown();
	event_base_free(base);
	return tap_done();
}
