/* The runbook runner: runs a runbook's steps as a state machine on the one
 * event loop, with child processes in their own process groups, timeouts,
 * rollback, a per-runbook lock, a run log and journal records. */
#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "check.h"
#include "fileio.h"
#include "journal.h"
#include "runbook.h"
#include "util.h"

/* A METRICS line longer than this is ignored (the output is still kept). */
#define RUNNER_LINE_MAX		65536
#define RUNNER_METRICS_MAX	100	/* figures kept per step */
#define RUNNER_HTTP_SHOW	16384	/* bytes of a body shown */

/* What curl writes after the transfer (the body goes to a file). */
#define RUNNER_HTTP_MARK	"maintop: HTTP status "

/* The clients that run sql, redis and http steps, and their packages. */
static const struct {
	enum step_kind	 kind;
	const char	*prog;
	const char	*package;
} runner_clients[] = {
	{ STEP_SQL, "psql", "postgresql-client" },
	{ STEP_REDIS, "redis-cli", "redis-tools" },
	{ STEP_HTTP, "curl", "curl" }
};

/* What the deferred "kick" event does next. */
enum runner_op {
	OP_NONE,
	OP_ENTER,	/* the current step: ask for confirmation or launch */
	OP_LAUNCH,	/* launch the current step without asking */
	OP_PAUSE_DONE,	/* a confirmed pause step: it is done */
	OP_FINISH	/* end the run with r->result */
};

/* One rollback step to run: step i's rollback j. */
struct rb_item {
	size_t	step;
	size_t	j;
};

struct runner {
	struct runner_env	 env;
	const struct runbook	*rb;
	char			**values;
	int			 overrides;

	char			*id;
	char			*journal;
	char			*log_path;
	char			*lock_path;
	int			 lock_fd;
	int			 log_fd;
	time_t			 start;
	long long		 start_ms;

	enum runner_phase	 phase;
	enum runner_result	 result;
	struct runner_step	*steps;
	json_t			**metrics;
	size_t			 cur;

	int			 in_rollback;
	struct rb_item		*rbv;
	size_t			 nrb;
	size_t			 rbpos;
	int			 rb_owner_skipped;

	enum runner_op		 op;
	struct event		*ev_kick;
	struct event		*ev_chld;
	struct event		*ev_out;
	struct event		*ev_timeout;
	struct event		*ev_kill;
	struct event		*ev_poll;

	pid_t			 pid;
	int			 out_fd;
	int			 interactive;	/* the step runs on pty_fd */
	int			 pty_fd;	/* its pseudo-terminal's master */
	struct event		*ev_pty;	/* the step's output */
	struct event		*ev_tty;	/* the user's keys */
	struct event		*ev_winch;
	int			 tty_gone;	/* the terminal cannot be written */
	int			 timed_out;
	int			 interrupts;
	int			 aborting;
	int			 detached;
	long long		 t0;
	char			*wait_status;
	char			*stale;		/* who left a stale lock */

	char			**secrets;
	size_t			 nsecrets;
	size_t			 secret_max;
	char			**passwords;	/* owned; also in secrets */
	size_t			 npasswords;

	int			 client_error;	/* redis: an error reply */
	int			 http_status;	/* -1 until curl tells */
	char			*http_out;	/* response body file */
	char			*http_in;	/* request body file */
	char			*http_hdr;	/* request headers file */
	struct buf		 pend;	/* output held back for masking */
	struct buf		 line;	/* the current output line */
	int			 line_long;
};

static void runner_kick(struct runner *, enum runner_op);
static void step_complete(struct runner *, enum runner_step_state, int,
    int, const char *);
static void tty_write(struct runner *, const char *, size_t, int);

/*
 * The terminal's settings from before an interactive step put it in raw
 * mode.  There is one terminal, so this is process-wide; an exit handler
 * restores it too, so that fatal() (which exits) never leaves it raw.
 */
static struct termios	runner_tio;
static int		runner_tio_raw;
static int		runner_tio_atexit;

static void
runner_tty_restore(void)
{
	if (runner_tio_raw) {
		runner_tio_raw = 0;
		tcsetattr(STDIN_FILENO, TCSADRAIN, &runner_tio);
	}
}

const char *
runner_result_name(enum runner_result res)
{
	switch (res) {
	case RUNNER_NONE:
		return "running";
	case RUNNER_SUCCESS:
		return "success";
	case RUNNER_FAILURE:
		return "failed";
	case RUNNER_ABORTED:
		return "aborted";
	case RUNNER_ROLLED_BACK:
		return "rolled-back";
	case RUNNER_DETACHED:
		return "detached";
	}
	return "?";
}

const char *
runner_step_state_name(enum runner_step_state s)
{
	switch (s) {
	case RSTEP_PENDING:
		return "pending";
	case RSTEP_RUNNING:
		return "running";
	case RSTEP_OK:
		return "ok";
	case RSTEP_FAILED:
		return "failed";
	case RSTEP_SKIPPED:
		return "skipped";
	case RSTEP_TIMEDOUT:
		return "timed-out";
	case RSTEP_ROLLEDBACK:
		return "rolled-back";
	}
	return "?";
}

char *
runner_journal_path(const char *state_dir)
{
	return xasprintf("%s/journal.jsonl", state_dir);
}

static time_t
runner_now(const struct runner *r)
{
	return r->env.now != NULL ? r->env.now() : time(NULL);
}

static void
iso(time_t t, char *out, size_t len)
{
	util_format_utc(t, out, len);
}

/* The step being confirmed or run: a rollback step while rolling back. */
const struct step *
runner_current_step(const struct runner *r)
{
	const struct step *st;

	if (r->in_rollback) {
		if (r->rbpos >= r->nrb)
			return NULL;
		st = r->rb->steps[r->rbv[r->rbpos].step];
		return st->rollback[r->rbv[r->rbpos].j];
	}
	if (r->cur >= r->rb->nsteps)
		return NULL;
	return r->rb->steps[r->cur];
}

size_t
runner_current(const struct runner *r, int *rollback)
{
	if (r->in_rollback && r->rbpos < r->nrb) {
		if (rollback != NULL)
			*rollback = (int)r->rbv[r->rbpos].j;
		return r->rbv[r->rbpos].step;
	}
	if (rollback != NULL)
		*rollback = -1;
	return r->cur;
}

enum runner_phase
runner_phase(const struct runner *r)
{
	return r->phase;
}

enum runner_result
runner_result(const struct runner *r)
{
	return r->result;
}

const struct runbook *
runner_runbook(const struct runner *r)
{
	return r->rb;
}

const char *
runner_id(const struct runner *r)
{
	return r->id;
}

const char *
runner_log_path(const struct runner *r)
{
	return r->log_path;
}

const struct runner_step *
runner_step_info(const struct runner *r, size_t i)
{
	return i < r->rb->nsteps ? &r->steps[i] : NULL;
}

int
runner_needs_name(const struct runner *r)
{
	const struct step *st = runner_current_step(r);

	return r->phase == RUNNER_CONFIRM && st != NULL && st->danger;
}

char *
runner_step_metrics(const struct runner *r, size_t i)
{
	if (i >= r->rb->nsteps || r->metrics[i] == NULL)
		return NULL;
	return json_dumps(r->metrics[i], JSON_COMPACT | JSON_SORT_KEYS);
}

/*
 * Journal records.  who adds the user, SSH client and terminal.  A failure
 * to write is reported in the output: the run goes on (the step already
 * happened), but the user sees that the record is missing.
 */
static int
journal_write(struct runner *r, json_t *obj, int who, char **cause)
{
	struct buf b;
	char *s, *err = NULL;
	int rc;

	s = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	if (s == NULL)
		fatal("cannot encode a journal record");
	buf_init(&b);
	buf_addc(&b, '{');
	if (who) {
		journal_who(&b);
		if (s[1] != '}')
			buf_addc(&b, ',');
	}
	buf_adds(&b, s + 1);
	free(s);
	rc = journal_append(r->journal, b.s, &err);
	buf_free(&b);
	if (rc != 0) {
		if (cause != NULL)
			*cause = err;
		else {
			s = xasprintf("maintop: journal: %s\n", err);
			if (r->env.on_output != NULL)
				r->env.on_output(r, s, strlen(s), r->env.arg);
			if (r->log_fd != -1 && write(r->log_fd, s, strlen(s))
			    < 0) {
				/* Nothing more to do: the log is failing too. */
			}
			free(s);
			free(err);
		}
		return -1;
	}
	return 0;
}

static json_t *
jrecord(struct runner *r, const char *type)
{
	json_t *o = json_object();

	json_object_set_new(o, "type", json_string(type));
	json_object_set_new(o, "run", json_string(r->id));
	json_object_set_new(o, "runbook", json_string(r->rb->name));
	return o;
}

/* Writes text to the log only (framing lines: commands, results). */
static void
log_text(struct runner *r, const char *fmt, ...) UTIL_PRINTF(2, 3);
static void
log_text(struct runner *r, const char *fmt, ...)
{
	va_list ap;
	char *s;
	ssize_t n;

	if (r->log_fd == -1)
		return;
	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	n = write(r->log_fd, s, strlen(s));
	(void)n;
	free(s);
}

/* Output the runner itself produces (status lines): log and front end. */
static void
say(struct runner *r, const char *fmt, ...) UTIL_PRINTF(2, 3);
static void
say(struct runner *r, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	if (r->log_fd != -1 && write(r->log_fd, s, strlen(s)) < 0) {
		/* The front end still shows it. */
	}
	if (r->interactive)
		tty_write(r, s, strlen(s), 1);	/* the user is looking there */
	if (r->env.on_output != NULL)
		r->env.on_output(r, s, strlen(s), r->env.arg);
	free(s);
}

static void
metrics_line(struct runner *r, const char *s, size_t len)
{
	json_t *o, *v, **dst;
	json_error_t jerr;
	const char *key;
	size_t i;

	while (len > 0 && (s[len - 1] == '\r'))
		len--;
	for (i = 0; i < len && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	if (len - i < 8 || strncmp(s + i, "METRICS:", 8) != 0)
		return;
	if (r->in_rollback || r->cur >= r->rb->nsteps)
		return;
	o = json_loadb(s + i + 8, len - i - 8, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		say(r, "maintop: ignored a METRICS line that is not a JSON "
		    "object\n");
		return;
	}
	dst = &r->metrics[r->cur];
	if (*dst == NULL)
		*dst = json_object();
	json_object_foreach(o, key, v) {
		if (!json_is_number(v) && !json_is_string(v) &&
		    !json_is_boolean(v) && !json_is_null(v))
			continue;
		if (json_object_size(*dst) >= RUNNER_METRICS_MAX &&
		    json_object_get(*dst, key) == NULL)
			continue;
		json_object_set(*dst, key, v);
	}
	json_decref(o);
}

/*
 * Watches the client's lines: a redis error reply ("(error) ..." with
 * --no-raw; strings are quoted, so a value cannot look like one) and the
 * status line curl writes at the end of an http step.
 */
static void
client_line(struct runner *r, const char *s, size_t len)
{
	const struct step *st = runner_current_step(r);
	size_t n = sizeof RUNNER_HTTP_MARK - 1;
	int status = 0;

	if (st == NULL || r->pid <= 0)
		return;
	if (st->kind == STEP_REDIS && len >= 8 && memcmp(s, "(error) ", 8) ==
	    0)
		r->client_error = 1;
	if (st->kind == STEP_HTTP && len == n + 3 &&
	    memcmp(s, RUNNER_HTTP_MARK, n) == 0) {
		for (s += n; len > n; len--, s++) {
			if (*s < '0' || *s > '9')
				return;
			status = status * 10 + (*s - '0');
		}
		r->http_status = status;
	}
}

/* Masked output: to the log, the front end, and the METRICS scanner. */
static void
emit(struct runner *r, const char *data, size_t len)
{
	const char *nl;
	size_t n;

	if (len == 0)
		return;
	if (r->log_fd != -1 && write(r->log_fd, data, len) < 0) {
		/* The output still reaches the front end. */
	}
	if (r->env.on_output != NULL)
		r->env.on_output(r, data, len, r->env.arg);
	while (len > 0) {
		nl = memchr(data, '\n', len);
		n = nl != NULL ? (size_t)(nl - data) : len;
		if (!r->line_long) {
			if (r->line.len + n > RUNNER_LINE_MAX)
				r->line_long = 1;
			else
				buf_add(&r->line, data, n);
		}
		if (nl == NULL)
			break;
		if (!r->line_long) {
			metrics_line(r, r->line.s != NULL ? r->line.s : "",
			    r->line.len);
			client_line(r, r->line.s != NULL ? r->line.s : "",
			    r->line.len);
		}
		buf_reset(&r->line);
		r->line_long = 0;
		data = nl + 1;
		len -= n + 1;
	}
}

/*
 * Replaces every secret value in the output stream by RUNBOOK_MASK.  Bytes
 * that may be the start of a secret split between two reads are held back
 * until the next read (or the end, final).
 */
static void
output(struct runner *r, const char *data, size_t len, int final)
{
	struct buf out;
	const char *p;
	size_t i, k, n, sl, avail;
	int held = 0, hit;

	if (r->nsecrets == 0) {
		emit(r, data, len);
		return;
	}
	buf_add(&r->pend, data, len);
	p = r->pend.s != NULL ? r->pend.s : "";
	n = r->pend.len;
	buf_init(&out);
	for (i = 0; i < n && !held; ) {
		hit = 0;
		for (k = 0; k < r->nsecrets; k++) {
			sl = strlen(r->secrets[k]);
			avail = n - i;
			if (avail >= sl && memcmp(p + i, r->secrets[k], sl) ==
			    0) {
				buf_adds(&out, RUNBOOK_MASK);
				i += sl;
				hit = 1;
				break;
			}
			if (!final && avail < sl &&
			    memcmp(p + i, r->secrets[k], avail) == 0) {
				held = 1;
				break;
			}
		}
		if (!hit && !held)
			buf_addc(&out, p[i++]);
	}
	emit(r, out.s != NULL ? out.s : "", out.len);
	buf_free(&out);
	memmove(r->pend.s, r->pend.s + i, n - i);
	r->pend.len = n - i;
	r->pend.s[r->pend.len] = '\0';
}

static void
free_event(struct event **ev)
{
	if (*ev != NULL) {
		event_free(*ev);
		*ev = NULL;
	}
}

/* Stops watching a descriptor and closes it. */
static void
close_watched(struct event **ev, int *fd)
{
	free_event(ev);
	if (*fd != -1) {
		close(*fd);
		*fd = -1;
	}
}

static void
close_output(struct runner *r)
{
	close_watched(&r->ev_out, &r->out_fd);
}

/* Reads what the step wrote; the pipe is non-blocking. */
static void
read_output(struct runner *r)
{
	char chunk[16384];
	ssize_t n;

	while (r->out_fd != -1) {
		n = read(r->out_fd, chunk, sizeof chunk);
		if (n > 0) {
			output(r, chunk, (size_t)n, 0);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			close_output(r);
		break;
	}
}

static void
on_read(evutil_socket_t fd, short what, void *arg)
{
	read_output(arg);
}

/* Sends sig to the step's process group (or, before the child has made
 * its own session, to the child). */
static void
signal_step(struct runner *r, int sig)
{
	if (r->pid <= 0)
		return;
	if (killpg(r->pid, sig) == -1 && errno == ESRCH)
		kill(r->pid, sig);
}

int
runner_terminal_owned(const struct runner *r)
{
	return r->interactive;
}

/*
 * Whether an interactive step can have the user: stdin is a terminal and
 * we are not in its background (changing its settings would stop us with
 * SIGTTOU), either in its foreground process group or on a terminal that
 * is not our controlling one.
 */
static int
tty_usable(void)
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
static void
tty_write(struct runner *r, const char *data, size_t len, int crlf)
{
	const char *nl;
	ssize_t n;

	if (crlf) {
		while ((nl = memchr(data, '\n', len)) != NULL) {
			tty_write(r, data, (size_t)(nl - data), 0);
			tty_write(r, "\r\n", 2, 0);
			len -= (size_t)(nl + 1 - data);
			data = nl + 1;
		}
		crlf = 0;
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
	close_watched(&r->ev_pty, &r->pty_fd);
}

/*
 * What the step wrote on its pseudo-terminal goes unchanged to the real
 * terminal (the step owns the screen) and, masked like any output, to the
 * log, the METRICS scanner and the front end.  The master is non-blocking;
 * EIO means every process of the step has closed its terminal.
 */
static void
pty_read(struct runner *r)
{
	char chunk[16384];
	ssize_t n;

	while (r->pty_fd != -1) {
		n = read(r->pty_fd, chunk, sizeof chunk);
		if (n > 0) {
			tty_write(r, chunk, (size_t)n, 0);
			output(r, chunk, (size_t)n, 0);
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
		free_event(&r->ev_tty);
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
static int
pty_open(struct runner *r, int *slave, char **cause)
{
	char name[128];
	int m, saved;

	*slave = -1;
	m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m == -1 || grantpt(m) != 0 || unlockpt(m) != 0 ||
	    ptsname_r(m, name, sizeof name) != 0 ||
	    fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK) == -1 ||
	    (*slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1) {
		saved = errno;
		if (m != -1)
			close(m);
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
static void
pty_begin(struct runner *r, int slave)
{
	struct termios raw;

	if (tcgetattr(STDIN_FILENO, &runner_tio) == 0) {
		tcsetattr(slave, TCSANOW, &runner_tio);
		raw = runner_tio;
		cfmakeraw(&raw);
		if (!runner_tio_atexit) {
			atexit(runner_tty_restore);
			runner_tio_atexit = 1;
		}
		if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0)
			runner_tio_raw = 1;
	}
	pty_winsize(r);
}

/* Once the child runs: its output, the user's keys, window changes. */
static void
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
static void
pty_end(struct runner *r, int notify)
{
	if (!r->interactive)
		return;
	pty_read(r);
	pty_close(r);
	free_event(&r->ev_tty);
	free_event(&r->ev_winch);
	runner_tty_restore();
	r->interactive = 0;
	r->tty_gone = 0;
	if (notify && r->env.on_terminal != NULL)
		r->env.on_terminal(r, 0, r->env.arg);
}

static void
on_kill(evutil_socket_t fd, short what, void *arg)
{
	struct runner *r = arg;

	if (r->pid > 0) {
		say(r, "maintop: still running after the grace period: "
		    "SIGKILL\n");
		signal_step(r, SIGKILL);
	}
}

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct runner *r = arg;
	const struct step *st = runner_current_step(r);
	struct timeval tv;
	long long grace = r->env.kill_grace_ms > 0 ? r->env.kill_grace_ms :
	    5000;
	char dur[32];

	util_format_duration(st->timeout, dur, sizeof dur);
	if (st->kind == STEP_WAIT) {
		free_event(&r->ev_poll);
		say(r, "maintop: timed out after %s waiting for health\n",
		    dur);
		step_complete(r, RSTEP_TIMEDOUT, -1, 0, "timed out");
		return;
	}
	if (r->pid <= 0)
		return;
	r->timed_out = 1;
	say(r, "maintop: timed out after %s: SIGTERM to the step\n", dur);
	signal_step(r, SIGTERM);
	r->ev_kill = evtimer_new(r->env.base, on_kill, r);
	tv.tv_sec = grace / 1000;
	tv.tv_usec = (grace % 1000) * 1000;
	evtimer_add(r->ev_kill, &tv);
}

/* Whether an http step's status is the one expected (default: 2xx). */
static int
http_status_ok(const struct step *st, int status)
{
	if (st->expect_status > 0)
		return status == st->expect_status;
	return status >= 200 && status <= 299;
}

/* Removes an http step's temporary files. */
static void
http_cleanup(struct runner *r)
{
	if (r->http_out != NULL) {
		unlink(r->http_out);
		free(r->http_out);
		r->http_out = NULL;
	}
	if (r->http_in != NULL) {
		unlink(r->http_in);
		free(r->http_in);
		r->http_in = NULL;
	}
	if (r->http_hdr != NULL) {
		unlink(r->http_hdr);
		free(r->http_hdr);
		r->http_hdr = NULL;
	}
}

/* Shows the start of the response body (masked like any output). */
static void
http_show_body(struct runner *r)
{
	char *data = NULL;
	size_t len = 0, total;
	struct stat sb;
	int fd;

	if (r->http_out == NULL)
		return;
	fd = open(r->http_out, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1)
		return;
	if (fstat(fd, &sb) == 0 && sb.st_size > 0) {
		total = (size_t)sb.st_size;
		data = xmalloc(RUNNER_HTTP_SHOW + 1);
		while (len < RUNNER_HTTP_SHOW) {
			ssize_t n;

			n = read(fd, data + len, RUNNER_HTTP_SHOW - len);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			len += (size_t)n;
		}
		output(r, data, len, 0);
		if (len > 0 && data[len - 1] != '\n')
			output(r, "\n", 1, 0);
		output(r, "", 0, 1);
		if (total > len)
			say(r, "maintop: (response body cut at %zu of %zu "
			    "bytes)\n", len, total);
		free(data);
	}
	close(fd);
}

/* The child has been reaped: finish the step. */
static void
child_done(struct runner *r, int status)
{
	const struct step *st;
	char msg[96];
	enum runner_step_state s;
	int code = -1, sig = 0;

	read_output(r);
	close_output(r);
	pty_read(r);
	output(r, "", 0, 1);
	pty_end(r, 1);
	r->pid = 0;
	if (WIFEXITED(status))
		code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		sig = WTERMSIG(status);
	st = runner_current_step(r);
	if (st->kind == STEP_HTTP)
		http_show_body(r);
	http_cleanup(r);
	if (r->timed_out) {
		s = RSTEP_TIMEDOUT;
		snprintf(msg, sizeof msg, "timed out");
	} else if (code == 0 && st->kind == STEP_REDIS && r->client_error) {
		s = RSTEP_FAILED;
		snprintf(msg, sizeof msg, "redis replied with an error");
	} else if (code == 0 && st->kind == STEP_HTTP &&
	    !http_status_ok(st, r->http_status)) {
		s = RSTEP_FAILED;
		if (r->http_status < 0)
			snprintf(msg, sizeof msg, "no HTTP status");
		else if (st->expect_status > 0)
			snprintf(msg, sizeof msg, "HTTP status %d, expected "
			    "%lld", r->http_status, st->expect_status);
		else
			snprintf(msg, sizeof msg, "HTTP status %d, expected "
			    "2xx", r->http_status);
	} else if (code == 0) {
		s = RSTEP_OK;
		msg[0] = '\0';
	} else {
		s = RSTEP_FAILED;
		if (sig != 0)
			snprintf(msg, sizeof msg, "killed by signal %d (%s)",
			    sig, strsignal(sig));
		else
			snprintf(msg, sizeof msg, "exit status %d", code);
	}
	step_complete(r, s, code, sig, msg[0] != '\0' ? msg : NULL);
}

static void
on_sigchld(evutil_socket_t fd, short what, void *arg)
{
	struct runner *r = arg;
	int status;
	pid_t p;

	/* Only our own child: other modules may have children too. */
	if (r->pid <= 0)
		return;
	do
		p = waitpid(r->pid, &status, WNOHANG);
	while (p == -1 && errno == EINTR);
	if (p == r->pid)
		child_done(r, status);
}

static void
close_fds_from(int lowfd)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned int)lowfd, ~0U, 0) == 0)
		return;
#endif
	{
		long max = sysconf(_SC_OPEN_MAX), fd;

		if (max < 0 || max > 65536)
			max = 65536;
		for (fd = lowfd; fd < max; fd++)
			close((int)fd);
	}
}

/*
 * Runs in the child between fork and exec: only async-signal-safe calls.
 * out is the write end of the output pipe or, for an interactive step, the
 * pseudo-terminal, which becomes the controlling terminal of a new session.
 */
static void UTIL_NORETURN
child_exec(const char *path, char **argv, const char *cwd, char **envv,
    int out, int interactive, const sigset_t *old)
{
	struct sigaction sa;
	sigset_t none;
	int sig, nul;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);
	(void)old;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (interactive) {
		/* Its own session: the group is still killpg(pid). */
		if (setsid() == -1 || ioctl(out, TIOCSCTTY, 0) == -1 ||
		    dup2(out, STDIN_FILENO) == -1 ||
		    dup2(out, STDOUT_FILENO) == -1 ||
		    dup2(out, STDERR_FILENO) == -1)
			_exit(126);
	} else {
		setpgid(0, 0);
		nul = open("/dev/null", O_RDONLY);
		if (nul == -1 || dup2(nul, STDIN_FILENO) == -1 ||
		    dup2(out, STDOUT_FILENO) == -1 ||
		    dup2(out, STDERR_FILENO) == -1)
			_exit(126);
	}
	close_fds_from(3);
	if (cwd != NULL && chdir(cwd) != 0) {
		static const char m[] = "maintop: cannot change to the step's "
		    "working directory\n";
		ssize_t n = write(STDERR_FILENO, m, sizeof m - 1);

		(void)n;
		_exit(126);
	}
	for (; *envv != NULL; envv++)
		putenv(*envv);
	execv(path, argv);
	{
		static const char m[] = "maintop: cannot execute ";
		ssize_t n = write(STDERR_FILENO, m, sizeof m - 1);

		n = write(STDERR_FILENO, path, strlen(path));
		n = write(STDERR_FILENO, "\n", 1);
		(void)n;
	}
	_exit(127);
}

static char **
child_env(struct runner *r, const struct step *st, size_t stepno,
    char **extra)
{
	char **v;
	size_t n = 0, i, nextra = 0;

	while (extra != NULL && extra[nextra] != NULL)
		nextra++;
	v = xcalloc(st->nenv + r->rb->nparams + nextra + 5, sizeof *v);
	for (i = 0; i < r->rb->nparams; i++)
		v[n++] = xasprintf("MAINTOP_PARAM_%s=%s", r->rb->params[i].name,
		    r->values[i] != NULL ? r->values[i] : "");
	v[n++] = xasprintf("MAINTOP_RUN_ID=%s", r->id);
	v[n++] = xasprintf("MAINTOP_RUNBOOK=%s", r->rb->name);
	v[n++] = xasprintf("MAINTOP_STEP=%zu", stepno + 1);
	for (i = 0; i < st->nenv; i++)
		v[n++] = runbook_subst(r->rb, r->values, st->env[i],
		    RUNBOOK_SUBST_RAW, 0);
	for (i = 0; i < nextra; i++)
		v[n++] = xstrdup(extra[i]);
	v[n] = NULL;
	return v;
}

static void
strv_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* Appends s (taken) to the NULL-terminated vector *v of *n strings. */
static void
strv_add(char ***v, size_t *n, char *s)
{
	*v = xreallocarray(*v, *n + 2, sizeof **v);
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

/* Frees a vector whose strings may hold a password: wipes them first. */
static void
strv_wipe(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		explicit_bzero(v[i], strlen(v[i]));
	strv_free(v);
}

/* The executable prog in PATH (a new string), or NULL. */
static char *
find_program(const char *prog)
{
	const char *path = getenv("PATH"), *p, *end;
	struct stat sb;
	char *f;

	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = end + 1) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		if (end == p)
			f = xasprintf("./%s", prog);
		else
			f = xasprintf("%.*s/%s", (int)(end - p), p, prog);
		if (stat(f, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    access(f, X_OK) == 0)
			return f;
		free(f);
		if (*end == '\0')
			return NULL;
	}
}

/* Masks a check's password in the output from now on (takes pw). */
static void
add_password(struct runner *r, char *pw)
{
	size_t i, n = strlen(pw);

	for (i = 0; i < r->npasswords; i++) {
		if (strcmp(r->passwords[i], pw) == 0) {
			explicit_bzero(pw, n);
			free(pw);
			return;
		}
	}
	r->passwords = xreallocarray(r->passwords, r->npasswords + 1,
	    sizeof *r->passwords);
	r->passwords[r->npasswords++] = pw;
	r->secrets = xreallocarray(r->secrets, r->nsecrets + 1,
	    sizeof *r->secrets);
	r->secrets[r->nsecrets++] = pw;
	if (n > r->secret_max)
		r->secret_max = n;
}

/* A private temporary file in the run directory; its path, or NULL. */
static char *
http_tempfile(struct runner *r, const char *what, const char *data,
    char **cause)
{
	char *path;
	size_t off = 0, len = data != NULL ? strlen(data) : 0;
	ssize_t n;
	int fd;

	path = xasprintf("%s/runs/%s.%s.XXXXXX", r->env.state_dir,
	    r->id != NULL ? r->id : "run", what);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd == -1) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	while (off < len) {
		n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*cause = xasprintf("%s: %s", path, strerror(errno));
			close(fd);
			unlink(path);
			free(path);
			return NULL;
		}
		off += (size_t)n;
	}
	close(fd);
	return path;
}

/*
 * Writes an http step's headers, parameters substituted, to a private file
 * for curl's "-H @file" (one header a line), so that a secret value is
 * never in the process list.  Returns 0, or -1 with *cause set.
 */
static int
http_headers(struct runner *r, const struct step *st, char **cause)
{
	struct buf b;
	char *h;
	size_t i, hl;
	int bad = 0;

	buf_init(&b);
	for (i = 0; i < st->nheaders && !bad; i++) {
		h = runbook_http_header(r->rb, r->values, st->headers[i], 0);
		hl = strlen(h);
		/* A parameter's value must not start another header. */
		if (strpbrk(h, "\r\n") != NULL) {
			*cause = xasprintf("header %zu of the step: a "
			    "parameter's value holds a line break", i + 1);
			bad = 1;
		} else {
			if (hl > 0 && h[hl - 1] == ':')
				h[hl - 1] = ';';	/* curl: an empty value */
			buf_printf(&b, "%s\n", h);
		}
		explicit_bzero(h, hl);
		free(h);
	}
	if (!bad && (r->http_hdr = http_tempfile(r, "headers", b.s,
	    cause)) == NULL)
		bad = 1;
	if (b.s != NULL)
		explicit_bzero(b.s, b.len);
	buf_free(&b);
	return bad ? -1 : 0;
}

/*
 * The client command of a sql, redis or http step: the program's path,
 * its argv and the extra environment ("PGPASSWORD=..."), all new; nothing
 * goes through a shell, and parameter values are single arguments.
 * Returns 0, or -1 with *cause set.
 */
static int
client_command(struct runner *r, const struct step *st, char **path,
    char ***argv, char ***extra, char **cause)
{
	const struct check *chk = st->check;
	const char *prog = NULL, *pkg = NULL;
	char **v = NULL, **e = NULL, **words = NULL, *pw = NULL, *why = NULL;
	char *s;
	size_t nv = 0, ne = 0, nw = 0, i;
	int have = 0;

	*path = NULL;
	*argv = *extra = NULL;
	for (i = 0; i < sizeof runner_clients / sizeof runner_clients[0]; i++) {
		if (runner_clients[i].kind == st->kind) {
			prog = runner_clients[i].prog;
			pkg = runner_clients[i].package;
		}
	}
	if (prog == NULL) {
		*cause = xstrdup("no client for this kind of step");
		return -1;
	}
	if ((*path = find_program(prog)) == NULL) {
		*cause = xasprintf("%s is not installed (install the Debian "
		    "package %s)", prog, pkg);
		return -1;
	}
	if (st->kind == STEP_SQL || st->kind == STEP_REDIS) {
		if (chk == NULL) {
			*cause = xasprintf("check '%s' is not known", st->on);
			goto fail;
		}
		have = check_password(chk, &pw, &why);
		if (have < 0) {
			*cause = xasprintf("the password of check '%s': %s",
			    chk->name, why);
			free(why);
			goto fail;
		}
	}
	strv_add(&v, &nv, xstrdup(prog));
	switch (st->kind) {
	case STEP_SQL:
		strv_add(&v, &nv, xstrdup("-X"));
		strv_add(&v, &nv, xstrdup("-w"));
		strv_add(&v, &nv, xstrdup("-v"));
		strv_add(&v, &nv, xstrdup("ON_ERROR_STOP=1"));
		strv_add(&v, &nv, xstrdup("-d"));
		if (chk->pg.conninfo != NULL)
			strv_add(&v, &nv, xstrdup(chk->pg.conninfo));
		else
			strv_add(&v, &nv, xasprintf("service=%s",
			    chk->pg.service != NULL ? chk->pg.service : ""));
		strv_add(&v, &nv, xstrdup("-c"));
		strv_add(&v, &nv, runbook_subst(r->rb, r->values, st->text,
		    RUNBOOK_SUBST_SQL, 0));
		strv_add(&e, &ne, xstrdup("PGAPPNAME=maintop"));
		if (have > 0)
			strv_add(&e, &ne, xasprintf("PGPASSWORD=%s", pw));
		break;
	case STEP_REDIS:
		if (runbook_redis_words(r->rb, r->values, st->text, 0, &words,
		    &nw, cause) != 0)
			goto fail;
		if (words[0][0] == '-') {
			*cause = xasprintf("the redis command cannot begin "
			    "with '-'");
			goto fail;
		}
		strv_add(&v, &nv, xstrdup("--no-raw"));
		if (chk->redis.host[0] == '/') {
			strv_add(&v, &nv, xstrdup("-s"));
			strv_add(&v, &nv, xstrdup(chk->redis.host));
		} else {
			strv_add(&v, &nv, xstrdup("-h"));
			strv_add(&v, &nv, xstrdup(chk->redis.host));
			strv_add(&v, &nv, xstrdup("-p"));
			strv_add(&v, &nv, xasprintf("%d", chk->redis.port));
		}
		strv_add(&v, &nv, xstrdup("-n"));
		strv_add(&v, &nv, xasprintf("%d", chk->redis.db));
		if (chk->redis.user != NULL) {
			strv_add(&v, &nv, xstrdup("--user"));
			strv_add(&v, &nv, xstrdup(chk->redis.user));
		}
		for (i = 0; i < nw; i++)
			strv_add(&v, &nv, words[i]);
		free(words);
		words = NULL;
		if (have > 0)
			strv_add(&e, &ne, xasprintf("REDISCLI_AUTH=%s", pw));
		break;
	case STEP_HTTP:
		s = runbook_subst(r->rb, r->values, st->text, RUNBOOK_SUBST_URL,
		    0);
		if (strncasecmp(s, "http://", 7) != 0 &&
		    strncasecmp(s, "https://", 8) != 0) {
			free(s);
			*cause = xstrdup("the URL must begin with http:// or "
			    "https://");
			goto fail;
		}
		if ((r->http_out = http_tempfile(r, "body", NULL,
		    cause)) == NULL) {
			free(s);
			goto fail;
		}
		strv_add(&v, &nv, xstrdup("-sS"));
		strv_add(&v, &nv, xstrdup("--proto"));
		strv_add(&v, &nv, xstrdup("=http,https"));
		if (st->timeout > 0) {
			strv_add(&v, &nv, xstrdup("--max-time"));
			strv_add(&v, &nv, xasprintf("%lld", st->timeout));
		}
		if (st->nheaders > 0 && http_headers(r, st, cause) != 0) {
			free(s);
			goto fail;
		}
		if (r->http_hdr != NULL) {
			strv_add(&v, &nv, xstrdup("-H"));
			strv_add(&v, &nv, xasprintf("@%s", r->http_hdr));
		}
		if (strcmp(st->method, "HEAD") == 0)
			strv_add(&v, &nv, xstrdup("-I"));
		else {
			strv_add(&v, &nv, xstrdup("-X"));
			strv_add(&v, &nv, xstrdup(st->method));
		}
		if (st->body != NULL) {
			char *body = runbook_subst(r->rb, r->values, st->body,
			    RUNBOOK_SUBST_RAW, 0);

			r->http_in = http_tempfile(r, "request", body, cause);
			explicit_bzero(body, strlen(body));
			free(body);
			if (r->http_in == NULL) {
				free(s);
				goto fail;
			}
			strv_add(&v, &nv, xstrdup("--data-binary"));
			strv_add(&v, &nv, xasprintf("@%s", r->http_in));
		}
		strv_add(&v, &nv, xstrdup("-o"));
		strv_add(&v, &nv, xstrdup(r->http_out));
		strv_add(&v, &nv, xstrdup("-w"));
		strv_add(&v, &nv, xstrdup(RUNNER_HTTP_MARK "%{http_code}\n"));
		strv_add(&v, &nv, xstrdup("--url"));
		strv_add(&v, &nv, s);
		break;
	default:
		break;
	}
	if (have > 0 && *pw != '\0')
		add_password(r, pw);
	else if (pw != NULL) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
	if (e == NULL)
		e = xcalloc(1, sizeof *e);
	*argv = v;
	*extra = e;
	return 0;

fail:
	if (pw != NULL) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
	strv_free(words);
	strv_free(v);
	strv_wipe(e);
	free(*path);
	*path = NULL;
	http_cleanup(r);
	return -1;
}

/* Starts a step's child.  Returns 0, or -1 with *cause set. */
static int
spawn(struct runner *r, const struct step *st, char **cause)
{
	char *path = NULL, **argv = NULL, **extra = NULL, *cwd = NULL, **envv;
	int fds[2] = { -1, -1 }, saved, slave = -1;
	sigset_t all, old;
	pid_t pid;

	/* The hard refusal: whatever the front end does. */
	if (r->env.read_only) {
		*cause = xstrdup("read-only mode: no step may run");
		return -1;
	}
	r->client_error = 0;
	r->http_status = -1;
	if (st->kind == STEP_RUN) {
		path = xstrdup("/bin/sh");
		argv = xcalloc(4, sizeof *argv);
		argv[0] = xstrdup("sh");
		argv[1] = xstrdup("-c");
		argv[2] = runbook_subst(r->rb, r->values, st->text,
		    RUNBOOK_SUBST_SHELL_EXEC, 0);
		if (st->cwd != NULL)
			cwd = runbook_subst(r->rb, r->values, st->cwd,
			    RUNBOOK_SUBST_RAW, 0);
	} else if (client_command(r, st, &path, &argv, &extra, cause) != 0)
		return -1;
	envv = child_env(r, st, runner_current(r, NULL), extra);
	/*
	 * An interactive step with a user at a terminal runs on a
	 * pseudo-terminal that the loop connects to the real one, so that its
	 * output is logged too.  Without a terminal it runs as any step does
	 * (no input, output through the pipe): nobody could answer it.
	 */
	if (st->interactive && tty_usable()) {
		if (pty_open(r, &slave, cause) != 0)
			goto fail;
		r->interactive = 1;
		if (r->env.on_terminal != NULL)
			r->env.on_terminal(r, 1, r->env.arg);
		pty_begin(r, slave);
	} else if (pipe2(fds, O_CLOEXEC) != 0) {
		*cause = xasprintf("pipe: %s", strerror(errno));
		goto fail;
	}
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0)
		child_exec(path, argv, cwd, envv, r->interactive ? slave :
		    fds[1], r->interactive, &old);
	saved = errno;
	/* Also here, no race with killpg (the pty child makes a session). */
	if (pid > 0 && !r->interactive)
		setpgid(pid, pid);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid == -1) {
		*cause = xasprintf("fork: %s", strerror(saved));
		goto fail;
	}
	r->pid = pid;
	if (r->interactive) {
		close(slave);
		pty_events(r);
	} else {
		close(fds[1]);
		r->out_fd = fds[0];
		fcntl(r->out_fd, F_SETFL, fcntl(r->out_fd, F_GETFL) |
		    O_NONBLOCK);
		r->ev_out = event_new(r->env.base, r->out_fd,
		    EV_READ | EV_PERSIST, on_read, r);
		event_add(r->ev_out, NULL);
	}
	free(path);
	strv_free(argv);
	strv_wipe(extra);
	free(cwd);
	strv_wipe(envv);
	return 0;

fail:
	if (fds[0] != -1) {
		close(fds[0]);
		close(fds[1]);
	}
	if (slave != -1)
		close(slave);
	pty_end(r, 1);
	free(path);
	strv_free(argv);
	strv_wipe(extra);
	free(cwd);
	strv_wipe(envv);
	http_cleanup(r);
	return -1;
}

static void
on_poll(evutil_socket_t fd, short what, void *arg)
{
	struct runner *r = arg;
	const struct step *st = runner_current_step(r);
	static const char *const names[] = { "ok", "warn", "crit",
	    "unknown" };
	struct buf b;
	struct timeval tv;
	long long ms = r->env.poll_ms > 0 ? r->env.poll_ms : 1000;
	size_t i;
	int s, all = 1;

	buf_init(&b);
	buf_adds(&b, "waiting for");
	for (i = 0; i < st->nchecks; i++) {
		s = r->env.check_state != NULL ?
		    r->env.check_state(st->checks[i], r->env.arg) :
		    RUNNER_CHECK_UNKNOWN;
		if (s < 0 || s > RUNNER_CHECK_UNKNOWN)
			s = RUNNER_CHECK_UNKNOWN;
		if (s != RUNNER_CHECK_OK)
			all = 0;
		buf_printf(&b, " %s (%s)", st->checks[i], names[s]);
	}
	if (all) {
		buf_free(&b);
		free_event(&r->ev_poll);
		say(r, "maintop: every check is ok\n");
		step_complete(r, RSTEP_OK, 0, 0, NULL);
		return;
	}
	if (r->wait_status == NULL || strcmp(r->wait_status, b.s) != 0) {
		say(r, "maintop: %s\n", b.s);
		free(r->wait_status);
		r->wait_status = buf_detach(&b);
	}
	buf_free(&b);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(r->ev_poll, &tv);
}

static void
launch(struct runner *r)
{
	const struct step *st = runner_current_step(r);
	size_t i = runner_current(r, NULL);
	struct runner_step *rs = &r->steps[i];
	struct timeval tv;
	json_t *o;
	char *cause = NULL, *text;

	r->phase = RUNNER_RUNNING;
	r->timed_out = 0;
	r->interrupts = 0;
	r->t0 = util_mono_ms();
	if (!r->in_rollback) {
		rs->state = RSTEP_RUNNING;
		rs->attempts++;
		rs->exit_code = -1;
		rs->signal = 0;
		free(rs->message);
		rs->message = NULL;
		if (r->metrics[i] != NULL) {
			json_decref(r->metrics[i]);
			r->metrics[i] = NULL;
		}
	}
	text = runbook_step_text(r->rb, r->values, st, "   ");
	log_text(r, "== %s%s %zu/%zu: %s\n%s", r->in_rollback ? "rollback "
	    : "", "step", i + 1, r->rb->nsteps, st->name, text);
	free(text);

	if ((st->kind == STEP_RUN || st->kind == STEP_SQL ||
	    st->kind == STEP_REDIS || st->kind == STEP_HTTP) &&
	    spawn(r, st, &cause) != 0) {
		say(r, "maintop: cannot run the step: %s\n", cause);
		free(cause);
		step_complete(r, RSTEP_FAILED, -1, 0, "could not start");
		return;
	}
	if (st->kind == STEP_WAIT && r->env.read_only) {
		step_complete(r, RSTEP_FAILED, -1, 0, "read-only mode");
		return;
	}

	o = jrecord(r, "step_start");
	json_object_set_new(o, "step", json_integer((json_int_t)i));
	json_object_set_new(o, "name", json_string(st->name));
	if (r->in_rollback)
		json_object_set_new(o, "rollback", json_true());
	if (r->pid > 0)
		json_object_set_new(o, "pid", json_integer(r->pid));
	journal_write(r, o, 0, NULL);

	if (!r->in_rollback && r->env.on_step != NULL) {
		rs->pid = r->pid;
		r->env.on_step(r, i, r->env.arg);
	}
	if (st->timeout > 0) {
		r->ev_timeout = evtimer_new(r->env.base, on_timeout, r);
		tv.tv_sec = (time_t)st->timeout;
		tv.tv_usec = 0;
		evtimer_add(r->ev_timeout, &tv);
	}
	if (st->kind == STEP_WAIT) {
		free(r->wait_status);
		r->wait_status = NULL;
		r->ev_poll = evtimer_new(r->env.base, on_poll, r);
		tv.tv_sec = 0;
		tv.tv_usec = 0;
		evtimer_add(r->ev_poll, &tv);
	}
	if (st->kind == STEP_PAUSE)
		step_complete(r, RSTEP_OK, 0, 0, NULL);
}

static void
release_lock(struct runner *r)
{
	if (r->lock_fd == -1)
		return;
	if (ftruncate(r->lock_fd, 0) != 0) {
		/* A stale content is harmless: the flock is what counts. */
	}
	close(r->lock_fd);	/* releases the flock */
	r->lock_fd = -1;
}

static void
stop_events(struct runner *r)
{
	free_event(&r->ev_timeout);
	free_event(&r->ev_kill);
	free_event(&r->ev_poll);
}

static void
finish(struct runner *r)
{
	json_t *o;
	char when[32], dur[32];
	long long ms = util_mono_ms() - r->start_ms;

	stop_events(r);
	free_event(&r->ev_chld);
	r->phase = RUNNER_DONE;
	iso(runner_now(r), when, sizeof when);
	o = jrecord(r, "run_end");
	json_object_set_new(o, "result",
	    json_string(runner_result_name(r->result)));
	json_object_set_new(o, "end", json_string(when));
	json_object_set_new(o, "duration_ms", json_integer(ms));
	json_object_set_new(o, "log", json_string(r->log_path));
	journal_write(r, o, 0, NULL);
	util_format_duration(ms / 1000, dur, sizeof dur);
	log_text(r, "== run %s: %s after %s\n", r->id,
	    runner_result_name(r->result), dur);
	if (r->log_fd != -1) {
		fsync(r->log_fd);
		close(r->log_fd);
		r->log_fd = -1;
	}
	release_lock(r);
	/* Last: the front end may free the runner in this callback. */
	if (r->env.on_finished != NULL)
		r->env.on_finished(r, r->env.arg);
}

static void
step_complete(struct runner *r, enum runner_step_state s, int code, int sig,
    const char *msg)
{
	const struct step *st = runner_current_step(r);
	size_t i = runner_current(r, NULL), owner;
	struct runner_step *rs = &r->steps[i];
	long long ms = util_mono_ms() - r->t0;
	json_t *o;
	char dur[32];

	stop_events(r);
	util_format_duration(ms / 1000, dur, sizeof dur);
	log_text(r, "== %s %s after %s%s%s\n", st->name,
	    runner_step_state_name(s), dur, msg != NULL ? ": " : "",
	    msg != NULL ? msg : "");
	o = jrecord(r, "step_end");
	json_object_set_new(o, "step", json_integer((json_int_t)i));
	json_object_set_new(o, "name", json_string(st->name));
	if (r->in_rollback)
		json_object_set_new(o, "rollback", json_true());
	json_object_set_new(o, "result",
	    json_string(runner_step_state_name(s)));
	json_object_set_new(o, "exit", code >= 0 ? json_integer(code) :
	    json_null());
	if (sig != 0)
		json_object_set_new(o, "signal", json_integer(sig));
	json_object_set_new(o, "duration_ms", json_integer(ms));
	if (!r->in_rollback && r->metrics[i] != NULL)
		json_object_set(o, "metrics", r->metrics[i]);
	if (msg != NULL)
		json_object_set_new(o, "message", json_string(msg));
	journal_write(r, o, 0, NULL);

	if (!r->in_rollback) {
		rs->state = s;
		rs->exit_code = code;
		rs->signal = sig;
		rs->duration_ms = ms;
		rs->pid = 0;
		free(rs->message);
		rs->message = msg != NULL ? xstrdup(msg) : NULL;
		if (r->env.on_step != NULL)
			r->env.on_step(r, i, r->env.arg);
	}
	if (r->aborting) {
		r->result = RUNNER_ABORTED;
		finish(r);
		return;
	}
	if (s == RSTEP_OK) {
		if (r->in_rollback) {
			owner = r->rbv[r->rbpos].step;
			r->rbpos++;
			if (r->rbpos >= r->nrb || r->rbv[r->rbpos].step !=
			    owner) {
				if (!r->rb_owner_skipped) {
					r->steps[owner].state =
					    RSTEP_ROLLEDBACK;
					r->steps[owner].rolled_back = 1;
					if (r->env.on_step != NULL)
						r->env.on_step(r, owner,
						    r->env.arg);
				}
				r->rb_owner_skipped = 0;
			}
		} else
			r->cur++;
		runner_kick(r, OP_ENTER);
		return;
	}
	if (r->detached) {
		r->result = RUNNER_DETACHED;
		finish(r);
		return;
	}
	if (!r->in_rollback && st->continue_on_error) {
		say(r, "maintop: step '%s' failed; continuing "
		    "(continue_on_error)\n", st->name);
		r->cur++;
		runner_kick(r, OP_ENTER);
		return;
	}
	r->phase = RUNNER_FAILED;
	if (r->env.on_failed != NULL)
		r->env.on_failed(r, r->env.arg);
}

/* The current step: ask, or launch, or end the run. */
static void
enter(struct runner *r)
{
	const struct step *st;

	if (r->detached) {
		r->result = RUNNER_DETACHED;
		finish(r);
		return;
	}
	st = runner_current_step(r);
	if (st == NULL) {
		r->result = r->in_rollback ? RUNNER_ROLLED_BACK :
		    RUNNER_SUCCESS;
		finish(r);
		return;
	}
	if (r->in_rollback || st->confirm || st->danger ||
	    st->kind == STEP_PAUSE) {
		r->phase = RUNNER_CONFIRM;
		if (r->env.on_confirm != NULL)
			r->env.on_confirm(r, r->env.arg);
		return;
	}
	launch(r);
}

static void
on_kick(evutil_socket_t fd, short what, void *arg)
{
	struct runner *r = arg;
	enum runner_op op = r->op;

	r->op = OP_NONE;
	switch (op) {
	case OP_NONE:
		break;
	case OP_ENTER:
		enter(r);
		break;
	case OP_LAUNCH:
		launch(r);
		break;
	case OP_PAUSE_DONE:
		launch(r);	/* a pause completes at once */
		break;
	case OP_FINISH:
		finish(r);
		break;
	}
}

static void
runner_kick(struct runner *r, enum runner_op op)
{
	struct timeval tv = { 0, 0 };

	r->op = op;
	evtimer_add(r->ev_kick, &tv);
}

static int
refuse(char **cause, const char *fmt, ...) UTIL_PRINTF(2, 3);
static int
refuse(char **cause, const char *fmt, ...)
{
	va_list ap;

	if (cause != NULL) {
		va_start(ap, fmt);
		*cause = xvasprintf(fmt, ap);
		va_end(ap);
	}
	return -1;
}

int
runner_confirm(struct runner *r, const char *typed, char **cause)
{
	const struct step *st = runner_current_step(r);

	if (r->env.read_only)
		return refuse(cause, "read-only mode: nothing may run");
	if (r->phase != RUNNER_CONFIRM || r->op != OP_NONE || st == NULL)
		return refuse(cause, "no step is waiting for confirmation");
	if (st->danger && (typed == NULL || strcmp(typed, r->rb->name) != 0))
		return refuse(cause, "step '%s' is dangerous: type the "
		    "runbook's name (%s) to run it", st->name, r->rb->name);
	r->phase = RUNNER_RUNNING;
	runner_kick(r, st->kind == STEP_PAUSE ? OP_PAUSE_DONE : OP_LAUNCH);
	return 0;
}

int
runner_skip(struct runner *r, char **cause)
{
	const struct step *st = runner_current_step(r);
	size_t i = runner_current(r, NULL);
	json_t *o;

	if ((r->phase != RUNNER_CONFIRM && r->phase != RUNNER_FAILED) ||
	    r->op != OP_NONE || st == NULL)
		return refuse(cause, "no step to skip");
	o = jrecord(r, "step_end");
	json_object_set_new(o, "step", json_integer((json_int_t)i));
	json_object_set_new(o, "name", json_string(st->name));
	if (r->in_rollback)
		json_object_set_new(o, "rollback", json_true());
	json_object_set_new(o, "result", json_string("skipped"));
	journal_write(r, o, 0, NULL);
	log_text(r, "== %s skipped\n", st->name);
	if (r->in_rollback) {
		r->rb_owner_skipped = 1;
		r->rbpos++;
		if (r->rbpos < r->nrb && r->rbv[r->rbpos].step != i)
			r->rb_owner_skipped = 0;
	} else {
		r->steps[i].state = RSTEP_SKIPPED;
		if (r->env.on_step != NULL)
			r->env.on_step(r, i, r->env.arg);
		r->cur++;
	}
	r->phase = RUNNER_RUNNING;
	runner_kick(r, OP_ENTER);
	return 0;
}

int
runner_retry(struct runner *r, char **cause)
{
	if (r->env.read_only)
		return refuse(cause, "read-only mode: nothing may run");
	if (r->phase != RUNNER_FAILED || r->op != OP_NONE)
		return refuse(cause, "no failed step to retry");
	r->phase = RUNNER_RUNNING;
	runner_kick(r, OP_LAUNCH);
	return 0;
}

int
runner_rollback(struct runner *r, char **cause)
{
	size_t i, j;

	if (r->env.read_only)
		return refuse(cause, "read-only mode: nothing may run");
	if ((r->phase != RUNNER_CONFIRM && r->phase != RUNNER_FAILED) ||
	    r->op != OP_NONE || r->in_rollback)
		return refuse(cause, "nothing to roll back from here");
	r->nrb = 0;
	for (i = r->cur; i-- > 0; ) {
		if (r->steps[i].state != RSTEP_OK)
			continue;
		for (j = 0; j < r->rb->steps[i]->nrollback; j++) {
			r->rbv = xreallocarray(r->rbv, r->nrb + 1,
			    sizeof *r->rbv);
			r->rbv[r->nrb].step = i;
			r->rbv[r->nrb].j = j;
			r->nrb++;
		}
	}
	if (r->nrb == 0)
		say(r, "maintop: no completed step has a rollback\n");
	else
		say(r, "maintop: rolling back %zu step%s\n", r->nrb,
		    r->nrb == 1 ? "" : "s");
	r->in_rollback = 1;
	r->rbpos = 0;
	r->rb_owner_skipped = 0;
	r->phase = RUNNER_RUNNING;
	runner_kick(r, OP_ENTER);
	return 0;
}

int
runner_abort(struct runner *r, char **cause)
{
	switch (r->phase) {
	case RUNNER_READY:
	case RUNNER_DONE:
		return refuse(cause, "the run is not going");
	case RUNNER_RUNNING:
		if (r->aborting)
			return 0;
		r->aborting = 1;
		if (r->pid > 0) {
			say(r, "maintop: aborting: SIGKILL to the step\n");
			signal_step(r, SIGKILL);
		} else if (r->ev_poll != NULL) {
			step_complete(r, RSTEP_FAILED, -1, 0, "aborted");
		} else {
			/* Between steps: a kick is pending. */
			r->result = RUNNER_ABORTED;
			runner_kick(r, OP_FINISH);
		}
		return 0;
	case RUNNER_CONFIRM:
	case RUNNER_FAILED:
		say(r, "maintop: aborted\n");
		r->result = RUNNER_ABORTED;
		r->phase = RUNNER_RUNNING;
		runner_kick(r, OP_FINISH);
		return 0;
	}
	return -1;
}

void
runner_interrupt(struct runner *r)
{
	if (r->phase != RUNNER_RUNNING)
		return;
	if (r->pid > 0) {
		r->interrupts++;
		say(r, "maintop: %s to the step\n", r->interrupts == 1 ?
		    "SIGINT" : "SIGKILL");
		signal_step(r, r->interrupts == 1 ? SIGINT : SIGKILL);
	} else if (r->ev_poll != NULL) {
		say(r, "maintop: interrupted\n");
		step_complete(r, RSTEP_FAILED, -1, 0, "interrupted");
	}
}

void
runner_detach(struct runner *r)
{
	json_t *o;

	if (r->phase == RUNNER_READY || r->phase == RUNNER_DONE ||
	    r->detached)
		return;
	r->detached = 1;
	o = jrecord(r, "run_detach");
	if (r->pid > 0)
		json_object_set_new(o, "pid", json_integer(r->pid));
	journal_write(r, o, 0, NULL);
	log_text(r, "== terminal hung up: the run is detached\n");
	if (r->phase == RUNNER_RUNNING && (r->pid > 0 || r->ev_poll != NULL))
		return;		/* the step finishes, then the run ends */
	r->result = RUNNER_DETACHED;
	r->phase = RUNNER_RUNNING;
	runner_kick(r, OP_FINISH);
}

struct runner *
runner_new(const struct runner_env *env, const struct runbook *rb,
    char *const *values, int overrides)
{
	struct runner *r;
	size_t i, n;

	r = xcalloc(1, sizeof *r);
	r->env = *env;
	r->rb = rb;
	r->overrides = overrides;
	r->values = xcalloc(rb->nparams + 1, sizeof *r->values);
	r->secrets = xcalloc(rb->nparams + 1, sizeof *r->secrets);
	for (i = 0; i < rb->nparams; i++) {
		r->values[i] = xstrdup(values != NULL && values[i] != NULL ?
		    values[i] : "");
		n = strlen(r->values[i]);
		if (rb->params[i].secret && n > 0) {
			r->secrets[r->nsecrets++] = r->values[i];
			if (n > r->secret_max)
				r->secret_max = n;
		}
	}
	r->steps = xcalloc(rb->nsteps + 1, sizeof *r->steps);
	for (i = 0; i < rb->nsteps; i++)
		r->steps[i].exit_code = -1;
	r->metrics = xcalloc(rb->nsteps + 1, sizeof *r->metrics);
	r->lock_fd = r->log_fd = r->out_fd = r->pty_fd = -1;
	r->phase = RUNNER_READY;
	r->journal = runner_journal_path(env->state_dir);
	buf_init(&r->pend);
	buf_init(&r->line);
	return r;
}

static void
make_id(struct runner *r)
{
	unsigned char rnd[3];
	char when[32];
	struct tm tm;
	time_t t = r->start;

	if (getrandom(rnd, sizeof rnd, GRND_NONBLOCK) != sizeof rnd) {
		unsigned long x = (unsigned long)getpid() ^
		    (unsigned long)util_mono_ms();

		rnd[0] = (unsigned char)x;
		rnd[1] = (unsigned char)(x >> 8);
		rnd[2] = (unsigned char)(x >> 16);
	}
	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y%m%dT%H%M%SZ", &tm);
	r->id = xasprintf("%s-%02x%02x%02x", when, rnd[0], rnd[1], rnd[2]);
}

/* "alice (ssh 10.0.0.1, /dev/pts/3, pid 123, run X) since T" from a lock. */
static char *
describe_holder(const char *text)
{
	json_t *o, *v;
	json_error_t jerr;
	struct buf b;
	const char *user;

	o = json_loads(text, 0, &jerr);
	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		return xstrdup("another maintop (its lock file says nothing "
		    "more)");
	}
	buf_init(&b);
	user = json_string_value(json_object_get(o, "user"));
	buf_adds(&b, user != NULL ? user : "someone");
	buf_adds(&b, " (");
	if ((v = json_object_get(o, "ssh_client")) != NULL &&
	    json_is_string(v))
		buf_printf(&b, "from %s, ", json_string_value(v));
	if ((v = json_object_get(o, "tty")) != NULL && json_is_string(v))
		buf_printf(&b, "on %s, ", json_string_value(v));
	if ((v = json_object_get(o, "pid")) != NULL && json_is_integer(v))
		buf_printf(&b, "pid %lld, ", (long long)json_integer_value(v));
	if ((v = json_object_get(o, "run")) != NULL && json_is_string(v))
		buf_printf(&b, "run %s", json_string_value(v));
	buf_addc(&b, ')');
	if ((v = json_object_get(o, "since")) != NULL && json_is_string(v))
		buf_printf(&b, " since %s", json_string_value(v));
	json_decref(o);
	return buf_detach(&b);
}

static char *
lock_path(const char *state_dir, const char *runbook)
{
	return xasprintf("%s/locks/%s.lock", state_dir, runbook);
}

/* Reads a lock file's content (at most 4 KiB) from fd. */
static char *
read_lock(int fd)
{
	char buf[4096];
	ssize_t n;

	n = pread(fd, buf, sizeof buf - 1, 0);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	return xstrdup(buf);
}

static int
take_lock(struct runner *r, char **cause)
{
	char *dir, *text, *who, when[32];
	struct buf b;
	ssize_t w;

	dir = xasprintf("%s/locks", r->env.state_dir);
	if (fileio_mkdirs(dir, 0700) != 0) {
		*cause = xasprintf("%s: %s", dir, strerror(errno));
		free(dir);
		return -1;
	}
	free(dir);
	r->lock_path = lock_path(r->env.state_dir, r->rb->name);
	r->lock_fd = open(r->lock_path, O_RDWR | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	if (r->lock_fd == -1) {
		*cause = xasprintf("%s: %s", r->lock_path, strerror(errno));
		return -1;
	}
	if (flock(r->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		text = read_lock(r->lock_fd);
		who = describe_holder(text);
		*cause = xasprintf("runbook '%s' is already running: started "
		    "by %s", r->rb->name, who);
		free(who);
		free(text);
		close(r->lock_fd);
		r->lock_fd = -1;
		return -1;
	}
	text = read_lock(r->lock_fd);
	if (*text != '\0')
		r->stale = describe_holder(text);	/* logged once open */
	free(text);
	iso(r->start, when, sizeof when);
	buf_init(&b);
	buf_addc(&b, '{');
	journal_who(&b);
	buf_printf(&b, ",\"pid\":%ld,\"since\":\"%s\",\"run\":", (long)getpid(),
	    when);
	buf_json_str(&b, r->id);
	buf_adds(&b, "}\n");
	if (ftruncate(r->lock_fd, 0) != 0 ||
	    (w = pwrite(r->lock_fd, b.s, b.len, 0)) != (ssize_t)b.len) {
		/* The flock holds; only the description is missing. */
	}
	buf_free(&b);
	return 0;
}

/* The newest successful end of runbook name, or 0. */
static time_t
last_success(struct runner *r, const char *name)
{
	struct runner_run *runs;
	size_t n, i;
	time_t t = 0;
	char *cause = NULL;

	if (runner_history(r->env.state_dir, name, &runs, &n, &cause) != 0) {
		free(cause);
		return 0;
	}
	for (i = 0; i < n; i++)
		if (runs[i].result != NULL &&
		    strcmp(runs[i].result, "success") == 0 && runs[i].end > t)
			t = runs[i].end;
	runner_runs_free(runs, n);
	return t;
}

static int
preconditions(struct runner *r, char **cause)
{
	static const char *const names[] = { "ok", "warn", "crit",
	    "unknown" };
	const struct runbook *rb = r->rb;
	char *which = NULL, dur[32], ago[32];
	time_t t;
	size_t i;
	int s, in;

	for (i = 0; i < rb->nrequires_healthy; i++) {
		s = r->env.check_state != NULL ?
		    r->env.check_state(rb->requires_healthy[i], r->env.arg) :
		    RUNNER_CHECK_UNKNOWN;
		if (s < 0 || s > RUNNER_CHECK_UNKNOWN)
			s = RUNNER_CHECK_UNKNOWN;
		if (s != RUNNER_CHECK_OK)
			return refuse(cause, "runbook '%s' requires check "
			    "'%s' to be healthy; it is %s", rb->name,
			    rb->requires_healthy[i], names[s]);
	}
	if (rb->require_window && !(r->overrides & RUNNER_OVERRIDE_WINDOW)) {
		in = r->env.in_window != NULL ? r->env.in_window(rb->name,
		    r->start, &which, r->env.arg) : -1;
		free(which);
		if (in == 0)
			return refuse(cause, "runbook '%s' may run only inside "
			    "one of its maintenance windows, and none is open "
			    "now (override with --override-window; the "
			    "override is recorded)", rb->name);
		if (in != 1)
			return refuse(cause, "runbook '%s' may run only inside "
			    "one of its maintenance windows, and maintop "
			    "cannot tell whether one is open (override with "
			    "--override-window; the override is recorded)",
			    rb->name);
	}
	for (i = 0; i < rb->nrequires; i++) {
		t = last_success(r, rb->requires[i].runbook);
		if (t == 0)
			return refuse(cause, "runbook '%s' requires a "
			    "successful run of '%s' first, and there is none "
			    "in the journal", rb->name,
			    rb->requires[i].runbook);
		if (rb->requires[i].within > 0 &&
		    r->start - t > rb->requires[i].within) {
			util_format_duration(rb->requires[i].within, dur,
			    sizeof dur);
			util_format_duration(r->start - t, ago, sizeof ago);
			return refuse(cause, "runbook '%s' requires a "
			    "successful run of '%s' within %s; the last one "
			    "ended %s ago", rb->name, rb->requires[i].runbook,
			    dur, ago);
		}
	}
	return 0;
}

int
runner_start(struct runner *r, char **cause)
{
	json_t *o, *p, *ov;
	char when[32], *dir;
	size_t i;

	if (r->env.read_only)
		return refuse(cause, "read-only mode: runbooks cannot be run");
	if (r->phase != RUNNER_READY)
		return refuse(cause, "this run has already started");
	r->start = runner_now(r);
	r->start_ms = util_mono_ms();
	make_id(r);
	if (preconditions(r, cause) != 0)
		return -1;
	if (take_lock(r, cause) != 0)
		return -1;

	dir = xasprintf("%s/runs", r->env.state_dir);
	if (fileio_mkdirs(dir, 0700) != 0) {
		*cause = xasprintf("%s: %s", dir, strerror(errno));
		free(dir);
		release_lock(r);
		return -1;
	}
	r->log_path = xasprintf("%s/%s.log", dir, r->id);
	free(dir);
	r->log_fd = open(r->log_path, O_WRONLY | O_CREAT | O_APPEND |
	    O_CLOEXEC | O_NOFOLLOW, 0600);
	if (r->log_fd == -1) {
		*cause = xasprintf("%s: %s", r->log_path, strerror(errno));
		release_lock(r);
		return -1;
	}

	iso(r->start, when, sizeof when);
	o = jrecord(r, "run_start");
	json_object_set_new(o, "start", json_string(when));
	p = json_object();
	for (i = 0; i < r->rb->nparams; i++)
		json_object_set_new(p, r->rb->params[i].name,
		    json_string(r->rb->params[i].secret ? RUNBOOK_MASK :
		    r->values[i]));
	json_object_set_new(o, "params", p);
	ov = json_array();
	if (r->overrides & RUNNER_OVERRIDE_WINDOW)
		json_array_append_new(ov, json_string("window"));
	json_object_set_new(o, "overrides", ov);
	json_object_set_new(o, "pid", json_integer(getpid()));
	json_object_set_new(o, "log", json_string(r->log_path));
	if (journal_write(r, o, 1, cause) != 0) {
		close(r->log_fd);
		r->log_fd = -1;
		unlink(r->log_path);
		release_lock(r);
		return -1;
	}
	log_text(r, "== run %s of runbook %s, started %s\n", r->id,
	    r->rb->name, when);
	for (i = 0; i < r->rb->nparams; i++)
		log_text(r, "== param %s = %s\n", r->rb->params[i].name,
		    r->rb->params[i].secret ? RUNBOOK_MASK : r->values[i]);
	if (r->stale != NULL)
		log_text(r, "== took over a stale lock left by %s\n",
		    r->stale);
	if (r->overrides & RUNNER_OVERRIDE_WINDOW)
		log_text(r, "== override: run outside the maintenance "
		    "windows\n");

	r->ev_kick = evtimer_new(r->env.base, on_kick, r);
	r->ev_chld = evsignal_new(r->env.base, SIGCHLD, on_sigchld, r);
	event_add(r->ev_chld, NULL);
	r->phase = RUNNER_RUNNING;
	runner_kick(r, OP_ENTER);
	return 0;
}

void
runner_free(struct runner *r)
{
	size_t i;
	int status;

	if (r == NULL)
		return;
	if (r->pid > 0) {
		signal_step(r, SIGKILL);
		while (waitpid(r->pid, &status, 0) == -1 && errno == EINTR)
			;
		r->pid = 0;
	}
	close_output(r);
	/* The terminal's settings back; the front end is going away. */
	pty_end(r, 0);
	if (r->phase != RUNNER_READY && r->phase != RUNNER_DONE) {
		r->result = RUNNER_ABORTED;
		r->env.on_finished = NULL;
		r->env.on_output = NULL;
		finish(r);
	}
	stop_events(r);
	free_event(&r->ev_kick);
	free_event(&r->ev_chld);
	release_lock(r);
	if (r->log_fd != -1)
		close(r->log_fd);
	for (i = 0; i < r->rb->nparams; i++)
		free(r->values[i]);
	free(r->values);
	free(r->secrets);
	for (i = 0; i < r->npasswords; i++) {
		explicit_bzero(r->passwords[i], strlen(r->passwords[i]));
		free(r->passwords[i]);
	}
	free(r->passwords);
	http_cleanup(r);
	for (i = 0; i < r->rb->nsteps; i++) {
		free(r->steps[i].message);
		json_decref(r->metrics[i]);
	}
	free(r->steps);
	free(r->metrics);
	free(r->rbv);
	free(r->wait_status);
	free(r->stale);
	free(r->id);
	free(r->journal);
	free(r->log_path);
	free(r->lock_path);
	buf_free(&r->pend);
	buf_free(&r->line);
	free(r);
}

char *
runner_describe(const struct runner *r)
{
	const struct step *st = runner_current_step(r);
	size_t i = runner_current(r, NULL);
	struct buf b;
	char *text;

	if (st == NULL)
		return xstrdup("");
	buf_init(&b);
	if (r->in_rollback)
		buf_printf(&b, "Rollback for step %zu/%zu (%s): %s\n", i + 1,
		    r->rb->nsteps, r->rb->steps[i]->name, st->name);
	else
		buf_printf(&b, "Step %zu/%zu: %s (%s)\n", i + 1, r->rb->nsteps,
		    st->name, runbook_kind_name(st->kind));
	if (st->kind == STEP_RUN)
		buf_printf(&b, "  runs with /bin/sh on this host%s\n",
		    st->interactive ? ", with the terminal" : "");
	else if (st->kind == STEP_SQL)
		buf_adds(&b, "  runs with psql on this host\n");
	else if (st->kind == STEP_REDIS)
		buf_adds(&b, "  runs with redis-cli on this host\n");
	else if (st->kind == STEP_HTTP)
		buf_adds(&b, "  runs with curl on this host\n");
	text = runbook_step_text(r->rb, r->values, st, "  ");
	buf_adds(&b, text);
	free(text);
	return buf_detach(&b);
}

char *
runner_summary(const struct runner *r)
{
	struct buf b;
	char dur[32], *m;
	size_t i;

	buf_init(&b);
	buf_printf(&b, "Run %s of %s: %s\n", r->id != NULL ? r->id : "-",
	    r->rb->name, runner_result_name(r->result));
	for (i = 0; i < r->rb->nsteps; i++) {
		const struct runner_step *s = &r->steps[i];

		util_format_duration(s->duration_ms / 1000, dur, sizeof dur);
		buf_printf(&b, "  %2zu. %-24s %-11s", i + 1,
		    r->rb->steps[i]->name, runner_step_state_name(s->state));
		if (s->state != RSTEP_PENDING && s->state != RSTEP_SKIPPED)
			buf_printf(&b, " %6s", dur);
		if (s->message != NULL)
			buf_printf(&b, "  (%s)", s->message);
		buf_addc(&b, '\n');
		if ((m = runner_step_metrics(r, i)) != NULL) {
			buf_printf(&b, "      metrics %s\n", m);
			free(m);
		}
	}
	if (r->log_path != NULL)
		buf_printf(&b, "Log: %s\n", r->log_path);
	return buf_detach(&b);
}

/* Journal reading: recovery and history. */

static const char *
jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static char *
jdup(json_t *o, const char *key)
{
	const char *s = jstr(o, key);

	return s != NULL ? xstrdup(s) : NULL;
}

static time_t
jtime(json_t *o, const char *key)
{
	const char *s = jstr(o, key);
	time_t t;

	if (s == NULL || util_parse_iso8601(s, NULL, &t) != 0)
		return 0;
	return t;
}

struct history_ctx {
	const char		*filter;
	struct runner_run	*v;
	size_t			 n;
	struct runner_orphan	*o;
	size_t			 no;
	int			 orphans;
};

static void
orphan_clear(struct runner_orphan *o)
{
	free(o->id);
	free(o->runbook);
	free(o->user);
	free(o->step_name);
	free(o->log);
}

static void
history_line(const char *line, void *arg)
{
	struct history_ctx *h = arg;
	json_t *o, *ov, *x;
	json_error_t jerr;
	const char *type, *id, *rb;
	struct runner_run *r;
	struct runner_orphan *p;
	struct buf b;
	size_t i, k;

	o = json_loads(line, 0, &jerr);
	if (o == NULL || !json_is_object(o))
		goto out;
	type = jstr(o, "type");
	id = jstr(o, "run");
	rb = jstr(o, "runbook");
	if (type == NULL || id == NULL || rb == NULL)
		goto out;
	if (h->filter != NULL && strcmp(h->filter, rb) != 0)
		goto out;
	if (h->orphans) {
		for (i = 0; i < h->no; i++)
			if (strcmp(h->o[i].id, id) == 0)
				break;
		if (strcmp(type, "run_start") == 0 && i == h->no) {
			h->o = xreallocarray(h->o, h->no + 1, sizeof *h->o);
			p = &h->o[h->no++];
			memset(p, 0, sizeof *p);
			p->id = xstrdup(id);
			p->runbook = xstrdup(rb);
			p->user = jdup(o, "user");
			p->start = jtime(o, "start");
			p->log = jdup(o, "log");
			p->step = -1;
		} else if (strcmp(type, "step_start") == 0 && i < h->no) {
			p = &h->o[i];
			x = json_object_get(o, "step");
			p->step = json_is_integer(x) ?
			    (int)json_integer_value(x) : -1;
			free(p->step_name);
			p->step_name = jdup(o, "name");
			x = json_object_get(o, "pid");
			p->pid = json_is_integer(x) ?
			    (pid_t)json_integer_value(x) : 0;
		} else if (strcmp(type, "step_end") == 0 && i < h->no)
			h->o[i].pid = 0;
		else if (strcmp(type, "run_end") == 0 && i < h->no) {
			orphan_clear(&h->o[i]);
			memmove(&h->o[i], &h->o[i + 1],
			    (h->no - i - 1) * sizeof *h->o);
			h->no--;
		}
		goto out;
	}
	if (strcmp(type, "run_start") == 0) {
		h->v = xreallocarray(h->v, h->n + 1, sizeof *h->v);
		r = &h->v[h->n++];
		memset(r, 0, sizeof *r);
		r->id = xstrdup(id);
		r->runbook = xstrdup(rb);
		r->user = jdup(o, "user");
		r->ssh_client = jdup(o, "ssh_client");
		r->tty = jdup(o, "tty");
		r->start = jtime(o, "start");
		r->log = jdup(o, "log");
		r->result = xstrdup("unfinished");
		ov = json_object_get(o, "overrides");
		if (json_is_array(ov) && json_array_size(ov) > 0) {
			buf_init(&b);
			for (k = 0; k < json_array_size(ov); k++) {
				x = json_array_get(ov, k);
				if (!json_is_string(x))
					continue;
				if (b.len > 0)
					buf_addc(&b, ',');
				buf_adds(&b, json_string_value(x));
			}
			r->overrides = buf_detach(&b);
		}
	} else if (strcmp(type, "run_end") == 0) {
		for (i = h->n; i-- > 0; ) {
			if (strcmp(h->v[i].id, id) != 0)
				continue;
			if (jstr(o, "result") != NULL) {
				free(h->v[i].result);
				h->v[i].result = jdup(o, "result");
			}
			h->v[i].end = jtime(o, "end");
			break;
		}
	}
out:
	json_decref(o);
}

void
runner_runs_free(struct runner_run *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].runbook);
		free(v[i].user);
		free(v[i].ssh_client);
		free(v[i].tty);
		free(v[i].result);
		free(v[i].log);
		free(v[i].overrides);
	}
	free(v);
}

int
runner_history(const char *state_dir, const char *runbook,
    struct runner_run **out, size_t *n, char **cause)
{
	struct history_ctx h;
	char *path = runner_journal_path(state_dir);
	int rc;

	memset(&h, 0, sizeof h);
	h.filter = runbook;
	rc = journal_foreach(path, history_line, &h, cause);
	free(path);
	if (rc != 0) {
		runner_runs_free(h.v, h.n);
		return -1;
	}
	*out = h.v;
	*n = h.n;
	return 0;
}

void
runner_orphans_free(struct runner_orphan *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		orphan_clear(&v[i]);
	free(v);
}

/* Whether a run is still going in another maintop: its lock is held and
 * names it. */
static int
run_is_live(const char *state_dir, const struct runner_orphan *o)
{
	char *path = lock_path(state_dir, o->runbook), *text;
	json_t *j;
	json_error_t jerr;
	int fd, live = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	free(path);
	if (fd == -1)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		close(fd);	/* free: nobody runs it */
		return 0;
	}
	text = read_lock(fd);
	close(fd);
	j = json_loads(text, 0, &jerr);
	free(text);
	if (j != NULL && jstr(j, "run") != NULL &&
	    strcmp(jstr(j, "run"), o->id) == 0)
		live = 1;
	json_decref(j);
	return live;
}

int
runner_recover(const char *state_dir, int mark, struct runner_orphan **out,
    size_t *n, char **cause)
{
	struct history_ctx h;
	char *path = runner_journal_path(state_dir), when[32], *err = NULL;
	json_t *o;
	char *s;
	size_t i, k = 0;

	memset(&h, 0, sizeof h);
	h.orphans = 1;
	if (journal_foreach(path, history_line, &h, cause) != 0) {
		runner_orphans_free(h.o, h.no);
		free(path);
		return -1;
	}
	iso(time(NULL), when, sizeof when);
	for (i = 0; i < h.no; i++) {
		if (run_is_live(state_dir, &h.o[i])) {
			orphan_clear(&h.o[i]);
			continue;
		}
		if (h.o[i].pid > 0)
			h.o[i].alive = kill(h.o[i].pid, 0) == 0 ||
			    errno == EPERM;
		if (mark) {
			o = json_object();
			json_object_set_new(o, "type", json_string("run_end"));
			json_object_set_new(o, "run", json_string(h.o[i].id));
			json_object_set_new(o, "runbook",
			    json_string(h.o[i].runbook));
			json_object_set_new(o, "result",
			    json_string("interrupted"));
			json_object_set_new(o, "end", json_string(when));
			json_object_set_new(o, "last_step",
			    json_integer(h.o[i].step));
			if (h.o[i].pid > 0) {
				json_object_set_new(o, "step_pid",
				    json_integer(h.o[i].pid));
				json_object_set_new(o, "step_alive",
				    json_boolean(h.o[i].alive));
			}
			if (h.o[i].log != NULL)
				json_object_set_new(o, "log",
				    json_string(h.o[i].log));
			s = json_dumps(o, JSON_COMPACT);
			json_decref(o);
			if (journal_append(path, s, &err) != 0) {
				free(s);
				*cause = err;
				for (; i < h.no; i++)
					h.o[k++] = h.o[i];
				runner_orphans_free(h.o, k);
				free(path);
				return -1;
			}
			free(s);
		}
		h.o[k++] = h.o[i];
	}
	free(path);
	*out = h.o;
	*n = k;
	return 0;
}
