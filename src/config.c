/* Loads and validates maintop's configuration: finds the file, reads it with
 * libconfig, hands each section to its module's parser, then checks names
 * and cross-references. */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calendar.h"
#include "cfgscan.h"
#include "check.h"
#include "debt.h"
#include "fileio.h"
#include "notify.h"
#include "keymap.h"
#include "journal.h"
#include "runbook.h"
#include "sanitize.h"
#include "runlog.h"
#include "store.h"

#ifndef MAINTOP_SYSCONFDIR
#define MAINTOP_SYSCONFDIR "/etc"
#endif

static const char *const top_keys[] = {
	"settings", "postgres", "redis", "http", "exec", "windows", "debt",
	"runbooks", "channels", "keys", NULL
};

static const char *const settings_keys[] = {
	"refresh", "timeout", "timezone", "theme", "state_dir", "runbook_dir",
	"name", "read_only", "wall_cycle", "history", "fail_after",
	"recover_after", "run_log_max", "notify", "debt_notify",
	"debt_crit_hint", "exec_checks", "journal_max", "store", "mouse", NULL
};

static int
file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

char *
config_find(const char *explicit, char **cause)
{
	struct buf tried;
	const char *env, *xdg, *home;
	char *p;

	if (explicit != NULL)
		return xstrdup(explicit);
	env = getenv("MAINTOP_CONFIG");
	if (env != NULL && *env != '\0')
		return xstrdup(env);

	buf_init(&tried);
	xdg = getenv("XDG_CONFIG_HOME");
	home = getenv("HOME");
	if (xdg != NULL && *xdg == '/')
		p = xasprintf("%s/maintop/maintop.conf", xdg);
	else if (home != NULL && *home != '\0')
		p = xasprintf("%s/.config/maintop/maintop.conf", home);
	else
		p = NULL;
	if (p != NULL) {
		if (file_exists(p)) {
			buf_free(&tried);
			return p;
		}
		buf_printf(&tried, "  %s\n", p);
		free(p);
	}
	p = xasprintf("%s/maintop/maintop.conf", MAINTOP_SYSCONFDIR);
	if (file_exists(p)) {
		buf_free(&tried);
		return p;
	}
	buf_printf(&tried, "  %s\n", p);
	free(p);

	*cause = xasprintf("no configuration file found; looked for -c FILE, "
	    "$MAINTOP_CONFIG, then:\n%s"
	    "To start: run 'maintop demo' for a live demo against local "
	    "servers, or copy the annotated example (maintop.conf.example, "
	    "installed with the documentation) to %s/maintop/maintop.conf "
	    "and edit it.", tried.s != NULL ? tried.s : "",
	    xdg != NULL && *xdg == '/' ? xdg : "~/.config");
	buf_free(&tried);
	return NULL;
}

static void
settings_defaults(struct settings *s)
{
	memset(s, 0, sizeof *s);
	s->refresh = 10;
	s->exec_checks = 1;
	s->mouse = 1;
	s->timeout = 5;
	s->timezone = xstrdup("UTC");
	s->theme = xstrdup("default");
	s->wall_cycle = 15;
	s->run_log_max = RUNLOG_DEFAULT_MAX;
	s->journal_max = JOURNAL_DEFAULT_MAX;
	s->history = 120;
	s->fail_after = 2;
	s->recover_after = 1;
	s->debt_crit_hint = 86400;
}

static void
settings_free(struct settings *s)
{
	free(s->timezone);
	free(s->theme);
	free(s->state_dir);
	free(s->runbook_dir);
	free(s->name);
	cfg_strlist_free(s->notify, s->nnotify);
	cfg_strlist_free(s->debt_notify, s->ndebt_notify);
	store_conf_free(s->store);
}

/* Replaces *slot with the string at key when present. */
static void
settings_str(struct cfg_errors *e, const config_setting_t *g, const char *key,
    char **slot)
{
	char *v;

	if (cfg_str(e, g, key, 0, &v) == 1) {
		free(*slot);
		*slot = v;
	}
}

/*
 * Parses the settings group.  file is the main configuration file: a
 * relative runbook_dir resolves against the directory of the file that
 * declares it.
 */
static void
settings_parse(struct cfg_errors *e, const config_setting_t *g,
    struct settings *s, const char *file)
{
	char *p;

	if (!config_setting_is_group(g)) {
		cfg_err(e, g, "'settings' must be a group { ... }");
		return;
	}
	cfg_check_keys(e, g, settings_keys, "settings");
	cfg_duration(e, g, "refresh", 0, 1, &s->refresh);
	cfg_duration(e, g, "timeout", 0, 1, &s->timeout);
	settings_str(e, g, "timezone", &s->timezone);
	if (!util_tz_valid(s->timezone)) {
		cfg_err(e, config_setting_get_member(g, "timezone"),
		    "unknown time zone '%s' (use an IANA name such as "
		    "\"Europe/Berlin\" or \"UTC\")", s->timezone);
	}
	settings_str(e, g, "theme", &s->theme);
	settings_str(e, g, "state_dir", &s->state_dir);
	settings_str(e, g, "runbook_dir", &s->runbook_dir);
	settings_str(e, g, "name", &s->name);
	cfg_bool(e, g, "read_only", 0, &s->read_only);
	cfg_bool(e, g, "exec_checks", 0, &s->exec_checks);
	cfg_bool(e, g, "mouse", 0, &s->mouse);
	cfg_duration(e, g, "wall_cycle", 0, 2, &s->wall_cycle);
	cfg_int(e, g, "history", 0, 10, 10000, &s->history);
	cfg_int(e, g, "fail_after", 0, 1, 100, &s->fail_after);
	cfg_int(e, g, "recover_after", 0, 1, 100, &s->recover_after);
	cfg_size(e, g, "run_log_max", RUNLOG_MIN_MAX, 1LL << 40,
	    &s->run_log_max);
	cfg_strlist(e, g, "notify", 0, &s->notify, &s->nnotify);
	cfg_strlist(e, g, "debt_notify", 0, &s->debt_notify,
	    &s->ndebt_notify);
	cfg_duration(e, g, "debt_crit_hint", 0, 0, &s->debt_crit_hint);
	cfg_size(e, g, "journal_max", 64 * 1024, 1LL << 40, &s->journal_max);
	store_conf_parse(e, config_setting_get_member(g, "store"), &s->store);
	if (s->state_dir != NULL) {
		p = cfg_expand_home(s->state_dir);
		free(s->state_dir);
		s->state_dir = p;
	}
	if (s->runbook_dir != NULL) {
		p = cfg_resolve_path(config_setting_get_member(g,
		    "runbook_dir"), file, s->runbook_dir);
		free(s->runbook_dir);
		s->runbook_dir = p;
	}
}

/* Adds one element (a group) of a section to the configuration. */
typedef void (*section_add_fn)(struct config *, struct cfg_errors *,
    const config_setting_t *, int arg);

/*
 * Hands every element of the list section to add; elements that are not
 * groups are errors.  arg is passed through (the check type).
 */
static void
parse_section(struct config *c, struct cfg_errors *e, const config_t *lc,
    const char *section, section_add_fn add, int arg)
{
	const config_setting_t *list, *el;
	int i, n;

	list = cfg_list(e, config_root_setting(lc), section);
	if (list == NULL)
		return;
	n = config_setting_length(list);
	for (i = 0; i < n; i++) {
		el = config_setting_get_elem(list, (unsigned int)i);
		if (!config_setting_is_group(el)) {
			cfg_err(e, el, "each entry of '%s' must be a group "
			    "{ ... }", section);
			continue;
		}
		add(c, e, el, arg);
	}
}

static void
add_check(struct config *c, struct cfg_errors *e, const config_setting_t *el,
    int type)
{
	struct check *chk = check_parse(e, el, (enum check_type)type,
	    &c->settings);
	const char *name;

	/* A refused check still answers to its name: the configuration
	 * fails anyway, and the windows, debt and runbooks naming it get no
	 * second, misleading error ("unknown system"). */
	if (chk == NULL) {
		name = config_setting_get_string(config_setting_get_member(el,
		    "name") != NULL ? config_setting_get_member(el, "name") :
		    el);
		if (name == NULL || sanitize_name_problem(name) != NULL)
			return;
		chk = xcalloc(1, sizeof *chk);
		chk->name = xstrdup(name);
		chk->type = (enum check_type)type;
		chk->line = cfg_line(el);
	}
	c->checks = xreallocarray(c->checks, c->nchecks + 1,
	    sizeof *c->checks);
	c->checks[c->nchecks++] = chk;
}

static void
add_channel(struct config *c, struct cfg_errors *e,
    const config_setting_t *el, int unused)
{
	struct channel *ch = notify_channel_parse(e, el);
	size_t i;

	if (ch == NULL)
		return;
	for (i = 0; i < c->nchannels; i++) {
		if (strcmp(c->channels[i]->name, ch->name) == 0) {
			cfg_err(e, el, "channel '%s' is defined twice (first "
			    "at line %d)", ch->name, c->channels[i]->line);
			notify_channel_free(ch);
			return;
		}
	}
	c->channels = xreallocarray(c->channels, c->nchannels + 1,
	    sizeof *c->channels);
	c->channels[c->nchannels++] = ch;
}

static void
add_window(struct config *c, struct cfg_errors *e, const config_setting_t *el,
    int unused)
{
	struct window *w = calendar_window_parse(e, el, &c->settings);

	if (w == NULL)
		return;
	c->windows = xreallocarray(c->windows, c->nwindows + 1,
	    sizeof *c->windows);
	c->windows[c->nwindows++] = w;
}

static void
add_debt(struct config *c, struct cfg_errors *e, const config_setting_t *el,
    int unused)
{
	struct debt_item *d = debt_item_parse(e, el, &c->settings);

	if (d == NULL)
		return;
	c->debt = xreallocarray(c->debt, c->ndebt + 1, sizeof *c->debt);
	c->debt[c->ndebt++] = d;
}

static void
add_runbook(struct config *c, struct cfg_errors *e,
    const config_setting_t *el, int unused)
{
	struct runbook *rb = runbook_parse(e, el, &c->settings);

	if (rb == NULL)
		return;
	c->runbooks = xreallocarray(c->runbooks, c->nrunbooks + 1,
	    sizeof *c->runbooks);
	c->runbooks[c->nrunbooks++] = rb;
}

/* A name and where it was defined, to sort by name. */
struct named {
	const char	*name;
	int		 line;
	size_t		 pos;
};

static int
named_cmp(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/*
 * Reports names used twice, at the line of each later use.  Sorted, not
 * compared pairwise: 50,000 debt items would be over a billion comparisons.
 */
static void
check_unique(struct cfg_errors *e, const char *what, size_t n,
    const char *(*name)(const struct config *, size_t, int *),
    const struct config *c)
{
	struct named *v;
	size_t i, j;

	if (n < 2)
		return;
	v = xcalloc(n, sizeof *v);
	for (i = 0; i < n; i++) {
		v[i].name = name(c, i, &v[i].line);
		v[i].pos = i;
	}
	qsort(v, n, sizeof *v, named_cmp);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && strcmp(v[j].name, v[i].name) == 0;
		    j++)
			cfg_err_at(e, c->path, v[j].line, 0, "duplicate %s "
			    "name '%s' (first defined at line %d)", what,
			    v[j].name, v[i].line);
	}
	free(v);
}

static const char *
check_name_at(const struct config *c, size_t i, int *line)
{
	*line = c->checks[i]->line;
	return c->checks[i]->name;
}

static const char *
window_name_at(const struct config *c, size_t i, int *line)
{
	*line = c->windows[i]->line;
	return c->windows[i]->name;
}

static const char *
runbook_name_at(const struct config *c, size_t i, int *line)
{
	*line = c->runbooks[i]->line;
	return c->runbooks[i]->name;
}

/*
 * The "keys" group: request = "key"; or request = [ "key", ... ]; each
 * changes the defaults, and a key may mean one request only.
 */
static void
keys_parse(struct config *c, struct cfg_errors *e, const config_setting_t *g)
{
	const config_setting_t *m;
	const char *name;
	char **keys = NULL, *cause = NULL;
	size_t n = 0;
	int i;

	if (!config_setting_is_group(g)) {
		cfg_err(e, g, "'keys' must be a group { request = \"key\"; }");
		return;
	}
	for (i = 0; (m = config_setting_get_elem(g, (unsigned)i)) != NULL;
	    i++) {
		name = config_setting_name(m);
		if (cfg_strlist(e, g, name, 1, &keys, &n) != 1)
			continue;
		if (keymap_bind(c->keys, name, (const char *const *)keys, n,
		    &cause) != 0) {
			cfg_err(e, m, "keys: %s", cause);
			free(cause);
			cause = NULL;
		}
		cfg_strlist_free(keys, n);
	}
}

static const char *
debt_name_at(const struct config *c, size_t i, int *line)
{
	*line = c->debt[i]->line;
	return c->debt[i]->id;
}

/* Every name in names[0..n) must be a channel; kind and name say whose
 * list ("window", "patch"; name NULL for a setting). */
static void
unknown_channels(struct config *c, struct cfg_errors *e, const char *file,
    int line, const char *kind, const char *name, char *const *names,
    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!config_has_channel(c, names[i]))
			cfg_err_at(e, file, line, 0, "%s%s%s%s: notify names "
			    "'%s', which is not a channel (see 'channels')",
			    kind, name != NULL ? " '" : "", name != NULL ?
			    name : "", name != NULL ? "'" : "", names[i]);
}

/* The notify lists of the settings, windows, checks and runbooks. */
static void
resolve_notify(struct config *c, struct cfg_errors *e, config_t *lc)
{
	const struct settings *s = &c->settings;
	const config_setting_t *g;
	const struct window *w;
	const struct check *k;
	const struct runbook *r;
	size_t i;

	g = config_lookup(lc, "settings.notify");
	unknown_channels(c, e, cfg_file(g), cfg_line(g), "settings.notify",
	    NULL, s->notify, s->nnotify);
	g = config_lookup(lc, "settings.debt_notify");
	unknown_channels(c, e, cfg_file(g), cfg_line(g),
	    "settings.debt_notify", NULL, s->debt_notify, s->ndebt_notify);
	for (i = 0; i < c->nwindows; i++) {
		w = c->windows[i];
		unknown_channels(c, e, w->file, w->line, "window", w->name,
		    w->notify, w->nnotify);
	}
	for (i = 0; i < c->nchecks; i++) {
		k = c->checks[i];
		unknown_channels(c, e, k->file, k->notify_line, "check",
		    k->name, k->notify, k->nnotify);
	}
	for (i = 0; i < c->nrunbooks; i++) {
		r = c->runbooks[i];
		unknown_channels(c, e, r->file, r->notify_line, "runbook",
		    r->name, r->notify, r->nnotify);
	}
}

static struct config *
config_build(config_t *lc, const char *path, struct cfg_errors *e)
{
	struct config *c;
	const config_setting_t *root, *s;
	size_t before = e->nerrors, first = e->n, i;

	c = xcalloc(1, sizeof *c);
	c->path = xstrdup(path);
	settings_defaults(&c->settings);
	c->settings.main_file = c->path;

	root = config_root_setting(lc);
	cfg_check_keys(e, root, top_keys, "the top level");
	s = config_setting_get_member(root, "settings");
	if (s != NULL)
		settings_parse(e, s, &c->settings, path);
	c->keys = keymap_new();
	s = config_setting_get_member(root, "keys");
	if (s != NULL)
		keys_parse(c, e, s);

	parse_section(c, e, lc, "postgres", add_check, CHECK_POSTGRES);
	parse_section(c, e, lc, "redis", add_check, CHECK_REDIS);
	parse_section(c, e, lc, "http", add_check, CHECK_HTTP);
	parse_section(c, e, lc, "exec", add_check, CHECK_EXEC);
	parse_section(c, e, lc, "windows", add_window, 0);
	parse_section(c, e, lc, "debt", add_debt, 0);
	parse_section(c, e, lc, "runbooks", add_runbook, 0);
	parse_section(c, e, lc, "channels", add_channel, 0);
	if (c->settings.runbook_dir != NULL)
		runbook_load_dir(c, c->settings.runbook_dir, e);

	check_unique(e, "check", c->nchecks, check_name_at, c);
	check_unique(e, "window", c->nwindows, window_name_at, c);
	check_unique(e, "runbook", c->nrunbooks, runbook_name_at, c);
	check_unique(e, "debt item", c->ndebt, debt_name_at, c);

	calendar_resolve(c, e);
	resolve_notify(c, e, lc);
	debt_resolve(c, e);
	runbook_resolve(c, e);

	/* A problem found after parsing (a cross-reference) may carry no
	 * file: it is in the main file's configuration. */
	for (i = first; i < e->n; i++)
		if (e->v[i].file == NULL)
			e->v[i].file = xstrdup(path);
	if (e->nerrors != before) {
		config_free(c);
		return NULL;
	}
	return c;
}

static void
report_parse_error(config_t *lc, const char *name, struct cfg_errors *e)
{
	const char *file = config_error_file(lc);
	const char *text = config_error_text(lc);

	if (config_error_type(lc) == CONFIG_ERR_FILE_IO && file == NULL) {
		cfg_err_at(e, name, 0, 0, "cannot read: %s", strerror(errno));
		return;
	}
	cfg_err_at(e, file != NULL ? file : name, config_error_line(lc), 0,
	    "%s", text != NULL ? text : "syntax error");
}

/* Reads text (checked by cfgscan) with libconfig and builds the
 * configuration; name is the file's name for errors in the main text. */
static struct config *
config_parse(const char *text, const char *name, const char *incdir,
    struct cfg_errors *e)
{
	config_t lc;
	struct config *c;

	config_init(&lc);
	if (incdir != NULL)
		config_set_include_dir(&lc, incdir);
	if (config_read_string(&lc, text) != CONFIG_TRUE) {
		report_parse_error(&lc, name, e);
		config_destroy(&lc);
		return NULL;
	}
	c = config_build(&lc, name, e);
	config_destroy(&lc);
	return c;
}

struct config *
config_load(const char *path, struct cfg_errors *e)
{
	struct config *c;
	char *dir, *copy, *text;
	size_t i;

	copy = xstrdup(path);
	dir = dirname(copy);
	text = cfgscan_file(path, dir, e);
	c = text != NULL ? config_parse(text, path, dir, e) : NULL;
	free(text);
	free(copy);
	for (i = 0; c != NULL && i < c->nrunbooks; i++)
		runbook_set_file(c->runbooks[i], path);
	return c;
}

struct config *
config_load_string(const char *text, const char *name, struct cfg_errors *e)
{
	struct config *c;
	char *checked;

	checked = cfgscan_string(text, strlen(text), name, NULL, e);
	if (checked == NULL)
		return NULL;
	c = config_parse(checked, name, NULL, e);
	free(checked);
	return c;
}

void
config_free(struct config *c)
{
	size_t i;

	if (c == NULL)
		return;
	keymap_free(c->keys);
	for (i = 0; i < c->nchecks; i++)
		check_free(c->checks[i]);
	free(c->checks);
	for (i = 0; i < c->nwindows; i++)
		calendar_window_free(c->windows[i]);
	free(c->windows);
	for (i = 0; i < c->ndebt; i++)
		debt_item_free(c->debt[i]);
	free(c->debt);
	for (i = 0; i < c->nchannels; i++)
		notify_channel_free(c->channels[i]);
	free(c->channels);
	for (i = 0; i < c->nrunbooks; i++)
		runbook_free(c->runbooks[i]);
	free(c->runbooks);
	settings_free(&c->settings);
	free(c->path);
	free(c);
}

struct check *
config_find_check(const struct config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nchecks; i++)
		if (strcmp(c->checks[i]->name, name) == 0)
			return c->checks[i];
	return NULL;
}

struct window *
config_find_window(const struct config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nwindows; i++)
		if (strcmp(c->windows[i]->name, name) == 0)
			return c->windows[i];
	return NULL;
}

struct runbook *
config_find_runbook(const struct config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nrunbooks; i++)
		if (strcmp(c->runbooks[i]->name, name) == 0)
			return c->runbooks[i];
	return NULL;
}

int
config_has_channel(const struct config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nchannels; i++)
		if (strcmp(c->channels[i]->name, name) == 0)
			return 1;
	return 0;
}

int
config_state_dir(const struct config *c, char **path, char **cause)
{
	const char *xdg, *home;
	char *p;

	if (c != NULL && c->settings.state_dir != NULL)
		p = xstrdup(c->settings.state_dir);
	else if ((xdg = getenv("XDG_STATE_HOME")) != NULL && *xdg == '/')
		p = xasprintf("%s/maintop", xdg);
	else if ((home = getenv("HOME")) != NULL && *home != '\0')
		p = xasprintf("%s/.local/state/maintop", home);
	else {
		*cause = xstrdup("no state directory: set settings.state_dir, "
		    "$XDG_STATE_HOME or $HOME");
		return -1;
	}
	if (fileio_mkdirs(p, 0700) != 0) {
		*cause = xasprintf("cannot create state directory %s: %s", p,
		    strerror(errno));
		free(p);
		return -1;
	}
	*path = p;
	return 0;
}
