/* What the demo's server starters share: children started as the servers'
 * user and waited for with deadlines, their logs, directories and files;
 * see demo_util.h. */
#include "build.h"

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "demo_servers.h"
#include "demo_util.h"
#include "util.h"

/* A command run to completion (initdb) may take this long. */
#define DEMO_RUN_WAIT_MS	120000

void
demo_util_sleep_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* The last few lines of a log file, for error messages (caller frees). */
char *
demo_util_log_tail(const char *path)
{
	char buf[2048], *p;
	ssize_t n;
	off_t size;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return xstrdup("");
	size = lseek(fd, 0, SEEK_END);
	if (size > (off_t)sizeof buf - 1)
		lseek(fd, size - (off_t)sizeof buf + 1, SEEK_SET);
	else
		lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return xstrdup("");
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	/* Keep the last 5 lines. */
	p = buf + n;
	for (n = 0; p > buf; p--) {
		if (p[-1] == '\n' && ++n == 5)
			break;
	}
	return xasprintf("\n%s", p);
}

/* Finds name in PATH or the usual system directories (caller frees). */
char *
demo_util_find_bin(const char *name)
{
	const char *env = getenv("PATH");
	char *path, *dir, *p;
	struct buf dirs;

	buf_init(&dirs);
	buf_printf(&dirs, "%s:/usr/local/bin:/usr/bin:/usr/sbin:/bin",
	    env != NULL ? env : "");
	path = buf_detach(&dirs);
	for (dir = strtok(path, ":"); dir != NULL; dir = strtok(NULL, ":")) {
		if (*dir == '\0')
			continue;
		p = xasprintf("%s/%s", dir, name);
		if (access(p, X_OK) == 0) {
			free(path);
			return p;
		}
		free(p);
	}
	free(path);
	return NULL;
}

/* Makes dir (mode 0700) owned by the servers' user. */
int
demo_util_mkdir(struct demo *d, const char *dir, char **cause)
{
	if (mkdir(dir, 0700) != 0) {
		*cause = xasprintf("mkdir %s: %s", dir, strerror(errno));
		return -1;
	}
	if (d->drop && chown(dir, d->uid, d->gid) != 0) {
		*cause = xasprintf("chown %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * In a new child: own process group, stdin from /dev/null, stdout and
 * stderr to log, every other descriptor but keep closed, the servers' user,
 * and pdeath when the parent dies.  Returns only on success; the caller
 * then execs or runs the server.
 */
void
demo_util_child_setup(const struct demo *d, const char *log, int keep,
    int pdeath, pid_t parent)
{
	sigset_t set;
	long fd, max;
	int nullfd, logfd, failed;

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	setpgid(0, 0);

	nullfd = open("/dev/null", O_RDONLY);
	logfd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (nullfd < 0 || logfd < 0)
		_exit(126);
	dup2(nullfd, 0);
	dup2(logfd, 1);
	dup2(logfd, 2);
	if (keep < 3)
		failed = close_range(3, ~0U, 0) != 0;
	else
		failed = (keep > 3 &&
		    close_range(3, (unsigned)keep - 1, 0) != 0) ||
		    close_range((unsigned)keep + 1, ~0U, 0) != 0;
	if (failed) {
		/* No close_range (Linux before 5.9): close them one by one. */
		max = sysconf(_SC_OPEN_MAX);
		if (max < 0 || max > 65536)
			max = 65536;
		for (fd = 3; fd < max; fd++) {
			if (fd != keep)
				close((int)fd);
		}
	}

	if (d->drop) {
		if (setgroups(1, &d->gid) != 0 || setgid(d->gid) != 0 ||
		    setuid(d->uid) != 0) {
			dprintf(2, "maintop demo: cannot switch to uid %ld: "
			    "%s\n", (long)d->uid, strerror(errno));
			_exit(126);
		}
		if (setuid(0) == 0)
			_exit(126);
	}
	/* Set after the credentials change, which clears it. */
	prctl(PR_SET_PDEATHSIG, pdeath);
	if (getppid() != parent)
		_exit(0);
}

pid_t
demo_util_spawn(const struct demo *d, char *const argv[], const char *log,
    int pdeath, char **cause)
{
	sigset_t all, old;
	pid_t pid, parent = getpid();

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0) {
		demo_util_child_setup(d, log, -1, pdeath, parent);
		execv(argv[0], argv);
		dprintf(2, "maintop demo: exec %s: %s\n", argv[0],
		    strerror(errno));
		_exit(127);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		*cause = xasprintf("fork: %s", strerror(errno));
		return -1;
	}
	return pid;
}

/* True if pid has exited (reaped: *status set and pid no longer ours). */
int
demo_util_exited(pid_t pid, int *status)
{
	pid_t r;

	do
		r = waitpid(pid, status, WNOHANG);
	while (r < 0 && errno == EINTR);
	return r == pid || (r < 0 && errno == ECHILD);
}

char *
demo_util_status_text(int status)
{
	if (WIFEXITED(status))
		return xasprintf("exited with status %d", WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		return xasprintf("was killed by signal %d", WTERMSIG(status));
	return xstrdup("stopped");
}

/* Runs argv to completion within the deadline; 0 when it exits 0. */
int
demo_util_run(const struct demo *d, char *const argv[], const char *log,
    char **cause)
{
	long long deadline = util_mono_ms() + DEMO_RUN_WAIT_MS;
	char *tail, *why;
	pid_t pid;
	int status = 0;

	pid = demo_util_spawn(d, argv, log, SIGKILL, cause);
	if (pid < 0)
		return -1;
	while (!demo_util_exited(pid, &status)) {
		if (util_mono_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			*cause = xasprintf("%s took too long", argv[0]);
			return -1;
		}
		demo_util_sleep_ms(20);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	tail = demo_util_log_tail(log);
	why = demo_util_status_text(status);
	*cause = xasprintf("%s %s (log %s):%s", argv[0], why, log, tail);
	free(why);
	free(tail);
	return -1;
}

/* Random lowercase hex, 2 * n characters (caller frees). */
char *
demo_util_random_hex(size_t n)
{
	unsigned char raw[32];
	char *s;
	size_t i;
	int fd;

	if (n > sizeof raw)
		n = sizeof raw;
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, raw, n) != (ssize_t)n) {
		/* Not a secret worth failing for: the servers are local and
		 * short-lived. */
		for (i = 0; i < n; i++)
			raw[i] = (unsigned char)((unsigned long long)
			    util_mono_ms() * 31 + i * 7);
	}
	if (fd >= 0)
		close(fd);
	s = xmalloc(2 * n + 1);
	for (i = 0; i < n; i++)
		snprintf(s + 2 * i, 3, "%02x", raw[i]);
	return s;
}

int
demo_util_write_file(const char *path, const char *text, mode_t mode,
    char **cause)
{
	size_t len = strlen(text);
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fchmod(fd, mode);
	close(fd);
	return 0;
}
