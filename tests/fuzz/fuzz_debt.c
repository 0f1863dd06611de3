/* Fuzz target for the debt-file parser: any bytes must give a list or
 * errors, never a crash; a list that parses must format and parse again
 * to the same items. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "debt_file.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);
const char *__lsan_default_suppressions(void);

/*
 * libconfig 1.5 leaks its string buffer when a syntax error falls inside a
 * string; that is its bug, not ours, so LeakSanitizer is told to ignore
 * leaks from inside libconfig (this hook is read only under ASan).
 */
const char *
__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct settings settings;
	struct cfg_errors errs = { 0 };
	struct debt_list l, l2;
	char *text, *again, *again2;
	size_t i;

	if (size > 1 << 20)
		return 0;
	memset(&settings, 0, sizeof settings);
	settings.timezone = (char *)"UTC";
	text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	if (debt_file_parse(text, size, "fuzz", &settings, &l, &errs) == 0) {
		again = debt_file_format(&l, &settings);
		if (debt_file_parse(again, strlen(again), "again", &settings,
		    &l2, &errs) != 0 || l2.n != l.n)
			abort();
		for (i = 0; i < l.n; i++)
			if (strcmp(l.v[i]->id, l2.v[i]->id) != 0 ||
			    strcmp(l.v[i]->title, l2.v[i]->title) != 0)
				abort();
		again2 = debt_file_format(&l2, &settings);
		if (strcmp(again, again2) != 0)
			abort();
		free(again2);
		free(again);
		debt_list_free(&l2);
		debt_list_free(&l);
	}
	cfg_errors_free(&errs);
	free(text);
	return 0;
}
