/* The state of "maintop run" (cmd_run.c) shared with what it says on its
 * terminal and reads from it (runterm.c). */
#ifndef MAINTOP_RUNTERM_H
#define MAINTOP_RUNTERM_H

#include <stddef.h>

#include <event2/event.h>

#include "runner.h"
#include "sanitize.h"
#include "util.h"

struct config;
struct health;
struct runbook;
struct store;

enum prompt {
	PROMPT_NONE,
	PROMPT_CONFIRM,
	PROMPT_DANGER,
	PROMPT_FAILED
};

struct run_ctx {
	struct event_base	*base;
	const struct config	*cfg;
	const struct runbook	*rb;
	struct runner		*r;
	struct health		*health;
	int			 yes;
	int			 yes_danger;
	int			 hup;
	int			 tty;		/* stdout is a terminal */
	enum prompt		 prompt;
	struct event		*ev_stdin;
	struct buf		 input;
	struct sanitizer	 san;
	int			 started;
	int			 refused;
	int			 eof;		/* no more input after the buffer */
	int			 pollable;	/* stdin can be watched */
	char			**values;
	int			 overrides;
	char			*state_dir;
	struct store		*store;		/* the team store, or NULL */
	const char		*local_lock;	/* --local-lock WHY, or NULL */
	struct event		*sigs[3];	/* SIGINT, SIGTERM, SIGHUP */
	int			*select;	/* the checks probed first */
};

/* Prints to the terminal, unless it is gone (SIGHUP); with "\r" before
 * "\n" while an interactive step has the terminal raw. */
void runterm_say(struct run_ctx *, const char *fmt, ...) UTIL_PRINTF(2, 3);

/* The runner's hooks (struct runner_env); arg is the run_ctx. */
void runterm_on_confirm(struct runner *, void *arg);
void runterm_on_failed(struct runner *, void *arg);
void runterm_on_output(struct runner *, const char *data, size_t len,
    int err, void *arg);
void runterm_on_step(struct runner *, size_t i, void *arg);
void runterm_on_finished(struct runner *, void *arg);
void runterm_on_terminal(struct runner *, int begin, void *arg);

/* Makes stdin non-blocking when it can be watched (c->pollable). */
void runterm_stdin_setup(struct run_ctx *);
/* The loop's events: input on stdin, and SIGINT, SIGTERM and SIGHUP. */
void runterm_on_stdin(evutil_socket_t fd, short what, void *arg);
void runterm_on_signal(evutil_socket_t sig, short what, void *arg);

#endif
