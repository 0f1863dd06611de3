/* The journal: append-only JSON lines recording who changed or ran what. */
#include "journal.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"

/* Copies the first whitespace-separated field of s, or NULL when empty. */
static char *
first_field(const char *s)
{
	size_t n;

	if (s == NULL)
		return NULL;
	s += strspn(s, " \t");
	n = strcspn(s, " \t");
	if (n == 0)
		return NULL;
	/* An address is short; anything longer is not one. */
	if (n > 64)
		n = 64;
	return xstrndup(s, n);
}

/* Who acts when it is not the user: "agent" for maintop agent. */
static char	*journal_actor;

void
journal_set_actor(const char *name)
{
	char host[256] = "";

	free(journal_actor);
	journal_actor = NULL;
	if (name == NULL)
		return;
	gethostname(host, sizeof host - 1);
	journal_actor = xasprintf("%s@%s", name, host[0] != '\0' ? host :
	    "localhost");
}

/* Who acts: the actor or the user name (never NULL: "uid N" at worst, in
 * buf), the SSH client's address (new, or NULL) and the terminal (or
 * NULL). */
static const char *
who(char *buf, size_t len, char **client, const char **tty)
{
	struct passwd *pw;
	const char *user = NULL;

	pw = journal_actor == NULL ? getpwuid(geteuid()) : NULL;
	if (journal_actor != NULL)
		user = journal_actor;
	else if (pw != NULL && pw->pw_name != NULL && *pw->pw_name != '\0')
		user = pw->pw_name;
	if (user == NULL)
		user = getenv("USER");
	if (user == NULL || *user == '\0')
		user = getenv("LOGNAME");
	if (user == NULL || *user == '\0') {
		snprintf(buf, len, "uid %lu", (unsigned long)geteuid());
		user = buf;
	}
	*client = first_field(getenv("SSH_CLIENT"));
	if (*client == NULL)
		*client = first_field(getenv("SSH_CONNECTION"));
	*tty = isatty(0) ? ttyname(0) : NULL;
	return user;
}

void
journal_who(struct buf *b)
{
	const char *user, *tty;
	char uid[32], *client;

	user = who(uid, sizeof uid, &client, &tty);
	buf_adds(b, "\"user\":");
	buf_json_str(b, user);
	buf_adds(b, ",\"ssh_client\":");
	if (client != NULL)
		buf_json_str(b, client);
	else
		buf_adds(b, "null");
	free(client);
	buf_adds(b, ",\"tty\":");
	if (tty != NULL)
		buf_json_str(b, tty);
	else
		buf_adds(b, "null");
}

/* A JSON string, or null for NULL or text that is not UTF-8. */
static json_t *
str_or_null(const char *s)
{
	json_t *v = s != NULL ? json_string(s) : NULL;

	return v != NULL ? v : json_null();
}

void
journal_who_json(json_t *o)
{
	const char *user, *tty;
	char uid[32], *client;

	user = who(uid, sizeof uid, &client, &tty);
	json_object_set_new(o, "user", str_or_null(user));
	json_object_set_new(o, "ssh_client", str_or_null(client));
	json_object_set_new(o, "tty", str_or_null(tty));
	free(client);
}

int
journal_append(const char *path, const char *object, char **cause)
{
	size_t len = strlen(object);

	if (len < 2 || object[0] != '{' || object[len - 1] != '}') {
		*cause = xasprintf("%s: a journal record must be one JSON "
		    "object", path);
		return -1;
	}
	return fileio_append_line(path, object, cause);
}

/*
 * A whole record is one line that starts with '{' and ends with '}'.  A
 * crash mid-write leaves a last line with no newline (skipped); a failed
 * write in the middle leaves a fragment that the next append ends with a
 * newline: neither starts and ends like an object, or if one does by
 * chance, the caller's JSON parser rejects it.
 */
static int
looks_whole(const char *line, size_t len)
{
	return len >= 2 && line[0] == '{' && line[len - 1] == '}' &&
	    memchr(line, '\0', len) == NULL;
}

int
journal_foreach(const char *path, void (*fn)(const char *, void *),
    void *arg, char **cause)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	f = fopen(path, "re");
	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &cap, f)) != -1) {
		if (n == 0 || line[n - 1] != '\n')
			break;		/* a torn last line */
		line[--n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (looks_whole(line, (size_t)n))
			fn(line, arg);
	}
	if (ferror(f)) {
		*cause = xasprintf("%s: read: %s", path, strerror(errno));
		free(line);
		fclose(f);
		return -1;
	}
	free(line);
	fclose(f);
	return 0;
}
