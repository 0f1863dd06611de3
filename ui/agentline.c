/* The agent's line in the Calendar pane; see agentline.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_state.h"
#include "agentline.h"
#include "calendar.h"
#include "config.h"
#include "fileio.h"
#include "notify.h"
#include "ui.h"
#include "worker.h"

/* The state file is read this often (milliseconds). */
#define AGENTLINE_EVERY_MS	5000

struct agentline {
	char			*path;		/* NULL: no state directory */
	struct agent_status	 st;
	int			 present;	/* a state file was read */
	int			 reading;
	long long		 read_ms;	/* when the last reading began */
	struct ui		*ui;
};

struct agentline_job {
	struct agentline	*al;
	char			*path;
	struct agent_status	 st;
	int			 present;
};

static void
read_work(void *arg)
{
	struct agentline_job *j = arg;
	char *data = NULL, *cause = NULL;
	size_t len = 0;

	if (fileio_read(j->path, AGENT_STATE_FILE_MAX, &data, &len,
	    &cause) != 0) {
		free(cause);
		return;
	}
	j->present = agent_status_parse(&j->st, data, len) == 0;
	free(data);
}

static void
read_done(void *arg)
{
	struct agentline_job *j = arg;
	struct agentline *al = j->al;

	agent_status_free(&al->st);
	al->st = j->st;
	al->present = j->present;
	al->reading = 0;
	free(j->path);
	free(j);
	ui_redraw(al->ui);
}

/* Asks the worker for a fresh reading when the last is old enough. */
static void
agentline_poll(struct agentline *al)
{
	struct agentline_job *j;
	long long now = util_mono_ms();

	if (al->path == NULL || al->reading || (al->read_ms != 0 &&
	    now - al->read_ms < AGENTLINE_EVERY_MS))
		return;
	j = xcalloc(1, sizeof *j);
	j->al = al;
	j->path = xstrdup(al->path);
	al->reading = 1;
	al->read_ms = now;
	worker_run(al->ui->worker, read_work, read_done, j);
}

struct agentline *
agentline_new(struct ui *ui)
{
	struct agentline *al = xcalloc(1, sizeof *al);
	char *dir = NULL, *cause = NULL;

	al->ui = ui;
	/* As the Runbooks pane: a configured directory as it is. */
	if (ui->cfg->settings.state_dir != NULL)
		al->path = agent_status_path(ui->cfg->settings.state_dir);
	else if (config_state_dir(ui->cfg, &dir, &cause) == 0)
		al->path = agent_status_path(dir);
	free(dir);
	free(cause);
	agentline_poll(al);
	return al;
}

void
agentline_free(struct agentline *al)
{
	if (al == NULL)
		return;
	agent_status_free(&al->st);
	free(al->path);
	free(al);
}

int
agentline_wanted(struct agentline *al, struct ui *ui)
{
	size_t i;

	if (al->present || ui->cfg->nchannels > 0)
		return 1;
	for (i = 0; i < ui->cfg->nwindows; i++)
		if (ui->cfg->windows[i]->nautorun > 0)
			return 1;
	return 0;
}

/* "4s", "3m", "2h", "5d": how long ago, to the largest unit. */
static void
ago(time_t secs, char *buf, size_t len)
{
	if (secs < 0)
		secs = 0;
	if (secs < 120)
		snprintf(buf, len, "%llds", (long long)secs);
	else if (secs < 7200)
		snprintf(buf, len, "%lldm", (long long)secs / 60);
	else if (secs < 2 * 86400)
		snprintf(buf, len, "%lldh", (long long)secs / 3600);
	else
		snprintf(buf, len, "%lldd", (long long)secs / 86400);
}

void
agentline_draw(struct agentline *al, struct ui *ui, WINDOW *win, int y,
    int w)
{
	const struct agent_status *st = al->present ? &al->st : NULL;
	enum agent_liveness live = agent_status_liveness(st, ui->now);
	char when[32], age[32];
	struct tm tm;
	int x = 1, end = w - 1;

	agentline_poll(al);
	if (live == AGENT_ALIVE) {
		ago(ui->now - st->heartbeat, age, sizeof age);
		x += draw_printf(win, y, x, end - x, ROLE_OK, "agent %s",
		    draw_glyph(GLYPH_BULLET));
		x += draw_printf(win, y, x, end - x, ROLE_DIM, " %s ago",
		    age);
	} else if (live == AGENT_STALE) {
		ago(ui->now - st->heartbeat, age, sizeof age);
		x += draw_printf(win, y, x, end - x, ROLE_WARN, "agent not "
		    "seen for %s", age);
	} else
		x += draw_text(win, y, x, end - x, ROLE_WARN, "no agent");
	if (st != NULL && st->nnext > 0 && x < end) {
		if (util_localtime(st->next[0].start,
		    ui->cfg->settings.timezone, &tm) != 0 ||
		    strftime(when, sizeof when, "%m-%d %H:%M", &tm) == 0)
			snprintf(when, sizeof when, "?");
		x += draw_printf(win, y, x, end - x, ROLE_TEXT, "  autorun ");
		x += draw_text(win, y, x, end - x, ROLE_TEXT,
		    st->next[0].window);
		x += draw_printf(win, y, x, end - x, ROLE_DIM, " %s", when);
		if (st->next[0].held)
			x += draw_text(win, y, x, end - x, ROLE_WARN, " held");
	}
	if (st != NULL && st->failed > 0 && x < end)
		draw_printf(win, y, x, end - x, ROLE_CRIT, "  %lld failed "
		    "deliver%s", st->failed, st->failed == 1 ? "y" : "ies");
}
