/* The dashboard's frame: where the panes go at each terminal size. */
#ifndef MAINTOP_LAYOUT_H
#define MAINTOP_LAYOUT_H

struct ui;

/*
 * Draws the whole screen for ui->now and puts it on the terminal
 * (doupdate): the header, the wall's band, the footer and the panes laid
 * out for ui->rows by ui->cols, or below 80x24 the header and a notice
 * (ui->too_small is set then and no pane is drawn).  Records where each
 * pane went in ui->at, for the mouse.
 */
void layout_draw(struct ui *);
/* Frees the panes' windows; the next frame makes them anew (after a
 * resize, and when the dashboard closes). */
void layout_drop_panes(struct ui *);

#endif
