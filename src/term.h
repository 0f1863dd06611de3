/* The one owner of the user's terminal: every change to its modes goes
 * through here, and one function puts it back on every way out (the end of
 * a mode, fatal(), exit()). */
#ifndef MAINTOP_TERM_H
#define MAINTOP_TERM_H

/*
 * The screen's own restore (the dashboard's curses end), run first by
 * term_restore while set; NULL removes it.  It must be safe to call twice.
 */
void term_set_screen(void (*restore)(void));

/*
 * Raw mode on standard input (an interactive step owns the terminal) or,
 * with term_echo(0), no echo (a secret typed at a prompt).  The first change
 * saves the settings that term_restore puts back.  0, or -1 when standard
 * input is no terminal.
 */
int term_raw(void);
int term_echo(int on);

/* The settings from before term_raw or term_echo back (the screen stays). */
void term_modes_restore(void);

/*
 * Everything back: the screen's restore, then the settings saved by the
 * first change.  Safe to call twice; registered with atexit at the first
 * change, and called by fatal() before it prints.
 */
void term_restore(void);

/* The settings term_raw gave the terminal were saved from (for a child's
 * pseudo-terminal): 0 and *tio set, or -1. */
struct termios;
int term_saved(struct termios *);

#endif
