/* The team store: its configuration (settings.store), and the interface
 * that hands each operation to the backend in use. */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config.h"
#include "store_priv.h"
#include "util.h"

static const char *const store_keys[] = {
	"conninfo", "password_env", NULL
};

void
store_conf_parse(struct cfg_errors *e, const config_setting_t *s,
    struct store_conf **out)
{
	struct store_conf *sc;
	const config_setting_t *m;
	size_t nerrors = e->nerrors;

	*out = NULL;
	if (s == NULL)
		return;
	if (!config_setting_is_group(s)) {
		cfg_err(e, s, "'store' must be a group { conninfo = \"...\"; "
		    "password_env = \"...\"; }");
		return;
	}
	cfg_check_keys(e, s, store_keys, "store");
	if ((m = config_setting_get_member(s, "password")) != NULL)
		cfg_err(e, m, "'password' is not allowed: passwords are never "
		    "written in the configuration: use password_env (the name "
		    "of an environment variable) or ~/.pgpass");
	sc = xcalloc(1, sizeof *sc);
	if (cfg_str(e, s, "conninfo", 1, &sc->conninfo) == 1)
		check_conninfo_validate(e, config_setting_get_member(s,
		    "conninfo"), sc->conninfo, 0);
	if (cfg_str(e, s, "password_env", 0, &sc->password_env) == 1)
		check_secret_env(e, config_setting_get_member(s,
		    "password_env"), "password_env", sc->password_env);
	if (e->nerrors != nerrors) {
		store_conf_free(sc);
		return;
	}
	*out = sc;
}

void
store_conf_free(struct store_conf *sc)
{
	if (sc == NULL)
		return;
	free(sc->conninfo);
	free(sc->password_env);
	free(sc);
}

struct store *
store_open_files(const char *state_dir)
{
	struct store *s = xcalloc(1, sizeof *s);

	s->state_dir = xstrdup(state_dir);
	s->ops = &store_files_ops;
	return s;
}

struct store *
store_open(const struct config *cfg, const char *state_dir, char **cause)
{
	if (cfg->settings.store == NULL)
		return store_open_files(state_dir);
	return store_open_pg(cfg->settings.store, state_dir, 0, cause);
}

struct store *
store_open_pg(const struct store_conf *conf, const char *state_dir,
    int offline, char **cause)
{
	struct store *s;

	s = xcalloc(1, sizeof *s);
	s->state_dir = xstrdup(state_dir);
	s->ops = &store_pg_ops;
	if (store_pg_open(s, conf, offline, cause) != 0) {
		free(s->state_dir);
		free(s);
		return NULL;
	}
	return s;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	if (s->ops->close != NULL)
		s->ops->close(s);
	free(s->state_dir);
	free(s);
}

int
store_lock_take(struct store *s, const char *runbook, const char *id,
    time_t since, struct store_lock **lock, char **stale, char **cause)
{
	*lock = NULL;
	*stale = NULL;
	return s->ops->lock_take(s, runbook, id, since, lock, stale, cause);
}

void
store_lock_release(struct store *s, struct store_lock *lock)
{
	if (lock != NULL)
		s->ops->lock_release(s, lock);
}

int
store_lock_keep(struct store *s, struct store_lock *lock, char **holder)
{
	*holder = NULL;
	if (lock == NULL || s->ops->lock_keep == NULL)
		return STORE_LOCK_HELD;
	return s->ops->lock_keep(s, lock, holder);
}

int
store_journal_append(struct store *s, const char *id, const char *line,
    char **cause)
{
	return s->ops->journal_append(s, id, line, cause);
}

int
store_unreachable(struct store *s)
{
	return s->ops->unreachable != NULL && s->ops->unreachable(s);
}

int
store_flush(struct store *s, char **cause)
{
	return s->ops->flush != NULL ? s->ops->flush(s, cause) : 0;
}

int
store_last_success(struct store *s, const char *runbook, time_t *when,
    char **cause)
{
	*when = 0;
	return s->ops->last_success(s, runbook, when, cause);
}

int
store_journal_foreach(struct store *s, const char *runbook,
    void (*fn)(const char *, void *), void *arg, char **cause)
{
	return s->ops->journal_foreach(s, runbook, fn, arg, cause);
}

int
store_run_live(struct store *s, const char *runbook, const char *id,
    long pid)
{
	return s->ops->run_live(s, runbook, id, pid);
}
