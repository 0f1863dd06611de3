/* The user's terminal: one owner of its modes and of putting it back. */
#include "term.h"

#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

static void	(*term_screen)(void);
static struct termios term_orig;	/* before the first change */
static int	 term_have_orig;
static int	 term_changed;		/* the modes differ from term_orig */
static int	 term_atexit;

void
term_set_screen(void (*restore)(void))
{
	term_screen = restore;
	if (restore != NULL && !term_atexit) {
		atexit(term_restore);
		term_atexit = 1;
	}
}

/* Saves the current settings once per change; -1 when no terminal. */
static int
term_save(void)
{
	if (!term_changed && tcgetattr(STDIN_FILENO, &term_orig) != 0)
		return -1;
	term_have_orig = 1;
	if (!term_atexit) {
		atexit(term_restore);
		term_atexit = 1;
	}
	return 0;
}

static int
term_apply(const struct termios *tio)
{
	if (tcsetattr(STDIN_FILENO, TCSADRAIN, tio) != 0)
		return -1;
	term_changed = 1;
	return 0;
}

int
term_raw(void)
{
	struct termios raw;

	if (term_save() != 0)
		return -1;
	raw = term_orig;
	cfmakeraw(&raw);
	return term_apply(&raw);
}

int
term_echo(int on)
{
	struct termios tio;

	if (on) {
		term_modes_restore();
		return 0;
	}
	if (term_save() != 0)
		return -1;
	tio = term_orig;
	tio.c_lflag &= ~(tcflag_t)ECHO;
	return term_apply(&tio);
}

int
term_saved(struct termios *tio)
{
	if (!term_have_orig)
		return -1;
	*tio = term_orig;
	return 0;
}

void
term_modes_restore(void)
{
	if (term_changed) {
		term_changed = 0;
		tcsetattr(STDIN_FILENO, TCSADRAIN, &term_orig);
	}
}

void
term_restore(void)
{
	void (*screen)(void) = term_screen;

	/* Cleared first, so that a failure inside cannot come back here. */
	term_screen = NULL;
	if (screen != NULL)
		screen();
	term_modes_restore();
}
