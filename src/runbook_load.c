/* Reading runbook files: a directory of "*.conf" files, each checked by
 * cfgscan and read by libconfig, or a text in memory. */
#include "runbook.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfgscan.h"
#include "config.h"

/* Larger runbook files are refused before libconfig reads them. */
#define RUNBOOK_FILE_MAX	(4 * 1024 * 1024)

static const char *const file_keys[] = { "runbooks", NULL };

/* Appends the runbooks of an already read text to c; from_file: the text
 * is the file name's, whose directory the runbooks' paths are relative
 * to. */
static int
load_config_t(struct config *c, config_t *lc, const char *name,
    int from_file, struct cfg_errors *e)
{
	const config_setting_t *root, *list, *el;
	struct runbook *rb;
	size_t before = e->nerrors, first, k;
	int i, n;

	first = e->n;
	root = config_root_setting(lc);
	cfg_check_keys(e, root, file_keys, "a runbook file");
	list = cfg_list(e, root, "runbooks");
	if (list == NULL) {
		if (config_setting_get_member(root, "runbooks") == NULL)
			cfg_err_at(e, name, 0, 0, "no 'runbooks = ( ... );' "
			    "list in this runbook file");
		goto out;
	}
	n = config_setting_length(list);
	for (i = 0; i < n; i++) {
		el = config_setting_get_elem(list, (unsigned int)i);
		rb = runbook_parse(e, el, &c->settings);
		if (rb == NULL)
			continue;
		if (from_file)
			runbook_set_file(rb, name);
		else if (rb->file == NULL)
			rb->file = xstrdup(name);	/* rb->dir stays NULL */
		c->runbooks = xreallocarray(c->runbooks, c->nrunbooks + 1,
		    sizeof *c->runbooks);
		c->runbooks[c->nrunbooks++] = rb;
	}
out:
	/* Text read from memory has no file name in libconfig: use ours. */
	for (k = first; k < e->n; k++)
		if (e->v[k].file == NULL)
			e->v[k].file = xstrdup(name);
	return (int)(e->nerrors - before);
}

static void
syntax_error(config_t *lc, const char *name, struct cfg_errors *e)
{
	const char *file = config_error_file(lc);
	const char *text = config_error_text(lc);

	cfg_err_at(e, file != NULL ? file : name, config_error_line(lc), 0,
	    "%s", text != NULL ? text : "cannot read runbook file");
}

/* Reads text, already checked by cfgscan, and appends its runbooks. */
static int
load_checked(struct config *c, char *text, const char *name,
    const char *dir, struct cfg_errors *e)
{
	config_t lc;
	int n;

	if (text == NULL)
		return 1;
	config_init(&lc);
	if (dir != NULL)
		config_set_include_dir(&lc, dir);
	if (config_read_string(&lc, text) != CONFIG_TRUE) {
		syntax_error(&lc, name, e);
		config_destroy(&lc);
		free(text);
		return 1;
	}
	free(text);
	n = load_config_t(c, &lc, name, dir != NULL, e);
	config_destroy(&lc);
	return n;
}

int
runbook_load_string(struct config *c, const char *text, const char *name,
    struct cfg_errors *e)
{
	return load_checked(c, cfgscan_string(text, strlen(text), name, NULL,
	    e), name, NULL, e);
}

static int
load_file(struct config *c, const char *dir, const char *path,
    struct cfg_errors *e)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		cfg_err_at(e, path, 0, 0, "%s", strerror(errno));
		return 1;
	}
	if (!S_ISREG(st.st_mode))
		return 0;
	if (st.st_size > RUNBOOK_FILE_MAX) {
		cfg_err_at(e, path, 0, 0, "runbook file is too large (%lld "
		    "bytes, at most %d)", (long long)st.st_size,
		    RUNBOOK_FILE_MAX);
		return 1;
	}
	return load_checked(c, cfgscan_file(path, dir, e), path, dir, e);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
runbook_load_dir(struct config *c, const char *dir, struct cfg_errors *e)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL, *path;
	size_t n = 0, i, len;
	int errors = 0;

	if ((d = opendir(dir)) == NULL) {
		cfg_err_at(e, c != NULL ? c->path : NULL, 0, 0,
		    "runbook_dir %s: %s", dir, strerror(errno));
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 6 ||
		    strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, name_cmp);
	for (i = 0; i < n; i++) {
		path = xasprintf("%s/%s", dir, names[i]);
		errors += load_file(c, dir, path, e);
		free(path);
		free(names[i]);
	}
	free(names);
	return errors;
}
