/* The changes made to the debt list (add, edit, resolve, reopen, delete
 * and the one undo): each checked against the list as it is, then handed
 * to debt_store_save. */
#include "debt_store.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "debt_store_priv.h"

/* Index of id among the file's items, or -1 with *cause saying why. */
static ssize_t
file_index(const struct debt_store *st, const char *id, char **cause)
{
	const struct debt_item *c;
	size_t i;

	for (i = 0; i < st->list.n; i++)
		if (strcmp(st->list.v[i]->id, id) == 0)
			return (ssize_t)i;
	c = debt_store_config_item(st, id);
	if (c != NULL)
		*cause = xasprintf("debt item '%s' comes from the configuration "
		    "(%s:%d): edit it there", id, debt_store_config_file(st, c),
		    c->line);
	else
		*cause = xasprintf("no debt item '%s'", id);
	return -1;
}

static int
refused(const struct debt_store *st, char **cause)
{
	const char *why = debt_store_refusal(st);

	if (why == NULL)
		return 0;
	*cause = xstrdup(why);
	return 1;
}

int
debt_store_add(struct debt_store *st, struct debt_item *item, time_t now,
    char **newid, char **cause)
{
	struct debt_list next;
	long long n = st->list.next_id;
	size_t i;
	char *id;
	int r;

	if (refused(st, cause) || debt_item_check(item, cause) != 0) {
		debt_item_free(item);
		return -1;
	}
	if (item->id != NULL && debt_store_find(st, item->id) != NULL) {
		*cause = xasprintf("debt id '%s' is already used", item->id);
		debt_item_free(item);
		return -1;
	}
	debt_list_copy(&next, &st->list);
	if (item->id == NULL) {
		/* Never reuse a number, even one the configuration uses. */
		for (i = 0; st->cfg != NULL && i < st->cfg->ndebt; i++)
			if (debt_id_number(st->cfg->debt[i]->id) >= n)
				n = debt_id_number(st->cfg->debt[i]->id) + 1;
		for (;;) {
			item->id = xasprintf("D-%04lld", n++);
			if (debt_store_find(st, item->id) == NULL)
				break;
			free(item->id);
		}
		next.next_id = n;
	} else if (debt_id_number(item->id) >= next.next_id)
		next.next_id = debt_id_number(item->id) + 1;
	if (item->created == 0)
		item->created = debt_today(now, debt_store_tz(st));
	item->source = DEBT_SOURCE_STATE;
	free(item->file);
	item->file = xstrdup(st->path);
	item->line = 0;
	id = xstrdup(item->id);
	debt_list_add(&next, item);
	r = debt_store_save(st, &next, "add", id, item->title, now, 0, cause);
	if (r >= 0 && newid != NULL)
		*newid = id;
	else
		free(id);
	return r;
}

int
debt_store_edit(struct debt_store *st, const char *id, struct debt_item *item,
    time_t now, char **cause)
{
	struct debt_list next;
	const struct debt_item *old;
	ssize_t k;

	if (refused(st, cause) || (k = file_index(st, id, cause)) < 0) {
		debt_item_free(item);
		return -1;
	}
	old = st->list.v[k];
	free(item->id);
	item->id = xstrdup(old->id);
	item->created = old->created;
	item->status = old->status;
	item->resolved = old->resolved;
	item->source = DEBT_SOURCE_STATE;
	free(item->file);
	item->file = xstrdup(st->path);
	item->line = old->line;
	if (debt_item_check(item, cause) != 0) {
		debt_item_free(item);
		return -1;
	}
	debt_list_copy(&next, &st->list);
	debt_item_free(next.v[k]);
	next.v[k] = item;
	return debt_store_save(st, &next, "edit", item->id, item->title, now, 0, cause);
}

static int
set_status(struct debt_store *st, const char *id, enum debt_status status,
    time_t now, char **cause)
{
	struct debt_list next;
	struct debt_item *d;
	ssize_t k;

	if (refused(st, cause) || (k = file_index(st, id, cause)) < 0)
		return -1;
	if (st->list.v[k]->status == status) {
		*cause = xasprintf("debt item '%s' is already %s", id,
		    debt_status_name(status));
		return -1;
	}
	debt_list_copy(&next, &st->list);
	d = next.v[k];
	d->status = status;
	d->resolved = status == DEBT_RESOLVED ? debt_today(now, debt_store_tz(st)) : 0;
	return debt_store_save(st, &next, status == DEBT_RESOLVED ? "resolve" :
	    "reopen", d->id, d->title, now, 0, cause);
}

int
debt_store_resolve(struct debt_store *st, const char *id, time_t now,
    char **cause)
{
	return set_status(st, id, DEBT_RESOLVED, now, cause);
}

int
debt_store_reopen(struct debt_store *st, const char *id, time_t now,
    char **cause)
{
	return set_status(st, id, DEBT_OPEN, now, cause);
}

int
debt_store_delete(struct debt_store *st, const char *id, time_t now,
    char **cause)
{
	struct debt_list next;
	char *keep_id, *title;
	ssize_t k;
	int r;

	if (refused(st, cause) || (k = file_index(st, id, cause)) < 0)
		return -1;
	debt_list_copy(&next, &st->list);
	keep_id = xstrdup(next.v[k]->id);
	title = xstrdup(next.v[k]->title);
	debt_item_free(next.v[k]);
	memmove(&next.v[k], &next.v[k + 1], (next.n - (size_t)k - 1) *
	    sizeof *next.v);
	next.n--;
	r = debt_store_save(st, &next, "delete", keep_id, title, now, 0, cause);
	free(keep_id);
	free(title);
	return r;
}

/*
 * The team store's undo: the list as it is, with only the item changed
 * last put back as it was (others may have changed the rest since).
 */
static void
undo_one(const struct debt_store *st, struct debt_list *next)
{
	const struct debt_item *was = NULL;
	size_t i;

	debt_list_copy(next, &st->list);
	for (i = 0; st->undo_id != NULL && i < st->undo.n; i++)
		if (strcmp(st->undo.v[i]->id, st->undo_id) == 0)
			was = st->undo.v[i];
	for (i = 0; st->undo_id != NULL && i < next->n; i++)
		if (strcmp(next->v[i]->id, st->undo_id) == 0)
			break;
	if (i < next->n) {
		debt_item_free(next->v[i]);
		if (was != NULL)
			next->v[i] = debt_item_copy(was);
		else
			memmove(&next->v[i], &next->v[i + 1], (--next->n - i) *
			    sizeof *next->v);
	} else if (was != NULL)
		debt_list_add(next, debt_item_copy(was));
}

int
debt_store_undo(struct debt_store *st, time_t now, char **cause)
{
	struct debt_list next;
	char *id;
	int r;

	if (refused(st, cause))
		return -1;
	if (!st->has_undo) {
		*cause = xstrdup("nothing to undo");
		return -1;
	}
	if (st->team != NULL)
		undo_one(st, &next);
	else
		debt_list_copy(&next, &st->undo);
	/* Numbers handed out stay used: an undone add frees no id. */
	if (st->list.next_id > next.next_id)
		next.next_id = st->list.next_id;
	id = xstrdup(st->undo_id);
	r = debt_store_save(st, &next, "undo", id, NULL, now, 1, cause);
	free(id);
	return r;
}
