/* A watch on what a PostgreSQL server sends while libpq reads it: past a
 * byte count, the connection is aborted from inside the read, so no
 * single libpq call reads on without end. */
#ifndef MAINTOP_PG_GUARD_H
#define MAINTOP_PG_GUARD_H

/*
 * Until pg_guard_leave, watches socket fd (a libpq connection's, TCP):
 * for each millisecond of CPU time the calling thread spends meanwhile, a
 * signal looks at what the kernel has received on it (TCP_INFO), and past
 * limit bytes aborts the connection (its queue dropped), so the libpq call
 * in progress fails and returns.  One socket at a time in each thread;
 * the guard's signal is unblocked in the calling thread meanwhile.
 */
void pg_guard_enter(int fd, unsigned long long limit);

/* Stops watching (before the socket may be closed).  Returns 1 when the
 * connection was aborted, else 0. */
int pg_guard_leave(void);

/* The received-bytes count of TCP socket fd, or 0 when it cannot say. */
unsigned long long pg_guard_received(int fd);

#endif
