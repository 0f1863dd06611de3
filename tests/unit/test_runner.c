/* Tests of the runbook runner on a real event loop: runs, failures and
 * rollback, timeouts, interrupts, detaching, the lock, crash recovery,
 * read-only refusal, METRICS lines and the masking of secrets. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <event2/event.h>

#include "check.h"
#include "config.h"
#include "fileio.h"
#include "journal.h"
#include "proc.h"
#include "runbook.h"
#include "runner.h"
#include "store.h"
#include "tap.h"
#include "worker.h"

/* The configuration's lookups (weak: see test_runbook.c). */
__attribute__((weak)) struct check *
config_find_check(const struct config *c, const char *name)
{
	return NULL;
}

__attribute__((weak)) struct window *
config_find_window(const struct config *c, const char *name)
{
	return NULL;
}

__attribute__((weak)) struct runbook *
config_find_runbook(const struct config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nrunbooks; i++)
		if (strcmp(c->runbooks[i]->name, name) == 0)
			return c->runbooks[i];
	return NULL;
}

static char state_dir[] = "/tmp/test_runner.XXXXXX";

/* What a test wants the front end to do, and what it saw. */
struct tctx {
	struct event_base	*base;
	struct worker		*worker;	/* NULL: records written at once */
	struct runner		*r;
	const char		*typed;		/* for danger steps */
	char			 on_fail;	/* a(bort) r(ollback) s(kip) t(retry once) */
	int			 retried;
	int			 confirm_skip;	/* skip instead of confirming step N+1 */
	int			 interrupt_at;	/* interrupt N ms after a step starts */
	int			 interrupts;	/* how many interrupts to send */
	int			 detach;	/* detach when a step starts */
	int			 check_polls;	/* polls before checks are ok */
	int			 check_always;	/* the state always returned */
	int			 window;	/* in_window's answer */
	int			 nconfirm;
	int			 nfailed;
	int			 raw_seen;	/* stdin raw while a step ran */
	char			 terminal[8];	/* on_terminal calls: "10" */
	int			 finished;
	struct buf		 out;
	struct buf		 err;		/* its standard error lines */
	struct event		*ev_int;
};

static void
on_confirm(struct runner *r, void *arg)
{
	struct tctx *t = arg;
	size_t step = runner_current(r, NULL);
	char *cause = NULL;

	t->nconfirm++;
	if (t->confirm_skip > 0 && (size_t)t->confirm_skip == step + 1) {
		runner_skip(r, NULL);
		return;
	}
	if (runner_confirm(r, t->typed, &cause) != 0) {
		buf_printf(&t->out, "[refused: %s]", cause);
		free(cause);
		runner_abort(r, NULL);
	}
}

static void
on_failed(struct runner *r, void *arg)
{
	struct tctx *t = arg;

	t->nfailed++;
	switch (t->on_fail) {
	case 'r':
		runner_rollback(r, NULL);
		break;
	case 's':
		runner_skip(r, NULL);
		break;
	case 't':
		if (!t->retried++) {
			runner_retry(r, NULL);
			break;
		}
		/* FALLTHROUGH */
	default:
		runner_abort(r, NULL);
	}
}

static void
on_int(evutil_socket_t fd, short what, void *arg)
{
	struct tctx *t = arg;
	struct timeval tv = { 0, 200000 };

	runner_interrupt(t->r);
	if (--t->interrupts > 0)
		evtimer_add(t->ev_int, &tv);
}

static void
on_step(struct runner *r, size_t step, void *arg)
{
	struct tctx *t = arg;
	const struct runner_step *rs = runner_step_info(r, step);
	struct timeval tv;

	if (rs->state != RSTEP_RUNNING)
		return;
	{
		struct termios tio;

		if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &tio) ==
		    0 && (tio.c_lflag & ICANON) == 0)
			t->raw_seen = 1;
	}
	if (t->detach)
		runner_detach(r);
	if (t->interrupt_at > 0 && t->ev_int == NULL) {
		t->ev_int = evtimer_new(t->base, on_int, t);
		tv.tv_sec = 0;
		tv.tv_usec = t->interrupt_at * 1000;
		evtimer_add(t->ev_int, &tv);
	}
}

static void
on_output(struct runner *r, const char *data, size_t len, int err,
    void *arg)
{
	struct tctx *t = arg;

	buf_add(&t->out, data, len);
	if (err)
		buf_add(&t->err, data, len);
}

static void
on_terminal(struct runner *r, int begin, void *arg)
{
	struct tctx *t = arg;
	size_t n = strlen(t->terminal);

	if (n + 1 < sizeof t->terminal) {
		t->terminal[n] = begin ? '1' : '0';
		t->terminal[n + 1] = '\0';
	}
}

static void
on_finished(struct runner *r, void *arg)
{
	struct tctx *t = arg;

	t->finished++;
	event_base_loopexit(t->base, NULL);
}

static int
check_state(const char *check, void *arg)
{
	struct tctx *t = arg;

	if (t->check_always >= 0)
		return t->check_always;
	if (strcmp(check, "api") == 0 && t->check_polls > 0) {
		t->check_polls--;
		return RUNNER_CHECK_CRIT;
	}
	return RUNNER_CHECK_OK;
}

static int
in_window(const char *runbook, time_t now, char **which, void *arg)
{
	struct tctx *t = arg;

	return t->window;
}

static struct runner_env
env_for(struct tctx *t)
{
	struct runner_env env;

	memset(&env, 0, sizeof env);
	env.base = t->base;
	env.state_dir = state_dir;
	env.kill_grace_ms = 300;
	env.poll_ms = 20;
	env.check_state = check_state;
	env.in_window = in_window;
	env.on_confirm = on_confirm;
	env.on_failed = on_failed;
	env.on_step = on_step;
	env.on_output = on_output;
	env.on_terminal = on_terminal;
	env.on_finished = on_finished;
	env.worker = t->worker;
	env.arg = t;
	return env;
}

static void
tctx_init(struct tctx *t)
{
	memset(t, 0, sizeof *t);
	t->base = event_base_new();
	t->check_always = -1;
	t->window = 1;
	buf_init(&t->out);
	buf_init(&t->err);
	buf_adds(&t->out, "");
}

/* Children left unreaped by the tests (checked at the end). */
static unsigned unreaped;

static void
tctx_done(struct tctx *t)
{
	struct timeval limit = { 10, 0 };

	if (t->ev_int != NULL)
		event_free(t->ev_int);
	buf_free(&t->out);
	buf_free(&t->err);
	/* Children that runner_free killed are reaped on the loop. */
	event_base_loopexit(t->base, &limit);
	while (proc_pending() > 0 && !event_base_got_exit(t->base))
		event_base_loop(t->base, EVLOOP_ONCE);
	unreaped += proc_pending();
	proc_shutdown();
	event_base_free(t->base);
}

static struct config cfg;

/* Loads runbooks from text into cfg (freed at the end). */
static struct runbook *
rb_load(const char *text)
{
	struct cfg_errors e = { 0 };
	size_t before = cfg.nrunbooks, i;
	char *s;

	runbook_load_string(&cfg, text, "test.conf", &e);
	for (i = 0; i < e.n; i++) {
		s = cfg_error_format(&e.v[i]);
		printf("# %s\n", s);
		free(s);
	}
	cfg_errors_free(&e);
	return cfg.nrunbooks > before ? cfg.runbooks[before] : NULL;
}

/* Runs rb to its end; returns the result.  *rp keeps the runner (caller
 * frees) when rp is not NULL. */
static enum runner_result
run(struct tctx *t, const struct runbook *rb, char **values, int overrides,
    struct runner **rp, char **cause)
{
	struct runner_env env = env_for(t);
	struct timeval limit = { 30, 0 };
	enum runner_result res;

	t->r = runner_new(&env, rb, values, overrides);
	if (runner_start(t->r, cause) != 0) {
		runner_free(t->r);
		t->r = NULL;
		return RUNNER_NONE;
	}
	event_base_loopexit(t->base, &limit);
	event_base_dispatch(t->base);
	res = runner_result(t->r);
	if (rp != NULL)
		*rp = t->r;
	else
		runner_free(t->r);
	return res;
}

static char *
slurp(const char *path)
{
	char *data = NULL, *cause = NULL;
	size_t len;

	if (fileio_read(path, 64 << 20, &data, &len, &cause) != 0) {
		free(cause);
		return xstrdup("");
	}
	return data;
}

static char *
journal_text(void)
{
	char *p = runner_journal_path(state_dir), *s = slurp(p);

	free(p);
	return s;
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* Whether runbook's lock in dir is free (or was never taken). */
static int
lock_free_in(const char *dir, const char *runbook)
{
	char *p = xasprintf("%s/locks/%s.lock", dir, runbook);
	int fd = open(p, O_RDONLY), free_ = 0;

	free(p);
	if (fd == -1)
		return 1;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		free_ = 1;
	close(fd);
	return free_;
}

static int
lock_is_free(const char *runbook)
{
	return lock_free_in(state_dir, runbook);
}

static void
test_success(void)
{
	struct tctx t;
	struct runner *r;
	struct runbook *rb;
	char *j, *log, *sum;

	rb = rb_load("runbooks = ( { name = \"ok\"; steps = (\n"
	    " { name = \"one\"; run = \"echo hello; echo err >&2\"; },\n"
	    " { name = \"two\"; run = \"echo $MAINTOP_RUNBOOK $MAINTOP_STEP\"; "
	    "confirm = false; },\n"
	    " { name = \"three\"; pause = \"look\"; }\n"
	    ") } );");
	tctx_init(&t);
	is_int(run(&t, rb, NULL, 0, &r, NULL), RUNNER_SUCCESS, "a run "
	    "succeeds");
	is_int(t.nconfirm, 2, "two confirmations (confirm = false skips one)");
	ok(strstr(t.out.s, "hello\n") && strstr(t.out.s, "err\n") &&
	    strstr(t.out.s, "ok 2\n"), "stdout and stderr captured, "
	    "environment set");
	ok(runner_step_info(r, 0)->state == RSTEP_OK &&
	    runner_step_info(r, 2)->state == RSTEP_OK &&
	    runner_step_info(r, 0)->exit_code == 0, "step states");
	j = journal_text();
	ok(count(j, "\"type\":\"run_start\"") == 1 &&
	    count(j, "\"type\":\"step_end\"") == 3 &&
	    strstr(j, "\"result\":\"success\"") != NULL &&
	    strstr(j, "\"user\":") != NULL, "journal: start, three steps, "
	    "end, who");
	free(j);
	log = slurp(runner_log_path(r));
	ok(strstr(log, "hello\n") != NULL && strstr(log, "== one ok") != NULL,
	    "the run log keeps the output and the results");
	free(log);
	sum = runner_summary(r);
	ok(strstr(sum, "success") && strstr(sum, "Log: "), "summary");
	free(sum);
	ok(lock_is_free("ok"), "the lock is released at the end");
	runner_free(r);
	tctx_done(&t);
}

static void
test_rollback(void)
{
	struct tctx t;
	struct runner *r;
	struct runbook *rb;
	char *p, *text, *cmd;

	p = xasprintf("%s/rb-order", state_dir);
	cmd = xasprintf("runbooks = ( { name = \"rb\"; steps = (\n"
	    " { name = \"a\"; run = \"echo a >> %s\"; rollback = \"echo undo-a >> %s\"; },\n"
	    " { name = \"b\"; run = \"echo b >> %s\"; rollback = ( \"echo undo-b1 >> %s\", \"echo undo-b2 >> %s\" ); },\n"
	    " { name = \"c\"; run = \"echo c; exit 3\"; rollback = \"echo undo-c >> %s\"; },\n"
	    " { name = \"d\"; run = \"echo d >> %s\"; }\n"
	    ") } );", p, p, p, p, p, p, p);
	rb = rb_load(cmd);
	free(cmd);
	tctx_init(&t);
	t.on_fail = 'r';
	is_int(run(&t, rb, NULL, 0, &r, NULL), RUNNER_ROLLED_BACK,
	    "a failed step, then rollback");
	text = slurp(p);
	is_str(text, "a\nb\nundo-c\nundo-b1\nundo-b2\nundo-a\n", "rollbacks "
	    "of every started step ran in reverse order, the failed one's "
	    "first");
	free(text);
	ok(runner_step_info(r, 0)->state == RSTEP_ROLLEDBACK &&
	    runner_step_info(r, 1)->state == RSTEP_ROLLEDBACK &&
	    runner_step_info(r, 2)->state == RSTEP_FAILED &&
	    runner_step_info(r, 2)->exit_code == 3 &&
	    runner_step_info(r, 3)->state == RSTEP_PENDING, "step states "
	    "after rollback");
	is_int(t.nconfirm, 3 + 4, "each rollback step was confirmed");
	runner_free(r);
	tctx_done(&t);
	free(p);

	/* Retry then abort; continue_on_error; skip. */
	rb = rb_load("runbooks = ( { name = \"retry\"; steps = (\n"
	    " { name = \"x\"; run = \"exit 1\"; },\n"
	    " { name = \"y\"; run = \"echo y\"; }\n"
	    ") }, { name = \"cont\"; steps = (\n"
	    " { name = \"x\"; run = \"exit 1\"; continue_on_error = true; },\n"
	    " { name = \"y\"; run = \"echo y\"; }\n"
	    ") } );");
	tctx_init(&t);
	t.on_fail = 't';
	is_int(run(&t, rb, NULL, 0, &r, NULL), RUNNER_ABORTED, "retry, "
	    "then abort");
	ok(t.nfailed == 2 && runner_step_info(r, 0)->attempts == 2,
	    "the retry ran the step again");
	runner_free(r);
	tctx_done(&t);
	tctx_init(&t);
	t.on_fail = 's';
	is_int(run(&t, cfg.runbooks[cfg.nrunbooks - 1], NULL, 0, &r, NULL),
	    RUNNER_PARTIAL, "continue_on_error goes on; the run is partial, "
	    "not a success");
	ok(t.nfailed == 0 && runner_step_info(r, 0)->state == RSTEP_FAILED &&
	    runner_step_info(r, 1)->state == RSTEP_OK, "the failure is kept");
	runner_free(r);
	tctx_done(&t);
	tctx_init(&t);
	t.on_fail = 's';
	is_int(run(&t, rb, NULL, 0, &r, NULL), RUNNER_PARTIAL, "skip a "
	    "failed step: the run is partial, not a success");
	ok(runner_step_info(r, 0)->state == RSTEP_SKIPPED, "skipped");
	runner_free(r);
	tctx_done(&t);
	tctx_init(&t);
	t.confirm_skip = 1;
	is_int(run(&t, rb, NULL, 0, &r, NULL), RUNNER_SUCCESS, "skip at "
	    "the confirmation");
	ok(runner_step_info(r, 0)->state == RSTEP_SKIPPED &&
	    runner_step_info(r, 0)->attempts == 0, "never ran");
	runner_free(r);
	tctx_done(&t);
}

static void
test_timeout(void)
{
	struct tctx t;
	struct runner *r;
	struct runbook *rb;

	rb = rb_load("runbooks = ( { name = \"slow\"; steps = (\n"
	    " { name = \"stubborn\"; run = \"trap '' TERM; echo started; "
	    "sleep 30; sleep 30\"; timeout = 1; confirm = false; }\n"
	    ") } );");
	tctx_init(&t);
	is_int(run(&t, rb, NULL, 0, &r, NULL), RUNNER_ABORTED, "timed-out "
	    "step, then abort");
	ok(runner_step_info(r, 0)->state == RSTEP_TIMEDOUT &&
	    runner_step_info(r, 0)->signal == SIGKILL, "a child that ignores "
	    "SIGTERM is killed with SIGKILL after the grace period");
	ok(strstr(t.out.s, "SIGTERM") && strstr(t.out.s, "SIGKILL"),
	    "both signals are reported");
	runner_free(r);
	tctx_done(&t);
}

static void
test_interrupt(void)
{
	struct tctx t;
	struct runner *r;
	struct runbook *rb;

	rb = rb_load("runbooks = ( { name = \"int\"; steps = (\n"
	    " { name = \"sleepy\"; run = \"sleep 30\"; confirm = false; }\n"
	    ") }, { name = \"int2\"; steps = (\n"
	    " { name = \"deaf\"; run = \"trap '' INT; sleep 30; sleep 30\"; "
	    "confirm = false; }\n"
	    ") } );");
	tctx_init(&t);
	t.interrupt_at = 100;
	t.interrupts = 1;
	is_int(run(&t, rb, NULL, 0, &r, NULL), RUNNER_ABORTED,
	    "interrupted step, then abort");
	ok(runner_step_info(r, 0)->state == RSTEP_FAILED &&
	    runner_step_info(r, 0)->signal == SIGINT, "SIGINT ended it");
	runner_free(r);
	tctx_done(&t);

	tctx_init(&t);
	t.interrupt_at = 100;
	t.interrupts = 2;
	is_int(run(&t, cfg.runbooks[cfg.nrunbooks - 1], NULL, 0, &r, NULL),
	    RUNNER_ABORTED, "second interrupt");
	ok(runner_step_info(r, 0)->signal == SIGKILL, "the second "
	    "interrupt sends SIGKILL");
	runner_free(r);
	tctx_done(&t);
}

/*
 * Freeing a runner whose step ignores SIGTERM: the step is killed and the
 * call returns without waiting for it; the loop's reaper reaps it later.
 */
static void
test_free_never_waits(void)
{
	struct runner_env env;
	struct tctx t;
	struct runbook *rb;
	struct timeval limit = { 30, 0 };
	char *cause = NULL;
	pid_t pid = 0;
	int alive;

	rb = rb_load("runbooks = ( { name = \"deafer\"; steps = (\n"
	    " { name = \"stuck\"; run = \"trap '' TERM; echo ready; "
	    "exec sleep 600\"; confirm = false; } ) } );");
	if (rb == NULL) {
		ok(0, "runbook loads");
		return;
	}
	tctx_init(&t);
	env = env_for(&t);
	t.r = runner_new(&env, rb, NULL, 0);
	ok(runner_start(t.r, &cause) == 0, "the stuck step starts");
	event_base_loopexit(t.base, &limit);
	while (strstr(t.out.s, "ready") == NULL &&
	    !event_base_got_exit(t.base))
		event_base_loop(t.base, EVLOOP_ONCE);
	if (runner_step_info(t.r, 0) != NULL)
		pid = runner_step_info(t.r, 0)->pid;
	ok(pid > 0 && strstr(t.out.s, "ready") != NULL, "it runs");
	runner_free(t.r);
	/* Not reaped yet: runner_free sent SIGKILL and did not wait. */
	alive = pid > 0 && kill(pid, 0) == 0;
	ok(alive && proc_pending() == 1, "runner_free returned without "
	    "waiting for the child");
	tctx_done(&t);
	ok(pid > 0 && kill(pid, 0) == -1 && errno == ESRCH, "the loop's "
	    "reaper reaped it afterwards");
}

static void
test_detach(void)
{
	struct tctx t;
	struct runner *r;
	struct runbook *rb;
	char *j;

	rb = rb_load("runbooks = ( { name = \"hup\"; steps = (\n"
	    " { name = \"first\"; run = \"sleep 0.2; echo finished\"; "
	    "confirm = false; },\n"
	    " { name = \"second\"; run = \"echo second\"; confirm = false; }\n"
	    ") } );");
	tctx_init(&t);
	t.detach = 1;
	is_int(run(&t, rb, NULL, 0, &r, NULL), RUNNER_DETACHED, "detached");
	ok(runner_step_info(r, 0)->state == RSTEP_OK &&
	    strstr(t.out.s, "finished") != NULL, "the running step finished");
	ok(runner_step_info(r, 1)->state == RSTEP_PENDING &&
	    strstr(t.out.s, "second") == NULL, "no further step started");
	j = journal_text();
	ok(strstr(j, "\"type\":\"run_detach\"") &&
	    strstr(j, "\"result\":\"detached\""), "journal records the "
	    "detach");
	free(j);
	runner_free(r);
	tctx_done(&t);
}

static void
test_lock(void)
{
	struct tctx t, t2;
	struct runbook *rb;
	struct runner_env env, env2;
	struct runner *a, *b;
	char *cause = NULL, *p, *log;
	int fd;
	ssize_t w;

	rb = rb_load("runbooks = ( { name = \"locked\"; steps = (\n"
	    " { name = \"s\"; run = \"true\"; }\n"
	    ") } );");
	tctx_init(&t);
	tctx_init(&t2);
	env = env_for(&t);
	env.on_confirm = NULL;	/* a stays waiting for confirmation */
	a = runner_new(&env, rb, NULL, 0);
	ok(runner_start(a, &cause) == 0, "first run starts");
	free(cause);
	cause = NULL;
	env2 = env_for(&t2);
	b = runner_new(&env2, rb, NULL, 0);
	ok(runner_start(b, &cause) == -1 && cause != NULL &&
	    strstr(cause, "already running") != NULL &&
	    strstr(cause, "since ") != NULL && strstr(cause, "pid ") != NULL,
	    "a second run is refused with who and since when");
	printf("# %s\n", cause != NULL ? cause : "(null)");
	free(cause);
	cause = NULL;
	runner_free(b);
	runner_free(a);		/* aborts a and releases its lock */
	b = runner_new(&env2, rb, NULL, 0);
	ok(runner_start(b, &cause) == 0, "after the first ends, a run "
	    "starts");
	free(cause);
	runner_free(b);

	/* A stale lock file (maintop killed): its flock is free. */
	p = xasprintf("%s/locks/locked.lock", state_dir);
	fd = open(p, O_WRONLY | O_TRUNC);
	w = write(fd, "{\"user\":\"ghost\",\"pid\":1}\n", 25);
	(void)w;
	close(fd);
	free(p);
	cause = NULL;
	is_int(run(&t, rb, NULL, 0, &a, &cause), RUNNER_SUCCESS,
	    "a stale lock is taken over");
	free(cause);
	log = slurp(runner_log_path(a));
	ok(strstr(log, "stale lock left by ghost") != NULL, "and the log "
	    "says so");
	free(log);
	runner_free(a);
	tctx_done(&t);
	tctx_done(&t2);
}

static void
test_recover(void)
{
	char *path = runner_journal_path(state_dir), *cause = NULL, *rec;
	struct runner_orphan *o = NULL;
	size_t n = 0, i;
	pid_t dead;
	int status, found_live = 0, found_dead = 0;

	dead = fork();
	if (dead == 0)
		_exit(0);
	waitpid(dead, &status, 0);
	rec = xasprintf("{\"type\":\"run_start\",\"run\":\"crash-1\","
	    "\"runbook\":\"crashy\",\"user\":\"alice\","
	    "\"start\":\"2026-01-01T00:00:00Z\",\"log\":\"/x.log\"}");
	journal_append(path, rec, &cause);
	free(rec);
	rec = xasprintf("{\"type\":\"step_start\",\"run\":\"crash-1\","
	    "\"runbook\":\"crashy\",\"step\":1,\"name\":\"migrate\","
	    "\"pid\":%ld}", (long)getpid());
	journal_append(path, rec, &cause);
	free(rec);
	rec = xasprintf("{\"type\":\"run_start\",\"run\":\"crash-2\","
	    "\"runbook\":\"crashy2\",\"user\":\"bob\","
	    "\"start\":\"2026-01-01T00:00:00Z\"}");
	journal_append(path, rec, &cause);
	free(rec);
	rec = xasprintf("{\"type\":\"step_start\",\"run\":\"crash-2\","
	    "\"runbook\":\"crashy2\",\"step\":0,\"name\":\"s\","
	    "\"pid\":%ld}", (long)dead);
	journal_append(path, rec, &cause);
	free(rec);
	/* A torn last line, as a crash mid-write leaves. */
	{
		int fd = open(path, O_WRONLY | O_APPEND);
		ssize_t w = write(fd, "{\"type\":\"run_st", 15);

		(void)w;
		close(fd);
	}
	ok(runner_recover(state_dir, 1, &o, &n, &cause) == 0, "recover");
	for (i = 0; i < n; i++) {
		if (strcmp(o[i].id, "crash-1") == 0 && o[i].step == 1 &&
		    strcmp(o[i].step_name, "migrate") == 0 && o[i].alive &&
		    strcmp(o[i].user, "alice") == 0)
			found_live = 1;
		if (strcmp(o[i].id, "crash-2") == 0 && o[i].step == 0 &&
		    !o[i].alive)
			found_dead = 1;
	}
	is_int(n, 2, "two interrupted runs found (finished runs are not)");
	ok(found_live, "last step and its process still alive");
	ok(found_dead, "a step whose process is gone");
	runner_orphans_free(o, n);
	ok(runner_recover(state_dir, 1, &o, &n, &cause) == 0 && n == 0,
	    "reported once: they are now marked interrupted");
	runner_orphans_free(o, n);
	{
		struct runner_run *runs;
		size_t nr;
		int interrupted = 0;

		if (runner_history(state_dir, "crashy", &runs, &nr, &cause)
		    == 0) {
			interrupted = nr == 1 &&
			    strcmp(runs[0].result, "interrupted") == 0;
			runner_runs_free(runs, nr);
		}
		ok(interrupted, "history shows the run as interrupted");
	}
	free(path);
}

static void
test_read_only(void)
{
	struct tctx t;
	struct runbook *rb;
	struct runner_env env;
	struct runner *r;
	char *cause = NULL, *p, *text;
	struct stat st;

	p = xasprintf("%s/must-not-exist", state_dir);
	text = xasprintf("runbooks = ( { name = \"ro\"; steps = (\n"
	    " { name = \"touch\"; run = \"touch %s\"; confirm = false; }\n"
	    ") } );", p);
	rb = rb_load(text);
	free(text);
	tctx_init(&t);
	env = env_for(&t);
	env.read_only = 1;
	r = runner_new(&env, rb, NULL, 0);
	ok(runner_start(r, &cause) == -1 && strstr(cause, "read-only"),
	    "read-only: the runner refuses to start");
	free(cause);
	ok(runner_confirm(r, "ro", NULL) == -1 && runner_retry(r, NULL) == -1
	    && runner_rollback(r, NULL) == -1 && runner_skip(r, NULL) == -1,
	    "and refuses every action");
	event_base_loop(t.base, EVLOOP_NONBLOCK);
	runner_free(r);
	ok(stat(p, &st) != 0, "the file was never created");
	ok(lock_is_free("ro"), "no lock taken");
	free(p);
	tctx_done(&t);
}

/*
 * The files store behind the store interface keeps the lock file and the
 * journal as the runner does without it; a configuration with
 * settings.store refuses a run that has no store to reach it.
 */
static void
test_store(void)
{
	struct store_conf sc = { (char *)"dbname=team", NULL };
	struct timeval limit = { 30, 0 };
	struct runner_env env;
	struct runbook *rb;
	struct runner *r;
	struct store *st;
	struct tctx t;
	char *cause = NULL, *j;
	int n0;

	rb = rb_load("runbooks = ( { name = \"st\"; steps = (\n"
	    " { name = \"one\"; run = \"true\"; confirm = false; }\n"
	    ") } );");
	tctx_init(&t);
	st = store_open(&cfg, state_dir, &cause);
	ok(st != NULL, "without settings.store, the files store opens");
	j = journal_text();
	n0 = count(j, "\"runbook\":\"st\"");
	free(j);
	env = env_for(&t);
	env.store = st;
	t.r = r = runner_new(&env, rb, NULL, 0);
	ok(runner_start(r, &cause) == 0, "a run through it starts");
	ok(!lock_is_free("st"), "its lock file is held");
	event_base_loopexit(t.base, &limit);
	event_base_dispatch(t.base);
	is_int(runner_result(r), RUNNER_SUCCESS, "the run succeeds");
	runner_free(r);
	ok(lock_is_free("st"), "the lock file is released");
	j = journal_text();
	is_int(count(j, "\"runbook\":\"st\"") - n0, 4, "the journal file "
	    "has its start, step start and end, and end");
	free(j);

	cfg.settings.store = &sc;
	env.store = NULL;
	env.cfg = &cfg;
	r = runner_new(&env, rb, NULL, 0);
	ok(runner_start(r, &cause) == -1 && cause != NULL &&
	    strstr(cause, "team store") != NULL, "settings.store but no "
	    "store: the run is refused");
	free(cause);
	runner_free(r);
	cfg.settings.store = NULL;
	store_close(st);
	tctx_done(&t);
}

static void
test_metrics_and_secrets(void)
{
	struct tctx t;
	struct runner *r;
	struct runbook *rb;
	char *vals[] = { "hunter2", "public" }, *m, *j, *log;

	rb = rb_load("runbooks = ( { name = \"met\"; params = (\n"
	    " { name = \"pw\"; secret = true; }, { name = \"db\"; } );\n"
	    " steps = (\n"
	    " { name = \"m\"; confirm = false; run = \"echo 'METRICS: "
	    "{\\\"dead\\\": 12, \\\"table\\\": \\\"orders\\\"}'; "
	    "printf 'MET'; sleep 0.1; printf 'RICS: {\\\"after\\\": 3}\\\\n'; "
	    "echo 'METRICS: not json'; echo 'METRICS: [1]'; "
	    "echo \\\"token ${pw} for ${db}\\\"; printf 'hun'; sleep 0.1; "
	    "echo 'ter2!'\"; }\n"
	    ") } );");
	tctx_init(&t);
	is_int(run(&t, rb, vals, 0, &r, NULL), RUNNER_SUCCESS, "metrics run");
	m = runner_step_metrics(r, 0);
	is_str(m, "{\"dead\":12,\"table\":\"orders\",\"after\":3}",
	    "METRICS lines kept in the order printed, even split across "
	    "reads; bad ones ignored");
	free(m);
	ok(strstr(t.out.s, "hunter2") == NULL &&
	    strstr(t.out.s, "token ****** for public") != NULL &&
	    strstr(t.out.s, "******!") != NULL, "the secret is masked in the "
	    "output, even split across reads");
	j = journal_text();
	ok(strstr(j, "\"metrics\":{") != NULL && strstr(j, "\"dead\":12"),
	    "metrics in the journal");
	ok(strstr(j, "hunter2") == NULL && strstr(j, "\"pw\":\"******\"") &&
	    strstr(j, "\"db\":\"public\""), "params in the journal, secret "
	    "masked");
	free(j);
	log = slurp(runner_log_path(r));
	ok(strstr(log, "hunter2") == NULL && strstr(log, "******") != NULL,
	    "the log never holds the secret");
	free(log);
	runner_free(r);
	tctx_done(&t);
}

/*
 * Standard error apart from standard output: whole lines, marked in the
 * log, told apart for the front end, secrets masked, counted in the
 * journal.  The step waits for the log to show each write before the next
 * on the other stream, so the order is the step's, not a race's (at the
 * start of a line: the command, which the log shows first, holds the
 * same words).
 */
static void
test_stderr(void)
{
	struct tctx t;
	struct runner *r;
	struct runbook *rb;
	char *vals[] = { "hunter2" }, *j, *log;

	rb = rb_load("runbooks = ( { name = \"err\"; params = (\n"
	    " { name = \"pw\"; secret = true; } );\n"
	    " steps = ( { name = \"e\"; confirm = false; run = \""
	    "l=$MAINTOP_STATE_DIR/runs/$MAINTOP_RUN_ID.log; "
	    "printf open; until grep -q ^open $l; do sleep 0.02; done; "
	    "echo e1 >&2; until grep -q '^2> e1' $l; do sleep 0.02; done; "
	    "echo ' more'; until grep -q '^ more' $l; do sleep 0.02; done; "
	    "echo \\\"pw ${pw}\\\" >&2; printf 'last, open' >&2\"; }\n"
	    ") } );");
	tctx_init(&t);
	is_int(run(&t, rb, vals, 0, &r, NULL), RUNNER_SUCCESS, "stderr run");
	is_str(t.err.s, "e1\npw ******\nlast, open\n", "stderr reaches the "
	    "front end as whole lines, told apart, the secret masked, the "
	    "last line closed");
	ok(strstr(t.out.s, "open\ne1\n more\n") != NULL, "standard output's "
	    "open line is closed before a line of standard error, and the "
	    "order kept");
	log = slurp(runner_log_path(r));
	ok(strstr(log, "open\n2> e1\n more\n2> pw ******\n2> last, open\n")
	    != NULL, "the log marks standard error's lines with 2>");
	ok(strstr(log, "hunter2") == NULL, "no secret in the log");
	free(log);
	j = journal_text();
	ok(strstr(j, "\"stderr_lines\":3,\"stderr_tail\":[\"e1\",\"pw "
	    "******\",\"last, open\"]") != NULL, "the journal counts them and "
	    "keeps the last ones");
	ok(strstr(j, "hunter2") == NULL, "no secret in the journal");
	free(j);
	runner_free(r);
	tctx_done(&t);
}

/* Files left in the run directory by http steps, or -1 on error. */
static int
leftovers(void)
{
	char *p = xasprintf("%s/runs", state_dir);
	DIR *d = opendir(p);
	struct dirent *de;
	int n = 0;

	free(p);
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strstr(de->d_name, ".body.") != NULL ||
		    strstr(de->d_name, ".request.") != NULL ||
		    strstr(de->d_name, ".headers.") != NULL)
			n++;
	closedir(d);
	return n;
}

/* Writes an executable sh script. */
static void
write_script(const char *dir, const char *name, const char *body)
{
	char *p = xasprintf("%s/%s", dir, name), *text;
	FILE *f = fopen(p, "w");

	text = xasprintf("#!/bin/sh\n%s", body);
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
	chmod(p, 0755);
	free(text);
	free(p);
}

/*
 * sql, redis and http steps against stand-in clients in PATH: the exact
 * argv (no shell, values as single arguments), the password in the
 * environment and masked, redis error replies, HTTP statuses and bodies,
 * a missing client.
 */
static void
test_clients(void)
{
	static struct check pg = { .name = "pg", .type = CHECK_POSTGRES,
	    .pg = { .conninfo = "host=db.example dbname=app user=ops",
	    .password_env = "TEST_RUNNER_PGPW" } };
	static struct check rd = { .name = "rd", .type = CHECK_REDIS,
	    .redis = { .host = "10.0.0.9", .port = 6390, .db = 3,
	    .user = "ops", .password_env = "TEST_RUNNER_PGPW" } };
	struct tctx t;
	struct runner *r;
	struct runbook *rb;
	char *bin = xasprintf("%s/bin", state_dir), *empty, *oldpath, *j;
	char *vals[] = { "1; drop table x", "a b", "t0ps3cret" }, *log, *d;
	size_t i;

	mkdir(bin, 0700);
	empty = xasprintf("%s/empty", state_dir);
	mkdir(empty, 0700);
	write_script(bin, "psql", "printf 'psql'; for a; do printf ' [%s]' "
	    "\"$a\"; done; echo; echo \"pw=$PGPASSWORD app=$PGAPPNAME\"\n"
	    "echo \"passfile=$(cat \"$PGPASSFILE\") $(stat -c %a \"$PGPASSFILE\")\"\n"
	    "for a; do [ \"$a\" = - ] && while IFS= read -r l; do\n"
	    "  case $l in \"\\\\set maintop_p_tok 't0ps3cret'\") echo set-tok;;\n"
	    "  *) echo \"stdin $l\";; esac; done; done; exit 0\n");
	write_script(bin, "redis-cli", "printf 'redis'; for a; do printf "
	    "' [%s]' \"$a\"; done; echo; echo \"auth=$REDISCLI_AUTH\"\n"
	    "for a; do [ \"$a\" = --askpass ] && IFS= read -r l && "
	    "echo \"askpass $l\"; done\n"
	    "IFS= read -r l; echo \"stdin $l\"\n"
	    "case $l in *FAIL*) echo '(error) ERR boom';; esac\n"
	    "exit 0\n");
	write_script(bin, "curl", "out=; url=; st=200; prev=\n"
	    "for a; do [ \"$prev\" = -o ] && out=$a; [ \"$prev\" = -K ] && "
	    "IFS= read -r url && url=${url#url = \\\"} && url=${url%\\\"};\n"
	    "  [ \"$prev\" = -H ] && printf 'arg -H %s\\n' \"$a\" &&\n"
	    "  while IFS= read -r l; do echo \"header $l\"; echo \"len ${#l}\";\n"
	    "  done < \"${a#@}\"\n"
	    "  printf 'arg %s\\n' \"$a\"; prev=$a; done\n"
	    "case $url in *bad*) st=503;; esac\n"
	    "printf 'body of %s\\nmaintop: HTTP status 200\\n' \"$url\" > "
	    "\"$out\"\nprintf 'maintop: HTTP status %s\\n' $st\n");
	setenv("TEST_RUNNER_PGPW", "pgs3cret", 1);
	oldpath = xstrdup(getenv("PATH") != NULL ? getenv("PATH") : "/bin");
	setenv("PATH", bin, 1);

	rb = rb_load("runbooks = ( { name = \"cl\"; params = (\n"
	    " { name = \"v\"; }, { name = \"k\"; },\n"
	    " { name = \"tok\"; secret = true; } );\n"
	    " steps = (\n"
	    " { name = \"q\"; confirm = false; sql = \"select ${v}\"; "
	    "on = \"pg\"; },\n"
	    " { name = \"s\"; confirm = false; redis = \"SET ${k} 'x y'\"; "
	    "on = \"rd\"; },\n"
	    " { name = \"h\"; confirm = false; http = \"http://h/ok?k=${k}\"; "
	    "method = \"POST\"; body = \"k=${k}\";\n"
	    "   headers = [ \"X-Key: ${k}\", \"X-Empty:\",\n"
	    "     \"Authorization: Bearer ${tok}\" ]; },\n"
	    " { name = \"e\"; confirm = false; redis = \"FAIL\"; on = \"rd\"; "
	    "continue_on_error = true; },\n"
	    " { name = \"b\"; confirm = false; http = \"http://h/bad\"; "
	    "continue_on_error = true; },\n"
	    " { name = \"x\"; confirm = false; http = \"http://h/bad\"; "
	    "expect_status = 503; },\n"
	    " { name = \"p\"; confirm = false; sql = \"select ${tok}, ${v}\"; "
	    "on = \"pg\"; },\n"
	    " { name = \"t\"; confirm = false; redis = \"AUTH x ${tok}\"; "
	    "on = \"rd\"; },\n"
	    " { name = \"u\"; confirm = false; http = \"http://h/?t=${tok}\"; }\n"
	    ") } );");
	if (rb == NULL) {
		ok(0, "client runbook loads");
		goto out;
	}
	for (i = 0; i < rb->nsteps; i++)
		if (rb->steps[i]->on != NULL)
			rb->steps[i]->check =
			    strcmp(rb->steps[i]->on, "pg") == 0 ? &pg : &rd;
	tctx_init(&t);
	is_int(run(&t, rb, vals, 0, &r, NULL), RUNNER_PARTIAL, "client steps "
	    "run (partial: two may fail, and do)");
	ok(strstr(t.out.s, "psql [-X] [-w] [-v] [ON_ERROR_STOP=1] [-d] "
	    "[host=db.example dbname=app user=ops] [-c] "
	    "[select '1; drop table x']") != NULL, "psql: exact argv, the "
	    "value a literal in one argument");
	ok(strstr(t.out.s, "pw= app=maintop\npassfile=*:*:*:*:****** 600\n")
	    != NULL, "psql's password in a 0600 PGPASSFILE, not in its "
	    "environment (masked in the output)");
	ok(strstr(t.out.s, "redis [--no-raw] [-h] [10.0.0.9] [-p] [6390] [-n] "
	    "[3] [--user] [ops] [--askpass]\n") != NULL && strstr(t.out.s, "stdin \"SET\" "
	    "\"a b\" \"x y\"\n") != NULL, "redis-cli: the command on standard "
	    "input, words quoted, not re-split");
	ok(strstr(t.out.s, "psql [-X] [-w] [-v] [ON_ERROR_STOP=1] [-d] "
	    "[host=db.example dbname=app user=ops] [-f] [-]\n") != NULL &&
	    strstr(t.out.s, "set-tok\nstdin select :'maintop_p_tok', "
	    "'1; drop table x'\n") != NULL, "psql with a secret parameter: a "
	    "script on standard input binds it as a psql variable");
	ok(strstr(t.out.s, "stdin \"AUTH\" \"x\" \"******\"") != NULL &&
	    strstr(t.out.s, "[AUTH]") == NULL, "redis-cli: a secret argument "
	    "on standard input, not in argv");
	ok(strstr(t.out.s, "arg -K\narg -\n") != NULL &&
	    strstr(t.out.s, "body of http://h/?t=******") != NULL &&
	    strstr(t.out.s, "arg http://") == NULL, "curl: the URL (with a "
	    "secret) from a config on standard input, not in argv");
	ok(strstr(t.out.s, "[--askpass]\nauth=\naskpass ******\n") != NULL,
	    "redis-cli's password on standard input (--askpass), not in its "
	    "environment");
	ok(strstr(t.out.s, "body of http://h/ok?k=a%20b") != NULL, "http: "
	    "the body is shown, the URL encoded");
	ok(strstr(t.out.s, "arg -H @") != NULL && strstr(t.out.s, "t0ps3cret")
	    == NULL, "http: headers go to curl as -H @file, never in argv");
	if (!ok(strstr(t.out.s, "header X-Key: a b\nlen 10\nheader X-Empty;\n"
	    "len 8\nheader Authorization: Bearer ******\nlen 31\n") != NULL,
	    "http: headers substituted (the secret's real value sent: 31 "
	    "bytes), an empty value as Name;, the secret masked in the output"))
		printf("# output:\n%s\n", t.out.s);
	is_int(runner_step_info(r, 2)->state, RSTEP_OK, "2xx is ok");
	is_int(runner_step_info(r, 3)->state, RSTEP_FAILED, "a redis error "
	    "reply fails the step");
	ok(runner_step_info(r, 4)->state == RSTEP_FAILED &&
	    strstr(runner_step_info(r, 4)->message, "503, expected 2xx") !=
	    NULL, "a wrong status fails the step (a status line in the body "
	    "is not believed)");
	is_int(runner_step_info(r, 5)->state, RSTEP_OK, "expect_status");
	j = journal_text();
	log = slurp(runner_log_path(r));
	ok(strstr(t.out.s, "pgs3cret") == NULL && strstr(j, "pgs3cret") ==
	    NULL && strstr(log, "pgs3cret") == NULL, "the password is in "
	    "neither output, journal nor log");
	ok(strstr(j, "t0ps3cret") == NULL && strstr(log, "t0ps3cret") == NULL &&
	    strstr(log, "header: Authorization: Bearer ******") != NULL,
	    "a secret header value is masked in the log and the journal");
	ok(strstr(log, "sql on pg (ops@db.example/app): select '1; drop "
	    "table x'") != NULL, "the log says what ran where");
	ok(leftovers() == 0, "the http steps' temporary files are gone");
	free(j);
	free(log);
	runner_free(r);
	tctx_done(&t);

	/* A missing client. */
	setenv("PATH", empty, 1);
	tctx_init(&t);
	t.on_fail = 'a';
	is_int(run(&t, rb, vals, 0, &r, NULL), RUNNER_ABORTED, "no psql: the "
	    "step fails");
	ok(strstr(t.out.s, "psql is not installed (install the Debian package "
	    "postgresql-client)") != NULL, "and says which package");
	runner_free(r);
	tctx_done(&t);

	/* What the prompt shows. */
	tctx_init(&t);
	{
		struct runner_env env = env_for(&t);

		r = runner_new(&env, rb, vals, 0);
		d = runner_describe(r);
		ok(strstr(d, "runs with psql") != NULL &&
		    strstr(d, "sql on pg (") != NULL, "describe: client and "
		    "check");
		free(d);
		runner_free(r);
	}
	tctx_done(&t);
out:
	setenv("PATH", oldpath, 1);
	free(oldpath);
	free(bin);
	free(empty);
}

static void
test_danger(void)
{
	struct tctx t;
	struct runbook *rb;

	rb = rb_load("runbooks = ( { name = \"dangerous\"; steps = (\n"
	    " { name = \"drop\"; run = \"echo dropped\"; danger = true; "
	    "confirm = false; }\n"
	    ") } );");
	tctx_init(&t);
	t.typed = "dangerus";
	is_int(run(&t, rb, NULL, 0, NULL, NULL), RUNNER_ABORTED,
	    "a wrong name does not confirm a danger step");
	ok(strstr(t.out.s, "type the runbook's name (dangerous)") != NULL &&
	    strstr(t.out.s, "dropped") == NULL, "it said why and ran nothing");
	tctx_done(&t);
	tctx_init(&t);
	t.typed = "dangerous";
	is_int(run(&t, rb, NULL, 0, NULL, NULL), RUNNER_SUCCESS,
	    "the runbook's name confirms it (even with confirm = false)");
	tctx_done(&t);
}

static void
test_preconditions(void)
{
	struct tctx t;
	struct runbook *rb, *backup;
	char *cause = NULL, *j;

	backup = rb_load("runbooks = ( { name = \"bk\"; steps = ( { run = "
	    "\"true\"; confirm = false; } ); } );");
	rb = rb_load("runbooks = ( { name = \"up\";\n"
	    " requires = ( { runbook = \"bk\"; within = \"1h\"; } );\n"
	    " requires_healthy = [ \"db\" ]; require_window = true;\n"
	    " steps = ( { wait_healthy = [ \"db\", \"api\" ]; timeout = 5; } ); } );");
	tctx_init(&t);
	t.check_always = RUNNER_CHECK_WARN;
	is_int(run(&t, rb, NULL, 0, NULL, &cause), RUNNER_NONE,
	    "refused when a required check is not healthy");
	ok(cause && strstr(cause, "requires check 'db' to be healthy; it is "
	    "warn"), "says which check");
	free(cause);
	cause = NULL;
	t.check_always = -1;
	t.window = 0;
	is_int(run(&t, rb, NULL, 0, NULL, &cause), RUNNER_NONE,
	    "refused outside its windows");
	ok(cause && strstr(cause, "--override-window"), "says how to "
	    "override");
	free(cause);
	cause = NULL;
	is_int(run(&t, rb, NULL, RUNNER_OVERRIDE_WINDOW, NULL, &cause),
	    RUNNER_NONE, "with the override, still refused without a backup");
	ok(cause && strstr(cause, "successful run of 'bk' first"), "says "
	    "which runbook");
	free(cause);
	cause = NULL;
	is_int(run(&t, backup, NULL, 0, NULL, NULL), RUNNER_SUCCESS,
	    "the backup runs");
	t.window = 1;
	t.check_polls = 4;
	is_int(run(&t, rb, NULL, 0, NULL, &cause), RUNNER_SUCCESS,
	    "now it runs, and wait_healthy waits until the checks are ok");
	ok(strstr(t.out.s, "waiting for db (ok) api (crit)") != NULL &&
	    strstr(t.out.s, "every check is ok") != NULL, "wait reports");
	free(cause);
	cause = NULL;
	t.check_polls = 0;
	is_int(run(&t, rb, NULL, RUNNER_OVERRIDE_WINDOW, NULL, &cause),
	    RUNNER_SUCCESS, "a run with the override");
	j = journal_text();
	ok(strstr(j, "\"overrides\":[\"window\"]") != NULL, "the override "
	    "is recorded");
	free(j);
	tctx_done(&t);
}

static void
test_history(void)
{
	struct runner_run *runs = NULL;
	size_t n = 0, i;
	char *cause = NULL;
	int ok_order = 1;

	ok(runner_history(state_dir, NULL, &runs, &n, &cause) == 0 && n > 10,
	    "history lists the runs");
	for (i = 1; i < n; i++)
		if (runs[i].start < runs[i - 1].start)
			ok_order = 0;
	ok(ok_order, "oldest first");
	runner_runs_free(runs, n);
	ok(runner_history(state_dir, "bk", &runs, &n, &cause) == 0 &&
	    n == 1 && strcmp(runs[0].result, "success") == 0 &&
	    runs[0].end >= runs[0].start, "filtered by runbook");
	runner_runs_free(runs, n);
}

/* The test's stand-in for the user's terminal: a pty on stdin and stdout. */
struct fake_tty {
	int	master;
	int	saved_in;
	int	saved_out;
	struct buf screen;	/* what reached the "terminal" */
	int	stage;		/* of on_type */
	int	waited;		/* tenths of a second in this stage */
	struct event *ev_type;
};

static int
fake_tty_open(struct fake_tty *ft, unsigned short rows, unsigned short cols)
{
	struct winsize ws;
	int slave;

	memset(ft, 0, sizeof *ft);
	buf_init(&ft->screen);
	buf_adds(&ft->screen, "");
	ft->master = posix_openpt(O_RDWR | O_NOCTTY);
	if (ft->master == -1 || grantpt(ft->master) != 0 ||
	    unlockpt(ft->master) != 0)
		return -1;
	slave = open(ptsname(ft->master), O_RDWR | O_NOCTTY);
	if (slave == -1)
		return -1;
	memset(&ws, 0, sizeof ws);
	ws.ws_row = rows;
	ws.ws_col = cols;
	ioctl(slave, TIOCSWINSZ, &ws);
	fcntl(ft->master, F_SETFL, fcntl(ft->master, F_GETFL) | O_NONBLOCK);
	fflush(stdout);
	ft->saved_in = dup(STDIN_FILENO);
	ft->saved_out = dup(STDOUT_FILENO);
	dup2(slave, STDIN_FILENO);
	dup2(slave, STDOUT_FILENO);
	close(slave);
	return 0;
}

/* Collects what the runner wrote to the terminal. */
static void
fake_tty_drain(struct fake_tty *ft)
{
	char chunk[4096];
	ssize_t n;

	while ((n = read(ft->master, chunk, sizeof chunk)) > 0)
		buf_add(&ft->screen, chunk, (size_t)n);
}

static void
fake_tty_close(struct fake_tty *ft)
{
	fake_tty_drain(ft);
	dup2(ft->saved_in, STDIN_FILENO);
	dup2(ft->saved_out, STDOUT_FILENO);
	close(ft->saved_in);
	close(ft->saved_out);
	close(ft->master);
	buf_free(&ft->screen);
}

/*
 * While the step runs: first the terminal is resized (SIGWINCH raised by
 * hand: the fake terminal is nobody's controlling terminal), then Ctrl-C
 * is typed.
 */
static void
on_type(evutil_socket_t fd, short what, void *arg)
{
	struct fake_tty *ft = arg;
	struct winsize ws;
	struct timeval tv = { 0, 100000 };
	ssize_t n;

	/* Each stage waits for the step to show it is ready (its trap set,
	 * then the resize seen), at most 10 s: a loaded machine is slow. */
	fake_tty_drain(ft);
	if (ft->waited++ < 100 && (ft->screen.s == NULL ||
	    strstr(ft->screen.s, ft->stage == 0 ? "napping" : "40 120") ==
	    NULL)) {
		evtimer_add(ft->ev_type, &tv);
		return;
	}
	ft->waited = 0;
	if (ft->stage++ == 0) {
		memset(&ws, 0, sizeof ws);
		ws.ws_row = 40;
		ws.ws_col = 120;
		ioctl(STDIN_FILENO, TIOCSWINSZ, &ws);
		raise(SIGWINCH);
		evtimer_add(ft->ev_type, &tv);
		return;
	}
	n = write(ft->master, "\003", 1);
	(void)n;
}

/* Keeps the fake terminal's output flowing while the loop runs. */
static void
on_screen(evutil_socket_t fd, short what, void *arg)
{
	fake_tty_drain(arg);
}

/*
 * An interactive step with a user at a terminal (a pty standing in for
 * it): the step gets a terminal of its own with the user's size, keys
 * typed go to it, its output reaches the terminal unchanged and the log
 * masked, the terminal is raw meanwhile and restored after, the front end
 * is told both ways; Ctrl-C typed interrupts the step, not maintop.
 */
static void
test_interactive(void)
{
	struct fake_tty ft;
	struct termios before, after;
	struct tctx t;
	struct runner *r;
	struct runbook *rb, *rb2;
	struct event *ev_screen, *ev_type;
	struct timeval tv = { 0, 500000 };
	char *vals[] = { "hunter2x" }, *log;
	enum runner_result res;
	int raw_seen, ok_tty, restored, front;
	char seq[8];

	rb = rb_load("runbooks = ( { name = \"ask\";\n"
	    " params = ( { name = \"pw\"; secret = true; } );\n"
	    " steps = ( { name = \"q\"; interactive = true; confirm = false;\n"
	    "  run = \"printf 'name? '; read x; echo \\\"got $x\\\"; "
	    "echo \\\"pw ${pw}\\\"; stty size; tty\"; } ) } );");
	rb2 = rb_load("runbooks = ( { name = \"ictrlc\"; steps = (\n"
	    " { name = \"nap\"; interactive = true; confirm = false;\n"
	    "  run = \"trap 'stty size' WINCH; echo napping; "
	    "while :; do sleep 0.05; done\"; } ) } );");
	if (rb == NULL || rb2 == NULL) {
		ok(0, "interactive runbooks load");
		return;
	}
	if (fake_tty_open(&ft, 33, 97) != 0) {
		ok(1, "# SKIP no pseudo-terminal here");
		return;
	}
	/* Typed ahead: waits in the terminal until the step reads it. */
	if (write(ft.master, "bob\r", 4) != 4)
		ok_tty = 0;
	tcgetattr(STDIN_FILENO, &before);
	tctx_init(&t);
	ev_screen = event_new(t.base, ft.master, EV_READ | EV_PERSIST,
	    on_screen, &ft);
	event_add(ev_screen, NULL);
	res = run(&t, rb, vals, 0, &r, NULL);
	raw_seen = t.raw_seen;
	tcgetattr(STDIN_FILENO, &after);
	restored = before.c_iflag == after.c_iflag &&
	    before.c_oflag == after.c_oflag &&
	    before.c_cflag == after.c_cflag &&
	    before.c_lflag == after.c_lflag &&
	    memcmp(before.c_cc, after.c_cc, sizeof before.c_cc) == 0;
	fake_tty_drain(&ft);
	ok_tty = strstr(ft.screen.s, "name? ") != NULL &&
	    strstr(ft.screen.s, "got bob") != NULL &&
	    strstr(ft.screen.s, "pw hunter2x") != NULL;
	snprintf(seq, sizeof seq, "%s", t.terminal);
	front = strstr(t.out.s, "got bob") != NULL && strstr(t.out.s,
	    "hunter2x") == NULL;
	log = slurp(runner_log_path(r));
	runner_free(r);
	event_free(ev_screen);
	tctx_done(&t);

	/* Ctrl-C typed while the step runs. */
	tctx_init(&t);
	t.on_fail = 'a';
	ev_screen = event_new(t.base, ft.master, EV_READ | EV_PERSIST,
	    on_screen, &ft);
	event_add(ev_screen, NULL);
	ev_type = evtimer_new(t.base, on_type, &ft);
	ft.ev_type = ev_type;
	evtimer_add(ev_type, &tv);
	{
		enum runner_result res2 = run(&t, rb2, NULL, 0, &r, NULL);
		const struct runner_step *rs = runner_step_info(r, 0);

		fake_tty_close(&ft);
		is_int(res, RUNNER_SUCCESS, "interactive: the step ran");
		is_str(seq, "10", "interactive: the front end let go of the "
		    "terminal, then had it back");
		ok(raw_seen, "interactive: the terminal was raw while the step "
		    "ran");
		ok(restored, "interactive: the terminal's settings are "
		    "restored after");
		ok(ok_tty, "interactive: the typed answer reached the step, "
		    "its output the terminal, unchanged");
		ok(strstr(log, "name? ") != NULL && strstr(log, "bob\r\n") !=
		    NULL && strstr(log, "got bob") != NULL, "interactive: the "
		    "prompt, the echoed answer and the output are in the run "
		    "log");
		ok(strstr(log, "pw ******") != NULL && strstr(log, "hunter2x") ==
		    NULL, "interactive: a secret is masked in the log");
		ok(strstr(log, "33 97") != NULL, "interactive: the step's "
		    "terminal has the user's size");
		ok(strstr(log, "/dev/pts/") != NULL, "interactive: the step "
		    "has a terminal of its own");
		ok(front, "interactive: the output reached the front end too, "
		    "masked");
		ok(res2 == RUNNER_ABORTED && rs->signal == SIGINT,
		    "interactive: Ctrl-C typed interrupts the step (SIGINT "
		    "through its terminal)");
		if (rs->signal != SIGINT)
			printf("# result %s, signal %d, output: %s\n",
			    runner_result_name(res2), rs->signal, t.out.s);
		ok(strstr(t.out.s, "40 120") != NULL, "interactive: a new "
		    "window size reaches the step (SIGWINCH)");
	}
	free(log);
	runner_free(r);
	event_free(ev_type);
	event_free(ev_screen);
	tctx_done(&t);
}

/* The records in the journal file at path, their types in order. */
static char *
journal_types(const char *path)
{
	char *text = slurp(path), *p, *q;
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "");
	for (p = text; (p = strstr(p, "\"type\":\"")) != NULL; p = q) {
		p += 8;
		q = strchr(p, '"');
		if (q == NULL)
			break;
		buf_printf(&b, "%s%.*s", b.len > 0 ? " " : "", (int)(q - p), p);
	}
	free(text);
	return buf_detach(&b);
}

/*
 * With a worker: every record is written off the loop, in order; the run
 * ends (on_finished) only once its records are written, its log closed
 * and its lock free.  A run freed while going keeps its records; a start
 * that cannot be recorded runs nothing.
 */
static void
test_worker(void)
{
	struct tctx t;
	struct runner *r;
	struct runbook *rb;
	struct runner_env env;
	struct timeval limit = { 30, 0 };
	char *path, *dir, *types, *log, *cause = NULL, *jdir, *jpath;

	rb = rb_load("runbooks = ( { name = \"wk\"; steps = (\n"
	    " { name = \"one\"; run = \"echo one\"; confirm = false; },\n"
	    " { name = \"two\"; run = \"exit 4\"; confirm = false; "
	    "continue_on_error = true; },\n"
	    " { name = \"three\"; run = \"echo three\"; confirm = false; }\n"
	    ") } );");
	dir = xasprintf("%s/worker", state_dir);
	mkdir(dir, 0700);
	path = runner_journal_path(dir);
	tctx_init(&t);
	t.worker = worker_new(t.base);
	env = env_for(&t);
	env.state_dir = dir;
	r = runner_new(&env, rb, NULL, 0);
	ok(runner_start(r, &cause) == 0, "worker: the run starts");
	event_base_loopexit(t.base, &limit);
	event_base_dispatch(t.base);
	ok(runner_result(r) == RUNNER_PARTIAL &&
	    runner_step_info(r, 1)->state == RSTEP_FAILED, "worker: the run "
	    "ends partial, its failed step kept");
	types = journal_types(path);
	is_str(types, "run_start step_start step_end step_start step_end "
	    "policy step_start step_end run_end", "worker: every record "
	    "written, in order, before the run is reported finished");
	free(types);
	log = slurp(runner_log_path(r));
	ok(strstr(log, "== run ") != NULL && strstr(log, ": partial after")
	    != NULL, "worker: the run log is whole when the run is finished");
	free(log);
	ok(lock_free_in(dir, "wk"), "worker: the lock is free when the run is "
	    "finished");
	runner_free(r);

	/* Freed at once after the start: both ends recorded, nothing lost. */
	t.finished = 0;
	r = runner_new(&env, rb, NULL, 0);
	ok(runner_start(r, &cause) == 0, "worker: a second run starts");
	runner_free(r);
	worker_drain(t.worker);
	types = journal_types(path);
	ok(strstr(types, "run_end run_start run_end") != NULL &&
	    count(types, "step_start") == 3, "worker: a run freed before "
	    "its first step records its start and its end, no step");
	free(types);
	ok(lock_free_in(dir, "wk") && t.finished == 0, "worker: its lock is free, "
	    "and the front end was not called after freeing");

	/* The journal cannot be written: the run ends before any step. */
	jdir = xasprintf("%s/broken", state_dir);
	mkdir(jdir, 0700);
	jpath = runner_journal_path(jdir);
	mkdir(jpath, 0700);
	env.state_dir = jdir;
	buf_reset(&t.out);
	r = runner_new(&env, rb, NULL, 0);
	ok(runner_start(r, &cause) == 0, "worker: a run whose journal "
	    "fails is started");
	event_base_loopexit(t.base, &limit);
	event_base_dispatch(t.base);
	ok(runner_result(r) == RUNNER_ABORTED && strstr(t.out.s,
	    "cannot record the run in the journal") != NULL &&
	    runner_step_info(r, 0)->state == RSTEP_PENDING, "worker: it "
	    "ends before its first step, saying why");
	runner_free(r);
	worker_free(t.worker);
	free(jpath);
	free(jdir);
	free(path);
	free(dir);
	tctx_done(&t);
}

int
main(void)
{
	size_t i;
	char *cmd;
	int rc;

	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(state_dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_success();
	test_rollback();
	test_timeout();
	test_interrupt();
	test_free_never_waits();
	test_detach();
	test_lock();
	test_read_only();
	test_store();
	test_metrics_and_secrets();
	test_stderr();
	test_clients();
	test_danger();
	test_preconditions();
	test_history();
	test_recover();
	test_interactive();
	ok(unreaped == 0, "every child the runner started was reaped");
	test_worker();
	for (i = 0; i < cfg.nrunbooks; i++)
		runbook_free(cfg.runbooks[i]);
	free(cfg.runbooks);
	cmd = xasprintf("rm -rf '%s'", state_dir);
	rc = system(cmd);
	(void)rc;
	free(cmd);
	return tap_done();
}
