/* Fuzz target for JSON paths: the input's first line is a path, the rest a
 * document; a path that parses keeps its text, and following it into the
 * document gives a finite number or a reason, never both. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonpath.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const char *in = (const char *)data, *nl;
	struct jsonpath *p;
	json_t *root;
	char *text, *cause = NULL;
	double v = NAN;
	size_t plen;

	if (len > 65536)
		return 0;
	nl = memchr(in, '\n', len);
	plen = nl != NULL ? (size_t)(nl - in) : len;
	text = xstrndup(in, plen);
	if (jsonpath_parse(text, &p, &cause) != 0) {
		if (cause == NULL || p != NULL)
			abort();
		free(cause);
		free(text);
		return 0;
	}
	if (strcmp(jsonpath_text(p), text) != 0)
		abort();
	root = nl != NULL ? json_loadb(nl + 1, len - plen - 1,
	    JSON_DECODE_ANY, NULL) : NULL;
	if (root != NULL) {
		if (jsonpath_number(p, root, &v, &cause) == 0) {
			if (!isfinite(v))
				abort();
		} else if (cause == NULL)
			abort();
		free(cause);
		json_decref(root);
	}
	jsonpath_free(p);
	free(text);
	return 0;
}
