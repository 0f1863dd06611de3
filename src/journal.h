/* The journal: an append-only file of JSON records (one per line) of every
 * runbook run and every change made through maintop, with who made it. */
#ifndef MAINTOP_JOURNAL_H
#define MAINTOP_JOURNAL_H

#include <time.h>

#include "util.h"

/*
 * Appends to b the members describing who acts, without braces:
 * "user":"...","ssh_client":"...","tty":"..." (ssh_client from
 * $SSH_CLIENT's address, null when absent; tty from ttyname(0)).
 */
void journal_who(struct buf *b);

/*
 * Appends a record to the journal file path (state_dir/journal.jsonl).
 * object is a complete JSON object on one line.  The record is fsynced
 * before this returns.  Returns 0, or -1 with *cause set (caller frees).
 */
int journal_append(const char *path, const char *object, char **cause);

/*
 * Calls fn for each line of the journal, oldest first, with the line
 * (without newline) and arg.  A torn last line (a crash mid-write) is
 * skipped.  Returns 0, or -1 with *cause set when the file cannot be read
 * (a missing file is an empty journal, not an error).
 */
int journal_foreach(const char *path, void (*fn)(const char *, void *),
    void *arg, char **cause);

#endif
