/* The agent's reads and records off its loop; see agent_prep.h. */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "agent_prep.h"
#include "journal.h"
#include "runbook.h"
#include "runindex.h"
#include "store.h"
#include "util.h"
#include "worker.h"

void
agent_prep_clear(struct agent_prep *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->names[i]);
	free(p->names);
	free(p->when);
	memset(p, 0, sizeof *p);
}

struct prep_job {
	struct store		*store;
	char			*state_dir;
	struct agent_prep	 got;
	struct agent_prep	*into;
	void			(*done)(void *);
	void			*arg;
};

static void
prep_work(void *arg)
{
	struct prep_job *j = arg;
	char *cause = NULL;
	size_t i;
	int rc;

	for (i = 0; i < j->got.n; i++) {
		if (j->store != NULL)
			rc = store_last_success(j->store, j->got.names[i],
			    &j->got.when[i], &cause);
		else
			rc = runindex_last_success(j->state_dir,
			    j->got.names[i], &j->got.when[i], &cause);
		if (rc != 0) {
			j->got.when[i] = 0;	/* none known: refused */
			free(cause);
			cause = NULL;
		}
	}
}

static void
prep_done(void *arg)
{
	struct prep_job *j = arg;

	agent_prep_clear(j->into);
	*j->into = j->got;
	j->done(j->arg);
	free(j->state_dir);
	free(j);
}

void
agent_prep_requires(struct worker *io, struct store *store,
    const char *state_dir, const struct runbook *rb, struct agent_prep *prep,
    void (*done)(void *), void *arg)
{
	struct prep_job *j = xcalloc(1, sizeof *j);
	size_t i;

	j->store = store;
	j->state_dir = xstrdup(state_dir);
	j->got.n = rb->nrequires;
	j->got.names = xcalloc(rb->nrequires + 1, sizeof *j->got.names);
	j->got.when = xcalloc(rb->nrequires + 1, sizeof *j->got.when);
	for (i = 0; i < rb->nrequires; i++)
		j->got.names[i] = xstrdup(rb->requires[i].runbook);
	j->into = prep;
	j->done = done;
	j->arg = arg;
	worker_run(io, prep_work, prep_done, j);
}

time_t
agent_prep_last_success(const struct agent_prep *p, const char *runbook)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->names[i], runbook) == 0)
			return p->when[i];
	return 0;
}

struct record_job {
	struct store	*store;
	char		*path;		/* or the store's */
	char		*id;
	char		*line;
	char		*cause;
	void		(*fail)(void *, const char *);
	void		*arg;
};

static void
record_work(void *arg)
{
	struct record_job *j = arg;

	if (j->store != NULL)
		store_journal_append(j->store, j->id, j->line, &j->cause);
	else
		journal_append(j->path, j->line, &j->cause);
}

static void
record_done(void *arg)
{
	struct record_job *j = arg;

	if (j->cause != NULL)
		j->fail(j->arg, j->cause);
	free(j->cause);
	free(j->path);
	free(j->id);
	free(j->line);
	free(j);
}

void
agent_journal_later(struct worker *io, struct store *store,
    const char *state_dir, const char *id, const char *line,
    void (*fail)(void *, const char *), void *arg)
{
	struct record_job *j = xcalloc(1, sizeof *j);

	j->store = store;
	j->path = xasprintf("%s/journal.jsonl", state_dir);
	j->id = xstrdup(id);
	j->line = xstrdup(line);
	j->fail = fail;
	j->arg = arg;
	worker_run(io, record_work, record_done, j);
}
