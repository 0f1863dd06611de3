/* Notification channels, events and one delivery attempt; see notify.h. */
#include "build.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <jansson.h>

#include "check.h"
#include "childenv.h"
#include "notify.h"
#include "proc.h"
#include "sanitize.h"
#include "util.h"
#include "worker.h"

/* The most of a webhook's or a child's answer kept for the message. */
#define NOTIFY_REPLY_MAX	4096
/* The largest event a channel is given (an event is small; this bounds a
 * step's output quoted in it). */
#define NOTIFY_EVENT_MAX	(256 * 1024)

static const char *const channel_keys[] = {
	"name", "type", "to", "from", "sendmail", "url", "format",
	"secret_headers", "command", "timeout", "rate", "retries", "backoff",
	NULL
};

const char *
notify_kind_name(enum channel_kind k)
{
	switch (k) {
	case CHANNEL_EMAIL:
		return "email";
	case CHANNEL_WEBHOOK:
		return "webhook";
	case CHANNEL_COMMAND:
		return "command";
	}
	return "?";
}

/* "N/DURATION": at most N messages per DURATION. */
static void
parse_rate(struct cfg_errors *e, const config_setting_t *g,
    struct channel *ch)
{
	const config_setting_t *s = config_setting_get_member(g, "rate");
	const char *v, *slash;
	char *end;
	long long n, per;

	if (s == NULL)
		return;
	v = config_setting_get_string(s);
	slash = v != NULL ? strchr(v, '/') : NULL;
	if (slash == NULL) {
		cfg_err(e, s, "rate must be \"COUNT/DURATION\", e.g. \"10/1h\"");
		return;
	}
	errno = 0;
	n = strtoll(v, &end, 10);
	if (end != slash || errno != 0 || n < 1 || n > 100000 ||
	    util_parse_duration(slash + 1, &per) != 0 || per < 1) {
		cfg_err(e, s, "rate must be \"COUNT/DURATION\" with a count "
		    "from 1 and a duration such as 10m or 1h, not \"%s\"", v);
		return;
	}
	ch->rate_count = n;
	ch->rate_per = per;
}

static void
parse_email(struct cfg_errors *e, const config_setting_t *g,
    struct channel *ch)
{
	size_t i;

	cfg_strlist(e, g, "to", 1, &ch->to, &ch->nto);
	for (i = 0; i < ch->nto; i++) {
		if (strchr(ch->to[i], '@') == NULL ||
		    strpbrk(ch->to[i], " \t\r\n<>,;\"") != NULL) {
			cfg_err(e, config_setting_get_member(g, "to"),
			    "'%s' is not a mail address", ch->to[i]);
		}
	}
	if (cfg_str(e, g, "from", 0, &ch->from) == 1 &&
	    (strchr(ch->from, '@') == NULL ||
	    strpbrk(ch->from, "\r\n<>,;\"") != NULL))
		cfg_err(e, config_setting_get_member(g, "from"),
		    "'%s' is not a mail address", ch->from);
	if (cfg_str(e, g, "sendmail", 0, &ch->sendmail) != 1)
		ch->sendmail = xstrdup("/usr/sbin/sendmail");
	else if (ch->sendmail[0] != '/')
		cfg_err(e, config_setting_get_member(g, "sendmail"),
		    "sendmail must be an absolute path");
}

/* The headers every webhook sends: a secret header may not repeat them. */
static char *const webhook_plain[] = { (char *)"Content-Type: x" };

static void
parse_webhook(struct cfg_errors *e, const config_setting_t *g,
    struct channel *ch)
{
	char *format = NULL;

	if (cfg_str(e, g, "url", 1, &ch->url) == 1 &&
	    strncmp(ch->url, "http://", 7) != 0 &&
	    strncmp(ch->url, "https://", 8) != 0)
		cfg_err(e, config_setting_get_member(g, "url"),
		    "url must start with http:// or https://");
	if (cfg_str(e, g, "format", 0, &format) == 1) {
		if (strcmp(format, "slack") == 0)
			ch->slack = 1;
		else if (strcmp(format, "generic") != 0)
			cfg_err(e, config_setting_get_member(g, "format"),
			    "format must be \"generic\" or \"slack\"");
	}
	free(format);
	check_secret_headers_parse(e, g, webhook_plain, 1, &ch->secrets,
	    &ch->nsecrets);
}

static void
parse_command(struct cfg_errors *e, const config_setting_t *g,
    struct channel *ch)
{
	if (cfg_strlist(e, g, "command", 1, &ch->argv, &ch->nargv) == 1 &&
	    (ch->nargv == 0 || ch->argv[0][0] != '/'))
		cfg_err(e, config_setting_get_member(g, "command"),
		    "command must be a list whose first element is the "
		    "program's absolute path (it runs without a shell)");
}

struct channel *
notify_channel_parse(struct cfg_errors *e, const config_setting_t *g)
{
	struct channel *ch = xcalloc(1, sizeof *ch);
	size_t before = e->nerrors;
	char *type = NULL;
	const char *const only[][2] = {
		{ "to", "email" }, { "from", "email" }, { "sendmail", "email" },
		{ "url", "webhook" }, { "format", "webhook" },
		{ "secret_headers", "webhook" },
		{ "command", "command" }, { NULL, NULL }
	};
	size_t i;

	ch->file = cfg_file(g) != NULL ? xstrdup(cfg_file(g)) : NULL;
	ch->line = cfg_line(g);
	ch->timeout_ms = 30000;
	ch->retries = 8;
	ch->backoff = 30;
	cfg_check_keys(e, g, channel_keys, "channel");
	cfg_str(e, g, "name", 1, &ch->name);
	if (cfg_str(e, g, "type", 1, &type) == 1) {
		if (strcmp(type, "email") == 0)
			ch->kind = CHANNEL_EMAIL;
		else if (strcmp(type, "webhook") == 0)
			ch->kind = CHANNEL_WEBHOOK;
		else if (strcmp(type, "command") == 0)
			ch->kind = CHANNEL_COMMAND;
		else
			cfg_err(e, config_setting_get_member(g, "type"),
			    "type must be \"email\", \"webhook\" or "
			    "\"command\", not \"%s\"", type);
		for (i = 0; only[i][0] != NULL && e->nerrors == before; i++) {
			if (config_setting_get_member(g, only[i][0]) != NULL &&
			    strcmp(only[i][1], notify_kind_name(ch->kind)) != 0)
				cfg_err(e, config_setting_get_member(g,
				    only[i][0]), "'%s' belongs to %s channels, "
				    "not %s ones", only[i][0], only[i][1], type);
		}
	}
	free(type);
	if (e->nerrors == before) {
		if (ch->kind == CHANNEL_EMAIL)
			parse_email(e, g, ch);
		else if (ch->kind == CHANNEL_WEBHOOK)
			parse_webhook(e, g, ch);
		else
			parse_command(e, g, ch);
	}
	{
		double ms;

		if (cfg_duration_ms(e, g, "timeout", 100, 600000, &ms) == 1)
			ch->timeout_ms = (long long)ms;
	}
	cfg_int(e, g, "retries", 0, 1, 100, &ch->retries);
	cfg_duration(e, g, "backoff", 0, 1, &ch->backoff);
	parse_rate(e, g, ch);
	if (e->nerrors != before) {
		notify_channel_free(ch);
		return NULL;
	}
	return ch;
}

void
notify_channel_free(struct channel *ch)
{
	if (ch == NULL)
		return;
	free(ch->name);
	cfg_strlist_free(ch->to, ch->nto);
	free(ch->from);
	free(ch->sendmail);
	free(ch->url);
	check_secret_headers_free(ch->secrets, ch->nsecrets);
	cfg_strlist_free(ch->argv, ch->nargv);
	free(ch->file);
	free(ch);
}

char *
notify_event_json(const char *id, const char *type, time_t when,
    const char *source, const char *subject, const char *text,
    const char *data_json)
{
	json_t *o, *data = NULL;
	char iso[32], *s;

	util_format_utc(when, iso, sizeof iso);
	if (data_json != NULL)
		data = json_loads(data_json, 0, NULL);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "id", id,
	    "type", type, "time", iso, "source", source != NULL ? source : "",
	    "subject", subject, "text", text != NULL ? text : "",
	    "data", data != NULL ? data : json_object());
	if (o == NULL)
		fatal("notify: cannot build an event (not UTF-8?)");
	s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	if (s == NULL)
		fatal("notify: cannot write an event");
	return s;
}

char *
notify_event_text(const char *event_json, char **subject)
{
	json_t *o = json_loads(event_json, 0, NULL);
	const char *subj = NULL, *text = NULL, *when = NULL, *id = NULL;
	char *out;

	if (o != NULL)
		json_unpack(o, "{s?s, s?s, s?s, s?s}", "subject", &subj,
		    "text", &text, "time", &when, "id", &id);
	*subject = sanitize_cstr(subj != NULL ? subj : "maintop event", 0);
	out = xasprintf("%s\n\n%s%sTime: %s\nEvent: %s\n", *subject,
	    text != NULL ? text : "", text != NULL && *text != '\0' ? "\n\n" :
	    "", when != NULL ? when : "?", id != NULL ? id : "?");
	json_decref(o);
	{
		char *clean = sanitize_cstr(out, SANITIZE_KEEP_NEWLINES);

		free(out);
		out = clean;
	}
	return out;
}

/* --- one attempt ---------------------------------------------------------- */

struct notify_attempt {
	struct event_base	*base;
	notify_done_cb		*done;
	void			*arg;
	int			 cancelled;
	int			 finished;

	/* A child (sendmail, command). */
	struct proc		*proc;
	int			 in_fd;		/* its stdin, we write */
	int			 out_fd;	/* its stdout+stderr, we read */
	struct event		*ev_in;
	struct event		*ev_out;
	struct event		*ev_timeout;
	struct evbuffer		*input;		/* what is left to write */
	struct buf		 reply;		/* what it said (bounded) */
	int			 exited;
	int			 status;
	int			 timed_out;

	/* A webhook, on the caller's worker. */
	char			*url;
	char			*body;
	struct check_secret_header *secrets;	/* copies */
	size_t			 nsecrets;
	char			**env_lines;	/* those of value_env, read on
						 * the loop (getenv there only) */
	int			 json;
	long long		 timeout_ms;
	long			 http_status;
	char			 curl_error[CURL_ERROR_SIZE];
	int			 curl_ok;
};

static void
attempt_free(struct notify_attempt *a)
{
	size_t i;

	if (a->ev_in != NULL)
		event_free(a->ev_in);
	if (a->ev_out != NULL)
		event_free(a->ev_out);
	if (a->ev_timeout != NULL)
		event_free(a->ev_timeout);
	if (a->in_fd >= 0)
		close(a->in_fd);
	if (a->out_fd >= 0)
		close(a->out_fd);
	if (a->input != NULL)
		evbuffer_free(a->input);
	if (a->proc != NULL)
		proc_free(a->proc);
	buf_free(&a->reply);
	free(a->url);
	free(a->body);
	check_secret_headers_free(a->secrets, a->nsecrets);
	for (i = 0; a->env_lines != NULL && i < a->nsecrets; i++)
		if (a->env_lines[i] != NULL) {
			explicit_bzero(a->env_lines[i], strlen(a->env_lines[i]));
			free(a->env_lines[i]);
		}
	free(a->env_lines);
	free(a);
}

/* Reports once, unless cancelled, then frees. */
static void
attempt_finish(struct notify_attempt *a, int ok, const char *fmt, ...)
    UTIL_PRINTF(3, 4);
static void
attempt_finish(struct notify_attempt *a, int ok, const char *fmt, ...)
{
	va_list ap;
	char *msg, *clean;

	if (a->finished)
		return;
	a->finished = 1;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	clean = sanitize_cstr(msg, 0);
	if (!a->cancelled)
		a->done(ok, clean, a->arg);
	free(clean);
	free(msg);
	attempt_free(a);
}

/* A child's outcome, once it has exited and its output is read. */
static void
child_report(struct notify_attempt *a)
{
	size_t len = a->reply.len;

	if (!a->exited || a->out_fd >= 0)
		return;
	while (len > 0 && (a->reply.s[len - 1] == '\n' ||
	    a->reply.s[len - 1] == '\r'))
		len--;
	if (a->reply.s != NULL)
		a->reply.s[len] = '\0';
	if (a->timed_out)
		attempt_finish(a, 0, "timed out%s%s", len > 0 ? ": " : "",
		    len > 0 ? a->reply.s : "");
	else if (WIFEXITED(a->status) && WEXITSTATUS(a->status) == 0)
		attempt_finish(a, 1, "delivered%s%s", len > 0 ? ": " : "",
		    len > 0 ? a->reply.s : "");
	else if (WIFEXITED(a->status))
		attempt_finish(a, 0, "exit %d%s%s", WEXITSTATUS(a->status),
		    len > 0 ? ": " : "", len > 0 ? a->reply.s : "");
	else
		attempt_finish(a, 0, "killed by signal %d%s%s",
		    WTERMSIG(a->status), len > 0 ? ": " : "",
		    len > 0 ? a->reply.s : "");
}

static void
on_child_exit(struct proc *p, int status, void *arg)
{
	struct notify_attempt *a = arg;

	a->exited = 1;
	a->status = status;
	child_report(a);
}

static void
on_child_output(evutil_socket_t fd, short what, void *arg)
{
	struct notify_attempt *a = arg;
	char tmp[1024];
	ssize_t n;

	n = read(fd, tmp, sizeof tmp);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		if (a->reply.len < NOTIFY_REPLY_MAX)
			buf_add(&a->reply, tmp, (size_t)n);
		return;
	}
	event_free(a->ev_out);
	a->ev_out = NULL;
	close(a->out_fd);
	a->out_fd = -1;
	child_report(a);
}

static void
on_child_input(evutil_socket_t fd, short what, void *arg)
{
	struct notify_attempt *a = arg;

	if (evbuffer_get_length(a->input) > 0 &&
	    evbuffer_write(a->input, fd) < 0 && errno != EAGAIN &&
	    errno != EINTR)
		evbuffer_drain(a->input, evbuffer_get_length(a->input));
	if (evbuffer_get_length(a->input) == 0) {
		event_free(a->ev_in);
		a->ev_in = NULL;
		close(a->in_fd);
		a->in_fd = -1;
	}
}

static void
on_child_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct notify_attempt *a = arg;

	a->timed_out = 1;
	proc_signal(a->proc, SIGKILL);
}

/* The mail for sendmail -t: headers from the channel, then the text. */
static char *
email_message(const struct channel *ch, const char *event_json)
{
	struct buf b;
	char *subject, *text, *id = NULL;
	json_t *o = json_loads(event_json, 0, NULL);
	size_t i;

	if (o != NULL) {
		const char *s = NULL;

		json_unpack(o, "{s?s}", "id", &s);
		if (s != NULL)
			id = sanitize_cstr(s, 0);
		json_decref(o);
	}
	text = notify_event_text(event_json, &subject);
	buf_init(&b);
	buf_adds(&b, "To: ");
	for (i = 0; i < ch->nto; i++)
		buf_printf(&b, "%s%s", i > 0 ? ", " : "", ch->to[i]);
	buf_adds(&b, "\n");
	if (ch->from != NULL)
		buf_printf(&b, "From: %s\n", ch->from);
	buf_printf(&b, "Subject: [maintop] %s\n", subject);
	buf_adds(&b, "MIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=UTF-8\n"
	    "Content-Transfer-Encoding: 8bit\n"
	    "Auto-Submitted: auto-generated\n");
	if (id != NULL)
		buf_printf(&b, "X-Maintop-Event: %s\n", id);
	buf_adds(&b, "\n");
	/* A line of a lone "." ends the message for some MTAs without -i. */
	buf_adds(&b, text);
	free(text);
	free(subject);
	free(id);
	return buf_detach(&b);
}

/* MAINTOP_EVENT_ID, _TYPE, _SOURCE, _SUBJECT and _TIME for a command. */
static char **
command_env(const char *event_json)
{
	static const char *const keys[] = { "id", "type", "source", "subject",
	    "time", NULL };
	json_t *o = json_loads(event_json, 0, NULL), *v;
	char **set = NULL, **env, *upper, *clean;
	size_t n = 0, i, k;

	for (i = 0; o != NULL && keys[i] != NULL; i++) {
		v = json_object_get(o, keys[i]);
		if (!json_is_string(v))
			continue;
		upper = xstrdup(keys[i]);
		for (k = 0; upper[k] != '\0'; k++)
			upper[k] = (char)(upper[k] - 'a' + 'A');
		clean = sanitize_cstr(json_string_value(v), 0);
		strv_add(&set, &n, xasprintf("MAINTOP_EVENT_%s=%s", upper,
		    clean));
		free(clean);
		free(upper);
	}
	json_decref(o);
	env = childenv_build(NULL, set);
	strv_free(set);
	return env;
}

static struct notify_attempt *
deliver_child(struct event_base *base, const struct channel *ch,
    const char *event_json, struct notify_attempt *a)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 };
	struct proc_spec spec;
	char *argv_mail[5], **argv, **env, *cause = NULL, *input;
	struct timeval tv;

	if (ch->kind == CHANNEL_EMAIL) {
		argv_mail[0] = ch->sendmail;
		argv_mail[1] = (char *)"-t";
		argv_mail[2] = (char *)"-oi";
		argv_mail[3] = NULL;
		argv = argv_mail;
		input = email_message(ch, event_json);
		env = childenv_build(NULL, NULL);
	} else {
		argv = ch->argv;
		input = xasprintf("%s\n", event_json);
		env = command_env(event_json);
	}
	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
		free(input);
		childenv_free(env);
		if (in[0] >= 0) {
			close(in[0]);
			close(in[1]);
		}
		attempt_finish(a, 0, "pipe: %s", strerror(errno));
		return NULL;
	}
	memset(&spec, 0, sizeof spec);
	spec.path = argv[0];
	spec.argv = argv;
	spec.envp = env;
	spec.group = PROC_SESSION;
	spec.fd_in = in[0];
	spec.fd_out = out[1];
	spec.fd_err = out[1];
	a->proc = proc_spawn(base, &spec, on_child_exit, a, &cause);
	childenv_free(env);
	close(in[0]);
	close(out[1]);
	a->in_fd = in[1];
	a->out_fd = out[0];
	if (a->proc == NULL) {
		free(input);
		attempt_finish(a, 0, "cannot start %s: %s", argv[0], cause);
		free(cause);
		return NULL;
	}
	evutil_make_socket_nonblocking(a->in_fd);
	evutil_make_socket_nonblocking(a->out_fd);
	a->input = evbuffer_new();
	evbuffer_add(a->input, input, strlen(input));
	free(input);
	a->ev_in = event_new(base, a->in_fd, EV_WRITE | EV_PERSIST,
	    on_child_input, a);
	a->ev_out = event_new(base, a->out_fd, EV_READ | EV_PERSIST,
	    on_child_output, a);
	a->ev_timeout = evtimer_new(base, on_child_timeout, a);
	if (a->ev_in == NULL || a->ev_out == NULL || a->ev_timeout == NULL)
		fatal("notify: cannot make events");
	event_add(a->ev_in, NULL);
	event_add(a->ev_out, NULL);
	tv.tv_sec = (time_t)(ch->timeout_ms / 1000);
	tv.tv_usec = (suseconds_t)(ch->timeout_ms % 1000) * 1000;
	evtimer_add(a->ev_timeout, &tv);
	return a;
}

static size_t
webhook_reply(char *data, size_t size, size_t n, void *arg)
{
	struct notify_attempt *a = arg;

	if (a->reply.len < NOTIFY_REPLY_MAX)
		buf_add(&a->reply, data, size * n);
	return size * n;
}

/* Frees a header list, its secret values wiped first. */
static void
webhook_wipe(struct curl_slist *h)
{
	struct curl_slist *l;

	for (l = h; l != NULL; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(h);
}

/*
 * Reads the secret headers given by value_env, on the loop's thread: the
 * environment is changed there (the time zone), so it is read there only.
 * A failure leaves the reason in curl_error (never the value).
 */
static void
webhook_env(struct notify_attempt *a)
{
	char *cause = NULL;
	size_t i;

	a->env_lines = xcalloc(a->nsecrets + 1, sizeof *a->env_lines);
	for (i = 0; i < a->nsecrets; i++) {
		if (a->secrets[i].value_env == NULL)
			continue;
		if (check_secret_header_line(&a->secrets[i], &a->env_lines[i],
		    &cause) != 0) {
			snprintf(a->curl_error, sizeof a->curl_error, "%s",
			    cause);
			free(cause);
			return;
		}
	}
}

/*
 * Adds the secret headers, read now (a rotated token is picked up at the
 * next delivery).  curl_slist_append copies the line, which is wiped at
 * once; webhook_wipe wipes that copy.  Returns 0, or -1 with the reason
 * in curl_error: it names the variable or file, never the value.
 */
static int
webhook_secrets(struct notify_attempt *a, struct curl_slist **h)
{
	struct curl_slist *l;
	char *line = NULL, *cause = NULL;
	size_t i;

	for (i = 0; i < a->nsecrets; i++) {
		if (a->env_lines[i] != NULL) {
			line = a->env_lines[i];
			a->env_lines[i] = NULL;
		} else if (check_secret_header_line(&a->secrets[i], &line,
		    &cause) != 0) {
			snprintf(a->curl_error, sizeof a->curl_error, "%s",
			    cause);
			free(cause);
			return -1;
		}
		l = curl_slist_append(*h, line);
		explicit_bzero(line, strlen(line));
		free(line);
		if (l == NULL)
			fatal("curl_slist_append: out of memory");
		*h = l;
	}
	return 0;
}

/* On the worker thread: the POST, with libcurl's easy interface. */
static void
webhook_work(void *arg)
{
	struct notify_attempt *a = arg;
	struct curl_slist *h = NULL;
	CURL *c;
	CURLcode rc;

	if (a->curl_error[0] != '\0')
		return;		/* a value_env could not be read */
	c = curl_easy_init();
	if (c == NULL) {
		snprintf(a->curl_error, sizeof a->curl_error, "curl failed");
		return;
	}
	h = curl_slist_append(h, a->json ? "Content-Type: application/json" :
	    "Content-Type: text/plain");
	if (webhook_secrets(a, &h) != 0) {
		webhook_wipe(h);
		curl_easy_cleanup(c);
		return;
	}
	curl_easy_setopt(c, CURLOPT_URL, a->url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, a->body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(a->body));
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)a->timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "maintop/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, a->curl_error);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, webhook_reply);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK) {
		a->curl_ok = 1;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->http_status);
	} else if (a->curl_error[0] == '\0')
		snprintf(a->curl_error, sizeof a->curl_error, "%s",
		    curl_easy_strerror(rc));
	webhook_wipe(h);
	curl_easy_cleanup(c);
}

/* Back on the loop. */
static void
webhook_done(void *arg)
{
	struct notify_attempt *a = arg;
	size_t len = a->reply.len < 200 ? a->reply.len : 200;
	char *body = xstrndup(a->reply.s != NULL ? a->reply.s : "", len);

	if (!a->curl_ok)
		attempt_finish(a, 0, "%s", a->curl_error);
	else if (a->http_status >= 200 && a->http_status < 300)
		attempt_finish(a, 1, "delivered: HTTP %ld", a->http_status);
	else
		attempt_finish(a, 0, "HTTP %ld%s%s", a->http_status,
		    len > 0 ? ": " : "", body);
	free(body);
}

static char *
webhook_body(const struct channel *ch, const char *event_json)
{
	char *subject, *text, *s;
	json_t *o;

	if (!ch->slack)
		return xstrdup(event_json);
	text = notify_event_text(event_json, &subject);
	o = json_pack("{s:s}", "text", text);
	s = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	free(text);
	free(subject);
	return s != NULL ? s : xstrdup("{\"text\":\"maintop event\"}");
}

struct notify_attempt *
notify_deliver(struct event_base *base, struct worker *w,
    const struct channel *ch, const char *event_json, notify_done_cb *done,
    void *arg)
{
	struct notify_attempt *a = xcalloc(1, sizeof *a);

	a->base = base;
	a->done = done;
	a->arg = arg;
	a->in_fd = a->out_fd = -1;
	buf_init(&a->reply);
	if (strlen(event_json) > NOTIFY_EVENT_MAX) {
		attempt_finish(a, 0, "the event is larger than %d bytes",
		    NOTIFY_EVENT_MAX);
		return NULL;
	}
	if (ch->kind != CHANNEL_WEBHOOK)
		return deliver_child(base, ch, event_json, a);
	a->url = xstrdup(ch->url);
	a->body = webhook_body(ch, event_json);
	a->secrets = check_secret_headers_copy(ch->secrets, ch->nsecrets);
	a->nsecrets = ch->nsecrets;
	a->json = 1;
	a->timeout_ms = ch->timeout_ms;
	webhook_env(a);
	worker_run(w, webhook_work, webhook_done, a);
	return a;
}

void
notify_cancel(struct notify_attempt *a)
{
	if (a == NULL)
		return;
	a->cancelled = 1;
	if (a->url == NULL)
		attempt_finish(a, 0, "cancelled");	/* a child: free now */
	/* A webhook's job still refers to a: webhook_done frees it. */
}
