/* The demo's PostgreSQL: a cluster made by initdb in the demo's directory,
 * its server on a free port of 127.0.0.1, and the data the demo shows. */
#ifndef MAINTOP_DEMO_PG_H
#define MAINTOP_DEMO_PG_H

struct demo;

/*
 * Finds initdb ($MAINTOP_PG_BINDIR, the newest /usr/lib/postgresql/N/bin,
 * else PATH), makes a cluster in d->dir/pg, starts the server as a child on
 * a free port (retrying when it was taken) and waits until it answers, then
 * writes the monitor role's password files and creates the role, the
 * database "maintop" and the orders table full of dead tuples.  Sets
 * d->pg_bindir, pg_port, pg_socket_dir, pg_pid, pg_password and
 * pg_password_file.  Returns 0, or -1 and *cause (the caller frees it; a
 * missing binary is named with its Debian package), leaving what was
 * started for demo_stop.
 */
int demo_pg_start(struct demo *d, char **cause);

#endif
