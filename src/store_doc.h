/* The agents' shared state in the team store (settings.store): documents
 * by name (the holds, what was told of the debt list, the leader's
 * status) in maintop.agent_state, each the text its file would hold. */
#ifndef MAINTOP_STORE_DOC_H
#define MAINTOP_STORE_DOC_H

#include <stddef.h>

struct store;

/* Whether the store keeps the agents' documents itself (a team store). */
int store_has_docs(const struct store *);

/*
 * Reads document name: *text (NUL-terminated; the caller frees it) and
 * *len, or *text NULL when there is none or it is longer than max bytes.
 * Returns 0, or -1 with *cause set.
 */
int store_doc_read(struct store *, const char *name, size_t max,
    char **text, size_t *len, char **cause);
/* Writes document name.  0, or -1 with *cause set. */
int store_doc_write(struct store *, const char *name, const char *text,
    char **cause);
/*
 * Changes document name under a lock that other maintops changing it
 * wait for: change(old, len, &text, arg, cause) gets the text as it is
 * (NULL: none) and returns 0 with the new text (which the store takes), or
 * -1 with *cause set to change nothing.  The change is notified on
 * STORE_PG_CHANNEL as "doc NAME" (the leading agent listens for the
 * holds).  Returns 0, or -1 with *cause set.
 */
int store_doc_update(struct store *, const char *name, size_t max,
    int (*change)(const char *old, size_t len, char **text, void *arg,
    char **cause), void *arg, char **cause);

#endif
