/* The connection-sharing bookkeeping of the PostgreSQL and Redis probes:
 * one connection per set of parameters, probes queued on it one at a time,
 * and a backoff after failures. */
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "share.h"
#include "util.h"

/* The head of a kind's list of shares, kept in its ctx->kind_state. */
struct share_set {
	struct share	*head;
};

static void
share_pump(evutil_socket_t fd, short what, void *arg)
{
	struct share *s = arg;

	(void)fd;
	(void)what;
	if (s->cur != NULL || TAILQ_EMPTY(&s->queue))
		return;
	share_ref(s);
	s->ops->pump(s);
	share_unref(s);
}

struct share *
share_get(void **slot, struct event_base *base, char *key, size_t size,
    const struct share_ops *ops)
{
	struct share_set *set = *slot;
	struct share *s;

	if (set == NULL) {
		set = xcalloc(1, sizeof *set);
		*slot = set;
	}
	for (s = set->head; s != NULL; s = s->next)
		if (strcmp(s->key, key) == 0) {
			free(key);
			share_ref(s);
			return s;
		}
	s = xcalloc(1, size);
	s->set = &set->head;
	s->ops = ops;
	s->key = key;
	s->refs = 1;
	TAILQ_INIT(&s->queue);
	s->kick = event_new(base, -1, 0, share_pump, s);
	if (s->kick == NULL)
		fatal("event_new failed");
	s->next = set->head;
	set->head = s;
	return s;
}

void
share_set_free(void **slot)
{
	/* The shares went with their last probe. */
	free(*slot);
	*slot = NULL;
}

void
share_ref(struct share *s)
{
	s->refs++;
}

void
share_unref(struct share *s)
{
	struct share **pp;

	if (--s->refs > 0)
		return;
	for (pp = s->set; *pp != NULL; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	s->ops->drop(s);
	event_free(s->kick);
	free(s->last_err);
	free(s->key);
	free(s);
}

void
share_enqueue(struct share *s, struct share_waiter *w, int front)
{
	if (front)
		TAILQ_INSERT_HEAD(&s->queue, w, entry);
	else
		TAILQ_INSERT_TAIL(&s->queue, w, entry);
	w->queued = 1;
}

void
share_dequeue(struct share *s, struct share_waiter *w)
{
	TAILQ_REMOVE(&s->queue, w, entry);
	w->queued = 0;
}

void
share_kick(struct share *s)
{
	event_active(s->kick, EV_TIMEOUT, 0);
}

void
share_fail(struct share *s, int state, const char *what, const char *err)
{
	struct share_waiter *w;

	free(s->last_err);
	s->last_err = xasprintf("%s: %s", what, err);
	s->last_state = state;
	s->fails++;
	s->retry_at = util_mono_ms() + probe_backoff_ms(s->fails);
	s->ops->drop(s);
	share_ref(s);
	while ((w = s->cur) != NULL || (w = TAILQ_FIRST(&s->queue)) != NULL) {
		if (w == s->cur)
			s->cur = NULL;
		else
			share_dequeue(s, w);
		s->ops->fail(w, state, s->last_err);
	}
	share_unref(s);
}

int
share_backing_off(struct share *s)
{
	struct share_waiter *w;
	long long now = util_mono_ms();
	char *msg;

	if (s->fails == 0 || now >= s->retry_at)
		return 0;
	msg = xasprintf("%s (next try in %llds)", s->last_err != NULL ?
	    s->last_err : "failed", (s->retry_at - now + 999) / 1000);
	share_ref(s);
	while ((w = TAILQ_FIRST(&s->queue)) != NULL) {
		share_dequeue(s, w);
		s->ops->fail(w, s->last_state, msg);
	}
	share_unref(s);
	free(msg);
	return 1;
}

void
share_done(struct share *s)
{
	s->cur = NULL;
	share_kick(s);
}
