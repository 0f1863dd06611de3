/* The maintenance calendar: parsing windows from the configuration and
 * answering what is on now, what comes next and which plans collide. */
#include "calendar.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config.h"
#include "runbook.h"
#include "schedule.h"
#include "util.h"

static const char *const window_keys[] = {
	"name", "kind", "schedule", "start", "duration", "timezone",
	"systems", "priority", "owner", "description", "runbooks", "notice",
	"autorun", "catch_up", "notify", NULL
};

static const char *const kind_names[] = { "maintenance", "freeze", NULL };

const char *
calendar_kind_name(enum window_kind k)
{
	return k == WINDOW_FREEZE ? "freeze" : "maintenance";
}

const char *
calendar_priority_name(int p)
{
	static const char *const words[] = { "", "high", "priority 2",
	    "medium", "priority 4", "low" };

	if (p < 1 || p > 5)
		return "unknown";
	return words[p];
}

void
calendar_window_free(struct window *w)
{
	if (w == NULL)
		return;
	free(w->name);
	schedule_free(w->schedule);
	free(w->schedule_src);
	free(w->timezone);
	cfg_strlist_free(w->systems, w->nsystems);
	free(w->owner);
	free(w->description);
	cfg_strlist_free(w->runbooks, w->nrunbooks);
	cfg_strlist_free(w->autorun, w->nautorun);
	cfg_strlist_free(w->notify, w->nnotify);
	free(w->file);
	free(w);
}

static void
parse_priority(struct cfg_errors *e, const config_setting_t *g,
    struct window *w)
{
	const config_setting_t *s = config_setting_get_member(g, "priority");
	const char *v;
	long long n;

	w->priority = WINDOW_PRIORITY_MEDIUM;
	if (s == NULL)
		return;
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		v = config_setting_get_string(s);
		if (strcasecmp(v, "high") == 0)
			w->priority = WINDOW_PRIORITY_HIGH;
		else if (strcasecmp(v, "medium") == 0)
			w->priority = WINDOW_PRIORITY_MEDIUM;
		else if (strcasecmp(v, "low") == 0)
			w->priority = WINDOW_PRIORITY_LOW;
		else
			cfg_err(e, s, "window '%s': priority must be \"high\", "
			    "\"medium\", \"low\" or 1 (highest) to 5",
			    w->name);
		return;
	}
	if (cfg_int(e, g, "priority", 0, 1, 5, &n) == 1)
		w->priority = (int)n;
}

/*
 * A one-off start.  With an offset ("Z", "+01:00") it is that instant;
 * without, it is a wall-clock time in the window's zone, placed by the same
 * daylight-saving rule as schedules (see schedule_next).
 */
static int
parse_start(const char *s, const char *tz, time_t *out)
{
	const char *p = s;
	time_t wall;

	while (isspace((unsigned char)*p))
		p++;
	if (util_parse_iso8601(p, NULL, &wall) != 0)
		return -1;
	if (strlen(p) > 10 && strpbrk(p + 10, "Zz+-") != NULL) {
		*out = wall;
		return 0;
	}
	return schedule_wall_to_instant(tz, wall, out);
}

struct window *
calendar_window_parse(struct cfg_errors *e, const config_setting_t *g,
    const struct settings *settings)
{
	struct window *w;
	size_t before = e->nerrors;
	const config_setting_t *sched_s, *start_s;
	char *kind = NULL, *sched = NULL, *start = NULL, *cause = NULL;
	const char *sugg;

	w = xcalloc(1, sizeof *w);
	w->line = cfg_line(g);
	if (cfg_file(g) != NULL)
		w->file = xstrdup(cfg_file(g));
	cfg_check_keys(e, g, window_keys, "window");
	if (cfg_name(e, g, "name", 1, &w->name) != 1)
		w->name = xstrdup("?");
	else if (*w->name == '\0') {
		cfg_err(e, config_setting_get_member(g, "name"), "window name "
		    "must be non-empty");
		free(w->name);
		w->name = xstrdup("?");	/* not echoed in later messages */
	}

	if (cfg_str(e, g, "kind", 0, &kind) == 1) {
		if (strcmp(kind, "freeze") == 0)
			w->kind = WINDOW_FREEZE;
		else if (strcmp(kind, "maintenance") != 0) {
			sugg = cfg_suggest(kind, kind_names);
			cfg_err(e, config_setting_get_member(g, "kind"),
			    "window '%s': kind must be \"maintenance\" or "
			    "\"freeze\"%s%s%s", w->name,
			    sugg ? " (did you mean \"" : "", sugg ? sugg : "",
			    sugg ? "\"?)" : "");
		}
	}

	if (cfg_str(e, g, "timezone", 0, &w->timezone) == 1) {
		if (*w->timezone == '\0' || !util_tz_valid(w->timezone))
			cfg_err(e, config_setting_get_member(g, "timezone"),
			    "window '%s': unknown time zone \"%s\" (use an "
			    "IANA name such as \"Europe/Berlin\" or \"UTC\")",
			    w->name, w->timezone);
	} else if (settings != NULL && settings->timezone != NULL &&
	    *settings->timezone != '\0')
		w->timezone = xstrdup(settings->timezone);

	cfg_duration(e, g, "duration", 1, 1, &w->duration);
	if (cfg_duration(e, g, "notice", 0, 0, &w->notice) != 1)
		w->notice = 0;
	cfg_strlist(e, g, "systems", 0, &w->systems, &w->nsystems);
	w->systems_line = cfg_line(config_setting_get_member(g, "systems"));
	w->runbooks_line = cfg_line(config_setting_get_member(g,
	    "runbooks"));
	w->autorun_line = cfg_line(config_setting_get_member(g, "autorun"));
	cfg_strlist(e, g, "runbooks", 0, &w->runbooks, &w->nrunbooks);
	cfg_strlist(e, g, "autorun", 0, &w->autorun, &w->nautorun);
	cfg_bool(e, g, "catch_up", 0, &w->catch_up);
	cfg_strlist(e, g, "notify", 0, &w->notify, &w->nnotify);
	cfg_str(e, g, "owner", 0, &w->owner);
	cfg_str(e, g, "description", 0, &w->description);
	parse_priority(e, g, w);

	sched_s = config_setting_get_member(g, "schedule");
	start_s = config_setting_get_member(g, "start");
	if (sched_s != NULL && start_s != NULL)
		cfg_err(e, start_s, "window '%s': has both 'schedule' and "
		    "'start'; use 'schedule' for a recurring window, 'start' "
		    "for a one-off", w->name);
	else if (sched_s == NULL && start_s == NULL)
		cfg_err(e, g, "window '%s': needs a 'schedule' (a cron "
		    "expression such as \"0 2 * * SUN\") or a 'start' (an "
		    "ISO 8601 instant for a one-off window)", w->name);
	else if (sched_s != NULL && cfg_str(e, g, "schedule", 0, &sched) ==
	    1) {
		w->schedule = schedule_parse(sched, &cause);
		if (w->schedule == NULL) {
			cfg_err(e, sched_s, "window '%s': bad schedule: %s",
			    w->name, cause);
			free(cause);
		} else if (!schedule_possible(w->schedule))
			cfg_err(e, sched_s, "window '%s': schedule \"%s\" "
			    "never happens (no such day in any year)", w->name,
			    sched);
		w->schedule_src = sched;
		sched = NULL;
	} else if (start_s != NULL && cfg_str(e, g, "start", 0, &start) ==
	    1) {
		if (parse_start(start, e->nerrors == before ? w->timezone :
		    NULL, &w->start) != 0)
			cfg_err(e, start_s, "window '%s': 'start' is not an "
			    "ISO 8601 instant: \"%s\" (use e.g. "
			    "\"2026-12-24T22:00:00+01:00\", or a local time "
			    "read in the window's zone)", w->name, start);
	}
	free(kind);
	free(sched);
	free(start);
	if (e->nerrors != before) {
		calendar_window_free(w);
		return NULL;
	}
	return w;
}

/*
 * Records an error or warning at the window's definition; a window read
 * from a file that libconfig did not name is in the main file, c->path.
 */
static void UTIL_PRINTF(5, 6)
window_msg(struct cfg_errors *e, const struct config *c,
    const struct window *w, int warning, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	cfg_err_at(e, w->file != NULL ? w->file : c->path, w->line, warning,
	    "%s", msg);
	free(msg);
}

/* An unknown name, reported at the line of the key that holds it. */
static void
unknown_name(struct cfg_errors *e, const struct config *c,
    const struct window *w, int line, const char *what, const char *name,
    const char **names, const char *hint)
{
	const char *sugg = names != NULL ? cfg_suggest(name, names) : NULL;
	char *msg;

	if (sugg != NULL)
		msg = xasprintf("window '%s': unknown %s '%s' (did you mean "
		    "'%s'?)", w->name, what, name, sugg);
	else
		msg = xasprintf("window '%s': unknown %s '%s' (%s)", w->name,
		    what, name, hint);
	cfg_err_at(e, w->file != NULL ? w->file : c->path, line > 0 ? line :
	    w->line, 0, "%s", msg);
	free(msg);
}

void
calendar_resolve(const struct config *c, struct cfg_errors *e)
{
	const char **checks, **runbooks;
	struct window *w;
	size_t i, j;

	checks = xcalloc(c->nchecks + 1, sizeof *checks);
	for (i = 0; i < c->nchecks; i++)
		checks[i] = c->checks[i]->name;
	runbooks = xcalloc(c->nrunbooks + 1, sizeof *runbooks);
	for (i = 0; i < c->nrunbooks; i++)
		runbooks[i] = c->runbooks[i]->name;
	for (i = 0; i < c->nwindows; i++) {
		w = c->windows[i];
		for (j = 0; j < w->nsystems; j++)
			if (config_find_check(c, w->systems[j]) == NULL)
				unknown_name(e, c, w, w->systems_line,
				    "system", w->systems[j],
				    checks, "systems name http, postgres or "
				    "redis checks");
		for (j = 0; j < w->nrunbooks; j++)
			if (config_find_runbook(c, w->runbooks[j]) == NULL)
				unknown_name(e, c, w, w->runbooks_line,
				    "runbook", w->runbooks[j],
				    runbooks, "no runbook of that name is "
				    "configured");
		for (j = 0; j < w->nautorun; j++)
			if (config_find_runbook(c, w->autorun[j]) == NULL)
				unknown_name(e, c, w, w->autorun_line,
				    "autorun runbook", w->autorun[j],
				    runbooks, "no runbook of that name is "
				    "configured");
		if (w->nautorun > 0 && w->kind == WINDOW_FREEZE)
			cfg_err_at(e, w->file, w->line, 0, "window '%s': a "
			    "freeze cannot autorun runbooks", w->name);
	}
	free(checks);
	free(runbooks);
}

/* Next and previous start of a window, scheduled or one-off. */
static int
window_next(const struct window *w, time_t after, time_t *out)
{
	if (w->schedule == NULL) {
		if (w->start <= after)
			return -1;
		*out = w->start;
		return 0;
	}
	return schedule_next(w->schedule, w->timezone, after, out);
}

static int
window_prev(const struct window *w, time_t at, time_t *out)
{
	if (w->schedule == NULL) {
		if (w->start > at)
			return -1;
		*out = w->start;
		return 0;
	}
	return schedule_prev(w->schedule, w->timezone, at, out);
}

size_t
calendar_occurrences(struct window *w, time_t from, time_t to,
    struct occurrence **out)
{
	struct occurrence *v = NULL;
	size_t n = 0, cap = 0;
	time_t t, s;

	*out = NULL;
	if (to <= from)
		return 0;
	/* A start after from - duration ends after from. */
	t = from - (time_t)w->duration;
	while (n < CALENDAR_MAX_PER_WINDOW && window_next(w, t, &s) == 0 &&
	    s < to) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[n].w = w;
		v[n].start = s;
		v[n].end = s + (time_t)w->duration;
		n++;
		t = s;
	}
	*out = v;
	return n;
}

void
calendar_window_around(struct window *w, time_t now, int *has_prev,
    time_t *prev, int *has_next, time_t *next)
{
	if (!w->cache.valid || now < w->cache.lo || now >= w->cache.hi) {
		w->cache.has_prev = window_prev(w, now, &w->cache.prev) == 0;
		w->cache.has_next = window_next(w, now, &w->cache.next) == 0;
		/*
		 * The answer holds while prev <= now < next.  Without a
		 * previous start it holds only for this instant's past, so
		 * the lower bound is now itself.
		 */
		w->cache.lo = w->cache.has_prev ? w->cache.prev : now;
		w->cache.hi = w->cache.has_next ? w->cache.next : now + 1;
		w->cache.valid = 1;
	}
	*has_prev = w->cache.has_prev;
	*prev = w->cache.prev;
	*has_next = w->cache.has_next;
	*next = w->cache.next;
}

int
calendar_window_active(struct window *w, time_t now, struct occurrence *occ)
{
	int has_prev, has_next;
	time_t prev, next;

	calendar_window_around(w, now, &has_prev, &prev, &has_next, &next);
	if (!has_prev || prev + (time_t)w->duration <= now)
		return 0;
	if (occ != NULL) {
		occ->w = w;
		occ->start = prev;
		occ->end = prev + (time_t)w->duration;
	}
	return 1;
}

int
calendar_next_notice(const struct window *w, time_t now, time_t *start)
{
	if (w->notice <= 0 || w->kind == WINDOW_FREEZE)
		return -1;
	/* The first start after now + notice is the first whose notice
	 * goes out after now. */
	return window_next(w, now + (time_t)w->notice, start);
}

int
calendar_in_notice(const struct window *w, time_t start, time_t now)
{
	return w->notice > 0 && now < start &&
	    now >= start - (time_t)w->notice;
}

static int
cmp_end(const void *a, const void *b)
{
	const struct occurrence *x = a, *y = b;

	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return strcmp(x->w->name, y->w->name);
}

size_t
calendar_active(const struct config *c, time_t now, struct occurrence **out)
{
	struct occurrence *v = NULL;
	size_t i, n = 0;

	*out = NULL;
	for (i = 0; i < c->nwindows; i++) {
		if (v == NULL)
			v = xcalloc(c->nwindows, sizeof *v);
		if (calendar_window_active(c->windows[i], now, &v[n]))
			n++;
	}
	if (n == 0) {
		free(v);
		return 0;
	}
	qsort(v, n, sizeof *v, cmp_end);
	*out = v;
	return n;
}

size_t
calendar_upcoming(const struct config *c, time_t now, time_t until,
    size_t max, struct occurrence **out)
{
	struct occurrence *v = NULL;
	time_t *next, prev;
	int *has, has_prev;
	size_t i, best, n = 0;

	*out = NULL;
	if (c->nwindows == 0 || max == 0)
		return 0;
	next = xcalloc(c->nwindows, sizeof *next);
	has = xcalloc(c->nwindows, sizeof *has);
	for (i = 0; i < c->nwindows; i++)
		calendar_window_around(c->windows[i], now, &has_prev, &prev,
		    &has[i], &next[i]);
	v = xcalloc(max, sizeof *v);
	while (n < max) {
		best = c->nwindows;
		for (i = 0; i < c->nwindows; i++)
			if (has[i] && (best == c->nwindows ||
			    next[i] < next[best]))
				best = i;
		if (best == c->nwindows || (until != 0 && next[best] >= until))
			break;
		v[n].w = c->windows[best];
		v[n].start = next[best];
		v[n].end = next[best] + (time_t)c->windows[best]->duration;
		n++;
		has[best] = window_next(c->windows[best], next[best],
		    &next[best]) == 0;
	}
	free(next);
	free(has);
	if (n == 0) {
		free(v);
		return 0;
	}
	*out = v;
	return n;
}

static int
cmp_start(const void *a, const void *b)
{
	const struct occurrence *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return strcmp(x->w->name, y->w->name);
}

static int
cmp_conflict(const void *a, const void *b)
{
	const struct calendar_conflict *x = a, *y = b;
	int r;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if ((r = strcmp(x->a.w->name, y->a.w->name)) != 0)
		return r;
	return strcmp(x->b.w->name, y->b.w->name);
}

/* A system both windows affect, or NULL. */
static const char *
shared_system(const struct window *a, const struct window *b)
{
	size_t i, j;

	for (i = 0; i < a->nsystems; i++)
		for (j = 0; j < b->nsystems; j++)
			if (strcmp(a->systems[i], b->systems[j]) == 0)
				return a->systems[i];
	return NULL;
}

size_t
calendar_conflicts(const struct config *c, time_t from, time_t to,
    struct calendar_conflict **out)
{
	struct occurrence *all = NULL, *one;
	struct calendar_conflict *v = NULL, *x;
	size_t i, j, k, nall = 0, n = 0, cap = 0;
	const struct occurrence *p, *q;
	const char *sys;

	*out = NULL;
	for (i = 0; i < c->nwindows; i++) {
		k = calendar_occurrences(c->windows[i], from, to, &one);
		if (k == 0)
			continue;
		all = xreallocarray(all, nall + k, sizeof *all);
		memcpy(all + nall, one, k * sizeof *one);
		nall += k;
		free(one);
	}
	if (nall == 0)
		return 0;
	qsort(all, nall, sizeof *all, cmp_start);
	for (i = 0; i < nall; i++) {
		p = &all[i];
		for (j = i + 1; j < nall && all[j].start < p->end; j++) {
			q = &all[j];
			if (q->w == p->w)
				continue;
			if (p->w->kind == WINDOW_FREEZE &&
			    q->w->kind == WINDOW_FREEZE)
				continue;
			sys = NULL;
			if (p->w->kind == WINDOW_MAINTENANCE &&
			    q->w->kind == WINDOW_MAINTENANCE &&
			    (sys = shared_system(p->w, q->w)) == NULL)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				v = xreallocarray(v, cap, sizeof *v);
			}
			x = &v[n++];
			x->a = *p;
			x->b = *q;
			x->start = q->start;
			x->end = p->end < q->end ? p->end : q->end;
			x->system = sys;
		}
	}
	free(all);
	if (n > 1)
		qsort(v, n, sizeof *v, cmp_conflict);
	*out = v;
	return n;
}

static size_t
window_index(const struct config *c, const struct window *w)
{
	size_t i;

	for (i = 0; i < c->nwindows; i++)
		if (c->windows[i] == w)
			break;
	return i;
}

/* Index of the pair (a, b) in a triangular table, a and b unordered. */
static size_t
pair_index(const struct config *c, const struct calendar_conflict *x)
{
	size_t ia = window_index(c, x->a.w), ib = window_index(c, x->b.w), t;

	if (ia > ib) {
		t = ia;
		ia = ib;
		ib = t;
	}
	return ia * c->nwindows + ib;
}

void
calendar_warn_conflicts(const struct config *c, time_t now, int days,
    struct cfg_errors *e)
{
	struct calendar_conflict *v;
	const struct window *first, *second, *maint, *frz;
	size_t n, i, *count;
	char s[32], t[32], more[80];

	if (days <= 0 || c->nwindows < 2)
		return;
	n = calendar_conflicts(c, now, now + (time_t)days * 86400, &v);
	if (n == 0)
		return;
	/* One warning per pair: its first overlap and how many follow. */
	count = xcalloc(c->nwindows * c->nwindows, sizeof *count);
	for (i = 0; i < n; i++)
		count[pair_index(c, &v[i])]++;
	for (i = 0; i < n; i++) {
		size_t k = pair_index(c, &v[i]);

		if (count[k] == 0)
			continue;	/* already reported */
		first = c->windows[k / c->nwindows];
		second = c->windows[k % c->nwindows];
		if (count[k] > 1)
			snprintf(more, sizeof more, " (and %zu more time%s in "
			    "the next %d days)", count[k] - 1,
			    count[k] == 2 ? "" : "s", days);
		else
			*more = '\0';
		count[k] = 0;
		util_format_utc(v[i].start, s, sizeof s);
		util_format_utc(v[i].end, t, sizeof t);
		if (v[i].system != NULL)
			window_msg(e, c, second, 1, "maintenance windows '%s' and "
			    "'%s' overlap from %s to %s, both affecting "
			    "'%s'%s", first->name, second->name, s, t,
			    v[i].system, more);
		else {
			maint = first->kind == WINDOW_FREEZE ? second : first;
			frz = first->kind == WINDOW_FREEZE ? first : second;
			window_msg(e, c, second, 1, "maintenance window '%s' "
			    "overlaps freeze '%s' from %s to %s%s", maint->name,
			    frz->name, s, t, more);
		}
	}
	free(count);
	free(v);
}

void
calendar_format_duration(long long secs, char *buf, size_t len)
{
	static const struct {
		long long	 size;
		char		 unit;
	} units[] = { { 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }, { 1, 's' } };
	size_t i, off = 0;
	int r;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (secs <= 0) {
		snprintf(buf, len, "0s");
		return;
	}
	for (i = 0; i < sizeof units / sizeof units[0] && off < len; i++) {
		if (secs < units[i].size)
			continue;
		r = snprintf(buf + off, len - off, "%lld%c",
		    secs / units[i].size, units[i].unit);
		if (r < 0)
			break;
		off += (size_t)r;
		secs %= units[i].size;
	}
}

char *
calendar_describe(const struct window *w)
{
	const char *zone = w->timezone != NULL ? w->timezone : "UTC";
	char dur[32], day[32], hm[16], *words, *out;
	struct tm tm;
	size_t len;

	calendar_format_duration(w->duration, dur, sizeof dur);
	if (w->schedule == NULL) {
		if (util_localtime(w->start, w->timezone, &tm) != 0)
			return xasprintf("once, at an instant in an unknown "
			    "zone, for %s", dur);
		strftime(day, sizeof day, "%Y-%m-%d", &tm);
		strftime(hm, sizeof hm, "%H:%M", &tm);
		return xasprintf("once, on %s at %s %s for %s", day, hm, zone,
		    dur);
	}
	words = schedule_describe(w->schedule);
	len = strlen(words);
	if (len > 0 && isdigit((unsigned char)words[len - 1]))
		out = xasprintf("%s %s for %s", words, zone, dur);
	else
		out = xasprintf("%s (%s) for %s", words, zone, dur);
	free(words);
	return out;
}
