/* The Health pane: one line per check with its state, latency and message. */
#include <stdlib.h>

#include "check.h"
#include "ui.h"

struct health_view {
	struct list_state	list;
};

static void *
health_init(struct ui *ui)
{
	return xcalloc(1, sizeof(struct health_view));
}

static void
health_free(void *p)
{
	free(p);
}

static void
health_draw(void *p, struct ui *ui, WINDOW *win, int h, int w, int focused,
    int zoomed)
{
	struct health_view *v = p;
	const struct config *c = ui->cfg;
	int i, y, n = (int)c->nchecks;

	if (n == 0) {
		draw_text(win, 0, 1, w - 2, ROLE_DIM,
		    "No checks configured (postgres, redis, http).");
		return;
	}
	list_clamp(&v->list, n, h);
	for (i = v->list.top, y = 0; i < n && y < h; i++, y++) {
		const struct check *chk = c->checks[i];
		enum role r = ROLE_TEXT;

		if (focused && i == v->list.sel) {
			draw_fill(win, y, 0, w, ROLE_SELECTION_FOCUS);
			r = ROLE_SELECTION_FOCUS;
		}
		draw_text(win, y, 1, 1, ROLE_UNKNOWN, draw_glyph(GLYPH_BULLET));
		draw_text(win, y, 3, 20, r, chk->name);
		draw_text(win, y, 24, w - 25, r == ROLE_TEXT ? ROLE_DIM : r,
		    "unknown: not probed yet");
	}
}

static int
health_key(void *p, struct ui *ui, int key)
{
	struct health_view *v = p;

	return list_key(&v->list, key, (int)ui->cfg->nchecks, 10);
}

const struct view_ops view_health_ops = {
	.name = "Health",
	.hints = "j/k select",
	.init = health_init,
	.free = health_free,
	.draw = health_draw,
	.key = health_key,
};
