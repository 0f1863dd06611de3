/* "maintop calendar": the active and upcoming maintenance windows as plain
 * text, JSON or an RFC 5545 iCalendar file. */
#include <getopt.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "cli.h"
#include "config.h"
#include "runbook.h"
#include "sanitize.h"
#include "util.h"

/* At most this many upcoming occurrences are listed. */
#define CALENDAR_CMD_MAX	10000

static const char calendar_usage[] =
"usage: maintop calendar [-c FILE] [--days N] [--json | --ics]\n"
"Lists the maintenance windows active now and those starting in the next\n"
"N days (default 30), with conflicts.  --json prints an object with\n"
"\"active\", \"upcoming\" and \"conflicts\" arrays; --ics prints an RFC 5545\n"
"calendar with one event per occurrence.\n";

enum calendar_format {
	FORMAT_TEXT,
	FORMAT_JSON,
	FORMAT_ICS
};

/* A wall-clock time in the window's zone: "2026-12-06 03:00 Europe/Berlin". */
static void
local_time(const struct window *w, time_t t, char *out, size_t len)
{
	struct tm tm;
	char b[32];

	if (util_localtime(t, w->timezone, &tm) != 0) {
		util_format_utc(t, out, len);
		return;
	}
	strftime(b, sizeof b, "%Y-%m-%d %H:%M", &tm);
	snprintf(out, len, "%s %s", b, w->timezone != NULL ? w->timezone :
	    "UTC");
}

static void
print_systems(const struct window *w)
{
	size_t i;
	char *s;

	if (w->nsystems == 0)
		return;
	printf("  systems: ");
	for (i = 0; i < w->nsystems; i++) {
		s = sanitize_cstr(w->systems[i], 0);
		printf("%s%s", i ? ", " : "", s);
		free(s);
	}
}

static void
print_text(time_t now, int days, const struct occurrence *act, size_t nact,
    const struct occurrence *up, size_t nup,
    const struct calendar_conflict *cf, size_t ncf)
{
	char utc[32], loc[96], utc2[32], dur[32], left[32];
	char *name, *other;
	size_t i;

	util_format_utc(now, utc, sizeof utc);
	if (nact == 0)
		printf("No window is active at %s.\n", utc);
	else
		printf("Active at %s:\n", utc);
	for (i = 0; i < nact; i++) {
		name = sanitize_cstr(act[i].w->name, 0);
		local_time(act[i].w, act[i].end, loc, sizeof loc);
		util_format_utc(act[i].end, utc2, sizeof utc2);
		util_format_duration(act[i].end - now, left, sizeof left);
		printf("  %s [%s] ends in %s, at %s (%s)", name,
		    calendar_kind_name(act[i].w->kind), left, loc, utc2);
		print_systems(act[i].w);
		printf("\n");
		free(name);
	}
	if (nup == 0)
		printf("No window starts in the next %d day%s.\n", days,
		    days == 1 ? "" : "s");
	else
		printf("Upcoming in the next %d day%s:\n", days,
		    days == 1 ? "" : "s");
	for (i = 0; i < nup; i++) {
		name = sanitize_cstr(up[i].w->name, 0);
		local_time(up[i].w, up[i].start, loc, sizeof loc);
		util_format_utc(up[i].start, utc2, sizeof utc2);
		calendar_format_duration(up[i].w->duration, dur, sizeof dur);
		util_format_duration(up[i].start - now, left, sizeof left);
		printf("  %s (%s) for %s  %s [%s] in %s", loc, utc2, dur,
		    name, calendar_kind_name(up[i].w->kind), left);
		if (calendar_in_notice(up[i].w, up[i].start, now))
			printf(" [notice]");
		print_systems(up[i].w);
		printf("\n");
		free(name);
	}
	if (ncf > 0)
		printf("Conflicts:\n");
	for (i = 0; i < ncf; i++) {
		name = sanitize_cstr(cf[i].a.w->name, 0);
		other = sanitize_cstr(cf[i].b.w->name, 0);
		util_format_utc(cf[i].start, utc, sizeof utc);
		util_format_utc(cf[i].end, utc2, sizeof utc2);
		printf("  %s and %s overlap from %s to %s", name, other, utc,
		    utc2);
		free(name);
		if (cf[i].system != NULL) {
			name = sanitize_cstr(cf[i].system, 0);
			printf(", both affecting %s\n", name);
			free(name);
		} else
			printf(" (a freeze)\n");
		free(other);
	}
}

static json_t *
json_time(time_t t)
{
	char b[32];

	util_format_utc(t, b, sizeof b);
	return json_string(b);
}

static json_t *
json_strings(char **v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, cli_json_str(v[i]));
	return a;
}

/* A window's runbooks in the order to run them (runbook_order). */
static json_t *
json_runbooks(const struct config *c, const struct window *w)
{
	json_t *a = json_array();
	size_t *ord = runbook_order(c, w->runbooks, w->nrunbooks), i;

	for (i = 0; i < w->nrunbooks; i++)
		json_array_append_new(a, cli_json_str(w->runbooks[ord[i]]));
	free(ord);
	return a;
}

static json_t *
json_occurrence(const struct config *c, const struct occurrence *o,
    time_t now)
{
	const struct window *w = o->w;
	json_t *j = json_object();

	json_object_set_new(j, "name", cli_json_str(w->name));
	json_object_set_new(j, "kind", json_string(calendar_kind_name(
	    w->kind)));
	json_object_set_new(j, "start", json_time(o->start));
	json_object_set_new(j, "end", json_time(o->end));
	json_object_set_new(j, "duration", json_integer(w->duration));
	json_object_set_new(j, "systems", json_strings(w->systems,
	    w->nsystems));
	json_object_set_new(j, "owner", cli_json_str(w->owner));
	json_object_set_new(j, "description", cli_json_str(w->description));
	json_object_set_new(j, "priority", json_integer(w->priority));
	json_object_set_new(j, "priority_name", json_string(
	    calendar_priority_name(w->priority)));
	json_object_set_new(j, "timezone", json_string(w->timezone != NULL ?
	    w->timezone : "UTC"));
	json_object_set_new(j, "schedule", cli_json_str(w->schedule_src));
	json_object_set_new(j, "runbooks", json_runbooks(c, w));
	json_object_set_new(j, "in_notice", json_boolean(
	    calendar_in_notice(w, o->start, now)));
	return j;
}

static int
print_json(const struct config *c, time_t now, int days,
    const struct occurrence *act, size_t nact, const struct occurrence *up,
    size_t nup, const struct calendar_conflict *cf, size_t ncf)
{
	json_t *root = json_object(), *a;
	size_t i;
	int r;

	json_object_set_new(root, "now", json_time(now));
	json_object_set_new(root, "days", json_integer(days));
	a = json_array();
	for (i = 0; i < nact; i++)
		json_array_append_new(a, json_occurrence(c, &act[i], now));
	json_object_set_new(root, "active", a);
	a = json_array();
	for (i = 0; i < nup; i++)
		json_array_append_new(a, json_occurrence(c, &up[i], now));
	json_object_set_new(root, "upcoming", a);
	a = json_array();
	for (i = 0; i < ncf; i++) {
		json_t *x = json_object();

		json_object_set_new(x, "a", cli_json_str(cf[i].a.w->name));
		json_object_set_new(x, "b", cli_json_str(cf[i].b.w->name));
		json_object_set_new(x, "start", json_time(cf[i].start));
		json_object_set_new(x, "end", json_time(cf[i].end));
		json_object_set_new(x, "system", cli_json_str(cf[i].system));
		json_array_append_new(a, x);
	}
	json_object_set_new(root, "conflicts", a);
	r = cli_json_print(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	return r == 0 ? 0 : -1;
}

/*
 * Writes one content line, folded so that no physical line exceeds 75
 * octets (RFC 5545 3.1), never inside a UTF-8 character, ended by CRLF.
 */
static void
ics_line(struct buf *out, const char *line)
{
	size_t len = strlen(line), pos = 0, room = 75, n;

	for (;;) {
		n = len - pos;
		if (n <= room) {
			buf_add(out, line + pos, n);
			break;
		}
		n = room;
		while (n > 0 && ((unsigned char)line[pos + n] & 0xc0) == 0x80)
			n--;
		if (n == 0)
			n = room;	/* not UTF-8 after all: cut anyway */
		buf_add(out, line + pos, n);
		buf_adds(out, "\r\n ");
		pos += n;
		room = 74;	/* the leading space counts */
	}
	buf_adds(out, "\r\n");
}

/* Appends s as iCalendar TEXT: controls dropped, , ; \ and newlines escaped. */
static void
ics_text(struct buf *b, const char *s)
{
	char *clean = sanitize_cstr(s, SANITIZE_KEEP_NEWLINES), *p;

	for (p = clean; *p != '\0'; p++) {
		switch (*p) {
		case '\\':
		case ';':
		case ',':
			buf_addc(b, '\\');
			buf_addc(b, *p);
			break;
		case '\n':
			buf_adds(b, "\\n");
			break;
		default:
			buf_addc(b, *p);
			break;
		}
	}
	free(clean);
}

static void
ics_time(struct buf *b, const char *prop, time_t t)
{
	struct tm tm;
	char s[32];

	gmtime_r(&t, &tm);
	strftime(s, sizeof s, "%Y%m%dT%H%M%SZ", &tm);
	buf_printf(b, "%s:%s", prop, s);
}

/* FNV-1a, to make a UID from the window's name that stays the same. */
static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void
ics_event(struct buf *out, const struct config *c, const struct occurrence *o,
    time_t now)
{
	const struct window *w = o->w;
	struct buf line, d;
	struct tm tm;
	char stamp[32], *words;
	size_t i;

	buf_init(&line);
	ics_line(out, "BEGIN:VEVENT");
	gmtime_r(&o->start, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	buf_printf(&line, "UID:%s-%016llx@maintop", stamp,
	    (unsigned long long)fnv1a(w->name));
	ics_line(out, line.s);
	buf_reset(&line);
	ics_time(&line, "DTSTAMP", now);
	ics_line(out, line.s);
	buf_reset(&line);
	ics_time(&line, "DTSTART", o->start);
	ics_line(out, line.s);
	buf_reset(&line);
	ics_time(&line, "DTEND", o->end);
	ics_line(out, line.s);
	buf_reset(&line);
	buf_adds(&line, "SUMMARY:");
	if (w->kind == WINDOW_FREEZE)
		buf_adds(&line, "Change freeze: ");
	ics_text(&line, w->name);
	ics_line(out, line.s);
	buf_reset(&line);

	buf_init(&d);
	if (w->description != NULL)
		buf_printf(&d, "%s\n", w->description);
	words = calendar_describe(w);
	buf_printf(&d, "Schedule: %s\n", words);
	free(words);
	if (w->nsystems > 0) {
		buf_adds(&d, "Systems: ");
		for (i = 0; i < w->nsystems; i++)
			buf_printf(&d, "%s%s", i ? ", " : "", w->systems[i]);
		buf_addc(&d, '\n');
	}
	if (w->nrunbooks > 0) {
		size_t *ord = runbook_order(c, w->runbooks, w->nrunbooks);

		buf_adds(&d, "Runbooks: ");
		for (i = 0; i < w->nrunbooks; i++)
			buf_printf(&d, "%s%s", i ? ", " : "",
			    w->runbooks[ord[i]]);
		buf_addc(&d, '\n');
		free(ord);
	}
	if (w->owner != NULL)
		buf_printf(&d, "Owner: %s\n", w->owner);
	buf_printf(&d, "Priority: %s", calendar_priority_name(w->priority));
	buf_adds(&line, "DESCRIPTION:");
	ics_text(&line, d.s);
	buf_free(&d);
	ics_line(out, line.s);
	buf_reset(&line);
	buf_printf(&line, "CATEGORIES:%s", w->kind == WINDOW_FREEZE ?
	    "FREEZE" : "MAINTENANCE");
	ics_line(out, line.s);
	buf_reset(&line);
	if (w->owner != NULL) {
		buf_adds(&line, "X-MAINTOP-OWNER:");
		ics_text(&line, w->owner);
		ics_line(out, line.s);
		buf_reset(&line);
	}
	buf_printf(&line, "PRIORITY:%d", w->priority * 2 - 1);
	ics_line(out, line.s);
	ics_line(out, "TRANSP:OPAQUE");
	if (w->notice > 0 && w->kind != WINDOW_FREEZE) {
		/* The window's notice as an alarm: RFC 5545 3.6.6, a DISPLAY
		 * alarm needs its own DESCRIPTION. */
		ics_line(out, "BEGIN:VALARM");
		ics_line(out, "ACTION:DISPLAY");
		buf_reset(&line);
		buf_printf(&line, "TRIGGER:-PT%lldS", w->notice);
		ics_line(out, line.s);
		buf_reset(&line);
		buf_adds(&line, "DESCRIPTION:");
		ics_text(&line, w->name);
		buf_adds(&line, " starts (maintenance notice)");
		ics_line(out, line.s);
		ics_line(out, "END:VALARM");
	}
	ics_line(out, "END:VEVENT");
	buf_free(&line);
}

static int
print_ics(const struct config *c, time_t now, const struct occurrence *act,
    size_t nact, const struct occurrence *up, size_t nup)
{
	struct buf out;
	size_t i, w;

	buf_init(&out);
	ics_line(&out, "BEGIN:VCALENDAR");
	ics_line(&out, "VERSION:2.0");
	ics_line(&out, "PRODID:-//maintop//maintop calendar//EN");
	ics_line(&out, "CALSCALE:GREGORIAN");
	ics_line(&out, "METHOD:PUBLISH");
	ics_line(&out, "X-WR-CALNAME:maintop maintenance windows");
	for (i = 0; i < nact; i++)
		ics_event(&out, c, &act[i], now);
	for (i = 0; i < nup; i++)
		ics_event(&out, c, &up[i], now);
	ics_line(&out, "END:VCALENDAR");
	w = fwrite(out.s, 1, out.len, stdout);
	i = out.len;
	buf_free(&out);
	return w == i ? 0 : -1;
}

int
cmd_calendar(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "days", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "ics", no_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_opts o = { .argc = argc, .argv = argv, .shortopts = "d:",
	    .longopts = longopts, .usage = calendar_usage };
	enum calendar_format format = FORMAT_TEXT;
	struct occurrence *act = NULL, *up = NULL;
	struct calendar_conflict *cf = NULL;
	size_t nact, nup, ncf;
	struct config *c;
	time_t now;
	char *end;
	long days = 30;
	int ch, r = 0;

	while ((ch = cli_getopt(&o)) != -1) {
		switch (ch) {
		case 'd':
			days = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || days < 1 ||
			    days > 3660) {
				fprintf(stderr, "maintop calendar: --days: "
				    "expected a number of days from 1 to "
				    "3660\n");
				return CLI_EXIT_USAGE;
			}
			break;
		case 'j':
		case 'i':
			if (format != FORMAT_TEXT) {
				fprintf(stderr, "maintop calendar: --json and "
				    "--ics exclude each other\n");
				return CLI_EXIT_USAGE;
			}
			format = ch == 'j' ? FORMAT_JSON : FORMAT_ICS;
			break;
		}
	}
	if (o.exit != -1)
		return o.exit;
	if (optind != argc)
		return cli_usage_error(calendar_usage);
	if ((c = cli_load_config(o.config)) == NULL)
		return CLI_EXIT_CONFIG;
	now = cli_now();
	nact = calendar_active(c, now, &act);
	nup = calendar_upcoming(c, now, now + (time_t)days * 86400,
	    CALENDAR_CMD_MAX, &up);
	if (nup == CALENDAR_CMD_MAX)
		fprintf(stderr, "maintop calendar: only the first %d "
		    "occurrences are listed\n", CALENDAR_CMD_MAX);
	ncf = calendar_conflicts(c, now, now + (time_t)days * 86400, &cf);
	switch (format) {
	case FORMAT_TEXT:
		print_text(now, (int)days, act, nact, up, nup, cf, ncf);
		break;
	case FORMAT_JSON:
		r = print_json(c, now, (int)days, act, nact, up, nup, cf, ncf);
		break;
	case FORMAT_ICS:
		r = print_ics(c, now, act, nact, up, nup);
		break;
	}
	free(act);
	free(up);
	free(cf);
	config_free(c);
	if (fflush(stdout) != 0 || r != 0) {
		fprintf(stderr, "maintop calendar: cannot write the output\n");
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}
