/* Name resolution that never blocks the event loop: libevent's evdns on
 * the shared event_base, so that libpq and hiredis can connect by address. */
#ifndef MAINTOP_RESOLVE_H
#define MAINTOP_RESOLVE_H

struct event_base;
struct resolve;
struct resolve_req;

/*
 * The result: err is 0 and addr a numeric address (valid only during the
 * callback), or err is non-zero and addr NULL and why says what failed.
 */
typedef void (*resolve_cb)(int err, const char *addr, const char *why,
    void *arg);

/*
 * Creates a resolver on base, reading /etc/resolv.conf and /etc/hosts.
 * It keeps no event active while idle, so a loop with nothing else to do
 * still ends.  Freed with resolve_free after every request is done or
 * cancelled.
 */
struct resolve *resolve_new(struct event_base *);
void resolve_free(struct resolve *);

/*
 * Resolves host (a name, or a numeric IPv4 or IPv6 address, which is
 * answered at once without any lookup).  cb is called exactly once unless
 * the request is cancelled.  When the answer is known at once (numeric
 * address, hosts file, malformed name), cb is called before resolve_start
 * returns and the result is NULL; otherwise the result is a handle for
 * resolve_cancel, valid until cb is called.
 */
struct resolve_req *resolve_start(struct resolve *, const char *host,
    resolve_cb, void *arg);
/* Cancels a pending request; its callback is not called. */
void resolve_cancel(struct resolve_req *);

/*
 * The host libpq would connect to for conninfo, when it needs resolving
 * first: its host, or else $PGHOST (not with a service, whose file libpq
 * reads itself).  NULL for a socket directory, an address, a list of
 * hosts, or a hostaddr given.  The caller frees it.
 */
char *resolve_pg_host(const char *conninfo, int service);

/* True if host is a numeric IPv4 or IPv6 address. */
int resolve_is_numeric(const char *host);

#endif
