/* Tests of reading a monitoring plugin's output: the message, perfdata with
 * units and ranges from the first line and the long output, quoted labels,
 * and hostile output (escape sequences, unclosed quotes, values that are
 * not numbers, long units, thousands of items). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_out.h"
#include "probe.h"
#include "tap.h"
#include "util.h"

/* Reads text as a plugin's output into a new sample. */
static struct sample *
read_output(const char *text, int cut)
{
	struct sample *s = sample_new();
	char *copy = xstrdup(text);

	plugin_output(s, copy, cut);
	free(copy);
	return s;
}

static void
test_plain(void)
{
	struct sample *s;
	const struct figure *f;
	char r[64];

	s = read_output("LOAD OK - load average: 0.5 |load1=0.500;5.000;"
	    "10.000;0; load5=0.4;@1:2;~:3\nsecond line\n", 0);
	is_str(s->message, "LOAD OK - load average: 0.5", "the message");
	is_int((long long)s->nfigures, 2, "two figures");
	f = sample_figure(s, "load1");
	ok(f != NULL && f->num == 0.5, "load1 0.5");
	range_format(&f->warn, r, sizeof r);
	is_str(r, "5", "load1's warn as given");
	f = sample_figure(s, "load5");
	range_format(&f->warn, r, sizeof r);
	is_str(r, "@1:2", "an @ range");
	range_format(&f->crit, r, sizeof r);
	is_str(r, "~:3", "a ~ range");
	sample_free(s);

	s = read_output("DISK OK | 'free /'=2GB;;;0; t=250ms x=3c\n"
	    "long | 'it''s'=7% u=5us\n", 0);
	f = sample_figure(s, "free /");
	ok(f != NULL && f->num == 2147483648.0 && strcmp(f->unit, "B") == 0,
	    "a quoted label with a space, GB in bytes");
	f = sample_figure(s, "t");
	ok(f != NULL && fabs(f->num - 0.25) < 1e-12 &&
	    strcmp(f->unit, "s") == 0, "ms in seconds");
	f = sample_figure(s, "it's");
	ok(f != NULL && f->num == 7 && strcmp(f->unit, "%") == 0,
	    "a doubled quote in a label, from the long output");
	f = sample_figure(s, "u");
	ok(f != NULL && fabs(f->num - 5e-6) < 1e-15, "us in seconds");
	ok(sample_figure(s, "x") != NULL && strcmp(sample_figure(s,
	    "x")->unit, "c") == 0, "a counter");
	sample_free(s);

	s = read_output("", 1);
	is_str(s->message, "(no output) (output cut at 64 KiB)",
	    "no output, cut");
	sample_free(s);
}

static void
test_hostile(void)
{
	struct sample *s;
	struct buf b;
	size_t i;

	s = read_output("\033[31mRED\033]0;title\007 | '\033[2Jx'=5 y=1\n", 0);
	ok(strchr(s->message, '\033') == NULL && strchr(s->message, '\007') ==
	    NULL, "no escape in the message");
	ok(s->nfigures == 2 && strchr(s->figures[0].name, '\033') == NULL,
	    "no escape in a label");
	sample_free(s);

	s = read_output("OK | a=1 'unclosed=2 b=3\n", 0);
	ok(s->nfigures == 1, "an unclosed quote ends the perfdata");
	sample_free(s);
	s = read_output("OK | a=nan b=1\n", 0);
	ok(s->nfigures == 0, "nan is not a value");
	sample_free(s);
	s = read_output("OK | a=inf\n", 0);
	ok(s->nfigures == 0, "inf is not a value");
	sample_free(s);
	s = read_output("OK | a=1e999\n", 0);
	ok(s->nfigures == 0, "1e999 is not a value");
	sample_free(s);
	s = read_output("OK | =1 b=2\n", 0);
	ok(s->nfigures == 0, "an empty label ends the perfdata");
	sample_free(s);
	s = read_output("OK | a=x\n", 0);
	ok(s->nfigures == 0, "a value that is not a number");
	sample_free(s);
	s = read_output("OK | a=1abcdefghijklmnop;;;;;;;;;;; b=2\n", 0);
	ok(s->nfigures == 2 && strcmp(s->figures[0].unit, "") == 0,
	    "a long unknown unit: no unit, the next item read");
	sample_free(s);
	s = read_output("OK | a=1;;;;\n| b=2 | c=3\n", 0);
	ok(sample_figure(s, "b") != NULL, "the long output's first '|'");
	sample_free(s);

	buf_init(&b);
	buf_adds(&b, "OK |");
	for (i = 0; i < 5000; i++)
		buf_printf(&b, " m%zu=%zu;1;2", i, i);
	s = read_output(b.s, 0);
	ok(s->nfigures == 5000, "5000 items");
	ok(s->figures[4999].state == STATE_CRIT, "each judged by its ranges");
	sample_free(s);
	buf_free(&b);
}

int
main(void)
{
	test_plain();
	test_hostile();
	return tap_done();
}
