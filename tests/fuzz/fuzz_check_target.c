/* Fuzz target for URL and conninfo validation: the input (cut at its first
 * NUL, its first byte choosing the key) as an HTTP check's url or
 * metrics_url or a PostgreSQL check's conninfo, parsed as a check; a check
 * that parses has a target, and no message quotes a URI's user part that
 * holds a password. */
#include <libconfig.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfgutil.h"
#include "check.h"
#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "url", "metrics_url", "conninfo" };
	struct settings set;
	struct cfg_errors errs;
	config_t lc;
	config_setting_t *g, *st;
	struct check *c;
	const char *key, *start, *pw, *at;
	char *text, *target, *secret = NULL;
	size_t i;

	if (size == 0)
		return 0;
	key = keys[data[0] % 3];
	text = strndup((const char *)data + 1, size - 1);
	if (text == NULL)
		abort();
	memset(&set, 0, sizeof set);
	set.refresh = 10;
	set.timeout = 5;
	set.history = 120;
	set.fail_after = 2;
	set.recover_after = 1;
	memset(&errs, 0, sizeof errs);
	config_init(&lc);
	g = config_setting_add(config_root_setting(&lc), "x", CONFIG_TYPE_GROUP);
	st = config_setting_add(g, "name", CONFIG_TYPE_STRING);
	config_setting_set_string(st, "fuzz");
	if (strcmp(key, "metrics_url") == 0) {
		st = config_setting_add(g, "url", CONFIG_TYPE_STRING);
		config_setting_set_string(st, "http://h/");
	}
	st = config_setting_add(g, key, CONFIG_TYPE_STRING);
	config_setting_set_string(st, text);
	c = check_parse(&errs, g, strcmp(key, "conninfo") == 0 ?
	    CHECK_POSTGRES : CHECK_HTTP, &set);
	if (c != NULL) {
		target = check_target(c);
		if (target == NULL)
			abort();
		free(target);
		check_free(c);
	}
	/* "://user:pw@" with a password of 8 or more characters: no message
	 * quotes it (with its "://", which no message of ours holds). */
	if ((start = strstr(text, "://")) != NULL &&
	    (pw = strchr(start + 3, ':')) != NULL &&
	    (at = strchr(pw, '@')) != NULL && at - pw > 8 &&
	    memchr(pw, '/', (size_t)(at - pw)) == NULL)
		secret = strndup(start, (size_t)(at - start));
	for (i = 0; i < errs.n; i++)
		if (secret != NULL && strstr(errs.v[i].msg, secret) != NULL)
			abort();
	free(secret);
	cfg_errors_free(&errs);
	config_destroy(&lc);
	free(text);
	return 0;
}
