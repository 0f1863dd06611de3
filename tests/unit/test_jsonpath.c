/* Tests of JSON paths (dots and [n]): well-formed paths followed to numbers,
 * every way a path or a document can fail with the message it gives, and
 * hostile paths (control bytes, huge indexes, very long and deep paths). */
#include <stdlib.h>
#include <string.h>

#include "jsonpath.h"
#include "tap.h"
#include "util.h"

static const char doc[] =
    "{\"intelligence\": {\"health\": {\"score\": 8.9, \"name\": \"x\"}},"
    " \"checks\": [{\"latency\": 12}, {\"latency\": -3.5e2}],"
    " \"flag\": true, \"nothing\": null, \"big\": 12345678901234567,"
    " \"key with space\": 7, \"caf\xc3\xa9\": 3, \"deep\": [[1, [2]]],"
    " \"a\": {\"\": 1}}";

/* The number at path in doc, or NAN; the cause in *cause. */
static double
at(const char *path, char **cause)
{
	struct jsonpath *p;
	json_error_t err;
	json_t *root;
	double v = -999;

	*cause = NULL;
	root = json_loads(doc, 0, &err);
	if (root == NULL) {
		*cause = xasprintf("doc: %s", err.text);
		return -999;
	}
	if (jsonpath_parse(path, &p, cause) == 0) {
		if (jsonpath_number(p, root, &v, cause) != 0)
			v = -999;
		jsonpath_free(p);
	}
	json_decref(root);
	return v;
}

static void
test_found(void)
{
	static const struct {
		const char	*path;
		double		 want;
	} t[] = {
		{ "intelligence.health.score", 8.9 },
		{ "checks[0].latency", 12 },
		{ "checks[1].latency", -350 },
		{ "big", 12345678901234567.0 },
		{ "key with space", 7 },
		{ "caf\xc3\xa9", 3 },
		{ "deep[0][0]", 1 },
		{ "deep[0][1][0]", 2 },
		{ "deep[00][1][000]", 2 },
	};
	char *cause;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		ok(at(t[i].path, &cause) == t[i].want, "%s", t[i].path);
		if (cause != NULL)
			printf("#   %s\n", cause);
		free(cause);
	}
}

static void
test_lookup_fails(void)
{
	static const struct {
		const char	*path;
		const char	*cause;
	} t[] = {
		{ "intelligence.health.grade",
		  "intelligence.health.grade not found (no member \"grade\" "
		  "in intelligence.health)" },
		{ "nope", "nope not found (no member \"nope\" in the "
		  "document)" },
		{ "checks[2].latency", "checks[2].latency not found (checks "
		  "has 2 elements)" },
		{ "deep[0][1][1]", "deep[0][1][1] not found (deep[0][1] has "
		  "1 element)" },
		{ "checks.latency", "checks.latency not found (checks is an "
		  "array, not an object)" },
		{ "intelligence[0]", "intelligence[0] not found (intelligence "
		  "is an object, not an array)" },
		{ "[0]", "[0] not found (the document is an object, not an "
		  "array)" },
		{ "intelligence.health.name.x", "intelligence.health.name.x "
		  "not found (intelligence.health.name is a string, not an "
		  "object)" },
		{ "intelligence.health.name", "intelligence.health.name is a "
		  "string, not a number" },
		{ "intelligence.health", "intelligence.health is an object, "
		  "not a number" },
		{ "checks", "checks is an array, not a number" },
		{ "flag", "flag is true, not a number" },
		{ "nothing", "nothing is null, not a number" },
		{ "checks[999999999]", "checks[999999999] not found (checks "
		  "has 2 elements)" },
	};
	char *cause;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		ok(at(t[i].path, &cause) == -999, "%s: no number",
		    t[i].path);
		is_str(cause, t[i].cause, t[i].path);
		free(cause);
	}
}

static void
test_bad_paths(void)
{
	static const struct {
		const char	*path;
		const char	*cause;
	} t[] = {
		{ "", "the path is empty" },
		{ ".a", "a name is missing at character 1" },
		{ "a.", "a name is missing at the end" },
		{ "a..b", "a name is missing at character 3" },
		{ "a[", "'[' at character 2 is not followed by an index "
		  "(digits, as in [0])" },
		{ "a[]", "'[' at character 2 is not followed by an index "
		  "(digits, as in [0])" },
		{ "a[-1]", "'[' at character 2 is not followed by an index "
		  "(digits, as in [0])" },
		{ "a[ 1]", "'[' at character 2 is not followed by an index "
		  "(digits, as in [0])" },
		{ "a[1", "the index at character 3 does not end with ']'" },
		{ "a[1x]", "the index at character 3 does not end with ']'" },
		{ "a[1000000000]", "the index at character 3 is too large (at "
		  "most 9 digits)" },
		{ "a[99999999999999999999999]", "the index at character 3 is "
		  "too large (at most 9 digits)" },
		{ "a]", "']' at character 2 has no '['" },
		{ "]", "a name is missing at character 1" },
		{ "a[0]b", "at character 5: a step after an index starts with "
		  "'.' or '['" },
		{ "a\tb", "a control character at character 2" },
		{ "\x1b[31m", "a control character at character 1" },
		{ "a.\x7f", "a control character at character 3" },
		{ "a[0]\n", "a control character at character 5" },
	};
	struct jsonpath *p;
	char *cause;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		cause = NULL;
		ok(jsonpath_parse(t[i].path, &p, &cause) == -1 && p == NULL,
		    "bad path %zu refused", i);
		is_str(cause, t[i].cause, "its reason");
		free(cause);
	}
}

/* Lengths and depths at and past the limits. */
static void
test_limits(void)
{
	struct jsonpath *p;
	struct buf b;
	char *cause = NULL, *s;
	int i;

	s = xcalloc(1, JSONPATH_MAX_LEN + 2);
	memset(s, 'a', JSONPATH_MAX_LEN);
	ok(jsonpath_parse(s, &p, &cause) == 0, "a name of %d bytes",
	    JSONPATH_MAX_LEN);
	is_str(jsonpath_text(p), s, "kept as written");
	jsonpath_free(p);
	s[JSONPATH_MAX_LEN] = 'a';
	ok(jsonpath_parse(s, &p, &cause) == -1, "one byte more: refused");
	is_str(cause, "the path is longer than 1024 bytes", "its reason");
	free(cause);
	free(s);

	buf_init(&b);
	for (i = 0; i < JSONPATH_MAX_STEPS; i++)
		buf_adds(&b, "[0]");
	ok(jsonpath_parse(b.s, &p, &cause) == 0, "%d steps",
	    JSONPATH_MAX_STEPS);
	jsonpath_free(p);
	buf_adds(&b, ".x");
	ok(jsonpath_parse(b.s, &p, &cause) == -1, "one more: refused");
	is_str(cause, "the path has more than 64 steps", "its reason");
	free(cause);
	buf_free(&b);
}

/* Documents that are not objects, and numbers jansson gives as integers. */
static void
test_documents(void)
{
	struct jsonpath *p;
	json_t *root;
	char *cause = NULL;
	double v = 0;

	root = json_loads("[3, 4.5]", 0, NULL);
	ok(jsonpath_parse("[1]", &p, &cause) == 0 &&
	    jsonpath_number(p, root, &v, &cause) == 0 && v == 4.5,
	    "a top-level array: [1] is 4.5");
	jsonpath_free(p);
	json_decref(root);
	root = json_loads("42", JSON_DECODE_ANY, NULL);
	ok(jsonpath_parse("a", &p, &cause) == 0, "a parses");
	is_int(jsonpath_number(p, root, &v, &cause), -1,
	    "a bare number has no member");
	is_str(cause, "a not found (the document is a number, not an "
	    "object)", "its reason");
	free(cause);
	jsonpath_free(p);
	json_decref(root);
}

int
main(void)
{
	test_found();
	test_lookup_fails();
	test_bad_paths();
	test_limits();
	test_documents();
	return tap_done();
}
