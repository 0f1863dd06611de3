/* The dashboard: the event loop's terminal side, the layout of the four
 * panes, and the interface every view implements. */
#ifndef MAINTOP_UI_H
#define MAINTOP_UI_H

#include <curses.h>
#include <time.h>

#include "config.h"
#include "draw.h"
#include "keymap.h"
#include "list.h"
#include "probe.h"
#include "ui_run.h"

struct event_base;
struct health;
struct ui;

/* One footer hint: a request (drawn with its first key) and a word. */
struct hint {
	enum request	 req;
	const char	*label;
};
#define HINT_END	{ REQ_NONE, NULL }

/*
 * One view: a pane of the dashboard.  Views draw from the model and never do
 * I/O.  Every member is optional except name and draw.
 */
struct view_ops {
	const char	*name;		/* the pane's title */
	/* The help section that the help opens at while the pane has focus. */
	enum keymap_section section;
	/* Footer hints for the view's state (ended by HINT_END), or NULL. */
	const struct hint *(*hints)(void *, struct ui *);
	/* Allocates the view's private state; called once at start. */
	void		*(*init)(struct ui *);
	/* Frees what init allocated. */
	void		 (*free)(void *);
	/*
	 * Draws into win, whose size is h rows by w columns (already erased).
	 * focused: the pane has the keyboard; zoomed: it fills the screen.
	 */
	void		 (*draw)(void *, struct ui *, WINDOW *win, int h, int w,
			     int focused, int zoomed);
	/*
	 * Handles a request (the key table's meaning of a key) while focused;
	 * returns 1 when it used it.  What the view leaves, the frame does
	 * (Enter zooms, Esc and q unzoom).
	 */
	int		 (*request)(void *, struct ui *, enum request);
	/*
	 * A mouse click at row y, column x of the pane's body (under its
	 * title): selects what is drawn there and returns 1, or returns 0
	 * when nothing selectable is (the frame has focused the pane
	 * already).  Called while the pane is not modal, after a frame drew
	 * it, so the view may use what it drew last.
	 */
	int		 (*click)(void *, struct ui *, int y, int x);
	/* Requests (down or up) a notch of the mouse wheel makes; 0: 3. */
	int		 wheel;
	/*
	 * A notch of the wheel over the pane while it is modal (req REQ_UP or
	 * REQ_DOWN): scrolls as that key would and returns 1, or returns 0
	 * where the key would not scroll.  NULL: the wheel does nothing while
	 * the view is modal.
	 */
	int		 (*modal_wheel)(void *, struct ui *, enum request req);
	/* True while the view has an input form or overlay open that wants
	 * every key, Esc and q included: then key gets the keys themselves
	 * (ui_request tells what one means, ui_form_request in a form). */
	int		 (*modal)(void *);
	/* Handles a key while modal; returns 1 when it used the key. */
	int		 (*key)(void *, struct ui *, int key);
	/* NULL when nothing runs; else what quitting would interrupt ("a
	 * run of vacuum is going"), shown in the quit prompt. */
	const char	*(*busy)(void *);
	/* NULL, or a badge for the header ("RUN vacuum 2/4 waits for
	 * you"). */
	const char	*(*badge)(void *);
	/* The terminal hung up (SIGHUP): let running work finish on its own
	 * and start nothing new.  The loop goes on, without drawing, until
	 * busy returns NULL. */
	void		 (*hangup)(void *);
};

extern const struct view_ops view_calendar_ops;
extern const struct view_ops view_health_ops;
extern const struct view_ops view_debt_ops;
extern const struct view_ops view_runbooks_ops;

/* What views may read (and, through the functions below, change). */
struct ui {
	struct event_base	*base;
	struct config		*cfg;
	const struct keymap	*keys;		/* cfg->keys */
	struct health		*health;	/* the checks' live state */
	struct worker		*worker;	/* slow file work, off the loop */
	struct store_async	*team;		/* settings.store, or NULL */
	const char		*local_lock;	/* --local-lock WHY, or NULL */
	int			 read_only;
	int			 wall;
	time_t			 now;		/* this frame's clock */
	int			 rows, cols;
	int			 focus;		/* pane index 0..3 */
	int			 zoomed;
	int			 help;		/* help overlay shown */
	int			 help_top;	/* its scroll offset */
	int			 quit_prompt;	/* "really quit?" shown */
	int			 too_small;
	int			 quit;		/* leave the loop */
	char			 message[256];	/* a one-line notice */
	time_t			 message_until;
	void			*state[4];	/* each view's private state */
	WINDOW			*panes[4];
	int			 wall_next;	/* seconds to the next cycle */
	int			 suspended;	/* a child has the terminal */
	int			 hungup;	/* SIGHUP: no terminal any more */
	/* Where each pane was drawn in the last frame (h 0: not drawn),
	 * its title row included: the mouse finds panes by these. */
	struct {
		int		 y, x, h, w;
	}			 at[4];
};

/* Rows the Health pane needs for every check that is not OK (with its
 * title and header): the layout gives it these before any pane grows. */
int view_health_rows_needed(struct ui *);

/* The role that draws a health state. */
enum role view_state_role(enum state);

/* Asks for a redraw on the next turn of the loop (cheap to call often). */
void ui_redraw(struct ui *);
/*
 * Lets a child have the terminal (an interactive runbook step): stops
 * reading keys and drawing and leaves curses mode; ui_resume takes the
 * terminal back and redraws everything.
 */
void ui_suspend(struct ui *);
void ui_resume(struct ui *);

/* The view drawing pane i (0..3). */
const struct view_ops *ui_view(int i);
/*
 * Acts on a request at the top level, as its key would when no form,
 * help or question is open: the focused view first, then the frame
 * (open zooms, back unzooms).  The views refuse what read-only mode
 * forbids; what the wall allows is the caller's to decide.
 */
void ui_do(struct ui *, enum request);

/* The request a key (as curses reads it) means, or REQ_NONE. */
enum request ui_request(const struct ui *, int key);
/* The form request (KS_FORM) a key means in a form, or REQ_NONE. */
enum request ui_form_request(const struct ui *, int key);
/* The name of the first key bound to req ("?" when none is). */
const char *ui_key_name(const struct ui *, enum request);

/*
 * Draws hints as "KEY label  KEY label" at (y, x) within width columns, each
 * key the first bound to its request.  Returns the columns used.
 */
int ui_draw_hints(const struct ui *, WINDOW *, int y, int x, int width,
    const struct hint *);

/* What quitting would interrupt ("a run of vacuum is going"), or NULL
 * when nothing would be. */
const char *ui_busy(struct ui *);

/* Shows a notice in the footer for a few seconds. */
void ui_notice(struct ui *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

#endif
