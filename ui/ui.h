/* The dashboard: the event loop's terminal side, the layout of the four
 * panes, and the interface every view implements. */
#ifndef MAINTOP_UI_H
#define MAINTOP_UI_H

#include <curses.h>
#include <time.h>

#include "config.h"
#include "draw.h"
#include "probe.h"
#include "ui_run.h"

struct event_base;
struct health;
struct ui;

/*
 * One view: a pane of the dashboard.  Views draw from the model and never do
 * I/O.  Every member is optional except name and draw.
 */
struct view_ops {
	const char	*name;		/* the pane's title */
	/* Footer hints shown while the pane has focus. */
	const char	*hints;
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
	/* Handles a key while focused; returns 1 when it used the key. */
	int		 (*key)(void *, struct ui *, int key);
	/* True while the view has an input form or overlay open that wants
	 * every key, Esc and q included. */
	int		 (*modal)(void *);
	/* Footer hints for the view's current state, or NULL for hints. */
	const char	*(*hints_now)(void *);
	/* NULL when nothing runs; else what quitting would interrupt ("a
	 * run of vacuum is going"), shown in the quit prompt. */
	const char	*(*busy)(void *);
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
	struct health		*health;	/* the checks' live state */
	struct worker		*worker;	/* slow file work, off the loop */
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
};

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

/* Shows a notice in the footer for a few seconds. */
void ui_notice(struct ui *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * A scrolling selection shared by the list views: j/k, arrows, PgUp/PgDn,
 * g/G, Home/End.  list_key returns 1 when it used the key.
 */
struct list_state {
	int	sel;
	int	top;
};
int list_key(struct list_state *, int key, int count, int page);
/* Keeps sel inside [0, count) and visible in a window of rows lines. */
void list_clamp(struct list_state *, int count, int rows);

#endif
