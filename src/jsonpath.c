/* Paths into JSON documents (dots and [n]): parsing them, and following one
 * to a number in a document parsed by jansson. */
#include "jsonpath.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* One step: a member name, or an index when name is NULL. */
struct jsonpath_step {
	char	*name;
	size_t	 index;
	size_t	 end;		/* where the step ends in text */
};

struct jsonpath {
	char			*text;
	struct jsonpath_step	*steps;
	size_t			 n;
};

/* The most digits of an index (999999999 fits every size_t). */
#define JSONPATH_INDEX_DIGITS	9

/* A byte that may be part of a name. */
static int
jsonpath_name_byte(unsigned char c)
{
	return c >= 0x20 && c != 0x7f && c != '.' && c != '[' && c != ']';
}

static struct jsonpath_step *
jsonpath_add(struct jsonpath *p)
{
	p->steps = xreallocarray(p->steps, p->n + 1, sizeof *p->steps);
	memset(&p->steps[p->n], 0, sizeof p->steps[p->n]);
	return &p->steps[p->n++];
}

/* Reads the name at *i; -1 with *cause when there is none. */
static int
jsonpath_name(struct jsonpath *p, size_t *i, char **cause)
{
	const char *t = p->text;
	size_t start = *i;

	while (t[*i] != '\0' && jsonpath_name_byte((unsigned char)t[*i]))
		(*i)++;
	if (*i == start) {
		if (t[*i] == '\0')
			*cause = xasprintf("a name is missing at the end");
		else if ((unsigned char)t[*i] < 0x20 || t[*i] == 0x7f)
			*cause = xasprintf("a control character at character "
			    "%zu", *i + 1);
		else
			*cause = xasprintf("a name is missing at character "
			    "%zu", *i + 1);
		return -1;
	}
	jsonpath_add(p)->name = xstrndup(t + start, *i - start);
	return 0;
}

/* Reads "[n]" at *i (which is at the '['); -1 with *cause. */
static int
jsonpath_index(struct jsonpath *p, size_t *i, char **cause)
{
	const char *t = p->text;
	size_t start = ++(*i), v = 0;

	while (t[*i] >= '0' && t[*i] <= '9') {
		if (*i - start == JSONPATH_INDEX_DIGITS) {
			*cause = xasprintf("the index at character %zu is too "
			    "large (at most %d digits)", start + 1,
			    JSONPATH_INDEX_DIGITS);
			return -1;
		}
		v = v * 10 + (size_t)(t[*i] - '0');
		(*i)++;
	}
	if (*i == start) {
		*cause = xasprintf("'[' at character %zu is not followed by "
		    "an index (digits, as in [0])", start);
		return -1;
	}
	if (t[*i] != ']') {
		*cause = xasprintf("the index at character %zu does not end "
		    "with ']'", start + 1);
		return -1;
	}
	(*i)++;
	jsonpath_add(p)->index = v;
	return 0;
}

int
jsonpath_parse(const char *text, struct jsonpath **out, char **cause)
{
	struct jsonpath *p;
	size_t len = strlen(text), i = 0;
	int r = 0;

	*out = NULL;
	if (len == 0) {
		*cause = xstrdup("the path is empty");
		return -1;
	}
	if (len > JSONPATH_MAX_LEN) {
		*cause = xasprintf("the path is longer than %d bytes",
		    JSONPATH_MAX_LEN);
		return -1;
	}
	p = xcalloc(1, sizeof *p);
	p->text = xstrdup(text);
	if (text[0] == '[')
		r = jsonpath_index(p, &i, cause);
	else
		r = jsonpath_name(p, &i, cause);
	while (r == 0 && text[i] != '\0') {
		p->steps[p->n - 1].end = i;
		if (p->n == JSONPATH_MAX_STEPS) {
			*cause = xasprintf("the path has more than %d steps",
			    JSONPATH_MAX_STEPS);
			r = -1;
		} else if (text[i] == '[')
			r = jsonpath_index(p, &i, cause);
		else if (text[i] == '.') {
			i++;
			r = jsonpath_name(p, &i, cause);
		} else if (text[i] == ']') {
			*cause = xasprintf("']' at character %zu has no '['",
			    i + 1);
			r = -1;
		} else if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f) {
			*cause = xasprintf("a control character at character "
			    "%zu", i + 1);
			r = -1;
		} else {
			*cause = xasprintf("at character %zu: a step after "
			    "an index starts with '.' or '['", i + 1);
			r = -1;
		}
	}
	if (r != 0) {
		jsonpath_free(p);
		return -1;
	}
	p->steps[p->n - 1].end = i;
	*out = p;
	return 0;
}

void
jsonpath_free(struct jsonpath *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		free(p->steps[i].name);
	free(p->steps);
	free(p->text);
	free(p);
}

const char *
jsonpath_text(const struct jsonpath *p)
{
	return p->text;
}

/* What a JSON value is, for messages. */
static const char *
jsonpath_kind(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	case JSON_NULL:
		return "null";
	}
	return "?";
}

/* The first k steps as written ("the document" for none). */
static char *
jsonpath_prefix(const struct jsonpath *p, size_t k)
{
	if (k == 0)
		return xstrdup("the document");
	return xstrndup(p->text, p->steps[k - 1].end);
}

int
jsonpath_number(const struct jsonpath *p, const json_t *root, double *v,
    char **cause)
{
	const struct jsonpath_step *st;
	const json_t *j = root, *next;
	char *where;
	size_t k;

	for (k = 0; k < p->n; k++) {
		st = &p->steps[k];
		if (st->name != NULL)
			next = json_is_object(j) ? json_object_get(j, st->name) :
			    NULL;
		else
			next = json_is_array(j) ? json_array_get(j, st->index) :
			    NULL;
		if (next != NULL) {
			j = next;
			continue;
		}
		where = jsonpath_prefix(p, k);
		if (st->name != NULL && !json_is_object(j))
			*cause = xasprintf("%s not found (%s is %s, not an "
			    "object)", p->text, where, jsonpath_kind(j));
		else if (st->name == NULL && !json_is_array(j))
			*cause = xasprintf("%s not found (%s is %s, not an "
			    "array)", p->text, where, jsonpath_kind(j));
		else if (st->name != NULL)
			*cause = xasprintf("%s not found (no member \"%s\" in "
			    "%s)", p->text, st->name, where);
		else
			*cause = xasprintf("%s not found (%s has %zu "
			    "element%s)", p->text, where, json_array_size(j),
			    json_array_size(j) == 1 ? "" : "s");
		free(where);
		return -1;
	}
	if (!json_is_number(j) || !isfinite(json_number_value(j))) {
		*cause = xasprintf("%s is %s, not a number", p->text,
		    jsonpath_kind(j));
		return -1;
	}
	*v = json_number_value(j);
	return 0;
}
