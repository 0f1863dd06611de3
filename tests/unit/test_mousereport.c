/* Tests of the mouse report reader: SGR and X10 reports, whole and valid,
 * and hostile ones (no row, too many or empty parameters, long numbers,
 * a wrong final byte, a control inside, key codes) each dropped whole. */
#include <stdlib.h>
#include <string.h>

#include "mousereport.h"
#include "tap.h"

/*
 * Feeds the report body s (after its prefix) of form; returns the status
 * of its last byte, or MOUSEREPORT_STRAY at the byte that was not taken,
 * with *taken the bytes taken.  A report may end only at its last byte:
 * one that ends earlier fails.
 */
static enum mousereport_status
feed(enum mousereport_form form, const char *s, size_t len,
    struct mousereport_event *ev, size_t *taken)
{
	struct mousereport m;
	enum mousereport_status st = MOUSEREPORT_MORE;
	size_t i;

	mousereport_start(&m, form);
	memset(ev, 0, sizeof *ev);
	for (i = 0; i < len; i++) {
		st = mousereport_feed(&m, (unsigned char)s[i], ev);
		if (st == MOUSEREPORT_STRAY)
			break;
		if (st != MOUSEREPORT_MORE && i + 1 < len)
			return (enum mousereport_status)-1;
	}
	*taken = i;
	return st;
}

static enum mousereport_status
sgr(const char *s, struct mousereport_event *ev)
{
	size_t taken;

	return feed(MOUSEREPORT_SGR, s, strlen(s), ev, &taken);
}

static void
test_sgr(void)
{
	struct mousereport_event ev;

	ok(sgr("0;5;3M", &ev) == MOUSEREPORT_DONE &&
	    ev.button == MOUSEREPORT_LEFT && ev.press && ev.x == 4 &&
	    ev.y == 2, "a press of the first button, 0-based cell");
	ok(sgr("0;5;3m", &ev) == MOUSEREPORT_DONE && !ev.press,
	    "its release");
	ok(sgr("64;80;24M", &ev) == MOUSEREPORT_DONE &&
	    ev.button == MOUSEREPORT_WHEEL_UP && ev.x == 79 && ev.y == 23,
	    "the wheel up");
	ok(sgr("65;1;1M", &ev) == MOUSEREPORT_DONE &&
	    ev.button == MOUSEREPORT_WHEEL_DOWN && ev.x == 0 && ev.y == 0,
	    "the wheel down at the first cell");
	ok(sgr("2;9999;9999M", &ev) == MOUSEREPORT_DONE &&
	    ev.button == MOUSEREPORT_RIGHT, "the third button");
	is_int(ev.x, 9998, "four digits a coordinate");
	ok(sgr("32;5;5M", &ev) == MOUSEREPORT_DONE &&
	    ev.button == MOUSEREPORT_OTHER, "a motion is no button");
	ok(sgr("4;5;5M", &ev) == MOUSEREPORT_DONE &&
	    ev.button == MOUSEREPORT_LEFT, "a modifier keeps the button");
}

static void
test_sgr_hostile(void)
{
	static const char *const bad[] = {
		"64;5M",		/* no row */
		"64M",			/* no column either */
		"M",			/* nothing */
		";;M",			/* empty parameters */
		"64;;5M",
		"64;5;M",
		";5;5M",
		"64;5;5;7M",		/* a fourth */
		"64;5;5;7;8;9;10M",
		"64;0;5M",		/* column 0 is no cell */
		"64;5;0M",
		"64;12345;5M",		/* five digits */
		"99999999999999999999;5;5M",
		"64;5;5x",		/* another final byte */
		"64;5;5~",
		"64:1;5;5M",		/* a sub-parameter */
		"<64;5;5M",		/* a private marker */
		"64;5;5 M",		/* an intermediate */
	};
	struct mousereport_event ev;
	size_t i, taken;
	int all = 1;
	char *many;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (sgr(bad[i], &ev) != MOUSEREPORT_BAD) {
			is_str(bad[i], "(dropped)", "a malformed report");
			all = 0;
		}
	ok(all, "malformed reports end at their final byte, dropped whole");

	ok(feed(MOUSEREPORT_SGR, "65;", 3, &ev, &taken) == MOUSEREPORT_MORE &&
	    taken == 3, "a report cut short waits for more, taking nothing "
	    "as a key");
	ok(feed(MOUSEREPORT_SGR, "65;5\033[A", 7, &ev, &taken) ==
	    MOUSEREPORT_STRAY && taken == 4, "ESC is no part of a report: it "
	    "starts the next key, the report dropped");
	ok(feed(MOUSEREPORT_SGR, "65;5;\003", 6, &ev, &taken) ==
	    MOUSEREPORT_STRAY && taken == 5, "nor a control");
	ok(feed(MOUSEREPORT_SGR, "65;5;\xc3\xa9", 7, &ev, &taken) ==
	    MOUSEREPORT_STRAY && taken == 5, "nor a byte above 0x7e");

	/* A flood of digits is taken, whatever its length, and dropped at
	 * its end: none of it is a key. */
	many = malloc(100001);
	memset(many, '7', 100000);
	many[99999] = 'M';
	many[100000] = '\0';
	ok(sgr(many, &ev) == MOUSEREPORT_BAD, "100000 bytes of digits: one "
	    "report, dropped at its final byte");
	free(many);

	{
		struct mousereport m;

		mousereport_start(&m, MOUSEREPORT_SGR);
		ok(mousereport_feed(&m, 0x7f01, &ev) == MOUSEREPORT_STRAY &&
		    mousereport_feed(&m, -1, &ev) == MOUSEREPORT_STRAY &&
		    mousereport_feed(&m, 410, &ev) == MOUSEREPORT_STRAY,
		    "key codes are no part of a report");
	}
}

static void
test_x10(void)
{
	struct mousereport_event ev;
	size_t taken;

	ok(feed(MOUSEREPORT_X10, " %#", 3, &ev, &taken) == MOUSEREPORT_DONE &&
	    ev.button == MOUSEREPORT_LEFT && ev.press && ev.x == 4 &&
	    ev.y == 2, "X10: a press of the first button");
	ok(feed(MOUSEREPORT_X10, "`!!", 3, &ev, &taken) == MOUSEREPORT_DONE &&
	    ev.button == MOUSEREPORT_WHEEL_UP && ev.x == 0 && ev.y == 0,
	    "X10: the wheel up at the first cell");
	ok(feed(MOUSEREPORT_X10, "a\xff\xff", 3, &ev, &taken) ==
	    MOUSEREPORT_DONE && ev.button == MOUSEREPORT_WHEEL_DOWN &&
	    ev.x == 222 && ev.y == 222, "X10: the wheel down, the farthest "
	    "cell it can say");
	ok(feed(MOUSEREPORT_X10, "#%#", 3, &ev, &taken) == MOUSEREPORT_DONE &&
	    ev.button == MOUSEREPORT_OTHER && !ev.press,
	    "X10: a release names no button");
	ok(feed(MOUSEREPORT_X10, "  #", 3, &ev, &taken) == MOUSEREPORT_BAD,
	    "X10: column 0 is no cell: dropped");
	ok(feed(MOUSEREPORT_X10, " %", 2, &ev, &taken) == MOUSEREPORT_MORE,
	    "X10: cut short, it waits");
	ok(feed(MOUSEREPORT_X10, " \033[A", 4, &ev, &taken) ==
	    MOUSEREPORT_STRAY && taken == 1, "X10: ESC is no part of it");
}

int
main(void)
{
	test_sgr();
	test_sgr_hostile();
	test_x10();
	return tap_done();
}
