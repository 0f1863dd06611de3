/* Tests of the journal: who acts, appends, torn lines, concurrent writers. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "childenv.h"
#include "fileio.h"
#include "journal.h"
#include "tap.h"
#include "util.h"

static char tmpdir[] = "/tmp/test_journal.XXXXXX";

/* journal_who's members wrapped in braces, parsed. */
static json_t *
who(void)
{
	struct buf b;
	json_t *j;

	buf_init(&b);
	buf_addc(&b, '{');
	journal_who(&b);
	buf_addc(&b, '}');
	j = json_loads(b.s, 0, NULL);
	buf_free(&b);
	return j;
}

static const char *
member(json_t *j, const char *key)
{
	return json_string_value(json_object_get(j, key));
}

static void
test_who(void)
{
	json_t *j;

	childenv_set("SSH_CLIENT", "10.1.2.3 51234 22");
	childenv_set("SSH_CONNECTION", "10.9.9.9 1 10.0.0.2 22");
	j = who();
	ok(j != NULL, "journal_who gives valid JSON members");
	is_str(member(j, "ssh_client"), "10.1.2.3",
	    "ssh_client is the first field of $SSH_CLIENT");
	ok(member(j, "user") != NULL && *member(j, "user") != '\0',
	    "user is set");
	ok(json_object_get(j, "tty") != NULL, "tty is present (maybe null)");
	json_decref(j);

	childenv_set("SSH_CLIENT", NULL);
	j = who();
	is_str(member(j, "ssh_client"), "10.9.9.9",
	    "without $SSH_CLIENT, $SSH_CONNECTION's first field");
	json_decref(j);

	childenv_set("SSH_CONNECTION", NULL);
	j = who();
	ok(j != NULL && json_is_null(json_object_get(j, "ssh_client")),
	    "no SSH variables: ssh_client is null");
	json_decref(j);

	childenv_set("SSH_CLIENT", "\"evil\\\x1b[2J 1 2");
	j = who();
	is_str(member(j, "ssh_client"), "\"evil\\\x1b[2J",
	    "a hostile $SSH_CLIENT is escaped, the JSON stays valid");
	json_decref(j);
	childenv_set("SSH_CLIENT", NULL);
}

struct count {
	int	n;
	int	bad;
};

static void
count_line(const char *line, void *arg)
{
	struct count *c = arg;
	json_t *j = json_loads(line, 0, NULL);

	c->n++;
	if (j == NULL)
		c->bad++;
	json_decref(j);
}

static void
test_append(void)
{
	char *path = xasprintf("%s/journal.jsonl", tmpdir), *cause = NULL;
	struct count c = { 0, 0 };
	FILE *f;
	int i;

	ok(journal_foreach(path, count_line, &c, &cause) == 0 && c.n == 0,
	    "a missing journal is empty, not an error");
	for (i = 0; i < 3; i++)
		ok(journal_append(path, "{\"type\":\"test\",\"n\":1}",
		    &cause) == 0, "append record %d", i + 1);
	ok(journal_foreach(path, count_line, &c, &cause) == 0 && c.n == 3 &&
	    c.bad == 0, "three whole records are read back");

	cause = NULL;
	ok(journal_append(path, "not json", &cause) == -1 && cause != NULL,
	    "a record that is not an object is refused");
	free(cause);
	cause = NULL;
	ok(journal_append(path, "{\"a\":\n1}", &cause) == -1 && cause != NULL,
	    "a record with a newline is refused");
	free(cause);

	/* A crash mid-write: a torn last line. */
	f = fopen(path, "a");
	fputs("{\"type\":\"test\",\"n\":", f);
	fclose(f);
	c.n = c.bad = 0;
	ok(journal_foreach(path, count_line, &c, &cause) == 0 && c.n == 3 &&
	    c.bad == 0, "a torn last line is skipped");
	ok(journal_append(path, "{\"type\":\"after\"}", &cause) == 0,
	    "append after the torn line");
	c.n = c.bad = 0;
	ok(journal_foreach(path, count_line, &c, &cause) == 0 && c.n == 4 &&
	    c.bad == 0, "the torn fragment stays skipped, the new one is read");

	/* Empty lines and CRLF endings are harmless. */
	f = fopen(path, "a");
	fputs("\n\r\n{\"type\":\"crlf\"}\r\n", f);
	fclose(f);
	c.n = c.bad = 0;
	ok(journal_foreach(path, count_line, &c, &cause) == 0 && c.n == 5 &&
	    c.bad == 0, "empty lines are skipped and CRLF accepted");
	free(path);
}

/* Several processes append at once: no record is torn or interleaved. */
static void
test_concurrent(void)
{
	char *path = xasprintf("%s/many.jsonl", tmpdir), *cause = NULL;
	char rec[600];
	struct count c = { 0, 0 };
	pid_t pids[4];
	int i, k, status, good = 1;

	for (i = 0; i < 4; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			for (k = 0; k < 100; k++) {
				snprintf(rec, sizeof rec, "{\"w\":%d,\"k\":%d,"
				    "\"pad\":\"%0500d\"}", i, k, 0);
				if (journal_append(path, rec, &cause) != 0)
					_exit(1);
			}
			_exit(0);
		}
	}
	for (i = 0; i < 4; i++)
		if (waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			good = 0;
	ok(good, "four writers append 100 records each");
	ok(journal_foreach(path, count_line, &c, &cause) == 0,
	    "read the records back");
	is_int(c.n, 400, "all 400 records are there");
	is_int(c.bad, 0, "and every one is whole JSON");
	free(path);
}

int
main(void)
{
	char *cmd;

	if (mkdtemp(tmpdir) == NULL)
		return 1;
	test_who();
	test_append();
	test_concurrent();
	cmd = xasprintf("rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	free(cmd);
	return tap_done();
}
