/* The pseudo-terminal of an interactive step, connected to the real
 * terminal (raw) while the step runs, so that its output is logged too. */
#include "runner_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "term.h"

/*
 * Whether an interactive step can have the user: stdin is a terminal and
 * we are not in its background (changing its settings would stop us with
 * SIGTTOU), either in its foreground process group or on a terminal that
 * is not our controlling one.
 */
int
pty_usable(void)
{
	pid_t pg;

	if (!isatty(STDIN_FILENO))
		return 0;
	pg = tcgetpgrp(STDIN_FILENO);
	return pg == getpgrp() || (pg == -1 && errno == ENOTTY);
}

/*
 * Writes to the real terminal while the step owns it.  With crlf, "\n"
 * becomes "\r\n" (the runner's own lines: the terminal is raw).  After a
 * failure (the terminal hung up) nothing more is written; the log still
 * gets everything.  A full non-blocking terminal loses the rest of the
 * chunk rather than stall the loop.
 */
void
pty_write(struct runner *r, const char *data, size_t len, int crlf)
{
	const char *nl;
	ssize_t n;

	if (crlf) {
		while ((nl = memchr(data, '\n', len)) != NULL) {
			pty_write(r, data, (size_t)(nl - data), 0);
			pty_write(r, "\r\n", 2, 0);
			len -= (size_t)(nl + 1 - data);
			data = nl + 1;
		}
	}
	while (len > 0 && !r->tty_gone) {
		n = write(STDOUT_FILENO, data, len);
		if (n > 0) {
			data += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EINTR)
			continue;
		else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		else
			r->tty_gone = 1;
	}
}

static void
pty_close(struct runner *r)
{
	runner_close_watched(&r->ev_pty, &r->pty_fd);
}

/*
 * What the step wrote on its pseudo-terminal goes unchanged to the real
 * terminal (the step owns the screen) and, masked like any output, to the
 * log, the METRICS scanner and the front end.  The master is non-blocking;
 * EIO means every process of the step has closed its terminal.
 */
void
pty_read(struct runner *r)
{
	const char *data;
	size_t len;
	int n;

	while (r->pty_fd != -1) {
		n = evbuffer_read(r->in, r->pty_fd, 16384);
		if (n > 0) {
			len = evbuffer_get_length(r->in);
			data = (const char *)evbuffer_pullup(r->in, -1);
			pty_write(r, data, len, 0);
			stepout_write(r, data, len, 0);
			evbuffer_drain(r->in, len);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		pty_close(r);
	}
}

static void
on_pty(evutil_socket_t fd, short what, void *arg)
{
	pty_read(arg);
}

/*
 * A key (or a paste) from the user goes to the step's terminal.  When the
 * step does not read and its input queue is full, the rest is dropped, as
 * a terminal does.  End of input (a hangup) stops the forwarding; the step
 * runs on.
 */
static void
on_tty(evutil_socket_t fd, short what, void *arg)
{
	struct runner *r = arg;
	char chunk[4096];
	size_t off = 0;
	ssize_t n, w;

	n = read(STDIN_FILENO, chunk, sizeof chunk);
	if (n < 0 && (errno == EINTR || errno == EAGAIN ||
	    errno == EWOULDBLOCK))
		return;
	if (n <= 0) {
		runner_event_free(&r->ev_tty);
		return;
	}
	while (off < (size_t)n && r->pty_fd != -1) {
		w = write(r->pty_fd, chunk + off, (size_t)n - off);
		if (w > 0)
			off += (size_t)w;
		else if (w < 0 && errno == EINTR)
			continue;
		else
			break;
	}
	explicit_bzero(chunk, sizeof chunk);	/* it may be a password */
}

/* The real terminal's size, given to the step's (which signals it). */
static void
pty_winsize(struct runner *r)
{
	struct winsize ws;

	if (r->pty_fd != -1 && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_row > 0 && ws.ws_col > 0)
		ioctl(r->pty_fd, TIOCSWINSZ, &ws);
}

static void
on_winch(evutil_socket_t fd, short what, void *arg)
{
	pty_winsize(arg);
}

/*
 * Opens a pseudo-terminal: the master (non-blocking) in r->pty_fd, the
 * slave for the child in *slave.  Returns 0, or -1 with *cause set.
 */
int
pty_open(struct runner *r, int *slave, char **cause)
{
	int m, saved;

	*slave = -1;
	if (openpty(&m, slave, NULL, NULL, NULL) != 0) {
		*cause = xasprintf("cannot open a pseudo-terminal: %s",
		    strerror(errno));
		return -1;
	}
	if (fcntl(m, F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(*slave, F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK) == -1) {
		saved = errno;
		close(m);
		close(*slave);
		*slave = -1;
		*cause = xasprintf("cannot open a pseudo-terminal: %s",
		    strerror(saved));
		return -1;
	}
	r->pty_fd = m;
	return 0;
}

/*
 * Before the child starts (and after the front end let go of the
 * terminal): the step's terminal gets the user's settings and window size,
 * and the real one goes raw, so that every key reaches the step as typed
 * (Ctrl-C too: the step's own line discipline turns it into SIGINT for the
 * step's processes, never for maintop).
 */
void
pty_begin(struct runner *r, int slave)
{
	struct termios tio;

	/* The terminal's owner (term.c) saves its settings and puts them
	 * back on every way out, fatal() and exit() included. */
	if (term_raw() == 0 && term_saved(&tio) == 0)
		tcsetattr(slave, TCSANOW, &tio);
	pty_winsize(r);
}

/* Once the child runs: its output, the user's keys, window changes. */
void
pty_events(struct runner *r)
{
	r->ev_pty = event_new(r->env.base, r->pty_fd, EV_READ | EV_PERSIST,
	    on_pty, r);
	event_add(r->ev_pty, NULL);
	r->ev_tty = event_new(r->env.base, STDIN_FILENO, EV_READ | EV_PERSIST,
	    on_tty, r);
	event_add(r->ev_tty, NULL);
	r->ev_winch = evsignal_new(r->env.base, SIGWINCH, on_winch, r);
	evsignal_add(r->ev_winch, NULL);
}

/*
 * The end of an interactive step (or of its start, on failure): the rest
 * of its output, the terminal's settings back and, with notify, the front
 * end told that it has the terminal again.  Closing the master hangs up
 * whatever the step left running on it.
 */
void
pty_end(struct runner *r, int notify)
{
	if (!r->interactive)
		return;
	pty_read(r);
	pty_close(r);
	runner_event_free(&r->ev_tty);
	runner_event_free(&r->ev_winch);
	term_modes_restore();
	r->interactive = 0;
	r->tty_gone = 0;
	if (notify && r->env.on_terminal != NULL)
		r->env.on_terminal(r, 0, r->env.arg);
}
