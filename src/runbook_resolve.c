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

/*
 * Kahn's algorithm over the names, always taking the earliest ready one.
 * Names of the same runbook share a "slot" so that the work grows with the
 * distinct runbooks named, not with the square of a long list: req[a * ns +
 * b] says slot b's runbook must come before slot a's, need[a] counts the
 * names still to be placed that slot a waits for.
 */
size_t *
runbook_order(const struct config *c, char *const *names, size_t n)
{
	const struct runbook *rb;
	struct order_heap heap;
	unsigned char *req, *seen, *placed, *cyclic;
	size_t *order, *slot, *rbof, *cnt, *need, ns = 0, i, a, b, k, next = 0;
	size_t p;

	if (n == 0)
		return NULL;
	order = xcalloc(n, sizeof *order);
	slot = xcalloc(n, sizeof *slot);
	rbof = xcalloc(c->nrunbooks + 1, sizeof *rbof);	/* slot of each */
	placed = xcalloc(n, 1);
	for (i = 0; i < c->nrunbooks; i++)
		rbof[i] = (size_t)-1;
	/* The slots: which configured runbook each stands for. */
	for (i = 0; i < n; i++) {
		rb = config_find_runbook(c, names[i]);
		k = rb != NULL ? runbook_index(c, rb) : (size_t)-1;
		if (k == (size_t)-1) {
			slot[i] = (size_t)-1;
			continue;
		}
		if (rbof[k] == (size_t)-1)
			rbof[k] = ns++;
		slot[i] = rbof[k];
	}
	req = xcalloc(ns * ns + 1, 1);
	cnt = xcalloc(ns + 1, sizeof *cnt);
	need = xcalloc(ns + 1, sizeof *need);
	seen = xcalloc(c->nrunbooks + 1, 1);
	cyclic = xcalloc(ns + 1, 1);
	for (k = 0; k < c->nrunbooks; k++) {
		if ((a = rbof[k]) == (size_t)-1)
			continue;
		memset(seen, 0, c->nrunbooks + 1);
		mark_required(c, k, seen);
		cyclic[a] = seen[k];
		for (i = 0; i < c->nrunbooks; i++)
			if (i != k && seen[i] && rbof[i] != (size_t)-1)
				req[a * ns + rbof[i]] = 1;
	}
	for (i = 0; i < n; i++)
		if (slot[i] != (size_t)-1)
			cnt[slot[i]]++;
	for (a = 0; a < ns; a++)
		for (b = 0; b < ns; b++)
			if (req[a * ns + b])
				need[a] += cnt[b];
	heap.v = xcalloc(n, sizeof *heap.v);
	heap.n = 0;
	for (i = 0; i < n; i++)
		if (slot[i] == (size_t)-1 || need[slot[i]] == 0)
			heap_push(&heap, i);
	for (k = 0; k < n; k++) {
		if (heap.n > 0)
			p = heap_pop(&heap);
		else {
			/*
			 * Only a cycle leaves nothing ready: break it at the
			 * earliest name on one (what merely requires a cycle
			 * still waits for it).
			 */
			for (p = 0; p < n; p++)
				if (!placed[p] && slot[p] != (size_t)-1 &&
				    cyclic[slot[p]])
					break;
			if (p == n) {
				while (placed[next])
					next++;
				p = next;
			}
		}
		placed[p] = 1;
		order[k] = p;
		if ((b = slot[p]) == (size_t)-1)
			continue;
		for (a = 0; a < ns; a++) {
			if (!req[a * ns + b] || need[a] == 0 || --need[a] > 0)
				continue;
			/* Slot a waits for nothing more: its names are ready. */
			for (i = 0; i < n; i++)
				if (slot[i] == a && !placed[i])
					heap_push(&heap, i);
		}
	}
	free(heap.v);
	free(cyclic);
	free(seen);
	free(need);
	free(cnt);
	free(req);
	free(placed);
	free(rbof);
	free(slot);
	return order;
}
