/* Cross-references of runbooks once all is loaded: the checks and runbooks
 * they name, cycles in requirements, and the order requirements ask for. */
#include "runbook.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config.h"

/* Whether a check is of the kind a step needs ("postgres", "redis"). */
static int
check_is_kind(const struct check *chk, const char *kind)
{
	if (strcmp(kind, "postgres") == 0)
		return chk->type == CHECK_POSTGRES;
	if (strcmp(kind, "redis") == 0)
		return chk->type == CHECK_REDIS;
	return chk->type == CHECK_HTTP;
}

/*
 * Reports a check reference that names no check, or one of the wrong kind,
 * at line (the line of the key or entry that holds it), with the nearest
 * configured name when one is close.
 */
static void
resolve_check(const struct config *c, struct cfg_errors *e,
    const struct runbook *rb, int line, const char *name, const char *kind,
    const char *what)
{
	const struct check *chk = config_find_check(c, name);
	const char **names, *sugg;
	size_t i;

	if (chk == NULL) {
		names = xcalloc(c->nchecks + 1, sizeof *names);
		for (i = 0; i < c->nchecks; i++)
			names[i] = c->checks[i]->name;
		sugg = cfg_suggest(name, names);
		cfg_err_at(e, rb->file, line, 0, "%s of runbook '%s' names "
		    "unknown check '%s'%s%s%s", what, rb->name, name,
		    sugg != NULL ? " (did you mean '" : "",
		    sugg != NULL ? sugg : "", sugg != NULL ? "'?)" : "");
		free(names);
	} else if (kind != NULL && !check_is_kind(chk, kind))
		cfg_err_at(e, rb->file, line, 0, "%s of runbook '%s': check "
		    "'%s' is not a %s check", what, rb->name, name, kind);
}

static void
resolve_step(const struct config *c, struct cfg_errors *e,
    const struct runbook *rb, struct step *st)
{
	const struct check *chk;
	size_t i;

	switch (st->kind) {
	case STEP_WAIT:
		for (i = 0; i < st->nchecks; i++)
			resolve_check(c, e, rb, st->checks_line > 0 ?
			    st->checks_line : st->line, st->checks[i], NULL,
			    "wait_healthy");
		break;
	case STEP_SQL:
	case STEP_REDIS:
		if (st->on == NULL)
			break;
		resolve_check(c, e, rb, st->on_line > 0 ? st->on_line :
		    st->line, st->on,
		    st->kind == STEP_SQL ? "postgres" : "redis",
		    st->kind == STEP_SQL ? "sql step" : "redis step");
		chk = config_find_check(c, st->on);
		if (chk != NULL && check_is_kind(chk, st->kind == STEP_SQL ?
		    "postgres" : "redis"))
			st->check = chk;
		break;
	case STEP_CRITERIA:
		for (i = 0; i < st->ncriteria; i++) {
			if (st->criteria[i]->kind == STEP_WAIT)
				resolve_check(c, e, rb,
				    st->criteria[i]->checks_line,
				    st->criteria[i]->checks[0], NULL,
				    "criterion");
			else
				resolve_step(c, e, rb, st->criteria[i]);
		}
		break;
	default:
		break;
	}
	for (i = 0; i < st->nrollback; i++)
		resolve_step(c, e, rb, st->rollback[i]);
}

static size_t
runbook_index(const struct config *c, const struct runbook *rb)
{
	size_t i;

	for (i = 0; i < c->nrunbooks; i++)
		if (c->runbooks[i] == rb)
			return i;
	return (size_t)-1;
}

/*
 * Depth-first search over "requires" edges.  colour: 0 unseen, 1 on the
 * path, 2 done.  A cycle is reported once, at the runbook that closes it,
 * spelled out from where it starts on the current path.
 */
static void
find_cycles(const struct config *c, struct cfg_errors *e, size_t v,
    int *colour, size_t *path, size_t depth)
{
	const struct runbook *rb = c->runbooks[v], *to;
	struct buf b;
	size_t i, j, w, start;

	colour[v] = 1;
	path[depth] = v;
	for (i = 0; i < rb->nrequires; i++) {
		to = config_find_runbook(c, rb->requires[i].runbook);
		if (to == NULL || (w = runbook_index(c, to)) == (size_t)-1)
			continue;
		if (colour[w] == 0)
			find_cycles(c, e, w, colour, path, depth + 1);
		else if (colour[w] == 1) {
			for (start = 0; start <= depth; start++)
				if (path[start] == w)
					break;
			buf_init(&b);
			for (j = start; j <= depth; j++)
				buf_printf(&b, "%s -> ",
				    c->runbooks[path[j]]->name);
			buf_adds(&b, c->runbooks[w]->name);
			cfg_err_at(e, rb->file, rb->requires[i].line, 0,
			    "runbook requirements form a cycle: %s", b.s);
			buf_free(&b);
		}
	}
	colour[v] = 2;
}

void
runbook_resolve(const struct config *c, struct cfg_errors *e)
{
	const struct runbook *rb;
	const char **names;
	const char *sugg;
	size_t i, j, *path;
	int *colour;

	names = xcalloc(c->nrunbooks + 1, sizeof *names);
	for (i = 0; i < c->nrunbooks; i++)
		names[i] = c->runbooks[i]->name;
	for (i = 0; i < c->nrunbooks; i++) {
		rb = c->runbooks[i];
		for (j = 0; j < rb->nrequires_healthy; j++)
			resolve_check(c, e, rb, rb->healthy_line[j] > 0 ?
			    rb->healthy_line[j] : rb->line,
			    rb->requires_healthy[j], NULL, "requires_healthy");
		for (j = 0; j < rb->nrequires; j++) {
			if (config_find_runbook(c, rb->requires[j].runbook)
			    != NULL)
				continue;
			sugg = cfg_suggest(rb->requires[j].runbook, names);
			if (sugg != NULL)
				cfg_err_at(e, rb->file, rb->requires[j].line,
				    0, "runbook '%s' requires unknown runbook "
				    "'%s' (did you mean '%s'?)", rb->name,
				    rb->requires[j].runbook, sugg);
			else
				cfg_err_at(e, rb->file, rb->requires[j].line,
				    0, "runbook '%s' requires unknown runbook "
				    "'%s'", rb->name, rb->requires[j].runbook);
		}
		for (j = 0; j < rb->nsteps; j++)
			resolve_step(c, e, rb, rb->steps[j]);
	}
	colour = xcalloc(c->nrunbooks + 1, sizeof *colour);
	path = xcalloc(c->nrunbooks + 1, sizeof *path);
	for (i = 0; i < c->nrunbooks; i++)
		if (colour[i] == 0)
			find_cycles(c, e, i, colour, path, 0);
	free(path);
	free(colour);
	free(names);
}

/*
 * Marks in seen (one flag per configured runbook) every runbook that v
 * requires, directly or through others.
 */
static void
mark_required(const struct config *c, size_t v, unsigned char *seen)
{
	const struct runbook *rb = c->runbooks[v], *to;
	size_t i, w;

	for (i = 0; i < rb->nrequires; i++) {
		to = config_find_runbook(c, rb->requires[i].runbook);
		if (to == NULL || (w = runbook_index(c, to)) == (size_t)-1 ||
		    seen[w])
			continue;
		seen[w] = 1;
		mark_required(c, w, seen);
	}
}

/* A min-heap of indices: the ready names, the earliest in the list first. */
struct order_heap {
	size_t	*v;
	size_t	 n;
};

static void
heap_push(struct order_heap *h, size_t x)
{
	size_t i = h->n++, p, t;

	h->v[i] = x;
	while (i > 0 && h->v[p = (i - 1) / 2] > h->v[i]) {
		t = h->v[p];
		h->v[p] = h->v[i];
		h->v[i] = t;
		i = p;
	}
}

static size_t
heap_pop(struct order_heap *h)
{
	size_t top = h->v[0], i = 0, c, t;

	h->v[0] = h->v[--h->n];
	for (;;) {
		c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->v[c + 1] < h->v[c])
			c++;
		if (h->v[i] <= h->v[c])
			break;
		t = h->v[c];
		h->v[c] = h->v[i];
		h->v[i] = t;
		i = c;
	}
	return top;
}

/* What runbook_order works on.  Names of the same runbook share a "slot". */
struct order {
	const struct config	*c;
	size_t			 n;	/* the names */
	size_t			 ns;	/* the slots */
	size_t			*slot;	/* each name's, or -1: not a runbook */
	size_t			*rbof;	/* each configured runbook's, or -1 */
	/* req[a * ns + b]: slot b's runbook must come before slot a's. */
	unsigned char		*req;
	unsigned char		*cyclic; /* each slot's runbook is on a cycle */
	size_t			*need;	/* names still to place before a slot */
	unsigned char		*placed; /* each name's */
	struct order_heap	 heap;	/* the names ready */
};

/* The slots: which configured runbook each name stands for. */
static void
order_slots(struct order *o, char *const *names)
{
	const struct runbook *rb;
	size_t i, k;

	o->slot = xcalloc(o->n, sizeof *o->slot);
	o->rbof = xcalloc(o->c->nrunbooks + 1, sizeof *o->rbof);
	for (i = 0; i < o->c->nrunbooks; i++)
		o->rbof[i] = (size_t)-1;
	for (i = 0; i < o->n; i++) {
		rb = config_find_runbook(o->c, names[i]);
		k = rb != NULL ? runbook_index(o->c, rb) : (size_t)-1;
		if (k == (size_t)-1) {
			o->slot[i] = (size_t)-1;
			continue;
		}
		if (o->rbof[k] == (size_t)-1)
			o->rbof[k] = o->ns++;
		o->slot[i] = o->rbof[k];
	}
}

/* What each slot requires, directly or not, and how many names it waits
 * for. */
static void
order_requirements(struct order *o)
{
	const struct config *c = o->c;
	size_t ns = o->ns, *cnt, i, a, b, k;
	unsigned char *seen;

	o->req = xcalloc(ns * ns + 1, 1);
	o->need = xcalloc(ns + 1, sizeof *o->need);
	o->cyclic = xcalloc(ns + 1, 1);
	cnt = xcalloc(ns + 1, sizeof *cnt);
	seen = xcalloc(c->nrunbooks + 1, 1);
	for (k = 0; k < c->nrunbooks; k++) {
		if ((a = o->rbof[k]) == (size_t)-1)
			continue;
		memset(seen, 0, c->nrunbooks + 1);
		mark_required(c, k, seen);
		o->cyclic[a] = seen[k];
		for (i = 0; i < c->nrunbooks; i++)
			if (i != k && seen[i] && o->rbof[i] != (size_t)-1)
				o->req[a * ns + o->rbof[i]] = 1;
	}
	for (i = 0; i < o->n; i++)
		if (o->slot[i] != (size_t)-1)
			cnt[o->slot[i]]++;
	for (a = 0; a < ns; a++)
		for (b = 0; b < ns; b++)
			if (o->req[a * ns + b])
				o->need[a] += cnt[b];
	free(seen);
	free(cnt);
}

/* The next name to place: the earliest ready one.  Only a cycle leaves
 * nothing ready: it is broken at the earliest name on one (what merely
 * requires a cycle still waits for it); *next is the earliest unplaced. */
static size_t
order_next(struct order *o, size_t *next)
{
	size_t p;

	if (o->heap.n > 0)
		return heap_pop(&o->heap);
	for (p = 0; p < o->n; p++)
		if (!o->placed[p] && o->slot[p] != (size_t)-1 &&
		    o->cyclic[o->slot[p]])
			return p;
	while (o->placed[*next])
		(*next)++;
	return *next;
}

/* Places name p: the slots that waited only for it become ready. */
static void
order_place(struct order *o, size_t p)
{
	size_t a, b, i, ns = o->ns;

	o->placed[p] = 1;
	if ((b = o->slot[p]) == (size_t)-1)
		return;
	for (a = 0; a < ns; a++) {
		if (!o->req[a * ns + b] || o->need[a] == 0 || --o->need[a] > 0)
			continue;
		/* Slot a waits for nothing more: its names are ready. */
		for (i = 0; i < o->n; i++)
			if (o->slot[i] == a && !o->placed[i])
				heap_push(&o->heap, i);
	}
}

/*
 * Kahn's algorithm over the names, always taking the earliest ready one.
 * Names of the same runbook share a slot so that the work grows with the
 * distinct runbooks named, not with the square of a long list.
 */
size_t *
runbook_order(const struct config *c, char *const *names, size_t n)
{
	struct order o;
	size_t *order, i, k, next = 0;

	if (n == 0)
		return NULL;
	memset(&o, 0, sizeof o);
	o.c = c;
	o.n = n;
	order_slots(&o, names);
	order_requirements(&o);
	o.placed = xcalloc(n, 1);
	o.heap.v = xcalloc(n, sizeof *o.heap.v);
	for (i = 0; i < n; i++)
		if (o.slot[i] == (size_t)-1 || o.need[o.slot[i]] == 0)
			heap_push(&o.heap, i);
	order = xcalloc(n, sizeof *order);
	for (k = 0; k < n; k++) {
		order[k] = order_next(&o, &next);
		order_place(&o, order[k]);
	}
	free(o.heap.v);
	free(o.placed);
	free(o.cyclic);
	free(o.need);
	free(o.req);
	free(o.rbof);
	free(o.slot);
	return order;
}
