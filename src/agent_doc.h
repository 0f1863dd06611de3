/* The agent's state documents (agent.json, agent.debt.json,
 * agent.holds.json): the state directory's files, or with a team store its
 * rows, so that every host sees the team's; read, written and changed one
 * way for both. */
#ifndef MAINTOP_AGENT_DOC_H
#define MAINTOP_AGENT_DOC_H

#include <stddef.h>

struct store;

/*
 * Reads document name (a file of state_dir, or with a store that keeps
 * them, its row): the text (NUL-terminated; the caller frees it) with its
 * length in *len, or NULL when there is none, it is longer than max, or it
 * cannot be read (nothing is known: the callers' parsers take NULL as no
 * document).  Blocking: a worker's or a line mode's.
 */
char *agent_doc_read(struct store *, const char *state_dir, const char *name,
    size_t max, size_t *len);
/* Writes document name (a file: atomically, mode 0600).  0, or -1 with
 * *cause set. */
int agent_doc_write(struct store *, const char *state_dir, const char *name,
    const char *text, char **cause);
/*
 * Changes document name under a lock that other maintops changing it wait
 * for (a file's: an flock of name.lock): change(old, len, &text, arg,
 * cause) gets the text as it is (NULL: none) and returns 0 with the new
 * text (taken), or -1 with *cause set to change nothing.  Returns 0, or -1
 * with *cause set.
 */
int agent_doc_update(struct store *, const char *state_dir,
    const char *name, size_t max, int (*change)(const char *old,
    size_t len, char **text, void *arg, char **cause), void *arg,
    char **cause);

#endif
