/* The team store's configuration (settings.store), shared by every mode
 * that reaches the store. */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "store.h"
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
