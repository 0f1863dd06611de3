/* The agent's state file; see agent_state.h. */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "agent_state.h"
#include "util.h"

void
agent_status_free(struct agent_status *st)
{
	size_t i;

	free(st->host);
	for (i = 0; i < st->nnext; i++)
		free(st->next[i].window);
	memset(st, 0, sizeof *st);
}

int
agent_status_parse(struct agent_status *st, const char *text, size_t len)
{
	json_t *o, *next, *it;
	json_int_t last = 0, hb = 0, pid = 0, waiting = 0, failed = 0, start;
	const char *host = NULL, *window;
	int held;
	size_t i;

	agent_status_free(st);
	if (text == NULL || len > AGENT_STATE_FILE_MAX)
		return -1;
	o = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	if (o == NULL || json_unpack(o, "{s:I, s?I, s?I, s?s, s?I, s?I}",
	    "last", &last, "heartbeat", &hb, "pid", &pid, "host", &host,
	    "waiting", &waiting, "failed", &failed) != 0) {
		json_decref(o);
		return -1;
	}
	st->last = (time_t)last;
	st->heartbeat = (time_t)hb;
	st->pid = (long)pid;
	st->host = host != NULL && strlen(host) < 256 ? xstrdup(host) : NULL;
	st->waiting = waiting >= 0 ? waiting : 0;
	st->failed = failed >= 0 ? failed : 0;
	next = json_object_get(o, "next");
	json_array_foreach(next, i, it) {
		if (st->nnext == AGENT_STATE_NEXT_MAX)
			break;
		held = 0;
		if (json_unpack(it, "{s:s, s:I, s?b}", "window", &window,
		    "start", &start, "held", &held) != 0 ||
		    strlen(window) > 256)
			continue;
		st->next[st->nnext].window = xstrdup(window);
		st->next[st->nnext].start = (time_t)start;
		st->next[st->nnext].held = held;
		st->nnext++;
	}
	json_decref(o);
	return 0;
}

char *
agent_status_format(const struct agent_status *st)
{
	json_t *o, *a = json_array();
	char *s, *line;
	size_t i;

	for (i = 0; i < st->nnext; i++)
		json_array_append_new(a, json_pack("{s:s, s:I, s:b}", "window",
		    st->next[i].window, "start", (json_int_t)st->next[i].start,
		    "held", st->next[i].held));
	o = json_pack("{s:I, s:I, s:I, s:s, s:I, s:I, s:o}", "last",
	    (json_int_t)st->last, "heartbeat", (json_int_t)st->heartbeat,
	    "pid", (json_int_t)st->pid, "host", st->host != NULL ? st->host :
	    "?", "waiting", (json_int_t)st->waiting, "failed",
	    (json_int_t)st->failed, "next", a);
	s = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	json_decref(o);
	if (s == NULL)
		fatal("agent: cannot write its state");
	line = xasprintf("%s\n", s);
	free(s);
	return line;
}

enum agent_liveness
agent_status_liveness(const struct agent_status *st, time_t now)
{
	if (st == NULL)
		return AGENT_NONE;
	/* A heartbeat ahead of now (clocks apart, --now) is not stale. */
	return now - st->heartbeat > AGENT_STATE_STALE ? AGENT_STALE :
	    AGENT_ALIVE;
}
