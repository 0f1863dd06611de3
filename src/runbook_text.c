/* A runbook as text for people: each step as the prompt shows it before it
 * runs, criteria, and the whole dry run. */
#include "runbook.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "runbook_priv.h"

/*
 * A redis command as the words that run (secrets masked), each quoted when
 * it holds blanks, quotes or control characters, so that the value of a
 * parameter reads as the one argument it is.
 */
static char *
redis_show(const struct runbook *rb, char *const *values, const char *text)
{
	struct buf b;
	char **w, *cause = NULL;
	const char *p;
	size_t n, i;

	if (runbook_redis_words(rb, values, text, 1, &w, &n, &cause) != 0) {
		free(cause);
		return runbook_subst(rb, values, text, RUNBOOK_SUBST_RAW, 1);
	}
	buf_init(&b);
	buf_adds(&b, "");
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(&b, ' ');
		if (*w[i] != '\0' && strpbrk(w[i], " \t\r\n'\"\\") == NULL) {
			buf_adds(&b, w[i]);
			free(w[i]);
			continue;
		}
		buf_addc(&b, '"');
		for (p = w[i]; *p != '\0'; p++) {
			if (*p == '\n')
				buf_adds(&b, "\\n");
			else if (*p == '\t')
				buf_adds(&b, "\\t");
			else if (*p == '\r')
				buf_adds(&b, "\\r");
			else {
				if (*p == '"' || *p == '\\')
					buf_addc(&b, '\\');
				buf_addc(&b, *p);
			}
		}
		buf_addc(&b, '"');
		free(w[i]);
	}
	free(w);
	return buf_detach(&b);
}

static void
add_lines(struct buf *b, const char *prefix, const char *label,
    const char *text)
{
	const char *nl;

	buf_printf(b, "%s%s", prefix, label);
	while ((nl = strchr(text, '\n')) != NULL) {
		buf_add(b, text, (size_t)(nl - text + 1));
		buf_printf(b, "%s%*s", prefix, (int)strlen(label), "");
		text = nl + 1;
	}
	buf_printf(b, "%s\n", text);
}

/* A criterion as the prompt and the dry run show it, on one line. */
char *
runbook_criterion_text(const struct runbook *rb, char *const *values,
    const struct step *c)
{
	struct buf b;
	char *s;

	buf_init(&b);
	switch (c->kind) {
	case STEP_WAIT:
		buf_printf(&b, "check %s is %s%s", c->checks[0],
		    runbook_health_name(c->worst), c->worst ==
		    RUNBOOK_HEALTH_OK ? "" : " or better");
		break;
	case STEP_HTTP:
		s = runbook_subst(rb, values, c->text, RUNBOOK_SUBST_URL, 1);
		buf_printf(&b, "%s %s answers ", c->method, s);
		free(s);
		if (c->expect_status > 0)
			buf_printf(&b, "%lld", c->expect_status);
		else
			buf_adds(&b, "2xx");
		break;
	default:
		s = runbook_subst(rb, values, c->text, RUNBOOK_SUBST_SHELL, 1);
		buf_printf(&b, "$ %s exits 0", s);
		free(s);
		break;
	}
	return buf_detach(&b);
}

/* The criteria of a criteria step, one per line. */
static void
criteria_text(struct buf *b, const struct runbook *rb, char *const *values,
    const struct step *st, const char *prefix)
{
	char *s, *label;
	size_t i;

	buf_printf(b, "%ssucceeds when every criterion passes (all are "
	    "judged):\n", prefix);
	for (i = 0; i < st->ncriteria; i++) {
		s = runbook_criterion_text(rb, values, st->criteria[i]);
		label = xasprintf("%zu. ", i + 1);
		add_lines(b, prefix, label, s);
		free(label);
		free(s);
	}
}

/* A run step: the command, its directory and its environment. */
static void
run_text(struct buf *b, const struct runbook *rb, char *const *values,
    const struct step *st, const char *prefix)
{
	char *s;
	size_t i;

	s = runbook_subst(rb, values, st->text, RUNBOOK_SUBST_SHELL, 1);
	add_lines(b, prefix, "$ ", s);
	free(s);
	if (st->cwd != NULL) {
		s = runbook_subst(rb, values, st->cwd, RUNBOOK_SUBST_RAW, 1);
		buf_printf(b, "%sin: %s\n", prefix, s);
		free(s);
	}
	for (i = 0; i < st->nenv; i++) {
		s = runbook_subst(rb, values, st->env[i], RUNBOOK_SUBST_RAW,
		    1);
		buf_printf(b, "%senv: %s\n", prefix, s);
		free(s);
	}
	for (i = 0; i < st->nenv_pass; i++)
		buf_printf(b, "%senv: %s (from maintop's environment)\n",
		    prefix, st->env_pass[i]);
}

/* An sql or redis step: the statement or command and where it goes. */
static void
client_text(struct buf *b, const struct runbook *rb, char *const *values,
    const struct step *st, const char *prefix)
{
	char *s, *sub, *target;

	if (st->kind == STEP_SQL)
		s = runbook_subst(rb, values, st->text, RUNBOOK_SUBST_SQL, 1);
	else
		s = redis_show(rb, values, st->text);
	target = st->check != NULL ? check_target(st->check) : NULL;
	sub = xasprintf("%s on %s%s%s%s: ", runbook_kind_name(st->kind),
	    st->on != NULL ? st->on : "?", target != NULL ? " (" : "",
	    target != NULL ? target : "", target != NULL ? ")" : "");
	add_lines(b, prefix, sub, s);
	free(target);
	free(sub);
	free(s);
}

/* An http step: the request, what it expects, its headers and body. */
static void
http_text(struct buf *b, const struct runbook *rb, char *const *values,
    const struct step *st, const char *prefix)
{
	char *s;
	size_t i;

	s = runbook_subst(rb, values, st->text, RUNBOOK_SUBST_URL, 1);
	buf_printf(b, "%s%s %s (expect ", prefix, st->method, s);
	if (st->expect_status > 0)
		buf_printf(b, "%lld)\n", st->expect_status);
	else
		buf_adds(b, "2xx)\n");
	free(s);
	for (i = 0; i < st->nheaders; i++) {
		s = runbook_http_header(rb, values, st->headers[i], 1);
		add_lines(b, prefix, "header: ", s);
		free(s);
	}
	if (st->body != NULL) {
		s = runbook_subst(rb, values, st->body, RUNBOOK_SUBST_RAW, 1);
		add_lines(b, prefix, "body: ", s);
		free(s);
	}
}

/* The line of a step's timeout, confirmation and policies. */
static void
flags_text(struct buf *b, const struct step *st, const char *prefix)
{
	char dur[32];

	buf_printf(b, "%s", prefix);
	if (st->timeout > 0) {
		util_format_duration(st->timeout, dur, sizeof dur);
		buf_printf(b, "timeout %s", dur);
	} else
		buf_adds(b, "no timeout");
	buf_adds(b, st->confirm ? ", confirm" : ", no confirmation");
	if (st->danger)
		buf_adds(b, ", DANGER (type the runbook's name)");
	if (st->continue_on_error)
		buf_adds(b, ", continue on error");
	if (st->interactive)
		buf_adds(b, ", interactive");
	if (st->on_failure != RUNBOOK_INHERIT)
		buf_printf(b, ", on failure %s",
		    runbook_policy_name(st->on_failure));
	if (st->always)
		buf_adds(b, ", always");
	if (st->kind == STEP_PAUSE)
		buf_adds(b, st->unattended_continue ? ", unattended: continue"
		    : ", unattended: fail");
	buf_addc(b, '\n');
}

char *
runbook_step_text(const struct runbook *rb, char *const *values,
    const struct step *st, const char *prefix)
{
	struct buf b;
	char *s, *sub;
	size_t i;

	buf_init(&b);
	buf_adds(&b, "");
	switch (st->kind) {
	case STEP_RUN:
		run_text(&b, rb, values, st, prefix);
		break;
	case STEP_SQL:
	case STEP_REDIS:
		client_text(&b, rb, values, st, prefix);
		break;
	case STEP_HTTP:
		http_text(&b, rb, values, st, prefix);
		break;
	case STEP_WAIT:
		buf_printf(&b, "%swait until healthy:", prefix);
		for (i = 0; i < st->nchecks; i++)
			buf_printf(&b, " %s", st->checks[i]);
		buf_addc(&b, '\n');
		break;
	case STEP_PAUSE:
		s = runbook_subst(rb, values, st->text, RUNBOOK_SUBST_RAW, 1);
		add_lines(&b, prefix, "pause: ", s);
		free(s);
		break;
	case STEP_CRITERIA:
		criteria_text(&b, rb, values, st, prefix);
		break;
	}
	flags_text(&b, st, prefix);
	for (i = 0; i < st->nrollback; i++) {
		sub = xasprintf("%s  rollback: ", prefix);
		s = runbook_step_text(rb, values, st->rollback[i], sub);
		buf_adds(&b, s);
		free(s);
		free(sub);
	}
	return buf_detach(&b);
}

char *
runbook_dry_run(const struct runbook *rb, char *const *values)
{
	struct buf b;
	const struct runbook_param *p;
	char *s, dur[32];
	size_t i;

	buf_init(&b);
	buf_printf(&b, "runbook %s", rb->name);
	if (rb->description != NULL)
		buf_printf(&b, ": %s", rb->description);
	buf_addc(&b, '\n');
	for (i = 0; i < rb->nparams; i++) {
		p = &rb->params[i];
		buf_printf(&b, "  param %s = ", p->name);
		if (values == NULL)
			buf_adds(&b, "(unset)");
		else if (p->secret)
			buf_adds(&b, RUNBOOK_MASK);
		else
			runbook_quote_shell(&b, values[i] != NULL ? values[i] :
			    "");
		buf_addc(&b, '\n');
	}
	if (rb->nrequires_healthy > 0) {
		buf_adds(&b, "  requires healthy:");
		for (i = 0; i < rb->nrequires_healthy; i++) {
			buf_printf(&b, " %s", rb->requires_healthy[i]);
			if (rb->healthy_worst[i] != RUNBOOK_HEALTH_OK)
				buf_printf(&b, " (%s or better)",
				    runbook_health_name(rb->healthy_worst[i]));
		}
		buf_addc(&b, '\n');
	}
	if (rb->on_failure != RUNBOOK_ASK ||
	    rb->unattended_failure != RUNBOOK_ROLLBACK)
		buf_printf(&b, "  on failure: %s; unattended: %s\n",
		    runbook_policy_name(rb->on_failure),
		    runbook_policy_name(rb->unattended_failure));
	if (rb->budget > 0) {
		util_format_duration(rb->budget, dur, sizeof dur);
		buf_printf(&b, "  budget %s\n", dur);
	}
	for (i = 0; i < rb->nrequires; i++) {
		buf_printf(&b, "  requires a successful run of %s",
		    rb->requires[i].runbook);
		if (rb->requires[i].within > 0) {
			util_format_duration(rb->requires[i].within, dur,
			    sizeof dur);
			buf_printf(&b, " within %s", dur);
		}
		buf_addc(&b, '\n');
	}
	if (rb->require_window)
		buf_adds(&b, "  requires one of its maintenance windows\n");
	for (i = 0; i < rb->nsteps; i++) {
		buf_printf(&b, "step %zu/%zu: %s (%s)\n", i + 1, rb->nsteps,
		    rb->steps[i]->name, runbook_kind_name(rb->steps[i]->kind));
		s = runbook_step_text(rb, values, rb->steps[i], "    ");
		buf_adds(&b, s);
		free(s);
	}
	return buf_detach(&b);
}
