/* The run console's private parts, shared by the files that make it up:
 * the console itself, its prompts and keys (console.c), its output
 * (console_out.c) and its drawing (console_draw.c). */
#ifndef MAINTOP_CONSOLE_PRIV_H
#define MAINTOP_CONSOLE_PRIV_H

#include <stddef.h>

#include "console.h"
#include "runner.h"
#include "sanitize.h"
#include "util.h"

struct form;

/* Output lines kept for scrollback (the run log keeps everything). */
#define CON_LINES	2000
/* A line longer than this is cut into pieces of this size. */
#define CON_LINE_MAX	4096


enum con_stage {
	CON_PARAMS,		/* the parameters form */
	CON_PREVIEW,		/* the dry run, before starting */
	CON_RUN			/* the runner exists and has started */
};

/* One run console: at most one exists at a time. */
struct console {
	struct console_owner	 o;		/* copied at open */
	const struct runbook	*rb;
	size_t			 idx;		/* in cfg->runbooks */
	enum con_stage		 stage;

	struct form		*params;
	char			**values;	/* bound (runbook_bind) */
	char			*preview;
	int			 preview_top;
	char			*error;		/* why the start was refused */
	int			 refusal;	/* the override that can start
						   it (runner_refusal) */
	int			 overrides;	/* those given so far */
	struct form		*reason;	/* typing why health is
						   overridden */
	char			*health_reason;	/* what was typed */

	struct runner_env	 env;
	struct runner		*r;
	int			 finished;
	long long		*t0;		/* when each step started, ms */

	/* Output: a ring of sanitized lines and the line being written;
	 * err[k] marks lines[k] as the step's standard error. */
	char			*lines[CON_LINES];
	unsigned char		 err[CON_LINES];
	size_t			 first;
	size_t			 nlines;
	struct buf		 partial;
	struct sanitizer	 san;
	int			 scroll;	/* lines up from the bottom */

	struct form		*name;		/* typing a danger step's name */
	int			 ask_abort;	/* "kill and abort?" shown */
	char			*msg;		/* a message on the prompt */
	char			*describe;	/* runner_describe, cached */
	int			 desc_top;	/* its scroll offset */
	int			 desc_over;	/* longer than its rows */
	int			 shown;		/* the console has the pane */
};

/* Output: a line (len bytes of s, sanitized already) added to the ring,
 * marked as standard error when err is set; the oldest goes when full. */
void console_out_push_as(struct console *, const char *s, size_t len,
    int err);
/* The same, as standard output. */
void console_out_push(struct console *, const char *s, size_t len);
/* The ring's line i (0 the oldest kept); *err set when it is standard
 * error.  Valid until the next push. */
const char *console_out_line(const struct console *, size_t i, int *err);
/* Raw output from the runner: sanitized (colours dropped) on the way in,
 * complete lines going to the ring. */
void console_out_feed(struct console *, const char *data, size_t len);
/* Ends the current stream: a line left open is closed. */
void console_out_flush(struct console *);
/* A line of the console's own (a step heading), after flushing. */
void console_out_note(struct console *, const char *fmt, ...)
    UTIL_PRINTF(2, 3);

/* The colour role of a step's state in the checklist. */
enum role console_step_role(enum runner_step_state);

#endif
