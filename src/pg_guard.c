/* A watch on the bytes a PostgreSQL server sends while libpq reads them:
 * a thread that shuts a connection's reading down past its budget. */
#include "pg_guard.h"

#include <netinet/in.h>
#include <linux/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "util.h"

/* How often the watched socket is looked at (ms): at loopback speed a
 * few megabytes pass in that time. */
#define PG_GUARD_MS	2

static pthread_once_t	 guard_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t	 guard_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 guard_cond = PTHREAD_COND_INITIALIZER;
static int		 guard_fd = -1;		/* watched, or -1 */
static unsigned long long guard_limit;

unsigned long long
pg_guard_received(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof ti;

	memset(&ti, 0, sizeof ti);
	if (fd < 0 || getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0 ||
	    len < offsetof(struct tcp_info, tcpi_bytes_received) +
	    sizeof ti.tcpi_bytes_received)
		return 0;
	return ti.tcpi_bytes_received;
}

/*
 * The thread: asleep while nothing is watched; else looks every
 * PG_GUARD_MS.  The shutdown is made holding the lock, so the socket is
 * still the one watched (pg_guard_leave takes the lock before the loop
 * may close it).
 */
static void *
guard_main(void *arg)
{
	struct timespec nap = { 0, PG_GUARD_MS * 1000000L };

	(void)arg;
	pthread_mutex_lock(&guard_lock);
	for (;;) {
		while (guard_fd < 0)
			pthread_cond_wait(&guard_cond, &guard_lock);
		if (pg_guard_received(guard_fd) > guard_limit) {
			shutdown(guard_fd, SHUT_RD);
			guard_fd = -1;
			continue;
		}
		pthread_mutex_unlock(&guard_lock);
		nanosleep(&nap, NULL);
		pthread_mutex_lock(&guard_lock);
	}
	return NULL;
}

static void
guard_start(void)
{
	pthread_t t;
	sigset_t all, old;
	int e;

	/* Signals stay with the loop's thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&t, NULL, guard_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0)
		fatal("pg_guard: cannot start the thread: %s", strerror(e));
	pthread_detach(t);
}

void
pg_guard_enter(int fd, unsigned long long limit)
{
	if (fd < 0)
		return;
	pthread_once(&guard_once, guard_start);
	pthread_mutex_lock(&guard_lock);
	guard_fd = fd;
	guard_limit = limit;
	pthread_cond_signal(&guard_cond);
	pthread_mutex_unlock(&guard_lock);
}

void
pg_guard_leave(void)
{
	pthread_mutex_lock(&guard_lock);
	guard_fd = -1;
	pthread_mutex_unlock(&guard_lock);
}
