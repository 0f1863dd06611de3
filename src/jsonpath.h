/* A path to one value in a JSON document, as the "json" fields of an HTTP
 * check name it: member names joined by dots, array elements as [n]
 * ("intelligence.health.score", "checks[0].latency", "[2].value"). */
#ifndef MAINTOP_JSONPATH_H
#define MAINTOP_JSONPATH_H

#include <jansson.h>

/* The longest path accepted, in bytes, and the most steps in one. */
#define JSONPATH_MAX_LEN	1024
#define JSONPATH_MAX_STEPS	64

struct jsonpath;

/*
 * Parses text.  A name is one or more bytes other than '.', '[', ']' and
 * control characters; an index is 0 to 999999999 in decimal digits.  The
 * path starts with a name or an index; each later step is ".name" or
 * "[n]".  Returns 0 with *out set (freed with jsonpath_free), or -1 with
 * *cause set (the caller frees it), naming the character where the text
 * stops being a path.
 */
int jsonpath_parse(const char *text, struct jsonpath **out, char **cause);
void jsonpath_free(struct jsonpath *);

/* The path as written (valid as long as the path). */
const char *jsonpath_text(const struct jsonpath *);

/*
 * The number the path leads to in root (borrowed).  Returns 0 with *v set
 * (finite), or -1 with *cause set (the caller frees it): the path as
 * written and where it ends ("a.b.c not found (no member \"c\" in a.b)",
 * "a.list[5] not found (a.list has 3 elements)", "a.b is a string, not a
 * number").  true, false and null are not numbers.
 */
int jsonpath_number(const struct jsonpath *, const json_t *root, double *v,
    char **cause);

#endif
