/* What the demo HTTP server's two halves share: the server and its pending
 * requests (demo_httpd.c) and the endpoints (demo_httpd_routes.c).  Private
 * to the demo library. */
#ifndef MAINTOP_DEMO_HTTPD_INT_H
#define MAINTOP_DEMO_HTTPD_INT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

struct evhttp_request;

/* Upper bounds of the latency histogram's buckets, in seconds. */
#define DEMO_HTTPD_NBUCKETS	11
extern const double demo_httpd_buckets[DEMO_HTTPD_NBUCKETS];

enum httpd_kind {
	HTTPD_SLOW,
	HTTPD_HANG,
	HTTPD_HUGE
};

struct httpd;

/*
 * A request accepted and not yet fully answered.  It is tied to its
 * connection's close callback, so that when the client goes away (and
 * evhttp frees the request) the timer is cancelled and nothing touches the
 * freed request.
 */
struct httpd_pending {
	struct httpd			*h;
	enum httpd_kind			 kind;
	struct evhttp_request		*req;
	struct evhttp_connection	*evcon;
	struct event			*timer;		/* HTTPD_SLOW */
	struct event			*watch;		/* client close */
	uint64_t			 remaining;	/* HTTPD_HUGE, bytes */
	long long			 start;		/* monotonic ms */
	struct httpd_pending		*prev;
	struct httpd_pending		*next;
};

struct httpd {
	struct event_base	*base;
	struct evhttp		*http[3];	/* plain, TLS, second TLS */
	SSL_CTX			*ctx[2];
	int			 healthy;
	int			 verbose;
	unsigned long long	 codes[600];
	unsigned long long	 buckets[DEMO_HTTPD_NBUCKETS];
	unsigned long long	 count;
	double			 sum;
	unsigned long long	 started;	/* requests seen */
	struct httpd_pending	*pending;
	long			 npending;
};

/* Counts an answer with status code that took since start ms, for
 * /metrics. */
void demo_httpd_account(struct httpd *, int code, long long start);
/* Logs an answer to stderr when the server is verbose. */
void demo_httpd_log(struct httpd *, struct evhttp_request *, int code);

/* Sends a whole answer with body (len bytes) of content type ctype, and
 * counts it for /metrics. */
void demo_httpd_reply(struct httpd *, struct evhttp_request *, int code,
    const char *reason, const char *ctype, const char *body, size_t len,
    long long start);
/* The same with a string body. */
void demo_httpd_reply_str(struct httpd *, struct evhttp_request *, int code,
    const char *ctype, const char *body, long long start);

/* Keeps req as pending (of kind, accepted at start, monotonic ms) until it
 * is answered or its client goes away, which frees it. */
struct httpd_pending *demo_httpd_pending_new(struct httpd *,
    struct evhttp_request *, enum httpd_kind, long long start);
/* The request is about to be answered: detach p from its connection and
 * free it. */
void demo_httpd_pending_done(struct httpd_pending *);
/* Unlinks and frees p; its request is not touched. */
void demo_httpd_pending_free(struct httpd_pending *);

/* evhttp's callback for every request (arg: the struct httpd): answers
 * by path, 404 for an unknown one. */
void demo_httpd_routes_dispatch(struct evhttp_request *, void *arg);

#endif
