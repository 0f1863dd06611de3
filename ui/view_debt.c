/* The Debt pane: technical debt ordered by priority score. */
#include <stdlib.h>

#include "debt.h"
#include "ui.h"

struct debt_view {
	struct list_state	list;
};

static void *
debt_view_init(struct ui *ui)
{
	return xcalloc(1, sizeof(struct debt_view));
}

static void
debt_view_free(void *p)
{
	free(p);
}

static void
debt_view_draw(void *p, struct ui *ui, WINDOW *win, int h, int w, int focused,
    int zoomed)
{
	struct debt_view *v = p;
	const struct config *c = ui->cfg;
	int i, y, n = (int)c->ndebt;

	if (n == 0) {
		draw_text(win, 0, 1, w - 2, ROLE_DIM,
		    "No technical debt recorded.");
		return;
	}
	list_clamp(&v->list, n, h);
	for (i = v->list.top, y = 0; i < n && y < h; i++, y++) {
		const struct debt_item *chk = c->debt[i];
		enum role r = ROLE_TEXT;

		if (focused && i == v->list.sel) {
			draw_fill(win, y, 0, w, ROLE_SELECTION_FOCUS);
			r = ROLE_SELECTION_FOCUS;
		}
		draw_text(win, y, 1, 1, ROLE_UNKNOWN, draw_glyph(GLYPH_BULLET));
		draw_text(win, y, 3, 20, r, chk->id);
		draw_text(win, y, 24, w - 25, r == ROLE_TEXT ? ROLE_DIM : r,
		    "open");
	}
}

static int
debt_view_key(void *p, struct ui *ui, int key)
{
	struct debt_view *v = p;

	return list_key(&v->list, key, (int)ui->cfg->ndebt, 10);
}

const struct view_ops view_debt_ops = {
	.name = "Debt",
	.hints = "j/k select",
	.init = debt_view_init,
	.free = debt_view_free,
	.draw = debt_view_draw,
	.key = debt_view_key,
};
