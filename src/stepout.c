/* A step's output: secrets masked, then to the run log, the front end and
 * the METRICS scanner (standard error line by line, marked); and the
 * runner's own lines. */
#include "runner_priv.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "check.h"
#include "config.h"
#include "runbook.h"
#include "runlog.h"

/* A METRICS line longer than this is ignored (the output is still kept). */
#define STEPOUT_LINE_MAX	65536
#define STEPOUT_METRICS_MAX	100	/* figures kept per step */
/* A line of standard error is cut at this size. */
#define STEPOUT_ERR_LINE_MAX	4096
/* The marker of standard error's lines in the run log. */
#define STEPOUT_ERR_MARK	"2> "
/* At most this much of each of the last lines is kept for the journal. */
#define STEPOUT_ERR_LAST_MAX	200

void
stepout_to_log(struct runner *r, const char *data, size_t len)
{
	char *s;

	runlog_write(r->log, data, len);
	if (r->log_cut_told || !runlog_cut(r->log))
		return;
	r->log_cut_told = 1;
	s = xasprintf("maintop: the run log reached its limit (%lld bytes): "
	    "from here output is cut from the log, which keeps its head and "
	    "its tail\n", runlog_max(r->log));
	if (r->interactive)
		pty_write(r, s, strlen(s), 1);
	if (r->env.on_output != NULL)
		r->env.on_output(r, s, strlen(s), 0, r->env.arg);
	free(s);
}

/* Writes text to the log only (framing lines: commands, results). */
void
stepout_log(struct runner *r, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	stepout_to_log(r, s, strlen(s));
	free(s);
}

/* Output the runner itself produces (status lines): log and front end. */
void
stepout_say(struct runner *r, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	stepout_close_line(r);
	stepout_to_log(r, s, strlen(s));
	if (r->interactive)
		pty_write(r, s, strlen(s), 1);	/* the user is looking there */
	if (r->env.on_output != NULL)
		r->env.on_output(r, s, strlen(s), 0, r->env.arg);
	free(s);
}

static void
metrics_line(struct runner *r, const char *s, size_t len)
{
	json_t *o, *v, **dst;
	json_error_t jerr;
	const char *key;
	size_t i;

	while (len > 0 && (s[len - 1] == '\r'))
		len--;
	for (i = 0; i < len && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	if (len - i < 8 || strncmp(s + i, "METRICS:", 8) != 0)
		return;
	if (r->in_rollback || r->cur >= r->rb->nsteps)
		return;
	o = json_loadb(s + i + 8, len - i - 8, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		stepout_say(r, "maintop: ignored a METRICS line that is not a JSON "
		    "object\n");
		return;
	}
	dst = &r->metrics[r->cur];
	if (*dst == NULL)
		*dst = json_object();
	json_object_foreach(o, key, v) {
		if (!json_is_number(v) && !json_is_string(v) &&
		    !json_is_boolean(v) && !json_is_null(v))
			continue;
		if (json_object_size(*dst) >= STEPOUT_METRICS_MAX &&
		    json_object_get(*dst, key) == NULL)
			continue;
		json_object_set(*dst, key, v);
	}
	json_decref(o);
}

/* One whole line of masked output (without its newline): the METRICS
 * scanner and the client's watcher. */
static void
stepout_line(struct runner *r, const char *s, size_t len)
{
	metrics_line(r, s, len);
	stepcmd_line(r, s, len);
}

/*
 * Masked output: to the log, the front end, and line by line (an evbuffer
 * assembles them) to the METRICS scanner.  A line longer than
 * STEPOUT_LINE_MAX is skipped whole.
 */
static void
emit(struct runner *r, const char *data, size_t len)
{
	struct evbuffer_ptr eol;
	char *line;
	size_t n;

	if (len == 0)
		return;
	r->out_open = data[len - 1] != '\n';
	stepout_to_log(r, data, len);
	if (r->env.on_output != NULL)
		r->env.on_output(r, data, len, 0, r->env.arg);
	evbuffer_add(r->lines, data, len);
	for (;;) {
		eol = evbuffer_search_eol(r->lines, NULL, NULL,
		    EVBUFFER_EOL_LF);
		if (eol.pos == -1) {
			/* No whole line yet: a long one is not kept. */
			n = evbuffer_get_length(r->lines);
			if (n > STEPOUT_LINE_MAX) {
				evbuffer_drain(r->lines, n);
				r->line_long = 1;
			}
			return;
		}
		line = evbuffer_readln(r->lines, &n, EVBUFFER_EOL_LF);
		if (line == NULL)
			return;
		if (!r->line_long && n <= STEPOUT_LINE_MAX)
			stepout_line(r, line, n);
		r->line_long = 0;
		free(line);
	}
}

/*
 * Replaces every secret value in the output stream by RUNBOOK_MASK.  Bytes
 * that may be the start of a secret split between two reads are held back
 * until the next read (or the end, final).
 */
void
stepout_close_line(struct runner *r)
{
	if (r->out_open)
		emit(r, "\n", 1);
}

/*
 * Copies p to out with every secret replaced by RUNBOOK_MASK; unless
 * final, stops before the bytes that may be the start of a secret.
 * Returns how many bytes of p were taken.
 */
static size_t
mask(struct runner *r, const char *p, size_t n, int final, struct buf *out)
{
	size_t i, k, sl, avail;
	int held = 0, hit;

	for (i = 0; i < n && !held; ) {
		hit = 0;
		for (k = 0; k < r->nsecrets; k++) {
			sl = strlen(r->secrets[k]);
			avail = n - i;
			if (avail >= sl && memcmp(p + i, r->secrets[k], sl) ==
			    0) {
				buf_adds(out, RUNBOOK_MASK);
				i += sl;
				hit = 1;
				break;
			}
			if (!final && avail < sl &&
			    memcmp(p + i, r->secrets[k], avail) == 0) {
				held = 1;
				break;
			}
		}
		if (!hit && !held)
			buf_addc(out, p[i++]);
	}
	return i;
}

void
stepout_write(struct runner *r, const char *raw, size_t rawlen, int final)
{
	struct buf out, in;
	const char *p, *data;
	size_t i, n, len;

	buf_init(&in);
	runvars_filter(r, raw, rawlen, final, &in);
	data = in.s != NULL ? in.s : "";
	len = in.len;
	if (r->nsecrets == 0) {
		emit(r, data, len);
		buf_free(&in);
		return;
	}
	buf_add(&r->pend, data, len);
	buf_free(&in);
	p = r->pend.s != NULL ? r->pend.s : "";
	n = r->pend.len;
	buf_init(&out);
	i = mask(r, p, n, final, &out);
	emit(r, out.s != NULL ? out.s : "", out.len);
	buf_free(&out);
	if (r->pend.s != NULL) {	/* nothing held, nothing added yet */
		memmove(r->pend.s, r->pend.s + i, n - i);
		r->pend.len = n - i;
		r->pend.s[r->pend.len] = '\0';
	}
}

/* One line of standard error (r->errline, without its newline). */
static void
err_line(struct runner *r)
{
	struct buf out;
	size_t n;
	char **slot;

	buf_init(&out);
	mask(r, r->errline.s != NULL ? r->errline.s : "", r->errline.len, 1,
	    &out);
	buf_reset(&r->errline);
	buf_adds(&out, "");
	/* Standard output's open line first: this line stands alone. */
	stepout_close_line(r);
	stepout_to_log(r, STEPOUT_ERR_MARK, sizeof STEPOUT_ERR_MARK - 1);
	buf_addc(&out, '\n');
	stepout_to_log(r, out.s, out.len);
	if (r->env.on_output != NULL)
		r->env.on_output(r, out.s, out.len, 1, r->env.arg);
	n = out.len - 1;
	if (n > STEPOUT_ERR_LAST_MAX)
		n = STEPOUT_ERR_LAST_MAX;
	while (n > 0 && (out.s[n - 1] == '\r'))
		n--;
	slot = &r->err_tail[r->err_lines % RUNNER_ERR_TAIL];
	free(*slot);
	*slot = xstrndup(out.s, n);
	r->err_lines++;
	buf_free(&out);
}

void
stepout_write_err(struct runner *r, const char *data, size_t len, int final)
{
	const char *nl;
	size_t n, room;

	while (len > 0) {
		nl = memchr(data, '\n', len);
		n = nl != NULL ? (size_t)(nl - data) : len;
		room = STEPOUT_ERR_LINE_MAX - r->errline.len;
		if (n > room) {
			/* Too long for one line: cut. */
			buf_add(&r->errline, data, room);
			err_line(r);
			data += room;
			len -= room;
			continue;
		}
		buf_add(&r->errline, data, n);
		if (nl == NULL)
			break;
		err_line(r);
		data = nl + 1;
		len -= n + 1;
	}
	if (final && r->errline.len > 0)
		err_line(r);
}

void
stepout_secret(struct runner *r, char *pw)
{
	size_t i, n = strlen(pw);

	for (i = 0; i < r->npasswords && n > 0; i++) {
		if (strcmp(r->passwords[i], pw) == 0)
			break;
	}
	if (n == 0 || i < r->npasswords) {
		explicit_bzero(pw, n);
		free(pw);
		return;
	}
	r->passwords = xreallocarray(r->passwords, r->npasswords + 1,
	    sizeof *r->passwords);
	r->passwords[r->npasswords++] = pw;
	r->secrets = xreallocarray(r->secrets, r->nsecrets + 1,
	    sizeof *r->secrets);
	r->secrets[r->nsecrets++] = pw;
	if (n > r->secret_max)
		r->secret_max = n;
}
