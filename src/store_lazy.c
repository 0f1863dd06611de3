/* A store opened on the thread that first needs it; see store_lazy.h. */
#include "build.h"

#include <stdlib.h>

#include "store.h"
#include "store_lazy.h"
#include "util.h"
#include "worker.h"

struct store_lazy {
	const struct config	*cfg;
	char			*state_dir;
	struct store		*store;		/* NULL until first used */
};

struct store_lazy *
store_lazy_new(const struct config *cfg, const char *state_dir)
{
	struct store_lazy *l = xcalloc(1, sizeof *l);

	l->cfg = cfg;
	l->state_dir = xstrdup(state_dir);
	return l;
}

struct store *
store_lazy_get(struct store_lazy *l, char **cause)
{
	if (l->store == NULL)
		l->store = store_open(l->cfg, l->state_dir, cause);
	return l->store;
}

static void
lazy_free_work(void *arg)
{
	struct store_lazy *l = arg;

	store_close(l->store);
	free(l->state_dir);
	free(l);
}

void
store_lazy_free(struct store_lazy *l, struct worker *w)
{
	if (l != NULL)
		worker_run(w, lazy_free_work, NULL, l);
}
