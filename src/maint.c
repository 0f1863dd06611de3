/* The calendar's maintenance policy: active maintenance windows applied to
 * check states, the same way in every mode. */
#include "maint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "config.h"
#include "health.h"

/* True when w names system. */
static int
maint_names(const struct window *w, const char *system)
{
	size_t k;

	for (k = 0; k < w->nsystems; k++)
		if (strcmp(w->systems[k], system) == 0)
			return 1;
	return 0;
}

int
maint_system(const struct config *cfg, time_t now, const char *system,
    struct maint *m)
{
	struct occurrence *act = NULL;
	size_t n, i;
	int hit = 0;

	n = calendar_active(cfg, now, &act);
	/* Ordered by end: the last match ends last. */
	for (i = 0; i < n; i++) {
		if (act[i].w->kind != WINDOW_MAINTENANCE ||
		    !maint_names(act[i].w, system))
			continue;
		hit = 1;
		if (m != NULL) {
			m->window = act[i].w->name;
			m->end = act[i].end;
		}
	}
	free(act);
	return hit;
}

void
maint_apply(struct health *h, const struct config *cfg, time_t now)
{
	struct occurrence *act = NULL;
	size_t n, i, k, c;
	long idx;

	for (c = 0; c < health_count(h); c++)
		health_set_maintenance(h, c, NULL, 0);
	n = calendar_active(cfg, now, &act);
	/* Ordered by end, so the window that ends last is kept. */
	for (i = 0; i < n; i++) {
		if (act[i].w->kind != WINDOW_MAINTENANCE)
			continue;
		for (k = 0; k < act[i].w->nsystems; k++) {
			idx = health_find(h, act[i].w->systems[k]);
			if (idx >= 0)
				health_set_maintenance(h, (size_t)idx,
				    act[i].w->name, act[i].end);
		}
	}
	free(act);
}

enum state
maint_state(const struct check_status *st, int raw)
{
	if (st->maintenance && !raw)
		return STATE_OK;
	return st->state;
}

void
maint_describe(const struct check_status *st, const char *tz, time_t now,
    char *buf, size_t len)
{
	struct tm tm;
	char until[32];

	if (len == 0)
		return;
	buf[0] = '\0';
	if (!st->maintenance)
		return;
	if (util_localtime(st->maint_end, tz, &tm) != 0)
		util_localtime(st->maint_end, NULL, &tm);
	strftime(until, sizeof until, st->maint_end - now < 86400 ?
	    "%H:%M" : "%Y-%m-%d %H:%M", &tm);
	snprintf(buf, len, "in maintenance \"%s\" until %s; really %s",
	    st->maint_window, until, state_name(st->state));
}
