/* Limits on what a Redis server may send: hiredis's reader with bounded
 * elements and bytes per reply, and a bounded unparsed buffer, enforced
 * while the reply is read. */
#ifndef MAINTOP_REDIS_REPLY_H
#define MAINTOP_REDIS_REPLY_H

#include <stddef.h>

struct redisReader;

/* A real INFO is a few kilobytes; the probe sends nothing that answers
 * with more than a handful of elements. */
#define REDIS_REPLY_MAX_BYTES		(1024 * 1024)
#define REDIS_REPLY_MAX_ELEMENTS	4096

/*
 * What one reader has built of its current reply.  Kept by the caller for
 * as long as the reader lives.
 */
struct redis_reply_budget {
	size_t		 elements;	/* objects of the current reply */
	size_t		 bytes;		/* string bytes of the current reply */
	int		 exceeded;	/* a limit was crossed: the reader failed */
};

/*
 * Makes the reader refuse a reply with more than REDIS_REPLY_MAX_ELEMENTS
 * objects or REDIS_REPLY_MAX_BYTES bytes of strings: it fails (hiredis
 * reports an out-of-memory error) and b->exceeded is set.  b must outlive
 * the reader.
 */
void redis_reply_limit(struct redisReader *, struct redis_reply_budget *b);

/*
 * Returns 1 when the reader holds more than REDIS_REPLY_MAX_BYTES of a
 * reply not yet complete (a bulk string announcing gigabytes), and sets
 * b->exceeded; 0 otherwise.  Called before each read of the socket.
 */
int redis_reply_over(const struct redisReader *, struct redis_reply_budget *b);

/* The message for a reply over the limits ("reply larger than ..."). */
const char *redis_reply_why(void);

#endif
