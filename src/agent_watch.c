/* What the leading agent looks at again when it changes, not on a timer:
 * the debt list when the team store says so (LISTEN) or an item falls
 * overdue, the holds when one is placed; see agent_priv.h. */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "agent_debt.h"
#include "agent_hold.h"
#include "agent_priv.h"
#include "agent_tell.h"
#include "config.h"
#include "store.h"
#include "store_listen.h"
#include "util.h"

/* Without a team store's debt list (the debt file, or a store without
 * it), or after a look that failed, the list is looked at this often
 * (seconds). */
#define AGENT_DEBT_LOOK		10

/* The team store keeps the list, and says when it changes. */
static int
told(const struct agent *a)
{
	return a->store != NULL && store_has_debt(a->store);
}

static void
debt_emit(void *arg, const char *id, const char *ev)
{
	struct agent *a = arg;
	const struct settings *s = &a->cfg->settings;
	char *const *names;
	size_t n;

	agent_log(a, 6, "%s", id);
	names = agent_tell_channels(a->cfg, s->debt_notify, s->ndebt_notify,
	    NULL, 0, &n);
	agent_send(a, names, n, id, ev);
}

/* A look ended: the next is due when told, when the next item falls
 * overdue, and without a store's notifications after AGENT_DEBT_LOOK. */
static void
debt_looked(void *arg, int failed, time_t next)
{
	struct agent *a = arg;
	time_t again = time(NULL) + AGENT_DEBT_LOOK;

	a->debt_looking = 0;
	if ((failed || !told(a)) && (next == 0 || next > again))
		next = again;
	a->debt_next = next;
}

void
agent_watch_step(struct agent *a, time_t now)
{
	if (!agent_leads(a) || a->debt_looking || (!a->debt_again &&
	    (a->debt_next == 0 || now < a->debt_next)))
		return;
	a->debt_again = 0;
	a->debt_looking = 1;
	agent_debt_poll(a->io, a->store, a->state_dir, a->cfg, now, debt_emit,
	    debt_looked, a);
}

/* The leader's LISTEN connection: connected (again), or a notification. */
static void
on_listen(enum store_listen_event ev, const char *text, void *arg)
{
	struct agent *a = arg;

	switch (ev) {
	case STORE_LISTEN_UP:
		/* What changed while nobody listened is read again. */
		a->debt_again = 1;
		a->state_again = 1;
		break;
	case STORE_LISTEN_DOWN:
		break;
	case STORE_LISTEN_NOTIFY:
		if (strncmp(text, "debt ", 5) == 0)
			a->debt_again = 1;
		else if (strcmp(text, "doc " AGENT_HOLD_DOC) == 0)
			a->state_again = 1;
		break;
	}
	agent_watch_step(a, time(NULL));
}

void
agent_watch_lead(struct agent *a, int leading)
{
	if (!leading) {
		store_listen_free(a->listen);
		a->listen = NULL;
		return;
	}
	a->debt_again = 1;
	if (a->listen == NULL && a->store != NULL &&
	    a->cfg->settings.store != NULL)
		a->listen = store_listen_new(a->base, a->cfg->settings.store,
		    on_listen, a);
}

void
agent_watch_free(struct agent *a)
{
	store_listen_free(a->listen);
	a->listen = NULL;
}
