/* The dashboard's team store: opened on a thread of its own, live through
 * a LISTEN connection, and stale (with the reason) while it is lost. */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "store.h"
#include "store_async.h"
#include "store_lazy.h"
#include "store_listen.h"
#include "store_pg.h"
#include "util.h"
#include "worker.h"

/* Subscribers: the Runbooks and Debt panes, the header. */
#define SA_SUBS		8
/* Runs watched (going, and ended not long ago, so as not to watch them
 * again): the oldest ended one is forgotten beyond this. */
#define SA_WATCHES	64

/* A team's run going: a connection waits until its holder's session lets
 * go of the runbook's live lock (STORE_PG_LIVE_KEY), however it ends. */
struct sa_watch {
	struct store_async	*sa;
	char			*run;
	struct store_listen	*sl;		/* NULL once it ended */
};

struct store_async {
	struct event_base	*base;
	struct worker		*worker;
	struct store_lazy	*lazy;		/* the store, on worker */
	struct store		*store;		/* NULL until opened */
	struct store_conf	 conf;		/* copied */
	char			*state_dir;
	struct store_listen	*listen;
	int			 up;		/* listening */
	int			 opening;	/* an open job is out */
	int			 closing;
	int			 offline;	/* open it unreachable too */
	char			*down_why;	/* why not listening */
	char			*open_why;	/* why the open failed */
	char			*stale;		/* store_async_stale's */
	struct sa_watch		*watches[SA_WATCHES];
	struct {
		unsigned  kinds;
		void	(*fn)(unsigned, void *);
		void	 *arg;
	}			 subs[SA_SUBS];
};

/* One job on the store's thread. */
struct sa_job {
	struct store_async	*sa;
	struct store		*store;		/* opened, or to flush/close */
	char			*cause;
};

static void
sa_tell(struct store_async *sa, unsigned what)
{
	int i;

	if (sa->closing)
		return;
	for (i = 0; i < SA_SUBS; i++)
		if (sa->subs[i].fn != NULL && (sa->subs[i].kinds & what))
			sa->subs[i].fn(sa->subs[i].kinds & what,
			    sa->subs[i].arg);
}

/* What a notification's payload says changed ("journal RUNBOOK", "lock
 * RUNBOOK", "debt ID", "doc NAME": an agent's document such as its state
 * or its holds): anything else may be anything. */
static unsigned
sa_kind(const char *payload)
{
	if (strncmp(payload, "doc ", 4) == 0)
		return STORE_ASYNC_AGENT;
	if (strncmp(payload, "journal ", 8) == 0 ||
	    strncmp(payload, "lock ", 5) == 0)
		return STORE_ASYNC_RUNS;
	if (strncmp(payload, "debt ", 5) == 0)
		return STORE_ASYNC_DEBT;
	return STORE_ASYNC_RUNS | STORE_ASYNC_DEBT | STORE_ASYNC_AGENT;
}

static void
sa_open_work(void *arg)
{
	struct sa_job *j = arg;

	j->store = store_lazy_get(j->sa->lazy, &j->cause);
}

static void
sa_open_done(void *arg)
{
	struct sa_job *j = arg;
	struct store_async *sa = j->sa;

	sa->opening = 0;
	free(sa->open_why);
	sa->open_why = j->cause;
	sa->store = j->store;
	free(j);
	sa_tell(sa, STORE_ASYNC_LINK);
}

/* Opens the store on its thread, unless it is open or being opened. */
static void
sa_open(struct store_async *sa)
{
	struct sa_job *j;

	if (sa->store != NULL || sa->opening)
		return;
	j = xcalloc(1, sizeof *j);
	j->sa = sa;
	sa->opening = 1;
	worker_run(sa->worker, sa_open_work, sa_open_done, j);
}

/* Back: what waited in the spool goes to the store. */
static void
sa_flush_work(void *arg)
{
	struct sa_job *j = arg;

	if (store_flush(j->store, &j->cause) != 0) {
		/* Left for the next record or the next time it is back. */
	}
}

static void
sa_job_done(void *arg)
{
	struct sa_job *j = arg;

	free(j->cause);
	free(j);
}

static void
sa_listened(enum store_listen_event ev, const char *text, void *arg)
{
	struct store_async *sa = arg;
	struct sa_job *j;
	unsigned what = STORE_ASYNC_LINK;

	switch (ev) {
	case STORE_LISTEN_UP:
		sa->up = 1;
		free(sa->down_why);
		sa->down_why = NULL;
		if (sa->store == NULL)
			sa_open(sa);
		else {
			j = xcalloc(1, sizeof *j);
			j->sa = sa;
			j->store = sa->store;
			worker_run(sa->worker, sa_flush_work, sa_job_done, j);
		}
		break;
	case STORE_LISTEN_DOWN:
		sa->up = 0;
		free(sa->down_why);
		sa->down_why = xstrdup(text);
		break;
	case STORE_LISTEN_NOTIFY:
		what = sa_kind(text);
		break;
	}
	sa_tell(sa, what);
}

struct store_async *
store_async_new(struct event_base *base, const struct store_conf *conf,
    const char *state_dir, int offline)
{
	struct store_async *sa = xcalloc(1, sizeof *sa);

	sa->offline = offline;
	sa->base = base;
	store_pg_quiet();
	sa->worker = worker_new(base);
	sa->conf.conninfo = xstrdup(conf->conninfo);
	if (conf->password_env != NULL)
		sa->conf.password_env = xstrdup(conf->password_env);
	sa->state_dir = xstrdup(state_dir);
	sa->lazy = store_lazy_new_pg(conf, state_dir, offline);
	sa_open(sa);
	sa->listen = store_listen_new(base, conf, sa_listened, sa);
	return sa;
}

void
store_async_subscribe(struct store_async *sa, unsigned kinds,
    void (*fn)(unsigned, void *), void *arg)
{
	int i;

	for (i = 0; i < SA_SUBS; i++)
		if (sa->subs[i].fn == NULL) {
			sa->subs[i].kinds = kinds;
			sa->subs[i].fn = fn;
			sa->subs[i].arg = arg;
			return;
		}
	fatal("too many subscribers to the team store");
}

void
store_async_unsubscribe(struct store_async *sa, void (*fn)(unsigned, void *),
    void *arg)
{
	int i;

	for (i = 0; i < SA_SUBS; i++)
		if (sa->subs[i].fn == fn && sa->subs[i].arg == arg)
			sa->subs[i].fn = NULL;
}

struct store *
store_async_store(const struct store_async *sa)
{
	return sa->store;
}

struct store_lazy *
store_async_lazy(const struct store_async *sa)
{
	return sa->lazy;
}

struct worker *
store_async_worker(const struct store_async *sa)
{
	return sa->worker;
}

const char *
store_async_stale(const struct store_async *sa)
{
	struct store_async *w = (struct store_async *)sa;

	free(w->stale);
	w->stale = NULL;
	if (!sa->up && sa->down_why != NULL)
		w->stale = xasprintf("the team store is unreachable: %s",
		    sa->down_why);
	else if (!sa->up)
		w->stale = xstrdup("the team store is not reached yet");
	else if (sa->store == NULL && sa->open_why != NULL)
		w->stale = xasprintf("the team store: %s", sa->open_why);
	else if (sa->store == NULL)
		w->stale = xstrdup("the team store is being opened");
	return w->stale;
}

/* The connection of a watch that ended, closed out of its callback. */
static void
sa_watch_close(evutil_socket_t fd, short what, void *arg)
{
	struct sa_watch *w = arg;

	(void)fd;
	(void)what;
	store_listen_free(w->sl);
	w->sl = NULL;
}

static void
sa_watched(enum store_listen_event ev, const char *text, void *arg)
{
	struct sa_watch *w = arg;
	struct timeval now = { 0, 0 };

	(void)text;
	if (ev != STORE_LISTEN_UP)
		return;		/* lost: it waits again once back */
	if (event_base_once(w->sa->base, -1, EV_TIMEOUT, sa_watch_close, w,
	    &now) != 0)
		fatal("event_base_once failed");
	sa_tell(w->sa, STORE_ASYNC_RUNS);
}

static void
sa_watch_free(struct sa_watch *w)
{
	if (w == NULL)
		return;
	store_listen_free(w->sl);
	free(w->run);
	free(w);
}

void
store_async_watch(struct store_async *sa, const char *runbook,
    const char *run)
{
	struct sa_watch *w;
	int i, slot = -1;

	for (i = 0; i < SA_WATCHES; i++) {
		if (sa->watches[i] == NULL) {
			if (slot == -1)
				slot = i;
		} else if (strcmp(sa->watches[i]->run, run) == 0)
			return;
	}
	for (i = 0; slot == -1 && i < SA_WATCHES; i++)
		if (sa->watches[i]->sl == NULL) {
			sa_watch_free(sa->watches[i]);
			sa->watches[i] = NULL;
			slot = i;
		}
	if (slot == -1)
		return;		/* that many runs going: told by NOTIFY only */
	w = xcalloc(1, sizeof *w);
	w->sa = sa;
	w->run = xstrdup(run);
	w->sl = store_listen_query(sa->base, &sa->conf, "SELECT "
	    "pg_advisory_xact_lock_shared(" STORE_PG_LIVE_KEY ")", runbook,
	    sa_watched, w);
	sa->watches[slot] = w;
}

void
store_async_free(struct store_async *sa)
{
	int i;

	if (sa == NULL)
		return;
	sa->closing = 1;
	store_listen_free(sa->listen);
	for (i = 0; i < SA_WATCHES; i++)
		sa_watch_free(sa->watches[i]);
	/* An open still out comes back first; the store closes after the
	 * jobs that share it. */
	worker_drain(sa->worker);
	store_lazy_free(sa->lazy, sa->worker);
	worker_free(sa->worker);
	free(sa->conf.conninfo);
	free(sa->conf.password_env);
	free(sa->state_dir);
	free(sa->down_why);
	free(sa->open_why);
	free(sa->stale);
	free(sa);
}
