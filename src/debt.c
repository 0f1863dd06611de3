/* Technical debt, the model: parsing and checking items, dates, the priority
 * score and the order. */
#include "debt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "config.h"

#define DEBT_ID_MAX	32

static const char *const debt_keys[] = {
	"id", "title", "description", "priority", "systems", "effort",
	"impact", "plan", "owner", "created", "target", "status", "resolved",
	NULL
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

/* The calendar day (days since the epoch) that t falls on in zone tz, and
 * in *secs (when not NULL) the seconds of that day on the wall clock. */
static long long
day_number(time_t t, const char *tz, long long *secs)
{
	struct tm tm;

	if (util_localtime(t, tz, &tm) != 0 && gmtime_r(&t, &tm) == NULL) {
		if (secs != NULL)
			*secs = 0;
		return 0;
	}
	if (secs != NULL)
		*secs = tm.tm_hour * 3600LL + tm.tm_min * 60LL + tm.tm_sec;
	return util_days_from_civil(tm.tm_year + 1900LL, tm.tm_mon + 1,
	    tm.tm_mday);
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

time_t
debt_today(time_t now, const char *tz)
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

const char *
debt_text_problem(const char *s, int multiline, size_t max)
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
		why = debt_text_problem(v, fields[i].multiline, fields[i].max);
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
		why = debt_text_problem(d->systems[i], 0, DEBT_TITLE_MAX);
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
	why = debt_text_problem(v, multiline, max);
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

	d->systems_line = cfg_line(config_setting_get_member(g, "systems"));
	if (cfg_strlist(e, g, "systems", 0, &d->systems, &d->nsystems) == 1) {
		for (i = 0; i < d->nsystems; i++) {
			const char *why = debt_text_problem(d->systems[i], 0,
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
			    d->systems_line > 0 ? d->systems_line : d->line,
			    1, "debt item '%s': "
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
	long long today, secs;

	if (d->target == 0)
		return -1;
	today = day_number(now, tz, &secs);
	/* floor((target's midnight - now) / 1 day) on the wall clock: the
	 * day count less one unless now is midnight exactly. */
	*days = day_number(d->target, tz, NULL) - today - (secs > 0);
	return 0;
}

int
debt_days_left(const struct debt_item *d, time_t now, const char *tz,
    long long *days)
{
	if (d->target == 0)
		return -1;
	*days = day_number(d->target, tz, NULL) - day_number(now, tz, NULL);
	return 0;
}

static long long
weight_of(enum debt_priority p)
{
	return p == DEBT_HIGH ? 5 : p == DEBT_LOW ? 1 : 3;
}

/* The score in thirtieths of a point, so that comparisons are exact. */
static long long
score_units(const struct debt_item *d, time_t now, const char *tz,
    long long *urgency)
{
	long long days, u = 0;

	if (debt_days_until(d, now, tz, &days) == 0 && days < 90)
		u = 90 - days;
	*urgency = u;
	return weight_of(d->priority) * 30 + 15 * (long long)d->nsystems + u;
}

struct debt_score
debt_score(const struct debt_item *d, time_t now, const char *tz)
{
	struct debt_score s;
	long long u, units;

	units = score_units(d, now, tz, &u);
	s.weight = (double)weight_of(d->priority);
	s.systems = 0.5 * (double)d->nsystems;
	s.urgency = (double)u / 30.0;
	s.total = (double)units / 30.0;
	return s;
}

void
debt_format_score(double x, char *out, size_t len)
{
	char *p;

	snprintf(out, len, "%.2f", x);
	if (strchr(out, '.') == NULL)
		return;
	p = out + strlen(out);
	while (p[-1] == '0')
		*--p = '\0';
	if (p[-1] == '.')
		p[-1] = '\0';
}

/* A day count as the formula shows it: "19", "(−3)" (U+2212 minus). */
static void
fmt_days(long long days, char *out, size_t len)
{
	if (days < 0)
		snprintf(out, len, "(\u2212%lld)", -days);
	else
		snprintf(out, len, "%lld", days);
}

void
debt_score_explain(const struct debt_item *d, time_t now, const char *tz,
    struct debt_terms *t)
{
	struct debt_score s = debt_score(d, now, tz);
	char a[32], b[32], c[32], days[32];
	long long n;

	debt_format_score(s.weight, a, sizeof a);
	snprintf(t->weight, sizeof t->weight, "priority %s = %s",
	    debt_priority_name(d->priority), a);
	debt_format_score(s.systems, a, sizeof a);
	snprintf(t->systems, sizeof t->systems, "systems %zu \u00d7 0.5 = %s",
	    d->nsystems, a);
	debt_format_score(s.urgency, a, sizeof a);
	if (debt_days_until(d, now, tz, &n) != 0)
		snprintf(t->urgency, sizeof t->urgency, "urgency: no target "
		    "= 0");
	else {
		fmt_days(n, days, sizeof days);
		snprintf(t->urgency, sizeof t->urgency, n < 90 ?
		    "urgency (90 \u2212 %s) / 30 = %s" :
		    "urgency max(0, (90 \u2212 %s) / 30) = %s", days, a);
	}
	debt_format_score(s.total, a, sizeof a);
	debt_format_score(s.weight, b, sizeof b);
	debt_format_score(s.systems, c, sizeof c);
	debt_format_score(s.urgency, days, sizeof days);
	snprintf(t->total, sizeof t->total, "%s = %s + %s + %s", a, b, c,
	    days);
}

struct sort_key {
	struct debt_item	*d;
	long long		 units;
	size_t			 at;		/* position given */
};

static int
sort_cmp(const void *a, const void *b)
{
	const struct sort_key *x = a, *y = b;

	if (x->units != y->units)
		return x->units > y->units ? -1 : 1;
	if (x->d->created != y->d->created)
		return x->d->created < y->d->created ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
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
		k[i].at = i;
	}
	qsort(k, n, sizeof *k, sort_cmp);
	for (i = 0; i < n; i++)
		v[i] = k[i].d;
	free(k);
}
