/* The dashboard's entry point, callable from src/ without curses. */
#ifndef MAINTOP_UI_RUN_H
#define MAINTOP_UI_RUN_H

struct config;

/* What the command line hands the dashboard. */
struct ui_opts {
	struct config	*cfg;		/* owned by the caller */
	const char	*theme;		/* NULL: the configuration's */
	int		 read_only;	/* --read-only or settings.read_only */
	int		 wall;		/* --wall (implies read_only) */
	const char	*local_lock;	/* --local-lock WHY, or NULL */
};

/* Runs the dashboard until the user quits or a signal ends it; the
 * terminal is restored whatever happens.  Returns the exit code. */
int ui_run(const struct ui_opts *);

#endif
