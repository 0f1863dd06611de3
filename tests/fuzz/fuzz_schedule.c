/* Fuzz target for the cron parser: parses the input (cut at its first NUL)
 * and, when it parses, searches next and previous occurrences and words. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "schedule.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const char *const zones[] = { NULL, "Europe/Berlin",
	    "America/New_York" };
	struct schedule *s;
	char *text, *cause = NULL, *words;
	time_t t, out;

	if (len > 4096)
		return 0;
	text = xstrndup((const char *)data, len);
	s = schedule_parse(text, &cause);
	if (s == NULL) {
		if (cause == NULL)
			abort();
		free(cause);
		free(text);
		return 0;
	}
	words = schedule_describe(s);
	free(words);
	/* An instant derived from the input, within 1970-2100. */
	t = (time_t)((len * 2654435761U) % 4102444800U);
	if (schedule_next(s, zones[len % 3], t, &out) == 0 && out <= t)
		abort();
	if (schedule_prev(s, zones[len % 3], t, &out) == 0 && out > t)
		abort();
	schedule_free(s);
	free(text);
	return 0;
}
