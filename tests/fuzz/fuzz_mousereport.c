/* Fuzz target for the mouse report reader: any bytes, read as reports one
 * after another, give only events on real cells, end an SGR report at
 * every final byte, and take no control byte into one. */
#include <stdint.h>
#include <stdlib.h>

#include "mousereport.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mousereport m;
	struct mousereport_event ev;
	enum mousereport_status st;
	enum mousereport_form form;
	size_t i;
	int c, len = 0;

	if (size < 1)
		return 0;
	form = (data[0] & 1) ? MOUSEREPORT_X10 : MOUSEREPORT_SGR;
	mousereport_start(&m, form);
	for (i = 1; i < size; i++) {
		c = data[i];
		/* A key code now and then: never part of a report. */
		if (c == 0xff && i + 1 < size && (data[i + 1] & 0x80))
			c = 0x100 + data[++i];
		st = mousereport_feed(&m, c, &ev);
		len++;
		switch (st) {
		case MOUSEREPORT_MORE:
			if (form == MOUSEREPORT_SGR && c >= 0x40 && c <= 0x7e)
				abort();	/* a final byte ends it */
			if (form == MOUSEREPORT_X10 && len >= 3)
				abort();	/* three bytes make one */
			break;
		case MOUSEREPORT_DONE:
			if (ev.x < 0 || ev.y < 0 || ev.x > 9998 ||
			    ev.y > 9998 || ev.button < MOUSEREPORT_LEFT ||
			    ev.button > MOUSEREPORT_OTHER)
				abort();
			if (form == MOUSEREPORT_SGR && c != 'M' && c != 'm')
				abort();
			/* FALLTHROUGH */
		case MOUSEREPORT_BAD:
			if (c < 0x20 || c > 0xff)
				abort();	/* a control is never taken */
			mousereport_start(&m, form);
			len = 0;
			break;
		case MOUSEREPORT_STRAY:
			if (form == MOUSEREPORT_SGR && c >= 0x20 && c <= 0x7e)
				abort();
			if (form == MOUSEREPORT_X10 && c >= 0x20 && c <= 0xff)
				abort();
			mousereport_start(&m, form);
			len = 0;
			break;
		}
	}
	return 0;
}
