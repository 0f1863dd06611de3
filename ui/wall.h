/* The wall display's status band: what is wrong, the window on now and the
 * time since the last change, in block letters on a wide screen. */
#ifndef MAINTOP_WALL_H
#define MAINTOP_WALL_H

struct ui;

/*
 * Draws the band on stdscr from row y and returns the rows it took: the
 * status in block letters when the screen has 120 columns and 30 rows,
 * and under them the status line, wrapped, naming every check that is not
 * OK by state (crit, unknown, warn), the maintenance window or freeze on
 * now, and how long ago a check last changed state.
 */
int wall_draw(struct ui *, int y);

#endif
