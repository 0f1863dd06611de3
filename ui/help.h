/* The help overlay: every bound request by section, from the key table. */
#ifndef MAINTOP_HELP_H
#define MAINTOP_HELP_H

#include "keymap.h"

struct ui;

/* The help's first line for a pane's section (the help opens there). */
int help_section_top(const struct ui *, enum keymap_section);
/* Draws the overlay centred over the panes, from line ui->help_top
 * (clamped here), into the next doupdate. */
void help_draw(struct ui *);
/* Acts on a request while the help is up: the list keys scroll it; back,
 * help and quit close it. */
void help_request(struct ui *, enum request);

#endif
