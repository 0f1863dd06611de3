/* The dashboard: sets up the terminal, joins it to the one event loop and
 * dispatches keys, signals and ticks; layout.c draws the frame. */
#include "ui.h"

#include <errno.h>
#include <event2/event.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"
#include "health.h"
#include "help.h"
#include "journal.h"
#include "keys.h"
#include "layout.h"
#include "mouse.h"
#include "store.h"
#include "store_async.h"
#include "term.h"
#include "theme.h"
#include "util.h"
#include "worker.h"

static const struct view_ops *const views[4] = {
	&view_calendar_ops,
	&view_health_ops,
	&view_debt_ops,
	&view_runbooks_ops,
};

/* The loop's events; one dashboard per process. */
static struct event	*ev_input, *ev_tick, *ev_draw, *ev_wall;
static struct event	*ev_health_draw;
static struct event	*ev_sig[4];
static int		 curses_active;

static void ui_draw(struct ui *);
static void tick_arm(struct ui *);
static void ui_hangup(struct ui *);

/* Restores the terminal; safe to call twice and from the fatal path. */
static void
ui_restore_terminal(void)
{
	if (curses_active) {
		curses_active = 0;
		curs_set(1);
		endwin();
	}
}

void
ui_redraw(struct ui *ui)
{
	event_active(ev_draw, EV_TIMEOUT, 0);
	(void)ui;
}

void
ui_suspend(struct ui *ui)
{
	if (ui->suspended)
		return;
	ui->suspended = 1;
	event_del(ev_input);
	evtimer_del(ev_tick);
	def_prog_mode();
	endwin();
}

void
ui_resume(struct ui *ui)
{
	if (!ui->suspended)
		return;
	ui->suspended = 0;
	reset_prog_mode();
	clearok(curscr, TRUE);
	event_add(ev_input, NULL);
	ui_draw(ui);
	tick_arm(ui);
}

void
ui_notice(struct ui *ui, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ui->message, sizeof ui->message, fmt, ap);
	va_end(ap);
	ui->message_until = time(NULL) + 5;
	ui_redraw(ui);
}

enum request
ui_request(const struct ui *ui, int key)
{
	return keys_request(ui->keys, key);
}

enum request
ui_form_request(const struct ui *ui, int key)
{
	return keys_form_request(ui->keys, key);
}

const char *
ui_key_name(const struct ui *ui, enum request req)
{
	int key = keymap_first(ui->keys, req);

	return key != 0 ? keymap_key_name(key) : "?";
}

/* The team store was reached or lost: the header follows. */
static void
team_changed(unsigned what, void *arg)
{
	(void)what;
	ui_redraw(arg);
}

/* The team store (settings.store) on its own thread, or NULL without one
 * or without a state directory for its spool (runs are then refused). */
static struct store_async *
team_open(struct ui *ui)
{
	struct store_async *team;
	char *dir = NULL, *cause = NULL;

	if (ui->cfg->settings.store == NULL)
		return NULL;
	if (ui->cfg->settings.state_dir != NULL)
		dir = xstrdup(ui->cfg->settings.state_dir);
	else if (config_state_dir(ui->cfg, &dir, &cause) != 0) {
		free(cause);
		return NULL;
	}
	team = store_async_new(ui->base, ui->cfg->settings.store, dir,
	    ui->local_lock != NULL);
	free(dir);
	store_async_subscribe(team, STORE_ASYNC_LINK, team_changed, ui);
	return team;
}


const char *
ui_busy(struct ui *ui)
{
	const char *b;
	int i;

	for (i = 0; i < 4; i++)
		if (views[i]->busy != NULL &&
		    (b = views[i]->busy(ui->state[i])) != NULL)
			return b;
	return NULL;
}

int
ui_draw_hints(const struct ui *ui, WINDOW *win, int y, int x, int width,
    const struct hint *h)
{
	return keys_draw_hints(ui->keys, win, y, x, width, h);
}

static void
ui_draw(struct ui *ui)
{
	if (ui->suspended || ui->hungup)
		return;
	ui->now = cli_now();
	layout_draw(ui);
}

static void
draw_cb(evutil_socket_t fd, short what, void *arg)
{
	ui_draw(arg);
}

/*
 * Follows a new terminal size.  From SIGWINCH (ask set) the size is read and
 * given to curses, which then also queues a KEY_RESIZE; from that key only
 * the layout is redone (calling resizeterm again would queue another).
 */
static void
ui_resize(struct ui *ui, int ask)
{
	struct winsize ws;

	if (ask && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	ui->rows = LINES;
	ui->cols = COLS;
	layout_drop_panes(ui);
	/* After a resize the terminal's contents are unknown. */
	clearok(curscr, TRUE);
	ui_redraw(ui);
}

/* q at the top level: quit, asking first when that would abort a run. */
static void
ui_quit(struct ui *ui)
{
	if (ui_busy(ui) != NULL || ui->wall)
		ui->quit_prompt = 1;
	else
		ui->quit = 1;
}

static void
ui_key(struct ui *ui, int key)
{
	const struct view_ops *v;
	enum request req;
	void *st;

	if (key == KEY_RESIZE) {
		ui_resize(ui, 0);
		return;
	}
	req = ui_request(ui, key);
	if (req == REQ_REDRAW) {
		clearok(curscr, TRUE);
		return;
	}
	if (ui->quit_prompt) {
		if (req == REQ_CONFIRM)
			ui->quit = 1;
		ui->quit_prompt = 0;
		return;
	}
	if (ui->too_small) {
		if (req == REQ_QUIT || req == REQ_QUIT_NOW)
			ui->quit = 1;
		return;
	}
	if (ui->help) {
		help_request(ui, req);
		return;
	}
	v = views[ui->focus];
	st = ui->state[ui->focus];
	if (v->modal != NULL && v->modal(st)) {
		v->key(st, ui, key);
		return;
	}
	switch (req) {
	case REQ_HELP:
		ui->help = 1;
		ui->help_top = help_section_top(ui, v->section);
		return;
	case REQ_QUIT_NOW:
		ui->quit = 1;
		return;
	default:
		break;
	}
	if (ui->wall) {
		/* A wall screen needs no keys; q and help still work so a
		 * person at the screen is not stuck. */
		if (req == REQ_QUIT)
			ui->quit_prompt = 1;
		return;
	}
	ui_do(ui, req);
}

const struct view_ops *
ui_view(int i)
{
	return views[i];
}

void
ui_do(struct ui *ui, enum request req)
{
	const struct view_ops *v = views[ui->focus];
	void *st = ui->state[ui->focus];

	switch (req) {
	case REQ_NEXT_PANE:
		ui->focus = (ui->focus + 1) % 4;
		return;
	case REQ_PREV_PANE:
		ui->focus = (ui->focus + 3) % 4;
		return;
	case REQ_PANE_CALENDAR:
	case REQ_PANE_HEALTH:
	case REQ_PANE_DEBT:
	case REQ_PANE_RUNBOOKS:
		ui->focus = (int)(req - REQ_PANE_CALENDAR);
		return;
	default:
		break;
	}
	if (v->request != NULL && v->request(st, ui, req))
		return;
	switch (req) {
	case REQ_OPEN:
		ui->zoomed = 1;
		break;
	case REQ_ZOOM:
		ui->zoomed = !ui->zoomed;
		break;
	case REQ_BACK:
		ui->zoomed = 0;
		break;
	case REQ_QUIT:
		/* q closes the current view; from the top it quits. */
		if (ui->zoomed)
			ui->zoomed = 0;
		else
			ui_quit(ui);
		break;
	default:
		break;
	}
}

static void
input_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ui *ui = arg;
	static int empty;
	int key, n = 0;

	while ((key = wgetch(stdscr)) != ERR) {
		/* A mouse report's bytes are the mouse's, never keys. */
		if (!mouse_input(ui, key))
			ui_key(ui, key);
		if (ui->quit)
			break;
		if (++n > 256)	/* a paste: draw, then come back */
			break;
	}
	/*
	 * Readable but nothing to read, again and again: the terminal is
	 * gone (end of file) without a SIGHUP.  Treat it as one rather than
	 * spin.
	 */
	empty = n == 0 ? empty + 1 : 0;
	if (empty > 64) {
		ui_hangup(ui);
		return;
	}
	if (ui->quit)
		event_base_loopbreak(ui->base);
	else
		ui_redraw(ui);
}

static void
tick_arm(struct ui *ui)
{
	struct timeval tv;
	struct timespec ts;

	/* Wake just after the next whole second so the clock ticks evenly. */
	clock_gettime(CLOCK_REALTIME, &ts);
	tv.tv_sec = 0;
	tv.tv_usec = (1000000000L - ts.tv_nsec) / 1000 + 1000;
	if (tv.tv_usec >= 1000000) {
		tv.tv_sec = 1;
		tv.tv_usec -= 1000000;
	}
	evtimer_add(ev_tick, &tv);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ui *ui = arg;

	if (ui->hungup && ui_busy(ui) == NULL) {
		ui->quit = 1;
		event_base_loopbreak(ui->base);
		return;
	}
	ui_draw(ui);
	tick_arm(ui);
}

static void
wall_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ui *ui = arg;

	ui->focus = (ui->focus + 1) % 4;
	ui->zoomed = 1;
	ui_redraw(ui);
}

/*
 * For the benchmark (tests/bench): with MAINTOP_BENCH_FIRST_FRAME=FILE, the
 * milliseconds from main() to the first frame on the terminal are written
 * to FILE and the dashboard quits.
 */
static void
first_frame_report(struct ui *ui)
{
	const char *path = getenv("MAINTOP_BENCH_FIRST_FRAME");
	FILE *f;

	if (path == NULL || *path == '\0')
		return;
	f = fopen(path, "w");
	if (f != NULL) {
		fprintf(f, "%lld\n", util_mono_ms() - cli_started_ms);
		fclose(f);
	}
	ui->quit = 1;
	event_base_loopbreak(ui->base);
}

/*
 * A probe finished.  200 checks at 10 s finish 20 times a second: one
 * redraw for all that finished within HEALTH_DRAW_MS, not one each (a key
 * still redraws at once).
 */
#define HEALTH_DRAW_MS	500

static void
health_changed(void *arg)
{
	struct timeval tv = { 0, HEALTH_DRAW_MS * 1000 };

	(void)arg;
	if (!evtimer_pending(ev_health_draw, NULL))
		evtimer_add(ev_health_draw, &tv);
}

static void
health_draw_cb(evutil_socket_t fd, short what, void *arg)
{
	ui_redraw(arg);
}

/*
 * The terminal is gone: tell the views (a running runbook step is left to
 * finish, nothing new starts), stop reading and drawing, and leave once
 * nothing is busy (the tick checks).
 */
static void
ui_hangup(struct ui *ui)
{
	int i;

	if (ui->hungup)
		return;
	ui->hungup = 1;
	event_del(ev_input);
	for (i = 0; i < 4; i++)
		if (views[i]->hangup != NULL)
			views[i]->hangup(ui->state[i]);
	if (ui_busy(ui) == NULL) {
		ui->quit = 1;
		event_base_loopbreak(ui->base);
	}
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct ui *ui = arg;

	switch (sig) {
	case SIGWINCH:
		ui_resize(ui, 1);
		break;
	case SIGHUP:
		ui_hangup(ui);
		break;
	case SIGTERM:
	case SIGINT:
		ui->quit = 1;
		event_base_loopbreak(ui->base);
		break;
	}
}

/* The dashboard's state from the options, before the terminal is
 * touched. */
static void
ui_init(struct ui *ui, const struct ui_opts *opts)
{
	memset(ui, 0, sizeof *ui);
	ui->cfg = opts->cfg;
	ui->keys = opts->cfg->keys;
	ui->wall = opts->wall;
	ui->read_only = opts->read_only || opts->wall ||
	    opts->cfg->settings.read_only;
	ui->local_lock = opts->local_lock;
	ui->zoomed = ui->wall;
	ui->now = cli_now();
}

/*
 * What can be refused before the terminal is touched: an unknown theme
 * (CLI_EXIT_CONFIG) and no terminal (CLI_EXIT_USAGE), said on stderr.
 * Returns -1 to go on.
 */
static int
ui_refuse(const char *theme)
{
	char *cause = NULL;

	if (theme_check(theme, &cause) != 0) {
		fprintf(stderr, "maintop: %s\n", cause);
		free(cause);
		return CLI_EXIT_CONFIG;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "maintop: the dashboard needs a terminal; for "
		    "scripts use 'maintop snapshot' or 'maintop check'\n");
		return CLI_EXIT_USAGE;
	}
	return -1;
}

/*
 * Takes the terminal: the locale, curses in raw mode without echo, and
 * the theme (without colour for NO_COLOR).  Returns 0, or CLI_EXIT_CONFIG
 * with the terminal given back when the theme does not load.
 */
static int
ui_terminal(struct ui *ui, const char *theme)
{
	const char *codeset, *nocolor;
	char *cause = NULL;
	int colour;

	setlocale(LC_ALL, "");
	/* Figures (servers' replies, the configuration, the journal) are
	 * read and written with a decimal point, whatever the user's
	 * locale. */
	setlocale(LC_NUMERIC, "C");
	codeset = nl_langinfo(CODESET);
	draw_init(codeset != NULL && strcmp(codeset, "UTF-8") == 0);
	/* A short ESCDELAY: Esc must feel instant, even over SSH. */
	if (getenv("ESCDELAY") == NULL)
		setenv("ESCDELAY", "25", 1);
	if (initscr() == NULL)
		fatal("cannot initialise the terminal");
	curses_active = 1;
	term_set_screen(ui_restore_terminal);
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	leaveok(stdscr, TRUE);

	nocolor = getenv("NO_COLOR");
	colour = has_colors() && (nocolor == NULL || *nocolor == '\0');
	if (theme_load(theme, colour, &cause) != 0) {
		ui_restore_terminal();
		fprintf(stderr, "maintop: %s\n", cause);
		free(cause);
		return CLI_EXIT_CONFIG;
	}
	ui->rows = LINES;
	ui->cols = COLS;
	return 0;
}

/* The loop's events: the keyboard, the redraws, the tick, the signals
 * and, on a wall, the cycle of the panes. */
static void
ui_events_new(struct ui *ui)
{
	static const int sigs[4] = { SIGWINCH, SIGTERM, SIGINT, SIGHUP };
	int i;

	ev_input = event_new(ui->base, STDIN_FILENO, EV_READ | EV_PERSIST,
	    input_cb, ui);
	ev_draw = event_new(ui->base, -1, 0, draw_cb, ui);
	ev_health_draw = evtimer_new(ui->base, health_draw_cb, ui);
	ev_tick = evtimer_new(ui->base, tick_cb, ui);
	event_add(ev_input, NULL);
	for (i = 0; i < 4; i++) {
		ev_sig[i] = evsignal_new(ui->base, sigs[i], signal_cb, ui);
		evsignal_add(ev_sig[i], NULL);
	}
	signal(SIGPIPE, SIG_IGN);
	ev_wall = NULL;
	if (ui->wall) {
		struct timeval tv = { ui->cfg->settings.wall_cycle, 0 };

		ev_wall = event_new(ui->base, -1, EV_PERSIST, wall_cb, ui);
		event_add(ev_wall, &tv);
	}
}

/* Frees the events but the signals' (ui_close frees those as it goes). */
static void
ui_events_free(void)
{
	event_free(ev_input);
	event_free(ev_draw);
	event_free(ev_health_draw);
	event_free(ev_tick);
	if (ev_wall != NULL)
		event_free(ev_wall);
}

/*
 * After the loop: the terminal given back, then what the views asked of
 * the worker comes back while they exist, then the records of a run ended
 * by leaving are written and its lock goes, before the team store.
 */
static void
ui_close(struct ui *ui)
{
	int i;

	health_stop(ui->health);
	ui_restore_terminal();
	term_set_screen(NULL);
	worker_drain(ui->worker);
	if (ui->team != NULL)	/* the team's reads, on the store's thread */
		worker_drain(store_async_worker(ui->team));
	for (i = 0; i < 4; i++) {
		if (views[i]->free != NULL)
			views[i]->free(ui->state[i]);
		event_free(ev_sig[i]);
	}
	worker_free(ui->worker);
	/* After the views: a run's last records and its lock go first. */
	if (ui->team != NULL)
		store_async_unsubscribe(ui->team, team_changed, ui);
	store_async_free(ui->team);
	layout_drop_panes(ui);
	health_free(ui->health);
	ui_events_free();
	event_base_free(ui->base);
}

int
ui_run(const struct ui_opts *opts)
{
	struct ui ui;
	const char *theme;
	int i, r;

	ui_init(&ui, opts);
	theme = opts->theme != NULL ? opts->theme : opts->cfg->settings.theme;
	if ((r = ui_refuse(theme)) != -1)
		return r;
	ui.base = event_base_new();
	if (ui.base == NULL)
		fatal("cannot create the event loop");
	if ((r = ui_terminal(&ui, theme)) != 0) {
		event_base_free(ui.base);
		return r;
	}
	ui.worker = worker_new(ui.base);
	ui.team = team_open(&ui);
	/* The user's name (it may come from a network name service) once,
	 * now, never while a run starts or a lock is taken. */
	journal_init();
	for (i = 0; i < 4; i++)
		ui.state[i] = views[i]->init != NULL ?
		    views[i]->init(&ui) : NULL;
	ui_events_new(&ui);

	/* The first frame goes out before any probe starts. */
	ui.health = health_new(ui.base, opts->cfg, health_changed, &ui);
	health_read_files_off_loop(ui.health);
	ui_draw(&ui);
	first_frame_report(&ui);
	/* The mouse after the first frame: its mode is no part of it. */
	mouse_start(&ui);
	health_start(ui.health);
	tick_arm(&ui);
	if (!ui.quit)
		event_base_dispatch(ui.base);
	ui_close(&ui);
	return CLI_EXIT_OK;
}
