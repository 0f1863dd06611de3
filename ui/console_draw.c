/* Drawing the run console: the dry run, the checklist, the output, what a
 * step does, and the prompt with its keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console_priv.h"
#include "form.h"
#include "runbook.h"
#include "runner.h"
#include "util.h"

/* The prompts' keys, from the key table. */
static const struct hint hints_params[] = {
	{ REQ_FIELD_NEXT, "next" }, { REQ_FIELD_PREV, "previous" },
	{ REQ_SUBMIT, "dry run" }, { REQ_CANCEL, "cancel" }, HINT_END
}, hints_preview[] = {
	{ REQ_CONFIRM, "start" }, { REQ_DOWN, "scroll" },
	{ REQ_BACK, "cancel" }, HINT_END
}, hints_window[] = {
	{ REQ_CONFIRM, "start" },
	{ REQ_OVERRIDE, "start outside its windows (recorded)" },
	{ REQ_DOWN, "scroll" }, { REQ_BACK, "cancel" }, HINT_END
}, hints_health[] = {
	{ REQ_CONFIRM, "try again" },
	{ REQ_OVERRIDE, "start anyway, saying why (recorded)" },
	{ REQ_DOWN, "scroll" }, { REQ_BACK, "cancel" }, HINT_END
}, hints_confirm[] = {
	{ REQ_CONFIRM, "run" }, { REQ_SKIP, "skip" },
	{ REQ_ROLLBACK, "roll back" }, { REQ_ABORT, "abort" },
	{ REQ_DOWN, "scroll" }, { REQ_BACK, "hide" }, HINT_END
}, hints_danger[] = {
	{ REQ_CONFIRM, "run (type the runbook's name)" }, { REQ_SKIP, "skip" },
	{ REQ_ROLLBACK, "roll back" }, { REQ_ABORT, "abort" },
	{ REQ_DOWN, "scroll" }, { REQ_BACK, "hide" }, HINT_END
}, hints_pause[] = {
	{ REQ_CONFIRM, "done (continue)" }, { REQ_SKIP, "skip" },
	{ REQ_ROLLBACK, "roll back" }, { REQ_ABORT, "abort" },
	{ REQ_DOWN, "scroll" }, { REQ_BACK, "hide" }, HINT_END
}, hints_failed[] = {
	{ REQ_CONFIRM, "retry" }, { REQ_SKIP, "skip" },
	{ REQ_ROLLBACK, "roll back" }, { REQ_ABORT, "abort" },
	{ REQ_DOWN, "scroll" }, { REQ_BACK, "hide" }, HINT_END
}, hints_rb_failed[] = {
	{ REQ_CONFIRM, "retry" }, { REQ_SKIP, "skip" }, { REQ_ABORT, "abort" },
	{ REQ_DOWN, "scroll" }, { REQ_BACK, "hide" }, HINT_END
}, hints_abort[] = {
	{ REQ_CONFIRM, "abort" }, HINT_END
}, hints_running[] = {
	{ REQ_INTERRUPT, "interrupt (twice: kill)" }, { REQ_ABORT, "abort" },
	{ REQ_DOWN, "scroll" }, { REQ_BACK, "hide" }, HINT_END
}, hints_done[] = {
	{ REQ_BACK, "close" }, { REQ_DOWN, "scroll" }, HINT_END
};

static void
draw_preview(struct console *con, WINDOW *win, int h, int w)
{
	int y = 1, bottom = h - 1, n, errn = 0;
	char *wrapped;

	draw_text(win, y++, 1, w - 2, ROLE_TITLE, "Dry run: every step as it "
	    "will run (nothing has run yet)");
	if (con->error != NULL) {
		wrapped = draw_wrap(con->error, w - 2);
		errn = draw_count_lines(wrapped);
		if (errn > 4)
			errn = 4;
		bottom -= errn;
		draw_lines(win, bottom, 1, errn, w - 2, ROLE_CRIT, wrapped, 0);
		free(wrapped);
	}
	/* Wrapped, never cut: a long command is read whole. */
	wrapped = draw_wrap(con->preview != NULL ? con->preview : "", w - 2);
	n = draw_count_lines(wrapped);
	if (con->preview_top > n - (bottom - y))
		con->preview_top = n - (bottom - y);
	if (con->preview_top < 0)
		con->preview_top = 0;
	draw_lines(win, y, 1, bottom - y, w - 2, ROLE_TEXT, wrapped,
	    con->preview_top);
	free(wrapped);
	if (con->reason != NULL) {
		y = 1 + draw_text(win, h - 1, 1, w - 2, ROLE_CRIT,
		    "Why start despite the health requirement (recorded): ");
		form_draw_field(con->reason, 0, win, h - 1, y, w - 1 - y);
		return;
	}
	ui_draw_hints(con->o.ui, win, h - 1, 1, w - 2,
	    con->refusal & RUNNER_OVERRIDE_HEALTH ? hints_health :
	    con->rb->require_window ? hints_window : hints_preview);
}

/*
 * The checklist's name column: as wide as the longest step name, never cut
 * while the state and the duration keep their room; at least 26 columns
 * so that short names keep the columns where they always were.
 */
static int
checklist_name_width(const struct runbook *rb, int w)
{
	int nw = 26, k, room = w - 36;
	size_t i;

	for (i = 0; i < rb->nsteps; i++)
		if ((k = draw_width(rb->steps[i]->name)) > nw)
			nw = k;
	if (nw > room)
		nw = room > 26 ? room : 26;
	return nw;
}

static void
draw_checklist(struct console *con, WINDOW *win, int y, int rows, int w)
{
	const struct runner_step *s;
	size_t i, cur, first = 0;
	char dur[32];
	int rb, k, sx;

	/* The state's column; the duration's and the message's follow. */
	sx = 10 + checklist_name_width(con->rb, w);

	cur = runner_current(con->r, &rb);
	if (con->rb->nsteps > (size_t)rows && cur >= (size_t)rows / 2)
		first = cur - (size_t)rows / 2;
	if (first + (size_t)rows > con->rb->nsteps)
		first = con->rb->nsteps > (size_t)rows ? con->rb->nsteps -
		    (size_t)rows : 0;
	for (i = first, k = 0; i < con->rb->nsteps && k < rows; i++, k++) {
		s = runner_step_info(con->r, i);
		if (i == cur && !con->finished)
			draw_text(win, y + k, 1, 1, ROLE_TITLE_FOCUS,
			    draw_glyph(GLYPH_ARROW));
		draw_text(win, y + k, 3, 1, console_step_role(s->state),
		    draw_glyph(GLYPH_BULLET));
		draw_printf(win, y + k, 5, sx - 6, ROLE_TEXT, "%2zu. %s",
		    i + 1, con->rb->steps[i]->name);
		/* The step at the prompt waits for the operator, not for
		 * its turn: say so. */
		if (i == cur && !con->finished && s->state == RSTEP_PENDING &&
		    runner_phase(con->r) == RUNNER_CONFIRM)
			draw_text(win, y + k, sx, 16, ROLE_WARN,
			    "waiting for you");
		else
			draw_text(win, y + k, sx, 16,
			    console_step_role(s->state),
			    runner_step_state_name(s->state));
		dur[0] = '\0';
		if (s->state == RSTEP_RUNNING)
			util_format_duration((util_mono_ms() - con->t0[i]) /
			    1000, dur, sizeof dur);
		else if (s->state != RSTEP_PENDING &&
		    s->state != RSTEP_SKIPPED)
			util_format_duration(s->duration_ms / 1000, dur,
			    sizeof dur);
		draw_text(win, y + k, sx + 17, 8, ROLE_DIM, dur);
		if (s->message != NULL && w > sx + 28)
			draw_text(win, y + k, sx + 26, w - sx - 27, ROLE_DIM,
			    s->message);
		if (i == cur && rb >= 0 && !con->finished && w > sx + 28)
			draw_text(win, y + k, sx + 26, w - sx - 27,
			    ROLE_MAINTENANCE, "rolling back");
	}
}

/* Keeps the output's scroll offset inside what rows lines can show. */
static void
clamp_output(struct console *con, int rows)
{
	int total = (int)con->nlines + (con->partial.len > 0);

	if (con->scroll > total - rows)
		con->scroll = total - rows;
	if (con->scroll < 0)
		con->scroll = 0;
}

static void
draw_output(struct console *con, WINDOW *win, int y, int rows, int w)
{
	int total = (int)con->nlines + (con->partial.len > 0), start, k;

	if (rows < 1)
		return;
	clamp_output(con, rows);
	start = total - rows - con->scroll;
	if (start < 0)
		start = 0;
	for (k = 0; k < rows && start + k < total; k++) {
		int err = 0;
		const char *s = start + k < (int)con->nlines ?
		    console_out_line(con, (size_t)(start + k), &err) :
		    con->partial.s;

		draw_text(win, y + k, 1, w - 2, err ? ROLE_STDERR : ROLE_TEXT,
		    s);
	}
}

/*
 * The step to confirm, wrapped to the width (nothing cut: a command longer
 * than the rows scrolls with the scroll keys, and says so).
 */
static void
draw_describe(struct console *con, WINDOW *win, int y, int rows, int w)
{
	char *wrapped = draw_wrap(con->describe, w - 2);
	int n = draw_count_lines(wrapped);

	if (rows < 1) {
		free(wrapped);
		return;
	}
	if (con->desc_top > n - rows)
		con->desc_top = n - rows;
	if (con->desc_top < 0)
		con->desc_top = 0;
	con->desc_over = n > rows;
	draw_lines(win, y, 1, rows, w - 2, ROLE_TEXT, wrapped, con->desc_top);
	if (n > rows)
		draw_printf(win, y + rows - 1, w - 24, 23, ROLE_TITLE_FOCUS,
		    " lines %d-%d of %d, %s ", con->desc_top + 1,
		    con->desc_top + rows, n, ui_key_name(con->o.ui, REQ_DOWN));
	free(wrapped);
}

/* The prompt's lines for the run stage, drawn from the bottom up. */
static void
draw_prompt(struct console *con, WINDOW *win, int y, int rows, int w)
{
	const struct step *st = runner_current_step(con->r);
	const struct runner_step *s;
	size_t i;
	const char *msg;
	int rb, n = 0, keys = y + rows - 1, x, timedout;
	char dur[32];

	i = runner_current(con->r, &rb);
	s = runner_step_info(con->r, i);
	switch (runner_phase(con->r)) {
	case RUNNER_CONFIRM:
		if (con->msg != NULL) {
			draw_text(win, keys - 1, 1, w - 2, ROLE_CRIT, con->msg);
			n = 1;
		}
		if (con->describe != NULL)
			draw_describe(con, win, y, rows - 1 - n, w);
		if (con->name != NULL) {
			x = 1 + draw_printf(win, keys, 1, w - 2, ROLE_CRIT,
			    "Type the runbook's name (%s) to run this "
			    "dangerous step: ", con->rb->name);
			form_draw_field(con->name, 0, win, keys, x, w - 1 - x >
			    40 ? 40 : w - 1 - x);
		} else if (runner_needs_name(con->r)) {
			x = 1 + draw_text(win, keys, 1, w - 2, ROLE_CRIT,
			    "DANGER: ");
			ui_draw_hints(con->o.ui, win, keys, x, w - 1 - x,
			    hints_danger);
		} else
			ui_draw_hints(con->o.ui, win, keys, 1, w - 2,
			    st != NULL && st->kind == STEP_PAUSE ? hints_pause :
			    hints_confirm);
		break;
	case RUNNER_FAILED:
		timedout = s != NULL && s->state == RSTEP_TIMEDOUT;
		msg = s != NULL && !timedout ? s->message : NULL;
		if (rb >= 0)
			draw_printf(win, y, 1, w - 2, ROLE_CRIT,
			    "Rollback '%s' failed.", st != NULL ? st->name :
			    "?");
		else
			draw_printf(win, y, 1, w - 2, ROLE_CRIT,
			    "Step %zu '%s' %s%s%s.", i + 1, st != NULL ?
			    st->name : "?", timedout ? "timed out" : "failed",
			    msg != NULL ? ": " : "", msg != NULL ? msg : "");
		if (con->msg != NULL)
			draw_text(win, keys - 1, 1, w - 2, ROLE_CRIT, con->msg);
		ui_draw_hints(con->o.ui, win, keys, 1, w - 2, rb >= 0 ?
		    hints_rb_failed : hints_failed);
		break;
	case RUNNER_RUNNING:
		if (con->ask_abort) {
			x = 1 + draw_text(win, keys, 1, w - 2, ROLE_CRIT,
			    "Kill the step and abort the run?  ");
			x += ui_draw_hints(con->o.ui, win, keys, x, w - 1 - x,
			    hints_abort);
			draw_text(win, keys, x, w - 1 - x, ROLE_FOOTER,
			    "any other key: continue");
			break;
		}
		dur[0] = '\0';
		if (rb < 0 && s != NULL && s->state == RSTEP_RUNNING)
			util_format_duration((util_mono_ms() - con->t0[i]) /
			    1000, dur, sizeof dur);
		draw_printf(win, keys - 1, 1, w - 2, ROLE_WARN,
		    "%s %s%s%s", rb >= 0 ? "Rolling back:" : "Running:",
		    st != NULL ? st->name : "", dur[0] != '\0' ? " for " :
		    "", dur);
		ui_draw_hints(con->o.ui, win, keys, 1, w - 2, hints_running);
		break;
	default:
		ui_draw_hints(con->o.ui, win, keys, 1, w - 2, hints_done);
		break;
	}
}

void
console_draw(struct console *con, WINDOW *win, int h, int w)
{
	WINDOW *sub;
	char *sum, title[256];
	int y, list_rows, prompt_rows, out_rows, sl;
	char *wrapped;

	if (con->stage == CON_RUN)
		snprintf(title, sizeof title, "Run console: %s   run %s   %s",
		    con->rb->name, runner_id(con->r), con->finished ?
		    runner_result_name(runner_result(con->r)) : "");
	else
		snprintf(title, sizeof title, "Run console: %s%s%s",
		    con->rb->name, con->rb->description != NULL ? " - " : "",
		    con->rb->description != NULL ? con->rb->description : "");
	draw_text(win, 0, 1, w - 2, ROLE_TITLE_FOCUS, title);
	if (con->stage == CON_PARAMS) {
		if (h > 2 && (sub = derwin(win, h - 1, w, 1, 0)) != NULL) {
			form_draw(con->params, con->o.ui->keys, sub, h - 1,
			    w, hints_params);
			delwin(sub);
		}
		return;
	}
	if (con->stage == CON_PREVIEW) {
		draw_preview(con, win, h, w);
		return;
	}

	y = 1;
	if (con->finished) {
		sum = runner_summary(con->r);
		sl = draw_count_lines(sum);
		list_rows = sl < h / 2 ? sl : h / 2;
		draw_lines(win, y, 1, list_rows, w - 2, ROLE_TEXT, sum, 0);
		free(sum);
		prompt_rows = 1;
	} else {
		list_rows = (int)con->rb->nsteps;
		if (list_rows > h / 3)
			list_rows = h / 3 > 1 ? h / 3 : 1;
		draw_checklist(con, win, y, list_rows, w);
		if (runner_phase(con->r) == RUNNER_CONFIRM) {
			/* What is confirmed is shown whole when it fits,
			 * before the output gets any room. */
			wrapped = draw_wrap(con->describe != NULL ?
			    con->describe : "", w - 2);
			prompt_rows = draw_count_lines(wrapped) + 1 +
			    (con->msg != NULL);
			free(wrapped);
			if (prompt_rows > h - 1 - list_rows - 2)
				prompt_rows = h - 1 - list_rows - 2;
			if (prompt_rows < 2)
				prompt_rows = 2;
		} else if (runner_phase(con->r) == RUNNER_FAILED)
			prompt_rows = 2 + (con->msg != NULL);
		else
			prompt_rows = 2;
	}
	y += list_rows;
	out_rows = h - y - 1 - prompt_rows;
	if (out_rows < 1)
		out_rows = 1;
	draw_hline(win, y, 0, w, ROLE_BORDER);
	clamp_output(con, out_rows);
	if (con->scroll > 0)
		draw_printf(win, y, 2, w - 4, ROLE_TITLE, " Output (%d line%s "
		    "back; G: follow) ", con->scroll, con->scroll == 1 ? "" :
		    "s");
	else
		draw_text(win, y, 2, w - 4, ROLE_TITLE, " Output ");
	y++;
	draw_output(con, win, y, out_rows, w);
	y += out_rows;
	if (y < h)
		draw_prompt(con, win, y, h - y, w);
}
