/* Channels, events and the outbox: parsing, stable events, delivery through
 * a command channel, deduplication, replay after a restart, back-off, and a
 * storm folded into one summary by a rate limit. */
#include "build.h"

#include <sys/stat.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "config.h"
#include "notify.h"
#include "outbox.h"
#include "proc.h"
#include "tap.h"
#include "util.h"
#include "worker.h"

static char tmpdir[] = "/tmp/maintop-test-notify.XXXXXX";

static struct config *
load(const char *text, struct cfg_errors *e)
{
	return config_load_string(text, "t.conf", e);
}

static size_t
count_files(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0, l;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		l = strlen(de->d_name);
		if (de->d_name[0] != '.' && l >= strlen(suffix) &&
		    strcmp(de->d_name + l - strlen(suffix), suffix) == 0)
			n++;
	}
	closedir(d);
	return n;
}

static size_t
count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;
	int c;

	if (f == NULL)
		return 0;
	while ((c = fgetc(f)) != EOF)
		if (c == '\n')
			n++;
	fclose(f);
	return n;
}

struct run {
	struct event_base	*base;
	char			 log[4096];
};

static void
on_log(void *arg, const char *line)
{
	struct run *r = arg;
	size_t l = strlen(r->log);

	snprintf(r->log + l, sizeof r->log - l, "%s\n", line);
}

static void
on_idle(void *arg)
{
	event_base_loopexit(((struct run *)arg)->base, NULL);
}

/* Runs an outbox over cfg's channels until idle, after queuing the events
 * (ids[i], to channel). */
static void
run_outbox(const struct config *cfg, const char *state, const char *channel,
    const char *const *ids, size_t n, struct run *r)
{
	struct worker *io;
	struct outbox *ob;
	char *ev, *names[1];
	size_t i;

	memset(r, 0, sizeof *r);
	r->base = event_base_new();
	io = worker_new(r->base);
	ob = outbox_new(r->base, io, state, cfg->channels, cfg->nchannels,
	    on_log, r);
	names[0] = (char *)channel;
	for (i = 0; i < n; i++) {
		char *subject = xasprintf("check c%zu is critical", i);

		ev = notify_event_json(ids[i], "check.state", 1700000000,
		    "c", subject, "why", "{\"state\":\"crit\"}");
		outbox_add(ob, ids[i], ev, names, 1);
		free(ev);
		free(subject);
	}
	outbox_start(ob);
	outbox_when_idle(ob, on_idle, r);
	event_base_dispatch(r->base);
	outbox_free(ob);
	worker_free(io);
	proc_shutdown();
	event_base_free(r->base);
}

static void
test_parse(void)
{
	struct cfg_errors e = { 0 };
	struct config *c;

	c = load("channels = ( { name = \"m\"; type = \"email\"; "
	    "to = \"a@b.c\"; rate = \"3/10m\"; retries = 4; "
	    "backoff = \"2m\"; timeout = \"5s\"; } );", &e);
	ok(c != NULL, "an email channel parses");
	if (c != NULL) {
		is_int((long long)c->nchannels, 1, "one channel");
		is_str(c->channels[0]->sendmail, "/usr/sbin/sendmail",
		    "sendmail defaults to /usr/sbin/sendmail");
		is_int(c->channels[0]->rate_count, 3, "rate count");
		is_int(c->channels[0]->rate_per, 600, "rate period");
		is_int(c->channels[0]->retries, 4, "retries");
		is_int(c->channels[0]->backoff, 120, "backoff");
		is_int(c->channels[0]->timeout_ms, 5000, "timeout");
	}
	config_free(c);
	cfg_errors_free(&e);

	memset(&e, 0, sizeof e);
	c = load("channels = ( { name = \"x\"; type = \"webhook\"; "
	    "url = \"http://h/\"; }, { name = \"x\"; type = \"webhook\"; "
	    "url = \"http://h/\"; } );", &e);
	ok(c == NULL && e.nerrors == 1, "a channel defined twice is refused");
	config_free(c);
	cfg_errors_free(&e);

	memset(&e, 0, sizeof e);
	c = load("channels = ( { name = \"x\"; type = \"command\"; "
	    "command = [ \"/bin/true\" ]; rate = \"0/1h\"; } );", &e);
	ok(c == NULL, "a rate of zero is refused");
	config_free(c);
	cfg_errors_free(&e);
}

static void
test_event(void)
{
	char *a = notify_event_json("w:1", "window.notice", 0, "db",
	    "db \x1b]0;x\x07 starts", "line\nnext", "{\"n\":1}");
	char *b = notify_event_json("w:1", "window.notice", 0, "db",
	    "db \x1b]0;x\x07 starts", "line\nnext", "{\"n\":1}");
	char *subject, *text;
	json_t *o;

	is_str(a, b, "the same happening gives the same event");
	o = json_loads(a, 0, NULL);
	ok(o != NULL, "an event is JSON");
	is_str(json_string_value(json_object_get(o, "time")),
	    "1970-01-01T00:00:00Z", "its time in UTC");
	ok(json_integer_value(json_object_get(json_object_get(o, "data"),
	    "n")) == 1, "its data object");
	json_decref(o);
	text = notify_event_text(a, &subject);
	ok(strchr(subject, '\x1b') == NULL && strchr(text, '\x1b') == NULL &&
	    strchr(text, '\a') == NULL, "the text for people is sanitized");
	ok(strstr(text, "line\nnext") != NULL, "and keeps its lines");
	free(subject);
	free(text);
	free(a);
	free(b);
}

static void
test_outbox(void)
{
	struct cfg_errors e = { 0 };
	struct config *c;
	struct run r;
	char *conf, *state, *got, *outbox, *journal;
	const char *ids[5] = { "e:1", "e:2", "e:3", "e:4", "e:5" };

	state = xasprintf("%s/state", tmpdir);
	got = xasprintf("%s/got", tmpdir);
	outbox = xasprintf("%s/outbox", state);
	journal = xasprintf("%s/journal.jsonl", state);
	conf = xasprintf("settings = { state_dir = \"%s\"; };\n"
	    "channels = (\n"
	    "  { name = \"ok\"; type = \"command\"; command = [ \"/bin/sh\", "
	    "\"-c\", \"cat >> %s\" ]; },\n"
	    "  { name = \"storm\"; type = \"command\"; rate = \"1/1h\"; "
	    "command = [ \"/bin/sh\", \"-c\", \"cat >> %s.storm\" ]; },\n"
	    "  { name = \"down\"; type = \"command\"; retries = 3; backoff = "
	    "\"1h\"; command = [ \"/bin/sh\", \"-c\", \"exit 7\" ]; }\n"
	    ");\n", state, got, got);
	mkdir(state, 0700);
	c = load(conf, &e);
	ok(c != NULL, "the outbox test configuration loads");
	if (c == NULL) {
		cfg_errors_free(&e);
		return;
	}

	run_outbox(c, state, "ok", ids, 2, &r);
	is_int((long long)count_lines(got), 2, "two events, two deliveries");
	is_int((long long)count_files(outbox, ".json"), 0,
	    "nothing left in the outbox");
	run_outbox(c, state, "ok", ids, 2, &r);
	is_int((long long)count_lines(got), 2,
	    "the same ids again: not delivered twice");

	run_outbox(c, state, "down", ids, 1, &r);
	ok(strstr(r.log, "attempt failed: exit 7") != NULL,
	    "a failing channel says why");
	is_int((long long)count_files(outbox, ".json"), 1,
	    "the failed event stays in the outbox");
	{
		char *path = NULL, *data = NULL;
		DIR *d = opendir(outbox);
		struct dirent *de;
		json_t *o;

		while (d != NULL && (de = readdir(d)) != NULL)
			if (strstr(de->d_name, ".json") != NULL)
				path = xasprintf("%s/%s", outbox, de->d_name);
		if (d != NULL)
			closedir(d);
		if (path != NULL) {
			FILE *f = fopen(path, "r");
			size_t len = 0;

			data = xcalloc(1, 65536);
			if (f != NULL) {
				len = fread(data, 1, 65535, f);
				fclose(f);
			}
			o = json_loadb(data, len, 0, NULL);
			ok(json_integer_value(json_object_get(o,
			    "attempts")) == 1, "its attempts are counted");
			ok(json_integer_value(json_object_get(o, "next")) >=
			    (json_int_t)time(NULL) + 3500,
			    "its retry waits for the channel's back-off");
			json_decref(o);
		} else
			ok(0, "the entry file exists");
		free(data);
		free(path);
	}
	run_outbox(c, state, "down", NULL, 0, &r);
	ok(strstr(r.log, "attempt failed") == NULL,
	    "after a restart it waits for its retry time");
	is_int((long long)count_files(outbox, ".json"), 1,
	    "and is still in the outbox (replayed from the directory)");

	{
		/* Hostile files in the outbox are skipped, not trusted. */
		static const char *const junk[] = { "{", "[]", "{\"id\":1}",
		    "{\"id\":\"x\",\"channel\":\"ok\",\"attempts\":0,"
		    "\"next\":0}", "\x1b]0;x\x07" };
		size_t k;

		for (k = 0; k < 5; k++) {
			char *path = xasprintf("%s/%032zx.json", outbox, k);
			FILE *f = fopen(path, "w");

			if (f != NULL) {
				fputs(junk[k], f);
				fclose(f);
			}
			free(path);
		}
		run_outbox(c, state, "ok", NULL, 0, &r);
		ok(strstr(r.log, "notify") == NULL,
		    "broken outbox files are not delivered");
		for (k = 0; k < 5; k++) {
			char *path = xasprintf("%s/%032zx.json", outbox, k);

			unlink(path);
			free(path);
		}
	}
	run_outbox(c, state, "storm", ids, 5, &r);
	{
		char *storm = xasprintf("%s.storm", got);
		FILE *f = fopen(storm, "r");
		char buf[8192];
		size_t len = 0;

		if (f != NULL) {
			len = fread(buf, 1, sizeof buf - 1, f);
			fclose(f);
		}
		buf[len] = '\0';
		is_int((long long)count_lines(storm), 1,
		    "five events past a rate of 1/1h: one message");
		ok(strstr(buf, "5 events (rate limit reached)") != NULL,
		    "a summary that counts them");
		ok(strstr(buf, "check c4 is critical") != NULL,
		    "and lists each subject");
		free(storm);
	}
	is_int((long long)count_files(outbox, ".json"), 1,
	    "the folded events are all marked sent");
	ok(count_lines(journal) >= 8, "every attempt is journaled");
	config_free(c);
	cfg_errors_free(&e);
	free(conf);
	free(state);
	free(got);
	free(outbox);
	free(journal);
}

int
main(void)
{
	/* As every command that delivers does (notify.h): a command channel's
	 * child may exit before it reads the event. */
	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	test_parse();
	test_event();
	test_outbox();
	{
		char *cmd = xasprintf("rm -rf %s", tmpdir);

		if (system(cmd) != 0)
			ok(0, "cleanup");
		free(cmd);
	}
	return tap_done();
}
