/* A small text-input form: labelled one-line (or multi-line) fields, moving between them,
 * editing keys, per-field validation shown inline, submit and cancel. */
#ifndef MAINTOP_FORM_H
#define MAINTOP_FORM_H

#include <curses.h>
#include <stddef.h>

#include "keymap.h"

struct hint;

/* Field flags. */
#define FORM_SECRET	0x01	/* draw the value as '*' (passwords) */
#define FORM_REQUIRED	0x02	/* an empty (or blank) value is an error */
#define FORM_MULTILINE	0x04	/* Ctrl-J starts a new line; drawn on up to
				 * FORM_LINES rows */
#define FORM_LINES	4

/* The longest value a field takes, in bytes; typing more is refused. */
#define FORM_MAX_VALUE	4000

/*
 * Checks one field's value when the form is submitted: returns NULL when
 * it is fine, or a new string (the form frees it) saying what is wrong, in
 * words the user can act on ("a date YYYY-MM-DD, e.g. 2026-12-31").  field
 * is the field's index and arg the form's argument (form_new).
 */
typedef char *(*form_check_fn)(size_t field, const char *value, void *arg);

/* What form_key did with a key. */
enum form_result {
	FORM_CONTINUE,		/* the key was used (or ignored): keep going */
	FORM_SUBMIT,		/* Enter, and every field's check passed */
	FORM_CANCEL		/* Esc */
};

struct form;

/*
 * Creates an empty form titled title (copied).  arg is handed to every
 * field's check function and may be NULL.  Free with form_free.
 */
struct form *form_new(const char *title, void *arg);
void form_free(struct form *);

/*
 * Adds a field and returns its index (0, 1, ... in the order added).
 * label, value (the initial text; NULL means empty) and hint (a dim note
 * drawn after the value while the field is empty and focused, or NULL) are
 * copied.  check may be NULL.  The cursor starts at the end of the value.
 */
size_t form_add(struct form *, const char *label, const char *value,
    const char *hint, int flags, form_check_fn check);

/* Sets (note not NULL nor empty) or clears field i's note: what the field
 * is for, drawn dim under it and wrapped, whether or not it has focus. */
void form_note(struct form *, size_t i, const char *note);

/* The current text of field i (owned by the form: valid until the next
 * form_key, form_set_value or form_free). */
const char *form_value(const struct form *, size_t i);
/* Replaces the text of field i (copied; the cursor goes to its end). */
void form_set_value(struct form *, size_t i, const char *value);
void form_focus(struct form *, size_t i);

/*
 * Sets (fmt not NULL) or clears (fmt NULL) the message shown under field
 * i, or, with i == FORM_WHOLE, the message about the form as a whole (for
 * problems found after submit: a cross-field check, a refused save).
 * Editing a field clears its message.
 */
#define FORM_WHOLE ((size_t)-1)
void form_set_error(struct form *, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Handles a key: req is the form request it means (keys_form_request: the
 * key table's KS_FORM section), key the key as curses read it, inserted
 * when req is REQ_NONE and it is printable (UTF-8 bytes included).
 * field_next and field_prev move between fields (both wrap); newline
 * starts a new line in a FORM_MULTILINE field (C-j in a one-line field is
 * submit, as some terminals send it for Enter); the cursor and erase
 * requests edit the focused field.  submit runs every field's check (and
 * FORM_REQUIRED): when one fails its message is set, the focus goes to the
 * first bad field and FORM_CONTINUE is returned; otherwise FORM_SUBMIT.
 * cancel returns FORM_CANCEL.  The form stays valid after either: the
 * caller reads the values, may add a FORM_WHOLE message and keep it open,
 * or frees it.
 */
enum form_result form_key(struct form *, enum request req, int key);

/*
 * Draws the whole form into win (h rows by w columns): the title, one row
 * per field (label, value, and for the focused field a cursor cell), its
 * note and its message under it, the form's message, and at the bottom the
 * key hints (requests of the key table, each drawn with its first key in
 * km).  Scrolls to keep the focused field in view when h is short.
 */
void form_draw(struct form *, const struct keymap *km, WINDOW *win, int h,
    int w, const struct hint *hints);
/*
 * Draws only field i's value, with the cursor when it is the focused
 * field, at (y, x) in width columns: for a one-line prompt such as a
 * filter.
 */
void form_draw_field(const struct form *, size_t i, WINDOW *win, int y, int x,
    int width);

#endif
