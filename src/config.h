/* The configuration model: settings and every section, loaded and validated
 * from a libconfig file (and its @includes). */
#ifndef MAINTOP_CONFIG_H
#define MAINTOP_CONFIG_H

#include <libconfig.h>
#include <stddef.h>

#include "cfgutil.h"

struct check;		/* check.h: one health check (http, postgres, redis) */
struct window;		/* calendar.h: one maintenance window or freeze */
struct debt_item;	/* debt.h: one technical-debt item */
struct runbook;		/* runbook.h: one runbook */
struct keymap;		/* keymap.h: the dashboard's keys */
struct store_conf;	/* store.h: settings.store */

/* The "settings" group. */
struct settings {
	long long	 refresh;	/* default check interval, seconds (10) */
	long long	 timeout;	/* default check timeout, seconds (5) */
	char		*timezone;	/* IANA zone for display and windows */
	char		*theme;		/* theme name ("default") */
	char		*state_dir;	/* journal, logs, locks, debt file */
	char		*runbook_dir;	/* extra runbook files, or NULL */
	char		*name;		/* label for the header; NULL: host name */
	int		 read_only;
	long long	 wall_cycle;	/* seconds between wall-mode panes (15) */
	long long	 history;	/* samples kept per check (120) */
	long long	 fail_after;	/* results before going bad (2) */
	long long	 recover_after;	/* results before recovering (1) */
	long long	 run_log_max;	/* bytes kept of one run's log (64 MiB) */
	int		 exec_checks;	/* exec checks run (1) */
	int		 mouse;		/* the dashboard reads the mouse (1) */
	char		**notify;	/* default channels for events */
	size_t		  nnotify;
	char		**debt_notify;	/* the debt list's events; none:
					 * notify */
	size_t		  ndebt_notify;
	long long	 debt_crit_hint;	/* seconds crit before a debt
					 * item's details say so (1d); 0 off */
	long long	 journal_max;	/* rotate the journal past this (32 MiB) */
	const char	*main_file;	/* the main file, for paths relative to
					 * it: borrowed from struct config */
	struct store_conf *store;	/* store.h: the team's PostgreSQL,
					 * or NULL: the state directory */
};

/*
 * A loaded configuration.  Every array holds pointers owned by the config;
 * config_free releases them all through each module's free function.
 */
struct config {
	char			 *path;		/* the main file */
	struct settings		  settings;
	struct check		**checks;
	size_t			  nchecks;
	struct window		**windows;
	size_t			  nwindows;
	struct debt_item	**debt;
	size_t			  ndebt;
	struct runbook		**runbooks;
	size_t			  nrunbooks;
	struct channel		**channels;	/* notify.h */
	size_t			  nchannels;
	struct keymap		 *keys;		/* the dashboard's keys */
};

/*
 * Finds the configuration file: explicit (from -c) if not NULL, then
 * $MAINTOP_CONFIG, $XDG_CONFIG_HOME/maintop/maintop.conf (or
 * ~/.config/maintop/maintop.conf), then SYSCONFDIR/maintop/maintop.conf.
 * Returns a new string, or NULL and sets *cause to a message that lists
 * where it looked and how to start.
 */
char *config_find(const char *explicit, char **cause);

/*
 * Loads and validates path.  Returns the configuration, or NULL when there
 * are errors; either way every problem (errors and warnings, with file and
 * line) is added to errs.  The caller frees the result with config_free.
 */
struct config *config_load(const char *path, struct cfg_errors *errs);
/* Loads from a string (for tests and fuzzing); name is used in messages. */
struct config *config_load_string(const char *text, const char *name,
    struct cfg_errors *errs);
void config_free(struct config *);

/* Lookups by name; NULL when absent.  Pointers stay valid until config_free. */
struct check *config_find_check(const struct config *, const char *);
struct window *config_find_window(const struct config *, const char *);
struct runbook *config_find_runbook(const struct config *, const char *);
/* True when name is one of the configuration's channels. */
int config_has_channel(const struct config *, const char *);

/*
 * The state directory, created (mode 0700) if missing: settings.state_dir,
 * else $XDG_STATE_HOME/maintop, else ~/.local/state/maintop.  Returns 0, or
 * -1 with *cause set (caller frees).
 */
int config_state_dir(const struct config *, char **path, char **cause);

#endif
