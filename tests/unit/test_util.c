/* Tests of the one way figures and durations are written for people. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sanitize.h"
#include "tap.h"
#include "util.h"

static void
num(double v, const char *want)
{
	char out[64], name[96];

	util_format_number(v, out, sizeof out);
	snprintf(name, sizeof name, "number %.17g is %s", v, want);
	is_str(out, want, name);
}

static void
qty(double v, const char *unit, const char *want)
{
	char out[64], name[96];

	util_format_quantity(v, unit, out, sizeof out);
	snprintf(name, sizeof name, "%.17g %s is %s", v, unit, want);
	is_str(out, want, name);
}

static void
dur(long long secs, const char *want)
{
	char out[64], name[96];

	util_format_duration(secs, out, sizeof out);
	snprintf(name, sizeof name, "duration %lld s is %s", secs, want);
	is_str(out, want, name);
}

/* util_strict_double: good gives want, else it is refused. */
static void
strict(const char *s, int good, double want)
{
	double v = -12345;
	int rc = util_strict_double(s, &v);

	if (good)
		ok(rc == 0 && v == want, "\"%s\" reads as %g", s, want);
	else
		ok(rc == -1 && v == -12345, "\"%s\" is refused, *out "
		    "untouched", s);
}

int
main(void)
{
	char small[4];

	/* Decimal numbers only, read with the C locale's point. */
	strict("0.39", 1, 0.39);
	strict("-1.5", 1, -1.5);
	strict("+.5", 1, 0.5);
	strict("7.", 1, 7);
	strict("1e3", 1, 1000);
	strict("2.5E-2", 1, 0.025);
	strict("-0", 1, 0);
	strict("", 0, 0);
	strict("-", 0, 0);
	strict(".", 0, 0);
	strict("0x10", 0, 0);
	strict("inf", 0, 0);
	strict("-Infinity", 0, 0);
	strict("nan", 0, 0);
	strict(" 1", 0, 0);
	strict("1 ", 0, 0);
	strict("1,5", 0, 0);
	strict("1e", 0, 0);
	strict("1e+", 0, 0);
	strict("1.2.3", 0, 0);
	strict("1e999", 0, 0);

	/* Two significant digits, integer digits kept, no trailing zeros. */
	num(0.391281, "0.39");
	num(1.234567, "1.2");
	num(12.7, "13");
	num(1234.567, "1235");
	num(3, "3");
	num(2.5e9, "2500000000");
	num(0.5, "0.5");
	num(1.0001, "1");
	num(9.96, "10");
	num(0.996, "1");
	num(0.00042, "0.00042");
	num(0, "0");
	num(-0.0001e-20, "0");
	num(-0.391281, "-0.39");
	num(-1234.6, "-1235");
	num(NAN, "-");
	num(INFINITY, "-");
	num(1e15, "1000000000000000");
	num(-2.5e15, "-2500000000000000");

	/* Units. */
	qty(1234.567, "ms", "1.2 s");
	qty(0.391281, "s", "391 ms");
	qty(0.0004, "s", "0.4 ms");
	qty(0.9996, "s", "1 s");
	qty(12.34, "s", "12 s");
	qty(59.4, "s", "59 s");
	qty(59.6, "s", "1m");
	qty(200, "s", "3m20s");
	qty(86400, "s", "1d");
	qty(0, "ms", "0 s");
	qty(87.456, "%", "87%");
	qty(0.391281, "%", "0.39%");
	qty(512, "B", "512 B");
	qty(1536, "B", "1.5 KiB");
	qty(3.5 * 1024 * 1024 * 1024, "B", "3.5 GiB");
	qty(1, "d", "1 day");
	qty(12.6, "d", "13 days");
	qty(0.391281, "", "0.39");
	qty(42, "c", "42 c");
	qty(NAN, "s", "-");

	/* Durations: the largest unit and the next, a zero part left out. */
	dur(0, "0s");
	dur(45, "45s");
	dur(60, "1m");
	dur(63, "1m03s");
	dur(600, "10m");
	dur(3600, "1h");
	dur(7200 + 300, "2h05m");
	dur(86400, "1d");
	dur(86400 + 4 * 3600, "1d4h");
	dur(86400 + 59, "1d");
	dur(28 * 86400, "28d");
	dur(-90, "-1m30s");
	dur(-86400, "-1d");
	dur(-9223372036854775807LL - 1, "-106751991167300d15h");

	/* A short buffer is cut, never overrun. */
	util_format_number(1234.5, small, sizeof small);
	is_str(small, "123", "a short buffer holds a cut, terminated figure");
	util_format_quantity(1e300, "B", small, sizeof small);
	is_int((long long)strlen(small), 3, "a huge size is cut too");
	/* Names: printable UTF-8 only. */
	ok(sanitize_name_problem("api-1 \xc3\xa9") == NULL,
	    "a name with a space and an accent is fine");
	is_str(sanitize_name_problem("a\x1b[2Jb"), "a control character",
	    "ESC in a name");
	is_str(sanitize_name_problem("a\xc2\x9b" "2Jb"), "a control character",
	    "U+009B (C1 CSI) in a name");
	is_str(sanitize_name_problem("a\xe2\x80\xae" "b"),
	    "a bidirectional control", "U+202E in a name");
	is_str(sanitize_name_problem("a\xff" "b"), "invalid UTF-8",
	    "a byte that is not UTF-8 in a name");

	/* JSON made safe to print: C1 and bidi escaped, bad bytes U+FFFD. */
	{
		static const char in[] = "{\"a\": \"x\xc2\x9b" "y\xe2\x81\xa6"
		    "z\xff\xc3\xa9\"}";
		char *out = sanitize_json(in, sizeof in - 1);
		json_t *j;
		char *t;

		is_str(out, "{\"a\": \"x\\u009by\\u2066z\\ufffd\xc3\xa9\"}",
		    "sanitize_json escapes C1, bidi and bad bytes, keeps é");
		free(out);
		j = cli_json_str("bad \xff name");
		ok(j != NULL && json_is_string(j), "cli_json_str never gives "
		    "NULL for invalid UTF-8");
		is_str(j != NULL ? json_string_value(j) : NULL,
		    "bad \xef\xbf\xbd name", "the bad byte is U+FFFD");
		json_decref(j);
		j = cli_json_str(NULL);
		ok(json_is_null(j), "cli_json_str(NULL) is null");
		json_decref(j);
		j = json_pack("{s:s}", "k", "a\xe2\x80\xae");
		t = json_dumps(j, 0);
		out = sanitize_json(t, strlen(t));
		is_str(out, "{\"k\": \"a\\u202e\"}", "jansson's output, "
		    "escaped");
		free(out);
		free(t);
		json_decref(j);
	}
	is_int((long long)sanitize_width("abc"), 3, "width of ASCII");
	is_int((long long)sanitize_width("\xc3\xa9t\xc3\xa9"), 3,
	    "width counts characters, not bytes");
	return tap_done();
}
