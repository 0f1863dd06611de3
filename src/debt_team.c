/* The debt list in the team store, through a store opened on the thread
 * that first uses it; see debt_team.h. */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "debt_team.h"
#include "store.h"
#include "store_lazy.h"
#include "util.h"

struct debt_team {
	const struct config	*cfg;
	struct store_lazy	*lazy;
	int			 own;		/* lazy is ours to free */
};

struct debt_team *
debt_team_new(const struct config *cfg, const char *state_dir,
    struct store_lazy *shared)
{
	struct debt_team *t = xcalloc(1, sizeof *t);

	t->cfg = cfg;
	t->own = shared == NULL;
	t->lazy = shared != NULL ? shared : store_lazy_new(cfg, state_dir);
	return t;
}

void
debt_team_free(struct debt_team *t, struct worker *w)
{
	if (t == NULL)
		return;
	if (t->own)
		store_lazy_free(t->lazy, w);
	free(t);
}

int
debt_team_load(struct debt_team *t, struct debt_list *l,
    struct store_debt_rows *rows, char **cause)
{
	struct store *s = store_lazy_get(t->lazy, cause);

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
	struct store *s = store_lazy_get(t->lazy, cause);

	memset(rows, 0, sizeof *rows);
	memset(now, 0, sizeof *now);
	if (s == NULL)
		return -1;
	return store_debt_save(s, &t->cfg->settings, base, next, line, now,
	    rows, cause);
}
