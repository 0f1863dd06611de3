/* A scrolling selection shared by the list views. */
#include "list.h"

int
list_request(struct list_state *l, enum request req, int count, int page)
{
	if (page < 1)
		page = 1;
	switch (req) {
	case REQ_DOWN:
		l->sel++;
		break;
	case REQ_UP:
		l->sel--;
		break;
	case REQ_PAGE_DOWN:
		l->sel += page;
		break;
	case REQ_PAGE_UP:
		l->sel -= page;
		break;
	case REQ_FIRST:
		l->sel = 0;
		break;
	case REQ_LAST:
		l->sel = count - 1;
		break;
	default:
		return 0;
	}
	if (l->sel >= count)
		l->sel = count - 1;
	if (l->sel < 0)
		l->sel = 0;
	return 1;
}

void
list_clamp(struct list_state *l, int count, int rows)
{
	if (l->sel >= count)
		l->sel = count - 1;
	if (l->sel < 0)
		l->sel = 0;
	if (rows < 1)
		rows = 1;
	if (l->top > l->sel)
		l->top = l->sel;
	if (l->sel >= l->top + rows)
		l->top = l->sel - rows + 1;
	if (l->top > count - rows)
		l->top = count - rows;
	if (l->top < 0)
		l->top = 0;
}
