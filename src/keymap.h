/* The dashboard's keys as one table: key -> request, each request with its
 * name (for the configuration), its section and what it does (for the help,
 * the footers and maintop(1)).  No curses here: keys are maintop's own codes. */
#ifndef MAINTOP_KEYMAP_H
#define MAINTOP_KEYMAP_H

#include <stddef.h>

/* Keys that are not characters (the UI maps curses' codes to these). */
enum {
	KEYMAP_TAB = 9,
	KEYMAP_ENTER = 13,
	KEYMAP_ESC = 27,
	KEYMAP_UP = 0x10000,
	KEYMAP_DOWN,
	KEYMAP_LEFT,
	KEYMAP_RIGHT,
	KEYMAP_PGUP,
	KEYMAP_PGDN,
	KEYMAP_HOME,
	KEYMAP_END,
	KEYMAP_BTAB,		/* Shift-Tab */
	KEYMAP_BACKSPACE,
	KEYMAP_DELETE,
	KEYMAP_F1,		/* F1 .. F12 follow */
	KEYMAP_LAST = KEYMAP_F1 + 11
};

/* The help's sections, in order; a pane's section opens its help. */
enum keymap_section {
	KS_GLOBAL,
	KS_MOVE,
	KS_CALENDAR,
	KS_HEALTH,
	KS_DEBT,
	KS_CONSOLE,
	KS_FORM,		/* forms: keys of their own (see below) */
	KS_COUNT
};

/* Everything a key can ask for.  Keep keymap_requests in step. */
enum request {
	REQ_NONE,
	REQ_NEXT_PANE,
	REQ_PREV_PANE,
	REQ_PANE_CALENDAR,
	REQ_PANE_HEALTH,
	REQ_PANE_DEBT,
	REQ_PANE_RUNBOOKS,
	REQ_OPEN,
	REQ_ZOOM,
	REQ_BACK,
	REQ_HELP,
	REQ_REDRAW,
	REQ_CONFIRM,
	REQ_QUIT,
	REQ_QUIT_NOW,
	REQ_DOWN,
	REQ_UP,
	REQ_PAGE_DOWN,
	REQ_PAGE_UP,
	REQ_FIRST,
	REQ_LAST,
	REQ_ORDER,
	REQ_LEFT,
	REQ_RIGHT,
	REQ_MONTH_BACK,
	REQ_MONTH_FORWARD,
	REQ_TODAY,
	REQ_HOLD,
	REQ_PROBE_NOW,
	REQ_ADD,
	REQ_EDIT,
	REQ_RESOLVE,
	REQ_DELETE,
	REQ_UNDO,
	REQ_FILTER,
	REQ_SHOW_RESOLVED,
	REQ_SKIP,
	REQ_ABORT,
	REQ_ROLLBACK,
	REQ_INTERRUPT,
	REQ_OVERRIDE,
	REQ_FIELD_NEXT,		/* the form requests: KS_FORM */
	REQ_FIELD_PREV,
	REQ_SUBMIT,
	REQ_CANCEL,
	REQ_NEWLINE,
	REQ_CURSOR_LEFT,
	REQ_CURSOR_RIGHT,
	REQ_LINE_START,
	REQ_LINE_END,
	REQ_ERASE_BACK,
	REQ_ERASE,
	REQ_KILL_BEFORE,
	REQ_KILL_AFTER,
	REQ_KILL_WORD,
	REQ_COUNT
};

/* One request's description. */
struct keymap_request {
	const char		*name;		/* in keys = { NAME = ...; } */
	enum keymap_section	 section;
	const char		*keys;		/* the defaults' names ("j Down") */
	const char		*help;		/* one line for the help */
};
extern const struct keymap_request keymap_requests[REQ_COUNT];
/* The sections' titles ("Everywhere", "Health", ...). */
extern const char *const keymap_section_names[KS_COUNT];

/* A set of bindings: the defaults, then the configuration's changes. */
struct keymap;

/* A new keymap holding the default bindings. */
struct keymap *keymap_new(void);
void keymap_free(struct keymap *);

/*
 * Binds request name to the keys named in keys[0..n) (key names as
 * keymap_key_parse reads them), replacing its default keys.  A key may mean
 * one request only among the dashboard's requests, and one only among the
 * forms' (KS_FORM: a form has every key, so Tab may move between panes
 * and between a form's fields): a key already bound to another request of
 * the same kind is refused.  Returns 0, or -1 with *cause set (caller
 * frees); on error nothing changes.
 */
int keymap_bind(struct keymap *, const char *name, const char *const *keys,
    size_t n, char **cause);

/* The dashboard's request key means (never a form's), or REQ_NONE. */
enum request keymap_lookup(const struct keymap *, int key);
/* The form request (KS_FORM) key means in a form, or REQ_NONE: then a
 * printable key is text. */
enum request keymap_form_lookup(const struct keymap *, int key);
/*
 * The keys bound to req: up to max of them into keys; returns how many are
 * bound (may exceed max).
 */
size_t keymap_keys(const struct keymap *, enum request req, int *keys,
    size_t max);
/* The first key bound to req, or 0 when none is. */
int keymap_first(const struct keymap *, enum request req);

/* A key's name ("Tab", "C-c", "PgDn", "q"), in one of eight static buffers
 * used in turn (so one printf may name several keys). */
const char *keymap_key_name(int key);
/* Reads a key name as keymap_key_name writes it; -1 when not a key. */
int keymap_key_parse(const char *name);
/* The request called name, or REQ_NONE. */
enum request keymap_request_find(const char *name);

/*
 * The bindings as maintop(1)'s KEYS section (roff, without the .SH line),
 * for the man page and the test that keeps the two equal.  Returns a new
 * string.
 */
char *keymap_man(const struct keymap *);

#endif
