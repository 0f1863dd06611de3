/* The debt file in the state directory: its libconfig text, reading it
 * with a size limit, writing it atomically and noticing outside changes. */
#ifndef MAINTOP_DEBT_FILE_H
#define MAINTOP_DEBT_FILE_H

#include <sys/types.h>

#include "debt.h"

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
 * Writes text (a debt_file_format result) to path atomically, mode 0600,
 * and describes the new file in *id when id is not NULL.  Returns 0, or -1
 * with *cause set (the old file is then untouched).
 */
int debt_file_write(const char *path, const char *text,
    struct debt_fileid *id, char **cause);
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

/* Appends d (taken) to l.  Every l->v is grown here only (from NULL). */
void debt_list_add(struct debt_list *l, struct debt_item *d);
/* Fills to with deep copies of from's items (to's old content is not
 * freed). */
void debt_list_copy(struct debt_list *to, const struct debt_list *from);
/* The number in a generated id ("D-0042" is 42), or 0 for other ids. */
long long debt_id_number(const char *id);
/* Copies the errors in from to to (emptying from), naming file name where
 * an error names none. */
void debt_move_errors(struct cfg_errors *to, struct cfg_errors *from,
    const char *name);

#endif
