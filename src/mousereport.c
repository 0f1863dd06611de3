/* Mouse reports in the terminal's input, read byte by byte after their
 * prefix: a malformed, cut or hostile report is dropped whole, never
 * handed on as keys, and reading one never waits for a byte. */
#include "mousereport.h"

#include <string.h>

/* Digits a parameter may have (xterm's cells fit in four). */
#define MOUSEREPORT_DIGITS	4

void
mousereport_start(struct mousereport *m, enum mousereport_form form)
{
	memset(m, 0, sizeof *m);
	m->form = form;
}

/* The event of button byte b (its value, without the 32 of X10). */
static void
decode(int b, int press, int x, int y, struct mousereport_event *ev)
{
	ev->press = press;
	ev->x = x - 1;
	ev->y = y - 1;
	if (b & (32 | 128))		/* motion, buttons 8 to 11 */
		ev->button = MOUSEREPORT_OTHER;
	else if (b & 64)
		ev->button = (b & 3) == 0 ? MOUSEREPORT_WHEEL_UP :
		    (b & 3) == 1 ? MOUSEREPORT_WHEEL_DOWN : MOUSEREPORT_OTHER;
	else
		ev->button = (b & 3) == 0 ? MOUSEREPORT_LEFT :
		    (b & 3) == 1 ? MOUSEREPORT_MIDDLE :
		    (b & 3) == 2 ? MOUSEREPORT_RIGHT : MOUSEREPORT_OTHER;
}

/* X10: three bytes, each a value plus 32 (button, column, row). */
static enum mousereport_status
feed_x10(struct mousereport *m, int c, struct mousereport_event *ev)
{
	if (c < 32 || c > 255 || m->n >= 3)
		return MOUSEREPORT_STRAY;
	m->param[m->n++] = c - 32;
	if (m->n < 3)
		return MOUSEREPORT_MORE;
	/* Coordinates start at 1; 0 is no cell. */
	if (m->param[1] < 1 || m->param[2] < 1)
		return MOUSEREPORT_BAD;
	decode(m->param[0], (m->param[0] & 3) != 3 || (m->param[0] & 64),
	    m->param[1], m->param[2], ev);
	return MOUSEREPORT_DONE;
}

/*
 * SGR: parameters (digits and ';') up to a final byte.  Whatever is not
 * one valid report still runs to its final byte, as any control sequence
 * does, and is dropped there.  A control byte (ESC starting the next
 * sequence, say) is no part of it.
 */
static enum mousereport_status
feed_sgr(struct mousereport *m, int c, struct mousereport_event *ev)
{
	int *p;

	if (c < 0x20 || c > 0x7e)
		return MOUSEREPORT_STRAY;
	if (m->n < (1 << 20))
		m->n++;
	if (c >= '0' && c <= '9') {
		if (m->nparam == 0)
			m->nparam = 1;
		if (m->bad || ++m->digits > MOUSEREPORT_DIGITS) {
			m->bad = 1;
			return MOUSEREPORT_MORE;
		}
		p = &m->param[m->nparam - 1];
		*p = *p * 10 + (c - '0');
		return MOUSEREPORT_MORE;
	}
	if (c == ';') {
		/* Each parameter needs a digit; a fourth is too many. */
		if (m->digits == 0 || m->nparam >= 3)
			m->bad = 1;
		else
			m->nparam++;
		m->digits = 0;
		return MOUSEREPORT_MORE;
	}
	if (c < 0x40) {		/* ':', '<', '?', intermediates */
		m->bad = 1;
		return MOUSEREPORT_MORE;
	}
	/* The final byte: the report ends here, one way or the other. */
	if ((c != 'M' && c != 'm') || m->bad || m->digits == 0 ||
	    m->nparam != 3 || m->param[1] < 1 || m->param[2] < 1)
		return MOUSEREPORT_BAD;
	decode(m->param[0], c == 'M', m->param[1], m->param[2], ev);
	return MOUSEREPORT_DONE;
}

enum mousereport_status
mousereport_feed(struct mousereport *m, int c, struct mousereport_event *ev)
{
	if (m->form == MOUSEREPORT_X10)
		return feed_x10(m, c, ev);
	return feed_sgr(m, c, ev);
}
