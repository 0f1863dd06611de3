/* Fuzz target for the form's text editor: any sequence of keys (bytes of
 * UTF-8 or not, editing and moving keys) in a one-line and a multi-line
 * field, as the default key table reads them, drawn now and then into
 * small windows of a real curses screen on /dev/null.  Each value stays within its limit and free of control
 * characters but a multi-line field's newlines; never a crash. */
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "form.h"
#include "keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Keys that are not bytes: a byte from 0xf0 up picks one. */
static const int fuzz_keys[] = {
	KEY_LEFT, KEY_RIGHT, KEY_HOME, KEY_END, KEY_BACKSPACE, KEY_DC,
	KEY_UP, KEY_DOWN, KEY_BTAB, KEY_ENTER, '\n', '\r', '\t', 0x7f,
	0x17, 0x15
};

static WINDOW *fuzz_win[3];
static struct keymap *fuzz_keymap;	/* the default bindings */

static void
setup(void)
{
	FILE *out, *in;

	setlocale(LC_ALL, "C.UTF-8");
	out = fopen("/dev/null", "w");
	in = fopen("/dev/null", "r");
	if (out == NULL || in == NULL ||
	    newterm("xterm-256color", out, in) == NULL)
		abort();
	draw_init(1);
	fuzz_keymap = keymap_new();
	fuzz_win[0] = newwin(6, 20, 0, 0);
	fuzz_win[1] = newwin(24, 80, 0, 0);
	fuzz_win[2] = newwin(2, 3, 0, 0);
	if (fuzz_win[0] == NULL || fuzz_win[1] == NULL || fuzz_win[2] == NULL)
		abort();
}

/* The value of field i as it must be, whatever was typed. */
static void
check_value(const struct form *f, size_t i, int multiline)
{
	const char *v = form_value(f, i);
	size_t k, len = strlen(v);

	if (len > FORM_MAX_VALUE)
		abort();
	for (k = 0; k < len; k++) {
		if ((unsigned char)v[k] < 0x20 && !(multiline && v[k] == '\n'))
			abort();
		if (v[k] == 0x7f)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static int ready;
	struct form *f;
	size_t i;
	int key;

	if (!ready) {
		setup();
		ready = 1;
	}
	f = form_new("fuzz", NULL);
	form_add(f, "one line", "héllo wörld", NULL, 0, NULL);
	form_add(f, "lines", "a\nb", "a hint", FORM_MULTILINE, NULL);
	for (i = 0; i < len; i++) {
		key = data[i];
		if (key >= 0xf0)
			key = fuzz_keys[(size_t)(key - 0xf0) %
			    (sizeof fuzz_keys / sizeof fuzz_keys[0])];
		if (form_key(f, keys_form_request(fuzz_keymap, key), key) ==
		    FORM_CANCEL)
			break;
		check_value(f, 0, 0);
		check_value(f, 1, 1);
		if (i % 16 == 15)
			form_draw(f, fuzz_keymap, fuzz_win[i / 16 % 3], 6,
			    20, NULL);
	}
	form_draw(f, fuzz_keymap, fuzz_win[1], 24, 80, NULL);
	form_draw(f, fuzz_keymap, fuzz_win[2], 2, 3, NULL);
	form_free(f);
	return 0;
}
