/* The journal: an append-only file of JSON records (one per line) of every
 * runbook run and every change made through maintop, with who made it. */
#ifndef MAINTOP_JOURNAL_H
#define MAINTOP_JOURNAL_H

#include <jansson.h>
#include <time.h>

#include <jansson.h>

#include "util.h"

/*
 * Looks the user's name up, once: from the password entry of the
 * effective uid (which may ask a network name service, so the program
 * calls this at start-up, on the main thread before any other starts),
 * else $USER or $LOGNAME, else "uid N"; and standard input's terminal.
 * Variables are read from the environment maintop started with
 * (childenv.h), here and by journal_who.  Later calls do nothing.
 */
void journal_init(void);

/*
 * Appends to b the members describing who acts, without braces:
 * "user":"...","ssh_client":"...","tty":"..." (user: the actor that
 * journal_set_actor set, else the name journal_init found, looked up then
 * if it was not yet; ssh_client from the first field of $SSH_CLIENT, else of $SSH_CONNECTION,
 * null when neither is set; tty from ttyname(0), null when stdin is not a
 * terminal).  Every value is escaped as a JSON string.
 */
void journal_who(struct buf *b);
/* The same members set on the JSON object o (a name that is not UTF-8
 * gives a null user, as jansson refuses it). */
void journal_who_json(json_t *o);

/*
 * Makes journal_who's user NAME@HOST from now on (NULL: the user again):
 * the agent records itself as "agent@host".
 */
void journal_set_actor(const char *name);

/*
 * Appends a record to the journal file path (state_dir/journal.jsonl),
 * then rotates it when it is past its size (journal_set_max).
 * object is a complete JSON object on one line (it must start with '{',
 * end with '}' and contain no newline).  The file is created with mode 0600
 * if missing (its directory must exist).  The record is written with one
 * write() on an O_APPEND descriptor and fsynced before this returns, so
 * concurrent writers never interleave.  Returns 0, or -1 with *cause set
 * (caller frees).
 */
int journal_append(const char *path, const char *object, char **cause);

/* A line longer than this is not a record (it is skipped). */
#define JOURNAL_LINE_MAX	(1024 * 1024)

/* Past journal_set_max bytes the journal is rotated (32 MiB unless the
 * configuration says otherwise). */
#define JOURNAL_DEFAULT_MAX	(32LL * 1024 * 1024)

/* Where a reading stopped: the file read and the offset after its last
 * whole line. */
struct journal_pos {
	unsigned long long	dev;
	unsigned long long	ino;
	long long		off;
	long long		head;		/* hash of its first headlen */
	long long		headlen;	/* bytes (a reused inode is */
};						/* another file) */

/* Bytes of a journal's beginning that tell it from another file. */
#define JOURNAL_HEAD	512

/*
 * Whether path is still the file pos was taken from: the same device and
 * inode, at least off bytes, and the same first bytes (an inode number
 * is reused once a rotated journal is gone).
 */
int journal_same(const char *path, const struct journal_pos *pos);

/*
 * Calls fn for each line of the journal, oldest first, with the line
 * (without newline; valid only during the call) and arg.  A torn last
 * line (a crash mid-write), empty lines and any line that does not start
 * with '{' and end with '}' are skipped; callers still parse each line and
 * must skip one that is not valid JSON.  Returns 0, or -1 with *cause set
 * when the file cannot be read (a missing file is an empty journal, not an
 * error).
 */
int journal_foreach(const char *path, void (*fn)(const char *, void *),
    void *arg, char **cause);

/*
 * Like journal_foreach, from byte offset from (an offset past the file's
 * end starts again at 0: the file is not the one it was taken from), and
 * lines longer than JOURNAL_LINE_MAX are skipped.  *end (when not NULL)
 * tells which file was read and where its last whole line ended, for the
 * next reading to start there; all zero for a missing file.
 */
int journal_read(const char *path, long long from,
    void (*fn)(const char *, void *), void *arg, struct journal_pos *end,
    char **cause);

/*
 * Sets the size past which journal_append rotates the journal: the file
 * becomes PATH.1 (replacing the one before; journal_rotated_path) and the
 * next record starts a new one.  0: never.
 */
void journal_set_max(long long bytes);

/* PATH.1, the rotated journal of path (caller frees). */
char *journal_rotated_path(const char *path);

/*
 * A record's members: a string (or NULL), a copy of it (or NULL; caller
 * frees), and a time, which the journal always writes in UTC
 * ("...Z"; anything else is 0, so that reading never consults the local
 * time zone and is safe on any thread).
 */
const char *journal_str(json_t *record, const char *key);
char *journal_strdup(json_t *record, const char *key);
time_t journal_time(json_t *record, const char *key);

#endif
