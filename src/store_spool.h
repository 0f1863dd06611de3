/* The store's spool: journal records the team store could not take while
 * it was unreachable, kept in the state directory and replayed into it in
 * order once it answers again. */
#ifndef MAINTOP_STORE_SPOOL_H
#define MAINTOP_STORE_SPOOL_H

#include <stddef.h>

/* The spool's file in state_dir (the caller frees). */
char *store_spool_path(const char *state_dir);

/*
 * Appends the record line (one JSON object on one line) under its record
 * id to state_dir's spool: one write() with O_APPEND, then fsync, under an
 * flock shared with the replay.  An id holding a space or a control
 * character is refused.  Returns 0, or -1 with *cause set.
 */
int store_spool_add(const char *state_dir, const char *id, const char *line,
    char **cause);

/* Whether state_dir's spool holds records (a cheap stat). */
int store_spool_pending(const char *state_dir);

/*
 * Replays state_dir's spool in order under its flock: put(id, line, arg,
 * cause) for each record, stopping at the first that fails (-1).  When
 * every record was put the spool is emptied.  A record is put at least
 * once: put must be idempotent by id (the store's journal is), so a replay
 * cut short and done again writes each record exactly once.  Lines that
 * are not records (torn by a crash, or longer than a journal line) are
 * skipped.  *n counts the records put.  Returns 0, or -1 with *cause set
 * (put's own, or the file's) and the spool kept.
 */
int store_spool_replay(const char *state_dir,
    int (*put)(const char *id, const char *line, void *arg, char **cause),
    void *arg, size_t *n, char **cause);

#endif
