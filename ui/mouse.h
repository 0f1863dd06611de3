/* The mouse on the dashboard: a click focuses a pane and selects the row
 * under it, the wheel scrolls, a double click zooms the pane or opens the
 * row (settings.mouse). */
#ifndef MAINTOP_MOUSE_H
#define MAINTOP_MOUSE_H

struct ui;

/* Asks the terminal for mouse events, unless settings.mouse is false. */
void mouse_start(struct ui *);
/*
 * Acts on the mouse event behind a KEY_MOUSE that wgetch returned.  With
 * the mouse off (or in a form, the run console, the too-small notice) it
 * is read and dropped.
 */
void mouse_key(struct ui *);

#endif
