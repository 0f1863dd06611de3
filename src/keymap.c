/* The dashboard's key table: every request, its default keys, rebinding from
 * the configuration, and the KEYS section of maintop(1) drawn from it. */
#include "keymap.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *const keymap_section_names[KS_COUNT] = {
	[KS_GLOBAL] = "Everywhere",
	[KS_MOVE] = "Lists",
	[KS_CALENDAR] = "Calendar",
	[KS_HEALTH] = "Health",
	[KS_DEBT] = "Debt",
	[KS_CONSOLE] = "Runbooks and the run console",
	[KS_FORM] = "Forms (parameters, debt items, the filter)",
};

/*
 * Every request: its name in the configuration, its section of the help,
 * its default keys (names, space-separated) and its line of help.
 */
#define R(r, n, s, k, h)	\
	[r] = { .name = n, .section = s, .keys = k, .help = h }
const struct keymap_request keymap_requests[REQ_COUNT] = {
	R(REQ_NONE, "", KS_GLOBAL, "", ""),
	R(REQ_NEXT_PANE, "next_pane", KS_GLOBAL, "Tab", "next pane"),
	R(REQ_PREV_PANE, "prev_pane", KS_GLOBAL, "S-Tab", "previous pane"),
	R(REQ_PANE_CALENDAR, "calendar", KS_GLOBAL, "1", "the Calendar pane"),
	R(REQ_PANE_HEALTH, "health", KS_GLOBAL, "2", "the Health pane"),
	R(REQ_PANE_DEBT, "debt", KS_GLOBAL, "3", "the Debt pane"),
	R(REQ_PANE_RUNBOOKS, "runbooks", KS_GLOBAL, "4", "the Runbooks pane"),
	R(REQ_OPEN, "open", KS_GLOBAL, "Enter", "zoom the pane; zoomed: open "
	    "the selection (details, day, run console)"),
	R(REQ_ZOOM, "zoom", KS_GLOBAL, "z", "zoom or unzoom the pane"),
	R(REQ_BACK, "back", KS_GLOBAL, "Esc", "back: close details, unzoom, "
	    "hide the run console"),
	R(REQ_HELP, "help", KS_GLOBAL, "?", "this help, at the focused pane's "
	    "keys"),
	R(REQ_REDRAW, "redraw", KS_GLOBAL, "C-l", "redraw the whole screen"),
	R(REQ_CONFIRM, "confirm", KS_GLOBAL, "y", "yes: quit, delete, start, "
	    "run the step shown (again after a failure)"),
	R(REQ_QUIT, "quit", KS_GLOBAL, "q", "close the current view; at the "
	    "top, quit (asks while a run goes)"),
	R(REQ_QUIT_NOW, "quit_now", KS_GLOBAL, "Q", "quit at once (a run going "
	    "is aborted and recorded)"),
	R(REQ_DOWN, "down", KS_MOVE, "j Down", "next line (zoomed Calendar: a "
	    "week on)"),
	R(REQ_UP, "up", KS_MOVE, "k Up", "previous line (zoomed Calendar: a "
	    "week back)"),
	R(REQ_PAGE_DOWN, "page_down", KS_MOVE, "PgDn C-f", "a page down"),
	R(REQ_PAGE_UP, "page_up", KS_MOVE, "PgUp C-b", "a page up"),
	R(REQ_FIRST, "first", KS_MOVE, "g Home", "first line (output: oldest)"),
	R(REQ_LAST, "last", KS_MOVE, "G End", "last line (output: follow the "
	    "end)"),
	R(REQ_ORDER, "order", KS_MOVE, "o", "Health: by severity or as "
	    "configured; zoomed Debt: next sort"),
	R(REQ_LEFT, "left", KS_CALENDAR, "h Left", "a day back (zoomed)"),
	R(REQ_RIGHT, "right", KS_CALENDAR, "l Right", "a day forward (zoomed)"),
	R(REQ_MONTH_BACK, "month_back", KS_CALENDAR, "[", "four weeks back "
	    "(zoomed)"),
	R(REQ_MONTH_FORWARD, "month_forward", KS_CALENDAR, "]", "four weeks "
	    "forward (zoomed)"),
	R(REQ_TODAY, "today", KS_CALENDAR, "t", "back to today (zoomed)"),
	R(REQ_HOLD, "hold", KS_CALENDAR, "H", "hold the next autorun (asks "
	    "why; recorded)"),
	R(REQ_PROBE_NOW, "probe_now", KS_HEALTH, "p", "probe the selected "
	    "check now"),
	R(REQ_ADD, "add", KS_DEBT, "n", "a new item"),
	R(REQ_EDIT, "edit", KS_DEBT, "e", "edit the selected item"),
	R(REQ_RESOLVE, "resolve", KS_DEBT, "r", "resolve or reopen the "
	    "selected item"),
	R(REQ_DELETE, "delete", KS_DEBT, "d", "delete the selected item "
	    "(asks)"),
	R(REQ_UNDO, "undo", KS_DEBT, "u", "undo the last change"),
	R(REQ_FILTER, "filter", KS_DEBT, "/", "filter by text, id, owner or "
	    "system"),
	R(REQ_SHOW_RESOLVED, "show_resolved", KS_DEBT, "A", "show resolved "
	    "items too (zoomed)"),
	R(REQ_SKIP, "skip", KS_CONSOLE, "s", "skip the step shown"),
	R(REQ_ABORT, "abort", KS_CONSOLE, "a", "abort the run (asks while a "
	    "step runs)"),
	R(REQ_ROLLBACK, "rollback", KS_CONSOLE, "b", "roll back the completed "
	    "steps"),
	R(REQ_INTERRUPT, "interrupt", KS_CONSOLE, "C-c", "interrupt the "
	    "running step; twice: kill it"),
	R(REQ_OVERRIDE, "override", KS_CONSOLE, "O", "start despite a refusal "
	    "(windows, health; recorded)"),
	R(REQ_FIELD_NEXT, "field_next", KS_FORM, "Tab Down", "next field"),
	R(REQ_FIELD_PREV, "field_prev", KS_FORM, "S-Tab Up", "previous field"),
	R(REQ_SUBMIT, "submit", KS_FORM, "Enter", "check and save the form (a "
	    "runbook's parameters: on to the dry run)"),
	R(REQ_CANCEL, "cancel", KS_FORM, "Esc", "close the form, changing "
	    "nothing"),
	R(REQ_NEWLINE, "newline", KS_FORM, "C-j", "a new line (multi-line "
	    "fields)"),
	R(REQ_CURSOR_LEFT, "cursor_left", KS_FORM, "Left", "cursor a character "
	    "left"),
	R(REQ_CURSOR_RIGHT, "cursor_right", KS_FORM, "Right", "cursor a "
	    "character right"),
	R(REQ_LINE_START, "line_start", KS_FORM, "Home C-a", "cursor to the "
	    "start"),
	R(REQ_LINE_END, "line_end", KS_FORM, "End C-e", "cursor to the end"),
	R(REQ_ERASE_BACK, "erase_back", KS_FORM, "BS C-h", "erase the "
	    "character before the cursor"),
	R(REQ_ERASE, "erase", KS_FORM, "Del C-d", "erase the character at the "
	    "cursor"),
	R(REQ_KILL_BEFORE, "kill_before", KS_FORM, "C-u", "erase all before "
	    "the cursor"),
	R(REQ_KILL_AFTER, "kill_after", KS_FORM, "C-k", "erase all after the "
	    "cursor"),
	R(REQ_KILL_WORD, "kill_word", KS_FORM, "C-w", "erase the word before "
	    "the cursor"),
};
#undef R

/* At most this many keys per request. */
#define KEYMAP_PER_REQ	4

struct keymap {
	int	keys[REQ_COUNT][KEYMAP_PER_REQ];	/* 0: none */
};

static const struct {
	int		 key;
	const char	*name;
} keymap_names[] = {
	{ KEYMAP_TAB, "Tab" },
	{ KEYMAP_ENTER, "Enter" },
	{ KEYMAP_ESC, "Esc" },
	{ ' ', "Space" },
	{ KEYMAP_UP, "Up" },
	{ KEYMAP_DOWN, "Down" },
	{ KEYMAP_LEFT, "Left" },
	{ KEYMAP_RIGHT, "Right" },
	{ KEYMAP_PGUP, "PgUp" },
	{ KEYMAP_PGDN, "PgDn" },
	{ KEYMAP_HOME, "Home" },
	{ KEYMAP_END, "End" },
	{ KEYMAP_BTAB, "S-Tab" },
	{ KEYMAP_BACKSPACE, "BS" },
	{ KEYMAP_DELETE, "Del" },
};

const char *
keymap_key_name(int key)
{
	/* A few buffers: one printf may name several keys. */
	static char bufs[8][16];
	static unsigned next;
	char *buf = bufs[next++ % 8];
	size_t i;

	for (i = 0; i < sizeof keymap_names / sizeof keymap_names[0]; i++)
		if (keymap_names[i].key == key)
			return keymap_names[i].name;
	if (key >= KEYMAP_F1 && key <= KEYMAP_LAST)
		snprintf(buf, sizeof bufs[0], "F%d", key - KEYMAP_F1 + 1);
	else if (key >= 1 && key < 32)
		snprintf(buf, sizeof bufs[0], "C-%c", key + 'a' - 1);
	else if (key > 32 && key < 127)
		snprintf(buf, sizeof bufs[0], "%c", key);
	else
		snprintf(buf, sizeof bufs[0], "?");
	return buf;
}

int
keymap_key_parse(const char *name)
{
	size_t i;
	int n;

	for (i = 0; i < sizeof keymap_names / sizeof keymap_names[0]; i++)
		if (strcmp(keymap_names[i].name, name) == 0)
			return keymap_names[i].key;
	if (name[0] > 32 && name[0] < 127 && name[1] == '\0')
		return name[0];
	if (strncmp(name, "C-", 2) == 0 && islower((unsigned char)name[2]) &&
	    name[3] == '\0')
		return name[2] - 'a' + 1;
	if (name[0] == 'F' && isdigit((unsigned char)name[1])) {
		n = atoi(name + 1);
		if (n >= 1 && n <= 12 && strlen(name) == (n >= 10 ? 3u : 2u))
			return KEYMAP_F1 + n - 1;
	}
	return -1;
}

enum request
keymap_request_find(const char *name)
{
	int r;

	for (r = 1; r < REQ_COUNT; r++)
		if (strcmp(keymap_requests[r].name, name) == 0)
			return (enum request)r;
	return REQ_NONE;
}

struct keymap *
keymap_new(void)
{
	struct keymap *km = xcalloc(1, sizeof *km);
	char *copy, *p, *tok;
	size_t i, k;

	for (i = 1; i < REQ_COUNT; i++) {
		copy = xstrdup(keymap_requests[i].keys);
		k = 0;
		for (p = copy; (tok = strsep(&p, " ")) != NULL; )
			if (*tok != '\0' && k < KEYMAP_PER_REQ)
				km->keys[i][k++] = keymap_key_parse(tok);
		free(copy);
	}
	return km;
}

void
keymap_free(struct keymap *km)
{
	free(km);
}

/* True for the forms' requests, whose keys mean nothing elsewhere. */
static int
is_form(enum request r)
{
	return keymap_requests[r].section == KS_FORM;
}

/* The request of the kind form (1: a form's) that key means. */
static enum request
lookup_kind(const struct keymap *km, int form, int key)
{
	int r, k;

	if (key <= 0)
		return REQ_NONE;
	for (r = 1; r < REQ_COUNT; r++) {
		if (is_form((enum request)r) != form)
			continue;
		for (k = 0; k < KEYMAP_PER_REQ; k++)
			if (km->keys[r][k] == key)
				return (enum request)r;
	}
	return REQ_NONE;
}

enum request
keymap_lookup(const struct keymap *km, int key)
{
	return lookup_kind(km, 0, key);
}

enum request
keymap_form_lookup(const struct keymap *km, int key)
{
	return lookup_kind(km, 1, key);
}

size_t
keymap_keys(const struct keymap *km, enum request req, int *keys, size_t max)
{
	size_t n = 0;
	int k;

	for (k = 0; k < KEYMAP_PER_REQ; k++) {
		if (km->keys[req][k] == 0)
			continue;
		if (n < max)
			keys[n] = km->keys[req][k];
		n++;
	}
	return n;
}

int
keymap_first(const struct keymap *km, enum request req)
{
	int key = 0;

	return keymap_keys(km, req, &key, 1) > 0 ? key : 0;
}

int
keymap_bind(struct keymap *km, const char *name, const char *const *keys,
    size_t n, char **cause)
{
	enum request req = keymap_request_find(name), other;
	int codes[KEYMAP_PER_REQ], saved[KEYMAP_PER_REQ];
	size_t i;

	if (req == REQ_NONE) {
		*cause = xasprintf("unknown key request '%s'", name);
		return -1;
	}
	if (n == 0 || n > KEYMAP_PER_REQ) {
		*cause = xasprintf("'%s' takes one to %d keys", name,
		    KEYMAP_PER_REQ);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if ((codes[i] = keymap_key_parse(keys[i])) < 0) {
			*cause = xasprintf("'%s': unknown key '%s' (a character, "
			    "C-x, F1-F12, Tab, S-Tab, Enter, Esc, Space, Up, "
			    "Down, Left, Right, PgUp, PgDn, Home, End, BS, "
			    "Del)", name, keys[i]);
			return -1;
		}
	}
	memcpy(saved, km->keys[req], sizeof saved);
	memset(km->keys[req], 0, sizeof km->keys[req]);
	for (i = 0; i < n; i++) {
		other = lookup_kind(km, is_form(req), codes[i]);
		if (other != REQ_NONE) {
			memcpy(km->keys[req], saved, sizeof saved);
			*cause = xasprintf("'%s': key %s already means '%s' "
			    "(rebind that too)", name,
			    keymap_key_name(codes[i]),
			    keymap_requests[other].name);
			return -1;
		}
		km->keys[req][i] = codes[i];
	}
	return 0;
}

/* A key's name for roff: a leading '-' or '\' escaped. */
static void
man_key(struct buf *b, int key)
{
	const char *s = keymap_key_name(key);

	for (; *s != '\0'; s++) {
		if (*s == '\\')
			buf_adds(b, "\\e");
		else if (*s == '-')
			buf_adds(b, "\\-");
		else
			buf_addc(b, *s);
	}
}

char *
keymap_man(const struct keymap *km)
{
	struct buf b;
	int keys[KEYMAP_PER_REQ], r, s;
	size_t n, i;

	buf_init(&b);
	buf_adds(&b, "Each key asks for a request, named in italics; the "
	    "configuration's\n.B keys\ngroup binds a request to other keys "
	    "(see\n.BR maintop.conf (5)).\nThe help\n.RB ( ? )\nand every "
	    "footer are drawn from the same table.\n");
	for (s = 0; s < KS_COUNT; s++) {
		buf_printf(&b, ".SS %s\n", keymap_section_names[s]);
		if (s == KS_FORM)
			buf_adds(&b, "A form has every key: these mean this "
			    "in a form only, and every other key types.\n");
		for (r = 1; r < REQ_COUNT; r++) {
			if ((int)keymap_requests[r].section != s)
				continue;
			n = keymap_keys(km, (enum request)r, keys,
			    KEYMAP_PER_REQ);
			if (n == 0)
				continue;
			buf_adds(&b, ".TP\n.B \"");
			for (i = 0; i < n && i < KEYMAP_PER_REQ; i++) {
				if (i > 0)
					buf_adds(&b, " ");
				man_key(&b, keys[i]);
			}
			buf_printf(&b, "\"\n%s\n.RI ( %s ).\n",
			    keymap_requests[r].help, keymap_requests[r].name);
		}
	}
	return buf_detach(&b);
}
