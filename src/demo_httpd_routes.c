/* The demo and test HTTP server's endpoints: healthy, slow, failing,
 * hanging, huge and hostile answers, metrics, echoes and client checks;
 * the server itself is in demo_httpd.c. */
#include "build.h"

#include <sys/types.h>
#include <sys/queue.h>

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "demo_httpd.h"
#include "demo_httpd_int.h"
#include "util.h"

#define HTTPD_CHUNK		(64 * 1024)
#define HTTPD_MAX_SLOW_MS	(10LL * 60 * 1000)
#define HTTPD_MAX_HUGE_MB	4096

/*
 * Parses query parameter name of req as an integer in [min, max].  Returns
 * 0 and stores it, 1 when the parameter is absent, -1 when it is invalid.
 */
static int
httpd_param(struct evhttp_request *req, const char *name, long long min,
    long long max, long long *out)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	struct evkeyvalq q;
	const char *query, *v;
	char *end;
	long long n;
	int rc = -1;

	query = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
	if (query == NULL)
		return 1;
	TAILQ_INIT(&q);
	if (evhttp_parse_query_str(query, &q) != 0)
		return -1;
	v = evhttp_find_header(&q, name);
	if (v == NULL)
		rc = 1;
	else if (*v != '\0') {
		errno = 0;
		n = strtoll(v, &end, 10);
		if (errno == 0 && *end == '\0' && n >= min && n <= max) {
			*out = n;
			rc = 0;
		}
	}
	evhttp_clear_headers(&q);
	return rc;
}

static void
httpd_slow_fire(evutil_socket_t fd, short events, void *arg)
{
	struct httpd_pending *p = arg;
	struct httpd *h = p->h;
	struct evhttp_request *req = p->req;
	long long start = p->start;

	demo_httpd_pending_done(p);
	demo_httpd_reply_str(h, req, 200, "application/json",
	    "{\"status\":\"ok\",\"slow\":true}\n", start);
}

static void
httpd_slow(struct httpd *h, struct evhttp_request *req, long long start)
{
	struct httpd_pending *p;
	struct timeval tv;
	long long ms = 1000;

	if (httpd_param(req, "ms", 0, HTTPD_MAX_SLOW_MS, &ms) < 0) {
		demo_httpd_reply_str(h, req, 400, "text/plain",
		    "ms must be 0..600000\n", start);
		return;
	}
	p = demo_httpd_pending_new(h, req, HTTPD_SLOW, start);
	p->timer = evtimer_new(h->base, httpd_slow_fire, p);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(p->timer, &tv);
}

static void httpd_huge_next(struct evhttp_connection *, void *);

/* Sends the next chunk of a huge body, or ends it. */
static void
httpd_huge_send(struct httpd_pending *p)
{
	static char pattern[HTTPD_CHUNK];
	struct evhttp_request *req = p->req;
	struct evbuffer *b;
	size_t n;

	if (pattern[0] == '\0') {
		size_t i;

		for (i = 0; i < sizeof pattern; i++)
			pattern[i] = (i % 64 == 63) ? '\n' :
			    (char)('a' + (int)(i % 26));
	}
	if (p->remaining == 0) {
		demo_httpd_pending_done(p);
		evhttp_send_reply_end(req);
		return;
	}
	n = p->remaining < sizeof pattern ? (size_t)p->remaining :
	    sizeof pattern;
	p->remaining -= n;
	b = evbuffer_new();
	evbuffer_add_reference(b, pattern, n, NULL, NULL);
	evhttp_send_reply_chunk_with_cb(req, b, httpd_huge_next, p);
	evbuffer_free(b);
}

static void
httpd_huge_next(struct evhttp_connection *evcon, void *arg)
{
	httpd_huge_send(arg);
}

static void
httpd_huge(struct httpd *h, struct evhttp_request *req, long long start)
{
	struct httpd_pending *p;
	char len[32];
	long long mb = 16;

	if (httpd_param(req, "mb", 0, HTTPD_MAX_HUGE_MB, &mb) < 0) {
		demo_httpd_reply_str(h, req, 400, "text/plain",
		    "mb must be 0..4096\n", start);
		return;
	}
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD || mb == 0) {
		demo_httpd_reply(h, req, 200, NULL, "text/plain", NULL, 0,
		    start);
		return;
	}
	snprintf(len, sizeof len, "%llu", (unsigned long long)mb << 20);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/plain");
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Length", len);
	demo_httpd_account(h, 200, start);
	demo_httpd_log(h, req, 200);
	p = demo_httpd_pending_new(h, req, HTTPD_HUGE, start);
	p->remaining = (uint64_t)mb << 20;
	evhttp_send_reply_start(req, 200, "OK");
	httpd_huge_send(p);
}

/*
 * A body that would wreck a terminal printed raw: clear screen and cursor
 * moves (CSI), a window title and a clipboard write (OSC 0 and OSC 52), the
 * 8-bit C1 forms of CSI and OSC, a bell, a backspace storm and byte
 * sequences that are not UTF-8 (overlong, lone continuation, surrogate,
 * truncated).
 */
static const char httpd_escape_body[] =
	"status: \033[2J\033[H\033[31;1mHACKED\033[0m\n"
	"title: \033]0;pwned\007\n"
	"clipboard: \033]52;c;cm0gLXJmIH4K\007\n"
	"c1: \233" "2J \235" "0;c1-title\234\n"
	"bell: \007\007 backspace: abc\b\b\b\n"
	"dcs: \033P+q544e\033\\\n"
	"utf8: \xff\xfe \xc0\xaf \x80 \xed\xa0\x80 \xe2\x82\n"
	"cursor: \033[999;999H\033[6n\n";

static void
httpd_escape(struct httpd *h, struct evhttp_request *req, long long start)
{
	demo_httpd_reply(h, req, 200, NULL, "text/plain", httpd_escape_body,
	    sizeof httpd_escape_body - 1, start);
}

static void
httpd_metrics(struct httpd *h, struct evhttp_request *req, long long start)
{
	struct buf b;
	size_t i;
	int code;

	buf_init(&b);
	buf_adds(&b, "# HELP http_requests_total Requests answered, by "
	    "status code.\n# TYPE http_requests_total counter\n");
	for (code = 0; code < 600; code++) {
		if (h->codes[code] != 0)
			buf_printf(&b, "http_requests_total{code=\"%d\"} "
			    "%llu\n", code, h->codes[code]);
	}
	buf_adds(&b, "# HELP demo_requests_in_flight Requests accepted and "
	    "not yet answered.\n# TYPE demo_requests_in_flight gauge\n");
	buf_printf(&b, "demo_requests_in_flight %ld\n", h->npending + 1);
	buf_adds(&b, "# HELP demo_healthy Whether /health answers 200.\n"
	    "# TYPE demo_healthy gauge\n");
	buf_printf(&b, "demo_healthy %d\n", h->healthy);
	buf_adds(&b, "# HELP http_request_duration_seconds Time to answer.\n"
	    "# TYPE http_request_duration_seconds histogram\n");
	for (i = 0; i < DEMO_HTTPD_NBUCKETS; i++)
		buf_printf(&b, "http_request_duration_seconds_bucket"
		    "{le=\"%g\"} %llu\n", demo_httpd_buckets[i], h->buckets[i]);
	buf_printf(&b, "http_request_duration_seconds_bucket{le=\"+Inf\"} "
	    "%llu\n", h->count);
	buf_printf(&b, "http_request_duration_seconds_sum %.6f\n", h->sum);
	buf_printf(&b, "http_request_duration_seconds_count %llu\n", h->count);
	demo_httpd_reply(h, req, 200, NULL, "text/plain; version=0.0.4", b.s,
	    b.len, start);
	buf_free(&b);
}

static const char *
httpd_method(struct evhttp_request *req)
{
	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_GET:
		return "GET";
	case EVHTTP_REQ_POST:
		return "POST";
	case EVHTTP_REQ_HEAD:
		return "HEAD";
	case EVHTTP_REQ_PUT:
		return "PUT";
	case EVHTTP_REQ_DELETE:
		return "DELETE";
	case EVHTTP_REQ_OPTIONS:
		return "OPTIONS";
	case EVHTTP_REQ_TRACE:
		return "TRACE";
	case EVHTTP_REQ_CONNECT:
		return "CONNECT";
	case EVHTTP_REQ_PATCH:
		return "PATCH";
	}
	return "?";
}

static void
httpd_echo(struct httpd *h, struct evhttp_request *req, long long start)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	struct evbuffer *body = evhttp_request_get_input_buffer(req);
	struct evkeyval *kv;
	struct buf b;
	size_t len;

	buf_init(&b);
	buf_printf(&b, "%s %s\n", httpd_method(req),
	    evhttp_request_get_uri(req));
	TAILQ_FOREACH(kv, in, next)
		buf_printf(&b, "%s: %s\n", kv->key, kv->value);
	buf_adds(&b, "\n");
	len = evbuffer_get_length(body);
	if (len > 0)
		buf_add(&b, (const char *)evbuffer_pullup(body, -1), len);
	demo_httpd_reply(h, req, 200, NULL, "text/plain", b.s, b.len, start);
	buf_free(&b);
}

/* /body: the request's body back, as application/json (a POST chooses
 * the document a check reads). */
static void
httpd_body(struct httpd *h, struct evhttp_request *req, long long start)
{
	struct evbuffer *body = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(body);

	demo_httpd_reply(h, req, 200, NULL, "application/json", len > 0 ?
	    (const char *)evbuffer_pullup(body, -1) : "", len, start);
}

/* /client: the common name of the client's certificate, if any. */
static void
httpd_client(struct httpd *h, struct evhttp_request *req, long long start)
{
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	struct bufferevent *bev;
	X509 *x = NULL;
	SSL *ssl;
	char cn[256], body[320];

	bev = conn != NULL ? evhttp_connection_get_bufferevent(conn) : NULL;
	ssl = bev != NULL ? bufferevent_openssl_get_ssl(bev) : NULL;
	if (ssl != NULL)
		x = SSL_get1_peer_certificate(ssl);
	if (x == NULL || X509_NAME_get_text_by_NID(X509_get_subject_name(x),
	    NID_commonName, cn, sizeof cn) < 0) {
		X509_free(x);
		demo_httpd_reply_str(h, req, 403, "text/plain",
		    "no client certificate\n", start);
		return;
	}
	X509_free(x);
	snprintf(body, sizeof body, "{\"client\":\"%s\"}\n", cn);
	demo_httpd_reply_str(h, req, 200, "application/json", body, start);
}

/*
 * /header?name=N&value=V: 200 when the request has header N (any case)
 * with value V exactly, 401 when it lacks it, 403 when the value differs;
 * the body never repeats a value.
 */
static void
httpd_header(struct httpd *h, struct evhttp_request *req, long long start)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	struct evkeyvalq q;
	const char *query, *name, *want, *got;

	query = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
	TAILQ_INIT(&q);
	if (query == NULL || evhttp_parse_query_str(query, &q) != 0 ||
	    (name = evhttp_find_header(&q, "name")) == NULL || *name == '\0' ||
	    (want = evhttp_find_header(&q, "value")) == NULL) {
		evhttp_clear_headers(&q);
		demo_httpd_reply_str(h, req, 400, "text/plain",
		    "use /header?name=NAME&value=VALUE\n", start);
		return;
	}
	got = evhttp_find_header(evhttp_request_get_input_headers(req), name);
	if (got == NULL)
		demo_httpd_reply_str(h, req, 401, "text/plain",
		    "header missing\n", start);
	else if (strcmp(got, want) != 0)
		demo_httpd_reply_str(h, req, 403, "text/plain",
		    "header differs\n", start);
	else
		demo_httpd_reply_str(h, req, 200, "text/plain",
		    "header matches\n", start);
	evhttp_clear_headers(&q);
}

static void
httpd_health(struct httpd *h, struct evhttp_request *req, long long start)
{
	if (h->healthy)
		demo_httpd_reply_str(h, req, 200, "application/json",
		    "{\"status\":\"ok\"}\n", start);
	else
		demo_httpd_reply_str(h, req, 503, "application/json",
		    "{\"status\":\"down\"}\n", start);
}

static void
httpd_toggle(struct httpd *h, struct evhttp_request *req, long long start)
{
	if (evhttp_request_get_command(req) == EVHTTP_REQ_POST)
		h->healthy = !h->healthy;
	demo_httpd_reply_str(h, req, 200, "application/json", h->healthy ?
	    "{\"healthy\":true}\n" : "{\"healthy\":false}\n", start);
}

static void
httpd_status(struct httpd *h, struct evhttp_request *req, const char *arg,
    long long start)
{
	char body[64];
	char *end;
	long code;

	errno = 0;
	code = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || code < 200 ||
	    code > 599) {
		demo_httpd_reply_str(h, req, 400, "text/plain",
		    "status must be 200..599\n", start);
		return;
	}
	snprintf(body, sizeof body, "{\"status\":%ld}\n", code);
	demo_httpd_reply(h, req, (int)code, "Status", "application/json", body,
	    strlen(body), start);
}

static void
httpd_redirect(struct httpd *h, struct evhttp_request *req, long long start)
{
	evhttp_add_header(evhttp_request_get_output_headers(req), "Location",
	    "/health");
	demo_httpd_reply_str(h, req, 302, "text/plain", "see /health\n", start);
}

void
demo_httpd_routes_dispatch(struct evhttp_request *req, void *arg)
{
	struct httpd *h = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path;
	long long start = util_mono_ms();

	h->started++;
	path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	if (path == NULL || *path == '\0')
		path = "/";
	if (strcmp(path, "/") == 0 || strcmp(path, "/health") == 0)
		httpd_health(h, req, start);
	else if (strcmp(path, "/toggle") == 0)
		httpd_toggle(h, req, start);
	else if (strncmp(path, "/status/", 8) == 0)
		httpd_status(h, req, path + 8, start);
	else if (strcmp(path, "/slow") == 0)
		httpd_slow(h, req, start);
	else if (strcmp(path, "/hang") == 0)
		demo_httpd_pending_new(h, req, HTTPD_HANG, start);
	else if (strcmp(path, "/huge") == 0)
		httpd_huge(h, req, start);
	else if (strcmp(path, "/escape") == 0)
		httpd_escape(h, req, start);
	else if (strcmp(path, "/metrics") == 0)
		httpd_metrics(h, req, start);
	else if (strcmp(path, "/redirect") == 0)
		httpd_redirect(h, req, start);
	else if (strcmp(path, "/echo") == 0)
		httpd_echo(h, req, start);
	else if (strcmp(path, "/header") == 0)
		httpd_header(h, req, start);
	else if (strcmp(path, "/body") == 0)
		httpd_body(h, req, start);
	else if (strcmp(path, "/client") == 0)
		httpd_client(h, req, start);
	else
		demo_httpd_reply_str(h, req, 404, "text/plain", "not found\n",
		    start);
}
