/* The debt file's unjournaled save record: written before the rename,
 * removed after the journal append, recovered by the next save. */
#include "debt_pending.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "debt_file.h"
#include "fileio.h"
#include "journal.h"
#include "util.h"

/* How much of the journal's end is searched for a record already there. */
#define DEBT_PENDING_TAIL	(256 * 1024)

static char *
pending_path(const char *path)
{
	return xasprintf("%s.unjournaled", path);
}

/* The SHA-256 of data in hex (65 bytes with the NUL). */
static void
pending_hash(const char *data, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int mdlen = 0, i;

	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

int
debt_pending_write(const char *path, const char *text, const char *line,
    char **cause)
{
	char hash[65], *p, *data;
	int r;

	pending_hash(text, strlen(text), hash);
	p = pending_path(path);
	data = xasprintf("%s\n%s\n", hash, line);
	r = fileio_write_atomic(p, data, strlen(data), 0600, cause);
	free(data);
	free(p);
	return r;
}

void
debt_pending_done(const char *path)
{
	char *p = pending_path(path);

	unlink(p);
	free(p);
}

/* Whether the last DEBT_PENDING_TAIL bytes of journal hold line. */
static int
journal_has(const char *journal, const char *line)
{
	struct stat st;
	char *buf;
	off_t from;
	ssize_t n;
	int fd, found;

	fd = open(journal, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1)
		return 0;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0;
	}
	from = st.st_size > DEBT_PENDING_TAIL ? st.st_size - DEBT_PENDING_TAIL :
	    0;
	buf = xmalloc(DEBT_PENDING_TAIL + 1);
	n = pread(fd, buf, DEBT_PENDING_TAIL, from);
	close(fd);
	found = n > 0 && memmem(buf, (size_t)n, line, strlen(line)) != NULL;
	free(buf);
	return found;
}

/* The record marked recovered, or NULL when it is not a JSON object. */
static char *
recovered_line(const char *line)
{
	json_error_t jerr;
	json_t *o;
	char *s;

	o = json_loads(line, 0, &jerr);
	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "recovered", json_true());
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

int
debt_pending_recover(const char *path, const char *journal, char **cause)
{
	char *p, *data = NULL, *text = NULL, *nl, *line, *rec, hash[65];
	char *why = NULL;
	size_t len, tlen;
	int r = 0;

	p = pending_path(path);
	if (fileio_read(p, DEBT_PENDING_MAX, &data, &len, &why) != 0) {
		free(why);	/* none (or unreadable: nothing to recover) */
		free(p);
		return 0;
	}
	nl = memchr(data, '\n', len);
	line = nl != NULL ? nl + 1 : NULL;
	if (line != NULL && (nl = strchr(line, '\n')) != NULL)
		*nl = '\0';
	why = NULL;
	if (line != NULL && *line != '\0' &&
	    fileio_read(path, DEBT_FILE_MAX, &text, &tlen, &why) == 0) {
		pending_hash(text, tlen, hash);
		/* The save got as far as its rename, not its journal. */
		if (strncmp(data, hash, 64) == 0 && data[64] == '\n' &&
		    !journal_has(journal, line)) {
			rec = recovered_line(line);
			if (rec != NULL && journal_append(journal, rec,
			    cause) != 0)
				r = -1;
			else if (rec != NULL)
				r = 1;
			free(rec);
		}
	}
	free(why);
	free(text);
	free(data);
	if (r >= 0)
		unlink(p);
	free(p);
	return r;
}
