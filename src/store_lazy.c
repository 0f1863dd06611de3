/* A store opened on the thread that first needs it; see store_lazy.h. */
#include "build.h"

#include <stdlib.h>

#include "store.h"
#include "store_lazy.h"
#include "util.h"
#include "worker.h"

struct store_lazy {
	const struct config	*cfg;		/* NULL: conf instead */
	struct store_conf	 conf;		/* copied */
	int			 offline;
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

struct store_lazy *
store_lazy_new_pg(const struct store_conf *conf, const char *state_dir,
    int offline)
{
	struct store_lazy *l = xcalloc(1, sizeof *l);

	l->conf.conninfo = xstrdup(conf->conninfo);
	if (conf->password_env != NULL)
		l->conf.password_env = xstrdup(conf->password_env);
	l->offline = offline;
	l->state_dir = xstrdup(state_dir);
	return l;
}

struct store *
store_lazy_get(struct store_lazy *l, char **cause)
{
	if (l->store == NULL && l->cfg != NULL)
		l->store = store_open(l->cfg, l->state_dir, cause);
	else if (l->store == NULL)
		l->store = store_open_pg(&l->conf, l->state_dir, l->offline,
		    cause);
	return l->store;
}

static void
lazy_free_work(void *arg)
{
	struct store_lazy *l = arg;

	store_close(l->store);
	free(l->conf.conninfo);
	free(l->conf.password_env);
	free(l->state_dir);
	free(l);
}

void
store_lazy_free(struct store_lazy *l, struct worker *w)
{
	if (l != NULL)
		worker_run(w, lazy_free_work, NULL, l);
}
