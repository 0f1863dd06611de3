/* Fuzz target for the Redis INFO parser: every accessor over whatever was
 * parsed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "redis_info.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "role", "connected_clients",
	    "used_memory", "mem_fragmentation_ratio", "db0", "slave0",
	    "master_repl_offset", "" };
	struct redis_info *ri = redis_info_parse((const char *)data, size);
	const struct redis_info_db *db;
	const struct redis_info_replica *r;
	const char *section, *key, *value;
	long long n;
	double d;
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		redis_info_get(ri, keys[i]);
		redis_info_get_ll(ri, keys[i], &n);
		redis_info_get_double(ri, keys[i], &d);
	}
	for (i = 0; i < redis_info_count(ri); i++) {
		redis_info_entry(ri, i, &section, &key, &value);
		/* Every kept key must be found again, with the first value. */
		if (redis_info_get(ri, key) == NULL ||
		    strlen(key) > REDIS_INFO_MAX_KEY ||
		    strlen(value) > REDIS_INFO_MAX_VALUE)
			abort();
		redis_info_get_ll(ri, key, &n);
		redis_info_get_double(ri, key, &d);
	}
	if (redis_info_count(ri) > REDIS_INFO_MAX_ENTRIES)
		abort();
	for (i = 0; i < redis_info_ndb(ri); i++) {
		db = redis_info_db(ri, i);
		if (db->keys < 0 || db->expires < 0)
			abort();
	}
	for (i = 0; i < redis_info_nreplicas(ri); i++) {
		r = redis_info_replica(ri, i);
		if (r->ip == NULL || r->state == NULL || r->port > 65535)
			abort();
	}
	redis_info_free(ri);
	return 0;
}
