/* What the demo's server starters (demo_servers.c, demo_pg.c) share:
 * children started as the servers' user and waited for with deadlines,
 * their logs, directories and files.  Part of the demo library only. */
#ifndef MAINTOP_DEMO_UTIL_H
#define MAINTOP_DEMO_UTIL_H

#include <sys/types.h>

#include <stddef.h>

struct demo;

/* Attempts to start a server, in case the free port found was taken. */
#define DEMO_TRIES		3

/* Sleeps ms milliseconds, through signals. */
void demo_util_sleep_ms(long ms);

/* The last five lines of a log file, after a newline, for error messages;
 * "" when it cannot be read.  The caller frees it. */
char *demo_util_log_tail(const char *path);

/* Finds name in PATH or the usual system directories; NULL when it is
 * nowhere.  The caller frees it. */
char *demo_util_find_bin(const char *name);

/* Makes dir (mode 0700) owned by the servers' user; -1 and *cause (the
 * caller frees it) on failure. */
int demo_util_mkdir(struct demo *d, const char *dir, char **cause);

/*
 * In a new child: own process group, default signals, stdin from
 * /dev/null, stdout and stderr to log, every other descriptor but keep
 * (-1: none) closed, the servers' user, and signal pdeath when the parent
 * (pid parent) dies.  Returns only on success; the caller then execs or
 * runs the server.
 */
void demo_util_child_setup(const struct demo *d, const char *log, int keep,
    int pdeath, pid_t parent);

/* Starts argv[0] as a child set up by demo_util_child_setup (signals
 * blocked around the fork); returns its pid, or -1 and *cause. */
pid_t demo_util_spawn(const struct demo *d, char *const argv[],
    const char *log, int pdeath, char **cause);

/* True if pid has exited (reaped: *status set and pid no longer ours);
 * never waits. */
int demo_util_exited(pid_t pid, int *status);

/* "exited with status 1", "was killed by signal 9" (caller frees). */
char *demo_util_status_text(int status);

/* Runs argv to completion within two minutes (killed after that); 0 when
 * it exits 0, else -1 and *cause with the end of its log. */
int demo_util_run(const struct demo *d, char *const argv[], const char *log,
    char **cause);

/* Random lowercase hex, 2 * n characters, n at most 32 (caller frees). */
char *demo_util_random_hex(size_t n);

/* Writes text to path with mode (created or truncated); -1 and *cause on
 * failure. */
int demo_util_write_file(const char *path, const char *text, mode_t mode,
    char **cause);

#endif
