/* A small text-input form: labelled one-line or multi-line fields, moving
 * between them, editing keys, per-field validation shown inline, submit
 * and cancel. */
#include "form.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "keys.h"
#include "util.h"


struct form_field {
	char		*label;
	char		*hint;
	char		*note;		/* drawn under the field, or NULL */
	int		 flags;
	form_check_fn	 check;
	struct buf	 value;
	size_t		 cursor;	/* byte offset, on a character start */
	char		*error;		/* message under the field, or NULL */
};

struct form {
	char			*title;
	void			*arg;
	struct form_field	*fields;
	size_t			 n;
	size_t			 cur;
	char			*error;		/* about the whole form */
	int			 top;		/* first row drawn */
};

struct form *
form_new(const char *title, void *arg)
{
	struct form *f;

	f = xcalloc(1, sizeof *f);
	f->title = xstrdup(title != NULL ? title : "");
	f->arg = arg;
	return f;
}

void
form_free(struct form *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n; i++) {
		free(f->fields[i].label);
		free(f->fields[i].hint);
		free(f->fields[i].note);
		free(f->fields[i].error);
		buf_free(&f->fields[i].value);
	}
	free(f->fields);
	free(f->error);
	free(f->title);
	free(f);
}

size_t
form_add(struct form *f, const char *label, const char *value,
    const char *hint, int flags, form_check_fn check)
{
	struct form_field *fl;

	f->fields = xreallocarray(f->fields, f->n + 1, sizeof *f->fields);
	fl = &f->fields[f->n];
	memset(fl, 0, sizeof *fl);
	fl->label = xstrdup(label);
	fl->hint = hint != NULL ? xstrdup(hint) : NULL;
	fl->flags = flags;
	fl->check = check;
	buf_init(&fl->value);
	form_set_value(f, f->n, value);
	return f->n++;
}

void
form_note(struct form *f, size_t i, const char *note)
{
	free(f->fields[i].note);
	f->fields[i].note = note != NULL && *note != '\0' ? xstrdup(note) :
	    NULL;
}

const char *
form_value(const struct form *f, size_t i)
{
	return f->fields[i].value.s;
}

void
form_set_value(struct form *f, size_t i, const char *value)
{
	struct form_field *fl = &f->fields[i];
	size_t len = value != NULL ? strlen(value) : 0;

	if (len > FORM_MAX_VALUE)
		len = FORM_MAX_VALUE;
	/* Never cut a UTF-8 sequence in two. */
	while (len > 0 && len < strlen(value) &&
	    ((unsigned char)value[len] & 0xc0) == 0x80)
		len--;
	buf_reset(&fl->value);
	if (fl->value.s == NULL) {
		/* A struct buf has no storage until the first byte; the
		 * value must always be a string. */
		buf_addc(&fl->value, ' ');
		buf_reset(&fl->value);
	}
	if (len > 0)
		buf_add(&fl->value, value, len);
	fl->cursor = fl->value.len;
}

void
form_focus(struct form *f, size_t i)
{
	if (i < f->n)
		f->cur = i;
}

void
form_set_error(struct form *f, size_t i, const char *fmt, ...)
{
	char **slot;
	va_list ap;

	if (i == FORM_WHOLE)
		slot = &f->error;
	else if (i < f->n)
		slot = &f->fields[i].error;
	else
		return;
	free(*slot);
	*slot = NULL;
	if (fmt == NULL)
		return;
	va_start(ap, fmt);
	*slot = xvasprintf(fmt, ap);
	va_end(ap);
}

/* Start of the character before byte offset at in s. */
static size_t
char_before(const char *s, size_t at)
{
	if (at == 0)
		return 0;
	at--;
	while (at > 0 && ((unsigned char)s[at] & 0xc0) == 0x80)
		at--;
	return at;
}

/* Offset just past the character that starts at byte at of s. */
static size_t
char_after(const char *s, size_t len, size_t at)
{
	if (at >= len)
		return len;
	at++;
	while (at < len && ((unsigned char)s[at] & 0xc0) == 0x80)
		at++;
	return at;
}

/* Removes bytes [from, to) of field fl's value. */
static void
field_cut(struct form_field *fl, size_t from, size_t to)
{
	struct buf *b = &fl->value;

	if (to > b->len)
		to = b->len;
	if (from >= to)
		return;
	memmove(b->s + from, b->s + to, b->len - to + 1);
	b->len -= to - from;
	fl->cursor = from;
}

static void
field_insert(struct form_field *fl, char c)
{
	struct buf *b = &fl->value;

	if (b->len >= FORM_MAX_VALUE)
		return;
	buf_addc(b, c);		/* grows the buffer, then move into place */
	memmove(b->s + fl->cursor + 1, b->s + fl->cursor,
	    b->len - 1 - fl->cursor);
	b->s[fl->cursor] = c;
	fl->cursor++;
}

/* True when s holds only spaces (or nothing). */
static int
blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t')
			return 0;
	return 1;
}

/* Runs every field's check; returns the first bad field or f->n. */
static size_t
form_validate(struct form *f)
{
	size_t i, bad = f->n;
	char *msg;

	for (i = 0; i < f->n; i++) {
		struct form_field *fl = &f->fields[i];

		free(fl->error);
		fl->error = NULL;
		if ((fl->flags & FORM_REQUIRED) && blank(fl->value.s))
			fl->error = xasprintf("%s is required", fl->label);
		else if (fl->check != NULL &&
		    (msg = fl->check(i, fl->value.s, f->arg)) != NULL)
			fl->error = msg;
		if (fl->error != NULL && bad == f->n)
			bad = i;
	}
	return bad;
}

enum form_result
form_key(struct form *f, enum request req, int key)
{
	struct form_field *fl;
	size_t bad, at;
	const char *s;

	if (f->n == 0)
		return req == REQ_CANCEL ? FORM_CANCEL : FORM_CONTINUE;
	fl = &f->fields[f->cur];
	s = fl->value.s;
	/* C-j in a one-line field is Enter, as some terminals send it. */
	if (req == REQ_NEWLINE && !(fl->flags & FORM_MULTILINE) && key == '\n')
		req = REQ_SUBMIT;
	switch (req) {
	case REQ_CANCEL:
		return FORM_CANCEL;
	case REQ_SUBMIT:
		free(f->error);
		f->error = NULL;
		bad = form_validate(f);
		if (bad < f->n) {
			f->cur = bad;
			return FORM_CONTINUE;
		}
		return FORM_SUBMIT;
	case REQ_FIELD_NEXT:
		f->cur = (f->cur + 1) % f->n;
		return FORM_CONTINUE;
	case REQ_FIELD_PREV:
		f->cur = (f->cur + f->n - 1) % f->n;
		return FORM_CONTINUE;
	case REQ_CURSOR_LEFT:
		fl->cursor = char_before(s, fl->cursor);
		return FORM_CONTINUE;
	case REQ_CURSOR_RIGHT:
		fl->cursor = char_after(s, fl->value.len, fl->cursor);
		return FORM_CONTINUE;
	case REQ_LINE_START:
		fl->cursor = 0;
		return FORM_CONTINUE;
	case REQ_LINE_END:
		fl->cursor = fl->value.len;
		return FORM_CONTINUE;
	default:
		break;
	}

	/* Everything below edits the value, which clears its message. */
	switch (req) {
	case REQ_NEWLINE:
		if (!(fl->flags & FORM_MULTILINE))
			return FORM_CONTINUE;
		field_insert(fl, '\n');
		break;
	case REQ_ERASE_BACK:
		field_cut(fl, char_before(s, fl->cursor), fl->cursor);
		break;
	case REQ_ERASE:
		field_cut(fl, fl->cursor, char_after(s, fl->value.len,
		    fl->cursor));
		break;
	case REQ_KILL_BEFORE:
		field_cut(fl, 0, fl->cursor);
		break;
	case REQ_KILL_AFTER:
		field_cut(fl, fl->cursor, fl->value.len);
		break;
	case REQ_KILL_WORD:
		at = fl->cursor;
		while (at > 0 && s[at - 1] == ' ')
			at--;
		while (at > 0 && s[at - 1] != ' ')
			at--;
		field_cut(fl, at, fl->cursor);
		break;
	default:
		/* Printable ASCII and the bytes of UTF-8 characters; no
		 * control character ever enters a value. */
		if (req != REQ_NONE || key < 0x20 || key == 0x7f ||
		    key > 0xff)
			return FORM_CONTINUE;
		field_insert(fl, (char)key);
		break;
	}
	free(fl->error);
	fl->error = NULL;
	return FORM_CONTINUE;
}

/* Width in columns of bytes [from, to) of s, as draw_text shows them. */
static int
span_width(const char *s, size_t from, size_t to)
{
	char *tmp;
	int w;

	tmp = xstrndup(s + from, to - from);
	w = draw_width(tmp);
	free(tmp);
	return w;
}

/* The value as drawn: itself, or a '*' per character for a secret. */
static char *
shown_value(const struct form_field *fl, size_t *cursor)
{
	struct buf b;
	size_t i, at = 0;

	if (!(fl->flags & FORM_SECRET)) {
		*cursor = fl->cursor;
		return xstrdup(fl->value.s);
	}
	buf_init(&b);
	for (i = 0; i < fl->value.len; i++) {
		if (i == fl->cursor)
			at = b.len;
		if (((unsigned char)fl->value.s[i] & 0xc0) != 0x80)
			buf_addc(&b, '*');
	}
	if (fl->cursor >= fl->value.len)
		at = b.len;
	*cursor = at;
	return buf_detach(&b);
}

/*
 * Draws v (len bytes, one line) at (y, x) in width columns; with the
 * cursor at byte cursor when it is not (size_t)-1, scrolled so that it
 * shows, and the hint after an empty value.
 */
static void
draw_line(WINDOW *win, int y, int x, int width, const char *v, size_t len,
    size_t cursor, const char *hint)
{
	size_t start = 0, end;
	char *tail, *cell, *rest;
	int used;

	if (cursor == (size_t)-1) {
		rest = xstrndup(v, len);
		draw_text(win, y, x, width, ROLE_TEXT, rest);
		free(rest);
		return;
	}
	/* Scroll so the cursor cell fits: drop characters from the left. */
	while (start < cursor && span_width(v, start, cursor) > width - 1)
		start = char_after(v, len, start);
	used = draw_text(win, y, x, span_width(v, start, cursor), ROLE_TEXT,
	    (tail = xstrndup(v + start, cursor - start)));
	free(tail);
	end = char_after(v, len, cursor);
	cell = cursor < len ? xstrndup(v + cursor, end - cursor) :
	    xstrdup(" ");
	used += draw_text(win, y, x + used, width - used,
	    ROLE_SELECTION_FOCUS, cell);
	free(cell);
	if (end < len && used < width) {
		rest = xstrndup(v + end, len - end);
		draw_text(win, y, x + used, width - used, ROLE_TEXT, rest);
		free(rest);
	} else if (len == 0 && hint != NULL && used + 1 < width)
		draw_text(win, y, x + used + 1, width - used - 1, ROLE_DIM,
		    hint);
}

/* The lines of a value: how many, and which one holds byte at. */
static size_t
count_lines(const char *v, size_t at, size_t *at_line)
{
	size_t n = 0, i;

	*at_line = 0;
	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] != '\n')
			continue;
		n++;
		if (i < at)
			*at_line = n;
	}
	return n + 1;
}

/* Rows a field takes: a multi-line one shows up to FORM_LINES lines. */
static int
field_rows(const struct form_field *fl)
{
	size_t n, cur;

	if (!(fl->flags & FORM_MULTILINE))
		return 1;
	n = count_lines(fl->value.s, fl->cursor, &cur);
	return n < FORM_LINES ? (int)n : FORM_LINES;
}

void
form_draw_field(const struct form *f, size_t i, WINDOW *win, int y, int x,
    int width)
{
	const struct form_field *fl = &f->fields[i];
	size_t cursor, len, n, cur, first, k, at;
	const char *p, *nl;
	char *v;
	int focused = i == f->cur;

	if (width < 2)
		return;
	v = shown_value(fl, &cursor);
	if (!(fl->flags & FORM_MULTILINE)) {
		draw_line(win, y, x, width, v, strlen(v), focused ? cursor :
		    (size_t)-1, fl->hint);
		free(v);
		return;
	}
	/* Lines [first, first + rows): the cursor's line in view. */
	n = count_lines(v, cursor, &cur);
	first = cur >= FORM_LINES ? cur - FORM_LINES + 1 : 0;
	for (k = 0, p = v; k < n && k < first + FORM_LINES; k++, p = nl + 1) {
		nl = p + strcspn(p, "\n");
		len = (size_t)(nl - p);
		at = focused && k == cur ? cursor - (size_t)(p - v) :
		    (size_t)-1;
		if (k >= first)
			draw_line(win, y + (int)(k - first), x, width, p, len,
			    at, n == 1 ? fl->hint : NULL);
		if (*nl == '\0')
			break;
	}
	free(v);
}

/* A field's rows with what goes under it: its note, wrapped to width
 * (in wrapped when not NULL: the caller frees it), and its message. */
static int
field_height(const struct form_field *fl, int width, char **wrapped)
{
	char *note = fl->note != NULL ? draw_wrap(fl->note, width) : NULL;
	int n = field_rows(fl) + draw_count_lines(note) + (fl->error != NULL);

	if (wrapped != NULL)
		*wrapped = note;
	else
		free(note);
	return n;
}

void
form_draw(struct form *f, const struct keymap *km, WINDOW *win, int h, int w,
    const struct hint *hints)
{
	int labelw = 0, rows, i, x, y, row, cur_row = 0, valw, bottom, k2;
	char *note;
	size_t k;

	if (h < 1 || w < 4)
		return;
	for (k = 0; k < f->n; k++)
		if (draw_width(f->fields[k].label) > labelw)
			labelw = draw_width(f->fields[k].label);
	if (labelw > w / 3)
		labelw = w / 3;
	valw = w - labelw - 7;

	draw_text(win, 0, 1, w - 2, ROLE_TITLE_FOCUS, f->title);
	/* Rows 2 .. bottom-1 hold the fields, their notes and messages; the
	 * form's message and the hints go below. */
	bottom = h - 1 - (f->error != NULL ? 2 : 0);
	rows = bottom - 2;
	if (rows < 1) {
		rows = 1;
		bottom = 3;
	}
	/* Row of each field counting what goes under it; keep the focused
	 * one in view together with its note and message. */
	for (k = 0, row = 0; k < f->n; k++) {
		if (k == f->cur)
			cur_row = row;
		row += field_height(&f->fields[k], valw, NULL);
	}
	if (cur_row < f->top)
		f->top = cur_row;
	i = cur_row + field_height(&f->fields[f->cur], valw, NULL) - 1;
	if (i >= f->top + rows)
		f->top = i - rows + 1;
	if (f->top < 0)
		f->top = 0;

	for (k = 0, row = 0; k < f->n; k++) {
		const struct form_field *fl = &f->fields[k];
		int focused = k == f->cur;

		y = 2 + row - f->top;
		if (y >= 2 && y + field_rows(fl) - 1 < bottom) {
			if (focused)
				draw_text(win, y, 1, 1, ROLE_TITLE_FOCUS,
				    draw_glyph(GLYPH_ARROW));
			x = draw_text(win, y, 3, labelw, focused ?
			    ROLE_TITLE_FOCUS : ROLE_TITLE, fl->label);
			if (fl->flags & FORM_REQUIRED)
				draw_text(win, y, 3 + x, 1, ROLE_DIM, "*");
			form_draw_field(f, k, win, y, labelw + 6, valw);
		}
		row += field_rows(fl);
		field_height(fl, valw, &note);
		for (k2 = 0; k2 < draw_count_lines(note); k2++, row++) {
			y = 2 + row - f->top;
			if (y >= 2 && y < bottom)
				draw_lines(win, y, labelw + 6, 1, valw,
				    ROLE_DIM, note, k2);
		}
		free(note);
		if (fl->error != NULL) {
			y = 2 + row - f->top;
			if (y >= 2 && y < bottom)
				draw_text(win, y, labelw + 6, valw, ROLE_CRIT,
				    fl->error);
			row++;
		}
	}
	if (f->error != NULL && h >= 4)
		draw_text(win, h - 2, 1, w - 2, ROLE_CRIT, f->error);
	if (h >= 3)
		keys_draw_hints(km, win, h - 1, 1, w - 2, hints);
}
