/* Fault injection for debt-file saves: a child saves the file over and over
 * while the parent kills it with SIGKILL at random moments, then checks
 * that the file is whole (one complete generation, old or new).  Prints TAP.
 *
 *	debt_writer torture DIR KILLS
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "debt_file.h"
#include "util.h"

static struct settings settings;

/* Generation k: 1 + k % 37 items titled "gen K item J of N", each with a
 * long description so that a save takes a while. */
static void
build(struct debt_list *l, long long k)
{
	struct debt_item *d;
	long long n = 1 + k % 37, j;

	l->v = NULL;
	l->n = 0;
	l->next_id = 1000;
	for (j = 1; j <= n; j++) {
		d = xcalloc(1, sizeof *d);
		d->id = xasprintf("D-%04lld", j);
		d->title = xasprintf("gen %lld item %lld of %lld", k, j, n);
		d->description = xasprintf("%02000lld", k);
		d->priority = (enum debt_priority)(j % 3);
		d->systems = xcalloc(1, sizeof *d->systems);
		l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
		l->v[l->n++] = d;
	}
}

/* Saves generations start, start + 1, ... until killed, writing a byte to
 * fd after each save (the parent waits for the first). */
static void __attribute__((noreturn))
writer(const char *path, long long start, int fd)
{
	struct debt_list l;
	char *cause = NULL;
	long long k;

	signal(SIGPIPE, SIG_IGN);
	for (k = start;; k++) {
		build(&l, k);
		if (debt_file_save(path, &l, &settings, NULL, &cause) != 0) {
			fprintf(stderr, "save: %s\n", cause);
			_exit(1);
		}
		debt_list_free(&l);
		if (write(fd, "s", 1) < 0)
			(void)0;	/* the parent stopped listening */
	}
}

/* Returns the generation in path, or -1 (with a reason) if not whole. */
static long long
check(const char *path, char *why, size_t len)
{
	struct cfg_errors e = { 0 };
	struct debt_list l;
	long long k = -1, n, kk, j, jj, nn;
	size_t i;

	if (debt_file_load(path, &settings, &l, NULL, &e) != 0) {
		snprintf(why, len, "does not parse: %s", e.n > 0 ?
		    e.v[0].msg : "?");
		cfg_errors_free(&e);
		return -1;
	}
	if (l.n == 0) {
		snprintf(why, len, "empty");
		debt_list_free(&l);
		return -1;
	}
	for (i = 0; i < l.n; i++) {
		if (sscanf(l.v[i]->title, "gen %lld item %lld of %lld", &kk,
		    &jj, &nn) != 3) {
			snprintf(why, len, "bad title");
			k = -1;
			break;
		}
		if (i == 0)
			k = kk;
		n = 1 + k % 37;
		j = (long long)i + 1;
		if (kk != k || nn != n || jj != j || (size_t)n != l.n) {
			snprintf(why, len, "mixed or partial generation");
			k = -1;
			break;
		}
	}
	debt_list_free(&l);
	return k;
}

/* Removes temporary files a killed save left; returns how many. */
static int
clean_temps(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *p;
	int n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, ".debt.conf.", 11) != 0)
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		unlink(p);
		free(p);
		n++;
	}
	closedir(d);
	return n;
}

int
main(int argc, char **argv)
{
	struct debt_list l;
	char *path, *cause = NULL, why[256];
	long long k, last, kills, i, changed = 0, bad = 0, stray = 0;
	pid_t pid;
	int status, p[2];
	char c;

	if (argc != 4 || strcmp(argv[1], "torture") != 0) {
		fprintf(stderr, "usage: debt_writer torture DIR KILLS\n");
		return 2;
	}
	settings.timezone = (char *)"UTC";
	kills = strtoll(argv[3], NULL, 10);
	path = xasprintf("%s/debt.conf", argv[2]);
	srand((unsigned int)getpid() ^ (unsigned int)time(NULL));

	build(&l, 1);
	if (debt_file_save(path, &l, &settings, NULL, &cause) != 0) {
		printf("not ok 1 - first save: %s\n1..1\n", cause);
		return 1;
	}
	debt_list_free(&l);
	last = 1;
	for (i = 0; i < kills; i++) {
		fflush(stdout);
		if (pipe(p) != 0 || (pid = fork()) < 0) {
			printf("not ok 1 - fork: %s\n1..1\n", strerror(errno));
			return 1;
		}
		if (pid == 0) {
			close(p[0]);
			writer(path, last + 1, p[1]);
		}
		close(p[1]);
		/*
		 * After the first save of this child, wait 0 to 15 ms: the
		 * kill lands anywhere in the following saves, whatever the
		 * speed of the disk.
		 */
		if (read(p[0], &c, 1) != 1)
			printf("# writer died before its first save\n");
		close(p[0]);
		usleep((useconds_t)(rand() % 15000));
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		if (!WIFSIGNALED(status)) {
			printf("# writer exited by itself (status %d)\n",
			    status);
			bad++;
		}
		k = check(path, why, sizeof why);
		if (k < 0) {
			printf("# after kill %lld: %s\n", i + 1, why);
			bad++;
			break;
		}
		if (k != last)
			changed++;
		last = k;
		stray += clean_temps(argv[2]);
	}
	printf("%s 1 - %lld SIGKILLs during saves: the file was whole after "
	    "each\n", bad == 0 ? "ok" : "not ok", kills);
	printf("# %lld kills landed after a new save, %lld left a temporary "
	    "file (killed mid-save), last generation %lld\n", changed, stray,
	    last);
	printf("%s 2 - every writer saved before it was killed (generation "
	    "%lld)\n", changed == kills ? "ok" : "not ok", last);
	printf("1..2\n");
	free(path);
	return bad == 0 && changed == kills ? 0 : 1;
}
