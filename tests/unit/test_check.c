/* Tests of check parsing: every key, defaults, errors with did-you-mean,
 * and the handling of secrets (never in the configuration, never shown),
 * passwords and secret HTTP headers alike. */
#include <fcntl.h>
#include <libconfig.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "tap.h"

#define SECRET "hunter2-s3cr3t"

static struct settings set;
static struct cfg_errors errs;
static char all_msgs[65536];

/* Parses text holding "x = { ... };" as a check of the given type. */
static struct check *
parse(enum check_type type, const char *text)
{
	config_t lc;
	struct check *c;
	size_t i;

	cfg_errors_free(&errs);
	config_init(&lc);
	if (!config_read_string(&lc, text)) {
		printf("# libconfig: %s at line %d\n", config_error_text(&lc),
		    config_error_line(&lc));
		config_destroy(&lc);
		return NULL;
	}
	c = check_parse(&errs, config_lookup(&lc, "x"), type, &set);
	for (i = 0; i < errs.n; i++) {
		strncat(all_msgs, errs.v[i].msg,
		    sizeof all_msgs - strlen(all_msgs) - 2);
		strcat(all_msgs, "\n");
	}
	config_destroy(&lc);
	return c;
}

/* True when some recorded error or warning contains s. */
static int
has_err(const char *s)
{
	size_t i;

	for (i = 0; i < errs.n; i++)
		if (strstr(errs.v[i].msg, s) != NULL)
			return 1;
	return 0;
}

static void
test_http(void)
{
	struct check *c;
	const struct check_threshold *t;
	char *target;

	c = parse(CHECK_HTTP, "x = { name = \"api\"; url = "
	    "\"http://127.0.0.1:8080/health\"; };");
	ok(c != NULL, "minimal http check parses");
	is_str(c->name, "api", "name");
	is_int(c->type, CHECK_HTTP, "type");
	is_int(c->interval_ms, 10000, "interval from settings.refresh");
	is_int(c->timeout_ms, 5000, "timeout from settings.timeout");
	is_int(c->fail_after, 2, "fail_after default");
	is_int(c->recover_after, 1, "recover_after default");
	is_int(c->history, 120, "history default");
	is_str(c->http.method, "GET", "method defaults to GET");
	is_int(c->http.tls_verify, 1, "tls_verify defaults on");
	is_int(c->http.keepalive, 0, "keepalive defaults off");
	is_int(c->http.follow_redirects, 0, "redirects default off");
	is_int(c->http.max_body, 1024 * 1024, "max_body default 1 MiB");
	t = check_threshold(c, "cert_days");
	ok(t != NULL && t->warn.lo == 30 && t->crit.lo == 7 && t->lower_worse,
	    "cert days default 30/7, lower is worse");
	t = check_threshold(c, "latency");
	ok(t != NULL && !t->warn.set && !t->crit.set, "no latency limits");
	is_int(c->line, 1, "line recorded");
	check_free(c);

	c = parse(CHECK_HTTP, "x = { name = \"full\";\n"
	    " url = \"https://example.test/p?token=abc\";\n"
	    " method = \"POST\"; headers = [\"Accept: text/plain\", "
	    "\"X-A: b\"];\n"
	    " body = \"{}\"; expect_status = (200, \"300-302\", \"5xx\");\n"
	    " body_contains = \"ok\"; body_regex = \"^up\";\n"
	    " latency_warn = \"250ms\"; latency_crit = 1.5;\n"
	    " follow_redirects = true; tls_verify = false;\n"
	    " cert_warn_days = 20; cert_crit_days = 3; max_body = \"64k\";\n"
	    " keepalive = true; interval = \"30s\"; timeout = \"750ms\";\n"
	    " fail_after = 3; recover_after = 2; history = 50;\n"
	    " metrics_url = \"http://example.test/metrics\";\n"
	    " metrics = ( { name = \"errors\"; select = "
	    "\"http_requests_total{code=~\\\"5..\\\"}\"; rate = true; "
	    "warn = 1.0; crit = 5.0; } );\n};");
	ok(c != NULL, "http check with every key parses");
	if (c == NULL) {
		printf("# %s", all_msgs);
		return;
	}
	is_str(c->http.method, "POST", "method");
	is_int(c->http.nheaders, 2, "two headers");
	is_str(c->http.headers[1], "X-A: b", "header text");
	is_str(c->http.body, "{}", "body");
	is_int(c->http.nstatus, 3, "three status ranges");
	ok(c->http.status[1].lo == 300 && c->http.status[1].hi == 302,
	    "range 300-302");
	ok(c->http.status[2].lo == 500 && c->http.status[2].hi == 599,
	    "class 5xx");
	is_str(c->http.body_contains, "ok", "body_contains");
	ok(c->http.has_re, "body_regex compiled");
	t = check_threshold(c, "latency");
	ok(t->warn.set && t->warn.hi == 0.25, "latency_warn 250ms is 0.25 s");
	ok(t->crit.set && t->crit.hi == 1.5, "latency_crit 1.5 (seconds)");
	is_int(c->http.follow_redirects, 1, "follow_redirects");
	is_int(c->http.tls_verify, 0, "tls_verify off");
	t = check_threshold(c, "cert_days");
	ok(t->warn.lo == 20 && t->crit.lo == 3, "cert days 20/3");
	is_int(c->http.max_body, 65536, "max_body 64k");
	is_int(c->http.keepalive, 1, "keepalive");
	is_int(c->interval_ms, 30000, "interval 30s");
	is_int(c->timeout_ms, 750, "timeout 750ms");
	is_int(c->fail_after, 3, "fail_after");
	is_int(c->recover_after, 2, "recover_after");
	is_int(c->history, 50, "history");
	is_int(c->http.nmetrics, 1, "one metric");
	is_str(c->http.metrics[0].name, "errors", "metric name");
	ok(c->http.metrics[0].rate && c->http.metrics[0].crit.set &&
	    c->http.metrics[0].crit.hi == 5.0, "metric rate and limits");
	target = check_target(c);
	is_str(target, "https://example.test/p?...", "target hides query");
	free(target);
	check_free(c);
}

static void
test_http_errors(void)
{
	struct check *c;

	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "tiemout = 5; };");
	ok(c == NULL && has_err("unknown key 'tiemout'") &&
	    has_err("did you mean 'timeout'"), "unknown key, did you mean");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; };");
	ok(c == NULL && has_err("missing required key 'url'"), "url needed");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"ftp://h/\"; };");
	ok(c == NULL && has_err("http:// or https://"), "ftp refused");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = "
	    "\"http://u:" SECRET "@h/\"; };");
	ok(c == NULL && has_err("holds a password"), "URL password refused");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "expect_status = [\"600\"]; };");
	ok(c == NULL && has_err("'expect_status'"), "status 600 refused");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "expect_status = [\"abc\"]; };");
	ok(c == NULL, "status abc refused");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "latency_warn = \"5 parsecs\"; };");
	ok(c == NULL && has_err("'latency_warn' is not a duration: \"5 "
	    "parsecs\" (use e.g. \"500ms\", \"90s\", \"25h\", \"7d\", "
	    "\"2w\" or \"1h30m\")"), "bad duration refused, one message");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "interval = \"5 parsecs\"; };");
	ok(c == NULL && has_err("'interval' is not a duration: \"5 "
	    "parsecs\" (use e.g. \"500ms\""), "the same message for interval");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "latency_warn = \"1s:ab\"; };");
	ok(c == NULL && has_err("is not a range"), "bad duration range");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "body_regex = \"(\"; };");
	ok(c == NULL && has_err("regular expression"), "bad regex refused");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "headers = [\"NoColon\"]; };");
	ok(c == NULL && has_err("Name: value"), "bad header refused");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "method = \"get\"; };");
	ok(c == NULL && has_err("'method'"), "lower-case method refused");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "max_body = \"lots\"; };");
	ok(c == NULL && has_err("not a size"), "bad size refused");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "metrics = ( { name = \"m\"; select = \"foo{bar\"; } ); };");
	ok(c == NULL && has_err("not a valid selector"), "bad selector");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "metrics = ( { name = \"m\"; select = \"a\"; ratio = \"b\"; "
	    "ratio_count = true; complement = true; scale = 100; } ); };");
	ok(c != NULL && c->http.metrics[0].ratio_count &&
	    c->http.metrics[0].complement && c->http.metrics[0].scale == 100,
	    "ratio_count, complement and scale");
	check_free(c);
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "metrics = ( { name = \"m\"; select = \"a\"; } ); };");
	ok(c != NULL && c->http.metrics[0].scale == 1, "scale 1 by default");
	check_free(c);
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "metrics = ( { name = \"m\"; select = \"a\"; "
	    "ratio_count = true; } ); };");
	ok(c == NULL && has_err("'ratio_count' counts the series"),
	    "ratio_count without ratio refused");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "metrics = ( { name = \"m\"; select = \"a\"; ratio = \"b\"; "
	    "rate = true; ratio_count = true; } ); };");
	ok(c == NULL && has_err("'ratio_count' counts the series"),
	    "ratio_count with rate refused");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "metrics = ( { name = \"m\"; select = \"a\"; scale = 0; } ); };");
	ok(c == NULL && has_err("'scale' must be a number other than 0"),
	    "scale 0 refused");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "metrics = ( { name = \"m\"; avg = \"h\"; complement = true; "
	    "} ); };");
	ok(c == NULL && has_err("no 'complement' or 'scale' with 'avg'"),
	    "complement with avg refused");
	c = parse(CHECK_HTTP, "x = { name = \"a b\"; url = \"http://h/\"; };");
	ok(c == NULL && has_err("without spaces"), "name with space");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "keepalive = \"yes\"; };");
	ok(c == NULL && has_err("true or false"), "keepalive must be a boolean");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "timeout = \"10s\"; interval = \"5s\"; };");
	ok(c != NULL && has_err("timeout is longer than interval"),
	    "timeout longer than interval warns");
	check_free(c);
}

static void
test_pg(void)
{
	struct check *c;
	const struct check_threshold *t;
	char *target;

	c = parse(CHECK_POSTGRES, "x = { name = \"db\"; conninfo = "
	    "\"host=db1 port=5433 dbname=app user=monitor sslmode=require\"; "
	    "connections_pct_warn = 70; replication_lag_crit = \"30s\"; "
	    "xid_age_crit = 1500000000; dead_ratio_warn = 0.2; "
	    "longest_query_warn = \"5m\"; oldest_xact_crit = \"1h\"; "
	    "latency_warn = \"100ms\"; };");
	ok(c != NULL, "postgres check parses");
	t = check_threshold(c, "connections_pct");
	ok(t->warn.hi == 70 && t->crit.hi == 95, "connections_pct 70, default 95");
	ok(check_threshold(c, "replication_lag")->crit.hi == 30, "lag 30 s");
	ok(check_threshold(c, "xid_age")->crit.hi == 1.5e9, "xid_age");
	ok(check_threshold(c, "dead_ratio")->warn.hi == 0.2, "dead_ratio");
	ok(check_threshold(c, "longest_query")->warn.hi == 300, "5m is 300 s");
	ok(check_threshold(c, "oldest_xact")->crit.hi == 3600, "1h");
	ok(check_threshold(c, "latency")->warn.hi == 0.1, "latency 100ms");
	target = check_target(c);
	is_str(target, "monitor@db1:5433/app", "target: user, host, db");
	free(target);
	check_free(c);

	c = parse(CHECK_POSTGRES, "x = { name = \"db\"; service = \"prod\"; };");
	ok(c != NULL && strcmp(c->pg.service, "prod") == 0, "service");
	check_free(c);
	c = parse(CHECK_POSTGRES, "x = { name = \"db\"; };");
	ok(c == NULL && has_err("needs 'conninfo'"), "conninfo needed");
	c = parse(CHECK_POSTGRES, "x = { name = \"db\"; conninfo = "
	    "\"host=a,b\"; };");
	ok(c == NULL && has_err("one host"), "several hosts refused");
	c = parse(CHECK_POSTGRES, "x = { name = \"db\"; conninfo = "
	    "\"host=a = =\"; };");
	ok(c == NULL && has_err("'conninfo' is not valid"), "bad conninfo");
}

static void
test_redis(void)
{
	struct check *c;
	char *target;

	c = parse(CHECK_REDIS, "x = { name = \"cache\"; };");
	ok(c != NULL, "minimal redis check");
	is_str(c->redis.host, "127.0.0.1", "host default");
	is_int(c->redis.port, 6379, "port default");
	is_int(c->redis.db, 0, "db default");
	ok(check_threshold(c, "memory_pct")->crit.hi == 95, "memory_pct 95");
	check_free(c);
	c = parse(CHECK_REDIS, "x = { name = \"cache\"; host = \"r1\"; "
	    "port = 6380; db = 2; user = \"mon\"; password_env = \"RPW\"; "
	    "memory_pct_warn = 60; fragmentation_warn = 1.5; "
	    "last_save_age_crit = \"2h\"; slowlog_len_warn = 10; "
	    "rejected_connections_crit = 1; evicted_keys_warn = 100; "
	    "latency_crit = \"50ms\"; };");
	ok(c != NULL, "redis check with every key");
	is_int(c->redis.port, 6380, "port");
	is_int(c->redis.db, 2, "db");
	is_str(c->redis.user, "mon", "user");
	ok(check_threshold(c, "memory_pct")->warn.hi == 60, "memory_pct_warn");
	ok(check_threshold(c, "fragmentation")->warn.hi == 1.5, "fragmentation");
	ok(check_threshold(c, "last_save_age")->crit.hi == 7200, "save age");
	ok(check_threshold(c, "slowlog_len")->warn.hi == 10, "slowlog_len");
	ok(check_threshold(c, "rejected_connections")->crit.hi == 1, "rejected");
	ok(check_threshold(c, "evicted_keys")->warn.hi == 100, "evicted");
	ok(check_threshold(c, "latency")->crit.hi == 0.05, "latency 50ms");
	target = check_target(c);
	is_str(target, "mon@r1:6380/2", "redis target");
	free(target);
	check_free(c);
	c = parse(CHECK_REDIS, "x = { name = \"c\"; port = 70000; };");
	ok(c == NULL && has_err("between 1 and 65535"), "port range");
	c = parse(CHECK_REDIS, "x = { name = \"c\"; port = \"x\"; };");
	ok(c == NULL && has_err("must be an integer"), "port type");
	c = parse(CHECK_REDIS, "x = { name = \"c\"; user = \"u\"; };");
	ok(c == NULL && has_err("needs password_env"), "user needs password");
	c = parse(CHECK_REDIS, "x = { name = \"c\"; memry_pct_warn = 1; };");
	ok(c == NULL && has_err("did you mean 'memory_pct_warn'"),
	    "threshold typo suggests");
}

static void
test_secrets(void)
{
	struct check *c;
	char path[] = "/tmp/maintop-test-pw-XXXXXX";
	char *pw = NULL, *cause = NULL, *conf;
	int fd;

	c = parse(CHECK_REDIS, "x = { name = \"c\"; password = \"" SECRET
	    "\"; };");
	ok(c == NULL && has_err("'password' is not allowed") &&
	    has_err("password_env") && has_err("password_file"),
	    "literal password refused, alternatives named");
	c = parse(CHECK_POSTGRES, "x = { name = \"d\"; conninfo = \"host=h\"; "
	    "password = \"" SECRET "\"; };");
	ok(c == NULL && has_err(".pgpass"), "postgres mentions .pgpass");
	c = parse(CHECK_POSTGRES, "x = { name = \"d\"; conninfo = "
	    "\"host=h password=" SECRET "\"; };");
	ok(c == NULL && has_err("'conninfo' holds a password"),
	    "password in conninfo refused");
	c = parse(CHECK_POSTGRES, "x = { name = \"d\"; conninfo = "
	    "\"postgresql://u:" SECRET "@h/db\"; };");
	ok(c == NULL && has_err("holds a password"),
	    "password in a conninfo URI refused");
	/* libpq quotes a broken URI whole in its message. */
	c = parse(CHECK_POSTGRES, "x = { name = \"d\"; conninfo = "
	    "\"postgresql://u:" SECRET "@[::1\"; };");
	ok(c == NULL && has_err("seems to hold a password") &&
	    !has_err(SECRET), "invalid URI: the password is not echoed");
	c = parse(CHECK_POSTGRES, "x = { name = \"d\"; conninfo = "
	    "\"postgresql://u:" SECRET "%zz@h/db\"; };");
	ok(c == NULL && has_err("seems to hold a password") &&
	    !has_err(SECRET), "bad percent-encoding: not echoed either");

	/* password_env */
	setenv("MAINTOP_TEST_PW", SECRET, 1);
	c = parse(CHECK_REDIS, "x = { name = \"c\"; "
	    "password_env = \"MAINTOP_TEST_PW\"; };");
	ok(c != NULL && errs.n == 0, "password_env accepted");
	is_int(check_password(c, &pw, &cause), 1, "password read from env");
	is_str(pw, SECRET, "the env password");
	free(pw);
	unsetenv("MAINTOP_TEST_PW");
	is_int(check_password(c, &pw, &cause), -1, "unset env fails");
	ok(cause != NULL && strstr(cause, "MAINTOP_TEST_PW") != NULL &&
	    strstr(cause, SECRET) == NULL, "cause names the variable");
	free(cause);
	cause = NULL;
	check_free(c);
	c = parse(CHECK_REDIS, "x = { name = \"c\"; "
	    "password_env = \"MAINTOP_TEST_PW\"; };");
	ok(c != NULL && has_err("is not set") && errs.nerrors == 0,
	    "unset password_env only warns");
	check_free(c);

	/* password_file */
	fd = mkstemp(path);
	ok(fd >= 0, "temporary password file");
	if (write(fd, SECRET "\n", strlen(SECRET) + 1) < 0)
		printf("# write failed\n");
	close(fd);
	chmod(path, 0644);
	conf = xasprintf("x = { name = \"c\"; password_file = \"%s\"; };",
	    path);
	c = parse(CHECK_REDIS, conf);
	ok(c == NULL && has_err("permissions 0644") && has_err(path) &&
	    has_err("chmod 600"), "group/other readable file refused");
	chmod(path, 0600);
	c = parse(CHECK_REDIS, conf);
	ok(c != NULL, "mode 0600 file accepted");
	is_int(check_password(c, &pw, &cause), 1, "password read from file");
	is_str(pw, SECRET, "trailing newline removed");
	free(pw);
	chmod(path, 0640);
	is_int(check_password(c, &pw, &cause), -1,
	    "mode checked again at connect time");
	ok(cause != NULL && strstr(cause, "0640") != NULL, "cause has mode");
	free(cause);
	cause = NULL;
	check_free(c);
	free(conf);
	conf = xasprintf("x = { name = \"c\"; password_env = \"A\"; "
	    "password_file = \"%s\"; };", path);
	c = parse(CHECK_REDIS, conf);
	ok(c == NULL && has_err("not both"), "env and file exclusive");
	free(conf);
	/* "~/" is the home directory, as in the shell. */
	{
		char *home = getenv("HOME") != NULL ?
		    xstrdup(getenv("HOME")) : NULL;

		setenv("HOME", "/tmp", 1);
		chmod(path, 0600);
		conf = xasprintf("x = { name = \"c\"; password_file = "
		    "\"~/%s\"; };", path + strlen("/tmp/"));
		c = parse(CHECK_REDIS, conf);
		ok(c != NULL && strcmp(c->redis.password_file, path) == 0,
		    "~/ in password_file is $HOME");
		is_int(c != NULL ? check_password(c, &pw, &cause) : -1, 1,
		    "... and the password is read from there");
		free(pw);
		pw = NULL;
		check_free(c);
		free(conf);
		if (home != NULL)
			setenv("HOME", home, 1);
		else
			unsetenv("HOME");
		free(home);
	}
	unlink(path);
	c = parse(CHECK_REDIS, "x = { name = \"c\"; password_file = "
	    "\"/nonexistent/pw\"; };");
	ok(c == NULL && has_err("/nonexistent/pw"), "missing file refused");

	ok(strstr(all_msgs, SECRET) == NULL,
	    "the password appears in no message");
}

static void
test_secret_headers(void)
{
	struct check *c;
	char path[] = "/tmp/maintop-test-hdr-XXXXXX";
	char *line = NULL, *cause = NULL, *conf;
	int fd;

	/* value_env */
	setenv("MAINTOP_TEST_TOKEN", "Bearer " SECRET, 1);
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\";\n"
	    " secret_headers = ( { name = \"Authorization\"; "
	    "value_env = \"MAINTOP_TEST_TOKEN\"; } ); };");
	ok(c != NULL && errs.n == 0, "secret header from value_env parses");
	if (c == NULL) {
		printf("# %s", all_msgs);
		return;
	}
	is_int(c->http.nsecret_headers, 1, "one secret header");
	is_str(c->http.secret_headers[0].name, "Authorization", "its name");
	is_str(c->http.secret_headers[0].value_env, "MAINTOP_TEST_TOKEN",
	    "its variable");
	ok(c->http.secret_headers[0].value_file == NULL, "no value_file");
	is_int(c->http.nheaders, 0, "not among the plain headers");
	is_int(check_secret_header(c, 0, &line, &cause), 0,
	    "value read at probe time");
	is_str(line, "Authorization: Bearer " SECRET, "the header line");
	free(line);
	line = NULL;
	setenv("MAINTOP_TEST_TOKEN", "Bearer rotated", 1);
	is_int(check_secret_header(c, 0, &line, &cause), 0, "read again");
	is_str(line, "Authorization: Bearer rotated", "a rotated token is "
	    "picked up");
	free(line);
	line = NULL;
	setenv("MAINTOP_TEST_TOKEN", "x\r\nX-Injected: 1", 1);
	is_int(check_secret_header(c, 0, &line, &cause), -1,
	    "CR LF in the value refused");
	ok(line == NULL && cause != NULL && strstr(cause, "line break") !=
	    NULL && strstr(cause, "MAINTOP_TEST_TOKEN") != NULL &&
	    strstr(cause, "Injected") == NULL, "cause names the variable, "
	    "not the value");
	free(cause);
	cause = NULL;
	setenv("MAINTOP_TEST_TOKEN", "a\033[2Jb", 1);
	ok(check_secret_header(c, 0, &line, &cause) == -1 && cause != NULL &&
	    strstr(cause, "control character") != NULL,
	    "other control characters refused");
	free(cause);
	cause = NULL;
	unsetenv("MAINTOP_TEST_TOKEN");
	is_int(check_secret_header(c, 0, &line, &cause), -1,
	    "unset variable fails at probe time");
	ok(cause != NULL && strstr(cause, "MAINTOP_TEST_TOKEN") != NULL &&
	    strstr(cause, "Authorization") != NULL &&
	    strstr(cause, "not set") != NULL, "cause names the variable and "
	    "the header");
	free(cause);
	cause = NULL;
	is_int(check_secret_header(c, 1, &line, &cause), -1,
	    "no such secret header");
	free(cause);
	cause = NULL;
	check_free(c);
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\";\n"
	    " secret_headers = ( { name = \"Authorization\"; "
	    "value_env = \"MAINTOP_TEST_TOKEN\"; } ); };");
	ok(c != NULL && has_err("is not set") && errs.nerrors == 0,
	    "unset value_env only warns at load time");
	check_free(c);

	/* value_file */
	fd = mkstemp(path);
	ok(fd >= 0, "temporary header file");
	if (write(fd, SECRET "\n", strlen(SECRET) + 1) < 0)
		printf("# write failed\n");
	close(fd);
	chmod(path, 0640);
	conf = xasprintf("x = { name = \"a\"; url = \"http://h/\";\n"
	    " secret_headers = ( { name = \"X-Api-Key\";\n"
	    " value_file = \"%s\"; } ); };", path);
	c = parse(CHECK_HTTP, conf);
	ok(c == NULL && has_err("permissions 0640") && has_err(path) &&
	    has_err("value_file") && has_err("chmod 600") &&
	    errs.v[0].line == 3, "group-readable value_file refused, line 3");
	chmod(path, 0600);
	c = parse(CHECK_HTTP, conf);
	ok(c != NULL && errs.n == 0, "mode 0600 value_file accepted");
	if (c != NULL) {
		is_str(c->http.secret_headers[0].value_file, path,
		    "its file");
		is_int(check_secret_header(c, 0, &line, &cause), 0,
		    "value read from the file");
		is_str(line, "X-Api-Key: " SECRET, "one trailing newline "
		    "removed");
		free(line);
		line = NULL;
		chmod(path, 0604);
		is_int(check_secret_header(c, 0, &line, &cause), -1,
		    "mode checked again at probe time");
		ok(cause != NULL && strstr(cause, "0604") != NULL &&
		    strstr(cause, path) != NULL, "cause has mode and file");
		free(cause);
		cause = NULL;
		chmod(path, 0600);
		fd = open(path, O_WRONLY | O_TRUNC);
		if (fd < 0 || write(fd, "a\nb\n", 4) < 0)
			printf("# rewrite failed\n");
		close(fd);
		ok(check_secret_header(c, 0, &line, &cause) == -1 &&
		    strstr(cause, "line break") != NULL && strstr(cause, path)
		    != NULL, "a line break inside the file refused");
		free(cause);
		cause = NULL;
		unlink(path);
		ok(check_secret_header(c, 0, &line, &cause) == -1 &&
		    strstr(cause, path) != NULL && strstr(cause, "X-Api-Key")
		    != NULL, "a file gone at probe time names the file");
		free(cause);
		cause = NULL;
		check_free(c);
	}
	free(conf);
	unlink(path);
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "secret_headers = ( { name = \"X-Api-Key\"; value_file = "
	    "\"/nonexistent/key\"; } ); };");
	ok(c == NULL && has_err("/nonexistent/key"), "missing file refused");

	/* errors */
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "secret_headers = ( { name = \"X-Api-Key\"; } ); };");
	ok(c == NULL && has_err("needs value_env") && has_err("value_file"),
	    "neither value_env nor value_file");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "secret_headers = ( { name = \"X-Api-Key\"; value_env = \"A\"; "
	    "value_file = \"/etc/hostname\"; } ); };");
	ok(c == NULL && has_err("not both"), "both value_env and value_file");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "secret_headers = ( { value_env = \"A\"; } ); };");
	ok(c == NULL && has_err("missing required key 'name'"),
	    "name needed");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "secret_headers = ( { name = \"X Api\"; value_env = \"A\"; } ); "
	    "};");
	ok(c == NULL && has_err("may hold only letters"), "space in the name");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "secret_headers = ( { name = \"X-Key:\"; value_env = \"A\"; } ); "
	    "};");
	ok(c == NULL && has_err("may hold only letters"), "colon in the name");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "secret_headers = ( { name = \"\"; value_env = \"A\"; } ); };");
	ok(c == NULL && has_err("may hold only letters"), "empty name");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "secret_headers = ( { name = \"X-Api-Key\"; value_env = \"\"; } ); "
	    "};");
	ok(c == NULL && has_err("must name an environment variable"),
	    "empty value_env");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "secret_headers = ( { name = \"X-Api-Key\"; value_envv = \"A\"; "
	    "} ); };");
	ok(c == NULL && has_err("unknown key 'value_envv' in secret header") &&
	    has_err("did you mean 'value_env'"), "unknown key, did you mean");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "secret_headers = ( { name = \"X-Api-Key\"; value = \"" SECRET
	    "\"; } ); };");
	ok(c == NULL && has_err("'value' is not allowed") &&
	    has_err("value_env") && !has_err(SECRET), "literal value refused");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "secret_headers = ( \"Authorization: x\" ); };");
	ok(c == NULL && has_err("must be a group"), "a string is not a group");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "secret_headers = { name = \"X\"; value_env = \"A\"; }; };");
	ok(c == NULL && has_err("must be a list"), "a group is not a list");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "headers = [\"X-Token: 1\"]; secret_headers = ( { name = "
	    "\"x-token\"; value_env = \"A\"; } ); };");
	ok(c == NULL && has_err("given twice"), "same header twice");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "follow_redirects = true; secret_headers = ( { name = "
	    "\"X-Api-Key\"; value_env = \"A\"; }, { name = \"Authorization\"; "
	    "value_env = \"B\"; } ); };");
	ok(c == NULL && has_err("a redirect would send it") &&
	    has_err("secret header X-Api-Key: refused") &&
	    !has_err("secret header Authorization: refused"),
	    "follow_redirects with X-Api-Key refused");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "follow_redirects = true; secret_headers = ( { name = "
	    "\"Authorization\"; value_env = \"B\"; } ); };");
	ok(c != NULL && !has_err("refused"),
	    "follow_redirects with Authorization alone: accepted");
	check_free(c);

	/* secret headers written as plain headers */
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\";\n"
	    " headers = [\"Accept: */*\",\n \"Authorization: Bearer " SECRET
	    "\"]; };");
	ok(c == NULL && has_err("Authorization carries a secret") &&
	    has_err("secret_headers") && errs.v[0].line == 3,
	    "plain Authorization refused at its line");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "headers = [\"proxy-authorization: Basic " SECRET "\"]; };");
	ok(c == NULL && has_err("Proxy-Authorization carries a secret"),
	    "Proxy-Authorization in lower case refused");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "headers = [\"COOKIE: session=" SECRET "\"]; };");
	ok(c == NULL && has_err("Cookie carries a secret"), "Cookie refused");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "headers = \"x-api-key : " SECRET "\"; };");
	ok(c == NULL && has_err("carries a secret"),
	    "X-Api-Key with a blank before the colon refused");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "headers = [\"X-Api-Key-Id: 7\", \"Authorizations: 1\"]; };");
	ok(c != NULL && errs.n == 0, "other names are plain headers");
	check_free(c);
	ok(check_header_is_secret("Authorization", 13) &&
	    !check_header_is_secret("Authorization", 12) &&
	    check_header_is_secret("x-API-key\t", 10),
	    "check_header_is_secret");

	ok(strstr(all_msgs, SECRET) == NULL,
	    "the secret appears in no message");
}

/* Ranges on thresholds, and pairs that validation refuses. */
static void
test_ranges(void)
{
	struct check *c;
	const struct check_threshold *t;

	c = parse(CHECK_REDIS, "x = { name = \"r\"; last_save_age_warn = "
	    "\"25h\"; last_save_age_crit = \"2d\"; };");
	ok(c != NULL && check_threshold(c, "last_save_age")->crit.hi ==
	    172800, "last_save_age: 25h and 2d accepted");
	check_free(c);
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "latency_warn = \"~:250ms\"; latency_crit = \"@1s:\"; };");
	t = c != NULL ? check_threshold(c, "latency") : NULL;
	ok(t != NULL && t->warn.lo_inf && t->warn.hi == 0.25 &&
	    t->crit.inside && t->crit.lo == 1, "duration ranges");
	check_free(c);
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\";\n"
	    " metrics = ( { name = \"score\"; select = \"s\";\n"
	    "  warn = 7.0; crit = 5.0; } ); };");
	ok(c == NULL && has_err("score: warn 7 can never show") &&
	    has_err("warn = \"7:\"; crit = \"5:\"") && errs.v[0].line == 3,
	    "metric warn 7, crit 5 refused at its line, pointing at ranges");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\";\n"
	    " metrics = ( { name = \"score\"; select = \"s\";\n"
	    "  warn = \"7:\"; crit = \"5:\"; } ); };");
	ok(c != NULL && c->http.metrics[0].warn.lo == 7 &&
	    c->http.metrics[0].warn.hi_inf, "lower is worse as ranges");
	check_free(c);
	c = parse(CHECK_POSTGRES, "x = { name = \"d\"; service = \"s\"; "
	    "connections_pct_warn = 97; };");
	ok(c == NULL && has_err("connections_pct: warn 97 can never show"),
	    "warn above the default crit refused");
	c = parse(CHECK_POSTGRES, "x = { name = \"d\"; service = \"s\"; "
	    "connections_pct_crit = 150; };");
	ok(c == NULL && has_err("crit 150 can never go critical") &&
	    has_err("0 to 100"), "a percentage above 100 never fires");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "cert_warn_days = 3; cert_crit_days = 7; };");
	ok(c == NULL && has_err("cert_days: warn 3 can never show"),
	    "inverted certificate days refused");
	c = parse(CHECK_HTTP, "x = { name = \"a\"; url = \"http://h/\"; "
	    "cert_warn_days = \"30\"; cert_crit_days = \"7:\"; };");
	ok(c != NULL && has_err("you may mean \"30:\""),
	    "a bare string where lower is worse warns");
	check_free(c);
	c = parse(CHECK_REDIS, "x = { name = \"r\"; fragmentation_warn = "
	    "\"10:5\"; };");
	ok(c == NULL && has_err("starts above its end"), "inverted range");
	c = parse(CHECK_REDIS, "x = { name = \"r\"; };");
	ok(c != NULL && c->redis.frag_min_used == 64LL * 1024 * 1024,
	    "fragmentation_min_used: 64 MiB by default");
	check_free(c);
	c = parse(CHECK_REDIS, "x = { name = \"r\"; fragmentation_min_used "
	    "= \"1GiB\"; };");
	ok(c != NULL && c->redis.frag_min_used == 1024LL * 1024 * 1024,
	    "fragmentation_min_used = \"1GiB\"");
	check_free(c);
	c = parse(CHECK_REDIS, "x = { name = \"r\"; fragmentation_min_used "
	    "= \"lots\"; };");
	ok(c == NULL && has_err("fragmentation_min_used"),
	    "fragmentation_min_used that is not a size: refused");
	c = parse(CHECK_REDIS, "x = { name = \"r\"; slowlog_len_warn = "
	    "true; };");
	ok(c == NULL && has_err("must be a number or a range"), "wrong type");
}

static void
test_parse_ms(void)
{
	double ms;
	long long secs;

	ok(util_parse_duration_ms("250ms", &ms) == 0 && ms == 250, "250ms");
	ok(util_parse_duration_ms("1.5s", &ms) == 0 && ms == 1500, "1.5s");
	ok(util_parse_duration_ms("2", &ms) == 0 && ms == 2000,
	    "plain seconds");
	ok(util_parse_duration_ms("0.5", &ms) == 0 && ms == 500,
	    "plain fraction of a second");
	ok(util_parse_duration_ms("2m", &ms) == 0 && ms == 120000, "minutes");
	ok(util_parse_duration_ms("2min", &ms) == 0 && ms == 120000, "min");
	ok(util_parse_duration_ms("1h", &ms) == 0 && ms == 3600000, "hours");
	ok(util_parse_duration_ms("25h", &ms) == 0 && ms == 90000000.0,
	    "25h: more than a day");
	ok(util_parse_duration_ms("7d", &ms) == 0 && ms == 604800000.0, "7d");
	ok(util_parse_duration_ms("2w", &ms) == 0 && ms == 1209600000.0,
	    "2w");
	ok(util_parse_duration_ms("1h30m", &ms) == 0 && ms == 5400000,
	    "1h30m");
	ok(util_parse_duration_ms("1m 30s 500ms", &ms) == 0 && ms == 90500,
	    "1m 30s 500ms");
	ok(util_parse_duration_ms("1d2h3m4s5ms", &ms) == 0 &&
	    ms == 93784005.0, "every unit");
	ok(util_parse_duration_ms("-1s", &ms) == -1, "negative refused");
	ok(util_parse_duration_ms("", &ms) == -1, "empty refused");
	ok(util_parse_duration_ms("ms", &ms) == -1, "unit alone refused");
	ok(util_parse_duration_ms("5 s", &ms) == -1, "space in a part refused");
	ok(util_parse_duration_ms("1h30", &ms) == -1, "1h30 is ambiguous");
	ok(util_parse_duration_ms("1.2.3s", &ms) == -1, "two points refused");
	ok(util_parse_duration_ms("1e400s", &ms) == -1, "exponent refused");
	ok(util_parse_duration_ms("nan", &ms) == -1, "nan refused");
	ok(util_parse_duration_ms("inf", &ms) == -1, "inf refused");
	ok(util_parse_duration_ms("5ss", &ms) == -1, "unknown unit refused");
	ok(util_parse_duration_ms("11y", &ms) == -1, "years refused");
	ok(util_parse_duration_ms("600w", &ms) == -1, "over ten years refused");
	ok(util_parse_duration_ms("99999999999999999999999s", &ms) == -1,
	    "huge number refused");
	ok(util_parse_duration_ms("1\033[2Js", &ms) == -1, "escape refused");
	ok(util_parse_duration("1d", &secs) == 0 && secs == 86400,
	    "seconds: 1d");
	ok(util_parse_duration("500ms", &secs) == 0 && secs == 1,
	    "seconds: a fraction rounds up");
}

int
main(void)
{
	set.refresh = 10;
	set.timeout = 5;
	set.history = 120;
	set.fail_after = 2;
	set.recover_after = 1;
	test_http();
	test_http_errors();
	test_ranges();
	test_pg();
	test_redis();
	test_secrets();
	test_secret_headers();
	test_parse_ms();
	is_str(check_type_name(CHECK_POSTGRES), "postgres", "type name");
	cfg_errors_free(&errs);
	return tap_done();
}
