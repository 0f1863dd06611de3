/* Editing the technical-debt list from the Debt pane: the item form, the
 * filter prompt, the question before a delete, and the changes (add, edit,
 * resolve, delete, undo) handed to the debt store. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debt_fields.h"
#include "debt_query.h"
#include "debt_store.h"
#include "form.h"
#include "ui.h"
#include "util.h"
#include "view_debt.h"

/* True when changes may be tried; otherwise says why in the footer. */
static int
may_change(struct debt_view *v, struct ui *ui, const char *what)
{
	const char *why;

	if (ui->read_only) {
		ui_notice(ui, "read-only: cannot %s in %s mode", what,
		    ui->wall ? "wall" : "read-only");
		return 0;
	}
	if (v->store == NULL) {
		ui_notice(ui, "cannot %s: %s", what, v->why);
		return 0;
	}
	if ((why = debt_store_refusal(v->store)) != NULL) {
		ui_notice(ui, "cannot %s: %s", what, why);
		return 0;
	}
	return 1;
}

/* Reports a change's result: 0 done, 1 saved with a journal problem, -1
 * refused or failed.  Frees cause. */
void
view_debt_report(struct ui *ui, int r, char *cause, const char *fmt, ...)
{
	char done[200];
	va_list ap;

	if (r == 0) {
		va_start(ap, fmt);
		vsnprintf(done, sizeof done, fmt, ap);
		va_end(ap);
		ui_notice(ui, "%s", done);
	} else
		ui_notice(ui, "%s", cause != NULL ? cause : "failed");
	free(cause);
}

/*
 * What a change function returned: 2 means it is being saved, and the
 * notice waits for debt_saved; otherwise as report.
 */
static void
outcome(struct debt_view *v, struct ui *ui, int r, char *cause,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
outcome(struct debt_view *v, struct ui *ui, int r, char *cause,
    const char *fmt, ...)
{
	char done[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(done, sizeof done, fmt, ap);
	va_end(ap);
	if (r != 2) {
		view_debt_report(ui, r, cause, "%s", done);
		return;
	}
	free(cause);
	v->saving_form = 0;
	free(v->saving_msg);
	v->saving_msg = xstrdup(done);
}

/* The form's check of field i; arg is the view. */
static char *
field_check(size_t i, const char *value, void *arg)
{
	struct debt_view *v = arg;

	return debt_field_check((enum debt_field)i, value, v->tz);
}

/* Builds an item from the form, whose checks have passed. */
static struct debt_item *
form_to_item(struct debt_view *v, struct form *f)
{
	struct debt_item *d;
	char *cause = NULL;
	size_t i;

	d = xcalloc(1, sizeof *d);
	d->systems = xcalloc(1, sizeof *d->systems);
	for (i = 0; i < DEBT_FIELD_COUNT; i++) {
		if (debt_field_set(d, (enum debt_field)i, form_value(f, i),
		    v->tz, &cause) != 0) {
			/* The check passed: only a bug gets here. */
			form_set_error(f, i, "%s", cause);
			free(cause);
			debt_item_free(d);
			return NULL;
		}
	}
	d->status = DEBT_OPEN;
	d->source = DEBT_SOURCE_STATE;
	return d;
}

/* Opens the add form (d NULL) or the edit form for d: every field a plan
 * carries, description, impact and plan on several lines. */
static void
open_form(struct debt_view *v, struct ui *ui, const struct debt_item *d)
{
	const struct debt_field_desc *fd;
	struct form *f;
	char *title, *value;
	size_t i;

	if (d != NULL) {
		title = xasprintf("Edit %s", d->id);
		f = form_new(title, v);
		free(title);
		free(v->edit_id);
		v->edit_id = xstrdup(d->id);
	} else
		f = form_new("Add a debt item", v);
	for (i = 0; i < DEBT_FIELD_COUNT; i++) {
		fd = &debt_fields[i];
		if (d != NULL)
			value = debt_field_get(d, (enum debt_field)i, v->tz);
		else
			value = xstrdup(i == DEBT_FIELD_PRIORITY ? "medium" :
			    "");
		form_add(f, fd->label, value, fd->hint, (fd->required ?
		    FORM_REQUIRED : 0) | (fd->multiline ? FORM_MULTILINE : 0),
		    field_check);
		free(value);
	}
	v->form = f;
	v->form_zoomed = !ui->zoomed;
	ui->zoomed = 1;
}

void
view_debt_close_form(struct debt_view *v, struct ui *ui)
{
	form_free(v->form);
	v->form = NULL;
	free(v->edit_id);
	v->edit_id = NULL;
	if (v->form_zoomed)
		ui->zoomed = 0;
	v->form_zoomed = 0;
	if (v->reread) {
		v->reread = 0;
		view_debt_reread(v);
	}
}

static void
submit_form(struct debt_view *v, struct ui *ui)
{
	struct debt_item *item;
	char *cause = NULL, *newid = NULL;
	int r;

	if ((item = form_to_item(v, v->form)) == NULL)
		return;
	if (debt_item_check(item, &cause) != 0) {
		form_set_error(v->form, FORM_WHOLE, "%s", cause);
		free(cause);
		debt_item_free(item);
		return;
	}
	if (v->edit_id != NULL) {
		r = debt_store_edit(v->store, v->edit_id, item, ui->now,
		    &cause);
		newid = xstrdup(v->edit_id);
	} else
		r = debt_store_add(v->store, item, ui->now, &newid, &cause);
	if (r < 0) {
		/* Refused (the file changed on disk, a bad value): say so in
		 * the form and keep what was typed. */
		form_set_error(v->form, FORM_WHOLE, "%s", cause);
		free(cause);
		return;
	}
	if (r == 2) {
		/* Saving: the form stays until it is saved (debt_saved). */
		v->saving_form = 1;
		free(v->saving_id);
		v->saving_id = newid;
		free(v->saving_msg);
		v->saving_msg = xasprintf("%s %s  (u: undo)",
		    v->edit_id != NULL ? "saved" : "added", newid);
		ui_notice(ui, "saving %s...", newid);
		free(cause);
		return;
	}
	view_debt_set_sel(v, newid);
	if (r == 0)
		ui_notice(ui, "%s %s  (u: undo)", v->edit_id != NULL ?
		    "saved" : "added", newid);
	else
		ui_notice(ui, "%s", cause);
	free(cause);
	free(newid);
	view_debt_close_form(v, ui);
}

int
view_debt_key_form(struct debt_view *v, struct ui *ui, int key)
{
	switch (form_key(v->form, ui_form_request(ui, key), key)) {
	case FORM_CANCEL:
		view_debt_close_form(v, ui);
		ui_notice(ui, "nothing changed");
		break;
	case FORM_SUBMIT:
		submit_form(v, ui);
		break;
	default:
		break;
	}
	return 1;
}

int
view_debt_key_filter(struct debt_view *v, struct ui *ui, int key)
{
	switch (form_key(v->filter_form, ui_form_request(ui, key), key)) {
	case FORM_CANCEL:
		free(v->filter);
		v->filter = NULL;
		break;
	case FORM_SUBMIT:
		free(v->filter);
		v->filter = *form_value(v->filter_form, 0) != '\0' ?
		    xstrdup(form_value(v->filter_form, 0)) : NULL;
		break;
	default:
		return 1;
	}
	form_free(v->filter_form);
	v->filter_form = NULL;
	return 1;
}

int
view_debt_key_confirm(struct debt_view *v, struct ui *ui, int key)
{
	char *id = v->confirm_id, *cause = NULL;
	int r;

	v->confirm_id = NULL;
	if (ui_request(ui, key) != REQ_CONFIRM) {
		ui_notice(ui, "kept %s", id);
		free(id);
		return 1;
	}
	r = debt_store_delete(v->store, id, ui->now, &cause);
	outcome(v, ui, r, cause, "deleted %s  (u: undo)", id);
	if (r >= 0)
		v->detail = 0;
	free(id);
	return 1;
}

/* The selected item (NULL when the list is empty); its id is copied into
 * *id (caller frees) since a change frees the item. */
static struct debt_item *
selected(struct debt_view *v, struct ui *ui, char **id)
{
	struct debt_item **rows, *d = NULL;
	size_t n;

	*id = NULL;
	n = view_debt_rows(v, ui, &rows);
	view_debt_sync_sel(v, rows, n);
	if (n > 0) {
		d = rows[v->list.sel];
		*id = xstrdup(d->id);
	}
	free(rows);
	return d;
}

/* Refuses changing an item from the configuration, naming its file. */
static int
from_config(struct ui *ui, const struct debt_item *d)
{
	if (d->source != DEBT_SOURCE_CONFIG)
		return 0;
	ui_notice(ui, "%s comes from the configuration (%s:%d): edit it there",
	    d->id, view_debt_item_file(ui, d), d->line);
	return 1;
}

int
view_debt_request_change(struct debt_view *v, struct ui *ui, enum request req)
{
	struct debt_item *d;
	char *id, *cause = NULL;
	int r;

	switch (req) {
	case REQ_ADD:
		if (may_change(v, ui, "add debt items"))
			open_form(v, ui, NULL);
		return 1;
	case REQ_UNDO:
		if (may_change(v, ui, "undo")) {
			r = debt_store_undo(v->store, ui->now, &cause);
			outcome(v, ui, r, cause, "undone");
		}
		return 1;
	default:
		break;
	}
	if (!may_change(v, ui, req == REQ_EDIT ? "edit debt items" :
	    req == REQ_RESOLVE ?
	    "resolve or reopen debt items" : "delete debt items"))
		return 1;
	d = selected(v, ui, &id);
	if (d == NULL) {
		ui_notice(ui, "no item selected");
		return 1;
	}
	if (from_config(ui, d)) {
		free(id);
		return 1;
	}
	switch (req) {
	case REQ_EDIT:
		open_form(v, ui, d);
		break;
	case REQ_RESOLVE:
		if (d->status == DEBT_OPEN) {
			r = debt_store_resolve(v->store, id, ui->now, &cause);
			outcome(v, ui, r, cause, "resolved %s  (u: undo)", id);
		} else {
			r = debt_store_reopen(v->store, id, ui->now, &cause);
			outcome(v, ui, r, cause, "reopened %s  (u: undo)", id);
		}
		break;
	case REQ_DELETE:
		v->confirm_id = id;
		return 1;
	default:
		break;
	}
	free(id);
	return 1;
}
