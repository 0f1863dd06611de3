/* Tests of the health model: the state machine with hysteresis, the ring
 * of recent samples, thresholds applied to figures, sanitized messages, and
 * running probes once against a refused port and a silent listener. */
#include <arpa/inet.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "health.h"
#include "tap.h"

static struct check *
mk_check(const char *name, const char *url, long long timeout_ms)
{
	struct check *c = xcalloc(1, sizeof *c);

	c->name = xstrdup(name);
	c->type = CHECK_HTTP;
	c->interval_ms = 10000;
	c->timeout_ms = timeout_ms;
	c->fail_after = 2;
	c->recover_after = 1;
	c->history = 10;
	c->http.url = xstrdup(url);
	c->http.method = xstrdup("GET");
	c->http.tls_verify = 1;
	c->http.max_body = 1024 * 1024;
	c->nthresholds = 1;
	c->thresholds[0].name = "latency";
	range_plain(&c->thresholds[0].warn, 0.5, 0);
	range_plain(&c->thresholds[0].crit, 1.0, 0);
	return c;
}

static struct sample *
mk_sample(enum state st, double latency, time_t t)
{
	struct sample *s = sample_new();

	s->state = st;
	s->latency_ms = latency;
	s->time = t;
	return s;
}

static void
test_states(void)
{
	ok(state_worse(STATE_OK, STATE_WARN) == STATE_WARN, "warn > ok");
	ok(state_worse(STATE_UNKNOWN, STATE_WARN) == STATE_UNKNOWN,
	    "unknown > warn");
	ok(state_worse(STATE_CRIT, STATE_UNKNOWN) == STATE_CRIT,
	    "crit > unknown");
	is_str(state_name(STATE_CRIT), "CRITICAL", "state name");
	is_str(state_short(STATE_WARN), "warn", "short name");
	is_int(STATE_UNKNOWN, 3, "unknown is exit code 3");
	ok(probe_backoff_ms(1) == 1000 && probe_backoff_ms(3) == 4000 &&
	    probe_backoff_ms(50) == 60000, "backoff doubles, capped");
}

static void
test_hysteresis(void)
{
	struct check *c = mk_check("a", "http://127.0.0.1:1/", 1000);
	struct check_status st;

	health_status_init(&st, c);
	is_int(st.state, STATE_UNKNOWN, "unknown before the first result");
	ok(st.since == 0 && st.last == NULL, "no since, no sample yet");
	health_record(&st, mk_sample(STATE_CRIT, 5, 100), 0);
	is_int(st.state, STATE_CRIT, "first result sets the state");
	is_int(st.since, 100, "since the first result");
	health_record(&st, mk_sample(STATE_OK, 5, 110), 0);
	is_int(st.state, STATE_OK, "recover_after 1: one ok recovers");
	is_int(st.since, 110, "since updated");
	health_record(&st, mk_sample(STATE_WARN, 5, 120), 0);
	is_int(st.state, STATE_OK, "one bad result does not flip");
	is_int(st.since, 110, "since unchanged");
	health_record(&st, mk_sample(STATE_OK, 5, 130), 0);
	health_record(&st, mk_sample(STATE_CRIT, 5, 140), 0);
	is_int(st.state, STATE_OK, "bad, ok, bad: still ok");
	health_record(&st, mk_sample(STATE_CRIT, 5, 150), 0);
	is_int(st.state, STATE_CRIT, "two consecutive bad: crit");
	is_int(st.since, 150, "since the second bad");
	health_record(&st, mk_sample(STATE_WARN, 5, 160), 0);
	is_int(st.state, STATE_WARN, "crit to warn is recovering: at once");
	health_record(&st, mk_sample(STATE_UNKNOWN, 5, 170), 0);
	health_record(&st, mk_sample(STATE_CRIT, 5, 180), 0);
	is_int(st.state, STATE_CRIT, "unknown then crit: two worse results");
	is_int(st.ntransitions, 4, "transitions counted");
	is_int(st.nprobes, 9, "results counted");
	is_int(st.nstate[STATE_CRIT], 4, "crit results counted");
	health_record(&st, mk_sample(STATE_OK, 5, 190), 1);
	is_int(st.state, STATE_OK, "a once result sets the state directly");
	health_status_clear(&st);

	c->fail_after = 3;
	c->recover_after = 2;
	health_status_init(&st, c);
	health_record(&st, mk_sample(STATE_OK, 1, 1), 0);
	health_record(&st, mk_sample(STATE_CRIT, 1, 2), 0);
	health_record(&st, mk_sample(STATE_CRIT, 1, 3), 0);
	is_int(st.state, STATE_OK, "fail_after 3: two are not enough");
	health_record(&st, mk_sample(STATE_CRIT, 1, 4), 0);
	is_int(st.state, STATE_CRIT, "three are");
	health_record(&st, mk_sample(STATE_OK, 1, 5), 0);
	is_int(st.state, STATE_CRIT, "recover_after 2: one is not enough");
	health_record(&st, mk_sample(STATE_OK, 1, 6), 0);
	is_int(st.state, STATE_OK, "two are");
	is_int(st.last_error_time, 4, "last error kept from the last bad");
	health_status_clear(&st);
	check_free(c);
}

static void
test_ring(void)
{
	struct check *c = mk_check("a", "http://127.0.0.1:1/", 1000);
	struct check_status st;
	const struct health_point *p;
	int i;

	health_status_init(&st, c);
	ok(health_point_at(&st, 0) == NULL, "empty ring");
	for (i = 0; i < 25; i++)
		health_record(&st, mk_sample(i % 2 ? STATE_OK : STATE_WARN,
		    (double)i, 1000 + i), 0);
	is_int(st.ring_len, 10, "ring holds history (10) samples");
	is_int(st.ring_cap, 10, "capacity fixed");
	p = health_point_at(&st, 0);
	ok(p != NULL && p->latency_ms == 15 && p->time == 1015,
	    "oldest kept is the 16th");
	p = health_point_at(&st, 9);
	ok(p != NULL && p->latency_ms == 24 && p->state == STATE_WARN,
	    "newest is the last");
	ok(health_point_at(&st, 10) == NULL, "past the end is NULL");
	ok(st.last != NULL && st.last->latency_ms == 24, "last sample kept");
	health_status_clear(&st);
	check_free(c);
}

static void
test_samples(void)
{
	struct check *c = mk_check("a", "http://127.0.0.1:1/", 1000);
	struct sample *s, *d;
	struct figure *f;
	struct range w, cr;

	s = sample_new();
	sample_set_msg(s, "200 in %d ms", 1200);
	sample_add_num(s, "latency", 1.2, "s");
	sample_add_num(s, "other", 99, "");
	sample_apply(s, c);
	is_int(s->state, STATE_CRIT, "latency over crit makes the sample crit");
	ok(strstr(s->message, "latency 1.2 s > 1 s") != NULL,
	    "message says which limit");
	ok(sample_figure(s, "latency")->crit.set &&
	    sample_figure(s, "latency")->state == STATE_CRIT,
	    "figure carries its limits and state");
	ok(sample_figure(s, "other")->state == STATE_OK, "others untouched");
	d = sample_dup(s);
	sample_free(s);
	is_str(sample_figure(d, "latency")->name, "latency", "dup is deep");
	sample_free(d);

	s = sample_new();
	sample_add_num(s, "latency", 0.6, "s");
	sample_apply(s, c);
	is_int(s->state, STATE_WARN, "between warn and crit is warn");
	f = sample_add_num(s, "cert_days", 3, "d");
	range_plain(&w, 30, 1);
	range_plain(&cr, 7, 1);
	sample_limit(s, f, &w, &cr);
	is_int(s->state, STATE_CRIT, "lower is worse: 3 days < 7 is crit");
	sample_free(s);

	s = sample_new();
	sample_fail(s, STATE_CRIT, "server says %s",
	    "\033[2J\033]0;pwned\007evil\r\nline\x9b" "31m");
	ok(strchr(s->message, '\033') == NULL &&
	    strchr(s->message, '\007') == NULL &&
	    strchr(s->message, '\n') == NULL &&
	    strstr(s->message, "\xc2\x9b") == NULL, "message sanitized");
	ok(strstr(s->message, "evil") != NULL, "text kept");
	sample_fail(s, STATE_WARN, "%s; more", s->message);
	is_int(s->state, STATE_CRIT, "sample_fail never lowers the state");
	ok(strstr(s->message, "evil") != NULL && strstr(s->message, "; more"),
	    "a message can extend itself");
	sample_add_str(s, "version", "1.0\033[31m");
	ok(strchr(sample_figure(s, "version")->str, '\033') == NULL,
	    "string figures sanitized");
	sample_add_unavailable(s, "lag", "needs pg_monitor");
	is_int(sample_figure(s, "lag")->kind, FIGURE_UNAVAILABLE,
	    "unavailable figure");
	sample_free(s);
	check_free(c);
}

static int once_done_count;

static void
once_done(void *arg)
{
	once_done_count++;
	event_base_loopbreak(arg);
}

static void
test_run_once(void)
{
	struct event_base *base = event_base_new();
	struct config cfg;
	struct health *h;
	const struct check_status *st;
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	char url[64];
	int fd;

	/* A listener that is never accepted: the kernel completes the
	 * handshake, then nothing ever answers. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok(bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0 &&
	    listen(fd, 16) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0,
	    "silent listener");
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", ntohs(sin.sin_port));

	memset(&cfg, 0, sizeof cfg);
	cfg.nchecks = 2;
	cfg.checks = xcalloc(2, sizeof *cfg.checks);
	cfg.checks[0] = mk_check("refused", "http://127.0.0.1:1/", 2000);
	cfg.checks[1] = mk_check("silent", url, 200);
	h = health_new(base, &cfg, NULL, NULL);
	is_int(health_count(h), 2, "two checks");
	is_int(health_find(h, "silent"), 1, "find by name");
	is_int(health_find(h, "nope"), -1, "unknown name");
	is_int(health_worst(h), STATE_UNKNOWN, "unknown before results");
	health_run_once(h, NULL, once_done, base);
	event_base_dispatch(base);
	is_int(once_done_count, 1, "done called once");
	st = health_get(h, 0);
	is_int(st->state, STATE_CRIT, "refused port is crit");
	ok(st->last != NULL && strstr(st->last->message, "onnect") != NULL,
	    "message says connect failed");
	st = health_get(h, 1);
	is_int(st->state, STATE_CRIT, "silent server is crit");
	ok(st->last != NULL && strstr(st->last->message,
	    "timeout after 0.2s") != NULL, "with a timeout message");
	is_int(health_worst(h), STATE_CRIT, "worst is crit");
	health_set_maintenance(h, 0, "w", 1);
	health_set_maintenance(h, 1, "w", 1);
	is_int(health_worst(h), STATE_OK, "maintenance excluded from worst");
	ok(health_get(h, 2) == NULL, "out of range is NULL");
	health_free(h);
	check_free(cfg.checks[0]);
	check_free(cfg.checks[1]);
	free(cfg.checks);
	close(fd);
	event_base_free(base);
}

int
main(void)
{
	test_states();
	test_hysteresis();
	test_ring();
	test_samples();
	test_run_once();
	return tap_done();
}
