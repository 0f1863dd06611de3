/* A minimal TAP producer for maintop's unit tests: each check prints one
 * "ok N" or "not ok N" line; tap_done() prints the plan and the exit code. */
#ifndef MAINTOP_TAP_H
#define MAINTOP_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count;
static int tap_failures;

static int __attribute__((format(printf, 4, 5)))
tap_check(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	if (!pass)
		tap_failures++;
	printf("%sok %d - ", pass ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass)
		printf("#   failed at %s:%d\n", file, line);
	fflush(stdout);
	return pass;
}

static int
tap_str(const char *got, const char *want, const char *file, int line,
    const char *name)
{
	int pass = (got == NULL && want == NULL) ||
	    (got != NULL && want != NULL && strcmp(got, want) == 0);

	tap_check(pass, file, line, "%s", name);
	if (!pass)
		printf("#   got:  \"%s\"\n#   want: \"%s\"\n",
		    got ? got : "(null)", want ? want : "(null)");
	return pass;
}

static int
tap_int(long long got, long long want, const char *file, int line,
    const char *name)
{
	tap_check(got == want, file, line, "%s", name);
	if (got != want)
		printf("#   got:  %lld\n#   want: %lld\n", got, want);
	return got == want;
}

#define ok(cond, ...) tap_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, name) tap_str((got), (want), __FILE__, __LINE__, (name))
#define is_int(got, want, name) tap_int((got), (want), __FILE__, __LINE__, (name))

static int
tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failures == 0 && tap_count > 0 ? 0 : 1;
}

#endif
