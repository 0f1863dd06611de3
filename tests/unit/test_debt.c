/* Tests of the debt list: item parsing, the debt file (round trip and hostile content), the store's
 * editing with undo, read-only refusal, concurrent edits and the journal. */
#include <event2/event.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "debt_pending.h"
#include "debt_store.h"
#include "fileio.h"
#include "journal.h"
#include "tap.h"
#include "util.h"
#include "worker.h"

#ifndef DEBT_FIXTURES
#define DEBT_FIXTURES "tests/debt"
#endif

static char tmpdir[] = "/tmp/test_debt.XXXXXX";
static struct settings settings;	/* only timezone is used */
static time_t now;			/* 2026-03-10T12:00:00Z */

static time_t
instant(const char *s)
{
	time_t t = 0;

	if (util_parse_iso8601(s, NULL, &t) != 0)
		printf("# bad instant %s\n", s);
	return t;
}

static time_t
date(const char *s, const char *tz)
{
	time_t t = 0;

	if (s != NULL && debt_parse_date(s, tz, &t) != 0)
		printf("# bad date %s\n", s);
	return t;
}

/* An item built in code: nsys systems named s1, s2, ... */
static struct debt_item *
mk(const char *id, enum debt_priority p, size_t nsys, const char *target,
    const char *created)
{
	struct debt_item *d = xcalloc(1, sizeof *d);
	size_t i;

	d->id = id != NULL ? xstrdup(id) : NULL;
	d->title = xasprintf("item %s", id != NULL ? id : "new");
	d->priority = p;
	d->systems = xcalloc(nsys + 1, sizeof *d->systems);
	for (i = 0; i < nsys; i++)
		d->systems[i] = xasprintf("s%zu", i + 1);
	d->nsystems = nsys;
	d->target = date(target, "UTC");
	d->created = date(created, "UTC");
	return d;
}

/* Parses `d = { ... };` and hands the group to debt_item_parse. */
static struct debt_item *
parse_one(const char *text, struct cfg_errors *e)
{
	config_t lc;
	struct debt_item *d = NULL;

	config_init(&lc);
	if (config_read_string(&lc, text) == CONFIG_TRUE)
		d = debt_item_parse(e, config_lookup(&lc, "d"), &settings);
	else
		printf("# libconfig: %s\n", config_error_text(&lc));
	config_destroy(&lc);
	return d;
}

/* True when some error (or warning) message contains s (and, when line is
 * not 0, is at that line). */
static int
has_error(const struct cfg_errors *e, const char *s, int line)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (strstr(e->v[i].msg, s) != NULL &&
		    (line == 0 || e->v[i].line == line))
			return 1;
	for (i = 0; i < e->n; i++)
		printf("# %s:%d: %s\n", e->v[i].file ? e->v[i].file : "-",
		    e->v[i].line, e->v[i].msg);
	return 0;
}

static void
test_parse(void)
{
	struct cfg_errors e = { 0 };
	struct debt_item *d;
	char buf[16];

	d = parse_one("d = { id = \"D-0001\"; title = \"Backups\"; priority = "
	    "\"High\"; systems = [\"db\", \"api\"]; effort = \"1d2h\"; "
	    "created = \"2026-01-02\"; target = \"2026-04-01\"; owner = "
	    "\"alice\"; description = \"line one\\nline two\"; impact = "
	    "\"x\"; plan = \"y\"; };", &e);
	ok(d != NULL && e.n == 0, "a full item parses");
	if (d != NULL) {
		is_str(d->id, "D-0001", "id");
		is_int(d->priority, DEBT_HIGH, "priority (any case)");
		is_int((long long)d->nsystems, 2, "systems");
		is_int(d->effort, 93600, "effort 1d2h");
		debt_format_date(d->target, "UTC", buf, sizeof buf);
		is_str(buf, "2026-04-01", "target date");
		is_int(d->status, DEBT_OPEN, "status defaults to open");
		is_int(d->source, DEBT_SOURCE_CONFIG, "source is the config");
		is_int(d->line, 1, "line of the group");
		is_str(d->description, "line one\nline two",
		    "a description may hold newlines");
	}
	debt_item_free(d);

	d = parse_one("d = { id = \"D-1\"; titel = \"x\"; priority = "
	    "\"low\"; };", &e);
	ok(d == NULL && has_error(&e, "did you mean 'title'", 1),
	    "an unknown key suggests the right one");
	ok(has_error(&e, "missing required key 'title'", 1),
	    "and the title is missing");
	cfg_errors_free(&e);

	d = parse_one("d = {\n title = \"x\";\n priority = \"low\"; };", &e);
	ok(d == NULL && has_error(&e, "missing required key 'id'", 0),
	    "id is required");
	cfg_errors_free(&e);

	d = parse_one("d = {\n id = \"D-1\";\n title = \"x\";\n priority = "
	    "\"low\";\n target = \"31/12/2026\"; };", &e);
	ok(d == NULL && has_error(&e, "'target' is not a date", 5),
	    "a malformed date is an error at its line");
	cfg_errors_free(&e);

	d = parse_one("d = { id = \"D-1\"; title = \"x\"; priority = "
	    "\"low\"; target = \"2026-02-30\"; };", &e);
	ok(d == NULL && has_error(&e, "not a date", 0),
	    "an impossible date is an error");
	cfg_errors_free(&e);

	d = parse_one("d = { id = \"D-1\"; title = \"x\"; priority = "
	    "\"soon\"; };", &e);
	ok(d == NULL && has_error(&e, "use \"high\", \"medium\" or \"low\"",
	    0), "an unknown priority names the choices");
	cfg_errors_free(&e);

	d = parse_one("d = { id = \"D-1\"; title = \"x\"; priority = "
	    "\"low\"; systems = [\"db\", \"db\"]; };", &e);
	ok(d == NULL && has_error(&e, "listed twice", 0),
	    "a system listed twice is an error");
	cfg_errors_free(&e);

	d = parse_one("d = { id = \"D-1\"; title = \"x\\x1b[2J\"; priority = "
	    "\"low\"; };", &e);
	ok(d == NULL && has_error(&e, "control character", 0),
	    "an escape sequence in a title is refused");
	cfg_errors_free(&e);

	d = parse_one("d = { id = \"D-1\"; title = \"x\"; priority = "
	    "\"low\"; status = \"resolved\"; resolved = \"2026-03-01\"; };",
	    &e);
	ok(d != NULL && d->status == DEBT_RESOLVED && d->resolved != 0,
	    "a resolved item with its date parses");
	debt_item_free(d);
	cfg_errors_free(&e);

	d = parse_one("d = { id = \"D-1\"; title = \"x\"; priority = "
	    "\"low\"; resolved = \"2026-03-01\"; };", &e);
	ok(d == NULL && has_error(&e, "status is open", 0),
	    "a resolved date on an open item is an error");
	cfg_errors_free(&e);

	d = parse_one("d = \"not a group\";", &e);
	ok(d == NULL && has_error(&e, "must be a group", 0),
	    "an element that is not a group is an error");
	cfg_errors_free(&e);
}

static void
test_resolve(void)
{
	struct config c;
	struct cfg_errors e = { 0 };
	struct debt_item *d = mk("D-0001", DEBT_LOW, 1, NULL, NULL);

	memset(&c, 0, sizeof c);
	c.settings = settings;
	d->line = 12;
	d->file = xstrdup("maintop.conf");
	c.debt = &d;
	c.ndebt = 1;
	debt_resolve(&c, &e);
	ok(e.n == 1 && e.nerrors == 0 && e.v[0].warning && e.v[0].line == 12 &&
	    strstr(e.v[0].msg, "system 's1' is not a configured check") !=
	    NULL, "an unknown system is a warning at the item's line");
	cfg_errors_free(&e);
	debt_item_free(d);
}

static char *
slurp(const char *path)
{
	char *data = NULL, *cause = NULL;
	size_t len;

	if (fileio_read(path, 16 << 20, &data, &len, &cause) != 0) {
		free(cause);
		return NULL;
	}
	return data;
}

static void
copy_fixture(const char *name, const char *to)
{
	char *from = xasprintf("%s/fixtures/%s", DEBT_FIXTURES, name);
	char *data, *cause = NULL;
	size_t len;

	if (fileio_read(from, 1 << 20, &data, &len, &cause) != 0) {
		printf("# %s\n", cause);
		free(cause);
	} else {
		fileio_write_atomic(to, data, len, 0600, &cause);
		free(data);
	}
	free(from);
}

static void
test_file(void)
{
	struct cfg_errors e = { 0 };
	struct debt_list l, l2;
	char *path = xasprintf("%s/good.conf", tmpdir), *cause = NULL;
	char *text, *text2;
	const struct debt_item *d;

	copy_fixture("good.conf", path);
	ok(debt_file_load(path, &settings, &l, NULL, &e) == 0 && e.n == 0 &&
	    l.n == 2, "a valid debt file loads");
	if (l.n == 2) {
		d = l.v[0];
		is_str(d->title, "Replace cron backups with pgBackRest",
		    "title");
		is_int(d->source, DEBT_SOURCE_STATE, "source is the file");
		is_int(d->line, 5, "line of the item");
		is_int(d->effort, 3 * 86400, "effort");
		is_str(l.v[1]->title, "Remove \"legacy\" Redis keys \\ cleanup",
		    "escapes are read");
		is_int(l.next_id, 5, "next_id");
	}
	text = debt_file_format(&l, &settings);
	ok(debt_file_parse(text, strlen(text), "mem", &settings, &l2, &e) ==
	    0 && l2.n == 2, "the formatted file parses again");
	text2 = debt_file_format(&l2, &settings);
	is_str(text2, text, "format, parse, format is stable");
	if (l2.n == 2) {
		is_str(l2.v[0]->description, l.v[0]->description,
		    "a description with a newline round-trips");
		is_int(l2.v[1]->resolved, l.v[1]->resolved,
		    "the resolved date round-trips");
	}
	free(text);
	free(text2);
	debt_list_free(&l2);

	/* Unicode and odd characters survive a save and a load. */
	free(l.v[0]->title);
	l.v[0]->title = xstrdup("Ünïcödé ✓ \"quoted\" back\\slash $x @include");
	l.v[0]->effort = 86400 + 3600 + 61;
	ok(debt_file_save(path, &l, &settings, NULL, &cause) == 0,
	    "save the changed list");
	ok(debt_file_load(path, &settings, &l2, NULL, &e) == 0 && l2.n == 2,
	    "and load it");
	if (l2.n == 2) {
		is_str(l2.v[0]->title, l.v[0]->title,
		    "a unicode title with quotes round-trips");
		is_int(l2.v[0]->effort, 86400 + 3600 + 61,
		    "an odd effort round-trips exactly");
	}
	debt_list_free(&l2);
	debt_list_free(&l);
	cfg_errors_free(&e);

	free(path);
	path = xasprintf("%s/none.conf", tmpdir);
	ok(debt_file_load(path, &settings, &l, NULL, &e) == 0 && l.n == 0 &&
	    e.n == 0, "a missing debt file is an empty list");
	free(path);
}

/*
 * Hostile files: each fails with an error at the right line, the store
 * built on it refuses changes, and the file is left byte for byte.
 */
static void
test_hostile(void)
{
	static const struct {
		const char	*file;
		int		 line;
		const char	*msg;
	} cases[] = {
		{ "garbage.conf", 1, "expected '=' or ':' after 'this'" },
		{ "wrong_types.conf", 5, "'title' must be a string" },
		{ "missing_id.conf", 3, "missing required key 'id'" },
		{ "bad_date.conf", 6, "'target' is not a date" },
		{ "bad_priority.conf", 5, "'priority' is \"urgent\"" },
		{ "unknown_key.conf", 4, "did you mean 'title'" },
		{ "duplicate.conf", 3, "duplicate debt id 'D-0001'" },
		{ "include.conf", 2, "@include is not allowed" },
		{ "escape.conf", 4, "control character" },
		{ "version2.conf", 1, "'version' is 2" },
		{ "not_a_list.conf", 3, "'debt' must be a list" },
		{ "resolved_nodate.conf", 2, "no 'resolved' date" },
		{ "bad_utf8.conf", 4, "not valid UTF-8" },
		{ "top_typo.conf", 2, "did you mean 'debt'" },
		{ "bad_id.conf", 2, "is not valid" },
	};
	struct cfg_errors e = { 0 };
	struct debt_store *st;
	char *path = xasprintf("%s/debt.conf", tmpdir), *before, *after;
	char *cause = NULL;
	struct buf b;
	size_t i;
	int r;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		copy_fixture(cases[i].file, path);
		before = slurp(path);
		st = debt_store_open(path, NULL, NULL, 0, &e);
		ok(e.nerrors > 0 && has_error(&e, cases[i].msg, cases[i].line),
		    "%s: error at line %d: %s", cases[i].file, cases[i].line,
		    cases[i].msg);
		ok(e.nerrors > 0 && e.v[0].file != NULL &&
		    strcmp(e.v[0].file, path) == 0, "%s: the error names the "
		    "file", cases[i].file);
		cause = NULL;
		r = debt_store_add(st, mk(NULL, DEBT_LOW, 0, NULL, NULL), now,
		    NULL, &cause);
		ok(r == -1 && cause != NULL && strstr(cause, "has errors") !=
		    NULL, "%s: changes are refused", cases[i].file);
		free(cause);
		after = slurp(path);
		ok(before != NULL && after != NULL && strcmp(before, after) ==
		    0, "%s: the file is untouched", cases[i].file);
		free(before);
		free(after);
		debt_store_free(st);
		cfg_errors_free(&e);
	}

	/* NUL bytes: libconfig would silently stop reading there. */
	ok(fileio_write_atomic(path, "version = 1;\n\0debt = ( );\n", 26, 0600,
	    &cause) == 0, "write a file with a NUL byte");
	st = debt_store_open(path, NULL, NULL, 0, &e);
	ok(has_error(&e, "NUL byte", 2), "a NUL byte is an error at its line");
	debt_store_free(st);
	cfg_errors_free(&e);

	/* Binary garbage. */
	buf_init(&b);
	for (i = 0; i < 4096; i++)
		buf_addc(&b, (char)((i * 7919 + 13) % 255 + 1));
	fileio_write_atomic(path, b.s, b.len, 0600, &cause);
	st = debt_store_open(path, NULL, NULL, 0, &e);
	ok(e.nerrors > 0 && e.v[0].line > 0, "binary garbage: an error with "
	    "a line");
	debt_store_free(st);
	cfg_errors_free(&e);
	buf_reset(&b);

	/* Too large: refused before parsing. */
	while (b.len <= DEBT_FILE_MAX)
		buf_adds(&b, "# a comment line that fills the file up to the "
		    "limit .......\n");
	fileio_write_atomic(path, b.s, b.len, 0600, &cause);
	st = debt_store_open(path, NULL, NULL, 0, &e);
	ok(has_error(&e, "too large", 0), "a huge file is refused");
	debt_store_free(st);
	cfg_errors_free(&e);
	buf_reset(&b);

	/* Deep nesting. */
	buf_adds(&b, "debt = ");
	for (i = 0; i < 100000; i++)
		buf_addc(&b, '(');
	fileio_write_atomic(path, b.s, b.len, 0600, &cause);
	st = debt_store_open(path, NULL, NULL, 0, &e);
	ok(e.nerrors > 0, "deep nesting is an error, not a crash");
	debt_store_free(st);
	cfg_errors_free(&e);
	buf_reset(&b);

	/* Wrong types deeper: a list of numbers, a group of groups. */
	buf_adds(&b, "debt = ( 1, \"two\", { id = \"D-1\"; title = \"t\"; "
	    "priority = \"low\"; systems = ( { a = 1; } ); } );\n");
	fileio_write_atomic(path, b.s, b.len, 0600, &cause);
	st = debt_store_open(path, NULL, NULL, 0, &e);
	ok(has_error(&e, "must be a group", 1) &&
	    has_error(&e, "must hold only strings", 1),
	    "wrong element types are errors");
	debt_store_free(st);
	cfg_errors_free(&e);
	buf_free(&b);

	/* A directory where the file should be. */
	unlink(path);
	mkdir(path, 0700);
	st = debt_store_open(path, NULL, NULL, 0, &e);
	ok(has_error(&e, "not a regular file", 0),
	    "a directory in place of the file is an error");
	debt_store_free(st);
	cfg_errors_free(&e);
	rmdir(path);
	free(path);
}

/* Journal records, collected. */
struct records {
	json_t	*v[64];
	int	 n;
};

static void
collect(const char *line, void *arg)
{
	struct records *r = arg;
	json_t *j = json_loads(line, 0, NULL);

	if (j != NULL && r->n < 64)
		r->v[r->n++] = j;
	else
		json_decref(j);
}

static void
records_free(struct records *r)
{
	int i;

	for (i = 0; i < r->n; i++)
		json_decref(r->v[i]);
	r->n = 0;
}

static const char *
rec_str(struct records *r, int i, const char *key)
{
	if (i >= r->n)
		return NULL;
	return json_string_value(json_object_get(r->v[i], key));
}

static void
test_store(void)
{
	struct cfg_errors e = { 0 };
	struct config c;
	struct debt_item *citem, **v;
	struct debt_store *st;
	struct records recs = { { 0 }, 0 };
	const struct debt_item *d;
	char *path = xasprintf("%s/store.conf", tmpdir);
	char *journal = xasprintf("%s/journal.jsonl", tmpdir);
	char *cause = NULL, *id = NULL, *before, *after, *text;
	size_t n;
	int r;

	/* A configuration with one item, D-0007. */
	memset(&c, 0, sizeof c);
	c.settings = settings;
	citem = parse_one("d = { id = \"D-0007\"; title = \"From config\"; "
	    "priority = \"low\"; };", &e);
	free(citem->file);
	citem->file = xstrdup("maintop.conf");
	c.debt = &citem;
	c.ndebt = 1;

	unlink(path);
	unlink(journal);
	st = debt_store_open(path, journal, &c, 0, &e);
	ok(e.n == 0 && debt_store_refusal(st) == NULL,
	    "a store opens on a missing file");
	ok(!debt_store_can_undo(st), "nothing to undo at first");

	r = debt_store_add(st, mk(NULL, DEBT_HIGH, 2, "2026-04-01", NULL), now,
	    &id, &cause);
	ok(r == 0, "add an item");
	is_str(id, "D-0008", "the new id follows the config's D-0007");
	d = debt_store_find(st, id);
	ok(d != NULL && d->created == date("2026-03-10", "UTC"),
	    "created is today");
	free(id);
	r = debt_store_add(st, mk(NULL, DEBT_LOW, 0, NULL, NULL), now, &id,
	    &cause);
	is_str(id, "D-0009", "the next add gets D-0009");
	free(id);

	cause = NULL;
	ok(debt_store_add(st, mk("D-0008", DEBT_LOW, 0, NULL, NULL), now,
	    NULL, &cause) == -1 && cause != NULL && strstr(cause,
	    "already used") != NULL, "adding an existing id is refused");
	free(cause);
	cause = NULL;
	d = NULL;
	{
		struct debt_item *bad = mk(NULL, DEBT_LOW, 0, NULL, NULL);

		free(bad->title);
		bad->title = xstrdup("  ");
		ok(debt_store_add(st, bad, now, NULL, &cause) == -1 &&
		    cause != NULL && strstr(cause, "title is empty") != NULL,
		    "an empty title is refused");
		free(cause);
	}

	/* Config items are read-only. */
	cause = NULL;
	ok(debt_store_resolve(st, "D-0007", now, &cause) == -1 && cause !=
	    NULL && strstr(cause, "comes from the configuration "
	    "(maintop.conf:1): edit it there") != NULL,
	    "resolving a config item is refused, naming the file");
	free(cause);
	cause = NULL;
	ok(debt_store_delete(st, "D-0999", now, &cause) == -1 && cause !=
	    NULL && strstr(cause, "no debt item") != NULL,
	    "an unknown id is refused");
	free(cause);

	n = debt_store_list(st, now, 0, &v);
	/* D-0008 scores 5 + 1 + 68/30; D-0007 and D-0009 score 1 each, and
	 * D-0007 has no created date, so it counts as the older. */
	ok(n == 3 && strcmp(v[0]->id, "D-0008") == 0 &&
	    strcmp(v[1]->id, "D-0007") == 0 && strcmp(v[2]->id, "D-0009") == 0,
	    "the list merges config and file, in score order");
	free(v);

	/* resolve, undo. */
	ok(debt_store_resolve(st, "D-0008", now, &cause) == 0, "resolve");
	d = debt_store_find(st, "D-0008");
	ok(d != NULL && d->status == DEBT_RESOLVED && d->resolved ==
	    date("2026-03-10", "UTC"), "the item is resolved today");
	cause = NULL;
	ok(debt_store_resolve(st, "D-0008", now, &cause) == -1 && cause !=
	    NULL, "resolving twice is refused");
	free(cause);
	n = debt_store_list(st, now, 0, &v);
	ok(n == 2, "resolved items are not listed by default");
	free(v);
	n = debt_store_list(st, now, 1, &v);
	ok(n == 3, "but are with all");
	free(v);
	ok(debt_store_can_undo(st), "the resolve can be undone");
	ok(debt_store_undo(st, now, &cause) == 0, "undo");
	d = debt_store_find(st, "D-0008");
	ok(d != NULL && d->status == DEBT_OPEN && d->resolved == 0,
	    "undo reopened the item");
	cause = NULL;
	ok(debt_store_undo(st, now, &cause) == -1 && cause != NULL &&
	    strcmp(cause, "nothing to undo") == 0, "only one level of undo");
	free(cause);

	/* reopen, delete, undo of a delete, undo of an add. */
	ok(debt_store_resolve(st, "D-0009", now, &cause) == 0 &&
	    debt_store_reopen(st, "D-0009", now, &cause) == 0,
	    "resolve and reopen");
	ok(debt_store_delete(st, "D-0009", now, &cause) == 0 &&
	    debt_store_find(st, "D-0009") == NULL, "delete");
	ok(debt_store_undo(st, now, &cause) == 0 &&
	    debt_store_find(st, "D-0009") != NULL, "undo brings it back");
	ok(debt_store_add(st, mk(NULL, DEBT_LOW, 0, NULL, NULL), now, &id,
	    &cause) == 0, "add another");
	ok(debt_store_undo(st, now, &cause) == 0 &&
	    debt_store_find(st, id) == NULL, "undo removes the added item");
	free(id);
	ok(debt_store_add(st, mk(NULL, DEBT_LOW, 0, NULL, NULL), now, &id,
	    &cause) == 0, "add after undo");
	is_str(id, "D-0011", "an undone add does not hand its id out again");
	free(id);

	/* edit keeps id, created and status. */
	{
		struct debt_item *ed = mk("ignored", DEBT_MEDIUM, 1, NULL,
		    NULL);

		free(ed->title);
		ed->title = xstrdup("Edited title");
		ok(debt_store_edit(st, "D-0008", ed, now, &cause) == 0,
		    "edit an item");
		d = debt_store_find(st, "D-0008");
		ok(d != NULL && strcmp(d->title, "Edited title") == 0 &&
		    d->priority == DEBT_MEDIUM && d->created ==
		    date("2026-03-10", "UTC"), "edit changed the fields, kept "
		    "the id and created date");
	}

	/* A second store (another maintop) sees the file as saved. */
	{
		struct debt_store *other;

		other = debt_store_open(path, journal, &c, 0, &e);
		ok(e.n == 0 && debt_store_find(other, "D-0011") != NULL,
		    "another store reads what this one saved");
		/* ... and changes it: this store must not overwrite it. */
		ok(debt_store_resolve(other, "D-0011", now, &cause) == 0,
		    "the other store resolves an item");
		before = slurp(path);
		cause = NULL;
		r = debt_store_delete(st, "D-0008", now, &cause);
		ok(r == -1 && cause != NULL && strcmp(cause, "debt file "
		    "changed on disk since it was read; reloaded") == 0,
		    "a concurrent change is detected");
		free(cause);
		after = slurp(path);
		ok(before != NULL && after != NULL && strcmp(before, after) ==
		    0, "the other store's change is not overwritten");
		free(before);
		free(after);
		d = debt_store_find(st, "D-0011");
		ok(d != NULL && d->status == DEBT_RESOLVED,
		    "the store reloaded and sees the other change");
		ok(debt_store_find(st, "D-0008") != NULL,
		    "the refused delete did nothing");
		ok(!debt_store_can_undo(st), "the reload dropped the undo");
		ok(debt_store_delete(st, "D-0008", now, &cause) == 0,
		    "after the reload the change goes through");
		debt_store_free(other);
	}

	/* The file locked by another maintop: the dashboard's store does
	 * not wait for it, refuses at once and changes nothing. */
	{
		char *lock = xasprintf("%s.lock", path);
		int lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

		ok(lfd >= 0 && flock(lfd, LOCK_EX) == 0,
		    "another process holds the lock");
		before = slurp(path);
		debt_store_set_nowait(st, 1);
		cause = NULL;
		r = debt_store_reopen(st, "D-0011", now, &cause);
		ok(r == -1 && cause != NULL && strstr(cause,
		    "another maintop is saving; nothing was changed") != NULL,
		    "nowait: refused at once with a clear message");
		free(cause);
		after = slurp(path);
		ok(before != NULL && after != NULL && strcmp(before, after) ==
		    0, "nowait: the file is untouched");
		free(before);
		free(after);
		d = debt_store_find(st, "D-0011");
		ok(d != NULL && d->status == DEBT_RESOLVED,
		    "nowait: the item is unchanged in memory");
		if (lfd >= 0)
			close(lfd);
		cause = NULL;
		ok(debt_store_reopen(st, "D-0011", now, &cause) == 0 &&
		    debt_store_resolve(st, "D-0011", now, &cause) == 0,
		    "the lock released: the change goes through");
		debt_store_set_nowait(st, 0);
		free(lock);
	}

	/* A hand edit with the same bytes is no change; other bytes are. */
	text = slurp(path);
	ok(fileio_write_atomic(path, text, strlen(text), 0600, &cause) == 0,
	    "rewrite the file with the same bytes (new inode)");
	ok(debt_store_reopen(st, "D-0011", now, &cause) == 0,
	    "the same content is not a conflict");
	free(text);
	text = slurp(path);
	text = xreallocarray(text, strlen(text) + 32, 1);
	strcat(text, "# edited by hand\n");
	fileio_write_atomic(path, text, strlen(text), 0600, &cause);
	free(text);
	cause = NULL;
	ok(debt_store_resolve(st, "D-0011", now, &cause) == -1 && cause !=
	    NULL && strstr(cause, "changed on disk") != NULL,
	    "a hand edit (same size or not) is a conflict");
	free(cause);
	unlink(path);
	cause = NULL;
	ok(debt_store_resolve(st, "D-0011", now, &cause) == -1 && cause !=
	    NULL && strstr(cause, "changed on disk") != NULL,
	    "a deleted file is a conflict too");
	free(cause);
	ok(debt_store_find(st, "D-0011") == NULL,
	    "and the store now holds the (empty) file");

	/* The journal: one record per change, with who and when. */
	ok(journal_foreach(journal, collect, &recs, &cause) == 0,
	    "read the journal");
	is_int(recs.n, 17, "one record per successful change");
	is_str(rec_str(&recs, 0, "type"), "debt", "type is debt");
	is_str(rec_str(&recs, 0, "action"), "add", "first: add");
	is_str(rec_str(&recs, 0, "id"), "D-0008", "with the id");
	is_str(rec_str(&recs, 0, "time"), "2026-03-10T12:00:00Z",
	    "with the time");
	ok(rec_str(&recs, 0, "user") != NULL, "with the user");
	ok(recs.n > 0 && json_object_get(recs.v[0], "ssh_client") != NULL &&
	    json_object_get(recs.v[0], "tty") != NULL,
	    "with ssh_client and tty");
	is_str(rec_str(&recs, 2, "action"), "resolve", "then resolve");
	is_str(rec_str(&recs, 3, "action"), "undo", "then undo");
	is_str(rec_str(&recs, 3, "undid"), "resolve", "naming what it undid");
	is_str(rec_str(&recs, 3, "id"), "D-0008", "and the item");
	is_str(rec_str(&recs, 6, "action"), "delete", "delete is recorded");
	records_free(&recs);

	debt_store_free(st);
	cfg_errors_free(&e);

	/* Read-only: every change refused, nothing written. */
	unlink(path);
	unlink(journal);
	st = debt_store_open(path, journal, &c, 1, &e);
	cause = NULL;
	ok(debt_store_add(st, mk(NULL, DEBT_LOW, 0, NULL, NULL), now, NULL,
	    &cause) == -1 && cause != NULL && strcmp(cause, "read-only mode") ==
	    0, "read-only: add refused");
	free(cause);
	cause = NULL;
	ok(debt_store_resolve(st, "D-0001", now, &cause) == -1 &&
	    strcmp(cause, "read-only mode") == 0, "read-only: resolve refused");
	free(cause);
	cause = NULL;
	ok(debt_store_reopen(st, "D-0001", now, &cause) == -1 &&
	    strcmp(cause, "read-only mode") == 0, "read-only: reopen refused");
	free(cause);
	cause = NULL;
	ok(debt_store_delete(st, "D-0001", now, &cause) == -1 &&
	    strcmp(cause, "read-only mode") == 0, "read-only: delete refused");
	free(cause);
	cause = NULL;
	ok(debt_store_edit(st, "D-0001", mk(NULL, DEBT_LOW, 0, NULL, NULL),
	    now, &cause) == -1 && strcmp(cause, "read-only mode") == 0,
	    "read-only: edit refused");
	free(cause);
	cause = NULL;
	ok(debt_store_undo(st, now, &cause) == -1 &&
	    strcmp(cause, "read-only mode") == 0, "read-only: undo refused");
	free(cause);
	ok(access(path, F_OK) != 0 && access(journal, F_OK) != 0,
	    "read-only: no file and no journal written");
	debt_store_free(st);
	cfg_errors_free(&e);

	/* A file id that collides with a config id is an error. */
	text = xstrdup("debt = ( { id = \"D-0007\"; title = \"t\"; "
	    "priority = \"low\"; } );\n");
	fileio_write_atomic(path, text, strlen(text), 0600, &cause);
	free(text);
	st = debt_store_open(path, journal, &c, 0, &e);
	ok(has_error(&e, "already used in the configuration (maintop.conf:1)",
	    1), "a file item may not reuse a config id");
	ok(debt_store_refusal(st) != NULL, "and the store refuses changes");
	debt_store_free(st);
	cfg_errors_free(&e);

	debt_item_free(citem);
	free(path);
	free(journal);
}

/* The dashboard's store: saves on a thread, results on the loop. */
struct saved {
	int	calls;
	int	r;
	char	*cause;
	int	ticks_before;	/* loop timer ticks seen before the result */
	struct event_base *base;
};

static int ticks;

static void
on_saved(int r, char *cause, void *arg)
{
	struct saved *sv = arg;

	sv->calls++;
	sv->r = r;
	free(sv->cause);
	sv->cause = cause;
	sv->ticks_before = ticks;
	event_base_loopbreak(sv->base);
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	int *lfd = arg;

	ticks++;
	if (ticks == 3 && *lfd >= 0) {
		/* The other maintop is done with the file. */
		close(*lfd);
		*lfd = -1;
	}
}

static void
on_refreshed(void *arg)
{
	(*(int *)arg)++;
}

static void
test_async(void)
{
	struct cfg_errors e = { 0 };
	struct config c;
	struct debt_store *st, *other;
	struct saved sv = { 0 };
	struct event_base *base = event_base_new();
	struct worker *w;
	struct event *tick;
	int calls, refreshed;
	struct timeval tv = { 0, 50000 };
	const struct debt_item *d;
	char *path = xasprintf("%s/async.conf", tmpdir);
	char *journal = xasprintf("%s/async.jsonl", tmpdir);
	char *lock = xasprintf("%s.lock", path);
	char *cause = NULL, *id = NULL, *before, *after;
	int r, lfd = -1;

	memset(&c, 0, sizeof c);
	c.settings = settings;
	unlink(path);
	unlink(journal);
	st = debt_store_open(path, journal, &c, 0, &e);
	sv.base = base;
	w = worker_new(base);
	debt_store_set_async(st, w, on_saved, &sv);

	r = debt_store_add(st, mk(NULL, DEBT_HIGH, 1, NULL, NULL), now, &id,
	    &cause);
	ok(r == 2 && debt_store_saving(st), "async add: saving (2)");
	is_str(id, "D-0001", "... the id is known at once");
	ok(debt_store_find(st, "D-0001") == NULL,
	    "... the list changes only once it is saved");
	r = debt_store_add(st, mk(NULL, DEBT_LOW, 0, NULL, NULL), now, NULL,
	    &cause);
	ok(r == -1 && cause != NULL && strstr(cause, "still saving") != NULL,
	    "a second change while saving is refused");
	free(cause);
	cause = NULL;
	event_base_dispatch(base);
	ok(sv.calls == 1 && sv.r == 0 && sv.cause == NULL,
	    "the result arrives on the loop: saved");
	ok(!debt_store_saving(st) && debt_store_find(st, "D-0001") != NULL,
	    "... and the item is in the list");
	before = slurp(path);
	ok(before != NULL && strstr(before, "D-0001") != NULL,
	    "... and in the file");
	free(before);
	before = slurp(journal);
	ok(before != NULL && strstr(before, "\"action\":\"add\"") != NULL,
	    "... and in the journal");
	free(before);
	free(id);

	/* The lock held by another maintop for 150 ms: the loop keeps
	 * running (its timer ticks) while the thread waits for it. */
	lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	ok(lfd >= 0 && flock(lfd, LOCK_EX) == 0, "another maintop locks");
	tick = event_new(base, -1, EV_PERSIST, on_tick, &lfd);
	event_add(tick, &tv);
	r = debt_store_resolve(st, "D-0001", now, &cause);
	ok(r == 2, "resolve while locked: saving");
	event_base_dispatch(base);
	ok(sv.calls == 2 && sv.r == 0, "saved once the lock was free");
	ok(sv.ticks_before >= 3,
	    "the loop ran while the save waited for the lock");
	event_free(tick);
	if (lfd >= 0)
		close(lfd);
	d = debt_store_find(st, "D-0001");
	ok(d != NULL && d->status == DEBT_RESOLVED, "... resolved");

	/* A change made on disk meanwhile: refused, reloaded, said. */
	other = debt_store_open(path, journal, &c, 0, &e);
	ok(debt_store_reopen(other, "D-0001", now, &cause) == 0,
	    "another store reopens the item on disk");
	debt_store_free(other);
	before = slurp(path);
	r = debt_store_delete(st, "D-0001", now, &cause);
	ok(r == 2, "delete: saving");
	event_base_dispatch(base);
	ok(sv.calls == 3 && sv.r == -1 && sv.cause != NULL &&
	    strstr(sv.cause, "changed on disk") != NULL,
	    "the change on disk is detected on the worker");
	after = slurp(path);
	ok(before != NULL && after != NULL && strcmp(before, after) == 0,
	    "... and not overwritten");
	free(before);
	free(after);
	d = debt_store_find(st, "D-0001");
	ok(d != NULL && d->status == DEBT_OPEN,
	    "... the store reloaded the other change");

	/* Refresh: a change another store made is read on the worker and
	 * replaces the list; this store's own last save is not reread. */
	refreshed = 0;
	debt_store_refresh(st, on_refreshed, &refreshed);
	worker_drain(w);
	ok(refreshed == 0, "refresh after this store's own save: nothing to do");
	other = debt_store_open(path, journal, &c, 0, &e);
	ok(debt_store_add(other, mk("D-0077", DEBT_LOW, 0, NULL, NULL), now,
	    NULL, &cause) == 0, "another store adds D-0077");
	debt_store_free(other);
	ok(debt_store_find(st, "D-0077") == NULL, "... not seen yet");
	debt_store_refresh(st, on_refreshed, &refreshed);
	worker_drain(w);
	ok(refreshed == 1 && debt_store_find(st, "D-0077") != NULL,
	    "refresh: read on the worker, the list replaced, the caller told");

	/* Freed with a save in flight: the worker still finishes it. */
	r = debt_store_resolve(st, "D-0001", now, &cause);
	ok(r == 2, "a save in flight ...");
	calls = sv.calls;
	debt_store_free(st);
	worker_drain(w);
	ok(sv.calls == calls, "... is not reported once the store is gone");
	other = debt_store_open(path, journal, &c, 0, &e);
	d = debt_store_find(other, "D-0001");
	ok(d != NULL && d->status == DEBT_RESOLVED,
	    "... and is finished on the worker, not lost");
	debt_store_free(other);

	free(sv.cause);
	cfg_errors_free(&e);
	worker_free(w);
	event_base_free(base);
	free(path);
	free(journal);
	free(lock);
}

/* Counts the occurrences of needle in the file at path. */
static int
count_in(const char *path, const char *needle)
{
	char *s = slurp(path), *p;
	int n = 0;

	for (p = s; p != NULL && (p = strstr(p, needle)) != NULL; p++)
		n++;
	free(s);
	return n;
}

/* A save killed between its rename and its journal append: the next save
 * journals it, marked recovered; one killed before its rename is
 * forgotten; one whose record reached the journal is not journaled twice. */
static void
test_pending(void)
{
	struct cfg_errors e = { 0 };
	struct config c;
	struct debt_store *st;
	char *path = xasprintf("%s/pending.conf", tmpdir);
	char *journal = xasprintf("%s/pending.jsonl", tmpdir);
	char *pending = xasprintf("%s.unjournaled", path);
	const char *rec = "{\"type\":\"debt\",\"action\":\"add\","
	    "\"id\":\"D-0042\",\"title\":\"killed\"}";
	char *cause = NULL, *text;

	memset(&c, 0, sizeof c);
	c.settings = settings;
	unlink(path);
	unlink(journal);
	st = debt_store_open(path, journal, &c, 0, &e);
	ok(debt_store_add(st, mk(NULL, DEBT_HIGH, 1, NULL, NULL), now, NULL,
	    &cause) == 0, "a first save");
	ok(access(pending, F_OK) != 0, "... leaves no record waiting");
	is_int(count_in(journal, "\"type\":\"debt\""), 1, "... and is journaled");

	/* Killed after the rename: the file is the one the record is for. */
	text = slurp(path);
	ok(debt_pending_write(path, text, rec, &cause) == 0,
	    "a save killed after its rename left its record");
	free(text);
	ok(debt_store_add(st, mk(NULL, DEBT_LOW, 0, NULL, NULL), now, NULL,
	    &cause) == 0, "the next save succeeds");
	is_int(count_in(journal, "\"id\":\"D-0042\""), 1,
	    "... and journals the killed save's record");
	is_int(count_in(journal, "\"recovered\":true"), 1, "... marked recovered");
	ok(access(pending, F_OK) != 0, "... then removes it");
	is_int(count_in(journal, "\"type\":\"debt\""), 3,
	    "... before its own record");

	/* Killed before the rename: the file is not the one it wrote. */
	ok(debt_pending_write(path, "another text", rec, &cause) == 0,
	    "a save killed before its rename left its record");
	ok(debt_store_resolve(st, "D-0001", now, &cause) == 0,
	    "the next save succeeds");
	is_int(count_in(journal, "\"id\":\"D-0042\""), 1,
	    "... and journals nothing for the killed one");
	ok(access(pending, F_OK) != 0, "... whose record is removed");

	/* Killed after its journal append, before removing the record. */
	text = slurp(path);
	ok(debt_pending_write(path, text, rec, &cause) == 0 &&
	    journal_append(journal, rec, &cause) == 0,
	    "a save killed after its journal append");
	free(text);
	ok(debt_store_reopen(st, "D-0001", now, &cause) == 0,
	    "the next save succeeds");
	is_int(count_in(journal, "\"id\":\"D-0042\""), 2,
	    "... and does not journal it twice");
	ok(access(pending, F_OK) != 0, "... and removes the record");

	debt_store_free(st);
	cfg_errors_free(&e);
	free(pending);
	free(journal);
	free(path);
}

int
main(void)
{
	char *cmd;

	if (mkdtemp(tmpdir) == NULL)
		return 1;
	settings.timezone = (char *)"UTC";
	now = instant("2026-03-10T12:00:00Z");
	test_parse();
	test_resolve();
	test_file();
	test_hostile();
	test_store();
	test_async();
	test_pending();
	cmd = xasprintf("rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	free(cmd);
	return tap_done();
}
