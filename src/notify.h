/* Notification channels (email through sendmail, webhooks through libcurl,
 * commands exec'd without a shell), the events they carry, and one
 * delivery attempt of an event to a channel, off the event loop's thread. */
#ifndef MAINTOP_NOTIFY_H
#define MAINTOP_NOTIFY_H

#include <libconfig.h>
#include <stddef.h>
#include <time.h>

#include "cfgutil.h"

struct event_base;
struct worker;

enum channel_kind {
	CHANNEL_EMAIL,
	CHANNEL_WEBHOOK,
	CHANNEL_COMMAND
};

struct check_secret_header;	/* check.h: a header read when sent */

/*
 * One element of the "channels" list.  Every string and array is owned by
 * the channel and freed by notify_channel_free.
 */
struct channel {
	char			*name;
	enum channel_kind	 kind;
	/* email */
	char		       **to;
	size_t			 nto;
	char			*from;		/* or NULL: sendmail decides */
	char			*sendmail;	/* /usr/sbin/sendmail */
	/* webhook */
	char			*url;
	int			 slack;		/* {"text": ...} body */
	struct check_secret_header *secrets;	/* read at each delivery */
	size_t			 nsecrets;
	/* command */
	char		       **argv;		/* argv[0] an absolute path */
	size_t			 nargv;
	/* all */
	long long		 timeout_ms;	/* one attempt (30 s) */
	long long		 rate_count;	/* at most this many messages */
	long long		 rate_per;	/* per this many seconds; 0: no
						 * limit */
	long long		 retries;	/* attempts before giving up (8) */
	long long		 backoff;	/* first retry after, seconds (30);
						 * doubling, at most an hour */
	char			*file;
	int			 line;
};

/*
 * Parses one element of "channels" (keys in doc/maintop.conf.5); every
 * problem goes to errs with its line.  Returns NULL when there was any.
 */
struct channel *notify_channel_parse(struct cfg_errors *,
    const config_setting_t *);
void notify_channel_free(struct channel *);
/* "email", "webhook" or "command". */
const char *notify_kind_name(enum channel_kind);

/*
 * An event: what happened, as a JSON object with a stable id (the same
 * happening always gets the same id, so that it is delivered once).
 * Members: id, type (e.g. "window.notice", "check.state", "run.end",
 * "test"), time (ISO 8601 UTC), source (the window, check, runbook or
 * item), subject (one line), text (may span lines), data (an object).
 */
char *notify_event_json(const char *id, const char *type, time_t when,
    const char *source, const char *subject, const char *text,
    const char *data_json);

/*
 * The outcome of one attempt: ok, or a reason (sanitized, no secret) in
 * message.  Called on the loop's thread; message is valid during the call.
 */
typedef void notify_done_cb(int ok, const char *message, void *arg);

struct notify_attempt;

/*
 * Delivers the event (JSON from notify_event_json) to ch once, without
 * blocking the loop: sendmail and commands run as children reaped by
 * proc.c, with the event on their standard input and a timeout; webhooks
 * are POSTed with libcurl on worker, a worker of the caller's own (the
 * transfer may take up to the timeout).  done is called exactly once,
 * unless the attempt is cancelled first.  ch and the event are copied as
 * needed.  Returns the attempt, or NULL when it could not start (done has
 * then been called).  The process ignores SIGPIPE (a child may exit before
 * it reads its input; the write then fails with EPIPE and the attempt says
 * so), as every maintop command that delivers does.
 */
struct notify_attempt *notify_deliver(struct event_base *, struct worker *,
    const struct channel *ch, const char *event_json, notify_done_cb *,
    void *arg);

/* Cancels an attempt in flight: done is never called.  A child is killed;
 * a webhook transfer finishes on its worker and is forgotten. */
void notify_cancel(struct notify_attempt *);

/* Formats an event for a person: "Subject\n\ntext\n" (sanitized). */
char *notify_event_text(const char *event_json, char **subject);

#endif
