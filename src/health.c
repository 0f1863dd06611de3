/* The health model: schedules every check's probe on the event loop,
 * enforces each probe's deadline, and keeps per check a state with
 * hysteresis, the last sample and a fixed ring of recent ones. */
#include "health.h"

#include <event2/event.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config.h"
#include "maint.h"
#include "resolve.h"
#include "sanitize.h"
#include "worker.h"

/* Longest text from outside kept in a message, before sanitizing. */
#define SAMPLE_MAX_TEXT 400

const struct probe_ops *const probe_kinds[CHECK_NTYPES] = {
	[CHECK_HTTP] = &probe_http_ops,
	[CHECK_POSTGRES] = &probe_pg_ops,
	[CHECK_REDIS] = &probe_redis_ops,
	[CHECK_EXEC] = &probe_exec_ops,
};

/* One check as the scheduler sees it. */
struct health_item {
	struct check_status	 st;
	struct health		*h;
	const struct probe_ops	*ops;
	struct probe		*probe;
	struct event		*timer;		/* the schedule */
	struct event		*deadline;
	long long		 next_ms;	/* planned start, monotonic */
	long long		 started_ms;
	int			 once;		/* part of health_run_once */
	struct event		*again;		/* a fresh probe asked for */
};

struct health {
	struct event_base	*base;
	const struct config	*cfg;
	void			(*changed)(void *);
	void			*arg;
	struct probe_ctx	 ctx;
	struct health_item	*items;
	size_t			 n;
	int			 scheduled;
	size_t			 once_pending;
	void			(*once_done)(void *);
	void			*once_arg;
};

const char *
state_name(enum state s)
{
	switch (s) {
	case STATE_OK:
		return "OK";
	case STATE_WARN:
		return "WARNING";
	case STATE_CRIT:
		return "CRITICAL";
	case STATE_UNKNOWN:
		break;
	}
	return "UNKNOWN";
}

const char *
state_short(enum state s)
{
	switch (s) {
	case STATE_OK:
		return "ok";
	case STATE_WARN:
		return "warn";
	case STATE_CRIT:
		return "crit";
	case STATE_UNKNOWN:
		break;
	}
	return "unknown";
}

int
state_rank(enum state s)
{
	switch (s) {
	case STATE_OK:
		return 0;
	case STATE_WARN:
		return 1;
	case STATE_UNKNOWN:
		return 2;
	case STATE_CRIT:
		return 3;
	}
	return 2;
}

enum state
state_worse(enum state a, enum state b)
{
	return state_rank(a) >= state_rank(b) ? a : b;
}

long long
probe_backoff_ms(unsigned int n)
{
	/* 1s, 2s, 4s ... capped at a minute after a run of failures. */
	if (n == 0)
		return 0;
	if (n > 7)
		return 60000;
	return 1000LL << (n - 1) > 60000 ? 60000 : 1000LL << (n - 1);
}

struct sample *
sample_new(void)
{
	struct sample *s;

	s = xcalloc(1, sizeof *s);
	s->time = time(NULL);
	s->state = STATE_OK;
	s->latency_ms = -1;
	s->connect_ms = -1;
	s->message = xstrdup("");
	return s;
}

static void
figure_clear(struct figure *f)
{
	free(f->name);
	free(f->str);
}

void
sample_free(struct sample *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nfigures; i++)
		figure_clear(&s->figures[i]);
	free(s->figures);
	free(s->readings);
	free(s->message);
	free(s);
}

struct sample *
sample_dup(const struct sample *s)
{
	struct sample *d;
	size_t i;

	d = xmalloc(sizeof *d);
	*d = *s;
	d->message = xstrdup(s->message);
	d->figures = s->nfigures == 0 ? NULL :
	    xreallocarray(NULL, s->nfigures, sizeof *d->figures);
	for (i = 0; i < s->nfigures; i++) {
		d->figures[i] = s->figures[i];
		d->figures[i].name = xstrdup(s->figures[i].name);
		if (s->figures[i].str != NULL)
			d->figures[i].str = xstrdup(s->figures[i].str);
	}
	d->readings = s->nreadings == 0 ? NULL :
	    xreallocarray(NULL, s->nreadings, sizeof *d->readings);
	if (s->nreadings != 0)
		memcpy(d->readings, s->readings,
		    s->nreadings * sizeof *d->readings);
	return d;
}

/* Formats, bounds and sanitizes text that may come from a server. */
static char *
clean_text(const char *fmt, va_list ap)
{
	char *raw, *out;
	size_t len;

	raw = xvasprintf(fmt, ap);
	len = strlen(raw);
	if (len > SAMPLE_MAX_TEXT)
		len = SAMPLE_MAX_TEXT;
	out = sanitize_text(raw, len, 0);
	free(raw);
	return out;
}

void
sample_set_msg(struct sample *s, const char *fmt, ...)
{
	va_list ap;
	char *m;

	va_start(ap, fmt);
	m = clean_text(fmt, ap);	/* the arguments may hold the old one */
	va_end(ap);
	free(s->message);
	s->message = m;
}

void
sample_fail(struct sample *s, enum state st, const char *fmt, ...)
{
	va_list ap;

	char *m;

	s->state = state_worse(s->state, st);
	va_start(ap, fmt);
	m = clean_text(fmt, ap);
	va_end(ap);
	free(s->message);
	s->message = m;
}

static struct figure *
figure_add(struct sample *s, const char *name)
{
	struct figure *f;

	s->figures = xreallocarray(s->figures, s->nfigures + 1,
	    sizeof *s->figures);
	f = &s->figures[s->nfigures++];
	memset(f, 0, sizeof *f);
	f->name = xstrdup(name);
	f->unit = "";
	f->state = STATE_OK;
	return f;
}

struct figure *
sample_add_num(struct sample *s, const char *name, double v,
    const char *unit)
{
	struct figure *f = figure_add(s, name);

	f->kind = FIGURE_NUM;
	f->num = v;
	f->unit = unit != NULL ? unit : "";
	return f;
}

struct figure *
sample_add_str(struct sample *s, const char *name, const char *v)
{
	struct figure *f = figure_add(s, name);
	size_t len = strlen(v);

	f->kind = FIGURE_STR;
	f->str = sanitize_text(v, len > SAMPLE_MAX_TEXT ? SAMPLE_MAX_TEXT :
	    len, 0);
	return f;
}

struct figure *
sample_add_unavailable(struct sample *s, const char *name, const char *why)
{
	struct figure *f = figure_add(s, name);

	f->kind = FIGURE_UNAVAILABLE;
	if (why != NULL)
		f->str = sanitize_cstr(why, 0);
	return f;
}

const struct figure *
sample_figure(const struct sample *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nfigures; i++)
		if (strcmp(s->figures[i].name, name) == 0)
			return &s->figures[i];
	return NULL;
}

void
sample_limit(struct sample *s, struct figure *f, const struct range *warn,
    const struct range *crit)
{
	const struct range *r = NULL;
	enum state st = STATE_OK;
	char vbuf[64], lbuf[128], rbuf[64];
	const char *op;
	double limit;
	char *m;

	f->warn = *warn;
	f->crit = *crit;
	if (f->kind != FIGURE_NUM || isnan(f->num))
		return;
	if (range_alert(crit, f->num)) {
		st = STATE_CRIT;
		r = crit;
	} else if (range_alert(warn, f->num)) {
		st = STATE_WARN;
		r = warn;
	}
	f->state = st;
	if (r == NULL)
		return;
	s->state = state_worse(s->state, st);
	util_format_quantity(f->num, f->unit, vbuf, sizeof vbuf);
	op = range_verdict(r, f->num, &limit);
	if (r->inside) {
		range_format(r, rbuf, sizeof rbuf);
		snprintf(lbuf, sizeof lbuf, "%s%s%s", rbuf,
		    *f->unit != '\0' ? " " : "", f->unit);
	} else
		util_format_quantity(limit, f->unit, lbuf, sizeof lbuf);
	/* The reason leads: "dead_ratio 0.39 > 0.2; PostgreSQL 15 ...", a
	 * critical one before any other. */
	m = xasprintf("%s %s %s %s%s%s", f->name, vbuf, op, lbuf,
	    *s->message != '\0' ? "; " : "", s->message);
	free(s->message);
	s->message = m;
}

void
sample_apply(struct sample *s, const struct check *c)
{
	const struct check_threshold *t;
	size_t i;
	int pass, crit;

	/* Each reason is put first: the critical ones go last, to lead. */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < s->nfigures; i++) {
			t = check_threshold(c, s->figures[i].name);
			if (t == NULL || (!t->warn.set && !t->crit.set) ||
			    s->figures[i].unjudged != NULL)
				continue;
			crit = s->figures[i].kind == FIGURE_NUM &&
			    range_alert(&t->crit, s->figures[i].num);
			if (crit == pass)
				sample_limit(s, &s->figures[i], &t->warn,
				    &t->crit);
		}
}

void
health_status_init(struct check_status *st, const struct check *c)
{
	memset(st, 0, sizeof *st);
	st->check = c;
	st->target = check_target(c);
	st->state = STATE_UNKNOWN;
	/* The ring grows as samples come, up to ring_cap. */
	st->ring_cap = c->history > 0 ? (size_t)c->history : 1;
	if (c->type == CHECK_HTTP && c->http.nmetrics > 0)
		st->mprev = xcalloc(c->http.nmetrics, sizeof *st->mprev);
	st->pending = STATE_UNKNOWN;
}

void
health_status_clear(struct check_status *st)
{
	free(st->target);
	sample_free(st->last);
	free(st->last_error);
	free(st->ring);
	free(st->mprev);
	memset(st, 0, sizeof *st);
}

const struct health_point *
health_point_at(const struct check_status *st, size_t k)
{
	size_t first;

	if (k >= st->ring_len)
		return NULL;
	first = (st->ring_head + st->ring_cap - st->ring_len) % st->ring_cap;
	return &st->ring[(first + k) % st->ring_cap];
}

static void
set_state(struct check_status *st, enum state s, time_t now)
{
	if (st->state != s || st->since == 0) {
		if (st->since != 0)
			st->ntransitions++;
		st->state = s;
		st->since = now;
	}
	st->pending_dir = 0;
	st->pending_count = 0;
}

void
health_record(struct check_status *st, struct sample *s, int once)
{
	struct health_point *p;
	long long need;
	int dir;

	st->nprobes++;
	st->nstate[s->state & 3]++;

	if (st->ring_len == st->ring_alloc && st->ring_alloc < st->ring_cap) {
		/* Not wrapped yet: the samples are in order from 0. */
		st->ring_alloc = st->ring_alloc < 4 ? 4 : st->ring_alloc * 2;
		if (st->ring_alloc > st->ring_cap)
			st->ring_alloc = st->ring_cap;
		st->ring = xreallocarray(st->ring, st->ring_alloc,
		    sizeof *st->ring);
	}
	p = &st->ring[st->ring_head];
	p->time = s->time;
	p->latency_ms = (float)s->latency_ms;
	p->state = (unsigned char)s->state;
	st->ring_head = (st->ring_head + 1) % st->ring_cap;
	if (st->ring_len < st->ring_cap)
		st->ring_len++;

	if (s->state != STATE_OK) {
		free(st->last_error);
		st->last_error = xstrdup(s->message);
		st->last_error_time = s->time;
	}

	if (once || st->since == 0)
		set_state(st, s->state, s->time);
	else if (s->state == st->state) {
		st->pending_dir = 0;
		st->pending_count = 0;
	} else {
		/*
		 * Hysteresis: count consecutive results pointing the same way
		 * away from the current state; a result pointing the other
		 * way starts the count again.  The new state is the latest.
		 */
		dir = state_rank(s->state) > state_rank(st->state) ? 1 : -1;
		if (dir != st->pending_dir) {
			st->pending_dir = dir;
			st->pending_count = 0;
		}
		st->pending_count++;
		st->pending = s->state;
		need = dir > 0 ? st->check->fail_after :
		    st->check->recover_after;
		if (st->pending_count >= need)
			set_state(st, s->state, s->time);
	}
	sample_free(st->last);
	st->last = s;
}

static void item_start(struct health_item *);

static void
item_finish(struct health_item *it, struct sample *s)
{
	struct health *h = it->h;
	int once = it->once;

	it->st.running = 0;
	event_del(it->deadline);
	health_record(&it->st, s, once);
	if (h->changed != NULL)
		h->changed(h->arg);
	if (once) {
		it->once = 0;
		if (--h->once_pending == 0 && h->once_done != NULL)
			h->once_done(h->once_arg);
	}
}

/* A probe asked for by health_fresh while another was in flight. */
static void
item_again(evutil_socket_t fd, short what, void *arg)
{
	struct health_item *it = arg;

	if (!it->st.running)
		item_start(it);
}

static void
item_done(struct sample *s, void *arg)
{
	struct health_item *it = arg;

	if (!it->st.running) {
		/* Cannot happen: a probe calls back once. */
		sample_free(s);
		return;
	}
	metric_derive(it->st.check, it->st.mprev, s);
	sample_apply(s, it->st.check);
	item_finish(it, s);
}

static void
item_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct health_item *it = arg;
	const char *phase = NULL;
	struct sample *s;
	double secs;

	if (!it->st.running)
		return;
	if (it->ops->phase != NULL)
		phase = it->ops->phase(it->probe);
	it->ops->cancel(it->probe);
	s = sample_new();
	secs = (double)it->st.check->timeout_ms / 1000.0;
	sample_fail(s, STATE_CRIT, "timeout after %gs%s%s%s", secs,
	    phase != NULL ? " (" : "", phase != NULL ? phase : "",
	    phase != NULL ? ")" : "");
	s->latency_ms = (double)(util_mono_ms() - it->started_ms);
	item_finish(it, s);
}

static void
item_start(struct health_item *it)
{
	struct timeval tv;
	long long t = it->st.check->timeout_ms;

	it->st.running = 1;
	it->started_ms = util_mono_ms();
	tv.tv_sec = t / 1000;
	tv.tv_usec = (t % 1000) * 1000;
	event_add(it->deadline, &tv);
	it->ops->start(it->probe, t, item_done, it);
}

static void
ms_to_tv(long long ms, struct timeval *tv)
{
	if (ms < 0)
		ms = 0;
	tv->tv_sec = ms / 1000;
	tv->tv_usec = (ms % 1000) * 1000;
}

static void
item_tick(evutil_socket_t fd, short what, void *arg)
{
	struct health_item *it = arg;
	struct timeval tv;
	long long now;

	if (it->st.running)
		it->st.nskipped++;
	else
		item_start(it);
	/* Plan from the planned time, so the schedule does not drift. */
	now = util_mono_ms();
	it->next_ms += it->st.check->interval_ms;
	if (it->next_ms <= now)
		it->next_ms = now + it->st.check->interval_ms;
	ms_to_tv(it->next_ms - now, &tv);
	if (it->h->scheduled)
		evtimer_add(it->timer, &tv);
}

struct health *
health_new(struct event_base *base, const struct config *cfg,
    void (*changed)(void *), void *arg)
{
	struct health *h;
	struct health_item *it;
	size_t i;

	h = xcalloc(1, sizeof *h);
	h->base = base;
	h->cfg = cfg;
	h->changed = changed;
	h->arg = arg;
	h->ctx.base = base;
	h->ctx.resolve = resolve_new(base);
	h->n = cfg->nchecks;
	h->items = xcalloc(h->n > 0 ? h->n : 1, sizeof *h->items);
	for (i = 0; i < h->n; i++) {
		it = &h->items[i];
		it->h = h;
		health_status_init(&it->st, cfg->checks[i]);
		it->ops = probe_kinds[cfg->checks[i]->type];
		it->probe = it->ops->create(&h->ctx, cfg->checks[i]);
		it->timer = evtimer_new(base, item_tick, it);
		it->deadline = evtimer_new(base, item_deadline, it);
		it->again = evtimer_new(base, item_again, it);
		if (it->timer == NULL || it->deadline == NULL ||
		    it->again == NULL)
			fatal("evtimer_new failed");
	}
	return h;
}

void
health_stop(struct health *h)
{
	struct health_item *it;
	size_t i;

	h->scheduled = 0;
	for (i = 0; i < h->n; i++) {
		it = &h->items[i];
		event_del(it->timer);
		event_del(it->again);
		if (it->st.running) {
			it->ops->cancel(it->probe);
			it->st.running = 0;
			event_del(it->deadline);
		}
		it->once = 0;
	}
	h->once_pending = 0;
}

void
health_free(struct health *h)
{
	size_t i;
	int t;

	if (h == NULL)
		return;
	health_stop(h);
	for (i = 0; i < h->n; i++) {
		h->items[i].ops->free(h->items[i].probe);
		event_free(h->items[i].timer);
		event_free(h->items[i].deadline);
		event_free(h->items[i].again);
		health_status_clear(&h->items[i].st);
	}
	for (t = 0; t < CHECK_NTYPES; t++)
		if (probe_kinds[t]->ctx_free != NULL)
			probe_kinds[t]->ctx_free(&h->ctx);
	/* The reads still queued were cancelled with their probes. */
	worker_free(h->ctx.worker);
	resolve_free(h->ctx.resolve);
	free(h->items);
	free(h);
}

void
health_read_files_off_loop(struct health *h)
{
	if (h->ctx.worker == NULL)
		h->ctx.worker = worker_new(h->base);
}

void
health_start(struct health *h)
{
	struct health_item *it;
	struct timeval tv;
	long long now, spread = 1000;
	size_t i;

	h->scheduled = 1;
	for (i = 0; i < h->n; i++)
		if (h->items[i].st.check->interval_ms < spread)
			spread = h->items[i].st.check->interval_ms;
	now = util_mono_ms();
	for (i = 0; i < h->n; i++) {
		it = &h->items[i];
		it->next_ms = now + (h->n > 1 ?
		    spread * (long long)i / (long long)h->n : 0);
		ms_to_tv(it->next_ms - now, &tv);
		evtimer_add(it->timer, &tv);
	}
}

void
health_run_once(struct health *h, const int *select, void (*done)(void *),
    void *arg)
{
	size_t i;

	h->once_done = done;
	h->once_arg = arg;
	/* One extra count held while starting, since results may arrive
	 * before every probe is started. */
	h->once_pending = 1;
	for (i = 0; i < h->n; i++) {
		if (select != NULL && !select[i])
			continue;
		if (h->items[i].st.running)
			continue;
		h->items[i].once = 1;
		h->once_pending++;
		item_start(&h->items[i]);
	}
	if (--h->once_pending == 0 && done != NULL)
		done(arg);
}

void
health_run_now(struct health *h, size_t i)
{
	if (i < h->n && !h->items[i].st.running)
		item_start(&h->items[i]);
}

int
health_fresh(struct health *h, const char *name, unsigned long long *token,
    const char **msg)
{
	struct health_item *it;
	struct timeval tv = { 0, 0 };
	long i;

	if ((i = health_find(h, name)) < 0)
		return -2;
	it = &h->items[i];
	if (*token == 0) {
		/* Probes of a check never overlap: the one in flight started
		 * before the question, so the answer is the one after it. */
		*token = it->st.nprobes + (it->st.running ? 2 : 1);
		if (!it->st.running)
			item_start(it);
		return -1;
	}
	if (it->st.nprobes >= *token && it->st.last != NULL) {
		if (msg != NULL)
			*msg = it->st.last->message;
		return (int)it->st.last->state;
	}
	/* The next probe, as soon as the one in flight is done. */
	if (!it->st.running && !evtimer_pending(it->again, NULL))
		evtimer_add(it->again, &tv);
	return -1;
}

size_t
health_count(const struct health *h)
{
	return h->n;
}

const struct check_status *
health_get(const struct health *h, size_t i)
{
	return i < h->n ? &h->items[i].st : NULL;
}

long
health_find(const struct health *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (strcmp(h->items[i].st.check->name, name) == 0)
			return (long)i;
	return -1;
}

enum state
health_worst(const struct health *h)
{
	enum state w = STATE_OK;
	size_t i;

	for (i = 0; i < h->n; i++)
		w = state_worse(w, maint_state(&h->items[i].st, 0));
	return w;
}

void
health_set_maintenance(struct health *h, size_t i, const char *window,
    time_t end)
{
	if (i >= h->n)
		return;
	h->items[i].st.maintenance = window != NULL;
	h->items[i].st.maint_window = window;
	h->items[i].st.maint_end = window != NULL ? end : 0;
}

struct metric_prev *
health_metric_prev(struct health *h, size_t i)
{
	return i < h->n ? h->items[i].st.mprev : NULL;
}
