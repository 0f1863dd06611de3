/* The debt items in the PostgreSQL store: one row an item, as the debt
 * file writes it, with a version that refuses a change from a stale one. */
#ifndef MAINTOP_STORE_DEBT_H
#define MAINTOP_STORE_DEBT_H

#include <libpq-fe.h>
#include <stddef.h>

/* Where an item of the store says it comes from. */
#define STORE_DEBT_WHERE	"the team store"

/* The channel a change of the store's debt items is announced on (the
 * dashboards' channel, "maintop"), its payload "debt " and the item's id. */
#define STORE_DEBT_CHANNEL	"maintop"

struct debt_item;
struct debt_list;
struct settings;

/* What an item was when it was read from the store: its row's version and
 * text, to change it only if nobody else did meanwhile. */
struct store_debt_row {
	char		*id;
	long long	 version;
	char		*text;
};
struct store_debt_rows {
	struct store_debt_row	*v;
	size_t			 n;
};
void store_debt_rows_free(struct store_debt_rows *);
/* Deep copy of from into to. */
void store_debt_rows_copy(struct store_debt_rows *to,
    const struct store_debt_rows *from);
/* The version of item id's row, or -1 when there is none. */
long long store_debt_rows_version(const struct store_debt_rows *,
    const char *id);
/* Whether a and b are the same rows at the same versions, in order. */
int store_debt_rows_same(const struct store_debt_rows *a,
    const struct store_debt_rows *b);

/* The text of a row: one item as a debt file holding it alone (the caller
 * frees it). */
char *store_debt_text(struct debt_item *, const struct settings *);

/*
 * Parses a row's text, id its id, as the debt file is parsed (the store is
 * input): one item with that id, or NULL with *cause set.  The item's file
 * is "the team store".
 */
struct debt_item *store_debt_parse(const char *id, const char *text,
    size_t len, const struct settings *, char **cause);

/*
 * The next generated id's number for l: past the store's debt_next_id and
 * past every item of l.  Sets l->next_id; 0, or -1 with *cause set.
 */
int store_debt_next_id(PGconn *, struct debt_list *l, char **cause);

/*
 * Reads every debt item of the store in order, with its row (rows may be
 * NULL).  A row that does not parse fails the load.  Returns 0, or -1 with
 * *cause set and list and rows empty.
 */
int store_debt_read(PGconn *, const struct settings *, struct debt_list *,
    struct store_debt_rows *rows, char **cause);

/*
 * Makes the store's items next, in one transaction, changing only the rows
 * that differ from base (the rows as read): an item of next not in base is
 * inserted, one whose text differs updated, a row of base not in next
 * deleted, each only if its version is still base's.  line, when not
 * NULL, is the change's journal record, written in the same transaction
 * under an id of its own.  Returns 0 when saved; 1 when an item was
 * changed, added or deleted by someone else since base was read (nothing
 * saved, *cause names it); -1 with *cause set when the store failed.
 */
int store_debt_write(PGconn *, const struct settings *,
    const struct store_debt_rows *base, const struct debt_list *next,
    const char *line, char **cause);

#endif
