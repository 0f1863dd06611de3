/* Debt items as JSON (jansson) for "maintop debt --json" and "maintop check
 * --json". */
#include "debt_json.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "debt_store.h"

/* A string, or null for NULL (or, never expected, text not UTF-8). */
static json_t *
str_or_null(const char *s)
{
	json_t *v = s != NULL ? json_string(s) : NULL;

	return v != NULL ? v : json_null();
}

static json_t *
date_or_null(time_t t, const char *tz)
{
	char date[16];

	if (t == 0)
		return json_null();
	debt_format_date(t, tz, date, sizeof date);
	return json_string(date);
}

json_t *
debt_json_item(const struct debt_item *d, time_t now, const char *tz)
{
	struct debt_score sc = debt_score(d, now, tz);
	json_t *o, *sys, *parts;
	long long days;
	size_t i;

	o = json_object();
	json_object_set_new(o, "id", str_or_null(d->id));
	json_object_set_new(o, "title", str_or_null(d->title));
	json_object_set_new(o, "priority",
	    json_string(debt_priority_name(d->priority)));
	json_object_set_new(o, "status",
	    json_string(debt_status_name(d->status)));
	sys = json_array();
	for (i = 0; i < d->nsystems; i++)
		json_array_append_new(sys, str_or_null(d->systems[i]));
	json_object_set_new(o, "systems", sys);
	json_object_set_new(o, "target", date_or_null(d->target, tz));
	json_object_set_new(o, "days_until_target",
	    debt_days_until(d, now, tz, &days) == 0 ?
	    json_integer((json_int_t)days) : json_null());
	json_object_set_new(o, "score", json_real(sc.total));
	parts = json_object();
	json_object_set_new(parts, "weight", json_integer(
	    (json_int_t)sc.weight));
	json_object_set_new(parts, "systems", json_real(sc.systems));
	json_object_set_new(parts, "urgency", json_real(sc.urgency));
	json_object_set_new(o, "score_parts", parts);
	json_object_set_new(o, "created", date_or_null(d->created, tz));
	json_object_set_new(o, "resolved", date_or_null(d->resolved, tz));
	json_object_set_new(o, "owner", str_or_null(d->owner));
	json_object_set_new(o, "effort", d->effort > 0 ?
	    json_integer((json_int_t)d->effort) : json_null());
	json_object_set_new(o, "description", str_or_null(d->description));
	json_object_set_new(o, "impact", str_or_null(d->impact));
	json_object_set_new(o, "plan", str_or_null(d->plan));
	json_object_set_new(o, "source", json_string(d->source ==
	    DEBT_SOURCE_CONFIG ? "config" : "state"));
	return o;
}

json_t *
debt_json_for_system(struct debt_item *const *v, size_t n,
    const char *system, time_t now, const char *tz)
{
	json_t *a, *o;
	size_t i, j;

	a = json_array();
	for (i = 0; i < n; i++) {
		for (j = 0; j < v[i]->nsystems; j++)
			if (strcmp(v[i]->systems[j], system) == 0)
				break;
		if (j == v[i]->nsystems)
			continue;
		o = json_object();
		json_object_set_new(o, "id", str_or_null(v[i]->id));
		json_object_set_new(o, "title", str_or_null(v[i]->title));
		json_object_set_new(o, "priority",
		    json_string(debt_priority_name(v[i]->priority)));
		json_object_set_new(o, "score",
		    json_real(debt_score(v[i], now, tz).total));
		json_object_set_new(o, "source", json_string(v[i]->source ==
		    DEBT_SOURCE_CONFIG ? "config" : "state"));
		json_array_append_new(a, o);
	}
	return a;
}

struct debt_json_items {
	struct debt_store	 *st;
	struct debt_item	**v;
	size_t			  n;
	time_t			  now;
	const char		 *tz;
};

struct debt_json_items *
debt_json_open(const struct config *cfg, time_t now)
{
	struct debt_json_items *it;
	struct cfg_errors errs = { 0 };
	char *cause = NULL;

	it = xcalloc(1, sizeof *it);
	it->now = now;
	it->tz = cfg->settings.timezone;
	it->st = debt_store_open_config(cfg, 1, &errs, &cause);
	free(cause);
	cfg_errors_free(&errs);
	if (it->st != NULL)
		it->n = debt_store_list(it->st, now, 0, &it->v);
	else {
		/* No state directory: the configuration's items. */
		it->v = xcalloc(cfg->ndebt + 1, sizeof *it->v);
		for (; it->n < cfg->ndebt; it->n++)
			it->v[it->n] = cfg->debt[it->n];
		debt_sort(it->v, it->n, now, it->tz);
	}
	return it;
}

json_t *
debt_json_system(const struct debt_json_items *it, const char *system)
{
	return debt_json_for_system(it->v, it->n, system, it->now, it->tz);
}

void
debt_json_close(struct debt_json_items *it)
{
	if (it == NULL)
		return;
	free(it->v);
	debt_store_free(it->st);
	free(it);
}
