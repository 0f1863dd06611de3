/* The notification outbox; see outbox.h.  The list lives on the loop's
 * thread; every file operation is a job on the disk worker, queued in
 * order, so the loop never waits on the disk. */
#include "build.h"

#include <sys/queue.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "fileio.h"
#include "journal.h"
#include "notify.h"
#include "outbox.h"
#include "store.h"
#include "store_outbox.h"
#include "util.h"
#include "worker.h"

/* The most read of one outbox file. */
#define OUTBOX_FILE_MAX		(1024 * 1024)
/* At most this many entries are loaded at start (the rest wait). */
#define OUTBOX_LOAD_MAX		10000
/* Subjects listed in a summary. */
#define OUTBOX_SUMMARY_LINES	20

struct entry {
	TAILQ_ENTRY(entry)	 link;
	char			 key[33];	/* hex, names its files */
	char			*id;
	char			*channel;
	char			*event;
	long long		 attempts;
	time_t			 next;		/* due from */
	int			 sending;
	int			 claiming;	/* its row's claim is asked */
	int			 claimed;	/* its row is this outbox's to
						 * send (with a store) */
};
TAILQ_HEAD(entries, entry);

/* A delivery in flight: one entry, or a summary of several. */
struct sending {
	struct outbox		*ob;
	const struct channel	*ch;
	struct entry	       **v;
	size_t			 n;
	struct notify_attempt	*att;
	char			*event_id;
};

/* Sends to one channel in the last rate_per seconds. */
struct rate {
	char	*channel;
	time_t	*sent;
	size_t	 n;
};

struct outbox {
	struct event_base	*base;
	struct worker		*io;
	struct worker		*net;
	char			*dir;		/* state_dir/outbox */
	char			*journal;	/* state_dir/journal.jsonl */
	struct channel *const	*channels;
	size_t			 nchannels;
	void			(*log)(void *, const char *);
	void			*arg;
	struct store		*store;		/* the team's, or NULL: files */
	char			*claimer;	/* its rows' claimed_by */
	int			 active;	/* delivers (leads the team) */
	int			 wanted;	/* outbox_start was called */

	struct entries		 list;
	size_t			 nfailed;
	unsigned		 jobs;		/* io jobs not yet done */
	unsigned		 inflight;	/* deliveries */
	int			 started;
	struct event		*timer;
	struct rate		*rates;
	size_t			 nrates;
	struct sending	       **sends;
	size_t			 nsends;

	void			(*idle)(void *);
	void			*idle_arg;
	time_t			 horizon;	/* one pass: due by then, or 0 */
};

static void	kick(struct outbox *, long long ms);

/* The clock the outbox decides by: a one-shot run stops at its horizon, so
 * a retry that falls due while it runs waits for the next run. */
static time_t
outbox_now(const struct outbox *ob)
{
	time_t now = time(NULL);

	return ob->horizon != 0 && now > ob->horizon ? ob->horizon : now;
}

static void
say(struct outbox *ob, const char *fmt, ...) UTIL_PRINTF(2, 3);
static void
say(struct outbox *ob, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (ob->log == NULL)
		return;
	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	ob->log(ob->arg, s);
	free(s);
}

static void
entry_key(const char *id, const char *channel, char out[33])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char *s = xasprintf("%s\n%s", id, channel);
	size_t i;

	if (EVP_Digest(s, strlen(s), md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen < 16)
		fatal("outbox: SHA-256 failed");
	free(s);
	for (i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void
entry_free(struct entry *e)
{
	free(e->id);
	free(e->channel);
	free(e->event);
	free(e);
}

static char *
entry_json(const struct entry *e)
{
	json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:s}", "id", e->id,
	    "channel", e->channel, "attempts", (json_int_t)e->attempts,
	    "next", (json_int_t)e->next, "event", e->event);
	char *s = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	if (s == NULL)
		fatal("outbox: cannot write an entry");
	return s;
}

static const struct channel *
find_channel(const struct outbox *ob, const char *name)
{
	size_t i;

	for (i = 0; i < ob->nchannels; i++)
		if (strcmp(ob->channels[i]->name, name) == 0)
			return ob->channels[i];
	return NULL;
}

/* --- jobs on the disk worker ---------------------------------------------- */

enum job_kind { JOB_ADD, JOB_WRITE, JOB_SENT, JOB_FAIL, JOB_JOURNAL,
    JOB_LOAD, JOB_CLAIM };

struct job {
	struct outbox	*ob;
	enum job_kind	 kind;
	char		*path;		/* the entry's file */
	char		*aux;		/* sent marker, failed path, journal */
	char		*data;		/* what to write or append */
	int		 duplicate;	/* JOB_ADD: already queued or sent */
	struct entry	*entry;		/* JOB_ADD: added on success */
	struct entries	 loaded;	/* JOB_LOAD */
	/* With a store: the entry's row (JOB_WRITE, JOB_SENT, JOB_FAIL), or
	 * the journal record's id (JOB_JOURNAL). */
	char		*id;
	char		*channel;
	long long	 attempts;
	time_t		 next;
	/* JOB_CLAIM: the entry's key, the claim's length in seconds, and
	 * what the store said (store_outbox_claim) and until when. */
	char		 key[33];
	int		 lease;
	int		 claim;
	time_t		 until;
};

static int
exists(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0;
}

static void
load_dir(struct job *j)
{
	DIR *d = opendir(j->ob->dir);
	struct dirent *de;
	struct entry *e;
	char *path, *sent, *data, *cause = NULL;
	size_t len, n = 0;
	json_t *o;
	const char *id, *channel, *event;
	json_int_t attempts, next;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL && n < OUTBOX_LOAD_MAX) {
		len = strlen(de->d_name);
		if (len != 37 || strcmp(de->d_name + 32, ".json") != 0)
			continue;
		path = xasprintf("%s/%s", j->ob->dir, de->d_name);
		sent = xasprintf("%s/sent/%.32s", j->ob->dir, de->d_name);
		if (exists(sent)) {
			/* Sent, then the program died before the unlink. */
			unlink(path);
			free(sent);
			free(path);
			continue;
		}
		free(sent);
		if (fileio_read(path, OUTBOX_FILE_MAX, &data, &len,
		    &cause) != 0) {
			free(cause);
			cause = NULL;
			free(path);
			continue;
		}
		free(path);
		o = json_loadb(data, len, 0, NULL);
		free(data);
		if (o == NULL || json_unpack(o, "{s:s, s:s, s:I, s:I, s:s}",
		    "id", &id, "channel", &channel, "attempts", &attempts,
		    "next", &next, "event", &event) != 0) {
			json_decref(o);
			continue;
		}
		e = xcalloc(1, sizeof *e);
		memcpy(e->key, de->d_name, 32);
		e->id = xstrdup(id);
		e->channel = xstrdup(channel);
		e->event = xstrdup(event);
		e->attempts = attempts;
		e->next = (time_t)next;
		json_decref(o);
		TAILQ_INSERT_TAIL(&j->loaded, e, link);
		n++;
	}
	closedir(d);
}

/* A waiting row of the store, loaded. */
static void
load_row(void *arg, const char *id, const char *channel, const char *event,
    long long attempts, time_t next)
{
	struct job *j = arg;
	struct entry *e = xcalloc(1, sizeof *e);

	entry_key(id, channel, e->key);
	e->id = xstrdup(id);
	e->channel = xstrdup(channel);
	e->event = xstrdup(event);
	e->attempts = attempts;
	e->next = next;
	TAILQ_INSERT_TAIL(&j->loaded, e, link);
}

/* job_work with the team store's table for the directory. */
static void
store_work(struct job *j)
{
	struct store *s = j->ob->store;
	struct entry *e = j->entry;
	char *cause = NULL;
	int added;

	switch (j->kind) {
	case JOB_ADD:
		/* Queued or sent by any agent of the team: once. */
		if (store_outbox_add(s, e->id, e->channel, e->event, e->next,
		    &added, &cause) == 0 && !added)
			j->duplicate = 1;
		break;
	case JOB_WRITE:
		store_outbox_retry(s, j->id, j->channel, j->attempts, j->next,
		    &cause);
		break;
	case JOB_SENT:
	case JOB_FAIL:
		store_outbox_done(s, j->id, j->channel, j->attempts,
		    j->kind == JOB_SENT, &cause);
		break;
	case JOB_JOURNAL:
		store_journal_append(s, j->id, j->data, &cause);
		break;
	case JOB_LOAD:
		store_outbox_foreach(s, OUTBOX_LOAD_MAX, load_row, j, &cause);
		break;
	case JOB_CLAIM:
		j->claim = store_outbox_claim(s, j->id, j->channel,
		    j->ob->claimer, j->lease, &j->until, &cause);
		break;
	}
	free(cause);
}

static void
job_work(void *arg)
{
	struct job *j = arg;
	char *cause = NULL;

	if (j->ob->store != NULL) {
		store_work(j);
		return;
	}
	switch (j->kind) {
	case JOB_ADD:
		if (exists(j->aux) || exists(j->path)) {
			j->duplicate = 1;
			break;
		}
		/* FALLTHROUGH */
	case JOB_WRITE:
		fileio_write_atomic(j->path, j->data, strlen(j->data), 0600,
		    &cause);
		break;
	case JOB_SENT:
		/* The marker first: a crash between the two leaves an entry
		 * that the next start recognises as sent. */
		fileio_write_atomic(j->aux, "", 0, 0600, &cause);
		unlink(j->path);
		break;
	case JOB_FAIL:
		if (rename(j->path, j->aux) != 0)
			unlink(j->path);
		break;
	case JOB_JOURNAL:
		journal_append(j->aux, j->data, &cause);
		break;
	case JOB_LOAD:
		load_dir(j);
		break;
	case JOB_CLAIM:
		j->claim = 1;	/* the state directory is this agent's */
		break;
	}
	free(cause);
}

/*
 * The store's answer to a claim: the entry is this outbox's to send, or
 * held by another (tried again when that claim ends), or no longer
 * waiting (another sent it or gave up): forgotten.
 */
static void
claim_done(struct outbox *ob, struct job *j)
{
	struct entry *e;

	TAILQ_FOREACH(e, &ob->list, link)
		if (strcmp(e->key, j->key) == 0)
			break;
	if (e == NULL)
		return;		/* forgotten meanwhile */
	e->claiming = 0;
	if (j->claim == 1)
		e->claimed = 1;
	else if (j->claim == 0 || j->claim == -2) {
		/* Held by another, or the store failed: later. */
		e->next = j->claim == 0 && j->until > time(NULL) ?
		    j->until + 1 : time(NULL) + 5;
		say(ob, "notify %s %s: %s", e->channel, e->id, j->claim == 0 ?
		    "another agent is delivering it" : "the store could not "
		    "claim it");
	} else {
		TAILQ_REMOVE(&ob->list, e, link);
		entry_free(e);
	}
	kick(ob, 0);
}

static void
job_done(void *arg)
{
	struct job *j = arg;
	struct outbox *ob = j->ob;
	struct entry *e, *q;
	int dup;

	ob->jobs--;
	if (j->kind == JOB_ADD) {
		if (j->duplicate)
			entry_free(j->entry);
		else {
			TAILQ_INSERT_TAIL(&ob->list, j->entry, link);
			kick(ob, OUTBOX_BATCH_MS);
		}
	}
	if (j->kind == JOB_LOAD) {
		while ((e = TAILQ_FIRST(&j->loaded)) != NULL) {
			TAILQ_REMOVE(&j->loaded, e, link);
			dup = 0;
			TAILQ_FOREACH(q, &ob->list, link)
				if (strcmp(q->key, e->key) == 0)
					dup = 1;
			if (dup)
				entry_free(e);	/* added while loading */
			else
				TAILQ_INSERT_TAIL(&ob->list, e, link);
		}
		ob->started = 1;
		kick(ob, 0);
	}
	if (j->kind == JOB_CLAIM)
		claim_done(ob, j);
	free(j->path);
	free(j->aux);
	free(j->data);
	free(j->id);
	free(j->channel);
	free(j);
	kick(ob, -1);
}

static struct job *
job_new(struct outbox *ob, enum job_kind kind, const char *key)
{
	struct job *j = xcalloc(1, sizeof *j);

	j->ob = ob;
	j->kind = kind;
	TAILQ_INIT(&j->loaded);
	if (key != NULL)
		j->path = xasprintf("%s/%s.json", ob->dir, key);
	return j;
}

/* The job is about entry e's row (with a store). */
static void
job_entry(struct job *j, const struct entry *e)
{
	j->id = xstrdup(e->id);
	j->channel = xstrdup(e->channel);
	j->attempts = e->attempts;
	j->next = e->next;
}

static void
job_queue(struct job *j)
{
	j->ob->jobs++;
	worker_run(j->ob->io, job_work, job_done, j);
}

/*
 * With a store, an entry due is claimed before it is sent: its row is
 * this outbox's for the channel's timeout and a minute more, and no other
 * agent sends it meanwhile (a claim that ends with its agent lets the next
 * one send it).
 */
static void
claim_queue(struct outbox *ob, struct entry *e, const struct channel *ch)
{
	struct job *j = job_new(ob, JOB_CLAIM, NULL);

	job_entry(j, e);
	memcpy(j->key, e->key, sizeof j->key);
	j->lease = (int)(ch->timeout_ms / 1000) + 60;
	e->claiming = 1;
	job_queue(j);
}

static void
journal_attempt(struct outbox *ob, const char *id, const char *channel,
    long long attempt, const char *result, const char *message)
{
	struct job *j = job_new(ob, JOB_JOURNAL, NULL);
	struct buf b;
	char iso[32];

	util_format_utc(time(NULL), iso, sizeof iso);
	buf_init(&b);
	buf_adds(&b, "{\"type\":\"notify\",\"time\":");
	buf_json_str(&b, iso);
	buf_adds(&b, ",\"event\":");
	buf_json_str(&b, id);
	buf_adds(&b, ",\"channel\":");
	buf_json_str(&b, channel);
	buf_printf(&b, ",\"attempt\":%lld,\"result\":", attempt);
	buf_json_str(&b, result);
	buf_adds(&b, ",\"message\":");
	buf_json_str(&b, message);
	buf_adds(&b, ",");
	journal_who(&b);
	buf_adds(&b, "}");
	j->aux = xstrdup(ob->journal);
	j->data = buf_detach(&b);
	/* One record an attempt: sent twice, it is written once. */
	j->id = xasprintf("notify:%s:%s:%lld:%s", id, channel, attempt,
	    result);
	job_queue(j);
}

/* --- delivery --------------------------------------------------------------- */

static struct rate *
rate_of(struct outbox *ob, const char *channel)
{
	size_t i;

	for (i = 0; i < ob->nrates; i++)
		if (strcmp(ob->rates[i].channel, channel) == 0)
			return &ob->rates[i];
	ob->rates = xreallocarray(ob->rates, ob->nrates + 1, sizeof *ob->rates);
	memset(&ob->rates[ob->nrates], 0, sizeof *ob->rates);
	ob->rates[ob->nrates].channel = xstrdup(channel);
	return &ob->rates[ob->nrates++];
}

/* Sends the channel may still make now (-1: no limit), and when the next
 * slot frees in *free_at. */
static long long
rate_allowance(struct outbox *ob, const struct channel *ch, time_t now,
    time_t *free_at)
{
	struct rate *r;
	size_t i, k = 0;

	*free_at = 0;
	if (ch->rate_per == 0)
		return -1;
	r = rate_of(ob, ch->name);
	for (i = 0; i < r->n; i++)
		if (r->sent[i] > now - ch->rate_per)
			r->sent[k++] = r->sent[i];
	r->n = k;
	if (k > 0)
		*free_at = r->sent[0] + ch->rate_per;
	return ch->rate_count > (long long)k ? ch->rate_count - (long long)k :
	    0;
}

static void
rate_note(struct outbox *ob, const struct channel *ch, time_t now)
{
	struct rate *r;

	if (ch->rate_per == 0)
		return;
	r = rate_of(ob, ch->name);
	r->sent = xreallocarray(r->sent, r->n + 1, sizeof *r->sent);
	r->sent[r->n++] = now;
}

static void
sending_forget(struct outbox *ob, struct sending *s)
{
	size_t i;

	for (i = 0; i < ob->nsends; i++) {
		if (ob->sends[i] == s) {
			ob->sends[i] = ob->sends[--ob->nsends];
			break;
		}
	}
	free(s->v);
	free(s->event_id);
	free(s);
}

static void
on_delivered(int ok, const char *message, void *arg)
{
	struct sending *s = arg;
	struct outbox *ob = s->ob;
	struct entry *e;
	struct job *j;
	long long wait, k;
	size_t i;

	ob->inflight--;
	for (i = 0; i < s->n; i++) {
		e = s->v[i];
		e->sending = 0;
		e->attempts++;
		if (ok) {
			journal_attempt(ob, e->id, e->channel, e->attempts,
			    s->n > 1 ? "delivered-in-summary" : "delivered",
			    message);
			j = job_new(ob, JOB_SENT, e->key);
			j->aux = xasprintf("%s/sent/%s", ob->dir, e->key);
			job_entry(j, e);
			job_queue(j);
			TAILQ_REMOVE(&ob->list, e, link);
			entry_free(e);
			continue;
		}
		if (e->attempts >= s->ch->retries) {
			journal_attempt(ob, e->id, e->channel, e->attempts,
			    "gave-up", message);
			j = job_new(ob, JOB_FAIL, e->key);
			j->aux = xasprintf("%s/failed/%s.json", ob->dir,
			    e->key);
			job_entry(j, e);
			job_queue(j);
			TAILQ_REMOVE(&ob->list, e, link);
			entry_free(e);
			ob->nfailed++;
			continue;
		}
		wait = s->ch->backoff;
		for (k = 1; k < e->attempts && wait < OUTBOX_BACKOFF_MAX; k++)
			wait *= 2;
		if (wait > OUTBOX_BACKOFF_MAX)
			wait = OUTBOX_BACKOFF_MAX;
		e->next = time(NULL) + (time_t)wait;
		e->claimed = 0;		/* the retry's row lets it go */
		journal_attempt(ob, e->id, e->channel, e->attempts, "failed",
		    message);
		j = job_new(ob, JOB_WRITE, e->key);
		j->data = entry_json(e);
		job_entry(j, e);
		job_queue(j);
	}
	say(ob, "notify %s %s: %s%s", s->ch->name, s->event_id, ok ?
	    "" : "attempt failed: ", message);
	sending_forget(ob, s);
	kick(ob, 0);
}

/* One message for several events: a summary that names each. */
static char *
summary_event(struct entry **v, size_t n, time_t now, char **id)
{
	struct buf text;
	json_t *o;
	const char *subj;
	size_t i;
	char *ev;

	buf_init(&text);
	for (i = 0; i < n && i < OUTBOX_SUMMARY_LINES; i++) {
		o = json_loads(v[i]->event, 0, NULL);
		subj = NULL;
		if (o != NULL)
			json_unpack(o, "{s?s}", "subject", &subj);
		buf_printf(&text, "- %s\n", subj != NULL ? subj : v[i]->id);
		json_decref(o);
	}
	if (n > OUTBOX_SUMMARY_LINES)
		buf_printf(&text, "- and %zu more\n",
		    n - OUTBOX_SUMMARY_LINES);
	*id = xasprintf("summary:%s:%s", v[0]->key, v[n - 1]->key);
	{
		char *subject = xasprintf("%zu events (rate limit reached)",
		    n);

		ev = notify_event_json(*id, "summary", now, "", subject,
		    text.s != NULL ? text.s : "", NULL);
		free(subject);
	}
	buf_free(&text);
	return ev;
}

static void
send_batch(struct outbox *ob, const struct channel *ch, struct entry **v,
    size_t n, time_t now)
{
	struct sending *s = xcalloc(1, sizeof *s);
	struct notify_attempt *att;
	char *ev;
	size_t i;

	s->ob = ob;
	s->ch = ch;
	s->v = xreallocarray(NULL, n, sizeof *s->v);
	memcpy(s->v, v, n * sizeof *v);
	s->n = n;
	for (i = 0; i < n; i++)
		v[i]->sending = 1;
	if (n == 1) {
		s->event_id = xstrdup(v[0]->id);
		ev = xstrdup(v[0]->event);
	} else
		ev = summary_event(v, n, now, &s->event_id);
	ob->sends = xreallocarray(ob->sends, ob->nsends + 1,
	    sizeof *ob->sends);
	ob->sends[ob->nsends++] = s;
	ob->inflight++;
	rate_note(ob, ch, now);
	/* NULL: it could not start, and on_delivered has freed s. */
	att = notify_deliver(ob->base, ob->net, ch, ev, on_delivered, s);
	if (att != NULL)
		s->att = att;
	free(ev);
}

/* Starts what is due; returns the next instant something will be due (0:
 * nothing waits). */
static time_t
process(struct outbox *ob, time_t now)
{
	struct entry *e, **due = NULL;
	const struct channel *ch;
	size_t c, n, k;
	long long allow;
	time_t next = 0, free_at;

	if (!ob->active)	/* another agent of the team delivers */
		return 0;
	for (c = 0; c < ob->nchannels; c++) {
		ch = ob->channels[c];
		n = 0;
		TAILQ_FOREACH(e, &ob->list, link) {
			if (e->sending || e->claiming ||
			    strcmp(e->channel, ch->name) != 0)
				continue;
			if (e->next > now) {
				if (next == 0 || e->next < next)
					next = e->next;
				continue;
			}
			if (ob->store != NULL && !e->claimed) {
				claim_queue(ob, e, ch);
				continue;
			}
			due = xreallocarray(due, n + 1, sizeof *due);
			due[n++] = e;
		}
		if (n == 0)
			continue;
		allow = rate_allowance(ob, ch, now, &free_at);
		if (allow == 0) {
			if (next == 0 || free_at < next)
				next = free_at;
			continue;
		}
		if (allow < 0 || (long long)n <= allow) {
			for (k = 0; k < n; k++)
				send_batch(ob, ch, &due[k], 1, now);
			continue;
		}
		/* Past the limit: allow - 1 alone, the rest in one summary. */
		for (k = 0; k + 1 < (size_t)allow; k++)
			send_batch(ob, ch, &due[k], 1, now);
		send_batch(ob, ch, &due[k], n - k, now);
	}
	free(due);
	return next;
}

static int
due_now(struct outbox *ob, time_t now)
{
	struct entry *e;
	const struct channel *ch;
	time_t free_at;

	TAILQ_FOREACH(e, &ob->list, link) {
		if (e->sending)
			return 1;
		if (e->next > now)
			continue;
		ch = find_channel(ob, e->channel);
		if (ch != NULL && rate_allowance(ob, ch, now, &free_at) != 0)
			return 1;
	}
	return 0;
}

static void
check_idle(struct outbox *ob)
{
	void (*idle)(void *) = ob->idle;

	if (idle == NULL || !ob->started || ob->jobs > 0 || ob->inflight > 0 ||
	    due_now(ob, outbox_now(ob)))
		return;
	ob->idle = NULL;
	idle(ob->idle_arg);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct outbox *ob = arg;
	time_t now = outbox_now(ob), next;
	struct timeval tv;

	if (!ob->started)
		return;
	next = process(ob, now);
	if (next != 0) {
		tv.tv_sec = next > now ? next - now : 1;
		tv.tv_usec = 0;
		evtimer_add(ob->timer, &tv);
	}
	check_idle(ob);
}

/* Runs the timer in ms (0: at once; -1: only check whether idle). */
static void
kick(struct outbox *ob, long long ms)
{
	struct timeval tv;

	if (ms < 0) {
		check_idle(ob);
		return;
	}
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	evtimer_add(ob->timer, &tv);
}

/* --- the interface ---------------------------------------------------------- */

struct outbox *
outbox_new(struct event_base *base, struct worker *io, const char *state_dir,
    struct channel *const *channels, size_t n,
    void (*log)(void *, const char *), void *arg)
{
	struct outbox *ob = xcalloc(1, sizeof *ob);
	char *sub, host[256] = "";

	ob->base = base;
	ob->io = io;
	ob->net = worker_new(base);
	ob->dir = xasprintf("%s/outbox", state_dir);
	ob->journal = xasprintf("%s/journal.jsonl", state_dir);
	ob->channels = channels;
	ob->nchannels = n;
	ob->log = log;
	ob->arg = arg;
	ob->active = 1;
	gethostname(host, sizeof host - 1);
	ob->claimer = xasprintf("%s pid %ld", *host != '\0' ? host : "?",
	    (long)getpid());
	TAILQ_INIT(&ob->list);
	ob->timer = evtimer_new(base, on_timer, ob);
	if (ob->timer == NULL)
		fatal("outbox: cannot make a timer");
	/* Made once at start: mkdir is quick and the directory is ours. */
	fileio_mkdirs(ob->dir, 0700);
	sub = xasprintf("%s/sent", ob->dir);
	fileio_mkdirs(sub, 0700);
	free(sub);
	sub = xasprintf("%s/failed", ob->dir);
	fileio_mkdirs(sub, 0700);
	free(sub);
	return ob;
}

void
outbox_set_channels(struct outbox *ob, struct channel *const *channels,
    size_t n)
{
	size_t i;

	/* Deliveries in flight point at the old channels: cancel them (they
	 * are tried again, their files unchanged). */
	while (ob->nsends > 0) {
		struct sending *s = ob->sends[0];

		for (i = 0; i < s->n; i++)
			s->v[i]->sending = 0;
		notify_cancel(s->att);
		ob->inflight--;
		sending_forget(ob, s);
	}
	ob->channels = channels;
	ob->nchannels = n;
	kick(ob, 0);
}

void
outbox_start(struct outbox *ob)
{
	ob->wanted = 1;
	if (ob->active)
		job_queue(job_new(ob, JOB_LOAD, NULL));
}

void
outbox_set_store(struct outbox *ob, struct store *store)
{
	ob->store = store;
	ob->active = 0;
}

void
outbox_set_active(struct outbox *ob, int active)
{
	struct entry *e, *next;

	if (ob->store == NULL || ob->active == active)
		return;
	ob->active = active;
	if (active) {
		/* What the team's outbox holds, as the last lead left it. */
		if (ob->wanted)
			job_queue(job_new(ob, JOB_LOAD, NULL));
		return;
	}
	/* The new lead delivers what waits; those in flight finish here. */
	for (e = TAILQ_FIRST(&ob->list); e != NULL; e = next) {
		next = TAILQ_NEXT(e, link);
		if (!e->sending) {
			TAILQ_REMOVE(&ob->list, e, link);
			entry_free(e);
		}
	}
}

void
outbox_add(struct outbox *ob, const char *id, const char *event_json,
    char *const *names, size_t n)
{
	struct entry *e, *q;
	struct job *j;
	size_t i;
	int queued;

	for (i = 0; i < n; i++) {
		e = xcalloc(1, sizeof *e);
		entry_key(id, names[i], e->key);
		queued = 0;
		TAILQ_FOREACH(q, &ob->list, link)
			if (strcmp(q->key, e->key) == 0)
				queued = 1;
		if (queued) {
			free(e);
			continue;
		}
		e->id = xstrdup(id);
		e->channel = xstrdup(names[i]);
		e->event = xstrdup(event_json);
		j = job_new(ob, JOB_ADD, e->key);
		j->aux = xasprintf("%s/sent/%s", ob->dir, e->key);
		j->data = entry_json(e);
		j->entry = e;
		job_queue(j);
	}
}

void
outbox_when_idle(struct outbox *ob, void (*idle)(void *), void *arg)
{
	ob->idle = idle;
	ob->idle_arg = arg;
	ob->horizon = time(NULL);
	kick(ob, -1);
}

size_t
outbox_waiting(const struct outbox *ob)
{
	const struct entry *e;
	size_t n = 0;

	TAILQ_FOREACH(e, &ob->list, link)
		n++;
	return n;
}

size_t
outbox_failed(const struct outbox *ob)
{
	return ob->nfailed;
}

void
outbox_free(struct outbox *ob)
{
	struct entry *e;
	size_t i;

	if (ob == NULL)
		return;
	while (ob->nsends > 0) {
		struct sending *s = ob->sends[0];

		notify_cancel(s->att);
		sending_forget(ob, s);
	}
	worker_drain(ob->io);
	worker_free(ob->net);
	while ((e = TAILQ_FIRST(&ob->list)) != NULL) {
		TAILQ_REMOVE(&ob->list, e, link);
		entry_free(e);
	}
	for (i = 0; i < ob->nrates; i++) {
		free(ob->rates[i].channel);
		free(ob->rates[i].sent);
	}
	free(ob->rates);
	free(ob->sends);
	event_free(ob->timer);
	free(ob->dir);
	free(ob->journal);
	free(ob->claimer);
	free(ob);
}
