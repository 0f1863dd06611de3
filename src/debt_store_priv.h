/* What the debt store's files share: the store's state, the helpers
 * each of them uses, and the save that every change ends in. */
#ifndef MAINTOP_DEBT_STORE_PRIV_H
#define MAINTOP_DEBT_STORE_PRIV_H

#include <time.h>

#include "debt_store.h"
#include "store_debt.h"

struct debt_refresh;
struct debt_save;
struct debt_team;

/*
 * The list as last read (the file's or the team store's), the save and the
 * reread in flight on the worker, and the snapshot one undo puts back.
 */
struct debt_store {
	char			*path;
	char			*journal;
	const struct config	*cfg;
	int			 read_only;
	int			 nowait;	/* never wait for the lock */

	/* Saving on the worker (the dashboard): see debt_store_set_async. */
	struct worker		*worker;
	debt_done_cb		 done;
	void			*done_arg;
	struct debt_save	*save;		/* the save in flight */
	struct debt_refresh	*refresh;	/* the reread in flight */
	char			*broken;	/* why the file cannot be used */

	struct debt_list	 list;
	struct debt_fileid	 fid;
	/* The list in the team store instead (settings.store): its handle,
	 * used on the worker only, and the list's rows as read. */
	struct debt_team	*team;
	struct store_debt_rows	 rows;

	int			 has_undo;
	struct debt_list	 undo;
	char			*undo_action;
	char			*undo_id;
};

/* The configuration's settings, or NULL for a store opened without a
 * configuration. */
const struct settings *debt_store_settings(const struct debt_store *);
/* The configuration's time zone, or NULL (UTC). */
const char *debt_store_tz(const struct debt_store *);
/* Drops the undo snapshot, if any. */
void debt_store_drop_undo(struct debt_store *);
/* The configuration's item with id (borrowed), or NULL. */
struct debt_item *debt_store_config_item(const struct debt_store *,
    const char *id);
/* The file a configuration item came from, for messages (borrowed). */
const char *debt_store_config_file(const struct debt_store *,
    const struct debt_item *);

/*
 * Saves next (taking it) in place of the current list if nobody changed
 * it since it was read (the file on disk, or the store's rows), then keeps
 * the current list as the undo snapshot (unless this is the undo itself)
 * and journals the change (action, id and title name it; the undo's
 * record names what it undid).  With a worker, on the worker: returns 2
 * (saving) or -1 with *cause, and the store's done callback tells the
 * end.  Without one, at once: returns what the change functions of
 * debt_store.h return.
 */
int debt_store_save(struct debt_store *, struct debt_list *next,
    const char *action, const char *id, const char *title, time_t now,
    int is_undo, char **cause);
/* The store is being freed while sv is on the worker: the save finishes
 * there and is freed unreported. */
void debt_store_save_forget(struct debt_save *sv);

#endif
