/* What "maintop run" says on its terminal and reads from it: the step
 * shown before it runs, the questions (confirm, the runbook's name for a
 * danger step, what to do after a failure) and the answers typed, the
 * step's output sanitized, and the signals that end the run. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "runbook.h"
#include "runner.h"
#include "runterm.h"
#include "sanitize.h"
#include "term.h"

void
runterm_say(struct run_ctx *c, const char *fmt, ...)
{
	va_list ap;
	char *s, *p;

	if (c->hup)
		return;		/* the terminal is gone */
	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	if (c->r != NULL && runner_terminal_owned(c->r)) {
		/* An interactive step has the terminal, raw: "\n" needs "\r". */
		for (p = s; *p != '\0'; p++) {
			if (*p == '\n')
				putchar('\r');
			putchar(*p);
		}
	} else
		fputs(s, stdout);
	free(s);
	fflush(stdout);
}

static void answer(struct run_ctx *, const char *);

/*
 * Answers the prompt from the lines already read (answers piped in ahead
 * of time); at the end of input with no answer left, aborts rather than
 * guess.
 */
static void
take_input(struct run_ctx *c)
{
	char *nl, *line;
	size_t used;

	while (c->prompt != PROMPT_NONE && c->input.len > 0 &&
	    (nl = memchr(c->input.s, '\n', c->input.len)) != NULL) {
		used = (size_t)(nl + 1 - c->input.s);
		line = xstrndup(c->input.s, used - 1);
		memmove(c->input.s, c->input.s + used, c->input.len - used);
		c->input.len -= used;
		c->input.s[c->input.len] = '\0';
		if (line[0] != '\0' && line[strlen(line) - 1] == '\r')
			line[strlen(line) - 1] = '\0';
		if (!isatty(STDIN_FILENO))
			runterm_say(c, "%s\n", line);	/* a transcript */
		answer(c, line);
		free(line);
	}
	if (c->prompt != PROMPT_NONE && c->eof) {
		runterm_say(c, "\nEnd of input: aborting.\n");
		c->prompt = PROMPT_NONE;
		if (c->pollable)
			event_del(c->ev_stdin);
		runner_abort(c->r, NULL);
	}
}

static void
ask(struct run_ctx *c, enum prompt p, const char *text)
{
	c->prompt = p;
	runterm_say(c, "%s", text);
	if (c->pollable && !c->eof)
		event_add(c->ev_stdin, NULL);
	take_input(c);
}

void
runterm_on_confirm(struct runner *r, void *arg)
{
	struct run_ctx *c = arg;
	const struct step *st = runner_current_step(r);
	char *d = runner_describe(r), *s;

	s = sanitize_cstr(d, SANITIZE_KEEP_NEWLINES);
	runterm_say(c, "\n%s", s);
	free(s);
	free(d);
	if (st->danger) {
		s = xasprintf("This step is DANGEROUS. Type the runbook's name "
		    "(%s) to run it, s to skip, a to abort: ", c->rb->name);
		ask(c, PROMPT_DANGER, s);
		free(s);
		return;
	}
	if (st->kind == STEP_PAUSE)
		ask(c, PROMPT_CONFIRM, "Done? [y]es, continue / [s]kip / "
		    "[a]bort / roll[b]ack: ");
	else
		ask(c, PROMPT_CONFIRM, "Run it? [y]es / [s]kip / [a]bort / "
		    "roll[b]ack: ");
}

void
runterm_on_failed(struct runner *r, void *arg)
{
	struct run_ctx *c = arg;
	size_t i = runner_current(r, NULL);
	const struct runner_step *rs = runner_step_info(r, i);

	runterm_say(c, "\nStep %zu (%s) %s%s%s.\n", i + 1,
	    runner_current_step(r)->name,
	    runner_step_state_name(rs->state), rs->message != NULL ? ": " : "",
	    rs->message != NULL ? rs->message : "");
	/* y runs the step again, as in the dashboard; r still does. */
	ask(c, PROMPT_FAILED, "Retry? [y]es / [s]kip / roll[b]ack / [a]bort: ");
}

/* How a line of a step's standard error begins on this output. */
#define RUN_ERR_MARK	"2> "

void
runterm_on_output(struct runner *r, const char *data, size_t len, int err,
    void *arg)
{
	struct run_ctx *c = arg;
	struct buf b;
	char *clean;

	if (c->hup || runner_terminal_owned(r))
		return;		/* already on the terminal: see runner.h */
	if (err) {
		/* One whole line, marked (dim on a terminal), sanitized on
		 * its own: standard output's state stays its own. */
		clean = sanitize_text(data, len, SANITIZE_KEEP_NEWLINES |
		    SANITIZE_KEEP_TABS);
		if (c->tty)
			printf("\033[2m%s%s\033[22m", RUN_ERR_MARK, clean);
		else
			printf("%s%s", RUN_ERR_MARK, clean);
		fflush(stdout);
		free(clean);
		return;
	}
	/* Sanitized on a pipe too: "maintop run | tee" reaches a terminal. */
	buf_init(&b);
	sanitizer_feed(&c->san, data, len, &b);
	if (b.len > 0) {
		fwrite(b.s, 1, b.len, stdout);
		fflush(stdout);
	}
	buf_free(&b);
}

void
runterm_on_step(struct runner *r, size_t i, void *arg)
{
	struct run_ctx *c = arg;
	const struct runner_step *rs = runner_step_info(r, i);
	struct buf b;

	if (rs->state == RSTEP_RUNNING) {
		runterm_say(c, "--- step %zu/%zu: %s\n", i + 1, c->rb->nsteps,
		    c->rb->steps[i]->name);
		return;
	}
	buf_init(&b);
	sanitizer_finish(&c->san, &b);
	if (b.len > 0)
		runterm_say(c, "%s\n", b.s);
	buf_free(&b);
	runterm_say(c, "--- step %zu: %s\n", i + 1,
	    runner_step_state_name(rs->state));
}

void
runterm_on_finished(struct runner *r, void *arg)
{
	struct run_ctx *c = arg;
	char *s = runner_summary(r), *t;

	t = sanitize_cstr(s, SANITIZE_KEEP_NEWLINES);
	runterm_say(c, "\n%s", t);
	free(t);
	free(s);
	if (c->pollable)
		event_del(c->ev_stdin);
	event_base_loopexit(c->base, NULL);
}

void
runterm_on_terminal(struct runner *r, int begin, void *arg)
{
	struct run_ctx *c = arg;

	if (begin)
		runterm_say(c, "--- the step has the terminal\n");
	else
		runterm_say(c, "--- maintop has the terminal again\n");
}

/* One line of the user's answer. */
static void
answer(struct run_ctx *c, const char *line)
{
	char *cause = NULL;
	int rc = 0;

	if (c->prompt == PROMPT_DANGER) {
		if (strcmp(line, "s") == 0)
			rc = runner_skip(c->r, &cause);
		else if (strcmp(line, "a") == 0)
			rc = runner_abort(c->r, &cause);
		else if (runner_confirm(c->r, line, &cause) != 0) {
			runterm_say(c, "%s\nType the runbook's name, s or a: ",
			    cause);
			free(cause);
			return;
		}
	} else if (c->prompt == PROMPT_CONFIRM) {
		if (strcmp(line, "y") == 0 || strcmp(line, "yes") == 0)
			rc = runner_confirm(c->r, NULL, &cause);
		else if (strcmp(line, "s") == 0)
			rc = runner_skip(c->r, &cause);
		else if (strcmp(line, "a") == 0)
			rc = runner_abort(c->r, &cause);
		else if (strcmp(line, "b") == 0)
			rc = runner_rollback(c->r, &cause);
		else {
			runterm_say(c, "Answer y, s, a or b: ");
			return;
		}
	} else if (c->prompt == PROMPT_FAILED) {
		if (strcmp(line, "y") == 0 || strcmp(line, "yes") == 0 ||
		    strcmp(line, "r") == 0)
			rc = runner_retry(c->r, &cause);
		else if (strcmp(line, "s") == 0)
			rc = runner_skip(c->r, &cause);
		else if (strcmp(line, "b") == 0)
			rc = runner_rollback(c->r, &cause);
		else if (strcmp(line, "a") == 0)
			rc = runner_abort(c->r, &cause);
		else {
			runterm_say(c, "Answer y, s, b or a: ");
			return;
		}
	} else
		return;
	if (rc != 0) {
		runterm_say(c, "%s\n", cause);
		free(cause);
		return;
	}
	c->prompt = PROMPT_NONE;
	if (c->pollable)
		event_del(c->ev_stdin);
}

void
runterm_on_stdin(evutil_socket_t fd, short what, void *arg)
{
	struct run_ctx *c = arg;
	char chunk[256];
	ssize_t n;

	n = read(STDIN_FILENO, chunk, sizeof chunk);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		c->eof = 1;
		event_del(c->ev_stdin);
	} else
		buf_add(&c->input, chunk, (size_t)n);
	take_input(c);
}

/*
 * Whether stdin can be watched by the loop (a terminal, pipe or socket);
 * a regular file or /dev/null cannot (epoll refuses them), so it is read
 * whole now, as answers given ahead of time.
 */
void
runterm_stdin_setup(struct run_ctx *c)
{
	struct stat st;
	char chunk[4096];
	ssize_t n;

	if (fstat(STDIN_FILENO, &st) != 0) {
		c->eof = 1;
		return;
	}
	if (isatty(STDIN_FILENO) || S_ISFIFO(st.st_mode) ||
	    S_ISSOCK(st.st_mode)) {
		c->pollable = 1;
		return;
	}
	while (c->input.len < 65536 &&
	    (n = read(STDIN_FILENO, chunk, sizeof chunk)) > 0)
		buf_add(&c->input, chunk, (size_t)n);
	c->eof = 1;
}

void
runterm_on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct run_ctx *c = arg;

	switch (sig) {
	case SIGINT:
		if (runner_phase(c->r) == RUNNER_RUNNING)
			runner_interrupt(c->r);
		else
			runner_abort(c->r, NULL);
		break;
	case SIGTERM:
		runner_abort(c->r, NULL);
		break;
	case SIGHUP:
		c->hup = 1;
		if (c->pollable)
			event_del(c->ev_stdin);
		runner_detach(c->r);
		break;
	}
}
