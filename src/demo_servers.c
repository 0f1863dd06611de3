/* Starts and stops the demo's PostgreSQL (demo_pg.c), Redis and HTTP
 * servers as child processes in a temporary directory, and writes the demo
 * configuration (demo_config.c) for them. */
#include "build.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hiredis.h>

#include "demo_httpd.h"
#include "demo_pg.h"
#include "demo_servers.h"
#include "demo_util.h"
#include "util.h"

#define DEMO_REDIS_WAIT_MS	10000
#define DEMO_HTTP_WAIT_MS	10000
#define DEMO_STOP_WAIT_MS	10000

/*
 * Chooses whom the servers run as: ourselves, or when we are root the
 * postgres account (which the Debian package creates), else nobody, or
 * $MAINTOP_DEMO_USER.  PostgreSQL refuses to run as root.
 */
static int
demo_pick_user(struct demo *d, char **cause)
{
	const char *names[] = { getenv("MAINTOP_DEMO_USER"), "postgres",
	    "nobody" };
	struct passwd *pw;
	size_t i;

	d->uid = geteuid();
	d->gid = getegid();
	if (d->uid != 0)
		return 0;
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (names[i] == NULL || *names[i] == '\0')
			continue;
		pw = getpwnam(names[i]);
		if (pw != NULL && pw->pw_uid != 0) {
			d->uid = pw->pw_uid;
			d->gid = pw->pw_gid;
			d->drop = 1;
			return 0;
		}
	}
	*cause = xstrdup("running as root and found no unprivileged user "
	    "(postgres or nobody) to run the demo servers as");
	return -1;
}

/* Asks Redis for PONG; 0 when it answered. */
static int
demo_redis_ping(int port)
{
	struct timeval tv = { 1, 0 };
	redisContext *c;
	redisReply *r;
	int rc = -1;

	c = redisConnectWithTimeout("127.0.0.1", port, tv);
	if (c == NULL)
		return -1;
	if (c->err == 0) {
		redisSetTimeout(c, tv);
		r = redisCommand(c, "PING");
		if (r != NULL && r->type == REDIS_REPLY_STATUS &&
		    strcmp(r->str, "PONG") == 0)
			rc = 0;
		if (r != NULL)
			freeReplyObject(r);
	}
	redisFree(c);
	return rc;
}

/* A few keys so that "keys per database" shows something. */
static void
demo_redis_seed(int port)
{
	struct timeval tv = { 2, 0 };
	redisContext *c;
	redisReply *r;
	int i;

	c = redisConnectWithTimeout("127.0.0.1", port, tv);
	if (c == NULL || c->err != 0) {
		if (c != NULL)
			redisFree(c);
		return;
	}
	for (i = 0; i < 50; i++) {
		r = redisCommand(c, "SET session:%d user-%d EX 86400", i,
		    i % 7);
		if (r != NULL)
			freeReplyObject(r);
	}
	r = redisCommand(c, "RPUSH queue:mail a b c d e");
	if (r != NULL)
		freeReplyObject(r);
	r = redisCommand(c, "SELECT 1");
	if (r != NULL)
		freeReplyObject(r);
	r = redisCommand(c, "SET feature:dark-mode on");
	if (r != NULL)
		freeReplyObject(r);
	redisFree(c);
}

static int
demo_start_redis(struct demo *d, char **cause)
{
	char *bin, *dir, *log, *port = NULL, *tail, *why;
	long long deadline;
	int status = 0, tries, rc = -1;

	bin = demo_util_find_bin("redis-server");
	if (bin == NULL) {
		*cause = xstrdup("redis-server was not found: install the "
		    "Debian package redis-server (apt-get install "
		    "redis-server)");
		return -1;
	}
	dir = xasprintf("%s/redis", d->dir);
	log = xasprintf("%s/redis/redis.log", d->dir);
	if (demo_util_mkdir(d, dir, cause) != 0)
		goto out;
	for (tries = 0; tries < DEMO_TRIES; tries++) {
		d->redis_port = demo_httpd_free_port();
		if (d->redis_port < 0) {
			*cause = xstrdup("no free TCP port on 127.0.0.1");
			goto out;
		}
		free(port);
		port = xasprintf("%d", d->redis_port);
		{
			char *argv[] = { bin, (char *)"--port", port,
			    (char *)"--bind", (char *)"127.0.0.1",
			    (char *)"--save", (char *)"",
			    (char *)"--appendonly", (char *)"no",
			    (char *)"--dir", dir,
			    (char *)"--daemonize", (char *)"no",
			    (char *)"--maxmemory", (char *)"64mb",
			    (char *)"--databases", (char *)"4",
			    (char *)"--loglevel", (char *)"warning", NULL };

			d->redis_pid = demo_util_spawn(d, argv, log, SIGTERM,
			    cause);
		}
		if (d->redis_pid < 0)
			goto out;
		deadline = util_mono_ms() + DEMO_REDIS_WAIT_MS;
		while (demo_redis_ping(d->redis_port) != 0) {
			if (demo_util_exited(d->redis_pid, &status)) {
				d->redis_pid = 0;
				break;
			}
			if (util_mono_ms() > deadline) {
				tail = demo_util_log_tail(log);
				*cause = xasprintf("Redis did not answer "
				    "within %d s (log %s):%s",
				    DEMO_REDIS_WAIT_MS / 1000, log, tail);
				free(tail);
				goto out;
			}
			demo_util_sleep_ms(20);
		}
		if (d->redis_pid != 0)
			break;
	}
	if (d->redis_pid == 0) {
		tail = demo_util_log_tail(log);
		why = demo_util_status_text(status);
		*cause = xasprintf("redis-server %s (log %s):%s", why, log,
		    tail);
		free(why);
		free(tail);
		goto out;
	}
	demo_redis_seed(d->redis_port);
	rc = 0;
out:
	free(bin);
	free(dir);
	free(log);
	free(port);
	return rc;
}

/* Reads the HTTP child's "PORT n" lines until it closes the pipe. */
static int
demo_read_ports(struct demo *d, int fd, char **cause)
{
	long long deadline = util_mono_ms() + DEMO_HTTP_WAIT_MS;
	char buf[256], *p;
	size_t len = 0;
	struct pollfd pfd;
	ssize_t n;
	int left;

	for (;;) {
		left = (int)(deadline - util_mono_ms());
		if (left <= 0) {
			*cause = xstrdup("the demo HTTP server did not start");
			return -1;
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, left) < 0 && errno != EINTR) {
			*cause = xasprintf("poll: %s", strerror(errno));
			return -1;
		}
		n = read(fd, buf + len, sizeof buf - 1 - len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof buf - 1)
			break;
	}
	buf[len] = '\0';
	p = strstr(buf, "PORT ");
	if (p == buf)
		d->http_port = atoi(p + 5);
	p = strstr(buf, "TLS_PORT ");
	if (p != NULL)
		d->https_port = atoi(p + 9);
	if (d->http_port <= 0 || d->https_port <= 0) {
		*cause = xstrdup("the demo HTTP server did not start");
		return -1;
	}
	return 0;
}

static int
demo_start_http(struct demo *d, char **cause)
{
	struct demo_httpd_opts o;
	char *key, *log, *tail, *c = NULL;
	sigset_t all, old;
	pid_t parent = getpid();
	int p[2], status, rc = -1;

	d->https_cert = xasprintf("%s/demo-cert.pem", d->dir);
	key = xasprintf("%s/demo-key.pem", d->dir);
	log = xasprintf("%s/httpd.log", d->dir);
	if (demo_httpd_make_cert(d->https_cert, key, DEMO_CERT_DAYS,
	    cause) != 0)
		goto out;
	if (d->drop && chown(key, d->uid, d->gid) != 0) {
		*cause = xasprintf("chown %s: %s", key, strerror(errno));
		goto out;
	}
	if (demo_util_write_file(log, "", 0600, cause) != 0)
		goto out;
	if (d->drop && chown(log, d->uid, d->gid) != 0) {
		*cause = xasprintf("chown %s: %s", log, strerror(errno));
		goto out;
	}
	if (pipe2(p, O_CLOEXEC) != 0) {
		*cause = xasprintf("pipe: %s", strerror(errno));
		goto out;
	}

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	d->http_pid = fork();
	if (d->http_pid == 0) {
		close(p[0]);
		demo_util_child_setup(d, log, p[1], SIGTERM, parent);
		demo_httpd_opts_init(&o);
		o.tls.cert = d->https_cert;
		o.tls.key = key;
		o.port_fd = p[1];
		if (demo_httpd_run(&o, &c) != 0) {
			dprintf(2, "maintop demo: %s\n", c);
			_exit(1);
		}
		_exit(0);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(p[1]);
	if (d->http_pid < 0) {
		d->http_pid = 0;
		close(p[0]);
		*cause = xasprintf("fork: %s", strerror(errno));
		goto out;
	}
	rc = demo_read_ports(d, p[0], cause);
	close(p[0]);
	if (rc != 0 && demo_util_exited(d->http_pid, &status)) {
		d->http_pid = 0;
		tail = demo_util_log_tail(log);
		free(*cause);
		*cause = xasprintf("the demo HTTP server failed (log %s):%s",
		    log, tail);
		free(tail);
	}
out:
	free(key);
	free(log);
	return rc;
}

struct demo *
demo_start(char **cause)
{
	struct demo *d;
	const char *tmp = getenv("TMPDIR");
	char *text;

	d = xcalloc(1, sizeof *d);
	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	d->dir = xasprintf("%s/maintop-demo.XXXXXX", tmp);
	if (mkdtemp(d->dir) == NULL) {
		*cause = xasprintf("cannot create a directory in %s: %s", tmp,
		    strerror(errno));
		free(d->dir);
		d->dir = NULL;
		goto fail;
	}
	if (demo_pick_user(d, cause) != 0)
		goto fail;
	/* The servers' user must reach its subdirectories. */
	if (d->drop && chmod(d->dir, 0711) != 0) {
		*cause = xasprintf("chmod %s: %s", d->dir, strerror(errno));
		goto fail;
	}
	d->state_dir = xasprintf("%s/state", d->dir);
	if (mkdir(d->state_dir, 0700) != 0) {
		*cause = xasprintf("mkdir %s: %s", d->state_dir,
		    strerror(errno));
		goto fail;
	}
	if (demo_pg_start(d, cause) != 0 ||
	    demo_start_redis(d, cause) != 0 ||
	    demo_start_http(d, cause) != 0)
		goto fail;

	d->config_path = xasprintf("%s/maintop.conf", d->dir);
	text = demo_config_text(d, time(NULL));
	if (demo_util_write_file(d->config_path, text, 0600, cause) != 0) {
		free(text);
		goto fail;
	}
	free(text);
	return d;

fail:
	demo_stop(d);
	return NULL;
}

int
demo_owns_pid(const struct demo *d, pid_t pid)
{
	return d != NULL && pid > 0 &&
	    (pid == d->pg_pid || pid == d->redis_pid || pid == d->http_pid);
}

static int
demo_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

void
demo_stop(struct demo *d)
{
	pid_t *pids[3];
	long long deadline;
	int i, left, status;

	if (d == NULL)
		return;
	pids[0] = &d->pg_pid;
	pids[1] = &d->redis_pid;
	pids[2] = &d->http_pid;
	/* PostgreSQL's SIGTERM waits for clients to leave; SIGINT does not. */
	if (d->pg_pid > 0)
		kill(d->pg_pid, SIGINT);
	if (d->redis_pid > 0)
		kill(d->redis_pid, SIGTERM);
	if (d->http_pid > 0)
		kill(d->http_pid, SIGTERM);
	deadline = util_mono_ms() + DEMO_STOP_WAIT_MS;
	for (;;) {
		left = 0;
		for (i = 0; i < 3; i++) {
			if (*pids[i] <= 0)
				continue;
			if (demo_util_exited(*pids[i], &status))
				*pids[i] = 0;
			else
				left++;
		}
		if (left == 0 || util_mono_ms() > deadline)
			break;
		demo_util_sleep_ms(20);
	}
	for (i = 0; i < 3; i++) {
		if (*pids[i] > 0) {
			kill(*pids[i], SIGKILL);
			while (waitpid(*pids[i], &status, 0) < 0 &&
			    errno == EINTR)
				;
			*pids[i] = 0;
		}
	}
	if (d->dir != NULL)
		nftw(d->dir, demo_rm, 16, FTW_DEPTH | FTW_PHYS);

	free(d->dir);
	free(d->state_dir);
	free(d->config_path);
	free(d->pg_bindir);
	free(d->pg_socket_dir);
	free(d->pg_password);
	free(d->pg_password_file);
	free(d->https_cert);
	free(d);
}
