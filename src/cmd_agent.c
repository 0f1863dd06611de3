/* "maintop agent": the calendar acting, headless, on the one event loop:
 * window notices, starts and ends become events in the outbox, a window's
 * autorun runbooks run unattended at its start, checks changing state are
 * told; SIGHUP reloads, SIGTERM stops. */
#include "build.h"

#include <sys/file.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "agent.h"
#include "agent_doc.h"
#include "agent_hold.h"
#include "agent_state.h"
#include "agent_lead.h"
#include "agent_prep.h"
#include "agent_priv.h"
#include "agent_tell.h"
#include "calendar.h"
#include "check.h"
#include "cli.h"
#include "config.h"
#include "health.h"
#include "journal.h"
#include "maint.h"
#include "notify.h"
#include "outbox.h"
#include "store_outbox.h"
#include "proc.h"
#include "runbook.h"
#include "runner.h"
#include "sanitize.h"
#include "store.h"
#include "util.h"
#include "worker.h"


static const char agent_usage[] =
"usage: maintop agent [-c FILE] [--once] [--now TIME]\n"
"       maintop agent hold WINDOW --reason TEXT  (see agent hold --help)\n"
"\n"
"Runs headless: the health checks, the calendar's notices, window starts\n"
"and ends as events for the notification channels, and each window's\n"
"autorun runbooks at its start, unattended (see maintop.conf(5)).  Logs\n"
"to standard error, one line per event (with syslog priorities under\n"
"systemd).  SIGHUP reloads the configuration (keeping the running one if\n"
"the new one has errors), SIGTERM and SIGINT stop it.  \"agent hold\"\n"
"holds the next start of a window's autorun, with a reason.\n"
"With settings.store, the team's agents take the lead in turn: the one\n"
"holding the store's lock tells the events and runs the autoruns, the\n"
"others follow and take over when its session ends.\n"
"\n"
"  -c, --config FILE   the configuration\n"
"      --once          do what is due now (since the last run, kept in\n"
"                      the state directory), deliver the outbox, wait for\n"
"                      the runs, and exit: for tests and cron (not with\n"
"                      settings.store)\n"
"  -n, --now TIME      with --once: the instant to act at\n"
"  -h, --help          this text\n"
"\n"
"Exit 0, or 1 when another agent holds the state directory, the store\n"
"cannot be reached at start, or a run failed (--once), 3 without a usable\n"
"configuration.\n";

int
agent_leads(const struct agent *a)
{
	return a->lead == NULL || agent_lead_leading(a->lead);
}

void
agent_log(struct agent *a, int prio, const char *fmt, ...)
{
	va_list ap;
	char *s, *clean;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	clean = sanitize_cstr(s, 0);
	if (a->journald)
		fprintf(stderr, "<%d>%s\n", prio, clean);
	else
		fprintf(stderr, "maintop agent: %s\n", clean);
	fflush(stderr);
	free(clean);
	free(s);
}

static void
outbox_log(void *arg, const char *line)
{
	struct agent *a = arg;

	agent_log(a, strstr(line, "attempt failed") != NULL ? 4 : 6, "%s", line);
}

/* Queues an event for channels names[0..n) (agent_tell.h chose them). */
void
agent_send(struct agent *a, char *const *names, size_t n, const char *id,
    const char *ev)
{
	if (n > 0 && agent_leads(a))
		outbox_add(a->outbox, id, ev, names, n);
}

/* --- the state file ------------------------------------------------------- */

struct state_job {
	struct store		*store;		/* the team's, or NULL */
	char			*dir;		/* the state directory */
	char			*failed;	/* outbox/failed */
	struct agent_status	 st;
};

/* Counts the deliveries given up (files in outbox/failed), at most a
 * bound. */
static long long
count_failed(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	long long n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && n < 1000000)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void
state_work(void *arg)
{
	struct state_job *j = arg;
	struct agent_holds h = { NULL, 0 };
	char *data, *cause = NULL;
	size_t i;

	/* Only the next autoruns are marked: no autorun, no holds read. */
	if (j->st.nnext > 0)
		agent_holds_read(j->store, j->dir, &h);
	for (i = 0; i < j->st.nnext; i++)
		j->st.next[i].held = agent_holds_find(&h, j->st.next[i].window,
		    j->st.next[i].start) != NULL;
	agent_holds_free(&h);
	if (j->store != NULL && store_has_outbox(j->store))
		j->st.failed = store_outbox_failed(j->store);
	else
		j->st.failed = count_failed(j->failed);
	data = agent_status_format(&j->st);
	agent_doc_write(j->store, j->dir, AGENT_STATE_DOC, data, &cause);
	free(cause);
	free(data);
}

static void
state_done(void *arg)
{
	struct state_job *j = arg;

	agent_status_free(&j->st);
	free(j->dir);
	free(j->failed);
	free(j);
}

static int
by_start(const void *x, const void *y)
{
	const struct agent_next *a = x, *b = y;

	return a->start < b->start ? -1 : a->start > b->start;
}

/* The next starts of the windows' autoruns, soonest first. */
static void
state_next(struct agent *a, time_t now, struct agent_status *st)
{
	struct agent_next all[64];
	time_t prev, next;
	int has_prev, has_next;
	size_t i, n = 0;

	for (i = 0; i < a->cfg->nwindows && n < 64; i++) {
		if (a->cfg->windows[i]->nautorun == 0)
			continue;
		calendar_window_around(a->cfg->windows[i], now, &has_prev,
		    &prev, &has_next, &next);
		if (!has_next)
			continue;
		all[n].window = a->cfg->windows[i]->name;
		all[n].start = next;
		all[n].held = 0;
		n++;
	}
	qsort(all, n, sizeof *all, by_start);
	for (i = 0; i < n && i < AGENT_STATE_NEXT_MAX; i++) {
		st->next[i] = all[i];
		st->next[i].window = xstrdup(all[i].window);
	}
	st->nnext = i;
}

/*
 * Writes the state on the disk worker: what is done, the heartbeat, the
 * next autoruns (held ones marked, from the holds) and the deliveries
 * waiting and given up, for the next agent and the dashboard.  With a
 * team store only the leader writes it: it is the team's.
 */
static void
state_write(struct agent *a, time_t now)
{
	struct state_job *j;
	char host[256] = "";

	a->written = now;
	if (!agent_leads(a))
		return;
	j = xcalloc(1, sizeof *j);
	gethostname(host, sizeof host - 1);
	j->store = a->store;
	j->dir = xstrdup(a->state_dir);
	j->failed = xasprintf("%s/outbox/failed", a->state_dir);
	j->st.last = a->last;
	j->st.heartbeat = now;
	j->st.pid = (long)getpid();
	j->st.host = xstrdup(host[strspn(host, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_")] == '\0' ? host : "?");
	j->st.waiting = a->outbox != NULL ?
	    (long long)outbox_waiting(a->outbox) : 0;
	state_next(a, now, &j->st);
	worker_run(a->io, state_work, state_done, j);
}

/* The last instant done by an earlier agent (the team's, with a team
 * store), or 0: read once, at start, before the loop runs. */
static time_t
state_read(struct agent *a)
{
	struct agent_status st;
	char *data;
	size_t len;
	time_t last = 0;

	memset(&st, 0, sizeof st);
	data = agent_doc_read(a->store, a->state_dir, AGENT_STATE_DOC,
	    AGENT_STATE_FILE_MAX, &len);
	if (data == NULL)
		return 0;
	if (agent_status_parse(&st, data, len) == 0)
		last = st.last;
	agent_status_free(&st);
	free(data);
	return last;
}

static void	tell_checks(struct agent *, time_t);

/* --- the calendar and the checks ------------------------------------------ */

/* Does what is due in (a->last, now]. */
static void
agent_step(struct agent *a, time_t now)
{
	struct agent_item *items;
	size_t n, i, nn;
	char *id, *ev;
	char *const *names;

	if (a->last == 0 || a->last > now)
		a->last = now - 1;
	n = agent_due(a->cfg, a->last, now, &items);
	for (i = 0; i < n; i++) {
		ev = agent_item_event(&items[i], a->cfg->settings.timezone,
		    &id);
		agent_log(a, 6, "%s %s", agent_item_type(items[i].kind),
		    items[i].w->name);
		names = agent_tell_channels(a->cfg, items[i].w->notify,
		    items[i].w->nnotify, NULL, 0, &nn);
		agent_send(a, names, nn, id, ev);
		free(ev);
		free(id);
		if (items[i].kind == AGENT_START && items[i].w->nautorun > 0)
			agent_run_hold_look(a, items[i].w, items[i].start, now);
	}
	free(items);
	agent_watch_step(a, now);
	a->last = now;
	if (n > 0 || a->state_again || now - a->written >= AGENT_HEARTBEAT) {
		a->state_again = 0;
		state_write(a, now);
	}
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct agent *a = arg;
	struct timeval tv = { 1, 0 };

	agent_step(a, time(NULL));
	tell_checks(a, time(NULL));
	evtimer_add(a->tick, &tv);
}

/*
 * Tells each check's change of state (after the hysteresis) that
 * agent_tell_check lets through: a check in maintenance is held back
 * unless it says notify_in_maintenance.  Called when a result comes and
 * at each tick (a maintenance ending lets a held change through).
 */
static void
tell_checks(struct agent *a, time_t now)
{
	const struct check_status *st;
	char *const *names;
	char *id, *ev;
	size_t i, n;

	if (a->health == NULL)
		return;
	for (i = 0; i < health_count(a->health); i++) {
		st = health_get(a->health, i);
		if (!agent_tell_check(a->cfg, st, now, &a->states[i], &id,
		    &ev))
			continue;
		agent_log(a, st->state == STATE_OK ? 6 : 4, "%s is %s",
		    st->check->name, state_name(st->state));
		names = agent_tell_check_channels(a->cfg, st->check, &n);
		agent_send(a, names, n, id, ev);
		free(ev);
		free(id);
	}
}

static void
on_health(void *arg)
{
	tell_checks(arg, time(NULL));
}

/* --- signals, reload ------------------------------------------------------ */

static void	agent_setup(struct agent *);
static void	agent_teardown(struct agent *);

static void
on_hup(evutil_socket_t fd, short what, void *arg)
{
	struct agent *a = arg;
	struct cfg_errors errs = { 0 };
	struct config *c;
	char *path, *cause = NULL, *line;
	size_t i;

	path = config_find(a->explicit, &cause);
	if (path == NULL) {
		agent_log(a, 3, "reload: %s; keeping the running configuration",
		    cause);
		free(cause);
		return;
	}
	c = config_load(path, &errs);
	for (i = 0; i < errs.n; i++) {
		line = cfg_error_format(&errs.v[i]);
		agent_log(a, errs.v[i].warning ? 4 : 3, "reload: %s", line);
		free(line);
	}
	cfg_errors_free(&errs);
	free(path);
	if (c == NULL) {
		agent_log(a, 3, "reload: the new configuration has errors; keeping "
		    "the running one");
		return;
	}
	if (a->runner != NULL || a->preparing) {
		config_free(c);
		agent_log(a, 4, "reload: a run is going; reload again after it");
		return;
	}
	cli_hide_secrets(c);
	agent_teardown(a);
	config_free(a->cfg);
	a->cfg = c;
	agent_setup(a);
	a->debt_again = 1;	/* the configuration's own items */
	agent_log(a, 6, "reload: configuration reloaded (%zu checks, %zu "
	    "windows, %zu channels)", c->nchecks, c->nwindows, c->nchannels);
}

static void
on_stop(evutil_socket_t fd, short what, void *arg)
{
	struct agent *a = arg;

	agent_log(a, 6, "stopping (signal %d)", (int)fd);
	a->stopping = 1;
	event_base_loopexit(a->base, NULL);
}

/* Everything that depends on the configuration. */
static void
agent_setup(struct agent *a)
{
	size_t i;

	if (a->outbox == NULL) {
		a->outbox = outbox_new(a->base, a->io, a->state_dir,
		    a->cfg->channels, a->cfg->nchannels, outbox_log, a);
		/* The team's outbox: the leading agent delivers it. */
		if (a->store != NULL && store_has_outbox(a->store))
			outbox_set_store(a->outbox, a->store);
	} else
		outbox_set_channels(a->outbox, a->cfg->channels,
		    a->cfg->nchannels);
	a->health = health_new(a->base, a->cfg, on_health, a);
	health_read_files_off_loop(a->health);
	a->states = xreallocarray(NULL, a->cfg->nchecks + 1,
	    sizeof *a->states);
	for (i = 0; i < a->cfg->nchecks; i++)
		a->states[i] = AGENT_TOLD_NONE;
	memset(&a->env, 0, sizeof a->env);
	a->env.base = a->base;
	a->env.state_dir = a->state_dir;
	a->env.read_only = a->cfg->settings.read_only;
	a->env.now = cli_now;
	a->env.config_path = a->cfg->path;
	a->env.unattended = 1;
	a->env.auto_confirm = 1;
	a->env.cfg = a->cfg;
	a->env.worker = a->io;
	a->env.store = a->store;
	a->env.arg = a;
	agent_run_env(a);
}

static void
agent_teardown(struct agent *a)
{
	health_free(a->health);
	a->health = NULL;
	free(a->states);
	a->states = NULL;
}

static void
on_outbox_idle(void *arg)
{
	struct agent *a = arg;

	event_base_loopbreak(a->base);
}

/* --once: stop when no run is going and the outbox is idle. */
static void
on_once_idle(evutil_socket_t fd, short what, void *arg)
{
	struct agent *a = arg;
	struct timeval tv = { 0, 100000 };

	if (a->runner != NULL || a->preparing || a->nqueue > 0 ||
	    a->debt_looking || a->hold_looking > 0) {
		event_base_once(a->base, -1, EV_TIMEOUT, on_once_idle, a, &tv);
		return;
	}
	outbox_when_idle(a->outbox, on_outbox_idle, a);
}

/* Runs the checks once for --once, then does what is due. */
static void
once_checks_done(void *arg)
{
	struct agent *a = arg;

	agent_step(a, cli_now());
	outbox_start(a->outbox);
	on_once_idle(-1, 0, a);
}

/* True when some window runs runbooks (whose requirements need the
 * checks' states). */
static int
agent_autoruns(const struct config *c)
{
	size_t i;

	for (i = 0; i < c->nwindows; i++)
		if (c->windows[i]->nautorun > 0)
			return 1;
	return 0;
}

/* The leadership changed, or the store failed (why: sanitized). */
static void
on_lead(void *arg, int leading, const char *why)
{
	struct agent *a = arg;

	if (why != NULL)
		agent_log(a, 3, "the store: %s", why);
	agent_log(a, leading ? 5 : 4, leading ? "leading the team's agents" :
	    "another agent leads the team's agents");
	if (a->outbox != NULL)
		outbox_set_active(a->outbox, leading);
	agent_watch_lead(a, leading);
}

/* With settings.store: the store and the lead.  0, or -1 after saying
 * why. */
static int
store_start(struct agent *a)
{
	char *cause = NULL;

	if (agent_lead_start(a->base, a->cfg, a->state_dir, a->once,
	    &a->store, &a->lead, on_lead, a, &cause) == 0)
		return 0;
	fprintf(stderr, "maintop agent: %s\n", cause);
	free(cause);
	return -1;
}

/* Only one agent per state directory: a lock held for the agent's life. */
static int
take_lock(struct agent *a, int *fd)
{
	char *path = xasprintf("%s/agent.lock", a->state_dir), buf[64];

	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(path);
	if (*fd < 0 || flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		ssize_t n = *fd >= 0 ? pread(*fd, buf, sizeof buf - 1, 0) : -1;

		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		if (buf[strspn(buf, "0123456789")] != '\0')
			buf[0] = '\0';
		fprintf(stderr, "maintop agent: another agent runs on %s%s%s%s"
		    "\n", a->state_dir, buf[0] != '\0' ? " (pid " : "", buf,
		    buf[0] != '\0' ? ")" : "");
		return -1;
	}
	if (ftruncate(*fd, 0) == 0) {
		snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
		if (pwrite(*fd, buf, strlen(buf), 0) < 0)
			errno = 0;
	}
	return 0;
}

int
cmd_agent(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "once", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct agent a;
	struct timeval tv = { 0, 0 };
	char *cause = NULL;
	int ch, lockfd = -1;

	if (argc > 1 && strcmp(argv[1], "hold") == 0)
		return cmd_agent_hold(argc - 1, argv + 1);
	memset(&a, 0, sizeof a);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			a.explicit = optarg;
			break;
		case 'o':
			a.once = 1;
			break;
		case 'h':
			fputs(agent_usage, stdout);
			return CLI_EXIT_OK;
		default:
			fputs(agent_usage, stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fputs(agent_usage, stderr);
		return CLI_EXIT_USAGE;
	}
	a.journald = getenv("JOURNAL_STREAM") != NULL;
	a.cfg = cli_load_config(a.explicit);
	if (a.cfg == NULL)
		return CLI_EXIT_CONFIG;
	if (config_state_dir(a.cfg, &a.state_dir, &cause) != 0) {
		fprintf(stderr, "maintop agent: %s\n", cause);
		free(cause);
		config_free(a.cfg);
		return CLI_EXIT_CONFIG;
	}
	if (take_lock(&a, &lockfd) != 0) {
		if (lockfd >= 0)
			close(lockfd);
		free(a.state_dir);
		config_free(a.cfg);
		return CLI_EXIT_FAIL;
	}
	journal_set_actor("agent");
	signal(SIGPIPE, SIG_IGN);
	a.base = event_base_new();
	if (a.base == NULL)
		fatal("cannot make an event loop");
	a.io = worker_new(a.base);
	if (store_start(&a) != 0) {
		worker_free(a.io);
		event_base_free(a.base);
		free(a.state_dir);
		config_free(a.cfg);
		close(lockfd);
		return CLI_EXIT_FAIL;
	}
	a.last = state_read(&a);
	a.debt_again = 1;
	agent_setup(&a);
	a.ev_hup = evsignal_new(a.base, SIGHUP, on_hup, &a);
	a.ev_term = evsignal_new(a.base, SIGTERM, on_stop, &a);
	a.ev_int = evsignal_new(a.base, SIGINT, on_stop, &a);
	a.tick = evtimer_new(a.base, on_tick, &a);
	if (a.ev_hup == NULL || a.ev_term == NULL || a.ev_int == NULL ||
	    a.tick == NULL)
		fatal("cannot watch signals");
	evsignal_add(a.ev_hup, NULL);
	evsignal_add(a.ev_term, NULL);
	evsignal_add(a.ev_int, NULL);
	agent_log(&a, 6, "started on %s: %zu checks, %zu windows, %zu channels%s",
	    a.state_dir, a.cfg->nchecks, a.cfg->nwindows, a.cfg->nchannels,
	    a.once ? " (once)" : "");
	if (a.once && agent_autoruns(a.cfg))
		health_run_once(a.health, NULL, once_checks_done, &a);
	else if (a.once)
		once_checks_done(&a);
	else {
		health_start(a.health);
		outbox_start(a.outbox);
		evtimer_add(a.tick, &tv);
	}
	event_base_dispatch(a.base);

	a.stopping = 1;
	if (a.runner != NULL) {
		runner_free(a.runner);	/* recorded as aborted */
		a.runner = NULL;
	}
	state_write(&a, time(NULL));
	agent_watch_free(&a);
	outbox_free(a.outbox);
	agent_teardown(&a);
	worker_free(a.io);
	agent_lead_free(a.lead);
	store_close(a.store);
	event_free(a.ev_hup);
	event_free(a.ev_term);
	event_free(a.ev_int);
	event_free(a.tick);
	proc_shutdown();
	event_base_free(a.base);
	agent_prep_clear(&a.prep);
	free(a.queue);
	free(a.out_tail);
	free(a.failed_tail);
	free(a.state_dir);
	config_free(a.cfg);
	close(lockfd);
	agent_log(&a, 6, "stopped");
	return a.once && a.failed ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
