/* Tests of runbook definitions: the parser with good and hostile files,
 * cross-references and cycles, parameters, shell quoting against injection,
 * and the masking of secrets in the dry run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "runbook.h"
#include "tap.h"

/*
 * The configuration's lookups, for these tests only (weak, so that the
 * real ones win wherever config.c is linked in whole): runbooks from the
 * config, checks from a small table.
 */
static struct check test_checks[] = {
	{ .name = "pg-main", .type = CHECK_POSTGRES, .pg = { .conninfo =
	    "host=127.0.0.1 port=5432 dbname=maintop user=monitor" } },
	{ .name = "cache", .type = CHECK_REDIS, .redis = { .host =
	    "127.0.0.1", .port = 6379, .db = 2 } },
	{ .name = "api", .type = CHECK_HTTP },
};

__attribute__((weak)) struct check *
config_find_check(const struct config *c, const char *name)
{
	size_t i;

	for (i = 0; i < sizeof test_checks / sizeof test_checks[0]; i++)
		if (strcmp(test_checks[i].name, name) == 0)
			return &test_checks[i];
	return NULL;
}

__attribute__((weak)) struct window *
config_find_window(const struct config *c, const char *name)
{
	return NULL;
}

__attribute__((weak)) struct runbook *
config_find_runbook(const struct config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nrunbooks; i++)
		if (strcmp(c->runbooks[i]->name, name) == 0)
			return c->runbooks[i];
	return NULL;
}

static void
cfg_clear(struct config *c)
{
	size_t i;

	for (i = 0; i < c->nrunbooks; i++)
		runbook_free(c->runbooks[i]);
	free(c->runbooks);
	memset(c, 0, sizeof *c);
}

/* Loads text; returns every message joined by newlines (caller frees). */
static char *
load(struct config *c, const char *text, struct cfg_errors *e, int resolve)
{
	struct buf b;
	char *s;
	size_t i;

	memset(c, 0, sizeof *c);
	memset(e, 0, sizeof *e);
	runbook_load_string(c, text, "t.conf", e);
	if (resolve)
		runbook_resolve(c, e);
	buf_init(&b);
	buf_adds(&b, "");
	for (i = 0; i < e->n; i++) {
		s = cfg_error_format(&e->v[i]);
		buf_printf(&b, "%s\n", s);
		free(s);
	}
	return buf_detach(&b);
}

/* Expects text to load with an error containing want. */
static void
expect_error(const char *name, const char *text, const char *want)
{
	struct config c;
	struct cfg_errors e;
	char *msgs = load(&c, text, &e, 1);

	if (!ok(e.nerrors > 0 && strstr(msgs, want) != NULL, "%s", name))
		printf("#   messages: %s#   want: %s\n", msgs, want);
	free(msgs);
	cfg_errors_free(&e);
	cfg_clear(&c);
}

static const char *good =
    "runbooks = (\n"
    "  { name = \"backup\"; steps = ( { run = \"true\"; } ); },\n"
    "  {\n"
    "    name = \"upgrade\";\n"
    "    description = \"Upgrade the database\";\n"
    "    params = (\n"
    "      { name = \"table\"; default = \"orders\"; pattern = \"[a-z_]+\"; },\n"
    "      { name = \"password\"; secret = true; }\n"
    "    );\n"
    "    requires_healthy = [ \"pg-main\" ];\n"
    "    require_window = true;\n"
    "    requires = ( { runbook = \"backup\"; within = \"24h\"; } );\n"
    "    steps = (\n"
    "      { name = \"first\"; run = \"echo ${table}\";\n"
    "        cwd = \"/tmp\"; env = [ \"A=1\" ];\n"
    "        rollback = \"echo undo\"; },\n"
    "      { name = \"wait\"; wait_healthy = [ \"pg-main\", \"api\" ]; },\n"
    "      { name = \"look\"; pause = \"Check the replica\"; },\n"
    "      { name = \"drop\"; run = \"echo drop\"; danger = true;\n"
    "        confirm = false; timeout = \"30s\"; continue_on_error = true;\n"
    "        rollback = ( \"echo a\", { name = \"b\"; run = \"echo b\"; } ); }\n"
    "    );\n"
    "  }\n"
    ");\n";

static void
test_good(void)
{
	struct config c;
	struct cfg_errors e;
	char *msgs = load(&c, good, &e, 1);
	const struct runbook *rb;
	const struct step *st;

	is_int(e.nerrors, 0, "a good file loads without errors");
	if (e.nerrors != 0)
		printf("# %s", msgs);
	free(msgs);
	is_int(c.nrunbooks, 2, "two runbooks");
	if (c.nrunbooks != 2)
		goto out;
	rb = c.runbooks[1];
	is_str(rb->name, "upgrade", "name");
	is_int(rb->line, 3, "runbook line");
	is_str(rb->file, "t.conf", "file");
	is_int(rb->nparams, 2, "params");
	is_str(rb->params[0].def, "orders", "default");
	ok(rb->params[1].secret && rb->params[1].def == NULL, "secret, no default");
	is_int(rb->nrequires_healthy, 1, "requires_healthy");
	ok(rb->require_window, "require_window");
	is_int(rb->nrequires, 1, "requires");
	is_int(rb->requires[0].within, 86400, "within 24h");
	is_int(rb->nsteps, 4, "four steps");
	st = rb->steps[0];
	ok(st->kind == STEP_RUN && st->confirm && !st->danger, "run step, confirm by default");
	is_int(st->timeout, RUNBOOK_TIMEOUT_RUN, "run default timeout");
	is_str(st->cwd, "/tmp", "cwd");
	is_int(st->nrollback, 1, "string rollback is one step");
	is_str(st->rollback[0]->text, "echo undo", "rollback command");
	is_int(st->line, 14, "step line");
	st = rb->steps[1];
	ok(st->kind == STEP_WAIT && st->nchecks == 2, "wait_healthy");
	is_int(st->timeout, RUNBOOK_TIMEOUT_WAIT, "wait default timeout");
	st = rb->steps[2];
	ok(st->kind == STEP_PAUSE && st->timeout == 0, "pause has no timeout");
	st = rb->steps[3];
	ok(st->danger && !st->confirm && st->continue_on_error, "flags");
	is_int(st->timeout, 30, "timeout 30s");
	is_int(st->nrollback, 2, "list rollback");
	is_str(st->rollback[1]->name, "b", "group rollback keeps its name");
	ok(st->rollback[0]->confirm, "rollbacks are confirmed");
out:
	cfg_errors_free(&e);
	cfg_clear(&c);
}

static void
test_errors(void)
{
	expect_error("unknown step key with suggestion",
	    "runbooks = ( { name = \"a\"; steps = ( { run = \"x\";\n"
	    "  confirn = true; } ); } );",
	    "t.conf:2: error: unknown key 'confirn' in runbook step (did you "
	    "mean 'confirm'?)");
	expect_error("unknown runbook key",
	    "runbooks = ( { name = \"a\"; stepz = (); } );",
	    "did you mean 'steps'?");
	expect_error("unknown top-level key",
	    "runbook = ( );", "unknown key 'runbook' in a runbook file "
	    "(did you mean 'runbooks'?)");
	expect_error("wrong type for confirm",
	    "runbooks = ( { name = \"a\"; steps = ( { run = \"x\"; "
	    "confirm = \"yes\"; } ); } );",
	    "'confirm' must be true or false, not a string");
	expect_error("steps not a list",
	    "runbooks = ( { name = \"a\"; steps = \"x\"; } );",
	    "'steps' must be a list");
	expect_error("run and sql together",
	    "runbooks = ( { name = \"a\"; steps = ( { run = \"x\"; "
	    "sql = \"select 1\"; on = \"pg-main\"; } ); } );",
	    "has both 'run' and 'sql'");
	expect_error("no kind",
	    "runbooks = ( { name = \"a\"; steps = ( { name = \"s\"; } ); } );",
	    "needs exactly one of run, sql");
	expect_error("a header with a line break, at its line",
	    "runbooks = ( { name = \"a\"; steps = ( { http = \"http://h/\";\n"
	    "  headers = [ \"X-A: 1\",\n"
	    "    \"X-B: 2\\r\\nX-C: 3\" ]; } ); } );",
	    "t.conf:3: error: 'headers' item 2 of step 'step 1' must be on "
	    "one line (no CR or LF)");
	expect_error("a header without a colon",
	    "runbooks = ( { name = \"a\"; steps = ( { http = \"http://h/\";\n"
	    "  headers = [ \"X-A 1\" ]; } ); } );",
	    "t.conf:2: error: 'headers' item 1 of step 'step 1' must look like "
	    "\"Name: value\"");
	expect_error("a header without a name",
	    "runbooks = ( { name = \"a\"; steps = ( { http = \"http://h/\";\n"
	    "  headers = [ \": 1\" ]; } ); } );",
	    "must look like \"Name: value\"");
	expect_error("a header name with a space",
	    "runbooks = ( { name = \"a\"; steps = ( { http = \"http://h/\";\n"
	    "  headers = [ \"X A: 1\" ]; } ); } );",
	    "t.conf:2: error: 'headers' item 1 of step 'step 1': the name "
	    "\"X A\" may hold only letters, digits and !#$%&'*+-.^_`|~");
	expect_error("a header name from a parameter",
	    "runbooks = ( { name = \"a\"; params = ( { name = \"h\"; } );\n"
	    "  steps = ( { http = \"http://h/\"; headers = [ \"${h}: 1\" ]; "
	    "} ); } );", "the name \"${h}\" may hold only");
	expect_error("headers on a run step",
	    "runbooks = ( { name = \"a\"; steps = ( { run = \"x\";\n"
	    "  headers = [ \"X-A: 1\" ]; } ); } );",
	    "'headers' applies only to http steps, not to run step 'step 1'");
	expect_error("headers not a list of strings",
	    "runbooks = ( { name = \"a\"; steps = ( { http = \"http://h/\";\n"
	    "  headers = [ 1 ]; } ); } );", "t.conf:2: error: 'headers'");
	expect_error("bad runbook name",
	    "runbooks = ( { name = \"../etc/passwd\"; steps = ( { run = \"x\"; "
	    "} ); } );", "runbook name '../etc/passwd' must be");
	expect_error("cycle spelled out",
	    "runbooks = (\n"
	    " { name = \"a\"; requires = [ \"b\" ]; steps = ( { run = \"x\"; } ); },\n"
	    " { name = \"b\"; requires = ( { runbook = \"c\"; } ); steps = ( { run = \"x\"; } ); },\n"
	    " { name = \"c\"; requires = [ \"a\" ]; steps = ( { run = \"x\"; } ); }\n"
	    ");", "cycle: a -> b -> c -> a");
	expect_error("self cycle",
	    "runbooks = ( { name = \"a\"; requires = [ \"a\" ]; "
	    "steps = ( { run = \"x\"; } ); } );", "cycle: a -> a");
	expect_error("unknown required runbook",
	    "runbooks = ( { name = \"backup\"; steps = ( { run = \"x\"; } ); },\n"
	    " { name = \"b\"; requires = [ \"bakup\" ]; "
	    "steps = ( { run = \"x\"; } ); } );",
	    "requires unknown runbook 'bakup' (did you mean 'backup'?)");
	expect_error("sql on a redis check",
	    "runbooks = ( { name = \"a\"; steps = ( { sql = \"select 1\"; "
	    "on = \"cache\"; } ); } );", "check 'cache' is not a postgres check");
	expect_error("redis command with an unterminated quote",
	    "runbooks = ( { name = \"a\"; steps = ( { redis = \"SET k 'v\"; "
	    "on = \"cache\"; } ); } );", "unterminated quote");
	expect_error("redis command of blanks",
	    "runbooks = ( { name = \"a\"; steps = ( { redis = \" \\t \"; "
	    "on = \"cache\"; } ); } );", "the redis command is empty");
	expect_error("http expect_status out of range",
	    "runbooks = ( { name = \"a\"; steps = ( { http = \"http://x/\"; "
	    "expect_status = 99; } ); } );", "expect_status");
	expect_error("wait for an unknown check",
	    "runbooks = ( { name = \"a\"; steps = ( { wait_healthy = "
	    "[ \"nope\" ]; } ); } );", "names unknown check 'nope'");
	expect_error("cwd on a pause",
	    "runbooks = ( { name = \"a\"; steps = ( { pause = \"x\"; "
	    "cwd = \"/\"; } ); } );", "'cwd' applies only to run steps");
	expect_error("pause without confirmation",
	    "runbooks = ( { name = \"a\"; steps = ( { pause = \"x\"; "
	    "confirm = false; } ); } );", "cannot have confirm = false");
	expect_error("bad env",
	    "runbooks = ( { name = \"a\"; steps = ( { run = \"x\"; "
	    "env = [ \"no equals\" ]; } ); } );", "is not NAME=value");
	expect_error("bad pattern",
	    "runbooks = ( { name = \"a\"; params = ( { name = \"p\"; "
	    "pattern = \"([\"; } ); steps = ( { run = \"x\"; } ); } );",
	    "bad pattern");
	expect_error("default against pattern",
	    "runbooks = ( { name = \"a\"; params = ( { name = \"p\"; "
	    "default = \"x y\"; pattern = \"[a-z]+\"; } ); "
	    "steps = ( { run = \"x\"; } ); } );", "does not match its pattern");
	expect_error("a policy that is not one",
	    "runbooks = ( { name = \"a\"; on_failure = \"rolback\"; "
	    "steps = ( { run = \"x\"; } ); } );",
	    "'on_failure' must be \"ask\", \"rollback\", \"abort\" or "
	    "\"continue\" (did you mean \"rollback\"?)");
	expect_error("nobody answers an unattended ask",
	    "runbooks = ( { name = \"a\"; unattended_failure = \"ask\"; "
	    "steps = ( { run = \"x\"; } ); } );",
	    "cannot be \"ask\": nobody is there to answer");
	expect_error("an always step before an ordinary one",
	    "runbooks = ( { name = \"a\"; steps = ( { name = \"end\"; "
	    "always = true; run = \"x\"; }, { name = \"b\"; run = \"y\"; "
	    "} ); } );", "follows an always step");
	expect_error("an always step with a rollback",
	    "runbooks = ( { name = \"a\"; steps = ( { name = \"end\"; "
	    "always = true; run = \"x\"; rollback = \"y\"; } ); } );",
	    "runs after any rollback; it cannot have one");
	expect_error("an always step with on_failure",
	    "runbooks = ( { name = \"a\"; steps = ( { name = \"end\"; "
	    "always = true; run = \"x\"; on_failure = \"abort\"; } ); } );",
	    "never stops the run");
	expect_error("a health level that is not one",
	    "runbooks = ( { name = \"a\"; requires_healthy = ( { check = "
	    "\"api\"; worst = \"warning\"; } ); steps = ( { run = \"x\"; "
	    "} ); } );", "'worst' must be \"ok\", \"warn\", \"crit\" or "
	    "\"unknown\"");
	expect_error("unattended on a run step",
	    "runbooks = ( { name = \"a\"; steps = ( { run = \"x\"; "
	    "unattended = \"continue\"; } ); } );",
	    "'unattended' applies only to pause steps");
	expect_error("a bad secret value name",
	    "runbooks = ( { name = \"a\"; secret_values = [ \"no-dash\" ]; "
	    "steps = ( { run = \"x\"; } ); } );", "is not a value's name");
	expect_error("nested rollback",
	    "runbooks = ( { name = \"a\"; steps = ( { run = \"x\"; rollback = "
	    "{ run = \"y\"; rollback = \"z\"; }; } ); } );",
	    "cannot have its own rollback");
	expect_error("empty steps",
	    "runbooks = ( { name = \"a\"; steps = ( ); } );", "has no steps");
	expect_error("bad duration",
	    "runbooks = ( { name = \"a\"; steps = ( { run = \"x\"; "
	    "timeout = \"soon\"; } ); } );", "'timeout' is not a duration");
	expect_error("garbage", "\x01\x02\xff\xfe runbooks {{{", "t.conf");
	expect_error("truncated", "runbooks = ( { name = \"a\"; steps = ( { run",
	    "t.conf");
	expect_error("a number as a runbook",
	    "runbooks = ( 1, 2 );", "a runbook must be a group");
}

static void
test_hostile_sizes(void)
{
	struct config c;
	struct cfg_errors e;
	struct buf b;
	char *msgs;
	int i;

	/* Many steps: refused with a clear message, no crash. */
	buf_init(&b);
	buf_adds(&b, "runbooks = ( { name = \"big\"; steps = (");
	for (i = 0; i < 1500; i++)
		buf_printf(&b, "%s{ run = \"echo %d\"; }", i ? "," : "", i);
	buf_adds(&b, "); } );");
	msgs = load(&c, b.s, &e, 1);
	ok(strstr(msgs, "at most 1000") != NULL, "1500 steps refused");
	free(msgs);
	cfg_errors_free(&e);
	cfg_clear(&c);
	buf_free(&b);

	/* Deep nesting: libconfig's parser refuses or we do, no crash. */
	buf_init(&b);
	buf_adds(&b, "runbooks = ( { name = \"deep\"; steps = ( { run = \"x\"; "
	    "rollback = ");
	for (i = 0; i < 20000; i++)
		buf_adds(&b, "(");
	for (i = 0; i < 20000; i++)
		buf_adds(&b, ")");
	buf_adds(&b, "; } ); } );");
	msgs = load(&c, b.s, &e, 1);
	ok(e.nerrors > 0, "deep nesting is an error, not a crash");
	free(msgs);
	cfg_errors_free(&e);
	cfg_clear(&c);
	buf_free(&b);

	/* A huge command is fine (it is just long). */
	buf_init(&b);
	buf_adds(&b, "runbooks = ( { name = \"long\"; steps = ( { run = \"echo ");
	for (i = 0; i < 200000; i++)
		buf_addc(&b, 'x');
	buf_adds(&b, "\"; } ); } );");
	msgs = load(&c, b.s, &e, 1);
	ok(e.nerrors == 0 && c.nrunbooks == 1 &&
	    strlen(c.runbooks[0]->steps[0]->text) == 200005,
	    "a 200 kB command loads whole");
	free(msgs);
	cfg_errors_free(&e);
	cfg_clear(&c);
	buf_free(&b);

	/* A name is printed by every mode: an escape sequence in one is
	 * refused at its line. */
	msgs = load(&c, "runbooks = ( { name = \"a\"; steps = ( { name = "
	    "\"\\x1b[2J\"; run = \"x\"; } ); } );", &e, 1);
	ok(e.nerrors == 1 && e.v[0].line == 1 && strstr(e.v[0].msg,
	    "'name' must be printable text") != NULL,
	    "an escape sequence in a step name is refused");
	free(msgs);
	cfg_errors_free(&e);
	cfg_clear(&c);
}

static void
test_typo_warning(void)
{
	struct config c;
	struct cfg_errors e;
	char *msgs;

	msgs = load(&c, "runbooks = ( { name = \"a\"; params = ( { name = "
	    "\"table\"; default = \"t\"; } ); steps = ( { run = "
	    "\"echo ${tabel} ${HOME}\"; } ); } );", &e, 1);
	ok(e.nerrors == 0 && e.n == 1 &&
	    strstr(msgs, "'${tabel}' is not a parameter of runbook 'a' (did "
	    "you mean 'table'?)") != NULL, "a likely typo is warned about, "
	    "environment variables are not");
	free(msgs);
	cfg_errors_free(&e);
	cfg_clear(&c);
}

static struct runbook *
one(struct config *c, const char *text)
{
	struct cfg_errors e;
	char *msgs = load(c, text, &e, 0);

	if (e.nerrors != 0)
		printf("# unexpected: %s", msgs);
	free(msgs);
	cfg_errors_free(&e);
	return c->nrunbooks == 1 ? c->runbooks[0] : NULL;
}

static void
test_bind(void)
{
	struct config c;
	struct runbook *rb;
	char **v = NULL, *cause = NULL;
	char *a1[] = { "table=users" };
	char *a2[] = { "tabel=users" };
	char *a3[] = { "table=users; drop" , "token=t" };
	char *a4[] = { "token=s3cret" };
	char *a5[] = { "noequals" };
	size_t missing;

	rb = one(&c, "runbooks = ( { name = \"a\"; params = (\n"
	    " { name = \"table\"; default = \"orders\"; pattern = \"[a-z]+\"; },\n"
	    " { name = \"token\"; secret = true; pattern = \"[a-z0-9]+\"; } );\n"
	    " steps = ( { run = \"x\"; } ); } );");
	if (rb == NULL) {
		ok(0, "runbook for bind");
		return;
	}
	ok(runbook_bind(rb, a1, 1, &v, &missing, &cause) == -1 &&
	    missing == 1 && strstr(cause, "needs a value for parameter "
	    "'token'") != NULL, "a missing value is reported with its index");
	free(cause);
	cause = NULL;
	ok(runbook_bind(rb, a2, 1, &v, NULL, &cause) == -1 &&
	    strstr(cause, "did you mean 'table'") != NULL,
	    "unknown parameter with suggestion");
	free(cause);
	cause = NULL;
	ok(runbook_bind(rb, a3, 2, &v, NULL, &cause) == -1 &&
	    strstr(cause, "does not match the pattern") != NULL,
	    "pattern is anchored and enforced");
	free(cause);
	cause = NULL;
	ok(runbook_bind(rb, a5, 1, &v, NULL, &cause) == -1 &&
	    strstr(cause, "NAME=VALUE") != NULL, "K=V required");
	free(cause);
	cause = NULL;
	if (ok(runbook_bind(rb, a4, 1, &v, NULL, &cause) == 0,
	    "bind with a default")) {
		is_str(v[0], "orders", "default taken");
		is_str(v[1], "s3cret", "value taken");
		runbook_values_free(rb, v);
	}
	free(cause);
	cause = NULL;
	{
		char *a6[] = { "token=Bad!" };

		ok(runbook_bind(rb, a6, 1, &v, NULL, &cause) == -1 &&
		    strstr(cause, "******") != NULL &&
		    strstr(cause, "Bad!") == NULL,
		    "a secret that fails its pattern is not echoed");
		free(cause);
	}
	cfg_clear(&c);
}

/* Runs cmd with sh, with env set, and returns its stdout (caller frees). */
static char *
sh_output(const char *cmd, const char *envname, const char *envval)
{
	int fds[2], status;
	pid_t pid;
	struct buf b;
	char chunk[512];
	ssize_t n;

	if (pipe(fds) != 0)
		return NULL;
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		if (envname != NULL)
			setenv(envname, envval, 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	buf_init(&b);
	buf_adds(&b, "");
	while ((n = read(fds[0], chunk, sizeof chunk)) > 0)
		buf_add(&b, chunk, (size_t)n);
	close(fds[0]);
	waitpid(pid, &status, 0);
	return buf_detach(&b);
}

static void
test_quoting(void)
{
	static const char *hostile[] = {
		"plain",
		"it's",
		"a b  c",
		"'; touch /tmp/maintop-pwned; '",
		"\"; touch /tmp/maintop-pwned; \"",
		"$(touch /tmp/maintop-pwned)",
		"`touch /tmp/maintop-pwned`",
		"${HOME}",
		"*",
		"\\",
		"new\nline",
		"",
		NULL
	};
	static const char *templates[] = {
		"printf '%s|' ${v}",
		"printf '%s|' \"x${v}y\"",
		"printf '%s|' 'x${v}y'",
		"printf '%s|' \"$(printf '%s' ${v})\"",
		NULL
	};
	static const char *pre[] = { "", "x", "x", "" };
	static const char *post[] = { "|", "y|", "y|", "|" };
	struct config c;
	struct runbook *rb;
	char *vals[2], *cmd, *out, want[256];
	int i, j, exec_ok = 1, show_ok = 1, hidden = 1;
	struct stat st;

	rb = one(&c, "runbooks = ( { name = \"q\"; params = ( { name = \"v\"; "
	    "} ); steps = ( { run = \"x\"; } ); } );");
	if (rb == NULL) {
		ok(0, "runbook for quoting");
		return;
	}
	unlink("/tmp/maintop-pwned");
	for (i = 0; hostile[i] != NULL; i++) {
		vals[0] = (char *)hostile[i];
		vals[1] = NULL;
		for (j = 0; templates[j] != NULL; j++) {
			snprintf(want, sizeof want, "%s%s%s", pre[j],
			    hostile[i], post[j]);
			/* What runs: the value reaches the command intact. */
			cmd = runbook_subst(rb, vals, templates[j],
			    RUNBOOK_SUBST_SHELL_EXEC, 0);
			if (*hostile[i] != '\0' && strstr(cmd, hostile[i]))
				hidden = 0;
			out = sh_output(cmd, "MAINTOP_PARAM_v", hostile[i]);
			if (out == NULL || strcmp(out, want) != 0) {
				exec_ok = 0;
				printf("# exec %s -> %s: got [%s] want [%s]\n",
				    templates[j], cmd, out, want);
			}
			free(out);
			free(cmd);
			/* What is shown: pasted into a shell, the same. */
			if (j == 3)
				continue;	/* nested: shown, not pasteable */
			cmd = runbook_subst(rb, vals, templates[j],
			    RUNBOOK_SUBST_SHELL, 0);
			out = sh_output(cmd, NULL, NULL);
			if (out == NULL || strcmp(out, want) != 0) {
				show_ok = 0;
				printf("# show %s -> %s: got [%s] want [%s]\n",
				    templates[j], cmd, out, want);
			}
			free(out);
			free(cmd);
		}
	}
	ok(exec_ok, "hostile values reach the command intact in every "
	    "quoting context, never parsed");
	ok(show_ok, "the shown command means the same when pasted");
	ok(hidden, "values never enter the executed command text");
	ok(stat("/tmp/maintop-pwned", &st) != 0, "no injection happened");

	vals[0] = "x";
	cmd = runbook_subst(rb, vals, "a $${v} ${nope} ${v:-d} ${v}",
	    RUNBOOK_SUBST_SHELL, 0);
	is_str(cmd, "a ${v} ${nope} ${v:-d} 'x'", "escapes and non-parameters "
	    "are left alone");
	free(cmd);
	cmd = runbook_subst(rb, vals, "${v", RUNBOOK_SUBST_SHELL, 0);
	is_str(cmd, "${v", "an unterminated reference is text");
	free(cmd);
	vals[0] = "a b'c";
	cmd = runbook_subst(rb, vals, "select ${v}, ${v:ident}",
	    RUNBOOK_SUBST_SQL, 0);
	is_str(cmd, "select 'a b''c', \"a b'c\"", "sql literal and identifier");
	free(cmd);
	cmd = runbook_subst(rb, vals, "/q?x=${v}", RUNBOOK_SUBST_URL, 0);
	is_str(cmd, "/q?x=a%20b%27c", "url encoding");
	free(cmd);
	cfg_clear(&c);
}

static void
test_dry_run(void)
{
	struct config c;
	struct runbook *rb;
	char *a[] = { "pw=hunter2", "db=main" }, **v = NULL, *cause = NULL;
	char *text;

	rb = one(&c, "runbooks = ( { name = \"dr\"; description = \"Demo\";\n"
	    " params = ( { name = \"pw\"; secret = true; },\n"
	    "  { name = \"db\"; } );\n"
	    " steps = (\n"
	    "  { name = \"login\"; run = \"psql -d ${db} -W ${pw}\";\n"
	    "    env = [ \"PGPASSWORD=${pw}\" ]; timeout = \"90s\";\n"
	    "    rollback = \"echo ${pw} undo\"; },\n"
	    "  { name = \"look\"; pause = \"Is ${db} fine? (${pw})\"; }\n"
	    " ); } );");
	if (rb == NULL || runbook_bind(rb, a, 2, &v, NULL, &cause) != 0) {
		ok(0, "runbook for dry run: %s", cause ? cause : "");
		free(cause);
		return;
	}
	text = runbook_dry_run(rb, v);
	ok(strstr(text, "hunter2") == NULL, "the secret never appears in the "
	    "dry run");
	ok(strstr(text, "$ psql -d 'main' -W '******'") != NULL,
	    "parameters substituted visibly, secret masked");
	ok(strstr(text, "env: PGPASSWORD=******") != NULL, "masked in env");
	ok(strstr(text, "timeout 1m30s") != NULL, "timeout shown");
	ok(strstr(text, "rollback: $ echo '******' undo") != NULL,
	    "rollback shown, masked");
	ok(strstr(text, "pause: Is main fine? (******)") != NULL,
	    "pause message substituted and masked");
	ok(strstr(text, "step 2/2: look (pause)") != NULL, "step headers");
	free(text);
	runbook_values_free(rb, v);
	cfg_clear(&c);
}

/* sql, redis and http steps load, resolve their check and show where. */
static void
test_client_steps(void)
{
	struct config c;
	struct cfg_errors e;
	struct runbook *rb;
	char *a[] = { "t=orders", "tok=hunter2", "k=a b" }, **v = NULL;
	char *cause = NULL, *msgs, *text, *text2;

	msgs = load(&c, "runbooks = ( { name = \"cl\";\n"
	    " params = ( { name = \"t\"; }, { name = \"tok\"; secret = true; },\n"
	    "  { name = \"k\"; } );\n"
	    " steps = (\n"
	    "  { name = \"vac\"; sql = \"VACUUM ANALYZE ${t:ident}\"; "
	    "on = \"pg-main\"; },\n"
	    "  { name = \"set\"; redis = \"SET ${k} ${tok}\"; on = \"cache\"; },\n"
	    "  { name = \"flip\"; http = \"http://127.0.0.1:1/t?x=${k}\";\n"
	    "    method = \"POST\"; body = \"token=${tok}\";\n"
	    "    headers = [ \"Authorization: Bearer ${tok}\", \"X-K:  ${k}\",\n"
	    "      \"X-Empty:\" ]; },\n"
	    "  { name = \"gone\"; http = \"http://127.0.0.1:1/\";"
	    " expect_status = 404; }\n"
	    " ); } );", &e, 1);
	ok(e.nerrors == 0 && c.nrunbooks == 1, "sql, redis and http steps "
	    "validate");
	if (e.nerrors != 0)
		printf("# %s", msgs);
	free(msgs);
	cfg_errors_free(&e);
	if (c.nrunbooks != 1) {
		cfg_clear(&c);
		return;
	}
	rb = c.runbooks[0];
	ok(rb->steps[0]->check == &test_checks[0] &&
	    rb->steps[1]->check == &test_checks[1], "the checks are resolved");
	is_int(rb->steps[2]->expect_status, 0, "http expects any 2xx by "
	    "default");
	if (runbook_bind(rb, a, 3, &v, NULL, &cause) != 0) {
		ok(0, "bind: %s", cause);
		free(cause);
		cfg_clear(&c);
		return;
	}
	text = runbook_dry_run(rb, v);
	ok(strstr(text, "sql on pg-main (monitor@127.0.0.1:5432/maintop): "
	    "VACUUM ANALYZE \"orders\"") != NULL, "sql: where and what");
	ok(strstr(text, "redis on cache (127.0.0.1:6379/2): SET \"a b\" ******")
	    != NULL, "redis: where and what (each word as it runs), secret "
	    "masked");
	ok(strstr(text, "POST http://127.0.0.1:1/t?x=a%20b (expect 2xx)") !=
	    NULL, "http: method, encoded URL, expectation");
	ok(strstr(text, "body: token=******") != NULL, "http body masked");
	ok(strstr(text, "header: Authorization: Bearer ******\n") != NULL &&
	    strstr(text, "header: X-K: a b\n") != NULL &&
	    strstr(text, "header: X-Empty:\n") != NULL, "http headers shown, "
	    "values substituted, the secret masked");
	is_int(rb->steps[2]->nheaders, 3, "three headers");
	text2 = runbook_http_header(rb, v, rb->steps[2]->headers[0], 0);
	is_str(text2, "Authorization: Bearer hunter2", "the header as sent");
	free(text2);
	ok(strstr(text, "(expect 404)") != NULL, "an explicit status");
	ok(strstr(text, "hunter2") == NULL, "the secret is never shown");
	free(text);
	runbook_values_free(rb, v);
	cfg_clear(&c);
}

/* Splitting a redis command into words. */
static void
test_redis_words(void)
{
	struct config c;
	struct runbook *rb;
	char *vals[] = { "x y'\"z", NULL }, **w = NULL, *cause = NULL;
	size_t n = 0, i;
	static const char *const want[] = { "SET", "k x", "x y'\"z", "a\"b\nc",
	    "pre-x y'\"z-post", "" };

	rb = one(&c, "runbooks = ( { name = \"w\"; params = ( { name = \"v\"; "
	    "}, { name = \"s\"; secret = true; default = \"pw\"; } );"
	    " steps = ( { run = \"x\"; } ); } );");
	if (rb == NULL) {
		ok(0, "runbook for words");
		return;
	}
	vals[1] = "pw";
	ok(runbook_redis_words(rb, vals, " SET 'k x'\t${v} \"a\\\"b\\nc\" "
	    "pre-${v}-post ''  ", 0, &w, &n, &cause) == 0 && n == 6,
	    "words split with quotes");
	for (i = 0; w != NULL && i < n && i < 6; i++)
		if (strcmp(w[i], want[i]) != 0)
			break;
	ok(w != NULL && i == 6, "each word exact; a value is never re-split "
	    "(word %zu)", i);
	for (i = 0; w != NULL && w[i] != NULL; i++)
		free(w[i]);
	free(w);
	ok(runbook_redis_words(rb, vals, "AUTH ${s}", 1, &w, &n, &cause) == 0 &&
	    strcmp(w[1], RUNBOOK_MASK) == 0, "masked when asked");
	for (i = 0; w != NULL && w[i] != NULL; i++)
		free(w[i]);
	free(w);
	ok(runbook_redis_words(rb, vals, "GET \"abc", 0, &w, &n, &cause) ==
	    -1 && cause != NULL && w == NULL, "unterminated double quote");
	free(cause);
	cause = NULL;
	ok(runbook_redis_words(rb, vals, "GET \"ab\\", 0, &w, &n, &cause) ==
	    -1, "a trailing backslash inside quotes");
	free(cause);
	cause = NULL;
	ok(runbook_redis_words(rb, vals, "", 0, &w, &n, &cause) == -1,
	    "nothing at all");
	free(cause);
	cfg_clear(&c);
}

static void
test_dir(void)
{
	struct config c;
	struct cfg_errors e;
	char dir[] = "/tmp/test_runbook.XXXXXX", *p;
	FILE *f;
	size_t i;

	memset(&c, 0, sizeof c);
	memset(&e, 0, sizeof e);
	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	p = xasprintf("%s/b.conf", dir);
	f = fopen(p, "w");
	fputs("runbooks = ( { name = \"two\"; steps = ( { run = \"x\"; } ); "
	    "},\n { name = \"three\"; steps = ( { run = \"x\"; } ); } );\n", f);
	fclose(f);
	free(p);
	p = xasprintf("%s/a.conf", dir);
	f = fopen(p, "w");
	fputs("runbooks = ( { name = \"one\"; steps = ( { run = \"x\"; } ); } );\n",
	    f);
	fclose(f);
	free(p);
	p = xasprintf("%s/c.conf", dir);
	f = fopen(p, "w");
	fputs("runbooks = ( { name = \"bad\";\n steps = ( { rn = \"x\"; } ); } );\n",
	    f);
	fclose(f);
	free(p);
	p = xasprintf("%s/ignored.txt", dir);
	f = fopen(p, "w");
	fputs("garbage", f);
	fclose(f);
	free(p);
	runbook_load_dir(&c, dir, &e);
	ok(c.nrunbooks == 4 && strcmp(c.runbooks[0]->name, "one") == 0 &&
	    strcmp(c.runbooks[2]->name, "three") == 0, "files in name order, "
	    "several runbooks per file, other files ignored");
	p = e.n > 0 ? cfg_error_format(&e.v[0]) : xstrdup("");
	ok(strstr(p, "/c.conf:2: error: unknown key 'rn'") != NULL &&
	    strstr(p, "did you mean 'run'") != NULL, "errors name the file "
	    "and line: %s", p);
	free(p);
	cfg_errors_free(&e);
	cfg_clear(&c);
	for (i = 0; i < 4; i++) {
		static const char *n[] = { "a.conf", "b.conf", "c.conf",
		    "ignored.txt" };

		p = xasprintf("%s/%s", dir, n[i]);
		unlink(p);
		free(p);
	}
	rmdir(dir);

	memset(&e, 0, sizeof e);
	runbook_load_dir(&c, "/nonexistent/runbooks", &e);
	ok(e.nerrors == 1, "a missing directory is an error");
	cfg_errors_free(&e);
	cfg_clear(&c);
}

static void
test_examples(void)
{
	struct config c;
	struct cfg_errors e;
	char *s;
	size_t i;

	memset(&c, 0, sizeof c);
	memset(&e, 0, sizeof e);
	runbook_load_dir(&c, RUNBOOK_EXAMPLES, &e);
	runbook_resolve(&c, &e);
	for (i = 0; i < e.n; i++) {
		s = cfg_error_format(&e.v[i]);
		printf("# %s\n", s);
		free(s);
	}
	ok(e.n == 0 && c.nrunbooks >= 4, "the example runbooks in doc/ load "
	    "cleanly (%zu runbooks)", c.nrunbooks);
	for (i = 0; i < c.nrunbooks; i++) {
		s = runbook_dry_run(c.runbooks[i], NULL);
		ok(s != NULL && strlen(s) > 0, "dry run of %s",
		    c.runbooks[i]->name);
		free(s);
	}
	cfg_errors_free(&e);
	cfg_clear(&c);
}

/* The order of names as a space-separated string (caller frees). */
static char *
ordered(const struct config *c, char *const *names, size_t n)
{
	struct buf b;
	size_t *ord = runbook_order(c, names, n), i;

	buf_init(&b);
	buf_adds(&b, "");
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", names[ord[i]]);
	free(ord);
	return buf_detach(&b);
}

/*
 * A window's runbooks in dependency order: "migrate" requires "backup"
 * (directly), "report" requires "migrate" (so "backup" too, through it),
 * "notify" and "cleanup" are independent, "verify" requires "snapshot",
 * which the window does not list.
 */
static void
test_order(void)
{
	static const char *text =
	    "runbooks = (\n"
	    "  { name = \"report\"; requires = [ \"migrate\" ];\n"
	    "    steps = ( { run = \"true\"; } ); },\n"
	    "  { name = \"notify\"; steps = ( { run = \"true\"; } ); },\n"
	    "  { name = \"migrate\"; requires = ( { runbook = \"backup\";\n"
	    "    within = \"24h\"; } ); steps = ( { run = \"true\"; } ); },\n"
	    "  { name = \"backup\"; steps = ( { run = \"true\"; } ); },\n"
	    "  { name = \"cleanup\"; steps = ( { run = \"true\"; } ); },\n"
	    "  { name = \"snapshot\"; requires = [ \"backup\" ];\n"
	    "    steps = ( { run = \"true\"; } ); },\n"
	    "  { name = \"verify\"; requires = [ \"snapshot\" ];\n"
	    "    steps = ( { run = \"true\"; } ); }\n"
	    ");\n";
	static char *const chain[] = { "report", "notify", "migrate",
	    "backup", "cleanup" };
	static char *const indep[] = { "cleanup", "notify", "backup" };
	static char *const sorted[] = { "backup", "migrate", "report" };
	static char *const through[] = { "verify", "notify", "backup" };
	static char *const dup[] = { "migrate", "backup", "migrate",
	    "nosuch", "backup" };
	struct config c;
	struct cfg_errors e;
	char *msgs = load(&c, text, &e, 1), *s;

	is_int(e.nerrors, 0, "order: the runbooks load");
	s = ordered(&c, chain, 5);
	is_str(s, "notify backup migrate report cleanup",
	    "order: each after what it requires, the rest in list order");
	free(s);
	s = ordered(&c, indep, 3);
	is_str(s, "cleanup notify backup",
	    "order: independent runbooks keep the window's order");
	free(s);
	s = ordered(&c, sorted, 3);
	is_str(s, "backup migrate report", "order: already in order");
	free(s);
	s = ordered(&c, through, 3);
	is_str(s, "notify backup verify",
	    "order: a requirement through an unlisted runbook counts");
	free(s);
	s = ordered(&c, dup, 5);
	is_str(s, "backup nosuch backup migrate migrate",
	    "order: repeated and unknown names");
	free(s);
	ok(runbook_order(&c, NULL, 0) == NULL, "order: an empty list");
	free(msgs);
	cfg_errors_free(&e);
	cfg_clear(&c);

	/* A cycle (refused by validation) still yields every name once. */
	msgs = load(&c, "runbooks = (\n"
	    "  { name = \"a\"; requires = [ \"b\" ]; steps = ( { run = \"x\"; } ); },\n"
	    "  { name = \"b\"; requires = [ \"a\" ]; steps = ( { run = \"x\"; } ); },\n"
	    "  { name = \"c\"; requires = [ \"b\" ]; steps = ( { run = \"x\"; } ); }\n"
	    ");\n", &e, 0);
	{
		static char *const cyc[] = { "c", "b", "a" };

		s = ordered(&c, cyc, 3);
		is_str(s, "b a c", "order: a cycle is broken, nothing lost");
		free(s);
	}
	free(msgs);
	cfg_errors_free(&e);
	cfg_clear(&c);
}

/* What a failure does, attended and not, and the danger --yes looks for. */
static void
test_policy(void)
{
	struct config c;
	struct cfg_errors e;
	char *msgs;
	const struct runbook *a, *b;

	msgs = load(&c, "runbooks = (\n"
	    " { name = \"a\"; steps = ( { name = \"s1\"; run = \"x\"; },\n"
	    "   { name = \"s2\"; run = \"y\"; on_failure = \"continue\";\n"
	    "     rollback = { run = \"z\"; danger = true; }; } ); },\n"
	    " { name = \"b\"; on_failure = \"abort\"; unattended_failure = "
	    "\"continue\";\n"
	    "   steps = ( { run = \"x\"; } ); }\n"
	    ");", &e, 1);
	if (!ok(e.nerrors == 0 && c.nrunbooks == 2, "policy runbooks load"))
		printf("#   %s", msgs);
	free(msgs);
	if (c.nrunbooks == 2) {
		a = c.runbooks[0];
		b = c.runbooks[1];
		ok(runbook_step_policy(a, a->steps[0], 0) == RUNBOOK_ASK &&
		    runbook_step_policy(a, a->steps[0], 1) == RUNBOOK_ROLLBACK,
		    "ask by default; rollback when nobody watches");
		ok(runbook_step_policy(a, a->steps[1], 1) == RUNBOOK_CONTINUE,
		    "a step's own policy wins, attended or not");
		ok(runbook_step_policy(b, b->steps[0], 0) == RUNBOOK_ABORT &&
		    runbook_step_policy(b, b->steps[0], 1) == RUNBOOK_ABORT,
		    "a runbook's abort is not an ask: unattended too");
		ok(runbook_danger_step(a) == a->steps[1]->rollback[0] &&
		    runbook_danger_step(b) == NULL, "a danger rollback is "
		    "found; a runbook without one has none");
	}
	cfg_errors_free(&e);
	cfg_clear(&c);
}

/* A criteria step: its criteria in order, each of its kind, one timeout
 * for all; hostile lists refused. */
static void
test_criteria(void)
{
	struct config c;
	struct cfg_errors e;
	char *msgs;
	const struct step *st;

	msgs = load(&c, "runbooks = ( { name = \"a\"; steps = (\n"
	    " { name = \"v\"; timeout = \"1m\"; criteria = (\n"
	    "   { check = \"api\"; worst = \"warn\"; },\n"
	    "   { name = \"m\"; run = \"test -e x\"; },\n"
	    "   { http = \"http://h/\"; expect_status = 204; } ); } ); } );",
	    &e, 1);
	if (!ok(e.nerrors == 0 && c.nrunbooks == 1, "criteria load"))
		printf("#   %s", msgs);
	free(msgs);
	if (c.nrunbooks == 1) {
		st = c.runbooks[0]->steps[0];
		ok(st->kind == STEP_CRITERIA && st->ncriteria == 3,
		    "a criteria step with three criteria");
		ok(st->criteria[0]->kind == STEP_WAIT &&
		    st->criteria[0]->worst == RUNBOOK_HEALTH_WARN &&
		    strcmp(st->criteria[0]->checks[0], "api") == 0,
		    "a check with its level");
		ok(st->criteria[1]->kind == STEP_RUN &&
		    strcmp(st->criteria[1]->name, "m") == 0 &&
		    st->criteria[1]->line == 4, "a command, its name and line");
		ok(st->criteria[2]->kind == STEP_HTTP &&
		    st->criteria[2]->expect_status == 204, "a request");
		ok(st->criteria[1]->timeout == 60 &&
		    st->criteria[2]->timeout == 60, "the step's timeout for all");
		ok(strcmp(runbook_kind_name(st->kind), "criteria") == 0,
		    "its kind's name");
	}
	cfg_errors_free(&e);
	cfg_clear(&c);
	expect_error("a criterion of no kind", "runbooks = ( { name = \"a\";"
	    " steps = ( { criteria = ( { name = \"x\"; } ); } ); } );",
	    "needs exactly one of check, run or http");
	expect_error("a criterion naming no known check", "runbooks = ( { "
	    "name = \"a\"; steps = ( { criteria = ( { check = \"zz\"; } ); "
	    "} ); } );", "unknown check 'zz'");
	expect_error("a rollback in a criterion", "runbooks = ( { name = \"a\";"
	    " steps = ( { criteria = ( { run = \"x\"; rollback = \"y\"; } );"
	    " } ); } );", "unknown key 'rollback' in criterion");
	expect_error("too many criteria", "runbooks = ( { name = \"a\"; steps "
	    "= ( { criteria = ( {run=\"x\";},{run=\"x\";},{run=\"x\";},"
	    "{run=\"x\";},{run=\"x\";},{run=\"x\";},{run=\"x\";},"
	    "{run=\"x\";},{run=\"x\";},{run=\"x\";},{run=\"x\";},"
	    "{run=\"x\";},{run=\"x\";},{run=\"x\";},{run=\"x\";},"
	    "{run=\"x\";},{run=\"x\";},{run=\"x\";},{run=\"x\";},"
	    "{run=\"x\";},{run=\"x\";},{run=\"x\";},{run=\"x\";},"
	    "{run=\"x\";},{run=\"x\";},{run=\"x\";},{run=\"x\";},"
	    "{run=\"x\";},{run=\"x\";},{run=\"x\";},{run=\"x\";},"
	    "{run=\"x\";},{run=\"x\";},{run=\"x\";},{run=\"x\";},"
	    "{run=\"x\";},{run=\"x\";},{run=\"x\";},{run=\"x\";},"
	    "{run=\"x\";},{run=\"x\";},{run=\"x\";},{run=\"x\";},"
	    "{run=\"x\";},{run=\"x\";},{run=\"x\";},{run=\"x\";},"
	    "{run=\"x\";},{run=\"x\";},{run=\"x\";},{run=\"x\";} ); } ); "
	    "} );", "has 51 criteria (1 to 50)");
	expect_error("criteria beside run", "runbooks = ( { name = \"a\"; "
	    "steps = ( { run = \"x\"; criteria = ( { run = \"y\"; } ); } ); "
	    "} );", "has both 'run' and 'criteria'");
}

int
main(void)
{
	test_good();
	test_criteria();
	test_errors();
	test_hostile_sizes();
	test_typo_warning();
	test_bind();
	test_quoting();
	test_dry_run();
	test_client_steps();
	test_redis_words();
	test_dir();
	test_examples();
	test_order();
	test_policy();
	return tap_done();
}
