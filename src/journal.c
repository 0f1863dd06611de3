/* The journal: append-only JSON lines recording who changed or ran what. */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/file.h>
#include <unistd.h>

#include "childenv.h"
#include "fileio.h"

static void rotate(const char *);

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

/* The user's name and the terminal, looked up once (journal_init): never
 * on another thread, where getpwuid and ttyname are not safe. */
static char *journal_user;
static char *journal_tty;

void
journal_init(void)
{
	struct passwd *pw;
	const char *user = NULL, *tty;

	if (journal_user != NULL)
		return;
	pw = getpwuid(geteuid());
	if (pw != NULL && pw->pw_name != NULL && *pw->pw_name != '\0')
		user = pw->pw_name;
	if (user == NULL)
		user = childenv_get("USER");
	if (user == NULL || *user == '\0')
		user = childenv_get("LOGNAME");
	if (user != NULL && *user != '\0')
		journal_user = xstrdup(user);
	else
		journal_user = xasprintf("uid %lu", (unsigned long)geteuid());
	if (isatty(0) && (tty = ttyname(0)) != NULL)
		journal_tty = xstrdup(tty);
}

/* Who acts: the actor or the user's name (journal_init), the SSH
 * client's address (new, or NULL) and the terminal (or NULL). */
static const char *
who(char **client, const char **tty)
{
	journal_init();
	/* The environment maintop started with: getenv beside the loop's
	 * setenv of TZ is not safe on a store thread. */
	*client = first_field(childenv_get("SSH_CLIENT"));
	if (*client == NULL)
		*client = first_field(childenv_get("SSH_CONNECTION"));
	*tty = journal_tty;
	return journal_actor != NULL ? journal_actor : journal_user;
}

void
journal_who(struct buf *b)
{
	const char *user, *tty;
	char *client;

	user = who(&client, &tty);
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
	char *client;

	user = who(&client, &tty);
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
	if (fileio_append_line(path, object, cause) != 0)
		return -1;
	rotate(path);
	return 0;
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

/*
 * Calls fn for each whole line of f from its position, the line at most
 * JOURNAL_LINE_MAX bytes (a longer one is skipped).  Returns the offset
 * after the last whole line (a torn last line is left for later), or -1
 * on a read error.
 */
static long long
read_lines(FILE *f, long long off, void (*fn)(const char *, void *),
    void *arg)
{
	struct buf line;
	long long n = 0;	/* bytes of the current line */
	int c, skip = 0;

	buf_init(&line);
	buf_adds(&line, "");
	while ((c = getc_unlocked(f)) != EOF) {
		n++;
		if (c != '\n') {
			if (line.len >= JOURNAL_LINE_MAX)
				skip = 1;
			else
				buf_addc(&line, (char)c);
			continue;
		}
		off += n;
		n = 0;
		if (!skip) {
			if (line.len > 0 && line.s[line.len - 1] == '\r')
				line.s[--line.len] = '\0';
			if (looks_whole(line.s, line.len))
				fn(line.s, arg);
		}
		buf_reset(&line);
		buf_adds(&line, "");
		skip = 0;
	}
	buf_free(&line);
	return ferror(f) ? -1 : off;
}

/* A 63-bit FNV-1a hash of the first len bytes of fd, or -1. */
static long long
head_hash(int fd, long long len)
{
	unsigned char b[JOURNAL_HEAD];
	unsigned long long h = 14695981039346656037ULL;
	ssize_t n, i;

	if (len > JOURNAL_HEAD)
		len = JOURNAL_HEAD;
	n = pread(fd, b, (size_t)len, 0);
	if (n != (ssize_t)len)
		return -1;
	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return (long long)(h & 0x7fffffffffffffffULL);
}

int
journal_same(const char *path, const struct journal_pos *pos)
{
	struct stat sb;
	int fd, same = 0;

	if (pos->ino == 0 || pos->headlen < 0 || pos->headlen > JOURNAL_HEAD ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW)) == -1)
		return 0;
	if (fstat(fd, &sb) == 0 &&
	    (unsigned long long)sb.st_dev == pos->dev &&
	    (unsigned long long)sb.st_ino == pos->ino &&
	    (long long)sb.st_size >= pos->off &&
	    (long long)sb.st_size >= pos->headlen &&
	    head_hash(fd, pos->headlen) == pos->head)
		same = 1;
	close(fd);
	return same;
}

int
journal_read(const char *path, long long from,
    void (*fn)(const char *, void *), void *arg, struct journal_pos *end,
    char **cause)
{
	struct stat sb;
	long long off;
	FILE *f;

	if (end != NULL)
		memset(end, 0, sizeof *end);
	f = fopen(path, "re");
	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		*cause = xasprintf("%s: not a regular file", path);
		fclose(f);
		return -1;
	}
	if (from < 0 || from > (long long)sb.st_size)
		from = 0;	/* not the file the offset was taken from */
	if (from > 0 && fseeko(f, (off_t)from, SEEK_SET) != 0) {
		*cause = xasprintf("%s: seek: %s", path, strerror(errno));
		fclose(f);
		return -1;
	}
	off = read_lines(f, from, fn, arg);
	if (off < 0) {
		*cause = xasprintf("%s: read: %s", path, strerror(errno));
		fclose(f);
		return -1;
	}
	if (end != NULL) {
		end->dev = (unsigned long long)sb.st_dev;
		end->ino = (unsigned long long)sb.st_ino;
		end->off = off;
		end->headlen = (long long)sb.st_size < JOURNAL_HEAD ?
		    (long long)sb.st_size : JOURNAL_HEAD;
		end->head = head_hash(fileno(f), end->headlen);
	}
	fclose(f);
	return 0;
}

int
journal_foreach(const char *path, void (*fn)(const char *, void *),
    void *arg, char **cause)
{
	return journal_read(path, 0, fn, arg, NULL, cause);
}

char *
journal_rotated_path(const char *path)
{
	return xasprintf("%s.1", path);
}

/* The size past which the journal is rotated; 0: never. */
static long long journal_max = JOURNAL_DEFAULT_MAX;

void
journal_set_max(long long bytes)
{
	journal_max = bytes > 0 ? bytes : 0;
}

/*
 * After an append: a journal past its size becomes path.1 (replacing the
 * one before) and the next record starts a new file.  Under the file's
 * flock so that two maintops never both rotate; whoever finds the name
 * already pointing at another file leaves it.
 */
static void
rotate(const char *path)
{
	struct stat fsb, psb;
	char *old, *dir, *slash;
	int fd, dfd;

	if (journal_max == 0 || stat(path, &psb) != 0 ||
	    psb.st_size < journal_max)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1)
		return;
	if (flock(fd, LOCK_EX) == 0 && fstat(fd, &fsb) == 0 &&
	    stat(path, &psb) == 0 && fsb.st_ino == psb.st_ino &&
	    fsb.st_dev == psb.st_dev && fsb.st_size >= journal_max) {
		old = journal_rotated_path(path);
		if (rename(path, old) == 0) {
			dir = xstrdup(path);
			slash = strrchr(dir, '/');
			if (slash != NULL)
				*slash = '\0';
			dfd = open(slash != NULL ? dir : ".", O_RDONLY |
			    O_DIRECTORY | O_CLOEXEC);
			if (dfd != -1) {
				fsync(dfd);
				close(dfd);
			}
			free(dir);
		}
		free(old);
	}
	close(fd);	/* and the flock */
}

const char *
journal_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

char *
journal_strdup(json_t *o, const char *key)
{
	const char *s = journal_str(o, key);

	return s != NULL ? xstrdup(s) : NULL;
}

time_t
journal_time(json_t *o, const char *key)
{
	const char *s = journal_str(o, key);
	size_t len = s != NULL ? strlen(s) : 0;
	time_t t;

	if (len == 0 || s[len - 1] != 'Z' ||
	    util_parse_iso8601(s, NULL, &t) != 0)
		return 0;
	return t;
}
