/* The Debt pane's private parts, shared by the view (view_debt.c) and its
 * editing (view_debt_edit.c). */
#ifndef MAINTOP_VIEW_DEBT_H
#define MAINTOP_VIEW_DEBT_H

#include <stddef.h>

#include "debt_query.h"
#include "keymap.h"
#include "ui.h"

struct debt_item;
struct debt_store;
struct form;
struct watch;

/* The view's state: one, allocated by the view's init. */
struct debt_view {
	struct debt_store	*store;		/* NULL: no state directory */
	char			*why;		/* why store is NULL */
	const char		*tz;		/* settings.timezone (borrowed) */

	struct list_state	 list;
	char			*sel_id;	/* the selected item's id */
	int			 detail;	/* the detail view is open */
	int			 detail_top;
	int			 show_all;	/* resolved items too */
	enum debt_order		 sort;
	char			*filter;	/* NULL or the filter text */

	struct form		*filter_form;	/* the "/" prompt, while open */
	struct form		*form;		/* add or edit, while open */
	char			*edit_id;	/* the item edited, NULL: add */
	int			 form_zoomed;	/* the form zoomed the pane */
	char			*confirm_id;	/* asking before deleting this */
	int			 zoomed;	/* as last drawn, for the hints */

	/* A change being saved (on the store's thread). */
	struct ui		*ui;
	int			 saving_form;	/* from the form: close it after */
	char			*saving_id;	/* the item to select after */
	char			*saving_msg;	/* the notice when it worked */
	struct watch		*watch;		/* other maintops' saves */
	int			 reread;	/* one came while a form was open */
	int			 list_y;	/* the list's rows as last drawn: */
	int			 list_end;	/* [list_y, list_end) */
};

/* The items shown, in the view's order, filter and show_all; a new array
 * (the caller frees it), the items valid until the store next changes.
 * Returns their number. */
size_t view_debt_rows(struct debt_view *, struct ui *,
    struct debt_item ***out);
/* Selects the item id (NULL: none), kept across changes to the list. */
void view_debt_set_sel(struct debt_view *, const char *id);
/* Moves the selection to the selected item's row in rows, or keeps its
 * position when the item is gone. */
void view_debt_sync_sel(struct debt_view *, struct debt_item **rows,
    size_t n);
/* Where d was read: its file, else the configuration's path. */
const char *view_debt_item_file(struct ui *, const struct debt_item *d);

/* Says a change's result in the footer: r 0 done (fmt), 1 saved with a
 * journal problem, -1 refused or failed (cause).  Frees cause. */
void view_debt_report(struct ui *, int r, char *cause, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/*
 * Reads the list again on the worker, shown if it changed -- once the form
 * is closed (view_debt_close_form does it then): an edit is based on the
 * item as the form was opened on it, so that a change made meanwhile
 * refuses the save instead of being lost.
 */
void view_debt_reread(struct debt_view *);
/* Closes the add or edit form, changing nothing more. */
void view_debt_close_form(struct debt_view *, struct ui *);
/* A key while the form, the filter prompt or the delete question is
 * open; returns 1 when used. */
int view_debt_key_form(struct debt_view *, struct ui *, int key);
int view_debt_key_filter(struct debt_view *, struct ui *, int key);
int view_debt_key_confirm(struct debt_view *, struct ui *, int key);
/* add, edit, resolve, delete or undo on the selected item (or a new one);
 * returns 1 when the request was the view's. */
int view_debt_request_change(struct debt_view *, struct ui *,
    enum request req);

#endif
