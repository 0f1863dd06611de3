/* JSON text whose numbers read as a person wrote them: every real in its
 * shortest form that reads back as the same double (0.95, not
 * 0.94999999999999996; 1e-7, not 1e-07). */
#include "jsonfmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
jsonfmt_real(double v, char *out, size_t len)
{
	char tmp[64], *e, *d;
	int p;

	for (p = 1; p <= 17; p++) {
		snprintf(tmp, sizeof tmp, "%.*g", p, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	/* An exponent without its leading zeros: e-07 -> e-7. */
	if ((e = strchr(tmp, 'e')) != NULL) {
		d = e + 1;
		if (*d == '+' || *d == '-')
			d++;
		while (*d == '0' && d[1] != '\0')
			memmove(d, d + 1, strlen(d));
	} else if (strchr(tmp, '.') == NULL && strchr(tmp, 'n') == NULL &&
	    strlen(tmp) + 2 < sizeof tmp)
		strcat(tmp, ".0");	/* still a real: 3.0 */
	snprintf(out, len, "%s", tmp);
}

/* A newline and the indentation of depth (with indent), else nothing. */
static void
newline(struct buf *b, int indent, int depth)
{
	if (indent > 0)
		buf_printf(b, "\n%*s", indent * depth, "");
}

static void
dump(struct buf *b, json_t *v, int indent, int depth)
{
	const char *key;
	json_t *x, *k;
	char num[64], *s;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		buf_addc(b, '{');
		i = 0;
		json_object_foreach(v, key, x) {
			if (i++ > 0)
				buf_addc(b, ',');
			newline(b, indent, depth + 1);
			k = json_string(key);
			s = json_dumps(k, JSON_ENCODE_ANY);
			json_decref(k);
			buf_adds(b, s != NULL ? s : "\"\"");
			free(s);
			buf_adds(b, indent > 0 ? ": " : ":");
			dump(b, x, indent, depth + 1);
		}
		if (i > 0)
			newline(b, indent, depth);
		buf_addc(b, '}');
		break;
	case JSON_ARRAY:
		buf_addc(b, '[');
		json_array_foreach(v, i, x) {
			if (i > 0)
				buf_addc(b, ',');
			newline(b, indent, depth + 1);
			dump(b, x, indent, depth + 1);
		}
		if (json_array_size(v) > 0)
			newline(b, indent, depth);
		buf_addc(b, ']');
		break;
	case JSON_REAL:
		jsonfmt_real(json_real_value(v), num, sizeof num);
		buf_adds(b, num);
		break;
	default:
		s = json_dumps(v, JSON_ENCODE_ANY);
		buf_adds(b, s != NULL ? s : "null");
		free(s);
		break;
	}
}

char *
jsonfmt_dumps(json_t *v, int indent)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "");
	if (v != NULL)
		dump(&b, v, indent, 0);
	return buf_detach(&b);
}

/* One figure's value as text: a string as is, anything else as JSON. */
static char *
figure_text(json_t *v)
{
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	return jsonfmt_dumps(v, 0);
}

char *
jsonfmt_figures(json_t *figures, json_t *before)
{
	struct buf b;
	const char *key;
	json_t *v, *w;
	char *s, *t;

	buf_init(&b);
	buf_adds(&b, "");
	json_object_foreach(figures, key, v) {
		s = figure_text(v);
		buf_printf(&b, "%s%s %s", b.len > 0 ? ", " : "", key, s);
		w = before != NULL ? json_object_get(before, key) : NULL;
		if (w != NULL) {
			t = figure_text(w);
			if (strcmp(s, t) != 0)
				buf_printf(&b, " (before %s)", t);
			free(t);
		}
		free(s);
	}
	return buf_detach(&b);
}
