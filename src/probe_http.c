/* The HTTP probe: one request per probe through libcurl's multi interface,
 * whose sockets and timer are joined to the libevent loop; checks status,
 * body, latency, the certificate's expiry and Prometheus metrics. */
#include <curl/curl.h>
#include <event2/event.h>
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include "build.h"
#include "check.h"
#include "jsonpath.h"
#include "probe.h"
#include "prom.h"
#include "resolve.h"
#include "secretfile.h"

/*
 * The multi handle shared by every HTTP check on one loop (so keep-alive
 * connections can be reused), kept in ctx->kind_state[CHECK_HTTP].
 */
struct http_multi {
	CURLM			*multi;
	struct event_base	*base;
	struct event		*timer;
	int			 own_dns;	/* curl would resolve blocking */
	struct resolve		*resolve;
	/*
	 * At most HTTP_MAX_ACTIVE transfers at once; the others wait in
	 * order.  Each transfer holds a connection and curl's buffers:
	 * unbounded, 1,000 checks due together would take 30 MiB.
	 */
	unsigned int		 active;
	TAILQ_HEAD(, probe)	 queue;		/* waiting, in order */
	struct event		*kick;		/* deferred http_pump */
};

#define HTTP_MAX_ACTIVE	64

/* libevent's watch of one socket curl asked for. */
struct http_sock {
	struct event	*ev;
	struct http_multi *m;
};

struct probe {
	struct probe_ctx	*ctx;
	const struct check	*c;
	struct http_multi	*m;
	CURL			*easy;
	struct curl_slist	*hdrs;
	struct curl_slist	*resolve_list;
	struct curl_slist	*connect_to;	/* for tls_server_name */
	struct resolve_req	*rq;
	/* The files read for this probe, on the worker (secretfile.h): the
	 * secret header lines until added, the TLS files until the
	 * transfer is gone (curl uses the key where it is). */
	struct secretfile	*sf;		/* being read */
	struct secretfile_result files;
	char			 errbuf[CURL_ERROR_SIZE];
	struct buf		 body;
	size_t			 body_seen;
	int			 store_body;
	int			 truncated;
	int			 stage;		/* 0 the URL, 1 metrics_url */
	int			 https;
	probe_done_cb		 cb;
	void			*arg;
	struct sample		*s;
	long long		 start_ms;
	double			 cert_days;	/* last seen; for reused */
	time_t			 cert_expiry;	/* connections */
	TAILQ_ENTRY(probe)	 entry;		/* in m->queue */
	int			 queued;	/* waiting for a slot */
	int			 active;	/* holds a slot */
};

static void http_check_info(struct http_multi *);
static void http_pump(evutil_socket_t, short, void *);

static void
http_event(evutil_socket_t fd, short what, void *arg)
{
	struct http_sock *hs = arg;
	struct http_multi *m = hs->m;
	int action = 0, running;

	if (what & EV_READ)
		action |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	/* hs may be freed inside: do not use it after this call. */
	curl_multi_socket_action(m->multi, fd, action, &running);
	http_check_info(m);
}

static int
http_socket_cb(CURL *e, curl_socket_t fd, int what, void *userp,
    void *sockp)
{
	struct http_multi *m = userp;
	struct http_sock *hs = sockp;
	short kind;

	if (what == CURL_POLL_REMOVE) {
		if (hs != NULL) {
			event_free(hs->ev);
			free(hs);
			curl_multi_assign(m->multi, fd, NULL);
		}
		return 0;
	}
	kind = EV_PERSIST;
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	if (hs == NULL) {
		hs = xcalloc(1, sizeof *hs);
		hs->m = m;
		curl_multi_assign(m->multi, fd, hs);
	} else
		event_free(hs->ev);
	hs->ev = event_new(m->base, fd, kind, http_event, hs);
	if (hs->ev == NULL)
		fatal("event_new failed");
	event_add(hs->ev, NULL);
	return 0;
}

static void
http_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct http_multi *m = arg;
	int running;

	curl_multi_socket_action(m->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	http_check_info(m);
}

static int
http_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct http_multi *m = userp;
	struct timeval tv;

	if (timeout_ms < 0) {
		evtimer_del(m->timer);
		return 0;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	evtimer_add(m->timer, &tv);
	return 0;
}

static struct http_multi *
http_multi_get(struct probe_ctx *ctx)
{
	static int global_done;
	struct http_multi *m = ctx->kind_state[CHECK_HTTP];
	const curl_version_info_data *vi;

	if (m != NULL)
		return m;
	if (!global_done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
			fatal("curl_global_init failed");
		global_done = 1;
	}
	m = xcalloc(1, sizeof *m);
	m->base = ctx->base;
	m->resolve = ctx->resolve;
	m->multi = curl_multi_init();
	if (m->multi == NULL)
		fatal("curl_multi_init failed");
	/*
	 * libcurl resolves without blocking only when built with an
	 * asynchronous resolver (threaded or c-ares); otherwise names are
	 * resolved here with evdns and handed over with CURLOPT_RESOLVE.
	 */
	vi = curl_version_info(CURLVERSION_NOW);
	m->own_dns = (vi->features & CURL_VERSION_ASYNCHDNS) == 0;
	m->timer = evtimer_new(ctx->base, http_timeout, m);
	m->kick = event_new(ctx->base, -1, 0, http_pump, m);
	if (m->timer == NULL || m->kick == NULL)
		fatal("event_new failed");
	TAILQ_INIT(&m->queue);
	curl_multi_setopt(m->multi, CURLMOPT_SOCKETFUNCTION, http_socket_cb);
	curl_multi_setopt(m->multi, CURLMOPT_SOCKETDATA, m);
	curl_multi_setopt(m->multi, CURLMOPT_TIMERFUNCTION, http_timer_cb);
	curl_multi_setopt(m->multi, CURLMOPT_TIMERDATA, m);
	ctx->kind_state[CHECK_HTTP] = m;
	return m;
}

static void
http_ctx_free(struct probe_ctx *ctx)
{
	struct http_multi *m = ctx->kind_state[CHECK_HTTP];

	if (m == NULL)
		return;
	curl_multi_cleanup(m->multi);
	event_free(m->timer);
	event_free(m->kick);
	free(m);
	ctx->kind_state[CHECK_HTTP] = NULL;
}

static struct probe *
http_create(struct probe_ctx *ctx, const struct check *c)
{
	struct probe *p;

	p = xcalloc(1, sizeof *p);
	p->ctx = ctx;
	p->c = c;
	p->m = http_multi_get(ctx);
	p->cert_days = NAN;
	buf_init(&p->body);
	return p;
}

static size_t
http_write(char *data, size_t size, size_t n, void *arg)
{
	struct probe *p = arg;
	size_t len = size * n, room;

	room = (size_t)p->c->http.max_body - p->body_seen;
	if (len > room) {
		/* Past the cap: keep what fits, then stop the transfer. */
		if (p->store_body)
			buf_add(&p->body, data, room);
		p->body_seen += room;
		p->truncated = 1;
		return 0;
	}
	if (p->store_body)
		buf_add(&p->body, data, len);
	p->body_seen += len;
	return len;
}

/* Drops the transfer in flight (if any). */
static void
http_drop(struct probe *p)
{
	struct curl_slist *l;

	if (p->rq != NULL) {
		resolve_cancel(p->rq);
		p->rq = NULL;
	}
	if (p->easy != NULL) {
		curl_multi_remove_handle(p->m->multi, p->easy);
		curl_easy_cleanup(p->easy);
		p->easy = NULL;
	}
	/* The headers may hold secrets: wiped before they are freed. */
	for (l = p->hdrs; l != NULL; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(p->hdrs);
	p->hdrs = NULL;
	curl_slist_free_all(p->resolve_list);
	p->resolve_list = NULL;
	curl_slist_free_all(p->connect_to);
	p->connect_to = NULL;
}

/* Gives back the probe's transfer slot (or its place in the queue). */
static void
http_release(struct probe *p)
{
	struct http_multi *m = p->m;

	if (p->queued) {
		TAILQ_REMOVE(&m->queue, p, entry);
		p->queued = 0;
	}
	if (p->active) {
		p->active = 0;
		m->active--;
		if (!TAILQ_EMPTY(&m->queue))
			event_active(m->kick, EV_TIMEOUT, 0);
	}
}

/* Wipes what was read for the probe (after the transfer is gone). */
static void
http_forget_files(struct probe *p)
{
	secretfile_result_clear(&p->files);
}

static void
http_deliver(struct probe *p)
{
	struct sample *s = p->s;
	probe_done_cb cb = p->cb;

	http_release(p);
	http_drop(p);
	http_forget_files(p);
	buf_free(&p->body);
	p->s = NULL;
	p->cb = NULL;
	cb(s, p->arg);
}

static void
http_resolved(int err, const char *addr, const char *why, void *arg)
{
	struct probe *p = arg;
	CURLU *u;
	char *host = NULL, *port = NULL, *entry;
	CURLMcode mc;

	p->rq = NULL;
	if (err != 0) {
		sample_fail(p->s, STATE_CRIT, "cannot resolve host: %s", why);
		http_deliver(p);
		return;
	}
	u = curl_url();
	curl_url_set(u, CURLUPART_URL, p->stage == 0 ? p->c->http.url :
	    p->c->http.metrics_url, 0);
	curl_url_get(u, CURLUPART_HOST, &host, 0);
	curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
	if (host != NULL && port != NULL) {
		entry = xasprintf("%s:%s:%s%s%s", host, port,
		    strchr(addr, ':') != NULL ? "[" : "", addr,
		    strchr(addr, ':') != NULL ? "]" : "");
		p->resolve_list = curl_slist_append(NULL, entry);
		free(entry);
		curl_easy_setopt(p->easy, CURLOPT_RESOLVE, p->resolve_list);
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	mc = curl_multi_add_handle(p->m->multi, p->easy);
	if (mc != CURLM_OK) {
		sample_fail(p->s, STATE_UNKNOWN, "curl: %s",
		    curl_multi_strerror(mc));
		http_deliver(p);
	}
}

/*
 * Adds the secret headers, read for this probe (a rotated token is picked
 * up at the next one).  curl_slist_append copies each line, which is wiped
 * at once; that copy is wiped by http_drop.
 */
static void
http_secret_headers(struct probe *p)
{
	struct curl_slist *l;
	size_t i;

	for (i = 0; i < p->files.nlines; i++) {
		if (p->files.lines[i] == NULL)
			continue;
		l = curl_slist_append(p->hdrs, p->files.lines[i]);
		secretfile_forget(&p->files.lines[i]);
		if (l == NULL)
			fatal("curl_slist_append: out of memory");
		p->hdrs = l;
	}
}

/*
 * url with its host replaced by tls_server_name, and p->connect_to sending
 * the connection to the URL's own host and port: the name is what curl
 * sends as SNI and Host and checks the certificate against.  NULL (and
 * the URL used as it is) when curl cannot take the URL apart.
 */
static char *
http_named_url(struct probe *p, const char *url, const char *name)
{
	CURLU *u;
	char *host = NULL, *port = NULL, *named = NULL, *entry, *out = NULL;

	u = curl_url();
	if (u == NULL)
		fatal("curl_url: out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) ==
	    CURLUE_OK &&
	    curl_url_set(u, CURLUPART_HOST, name, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &named, 0) == CURLUE_OK) {
		entry = xasprintf("%s:%s:%s:%s", name, port, host, port);
		p->connect_to = curl_slist_append(NULL, entry);
		free(entry);
		if (p->connect_to == NULL)
			fatal("curl_slist_append: out of memory");
		out = xstrdup(named);
	}
	curl_free(host);
	curl_free(port);
	curl_free(named);
	curl_url_cleanup(u);
	return out;
}

/* Hands curl a file read on the worker, where it is (no copy). */
static void
http_blob(CURL *e, CURLoption opt, const struct secretfile_blob *b)
{
	struct curl_blob blob;

	blob.data = b->data;
	blob.len = b->len;
	blob.flags = CURL_BLOB_NOCOPY;
	curl_easy_setopt(e, opt, &blob);
}

/*
 * The check's TLS options: its CAs, client certificate and server name.
 * The files were read on the worker: curl gets their bytes, so it opens
 * none of them on the loop.
 */
static void
http_tls(struct probe *p, const char *url)
{
	const struct check_http *h = &p->c->http;
	char *named;

	if (p->files.ca.data != NULL) {
		/* Its CAs instead of the system's, not beside them. */
		http_blob(p->easy, CURLOPT_CAINFO_BLOB, &p->files.ca);
		curl_easy_setopt(p->easy, CURLOPT_CAINFO, NULL);
		curl_easy_setopt(p->easy, CURLOPT_CAPATH, NULL);
	} else {
		/*
		 * The system's CA bundle alone (the directory beside it holds
		 * the same certificates): curl then keeps the store it builds
		 * for every connection of the multi handle, and reads the
		 * bundle again only once a day (CURLOPT_CA_CACHE_TIMEOUT).
		 */
		curl_easy_setopt(p->easy, CURLOPT_CAPATH, NULL);
	}
	if (p->files.cert.data != NULL && p->files.key.data != NULL) {
		http_blob(p->easy, CURLOPT_SSLCERT_BLOB, &p->files.cert);
		http_blob(p->easy, CURLOPT_SSLKEY_BLOB, &p->files.key);
	}
	if (h->tls_server_name == NULL || p->stage != 0)
		return;
	named = http_named_url(p, url, h->tls_server_name);
	if (named == NULL)
		return;
	curl_easy_setopt(p->easy, CURLOPT_URL, named);
	curl_easy_setopt(p->easy, CURLOPT_CONNECT_TO, p->connect_to);
	free(named);
}

/* Starts the request of the current stage.  Returns 0, or -1 after
 * delivering a failed sample. */
static int
http_begin(struct probe *p)
{
	const struct check_http *h = &p->c->http;
	const char *url = p->stage == 0 ? h->url : h->metrics_url;
	CURLU *u;
	CURLMcode mc;
	char *host = NULL;
	size_t i;

	p->easy = curl_easy_init();
	if (p->easy == NULL)
		fatal("curl_easy_init failed");
	buf_reset(&p->body);
	p->body_seen = 0;
	p->truncated = 0;
	p->errbuf[0] = '\0';
	p->https = strncmp(url, "https:", 6) == 0;
	p->store_body = (p->stage == 0 && (h->body_contains != NULL ||
	    h->has_re || h->njson > 0)) ||
	    (h->nmetrics > 0 && (p->stage == 1 || h->metrics_url == NULL));

	curl_easy_setopt(p->easy, CURLOPT_URL, url);
	curl_easy_setopt(p->easy, CURLOPT_PRIVATE, p);
	curl_easy_setopt(p->easy, CURLOPT_ERRORBUFFER, p->errbuf);
	curl_easy_setopt(p->easy, CURLOPT_WRITEFUNCTION, http_write);
	curl_easy_setopt(p->easy, CURLOPT_WRITEDATA, p);
	curl_easy_setopt(p->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(p->easy, CURLOPT_USERAGENT, PACKAGE_NAME "/"
	    PACKAGE_VERSION);
	curl_easy_setopt(p->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(p->easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(p->easy, CURLOPT_ACCEPT_ENCODING, "");
	if (h->follow_redirects) {
		/* Credentials stay with the URL's host (check.c refuses other
		 * secret headers with redirects). */
		curl_easy_setopt(p->easy, CURLOPT_UNRESTRICTED_AUTH, 0L);
		curl_easy_setopt(p->easy, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(p->easy, CURLOPT_MAXREDIRS, 5L);
	}
	if (!h->tls_verify) {
		curl_easy_setopt(p->easy, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(p->easy, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (p->https) {
		curl_easy_setopt(p->easy, CURLOPT_CERTINFO, 1L);
		http_tls(p, url);
	}
	if (!h->keepalive) {
		/* A new connection per probe, as users' clients make. */
		curl_easy_setopt(p->easy, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(p->easy, CURLOPT_FORBID_REUSE, 1L);
	}
	if (p->stage == 0) {
		if (strcmp(h->method, "HEAD") == 0)
			curl_easy_setopt(p->easy, CURLOPT_NOBODY, 1L);
		else if (strcmp(h->method, "GET") != 0)
			curl_easy_setopt(p->easy, CURLOPT_CUSTOMREQUEST,
			    h->method);
		if (h->body != NULL) {
			curl_easy_setopt(p->easy, CURLOPT_POSTFIELDSIZE,
			    (long)strlen(h->body));
			curl_easy_setopt(p->easy, CURLOPT_COPYPOSTFIELDS,
			    h->body);
			if (strcmp(h->method, "POST") != 0)
				curl_easy_setopt(p->easy,
				    CURLOPT_CUSTOMREQUEST, h->method);
		}
		for (i = 0; i < h->nheaders; i++)
			p->hdrs = curl_slist_append(p->hdrs, h->headers[i]);
		http_secret_headers(p);
		if (p->hdrs != NULL)
			curl_easy_setopt(p->easy, CURLOPT_HTTPHEADER, p->hdrs);
	}

	if (p->m->own_dns) {
		u = curl_url();
		curl_url_set(u, CURLUPART_URL, url, 0);
		curl_url_get(u, CURLUPART_HOST, &host, 0);
		curl_url_cleanup(u);
		if (host != NULL && *host != '[' && !resolve_is_numeric(host)) {
			p->rq = resolve_start(p->ctx->resolve, host,
			    http_resolved, p);
			curl_free(host);
			return p->cb == NULL ? -1 : 0;
		}
		curl_free(host);
	}
	mc = curl_multi_add_handle(p->m->multi, p->easy);
	if (mc != CURLM_OK) {
		sample_fail(p->s, STATE_UNKNOWN, "curl: %s",
		    curl_multi_strerror(mc));
		http_deliver(p);
		return -1;
	}
	return 0;
}

/* Takes a slot and starts the transfer. */
static void
http_go(struct probe *p)
{
	p->active = 1;
	p->m->active++;
	p->stage = 0;
	p->start_ms = util_mono_ms();
	http_begin(p);
}

/* Starts waiting transfers while slots are free (from its own event). */
static void
http_pump(evutil_socket_t fd, short what, void *arg)
{
	struct http_multi *m = arg;
	struct probe *p;

	while (m->active < HTTP_MAX_ACTIVE &&
	    (p = TAILQ_FIRST(&m->queue)) != NULL) {
		TAILQ_REMOVE(&m->queue, p, entry);
		p->queued = 0;
		http_go(p);
	}
}

/* Takes a transfer slot, or waits for one in order. */
static void
http_enqueue(struct probe *p)
{
	struct http_multi *m = p->m;

	if (m->active < HTTP_MAX_ACTIVE && TAILQ_EMPTY(&m->queue)) {
		http_go(p);
		return;
	}
	TAILQ_INSERT_TAIL(&m->queue, p, entry);
	p->queued = 1;
}

/* The files read (secretfile.h): the transfer may start. */
static void
http_files(struct secretfile_result *r, void *arg)
{
	struct probe *p = arg;

	p->sf = NULL;
	if (p->s == NULL)
		return;		/* read for a probe since cancelled */
	if (r->cause != NULL) {
		/* Our side is broken: the server's health is unknown. */
		sample_fail(p->s, STATE_UNKNOWN, "%s", r->cause);
		http_deliver(p);
		return;
	}
	http_forget_files(p);
	p->files = *r;
	memset(r, 0, sizeof *r);
	http_enqueue(p);
}

static void
http_start(struct probe *p, long long timeout_ms, probe_done_cb cb,
    void *arg)
{
	const struct check_http *h = &p->c->http;

	p->cb = cb;
	p->arg = arg;
	p->s = sample_new();
	if (p->sf != NULL)
		return;		/* a read for a cancelled probe: this one's */
	if (h->nsecret_headers > 0 || secretfile_needed(p->c))
		p->sf = secretfile_read(p->ctx->worker, p->c, http_files, p);
	else
		http_enqueue(p);
}

/*
 * Cancels the transfer.  A read of the files in progress is left to
 * finish (the next probe takes it), so a hung file system holds one read,
 * not one per probe.
 */
static void
http_cancel(struct probe *p)
{
	http_release(p);
	http_drop(p);
	http_forget_files(p);
	buf_free(&p->body);
	sample_free(p->s);
	p->s = NULL;
	p->cb = NULL;
}

static const char *
http_phase(struct probe *p)
{
	curl_off_t t = 0;

	if (p->sf != NULL)
		return "reading the secret and TLS files";
	if (p->queued)
		return "waiting for a free transfer slot";
	if (p->rq != NULL)
		return "resolving";
	if (p->easy == NULL)
		return NULL;
	if (curl_easy_getinfo(p->easy, CURLINFO_CONNECT_TIME_T, &t) ==
	    CURLE_OK && t == 0)
		return "connecting";
	if (p->https && curl_easy_getinfo(p->easy, CURLINFO_APPCONNECT_TIME_T,
	    &t) == CURLE_OK && t == 0)
		return "TLS handshake";
	if (curl_easy_getinfo(p->easy, CURLINFO_STARTTRANSFER_TIME_T, &t) ==
	    CURLE_OK && t == 0)
		return p->stage == 1 ? "waiting for metrics" :
		    "waiting for the response";
	return p->stage == 1 ? "reading metrics" : "reading the body";
}

static void
http_free(struct probe *p)
{
	if (p == NULL)
		return;
	secretfile_cancel(p->sf);
	http_cancel(p);
	free(p);
}

int
probe_http_parse_expiry(const char *s, time_t *out)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof tm);
	while (*s == ' ')
		s++;
	end = strptime(s, "%b %d %H:%M:%S %Y", &tm);
	if (end == NULL)
		return -1;
	*out = timegm(&tm);
	return 0;
}

/* The first certificate's expiry from CURLINFO_CERTINFO. */
static void
http_cert(struct probe *p)
{
	struct curl_certinfo *ci = NULL;
	struct curl_slist *l;
	time_t exp;

	if (curl_easy_getinfo(p->easy, CURLINFO_CERTINFO, &ci) != CURLE_OK ||
	    ci == NULL || ci->num_of_certs < 1)
		return;
	for (l = ci->certinfo[0]; l != NULL; l = l->next) {
		if (strncmp(l->data, "Expire date:", 12) != 0)
			continue;
		if (probe_http_parse_expiry(l->data + 12, &exp) == 0)
			p->cert_expiry = exp;
		return;
	}
}

static int
http_status_ok(const struct check_http *h, long status)
{
	size_t i;

	if (h->nstatus == 0)
		return status >= 200 && status <= 399;
	for (i = 0; i < h->nstatus; i++)
		if (status >= h->status[i].lo && status <= h->status[i].hi)
			return 1;
	return 0;
}

/* Every metric unreadable, for why (a static string). */
static void
http_metrics_fail(struct sample *s, const struct check *c, const char *why)
{
	size_t i;

	free(s->readings);
	s->nreadings = c->http.nmetrics;
	s->readings = xcalloc(s->nreadings, sizeof *s->readings);
	for (i = 0; i < s->nreadings; i++)
		s->readings[i].why = why;
}

/* Reads the metrics; the model turns them into figures (metric.c). */
static void
http_metrics(struct probe *p)
{
	struct sample *s = p->s;
	struct prom *pr;
	char *cause = NULL;

	if (p->truncated) {
		/* A sum over part of the series would look like the truth. */
		http_metrics_fail(s, p->c, "metrics cut at max_body");
		sample_fail(s, STATE_UNKNOWN, "%s; metrics cut at max_body: "
		    "not summed", s->message);
		return;
	}
	pr = prom_parse(p->body.s != NULL ? p->body.s : "", p->body.len,
	    &cause);
	if (pr == NULL) {
		http_metrics_fail(s, p->c, "metrics not readable");
		sample_fail(s, STATE_UNKNOWN, "%s; metrics: %s", s->message,
		    cause != NULL ? cause : "not Prometheus text");
		free(cause);
		return;
	}
	s->nreadings = p->c->http.nmetrics;
	s->readings = xcalloc(s->nreadings, sizeof *s->readings);
	metric_read(p->c, pr, s->readings);
	prom_free(pr);
}

/*
 * Reads the JSON fields from the body: each one a figure judged by its
 * own ranges, or, when it cannot be read, unavailable with the check
 * UNKNOWN and the path in the message.
 */
static void
http_json(struct probe *p)
{
	const struct check_http *h = &p->c->http;
	struct sample *s = p->s;
	struct figure *f;
	json_error_t err;
	json_t *root = NULL;
	const char *why = NULL;
	char *cause = NULL;
	double v;
	size_t i;

	if (p->truncated) {
		/* Part of a document is not the document. */
		why = "body cut at max_body";
		sample_fail(s, STATE_UNKNOWN, "%s; body cut at max_body: json "
		    "fields not read", s->message);
	} else if ((root = json_loadb(p->body.s != NULL ? p->body.s : "",
	    p->body.len, JSON_DECODE_ANY, &err)) == NULL) {
		why = "the body is not JSON";
		sample_fail(s, STATE_UNKNOWN, "%s; the body is not JSON (%s "
		    "at line %d, column %d)", s->message, err.text, err.line,
		    err.column);
	}
	for (i = 0; i < h->njson; i++) {
		if (why != NULL) {
			sample_add_unavailable(s, h->json[i].name, why);
			continue;
		}
		if (jsonpath_number(h->json[i].path, root, &v, &cause) != 0) {
			sample_fail(s, STATE_UNKNOWN, "%s; %s: %s", s->message,
			    h->json[i].name, cause);
			sample_add_unavailable(s, h->json[i].name,
			    "not found or not a number");
			free(cause);
			cause = NULL;
			continue;
		}
		f = sample_add_num(s, h->json[i].name, v, "");
		sample_limit(s, f, &h->json[i].warn, &h->json[i].crit);
	}
	json_decref(root);
}

/* Evaluates the main response; returns 1 when the metrics stage follows. */
static int
http_evaluate(struct probe *p, CURLcode res)
{
	const struct check_http *h = &p->c->http;
	struct sample *s = p->s;
	curl_off_t total = 0, conn = 0, tls = 0;
	long status = 0, nconn = 0;
	const char *body;
	regmatch_t rm;
	char sbuf[64], lat[32];

	curl_easy_getinfo(p->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(p->easy, CURLINFO_TOTAL_TIME_T, &total);
	curl_easy_getinfo(p->easy, CURLINFO_CONNECT_TIME_T, &conn);
	curl_easy_getinfo(p->easy, CURLINFO_APPCONNECT_TIME_T, &tls);
	curl_easy_getinfo(p->easy, CURLINFO_NUM_CONNECTS, &nconn);
	s->latency_ms = (double)total / 1000.0;
	if (nconn > 0)
		s->connect_ms = (double)(tls > conn ? tls : conn) / 1000.0;
	if (p->https) {
		if (nconn > 0)
			http_cert(p);
		if (p->cert_expiry != 0)
			p->cert_days = difftime(p->cert_expiry,
			    time(NULL)) / 86400.0;
	}

	if (res != CURLE_OK && !(res == CURLE_WRITE_ERROR && p->truncated)) {
		sample_fail(s, STATE_CRIT, "%s", p->errbuf[0] != '\0' ?
		    p->errbuf : curl_easy_strerror(res));
		if (status != 0)
			sample_add_num(s, "status", (double)status, "");
		return 0;
	}
	util_format_quantity(s->latency_ms, "ms", lat, sizeof lat);
	sample_set_msg(s, "%ld in %s", status, lat);
	sample_add_num(s, "status", (double)status, "");
	sample_add_num(s, "latency", s->latency_ms / 1000.0, "s");
	sample_add_num(s, "size", (double)p->body_seen, "B");
	if (p->https && !isnan(p->cert_days))
		sample_add_num(s, "cert_days", p->cert_days, "d");
	if (p->truncated) {
		snprintf(sbuf, sizeof sbuf, "%lld", h->max_body);
		sample_set_msg(s, "%s; body cut at max_body (%s bytes)",
		    s->message, sbuf);
	}
	if (!http_status_ok(h, status))
		sample_fail(s, STATE_CRIT, "%s; unexpected status %ld",
		    s->message, status);
	body = p->body.s != NULL ? p->body.s : "";
	if (h->body_contains != NULL && memmem(body, p->body.len,
	    h->body_contains, strlen(h->body_contains)) == NULL)
		sample_fail(s, STATE_CRIT, "%s; body does not contain \"%s\"",
		    s->message, h->body_contains);
	if (h->has_re) {
		rm.rm_so = 0;
		rm.rm_eo = (regoff_t)p->body.len;
		if (regexec(&h->re, body, 1, &rm, REG_STARTEND) != 0)
			sample_fail(s, STATE_CRIT, "%s; body does not match "
			    "/%s/", s->message, h->body_regex);
	}
	if (h->njson > 0)
		http_json(p);
	if (h->nmetrics > 0) {
		if (h->metrics_url != NULL)
			return 1;
		http_metrics(p);
	}
	return 0;
}

static void
http_metrics_done(struct probe *p, CURLcode res)
{
	long status = 0;

	curl_easy_getinfo(p->easy, CURLINFO_RESPONSE_CODE, &status);
	if ((res != CURLE_OK && !(res == CURLE_WRITE_ERROR && p->truncated)) ||
	    status < 200 || status > 299) {
		http_metrics_fail(p->s, p->c, "metrics_url failed");
		sample_fail(p->s, STATE_UNKNOWN, "%s; metrics_url: %s",
		    p->s->message, res != CURLE_OK ? (p->errbuf[0] != '\0' ?
		    p->errbuf : curl_easy_strerror(res)) : "bad status");
		return;
	}
	http_metrics(p);
}

static void
http_check_info(struct http_multi *m)
{
	struct probe *p;
	CURLMsg *msg;
	CURLcode res;
	int left;

	while ((msg = curl_multi_info_read(m->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		res = msg->data.result;
		p = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &p);
		if (p == NULL || p->s == NULL)
			continue;
		if (p->stage == 0) {
			if (http_evaluate(p, res)) {
				http_drop(p);
				p->stage = 1;
				http_begin(p);
				continue;
			}
		} else
			http_metrics_done(p, res);
		http_deliver(p);
	}
}

const struct probe_ops probe_http_ops = {
	.type = CHECK_HTTP,
	.name = "http",
	.create = http_create,
	.start = http_start,
	.cancel = http_cancel,
	.phase = http_phase,
	.free = http_free,
	.ctx_free = http_ctx_free,
};
