/* The throwaway servers behind "maintop demo": PostgreSQL, Redis and the
 * demo HTTP server, started in a temporary directory on free ports. */
#ifndef MAINTOP_DEMO_SERVERS_H
#define MAINTOP_DEMO_SERVERS_H

#include <sys/types.h>

#include <time.h>

/*
 * A running demo.  Every path is inside dir; every server listens on
 * 127.0.0.1 only.  The strings belong to the demo and stay valid until
 * demo_stop.  When maintop runs as root the servers run as an unprivileged
 * user (postgres, else nobody), never as root.
 */
struct demo {
	char	*dir;		/* the temporary directory, removed at stop */
	char	*state_dir;	/* dir/state: maintop's state for the demo */
	char	*config_path;	/* dir/maintop.conf: demo_config_text */

	char	*pg_bindir;	/* where initdb and postgres were found */
	int	 pg_port;
	char	*pg_socket_dir;	/* unix socket directory */
	char	*pg_password;	/* the monitor role's password */
	char	*pg_password_file; /* holds pg_password, mode 0600 */
	pid_t	 pg_pid;

	int	 redis_port;
	pid_t	 redis_pid;

	int	 http_port;	/* plain HTTP */
	int	 https_port;	/* TLS, with a certificate that expires in
				 * DEMO_CERT_DAYS days */
	char	*https_cert;	/* that certificate (PEM), to trust it */
	pid_t	 http_pid;

	uid_t	 uid;		/* whom the servers run as */
	gid_t	 gid;
	int	 drop;		/* 1 when uid/gid differ from ours (root) */
};

/* The demo certificate's lifetime: inside a 30-day warning threshold. */
#define DEMO_CERT_DAYS 20

/*
 * Starts the demo: makes a temporary directory (under $TMPDIR, else /tmp),
 * runs initdb and starts PostgreSQL, Redis and the HTTP server as children
 * on free ports, waits until each answers (up to 30 s for PostgreSQL),
 * creates the database "maintop" with a table full of dead tuples (owned by
 * the role "monitor", a pg_monitor member with a password, so a vacuum
 * runbook has work), a few Redis keys, and writes config_path.  Each child
 * gets SIGTERM (PostgreSQL SIGINT) if maintop dies, runs in its own process
 * group and writes its output to a log in dir, never to the terminal.
 * Blocks while starting (a few seconds) and must be called before the
 * caller sets up its event loop's SIGCHLD handling.
 * Returns the demo (the caller must demo_stop it), or NULL with *cause set
 * (the caller frees it) after undoing everything; a missing server binary
 * is named with the Debian package to install.
 */
struct demo *demo_start(char **cause);

/*
 * Stops every server (SIGTERM, PostgreSQL SIGINT for a fast shutdown; then
 * SIGKILL after 10 s), reaps them, removes the temporary directory and
 * frees d.  NULL is allowed.
 */
void demo_stop(struct demo *d);

/* True if pid is one of the demo's servers (so a SIGCHLD handler leaves it
 * to demo_stop). */
int demo_owns_pid(const struct demo *d, pid_t pid);

/*
 * The demo's configuration as libconfig text (demo_config.c): settings, the
 * checks against the servers, maintenance windows (one open at now), debt
 * items and runbooks.  The caller frees the string.
 */
char *demo_config_text(const struct demo *d, time_t now);

#endif
