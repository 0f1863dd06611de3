/* Fuzz target: the configuration loader on arbitrary text (no includes:
 * the input is read from memory). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct cfg_errors e = { 0 };
	struct config *c;
	char *text;
	size_t i;

	if (len > 1 << 20)
		return 0;
	/* libconfig reads a C string: stop at the first NUL as it would. */
	text = malloc(len + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, len);
	text[len] = '\0';
	/* No @include: it would read files named by the input. */
	for (i = 0; i + 8 <= len; i++)
		if (memcmp(text + i, "@include", 8) == 0)
			text[i] = '#';
	c = config_load_string(text, "fuzz", &e);
	for (i = 0; i < e.n; i++)
		free(cfg_error_format(&e.v[i]));
	config_free(c);
	cfg_errors_free(&e);
	free(text);
	return 0;
}
