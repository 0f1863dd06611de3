/* The client commands of sql, redis and http steps (psql, redis-cli and
 * curl, never through a shell) and what their output tells. */
#include "runner_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "fileio.h"
#include "runbook.h"

#define STEPCMD_HTTP_SHOW	16384	/* bytes of a body shown */

/* What curl writes after the transfer (the body goes to a file). */
#define STEPCMD_HTTP_MARK	"maintop: HTTP status "

/* The clients that run sql, redis and http steps, and their packages. */
static const struct {
	enum step_kind	 kind;
	const char	*prog;
	const char	*package;
} stepcmd_clients[] = {
	{ STEP_SQL, "psql", "postgresql-client" },
	{ STEP_REDIS, "redis-cli", "redis-tools" },
	{ STEP_HTTP, "curl", "curl" }
};

/*
 * Watches the client's lines: a redis error reply ("(error) ..." with
 * --no-raw; strings are quoted, so a value cannot look like one) and the
 * status line curl writes at the end of an http step.
 */
void
stepcmd_line(struct runner *r, const char *s, size_t len)
{
	const struct step *st = runner_active_step(r);
	size_t n = sizeof STEPCMD_HTTP_MARK - 1;
	int status = 0;

	if (st == NULL || r->pid <= 0)
		return;
	if (st->kind == STEP_REDIS && len >= 8 && memcmp(s, "(error) ", 8) ==
	    0)
		r->client_error = 1;
	if (st->kind == STEP_HTTP && len == n + 3 &&
	    memcmp(s, STEPCMD_HTTP_MARK, n) == 0) {
		for (s += n; len > n; len--, s++) {
			if (*s < '0' || *s > '9')
				return;
			status = status * 10 + (*s - '0');
		}
		r->http_status = status;
	}
}

/* Whether an http step's status is the one expected (default: 2xx). */
int
stepcmd_http_ok(const struct step *st, int status)
{
	if (st->expect_status > 0)
		return status == st->expect_status;
	return status >= 200 && status <= 299;
}

/* Removes an http step's temporary files. */
void
stepcmd_cleanup(struct runner *r)
{
	if (r->stdin_fd != -1) {
		close(r->stdin_fd);
		r->stdin_fd = -1;
	}
	if (r->http_out != NULL) {
		unlink(r->http_out);
		free(r->http_out);
		r->http_out = NULL;
	}
	if (r->http_in != NULL) {
		unlink(r->http_in);
		free(r->http_in);
		r->http_in = NULL;
	}
	if (r->http_hdr != NULL) {
		unlink(r->http_hdr);
		free(r->http_hdr);
		r->http_hdr = NULL;
	}
	if (r->pgpass != NULL) {
		unlink(r->pgpass);
		free(r->pgpass);
		r->pgpass = NULL;
	}
}

/* Shows the start of the response body (masked like any output). */
void
stepcmd_http_body(struct runner *r)
{
	char *data = NULL;
	size_t len = 0, total;
	struct stat sb;
	int fd;

	if (r->http_out == NULL)
		return;
	fd = open(r->http_out, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1)
		return;
	if (fstat(fd, &sb) == 0 && sb.st_size > 0) {
		total = (size_t)sb.st_size;
		data = xmalloc(STEPCMD_HTTP_SHOW + 1);
		while (len < STEPCMD_HTTP_SHOW) {
			ssize_t n;

			n = read(fd, data + len, STEPCMD_HTTP_SHOW - len);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			len += (size_t)n;
		}
		stepout_write(r, data, len, 0);
		if (len > 0 && data[len - 1] != '\n')
			stepout_write(r, "\n", 1, 0);
		stepout_write(r, "", 0, 1);
		if (total > len)
			stepout_say(r, "maintop: (response body cut at %zu of %zu "
			    "bytes)\n", len, total);
		free(data);
	}
	close(fd);
}

/* The executable prog in PATH (a new string), or NULL. */
static char *
find_program(const char *prog)
{
	const char *path = getenv("PATH"), *p, *end;
	struct stat sb;
	char *f;

	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = end + 1) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		if (end == p)
			f = xasprintf("./%s", prog);
		else
			f = xasprintf("%.*s/%s", (int)(end - p), p, prog);
		if (stat(f, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    access(f, X_OK) == 0)
			return f;
		free(f);
		if (*end == '\0')
			return NULL;
	}
}

/* A private temporary file in the run directory; its path, or NULL. */
static char *
stepcmd_tempfile(struct runner *r, const char *what, const char *data,
    char **cause)
{
	char *path;
	size_t len = data != NULL ? strlen(data) : 0;
	int fd;

	path = xasprintf("%s/runs/%s.%s.XXXXXX", r->env.state_dir,
	    r->id != NULL ? r->id : "run", what);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd == -1) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	if (fileio_write_all(fd, data != NULL ? data : "", len) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

/*
 * Writes an http step's headers, parameters substituted, to a private file
 * for curl's "-H @file" (one header a line), so that a secret value is
 * never in the process list.  Returns 0, or -1 with *cause set.
 */
static int
http_headers(struct runner *r, const struct step *st, char **cause)
{
	struct buf b;
	char *h;
	size_t i, hl;
	int bad = 0;

	buf_init(&b);
	for (i = 0; i < st->nheaders && !bad; i++) {
		h = runbook_http_header(r->rb, r->values, st->headers[i], 0);
		hl = strlen(h);
		/* A parameter's value must not start another header. */
		if (strpbrk(h, "\r\n") != NULL) {
			*cause = xasprintf("header %zu of the step: a "
			    "parameter's value holds a line break", i + 1);
			bad = 1;
		} else {
			if (hl > 0 && h[hl - 1] == ':')
				h[hl - 1] = ';';	/* curl: an empty value */
			buf_printf(&b, "%s\n", h);
		}
		explicit_bzero(h, hl);
		free(h);
	}
	if (!bad && (r->http_hdr = stepcmd_tempfile(r, "headers", b.s,
	    cause)) == NULL)
		bad = 1;
	if (b.s != NULL)
		explicit_bzero(b.s, b.len);
	buf_free(&b);
	return bad ? -1 : 0;
}

/*
 * The client's standard input: data in an anonymous file in memory, never
 * on disk nor on a command line (r->stdin_fd).  Returns 0, or -1 with
 * *cause set.
 */
static int
stepcmd_stdin(struct runner *r, const char *data, char **cause)
{
	int fd;

	fd = memfd_create("maintop-step", MFD_CLOEXEC);
	if (fd == -1) {
		*cause = xasprintf("memfd_create: %s", strerror(errno));
		return -1;
	}
	if (fileio_write_all(fd, data, strlen(data)) != 0 ||
	    lseek(fd, 0, SEEK_SET) != 0) {
		*cause = xasprintf("memfd: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if (r->stdin_fd != -1)
		close(r->stdin_fd);
	r->stdin_fd = fd;
	return 0;
}

/*
 * psql's statement: with -c when it uses no secret parameter (one query,
 * as written); otherwise a script on standard input (-f -) that sets each
 * secret as a psql variable, so that no secret is on psql's command line.
 */
static int
sql_statement(struct runner *r, const struct step *st, char ***v, size_t *nv,
    char **cause)
{
	char *script;
	int rc;

	script = runbook_psql_script(r->rb, r->values, st->text);
	if (script == NULL) {
		strv_add(v, nv, xstrdup("-c"));
		strv_add(v, nv, runbook_subst(r->rb, r->values, st->text,
		    RUNBOOK_SUBST_SQL, 0));
		return 0;
	}
	rc = stepcmd_stdin(r, script, cause);
	explicit_bzero(script, strlen(script));
	free(script);
	strv_add(v, nv, xstrdup("-f"));
	strv_add(v, nv, xstrdup("-"));
	return rc;
}

/*
 * redis-cli reads the command from standard input, one line of words each
 * in double quotes with \xHH for every byte that is not printable ASCII,
 * so that no argument (a secret parameter's value) is on its command line;
 * with pw, after the password (--askpass), which is then in neither its
 * command line nor its environment.
 */
static int
redis_command(struct runner *r, char **words, const char *pw, char **cause)
{
	struct buf b;
	const unsigned char *p;
	int rc;

	buf_init(&b);
	if (pw != NULL) {
		/* --askpass: the password is the first line. */
		if (strpbrk(pw, "\r\n") != NULL) {
			*cause = xstrdup("the password holds a line break");
			buf_free(&b);
			return -1;
		}
		buf_printf(&b, "%s\n", pw);
	}
	for (; *words != NULL; words++) {
		buf_adds(&b, b.len > 0 && b.s[b.len - 1] != '\n' ? " \"" :
		    "\"");
		for (p = (const unsigned char *)*words; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				buf_printf(&b, "\\%c", *p);
			else if (*p < 0x20 || *p >= 0x7f)
				buf_printf(&b, "\\x%02x", *p);
			else
				buf_addc(&b, (char)*p);
		}
		buf_addc(&b, '"');
	}
	buf_addc(&b, '\n');
	rc = stepcmd_stdin(r, b.s, cause);
	explicit_bzero(b.s, b.len);
	buf_free(&b);
	return rc;
}

/*
 * psql's password in a private password file (PGPASSFILE, mode 0600 in the
 * run directory, removed when the step ends), never in its environment.
 */
static int
sql_passfile(struct runner *r, const char *pw, char **cause)
{
	struct buf b;

	if (strpbrk(pw, "\r\n") != NULL) {
		*cause = xstrdup("the password holds a line break");
		return -1;
	}
	buf_init(&b);
	buf_adds(&b, "*:*:*:*:");
	for (; *pw != '\0'; pw++) {
		if (*pw == '\\' || *pw == ':')
			buf_addc(&b, '\\');
		buf_addc(&b, *pw);
	}
	buf_addc(&b, '\n');
	r->pgpass = stepcmd_tempfile(r, "pgpass", b.s, cause);
	explicit_bzero(b.s, b.len);
	buf_free(&b);
	return r->pgpass != NULL ? 0 : -1;
}

/* curl reads the URL from a config on standard input (-K -). */
static int
http_url(struct runner *r, const char *url, char **cause)
{
	struct buf b;
	int rc;

	buf_init(&b);
	buf_adds(&b, "url = \"");
	for (; *url != '\0'; url++) {
		if (*url == '"' || *url == '\\')
			buf_addc(&b, '\\');
		buf_addc(&b, *url);
	}
	buf_adds(&b, "\"\n");
	rc = stepcmd_stdin(r, b.s, cause);
	explicit_bzero(b.s, b.len);
	buf_free(&b);
	return rc;
}

/* The client of a step's kind, found in PATH: *path and *prog, or -1 with
 * *cause naming the Debian package to install. */
static int
stepcmd_client(const struct step *st, char **path, const char **prog,
    char **cause)
{
	const char *pkg = NULL;
	size_t i;

	*prog = NULL;
	for (i = 0; i < sizeof stepcmd_clients / sizeof stepcmd_clients[0];
	    i++) {
		if (stepcmd_clients[i].kind == st->kind) {
			*prog = stepcmd_clients[i].prog;
			pkg = stepcmd_clients[i].package;
		}
	}
	if (*prog == NULL) {
		*cause = xstrdup("no client for this kind of step");
		return -1;
	}
	if ((*path = find_program(*prog)) == NULL) {
		*cause = xasprintf("%s is not installed (install the Debian "
		    "package %s)", *prog, pkg);
		return -1;
	}
	return 0;
}

/* psql's arguments after its name, and its environment (e): the
 * statement on stdin, the password (pw, when not NULL) in a passfile. */
static int
sql_argv(struct runner *r, const struct step *st, const char *pw,
    char ***v, size_t *nv, char ***e, size_t *ne, char **cause)
{
	const struct check *chk = st->check;

	strv_add(v, nv, xstrdup("-X"));
	strv_add(v, nv, xstrdup("-w"));
	strv_add(v, nv, xstrdup("-v"));
	strv_add(v, nv, xstrdup("ON_ERROR_STOP=1"));
	strv_add(v, nv, xstrdup("-d"));
	if (chk->pg.conninfo != NULL)
		strv_add(v, nv, xstrdup(chk->pg.conninfo));
	else
		strv_add(v, nv, xasprintf("service=%s",
		    chk->pg.service != NULL ? chk->pg.service : ""));
	if (sql_statement(r, st, v, nv, cause) != 0)
		return -1;
	strv_add(e, ne, xstrdup("PGAPPNAME=maintop"));
	if (pw != NULL) {
		if (sql_passfile(r, pw, cause) != 0)
			return -1;
		strv_add(e, ne, xasprintf("PGPASSFILE=%s", r->pgpass));
	}
	return 0;
}

/* redis-cli's arguments after its name: the server, and the command's
 * words on stdin after the password (pw, when not NULL). */
static int
redis_argv(struct runner *r, const struct step *st, const char *pw,
    char ***v, size_t *nv, char **cause)
{
	const struct check *chk = st->check;
	char **words = NULL;
	size_t nw = 0;
	int rc = -1;

	if (runbook_redis_words(r->rb, r->values, st->text, 0, &words, &nw,
	    cause) != 0)
		return -1;
	if (words[0][0] == '-') {
		*cause = xasprintf("the redis command cannot begin with '-'");
		goto out;
	}
	strv_add(v, nv, xstrdup("--no-raw"));
	if (chk->redis.host[0] == '/') {
		strv_add(v, nv, xstrdup("-s"));
		strv_add(v, nv, xstrdup(chk->redis.host));
	} else {
		strv_add(v, nv, xstrdup("-h"));
		strv_add(v, nv, xstrdup(chk->redis.host));
		strv_add(v, nv, xstrdup("-p"));
		strv_add(v, nv, xasprintf("%d", chk->redis.port));
	}
	strv_add(v, nv, xstrdup("-n"));
	strv_add(v, nv, xasprintf("%d", chk->redis.db));
	if (chk->redis.user != NULL) {
		strv_add(v, nv, xstrdup("--user"));
		strv_add(v, nv, xstrdup(chk->redis.user));
	}
	if (pw != NULL)
		strv_add(v, nv, xstrdup("--askpass"));
	rc = redis_command(r, words, pw, cause);
out:
	strv_wipe(words);
	return rc;
}

/* curl's options for the request (method, headers, body from a file),
 * and where the body and status go. */
static int
http_options(struct runner *r, const struct step *st, char ***v, size_t *nv,
    char **cause)
{
	char *body;

	if ((r->http_out = stepcmd_tempfile(r, "body", NULL, cause)) == NULL)
		return -1;
	strv_add(v, nv, xstrdup("-sS"));
	strv_add(v, nv, xstrdup("--proto"));
	strv_add(v, nv, xstrdup("=http,https"));
	if (st->timeout > 0) {
		strv_add(v, nv, xstrdup("--max-time"));
		strv_add(v, nv, xasprintf("%lld", st->timeout));
	}
	if (st->nheaders > 0 && http_headers(r, st, cause) != 0)
		return -1;
	if (r->http_hdr != NULL) {
		strv_add(v, nv, xstrdup("-H"));
		strv_add(v, nv, xasprintf("@%s", r->http_hdr));
	}
	if (strcmp(st->method, "HEAD") == 0)
		strv_add(v, nv, xstrdup("-I"));
	else {
		strv_add(v, nv, xstrdup("-X"));
		strv_add(v, nv, xstrdup(st->method));
	}
	if (st->body != NULL) {
		body = runbook_subst(r->rb, r->values, st->body,
		    RUNBOOK_SUBST_RAW, 0);
		r->http_in = stepcmd_tempfile(r, "request", body, cause);
		explicit_bzero(body, strlen(body));
		free(body);
		if (r->http_in == NULL)
			return -1;
		strv_add(v, nv, xstrdup("--data-binary"));
		strv_add(v, nv, xasprintf("@%s", r->http_in));
	}
	strv_add(v, nv, xstrdup("-o"));
	strv_add(v, nv, xstrdup(r->http_out));
	strv_add(v, nv, xstrdup("-w"));
	strv_add(v, nv, xstrdup(STEPCMD_HTTP_MARK "%{http_code}\n"));
	return 0;
}

/* curl's arguments after its name: the options, and the URL (it may hold
 * a secret) in a config on stdin. */
static int
http_argv(struct runner *r, const struct step *st, char ***v, size_t *nv,
    char **cause)
{
	char *s;
	int bad;

	s = runbook_subst(r->rb, r->values, st->text, RUNBOOK_SUBST_URL, 0);
	if (strncasecmp(s, "http://", 7) != 0 &&
	    strncasecmp(s, "https://", 8) != 0) {
		free(s);
		*cause = xstrdup("the URL must begin with http:// or "
		    "https://");
		return -1;
	}
	if (http_options(r, st, v, nv, cause) != 0) {
		free(s);
		return -1;
	}
	strv_add(v, nv, xstrdup("-K"));
	strv_add(v, nv, xstrdup("-"));
	bad = http_url(r, s, cause);
	explicit_bzero(s, strlen(s));
	free(s);
	return bad ? -1 : 0;
}

/* The password of an sql or redis step's check into *pw (NULL when it has
 * none; the caller wipes it).  Returns 0, or -1 with *cause. */
static int
step_password(struct runner *r, const struct step *st, char **pw,
    char **cause)
{
	const struct check *chk = st->check;
	char *why = NULL;
	int have;

	*pw = NULL;
	if (chk == NULL) {
		*cause = xasprintf("check '%s' is not known", st->on);
		return -1;
	}
	have = runsecrets_password(r, chk, pw, &why);
	if (have < 0) {
		*cause = xasprintf("the password of check '%s': %s",
		    chk->name, why);
		free(why);
		return -1;
	}
	return 0;
}

/*
 * The client command of a sql, redis or http step: the program's path,
 * its argv and the extra environment ("PGAPPNAME=maintop"), all new; nothing
 * goes through a shell, and parameter values are single arguments.
 * Returns 0, or -1 with *cause set.
 */
int
stepcmd_build(struct runner *r, const struct step *st, char **path,
    char ***argv, char ***extra, char **cause)
{
	const char *prog;
	char **v = NULL, **e = NULL, *pw = NULL;
	size_t nv = 0, ne = 0;
	int bad = 0;

	*path = NULL;
	*argv = *extra = NULL;
	if (stepcmd_client(st, path, &prog, cause) != 0)
		return -1;
	if ((st->kind == STEP_SQL || st->kind == STEP_REDIS) &&
	    step_password(r, st, &pw, cause) != 0)
		goto fail;
	strv_add(&v, &nv, xstrdup(prog));
	if (st->kind == STEP_SQL)
		bad = sql_argv(r, st, pw, &v, &nv, &e, &ne, cause);
	else if (st->kind == STEP_REDIS)
		bad = redis_argv(r, st, pw, &v, &nv, cause);
	else if (st->kind == STEP_HTTP)
		bad = http_argv(r, st, &v, &nv, cause);
	if (bad)
		goto fail;
	if (pw != NULL)
		stepout_secret(r, pw);
	if (e == NULL)
		e = xcalloc(1, sizeof *e);
	*argv = v;
	*extra = e;
	return 0;

fail:
	if (pw != NULL) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
	strv_free(v);
	strv_wipe(e);
	free(*path);
	*path = NULL;
	stepcmd_cleanup(r);
	return -1;
}
