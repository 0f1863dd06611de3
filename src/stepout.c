/* A step's output: secrets masked, then to the run log, the front end and
 * the METRICS scanner; and the runner's own lines. */
#include "runner_priv.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runbook.h"

/* A METRICS line longer than this is ignored (the output is still kept). */
#define STEPOUT_LINE_MAX	65536
#define STEPOUT_METRICS_MAX	100	/* figures kept per step */

/* Writes text to the log only (framing lines: commands, results). */
void
stepout_log(struct runner *r, const char *fmt, ...)
{
	va_list ap;
	char *s;
	ssize_t n;

	if (r->log_fd == -1)
		return;
	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	n = write(r->log_fd, s, strlen(s));
	(void)n;
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
	if (r->log_fd != -1 && write(r->log_fd, s, strlen(s)) < 0) {
		/* The front end still shows it. */
	}
	if (r->interactive)
		pty_write(r, s, strlen(s), 1);	/* the user is looking there */
	if (r->env.on_output != NULL)
		r->env.on_output(r, s, strlen(s), r->env.arg);
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

/* Masked output: to the log, the front end, and the METRICS scanner. */
static void
emit(struct runner *r, const char *data, size_t len)
{
	const char *nl;
	size_t n;

	if (len == 0)
		return;
	if (r->log_fd != -1 && write(r->log_fd, data, len) < 0) {
		/* The output still reaches the front end. */
	}
	if (r->env.on_output != NULL)
		r->env.on_output(r, data, len, r->env.arg);
	while (len > 0) {
		nl = memchr(data, '\n', len);
		n = nl != NULL ? (size_t)(nl - data) : len;
		if (!r->line_long) {
			if (r->line.len + n > STEPOUT_LINE_MAX)
				r->line_long = 1;
			else
				buf_add(&r->line, data, n);
		}
		if (nl == NULL)
			break;
		if (!r->line_long) {
			metrics_line(r, r->line.s != NULL ? r->line.s : "",
			    r->line.len);
			stepcmd_line(r, r->line.s != NULL ? r->line.s : "",
			    r->line.len);
		}
		buf_reset(&r->line);
		r->line_long = 0;
		data = nl + 1;
		len -= n + 1;
	}
}

/*
 * Replaces every secret value in the output stream by RUNBOOK_MASK.  Bytes
 * that may be the start of a secret split between two reads are held back
 * until the next read (or the end, final).
 */
void
stepout_write(struct runner *r, const char *data, size_t len, int final)
{
	struct buf out;
	const char *p;
	size_t i, k, n, sl, avail;
	int held = 0, hit;

	if (r->nsecrets == 0) {
		emit(r, data, len);
		return;
	}
	buf_add(&r->pend, data, len);
	p = r->pend.s != NULL ? r->pend.s : "";
	n = r->pend.len;
	buf_init(&out);
	for (i = 0; i < n && !held; ) {
		hit = 0;
		for (k = 0; k < r->nsecrets; k++) {
			sl = strlen(r->secrets[k]);
			avail = n - i;
			if (avail >= sl && memcmp(p + i, r->secrets[k], sl) ==
			    0) {
				buf_adds(&out, RUNBOOK_MASK);
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
			buf_addc(&out, p[i++]);
	}
	emit(r, out.s != NULL ? out.s : "", out.len);
	buf_free(&out);
	memmove(r->pend.s, r->pend.s + i, n - i);
	r->pend.len = n - i;
	r->pend.s[r->pend.len] = '\0';
}
