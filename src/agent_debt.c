/* The debt list's events for the agent; see agent_debt.h. */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "agent_debt.h"
#include "agent_doc.h"
#include "config.h"
#include "debt.h"
#include "debt_file.h"
#include "debt_query.h"
#include "notify.h"
#include "store.h"
#include "store_debt.h"
#include "util.h"
#include "worker.h"

/* Items remembered at most (a bigger file is read this far). */
#define AGENT_DEBT_ITEMS_MAX	100000

struct seen {
	char	*id;
	int	 resolved;
	int	 overdue;	/* its being overdue was told */
};

struct agent_debt {
	struct seen	*v;
	size_t		 n;
	int		 known;
};

static void
seen_add(struct agent_debt *m, const char *id, int resolved, int overdue)
{
	m->v = xreallocarray(m->v, m->n + 1, sizeof *m->v);
	m->v[m->n].id = xstrdup(id);
	m->v[m->n].resolved = resolved;
	m->v[m->n].overdue = overdue;
	m->n++;
}

static struct seen *
seen_find(const struct agent_debt *m, const char *id)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->v[i].id, id) == 0)
			return &m->v[i];
	return NULL;
}

struct agent_debt *
agent_debt_new(const char *text, size_t len)
{
	struct agent_debt *m = xcalloc(1, sizeof *m);
	json_t *o, *items, *it;
	json_int_t version = 0;
	const char *id;
	int resolved, overdue;
	size_t i;

	if (text == NULL || len > AGENT_DEBT_FILE_MAX)
		return m;
	o = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	if (o == NULL || json_unpack(o, "{s:I, s:o}", "version", &version,
	    "items", &items) != 0 || version != 1 || !json_is_array(items)) {
		json_decref(o);
		return m;
	}
	m->known = 1;
	json_array_foreach(items, i, it) {
		if (i >= AGENT_DEBT_ITEMS_MAX)
			break;
		resolved = overdue = 0;
		if (json_unpack(it, "{s:s, s:b, s:b}", "id", &id, "resolved",
		    &resolved, "overdue", &overdue) != 0 || *id == '\0' ||
		    strlen(id) > 64 || seen_find(m, id) != NULL)
			continue;
		seen_add(m, id, resolved, overdue);
	}
	json_decref(o);
	return m;
}

void
agent_debt_free(struct agent_debt *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++)
		free(m->v[i].id);
	free(m->v);
	free(m);
}

int
agent_debt_known(const struct agent_debt *m)
{
	return m->known;
}

char *
agent_debt_format(const struct agent_debt *m)
{
	json_t *o = json_object(), *a = json_array();
	char *s;
	size_t i;

	for (i = 0; i < m->n; i++)
		json_array_append_new(a, json_pack("{s:s, s:b, s:b}", "id",
		    m->v[i].id, "resolved", m->v[i].resolved, "overdue",
		    m->v[i].overdue));
	json_object_set_new(o, "version", json_integer(1));
	json_object_set_new(o, "items", a);
	s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	if (s == NULL)
		fatal("agent: cannot write the debt memory");
	return s;
}

/* The event for item d: kind "added", "resolved" or "overdue". */
static void
debt_event(const struct debt_item *d, const char *kind, time_t now,
    const char *tz, void (*emit)(void *, const char *, const char *),
    void *arg)
{
	char day[16] = "-", label[32], *id, *type, *subject, *text, *ev;
	char *data;
	json_t *o;

	if (strcmp(kind, "resolved") == 0 && d->resolved != 0)
		debt_format_date(d->resolved, tz, day, sizeof day);
	else if (strcmp(kind, "overdue") == 0)
		debt_format_date(d->target, tz, day, sizeof day);
	else if (d->created != 0)
		debt_format_date(d->created, tz, day, sizeof day);
	id = xasprintf("debt.%s:%s:%s", kind, d->id, day);
	type = xasprintf("debt.%s", kind);
	debt_target_label(d, now, tz, label, sizeof label);
	if (strcmp(kind, "overdue") == 0)
		subject = xasprintf("debt %s is overdue (target %s): %s",
		    d->id, day, d->title);
	else
		subject = xasprintf("debt %s %s: %s", d->id, kind, d->title);
	text = xasprintf("%s%sPriority %s, target %s, owner %s.",
	    d->description != NULL ? d->description : "",
	    d->description != NULL ? "\n" : "",
	    debt_priority_name(d->priority), label,
	    d->owner != NULL ? d->owner : "-");
	o = json_pack("{s:s, s:s, s:s, s:s}", "id", d->id, "title", d->title,
	    "priority", debt_priority_name(d->priority), "status",
	    debt_status_name(d->status));
	data = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	ev = notify_event_json(id, type, now, d->id, subject, text, data);
	emit(arg, id, ev);
	free(ev);
	free(data);
	free(text);
	free(subject);
	free(type);
	free(id);
}

static int
overdue(const struct debt_item *d, time_t now, const char *tz)
{
	char label[32];

	return d->status == DEBT_OPEN && debt_target_label(d, now, tz, label,
	    sizeof label) == DEBT_DUE_OVERDUE;
}

time_t
agent_debt_next_overdue(struct debt_item *const *items, size_t n,
    time_t now, const char *tz)
{
	const struct debt_item *first = NULL;
	time_t lo, hi, mid;
	size_t i;

	/* The soonest target is the first to pass: a day's number never
	 * goes down as time goes on. */
	for (i = 0; i < n; i++)
		if (items[i]->status == DEBT_OPEN && items[i]->target != 0 &&
		    !overdue(items[i], now, tz) && (first == NULL ||
		    items[i]->target < first->target))
			first = items[i];
	if (first == NULL)
		return 0;
	/* Not overdue at lo, overdue at hi (two days past the target's at
	 * the latest, whatever the zone). */
	lo = now;
	hi = (first->target > now ? first->target : now) + 3 * 86400;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (overdue(first, mid, tz))
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

int
agent_debt_step(struct agent_debt *m, struct debt_item *const *items,
    size_t n, time_t now, const char *tz,
    void (*emit)(void *, const char *, const char *), void *arg)
{
	struct agent_debt next = { NULL, 0, 1 };
	const struct debt_item *d;
	struct seen *s;
	int changed = !m->known || m->n != n, resolved, late;
	size_t i;

	for (i = 0; i < n; i++) {
		d = items[i];
		if (seen_find(&next, d->id) != NULL)
			continue;	/* an id twice: the first counts */
		resolved = d->status == DEBT_RESOLVED;
		late = overdue(d, now, tz);
		s = seen_find(m, d->id);
		if (s == NULL) {
			changed = 1;
			if (m->known && !resolved)
				debt_event(d, "added", now, tz, emit, arg);
			/* Added already late: said by the added event. */
			seen_add(&next, d->id, resolved, late);
			continue;
		}
		if (resolved && !s->resolved)
			debt_event(d, "resolved", now, tz, emit, arg);
		if (late && !s->overdue)
			debt_event(d, "overdue", now, tz, emit, arg);
		/* Once per item: a target moved, or an item reopened, is
		 * not told late a second time. */
		late = late || s->overdue;
		if (resolved != s->resolved || late != s->overdue)
			changed = 1;
		seen_add(&next, d->id, resolved, late);
	}
	for (i = 0; i < m->n; i++)
		free(m->v[i].id);
	free(m->v);
	*m = next;
	return changed;
}

/* --- one look, on the disk worker ------------------------------------------ */

struct poll {
	struct worker	 *io;
	struct store	 *store;	/* the team's, or NULL */
	char		 *state_dir;
	struct settings	  set;		/* only the zone, for dates */
	struct debt_list  items;	/* the configuration's, then the file's */
	time_t		  now;
	char		**ids;		/* the events found */
	char		**events;
	size_t		  nevents;
	char		 *memory;	/* to write, or NULL */
	time_t		  next;		/* the next item to fall overdue */
	int		  failed;	/* the list could not be read */
	void		(*emit)(void *, const char *, const char *);
	void		(*done)(void *, int, time_t);
	void		 *arg;
};

static void
poll_emit(void *arg, const char *id, const char *event)
{
	struct poll *p = arg;

	p->ids = xreallocarray(p->ids, p->nevents + 1, sizeof *p->ids);
	p->events = xreallocarray(p->events, p->nevents + 1,
	    sizeof *p->events);
	p->ids[p->nevents] = xstrdup(id);
	p->events[p->nevents++] = xstrdup(event);
}

/* The debt list's own items: the team store's, or the debt file's.  0, or
 * -1 when it cannot be read. */
static int
poll_list(struct poll *p, struct debt_list *l)
{
	struct cfg_errors errs = { 0 };
	struct store_debt_rows rows;
	char *path, *cause = NULL;
	int r;

	if (p->store != NULL && store_has_debt(p->store)) {
		r = store_debt_load(p->store, &p->set, l, &rows, &cause);
		if (r == 0)
			store_debt_rows_free(&rows);
		free(cause);
		return r;
	}
	path = xasprintf("%s/debt.conf", p->state_dir);
	r = debt_file_load(path, &p->set, l, NULL, &errs);
	cfg_errors_free(&errs);
	free(path);
	return r;
}

static void
poll_work(void *arg)
{
	struct poll *p = arg;
	struct debt_list file = { NULL, 0, 0 };
	struct agent_debt *m;
	char *text;
	size_t len = 0, i;

	text = agent_doc_read(p->store, p->state_dir, AGENT_DEBT_DOC,
	    AGENT_DEBT_FILE_MAX, &len);
	m = agent_debt_new(text, len);
	free(text);
	/* A list that cannot be read now is looked at next time: no item of
	 * it is taken for deleted. */
	if (poll_list(p, &file) != 0) {
		agent_debt_free(m);
		p->failed = 1;
		return;
	}
	for (i = 0; i < file.n; i++)
		debt_list_add(&p->items, file.v[i]);
	free(file.v);
	if (agent_debt_step(m, p->items.v, p->items.n, p->now,
	    p->set.timezone, poll_emit, p))
		p->memory = agent_debt_format(m);
	agent_debt_free(m);
	p->next = agent_debt_next_overdue(p->items.v, p->items.n, p->now,
	    p->set.timezone);
}

static void
write_work(void *arg)
{
	struct poll *p = arg;
	char *cause = NULL;

	agent_doc_write(p->store, p->state_dir, AGENT_DEBT_DOC, p->memory,
	    &cause);
	free(cause);
}

static void
poll_free(void *arg)
{
	struct poll *p = arg;
	size_t i;

	if (p->done != NULL)
		p->done(p->arg, p->failed, p->next);
	for (i = 0; i < p->nevents; i++) {
		free(p->ids[i]);
		free(p->events[i]);
	}
	free(p->ids);
	free(p->events);
	free(p->memory);
	free(p->state_dir);
	free(p->set.timezone);
	debt_list_free(&p->items);
	free(p);
}

/* Back on the loop: the events first, then the memory, both on io. */
static void
poll_done(void *arg)
{
	struct poll *p = arg;
	size_t i;

	for (i = 0; i < p->nevents; i++)
		p->emit(p->arg, p->ids[i], p->events[i]);
	if (p->memory != NULL)
		worker_run(p->io, write_work, poll_free, p);
	else
		poll_free(p);
}

void
agent_debt_poll(struct worker *io, struct store *store,
    const char *state_dir, const struct config *c, time_t now,
    void (*emit)(void *, const char *, const char *),
    void (*done)(void *, int, time_t), void *arg)
{
	struct poll *p = xcalloc(1, sizeof *p);
	size_t i;

	p->io = io;
	p->store = store;
	p->state_dir = xstrdup(state_dir);
	p->set.timezone = c->settings.timezone != NULL ?
	    xstrdup(c->settings.timezone) : NULL;
	for (i = 0; i < c->ndebt; i++)
		debt_list_add(&p->items, debt_item_copy(c->debt[i]));
	p->now = now;
	p->emit = emit;
	p->done = done;
	p->arg = arg;
	worker_run(io, poll_work, poll_done, p);
}
