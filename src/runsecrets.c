/* The secrets a run knows, read once at its start on the worker: every
 * check's password and secret header values, for the masker and for the
 * sql and redis steps' clients. */
#include "runner_priv.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config.h"
#include "secretfile.h"

/* One check's read: pending until its callback, then the password (or why
 * it could not be read) for the steps on that check. */
struct runsecret {
	struct runner		*r;
	const struct check	*check;
	struct secretfile	*pending;
	char			*password;	/* NULL: none */
	char			*cause;		/* could not be read */
};

/* "Name: value": the value alone is the secret; line is wiped, freed. */
static void
header_value(struct runner *r, char *line)
{
	char *v;

	v = strchr(line, ':');
	v = v != NULL ? v + 1 : line;
	v += strspn(v, " \t");
	stepout_secret(r, xstrdup(v));
	explicit_bzero(line, strlen(line));
	free(line);
}

/* On the loop: one check's secrets, handed to the masker and kept. */
static void
runsecrets_done(struct secretfile_result *res, void *arg)
{
	struct runsecret *s = arg;
	size_t i;

	s->pending = NULL;
	if (res->cause != NULL) {
		s->cause = res->cause;
		res->cause = NULL;
		return;
	}
	if (res->password != NULL) {
		s->password = xstrdup(res->password);
		stepout_secret(s->r, res->password);
		res->password = NULL;
	}
	for (i = 0; i < res->nlines; i++) {
		if (res->lines[i] != NULL)
			header_value(s->r, res->lines[i]);
		res->lines[i] = NULL;
	}
}

void
runsecrets_read(struct runner *r)
{
	const struct check *c;
	struct check k;
	struct runsecret *s;
	size_t i;

	for (i = 0; r->env.cfg != NULL && i < r->env.cfg->nchecks; i++) {
		c = r->env.cfg->checks[i];
		/* The secrets alone: never the TLS files. */
		memset(&k, 0, sizeof k);
		k.name = c->name;
		k.type = c->type;
		k.pg.password_env = c->pg.password_env;
		k.pg.password_file = c->pg.password_file;
		k.redis.password_env = c->redis.password_env;
		k.redis.password_file = c->redis.password_file;
		k.http.secret_headers = c->http.secret_headers;
		k.http.nsecret_headers = c->http.nsecret_headers;
		s = xcalloc(1, sizeof *s);
		s->r = r;
		s->check = c;
		r->known = xreallocarray(r->known, r->nknown + 1,
		    sizeof *r->known);
		r->known[r->nknown++] = s;
		s->pending = secretfile_read(r->env.worker, &k,
		    runsecrets_done, s);
	}
}

int
runsecrets_password(struct runner *r, const struct check *c, char **pw,
    char **cause)
{
	struct runsecret *s;
	size_t i;

	*pw = NULL;
	for (i = 0; i < r->nknown; i++) {
		s = r->known[i];
		if (s->check != c)
			continue;
		if (s->cause != NULL) {
			*cause = xstrdup(s->cause);
			return -1;
		}
		if (s->password != NULL)
			*pw = xstrdup(s->password);
		return *pw != NULL;
	}
	/* Not a check of env.cfg (a line mode without one): read now. */
	return check_password(c, pw, cause);
}

void
runsecrets_free(struct runner *r)
{
	struct runsecret *s;
	size_t i;

	for (i = 0; i < r->nknown; i++) {
		s = r->known[i];
		secretfile_cancel(s->pending);
		secretfile_forget(&s->password);
		free(s->cause);
		free(s);
	}
	free(r->known);
	r->known = NULL;
	r->nknown = 0;
}
