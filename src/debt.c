/* Technical debt: parsing and checking items, the priority score and order,
 * the debt file in the state directory, and the editable store. */
#include "debt.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "check.h"
#include "config.h"
#include "fileio.h"
#include "journal.h"

#define DEBT_ID_MAX	32
#define DEBT_TITLE_MAX	256
#define DEBT_TEXT_MAX	16384

static const char *const debt_keys[] = {
	"id", "title", "description", "priority", "systems", "effort",
	"impact", "plan", "owner", "created", "target", "status", "resolved",
	NULL
};

static const char *const file_keys[] = {
	"version", "next_id", "debt", NULL
};

static const char *
settings_tz(const struct settings *s)
{
	return s != NULL ? s->timezone : NULL;
}

/* ------------------------------------------------------------------ */
/* Names. */

const char *
debt_priority_name(enum debt_priority p)
{
	switch (p) {
	case DEBT_HIGH:
		return "high";
	case DEBT_MEDIUM:
		return "medium";
	case DEBT_LOW:
		return "low";
	}
	return "medium";
}

int
debt_priority_from_name(const char *s)
{
	if (s == NULL)
		return -1;
	if (strcasecmp(s, "high") == 0)
		return DEBT_HIGH;
	if (strcasecmp(s, "medium") == 0)
		return DEBT_MEDIUM;
	if (strcasecmp(s, "low") == 0)
		return DEBT_LOW;
	return -1;
}

const char *
debt_status_name(enum debt_status s)
{
	return s == DEBT_RESOLVED ? "resolved" : "open";
}

/* ------------------------------------------------------------------ */
/* Dates. */

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static long long
civil_days(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The calendar day (days since the epoch) that t falls on in zone tz. */
static long long
day_number(time_t t, const char *tz)
{
	struct tm tm;

	if (util_localtime(t, tz, &tm) != 0 && gmtime_r(&t, &tm) == NULL)
		return 0;
	return civil_days(tm.tm_year + 1900LL, tm.tm_mon + 1, tm.tm_mday);
}

int
debt_parse_date(const char *s, const char *tz, time_t *out)
{
	static const char shape[] = "dddd-dd-dd";
	size_t i;

	if (s == NULL || strlen(s) != sizeof shape - 1)
		return -1;
	for (i = 0; i < sizeof shape - 1; i++) {
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') :
		    s[i] != shape[i])
			return -1;
	}
	return util_parse_iso8601(s, tz, out);
}

void
debt_format_date(time_t t, const char *tz, char *out, size_t len)
{
	struct tm tm;

	if (util_localtime(t, tz, &tm) != 0)
		gmtime_r(&t, &tm);
	if (strftime(out, len, "%Y-%m-%d", &tm) == 0 && len > 0)
		out[0] = '\0';
}

/* The start of the day now falls on, in tz. */
static time_t
today(time_t now, const char *tz)
{
	char d[16];
	time_t t;

	debt_format_date(now, tz, d, sizeof d);
	if (debt_parse_date(d, tz, &t) != 0)
		return now;
	return t;
}

/* ------------------------------------------------------------------ */
/* Items. */

void
debt_item_free(struct debt_item *d)
{
	if (d == NULL)
		return;
	free(d->id);
	free(d->title);
	free(d->description);
	cfg_strlist_free(d->systems, d->nsystems);
	free(d->impact);
	free(d->plan);
	free(d->owner);
	free(d->file);
	free(d);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

struct debt_item *
debt_item_copy(const struct debt_item *d)
{
	struct debt_item *c;
	size_t i;

	c = xcalloc(1, sizeof *c);
	*c = *d;
	c->id = dup_or_null(d->id);
	c->title = dup_or_null(d->title);
	c->description = dup_or_null(d->description);
	c->systems = xcalloc(d->nsystems + 1, sizeof *c->systems);
	for (i = 0; i < d->nsystems; i++)
		c->systems[i] = xstrdup(d->systems[i]);
	c->impact = dup_or_null(d->impact);
	c->plan = dup_or_null(d->plan);
	c->owner = dup_or_null(d->owner);
	c->file = dup_or_null(d->file);
	return c;
}

/* Length of the valid UTF-8 sequence at s, or 0 when it is not one. */
static size_t
utf8_len(const unsigned char *s)
{
	unsigned int c = s[0];
	size_t n, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;
		if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return n;
}

/*
 * Why s is not acceptable text, or NULL.  Only newline and tab are allowed
 * among the controls (and only when multiline); C1 controls (U+0080 to
 * U+009F) are refused too, since some terminals obey them.
 */
static const char *
text_problem(const char *s, int multiline, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	if (strlen(s) > max)
		return "is too long";
	while (*p != '\0') {
		if (*p < 0x20 || *p == 0x7f) {
			if (!(multiline && (*p == '\n' || *p == '\t')))
				return "contains a control character";
		}
		n = utf8_len(p);
		if (n == 0)
			return "is not valid UTF-8";
		if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0)
			return "contains a control character";
		p += n;
	}
	return NULL;
}

static int
id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > DEBT_ID_MAX)
		return 0;
	return strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-") == n;
}

int
debt_item_check(const struct debt_item *d, char **cause)
{
	static const struct {
		const char	*name;
		size_t		 offset;
		int		 multiline;
		size_t		 max;
	} fields[] = {
		{ "title", offsetof(struct debt_item, title), 0,
		    DEBT_TITLE_MAX },
		{ "owner", offsetof(struct debt_item, owner), 0,
		    DEBT_TITLE_MAX },
		{ "description", offsetof(struct debt_item, description), 1,
		    DEBT_TEXT_MAX },
		{ "impact", offsetof(struct debt_item, impact), 1,
		    DEBT_TEXT_MAX },
		{ "plan", offsetof(struct debt_item, plan), 1, DEBT_TEXT_MAX },
	};
	const char *why, *v;
	size_t i, j;

	if (d->id != NULL && !id_valid(d->id)) {
		*cause = xstrdup("an id is 1 to 32 letters, digits, '.', '_' "
		    "or '-'");
		return -1;
	}
	if (d->title == NULL || d->title[strspn(d->title, " \t")] == '\0') {
		*cause = xstrdup("the title is empty");
		return -1;
	}
	for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		v = *(char *const *)((const char *)d + fields[i].offset);
		if (v == NULL)
			continue;
		why = text_problem(v, fields[i].multiline, fields[i].max);
		if (why != NULL) {
			*cause = xasprintf("the %s %s", fields[i].name, why);
			return -1;
		}
	}
	if ((unsigned int)d->priority > DEBT_LOW) {
		*cause = xstrdup("the priority must be high, medium or low");
		return -1;
	}
	for (i = 0; i < d->nsystems; i++) {
		if (*d->systems[i] == '\0') {
			*cause = xstrdup("a system name is empty");
			return -1;
		}
		why = text_problem(d->systems[i], 0, DEBT_TITLE_MAX);
		if (why != NULL) {
			*cause = xasprintf("the system name %s", why);
			return -1;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(d->systems[i], d->systems[j]) == 0) {
				*cause = xasprintf("system '%s' is listed "
				    "twice", d->systems[i]);
				return -1;
			}
		}
	}
	if (d->effort < 0) {
		*cause = xstrdup("the effort is negative");
		return -1;
	}
	if (d->status == DEBT_RESOLVED && d->resolved == 0) {
		*cause = xstrdup("a resolved item needs a resolved date");
		return -1;
	}
	if (d->status == DEBT_OPEN && d->resolved != 0) {
		*cause = xstrdup("an open item has no resolved date");
		return -1;
	}
	return 0;
}

/* A string member checked as text; returns as cfg_str does. */
static int
get_text(struct cfg_errors *e, const config_setting_t *g, const char *key,
    int required, int multiline, size_t max, char **out)
{
	const char *why;
	char *v = NULL;
	int r;

	r = cfg_str(e, g, key, required, &v);
	if (r != 1)
		return r;
	why = text_problem(v, multiline, max);
	if (why != NULL) {
		cfg_err(e, config_setting_get_member(g, key), "'%s' %s", key,
		    why);
		free(v);
		return -1;
	}
	*out = v;
	return 1;
}

static int
get_date(struct cfg_errors *e, const config_setting_t *g, const char *key,
    const char *tz, time_t *out)
{
	char *v = NULL;
	int r;

	r = cfg_str(e, g, key, 0, &v);
	if (r != 1)
		return r;
	if (debt_parse_date(v, tz, out) != 0) {
		cfg_err(e, config_setting_get_member(g, key), "'%s' is not a "
		    "date: \"%.40s\" (use YYYY-MM-DD, e.g. \"2026-03-31\")",
		    key, v);
		free(v);
		return -1;
	}
	free(v);
	return 1;
}

struct debt_item *
debt_item_parse(struct cfg_errors *e, const config_setting_t *g,
    const struct settings *settings)
{
	const char *tz = settings_tz(settings);
	struct debt_item *d;
	size_t before = e->nerrors, i, j;
	char *s = NULL;
	int p;

	if (g == NULL || !config_setting_is_group(g)) {
		cfg_err(e, g, "a debt item must be a group { id = ...; "
		    "title = ...; }");
		return NULL;
	}
	cfg_check_keys(e, g, debt_keys, "debt item");
	d = xcalloc(1, sizeof *d);
	d->source = DEBT_SOURCE_CONFIG;
	d->line = cfg_line(g);
	d->file = dup_or_null(cfg_file(g));

	if (cfg_str(e, g, "id", 1, &d->id) == 1 && !id_valid(d->id))
		cfg_err(e, config_setting_get_member(g, "id"), "id \"%.40s\" "
		    "is not valid: use 1 to 32 letters, digits, '.', '_' or "
		    "'-'", d->id);
	if (get_text(e, g, "title", 1, 0, DEBT_TITLE_MAX, &d->title) == 1 &&
	    d->title[strspn(d->title, " \t")] == '\0')
		cfg_err(e, config_setting_get_member(g, "title"), "'title' is "
		    "empty");
	get_text(e, g, "description", 0, 1, DEBT_TEXT_MAX, &d->description);
	get_text(e, g, "impact", 0, 1, DEBT_TEXT_MAX, &d->impact);
	get_text(e, g, "plan", 0, 1, DEBT_TEXT_MAX, &d->plan);
	get_text(e, g, "owner", 0, 0, DEBT_TITLE_MAX, &d->owner);

	if (cfg_str(e, g, "priority", 1, &s) == 1) {
		p = debt_priority_from_name(s);
		if (p < 0)
			cfg_err(e, config_setting_get_member(g, "priority"),
			    "'priority' is \"%.20s\": use \"high\", \"medium\" "
			    "or \"low\"", s);
		else
			d->priority = (enum debt_priority)p;
		free(s);
		s = NULL;
	}

	if (cfg_strlist(e, g, "systems", 0, &d->systems, &d->nsystems) == 1) {
		for (i = 0; i < d->nsystems; i++) {
			const char *why = text_problem(d->systems[i], 0,
			    DEBT_TITLE_MAX);

			if (*d->systems[i] == '\0')
				why = "is empty";
			if (why != NULL) {
				cfg_err(e, config_setting_get_member(g,
				    "systems"), "system %zu %s", i + 1, why);
				break;
			}
			for (j = 0; j < i; j++)
				if (strcmp(d->systems[i], d->systems[j]) == 0)
					break;
			if (j < i) {
				cfg_err(e, config_setting_get_member(g,
				    "systems"), "system '%s' is listed twice",
				    d->systems[i]);
				break;
			}
		}
	}
	cfg_duration(e, g, "effort", 0, 0, &d->effort);

	get_date(e, g, "created", tz, &d->created);
	get_date(e, g, "target", tz, &d->target);
	get_date(e, g, "resolved", tz, &d->resolved);
	if (cfg_str(e, g, "status", 0, &s) == 1) {
		if (strcasecmp(s, "open") == 0)
			d->status = DEBT_OPEN;
		else if (strcasecmp(s, "resolved") == 0)
			d->status = DEBT_RESOLVED;
		else
			cfg_err(e, config_setting_get_member(g, "status"),
			    "'status' is \"%.20s\": use \"open\" or "
			    "\"resolved\"", s);
		free(s);
	}
	if (e->nerrors == before) {
		if (d->status == DEBT_RESOLVED && d->resolved == 0)
			cfg_err(e, g, "debt item '%s' is resolved but has no "
			    "'resolved' date", d->id);
		else if (d->status == DEBT_OPEN && d->resolved != 0)
			cfg_err(e, config_setting_get_member(g, "resolved"),
			    "debt item '%s' has a 'resolved' date but its "
			    "status is open", d->id);
	}
	if (e->nerrors != before) {
		debt_item_free(d);
		return NULL;
	}
	return d;
}

void
debt_resolve(const struct config *c, struct cfg_errors *e)
{
	const struct debt_item *d;
	const char **names, *sugg;
	size_t i, j, k;

	/* Only check names are needed, so the check list is read directly. */
	names = xcalloc(c->nchecks + 1, sizeof *names);
	for (k = 0; k < c->nchecks; k++)
		names[k] = c->checks[k]->name;
	for (i = 0; i < c->ndebt; i++) {
		d = c->debt[i];
		for (j = 0; j < d->nsystems; j++) {
			for (k = 0; k < c->nchecks; k++)
				if (strcmp(names[k], d->systems[j]) == 0)
					break;
			if (k < c->nchecks)
				continue;
			sugg = cfg_suggest(d->systems[j], names);
			cfg_err_at(e, d->file != NULL ? d->file : c->path,
			    d->line, 1, "debt item '%s': "
			    "system '%s' is not a configured check%s%s%s (kept, "
			    "but it will not link to health)", d->id,
			    d->systems[j], sugg != NULL ? " (did you mean '" :
			    "", sugg != NULL ? sugg : "", sugg != NULL ? "'?)" :
			    "");
		}
	}
	free(names);
}

/* ------------------------------------------------------------------ */
/* Score and order. */

int
debt_days_until(const struct debt_item *d, time_t now, const char *tz,
    long long *days)
{
	if (d->target == 0)
		return -1;
	*days = day_number(d->target, tz) - day_number(now, tz);
	return 0;
}

/* The score in thirtieths of a point, so that comparisons are exact. */
static long long
score_units(const struct debt_item *d, time_t now, const char *tz,
    long long *urgency)
{
	static const long long weight[] = { 5, 3, 1 };
	long long days, u = 0;

	if (debt_days_until(d, now, tz, &days) == 0 && days < 90)
		u = 90 - days;
	*urgency = u;
	return weight[d->priority <= DEBT_LOW ? d->priority : DEBT_MEDIUM] * 30 +
	    15 * (long long)d->nsystems + u;
}

struct debt_score
debt_score(const struct debt_item *d, time_t now, const char *tz)
{
	struct debt_score s;
	long long u, units;

	units = score_units(d, now, tz, &u);
	s.weight = d->priority == DEBT_HIGH ? 5 :
	    d->priority == DEBT_LOW ? 1 : 3;
	s.systems = 0.5 * (double)d->nsystems;
	s.urgency = (double)u / 30.0;
	s.total = (double)units / 30.0;
	return s;
}

struct sort_key {
	struct debt_item	*d;
	long long		 units;
};

static int
sort_cmp(const void *a, const void *b)
{
	const struct sort_key *x = a, *y = b;

	if (x->units != y->units)
		return x->units > y->units ? -1 : 1;
	if (x->d->created != y->d->created)
		return x->d->created < y->d->created ? -1 : 1;
	return strcmp(x->d->id, y->d->id);
}

void
debt_sort(struct debt_item **v, size_t n, time_t now, const char *tz)
{
	struct sort_key *k;
	long long u;
	size_t i;

	if (n < 2)
		return;
	k = xcalloc(n, sizeof *k);
	for (i = 0; i < n; i++) {
		k[i].d = v[i];
		k[i].units = score_units(v[i], now, tz, &u);
	}
	qsort(k, n, sizeof *k, sort_cmp);
	for (i = 0; i < n; i++)
		v[i] = k[i].d;
	free(k);
}

/* ------------------------------------------------------------------ */
/* The debt file. */

void
debt_list_free(struct debt_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		debt_item_free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
	l->next_id = 1;
}

static void
list_add(struct debt_list *l, struct debt_item *d)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = d;
}

static void
list_copy(struct debt_list *to, const struct debt_list *from)
{
	size_t i;

	to->v = NULL;
	to->n = 0;
	for (i = 0; i < from->n; i++)
		list_add(to, debt_item_copy(from->v[i]));
	to->next_id = from->next_id;
}

/* The number in a generated id ("D-0042" is 42), or 0 for other ids. */
static long long
id_number(const char *id)
{
	char *end;
	long long n;

	if (id[0] != 'D' || id[1] != '-' || id[2] < '0' || id[2] > '9')
		return 0;
	errno = 0;
	n = strtoll(id + 2, &end, 10);
	if (*end != '\0' || errno != 0 || n > 999999999)
		return 0;
	return n;
}

/* The line number of offset off in text (1-based). */
static int
line_at(const char *text, size_t off)
{
	size_t i;
	int line = 1;

	for (i = 0; i < off; i++)
		if (text[i] == '\n')
			line++;
	return line;
}

/* Copies errors from one list to another, naming the file where unknown. */
static void
move_errors(struct cfg_errors *to, struct cfg_errors *from, const char *name)
{
	size_t i;

	for (i = 0; i < from->n; i++)
		cfg_err_at(to, from->v[i].file != NULL ? from->v[i].file :
		    name, from->v[i].line, from->v[i].warning, "%s",
		    from->v[i].msg);
	cfg_errors_free(from);
}

/* Refuses what libconfig would do but a data file must not: NUL bytes
 * (libconfig would stop reading there) and @include (read other files). */
static int
prescan(const char *text, size_t len, const char *name, struct cfg_errors *e)
{
	const char *nul, *p, *end = text + len;

	nul = memchr(text, '\0', len);
	if (nul != NULL) {
		cfg_err_at(e, name, line_at(text, (size_t)(nul - text)), 0,
		    "the file contains a NUL byte: not a debt file");
		return -1;
	}
	for (p = text; p < end; p++) {
		if (p != text && p[-1] != '\n')
			continue;
		p += strspn(p, " \t");
		if (strncmp(p, "@include", 8) == 0) {
			cfg_err_at(e, name, line_at(text, (size_t)(p - text)),
			    0, "@include is not allowed in the debt file");
			return -1;
		}
	}
	return 0;
}

int
debt_file_parse(const char *text, size_t len, const char *name,
    const struct settings *settings, struct debt_list *out,
    struct cfg_errors *errs)
{
	struct cfg_errors local = { 0 };
	const config_setting_t *root, *list, *el;
	struct debt_list l = { NULL, 0, 1 };
	struct debt_item *d;
	long long version, next = 0, maxn = 0;
	config_t lc;
	size_t j;
	int n, k, failed;

	out->v = NULL;
	out->n = 0;
	out->next_id = 1;
	if (prescan(text, len, name, errs) != 0)
		return -1;

	config_init(&lc);
	if (config_read_string(&lc, text) != CONFIG_TRUE) {
		cfg_err_at(errs, name, config_error_line(&lc), 0, "%s",
		    config_error_text(&lc) != NULL ? config_error_text(&lc) :
		    "syntax error");
		config_destroy(&lc);
		return -1;
	}
	root = config_root_setting(&lc);
	cfg_check_keys(&local, root, file_keys, "the debt file");
	/* Only version 1 exists; a later one is refused, not misread. */
	cfg_int(&local, root, "version", 0, 1, 1, &version);
	cfg_int(&local, root, "next_id", 0, 1, 999999999, &next);
	list = cfg_list(&local, root, "debt");
	n = list != NULL ? config_setting_length(list) : 0;
	for (k = 0; k < n; k++) {
		el = config_setting_get_elem(list, (unsigned int)k);
		d = debt_item_parse(&local, el, settings);
		if (d == NULL)
			continue;
		d->source = DEBT_SOURCE_STATE;
		free(d->file);
		d->file = xstrdup(name);
		for (j = 0; j < l.n; j++) {
			if (strcmp(l.v[j]->id, d->id) == 0)
				break;
		}
		if (j < l.n) {
			cfg_err(&local, el, "duplicate debt id '%s' (first "
			    "at line %d)", d->id, l.v[j]->line);
			debt_item_free(d);
			continue;
		}
		if (id_number(d->id) > maxn)
			maxn = id_number(d->id);
		list_add(&l, d);
	}
	config_destroy(&lc);

	failed = local.nerrors != 0;
	move_errors(errs, &local, name);
	if (failed) {
		debt_list_free(&l);
		return -1;
	}
	l.next_id = next > maxn ? next : maxn + 1;
	*out = l;
	return 0;
}

/* Reads fd whole (at most DEBT_FILE_MAX bytes) and notes what it was. */
static int
read_fd(int fd, const char *path, char **data, size_t *len,
    struct debt_fileid *id, char **cause)
{
	struct stat st;
	size_t have = 0, cap;
	unsigned int mdlen;
	ssize_t r;
	char *p;

	if (fstat(fd, &st) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		*cause = xasprintf("%s: not a regular file", path);
		return -1;
	}
	if (st.st_size > DEBT_FILE_MAX) {
		*cause = xasprintf("%s: too large (%jd bytes, at most %d): "
		    "not a debt file", path, (intmax_t)st.st_size,
		    DEBT_FILE_MAX);
		return -1;
	}
	cap = (size_t)st.st_size + 1;
	p = xmalloc(cap + 1);
	for (;;) {
		if (have == cap) {
			if (cap > DEBT_FILE_MAX) {
				free(p);
				*cause = xasprintf("%s: too large (more than "
				    "%d bytes)", path, DEBT_FILE_MAX);
				return -1;
			}
			cap *= 2;
			p = xreallocarray(p, cap + 1, 1);
		}
		r = read(fd, p + have, cap - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*cause = xasprintf("%s: read: %s", path,
			    strerror(errno));
			free(p);
			return -1;
		}
		if (r == 0)
			break;
		have += (size_t)r;
	}
	p[have] = '\0';
	memset(id, 0, sizeof *id);
	id->exists = 1;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->size = st.st_size;
	id->mtim = st.st_mtim;
	EVP_Digest(p, have, id->hash, &mdlen, EVP_sha256(), NULL);
	*data = p;
	*len = have;
	return 0;
}

/* Opens and reads path: 1 when read, 0 when missing, -1 on error. */
static int
read_file(const char *path, char **data, size_t *len, struct debt_fileid *id,
    char **cause)
{
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT) {
			memset(id, 0, sizeof *id);
			return 0;
		}
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	r = read_fd(fd, path, data, len, id, cause);
	close(fd);
	return r == 0 ? 1 : -1;
}

int
debt_file_load(const char *path, const struct settings *settings,
    struct debt_list *list, struct debt_fileid *id, struct cfg_errors *errs)
{
	struct debt_fileid fid;
	char *data = NULL, *cause = NULL;
	size_t len;
	int r;

	list->v = NULL;
	list->n = 0;
	list->next_id = 1;
	r = read_file(path, &data, &len, &fid, &cause);
	if (r < 0) {
		cfg_err_at(errs, NULL, 0, 0, "%s", cause);
		free(cause);
		return -1;
	}
	if (r == 1) {
		r = debt_file_parse(data, len, path, settings, list, errs);
		free(data);
		if (r != 0)
			return -1;
	}
	if (id != NULL)
		*id = fid;
	return 0;
}

/* Appends s as a libconfig string literal. */
static void
add_str(struct buf *b, const char *s)
{
	buf_quote(b, s, 0);
}

static void
add_member(struct buf *b, const char *key, const char *value)
{
	if (value == NULL)
		return;
	buf_printf(b, "    %s = ", key);
	add_str(b, value);
	buf_adds(b, ";\n");
}

static void
add_date(struct buf *b, const char *key, time_t t, const char *tz)
{
	char d[32];

	if (t == 0)
		return;
	debt_format_date(t, tz, d, sizeof d);
	add_member(b, key, d);
}

/* An exact duration ("1d2h3m4s") that util_parse_duration reads back. */
static void
add_effort(struct buf *b, long long secs)
{
	static const struct {
		char		unit;
		long long	size;
	} units[] = { { 'd', 86400 }, { 'h', 3600 }, { 'm', 60 }, { 's', 1 } };
	size_t i;

	if (secs <= 0)
		return;
	buf_adds(b, "    effort = \"");
	for (i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (secs >= units[i].size) {
			buf_printf(b, "%lld%c", secs / units[i].size,
			    units[i].unit);
			secs %= units[i].size;
		}
	}
	buf_adds(b, "\";\n");
}

char *
debt_file_format(const struct debt_list *l, const struct settings *settings)
{
	const char *tz = settings_tz(settings);
	const struct debt_item *d;
	struct buf b;
	size_t i, j;

	buf_init(&b);
	buf_adds(&b, "# maintop's technical-debt list, written by maintop.  "
	    "Hand edits are fine:\n# maintop notices them before it saves "
	    "and reloads instead of overwriting.\n");
	buf_printf(&b, "version = 1;\nnext_id = %lld;\ndebt = (", l->next_id);
	for (i = 0; i < l->n; i++) {
		d = l->v[i];
		buf_adds(&b, i == 0 ? "\n  {\n" : ",\n  {\n");
		add_member(&b, "id", d->id);
		add_member(&b, "title", d->title);
		add_member(&b, "priority", debt_priority_name(d->priority));
		add_member(&b, "status", debt_status_name(d->status));
		if (d->nsystems > 0) {
			buf_adds(&b, "    systems = [ ");
			for (j = 0; j < d->nsystems; j++) {
				if (j > 0)
					buf_adds(&b, ", ");
				add_str(&b, d->systems[j]);
			}
			buf_adds(&b, " ];\n");
		}
		add_date(&b, "created", d->created, tz);
		add_date(&b, "target", d->target, tz);
		add_date(&b, "resolved", d->resolved, tz);
		add_member(&b, "owner", d->owner);
		add_effort(&b, d->effort);
		add_member(&b, "description", d->description);
		add_member(&b, "impact", d->impact);
		add_member(&b, "plan", d->plan);
		buf_adds(&b, "  }");
	}
	buf_adds(&b, l->n > 0 ? "\n);\n" : ");\n");
	return buf_detach(&b);
}

/* Writes text atomically to path and describes the result in *id. */
static int
save_text(const char *path, const char *text, struct debt_fileid *id,
    char **cause)
{
	struct stat st;
	unsigned int mdlen;
	size_t len = strlen(text);

	if (fileio_write_atomic(path, text, len, 0600, cause) != 0)
		return -1;
	if (id != NULL) {
		memset(id, 0, sizeof *id);
		id->exists = 1;
		if (stat(path, &st) == 0) {
			id->dev = st.st_dev;
			id->ino = st.st_ino;
			id->size = st.st_size;
			id->mtim = st.st_mtim;
		}
		EVP_Digest(text, len, id->hash, &mdlen, EVP_sha256(), NULL);
	}
	return 0;
}

int
debt_file_save(const char *path, const struct debt_list *l,
    const struct settings *settings, struct debt_fileid *id, char **cause)
{
	char *text;
	int r;

	text = debt_file_format(l, settings);
	r = save_text(path, text, id, cause);
	free(text);
	return r;
}

int
debt_file_changed(const char *path, const struct debt_fileid *id,
    char **cause)
{
	struct debt_fileid now;
	char *data = NULL;
	size_t len;
	int r;

	r = read_file(path, &data, &len, &now, cause);
	if (r < 0)
		return -1;
	free(data);
	if (r == 0)
		return id->exists ? 1 : 0;
	if (!id->exists)
		return 1;
	return memcmp(now.hash, id->hash, sizeof now.hash) != 0;
}

/* ------------------------------------------------------------------ */
/* The store. */

/*
 * One save in flight on its own thread.  The thread reads only the "in"
 * fields, copied before it starts, and writes only the "out" ones; the
 * rest stays with the loop for the completion.
 */
struct debt_save {
	/* In. */
	char			*path;
	char			*journal;
	char			*text;		/* the new file */
	char			*line;		/* the journal record, or NULL */
	struct debt_fileid	 fid;		/* the file as last read */
	int			 nowait;
	/* Out. */
	int			 result;	/* 0 saved, 1 changed, -1 */
	char			*cause;
	char			*jcause;
	struct debt_fileid	 newfid;
	/* The loop's. */
	struct debt_list	 next;
	char			*action;
	char			*id;
	int			 is_undo;
	pthread_t		 thread;
	int			 pipe[2];
	struct event		*ev;
};

static void save_free(struct debt_save *);

struct debt_store {
	char			*path;
	char			*journal;
	const struct config	*cfg;
	int			 read_only;
	int			 nowait;	/* never wait for the lock */

	/* Saving on a thread (the dashboard): see debt_store_set_async. */
	struct event_base	*base;
	debt_done_cb		 done;
	void			*done_arg;
	struct debt_save	*save;		/* the save in flight */
	char			*broken;	/* why the file cannot be used */

	struct debt_list	 list;
	struct debt_fileid	 fid;

	int			 has_undo;
	struct debt_list	 undo;
	char			*undo_action;
	char			*undo_id;
};

void
debt_store_set_nowait(struct debt_store *st, int nowait)
{
	st->nowait = nowait;
}

void
debt_store_set_async(struct debt_store *st, struct event_base *base,
    debt_done_cb done, void *arg)
{
	st->base = base;
	st->done = done;
	st->done_arg = arg;
}

int
debt_store_saving(const struct debt_store *st)
{
	return st->save != NULL;
}

static const struct settings *
store_settings(const struct debt_store *st)
{
	return st->cfg != NULL ? &st->cfg->settings : NULL;
}

static const char *
store_tz(const struct debt_store *st)
{
	return settings_tz(store_settings(st));
}

static void
drop_undo(struct debt_store *st)
{
	if (st->has_undo)
		debt_list_free(&st->undo);
	st->has_undo = 0;
	free(st->undo_action);
	free(st->undo_id);
	st->undo_action = st->undo_id = NULL;
}

static struct debt_item *
config_item(const struct debt_store *st, const char *id)
{
	size_t i;

	if (st->cfg == NULL)
		return NULL;
	for (i = 0; i < st->cfg->ndebt; i++)
		if (strcmp(st->cfg->debt[i]->id, id) == 0)
			return st->cfg->debt[i];
	return NULL;
}

/* The file a configuration item came from, for messages. */
static const char *
config_item_file(const struct debt_store *st, const struct debt_item *c)
{
	if (c->file != NULL)
		return c->file;
	if (st->cfg != NULL && st->cfg->path != NULL)
		return st->cfg->path;
	return "the configuration file";
}

int
debt_store_reload(struct debt_store *st, struct cfg_errors *errs)
{
	struct debt_list l;
	struct debt_fileid fid;
	struct cfg_errors local = { 0 };
	const struct debt_item *c;
	size_t i;
	char *first;

	drop_undo(st);
	debt_list_free(&st->list);
	free(st->broken);
	st->broken = NULL;
	if (debt_file_load(st->path, store_settings(st), &l, &fid,
	    &local) == 0) {
		for (i = 0; i < l.n; i++) {
			c = config_item(st, l.v[i]->id);
			if (c == NULL)
				continue;
			cfg_err_at(&local, st->path, l.v[i]->line, 0, "debt id "
			    "'%s' is already used in the configuration "
			    "(%s:%d)", l.v[i]->id, config_item_file(st, c),
			    c->line);
		}
		if (local.nerrors == 0) {
			st->list = l;
			st->fid = fid;
			move_errors(errs, &local, st->path);
			return 0;
		}
		debt_list_free(&l);
	}
	/* Keep nothing from a file that does not load: never save over it. */
	first = NULL;
	for (i = 0; i < local.n && first == NULL; i++)
		if (!local.v[i].warning)
			first = cfg_error_format(&local.v[i]);
	st->broken = xasprintf("the debt file has errors; fix it first (%s)",
	    first != NULL ? first : st->path);
	free(first);
	move_errors(errs, &local, st->path);
	return -1;
}

struct debt_store *
debt_store_open(const char *path, const char *journal,
    const struct config *cfg, int read_only, struct cfg_errors *errs)
{
	struct debt_store *st;

	st = xcalloc(1, sizeof *st);
	st->path = xstrdup(path);
	st->journal = dup_or_null(journal);
	st->cfg = cfg;
	st->read_only = read_only;
	st->list.next_id = 1;
	debt_store_reload(st, errs);
	return st;
}

void
debt_store_free(struct debt_store *st)
{
	if (st == NULL)
		return;
	if (st->save != NULL) {
		/* Let the save in flight finish: it is milliseconds. */
		pthread_join(st->save->thread, NULL);
		save_free(st->save);
	}
	drop_undo(st);
	debt_list_free(&st->list);
	free(st->broken);
	free(st->path);
	free(st->journal);
	free(st);
}

const char *
debt_store_refusal(const struct debt_store *st)
{
	if (st->read_only)
		return "read-only mode";
	return st->broken;
}

int
debt_store_can_undo(const struct debt_store *st)
{
	return st->has_undo && debt_store_refusal(st) == NULL;
}

size_t
debt_store_list(struct debt_store *st, time_t now, int all,
    struct debt_item ***out)
{
	struct debt_item **v;
	size_t n = 0, i, total;

	total = st->list.n + (st->cfg != NULL ? st->cfg->ndebt : 0);
	v = xcalloc(total + 1, sizeof *v);
	for (i = 0; st->cfg != NULL && i < st->cfg->ndebt; i++)
		if (all || st->cfg->debt[i]->status == DEBT_OPEN)
			v[n++] = st->cfg->debt[i];
	for (i = 0; i < st->list.n; i++)
		if (all || st->list.v[i]->status == DEBT_OPEN)
			v[n++] = st->list.v[i];
	debt_sort(v, n, now, store_tz(st));
	*out = v;
	return n;
}

const struct debt_item *
debt_store_find(const struct debt_store *st, const char *id)
{
	size_t i;

	for (i = 0; i < st->list.n; i++)
		if (strcmp(st->list.v[i]->id, id) == 0)
			return st->list.v[i];
	return config_item(st, id);
}

/* Index of id among the file's items, or -1 with *cause saying why. */
static ssize_t
file_index(const struct debt_store *st, const char *id, char **cause)
{
	const struct debt_item *c;
	size_t i;

	for (i = 0; i < st->list.n; i++)
		if (strcmp(st->list.v[i]->id, id) == 0)
			return (ssize_t)i;
	c = config_item(st, id);
	if (c != NULL)
		*cause = xasprintf("debt item '%s' comes from the configuration "
		    "(%s:%d): edit it there", id, config_item_file(st, c),
		    c->line);
	else
		*cause = xasprintf("no debt item '%s'", id);
	return -1;
}

/* Takes the lock that serializes savers of path (other maintops). */
static int
lock_file(const char *path, int nowait, char **cause)
{
	char *lock;
	int fd, tries;

	lock = xasprintf("%s.lock", path);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		*cause = xasprintf("%s: %s", lock, strerror(errno));
		free(lock);
		return -1;
	}
	/*
	 * A save takes milliseconds; the command line waits up to about
	 * 3 s for another, the dashboard not at all.
	 */
	for (tries = 0; flock(fd, LOCK_EX | LOCK_NB) != 0; tries++) {
		if ((errno != EWOULDBLOCK && errno != EINTR) || tries >= 300 ||
		    (nowait && errno == EWOULDBLOCK)) {
			*cause = xasprintf("%s: cannot lock: %s", lock,
			    errno == EWOULDBLOCK ? "another maintop is saving"
			    "; nothing was changed, try again" :
			    strerror(errno));
			close(fd);
			free(lock);
			return -1;
		}
		usleep(10000);
	}
	free(lock);
	return fd;
}

/* The journal record of a change (caller frees), or NULL: no journal. */
static char *
journal_line(struct debt_store *st, const char *action, const char *id,
    const char *title, const char *extra, time_t now)
{
	struct buf b;
	char when[32];

	if (st->journal == NULL)
		return NULL;
	util_format_utc(now, when, sizeof when);
	buf_init(&b);
	buf_adds(&b, "{\"type\":\"debt\",\"action\":");
	buf_json_str(&b, action);
	buf_adds(&b, ",\"id\":");
	buf_json_str(&b, id);
	if (title != NULL) {
		buf_adds(&b, ",\"title\":");
		buf_json_str(&b, title);
	}
	if (extra != NULL) {
		buf_adds(&b, ",\"undid\":");
		buf_json_str(&b, extra);
	}
	buf_adds(&b, ",\"file\":");
	buf_json_str(&b, st->path);
	buf_addc(&b, ',');
	journal_who(&b);
	buf_adds(&b, ",\"time\":");
	buf_json_str(&b, when);
	buf_addc(&b, '}');
	return buf_detach(&b);
}

/* The list after a saved change: next (taken) becomes the list. */
static void
apply(struct debt_store *st, struct debt_list *next, const char *action,
    const char *id, int is_undo)
{
	if (is_undo) {
		drop_undo(st);
		debt_list_free(&st->list);
	} else {
		drop_undo(st);
		st->undo = st->list;
		st->has_undo = 1;
		st->undo_action = xstrdup(action);
		st->undo_id = id != NULL ? xstrdup(id) : NULL;
	}
	st->list = *next;
	memset(next, 0, sizeof *next);
}

/* The file changed under us: reload it and say so. */
static char *
changed_reload(struct debt_store *st)
{
	struct cfg_errors errs = { 0 };
	char *cause;

	if (debt_store_reload(st, &errs) == 0)
		cause = xstrdup("debt file changed on disk since it was "
		    "read; reloaded");
	else
		cause = xasprintf("debt file changed on disk since it was "
		    "read; reloaded, but %s", st->broken);
	cfg_errors_free(&errs);
	return cause;
}

static void
save_free(struct debt_save *sv)
{
	if (sv == NULL)
		return;
	if (sv->ev != NULL)
		event_free(sv->ev);
	if (sv->pipe[0] >= 0)
		close(sv->pipe[0]);
	if (sv->pipe[1] >= 0)
		close(sv->pipe[1]);
	debt_list_free(&sv->next);
	free(sv->path);
	free(sv->journal);
	free(sv->text);
	free(sv->line);
	free(sv->cause);
	free(sv->jcause);
	free(sv->action);
	free(sv->id);
	free(sv);
}

/* The thread: lock, check, write, fsync, rename, journal; then a byte on
 * the pipe.  Touches nothing but *sv. */
static void *
save_thread(void *arg)
{
	struct debt_save *sv = arg;
	char *why = NULL, byte = 0;
	int fd, changed;

	sv->result = -1;
	fd = lock_file(sv->path, sv->nowait, &sv->cause);
	if (fd >= 0) {
		changed = debt_file_changed(sv->path, &sv->fid, &why);
		if (changed < 0)
			sv->cause = why;
		else if (changed > 0)
			sv->result = 1;
		else if (save_text(sv->path, sv->text, &sv->newfid,
		    &sv->cause) == 0)
			sv->result = 0;
		close(fd);
		if (sv->result == 0 && sv->line != NULL &&
		    journal_append(sv->journal, sv->line, &sv->jcause) != 0 &&
		    sv->jcause == NULL)
			sv->jcause = xstrdup("failed");
	}
	while (write(sv->pipe[1], &byte, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

/* On the loop: the thread is done; apply its result and report it. */
static void
save_done(evutil_socket_t fd, short what, void *arg)
{
	struct debt_store *st = arg;
	struct debt_save *sv = st->save;
	char *cause = NULL;
	int r;

	pthread_join(sv->thread, NULL);
	st->save = NULL;
	if (sv->result == 1) {
		cause = changed_reload(st);
		r = -1;
	} else if (sv->result < 0) {
		cause = sv->cause;
		sv->cause = NULL;
		r = -1;
	} else {
		st->fid = sv->newfid;
		apply(st, &sv->next, sv->action, sv->id, sv->is_undo);
		r = 0;
		if (sv->jcause != NULL) {
			cause = xasprintf("saved, but not recorded in the "
			    "journal: %s", sv->jcause);
			r = 1;
		}
	}
	save_free(sv);
	if (st->done != NULL)
		st->done(r, cause, st->done_arg);
	else
		free(cause);
}

/* commit on a thread: returns 2 (saving) or -1 with *cause. */
static int
commit_async(struct debt_store *st, struct debt_list *next,
    const char *action, const char *id, const char *title, time_t now,
    int is_undo, char **cause)
{
	struct debt_save *sv;
	sigset_t all, old;
	int e;

	if (st->save != NULL) {
		debt_list_free(next);
		*cause = xstrdup("still saving the last change; try again");
		return -1;
	}
	sv = xcalloc(1, sizeof *sv);
	sv->pipe[0] = sv->pipe[1] = -1;
	sv->path = xstrdup(st->path);
	sv->journal = st->journal != NULL ? xstrdup(st->journal) : NULL;
	sv->text = debt_file_format(next, store_settings(st));
	sv->line = journal_line(st, action, id, title,
	    is_undo ? st->undo_action : NULL, now);
	sv->fid = st->fid;
	sv->nowait = st->nowait;
	sv->next = *next;
	memset(next, 0, sizeof *next);
	sv->action = xstrdup(action);
	sv->id = id != NULL ? xstrdup(id) : NULL;
	sv->is_undo = is_undo;
	if (pipe2(sv->pipe, O_CLOEXEC) != 0) {
		*cause = xasprintf("cannot save: %s", strerror(errno));
		save_free(sv);
		return -1;
	}
	sv->ev = event_new(st->base, sv->pipe[0], EV_READ, save_done, st);
	if (sv->ev == NULL || event_add(sv->ev, NULL) != 0)
		fatal("event_new failed");
	/* The thread takes no signal: the loop's handlers stay its own. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&sv->thread, NULL, save_thread, sv);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		*cause = xasprintf("cannot save: %s", strerror(e));
		save_free(sv);
		return -1;
	}
	st->save = sv;
	return 2;
}

/*
 * Saves next (taking it) in place of the current list if the file has not
 * changed on disk, then keeps the current list as the undo snapshot (unless
 * this is the undo itself) and journals the change.
 */
static int
commit(struct debt_store *st, struct debt_list *next, const char *action,
    const char *id, const char *title, time_t now, int is_undo,
    char **cause)
{
	struct debt_fileid fid;
	char *jcause = NULL, *line, *why = NULL;
	int fd, changed, r = 0;

	if (st->base != NULL)
		return commit_async(st, next, action, id, title, now, is_undo,
		    cause);
	fd = lock_file(st->path, st->nowait, cause);
	if (fd < 0) {
		debt_list_free(next);
		return -1;
	}
	changed = debt_file_changed(st->path, &st->fid, &why);
	if (changed != 0) {
		close(fd);
		debt_list_free(next);
		*cause = changed < 0 ? why : changed_reload(st);
		return -1;
	}
	if (debt_file_save(st->path, next, store_settings(st), &fid,
	    cause) != 0) {
		close(fd);
		debt_list_free(next);
		return -1;
	}
	close(fd);
	st->fid = fid;
	line = journal_line(st, action, id, title,
	    is_undo ? st->undo_action : NULL, now);
	apply(st, next, action, id, is_undo);
	if (line != NULL && journal_append(st->journal, line, &jcause) != 0) {
		*cause = xasprintf("saved, but not recorded in the journal: "
		    "%s", jcause != NULL ? jcause : "failed");
		free(jcause);
		r = 1;
	}
	free(line);
	return r;
}

static int
refused(const struct debt_store *st, char **cause)
{
	const char *why = debt_store_refusal(st);

	if (why == NULL)
		return 0;
	*cause = xstrdup(why);
	return 1;
}

int
debt_store_add(struct debt_store *st, struct debt_item *item, time_t now,
    char **newid, char **cause)
{
	struct debt_list next;
	long long n = st->list.next_id;
	size_t i;
	char *id;
	int r;

	if (refused(st, cause) || debt_item_check(item, cause) != 0) {
		debt_item_free(item);
		return -1;
	}
	if (item->id != NULL && debt_store_find(st, item->id) != NULL) {
		*cause = xasprintf("debt id '%s' is already used", item->id);
		debt_item_free(item);
		return -1;
	}
	list_copy(&next, &st->list);
	if (item->id == NULL) {
		/* Never reuse a number, even one the configuration uses. */
		for (i = 0; st->cfg != NULL && i < st->cfg->ndebt; i++)
			if (id_number(st->cfg->debt[i]->id) >= n)
				n = id_number(st->cfg->debt[i]->id) + 1;
		for (;;) {
			item->id = xasprintf("D-%04lld", n++);
			if (debt_store_find(st, item->id) == NULL)
				break;
			free(item->id);
		}
		next.next_id = n;
	} else if (id_number(item->id) >= next.next_id)
		next.next_id = id_number(item->id) + 1;
	if (item->created == 0)
		item->created = today(now, store_tz(st));
	item->source = DEBT_SOURCE_STATE;
	free(item->file);
	item->file = xstrdup(st->path);
	item->line = 0;
	id = xstrdup(item->id);
	list_add(&next, item);
	r = commit(st, &next, "add", id, item->title, now, 0, cause);
	if (r >= 0 && newid != NULL)
		*newid = id;
	else
		free(id);
	return r;
}

int
debt_store_edit(struct debt_store *st, const char *id, struct debt_item *item,
    time_t now, char **cause)
{
	struct debt_list next;
	const struct debt_item *old;
	ssize_t k;

	if (refused(st, cause) || (k = file_index(st, id, cause)) < 0) {
		debt_item_free(item);
		return -1;
	}
	old = st->list.v[k];
	free(item->id);
	item->id = xstrdup(old->id);
	item->created = old->created;
	item->status = old->status;
	item->resolved = old->resolved;
	item->source = DEBT_SOURCE_STATE;
	free(item->file);
	item->file = xstrdup(st->path);
	item->line = old->line;
	if (debt_item_check(item, cause) != 0) {
		debt_item_free(item);
		return -1;
	}
	list_copy(&next, &st->list);
	debt_item_free(next.v[k]);
	next.v[k] = item;
	return commit(st, &next, "edit", item->id, item->title, now, 0, cause);
}

static int
set_status(struct debt_store *st, const char *id, enum debt_status status,
    time_t now, char **cause)
{
	struct debt_list next;
	struct debt_item *d;
	ssize_t k;

	if (refused(st, cause) || (k = file_index(st, id, cause)) < 0)
		return -1;
	if (st->list.v[k]->status == status) {
		*cause = xasprintf("debt item '%s' is already %s", id,
		    debt_status_name(status));
		return -1;
	}
	list_copy(&next, &st->list);
	d = next.v[k];
	d->status = status;
	d->resolved = status == DEBT_RESOLVED ? today(now, store_tz(st)) : 0;
	return commit(st, &next, status == DEBT_RESOLVED ? "resolve" :
	    "reopen", d->id, d->title, now, 0, cause);
}

int
debt_store_resolve(struct debt_store *st, const char *id, time_t now,
    char **cause)
{
	return set_status(st, id, DEBT_RESOLVED, now, cause);
}

int
debt_store_reopen(struct debt_store *st, const char *id, time_t now,
    char **cause)
{
	return set_status(st, id, DEBT_OPEN, now, cause);
}

int
debt_store_delete(struct debt_store *st, const char *id, time_t now,
    char **cause)
{
	struct debt_list next;
	char *keep_id, *title;
	ssize_t k;
	int r;

	if (refused(st, cause) || (k = file_index(st, id, cause)) < 0)
		return -1;
	list_copy(&next, &st->list);
	keep_id = xstrdup(next.v[k]->id);
	title = xstrdup(next.v[k]->title);
	debt_item_free(next.v[k]);
	memmove(&next.v[k], &next.v[k + 1], (next.n - (size_t)k - 1) *
	    sizeof *next.v);
	next.n--;
	r = commit(st, &next, "delete", keep_id, title, now, 0, cause);
	free(keep_id);
	free(title);
	return r;
}

int
debt_store_undo(struct debt_store *st, time_t now, char **cause)
{
	struct debt_list next;
	char *id;
	int r;

	if (refused(st, cause))
		return -1;
	if (!st->has_undo) {
		*cause = xstrdup("nothing to undo");
		return -1;
	}
	list_copy(&next, &st->undo);
	/* Numbers handed out stay used: an undone add frees no id. */
	if (st->list.next_id > next.next_id)
		next.next_id = st->list.next_id;
	id = xstrdup(st->undo_id);
	r = commit(st, &next, "undo", id, NULL, now, 1, cause);
	free(id);
	return r;
}
