/* "maintop notify": sends a test event to a channel and says what
 * happened, and shows what waits in the outbox. */
#include "build.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "cli.h"
#include "config.h"
#include "notify.h"
#include "outbox.h"
#include "proc.h"
#include "sanitize.h"
#include "store.h"
#include "util.h"
#include "worker.h"

static const char notify_usage[] =
"usage: maintop notify test CHANNEL [-c FILE]\n"
"       maintop notify flush [-c FILE]\n"
"       maintop notify list [-c FILE]\n"
"\n"
"test   sends a test event to CHANNEL (one of the configuration's\n"
"       'channels') through the outbox, as the agent would, and prints\n"
"       each attempt's result.  The event is journaled like any other.\n"
"       Exit 0 when it was delivered, 1 when the attempt failed (a retry\n"
"       stays queued for the agent), 3 on a configuration problem.\n"
"flush  delivers what is due in the outbox (events whose retry time has\n"
"       come) and exits: what \"maintop agent\" does all the time.  Exit 0\n"
"       when nothing due failed, 1 otherwise.\n"
"list   prints each channel, its kind and target, and how many events\n"
"       wait in the outbox.\n"
"\n"
"With a team store (settings.store) the outbox is the store's, shared\n"
"with the team's agents: test and flush queue and deliver there, each\n"
"row claimed first so that no agent sends it too, and journal each\n"
"attempt in the store's journal.\n"
"\n"
"  -c, --config FILE   the configuration (else $MAINTOP_CONFIG, then the\n"
"                      usual places; see maintop(1))\n"
"  -h, --help          this text\n";

struct notify_ctx {
	struct event_base	*base;
	int			 delivered;
	int			 failed;
};

static void
on_log(void *arg, const char *line)
{
	struct notify_ctx *c = arg;
	char *s = sanitize_cstr(line, 0);

	if (strstr(line, "attempt failed") == NULL)
		c->delivered = 1;
	else
		c->failed = 1;
	printf("%s\n", s);
	free(s);
}

static void
on_idle(void *arg)
{
	struct notify_ctx *c = arg;

	event_base_loopexit(c->base, NULL);
}

static const char *
target_of(const struct channel *ch, char *buf, size_t len)
{
	size_t i, off = 0;

	switch (ch->kind) {
	case CHANNEL_EMAIL:
		buf[0] = '\0';
		for (i = 0; i < ch->nto && off < len; i++)
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
			    i > 0 ? ", " : "", ch->to[i]);
		return buf;
	case CHANNEL_WEBHOOK:
		/* The path may hold a token (chat webhooks do): the origin
		 * only. */
		off = (size_t)(strstr(ch->url, "://") - ch->url) + 3;
		off += strcspn(ch->url + off, "/?#@");
		snprintf(buf, len, "%.*s/...", (int)off, ch->url);
		return buf;
	case CHANNEL_COMMAND:
		return ch->argv[0];
	}
	return "?";
}

static int
notify_list(const struct config *cfg)
{
	char buf[512], *s;
	size_t i;

	if (cfg->nchannels == 0) {
		printf("no channels configured (see 'channels' in "
		    "maintop.conf(5))\n");
		return CLI_EXIT_OK;
	}
	for (i = 0; i < cfg->nchannels; i++) {
		s = sanitize_cstr(target_of(cfg->channels[i], buf, sizeof buf),
		    0);
		printf("%-20s %-8s %s\n", cfg->channels[i]->name,
		    notify_kind_name(cfg->channels[i]->kind), s);
		free(s);
	}
	return CLI_EXIT_OK;
}

/* Runs the outbox until nothing due is left; with an event, queues it
 * first.  With a team store, the outbox is the store's (blocking is fine:
 * a line mode).  Returns the exit code. */
static int
notify_outbox(const struct config *cfg, const char *id, const char *ev,
    const char *name)
{
	struct notify_ctx c = { 0 };
	struct worker *io;
	struct outbox *ob;
	struct store *store = NULL;
	char *state, *cause = NULL, *names[1];

	if (config_state_dir(cfg, &state, &cause) != 0) {
		fprintf(stderr, "maintop: %s\n", cause);
		free(cause);
		return CLI_EXIT_CONFIG;
	}
	if (cfg->settings.store != NULL &&
	    (store = store_open(cfg, state, &cause)) == NULL) {
		fprintf(stderr, "maintop: the team store's outbox: %s\n", cause);
		free(cause);
		free(state);
		return CLI_EXIT_FAIL;
	}
	signal(SIGPIPE, SIG_IGN);
	c.base = event_base_new();
	if (c.base == NULL)
		fatal("cannot make an event loop");
	io = worker_new(c.base);
	ob = outbox_new(c.base, io, state, cfg->channels, cfg->nchannels,
	    on_log, &c);
	if (store != NULL) {
		outbox_set_store(ob, store);
		outbox_set_active(ob, 1);	/* it delivers, as a lead */
	}
	if (ev != NULL) {
		names[0] = (char *)name;
		outbox_add(ob, id, ev, names, 1);
	}
	outbox_start(ob);
	outbox_when_idle(ob, on_idle, &c);
	event_base_dispatch(c.base);
	if (ev == NULL)
		printf("%zu waiting in the outbox, %zu given up on\n",
		    outbox_waiting(ob), outbox_failed(ob));
	outbox_free(ob);
	worker_free(io);
	store_close(store);
	proc_shutdown();
	event_base_free(c.base);
	free(state);
	if (c.failed)
		return CLI_EXIT_FAIL;
	if (ev != NULL && !c.delivered) {
		printf("nothing was sent\n");
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}

static int
notify_test(const struct config *cfg, const char *name)
{
	char *id, *ev, *host, *subject, hostbuf[256] = "";
	size_t i;
	time_t now = time(NULL);
	int ret;

	for (i = 0; i < cfg->nchannels; i++)
		if (strcmp(cfg->channels[i]->name, name) == 0)
			break;
	if (i == cfg->nchannels) {
		char *safe = sanitize_cstr(name, 0);

		fprintf(stderr, "maintop: no channel '%s' in the "
		    "configuration\n", safe);
		free(safe);
		return CLI_EXIT_CONFIG;
	}
	gethostname(hostbuf, sizeof hostbuf - 1);
	host = hostbuf[0] != '\0' ? hostbuf : (char *)"?";
	id = xasprintf("test:%s:%lld:%ld", name, (long long)now,
	    (long)getpid());
	subject = xasprintf("test from maintop on %s", host);
	ev = notify_event_json(id, "test", now, name, subject,
	    "This is a test event sent by \"maintop notify test\".", NULL);
	ret = notify_outbox(cfg, id, ev, name);
	free(ev);
	free(subject);
	free(id);
	return ret;
}

int
cmd_notify(int argc, char **argv)
{
	struct cli_opts o = { .argc = argc, .argv = argv,
	    .usage = notify_usage };
	const char *verb;
	struct config *cfg;
	int ret;

	while (cli_getopt(&o) != -1)
		;	/* no option of its own */
	if (o.exit != -1)
		return o.exit;
	argc -= optind;
	argv += optind;
	verb = argc > 0 ? argv[0] : NULL;
	if (verb == NULL || !((strcmp(verb, "test") == 0 && argc == 2) ||
	    (strcmp(verb, "list") == 0 && argc == 1) ||
	    (strcmp(verb, "flush") == 0 && argc == 1)))
		return cli_usage_error(notify_usage);
	cfg = cli_load_config(o.config);
	if (cfg == NULL)
		return CLI_EXIT_CONFIG;
	if (strcmp(verb, "list") == 0)
		ret = notify_list(cfg);
	else if (strcmp(verb, "flush") == 0)
		ret = notify_outbox(cfg, NULL, NULL, NULL);
	else
		ret = notify_test(cfg, argv[1]);
	config_free(cfg);
	return ret;
}
