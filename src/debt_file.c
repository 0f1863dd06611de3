/* The debt file in the state directory: its libconfig text, reading it
 * with a size limit, writing it atomically and noticing outside changes. */
#include "debt_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cfgscan.h"
#include "config.h"
#include "debt_fields.h"
#include "fileio.h"

static const char *const file_keys[] = {
	"version", "next_id", "debt", NULL
};

void
debt_list_free(struct debt_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		debt_item_free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
	l->next_id = 1;
}

void
debt_list_add(struct debt_list *l, struct debt_item *d)
{
	/*
	 * The array doubles when n reaches a power of two (every v is made
	 * here), so a file of 40,000 items is read in linear time, not with
	 * 40,000 copies of a growing array.
	 */
	if (l->n == 0 || (l->n & (l->n - 1)) == 0)
		l->v = xreallocarray(l->v, l->n > 0 ? l->n * 2 : 1,
		    sizeof *l->v);
	l->v[l->n++] = d;
}

void
debt_list_copy(struct debt_list *to, const struct debt_list *from)
{
	size_t i;

	to->v = NULL;
	to->n = 0;
	for (i = 0; i < from->n; i++)
		debt_list_add(to, debt_item_copy(from->v[i]));
	to->next_id = from->next_id;
}

long long
debt_id_number(const char *id)
{
	char *end;
	long long n;

	if (id[0] != 'D' || id[1] != '-' || id[2] < '0' || id[2] > '9')
		return 0;
	errno = 0;
	n = strtoll(id + 2, &end, 10);
	if (*end != '\0' || errno != 0 || n > 999999999)
		return 0;
	return n;
}

void
debt_move_errors(struct cfg_errors *to, struct cfg_errors *from, const char *name)
{
	size_t i;

	for (i = 0; i < from->n; i++)
		cfg_err_at(to, from->v[i].file != NULL ? from->v[i].file :
		    name, from->v[i].line, from->v[i].warning, "%s",
		    from->v[i].msg);
	cfg_errors_free(from);
}

/* An item and where it stands in the file, to sort by id. */
struct debt_at {
	struct debt_item	*d;
	size_t			 pos;
};

static int
debt_at_cmp(const void *a, const void *b)
{
	const struct debt_at *x = a, *y = b;
	int c = strcmp(x->d->id, y->d->id);

	if (c != 0)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/*
 * Drops each item whose id an earlier item has, with an error at its line.
 * Sorted by id rather than compared pairwise: 40,000 items would be 800
 * million comparisons.
 */
static void
drop_duplicates(struct debt_list *l, const char *name, struct cfg_errors *e)
{
	struct debt_at *at;
	size_t i, j, k;

	if (l->n < 2)
		return;
	at = xcalloc(l->n, sizeof *at);
	for (i = 0; i < l->n; i++) {
		at[i].d = l->v[i];
		at[i].pos = i;
	}
	qsort(at, l->n, sizeof *at, debt_at_cmp);
	for (i = 0; i < l->n; i = j) {
		for (j = i + 1; j < l->n &&
		    strcmp(at[j].d->id, at[i].d->id) == 0; j++) {
			cfg_err_at(e, name, at[j].d->line, 0, "duplicate debt "
			    "id '%s' (first at line %d)", at[j].d->id,
			    at[i].d->line);
			debt_item_free(l->v[at[j].pos]);
			l->v[at[j].pos] = NULL;
		}
	}
	free(at);
	for (i = k = 0; i < l->n; i++)
		if (l->v[i] != NULL)
			l->v[k++] = l->v[i];
	l->n = k;
}

int
debt_file_parse(const char *text, size_t len, const char *name,
    const struct settings *settings, struct debt_list *out,
    struct cfg_errors *errs)
{
	struct cfg_errors local = { 0 };
	const config_setting_t *root, *list, *el;
	struct debt_list l = { NULL, 0, 1 };
	struct debt_item *d;
	long long version, next = 0, maxn = 0;
	config_t lc;
	char *checked;
	int n, k, failed;

	out->v = NULL;
	out->n = 0;
	out->next_id = 1;
	/* No @include in a data file (a NULL directory refuses it). */
	if ((checked = cfgscan_string(text, len, name, NULL, errs)) == NULL)
		return -1;
	config_init(&lc);
	if (config_read_string(&lc, checked) != CONFIG_TRUE) {
		cfg_err_at(errs, name, config_error_line(&lc), 0, "%s",
		    config_error_text(&lc) != NULL ? config_error_text(&lc) :
		    "syntax error");
		config_destroy(&lc);
		free(checked);
		return -1;
	}
	free(checked);
	root = config_root_setting(&lc);
	cfg_check_keys(&local, root, file_keys, "the debt file");
	/* Only version 1 exists; a later one is refused, not misread. */
	cfg_int(&local, root, "version", 0, 1, 1, &version);
	cfg_int(&local, root, "next_id", 0, 1, 999999999, &next);
	list = cfg_list(&local, root, "debt");
	n = list != NULL ? config_setting_length(list) : 0;
	for (k = 0; k < n; k++) {
		el = config_setting_get_elem(list, (unsigned int)k);
		d = debt_item_parse(&local, el, settings);
		if (d == NULL)
			continue;
		d->source = DEBT_SOURCE_STATE;
		free(d->file);
		d->file = xstrdup(name);
		if (debt_id_number(d->id) > maxn)
			maxn = debt_id_number(d->id);
		debt_list_add(&l, d);
	}
	config_destroy(&lc);
	drop_duplicates(&l, name, &local);

	failed = local.nerrors != 0;
	debt_move_errors(errs, &local, name);
	if (failed) {
		debt_list_free(&l);
		return -1;
	}
	l.next_id = next > maxn ? next : maxn + 1;
	*out = l;
	return 0;
}

/* Describes a file read or written: st (NULL when unknown) and its content. */
static void
fileid_set(struct debt_fileid *id, const struct stat *st, const char *data,
    size_t len)
{
	unsigned int mdlen;

	memset(id, 0, sizeof *id);
	id->exists = 1;
	if (st != NULL) {
		id->dev = st->st_dev;
		id->ino = st->st_ino;
		id->size = st->st_size;
		id->mtim = st->st_mtim;
	}
	EVP_Digest(data, len, id->hash, &mdlen, EVP_sha256(), NULL);
}

/* Reads fd whole (at most DEBT_FILE_MAX bytes) and notes what it was. */
static int
read_fd(int fd, const char *path, char **data, size_t *len,
    struct debt_fileid *id, char **cause)
{
	struct stat st;
	size_t have = 0, cap;
	ssize_t r;
	char *p;

	if (fstat(fd, &st) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		*cause = xasprintf("%s: not a regular file", path);
		return -1;
	}
	if (st.st_size > DEBT_FILE_MAX) {
		*cause = xasprintf("%s: too large (%jd bytes, at most %d): "
		    "not a debt file", path, (intmax_t)st.st_size,
		    DEBT_FILE_MAX);
		return -1;
	}
	cap = (size_t)st.st_size + 1;
	p = xmalloc(cap + 1);
	for (;;) {
		if (have == cap) {
			if (cap > DEBT_FILE_MAX) {
				free(p);
				*cause = xasprintf("%s: too large (more than "
				    "%d bytes)", path, DEBT_FILE_MAX);
				return -1;
			}
			cap *= 2;
			p = xreallocarray(p, cap + 1, 1);
		}
		r = read(fd, p + have, cap - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*cause = xasprintf("%s: read: %s", path,
			    strerror(errno));
			free(p);
			return -1;
		}
		if (r == 0)
			break;
		have += (size_t)r;
	}
	p[have] = '\0';
	fileid_set(id, &st, p, have);
	*data = p;
	*len = have;
	return 0;
}

/* Opens and reads path: 1 when read, 0 when missing, -1 on error. */
static int
read_file(const char *path, char **data, size_t *len, struct debt_fileid *id,
    char **cause)
{
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT) {
			memset(id, 0, sizeof *id);
			return 0;
		}
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	r = read_fd(fd, path, data, len, id, cause);
	close(fd);
	return r == 0 ? 1 : -1;
}

int
debt_file_load(const char *path, const struct settings *settings,
    struct debt_list *list, struct debt_fileid *id, struct cfg_errors *errs)
{
	struct debt_fileid fid;
	char *data = NULL, *cause = NULL;
	size_t len;
	int r;

	list->v = NULL;
	list->n = 0;
	list->next_id = 1;
	r = read_file(path, &data, &len, &fid, &cause);
	if (r < 0) {
		cfg_err_at(errs, NULL, 0, 0, "%s", cause);
		free(cause);
		return -1;
	}
	if (r == 1) {
		r = debt_file_parse(data, len, path, settings, list, errs);
		free(data);
		if (r != 0)
			return -1;
	}
	if (id != NULL)
		*id = fid;
	return 0;
}

/* Appends s as a libconfig string literal. */
static void
add_str(struct buf *b, const char *s)
{
	buf_quote(b, s, 0);
}

static void
add_member(struct buf *b, const char *key, const char *value)
{
	if (value == NULL)
		return;
	buf_printf(b, "    %s = ", key);
	add_str(b, value);
	buf_adds(b, ";\n");
}

static void
add_date(struct buf *b, const char *key, time_t t, const char *tz)
{
	char d[32];

	if (t == 0)
		return;
	debt_format_date(t, tz, d, sizeof d);
	add_member(b, key, d);
}

/* An exact duration ("1d2h3m4s") that util_parse_duration reads back. */
static void
add_effort(struct buf *b, long long secs)
{
	char text[64];

	if (secs <= 0)
		return;
	debt_format_effort(secs, text, sizeof text);
	add_member(b, "effort", text);
}

char *
debt_file_format(const struct debt_list *l, const struct settings *settings)
{
	const char *tz = settings != NULL ? settings->timezone : NULL;
	const struct debt_item *d;
	struct buf b;
	size_t i, j;

	buf_init(&b);
	buf_adds(&b, "# maintop's technical-debt list, written by maintop.  "
	    "Hand edits are fine:\n# maintop notices them before it saves "
	    "and reloads instead of overwriting.\n");
	buf_printf(&b, "version = 1;\nnext_id = %lld;\ndebt = (", l->next_id);
	for (i = 0; i < l->n; i++) {
		d = l->v[i];
		buf_adds(&b, i == 0 ? "\n  {\n" : ",\n  {\n");
		add_member(&b, "id", d->id);
		add_member(&b, "title", d->title);
		add_member(&b, "priority", debt_priority_name(d->priority));
		add_member(&b, "status", debt_status_name(d->status));
		if (d->nsystems > 0) {
			buf_adds(&b, "    systems = [ ");
			for (j = 0; j < d->nsystems; j++) {
				if (j > 0)
					buf_adds(&b, ", ");
				add_str(&b, d->systems[j]);
			}
			buf_adds(&b, " ];\n");
		}
		add_date(&b, "created", d->created, tz);
		add_date(&b, "target", d->target, tz);
		add_date(&b, "resolved", d->resolved, tz);
		add_member(&b, "owner", d->owner);
		add_effort(&b, d->effort);
		add_member(&b, "description", d->description);
		add_member(&b, "impact", d->impact);
		add_member(&b, "plan", d->plan);
		buf_adds(&b, "  }");
	}
	buf_adds(&b, l->n > 0 ? "\n);\n" : ");\n");
	return buf_detach(&b);
}

int
debt_file_write(const char *path, const char *text, struct debt_fileid *id,
    char **cause)
{
	struct stat st;
	size_t len = strlen(text);

	if (fileio_write_atomic(path, text, len, 0600, cause) != 0)
		return -1;
	if (id != NULL)
		fileid_set(id, stat(path, &st) == 0 ? &st : NULL, text, len);
	return 0;
}

int
debt_file_save(const char *path, const struct debt_list *l,
    const struct settings *settings, struct debt_fileid *id, char **cause)
{
	char *text;
	int r;

	text = debt_file_format(l, settings);
	r = debt_file_write(path, text, id, cause);
	free(text);
	return r;
}

int
debt_file_changed(const char *path, const struct debt_fileid *id,
    char **cause)
{
	struct debt_fileid now;
	char *data = NULL;
	size_t len;
	int r;

	r = read_file(path, &data, &len, &now, cause);
	if (r < 0)
		return -1;
	free(data);
	if (r == 0)
		return id->exists ? 1 : 0;
	if (!id->exists)
		return 1;
	return memcmp(now.hash, id->hash, sizeof now.hash) != 0;
}
