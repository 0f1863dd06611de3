/* The run console's output: a ring of sanitized lines, the line being
 * written, and the console's own notes between the steps' output. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "console_priv.h"
#include "sanitize.h"
#include "util.h"

void
console_out_push_as(struct console *con, const char *s, size_t len, int err)
{
	char *line = xstrndup(s, len);
	size_t k;

	if (con->nlines == CON_LINES) {
		k = con->first;
		free(con->lines[k]);
		con->first = (con->first + 1) % CON_LINES;
	} else {
		k = (con->first + con->nlines) % CON_LINES;
		con->nlines++;
	}
	con->lines[k] = line;
	con->err[k] = err != 0;
	/* Scrolled back: stay on the same lines. */
	if (con->scroll > 0)
		con->scroll++;
}

void
console_out_push(struct console *con, const char *s, size_t len)
{
	console_out_push_as(con, s, len, 0);
}

const char *
console_out_line(const struct console *con, size_t i, int *err)
{
	*err = con->err[(con->first + i) % CON_LINES];
	return con->lines[(con->first + i) % CON_LINES];
}

/* Adds sanitized text: complete lines go to the ring. */
static void
out_add(struct console *con, const char *s, size_t len)
{
	const char *nl;
	size_t n;

	while (len > 0) {
		nl = memchr(s, '\n', len);
		n = nl != NULL ? (size_t)(nl - s) : len;
		buf_add(&con->partial, s, n);
		while (con->partial.len > CON_LINE_MAX) {
			console_out_push(con, con->partial.s, CON_LINE_MAX);
			memmove(con->partial.s, con->partial.s + CON_LINE_MAX,
			    con->partial.len - CON_LINE_MAX);
			con->partial.len -= CON_LINE_MAX;
			con->partial.s[con->partial.len] = '\0';
		}
		if (nl == NULL)
			break;
		console_out_push(con, con->partial.s != NULL ?
		    con->partial.s : "", con->partial.len);
		buf_reset(&con->partial);
		s = nl + 1;
		len -= n + 1;
	}
}

void
console_out_feed(struct console *con, const char *data, size_t len)
{
	struct buf b;

	buf_init(&b);
	sanitizer_feed(&con->san, data, len, &b);
	if (b.len > 0)
		out_add(con, b.s, b.len);
	buf_free(&b);
}

void
console_out_flush(struct console *con)
{
	struct buf b;

	buf_init(&b);
	sanitizer_finish(&con->san, &b);
	if (b.len > 0)
		out_add(con, b.s, b.len);
	buf_free(&b);
	if (con->partial.len > 0) {
		console_out_push(con, con->partial.s, con->partial.len);
		buf_reset(&con->partial);
	}
}

void
console_out_note(struct console *con, const char *fmt, ...)
{
	va_list ap;
	char *s, *clean;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	console_out_flush(con);
	clean = sanitize_cstr(s, 0);
	console_out_push(con, clean, strlen(clean));
	free(clean);
	free(s);
}
