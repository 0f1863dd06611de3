/* Fuzz target for threshold ranges and durations: parses the input (cut at
 * its first NUL) as a range of numbers, a range of durations and a
 * duration; a parsed range is printed and parsed back to the same text,
 * and checked as a pair with itself. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "range.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The printed form parses back and prints the same. */
static void
roundtrip(const struct range *r)
{
	struct range back;
	char buf[128], again[128], *cause = NULL;

	range_format(r, buf, sizeof buf);
	if (range_parse(buf, RANGE_NUMBER, &back, &cause) != 0) {
		/* An end of 1e15 or more prints with many digits: too long. */
		free(cause);
		return;
	}
	range_format(&back, again, sizeof again);
	if (strcmp(buf, again) != 0 || back.inside != r->inside ||
	    back.lo_inf != r->lo_inf || back.hi_inf != r->hi_inf)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct range r;
	char *text, *cause = NULL;
	double ms;
	enum range_unit u;

	if (len > 4096)
		return 0;
	text = xstrndup((const char *)data, len);
	for (u = RANGE_NUMBER; u <= RANGE_DURATION; u++) {
		if (range_parse(text, u, &r, &cause) != 0) {
			if (cause == NULL || r.set)
				abort();
			free(cause);
			cause = NULL;
			continue;
		}
		if (u == RANGE_NUMBER)
			roundtrip(&r);
		if (range_pair_check(&r, &r, -INFINITY, INFINITY, &cause) ==
		    0)
			abort();	/* the same range twice never warns */
		free(cause);
		cause = NULL;
	}
	if (util_parse_duration_ms(text, &ms) == 0 &&
	    (!(ms >= 0) || ms > 10.0 * 366 * 86400 * 1000))
		abort();
	free(text);
	return 0;
}
