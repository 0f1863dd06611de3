/* Colour themes: views ask for a role, a theme maps roles to attributes. */
#ifndef MAINTOP_THEME_H
#define MAINTOP_THEME_H

/* Every role the views draw with.  Keep theme_role_names in step. */
enum role {
	ROLE_TEXT,
	ROLE_DIM,
	ROLE_HEADER,
	ROLE_HEADER_ALERT,
	ROLE_TITLE,
	ROLE_TITLE_FOCUS,
	ROLE_BORDER,
	ROLE_SELECTION,
	ROLE_SELECTION_FOCUS,
	ROLE_OK,
	ROLE_WARN,
	ROLE_CRIT,
	ROLE_UNKNOWN,
	ROLE_MAINTENANCE,
	ROLE_BADGE,
	ROLE_FOOTER,
	ROLE_FOOTER_KEY,
	ROLE_HELP,
	ROLE_BIG_OK,
	ROLE_BIG_BAD,
	ROLE_BIG_WARN,		/* the wall's status band: warnings only */
	ROLE_STDERR,		/* what a step wrote on its standard error */
	ROLE_COUNT
};

extern const char *const theme_role_names[ROLE_COUNT];

/*
 * Loads theme name (a file NAME.conf searched in $MAINTOP_THEMEDIR,
 * $XDG_CONFIG_HOME/maintop/themes, then the installed themes directory;
 * "default" and "mono" are also built in) and applies it.  Must be called
 * after initscr.  colour is 0 when NO_COLOR is set or the terminal has no
 * colours: then the theme's monochrome attributes are used.  Returns 0, or
 * -1 with *cause set (caller frees).
 */
int theme_load(const char *name, int colour, char **cause);

/* The largest theme file read, in bytes. */
#define THEME_FILE_MAX	65536

/* Checks that a theme file exists and parses, without curses (validate). */
int theme_check(const char *name, char **cause);

/* The curses attribute for a role (colour pair and attributes). */
int theme_attr(enum role);



/* The themes compiled in (generated from the files in themes/). */
struct theme_builtin {
	const char	*name;
	const char	*text;
};
extern const struct theme_builtin theme_builtins[];
#endif
