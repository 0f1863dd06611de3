/* The editable fields of a debt item by name, as text: what the dashboard's
 * form and "maintop debt add|edit --field value" read and write, with one
 * set of checks for both. */
#include "debt_fields.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfgutil.h"
#include "util.h"

const struct debt_field_desc debt_fields[DEBT_FIELD_COUNT] = {
	[DEBT_FIELD_TITLE] = { "title", "Title", "what is wrong", 1, 0 },
	[DEBT_FIELD_PRIORITY] = { "priority", "Priority",
	    "high, medium or low", 1, 0 },
	[DEBT_FIELD_SYSTEMS] = { "systems", "Systems",
	    "comma-separated, e.g. db-primary, cache", 0, 0 },
	[DEBT_FIELD_TARGET] = { "target", "Target",
	    "YYYY-MM-DD, empty for none", 0, 0 },
	[DEBT_FIELD_OWNER] = { "owner", "Owner", "who drives it", 0, 0 },
	[DEBT_FIELD_EFFORT] = { "effort", "Effort", "a duration: 4h, 2d, 1w",
	    0, 0 },
	[DEBT_FIELD_DESCRIPTION] = { "description", "Description",
	    "what it is and why it matters", 0, 1 },
	[DEBT_FIELD_IMPACT] = { "impact", "Impact",
	    "what happens if nothing is done", 0, 1 },
	[DEBT_FIELD_PLAN] = { "plan", "Plan", "how it will be resolved", 0, 1 },
};

int
debt_field_find(const char *name)
{
	size_t i;

	for (i = 0; i < DEBT_FIELD_COUNT; i++)
		if (strcasecmp(debt_fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* text without surrounding blanks (and, multiline, blank lines): a new
 * string, NULL when nothing is left. */
static char *
trimmed(const char *text, int multiline)
{
	const char *blank = multiline ? " \t\r\n" : " \t";
	const char *e;

	text += strspn(text, blank);
	e = text + strlen(text);
	while (e > text && strchr(blank, e[-1]) != NULL)
		e--;
	return e > text ? xstrndup(text, (size_t)(e - text)) : NULL;
}

char **
debt_split_systems(const char *s, size_t *n)
{
	char **v, *copy, *p, *tok, *one;

	*n = 0;
	v = xcalloc(1, sizeof *v);
	copy = xstrdup(s);
	for (p = copy; (tok = strsep(&p, ",")) != NULL; ) {
		if ((one = trimmed(tok, 0)) == NULL)
			continue;
		v = xreallocarray(v, *n + 2, sizeof *v);
		v[(*n)++] = one;
		v[*n] = NULL;
	}
	free(copy);
	return v;
}

void
debt_format_effort(long long secs, char *out, size_t len)
{
	static const struct {
		long long	 size;
		char		 unit;
	} units[] = { { 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }, { 1, 's' } };
	size_t i, at = 0;
	int r;

	if (len > 0)
		out[0] = '\0';
	for (i = 0; i < 4 && secs > 0 && at < len; i++) {
		if (secs < units[i].size)
			continue;
		r = snprintf(out + at, len - at, "%lld%c", secs / units[i].size,
		    units[i].unit);
		if (r < 0)
			break;
		at += (size_t)r;
		secs %= units[i].size;
	}
}

static char *
check_systems(const char *s)
{
	char **v, *msg = NULL;
	const char *why;
	size_t n, i, j;

	v = debt_split_systems(s, &n);
	for (i = 0; i < n && msg == NULL; i++) {
		if (strpbrk(v[i], " \t") != NULL)
			msg = xasprintf("\"%s\" has a space: separate systems "
			    "with commas", v[i]);
		else if ((why = debt_text_problem(v[i], 0,
		    DEBT_TITLE_MAX)) != NULL)
			msg = xasprintf("a system name %s", why);
		for (j = 0; j < i && msg == NULL; j++)
			if (strcmp(v[i], v[j]) == 0)
				msg = xasprintf("\"%s\" is listed twice",
				    v[i]);
	}
	cfg_strlist_free(v, n);
	return msg;
}

char *
debt_field_check(enum debt_field f, const char *text, const char *tz)
{
	const struct debt_field_desc *fd = &debt_fields[f];
	const char *why;
	char *v, *msg = NULL;
	long long secs;
	time_t t;

	if ((v = trimmed(text, fd->multiline)) == NULL)
		return fd->required ? xasprintf("%s is required%s", fd->name,
		    f == DEBT_FIELD_PRIORITY ? ": high, medium or low" : "") :
		    NULL;
	switch (f) {
	case DEBT_FIELD_PRIORITY:
		if (debt_priority_from_name(v) < 0)
			msg = xasprintf("priority must be high, medium or "
			    "low, not \"%.20s\"", v);
		break;
	case DEBT_FIELD_SYSTEMS:
		msg = check_systems(v);
		break;
	case DEBT_FIELD_TARGET:
		if (debt_parse_date(v, tz, &t) != 0)
			msg = xstrdup("target must be a date YYYY-MM-DD, e.g. "
			    "2026-12-31");
		break;
	case DEBT_FIELD_EFFORT:
		if (util_parse_duration(v, &secs) != 0)
			msg = xstrdup("effort must be a duration such as 4h, "
			    "2d or 1w");
		break;
	default:
		why = debt_text_problem(v, fd->multiline, fd->multiline ?
		    DEBT_TEXT_MAX : DEBT_TITLE_MAX);
		if (why != NULL)
			msg = xasprintf("the %s %s", fd->name, why);
		break;
	}
	free(v);
	return msg;
}

/* The string member of d that holds field f, or NULL for other fields. */
static char **
str_member(struct debt_item *d, enum debt_field f)
{
	switch (f) {
	case DEBT_FIELD_TITLE:
		return &d->title;
	case DEBT_FIELD_OWNER:
		return &d->owner;
	case DEBT_FIELD_DESCRIPTION:
		return &d->description;
	case DEBT_FIELD_IMPACT:
		return &d->impact;
	case DEBT_FIELD_PLAN:
		return &d->plan;
	default:
		return NULL;
	}
}

int
debt_field_set(struct debt_item *d, enum debt_field f, const char *text,
    const char *tz, char **cause)
{
	char *v, **member;
	time_t t = 0;
	long long secs = 0;

	if ((*cause = debt_field_check(f, text, tz)) != NULL)
		return -1;
	v = trimmed(text, debt_fields[f].multiline);
	switch (f) {
	case DEBT_FIELD_PRIORITY:
		d->priority = (enum debt_priority)debt_priority_from_name(v);
		break;
	case DEBT_FIELD_SYSTEMS:
		cfg_strlist_free(d->systems, d->nsystems);
		d->systems = debt_split_systems(v != NULL ? v : "",
		    &d->nsystems);
		break;
	case DEBT_FIELD_TARGET:
		if (v != NULL)
			debt_parse_date(v, tz, &t);
		d->target = t;
		break;
	case DEBT_FIELD_EFFORT:
		if (v != NULL)
			util_parse_duration(v, &secs);
		d->effort = secs;
		break;
	default:
		member = str_member(d, f);
		free(*member);
		*member = v;
		return 0;
	}
	free(v);
	return 0;
}

char *
debt_field_get(const struct debt_item *d, enum debt_field f, const char *tz)
{
	char buf[64], **member;
	struct buf b;
	size_t i;

	buf[0] = '\0';
	switch (f) {
	case DEBT_FIELD_PRIORITY:
		return xstrdup(debt_priority_name(d->priority));
	case DEBT_FIELD_SYSTEMS:
		buf_init(&b);
		for (i = 0; i < d->nsystems; i++) {
			if (i > 0)
				buf_adds(&b, ", ");
			buf_adds(&b, d->systems[i]);
		}
		return buf_detach(&b);
	case DEBT_FIELD_TARGET:
		if (d->target != 0)
			debt_format_date(d->target, tz, buf, sizeof buf);
		return xstrdup(buf);
	case DEBT_FIELD_EFFORT:
		debt_format_effort(d->effort, buf, sizeof buf);
		return xstrdup(buf);
	default:
		member = str_member((struct debt_item *)d, f);
		return xstrdup(*member != NULL ? *member : "");
	}
}
