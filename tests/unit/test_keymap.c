/* Unit tests for the key table: every request bound and described, no key
 * with two meanings, key names read back, rebinding and its refusals, and
 * maintop(1)'s KEYS section equal to the table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keymap.h"
#include "util.h"
#include "tap.h"

/* doc/maintop.1 from ".SH KEYS" up to the next ".SH", without the line. */
static char *
man_keys_section(void)
{
	FILE *f = fopen(MAN_PAGE, "r");
	struct buf b;
	char line[1024];
	int in = 0;

	if (f == NULL)
		return NULL;
	buf_init(&b);
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, ".SH ", 4) == 0) {
			if (in)
				break;
			in = strcmp(line, ".SH KEYS\n") == 0;
			continue;
		}
		if (in)
			buf_adds(&b, line);
	}
	fclose(f);
	if (b.s == NULL)
		buf_adds(&b, "");
	return buf_detach(&b);
}

static void
test_table(void)
{
	struct keymap *km = keymap_new();
	int keys[8], r, bad = 0, twice = 0, unnamed = 0;
	size_t n, i;

	for (r = 1; r < REQ_COUNT; r++) {
		if (keymap_requests[r].name == NULL ||
		    keymap_requests[r].help == NULL ||
		    *keymap_requests[r].help == '\0' ||
		    (int)keymap_request_find(keymap_requests[r].name) != r)
			unnamed++;
		n = keymap_keys(km, (enum request)r, keys, 8);
		if (n == 0) {
			printf("# %s has no key\n", keymap_requests[r].name);
			bad++;
		}
		for (i = 0; i < n; i++) {
			/* One meaning on the dashboard, one in a form. */
			if ((int)(keymap_requests[r].section == KS_FORM ?
			    keymap_form_lookup(km, keys[i]) :
			    keymap_lookup(km, keys[i])) != r) {
				printf("# key %s means two things\n",
				    keymap_key_name(keys[i]));
				twice++;
			}
			if (keymap_key_parse(keymap_key_name(keys[i])) !=
			    keys[i])
				bad++;
		}
	}
	is_int(unnamed, 0, "every request has a unique name and a help line");
	is_int(bad, 0, "every request has a key, and every key's name reads "
	    "back");
	is_int(twice, 0, "no key means two things (on the dashboard, or in a "
	    "form)");
	is_int(keymap_lookup(km, 'r'), REQ_RESOLVE, "r resolves (only)");
	is_int(keymap_lookup(km, 'p'), REQ_PROBE_NOW, "p probes now");
	is_int(keymap_lookup(km, 'y'), REQ_CONFIRM, "y confirms");
	is_int(keymap_lookup(km, 'q'), REQ_QUIT, "q closes or quits");
	is_int(keymap_lookup(km, 'Q'), REQ_QUIT_NOW, "Q quits at once");
	is_int(keymap_lookup(km, 'x'), REQ_NONE, "an unbound key means nothing");
	is_int(keymap_lookup(km, KEYMAP_TAB), REQ_NEXT_PANE,
	    "Tab: the next pane on the dashboard");
	is_int(keymap_form_lookup(km, KEYMAP_TAB), REQ_FIELD_NEXT,
	    "Tab: the next field in a form");
	is_int(keymap_form_lookup(km, 'q'), REQ_NONE,
	    "q types in a form (no form request)");
	is_int(keymap_lookup(km, 21), REQ_NONE,
	    "C-u means nothing on the dashboard");
	is_int(keymap_form_lookup(km, KEYMAP_BACKSPACE), REQ_ERASE_BACK,
	    "BS erases in a form");
	keymap_free(km);
}

static void
test_names(void)
{
	is_int(keymap_key_parse("C-c"), 3, "C-c");
	is_int(keymap_key_parse("Tab"), KEYMAP_TAB, "Tab");
	is_int(keymap_key_parse("S-Tab"), KEYMAP_BTAB, "S-Tab");
	is_int(keymap_key_parse("F10"), KEYMAP_F1 + 9, "F10");
	is_int(keymap_key_parse("F13"), -1, "F13 is not a key");
	is_int(keymap_key_parse("F1x"), -1, "F1x is not a key");
	is_int(keymap_key_parse("C-"), -1, "C- alone is not a key");
	is_int(keymap_key_parse(""), -1, "nothing is not a key");
	is_int(keymap_key_parse("qq"), -1, "two characters are not a key");
	is_int(keymap_key_parse("\x7f"), -1, "DEL is not a key name");
	is_str(keymap_key_name(3), "C-c", "C-c's name");
	is_str(keymap_key_name(KEYMAP_PGDN), "PgDn", "PgDn's name");
}

static void
test_bind(void)
{
	struct keymap *km = keymap_new();
	const char *p[] = { "P" }, *two[] = { "x", "F5" }, *taken[] = { "j" };
	const char *bad[] = { "Ctrl-x" };
	char *cause = NULL;

	ok(keymap_bind(km, "probe_now", p, 1, &cause) == 0,
	    "probe_now can move to P");
	is_int(keymap_lookup(km, 'P'), REQ_PROBE_NOW, "P probes now");
	is_int(keymap_lookup(km, 'p'), REQ_NONE, "p no longer does");
	ok(keymap_bind(km, "quit", two, 2, &cause) == 0, "quit on two keys");
	is_int(keymap_lookup(km, KEYMAP_F1 + 4), REQ_QUIT, "F5 quits");
	is_int(keymap_first(km, REQ_QUIT), 'x', "the first key is x");

	ok(keymap_bind(km, "undo", taken, 1, &cause) == -1 && cause != NULL &&
	    strstr(cause, "already means 'down'") != NULL,
	    "a key already bound is refused, naming its meaning");
	free(cause);
	cause = NULL;
	is_int(keymap_lookup(km, 'u'), REQ_UNDO, "a refused change leaves "
	    "the old key");
	ok(keymap_bind(km, "undo", bad, 1, &cause) == -1 && cause != NULL &&
	    strstr(cause, "unknown key 'Ctrl-x'") != NULL,
	    "an unknown key name is refused");
	free(cause);
	cause = NULL;
	ok(keymap_bind(km, "frobnicate", p, 1, &cause) == -1 && cause != NULL &&
	    strstr(cause, "unknown key request 'frobnicate'") != NULL,
	    "an unknown request is refused");
	free(cause);
	cause = NULL;
	ok(keymap_bind(km, "undo", p, 0, &cause) == -1, "no key is refused");
	free(cause);
	cause = NULL;

	/* The forms' keys are a set of their own. */
	ok(keymap_bind(km, "field_next", taken, 1, &cause) == 0,
	    "a form request may take a key the dashboard uses (j)");
	is_int(keymap_form_lookup(km, 'j'), REQ_FIELD_NEXT, "j: next field in "
	    "a form");
	is_int(keymap_lookup(km, 'j'), REQ_DOWN, "and still down on the "
	    "dashboard");
	ok(keymap_bind(km, "cancel", taken, 1, &cause) == -1 && cause != NULL &&
	    strstr(cause, "already means 'field_next'") != NULL,
	    "a key two form requests want is refused");
	free(cause);
	keymap_free(km);
}

static void
test_man(void)
{
	struct keymap *km = keymap_new();
	char *want = keymap_man(km), *got = man_keys_section();

	ok(got != NULL, "doc/maintop.1 is readable");
	/* The table comes first; text about forms may follow it. */
	if (got != NULL && !ok(strncmp(got, want, strlen(want)) == 0 &&
	    (got[strlen(want)] == '\0' || strncmp(got + strlen(want), ".SS ",
	    4) == 0), "maintop(1)'s KEYS section is the key table "
	    "(MAINTOP_MAN_KEYS=1 prints it)"))
		printf("# got:\n%s# want:\n%s", got, want);
	if (getenv("MAINTOP_MAN_KEYS") != NULL)
		fputs(want, stderr);
	free(got);
	free(want);
	keymap_free(km);
}

int
main(void)
{
	test_table();
	test_names();
	test_bind();
	test_man();
	return tap_done();
}
