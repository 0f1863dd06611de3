/* The run index: what the journal says about runs, kept small beside it
 * (state_dir/journal.index), so that a start reads the index and the
 * records written since, never the whole journal. */
#ifndef MAINTOP_RUNINDEX_H
#define MAINTOP_RUNINDEX_H

#include <stddef.h>
#include <time.h>

#include "journal.h"

struct runner_orphan;

/* An index file larger than this is not one (it is rebuilt). */
#define RUNINDEX_MAX		(4 * 1024 * 1024)
/* Runbooks and open runs kept; more are dropped (oldest open run first). */
#define RUNINDEX_ENTRIES	10000
/* A run's metrics longer than this (as JSON text) are not kept. */
#define RUNINDEX_METRICS_MAX	8192

/* The last run of one runbook. */
struct runindex_last {
	char	*runbook;
	char	*run;		/* its id */
	char	*result;	/* as the journal says; "unfinished" */
	time_t	 start;
	time_t	 end;		/* 0 while it goes */
	time_t	 success;	/* end of the newest successful run, or 0 */
	/*
	 * The METRICS of the last run's steps, {"step": {"rows": 12}}, and
	 * those of the newest run before it that had any (numbers as the
	 * steps printed them; jansson objects owned by the index), or NULL.
	 * Larger than RUNINDEX_METRICS_MAX as text: left out.
	 */
	struct json_t	*metrics;
	struct json_t	*prev_metrics;
};

struct runindex {
	struct journal_pos	 pos;	/* the journal is read up to here */
	struct runindex_last	*last;
	size_t			 nlast;
	struct runner_orphan	*open;	/* started, not ended (no alive) */
	size_t			 nopen;
};

/*
 * Reads state_dir's index and the journal records written since it (the
 * rotated journal's too when the journal was rotated since), or, without
 * a usable index, both journals whole.  With save, an index that moved
 * is written back atomically (temp, fsync, rename).  Returns 0 and a new
 * index (runindex_free), or -1 with *cause set when a journal cannot be
 * read.  Slow on a large journal without an index: call it off the loop.
 */
int runindex_load(const char *state_dir, int save, struct runindex **out,
    char **cause);
void runindex_free(struct runindex *);
/* Frees what an index holds and leaves it empty (for one on the stack,
 * such as runindex_parse fills). */
void runindex_clear(struct runindex *);

/*
 * The end of runbook's newest successful run in *when (0: none), from
 * runindex_load (without save).  0, or -1 with *cause set.
 */
int runindex_last_success(const char *state_dir, const char *runbook,
    time_t *when, char **cause);

/* The last run of runbook, or NULL when it never ran. */
const struct runindex_last *runindex_find(const struct runindex *,
    const char *runbook);

/* Folds one journal line (any record; others are ignored) into the index. */
void runindex_record(struct runindex *, const char *line);

/*
 * The index as its file holds it (runindex_format, caller frees) and read
 * back (runindex_parse: 0, or -1 when text is not an index; *out is then
 * empty but usable).
 */
char *runindex_format(const struct runindex *);
int runindex_parse(const char *text, size_t len, struct runindex *out);

/* The index's path in state_dir (caller frees). */
char *runindex_path(const char *state_dir);

#endif
