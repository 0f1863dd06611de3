/* The demo and test HTTP server: its listeners over plain TCP and TLS, the
 * answers and the requests still pending (the endpoints are in
 * demo_httpd_routes.c), its certificate and free ports. */
#include "build.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "demo_httpd.h"
#include "demo_httpd_int.h"
#include "util.h"

#define HTTPD_MAX_BODY		(1024 * 1024)

const double demo_httpd_buckets[DEMO_HTTPD_NBUCKETS] = {
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
};

void
demo_httpd_opts_init(struct demo_httpd_opts *o)
{
	memset(o, 0, sizeof *o);
	o->addr = "127.0.0.1";
	o->port_fd = -1;
}

/* Counts an answer with status code that took since start ms. */
void
demo_httpd_account(struct httpd *h, int code, long long start)
{
	double secs;
	size_t i;

	if (code >= 0 && code < 600)
		h->codes[code]++;
	secs = (double)(util_mono_ms() - start) / 1000.0;
	if (secs < 0)
		secs = 0;
	for (i = 0; i < DEMO_HTTPD_NBUCKETS; i++) {
		if (secs <= demo_httpd_buckets[i])
			h->buckets[i]++;
	}
	h->count++;
	h->sum += secs;
}

void
demo_httpd_log(struct httpd *h, struct evhttp_request *req, int code)
{
	const char *uri;

	if (!h->verbose)
		return;
	uri = evhttp_request_get_uri(req);
	fprintf(stderr, "testhttpd: %d %s\n", code, uri != NULL ? uri : "?");
}

/* Sends a whole answer with body (len bytes) of content type ctype. */
void
demo_httpd_reply(struct httpd *h, struct evhttp_request *req, int code,
    const char *reason, const char *ctype, const char *body, size_t len,
    long long start)
{
	struct evbuffer *out = evhttp_request_get_output_buffer(req);
	struct evkeyvalq *hdr = evhttp_request_get_output_headers(req);

	if (ctype != NULL)
		evhttp_add_header(hdr, "Content-Type", ctype);
	evhttp_add_header(hdr, "Server", "maintop-testhttpd");
	if (body != NULL && len > 0)
		evbuffer_add(out, body, len);
	demo_httpd_account(h, code, start);
	demo_httpd_log(h, req, code);
	evhttp_send_reply(req, code, reason, NULL);
}

void
demo_httpd_reply_str(struct httpd *h, struct evhttp_request *req, int code,
    const char *ctype, const char *body, long long start)
{
	demo_httpd_reply(h, req, code, NULL, ctype, body, strlen(body), start);
}

/*
 * The connection is going away.  When it failed under a request we had not
 * finished (a client leaving in the middle of /huge), evhttp has already
 * detached the request and left it to us to free; otherwise the request
 * goes with the connection.
 */
static void
httpd_closed(struct evhttp_connection *evcon, void *arg)
{
	struct httpd_pending *p = arg;

	if (evhttp_request_get_connection(p->req) == NULL)
		evhttp_request_free(p->req);
	demo_httpd_pending_free(p);
}

/*
 * evhttp stops reading a connection once it has a whole request, so it
 * does not notice a client that gives up on a slow or hanging answer: the
 * connection would stay open until the answer, forever for /hang.  This
 * watches the socket: end-of-file or an error frees the connection (whose
 * close callback frees p).  Data (a pipelined request, or a TLS record)
 * ends the watch, as evhttp will read it after the answer.
 */
static void
httpd_watch(evutil_socket_t fd, short events, void *arg)
{
	struct httpd_pending *p = arg;
	char c;
	ssize_t n;

	n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n > 0) {
		event_del(p->watch);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return;
	evhttp_connection_free(p->evcon);
}

struct httpd_pending *
demo_httpd_pending_new(struct httpd *h, struct evhttp_request *req,
    enum httpd_kind kind, long long start)
{
	struct httpd_pending *p;

	p = xcalloc(1, sizeof *p);
	p->h = h;
	p->kind = kind;
	p->req = req;
	p->start = start;
	p->evcon = evhttp_request_get_connection(req);
	p->next = h->pending;
	if (h->pending != NULL)
		h->pending->prev = p;
	h->pending = p;
	h->npending++;
	if (p->evcon != NULL) {
		struct bufferevent *bev;
		evutil_socket_t fd;

		evhttp_connection_set_closecb(p->evcon, httpd_closed, p);
		bev = evhttp_connection_get_bufferevent(p->evcon);
		fd = bev != NULL ? bufferevent_getfd(bev) : -1;
		if (kind != HTTPD_HUGE && fd >= 0) {
			p->watch = event_new(h->base, fd, EV_READ | EV_PERSIST,
			    httpd_watch, p);
			event_add(p->watch, NULL);
		}
	}
	return p;
}

/* Unlinks and frees p; its request is not touched. */
void
demo_httpd_pending_free(struct httpd_pending *p)
{
	struct httpd *h = p->h;

	if (p->timer != NULL)
		event_free(p->timer);
	if (p->watch != NULL)
		event_free(p->watch);
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		h->pending = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	h->npending--;
	free(p);
}

/* The request is about to be answered: detach p from its connection. */
void
demo_httpd_pending_done(struct httpd_pending *p)
{
	if (p->evcon != NULL)
		evhttp_connection_set_closecb(p->evcon, NULL, NULL);
	demo_httpd_pending_free(p);
}

static void
httpd_signal(evutil_socket_t sig, short events, void *arg)
{
	event_base_loopbreak(arg);
}

static struct bufferevent *
httpd_bevcb(struct event_base *base, void *arg)
{
	struct bufferevent *bev;
	SSL *ssl;

	ssl = SSL_new(arg);
	if (ssl == NULL)
		return NULL;
	bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev != NULL)
		bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

/* The most recent OpenSSL error as text, or what when there is none. */
static char *
httpd_ssl_error(const char *what, const char *path)
{
	char msg[256];
	unsigned long e;

	e = ERR_get_error();
	ERR_clear_error();
	if (e == 0)
		return xasprintf("%s %s", what, path);
	ERR_error_string_n(e, msg, sizeof msg);
	return xasprintf("%s %s: %s", what, path, msg);
}

static SSL_CTX *
httpd_ssl_ctx(const struct demo_httpd_tls *t, char **cause)
{
	SSL_CTX *ctx;

	ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL) {
		*cause = httpd_ssl_error("cannot create TLS context", "");
		return NULL;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, t->cert) != 1) {
		*cause = httpd_ssl_error("cannot load certificate", t->cert);
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, t->key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		*cause = httpd_ssl_error("cannot load key", t->key);
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (t->client_ca != NULL) {
		/* Mutual TLS: no certificate from these CAs, no request. */
		if (SSL_CTX_load_verify_locations(ctx, t->client_ca, NULL) !=
		    1) {
			*cause = httpd_ssl_error("cannot load CA", t->client_ca);
			SSL_CTX_free(ctx);
			return NULL;
		}
		SSL_CTX_set_client_CA_list(ctx,
		    SSL_load_client_CA_file(t->client_ca));
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
		    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	}
	return ctx;
}

/* Creates one evhttp listening on addr:port; stores the bound port. */
static struct evhttp *
httpd_listen(struct httpd *h, const char *addr, int port, SSL_CTX *ctx,
    int *bound, char **cause)
{
	struct evhttp *http;
	struct evhttp_bound_socket *sock;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;

	memset(&ss, 0, sizeof ss);
	if (port < 0 || port > 65535) {
		*cause = xasprintf("bad port %d", port);
		return NULL;
	}
	http = evhttp_new(h->base);
	if (http == NULL) {
		*cause = xstrdup("cannot create HTTP server");
		return NULL;
	}
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	evhttp_set_max_body_size(http, HTTPD_MAX_BODY);
	evhttp_set_max_headers_size(http, 64 * 1024);
	evhttp_set_gencb(http, demo_httpd_routes_dispatch, h);
	if (ctx != NULL)
		evhttp_set_bevcb(http, httpd_bevcb, ctx);
	errno = 0;
	sock = evhttp_bind_socket_with_handle(http, addr, (ev_uint16_t)port);
	if (sock == NULL) {
		*cause = xasprintf("cannot listen on %s:%d: %s", addr, port,
		    errno != 0 ? strerror(errno) : "bind failed");
		evhttp_free(http);
		return NULL;
	}
	if (getsockname(evhttp_bound_socket_get_fd(sock),
	    (struct sockaddr *)&ss, &sl) != 0) {
		*cause = xasprintf("getsockname: %s", strerror(errno));
		evhttp_free(http);
		return NULL;
	}
	if (ss.ss_family == AF_INET)
		*bound = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else
		*bound = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return http;
}

/* Writes text to path whole: a temporary file renamed over it. */
static int
httpd_write_file(const char *path, const char *text, char **cause)
{
	char *tmp;
	FILE *f;
	int rc = 0;

	tmp = xasprintf("%s.tmp%ld", path, (long)getpid());
	f = fopen(tmp, "w");
	if (f == NULL) {
		*cause = xasprintf("%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	fputs(text, f);
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		unlink(tmp);
		rc = -1;
	}
	free(tmp);
	return rc;
}

static int
httpd_report(const struct demo_httpd_opts *o, const char *text, char **cause)
{
	size_t off = 0, len = strlen(text);
	ssize_t n;

	if (o->port_file != NULL)
		return httpd_write_file(o->port_file, text, cause);
	if (o->port_fd >= 0) {
		while (off < len) {
			n = write(o->port_fd, text + off, len - off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				*cause = xasprintf("writing ports: %s",
				    strerror(errno));
				return -1;
			}
			off += (size_t)n;
		}
		close(o->port_fd);
		return 0;
	}
	if (o->print_ports) {
		fputs(text, stdout);
		fflush(stdout);
	}
	return 0;
}

int
demo_httpd_run(const struct demo_httpd_opts *o, char **cause)
{
	struct httpd h;
	const struct demo_httpd_tls *tls[2] = { &o->tls, &o->tls2 };
	struct event *sigterm = NULL, *sigint = NULL;
	struct httpd_pending *p;
	struct buf report;
	sigset_t set;
	const char *addr = o->addr != NULL ? o->addr : "127.0.0.1";
	int ports[3] = { 0, 0, 0 }, i, rc = -1;

	memset(&h, 0, sizeof h);
	h.healthy = 1;
	h.verbose = o->verbose;
	buf_init(&report);

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_UNBLOCK, &set, NULL);

	h.base = event_base_new();
	if (h.base == NULL) {
		*cause = xstrdup("cannot create event loop");
		goto out;
	}
	h.http[0] = httpd_listen(&h, addr, o->port, NULL, &ports[0], cause);
	if (h.http[0] == NULL)
		goto out;
	buf_printf(&report, "PORT %d\n", ports[0]);
	for (i = 0; i < 2; i++) {
		if (tls[i]->cert == NULL)
			continue;
		if (tls[i]->key == NULL) {
			*cause = xasprintf("no key for %s", tls[i]->cert);
			goto out;
		}
		h.ctx[i] = httpd_ssl_ctx(tls[i], cause);
		if (h.ctx[i] == NULL)
			goto out;
		h.http[i + 1] = httpd_listen(&h, addr, tls[i]->port, h.ctx[i],
		    &ports[i + 1], cause);
		if (h.http[i + 1] == NULL)
			goto out;
		buf_printf(&report, "%s %d\n", i == 0 ? "TLS_PORT" :
		    "TLS2_PORT", ports[i + 1]);
	}

	sigterm = evsignal_new(h.base, SIGTERM, httpd_signal, h.base);
	sigint = evsignal_new(h.base, SIGINT, httpd_signal, h.base);
	if (sigterm == NULL || sigint == NULL || evsignal_add(sigterm, NULL) ||
	    evsignal_add(sigint, NULL)) {
		*cause = xstrdup("cannot watch signals");
		goto out;
	}
	if (httpd_report(o, report.s, cause) != 0)
		goto out;
	event_base_dispatch(h.base);
	rc = 0;

out:
	/* Freeing a server frees its connections, whose close callbacks free
	 * every pending request. */
	for (i = 0; i < 3; i++) {
		if (h.http[i] != NULL)
			evhttp_free(h.http[i]);
	}
	while ((p = h.pending) != NULL) {
		assert(p->h == &h);
		demo_httpd_pending_free(p);
	}
	for (i = 0; i < 2; i++) {
		if (h.ctx[i] != NULL)
			SSL_CTX_free(h.ctx[i]);
	}
	if (sigterm != NULL)
		event_free(sigterm);
	if (sigint != NULL)
		event_free(sigint);
	if (h.base != NULL)
		event_base_free(h.base);
	buf_free(&report);
	return rc;
}

static int
httpd_add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (ext == NULL)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1 ? 0 : -1;
}

int
demo_httpd_make_cert(const char *certpath, const char *keypath, int days,
    char **cause)
{
	EVP_PKEY *pkey = NULL;
	X509 *x = NULL;
	X509_NAME *name;
	FILE *f = NULL;
	uint64_t serial;
	int fd, rc = -1;

	if (days < 1 || days > 36500) {
		*cause = xasprintf("bad certificate lifetime %d days", days);
		return -1;
	}
	pkey = EVP_EC_gen("P-256");
	x = X509_new();
	if (pkey == NULL || x == NULL ||
	    RAND_bytes((unsigned char *)&serial, sizeof serial) != 1) {
		*cause = httpd_ssl_error("cannot create", "key");
		goto out;
	}
	X509_set_version(x, 2);
	ASN1_INTEGER_set_uint64(X509_get_serialNumber(x),
	    serial & 0x7fffffffffffffffULL);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), (long)days * 86400);
	X509_set_pubkey(x, pkey);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	    (const unsigned char *)"maintop demo", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"localhost", -1, -1, 0);
	X509_set_issuer_name(x, name);
	if (httpd_add_ext(x, NID_basic_constraints, "critical,CA:TRUE") != 0 ||
	    httpd_add_ext(x, NID_subject_key_identifier, "hash") != 0 ||
	    httpd_add_ext(x, NID_subject_alt_name,
	    "DNS:localhost,IP:127.0.0.1") != 0 ||
	    X509_sign(x, pkey, EVP_sha256()) == 0) {
		*cause = httpd_ssl_error("cannot sign", "certificate");
		goto out;
	}

	fd = open(keypath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		*cause = xasprintf("%s: %s", keypath, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	if (PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL) != 1 ||
	    fclose(f) != 0) {
		f = NULL;
		*cause = xasprintf("cannot write %s", keypath);
		goto out;
	}
	f = fopen(certpath, "we");
	if (f == NULL) {
		*cause = xasprintf("%s: %s", certpath, strerror(errno));
		goto out;
	}
	if (PEM_write_X509(f, x) != 1 || fclose(f) != 0) {
		f = NULL;
		*cause = xasprintf("cannot write %s", certpath);
		goto out;
	}
	f = NULL;
	rc = 0;
out:
	if (f != NULL)
		fclose(f);
	X509_free(x);
	EVP_PKEY_free(pkey);
	return rc;
}

int
demo_httpd_free_port(void)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof sin;
	int fd, port = -1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &sl) == 0)
		port = ntohs(sin.sin_port);
	close(fd);
	return port;
}
