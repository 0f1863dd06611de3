/* The help overlay: the key table's requests by section, with their keys,
 * drawn over the panes and scrolled by the list keys. */
#include "help.h"

#include <stdio.h>
#include <string.h>

#include "theme.h"
#include "ui.h"

/*
 * The help overlay's lines, from the key table: a section heading (req is
 * REQ_NONE, sec its section), then one line per bound request.
 */
struct help_line {
	enum request		req;
	enum keymap_section	sec;
};

static int
help_lines(const struct ui *ui, struct help_line *out, int max)
{
	int s, r, n = 0;

	for (s = 0; s < KS_COUNT; s++) {
		if (n < max)
			out[n] = (struct help_line){ REQ_NONE,
			    (enum keymap_section)s };
		n++;
		for (r = 1; r < REQ_COUNT; r++) {
			if ((int)keymap_requests[r].section != s ||
			    keymap_first(ui->keys, (enum request)r) == 0)
				continue;
			if (n < max)
				out[n] = (struct help_line){ (enum request)r,
				    (enum keymap_section)s };
			n++;
		}
	}
	return n;
}

int
help_section_top(const struct ui *ui, enum keymap_section sec)
{
	struct help_line lines[REQ_COUNT + KS_COUNT];
	int i, n = help_lines(ui, lines, REQ_COUNT + KS_COUNT);

	for (i = 0; i < n; i++)
		if (lines[i].req == REQ_NONE && lines[i].sec == sec)
			return i;
	return 0;
}

void
help_draw(struct ui *ui)
{
	struct help_line lines[REQ_COUNT + KS_COUNT];
	char keys[64];
	int codes[4], nl, w = 80, h, y0, x0, i, y, x;
	size_t k, nk;
	WINDOW *win;

	nl = help_lines(ui, lines, REQ_COUNT + KS_COUNT);
	h = nl + 4;
	if (h > ui->rows - 2)
		h = ui->rows - 2;
	if (w > ui->cols - 4)
		w = ui->cols - 4;
	y0 = (ui->rows - h) / 2;
	x0 = (ui->cols - w) / 2;
	win = newwin(h, w, y0, x0);
	if (win == NULL)
		return;
	wbkgdset(win, (chtype)theme_attr(ROLE_HELP) | ' ');
	werase(win);
	wattrset(win, theme_attr(ROLE_HELP));
	if (draw_is_utf8())
		box_set(win, WACS_VLINE, WACS_HLINE);
	else
		wborder(win, '|', '|', '-', '-', '+', '+', '+', '+');
	draw_text(win, 0, 2, w - 4, ROLE_TITLE_FOCUS, " maintop keys ");
	if (ui->help_top > nl - (h - 3))
		ui->help_top = nl - (h - 3);
	if (ui->help_top < 0)
		ui->help_top = 0;
	for (i = ui->help_top, y = 1; i < nl && y < h - 2; i++, y++) {
		if (lines[i].req == REQ_NONE) {
			x = 2 + draw_text(win, y, 2, w - 4, ROLE_TITLE,
			    keymap_section_names[lines[i].sec]);
			/* The list's marks are no keys: said beside it. */
			if (lines[i].sec == KS_DEBT)
				draw_text(win, y, x + 3, w - x - 5, ROLE_HELP,
				    "marks: ! a check it names is in trouble,"
				    " M in maintenance");
			continue;
		}
		nk = keymap_keys(ui->keys, lines[i].req, codes, 4);
		keys[0] = '\0';
		for (k = 0; k < nk && k < 4; k++)
			snprintf(keys + strlen(keys), sizeof keys -
			    strlen(keys), "%s%s", k > 0 ? " " : "",
			    keymap_key_name(codes[k]));
		draw_text(win, y, 4, 14, ROLE_FOOTER_KEY, keys);
		draw_text(win, y, 19, w - 21, ROLE_HELP,
		    keymap_requests[lines[i].req].help);
	}
	draw_printf(win, h - 2, 2, w - 4, ROLE_DIM, "%s/%s scroll   %s, %s or "
	    "%s close   (read-only and wall modes change nothing)",
	    ui_key_name(ui, REQ_DOWN), ui_key_name(ui, REQ_UP),
	    ui_key_name(ui, REQ_BACK), ui_key_name(ui, REQ_HELP),
	    ui_key_name(ui, REQ_QUIT));
	wnoutrefresh(win);
	delwin(win);
}

void
help_request(struct ui *ui, enum request req)
{
	switch (req) {
	case REQ_DOWN:
		ui->help_top++;
		break;
	case REQ_UP:
		ui->help_top--;
		break;
	case REQ_PAGE_DOWN:
		ui->help_top += ui->rows / 2;
		break;
	case REQ_PAGE_UP:
		ui->help_top -= ui->rows / 2;
		break;
	case REQ_FIRST:
		ui->help_top = 0;
		break;
	case REQ_LAST:
		ui->help_top = REQ_COUNT + KS_COUNT;	/* clamped when drawn */
		break;
	case REQ_BACK:
	case REQ_HELP:
	case REQ_QUIT:
		ui->help = 0;
		break;
	default:
		break;
	}
}
