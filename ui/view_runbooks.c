/* The Runbooks pane: runbooks with their last run; Enter opens the console. */
#include <stdlib.h>

#include "runbook.h"
#include "ui.h"

struct runbooks_view {
	struct list_state	list;
};

static void *
runbooks_init(struct ui *ui)
{
	return xcalloc(1, sizeof(struct runbooks_view));
}

static void
runbooks_free(void *p)
{
	free(p);
}

static void
runbooks_draw(void *p, struct ui *ui, WINDOW *win, int h, int w, int focused,
    int zoomed)
{
	struct runbooks_view *v = p;
	const struct config *c = ui->cfg;
	int i, y, n = (int)c->nrunbooks;

	if (n == 0) {
		draw_text(win, 0, 1, w - 2, ROLE_DIM,
		    "No runbooks configured.");
		return;
	}
	list_clamp(&v->list, n, h);
	for (i = v->list.top, y = 0; i < n && y < h; i++, y++) {
		const struct runbook *chk = c->runbooks[i];
		enum role r = ROLE_TEXT;

		if (focused && i == v->list.sel) {
			draw_fill(win, y, 0, w, ROLE_SELECTION_FOCUS);
			r = ROLE_SELECTION_FOCUS;
		}
		draw_text(win, y, 1, 1, ROLE_UNKNOWN, draw_glyph(GLYPH_BULLET));
		draw_text(win, y, 3, 20, r, chk->name);
		draw_text(win, y, 24, w - 25, r == ROLE_TEXT ? ROLE_DIM : r,
		    "never run");
	}
}

static int
runbooks_key(void *p, struct ui *ui, int key)
{
	struct runbooks_view *v = p;

	return list_key(&v->list, key, (int)ui->cfg->nrunbooks, 10);
}

const struct view_ops view_runbooks_ops = {
	.name = "Runbooks",
	.hints = "j/k select",
	.init = runbooks_init,
	.free = runbooks_free,
	.draw = runbooks_draw,
	.key = runbooks_key,
};
