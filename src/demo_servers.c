/* Starts and stops the demo's PostgreSQL, Redis and HTTP servers as child
 * processes in a temporary directory, and writes the demo configuration
 * (demo_config.c) for them. */
#include "build.h"

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hiredis.h>
#include <libpq-fe.h>

#include "demo_httpd.h"
#include "demo_servers.h"
#include "util.h"

#define DEMO_PG_WAIT_MS		30000
#define DEMO_REDIS_WAIT_MS	10000
#define DEMO_HTTP_WAIT_MS	10000
#define DEMO_INITDB_WAIT_MS	120000
#define DEMO_STOP_WAIT_MS	10000
#define DEMO_TRIES		3	/* attempts, in case a port is taken */

static void
demo_sleep_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* The last few lines of a log file, for error messages (caller frees). */
static char *
demo_log_tail(const char *path)
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

/* The highest-versioned /usr/lib/postgresql/N/bin holding initdb. */
static char *
demo_find_pg_bindir(void)
{
	const char *env = getenv("MAINTOP_PG_BINDIR");
	glob_t g;
	char *best = NULL, *path, *dir;
	long v, bestv = -1;
	size_t i;

	if (env != NULL && *env != '\0') {
		path = xasprintf("%s/initdb", env);
		if (access(path, X_OK) == 0) {
			free(path);
			return xstrdup(env);
		}
		free(path);
	}
	if (glob("/usr/lib/postgresql/*/bin/initdb", 0, NULL, &g) == 0) {
		for (i = 0; i < g.gl_pathc; i++) {
			path = g.gl_pathv[i] + strlen("/usr/lib/postgresql/");
			v = strtol(path, NULL, 10);
			if (v > bestv && access(g.gl_pathv[i], X_OK) == 0) {
				bestv = v;
				free(best);
				best = xstrdup(g.gl_pathv[i]);
			}
		}
		globfree(&g);
	}
	if (best != NULL) {
		best[strlen(best) - strlen("/initdb")] = '\0';
		return best;
	}
	/* Some systems put initdb in PATH. */
	env = getenv("PATH");
	if (env == NULL)
		return NULL;
	path = xstrdup(env);
	for (dir = strtok(path, ":"); dir != NULL; dir = strtok(NULL, ":")) {
		char *p = xasprintf("%s/initdb", dir);

		if (access(p, X_OK) == 0) {
			free(p);
			best = xstrdup(dir);
			break;
		}
		free(p);
	}
	free(path);
	return best;
}

/* Finds name in PATH or the usual system directories (caller frees). */
static char *
demo_find_bin(const char *name)
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

/* Makes dir (mode 0700) owned by the servers' user. */
static int
demo_mkdir(struct demo *d, const char *dir, char **cause)
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
static void
demo_child_setup(const struct demo *d, const char *log, int keep, int pdeath,
    pid_t parent)
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

/* Starts argv[0] as a child (see demo_child_setup); returns its pid or -1. */
static pid_t
demo_spawn(const struct demo *d, char *const argv[], const char *log,
    int pdeath, char **cause)
{
	sigset_t all, old;
	pid_t pid, parent = getpid();

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0) {
		demo_child_setup(d, log, -1, pdeath, parent);
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
static int
demo_exited(pid_t pid, int *status)
{
	pid_t r;

	do
		r = waitpid(pid, status, WNOHANG);
	while (r < 0 && errno == EINTR);
	return r == pid || (r < 0 && errno == ECHILD);
}

static char *
demo_status_text(int status)
{
	if (WIFEXITED(status))
		return xasprintf("exited with status %d", WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		return xasprintf("was killed by signal %d", WTERMSIG(status));
	return xstrdup("stopped");
}

/* Runs argv to completion within the deadline; 0 when it exits 0. */
static int
demo_run(const struct demo *d, char *const argv[], const char *log,
    char **cause)
{
	long long deadline = util_mono_ms() + DEMO_INITDB_WAIT_MS;
	char *tail, *why;
	pid_t pid;
	int status = 0;

	pid = demo_spawn(d, argv, log, SIGKILL, cause);
	if (pid < 0)
		return -1;
	while (!demo_exited(pid, &status)) {
		if (util_mono_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			*cause = xasprintf("%s took too long", argv[0]);
			return -1;
		}
		demo_sleep_ms(20);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	tail = demo_log_tail(log);
	why = demo_status_text(status);
	*cause = xasprintf("%s %s (log %s):%s", argv[0], why, log, tail);
	free(why);
	free(tail);
	return -1;
}

/* Random lowercase hex, 2 * n characters (caller frees). */
static char *
demo_random_hex(size_t n)
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
			raw[i] = (unsigned char)((unsigned long long)util_mono_ms() * 31 + i * 7);
	}
	if (fd >= 0)
		close(fd);
	s = xmalloc(2 * n + 1);
	for (i = 0; i < n; i++)
		snprintf(s + 2 * i, 3, "%02x", raw[i]);
	return s;
}

static int
demo_write_file(const char *path, const char *text, mode_t mode,
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

static int
demo_pg_exec(PGconn *c, const char *sql, char **cause)
{
	PGresult *r;
	int rc = 0;

	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK) {
		*cause = xasprintf("PostgreSQL setup failed: %s",
		    PQerrorMessage(c));
		rc = -1;
	}
	PQclear(r);
	return rc;
}

/* Connects as the superuser over the unix socket. */
/* libpq's notice processor for the demo's own connections: silence. */
static void
demo_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static PGconn *
demo_pg_connect(const struct demo *d, const char *db, char **cause)
{
	const char *keys[] = { "host", "port", "user", "dbname",
	    "connect_timeout", NULL };
	char port[16];
	const char *vals[6];
	PGconn *c;

	snprintf(port, sizeof port, "%d", d->pg_port);
	vals[0] = d->pg_socket_dir;
	vals[1] = port;
	vals[2] = "postgres";
	vals[3] = db;
	vals[4] = "5";
	vals[5] = NULL;
	c = PQconnectdbParams(keys, vals, 0);
	if (PQstatus(c) != CONNECTION_OK) {
		*cause = xasprintf("cannot connect to the demo PostgreSQL: %s",
		    PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	/* The set-up's notices ("does not exist, skipping") are not for
	 * the terminal. */
	PQsetNoticeProcessor(c, demo_notice, NULL);
	return c;
}

/*
 * Creates the monitor role, the maintop database and a table with dead
 * tuples and autovacuum off, so "last vacuum" is old and a vacuum runbook
 * has something to show.
 */
static int
demo_pg_setup(struct demo *d, char **cause)
{
	PGconn *c;
	char *sql;
	int rc;

	c = demo_pg_connect(d, "postgres", cause);
	if (c == NULL)
		return -1;
	sql = xasprintf("CREATE ROLE monitor LOGIN PASSWORD '%s' "
	    "IN ROLE pg_monitor", d->pg_password);
	rc = demo_pg_exec(c, sql, cause);
	free(sql);
	if (rc == 0)
		rc = demo_pg_exec(c, "CREATE DATABASE maintop", cause);
	PQfinish(c);
	if (rc != 0)
		return -1;

	c = demo_pg_connect(d, "maintop", cause);
	if (c == NULL)
		return -1;
	rc = demo_pg_exec(c,
	    "CREATE TABLE orders (id bigserial PRIMARY KEY, "
	    "customer text NOT NULL, amount numeric(10,2) NOT NULL, "
	    "created timestamptz NOT NULL DEFAULT now()) "
	    "WITH (autovacuum_enabled = off);"
	    "INSERT INTO orders (customer, amount) "
	    "SELECT 'customer-' || (i % 500), (i % 997) / 10.0 "
	    "FROM generate_series(1, 20000) AS i;"
	    "DELETE FROM orders WHERE id % 3 = 0;"
	    "UPDATE orders SET amount = amount + 1 WHERE id % 7 = 0;"
	    "CREATE TABLE sessions (id serial PRIMARY KEY, token text);"
	    "INSERT INTO sessions (token) SELECT md5(i::text) "
	    "FROM generate_series(1, 1000) AS i;"
	    "ALTER TABLE orders OWNER TO monitor;"
	    "ALTER TABLE sessions OWNER TO monitor;", cause);
	PQfinish(c);
	return rc;
}

static int
demo_start_pg(struct demo *d, char **cause)
{
	char *initdb, *postgres, *data, *log, *ilog, *pwfile, *port, *tail;
	char *why, *conn;
	int status, tries, rc = -1;
	long long deadline;

	d->pg_bindir = demo_find_pg_bindir();
	if (d->pg_bindir == NULL) {
		*cause = xstrdup("PostgreSQL's initdb was not found: install "
		    "the Debian package postgresql (apt-get install "
		    "postgresql)");
		return -1;
	}
	initdb = xasprintf("%s/initdb", d->pg_bindir);
	postgres = xasprintf("%s/postgres", d->pg_bindir);
	data = xasprintf("%s/pg", d->dir);
	log = xasprintf("%s/postgres.log", d->dir);
	ilog = xasprintf("%s/initdb.log", d->dir);
	pwfile = NULL;
	port = NULL;
	d->pg_socket_dir = xasprintf("%s/pgsock", d->dir);

	if (access(postgres, X_OK) != 0) {
		*cause = xasprintf("%s is missing: install the Debian package "
		    "postgresql", postgres);
		goto out;
	}
	if (demo_mkdir(d, data, cause) != 0 ||
	    demo_mkdir(d, d->pg_socket_dir, cause) != 0)
		goto out;
	/* The logs are written by the servers' user. */
	if (demo_write_file(ilog, "", 0600, cause) != 0 ||
	    demo_write_file(log, "", 0600, cause) != 0)
		goto out;
	if (d->drop && (chown(ilog, d->uid, d->gid) != 0 ||
	    chown(log, d->uid, d->gid) != 0)) {
		*cause = xasprintf("chown %s: %s", log, strerror(errno));
		goto out;
	}

	{
		char *argv[] = { initdb, (char *)"-D", data, (char *)"-U",
		    (char *)"postgres", (char *)"-A", (char *)"trust",
		    (char *)"--auth-host=scram-sha-256",
		    (char *)"--auth-local=trust", (char *)"--no-sync",
		    (char *)"--no-locale", (char *)"-E", (char *)"UTF8", NULL };

		if (demo_run(d, argv, ilog, cause) != 0)
			goto out;
	}

	for (tries = 0; tries < DEMO_TRIES; tries++) {
		d->pg_port = demo_httpd_free_port();
		if (d->pg_port < 0) {
			*cause = xstrdup("no free TCP port on 127.0.0.1");
			goto out;
		}
		free(port);
		port = xasprintf("%d", d->pg_port);
		{
			char *argv[] = { postgres, (char *)"-D", data,
			    (char *)"-p", port, (char *)"-k", d->pg_socket_dir,
			    (char *)"-c", (char *)"listen_addresses=127.0.0.1",
			    (char *)"-c", (char *)"fsync=off",
			    (char *)"-c", (char *)"synchronous_commit=off",
			    (char *)"-c", (char *)"full_page_writes=off",
			    (char *)"-c", (char *)"max_connections=20",
			    (char *)"-c", (char *)"shared_buffers=16MB",
			    (char *)"-c", (char *)"track_io_timing=on",
			    (char *)"-c", (char *)"log_min_messages=warning",
			    NULL };

			d->pg_pid = demo_spawn(d, argv, log, SIGINT, cause);
		}
		if (d->pg_pid < 0)
			goto out;

		conn = xasprintf("host=%s port=%d user=postgres "
		    "dbname=postgres connect_timeout=2", d->pg_socket_dir,
		    d->pg_port);
		deadline = util_mono_ms() + DEMO_PG_WAIT_MS;
		status = 0;
		while (PQping(conn) != PQPING_OK) {
			if (demo_exited(d->pg_pid, &status)) {
				d->pg_pid = 0;
				break;
			}
			if (util_mono_ms() > deadline)
				break;
			demo_sleep_ms(50);
		}
		free(conn);
		if (d->pg_pid == 0)
			continue;	/* perhaps the port was taken: retry */
		if (util_mono_ms() > deadline) {
			tail = demo_log_tail(log);
			*cause = xasprintf("PostgreSQL did not answer within "
			    "%d s (log %s):%s", DEMO_PG_WAIT_MS / 1000, log,
			    tail);
			free(tail);
			goto out;
		}
		break;
	}
	if (d->pg_pid == 0) {
		tail = demo_log_tail(log);
		why = demo_status_text(status);
		*cause = xasprintf("PostgreSQL %s (log %s):%s", why, log, tail);
		free(why);
		free(tail);
		goto out;
	}

	d->pg_password = demo_random_hex(12);
	d->pg_password_file = xasprintf("%s/pgpass-monitor", d->dir);
	if (demo_write_file(d->pg_password_file, d->pg_password, 0600,
	    cause) != 0)
		goto out;
	/* A libpq password file too, for psql in the runbooks' commands. */
	pwfile = xasprintf("%s/pgpass", d->dir);
	{
		char *line = xasprintf("127.0.0.1:%d:*:monitor:%s\n",
		    d->pg_port, d->pg_password);

		rc = demo_write_file(pwfile, line, 0600, cause);
		free(line);
		if (rc != 0)
			goto out;
		rc = -1;
	}
	if (demo_pg_setup(d, cause) != 0)
		goto out;
	rc = 0;
out:
	free(initdb);
	free(postgres);
	free(data);
	free(log);
	free(ilog);
	free(pwfile);
	free(port);
	return rc;
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

	bin = demo_find_bin("redis-server");
	if (bin == NULL) {
		*cause = xstrdup("redis-server was not found: install the "
		    "Debian package redis-server (apt-get install "
		    "redis-server)");
		return -1;
	}
	dir = xasprintf("%s/redis", d->dir);
	log = xasprintf("%s/redis/redis.log", d->dir);
	if (demo_mkdir(d, dir, cause) != 0)
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

			d->redis_pid = demo_spawn(d, argv, log, SIGTERM,
			    cause);
		}
		if (d->redis_pid < 0)
			goto out;
		deadline = util_mono_ms() + DEMO_REDIS_WAIT_MS;
		while (demo_redis_ping(d->redis_port) != 0) {
			if (demo_exited(d->redis_pid, &status)) {
				d->redis_pid = 0;
				break;
			}
			if (util_mono_ms() > deadline) {
				tail = demo_log_tail(log);
				*cause = xasprintf("Redis did not answer "
				    "within %d s (log %s):%s",
				    DEMO_REDIS_WAIT_MS / 1000, log, tail);
				free(tail);
				goto out;
			}
			demo_sleep_ms(20);
		}
		if (d->redis_pid != 0)
			break;
	}
	if (d->redis_pid == 0) {
		tail = demo_log_tail(log);
		why = demo_status_text(status);
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
	if (demo_write_file(log, "", 0600, cause) != 0)
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
		demo_child_setup(d, log, p[1], SIGTERM, parent);
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
	if (rc != 0 && demo_exited(d->http_pid, &status)) {
		d->http_pid = 0;
		tail = demo_log_tail(log);
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
	if (demo_start_pg(d, cause) != 0 ||
	    demo_start_redis(d, cause) != 0 ||
	    demo_start_http(d, cause) != 0)
		goto fail;

	d->config_path = xasprintf("%s/maintop.conf", d->dir);
	text = demo_config_text(d, time(NULL));
	if (demo_write_file(d->config_path, text, 0600, cause) != 0) {
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
			if (demo_exited(*pids[i], &status))
				*pids[i] = 0;
			else
				left++;
		}
		if (left == 0 || util_mono_ms() > deadline)
			break;
		demo_sleep_ms(20);
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
