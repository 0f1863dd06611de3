/* The worker thread: slow file work off the event loop, one job at a
 * time, in order, each job's completion handed back through a pipe. */
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "util.h"

struct worker_job {
	void			(*work)(void *);
	void			(*done)(void *);
	void			*arg;
	struct worker_job	*next;
};

/* A FIFO of jobs. */
struct worker_list {
	struct worker_job	*head;
	struct worker_job	*tail;
};

struct worker {
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;	/* a job queued, or stop */
	pthread_cond_t		 idle;	/* a job finished */
	struct worker_list	 queue;	/* to run */
	struct worker_list	 done;	/* run, done callback pending */
	int			 stop;
	int			 busy;	/* the thread is running a job */
	size_t			 pending;	/* queued, done not yet called */
	int			 pipe[2];
	struct event		*ev;
};

static void
list_push(struct worker_list *l, struct worker_job *j)
{
	j->next = NULL;
	if (l->tail != NULL)
		l->tail->next = j;
	else
		l->head = j;
	l->tail = j;
}

/* Takes the whole list (oldest first). */
static struct worker_job *
list_take(struct worker_list *l)
{
	struct worker_job *j = l->head;

	l->head = l->tail = NULL;
	return j;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct worker_job *j;
	char byte = 0;
	int wake;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (w->queue.head == NULL && !w->stop)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->queue.head == NULL)
			break;
		j = w->queue.head;
		w->queue.head = j->next;
		if (w->queue.head == NULL)
			w->queue.tail = NULL;
		w->busy = 1;
		pthread_mutex_unlock(&w->lock);
		if (j->work != NULL)
			j->work(j->arg);
		pthread_mutex_lock(&w->lock);
		w->busy = 0;
		wake = w->done.head == NULL;
		list_push(&w->done, j);
		pthread_cond_broadcast(&w->idle);
		if (wake) {
			/* One byte per batch; the loop takes the whole list. */
			while (write(w->pipe[1], &byte, 1) < 0 && errno == EINTR)
				;
		}
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* Calls the done callbacks of the jobs that have run, in order. */
static void
worker_complete(struct worker *w)
{
	struct worker_job *j, *next;
	char bytes[64];

	while (read(w->pipe[0], bytes, sizeof bytes) > 0)
		;
	pthread_mutex_lock(&w->lock);
	j = list_take(&w->done);
	pthread_mutex_unlock(&w->lock);
	for (; j != NULL; j = next) {
		next = j->next;
		w->pending--;
		if (j->done != NULL)
			j->done(j->arg);
		free(j);
	}
}

static void
worker_event(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	worker_complete(arg);
}

struct worker *
worker_new(struct event_base *base)
{
	struct worker *w;
	sigset_t all, old;
	int e;

	w = xcalloc(1, sizeof *w);
	if (pipe2(w->pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		fatal("worker: pipe: %s", strerror(errno));
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	pthread_cond_init(&w->idle, NULL);
	w->ev = event_new(base, w->pipe[0], EV_READ | EV_PERSIST,
	    worker_event, w);
	if (w->ev == NULL || event_add(w->ev, NULL) != 0)
		fatal("worker: cannot watch the completion pipe");
	/* Signals stay with the loop's thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&w->thread, NULL, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0)
		fatal("worker: cannot start the thread: %s", strerror(e));
	return w;
}

void
worker_run(struct worker *w, void (*work)(void *), void (*done)(void *),
    void *arg)
{
	struct worker_job *j;

	if (w == NULL) {
		if (work != NULL)
			work(arg);
		if (done != NULL)
			done(arg);
		return;
	}
	j = xcalloc(1, sizeof *j);
	j->work = work;
	j->done = done;
	j->arg = arg;
	pthread_mutex_lock(&w->lock);
	list_push(&w->queue, j);
	w->pending++;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

size_t
worker_pending(const struct worker *w)
{
	return w != NULL ? w->pending : 0;
}

void
worker_drain(struct worker *w)
{
	if (w == NULL)
		return;
	/* A done callback may queue another job: until none is left. */
	while (w->pending > 0) {
		pthread_mutex_lock(&w->lock);
		while (w->queue.head != NULL || w->busy)
			pthread_cond_wait(&w->idle, &w->lock);
		pthread_mutex_unlock(&w->lock);
		worker_complete(w);
	}
}

void
worker_free(struct worker *w)
{
	if (w == NULL)
		return;
	worker_drain(w);
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	event_free(w->ev);
	close(w->pipe[0]);
	close(w->pipe[1]);
	pthread_cond_destroy(&w->cond);
	pthread_cond_destroy(&w->idle);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
