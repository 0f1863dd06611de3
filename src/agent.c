/* What the calendar asks of the agent between two instants; see agent.h. */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "agent.h"
#include "calendar.h"
#include "config.h"
#include "notify.h"
#include "util.h"

const char *
agent_item_type(enum agent_item_kind k)
{
	switch (k) {
	case AGENT_NOTICE:
		return "window.notice";
	case AGENT_START:
		return "window.start";
	case AGENT_END:
		return "window.end";
	case AGENT_FREEZE_START:
		return "freeze.start";
	case AGENT_FREEZE_END:
		return "freeze.end";
	}
	return "?";
}

static void
add(struct agent_item **v, size_t *n, enum agent_item_kind kind,
    const struct occurrence *o, time_t when)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[*n].kind = kind;
	(*v)[*n].w = o->w;
	(*v)[*n].start = o->start;
	(*v)[*n].end = o->end;
	(*v)[*n].when = when;
	(*v)[*n].seq = *n;
	(*n)++;
}

static int
by_when(const void *a, const void *b)
{
	const struct agent_item *x = a, *y = b;

	if (x->when != y->when)
		return x->when < y->when ? -1 : 1;
	/* Ends before notices before starts at the same instant: a window
	 * that ends as the next begins is over first. */
	if (x->kind != y->kind)
		return x->kind == AGENT_END || x->kind == AGENT_FREEZE_END ? -1 :
		    y->kind == AGENT_END || y->kind == AGENT_FREEZE_END ? 1 :
		    (int)x->kind - (int)y->kind;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

size_t
agent_due(const struct config *c, time_t from, time_t to,
    struct agent_item **out)
{
	struct agent_item *v = NULL;
	struct occurrence *occ;
	struct window *w;
	size_t i, k, n = 0, nocc;
	int freeze;

	*out = NULL;
	if (to <= from)
		return 0;
	for (i = 0; i < c->nwindows; i++) {
		w = c->windows[i];
		freeze = w->kind == WINDOW_FREEZE;
		/* Starting up to the notice after "to", or still running at
		 * "from". */
		nocc = calendar_occurrences(w, from, to + w->notice + 1, &occ);
		for (k = 0; k < nocc; k++) {
			if (w->notice > 0 && !freeze &&
			    occ[k].start - w->notice > from &&
			    occ[k].start - w->notice <= to)
				add(&v, &n, AGENT_NOTICE, &occ[k],
				    occ[k].start - w->notice);
			if (occ[k].start > from && occ[k].start <= to)
				add(&v, &n, freeze ? AGENT_FREEZE_START :
				    AGENT_START, &occ[k], occ[k].start);
			if (occ[k].end > from && occ[k].end <= to)
				add(&v, &n, freeze ? AGENT_FREEZE_END :
				    AGENT_END, &occ[k], occ[k].end);
		}
		free(occ);
	}
	/* seq (the order of discovery: configuration order, then time)
	 * breaks every tie, so the order never depends on qsort. */
	if (n > 1)
		qsort(v, n, sizeof *v, by_when);
	*out = v;
	return n;
}

size_t
agent_next_notices(const struct config *c, time_t now, size_t max,
    struct agent_item **out)
{
	struct agent_item *v = NULL;
	struct occurrence o;
	size_t i, n = 0;
	time_t start;

	*out = NULL;
	for (i = 0; i < c->nwindows; i++) {
		o.w = c->windows[i];
		if (calendar_next_notice(o.w, now, &start) != 0)
			continue;
		o.start = start;
		o.end = start + (time_t)o.w->duration;
		add(&v, &n, AGENT_NOTICE, &o, start - (time_t)o.w->notice);
	}
	if (n > 1)
		qsort(v, n, sizeof *v, by_when);
	if (n > max)
		n = max;
	if (n == 0) {
		free(v);
		v = NULL;
	}
	*out = v;
	return n;
}

int
agent_frozen(const struct config *c, time_t t, const char **which)
{
	struct occurrence *occ;
	size_t i, n = calendar_active(c, t, &occ);
	int frozen = 0;

	for (i = 0; i < n && !frozen; i++) {
		if (occ[i].w->kind == WINDOW_FREEZE) {
			frozen = 1;
			if (which != NULL)
				*which = occ[i].w->name;
		}
	}
	free(occ);
	return frozen;
}

char *
agent_item_event(const struct agent_item *it, const char *tz, char **id)
{
	char start[32], end[32], local[64], dur[32], *subject, *text, *ev;
	char *data;
	struct tm tm;
	const struct window *w = it->w;
	json_t *o;

	util_format_utc(it->start, start, sizeof start);
	util_format_utc(it->end, end, sizeof end);
	util_format_duration(it->end - it->start, dur, sizeof dur);
	if (util_localtime(it->start, tz, &tm) == 0)
		strftime(local, sizeof local, "%a %Y-%m-%d %H:%M %Z", &tm);
	else
		snprintf(local, sizeof local, "%s", start);
	*id = xasprintf("%s:%s:%s", agent_item_type(it->kind), w->name, start);
	switch (it->kind) {
	case AGENT_NOTICE:
		subject = xasprintf("maintenance '%s' starts %s (%s)", w->name,
		    local, dur);
		break;
	case AGENT_START:
		subject = xasprintf("maintenance '%s' has started (%s)",
		    w->name, dur);
		break;
	case AGENT_END:
		subject = xasprintf("maintenance '%s' has ended", w->name);
		break;
	case AGENT_FREEZE_START:
		subject = xasprintf("change freeze '%s' has started (%s)",
		    w->name, dur);
		break;
	default:
		subject = xasprintf("change freeze '%s' has ended", w->name);
		break;
	}
	text = xasprintf("%s%sFrom %s to %s (UTC).", w->description != NULL ?
	    w->description : "", w->description != NULL ? "\n" : "", start,
	    end);
	o = json_pack("{s:s, s:s, s:s, s:s}", "window", w->name, "kind",
	    calendar_kind_name(w->kind), "start", start, "end", end);
	if (o != NULL && w->nsystems > 0) {
		json_t *a = json_array();
		size_t i;

		for (i = 0; i < w->nsystems; i++)
			json_array_append_new(a, json_string(w->systems[i]));
		json_object_set_new(o, "systems", a);
	}
	data = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	ev = notify_event_json(*id, agent_item_type(it->kind), it->when,
	    w->name, subject, text, data);
	free(data);
	free(text);
	free(subject);
	return ev;
}
