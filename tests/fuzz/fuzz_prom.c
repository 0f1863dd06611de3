/* Fuzz target for the Prometheus text parser and selectors: the input is a
 * selector, a NUL byte, then exposition text (without a NUL, the first line
 * is the selector and the whole input the text). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prom.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Writes a selector for s with every label, values escaped back. */
static char *
series_selector(const struct prom_series *s)
{
	struct buf b;
	const char *v;
	size_t j;

	buf_init(&b);
	buf_adds(&b, s->name);
	buf_addc(&b, '{');
	for (j = 0; j < s->nlabels; j++) {
		buf_printf(&b, "%s=\"", s->labels[j].name);
		for (v = s->labels[j].value; *v != '\0'; v++) {
			if (*v == '\n')
				buf_adds(&b, "\\n");
			else {
				if (*v == '\\' || *v == '"')
					buf_addc(&b, '\\');
				buf_addc(&b, *v);
			}
		}
		buf_adds(&b, "\",");
	}
	buf_addc(&b, '}');
	return buf_detach(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *nul, *nl;
	const struct prom_series *s;
	struct prom *p;
	char *selector, *cause = NULL, *sel2;
	size_t len = size, n, i;
	double sum;

	nul = memchr(text, '\0', size);
	if (nul != NULL) {
		selector = xstrndup(text, (size_t)(nul - text));
		len = size - (size_t)(nul - text) - 1;
		text = nul + 1;
	} else {
		nl = memchr(text, '\n', size);
		selector = xstrndup(text, nl != NULL ? (size_t)(nl - text) :
		    size);
	}
	if (!prom_selector_valid(selector, &cause))
		free(cause);
	cause = NULL;

	p = prom_parse(text, len, &cause);
	if (p == NULL) {
		if (cause == NULL)
			abort();
		free(cause);
		free(selector);
		return 0;
	}
	if (prom_nseries(p) > PROM_MAX_SERIES)
		abort();
	prom_select(p, selector, &sum, &n);
	for (i = 0; i < prom_nseries(p) && i < 16; i++) {
		s = prom_series_at(p, i);
		prom_type(p, s->name);
		prom_help(p, s->name);
		/* A selector naming the series with all its labels must pick
		 * it. */
		sel2 = series_selector(s);
		if (strlen(sel2) <= PROM_MAX_SELECTOR &&
		    (prom_select(p, sel2, &sum, &n) != 0 || n < 1))
			abort();
		free(sel2);
	}
	prom_free(p);
	free(selector);
	return 0;
}
