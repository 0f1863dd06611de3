/* Starts the real demo servers with demo_start, checks that each answers
 * as the demo configuration says, then checks that demo_stop leaves nothing. */
#include "build.h"

#include <sys/stat.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <hiredis.h>
#include <libpq-fe.h>

#include "demo_servers.h"
#include "util.h"
#include "tap.h"

static size_t
sink(char *p, size_t size, size_t n, void *arg)
{
	buf_add(arg, p, size * n);
	return size * n;
}

/* GETs url (trusting cafile when not NULL); returns the status or -1. */
static long
get(const char *url, const char *cafile, struct buf *body)
{
	CURL *c = curl_easy_init();
	long code = -1;

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	if (cafile != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, cafile);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	return code;
}

/* The real uid of a running process, from /proc, or -1. */
static long
proc_uid(pid_t pid)
{
	char path[64], line[256];
	FILE *f;
	long uid = -1;

	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "Uid:", 4) == 0) {
			uid = strtol(line + 4, NULL, 10);
			break;
		}
	}
	fclose(f);
	return uid;
}

static void
test_pg(const struct demo *d)
{
	char conninfo[256];
	PGconn *c;
	PGresult *r;
	int dead = 0, i;

	/* As the monitor role, by password over TCP, as the demo config. */
	snprintf(conninfo, sizeof conninfo, "host=127.0.0.1 port=%d "
	    "dbname=maintop user=monitor password=%s connect_timeout=10",
	    d->pg_port, d->pg_password);
	c = PQconnectdb(conninfo);
	if (!ok(PQstatus(c) == CONNECTION_OK, "monitor logs in with its "
	    "password")) {
		printf("# %s", PQerrorMessage(c));
		PQfinish(c);
		return;
	}
	r = PQexec(c, "SELECT pg_has_role('monitor', 'pg_monitor', "
	    "'MEMBER'), rolsuper FROM pg_roles WHERE rolname = 'monitor'");
	ok(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
	    strcmp(PQgetvalue(r, 0, 0), "t") == 0 &&
	    strcmp(PQgetvalue(r, 0, 1), "f") == 0,
	    "monitor is in pg_monitor and not a superuser");
	PQclear(r);
	/* Statistics reach the view asynchronously: allow a few seconds. */
	for (i = 0; i < 50 && dead == 0; i++) {
		r = PQexec(c, "SELECT n_dead_tup FROM pg_stat_user_tables "
		    "WHERE relname = 'orders'");
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
			dead = atoi(PQgetvalue(r, 0, 0));
		PQclear(r);
		if (dead == 0)
			usleep(100000);
	}
	ok(dead > 1000, "orders has dead tuples (%d)", dead);
	r = PQexec(c, "SHOW max_connections");
	is_str(PQresultStatus(r) == PGRES_TUPLES_OK ? PQgetvalue(r, 0, 0) :
	    NULL, "20", "max_connections is 20");
	PQclear(r);
	PQfinish(c);

	snprintf(conninfo, sizeof conninfo, "host=127.0.0.1 port=%d "
	    "dbname=maintop user=monitor password=wrong connect_timeout=10",
	    d->pg_port);
	c = PQconnectdb(conninfo);
	ok(PQstatus(c) != CONNECTION_OK, "a wrong password is refused");
	PQfinish(c);
}

static void
test_redis(const struct demo *d)
{
	struct timeval tv = { 5, 0 };
	redisContext *c;
	redisReply *r;

	c = redisConnectWithTimeout("127.0.0.1", d->redis_port, tv);
	if (!ok(c != NULL && c->err == 0, "redis accepts a connection")) {
		if (c != NULL)
			redisFree(c);
		return;
	}
	r = redisCommand(c, "DBSIZE");
	ok(r != NULL && r->type == REDIS_REPLY_INTEGER && r->integer >= 50,
	    "redis holds the demo keys");
	if (r != NULL)
		freeReplyObject(r);
	r = redisCommand(c, "CONFIG GET save");
	ok(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
	    strcmp(r->element[1]->str, "") == 0, "redis does not save");
	if (r != NULL)
		freeReplyObject(r);
	redisFree(c);
}

static void
test_http(const struct demo *d)
{
	struct buf body;
	char url[128];

	buf_init(&body);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/health", d->http_port);
	is_int(get(url, NULL, &body), 200, "http /health answers 200");
	ok(body.s != NULL && strstr(body.s, "\"ok\"") != NULL,
	    "http /health says ok");
	buf_reset(&body);
	snprintf(url, sizeof url, "https://127.0.0.1:%d/health",
	    d->https_port);
	is_int(get(url, d->https_cert, &body), 200,
	    "https answers with the demo certificate, verified");
	buf_free(&body);
}

int
main(void)
{
	struct demo *d;
	struct stat st;
	char *cause = NULL, *text, *dir, *want;
	pid_t pids[3];
	int i, gone;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	d = demo_start(&cause);
	if (d == NULL && strstr(cause, "apt-get install") != NULL) {
		/* A server binary is missing: the message names the package. */
		printf("1..0 # SKIP %s\n", cause);
		free(cause);
		return 0;
	}
	if (!ok(d != NULL, "demo_start")) {
		printf("# %s\n", cause);
		free(cause);
		return tap_done();
	}
	ok(d->pg_port > 0 && d->redis_port > 0 && d->http_port > 0 &&
	    d->https_port > 0, "every server has a port");
	ok(d->pg_port != d->redis_port && d->redis_port != d->http_port &&
	    d->http_port != d->https_port, "the ports differ");
	if (geteuid() == 0) {
		ok(proc_uid(d->pg_pid) > 0, "as root, PostgreSQL runs "
		    "unprivileged (uid %ld)", proc_uid(d->pg_pid));
		ok(proc_uid(d->redis_pid) > 0, "as root, Redis runs "
		    "unprivileged");
		ok(proc_uid(d->http_pid) > 0, "as root, the HTTP server "
		    "runs unprivileged");
	} else {
		is_int(proc_uid(d->pg_pid), (long)geteuid(),
		    "PostgreSQL runs as us");
	}

	test_pg(d);
	test_redis(d);
	test_http(d);

	ok(stat(d->pg_password_file, &st) == 0 &&
	    (st.st_mode & 077) == 0, "the password file is private");
	ok(stat(d->config_path, &st) == 0, "the configuration is written");
	text = demo_config_text(d, time(NULL));
	want = xasprintf("port=%d dbname=maintop user=monitor", d->pg_port);
	ok(strstr(text, want) != NULL, "the config names the PostgreSQL port");
	free(want);
	want = xasprintf("port = %d;", d->redis_port);
	ok(strstr(text, want) != NULL, "the config names the Redis port");
	free(want);
	want = xasprintf("http://127.0.0.1:%d/health", d->http_port);
	ok(strstr(text, want) != NULL, "the config names the HTTP URL");
	free(want);
	ok(strstr(text, d->pg_password) == NULL,
	    "the config does not hold the password");
	free(text);

	ok(demo_owns_pid(d, d->pg_pid) && !demo_owns_pid(d, getpid()),
	    "demo_owns_pid");
	pids[0] = d->pg_pid;
	pids[1] = d->redis_pid;
	pids[2] = d->http_pid;
	dir = xstrdup(d->dir);
	demo_stop(d);
	ok(stat(dir, &st) != 0 && errno == ENOENT,
	    "demo_stop removes the directory");
	for (gone = 1, i = 0; i < 3; i++) {
		if (kill(pids[i], 0) == 0)
			gone = 0;
	}
	ok(gone, "demo_stop leaves no server running");
	free(dir);
	demo_stop(NULL);
	curl_global_cleanup();
	return tap_done();
}
