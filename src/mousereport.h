/* Mouse reports in the terminal's input (xterm's SGR and X10 forms), read
 * byte by byte after their prefix, whole or not at all. */
#ifndef MOUSEREPORT_H
#define MOUSEREPORT_H

/* The report's form, told by its prefix. */
enum mousereport_form {
	MOUSEREPORT_SGR,	/* ESC [ < b ; x ; y M (press) or m (release) */
	MOUSEREPORT_X10		/* ESC [ M then three bytes, each value + 32 */
};

/* What a byte did to the report being read. */
enum mousereport_status {
	MOUSEREPORT_MORE,	/* taken; the report goes on */
	MOUSEREPORT_DONE,	/* taken; the report is whole and valid */
	MOUSEREPORT_BAD,	/* taken; the report ended malformed: drop it */
	MOUSEREPORT_STRAY	/* not taken: no report holds this byte (a
				   control, ESC, a key code); the report so
				   far is dropped and the byte is a key */
};

/* A button of a whole report. */
enum mousereport_button {
	MOUSEREPORT_LEFT,
	MOUSEREPORT_MIDDLE,
	MOUSEREPORT_RIGHT,
	MOUSEREPORT_WHEEL_UP,
	MOUSEREPORT_WHEEL_DOWN,
	MOUSEREPORT_OTHER	/* a release without its button (X10), a
				   motion, further buttons */
};

struct mousereport_event {
	enum mousereport_button	button;
	int			press;	/* 1 pressed, 0 released */
	int			x, y;	/* the cell, 0-based */
};

/* A report being read; its state is this struct's alone (no allocation). */
struct mousereport {
	enum mousereport_form	form;
	int			n;		/* bytes taken, saturated */
	int			nparam;		/* SGR: parameters begun */
	int			digits;		/* SGR: the last one's digits */
	int			bad;		/* SGR: malformed so far */
	int			param[3];	/* SGR: values; X10: bytes */
};

/* Starts reading a report of form, its prefix just read. */
void mousereport_start(struct mousereport *, enum mousereport_form);

/*
 * Feeds the next input byte c (what wgetch returned: a byte, or a key code
 * above 255, which no report holds).  On MOUSEREPORT_DONE *ev is the
 * report's event; a report is read whole or dropped whole, however long
 * or malformed: an SGR report ends at its final byte (0x40 to 0x7e), as
 * ECMA-48 ends a control sequence, and is valid only as three parameters
 * of at most four digits, x and y at least 1, ended by M or m.
 */
enum mousereport_status mousereport_feed(struct mousereport *, int c,
    struct mousereport_event *ev);

#endif
