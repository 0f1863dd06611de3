/* Fuzz target for what a monitoring plugin prints: the whole input (cut at
 * its first NUL) is read as a plugin's output; every figure must be finite
 * and no control byte may reach a figure's name or the message. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_out.h"
#include "probe.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A C0 control or DEL in s (tab included). */
static int
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct sample *s;
	char *text;
	size_t i;

	if (len > 65536)
		return 0;
	text = xstrndup((const char *)data, len);
	s = sample_new();
	plugin_output(s, text, len % 2);
	if (s->message == NULL || has_control(s->message))
		abort();
	for (i = 0; i < s->nfigures; i++) {
		if (s->figures[i].kind != FIGURE_NUM ||
		    !isfinite(s->figures[i].num) ||
		    has_control(s->figures[i].name))
			abort();
	}
	sample_free(s);
	free(text);
	return 0;
}
