/* A LISTEN connection to the team store on the event loop: what tells a
 * dashboard that the team's runs changed, and whether the store answers. */
#ifndef MAINTOP_STORE_LISTEN_H
#define MAINTOP_STORE_LISTEN_H

struct event_base;
struct store_conf;
struct store_listen;

enum store_listen_event {
	STORE_LISTEN_UP,	/* listening (text NULL) */
	STORE_LISTEN_DOWN,	/* lost or not reached: text says why */
	STORE_LISTEN_NOTIFY	/* a notification: text is its payload,
				 * as the server sent it (not sanitized) */
};

/* text is valid during the call only. */
typedef void (*store_listen_cb)(enum store_listen_event, const char *text,
    void *arg);

/*
 * Connects to the store of conf (copied) without ever blocking the loop:
 * the host name resolved by resolve.c, then PQconnectStartParams and
 * PQconnectPoll by address, a deadline of 10 s, TCP keepalives; then
 * LISTEN on STORE_PG_CHANNEL (store_pg.h), and notifications read as the socket
 * becomes readable.  A connection lost, refused or not made in time is
 * told once as DOWN and tried again (after 0.5 s, doubling up to 5 s)
 * until it is UP again.  The password comes from conf->password_env (when
 * set) and is wiped from our copies at once.
 */
struct store_listen *store_listen_new(struct event_base *,
    const struct store_conf *, store_listen_cb, void *arg);
/*
 * The same connection for one statement sql (with $1 param when not
 * NULL) instead of LISTEN: UP is told when its result comes, however long
 * it waits (such as for an advisory lock), DOWN and a new try as above.
 */
struct store_listen *store_listen_query(struct event_base *,
    const struct store_conf *, const char *sql, const char *param,
    store_listen_cb, void *arg);
/* Closes the connection; no callback after this (not to be called from
 * the callback itself).  NULL is fine. */
void store_listen_free(struct store_listen *);

#endif
