/* The agent's line in the Calendar pane: whether an agent runs on this
 * state (its heartbeat), its next autoruns and the deliveries it gave up,
 * read from its state file on the worker. */
#ifndef MAINTOP_AGENTLINE_H
#define MAINTOP_AGENTLINE_H

#include <curses.h>

struct agentline;
struct ui;

/* Starts reading state_dir/agent.json every few seconds, on the worker. */
struct agentline *agentline_new(struct ui *);
void agentline_free(struct agentline *);

/* True when the line is worth a row: an agent's file was read, or the
 * configuration has autoruns or channels for an agent to serve. */
int agentline_wanted(struct agentline *, struct ui *);

/* Draws the line at row y of win, w columns wide (and asks for a fresh
 * reading when the last is a few seconds old). */
void agentline_draw(struct agentline *, struct ui *, WINDOW *win, int y,
    int w);

#endif
