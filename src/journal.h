/* The journal: an append-only file of JSON records (one per line) of every
 * runbook run and every change made through maintop, with who made it. */
#ifndef MAINTOP_JOURNAL_H
#define MAINTOP_JOURNAL_H

#include <jansson.h>
#include <time.h>

#include "util.h"

/*
 * Appends to b the members describing who acts, without braces:
 * "user":"...","ssh_client":"...","tty":"..." (user from the password
 * entry of the effective uid, else $USER or $LOGNAME, else "uid N";
 * ssh_client from the first field of $SSH_CLIENT, else of $SSH_CONNECTION,
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
 * Appends a record to the journal file path (state_dir/journal.jsonl).
 * object is a complete JSON object on one line (it must start with '{',
 * end with '}' and contain no newline).  The file is created with mode 0600
 * if missing (its directory must exist).  The record is written with one
 * write() on an O_APPEND descriptor and fsynced before this returns, so
 * concurrent writers never interleave.  Returns 0, or -1 with *cause set
 * (caller frees).
 */
int journal_append(const char *path, const char *object, char **cause);

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

#endif
