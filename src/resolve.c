/* Resolves host names through libevent's evdns on the shared loop, so no
 * probe ever calls the blocking getaddrinfo. */
#include "resolve.h"

#include <arpa/inet.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libpq-fe.h>

#include "util.h"

struct resolve {
	struct event_base	*base;
	struct evdns_base	*dns;
};

struct resolve_req {
	struct evdns_getaddrinfo_request *gai;
	resolve_cb		 cb;	/* NULL once cancelled */
	void			*arg;
	int			 done;	/* the answer came synchronously */
};

struct resolve *
resolve_new(struct event_base *base)
{
	struct resolve *r;

	r = xcalloc(1, sizeof *r);
	r->base = base;
	/*
	 * DISABLE_WHEN_INACTIVE: the resolver's socket holds no event while
	 * nothing is pending, so "run once" loops end by themselves.
	 */
	r->dns = evdns_base_new(base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
	    EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	if (r->dns == NULL) {
		/* No usable resolv.conf: the hosts file still answers. */
		r->dns = evdns_base_new(base, EVDNS_BASE_DISABLE_WHEN_INACTIVE);
		if (r->dns == NULL)
			fatal("evdns_base_new failed");
	}
	evdns_base_load_hosts(r->dns, NULL);
	return r;
}

void
resolve_free(struct resolve *r)
{
	if (r == NULL)
		return;
	evdns_base_free(r->dns, 1);
	free(r);
}

int
resolve_is_numeric(const char *host)
{
	struct in6_addr a6;
	struct in_addr a4;

	return inet_pton(AF_INET, host, &a4) == 1 ||
	    inet_pton(AF_INET6, host, &a6) == 1;
}

static void
resolve_done(int err, struct evutil_addrinfo *res, void *arg)
{
	struct resolve_req *q = arg;
	struct evutil_addrinfo *ai, *pick = NULL;
	char addr[INET6_ADDRSTRLEN];
	const void *p;

	q->done = 1;
	if (q->cb == NULL) {
		/* Cancelled (err is EVUTIL_EAI_CANCEL) */
		if (res != NULL)
			evutil_freeaddrinfo(res);
		free(q);
		return;
	}
	if (err == 0) {
		/* IPv4 first: loopback test servers listen there. */
		for (ai = res; ai != NULL; ai = ai->ai_next)
			if (ai->ai_family == AF_INET) {
				pick = ai;
				break;
			}
		if (pick == NULL)
			for (ai = res; ai != NULL; ai = ai->ai_next)
				if (ai->ai_family == AF_INET6) {
					pick = ai;
					break;
				}
	}
	if (pick == NULL) {
		q->cb(err != 0 ? err : -1, NULL, err != 0 ?
		    evutil_gai_strerror(err) : "no address", q->arg);
	} else {
		if (pick->ai_family == AF_INET)
			p = &((struct sockaddr_in *)pick->ai_addr)->sin_addr;
		else
			p = &((struct sockaddr_in6 *)pick->ai_addr)->sin6_addr;
		inet_ntop(pick->ai_family, p, addr, sizeof addr);
		q->cb(0, addr, NULL, q->arg);
	}
	if (res != NULL)
		evutil_freeaddrinfo(res);
	/* A synchronous answer is freed by resolve_start. */
	if (q->gai != NULL)
		free(q);
}

struct resolve_req *
resolve_start(struct resolve *r, const char *host, resolve_cb cb, void *arg)
{
	struct evutil_addrinfo hints;
	struct resolve_req *q;

	if (resolve_is_numeric(host)) {
		cb(0, host, NULL, arg);
		return NULL;
	}
	q = xcalloc(1, sizeof *q);
	q->cb = cb;
	q->arg = arg;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = EVUTIL_AI_ADDRCONFIG;
	q->gai = evdns_getaddrinfo(r->dns, host, NULL, &hints, resolve_done,
	    q);
	if (q->gai == NULL || q->done) {
		/* Answered (and called back) already. */
		free(q);
		return NULL;
	}
	return q;
}

void
resolve_cancel(struct resolve_req *q)
{
	if (q == NULL)
		return;
	q->cb = NULL;
	/* Calls resolve_done with EVUTIL_EAI_CANCEL, which frees q. */
	evdns_getaddrinfo_cancel(q->gai);
}

char *
resolve_pg_host(const char *conninfo, int service)
{
	PQconninfoOption *opts, *o;
	const char *host = NULL;
	char *out = NULL;
	int hostaddr = 0;

	opts = conninfo != NULL ? PQconninfoParse(conninfo, NULL) : NULL;
	for (o = opts; o != NULL && o->keyword != NULL; o++) {
		if (o->val == NULL || *o->val == '\0')
			continue;
		if (strcmp(o->keyword, "host") == 0)
			host = o->val;
		else if (strcmp(o->keyword, "hostaddr") == 0)
			hostaddr = 1;
		else if (strcmp(o->keyword, "service") == 0)
			service = 1;
	}
	if (host == NULL && !service)
		host = getenv("PGHOST");
	if (host != NULL && !hostaddr && *host != '/' && *host != '@' &&
	    strchr(host, ',') == NULL && !resolve_is_numeric(host))
		out = xstrdup(host);
	PQconninfoFree(opts);
	return out;
}
