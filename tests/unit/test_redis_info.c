/* Tests of the Redis INFO parser on replies captured from redis-server 7.0
 * and on hostile text. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redis_info.h"
#include "sanitize.h"
#include "tap.h"
#include "util.h"

#ifndef REDIS_INFO_DATADIR
#define REDIS_INFO_DATADIR "tests/unit/data"
#endif

static char *
slurp(const char *name, size_t *len)
{
	char *path = xasprintf("%s/%s", REDIS_INFO_DATADIR, name);
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[4096];
	size_t n;

	buf_init(&b);
	buf_add(&b, "", 0);
	if (f == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		free(path);
		*len = 0;
		return buf_detach(&b);
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	free(path);
	*len = b.len;
	return buf_detach(&b);
}

static struct redis_info *
parse_str(const char *s)
{
	return redis_info_parse(s, strlen(s));
}

/* The reply of a primary with one replica and two databases. */
static void
test_primary(void)
{
	size_t len;
	char *text = slurp("redis_info_server.txt", &len);
	struct redis_info *ri = redis_info_parse(text, len);
	const struct redis_info_db *db;
	const struct redis_info_replica *r;
	const char *section, *key, *value;
	long long n;
	double d;

	ok(len > 1000, "sample read");
	is_str(redis_info_get(ri, "redis_version"), "7.0.15", "redis_version");
	is_str(redis_info_get(ri, "role"), "master", "role");
	is_str(redis_info_get(ri, "config_file"), "", "empty value kept");
	is_str(redis_info_get(ri, "rdb_last_bgsave_status"), "ok",
	    "rdb_last_bgsave_status");
	ok(redis_info_get(ri, "no_such_field") == NULL, "absent field NULL");
	ok(redis_info_get_ll(ri, "connected_clients", &n) == 0 && n == 1,
	    "connected_clients as integer");
	ok(redis_info_get_ll(ri, "used_memory", &n) == 0 && n == 1108616,
	    "used_memory");
	ok(redis_info_get_ll(ri, "maxmemory", &n) == 0 && n == 0, "maxmemory");
	ok(redis_info_get_ll(ri, "aof_enabled", &n) == 0 && n == 0,
	    "aof_enabled");
	ok(redis_info_get_ll(ri, "evicted_keys", &n) == 0 && n == 0,
	    "evicted_keys");
	ok(redis_info_get_double(ri, "mem_fragmentation_ratio", &d) == 0 &&
	    d > 11.61 && d < 11.63, "mem_fragmentation_ratio as double");
	ok(redis_info_get_ll(ri, "mem_fragmentation_ratio", &n) == -1,
	    "a ratio is not an integer");
	ok(redis_info_get_ll(ri, "role", &n) == -1, "role is not a number");
	ok(redis_info_get_double(ri, "role", &d) == -1,
	    "role is not a double");
	ok(redis_info_get_ll(ri, "master_repl_offset", &n) == 0 && n == 171,
	    "master_repl_offset");
	is_int((long long)redis_info_skipped(ri), 0, "nothing skipped");
	ok(redis_info_count(ri) > 150, "every field kept");
	redis_info_entry(ri, 0, &section, &key, &value);
	is_str(section, "Server", "first field in section Server");
	is_str(key, "redis_version", "first field's key");
	is_str(value, "7.0.15", "first field's value");

	is_int((long long)redis_info_ndb(ri), 2, "two databases");
	db = redis_info_db(ri, 0);
	ok(db != NULL && db->index == 0 && db->keys == 2 && db->expires == 1 &&
	    db->avg_ttl > 900000, "db0: 2 keys, 1 expiring");
	db = redis_info_db(ri, 1);
	ok(db != NULL && db->index == 3 && db->keys == 1 && db->expires == 0 &&
	    db->avg_ttl == 0, "db3: 1 key");
	ok(redis_info_db(ri, 2) == NULL, "no third database");

	is_int((long long)redis_info_nreplicas(ri), 1, "one replica");
	r = redis_info_replica(ri, 0);
	ok(r != NULL, "replica 0");
	is_str(r->ip, "127.0.0.1", "replica ip");
	is_int(r->port, 6391, "replica port");
	is_str(r->state, "online", "replica state");
	is_int(r->offset, 157, "replica offset");
	is_int(r->lag, 1, "replica lag");
	ok(redis_info_replica(ri, 1) == NULL, "no second replica");
	redis_info_free(ri);
	free(text);
}

static void
test_replica(void)
{
	size_t len;
	char *text = slurp("redis_info_replica.txt", &len);
	struct redis_info *ri = redis_info_parse(text, len);
	long long n;

	is_str(redis_info_get(ri, "role"), "slave", "replica role");
	is_str(redis_info_get(ri, "master_host"), "127.0.0.1", "master_host");
	ok(redis_info_get_ll(ri, "master_port", &n) == 0 && n == 6390,
	    "master_port");
	is_str(redis_info_get(ri, "master_link_status"), "up",
	    "master_link_status");
	ok(redis_info_get_ll(ri, "slave_repl_offset", &n) == 0 && n == 171,
	    "slave_repl_offset is a field, not a replica");
	is_int((long long)redis_info_nreplicas(ri), 0, "no replicas listed");
	is_int((long long)redis_info_ndb(ri), 2, "two databases");
	redis_info_free(ri);
	free(text);
}

static void
test_numbers(void)
{
	struct redis_info *ri = parse_str(
	    "a:12\nb:-5\nc:+7\nd:12abc\ne: 12\nf:\ng:+\nh:9223372036854775807\n"
	    "i:9223372036854775808\nj:1e3\nk:1.\nl:.5\nm:.\nn:nan\no:inf\n"
	    "p:0x10\nq:1,5\nr:-1.5e-3\ns:1e999\nt:12 \nu:1e\nv:-\n");
	long long n;
	double d;

	ok(redis_info_get_ll(ri, "a", &n) == 0 && n == 12, "12");
	ok(redis_info_get_ll(ri, "b", &n) == 0 && n == -5, "-5");
	ok(redis_info_get_ll(ri, "c", &n) == 0 && n == 7, "+7");
	ok(redis_info_get_ll(ri, "d", &n) == -1, "12abc refused");
	ok(redis_info_get_ll(ri, "e", &n) == -1, "leading space refused");
	ok(redis_info_get_ll(ri, "t", &n) == -1, "trailing space refused");
	ok(redis_info_get_ll(ri, "f", &n) == -1, "empty refused");
	ok(redis_info_get_ll(ri, "g", &n) == -1, "sign alone refused");
	ok(redis_info_get_ll(ri, "h", &n) == 0 && n == 9223372036854775807LL,
	    "LLONG_MAX");
	ok(redis_info_get_ll(ri, "i", &n) == -1, "overflow refused");
	ok(redis_info_get_ll(ri, "j", &n) == -1, "1e3 is not an integer");
	ok(redis_info_get_double(ri, "j", &d) == 0 && d == 1000, "1e3");
	ok(redis_info_get_double(ri, "a", &d) == 0 && d == 12,
	    "an integer is a double");
	ok(redis_info_get_double(ri, "k", &d) == 0 && d == 1, "1.");
	ok(redis_info_get_double(ri, "l", &d) == 0 && d == 0.5, ".5");
	ok(redis_info_get_double(ri, "r", &d) == 0 && d == -1.5e-3,
	    "-1.5e-3");
	ok(redis_info_get_double(ri, "m", &d) == -1, ". refused");
	ok(redis_info_get_double(ri, "n", &d) == -1, "nan refused");
	ok(redis_info_get_double(ri, "o", &d) == -1, "inf refused");
	ok(redis_info_get_double(ri, "p", &d) == -1, "hex refused");
	ok(redis_info_get_double(ri, "q", &d) == -1, "1,5 refused");
	ok(redis_info_get_double(ri, "s", &d) == -1, "overflow refused");
	ok(redis_info_get_double(ri, "t", &d) == -1, "trailing space refused");
	ok(redis_info_get_double(ri, "u", &d) == -1, "1e refused");
	ok(redis_info_get_double(ri, "v", &d) == -1, "- refused");
	ok(redis_info_get_double(ri, "zz", &d) == -1, "absent refused");
	redis_info_free(ri);

	/* With a locale whose decimal point is a comma, if one exists. */
	if (setlocale(LC_NUMERIC, "de_DE.UTF-8") != NULL ||
	    setlocale(LC_NUMERIC, "fr_FR.UTF-8") != NULL) {
		ri = parse_str("r:1.25\n");
		ok(redis_info_get_double(ri, "r", &d) == 0 && d == 1.25,
		    "1.25 read in a comma locale");
		redis_info_free(ri);
		setlocale(LC_NUMERIC, "C");
	}
}

static void
test_hostile(void)
{
	struct redis_info *ri;
	const struct redis_info_replica *r;
	const char *section, *key, *value;
	struct buf b;
	char *clean;
	size_t i;
	long long n;

	ri = redis_info_parse(NULL, 0);
	ok(ri != NULL && redis_info_count(ri) == 0, "NULL text: empty");
	redis_info_free(ri);
	redis_info_free(NULL);

	ri = parse_str("garbage\nno colon here\n:empty key\nspace key:1\n"
	    "tab\tkey:1\n\x01" "ctl:1\nok:1\n\n\r\n# \n");
	is_int((long long)redis_info_count(ri), 1, "only the good line kept");
	is_int((long long)redis_info_skipped(ri), 6, "six lines skipped");
	is_str(redis_info_get(ri, "ok"), "1", "good line read");
	redis_info_free(ri);

	ri = redis_info_parse("a:1\0b:2\nc:3\r\nd:4", 16);
	ok(redis_info_get(ri, "a") == NULL && redis_info_get(ri, "b") == NULL,
	    "line with a NUL skipped");
	is_str(redis_info_get(ri, "c"), "3", "CRLF line");
	is_str(redis_info_get(ri, "d"), "4", "last line without newline");
	redis_info_free(ri);

	ri = parse_str("x:first\nx:second\nhost:::1\nurl:a:b:c\rd\n");
	is_str(redis_info_get(ri, "x"), "first", "first of repeated keys wins");
	is_str(redis_info_get(ri, "host"), "::1", "value with colons");
	is_str(redis_info_get(ri, "url"), "a:b:c\rd", "lone CR kept in value");
	redis_info_free(ri);

	/* Overlong names and values. */
	buf_init(&b);
	for (i = 0; i < REDIS_INFO_MAX_KEY + 1; i++)
		buf_addc(&b, 'k');
	buf_adds(&b, ":1\nv:");
	for (i = 0; i < REDIS_INFO_MAX_VALUE + 1; i++)
		buf_addc(&b, 'v');
	buf_adds(&b, "\nw:");
	for (i = 0; i < REDIS_INFO_MAX_VALUE; i++)
		buf_addc(&b, 'w');
	buf_adds(&b, "\n#");
	for (i = 0; i < 1000; i++)
		buf_addc(&b, 's');
	buf_adds(&b, "\nafter:1\n");
	ri = redis_info_parse(b.s, b.len);
	is_int((long long)redis_info_count(ri), 2,
	    "overlong key and value skipped, longest value kept");
	ok(redis_info_get(ri, "v") == NULL, "overlong value skipped");
	ok(redis_info_get(ri, "w") != NULL &&
	    strlen(redis_info_get(ri, "w")) == REDIS_INFO_MAX_VALUE,
	    "value at the limit kept");
	redis_info_entry(ri, 1, &section, &key, &value);
	is_str(section, "", "overlong section name skipped");
	is_int((long long)redis_info_skipped(ri), 3, "three lines skipped");
	redis_info_free(ri);

	/* Too many fields; 10 MB of input. */
	buf_reset(&b);
	for (i = 0; i < 1000000; i++)
		buf_printf(&b, "k%zu:%zu\r\n", i, i);
	ri = redis_info_parse(b.s, b.len);
	is_int((long long)redis_info_count(ri), REDIS_INFO_MAX_ENTRIES,
	    "fields capped");
	is_int((long long)redis_info_skipped(ri),
	    1000000 - REDIS_INFO_MAX_ENTRIES, "the rest counted as skipped");
	ok(redis_info_get_ll(ri, "k4095", &n) == 0 && n == 4095,
	    "last kept field found");
	ok(redis_info_get(ri, "k4096") == NULL, "first dropped field absent");
	redis_info_free(ri);

	/* Random bytes never crash and never leave control-free keys. */
	buf_reset(&b);
	srand(7);
	for (i = 0; i < 200000; i++)
		buf_addc(&b, (char)(i % 17 == 0 ? '\n' : i % 13 == 0 ? ':' :
		    rand() & 0xff));
	ri = redis_info_parse(b.s, b.len);
	for (i = 0, n = 0; i < redis_info_count(ri); i++) {
		redis_info_entry(ri, i, NULL, &key, NULL);
		if (strpbrk(key, " :\t\r\n\033") != NULL)
			n++;
	}
	is_int(n, 0, "random bytes: no key holds blanks or controls");
	redis_info_free(ri);
	buf_free(&b);

	/* Values are raw; sanitize before display. */
	ri = parse_str("msg:\033]0;pwned\007hi\033[2J\n");
	clean = sanitize_cstr(redis_info_get(ri, "msg"), 0);
	is_str(clean, "hi", "escape sequences in a value are sanitizable");
	free(clean);
	redis_info_free(ri);

	/* Keyspace and replica lines, malformed ones included. */
	ri = parse_str("# Keyspace\r\ndb0:keys=5,expires=2,avg_ttl=10\r\n"
	    "db1:keys=x,expires=0\r\ndbx:keys=1,expires=0\r\n"
	    "db1234567890:keys=1,expires=0\r\ndb2:expires=1\r\n"
	    "db15:keys=3,expires=0,subexpiry=0\r\ndb-1:keys=1,expires=1\r\n"
	    "db7:keys=-1,expires=0\r\n"
	    "# Replication\r\nslave0:ip=::1,port=99999,state=online\r\n"
	    "slave1:garbage\r\nslave2:ip=a,ip=b,port=1,offset=-4,lag=2,"
	    "extra=1\r\nslaves:ip=1\r\n");
	is_int((long long)redis_info_ndb(ri), 2, "two well-formed databases");
	ok(redis_info_db(ri, 0)->index == 0 && redis_info_db(ri, 0)->keys == 5 &&
	    redis_info_db(ri, 0)->avg_ttl == 10, "db0 read");
	ok(redis_info_db(ri, 1)->index == 15 &&
	    redis_info_db(ri, 1)->avg_ttl == -1, "db15 without avg_ttl");
	is_int((long long)redis_info_nreplicas(ri), 3, "three slaveN lines");
	r = redis_info_replica(ri, 0);
	ok(strcmp(r->ip, "::1") == 0 && r->port == -1 && r->offset == -1 &&
	    r->lag == -1 && strcmp(r->state, "online") == 0,
	    "IPv6 replica, bad port ignored");
	r = redis_info_replica(ri, 1);
	ok(*r->ip == '\0' && *r->state == '\0' && r->port == -1,
	    "garbage replica: all absent");
	r = redis_info_replica(ri, 2);
	ok(strcmp(r->ip, "a") == 0 && r->port == 1 && r->offset == -1 &&
	    r->lag == 2, "repeated ip: first wins; negative offset ignored");
	redis_info_entry(ri, 0, &section, NULL, NULL);
	is_str(section, "Keyspace", "section of db0");
	redis_info_free(ri);
}

int
main(void)
{
	test_primary();
	test_replica();
	test_numbers();
	test_hostile();
	return tap_done();
}
