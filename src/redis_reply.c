/* Bounded Redis replies: hiredis's reply object functions wrapped with
 * element and byte counts, and a check of the reader's unparsed buffer. */
#include <hiredis/hiredis.h>
#include <stddef.h>

#include "redis_reply.h"

/* hiredis's own functions (the same for every reader). */
static redisReplyObjectFunctions *redis_reply_orig;

/* Counts one object of the reply; NULL (a reader error) past the limits. */
static int
redis_reply_count(const redisReadTask *t, size_t objects, size_t bytes)
{
	struct redis_reply_budget *b = t->privdata;

	if (b == NULL)
		return 0;
	if (t->parent == NULL) {
		/* The first object of a new reply. */
		b->elements = 0;
		b->bytes = 0;
	}
	if (objects > REDIS_REPLY_MAX_ELEMENTS - b->elements ||
	    bytes > REDIS_REPLY_MAX_BYTES - b->bytes) {
		b->exceeded = 1;
		return -1;
	}
	b->elements += objects;
	b->bytes += bytes;
	return 0;
}

static void *
redis_reply_string(const redisReadTask *t, char *s, size_t len)
{
	if (redis_reply_count(t, 1, len) != 0)
		return NULL;
	return redis_reply_orig->createString(t, s, len);
}

static void *
redis_reply_array(const redisReadTask *t, int n)
{
	if (n < 0 || redis_reply_count(t, 1 + (size_t)n, 0) != 0)
		return NULL;
	return redis_reply_orig->createArray(t, n);
}

static void *
redis_reply_integer(const redisReadTask *t, long long v)
{
	if (redis_reply_count(t, 1, 0) != 0)
		return NULL;
	return redis_reply_orig->createInteger(t, v);
}

static void *
redis_reply_nil(const redisReadTask *t)
{
	if (redis_reply_count(t, 1, 0) != 0)
		return NULL;
	return redis_reply_orig->createNil(t);
}

static void
redis_reply_free(void *reply)
{
	redis_reply_orig->freeObject(reply);
}

static redisReplyObjectFunctions redis_reply_fns = {
	.createString = redis_reply_string,
	.createArray = redis_reply_array,
	.createInteger = redis_reply_integer,
	.createNil = redis_reply_nil,
	.freeObject = redis_reply_free,
};

void
redis_reply_limit(redisReader *r, struct redis_reply_budget *b)
{
	if (r->fn == NULL)
		return;		/* a reader that builds no objects */
	if (r->fn != &redis_reply_fns) {
		if (redis_reply_orig == NULL)
			redis_reply_orig = r->fn;
		r->fn = &redis_reply_fns;
	}
	b->elements = 0;
	b->bytes = 0;
	b->exceeded = 0;
	r->privdata = b;
}

int
redis_reply_over(const redisReader *r, struct redis_reply_budget *b)
{
	if (r->len - r->pos <= REDIS_REPLY_MAX_BYTES)
		return 0;
	b->exceeded = 1;
	return 1;
}

const char *
redis_reply_why(void)
{
	return "reply larger than the limit (1 MiB or 4096 elements)";
}
