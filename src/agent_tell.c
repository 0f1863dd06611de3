/* Whom the agent tells, and what; see agent_tell.h. */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_tell.h"
#include "calendar.h"
#include "check.h"
#include "config.h"
#include "health.h"
#include "maint.h"
#include "notify.h"
#include "runbook.h"
#include "sanitize.h"
#include "util.h"

int
agent_tell_check(const struct config *c, const struct check_status *st,
    time_t now, enum state *told, char **id, char **ev)
{
	struct maint m;
	char iso[32], *subject;
	int held;

	*id = *ev = NULL;
	if (st->last == NULL || st->state == *told)
		return 0;
	if (*told == AGENT_TOLD_NONE) {
		*told = st->state;		/* the first result */
		return 0;
	}
	held = maint_system(c, now, st->check->name, &m);
	if (held && !st->check->notify_in_maintenance)
		return 0;
	*told = st->state;
	util_format_utc(st->since, iso, sizeof iso);
	*id = xasprintf("check.state:%s:%s:%s", st->check->name,
	    state_name(st->state), iso);
	subject = xasprintf("%s is %s%s%s%s", st->check->name,
	    state_name(st->state), held ? " (in maintenance '" : "",
	    held ? m.window : "", held ? "')" : "");
	*ev = notify_event_json(*id, "check.state", st->since,
	    st->check->name, subject, st->last->message != NULL ?
	    st->last->message : "", NULL);
	free(subject);
	return 1;
}

char *const *
agent_tell_channels(const struct config *c, char *const *first,
    size_t nfirst, char *const *second, size_t nsecond, size_t *n)
{
	if (nfirst > 0) {
		*n = nfirst;
		return first;
	}
	if (nsecond > 0) {
		*n = nsecond;
		return second;
	}
	*n = c->settings.nnotify;
	return c->settings.notify;
}

char *const *
agent_tell_check_channels(const struct config *c, const struct check *chk,
    size_t *n)
{
	return agent_tell_channels(c, chk->notify, chk->nnotify, NULL, 0, n);
}

char *const *
agent_tell_run_channels(const struct config *c, const struct runbook *rb,
    const struct window *w, size_t *n)
{
	return agent_tell_channels(c, rb->notify, rb->nnotify,
	    w != NULL ? w->notify : NULL, w != NULL ? w->nnotify : 0, n);
}

void
agent_tell_tail_add(char **tail, const char *data, size_t len)
{
	size_t have = *tail != NULL ? strlen(*tail) : 0, keep;
	char *t;

	if (len >= AGENT_TELL_TAIL_MAX) {
		data += len - AGENT_TELL_TAIL_MAX;
		len = AGENT_TELL_TAIL_MAX;
	}
	keep = have + len > AGENT_TELL_TAIL_MAX ?
	    AGENT_TELL_TAIL_MAX - len : have;
	t = xmalloc(keep + len + 1);
	if (keep > 0)
		memcpy(t, *tail + have - keep, keep);
	memcpy(t + keep, data, len);
	t[keep + len] = '\0';
	/* A NUL in the output would end the string early: seen as "?". */
	for (have = keep; have < keep + len; have++)
		if (t[have] == '\0')
			t[have] = '?';
	free(*tail);
	*tail = t;
}

char *
agent_tell_tail_lines(const char *tail, size_t n)
{
	char *clean, *out;
	size_t len, i, seen = 0;

	if (tail == NULL || *tail == '\0')
		return xstrdup("");
	clean = sanitize_cstr(tail, SANITIZE_KEEP_NEWLINES);
	len = strlen(clean);
	while (len > 0 && clean[len - 1] == '\n')
		clean[--len] = '\0';
	for (i = len; i > 0; i--)
		if (clean[i - 1] == '\n' && ++seen == n)
			break;
	out = xasprintf("%s\n", clean + i);
	free(clean);
	return out;
}
