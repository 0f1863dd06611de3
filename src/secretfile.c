/* A probe's files read off the event loop: the password file, the secret
 * headers' value files and the TLS files, on the worker thread. */
#include "secretfile.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "util.h"
#include "worker.h"

/* The largest files read: a CA bundle, a certificate chain, a key. */
#define SECRETFILE_CA_MAX	(4 * 1024 * 1024)
#define SECRETFILE_CERT_MAX	(1024 * 1024)
#define SECRETFILE_KEY_MAX	(64 * 1024)

/*
 * One read.  The worker touches only copy and res; the loop sets
 * cancelled, and the done callback frees the whole.
 */
struct secretfile {
	struct check		 copy;	/* the file names, nothing else */
	struct secretfile_result res;
	secretfile_cb		 cb;
	void			*arg;
	int			 cancelled;
};

void
secretfile_blob_clear(struct secretfile_blob *b)
{
	if (b->data != NULL) {
		explicit_bzero(b->data, b->len);
		free(b->data);
	}
	b->data = NULL;
	b->len = 0;
}

void
secretfile_forget(char **s)
{
	if (*s != NULL) {
		explicit_bzero(*s, strlen(*s));
		free(*s);
		*s = NULL;
	}
}

/* Wipes and frees n lines (NULL ones skipped) and their array. */
static void
lines_clear(char ***lines, size_t *n)
{
	size_t i;

	for (i = 0; i < *n; i++)
		secretfile_forget(&(*lines)[i]);
	free(*lines);
	*lines = NULL;
	*n = 0;
}

void
secretfile_result_clear(struct secretfile_result *r)
{
	free(r->cause);
	r->cause = NULL;
	secretfile_forget(&r->password);
	lines_clear(&r->lines, &r->nlines);
	secretfile_blob_clear(&r->ca);
	secretfile_blob_clear(&r->cert);
	secretfile_blob_clear(&r->key);
}

static void
secretfile_free(struct secretfile *sf)
{
	struct check *k = &sf->copy;

	secretfile_result_clear(&sf->res);
	free(k->pg.password_file);
	free(k->redis.password_file);
	check_secret_headers_free(k->http.secret_headers,
	    k->http.nsecret_headers);
	free(k->http.ca_file);
	free(k->http.client_cert);
	free(k->http.client_key);
	free(sf);
}

/* The password file of c, or NULL (none, or read from the environment). */
static const char *
password_file(const struct check *c)
{
	if (c->type == CHECK_POSTGRES && c->pg.password_env == NULL)
		return c->pg.password_file;
	if (c->type == CHECK_REDIS && c->redis.password_env == NULL)
		return c->redis.password_file;
	return NULL;
}

int
secretfile_needed(const struct check *c)
{
	const struct check_http *h = &c->http;
	size_t i;

	if (password_file(c) != NULL)
		return 1;
	if (c->type != CHECK_HTTP)
		return 0;
	if (h->ca_file != NULL || h->client_cert != NULL ||
	    h->client_key != NULL)
		return 1;
	for (i = 0; i < h->nsecret_headers; i++)
		if (h->secret_headers[i].value_env == NULL)
			return 1;
	return 0;
}

/* Reads one TLS file into b.  Returns 0, or -1 with r->cause set. */
static int
read_blob(struct secretfile_result *r, const char *key, const char *file,
    size_t max, int owner_only, struct secretfile_blob *b)
{
	char *why = NULL;

	if (file == NULL)
		return 0;
	if (check_secret_file(file, max, owner_only, &b->data, &b->len,
	    &why) == 0)
		return 0;
	r->cause = xasprintf("%s %s: %s", key, file, why);
	free(why);
	return -1;
}

/* On the worker: the files, and nothing the loop uses. */
static void
secretfile_work(void *arg)
{
	struct secretfile *sf = arg;
	struct secretfile_result *r = &sf->res;
	struct check *k = &sf->copy;
	size_t i;

	if (k->type != CHECK_HTTP) {
		if (check_password(k, &r->password, &r->cause) < 0)
			secretfile_forget(&r->password);
		return;
	}
	for (i = 0; i < k->http.nsecret_headers; i++) {
		if (r->lines[i] != NULL)
			continue;	/* from the environment */
		if (check_secret_header_line(&k->http.secret_headers[i],
		    &r->lines[i], &r->cause) != 0)
			return;
	}
	if (read_blob(r, "ca_file", k->http.ca_file, SECRETFILE_CA_MAX, 0,
	    &r->ca) != 0 ||
	    read_blob(r, "client_cert", k->http.client_cert,
	    SECRETFILE_CERT_MAX, 0, &r->cert) != 0)
		return;
	read_blob(r, "client_key", k->http.client_key, SECRETFILE_KEY_MAX, 1,
	    &r->key);
}

/* On the loop: hands the result over, unless cancelled, then frees. */
static void
secretfile_done(void *arg)
{
	struct secretfile *sf = arg;
	char *cause = sf->res.cause;

	if (cause != NULL) {
		/* A failure hands over the reason alone. */
		sf->res.cause = NULL;
		secretfile_result_clear(&sf->res);
		sf->res.cause = cause;
	}
	if (!sf->cancelled)
		sf->cb(&sf->res, sf->arg);
	secretfile_free(sf);
}

/*
 * What needs no file, read now on the loop: the environment variables
 * (getenv on the loop's thread only).  Returns -1 with r->cause set.
 */
static int
secretfile_now(struct secretfile *sf, const struct check *c)
{
	struct secretfile_result *r = &sf->res;
	const struct check_http *h = &c->http;
	size_t i;

	if (c->type != CHECK_HTTP) {
		if (password_file(c) != NULL)
			return 0;
		return check_password(c, &r->password, &r->cause) < 0 ? -1 : 0;
	}
	r->nlines = h->nsecret_headers;
	r->lines = xcalloc(r->nlines > 0 ? r->nlines : 1, sizeof *r->lines);
	for (i = 0; i < h->nsecret_headers; i++) {
		if (h->secret_headers[i].value_env == NULL)
			continue;
		if (check_secret_header(c, i, &r->lines[i], &r->cause) != 0)
			return -1;
	}
	return 0;
}

/* Copies the names of the files c reads into sf->copy. */
static void
secretfile_copy(struct secretfile *sf, const struct check *c)
{
	struct check *k = &sf->copy;
	const char *file = password_file(c);

	k->type = c->type;
	if (c->type == CHECK_POSTGRES && file != NULL)
		k->pg.password_file = xstrdup(file);
	else if (c->type == CHECK_REDIS && file != NULL)
		k->redis.password_file = xstrdup(file);
	if (c->type != CHECK_HTTP)
		return;
	k->http.secret_headers = check_secret_headers_copy(
	    c->http.secret_headers, c->http.nsecret_headers);
	k->http.nsecret_headers = c->http.nsecret_headers;
	if (c->http.ca_file != NULL)
		k->http.ca_file = xstrdup(c->http.ca_file);
	if (c->http.client_cert != NULL)
		k->http.client_cert = xstrdup(c->http.client_cert);
	if (c->http.client_key != NULL)
		k->http.client_key = xstrdup(c->http.client_key);
}

struct secretfile *
secretfile_read(struct worker *w, const struct check *c, secretfile_cb cb,
    void *arg)
{
	struct secretfile *sf;

	sf = xcalloc(1, sizeof *sf);
	sf->cb = cb;
	sf->arg = arg;
	if (secretfile_now(sf, c) != 0 || !secretfile_needed(c)) {
		secretfile_done(sf);
		return NULL;
	}
	secretfile_copy(sf, c);
	worker_run(w, secretfile_work, secretfile_done, sf);
	return w != NULL ? sf : NULL;
}

void
secretfile_cancel(struct secretfile *sf)
{
	if (sf != NULL)
		sf->cancelled = 1;
}
