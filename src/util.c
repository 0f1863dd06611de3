/* Small helpers every part of maintop uses: allocation, strings, time. */
#include "util.h"
#include "term.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

void
fatal(const char *fmt, ...)
{
	va_list ap;

	/* The terminal back first, so that the message can be read. */
	term_restore();
	fputs("maintop: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(70);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n == 0 ? 1 : n);

	if (p == NULL)
		fatal("out of memory (%zu bytes)", n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);

	if (p == NULL)
		fatal("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		fatal("allocation overflow (%zu x %zu)", n, size);
	p = realloc(p, n * size == 0 ? 1 : n * size);
	if (p == NULL)
		fatal("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;
	size_t len = strnlen(s, n);

	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		fatal("out of memory formatting a string");
	return s;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void
buf_init(struct buf *b)
{
	b->s = NULL;
	b->len = 0;
	b->cap = 0;
}

static void
buf_grow(struct buf *b, size_t more)
{
	size_t need;

	if (more > SIZE_MAX - b->len - 1)
		fatal("buffer overflow");
	need = b->len + more + 1;
	if (need <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < need)
		b->cap = b->cap > SIZE_MAX / 2 ? need : b->cap * 2;
	b->s = xreallocarray(b->s, b->cap, 1);
}

void
buf_add(struct buf *b, const char *s, size_t n)
{
	buf_grow(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("bad format string");
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->s != NULL)
		b->s[0] = '\0';
}

char *
buf_detach(struct buf *b)
{
	char *s = b->s;

	if (s == NULL)
		s = xstrdup("");
	buf_init(b);
	return s;
}

void
buf_free(struct buf *b)
{
	free(b->s);
	buf_init(b);
}

void
buf_quote(struct buf *b, const char *s, int json)
{
	const unsigned char *p;

	buf_addc(b, '"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"':
			buf_adds(b, "\\\"");
			break;
		case '\\':
			buf_adds(b, "\\\\");
			break;
		case '\n':
			buf_adds(b, "\\n");
			break;
		case '\r':
			buf_adds(b, "\\r");
			break;
		case '\t':
			buf_adds(b, "\\t");
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				buf_printf(b, json ? "\\u%04x" : "\\x%02x",
				    *p);
			else
				buf_addc(b, (char)*p);
		}
	}
	buf_addc(b, '"');
}

void
buf_json_str(struct buf *b, const char *s)
{
	buf_quote(b, s, 1);
}

size_t
util_levenshtein(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, *row, prev, tmp, best;

	if (la > 256 || lb > 256)
		return SIZE_MAX;
	row = xcalloc(lb + 1, sizeof *row);
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			best = prev + (tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]));
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = tmp;
		}
	}
	best = row[lb];
	free(row);
	return best;
}

#define DURATION_MAX_MS (10.0 * 366 * 86400 * 1000)

/* The unit at *s and its length, in milliseconds; 0 when there is none. */
static double
duration_unit(const char *s, size_t *len)
{
	static const struct {
		const char	*name;
		double		 ms;
	} units[] = {
		/* Longer names first: "ms" and "min" before "m". */
		{ "ms", 1 }, { "min", 60000 }, { "s", 1000 }, { "m", 60000 },
		{ "h", 3600000 }, { "d", 86400000 }, { "w", 604800000 },
	};
	size_t i, n;

	for (i = 0; i < sizeof units / sizeof units[0]; i++) {
		n = strlen(units[i].name);
		if (strncmp(s, units[i].name, n) == 0 &&
		    !isalpha((unsigned char)s[n])) {
			*len = n;
			return units[i].ms;
		}
	}
	return 0;
}

/* The C locale, for numbers read the same whatever the user's locale. */
static locale_t		util_c_locale;
static pthread_once_t	util_c_once = PTHREAD_ONCE_INIT;

static void
util_c_init(void)
{
	util_c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (util_c_locale == (locale_t)0)
		fatal("cannot create the C locale");
}

int
util_strict_double(const char *s, double *out)
{
	const char *p = s;
	char *end;
	double v;
	int digits = 0;

	if (*p == '+' || *p == '-')
		p++;
	while (isdigit((unsigned char)*p)) {
		p++;
		digits++;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			p++;
			digits++;
		}
	}
	if (digits == 0)
		return -1;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p != '\0')
		return -1;
	pthread_once(&util_c_once, util_c_init);
	v = strtod_l(s, &end, util_c_locale);
	if (*end != '\0' || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int
util_parse_duration_ms(const char *s, double *out)
{
	double total = 0, n, unit;
	char num[32];
	size_t ulen, len, digits;
	int any = 0, points;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0')
		return -1;
	while (*s != '\0') {
		/* Digits, then at most one point and more digits. */
		for (len = 0, digits = 0, points = 0; isdigit((unsigned char)
		    s[len]) || (s[len] == '.' && points++ == 0); len++)
			digits += s[len] != '.';
		if (digits == 0 || len >= sizeof num)
			return -1;
		memcpy(num, s, len);
		num[len] = '\0';
		if (util_strict_double(num, &n) != 0)
			return -1;
		s += len;
		if (*s == '\0' && !any)
			unit = 1000;	/* a plain number of seconds */
		else if ((unit = duration_unit(s, &ulen)) == 0)
			return -1;	/* "1h30" is ambiguous */
		else
			s += ulen;
		total += n * unit;
		if (total > DURATION_MAX_MS)
			return -1;
		any = 1;
		while (isspace((unsigned char)*s))
			s++;
	}
	*out = total;
	return 0;
}

int
util_parse_duration(const char *s, long long *out)
{
	double ms;

	if (util_parse_duration_ms(s, &ms) != 0)
		return -1;
	*out = (long long)ceil(ms / 1000.0);
	return 0;
}

void
util_format_duration(long long secs, char *out, size_t len)
{
	static const unsigned long long unit[] = { 86400, 3600, 60, 1 };
	static const char name[] = "dhms";
	unsigned long long left, big, small = 0;
	const char *sign = "";
	size_t i;

	if (secs < 0) {
		sign = "-";
		left = 0ULL - (unsigned long long)secs;
	} else
		left = (unsigned long long)secs;
	for (i = 0; i < 3 && left < unit[i]; i++)
		;
	big = left / unit[i];
	if (i < 3)
		small = left % unit[i] / unit[i + 1];
	if (small == 0)
		snprintf(out, len, "%s%llu%c", sign, big, name[i]);
	else if (i == 0)
		snprintf(out, len, "%s%llu%c%llu%c", sign, big, name[i], small,
		    name[i + 1]);
	else
		snprintf(out, len, "%s%llu%c%02llu%c", sign, big, name[i],
		    small, name[i + 1]);
}

void
util_format_number(double v, char *out, size_t len)
{
	char tmp[64];
	int decimals = 0, mag;
	size_t n;

	if (!isfinite(v)) {
		snprintf(out, len, "-");
		return;
	}
	if (fabs(v) >= 1e15) {
		snprintf(out, len, "%.0f", v);
		return;
	}
	if (v != 0) {
		mag = (int)floor(log10(fabs(v)));	/* 0 for 1..9.99 */
		decimals = 1 - mag;
		if (decimals < 0)
			decimals = 0;
		if (decimals > 12)
			decimals = 12;
	}
	snprintf(tmp, sizeof tmp, "%.*f", decimals, v);
	if (strchr(tmp, '.') != NULL) {
		n = strlen(tmp);
		while (n > 0 && tmp[n - 1] == '0')
			tmp[--n] = '\0';
		if (n > 0 && tmp[n - 1] == '.')
			tmp[--n] = '\0';
	}
	if (strcmp(tmp, "-0") == 0)
		snprintf(tmp, sizeof tmp, "0");
	snprintf(out, len, "%s", tmp);
}

void
util_format_quantity(double v, const char *unit, char *out, size_t len)
{
	static const char *const sizes[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	char num[64];
	size_t k = 0;

	if (!isfinite(v)) {
		snprintf(out, len, "-");
		return;
	}
	if (strcmp(unit, "ms") == 0) {
		v /= 1000;
		unit = "s";
	}
	if (strcmp(unit, "s") == 0) {
		if (fabs(v) >= 59.5) {
			util_format_duration(llround(v), out, len);
			return;
		}
		if (v != 0 && fabs(v) < 0.9995) {
			util_format_number(v * 1000, num, sizeof num);
			snprintf(out, len, "%s ms", num);
			return;
		}
	} else if (strcmp(unit, "B") == 0) {
		while (fabs(v) >= 1024 && k < 4) {
			v /= 1024;
			k++;
		}
		unit = sizes[k];
	}
	util_format_number(v, num, sizeof num);
	if (strcmp(unit, "%") == 0)
		snprintf(out, len, "%s%%", num);
	else if (strcmp(unit, "d") == 0)
		snprintf(out, len, "%s %s", num, strcmp(num, "1") == 0 ?
		    "day" : "days");
	else
		snprintf(out, len, "%s%s%s", num, *unit != '\0' ? " " : "",
		    unit);
}

/*
 * The zone currently in TZ, so that switching back and forth is cheap:
 * glibc rereads the zone file only when TZ changes.
 */
static int tz_known;		/* tz_current is meaningful */
static char *tz_current;	/* NULL: TZ unset */
static int tz_saved;
static char *tz_original;

static int
same_zone(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void
tz_set(const char *tz)
{
	const char *want;

	if (!tz_saved) {
		const char *orig = getenv("TZ");

		tz_original = orig != NULL ? xstrdup(orig) : NULL;
		tz_saved = 1;
	}
	if (tz == NULL || *tz == '\0' || strcmp(tz, "UTC") == 0)
		want = "UTC0";
	else if (strcmp(tz, "local") == 0)
		want = tz_original;	/* may be NULL: system default */
	else
		want = tz;
	if (tz_known && same_zone(tz_current, want))
		return;
	free(tz_current);
	if (want == NULL) {
		unsetenv("TZ");
		tz_current = NULL;
	} else {
		setenv("TZ", want, 1);
		tz_current = xstrdup(want);
	}
	tz_known = 1;
	tzset();
}

int
util_tz_valid(const char *tz)
{
	char path[PATH_MAX];
	struct stat st;
	const char *dir;

	if (tz == NULL || *tz == '\0' || strcmp(tz, "UTC") == 0 ||
	    strcmp(tz, "local") == 0)
		return 1;
	if (tz[0] == '/' || strstr(tz, "..") != NULL)
		return 0;
	dir = getenv("TZDIR");
	if (dir == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, tz) >=
	    sizeof path)
		return 0;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int
util_localtime(time_t t, const char *tz, struct tm *tm)
{
	static char *valid;	/* the last zone found valid */

	if (tz != NULL && (valid == NULL || strcmp(valid, tz) != 0)) {
		if (!util_tz_valid(tz))
			return -1;
		free(valid);
		valid = xstrdup(tz);
	}
	tz_set(tz);
	if (localtime_r(&t, tm) == NULL)
		return -1;
	return 0;
}

time_t
util_mktime(struct tm *tm, const char *tz)
{
	tz_set(tz);
	return mktime(tm);
}

static int
parse_digits(const char **sp, int n, int *out)
{
	const char *s = *sp;
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*sp = s + n;
	*out = v;
	return 0;
}

static int
days_in_month(int year, int mon)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (mon == 1 && ((year % 4 == 0 && year % 100 != 0) ||
	    year % 400 == 0))
		return 29;
	return mdays[mon];
}

long long
util_floordiv(long long a, long long b)
{
	long long q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* Howard Hinnant's well-known civil-days algorithm, written out here for
 * our own use: floor division keeps it right before 1970. */
long long
util_days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = util_floordiv(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
util_civil_from_days(long long z, long long *yp, int *mp, int *dp)
{
	long long era, doe, yoe, y, doy, mp5;

	z += 719468;
	era = util_floordiv(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp5 = (5 * doy + 2) / 153;
	*dp = (int)(doy - (153 * mp5 + 2) / 5 + 1);
	*mp = (int)(mp5 < 10 ? mp5 + 3 : mp5 - 9);
	*yp = y + (*mp <= 2);
}

int
util_parse_iso8601(const char *s, const char *tz, time_t *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, oh, om, sign;
	int have_offset = 0;
	long offset = 0;
	struct tm tm;
	time_t t;

	while (isspace((unsigned char)*s))
		s++;
	if (parse_digits(&s, 4, &y) || *s++ != '-' ||
	    parse_digits(&s, 2, &mo) || *s++ != '-' ||
	    parse_digits(&s, 2, &d))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo - 1) ||
	    y < 1970 || y > 9999)
		return -1;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		s++;
		if (parse_digits(&s, 2, &h) || *s++ != ':' ||
		    parse_digits(&s, 2, &mi))
			return -1;
		if (*s == ':') {
			s++;
			if (parse_digits(&s, 2, &sec))
				return -1;
			if (*s == '.' || *s == ',') {	/* drop fractions */
				s++;
				if (!isdigit((unsigned char)*s))
					return -1;
				while (isdigit((unsigned char)*s))
					s++;
			}
		}
		if (h > 24 || mi > 59 || sec > 60 ||
		    (h == 24 && (mi != 0 || sec != 0)))
			return -1;
		if (sec == 60)
			sec = 59;	/* a leap second: close enough */
	}
	if (*s == 'Z' || *s == 'z') {
		have_offset = 1;
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s == '-' ? -1 : 1;
		s++;
		if (parse_digits(&s, 2, &oh))
			return -1;
		if (*s == ':')
			s++;
		if (*s == '\0')
			om = 0;
		else if (parse_digits(&s, 2, &om))
			return -1;
		if (oh > 18 || om > 59)
			return -1;
		offset = sign * (oh * 3600L + om * 60L);
		have_offset = 1;
	}
	while (isspace((unsigned char)*s))
		s++;
	if (*s != '\0')
		return -1;
	if (have_offset) {
		*out = (time_t)(util_days_from_civil(y, mo, d) * 86400LL +
		    h * 3600LL + mi * 60LL + sec - offset);
		return 0;
	}
	if (tz != NULL && !util_tz_valid(tz))
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	t = util_mktime(&tm, tz);
	if (t == (time_t)-1)
		return -1;
	*out = t;
	return 0;
}

void
util_format_utc(time_t t, char *out, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

long long
util_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Frees a NULL-terminated vector of strings and the strings. */
void
strv_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* Appends s (taken) to the NULL-terminated vector *v of *n strings. */
void
strv_add(char ***v, size_t *n, char *s)
{
	*v = xreallocarray(*v, *n + 2, sizeof **v);
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

/* Frees a vector whose strings may hold a password: wipes them first. */
void
strv_wipe(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		explicit_bzero(v[i], strlen(v[i]));
	strv_free(v);
}

int
util_no_core(void)
{
	struct rlimit rl = { 0, 0 };
	const char *keep = getenv("MAINTOP_DUMPABLE");

	if (keep != NULL && strcmp(keep, "1") == 0)
		return 0;	/* debugging maintop itself, knowingly */
	if (setrlimit(RLIMIT_CORE, &rl) != 0)
		return -1;
	return prctl(PR_SET_DUMPABLE, 0L, 0L, 0L, 0L);
}

void
util_kv_add(const char ***kw, const char ***val, size_t *n, const char *k,
    const char *v)
{
	*kw = xreallocarray(*kw, *n + 2, sizeof **kw);
	*val = xreallocarray(*val, *n + 2, sizeof **val);
	(*kw)[*n] = k;
	(*val)[*n] = v;
	(*n)++;
	(*kw)[*n] = NULL;
	(*val)[*n] = NULL;
}
