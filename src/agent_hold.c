/* Holds on the agent's autoruns; see agent_hold.h. */
#include "build.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "agent_doc.h"
#include "agent_hold.h"
#include "journal.h"
#include "store.h"
#include "util.h"

static void
hold_clear(struct agent_hold *h)
{
	free(h->window);
	free(h->reason);
	free(h->user);
}

void
agent_holds_free(struct agent_holds *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		hold_clear(&h->v[i]);
	free(h->v);
	h->v = NULL;
	h->n = 0;
}

static void
hold_push(struct agent_holds *h, const char *window, time_t start,
    const char *reason, const char *user, time_t when)
{
	struct agent_hold *x;

	h->v = xreallocarray(h->v, h->n + 1, sizeof *h->v);
	x = &h->v[h->n++];
	x->window = xstrdup(window);
	x->start = start;
	x->reason = xstrdup(reason);
	x->user = xstrdup(user);
	x->when = when;
}

void
agent_holds_parse(struct agent_holds *h, const char *text, size_t len)
{
	json_t *o, *list, *it;
	json_int_t version = 0, start, when;
	const char *window, *reason, *user;
	size_t i;

	agent_holds_free(h);
	if (text == NULL || len > AGENT_HOLD_FILE_MAX)
		return;
	o = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	if (o == NULL || json_unpack(o, "{s:I, s:o}", "version", &version,
	    "holds", &list) != 0 || version != 1 || !json_is_array(list)) {
		json_decref(o);
		return;
	}
	json_array_foreach(list, i, it) {
		if (h->n >= AGENT_HOLD_MAX)
			break;
		if (json_unpack(it, "{s:s, s:I, s:s, s:s, s:I}", "window",
		    &window, "start", &start, "reason", &reason, "user", &user,
		    "time", &when) != 0 || *window == '\0' ||
		    strlen(window) > 256 || strlen(reason) > 4096 ||
		    strlen(user) > 256)
			continue;
		hold_push(h, window, (time_t)start, reason, user,
		    (time_t)when);
	}
	json_decref(o);
}

char *
agent_holds_format(const struct agent_holds *h)
{
	json_t *o = json_object(), *a = json_array();
	char *s;
	size_t i;

	for (i = 0; i < h->n; i++)
		json_array_append_new(a, json_pack("{s:s, s:I, s:s, s:s, s:I}",
		    "window", h->v[i].window, "start",
		    (json_int_t)h->v[i].start, "reason", h->v[i].reason,
		    "user", h->v[i].user, "time", (json_int_t)h->v[i].when));
	json_object_set_new(o, "version", json_integer(1));
	json_object_set_new(o, "holds", a);
	s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	if (s == NULL)
		fatal("agent: cannot write the holds");
	return s;
}

const struct agent_hold *
agent_holds_find(const struct agent_holds *h, const char *window,
    time_t start)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (h->v[i].start == start &&
		    strcmp(h->v[i].window, window) == 0)
			return &h->v[i];
	return NULL;
}

int
agent_holds_remove(struct agent_holds *h, const char *window, time_t start)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		if (h->v[i].start == start &&
		    strcmp(h->v[i].window, window) == 0) {
			hold_clear(&h->v[i]);
			memmove(&h->v[i], &h->v[i + 1],
			    (h->n - i - 1) * sizeof *h->v);
			h->n--;
			return 1;
		}
	}
	return 0;
}

void
agent_holds_add(struct agent_holds *h, const char *window, time_t start,
    const char *reason, const char *user, time_t now)
{
	size_t i = 0;

	agent_holds_remove(h, window, start);
	while (i < h->n) {
		if (h->v[i].start < now - 86400) {
			hold_clear(&h->v[i]);
			memmove(&h->v[i], &h->v[i + 1],
			    (h->n - i - 1) * sizeof *h->v);
			h->n--;
		} else
			i++;
	}
	hold_push(h, window, start, reason, user, now);
}

/* The user journal_who names, for the holds file. */
static char *
hold_user(void)
{
	json_t *o = json_object();
	const char *u = NULL;
	char *s;

	journal_who_json(o);
	json_unpack(o, "{s?s}", "user", &u);
	s = xstrdup(u != NULL ? u : "?");
	json_decref(o);
	return s;
}

/* The journal record of a hold or a release: the store's journal, or
 * state_dir's. */
static int
hold_journal(struct store *store, const char *state_dir, const char *type,
    const char *window, time_t start, const char *reason, time_t now,
    char **cause)
{
	json_t *o;
	char iso[32], when[32], *line, *path, *id;
	int rc;

	util_format_utc(now, iso, sizeof iso);
	util_format_utc(start, when, sizeof when);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", type, "time", iso,
	    "window", window, "start", when, "reason", reason);
	if (o == NULL)
		fatal("agent hold: cannot build a journal record");
	journal_who_json(o);
	line = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (line == NULL)
		fatal("agent hold: cannot write a journal record");
	if (store != NULL) {
		id = xasprintf("%s:%s:%s:%s:%ld", type, window, when, iso,
		    (long)getpid());
		rc = store_journal_append(store, id, line, cause);
		free(id);
	} else {
		path = xasprintf("%s/journal.jsonl", state_dir);
		rc = journal_append(path, line, cause);
		free(path);
	}
	free(line);
	return rc;
}

/* What agent_hold_apply changes. */
struct hold_change {
	const char	*window;
	time_t		 start;
	int		 release;
	const char	*reason;
	time_t		 now;
};

/* The holds as they are with the change made (agent_doc_update's). */
static int
hold_change(const char *old, size_t len, char **text, void *arg,
    char **cause)
{
	struct hold_change *c = arg;
	struct agent_holds h = { NULL, 0 };
	char *user;

	agent_holds_parse(&h, old, len);
	if (c->release && !agent_holds_remove(&h, c->window, c->start)) {
		*cause = xasprintf("the autorun of '%s' at that start is not "
		    "held", c->window);
		agent_holds_free(&h);
		return -1;
	}
	if (!c->release) {
		user = hold_user();
		agent_holds_add(&h, c->window, c->start, c->reason, user,
		    c->now);
		free(user);
	}
	*text = agent_holds_format(&h);
	agent_holds_free(&h);
	return 0;
}

int
agent_hold_apply(struct store *store, const char *state_dir,
    const char *window, time_t start, int release, const char *reason,
    time_t now, char **cause)
{
	struct hold_change c = { window, start, release, reason, now };

	if (agent_doc_update(store, state_dir, AGENT_HOLD_DOC,
	    AGENT_HOLD_FILE_MAX, hold_change, &c, cause) != 0)
		return -1;
	return hold_journal(store, state_dir, release ? "hold_release" :
	    "hold", window, start, reason != NULL ? reason : "", now, cause);
}

struct agent_holds *
agent_holds_read(struct store *store, const char *state_dir,
    struct agent_holds *h)
{
	size_t len;
	char *text = agent_doc_read(store, state_dir, AGENT_HOLD_DOC,
	    AGENT_HOLD_FILE_MAX, &len);

	agent_holds_parse(h, text, len);
	free(text);
	return h;
}
