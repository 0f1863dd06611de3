/* Tests of the worker thread: jobs run off the loop's thread, one at a
 * time and in order, their completions come back on the loop in order,
 * a completion may queue more work, and draining waits for all of it. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "tap.h"
#include "util.h"
#include "worker.h"

#define NJOBS	200

struct state {
	struct event_base	*base;
	struct worker		*w;
	pthread_t		 loop;
	int			 ran[NJOBS];	/* order the work ran in */
	int			 nran;
	int			 done[NJOBS];	/* order the done calls came in */
	int			 ndone;
	int			 off_loop;	/* work ran on another thread */
	int			 on_loop;	/* done ran on the loop's thread */
	int			 overlap;	/* two works at once */
	int			 busy;
	int			 chained;
};

struct job {
	struct state	*s;
	int		 n;
};

static void
work(void *arg)
{
	struct job *j = arg;
	struct state *s = j->s;

	if (s->busy++)
		s->overlap = 1;
	if (!pthread_equal(pthread_self(), s->loop))
		s->off_loop++;
	if (j->n % 50 == 0)
		usleep(2000);	/* a slow one must not be overtaken */
	s->ran[s->nran++] = j->n;
	s->busy--;
}

static void chained_done(void *);

static void
done(void *arg)
{
	struct job *j = arg;
	struct state *s = j->s;

	if (pthread_equal(pthread_self(), s->loop))
		s->on_loop++;
	s->done[s->ndone++] = j->n;
	if (j->n == NJOBS - 1) {
		/* A completion queues more work: the drain waits for it. */
		j->n = -1;
		worker_run(s->w, NULL, chained_done, j);
		return;
	}
	free(j);
}

static void
chained_done(void *arg)
{
	struct job *j = arg;

	j->s->chained = 1;
	event_base_loopbreak(j->s->base);
	free(j);
}

static void
sync_work(void *arg)
{
	*(int *)arg = 1;
}

static void
sync_done(void *arg)
{
	int *v = arg;

	if (*v == 1)
		*v = 2;
}

int
main(void)
{
	struct state s;
	struct job *j;
	int i, in_order = 1, v = 0;

	memset(&s, 0, sizeof s);
	s.base = event_base_new();
	s.loop = pthread_self();
	s.w = worker_new(s.base);
	for (i = 0; i < NJOBS; i++) {
		j = xcalloc(1, sizeof *j);
		j->s = &s;
		j->n = i;
		worker_run(s.w, work, done, j);
	}
	ok(worker_pending(s.w) > 0, "jobs are pending once queued");
	is_str(worker_pending(s.w) == NJOBS ? "all" : "some", "all",
	    "none is done before the loop takes its completions");
	event_base_dispatch(s.base);
	is_int(s.nran, NJOBS, "every job ran");
	for (i = 0; i < NJOBS; i++)
		if (s.ran[i] != i || s.done[i] != i)
			in_order = 0;
	ok(in_order, "jobs ran, and came back, in the order queued");
	is_int(s.off_loop, NJOBS, "the work ran off the loop's thread");
	is_int(s.on_loop, NJOBS, "the completions ran on the loop's thread");
	ok(!s.overlap, "one job at a time");
	ok(s.chained, "a completion may queue another job");
	is_int((int)worker_pending(s.w), 0, "nothing pending at the end");

	/* Drain without the loop: waits, then calls the completions. */
	s.nran = s.ndone = 0;
	for (i = 0; i < 10; i++) {
		j = xcalloc(1, sizeof *j);
		j->s = &s;
		j->n = i;
		worker_run(s.w, work, done, j);
	}
	worker_drain(s.w);
	ok(s.nran == 10 && s.ndone == 10 && worker_pending(s.w) == 0,
	    "drain runs what is queued and calls the completions");
	worker_free(s.w);

	worker_run(NULL, sync_work, sync_done, &v);
	is_int(v, 2, "without a worker a job runs at once, work then done");
	event_base_free(s.base);
	return tap_done();
}
