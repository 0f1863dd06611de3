/* A small HTTP/1.1 test server on libevent's evhttp, with optional TLS
 * listeners, that can be healthy, slow, failing, hanging, huge or hostile;
 * used by "maintop demo" and by the test suite. */
#ifndef MAINTOP_DEMO_HTTPD_H
#define MAINTOP_DEMO_HTTPD_H

/* One TLS listener: a certificate chain and key in PEM files, and a port. */
struct demo_httpd_tls {
	const char	*cert;		/* PEM certificate (chain); NULL: no listener */
	const char	*key;		/* PEM private key */
	int		 port;		/* 0: pick a free port */
	const char	*client_ca;	/* PEM CAs a client's certificate must
					 * chain to (required); NULL: none */
};

/*
 * What the server listens on and where it says so.  Every listener binds
 * addr (NULL means 127.0.0.1).  Once all are bound the server reports the
 * ports as lines "PORT n", then "TLS_PORT n" and "TLS2_PORT n" for the TLS
 * listeners that are enabled: to port_file when set (written whole to a
 * temporary name, then renamed, so a reader never sees half of it), else
 * to port_fd when it is >= 0 (then closed: the reader sees end-of-file once
 * the server is ready), else to stdout when print_ports is set.
 */
struct demo_httpd_opts {
	const char		*addr;
	int			 port;		/* plain HTTP; 0: pick a free one */
	struct demo_httpd_tls	 tls;		/* first TLS listener */
	struct demo_httpd_tls	 tls2;		/* a second one (another cert) */
	const char		*port_file;
	int			 port_fd;	/* -1 when unused */
	int			 print_ports;
	int			 verbose;	/* log each request to stderr */
};

/* Sets opts to the defaults: 127.0.0.1, free ports, no TLS, no report. */
void demo_httpd_opts_init(struct demo_httpd_opts *);

/*
 * Runs the server in its own event loop until SIGTERM or SIGINT (which it
 * unblocks and handles; SIGPIPE is ignored).  Endpoints:
 *   /, /health     200 {"status":"ok"} (503 {"status":"down"} once toggled)
 *   /toggle        POST flips /health between 200 and 503 (GET reports)
 *   /status/NNN    answers with status NNN (200..599)
 *   /slow?ms=N     answers after N ms (at most 10 minutes), from a timer
 *   /hang          reads the request and never answers
 *   /huge?mb=N     an N MiB body (at most 4096), streamed in 64 KiB chunks
 *   /escape        a body full of terminal escape sequences and bad UTF-8
 *   /metrics       Prometheus text: request counters by code, a gauge and
 *                  a latency histogram
 *   /redirect      302 to /health
 *   /echo          the method, URI, headers and body, as plain text
 *   /body          the request's body, as application/json
 *   /client        {"client":"CN"}: the common name of the client's
 *                  certificate on a TLS listener with client_ca (403
 *                  without one)
 *   /header?name=N&value=V  200 when the request has header N with value
 *                  V, 401 when it lacks it, 403 when the value differs
 * anything else answers 404.  Returns 0 after a clean shutdown, or -1 with
 * *cause set (the caller frees it) when a listener or TLS setup fails.
 * Logs nothing unless opts->verbose.
 */
int demo_httpd_run(const struct demo_httpd_opts *, char **cause);

/*
 * Writes a fresh self-signed certificate for CN=localhost (with
 * subjectAltName localhost and 127.0.0.1) valid from an hour ago for days
 * days, and its P-256 key (mode 0600), in PEM.  Returns 0, or -1 with
 * *cause set (the caller frees it).
 */
int demo_httpd_make_cert(const char *certpath, const char *keypath, int days,
    char **cause);

/*
 * Finds a TCP port on 127.0.0.1 that is free now (the kernel picks one).
 * Another process may take it before the caller binds it, so callers retry
 * on "address in use".  Returns the port, or -1.
 */
int demo_httpd_free_port(void);

#endif
