/* The metrics of an HTTP check: raw readings from a Prometheus page, the
 * figures derived from them (series, rate, ratio, average), and the state
 * file that keeps the previous readings between one-shot runs. */
#include "metric.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "check.h"
#include "fileio.h"
#include "probe.h"
#include "prom.h"

/* The most read from a state file (a few hundred bytes per metric). */
#define METRIC_STATE_MAX	(256 * 1024)

/* The wall clock in milliseconds. */
static long long
metric_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* sel with suffix added to its metric name: name{x} -> name_sum{x}. */
static char *
metric_suffixed(const char *sel, const char *suffix)
{
	size_t n = 0;

	while (isalnum((unsigned char)sel[n]) || sel[n] == '_' ||
	    sel[n] == ':')
		n++;
	return xasprintf("%.*s%s%s", (int)n, sel, suffix, sel + n);
}

/* The sum of the series sel picks, or with count how many it picks; 0
 * with why set when there is none. */
static double
metric_sum(const struct prom *pr, const char *sel, int count,
    const char **why)
{
	double sum = 0;
	size_t matches = 0;

	if (prom_select(pr, sel, &sum, &matches) != 0 || matches == 0) {
		*why = "no such series";
		return 0;
	}
	return count ? (double)matches : sum;
}

void
metric_read(const struct check *c, const struct prom *pr,
    struct metric_reading *r)
{
	const struct check_metric *m;
	long long now = metric_wall_ms();
	char *sum, *count;
	size_t i;

	for (i = 0; i < c->http.nmetrics; i++) {
		m = &c->http.metrics[i];
		memset(&r[i], 0, sizeof r[i]);
		r[i].t_ms = now;
		if (m->avg != NULL) {
			sum = metric_suffixed(m->avg, "_sum");
			count = metric_suffixed(m->avg, "_count");
			r[i].a = metric_sum(pr, sum, 0, &r[i].why);
			r[i].b = metric_sum(pr, count, 0, &r[i].why);
			free(sum);
			free(count);
			continue;
		}
		r[i].a = metric_sum(pr, m->select, 0, &r[i].why);
		if (m->ratio != NULL)
			r[i].b = metric_sum(pr, m->ratio, m->ratio_count,
			    &r[i].why);
	}
}

int
metric_stateful(const struct check *c)
{
	size_t i;

	for (i = 0; i < c->http.nmetrics; i++)
		if (c->http.metrics[i].rate || c->http.metrics[i].avg != NULL)
			return 1;
	return 0;
}

/* A figure's unit: per second for a rate, seconds for the average of a
 * *_seconds histogram, none otherwise. */
static const char *
metric_unit(const struct check_metric *m)
{
	size_t n;

	if (m->avg != NULL) {
		n = strcspn(m->avg, "{");
		return n >= 8 && strncmp(m->avg + n - 8, "_seconds", 8) == 0 ?
		    "s" : "";
	}
	if (m->ratio != NULL && m->scale == 100)
		return "%";
	return m->rate && m->ratio == NULL ? "/s" : "";
}

/*
 * The value of a metric that needs the previous reading, or NULL and *v
 * unset with the reason.  Updates nothing.
 */
static const char *
metric_change(const struct check_metric *m, const struct metric_prev *pv,
    const struct metric_reading *r, double *v)
{
	double dt = (double)(r->t_ms - pv->t_ms) / 1000.0;
	int two = m->avg != NULL || m->ratio != NULL;

	if (!pv->have)
		return m->avg != NULL ? "first sample: an average over the "
		    "interval needs two" : "first sample: a rate needs two";
	if (dt <= 0 || r->a < pv->a || (two && r->b < pv->b))
		return "the counter went down (a restart?): the next sample "
		    "gives the rate";
	if (!two) {
		*v = (r->a - pv->a) / dt;
		return NULL;
	}
	if (r->b == pv->b)
		return m->avg != NULL ? "no new observations" :
		    "no increase in the denominator";
	*v = (r->a - pv->a) / (r->b - pv->b);
	return NULL;
}

void
metric_derive(const struct check *c, struct metric_prev *prev,
    struct sample *s)
{
	const struct check_metric *m;
	const struct metric_reading *r;
	struct figure *f;
	const char *why;
	double v = 0;
	size_t i;

	if (s->readings == NULL)
		return;
	for (i = 0; i < c->http.nmetrics && i < s->nreadings; i++) {
		m = &c->http.metrics[i];
		r = &s->readings[i];
		why = r->why;
		if (why == NULL && (m->rate || m->avg != NULL)) {
			why = metric_change(m, &prev[i], r, &v);
			if (!prev[i].have)
				sample_set_msg(s, "%s; %s: first sample, the "
				    "figure comes with the next probe",
				    s->message, m->name);
			else if (why != NULL)
				sample_set_msg(s, "%s; %s: %s", s->message,
				    m->name, why);
		} else if (why == NULL && m->ratio != NULL) {
			if (r->b == 0)
				why = "the denominator is 0";
			else
				v = r->a / r->b;
		} else if (why == NULL)
			v = r->a;
		if (r->why == NULL && (m->rate || m->avg != NULL)) {
			prev[i].have = 1;
			prev[i].a = r->a;
			prev[i].b = r->b;
			prev[i].t_ms = r->t_ms;
		} else if (r->why != NULL)
			prev[i].have = 0;
		if (why != NULL) {
			sample_add_unavailable(s, m->name, why);
			continue;
		}
		if (m->complement)
			v = 1 - v;
		if (m->avg == NULL)
			v *= m->scale;
		f = sample_add_num(s, m->name, v, metric_unit(m));
		sample_limit(s, f, &m->warn, &m->crit);
	}
}

/* The file of check c in dir: its name with anything but [A-Za-z0-9_-]
 * written as %XX, so no name reaches another directory. */
static char *
metric_state_path(const char *dir, const struct check *c)
{
	struct buf b;
	const char *p;

	buf_init(&b);
	buf_printf(&b, "%s/check-state/", dir);
	for (p = c->name; *p != '\0'; p++) {
		if (isalnum((unsigned char)*p) || *p == '_' || *p == '-')
			buf_addc(&b, *p);
		else
			buf_printf(&b, "%%%02X", (unsigned char)*p);
	}
	buf_adds(&b, ".json");
	return buf_detach(&b);
}

/* True when j's string member key equals s (both absent counts). */
static int
metric_same(const json_t *j, const char *key, const char *s)
{
	const char *v = json_string_value(json_object_get(j, key));

	return (v == NULL && s == NULL) ||
	    (v != NULL && s != NULL && strcmp(v, s) == 0);
}

int
metric_state_load(const char *dir, const struct check *c,
    struct metric_prev *prev, char **cause)
{
	const struct check_metric *m;
	json_t *root, *list, *e;
	struct stat st;
	char *path, *data = NULL;
	size_t len, i, k;

	memset(prev, 0, c->http.nmetrics * sizeof *prev);
	*cause = NULL;
	path = metric_state_path(dir, c);
	if (lstat(path, &st) != 0 && errno == ENOENT) {
		free(path);
		return 0;
	}
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		*cause = xasprintf("%s: not a regular file", path);
		free(path);
		return -1;
	}
	if (fileio_read(path, METRIC_STATE_MAX, &data, &len, cause) != 0) {
		free(path);
		return -1;
	}
	root = json_loadb(data, len, 0, NULL);
	free(data);
	list = json_object_get(root, "metrics");
	for (k = 0; json_is_array(list) && k < json_array_size(list); k++) {
		e = json_array_get(list, k);
		for (i = 0; i < c->http.nmetrics; i++) {
			m = &c->http.metrics[i];
			if (!metric_same(e, "name", m->name) ||
			    !metric_same(e, "select", m->select) ||
			    !metric_same(e, "ratio", m->ratio) ||
			    !metric_same(e, "avg", m->avg) ||
			    json_is_true(json_object_get(e, "rate")) != m->rate ||
			    !json_is_number(json_object_get(e, "a")) ||
			    !json_is_number(json_object_get(e, "b")) ||
			    !json_is_integer(json_object_get(e, "t_ms")))
				continue;
			prev[i].have = 1;
			prev[i].a = json_number_value(json_object_get(e, "a"));
			prev[i].b = json_number_value(json_object_get(e, "b"));
			prev[i].t_ms = json_integer_value(json_object_get(e,
			    "t_ms"));
		}
	}
	if (root == NULL)
		*cause = xasprintf("%s: not a state file; starting afresh",
		    path);
	json_decref(root);
	free(path);
	return *cause != NULL ? -1 : 0;
}

int
metric_state_save(const char *dir, const struct check *c,
    const struct metric_prev *prev, char **cause)
{
	const struct check_metric *m;
	json_t *root, *list, *e;
	char *path, *sub, *text;
	size_t i;
	int r;

	sub = xasprintf("%s/check-state", dir);
	if (fileio_mkdirs(sub, 0700) != 0) {
		*cause = xasprintf("%s: %s", sub, strerror(errno));
		free(sub);
		return -1;
	}
	free(sub);
	list = json_array();
	for (i = 0; i < c->http.nmetrics; i++) {
		m = &c->http.metrics[i];
		if (!prev[i].have || !isfinite(prev[i].a) ||
		    !isfinite(prev[i].b))
			continue;
		e = json_pack("{s:s, s:b, s:f, s:f, s:I}", "name", m->name,
		    "rate", m->rate, "a", prev[i].a, "b", prev[i].b, "t_ms",
		    (json_int_t)prev[i].t_ms);
		if (m->select != NULL)
			json_object_set_new(e, "select",
			    json_string(m->select));
		if (m->ratio != NULL)
			json_object_set_new(e, "ratio", json_string(m->ratio));
		if (m->avg != NULL)
			json_object_set_new(e, "avg", json_string(m->avg));
		json_array_append_new(list, e);
	}
	root = json_pack("{s:s, s:o}", "check", c->name, "metrics", list);
	text = json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(17));
	json_decref(root);
	if (text == NULL)
		fatal("out of memory");
	path = metric_state_path(dir, c);
	r = fileio_write_atomic(path, text, strlen(text), 0600, cause);
	free(text);
	free(path);
	return r;
}
