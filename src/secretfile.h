/* A probe's files read off the event loop: a check's password, its secret
 * headers and its TLS files, read on a worker thread and handed back on
 * the loop. */
#ifndef MAINTOP_SECRETFILE_H
#define MAINTOP_SECRETFILE_H

#include <stddef.h>

struct check;
struct secretfile;
struct worker;

/* The bytes of one file (data NULL when the check names none). */
struct secretfile_blob {
	char	*data;
	size_t	 len;
};

/*
 * What was read for one probe: cause set (and nothing else) when a secret
 * or file could not be read; it names the key and the variable or file,
 * never a secret.  A callee that keeps a member takes it (sets it to NULL
 * or zeroes the blob), or takes the whole (copies it, zeroes it, and
 * clears it later with secretfile_result_clear); everything left is wiped
 * and freed after the callback.
 */
struct secretfile_result {
	char			*cause;
	char			*password;	/* PostgreSQL, Redis; or NULL */
	char			**lines;	/* HTTP: "Name: value" */
	size_t			 nlines;
	struct secretfile_blob	 ca;		/* HTTP: ca_file */
	struct secretfile_blob	 cert;		/* client_cert */
	struct secretfile_blob	 key;		/* client_key */
};

typedef void (*secretfile_cb)(struct secretfile_result *, void *arg);

/*
 * Reads what check c needs at each probe: a PostgreSQL or Redis check's
 * password, an HTTP check's secret headers and TLS files.  What comes from
 * the environment is read at once; files are read on worker w, so a slow
 * or hung file system never holds the loop (with a NULL w, at once: the
 * line modes).  cb is called exactly once on the loop's thread unless
 * cancelled.  When it is called before secretfile_read returns, the
 * result is NULL; otherwise a handle for secretfile_cancel, valid until
 * cb is called.  c may be freed after this call returns.
 */
struct secretfile *secretfile_read(struct worker *w, const struct check *c,
    secretfile_cb cb, void *arg);

/* True when c has something secretfile_read reads from a file. */
int secretfile_needed(const struct check *c);

/*
 * Cancels a pending read: cb is not called, and what was read is wiped
 * and freed once the worker is done with it.
 */
void secretfile_cancel(struct secretfile *);

/* Wipes and frees what a result holds (one a callee took whole). */
void secretfile_result_clear(struct secretfile_result *);

/* Wipes and frees a blob. */
void secretfile_blob_clear(struct secretfile_blob *);

/* Wipes and frees a secret string (a taken password), and sets it NULL. */
void secretfile_forget(char **);

#endif
