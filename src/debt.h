/* Technical debt: items, their priority score and order, the debt file in
 * the state directory, and safe editing with undo and a journal. */
#ifndef MAINTOP_DEBT_H
#define MAINTOP_DEBT_H

#include <libconfig.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "cfgutil.h"

struct config;
struct settings;

enum debt_priority {
	DEBT_HIGH,
	DEBT_MEDIUM,
	DEBT_LOW
};

enum debt_status {
	DEBT_OPEN,
	DEBT_RESOLVED
};

enum debt_source {
	DEBT_SOURCE_CONFIG,	/* the user's configuration: read-only here */
	DEBT_SOURCE_STATE	/* the debt file that maintop edits */
};

/*
 * One item.  Strings are owned by the item and freed by debt_item_free;
 * optional ones are NULL when absent.  No string holds a control character
 * other than newline and tab (and those only in description, impact and
 * plan): the parser and debt_item_check refuse them, so the model never
 * carries escape sequences.
 *
 * Dates are calendar days in the settings' time zone, stored as the
 * instant that day starts (00:00 local).  The same zone must be used to
 * read them back (debt_format_date).
 */
struct debt_item {
	char			 *id;		/* "D-0007"; [A-Za-z0-9._-], 1-32 */
	char			 *title;
	char			 *description;
	enum debt_priority	  priority;
	char			**systems;	/* affected systems (check names) */
	size_t			  nsystems;
	long long		  effort;	/* seconds; 0 when unknown */
	char			 *impact;
	char			 *plan;		/* resolution plan */
	char			 *owner;
	time_t			  created;	/* 0 when unknown: sorts oldest */
	time_t			  target;	/* 0: no target date */
	enum debt_status	  status;
	time_t			  resolved;	/* when status is DEBT_RESOLVED */
	enum debt_source	  source;
	char			 *file;		/* where it was read, or NULL */
	int			  line;		/* 0 when unknown */
};

/* The parts of an item's score (see debt_score). */
struct debt_score {
	double	weight;		/* high 5, medium 3, low 1 */
	double	systems;	/* 0.5 per affected system */
	double	urgency;	/* max(0, (90 - days until target) / 30) */
	double	total;
};

/*
 * Parses one element of a `debt = ( { ... }, ... );` list (a group).
 * Keys: id (required), title (required), priority (required: "high",
 * "medium" or "low"), description, systems (a string or list of strings),
 * effort (a duration), impact, plan, owner, created, target and resolved
 * (dates "YYYY-MM-DD" in settings->timezone), status ("open" or
 * "resolved"; resolved needs a resolved date).  Unknown keys are errors
 * with a suggestion.  Every problem goes to errs with the setting's file
 * and line.  Returns a new item (source DEBT_SOURCE_CONFIG, file and line
 * of the group) or NULL when the element has errors.  Uniqueness of ids
 * across a list is the caller's business.
 */
struct debt_item *debt_item_parse(struct cfg_errors *errs,
    const config_setting_t *group, const struct settings *settings);
void debt_item_free(struct debt_item *);
/* A deep copy (the caller frees it). */
struct debt_item *debt_item_copy(const struct debt_item *);
/*
 * Checks an item built in code (the TUI's form, the command line): id
 * syntax when id is not NULL, a non-empty title, strings free of control
 * characters, no system listed twice, resolved consistent with status.
 * Returns 0, or -1 with *cause set (caller frees).
 */
int debt_item_check(const struct debt_item *, char **cause);

/*
 * Cross-checks the configuration's items once everything is loaded: a
 * system that names no configured check is a warning (systems may be wider
 * than checks), with the item's file and line.
 */
void debt_resolve(const struct config *, struct cfg_errors *errs);

/* Names for priorities and statuses ("high", "open"...), and back (-1 when
 * the name is unknown; case is ignored). */
const char *debt_priority_name(enum debt_priority);
int debt_priority_from_name(const char *);
const char *debt_status_name(enum debt_status);

/*
 * Parses a date "YYYY-MM-DD" as the start of that day in zone tz (NULL:
 * UTC).  Returns 0 or -1.  debt_format_date writes the day of t in tz
 * ("YYYY-MM-DD") into out (at least 11 bytes).
 */
int debt_parse_date(const char *, const char *tz, time_t *);
void debt_format_date(time_t, const char *tz, char *out, size_t len);

/*
 * How "now" and a date compare.  A target date means "by the end of that
 * day".  days_until_target is the target's calendar day minus today's
 * calendar day, both in zone tz: 0 on the target day itself, 1 the day
 * before, -1 the day after.  This equals floor((end of target day - now) /
 * 24 h), whole days rounded down, also when negative (overdue by 1.5 days
 * is -2), and it changes at local midnight, unaffected by daylight-saving
 * days of 23 or 25 hours.  Returns 0 and stores the count, or -1 when the
 * item has no target.
 */
int debt_days_until(const struct debt_item *, time_t now, const char *tz,
    long long *days);

/*
 * The score: weight (high 5, medium 3, low 1) + 0.5 x number of systems +
 * max(0, (90 - days until target) / 30), no urgency term without a target.
 * Overdue items keep gaining urgency.  Resolved items are scored the same
 * way (the list shows them only on request).
 */
struct debt_score debt_score(const struct debt_item *, time_t now,
    const char *tz);
/*
 * Sorts items: score descending; equal scores put the oldest created date
 * first (unknown created dates count as oldest), then id in byte order.
 * Scores are compared exactly (in thirtieths), not as floating point.
 */
void debt_sort(struct debt_item **, size_t, time_t now, const char *tz);

/*
 * The contents of a debt file: its items (owned, source DEBT_SOURCE_STATE)
 * and the number the next generated id will use.
 */
struct debt_list {
	struct debt_item	**v;
	size_t			  n;
	long long		  next_id;
};
void debt_list_free(struct debt_list *);

/* Largest debt file accepted; a bigger one is an error, not a truncation. */
#define DEBT_FILE_MAX (4 * 1024 * 1024)

/*
 * Parses the text of a debt file (len bytes, may contain NUL bytes; name is
 * used in messages).  The format is libconfig:
 *	version = 1;
 *	next_id = 8;
 *	debt = ( { id = "D-0001"; title = "..."; ... }, ... );
 * with items as for debt_item_parse.  Refused with an error and its line:
 * NUL bytes, @include directives, syntax errors, unknown top-level keys,
 * a bad item, duplicate ids.  Returns 0 and fills list, or -1 with every
 * problem in errs and list left empty.
 */
int debt_file_parse(const char *text, size_t len, const char *name,
    const struct settings *, struct debt_list *list, struct cfg_errors *errs);

/*
 * What a debt file was when it was read: identity and a SHA-256 of its
 * content, to notice a change made by someone else before saving over it.
 */
struct debt_fileid {
	int		exists;
	dev_t		dev;
	ino_t		ino;
	off_t		size;
	struct timespec	mtim;
	unsigned char	hash[32];
};

/*
 * Reads and parses path (a missing file is an empty list, not an error).
 * Fills id (when not NULL) with what was read.  Returns 0, or -1 with the
 * problems in errs (with path and line) and list left empty.
 */
int debt_file_load(const char *path, const struct settings *,
    struct debt_list *list, struct debt_fileid *id, struct cfg_errors *errs);
/* The text debt_file_save writes (a new string, the caller frees it). */
char *debt_file_format(const struct debt_list *, const struct settings *);
/*
 * Writes list to path atomically (fileio_write_atomic, mode 0600).  When
 * id is not NULL it is updated to the new file.  Returns 0, or -1 with
 * *cause set (the old file is then untouched).
 */
int debt_file_save(const char *path, const struct debt_list *,
    const struct settings *, struct debt_fileid *id, char **cause);
/*
 * Compares path on disk with id: returns 1 when it changed (content,
 * appearance or disappearance), 0 when not, -1 with *cause when it cannot
 * be read.  The content hash decides: a file rewritten with the same bytes
 * has not changed.
 */
int debt_file_changed(const char *path, const struct debt_fileid *id,
    char **cause);

/*
 * The editable debt list: the configuration's items (read-only, borrowed
 * from the config) and the debt file's items, the file's identity when
 * read, and one undo snapshot.  Every successful change is saved at once
 * and recorded in the journal as
 *   {"type":"debt","action":"resolve","id":"D-0003","title":"...",
 *    "user":...,"ssh_client":...,"tty":...,"time":"...Z"}
 * Items from the configuration are never changed: every change function
 * refuses them with a message naming the configuration file and line.
 */
struct debt_store;

/*
 * Opens the store for the debt file path, recording changes in the
 * journal file journal (NULL: none).  cfg is borrowed and must outlive the
 * store.  With read_only every change is refused.  Problems loading the
 * file go to errs; the store is then still usable for reading (config
 * items only) but refuses changes until a reload succeeds, so a file that
 * cannot be parsed is never overwritten.  The caller frees the store with
 * debt_store_free.
 */
struct debt_store *debt_store_open(const char *path, const char *journal,
    const struct config *cfg, int read_only, struct cfg_errors *errs);
void debt_store_free(struct debt_store *);
/*
 * With nowait set (the dashboard), a change finding the file locked by
 * another maintop is refused at once ("try again") instead of waiting up
 * to 3 s for the lock: the screen must not stall.
 */
void debt_store_set_nowait(struct debt_store *, int nowait);
/*
 * With a base (the dashboard), a change is saved on a thread of its own
 * (lock, check, write, fsync, rename, journal) so the loop never waits on
 * the disk: the change functions then return 2 ("saving") and done is
 * called later on the loop with what they would have returned and the
 * cause (done frees it).  The list changes only when the save succeeded;
 * until done, another change is refused ("still saving").
 */
struct event_base;
typedef void (*debt_done_cb)(int r, char *cause, void *arg);
void debt_store_set_async(struct debt_store *, struct event_base *,
    debt_done_cb done, void *arg);
/* True while a save is in flight. */
int debt_store_saving(const struct debt_store *);
/* Rereads the file (dropping the undo snapshot).  0, or -1 with errs. */
int debt_store_reload(struct debt_store *, struct cfg_errors *errs);
/* NULL, or why the store refuses changes ("read-only mode", file errors). */
const char *debt_store_refusal(const struct debt_store *);

/*
 * The items in score order (resolved ones only with all).  The array is
 * new (the caller frees it, not the items); the items stay valid until the
 * next change, reload or debt_store_free.
 */
size_t debt_store_list(struct debt_store *, time_t now, int all,
    struct debt_item ***out);
/* The item with id (config or file), or NULL.  Valid as for the list. */
const struct debt_item *debt_store_find(const struct debt_store *,
    const char *id);

/*
 * Changes.  Each returns 0 when saved and journaled; 1 when saved but the
 * journal record failed (*cause says why: tell the user); -1 when refused
 * or failed with *cause set (caller frees) and nothing changed.  When the
 * file changed on disk since it was read, the change is refused with
 * "debt file changed on disk since it was read; reloaded" and the store
 * holds the file's new content.  now dates the change.
 *
 * add takes ownership of item (freed on failure too): a NULL id gets the
 * next "D-NNNN", a zero created date gets today; the id is stored in
 * *newid when newid is not NULL (caller frees).  edit replaces the item id
 * with item (ownership taken; id, created and status are kept from the old
 * item).  resolve, reopen and delete act on the item id.  undo restores the
 * file as it was before the last change made through this store.
 */
int debt_store_add(struct debt_store *, struct debt_item *item, time_t now,
    char **newid, char **cause);
int debt_store_edit(struct debt_store *, const char *id,
    struct debt_item *item, time_t now, char **cause);
int debt_store_resolve(struct debt_store *, const char *id, time_t now,
    char **cause);
int debt_store_reopen(struct debt_store *, const char *id, time_t now,
    char **cause);
int debt_store_delete(struct debt_store *, const char *id, time_t now,
    char **cause);
int debt_store_undo(struct debt_store *, time_t now, char **cause);
/* True when there is a change to undo. */
int debt_store_can_undo(const struct debt_store *);

#endif
