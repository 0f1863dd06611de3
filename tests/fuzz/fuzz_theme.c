/* Fuzz target for the theme parser: any text as a theme file is checked,
 * then applied with 256 and with 8 colours, or refused with a message;
 * never a crash, and never a colour pair curses would refuse.  curses is
 * not started: the few calls the parser makes are stubs here. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../ui/theme.c"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int COLORS = 256;

/* What init_pair accepts: a pair of ours, colours the terminal has. */
int
init_pair(short pair, short fg, short bg)
{
	if (pair < 1 || pair > ROLE_COUNT || fg < -1 || fg >= COLORS ||
	    bg < -1 || bg >= COLORS)
		abort();
	return 0;
}

int
start_color(void)
{
	return 0;
}

int
use_default_colors(void)
{
	return 0;
}

const struct theme_builtin theme_builtins[] = { { NULL, NULL } };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *text, *cause = NULL;
	int checked, applied;

	if (len > THEME_FILE_MAX)
		return 0;
	text = xstrndup((const char *)data, len);
	checked = theme_parse(text, "fuzz.conf", 0, 0, &cause);
	if (checked != 0 && cause == NULL)
		abort();	/* refused without saying why */
	free(cause);
	cause = NULL;
	COLORS = 256;
	applied = theme_parse(text, "fuzz.conf", 1, 1, &cause);
	free(cause);
	cause = NULL;
	if (applied != checked)
		abort();	/* checking and applying disagree */
	COLORS = 8;
	applied = theme_parse(text, "fuzz.conf", 1, 1, &cause);
	free(cause);
	if (applied != checked)
		abort();
	free(text);
	return 0;
}
