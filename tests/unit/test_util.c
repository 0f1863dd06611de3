/* Tests of the one way figures and durations are written for people. */
#include <math.h>
#include <stdio.h>

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

int
main(void)
{
	char small[4];

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
	return tap_done();
}
