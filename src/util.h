/* Small helpers every part of maintop uses: allocation, strings, time. */
#ifndef MAINTOP_UTIL_H
#define MAINTOP_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <time.h>

#define UTIL_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define UTIL_NORETURN __attribute__((noreturn))

/*
 * Allocation never fails from the caller's point of view: running out of
 * memory goes through fatal(), which restores the terminal first.
 */
void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xreallocarray(void *, size_t, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
char *xasprintf(const char *, ...) UTIL_PRINTF(1, 2);
char *xvasprintf(const char *, va_list) UTIL_PRINTF(1, 0);

/*
 * The one fatal path.  The terminal is restored first (term_restore: the
 * screen and the modes), then the message is printed; the process exits
 * with status 70 (EX_SOFTWARE).
 */
void fatal(const char *, ...) UTIL_PRINTF(1, 2) UTIL_NORETURN;

/* A growable, always NUL-terminated byte buffer. */
struct buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};
void buf_init(struct buf *);
void buf_add(struct buf *, const char *, size_t);
void buf_adds(struct buf *, const char *);
void buf_addc(struct buf *, char);
void buf_printf(struct buf *, const char *, ...) UTIL_PRINTF(2, 3);
void buf_reset(struct buf *);
/* Hands the string to the caller (who frees it) and empties the buffer. */
char *buf_detach(struct buf *);
void buf_free(struct buf *);
/*
 * Appends s as a double-quoted literal with \" \\ \n \r \t escaped and other
 * control characters as \u00XX (json) or \xXX (libconfig's form).
 */
void buf_quote(struct buf *, const char *, int json);
/* Appends s as a JSON string literal, quotes included. */
void buf_json_str(struct buf *, const char *);

/* NULL-terminated vectors of strings (argv, environments).  strv_add
 * appends s (taken) to *v of *n strings; strv_free frees the vector and
 * its strings; strv_wipe zeroes each string first (it may hold a
 * password). */
void strv_add(char ***v, size_t *n, char *s);
void strv_free(char **v);
void strv_wipe(char **v);

/*
 * Reads a finite decimal number: a sign, digits with an optional point,
 * an optional exponent, nothing else (strtod also takes hex, "inf", "nan"
 * and blanks).  The C locale's point, whatever the user's locale (the
 * dashboard sets it, and the decimal point may then be a comma).  Returns
 * 0 with *out, or -1.
 */
int util_strict_double(const char *s, double *out);

/* Edit distance, used for "did you mean" suggestions. */
size_t util_levenshtein(const char *, const char *);

/*
 * The one duration parser.  A duration is one or more parts, each a number
 * (a fraction allowed) and a unit: ms, s, m (or min), h, d, w, as in
 * "500ms", "90s", "25h", "7d", "2w", "1h30m" or "1m 30s"; a lone number
 * without a unit is seconds ("0.5").  Returns 0 and stores milliseconds,
 * or -1 when malformed, negative or longer than ten years.  Every message
 * about a bad duration quotes UTIL_DURATION_EXAMPLES.
 */
int util_parse_duration_ms(const char *, double *ms);
/* The same, in whole seconds (a fraction rounds up: "500ms" is 1). */
int util_parse_duration(const char *, long long *);
#define UTIL_DURATION_EXAMPLES \
	"\"500ms\", \"90s\", \"25h\", \"7d\", \"2w\" or \"1h30m\""
/*
 * Writes a compact duration into buf: the largest unit and the next one,
 * a zero part left out ("1h12m", "3d4h", "1d", "2h", "45s", "0s").
 */
void util_format_duration(long long, char *, size_t);

/*
 * The one way a figure is written for people.  Two significant digits,
 * the integer part never rounded, no trailing zeros and never an exponent:
 * 0.391281 is "0.39", 1.23 is "1.2", 12.7 is "13", 1234.5 is "1235",
 * 0.00042 is "0.00042", 3 is "3".  NaN and infinities are "-".
 */
void util_format_number(double, char *, size_t);
/*
 * A figure in its unit, by the same rule: "s" and "ms" as "850 ms", "1.2 s",
 * "12 s" or, from a minute up, a duration ("3m20s"); "B" in B, KiB, MiB,
 * GiB or TiB; "%" joined ("87%"); "d" as days; any other unit after a space,
 * and none without one.
 */
void util_format_quantity(double, const char *unit, char *, size_t);

/*
 * Parses an ISO 8601 instant: "2026-11-23T02:00:00Z", with an offset
 * ("+01:00", "-0500"), or with no zone (then tz, an IANA name, is used;
 * NULL means UTC).  Seconds are optional; a space may replace the T; a bare
 * date means midnight.  Returns 0 and stores the instant, or -1.
 */
int util_parse_iso8601(const char *, const char *tz, time_t *);
/*
 * Days since 1970-01-01 of the proleptic Gregorian date y-m-d (m 1-12),
 * negative before; util_civil_from_days is its inverse.
 */
long long util_days_from_civil(long long y, int m, int d);
/* a / b rounded down (toward minus infinity); b > 0. */
long long util_floordiv(long long a, long long b);
void util_civil_from_days(long long days, long long *y, int *m, int *d);
/* Formats t as "2026-11-23T02:00:00Z" into a buffer of at least 21 bytes. */
void util_format_utc(time_t, char *, size_t);

/*
 * Breaks t down in the IANA zone tz (NULL or "" for UTC, "local" for the
 * process's zone).  Zone switching is done by setting TZ and calling tzset,
 * so these are not thread-safe; maintop has one thread.  Returns 0 or -1
 * when the zone is unknown.
 */
int util_localtime(time_t, const char *tz, struct tm *);
/* mktime in the zone tz; tm_isdst as for mktime. */
time_t util_mktime(struct tm *, const char *tz);
/* True if tz names a zone the system knows (a file in the zoneinfo database). */
int util_tz_valid(const char *);

/* Monotonic clock in milliseconds, for latencies and deadlines. */
long long util_mono_ms(void);

/* Appends keyword k and value v to the NULL-terminated arrays *kw and
 * *val of *n entries (libpq's connection parameters); the strings are not
 * copied. */
void util_kv_add(const char ***kw, const char ***val, size_t *n,
    const char *k, const char *v);

/*
 * No core file and no ptrace by other processes of the user: memory holds
 * passwords (RLIMIT_CORE 0, PR_SET_DUMPABLE 0), unless MAINTOP_DUMPABLE is
 * "1".  Called first in main; children inherit the core limit.  Returns 0,
 * or -1 with errno set.
 */
int util_no_core(void);

#endif
