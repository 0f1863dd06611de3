/* The state directory's watcher: inotify events read without blocking,
 * gathered for WATCH_DELAY_MS, then one call with what changed. */
#include "watch.h"

#include <errno.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "util.h"

struct watch {
	int		  fd;
	struct event	 *ev;		/* the inotify descriptor */
	struct event	 *delay;	/* gathers a burst into one call */
	unsigned	  what;		/* WATCH_* bits not yet told */
	void		(*cb)(unsigned, void *);
	void		 *arg;
};

/* Which file an event is about. */
static unsigned
watch_name(const char *name)
{
	if (strcmp(name, "journal.jsonl") == 0 ||
	    strcmp(name, "journal.index") == 0)
		return WATCH_JOURNAL;
	if (strcmp(name, "debt.conf") == 0)
		return WATCH_DEBT;
	return 0;
}

static void
watch_read(evutil_socket_t fd, short events, void *arg)
{
	struct watch *w = arg;
	const struct inotify_event *ie;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct timeval tv = { 0, WATCH_DELAY_MS * 1000 };
	unsigned what = 0;
	ssize_t n;
	char *p;

	for (;;) {
		n = read(fd, buf, sizeof buf);
		if (n <= 0)
			break;	/* EAGAIN: all read (EINTR: next time) */
		for (p = buf; p < buf + n; p += sizeof *ie + ie->len) {
			ie = (const struct inotify_event *)(void *)p;
			if (ie->mask & IN_Q_OVERFLOW)
				what |= WATCH_JOURNAL | WATCH_DEBT;
			else if (ie->len > 0)
				what |= watch_name(ie->name);
		}
	}
	if (what == 0)
		return;
	if (w->what == 0)
		evtimer_add(w->delay, &tv);
	w->what |= what;
}

static void
watch_fire(evutil_socket_t fd, short events, void *arg)
{
	struct watch *w = arg;
	unsigned what = w->what;

	w->what = 0;
	w->cb(what, w->arg);
}

struct watch *
watch_new(struct event_base *base, const char *dir,
    void (*cb)(unsigned, void *), void *arg, char **cause)
{
	struct watch *w;

	w = xcalloc(1, sizeof *w);
	w->cb = cb;
	w->arg = arg;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd == -1 || inotify_add_watch(w->fd, dir, IN_CLOSE_WRITE |
	    IN_MODIFY | IN_MOVED_TO | IN_CREATE | IN_ONLYDIR) == -1) {
		*cause = xasprintf("cannot watch %s: %s", dir,
		    strerror(errno));
		if (w->fd != -1)
			close(w->fd);
		free(w);
		return NULL;
	}
	w->ev = event_new(base, w->fd, EV_READ | EV_PERSIST, watch_read, w);
	w->delay = evtimer_new(base, watch_fire, w);
	if (w->ev == NULL || w->delay == NULL || event_add(w->ev, NULL) != 0)
		fatal("event_new failed");
	return w;
}

void
watch_free(struct watch *w)
{
	if (w == NULL)
		return;
	event_free(w->ev);
	event_free(w->delay);
	close(w->fd);
	free(w);
}
