/* Keys as curses reads them, turned into the key table's requests, and
 * footer hints drawn from the table. */
#include "keys.h"

#include "draw.h"
#include "ui.h"

int
keys_code(int key)
{
	switch (key) {
	case '\n':
	case '\r':
	case KEY_ENTER:
		return KEYMAP_ENTER;
	case KEY_UP:
		return KEYMAP_UP;
	case KEY_DOWN:
		return KEYMAP_DOWN;
	case KEY_LEFT:
		return KEYMAP_LEFT;
	case KEY_RIGHT:
		return KEYMAP_RIGHT;
	case KEY_PPAGE:
		return KEYMAP_PGUP;
	case KEY_NPAGE:
		return KEYMAP_PGDN;
	case KEY_HOME:
		return KEYMAP_HOME;
	case KEY_END:
		return KEYMAP_END;
	case KEY_BTAB:
		return KEYMAP_BTAB;
	case KEY_BACKSPACE:
	case 127:
		return KEYMAP_BACKSPACE;
	case KEY_DC:
		return KEYMAP_DELETE;
	}
	if (key >= KEY_F(1) && key <= KEY_F(12))
		return KEYMAP_F1 + key - KEY_F(1);
	return key >= 0 && key < 128 ? key : -1;
}

enum request
keys_request(const struct keymap *km, int key)
{
	return keymap_lookup(km, keys_code(key));
}

enum request
keys_form_request(const struct keymap *km, int key)
{
	/* Enter arrives as '\r' (raw, nonl mode): '\n' is C-j, free for a
	 * new line. */
	return keymap_form_lookup(km, key == '\n' ? '\n' : keys_code(key));
}

int
keys_draw_hints(const struct keymap *km, WINDOW *win, int y, int x,
    int width, const struct hint *h)
{
	int x0 = x, end = x + width, key;

	for (; h != NULL && h->req != REQ_NONE && x < end; h++) {
		key = keymap_first(km, h->req);
		x += draw_text(win, y, x, end - x, ROLE_FOOTER_KEY,
		    key != 0 ? keymap_key_name(key) : "?");
		x += draw_printf(win, y, x, end - x, ROLE_FOOTER, " %s  ",
		    h->label);
	}
	return x - x0;
}
