/* Parses the reply of the Redis INFO command into named fields, databases
 * and replicas. */
#include "redis_info.h"

#include <ctype.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define REDIS_INFO_MAX_SECTIONS	256
#define REDIS_INFO_MAX_SECTION	64

struct redis_info_entry {
	const char	*section;	/* points into sections */
	char		*key;
	char		*value;
};

struct redis_info {
	struct redis_info_entry		*entries;
	size_t				 nentries;
	size_t				 centries;	/* allocated */
	size_t				*sorted;	/* entry indices by key */
	char				**sections;
	size_t				 nsections;
	struct redis_info_db		*dbs;
	size_t				 ndbs;
	size_t				 cdbs;
	struct redis_info_replica	*replicas;
	size_t				 nreplicas;
	size_t				 creplicas;
	size_t				 skipped;
};

/* A key is printable ASCII without spaces or colons. */
static int
key_valid(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || n > REDIS_INFO_MAX_KEY)
		return 0;
	for (i = 0; i < n; i++) {
		if (p[i] <= ' ' || p[i] > '~' || p[i] == ':')
			return 0;
	}
	return 1;
}

/* True if s is "prefix" followed by one to nine digits; stores them. */
static int
numbered(const char *s, const char *prefix, int *n)
{
	size_t plen = strlen(prefix), i;
	int v = 0;

	if (strncmp(s, prefix, plen) != 0)
		return 0;
	s += plen;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= 9 || !isdigit((unsigned char)s[i]))
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	if (i == 0)
		return 0;
	*n = v;
	return 1;
}

static int
strict_ll(const char *s, long long *out)
{
	char *end;
	long long v;

	if (*s != '-' && *s != '+' && !isdigit((unsigned char)*s))
		return -1;
	if ((*s == '-' || *s == '+') && !isdigit((unsigned char)s[1]))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

/*
 * Walks "k=v,k=v" in value, calling back for each pair.  Pairs without '='
 * are ignored.  The value is copied so that pairs can be cut in place.
 */
static void
each_pair(const char *value, void (*cb)(void *, const char *, const char *),
    void *arg)
{
	char *copy = xstrdup(value), *p = copy, *next, *eq;

	while (p != NULL) {
		next = strchr(p, ',');
		if (next != NULL)
			*next++ = '\0';
		eq = strchr(p, '=');
		if (eq != NULL) {
			*eq = '\0';
			cb(arg, p, eq + 1);
		}
		p = next;
	}
	free(copy);
}

struct db_parse {
	struct redis_info_db	db;
	int			have_keys;
	int			have_expires;
};

static void
db_pair(void *arg, const char *k, const char *v)
{
	struct db_parse *dp = arg;
	long long n;

	if (strict_ll(v, &n) != 0 || n < 0)
		return;
	if (strcmp(k, "keys") == 0) {
		dp->db.keys = n;
		dp->have_keys = 1;
	} else if (strcmp(k, "expires") == 0) {
		dp->db.expires = n;
		dp->have_expires = 1;
	} else if (strcmp(k, "avg_ttl") == 0)
		dp->db.avg_ttl = n;
}

static void
add_db(struct redis_info *ri, int index, const char *value)
{
	struct db_parse dp;

	memset(&dp, 0, sizeof dp);
	dp.db.index = index;
	dp.db.avg_ttl = -1;
	each_pair(value, db_pair, &dp);
	if (!dp.have_keys || !dp.have_expires)
		return;
	if (ri->ndbs == ri->cdbs) {
		ri->cdbs = ri->cdbs == 0 ? 16 : ri->cdbs * 2;
		ri->dbs = xreallocarray(ri->dbs, ri->cdbs, sizeof *ri->dbs);
	}
	ri->dbs[ri->ndbs++] = dp.db;
}

static void
replica_pair(void *arg, const char *k, const char *v)
{
	struct redis_info_replica *r = arg;
	long long n;

	if (strcmp(k, "ip") == 0 && *r->ip == '\0') {
		free(r->ip);
		r->ip = xstrdup(v);
	} else if (strcmp(k, "state") == 0 && *r->state == '\0') {
		free(r->state);
		r->state = xstrdup(v);
	} else if (strict_ll(v, &n) != 0 || n < 0)
		return;
	else if (strcmp(k, "port") == 0 && n <= 65535)
		r->port = (int)n;
	else if (strcmp(k, "offset") == 0)
		r->offset = n;
	else if (strcmp(k, "lag") == 0)
		r->lag = n;
}

static void
add_replica(struct redis_info *ri, const char *value)
{
	struct redis_info_replica r;

	r.ip = xstrdup("");
	r.state = xstrdup("");
	r.port = -1;
	r.offset = -1;
	r.lag = -1;
	each_pair(value, replica_pair, &r);
	if (ri->nreplicas == ri->creplicas) {
		ri->creplicas = ri->creplicas == 0 ? 4 : ri->creplicas * 2;
		ri->replicas = xreallocarray(ri->replicas, ri->creplicas,
		    sizeof *ri->replicas);
	}
	ri->replicas[ri->nreplicas++] = r;
}

static void
add_section(struct redis_info *ri, const char *p, size_t n)
{
	/* "# Server": drop the hash and the blanks around the name. */
	p++;
	n--;
	while (n > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n > REDIS_INFO_MAX_SECTION ||
	    ri->nsections >= REDIS_INFO_MAX_SECTIONS) {
		ri->skipped++;
		return;
	}
	ri->sections = xreallocarray(ri->sections, ri->nsections + 1,
	    sizeof *ri->sections);
	ri->sections[ri->nsections++] = xstrndup(p, n);
}

static void
add_line(struct redis_info *ri, const char *p, size_t n)
{
	const char *colon;
	struct redis_info_entry *e;
	size_t klen, vlen;
	int index;

	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (n == 0)
		return;
	if (memchr(p, '\0', n) != NULL) {
		ri->skipped++;
		return;
	}
	if (p[0] == '#') {
		add_section(ri, p, n);
		return;
	}
	colon = memchr(p, ':', n);
	if (colon == NULL) {
		ri->skipped++;
		return;
	}
	klen = (size_t)(colon - p);
	vlen = n - klen - 1;
	if (!key_valid(p, klen) || vlen > REDIS_INFO_MAX_VALUE ||
	    ri->nentries >= REDIS_INFO_MAX_ENTRIES) {
		ri->skipped++;
		return;
	}
	if (ri->nentries == ri->centries) {
		ri->centries = ri->centries == 0 ? 64 : ri->centries * 2;
		ri->entries = xreallocarray(ri->entries, ri->centries,
		    sizeof *ri->entries);
	}
	e = &ri->entries[ri->nentries++];
	e->section = ri->nsections > 0 ? ri->sections[ri->nsections - 1] : "";
	e->key = xstrndup(p, klen);
	e->value = xstrndup(colon + 1, vlen);

	if (numbered(e->key, "db", &index))
		add_db(ri, index, e->value);
	else if (numbered(e->key, "slave", &index))
		add_replica(ri, e->value);
}

/* Orders entry indices by key, then by position, so that a lookup finds
 * the first of repeated keys. */
static int
sort_cmp(const void *a, const void *b, void *arg)
{
	const struct redis_info_entry *entries = arg;
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	int c = strcmp(entries[ia].key, entries[ib].key);

	if (c != 0)
		return c;
	return ia < ib ? -1 : ia > ib;
}

struct redis_info *
redis_info_parse(const char *text, size_t len)
{
	struct redis_info *ri = xcalloc(1, sizeof *ri);
	const char *p = text, *end = text + len, *nl;
	size_t i;

	if (text == NULL)
		end = p;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		add_line(ri, p, (size_t)(nl - p));
		p = nl + (nl < end);
	}
	ri->sorted = xreallocarray(NULL, ri->nentries, sizeof *ri->sorted);
	for (i = 0; i < ri->nentries; i++)
		ri->sorted[i] = i;
	qsort_r(ri->sorted, ri->nentries, sizeof *ri->sorted, sort_cmp,
	    ri->entries);
	return ri;
}

void
redis_info_free(struct redis_info *ri)
{
	size_t i;

	if (ri == NULL)
		return;
	for (i = 0; i < ri->nentries; i++) {
		free(ri->entries[i].key);
		free(ri->entries[i].value);
	}
	free(ri->entries);
	free(ri->sorted);
	for (i = 0; i < ri->nsections; i++)
		free(ri->sections[i]);
	free(ri->sections);
	free(ri->dbs);
	for (i = 0; i < ri->nreplicas; i++) {
		free(ri->replicas[i].ip);
		free(ri->replicas[i].state);
	}
	free(ri->replicas);
	free(ri);
}

const char *
redis_info_get(const struct redis_info *ri, const char *key)
{
	size_t lo = 0, hi = ri->nentries, mid;

	/* The first sorted position whose key is not less than key. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(ri->entries[ri->sorted[mid]].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ri->nentries &&
	    strcmp(ri->entries[ri->sorted[lo]].key, key) == 0)
		return ri->entries[ri->sorted[lo]].value;
	return NULL;
}

int
redis_info_get_ll(const struct redis_info *ri, const char *key,
    long long *out)
{
	const char *v = redis_info_get(ri, key);

	if (v == NULL)
		return -1;
	return strict_ll(v, out);
}

int
redis_info_get_double(const struct redis_info *ri, const char *key,
    double *out)
{
	const char *v = redis_info_get(ri, key);

	if (v == NULL)
		return -1;
	return util_strict_double(v, out);
}

size_t
redis_info_count(const struct redis_info *ri)
{
	return ri->nentries;
}

void
redis_info_entry(const struct redis_info *ri, size_t i, const char **section,
    const char **key, const char **value)
{
	const struct redis_info_entry *e = &ri->entries[i];

	if (section != NULL)
		*section = e->section;
	if (key != NULL)
		*key = e->key;
	if (value != NULL)
		*value = e->value;
}

size_t
redis_info_skipped(const struct redis_info *ri)
{
	return ri->skipped;
}

size_t
redis_info_ndb(const struct redis_info *ri)
{
	return ri->ndbs;
}

const struct redis_info_db *
redis_info_db(const struct redis_info *ri, size_t i)
{
	return i < ri->ndbs ? &ri->dbs[i] : NULL;
}

size_t
redis_info_nreplicas(const struct redis_info *ri)
{
	return ri->nreplicas;
}

const struct redis_info_replica *
redis_info_replica(const struct redis_info *ri, size_t i)
{
	return i < ri->nreplicas ? &ri->replicas[i] : NULL;
}
