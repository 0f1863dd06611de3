/* The headers of an HTTP check or webhook: plain "Name: value" ones, and
 * secret ones whose values are only named (an environment variable or a
 * private file) and read when a request is made. */
#include "check.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check_priv.h"


/* "value" is known so that it gets its own error, not a did-you-mean. */
static const char *const secret_header_keys[] = {
	"name", "value_env", "value_file", "value", NULL
};

/* Headers that carry a secret: never in "headers", only secret_headers. */
static const char *const secret_header_names[] = {
	"Authorization", "Proxy-Authorization", "Cookie", "X-Api-Key", NULL
};


/* A character of an HTTP token (RFC 9110 5.6.2), as in a header's name. */
static int
http_tchar(int c)
{
	return isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) !=
	    NULL);
}

/* The usual spelling of a header that carries a secret, or NULL. */
static const char *
secret_header_name(const char *name, size_t len)
{
	const char *const *n;

	while (len > 0 && (name[len - 1] == ' ' || name[len - 1] == '\t'))
		len--;
	for (n = secret_header_names; *n != NULL; n++)
		if (strlen(*n) == len && strncasecmp(*n, name, len) == 0)
			return *n;
	return NULL;
}

int
check_header_is_secret(const char *name, size_t len)
{
	return secret_header_name(name, len) != NULL;
}


void
check_headers_parse(struct cfg_errors *e, const config_setting_t *g,
    struct check_http *h)
{
	const config_setting_t *list, *el;
	const char *colon, *name;
	size_t i, n;

	if (cfg_strlist(e, g, "headers", 0, &h->headers, &h->nheaders) != 1)
		return;
	list = config_setting_get_member(g, "headers");
	for (i = 0; i < h->nheaders; i++) {
		el = config_setting_get_elem(list, (unsigned int)i);
		if (el == NULL)
			el = list;
		colon = strchr(h->headers[i], ':');
		if (colon == NULL || colon == h->headers[i] ||
		    strpbrk(h->headers[i], "\r\n") != NULL) {
			cfg_err(e, el, "'headers' item %zu must look like "
			    "\"Name: value\" on one line", i + 1);
			continue;
		}
		n = (size_t)(colon - h->headers[i]);
		if ((name = secret_header_name(h->headers[i], n)) != NULL)
			cfg_err(e, el, "'headers' item %zu: %s carries a "
			    "secret, which is never written in the "
			    "configuration: use secret_headers = ( { name = "
			    "\"%s\"; value_env = \"VARIABLE\"; } ), or "
			    "value_file = \"/path\" for a file readable only "
			    "by you", i + 1, name, name);
	}
}

/* A secret_headers list being parsed, and the plain headers beside it. */
struct secret_list {
	char *const			 *plain;	/* "Name: value" */
	size_t				  nplain;
	struct check_secret_header	**v;
	size_t				 *n;
};

/* True when the plain headers or (*l->v)[0..k) already name this header. */
static int
header_given(const struct secret_list *l, size_t k, const char *name)
{
	const char *colon;
	size_t i, n = strlen(name);

	for (i = 0; i < l->nplain; i++) {
		colon = strchr(l->plain[i], ':');
		if (colon != NULL && (size_t)(colon - l->plain[i]) == n &&
		    strncasecmp(l->plain[i], name, n) == 0)
			return 1;
	}
	for (i = 0; i < k; i++)
		if ((*l->v)[i].name != NULL &&
		    strcasecmp((*l->v)[i].name, name) == 0)
			return 1;
	return 0;
}

/*
 * One group of secret_headers: { name; value_env; } or { name; value_file; }.
 * Only the name and where to read the value are kept.
 */
static void
parse_secret_header(struct cfg_errors *e, const config_setting_t *el,
    void *arg)
{
	struct secret_list *l = arg;
	struct check_secret_header *sh;
	const config_setting_t *s;
	const char *p;

	cfg_check_keys(e, el, secret_header_keys, "secret header");
	*l->v = xreallocarray(*l->v, *l->n + 1, sizeof **l->v);
	sh = &(*l->v)[(*l->n)++];
	memset(sh, 0, sizeof *sh);
	if ((s = config_setting_get_member(el, "value")) != NULL)
		cfg_err(e, s, "'value' is not allowed: a secret header's value "
		    "is never written in the configuration: use value_env (the "
		    "name of an environment variable) or value_file (a file "
		    "readable only by you, mode 0600)");
	if (cfg_name(e, el, "name", 1, &sh->name) == 1) {
		s = config_setting_get_member(el, "name");
		for (p = sh->name; *p != '\0'; p++)
			if (!http_tchar((unsigned char)*p))
				break;
		if (*sh->name == '\0' || *p != '\0')
			cfg_err(e, s, "secret header name \"%s\" may hold only "
			    "letters, digits and !#$%%&'*+-.^_`|~", sh->name);
		else if (header_given(l, *l->n - 1, sh->name))
			cfg_err(e, s, "header %s is given twice (in headers or "
			    "secret_headers)", sh->name);
	}
	if (cfg_str(e, el, "value_env", 0, &sh->value_env) == 1)
		check_secret_env(e, config_setting_get_member(el, "value_env"),
		    "value_env", sh->value_env);
	if (cfg_str(e, el, "value_file", 0, &sh->value_file) == 1) {
		s = config_setting_get_member(el, "value_file");
		check_home_path(&sh->value_file);
		if (sh->value_env != NULL)
			cfg_err(e, s, "secret header %s: use either value_env "
			    "or value_file, not both",
			    sh->name != NULL ? sh->name : "?");
		check_private_file(e, s, "value_file", sh->value_file);
	}
	if (config_setting_get_member(el, "value") == NULL &&
	    config_setting_get_member(el, "value_env") == NULL &&
	    config_setting_get_member(el, "value_file") == NULL)
		cfg_err(e, el, "secret header %s needs value_env (the name of "
		    "an environment variable) or value_file (a file readable "
		    "only by you, mode 0600)",
		    sh->name != NULL ? sh->name : "?");
}

void
check_secret_headers_parse(struct cfg_errors *e, const config_setting_t *g,
    char *const *plain, size_t nplain, struct check_secret_header **v,
    size_t *n)
{
	struct secret_list l = { plain, nplain, v, n };

	cfg_each_group(e, g, "secret_headers", "{ name = \"Authorization\"; "
	    "value_env = \"VARIABLE\"; } (or value_file = \"/path\")",
	    parse_secret_header, &l);
}

void
check_secret_headers_free(struct check_secret_header *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value_env);
		free(v[i].value_file);
	}
	free(v);
}

struct check_secret_header *
check_secret_headers_copy(const struct check_secret_header *v, size_t n)
{
	struct check_secret_header *c;
	size_t i;

	if (n == 0)
		return NULL;
	c = xcalloc(n, sizeof *c);
	for (i = 0; i < n; i++) {
		c[i].name = xstrdup(v[i].name);
		c[i].value_env = v[i].value_env != NULL ?
		    xstrdup(v[i].value_env) : NULL;
		c[i].value_file = v[i].value_file != NULL ?
		    xstrdup(v[i].value_file) : NULL;
	}
	return c;
}
