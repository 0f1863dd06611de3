/* The agent in the Calendar pane: its line (whether an agent runs on this
 * state, its next autorun, the deliveries it gave up, read from its state
 * file on the worker), the next notices, and the form that holds the next
 * autorun. */
#ifndef MAINTOP_AGENTLINE_H
#define MAINTOP_AGENTLINE_H

#include <curses.h>

struct agentline;
struct hint;
struct ui;

/* Starts reading state_dir/agent.json every few seconds, on the worker. */
struct agentline *agentline_new(struct ui *);
void agentline_free(struct agentline *);

/* True when the line is worth a row: an agent's file was read, or the
 * configuration has autoruns or channels for an agent to serve. */
int agentline_wanted(struct agentline *, struct ui *);

/*
 * Draws at the bottom of win's first h rows, w columns wide, when the line
 * is wanted: the agent's line, then the next notices to go out (window,
 * when, channels; from the calendar, whether or not an agent runs), at
 * most two and leaving two rows above; asks for a fresh reading of the
 * state file when the last is a few seconds old.  Returns the rows taken.
 */
int agentline_draw(struct agentline *, struct ui *, WINDOW *win, int h,
    int w);

/*
 * Asks why, in a form, to hold the next start of a window's autorun (the
 * soonest of every window that has autoruns); refused in read-only mode.
 * The hold is written on the worker (agent_hold_apply) and a notice says
 * what became of it.  Returns 1 (the request is used).
 */
int agentline_hold(struct agentline *, struct ui *);
/* True while the form is open: it takes every key. */
int agentline_modal(struct agentline *);
int agentline_key(struct agentline *, struct ui *, int key);
/* The footer's hints while the form is open, or NULL. */
const struct hint *agentline_hints(struct agentline *);
void agentline_draw_form(struct agentline *, const struct ui *, WINDOW *win,
    int h, int w);

#endif
