/* The mouse on the dashboard: a click focuses a pane and selects the row
 * under it, the wheel scrolls, a double click zooms the pane or opens the
 * row (settings.mouse). */
#ifndef MAINTOP_MOUSE_H
#define MAINTOP_MOUSE_H

struct ui;

/*
 * Asks the terminal for mouse events, unless settings.mouse is false, and
 * (either way) has curses return mouse reports' prefixes as keys of their
 * own, so that mouse_input reads every report itself.
 */
void mouse_start(struct ui *);
/*
 * Reads key (what wgetch returned) if it belongs to a mouse report: the
 * prefix starts one, the bytes after it are taken until it is whole, and
 * a whole report acts as its keys would.  Returns 1 when key was taken, 0
 * when it is a key for the caller.  A report that is malformed, cut short
 * (no byte for MOUSE_REPORT_MS), or read while the mouse is off (or in a
 * form, the too-small notice) is dropped whole: none of its bytes acts as
 * a key.  Never waits for input.
 */
int mouse_input(struct ui *, int key);

#endif
