/* The run console: one runbook's parameters, dry run and run, step by step,
 * drawn in the Runbooks pane. */
#ifndef MAINTOP_CONSOLE_H
#define MAINTOP_CONSOLE_H

#include <stddef.h>
#include <time.h>

#include "ui.h"

struct console;

/* What the console needs from the pane that opens it. */
struct console_owner {
	struct ui	*ui;
	const char	*state_dir;	/* NULL: state_error says why */
	const char	*state_error;
	/* The journal changed (a run started or ended). */
	void		(*journal_changed)(void *arg);
	/* A runbook's newest successful end, 0 if none (for requires). */
	time_t		(*last_success)(const char *runbook, void *arg);
	void		*arg;
};

/* What a key did to the console. */
enum console_act {
	CONSOLE_KEEP,		/* still open (perhaps hidden) */
	CONSOLE_CLOSE		/* done with: the owner frees it */
};

/*
 * Opens the console on runbook idx of the configuration, shown, at its
 * parameters form (or its dry run when it has none).  The owner's strings
 * must outlive the console.
 */
struct console *console_open(const struct console_owner *, size_t idx);
/* Frees the console; a run still going is aborted (and recorded). */
void console_free(struct console *);
/* Draws the console into win, h rows by w columns. */
void console_draw(struct console *, WINDOW *win, int h, int w);
/* Handles a key; the console has every key while it is shown. */
enum console_act console_key(struct console *, int key);
/*
 * A notch of the mouse wheel (req REQ_UP or REQ_DOWN): scrolls what the
 * key would (the dry run, the step's description, the output) and returns
 * 1, or returns 0 where the key would not scroll (a form, a question).
 */
int console_wheel(struct console *, enum request req);

/* The runbook's index in the configuration, and its name. */
size_t console_index(const struct console *);
const char *console_name(const struct console *);
/* True once the run has ended (the console still shows its summary). */
int console_finished(const struct console *);
/* True while the console has the pane; Esc hides it, console_show shows
 * it again. */
int console_shown(const struct console *);
void console_show(struct console *);
/* What the runbook list says about this console's run ("running step 2/4"),
 * with its role. */
void console_status(const struct console *, char *buf, size_t len,
    enum role *r);
/* NULL, or what quitting would interrupt ("a run of vacuum is going"). */
const char *console_busy(const struct console *);
/* NULL, or the header's badge for the run ("RUN vacuum 2/4 waits for
 * you"). */
const char *console_badge(const struct console *);
/* The terminal hung up: the running step finishes, nothing new starts. */
void console_hangup(struct console *);
/* The footer's hints for the console's state. */
const struct hint *console_hints(const struct console *);
/* The role of a run result ("success", "failed", ...; NULL: never run). */
enum role console_result_role(const char *result);

#endif
