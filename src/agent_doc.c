/* The agent's state documents, in files or in the team store; see
 * agent_doc.h. */
#include "build.h"

#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent_doc.h"
#include "fileio.h"
#include "store.h"
#include "store_doc.h"
#include "util.h"

/* Whether the documents are the store's. */
static int
in_store(struct store *s)
{
	return s != NULL && store_has_docs(s);
}

char *
agent_doc_read(struct store *s, const char *state_dir, const char *name,
    size_t max, size_t *len)
{
	char *path, *text = NULL, *cause = NULL;
	int r;

	*len = 0;
	if (in_store(s))
		r = store_doc_read(s, name, max, &text, len, &cause);
	else {
		path = xasprintf("%s/%s", state_dir, name);
		r = fileio_read(path, max, &text, len, &cause);
		free(path);
	}
	free(cause);	/* none, or unreadable: nothing known */
	if (r != 0) {
		*len = 0;
		return NULL;
	}
	return text;
}

int
agent_doc_write(struct store *s, const char *state_dir, const char *name,
    const char *text, char **cause)
{
	char *path;
	int r;

	if (in_store(s))
		return store_doc_write(s, name, text, cause);
	path = xasprintf("%s/%s", state_dir, name);
	r = fileio_write_atomic(path, text, strlen(text), 0600, cause);
	free(path);
	return r;
}

int
agent_doc_update(struct store *s, const char *state_dir, const char *name,
    size_t max, int (*change)(const char *, size_t, char **, void *, char **),
    void *arg, char **cause)
{
	char *lock, *old, *text = NULL;
	size_t len;
	int fd, r = -1;

	if (in_store(s))
		return store_doc_update(s, name, max, change, arg, cause);
	lock = xasprintf("%s/%s.lock", state_dir, name);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) != 0) {
		*cause = xasprintf("%s: %s", lock, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(lock);
		return -1;
	}
	free(lock);
	old = agent_doc_read(NULL, state_dir, name, max, &len);
	if (change(old, len, &text, arg, cause) == 0 &&
	    agent_doc_write(NULL, state_dir, name, text, cause) == 0)
		r = 0;
	free(old);
	free(text);
	close(fd);
	return r;
}
