/* Colour themes: loads role-to-attribute tables from libconfig files and
 * hands views the attribute for a role. */
#include "theme.h"

#include <curses.h>
#include <libconfig.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

#ifndef MAINTOP_DATADIR
#define MAINTOP_DATADIR "/usr/local/share/maintop"
#endif

const char *const theme_role_names[ROLE_COUNT] = {
	[ROLE_TEXT] = "text",
	[ROLE_DIM] = "dim",
	[ROLE_HEADER] = "header",
	[ROLE_HEADER_ALERT] = "header_alert",
	[ROLE_TITLE] = "title",
	[ROLE_TITLE_FOCUS] = "title_focus",
	[ROLE_BORDER] = "border",
	[ROLE_SELECTION] = "selection",
	[ROLE_SELECTION_FOCUS] = "selection_focus",
	[ROLE_OK] = "ok",
	[ROLE_WARN] = "warn",
	[ROLE_CRIT] = "crit",
	[ROLE_UNKNOWN] = "unknown",
	[ROLE_MAINTENANCE] = "maintenance",
	[ROLE_BADGE] = "badge",
	[ROLE_FOOTER] = "footer",
	[ROLE_FOOTER_KEY] = "footer_key",
	[ROLE_HELP] = "help",
	[ROLE_BIG_OK] = "big_ok",
	[ROLE_BIG_BAD] = "big_bad",
	[ROLE_BIG_WARN] = "big_warn",
	[ROLE_STDERR] = "stderr",
};

static int role_attrs[ROLE_COUNT];

static const struct {
	const char	*name;
	int		 colour;
} colour_names[] = {
	{ "default", -1 }, { "black", COLOR_BLACK }, { "red", COLOR_RED },
	{ "green", COLOR_GREEN }, { "yellow", COLOR_YELLOW },
	{ "blue", COLOR_BLUE }, { "magenta", COLOR_MAGENTA },
	{ "cyan", COLOR_CYAN }, { "white", COLOR_WHITE },
};

static const struct {
	const char	*name;
	int		 attr;
} attr_names[] = {
	{ "bold", A_BOLD }, { "dim", A_DIM }, { "reverse", A_REVERSE },
	{ "underline", A_UNDERLINE }, { "standout", A_STANDOUT },
};

/* Parses a colour; returns 0 or -1.  With fewer colours than asked for,
 * bright colours fall back to their plain eight-colour form. */
static int
parse_colour(const config_setting_t *s, int ncolours, int *out)
{
	const char *name;
	size_t i;
	int bright = 0, v;

	if (config_setting_type(s) == CONFIG_TYPE_INT) {
		v = config_setting_get_int(s);
		if (v < 0 || v > 255)
			return -1;
		*out = v < ncolours ? v : v % 8;
		return 0;
	}
	name = config_setting_get_string(s);
	if (name == NULL)
		return -1;
	if (strncmp(name, "bright-", 7) == 0) {
		bright = 1;
		name += 7;
	}
	for (i = 0; i < sizeof colour_names / sizeof colour_names[0]; i++) {
		if (strcmp(colour_names[i].name, name) != 0)
			continue;
		v = colour_names[i].colour;
		if (bright && v >= 0 && ncolours >= 16)
			v += 8;
		*out = v;
		return 0;
	}
	return -1;
}

static int
parse_attrs(const config_setting_t *s, int *out, char **cause)
{
	const config_setting_t *el;
	const char *name;
	size_t j;
	int i, n;

	*out = 0;
	if (s == NULL)
		return 0;
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		el = config_setting_get_elem(s, (unsigned int)i);
		name = config_setting_get_string(el);
		for (j = 0; name != NULL &&
		    j < sizeof attr_names / sizeof attr_names[0]; j++)
			if (strcmp(attr_names[j].name, name) == 0)
				break;
		if (name == NULL ||
		    j == sizeof attr_names / sizeof attr_names[0]) {
			*cause = xasprintf("line %d: unknown attribute '%s'",
			    config_setting_source_line(el),
			    name ? name : "?");
			return -1;
		}
		*out |= attr_names[j].attr;
	}
	return 0;
}

/*
 * Reads a theme's text into attrs.  With apply false nothing touches curses
 * (used by theme_check).  Returns 0, or -1 with *cause set.
 */
static int
theme_parse(const char *text, const char *name, int apply, int colour,
    char **cause)
{
	config_t lc;
	const config_setting_t *roles, *r, *s;
	int i, fg, bg, attrs, ret = -1, ncolours;

	config_init(&lc);
	if (config_read_string(&lc, text) != CONFIG_TRUE) {
		*cause = xasprintf("theme %s: line %d: %s", name,
		    config_error_line(&lc), config_error_text(&lc));
		goto out;
	}
	roles = config_lookup(&lc, "roles");
	if (roles == NULL || !config_setting_is_group(roles)) {
		*cause = xasprintf("theme %s: no 'roles' group", name);
		goto out;
	}
	ncolours = apply && colour ? COLORS : 8;
	for (i = 0; i < ROLE_COUNT; i++) {
		r = config_setting_get_member(roles, theme_role_names[i]);
		fg = bg = -1;
		attrs = 0;
		if (r != NULL) {
			s = config_setting_get_member(r, "fg");
			if (s != NULL && parse_colour(s, ncolours, &fg) != 0) {
				*cause = xasprintf("theme %s: line %d: bad "
				    "colour", name,
				    config_setting_source_line(s));
				goto out;
			}
			s = config_setting_get_member(r, "bg");
			if (s != NULL && parse_colour(s, ncolours, &bg) != 0) {
				*cause = xasprintf("theme %s: line %d: bad "
				    "colour", name,
				    config_setting_source_line(s));
				goto out;
			}
			if (parse_attrs(config_setting_get_member(r, "attrs"),
			    &attrs, cause) != 0) {
				char *c = xasprintf("theme %s: %s", name,
				    *cause);

				free(*cause);
				*cause = c;
				goto out;
			}
		}
		if (!apply)
			continue;
		if (colour && (fg != -1 || bg != -1)) {
			init_pair((short)(i + 1), (short)fg, (short)bg);
			attrs |= (int)COLOR_PAIR((unsigned)i + 1);
		}
		role_attrs[i] = attrs;
	}
	ret = 0;
out:
	config_destroy(&lc);
	return ret;
}

/* Finds name's text: a file first, then the built-in copy; *where says
 * which (the file's path, for messages; caller frees). */
static char *
theme_text(const char *name, char **where, char **cause)
{
	const char *dirs[3];
	const char *env, *xdg, *home;
	char *xdgdir = NULL, path[PATH_MAX], *text = NULL;
	size_t i, len;
	FILE *f;

	if (*name == '\0' || strchr(name, '/') != NULL || name[0] == '.') {
		*cause = xasprintf("bad theme name '%s'", name);
		return NULL;
	}
	env = getenv("MAINTOP_THEMEDIR");
	xdg = getenv("XDG_CONFIG_HOME");
	home = getenv("HOME");
	if (xdg != NULL && *xdg == '/')
		xdgdir = xasprintf("%s/maintop/themes", xdg);
	else if (home != NULL && *home != '\0')
		xdgdir = xasprintf("%s/.config/maintop/themes", home);
	dirs[0] = env != NULL && *env != '\0' ? env : NULL;
	dirs[1] = xdgdir;
	dirs[2] = MAINTOP_DATADIR "/themes";
	for (i = 0; i < 3 && text == NULL; i++) {
		if (dirs[i] == NULL)
			continue;
		snprintf(path, sizeof path, "%s/%s.conf", dirs[i], name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		/* The limit holds while reading: one byte more is refused. */
		text = xmalloc(THEME_FILE_MAX + 2);
		len = fread(text, 1, THEME_FILE_MAX + 1, f);
		text[len] = '\0';
		fclose(f);
		if (len > THEME_FILE_MAX || memchr(text, '\0', len) != NULL) {
			*cause = xasprintf("theme file %s: larger than %d "
			    "bytes, or holds a NUL byte", path, THEME_FILE_MAX);
			free(text);
			free(xdgdir);
			return NULL;
		}
	}
	free(xdgdir);
	if (text != NULL) {
		*where = xstrdup(path);
		return text;
	}
	for (i = 0; theme_builtins[i].name != NULL; i++)
		if (strcmp(theme_builtins[i].name, name) == 0) {
			*where = xasprintf("%s (built in)", name);
			return xstrdup(theme_builtins[i].text);
		}
	*cause = xasprintf("unknown theme '%s' (built in: default, mono, "
	    "high-contrast; others are NAME.conf in $MAINTOP_THEMEDIR, "
	    "~/.config/maintop/themes or %s/themes)", name, MAINTOP_DATADIR);
	return NULL;
}

int
theme_check(const char *name, char **cause)
{
	char *text, *where = NULL;
	int ret;

	if ((text = theme_text(name, &where, cause)) == NULL)
		return -1;
	ret = theme_parse(text, where, 0, 0, cause);
	free(text);
	free(where);
	return ret;
}

int
theme_load(const char *name, int colour, char **cause)
{
	char *text, *where = NULL;
	int ret;

	if (!colour)
		name = "mono";
	if ((text = theme_text(name, &where, cause)) == NULL)
		return -1;
	if (colour) {
		start_color();
		use_default_colors();
	}
	ret = theme_parse(text, where, 1, colour, cause);
	free(text);
	free(where);
	return ret;
}

int
theme_attr(enum role r)
{
	return role_attrs[r];
}
