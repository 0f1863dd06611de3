/* A watch on the bytes a PostgreSQL server sends while libpq reads them:
 * a timer on the reading thread's CPU time whose signal aborts the
 * connection past its budget.  Each thread has its own timer and state. */
#include "pg_guard.h"

#include <errno.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id	_sigev_un._tid
#endif

/* The signal (a real-time one maintop uses for nothing else) and its
 * period in CPU time: at memory speed a few megabytes pass in that time. */
#define PG_GUARD_SIGNAL		(SIGRTMIN + 3)
#define PG_GUARD_NS		1000000L

/* The signal goes to the thread whose timer fired, so its handler sees
 * that thread's state. */
static _Thread_local int			 guard_ready;
static _Thread_local timer_t			 guard_timer;
static _Thread_local sigset_t			 guard_saved;
static _Thread_local int			 guard_armed;
/* Set while the timer runs; read by the handler. */
static _Thread_local volatile sig_atomic_t	 guard_fd = -1;
static _Thread_local volatile sig_atomic_t	 guard_tripped;
static _Thread_local unsigned long long		 guard_limit;

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
 * The signal (getsockopt and connect are async-signal-safe).  Past the
 * limit the connection is aborted: connect to AF_UNSPEC drops it and what
 * it had queued (shutting the reading down would not do: Linux goes on
 * queueing what arrives, and hands it out as long as it keeps coming).
 */
static void
guard_signal(int sig)
{
	struct sockaddr sa;
	int saved = errno, fd = guard_fd;

	(void)sig;
	if (fd >= 0 && pg_guard_received(fd) > guard_limit) {
		memset(&sa, 0, sizeof sa);
		sa.sa_family = AF_UNSPEC;
		(void)connect(fd, &sa, sizeof sa);
		guard_fd = -1;
		guard_tripped = 1;
	}
	errno = saved;
}

/* The handler and a timer on this thread's CPU time, signalling it. */
static void
guard_init(void)
{
	struct sigaction sa;
	struct sigevent sev;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = guard_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(PG_GUARD_SIGNAL, &sa, NULL) != 0)
		fatal("pg_guard: sigaction: %s", strerror(errno));
	memset(&sev, 0, sizeof sev);
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = PG_GUARD_SIGNAL;
	sev.sigev_notify_thread_id = gettid();
	if (timer_create(CLOCK_THREAD_CPUTIME_ID, &sev, &guard_timer) != 0)
		fatal("pg_guard: timer_create: %s", strerror(errno));
	guard_ready = 1;
}

static void
guard_arm(long ns)
{
	struct itimerspec its;

	memset(&its, 0, sizeof its);
	its.it_value.tv_nsec = ns;
	its.it_interval.tv_nsec = ns;
	timer_settime(guard_timer, 0, &its, NULL);
}

void
pg_guard_enter(int fd, unsigned long long limit)
{
	sigset_t set;

	guard_tripped = 0;
	if (fd < 0)
		return;
	if (!guard_ready)
		guard_init();
	guard_limit = limit;
	guard_fd = fd;
	/* Threads that block every signal (the worker's) take this one for
	 * the guard's time. */
	sigemptyset(&set);
	sigaddset(&set, PG_GUARD_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, &guard_saved);
	guard_armed = 1;
	guard_arm(PG_GUARD_NS);
}

int
pg_guard_leave(void)
{
	if (!guard_armed)
		return guard_tripped;
	guard_arm(0);
	guard_armed = 0;
	guard_fd = -1;
	pthread_sigmask(SIG_SETMASK, &guard_saved, NULL);
	return guard_tripped;
}
