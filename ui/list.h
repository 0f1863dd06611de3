/* A scrolling selection shared by the list views. */
#ifndef MAINTOP_LIST_H
#define MAINTOP_LIST_H

#include "keymap.h"

/*
 * A list's selected row and the first row shown.  list_request moves the
 * selection for a list request (down, up, a page, first, last) within count
 * rows and returns 1, or returns 0 for another request.
 */
struct list_state {
	int	sel;
	int	top;
};
int list_request(struct list_state *, enum request, int count, int page);
/* Keeps sel inside [0, count) and visible in a window of rows lines. */
void list_clamp(struct list_state *, int count, int rows);

#endif
