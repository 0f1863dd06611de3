/* Fuzz target: a runbook file (libconfig text) parsed from memory, then
 * resolved and every runbook's dry run produced. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "runbook.h"

/*
 * The configuration's lookups: weak, so that the real ones win where
 * config.c is linked in whole ("make fuzz") and these serve when only the
 * runbook module is pulled from the library.
 */
__attribute__((weak)) struct check *
config_find_check(const struct config *c, const char *name)
{
	return NULL;
}

__attribute__((weak)) struct window *
config_find_window(const struct config *c, const char *name)
{
	return NULL;
}

__attribute__((weak)) struct runbook *
config_find_runbook(const struct config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nrunbooks; i++)
		if (strcmp(c->runbooks[i]->name, name) == 0)
			return c->runbooks[i];
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct config c;
	struct cfg_errors e;
	char *text, *s, **v;
	size_t i;

	text = xstrndup((const char *)data, len);
	memset(&c, 0, sizeof c);
	memset(&e, 0, sizeof e);
	runbook_load_string(&c, text, "fuzz.conf", &e);
	runbook_resolve(&c, &e);
	for (i = 0; i < c.nrunbooks; i++) {
		s = runbook_dry_run(c.runbooks[i], NULL);
		free(s);
		v = NULL;
		if (runbook_bind(c.runbooks[i], NULL, 0, &v, NULL, &s) == 0) {
			free(runbook_dry_run(c.runbooks[i], v));
			runbook_values_free(c.runbooks[i], v);
		} else
			free(s);
	}
	for (i = 0; i < e.n; i++)
		free(cfg_error_format(&e.v[i]));
	cfg_errors_free(&e);
	for (i = 0; i < c.nrunbooks; i++)
		runbook_free(c.runbooks[i]);
	free(c.runbooks);
	free(text);
	return 0;
}
