/* The agents' leadership: an advisory lock of the team store taken and
 * held by a session on a thread of its own, its changes handed to the
 * loop through a pipe. */
#include "build.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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
	pthread_cond_t		 cond;		/* stop */
	int			 stop;
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

/* Waits up to AGENT_LEAD_PERIOD seconds, or until stopped: 1 stopped. */
static int
lead_nap(struct agent_lead *l)
{
	struct timespec until;
	int stop;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += AGENT_LEAD_PERIOD;
	pthread_mutex_lock(&l->lock);
	while (!l->stop && pthread_cond_timedwait(&l->cond, &l->lock,
	    &until) != ETIMEDOUT)
		;
	stop = l->stop;
	pthread_mutex_unlock(&l->lock);
	return stop;
}

/* One round on conn: try the lock (or, holding it, check the session)
 * and write the heartbeat.  0, or -1 with *cause: the session is lost. */
static int
lead_round(struct agent_lead *l, PGconn *conn, int *leading, char **cause)
{
	char host[256] = "", pid[32];
	const char *p[4];
	PGresult *res;

	if (!*leading) {
		res = store_pg_exec(conn, "SELECT pg_try_advisory_lock("
		    STORE_PG_AGENT_KEY ")", 0, NULL, cause);
		if (res == NULL)
			return -1;
		*leading = PQntuples(res) == 1 &&
		    strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		PQclear(res);
	}
	gethostname(host, sizeof host - 1);
	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	p[0] = l->name;
	p[1] = host;
	p[2] = pid;
	p[3] = *leading ? "t" : "f";
	/* Also proves the session alive while it leads. */
	return store_pg_run(conn, "INSERT INTO maintop.agent_heartbeat "
	    "(agent, host, pid, backend_pid, leader) VALUES ($1, $2, "
	    "$3::integer, pg_backend_pid(), $4::boolean) ON CONFLICT (agent) "
	    "DO UPDATE SET host = excluded.host, pid = excluded.pid, "
	    "backend_pid = excluded.backend_pid, leader = excluded.leader, "
	    "started_at = CASE WHEN agent_heartbeat.leader = excluded.leader "
	    "THEN agent_heartbeat.started_at ELSE now() END, seen_at = now()",
	    4, p, cause);
}

static void *
lead_main(void *arg)
{
	struct agent_lead *l = arg;
	PGconn *conn = NULL;
	char *cause = NULL;
	int leading = 0, was = -1;	/* -1: nothing said yet */

	do {
		if (conn == NULL &&
		    (conn = store_pg_connect(&l->conf, &cause)) == NULL) {
			lead_tell(l, 0, cause);
			continue;
		}
		if (lead_round(l, conn, &leading, &cause) != 0) {
			PQfinish(conn);	/* the lock goes with the session */
			conn = NULL;
			leading = 0;
			lead_tell(l, 0, cause);
			was = -1;
		} else if (leading != was) {
			lead_tell(l, leading, NULL);
			was = leading;
		}
	} while (!lead_nap(l));
	if (conn != NULL)
		PQfinish(conn);
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
	if (pipe2(l->pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		fatal("agent: pipe: %s", strerror(errno));
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->cond, NULL);
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
	pthread_mutex_lock(&l->lock);
	l->stop = 1;
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->lock);
	pthread_join(l->thread, NULL);
	event_free(l->ev);
	close(l->pipe[0]);
	close(l->pipe[1]);
	pthread_mutex_destroy(&l->lock);
	pthread_cond_destroy(&l->cond);
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
