/* The debt list in the team store: a handle that connects when first
 * used, on the thread using it; see debt_team.h. */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "debt_team.h"
#include "store.h"
#include "util.h"
#include "worker.h"

struct debt_team {
	const struct config	*cfg;
	char			*state_dir;	/* the store's spool's */
	struct store		*store;		/* NULL until first used */
};

struct debt_team *
debt_team_new(const struct config *cfg, const char *state_dir)
{
	struct debt_team *t = xcalloc(1, sizeof *t);

	t->cfg = cfg;
	t->state_dir = xstrdup(state_dir);
	return t;
}

static void
team_free_work(void *arg)
{
	struct debt_team *t = arg;

	store_close(t->store);
	free(t->state_dir);
	free(t);
}

void
debt_team_free(struct debt_team *t, struct worker *w)
{
	if (t != NULL)
		worker_run(w, team_free_work, NULL, t);
}

/* The store, connected now if it is not yet. */
static struct store *
team_store(struct debt_team *t, char **cause)
{
	if (t->store == NULL)
		t->store = store_open(t->cfg, t->state_dir, cause);
	return t->store;
}

int
debt_team_load(struct debt_team *t, struct debt_list *l,
    struct store_debt_rows *rows, char **cause)
{
	struct store *s = team_store(t, cause);

	memset(rows, 0, sizeof *rows);
	l->v = NULL;
	l->n = 0;
	l->next_id = 1;
	if (s == NULL)
		return -1;
	return store_debt_load(s, &t->cfg->settings, l, rows, cause);
}

int
debt_team_save(struct debt_team *t, const struct store_debt_rows *base,
    const struct debt_list *next, const char *line, struct debt_list *now,
    struct store_debt_rows *rows, char **cause)
{
	struct store *s = team_store(t, cause);

	memset(rows, 0, sizeof *rows);
	memset(now, 0, sizeof *now);
	if (s == NULL)
		return -1;
	return store_debt_save(s, &t->cfg->settings, base, next, line, now,
	    rows, cause);
}
