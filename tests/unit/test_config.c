/* Tests of the configuration loader: every kind of error with its file and
 * line, includes, the search order, secrets, and hostile files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "check.h"
#include "tap.h"

static char tmpdir[] = "/tmp/maintop-test-config.XXXXXX";

static char *
write_file(const char *name, const char *text, mode_t mode)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

/* Loads text from a file; returns every message joined by newlines. */
static char *
load(const char *text, struct config **out)
{
	struct cfg_errors e = { 0 };
	struct config *c;
	struct buf b;
	char *path, *line;
	size_t i;

	path = write_file("maintop.conf", text, 0600);
	c = config_load(path, &e);
	buf_init(&b);
	for (i = 0; i < e.n; i++) {
		line = cfg_error_format(&e.v[i]);
		buf_adds(&b, line);
		buf_addc(&b, '\n');
		free(line);
	}
	cfg_errors_free(&e);
	free(path);
	if (out != NULL)
		*out = c;
	else
		config_free(c);
	return buf_detach(&b);
}

static int
contains(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

/* Expects text to fail with a message containing want. */
static void
expect_error(const char *text, const char *want, const char *what)
{
	struct config *c;
	char *msgs = load(text, &c);

	if (!ok(c == NULL && contains(msgs, want), "%s", what))
		printf("#   messages:\n#   %s\n#   wanted: %s\n", msgs, want);
	config_free(c);
	free(msgs);
}

static void
test_valid(void)
{
	struct config *c;
	char *msgs;

	msgs = load(
	    "settings = { name = \"t\"; refresh = \"30s\"; timeout = 3;\n"
	    "  timezone = \"Europe/Berlin\"; theme = \"mono\";\n"
	    "  read_only = true; wall_cycle = \"1m\"; history = 50;\n"
	    "  state_dir = \"~/state\"; };\n", &c);
	ok(c != NULL, "a valid settings group loads");
	is_str(msgs, "", "and produces no message");
	if (c != NULL) {
		char *want = xasprintf("%s/state", getenv("HOME"));

		is_int(c->settings.refresh, 30, "refresh \"30s\" is 30 s");
		is_int(c->settings.timeout, 3, "timeout 3 is 3 s");
		is_str(c->settings.timezone, "Europe/Berlin", "timezone kept");
		is_str(c->settings.theme, "mono", "theme kept");
		is_int(c->settings.read_only, 1, "read_only kept");
		is_int(c->settings.wall_cycle, 60, "wall_cycle 1m");
		is_int(c->settings.history, 50, "history kept");
		is_str(c->settings.state_dir, want, "~ in state_dir expands");
		free(want);
	}
	config_free(c);
	free(msgs);

	msgs = load("", &c);
	ok(c != NULL, "an empty file is a valid, empty configuration");
	if (c != NULL) {
		is_int(c->settings.refresh, 10, "default refresh is 10 s");
		is_int(c->settings.fail_after, 2, "default fail_after is 2");
		is_int(c->settings.recover_after, 1,
		    "default recover_after is 1");
		is_str(c->settings.timezone, "UTC", "default zone is UTC");
	}
	config_free(c);
	free(msgs);
}

static void
test_errors(void)
{
	expect_error("settings = { name = ; };\n", ":1: error:",
	    "a syntax error names file and line");
	expect_error("\n\nsettings = {\n  refrsh = 5;\n};\n",
	    "maintop.conf:4: error: unknown key 'refrsh' in settings "
	    "(did you mean 'refresh'?)",
	    "an unknown key names file, line and the closest key");
	expect_error("window = ();\n",
	    ":1: error: unknown key 'window' in the top level (did you mean "
	    "'windows'?)", "an unknown section suggests the right one");
	expect_error("settings = { read_only = \"yes\"; };\n",
	    ":1: error: 'read_only' must be true or false, not a string",
	    "a wrong type says what was expected");
	expect_error("settings = { history = 5; };\n",
	    "'history' is 5, must be between 10 and 10000",
	    "an out-of-range number gives the range");
	expect_error("settings = { refresh = \"soon\"; };\n",
	    "'refresh' is not a duration: \"soon\"",
	    "a bad duration is named");
	expect_error("settings = { timezone = \"Mars/Olympus\"; };\n",
	    "unknown time zone 'Mars/Olympus'", "an unknown zone is refused");
	expect_error("settings = ( 1 );\n",
	    "'settings' must be a group", "settings must be a group");
	expect_error("http = { name = \"a\"; };\n",
	    "'http' must be a list", "a section must be a list");
	expect_error("http = ( 5 );\n",
	    "each entry of 'http' must be a group", "list entries are groups");
	expect_error(
	    "http = ( { name = \"api\"; url = \"http://127.0.0.1:1/\"; } );\n"
	    "redis = ( { name = \"api\"; host = \"127.0.0.1\"; } );\n",
	    "duplicate check name 'api'",
	    "check names are unique across kinds");
	expect_error(
	    "windows = (\n"
	    " { name = \"w\"; schedule = \"0 2 * * *\"; duration = \"1h\";\n"
	    "   systems = [ \"nosuch\" ]; } );\n",
	    "nosuch", "a window naming an unknown system is an error");
	expect_error(
	    "windows = (\n"
	    " { name = \"w\"; schedule = \"0 2 * * *\"; duration = \"1h\";\n"
	    "   runbooks = [ \"nosuch\" ]; } );\n",
	    "nosuch", "a window naming an unknown runbook is an error");
	expect_error(
	    "runbooks = (\n"
	    " { name = \"r\"; steps = ( { name = \"s\"; run = \"true\"; } );\n"
	    "   requires_healthy = [ \"nosuch\" ]; } );\n",
	    "nosuch", "a runbook naming an unknown check is an error");
	expect_error(
	    "runbooks = (\n"
	    " { name = \"r\"; steps = ( { name = \"s\"; run = \"true\"; } ); },\n"
	    " { name = \"r\"; steps = ( { name = \"s\"; run = \"true\"; } ); }\n"
	    ");\n", "duplicate runbook name 'r'",
	    "runbook names are unique");
}

static void
test_every_error_reported(void)
{
	struct config *c;
	char *msgs = load(
	    "settings = { refrsh = 1; theme = 5; };\n"
	    "bogus = 1;\n", &c);

	ok(c == NULL, "a file with three errors fails");
	ok(contains(msgs, ":1: error: unknown key 'refrsh'") &&
	    contains(msgs, ":1: error: 'theme' must be a string") &&
	    contains(msgs, ":2: error: unknown key 'bogus'"),
	    "and every one of them is reported");
	free(msgs);
}

static void
test_include(void)
{
	struct config *c;
	char *msgs, *inc;

	inc = write_file("checks.conf",
	    "http = ( { name = \"inc\"; url = \"http://127.0.0.1:1/\";\n"
	    "  bogus_key = 1; } );\n", 0600);
	msgs = load("settings = { name = \"x\"; };\n@include \"checks.conf\"\n",
	    &c);
	ok(c == NULL && contains(msgs, "checks.conf:2: error: unknown key "
	    "'bogus_key'"), "errors inside an @include name the included file "
	    "and its line");
	free(msgs);
	free(inc);
	inc = write_file("checks.conf",
	    "http = ( { name = \"inc\"; url = \"http://127.0.0.1:1/\"; } );\n",
	    0600);
	msgs = load("@include \"checks.conf\"\n", &c);
	ok(c != NULL && c->nchecks == 1 &&
	    strcmp(c->checks[0]->name, "inc") == 0,
	    "@include brings in the included file's checks");
	config_free(c);
	free(msgs);
	free(inc);
	msgs = load("@include \"missing.conf\"\n", &c);
	ok(c == NULL && contains(msgs, "error"),
	    "a missing include is an error");
	free(msgs);
}

static void
test_secrets(void)
{
	struct config *c;
	char *msgs, *pwfile, *text;

	msgs = load("redis = ( { name = \"r\"; host = \"127.0.0.1\";\n"
	    "  password = \"hunter2\"; } );\n", &c);
	ok(c == NULL && contains(msgs, ":2: error:") &&
	    contains(msgs, "password_env"),
	    "a password written in the file is refused, pointing to "
	    "password_env");
	ok(!contains(msgs, "hunter2"), "and the message does not repeat it");
	free(msgs);

	pwfile = write_file("pw", "s3cret-value\n", 0644);
	text = xasprintf("redis = ( { name = \"r\"; host = \"127.0.0.1\";\n"
	    "  password_file = \"%s\"; } );\n", pwfile);
	msgs = load(text, &c);
	ok(c == NULL && contains(msgs, pwfile) && contains(msgs, ":2: error:"),
	    "a password file readable by others is refused, with its line");
	ok(!contains(msgs, "s3cret-value"), "without showing its content");
	free(msgs);
	chmod(pwfile, 0600);
	msgs = load(text, &c);
	ok(c != NULL, "the same file with mode 0600 is accepted");
	config_free(c);
	free(msgs);
	free(text);
	free(pwfile);
}

static void
test_hostile(void)
{
	struct cfg_errors e = { 0 };
	struct config *c;
	struct buf b;
	char *msgs, *path;
	int i;
	FILE *f;

	/* Binary garbage, including NUL bytes. */
	path = xasprintf("%s/garbage.conf", tmpdir);
	f = fopen(path, "wb");
	for (i = 0; i < 4096; i++)
		fputc((i * 7919 + 13) & 0xff, f);
	fclose(f);
	c = config_load(path, &e);
	ok(c == NULL && e.nerrors >= 1, "binary garbage is a clear error");
	cfg_errors_free(&e);
	free(path);

	/* Deep nesting. */
	buf_init(&b);
	buf_adds(&b, "settings = ");
	for (i = 0; i < 20000; i++)
		buf_adds(&b, "{ a = ");
	buf_adds(&b, "1;");
	for (i = 0; i < 20000; i++)
		buf_adds(&b, " };");
	msgs = load(b.s, &c);
	ok(c == NULL && contains(msgs, "error"),
	    "20000 nested groups: an error, no crash");
	free(msgs);
	buf_free(&b);

	/* A huge file. */
	path = xasprintf("%s/huge.conf", tmpdir);
	f = fopen(path, "w");
	for (i = 0; i < 9 * 1024; i++)
		fprintf(f, "# %01020d\n", i);
	fclose(f);
	c = config_load(path, &e);
	ok(c == NULL && e.n == 1 && contains(e.v[0].msg, "too large"),
	    "a file over 8 MiB is refused as too large");
	cfg_errors_free(&e);
	free(path);

	/* A missing file and a directory. */
	c = config_load("/nonexistent/maintop.conf", &e);
	ok(c == NULL && e.n == 1 && contains(e.v[0].msg, "cannot open"),
	    "a missing file says it cannot be opened");
	cfg_errors_free(&e);
	c = config_load(tmpdir, &e);
	ok(c == NULL && e.n == 1, "a directory is refused");
	cfg_errors_free(&e);

	/* Long strings and names. */
	buf_init(&b);
	buf_adds(&b, "settings = { name = \"");
	for (i = 0; i < 100000; i++)
		buf_addc(&b, 'x');
	buf_adds(&b, "\"; };\n");
	msgs = load(b.s, &c);
	ok(c != NULL, "a 100000-character name loads");
	config_free(c);
	free(msgs);
	buf_free(&b);

	/* Escape sequences in values are kept as data (the UI sanitizes). */
	c = config_load_string("settings = { name = \"\\x1b[2J\"; };", "str",
	    &e);
	ok(c != NULL && strcmp(c->settings.name, "\x1b[2J") == 0,
	    "an escape in a value is data, loaded as is");
	config_free(c);
	cfg_errors_free(&e);
}

static void
test_find(void)
{
	char *cause = NULL, *p, *want;

	p = config_find("/explicit.conf", &cause);
	is_str(p, "/explicit.conf", "-c FILE comes first");
	free(p);
	setenv("MAINTOP_CONFIG", "/from-env.conf", 1);
	p = config_find(NULL, &cause);
	is_str(p, "/from-env.conf", "then $MAINTOP_CONFIG");
	free(p);
	unsetenv("MAINTOP_CONFIG");
	setenv("XDG_CONFIG_HOME", tmpdir, 1);
	want = xasprintf("%s/maintop", tmpdir);
	mkdir(want, 0700);
	free(want);
	want = xasprintf("%s/maintop/maintop.conf", tmpdir);
	fclose(fopen(want, "w"));
	p = config_find(NULL, &cause);
	is_str(p, want, "then $XDG_CONFIG_HOME/maintop/maintop.conf");
	free(p);
	unlink(want);
	p = config_find(NULL, &cause);
	ok(p != NULL || (cause != NULL && contains(cause, want) &&
	    contains(cause, "maintop demo")),
	    "with none found, the message lists where it looked and how "
	    "to start");
	free(p);
	free(cause);
	free(want);
}

int
main(void)
{
	char *home;

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	home = xasprintf("%s/home", tmpdir);
	mkdir(home, 0700);
	setenv("HOME", home, 1);
	unsetenv("MAINTOP_CONFIG");
	test_valid();
	test_errors();
	test_every_error_reported();
	test_include();
	test_secrets();
	test_hostile();
	test_find();
	free(home);
	{
		char *cmd = xasprintf("rm -rf '%s'", tmpdir);

		if (system(cmd) != 0)
			printf("# could not remove %s\n", tmpdir);
		free(cmd);
	}
	return tap_done();
}
