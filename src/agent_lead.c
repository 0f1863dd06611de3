/* The agents' leadership: an advisory lock of the team store waited for
 * on the server and held by a session on a thread of its own, its changes
 * handed to the loop through a pipe. */
#include "build.h"

#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "agent_lead.h"
#include "config.h"
#include "sanitize.h"
#include "store.h"
#include "store_pg.h"
#include "util.h"

struct agent_lead {
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	int			 stop[2];	/* written to stop the thread */
	struct store_conf	 conf;		/* copied */
	char			*name;

	/* Shared with the thread, under lock. */
	int			 t_leading;
	char			*t_why;		/* the last failure, or NULL */

	/* The loop's own. */
	int			 leading;
	int			 said;		/* changed was called */
	char			*said_why;	/* the failure it was told */
	int			 pipe[2];
	struct event		*ev;
	void			(*changed)(void *, int, const char *);
	void			*arg;
};

/* Tells the loop: the state, and why (taken) when the store failed. */
static void
lead_tell(struct agent_lead *l, int leading, char *why)
{
	char byte = 1, *safe = why != NULL ? sanitize_cstr(why, 0) : NULL;

	free(why);
	pthread_mutex_lock(&l->lock);
	l->t_leading = leading;
	if (safe != NULL) {
		free(l->t_why);
		l->t_why = safe;
	}
	pthread_mutex_unlock(&l->lock);
	while (write(l->pipe[1], &byte, 1) < 0 && errno == EINTR)
		;
}

/*
 * Waits until the thread is stopped (-1), fd (when not -1) is readable
 * (1), or ms milliseconds have passed (0; -1 ms: no limit).  Nothing
 * else wakes the thread: at rest it sends nothing.
 */
static int
lead_wait(struct agent_lead *l, int fd, int ms)
{
	struct pollfd pfd[2];
	int r;

	pfd[0].fd = l->stop[0];
	pfd[0].events = POLLIN;
	pfd[1].fd = fd;
	pfd[1].events = POLLIN;
	pfd[0].revents = pfd[1].revents = 0;
	while ((r = poll(pfd, fd >= 0 ? 2 : 1, ms)) < 0 && errno == EINTR)
		;
	if (r > 0 && pfd[0].revents != 0)
		return -1;
	return r > 0 ? 1 : 0;
}

/*
 * A session for the lead: statements without a time limit (it waits on
 * the lock for as long as another leads), the server told to drop it
 * within seconds when this host vanishes (its keepalives) or this
 * process is gone while it waits (client_connection_check_interval, from
 * PostgreSQL 14; older servers notice when they grant the lock).
 */
static PGconn *
lead_connect(struct agent_lead *l, char **cause)
{
	PGconn *conn = store_pg_connect(&l->conf, cause);
	char *why = NULL;

	if (conn == NULL)
		return NULL;
	if (store_pg_run(conn, "SET statement_timeout = 0; SET lock_timeout "
	    "= 0; SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = "
	    "2; SET tcp_keepalives_count = 3", 0, NULL, cause) != 0) {
		PQfinish(conn);
		return NULL;
	}
	if (store_pg_run(conn, "SET idle_session_timeout = 0; SET "
	    "client_connection_check_interval = 2000", 0, NULL, &why) != 0)
		free(why);	/* before PostgreSQL 14: neither exists */
	return conn;
}

/* This agent's row in maintop.agent_heartbeat (who leads, since when,
 * last seen).  0, or -1 with *cause: the session is lost. */
static int
lead_row(struct agent_lead *l, PGconn *conn, int leading, char **cause)
{
	char host[256] = "", pid[32];
	const char *p[4];

	gethostname(host, sizeof host - 1);
	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	p[0] = l->name;
	p[1] = host;
	p[2] = pid;
	p[3] = leading ? "t" : "f";
	return store_pg_run(conn, "INSERT INTO maintop.agent_heartbeat "
	    "(agent, host, pid, backend_pid, leader) VALUES ($1, $2, "
	    "$3::integer, pg_backend_pid(), $4::boolean) ON CONFLICT (agent) "
	    "DO UPDATE SET host = excluded.host, pid = excluded.pid, "
	    "backend_pid = excluded.backend_pid, leader = excluded.leader, "
	    "started_at = CASE WHEN agent_heartbeat.leader = excluded.leader "
	    "THEN agent_heartbeat.started_at ELSE now() END, seen_at = now()",
	    4, p, cause);
}

/* Reads what conn's server sent, under the guard.  0, or -1 with *cause:
 * the session is lost. */
static int
lead_consume(PGconn *conn, char **cause)
{
	int ok;

	store_pg_guard(conn);
	ok = PQconsumeInput(conn);
	if (store_pg_unguard() || !ok || PQstatus(conn) != CONNECTION_OK) {
		*cause = store_pg_error(conn, NULL);
		return -1;
	}
	return 0;
}

/*
 * Takes the lock, at once when it is free, else waiting on the server
 * without a time limit (having told the loop that another leads): the
 * leader's session ending (a clean stop, a kill, a crash the server
 * notices) grants it at once.  1 taken, 0 stopped meanwhile, -1 with
 * *cause: the session is lost.
 */
static int
lead_take(struct agent_lead *l, PGconn *conn, char **cause)
{
	PGresult *res;
	int ok = 0, r;

	res = store_pg_exec(conn, "SELECT pg_try_advisory_lock("
	    STORE_PG_AGENT_KEY ")", 0, NULL, cause);
	if (res == NULL)
		return -1;
	r = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (r)
		return 1;
	if (lead_row(l, conn, 0, cause) != 0)
		return -1;
	lead_tell(l, 0, NULL);
	if (!PQsendQuery(conn, "SELECT pg_advisory_lock(" STORE_PG_AGENT_KEY
	    ")")) {
		*cause = store_pg_error(conn, NULL);
		return -1;
	}
	for (;;) {
		if ((r = lead_wait(l, PQsocket(conn), -1)) < 0)
			return 0;
		if (r == 0)
			continue;
		if (lead_consume(conn, cause) != 0)
			return -1;
		if (!PQisBusy(conn))
			break;
	}
	while ((res = store_pg_get_result(conn)) != NULL) {
		if (PQresultStatus(res) == PGRES_TUPLES_OK)
			ok = 1;
		else if (*cause == NULL)
			*cause = store_pg_error(conn, res);
		PQclear(res);
	}
	if (ok && *cause == NULL)
		return 1;
	if (*cause == NULL)
		*cause = store_pg_error(conn, NULL);
	return -1;
}

/*
 * Holds the lead until stopped (0) or the session is lost (-1 with
 * *cause): the socket watched, so a server that goes away is noticed at
 * once (or by TCP keepalives within seconds), and the heartbeat row
 * written every AGENT_LEAD_KEEPALIVE seconds, the only statement it
 * sends at rest.
 */
static int
lead_hold(struct agent_lead *l, PGconn *conn, char **cause)
{
	int r;

	if (lead_row(l, conn, 1, cause) != 0)
		return -1;
	lead_tell(l, 1, NULL);
	for (;;) {
		r = lead_wait(l, PQsocket(conn), AGENT_LEAD_KEEPALIVE * 1000);
		if (r < 0)
			return 0;
		if (r > 0 && lead_consume(conn, cause) != 0)
			return -1;
		if (r == 0 && lead_row(l, conn, 1, cause) != 0)
			return -1;
	}
}

static void *
lead_main(void *arg)
{
	struct agent_lead *l = arg;
	PGconn *conn;
	char *cause;
	int r;

	for (;;) {
		cause = NULL;
		if ((conn = lead_connect(l, &cause)) != NULL) {
			if ((r = lead_take(l, conn, &cause)) > 0)
				r = lead_hold(l, conn, &cause);
			PQfinish(conn);	/* the lock goes with the session */
			if (r == 0)
				break;
		}
		lead_tell(l, 0, cause);
		if (lead_wait(l, -1, AGENT_LEAD_RETRY * 1000) < 0)
			break;
	}
	return NULL;
}

/* On the loop: the thread said something. */
static void
lead_event(evutil_socket_t fd, short what, void *arg)
{
	struct agent_lead *l = arg;
	char bytes[64], *why;
	int leading;

	(void)what;
	while (read(fd, bytes, sizeof bytes) > 0)
		;
	pthread_mutex_lock(&l->lock);
	leading = l->t_leading;
	why = l->t_why;
	l->t_why = NULL;
	pthread_mutex_unlock(&l->lock);
	/* A failure that goes on is told once. */
	if (why != NULL && l->said_why != NULL &&
	    strcmp(why, l->said_why) == 0) {
		free(why);
		why = NULL;
	} else if (why != NULL) {
		free(l->said_why);
		l->said_why = xstrdup(why);
	}
	if (!l->said || leading != l->leading || why != NULL) {
		l->said = 1;
		l->leading = leading;
		l->changed(l->arg, leading, why);
	}
	if (leading) {
		free(l->said_why);
		l->said_why = NULL;
	}
	free(why);
}

struct agent_lead *
agent_lead_new(struct event_base *base, const struct store_conf *conf,
    const char *name, void (*changed)(void *, int, const char *), void *arg)
{
	struct agent_lead *l = xcalloc(1, sizeof *l);
	sigset_t all, old;
	int e;

	l->conf.conninfo = xstrdup(conf->conninfo);
	if (conf->password_env != NULL)
		l->conf.password_env = xstrdup(conf->password_env);
	l->name = xstrdup(name);
	l->changed = changed;
	l->arg = arg;
	if (pipe2(l->pipe, O_CLOEXEC | O_NONBLOCK) != 0 ||
	    pipe2(l->stop, O_CLOEXEC) != 0)
		fatal("agent: pipe: %s", strerror(errno));
	pthread_mutex_init(&l->lock, NULL);
	l->ev = event_new(base, l->pipe[0], EV_READ | EV_PERSIST, lead_event,
	    l);
	if (l->ev == NULL || event_add(l->ev, NULL) != 0)
		fatal("agent: cannot watch the leadership pipe");
	/* Signals stay with the loop's thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&l->thread, NULL, lead_main, l);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0)
		fatal("agent: cannot start the leadership thread: %s",
		    strerror(e));
	return l;
}

int
agent_lead_leading(const struct agent_lead *l)
{
	return l->leading;
}

void
agent_lead_free(struct agent_lead *l)
{
	if (l == NULL)
		return;
	/* Closing the write end wakes the thread wherever it waits. */
	close(l->stop[1]);
	pthread_join(l->thread, NULL);
	event_free(l->ev);
	close(l->pipe[0]);
	close(l->pipe[1]);
	close(l->stop[0]);
	pthread_mutex_destroy(&l->lock);
	free(l->t_why);
	free(l->said_why);
	free(l->conf.conninfo);
	free(l->conf.password_env);
	free(l->name);
	free(l);
}

int
agent_lead_start(struct event_base *base, const struct config *cfg,
    const char *state_dir, int once, struct store **store,
    struct agent_lead **lead, void (*changed)(void *, int, const char *),
    void *arg, char **cause)
{
	char host[256] = "", *name, *why = NULL;

	*store = NULL;
	*lead = NULL;
	if (cfg->settings.store == NULL)
		return 0;
	if (once) {
		*cause = xstrdup("--once is for one agent alone: with "
		    "settings.store the team's agents take the lead in turn "
		    "(run 'maintop agent')");
		return -1;
	}
	if ((*store = store_open(cfg, state_dir, &why)) == NULL) {
		name = sanitize_cstr(why, 0);
		*cause = xasprintf("the store: %s", name);
		free(name);
		free(why);
		return -1;
	}
	gethostname(host, sizeof host - 1);
	name = xasprintf("%s pid %ld", host, (long)getpid());
	*lead = agent_lead_new(base, cfg->settings.store, name, changed, arg);
	free(name);
	return 0;
}
