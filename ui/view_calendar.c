/* The Calendar pane: windows on now, what comes next, conflicts. */
#include <stdlib.h>

#include "calendar.h"
#include "ui.h"

struct calendar_view {
	struct list_state	list;
};

static void *
calendar_init(struct ui *ui)
{
	return xcalloc(1, sizeof(struct calendar_view));
}

static void
calendar_free(void *p)
{
	free(p);
}

static void
calendar_draw(void *p, struct ui *ui, WINDOW *win, int h, int w, int focused,
    int zoomed)
{
	struct calendar_view *v = p;
	const struct config *c = ui->cfg;
	int i, y, n = (int)c->nwindows;

	if (n == 0) {
		draw_text(win, 0, 1, w - 2, ROLE_DIM,
		    "No maintenance windows configured.");
		return;
	}
	list_clamp(&v->list, n, h);
	for (i = v->list.top, y = 0; i < n && y < h; i++, y++) {
		const struct window *chk = c->windows[i];
		enum role r = ROLE_TEXT;

		if (focused && i == v->list.sel) {
			draw_fill(win, y, 0, w, ROLE_SELECTION_FOCUS);
			r = ROLE_SELECTION_FOCUS;
		}
		draw_text(win, y, 1, 1, ROLE_UNKNOWN, draw_glyph(GLYPH_BULLET));
		draw_text(win, y, 3, 20, r, chk->name);
		draw_text(win, y, 24, w - 25, r == ROLE_TEXT ? ROLE_DIM : r,
		    "scheduled");
	}
}

static int
calendar_key(void *p, struct ui *ui, int key)
{
	struct calendar_view *v = p;

	return list_key(&v->list, key, (int)ui->cfg->nwindows, 10);
}

const struct view_ops view_calendar_ops = {
	.name = "Calendar",
	.hints = "j/k select",
	.init = calendar_init,
	.free = calendar_free,
	.draw = calendar_draw,
	.key = calendar_key,
};
