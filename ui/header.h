/* The dashboard's header row. */
#ifndef MAINTOP_HEADER_H
#define MAINTOP_HEADER_H

struct ui;

/*
 * Draws row 0 of stdscr, ui->cols wide, at ui->now: " maintop │ NAME",
 * what is wrong (worst first), the run badge, the wall, read-only and
 * stale-state marks, the maintenance or freeze banner and the clock.  It
 * also applies the maintenance policy to the checks for this frame
 * (maint_apply), so it is called once per frame, before the panes draw.
 */
void header_draw(struct ui *);

#endif
