/* The statistics statement of the PostgreSQL probe and the reading of its
 * result into figures. */
#ifndef MAINTOP_PG_STATS_H
#define MAINTOP_PG_STATS_H

#include <libpq-fe.h>

struct sample;

/*
 * One statement, each statistics view read once, prepared once per
 * connection; its one row has the columns pg_stats_read expects.
 */
extern const char pg_stats_sql[];

/*
 * Adds the figures of the statement's result to the sample and sets its
 * message (the latency must be in s->latency_ms already).  A result of
 * another shape (not one row of at least 20 columns) makes the sample
 * unknown.  Server text passes through the sample's sanitizing.
 */
void pg_stats_read(struct sample *, const PGresult *);

#endif
