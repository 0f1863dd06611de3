/* Fuzz target: the configuration check run before libconfig, against
 * libconfig itself.  Whatever libconfig accepts must pass the check, but
 * for what the check refuses on purpose (the limits, an unclosed comment,
 * a NUL byte written as \x00); a crash or a disagreement aborts. */
#include <libconfig.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int LLVMFuzzerInitialize(int *, char ***);

/* libconfig leaks on most syntax errors (see tests/lsan.supp), which this
 * target feeds it by the thousand: its reads are left out of leak checking,
 * and libFuzzer's own leak check, a scan of the whole heap after each such
 * input, is off (40 times faster).  fuzz_config checks cfgscan for leaks. */
void __lsan_disable(void) __attribute__((weak));
void __lsan_enable(void) __attribute__((weak));

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char flag[] = "-detect_leaks=0";
	static char **v;
	int i;

	v = calloc((size_t)*argc + 2, sizeof *v);
	if (v == NULL)
		return 0;
	for (i = 0; i < *argc; i++)
		v[i] = (*argv)[i];
	v[(*argc)++] = flag;
	*argv = v;
	return 0;
}

static int
libconfig_reads(const char *text)
{
	config_t lc;
	int ok;

	if (__lsan_disable != NULL)
		__lsan_disable();
	config_init(&lc);
	ok = config_read_string(&lc, text) == CONFIG_TRUE;
	config_destroy(&lc);
	if (__lsan_enable != NULL)
		__lsan_enable();
	return ok;
}

/* The refusals that libconfig would let through. */
static int
deliberate(const struct cfg_errors *e)
{
	static const char *const why[] = {
		"more than", "nested more", "comment '/*'", "\\x00 in a string",
		"unterminated string",
		NULL
	};
	size_t i;

	for (i = 0; why[i] != NULL; i++)
		if (e->n > 0 && strstr(e->v[0].msg, why[i]) != NULL)
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct cfg_errors e = { 0 };
	char *text, *checked;

	if (len > 1 << 20)
		return 0;
	/* With NUL bytes: refused with a line, never a crash. */
	checked = cfgscan_string((const char *)data, len, "fuzz", NULL, &e);
	if (checked != NULL && memchr(data, '\0', len) != NULL)
		abort();
	free(checked);
	cfg_errors_free(&e);

	/* Up to the first NUL, as libconfig reads it, with a final newline
	 * (the check gives libconfig a text ending in one). */
	text = malloc(len + 2);
	if (text == NULL)
		return 0;
	memcpy(text, data, len);
	text[len] = '\0';
	len = strlen(text);
	if (len == 0 || text[len - 1] != '\n')
		memcpy(text + len, "\n", 2);
	checked = cfgscan_string(text, strlen(text), "fuzz", NULL, &e);
	/* Without an include directory the check refuses @include, so
	 * libconfig never reads a file named by the input. */
	if (checked != NULL)
		(void)libconfig_reads(checked);
	else if (strstr(text, "@include") == NULL && !deliberate(&e)) {
		if (libconfig_reads(text)) {
			fprintf(stderr, "refused what libconfig reads: %s:%d: "
			    "%s\n", e.v[0].file, e.v[0].line, e.v[0].msg);
			abort();
		}
	}
	free(checked);
	free(text);
	cfg_errors_free(&e);
	return 0;
}
