/* Values a run hands its steps: "SET name=value" lines printed by a step
 * (kept for the later steps and rollbacks as $MAINTOP_VAR_name, journaled,
 * masked when declared secret) and the MAINTOP_* variables of every step. */
#include "runner_priv.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "runbook.h"

/* A longer SET line is passed on as plain output and sets nothing. */
#define RUNVARS_LINE_MAX	(RUNBOOK_MAX_VALUE + 80)

/* "SET " then a name then '=': the name's length, or 0. */
static size_t
set_name(const char *s, size_t len)
{
	size_t i = 4;

	if (len < 6 || memcmp(s, "SET ", 4) != 0 ||
	    (!isalpha((unsigned char)s[4]) && s[4] != '_'))
		return 0;
	while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '_'))
		i++;
	if (i == len || s[i] != '=' || i - 4 > 64)
		return 0;
	return i - 4;
}

/* Whether the k bytes held may still begin a SET line. */
static int
set_prefix(const char *s, size_t k)
{
	size_t i;

	if (k <= 4)
		return memcmp(s, "SET ", k) == 0;
	if (k > RUNVARS_LINE_MAX || (!isalpha((unsigned char)s[4]) &&
	    s[4] != '_'))
		return 0;
	for (i = 4; i < k; i++) {
		if (s[i] == '=')
			return i - 4 <= 64;
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	}
	return k - 4 <= 64;
}

/* Stores name (n bytes) = value, replacing an earlier one. */
static void
store(struct runner *r, const char *name, size_t n, const char *value)
{
	size_t i;

	for (i = 0; i < r->nvars; i++) {
		if (strlen(r->vars[i].name) == n &&
		    memcmp(r->vars[i].name, name, n) == 0) {
			explicit_bzero(r->vars[i].value,
			    strlen(r->vars[i].value));
			free(r->vars[i].value);
			r->vars[i].value = xstrdup(value);
			return;
		}
	}
	if (r->nvars >= RUNNER_VARS_MAX)
		return;
	r->vars = xreallocarray(r->vars, r->nvars + 1, sizeof *r->vars);
	r->vars[r->nvars].name = xstrndup(name, n);
	r->vars[r->nvars].value = xstrdup(value);
	r->nvars++;
}

/*
 * One whole SET line (without its newline): the value stored and
 * journaled; what the output shows of it is added to out (the value
 * masked when secret, which from now on is masked everywhere).
 */
static void
set_line(struct runner *r, const char *s, size_t len, struct buf *out)
{
	size_t n = set_name(s, len), vlen;
	char *name, *value;
	json_t *o;
	int secret;

	vlen = len - 5 - n;
	if (vlen > 0 && s[len - 1] == '\r')
		vlen--;
	name = xstrndup(s + 4, n);
	value = xstrndup(s + 5 + n, vlen);
	secret = runbook_value_secret(r->rb, name);
	store(r, name, n, value);
	o = runjournal_record(r, "value");
	json_object_set_new(o, "step", json_integer((json_int_t)
	    runner_current(r, NULL)));
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "value", json_string(secret ? RUNBOOK_MASK :
	    value));
	runjournal_write(r, o, 0, NULL);
	if (secret) {
		buf_printf(out, "SET %s=%s\n", name, RUNBOOK_MASK);
		stepout_secret(r, value);	/* taken */
	} else {
		buf_add(out, s, len);
		buf_addc(out, '\n');
		/* Not vlen: a NUL in the line ends the copy early. */
		explicit_bzero(value, strlen(value));
		free(value);
	}
	free(name);
}

void
runvars_filter(struct runner *r, const char *data, size_t len, int final,
    struct buf *out)
{
	size_t i, k;
	char c;

	for (i = 0; i < len; i++) {
		c = data[i];
		if (r->set_state == 0) {		/* at a line's start */
			if (c == 'S') {
				r->set_state = 2;
				buf_addc(&r->setbuf, c);
				continue;
			}
			r->set_state = c == '\n' ? 0 : 1;
			buf_addc(out, c);
		} else if (r->set_state == 1) {		/* within a line */
			buf_addc(out, c);
			if (c == '\n')
				r->set_state = 0;
		} else if (c == '\n') {			/* a held line ends */
			k = r->setbuf.len;
			if (set_name(r->setbuf.s, k) > 0)
				set_line(r, r->setbuf.s, k, out);
			else {
				buf_add(out, r->setbuf.s, k);
				buf_addc(out, '\n');
			}
			buf_reset(&r->setbuf);
			r->set_state = 0;
		} else {
			buf_addc(&r->setbuf, c);
			k = r->setbuf.len;
			if (!set_prefix(r->setbuf.s, k)) {	/* plain output */
				buf_add(out, r->setbuf.s, k);
				buf_reset(&r->setbuf);
				r->set_state = 1;
			}
		}
	}
	if (final && r->set_state == 2) {
		if (set_name(r->setbuf.s, r->setbuf.len) > 0)
			set_line(r, r->setbuf.s, r->setbuf.len, out);
		else
			buf_add(out, r->setbuf.s, r->setbuf.len);
		buf_reset(&r->setbuf);
	}
	if (final)
		r->set_state = 0;
}

size_t
runvars_count(const struct runner *r)
{
	return r->nvars + 3;
}

void
runvars_env(struct runner *r, int shell, char **set, size_t *n)
{
	char self[PATH_MAX];
	ssize_t k;
	size_t i;

	if (r->env.config_path != NULL)
		set[(*n)++] = xasprintf("MAINTOP_CONFIG=%s",
		    r->env.config_path);
	else if (r->env.cfg != NULL && r->env.cfg->path != NULL)
		set[(*n)++] = xasprintf("MAINTOP_CONFIG=%s", r->env.cfg->path);
	k = readlink("/proc/self/exe", self, sizeof self - 1);
	if (k > 0) {
		self[k] = '\0';
		set[(*n)++] = xasprintf("MAINTOP_BIN=%s", self);
	}
	set[(*n)++] = xasprintf("MAINTOP_STATE_DIR=%s", r->env.state_dir);
	for (i = 0; i < r->nvars; i++)
		if (shell || !runbook_value_secret(r->rb, r->vars[i].name))
			set[(*n)++] = xasprintf("MAINTOP_VAR_%s=%s",
			    r->vars[i].name, r->vars[i].value);
}

void
runvars_free(struct runner *r)
{
	size_t i;

	for (i = 0; i < r->nvars; i++) {
		free(r->vars[i].name);
		explicit_bzero(r->vars[i].value, strlen(r->vars[i].value));
		free(r->vars[i].value);
	}
	free(r->vars);
	buf_free(&r->setbuf);
}
