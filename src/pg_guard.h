/* A watch on what a PostgreSQL server sends while libpq reads it: past a
 * byte count, the connection's reading is shut down from another thread,
 * so no single libpq call reads on without end. */
#ifndef MAINTOP_PG_GUARD_H
#define MAINTOP_PG_GUARD_H

/*
 * Until pg_guard_leave, watches socket fd (a libpq connection's, TCP)
 * from a thread of its own (started at the first call): once the kernel
 * has received more than limit bytes on it (TCP_INFO), its reading is shut
 * down, so the libpq call in progress sees the end of the stream and
 * returns.  One socket at a time, from the loop's thread only.
 */
void pg_guard_enter(int fd, unsigned long long limit);

/* Stops watching (before the socket may be closed). */
void pg_guard_leave(void);

/* The received-bytes count of TCP socket fd, or 0 when it cannot say. */
unsigned long long pg_guard_received(int fd);

#endif
