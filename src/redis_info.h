/* Parses the reply of the Redis INFO command into named fields, databases
 * and replicas. */
#ifndef MAINTOP_REDIS_INFO_H
#define MAINTOP_REDIS_INFO_H

#include <stddef.h>

/* Bounds that keep a hostile or broken server from costing much memory. */
#define REDIS_INFO_MAX_ENTRIES	4096
#define REDIS_INFO_MAX_KEY	128	/* bytes in a field name */
#define REDIS_INFO_MAX_VALUE	4096	/* bytes in a value */

/* One line of the keyspace section: "db0:keys=1,expires=0,avg_ttl=0". */
struct redis_info_db {
	int		 index;		/* the N of dbN */
	long long	 keys;
	long long	 expires;
	long long	 avg_ttl;	/* milliseconds; -1 when absent */
};

/* One line "slave0:ip=10.0.0.2,port=6380,state=online,offset=42,lag=0". */
struct redis_info_replica {
	char		*ip;		/* "" when absent */
	int		 port;		/* -1 when absent */
	char		*state;		/* "" when absent */
	long long	 offset;	/* -1 when absent */
	long long	 lag;		/* seconds; -1 when absent */
};

struct redis_info;

/*
 * Parses text (len bytes, need not be NUL-terminated, may hold NUL bytes)
 * as an INFO reply: "# Section" headers and "key:value" lines ended by
 * "\r\n" or "\n".  Never fails: a line that is malformed (no colon, an empty
 * or overlong name, a name with spaces or controls, an overlong value, a NUL
 * byte) is skipped and counted, and lines after the first
 * REDIS_INFO_MAX_ENTRIES fields are skipped too.  When a name repeats, the
 * first value wins.  Values are kept as the server sent them (they may hold
 * escape sequences: sanitize before display).  The caller frees the result
 * with redis_info_free().
 */
struct redis_info *redis_info_parse(const char *text, size_t len);
void redis_info_free(struct redis_info *);

/* The value of field key, or NULL.  Valid until redis_info_free(). */
const char *redis_info_get(const struct redis_info *, const char *key);
/*
 * The value of key as a whole decimal integer (optional sign, no spaces, no
 * trailing text, in range).  Returns 0 and stores it, or -1 when the field
 * is absent or not such a number.
 */
int redis_info_get_ll(const struct redis_info *, const char *key,
    long long *out);
/*
 * The value of key as a finite decimal number ("1.25", "-3", "2e-3"; no hex,
 * no "nan" or "inf"), read the same whatever the locale.  Returns 0 and
 * stores it, or -1.
 */
int redis_info_get_double(const struct redis_info *, const char *key,
    double *out);

/* Number of fields kept, and the i-th in the order received (0 <= i <
 * count); section is the last "# Section" header before it, "" if none. */
size_t redis_info_count(const struct redis_info *);
void redis_info_entry(const struct redis_info *, size_t i,
    const char **section, const char **key, const char **value);
/* Number of lines skipped as malformed or over the limits. */
size_t redis_info_skipped(const struct redis_info *);

/* The databases of the keyspace section, in the order received. */
size_t redis_info_ndb(const struct redis_info *);
const struct redis_info_db *redis_info_db(const struct redis_info *,
    size_t i);

/* The replicas listed by a primary (slaveN lines), in the order received. */
size_t redis_info_nreplicas(const struct redis_info *);
const struct redis_info_replica *redis_info_replica(const struct redis_info *,
    size_t i);

#endif
