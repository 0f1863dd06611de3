/* Fuzz target for Redis reply handling: the input, fed to hiredis's reader
 * with maintop's limits in pieces whose sizes the first byte chooses, the
 * way the probe's read handler feeds it; every reply built stays within
 * the limits, and a reader past them has failed. */
#include <hiredis/hiredis.h>
#include <stdint.h>
#include <stdlib.h>

#include "redis_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Objects in a reply, counting itself; aborts past the limits. */
static size_t
objects(const redisReply *r, int depth)
{
	size_t i, n = 1;

	if (depth > 9)
		abort();
	if (r->type == REDIS_REPLY_ARRAY)
		for (i = 0; i < r->elements; i++)
			n += objects(r->element[i], depth + 1);
	if ((r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS ||
	    r->type == REDIS_REPLY_ERROR) && r->len > REDIS_REPLY_MAX_BYTES)
		abort();
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct redis_reply_budget b;
	redisReader *rd;
	void *reply;
	size_t piece, off = 0;

	if (size == 0)
		return 0;
	piece = 1 + data[0] % 64;
	data++;
	size--;
	rd = redisReaderCreate();
	if (rd == NULL)
		abort();
	redis_reply_limit(rd, &b);
	while (off < size && !b.exceeded) {
		if (redis_reply_over(rd, &b))
			break;
		if (redisReaderFeed(rd, (const char *)data + off,
		    size - off < piece ? size - off : piece) != REDIS_OK)
			break;
		off += size - off < piece ? size - off : piece;
		for (;;) {
			reply = NULL;
			if (redisReaderGetReply(rd, &reply) != REDIS_OK) {
				if (reply != NULL)
					abort();
				goto out;
			}
			if (reply == NULL)
				break;
			if (objects(reply, 0) > REDIS_REPLY_MAX_ELEMENTS + 1)
				abort();
			freeReplyObject(reply);
		}
	}
out:
	redisReaderFree(rd);
	return 0;
}
