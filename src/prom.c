/* Parses the Prometheus text exposition format (0.0.4) and sums the series
 * that a selector such as http_requests_total{code=~"5.."} picks. */
#include "prom.h"

#include <ctype.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

/* A "# HELP" or "# TYPE" line; a name may have one of each. */
struct prom_family {
	char			*name;
	int			 has_type;
	enum prom_metric_type	 type;
	char			*help;		/* NULL for a TYPE line */
};

struct prom {
	struct prom_series	*series;
	size_t			 nseries;
	size_t			 cseries;
	size_t			*by_name;	/* series indices by name */
	struct prom_family	*families;
	size_t			 nfamilies;
	size_t			 cfamilies;
	size_t			*fam_by_name;	/* family indices by name */
	size_t			 nmalformed;
	char			*first_error;
};

/* A cursor over one line. */
struct lex {
	const char	*p;
	const char	*end;
};

enum prom_op {
	PROM_OP_EQ,
	PROM_OP_NE,
	PROM_OP_RE,
	PROM_OP_NRE
};

struct prom_matcher {
	char		*label;
	enum prom_op	 op;
	char		*value;
	regex_t		 re;		/* for PROM_OP_RE and PROM_OP_NRE */
};

struct prom_selector {
	char			*name;
	struct prom_matcher	*matchers;
	size_t			 nmatchers;
};

static const char *const prom_type_names[] = {
	[PROM_TYPE_NONE] = "none",
	[PROM_TYPE_UNTYPED] = "untyped",
	[PROM_TYPE_COUNTER] = "counter",
	[PROM_TYPE_GAUGE] = "gauge",
	[PROM_TYPE_HISTOGRAM] = "histogram",
	[PROM_TYPE_SUMMARY] = "summary"
};

static int
lex_more(const struct lex *lx)
{
	return lx->p < lx->end;
}

static void
lex_blanks(struct lex *lx)
{
	while (lx->p < lx->end && (*lx->p == ' ' || *lx->p == '\t'))
		lx->p++;
}

static int
name_start(int c, int metric)
{
	return isalpha(c) || c == '_' || (metric && c == ':');
}

static int
name_char(int c, int metric)
{
	return isalnum(c) || c == '_' || (metric && c == ':');
}

/* Reads a metric name (metric is 1: colons allowed) or a label name into a
 * new string; NULL if there is none.  isalpha and friends are used on
 * ASCII only, so the locale does not matter. */
static char *
lex_name(struct lex *lx, int metric)
{
	const char *start = lx->p;

	if (!lex_more(lx) || (unsigned char)*lx->p >= 0x80 ||
	    !name_start((unsigned char)*lx->p, metric))
		return NULL;
	while (lex_more(lx) && (unsigned char)*lx->p < 0x80 &&
	    name_char((unsigned char)*lx->p, metric))
		lx->p++;
	return xstrndup(start, (size_t)(lx->p - start));
}

/*
 * Reads a quoted string whose opening quote is at the cursor into a new
 * string.  In exposition text (selector is 0) only " quotes and the
 * escapes \\ \" \n are allowed; selectors also take ' quotes and \' \t.
 * Returns NULL on a bad escape or a missing closing quote.
 */
static char *
lex_quoted(struct lex *lx, int selector)
{
	struct buf b;
	char q, c;

	if (!lex_more(lx))
		return NULL;
	q = *lx->p;
	if (q != '"' && (!selector || q != '\''))
		return NULL;
	lx->p++;
	buf_init(&b);
	buf_add(&b, "", 0);
	for (;;) {
		if (!lex_more(lx))
			goto bad;
		c = *lx->p++;
		if (c == q)
			break;
		if (c != '\\') {
			buf_addc(&b, c);
			continue;
		}
		if (!lex_more(lx))
			goto bad;
		c = *lx->p++;
		if (c == '\\' || c == '"')
			buf_addc(&b, c);
		else if (c == 'n')
			buf_addc(&b, '\n');
		else if (selector && c == '\'')
			buf_addc(&b, c);
		else if (selector && c == 't')
			buf_addc(&b, '\t');
		else
			goto bad;
	}
	return buf_detach(&b);
bad:
	buf_free(&b);
	return NULL;
}

/*
 * Reads a sample value: a decimal number with optional exponent, or NaN,
 * Inf, +Inf, -Inf (any case, as Go's ParseFloat).  Hex and out-of-range
 * numbers are refused.
 */
static int
parse_value(const char *s, double *out)
{
	const char *p = s;
	int neg = 0;

	if (*p == '+' || *p == '-') {
		neg = *p == '-';
		p++;
	}
	if (strcasecmp(p, "inf") == 0 || strcasecmp(p, "infinity") == 0) {
		*out = neg ? -INFINITY : INFINITY;
		return 0;
	}
	if (p == s && strcasecmp(p, "nan") == 0) {
		*out = NAN;
		return 0;
	}
	return util_strict_double(s, out);
}

static int
parse_timestamp(const char *s, long long *out)
{
	const char *p = s;
	char *end;
	long long v;

	if (*p == '-' || *p == '+')
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* Reads the token up to the next blank or the end of the line. */
static char *
lex_token(struct lex *lx)
{
	const char *start = lx->p;

	while (lex_more(lx) && *lx->p != ' ' && *lx->p != '\t')
		lx->p++;
	if (lx->p == start)
		return NULL;
	return xstrndup(start, (size_t)(lx->p - start));
}

static void
series_clear(struct prom_series *s)
{
	size_t i;

	free(s->name);
	for (i = 0; i < s->nlabels; i++) {
		free(s->labels[i].name);
		free(s->labels[i].value);
	}
	free(s->labels);
	memset(s, 0, sizeof *s);
}

static void
family_clear(struct prom_family *f)
{
	free(f->name);
	free(f->help);
}

/* Records a malformed line; keeps the first reason. */
static void
malformed(struct prom *p, size_t lineno, const char *why)
{
	p->nmalformed++;
	if (p->first_error == NULL)
		p->first_error = xasprintf("line %zu: %s", lineno, why);
}

static struct prom_family *
family_add(struct prom *p)
{
	struct prom_family *f;

	if (p->nfamilies == p->cfamilies) {
		p->cfamilies = p->cfamilies == 0 ? 32 : p->cfamilies * 2;
		p->families = xreallocarray(p->families, p->cfamilies,
		    sizeof *p->families);
	}
	f = &p->families[p->nfamilies++];
	memset(f, 0, sizeof *f);
	return f;
}

/* Reads HELP text: the rest of the line with \\ and \n resolved (any other
 * backslash is kept as written). */
static char *
help_text(struct lex *lx)
{
	struct buf b;
	char c;

	buf_init(&b);
	buf_add(&b, "", 0);
	while (lex_more(lx)) {
		c = *lx->p++;
		if (c == '\\' && lex_more(lx) && (*lx->p == '\\' ||
		    *lx->p == 'n')) {
			buf_addc(&b, *lx->p == 'n' ? '\n' : '\\');
			lx->p++;
		} else
			buf_addc(&b, c);
	}
	return buf_detach(&b);
}

static void
parse_comment(struct prom *p, struct lex *lx, size_t lineno)
{
	const char *kw;
	size_t kwlen, t;
	char *name, *type;
	struct prom_family *f;
	int is_help;

	lx->p++;		/* the '#' */
	lex_blanks(lx);
	kw = lx->p;
	while (lex_more(lx) && *lx->p != ' ' && *lx->p != '\t')
		lx->p++;
	kwlen = (size_t)(lx->p - kw);
	if (kwlen == 4 && memcmp(kw, "HELP", 4) == 0)
		is_help = 1;
	else if (kwlen == 4 && memcmp(kw, "TYPE", 4) == 0)
		is_help = 0;
	else
		return;		/* an ordinary comment */
	if (!lex_more(lx))
		return;		/* "# HELP" alone: a comment */
	lex_blanks(lx);
	if ((name = lex_name(lx, 1)) == NULL) {
		malformed(p, lineno, "bad metric name after HELP or TYPE");
		return;
	}
	if (lex_more(lx) && *lx->p != ' ' && *lx->p != '\t') {
		free(name);
		malformed(p, lineno, "bad metric name after HELP or TYPE");
		return;
	}
	if (p->nfamilies >= PROM_MAX_FAMILIES) {
		free(name);
		malformed(p, lineno, "too many HELP and TYPE lines");
		return;
	}
	if (is_help) {
		lex_blanks(lx);
		f = family_add(p);
		f->name = name;
		f->help = help_text(lx);
		return;
	}
	lex_blanks(lx);
	type = lex_token(lx);
	lex_blanks(lx);
	for (t = PROM_TYPE_UNTYPED; type != NULL && !lex_more(lx) &&
	    t < sizeof prom_type_names / sizeof prom_type_names[0]; t++) {
		if (strcmp(type, prom_type_names[t]) == 0)
			break;
	}
	if (type == NULL || lex_more(lx) ||
	    t >= sizeof prom_type_names / sizeof prom_type_names[0]) {
		free(name);
		free(type);
		malformed(p, lineno, "unknown metric type");
		return;
	}
	free(type);
	f = family_add(p);
	f->name = name;
	f->has_type = 1;
	f->type = (enum prom_metric_type)t;
}

/* Reads "{name="value",...}" into s; returns a reason on error. */
static const char *
parse_labels(struct lex *lx, struct prom_series *s)
{
	char *name, *value;
	size_t i;

	lx->p++;		/* the '{' */
	for (;;) {
		lex_blanks(lx);
		if (!lex_more(lx))
			return "unterminated label set";
		if (*lx->p == '}') {
			lx->p++;
			return NULL;
		}
		if ((name = lex_name(lx, 0)) == NULL)
			return "bad label name";
		if (strcmp(name, "__name__") == 0) {
			free(name);
			return "reserved label name __name__";
		}
		for (i = 0; i < s->nlabels; i++) {
			if (strcmp(s->labels[i].name, name) == 0) {
				free(name);
				return "repeated label name";
			}
		}
		if (s->nlabels >= PROM_MAX_LABELS) {
			free(name);
			return "too many labels";
		}
		lex_blanks(lx);
		if (!lex_more(lx) || *lx->p != '=') {
			free(name);
			return "expected '=' after label name";
		}
		lx->p++;
		lex_blanks(lx);
		if ((value = lex_quoted(lx, 0)) == NULL) {
			free(name);
			return "bad label value";
		}
		s->labels = xreallocarray(s->labels, s->nlabels + 1,
		    sizeof *s->labels);
		s->labels[s->nlabels].name = name;
		s->labels[s->nlabels].value = value;
		s->nlabels++;
		lex_blanks(lx);
		if (lex_more(lx) && *lx->p == ',')
			lx->p++;
		else if (!lex_more(lx) || *lx->p != '}')
			return "expected ',' or '}' after label";
	}
}

static void
parse_sample(struct prom *p, struct lex *lx, size_t lineno)
{
	struct prom_series s;
	const char *why = NULL;
	char *tok = NULL;

	memset(&s, 0, sizeof s);
	if ((s.name = lex_name(lx, 1)) == NULL) {
		why = "bad metric name";
		goto bad;
	}
	lex_blanks(lx);
	if (lex_more(lx) && *lx->p == '{') {
		if ((why = parse_labels(lx, &s)) != NULL)
			goto bad;
		lex_blanks(lx);
	}
	if ((tok = lex_token(lx)) == NULL || parse_value(tok, &s.value) != 0) {
		why = "bad or missing value";
		goto bad;
	}
	free(tok);
	lex_blanks(lx);
	if ((tok = lex_token(lx)) != NULL) {
		if (parse_timestamp(tok, &s.timestamp) != 0) {
			why = "bad timestamp";
			goto bad;
		}
		s.has_timestamp = 1;
		lex_blanks(lx);
		if (lex_more(lx)) {
			why = "text after the timestamp";
			goto bad;
		}
	}
	free(tok);
	if (p->nseries >= PROM_MAX_SERIES) {
		series_clear(&s);
		malformed(p, lineno, "too many series");
		return;
	}
	if (p->nseries == p->cseries) {
		p->cseries = p->cseries == 0 ? 64 : p->cseries * 2;
		p->series = xreallocarray(p->series, p->cseries,
		    sizeof *p->series);
	}
	p->series[p->nseries++] = s;
	return;
bad:
	free(tok);
	series_clear(&s);
	malformed(p, lineno, why);
}

static void
parse_line(struct prom *p, const char *line, size_t n, size_t lineno)
{
	struct lex lx;

	if (n > 0 && line[n - 1] == '\r')
		n--;
	if (n > PROM_MAX_LINE) {
		malformed(p, lineno, "line too long");
		return;
	}
	if (memchr(line, '\0', n) != NULL) {
		malformed(p, lineno, "NUL byte");
		return;
	}
	lx.p = line;
	lx.end = line + n;
	lex_blanks(&lx);
	if (!lex_more(&lx))
		return;
	if (*lx.p == '#')
		parse_comment(p, &lx, lineno);
	else
		parse_sample(p, &lx, lineno);
}

static int
series_cmp(const void *a, const void *b, void *arg)
{
	const struct prom_series *v = arg;
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	int c = strcmp(v[ia].name, v[ib].name);

	if (c != 0)
		return c;
	return ia < ib ? -1 : ia > ib;
}

static int
family_cmp(const void *a, const void *b, void *arg)
{
	const struct prom_family *v = arg;
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	int c = strcmp(v[ia].name, v[ib].name);

	if (c != 0)
		return c;
	return ia < ib ? -1 : ia > ib;
}

/* Indices 0..n-1 sorted by cmp over the array base, for lookups by name. */
static size_t *
make_index(size_t n, void *base, int (*cmp)(const void *, const void *,
    void *))
{
	size_t *idx = xreallocarray(NULL, n, sizeof *idx), i;

	for (i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof *idx, cmp, base);
	return idx;
}

struct prom *
prom_parse(const char *text, size_t len, char **cause)
{
	struct prom *p = xcalloc(1, sizeof *p);
	const char *s = text, *end = text + len, *nl;
	size_t lineno = 0;

	if (text == NULL)
		end = s;
	while (s < end) {
		lineno++;
		nl = memchr(s, '\n', (size_t)(end - s));
		if (nl == NULL)
			nl = end;
		parse_line(p, s, (size_t)(nl - s), lineno);
		s = nl + (nl < end);
	}
	if (p->nseries == 0 && p->nmalformed > 0) {
		if (cause != NULL)
			*cause = xasprintf("not in Prometheus text format: %s",
			    p->first_error);
		prom_free(p);
		return NULL;
	}
	p->by_name = make_index(p->nseries, p->series, series_cmp);
	p->fam_by_name = make_index(p->nfamilies, p->families, family_cmp);
	return p;
}

void
prom_free(struct prom *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nseries; i++)
		series_clear(&p->series[i]);
	free(p->series);
	free(p->by_name);
	for (i = 0; i < p->nfamilies; i++)
		family_clear(&p->families[i]);
	free(p->families);
	free(p->fam_by_name);
	free(p->first_error);
	free(p);
}

size_t
prom_nseries(const struct prom *p)
{
	return p->nseries;
}

const struct prom_series *
prom_series_at(const struct prom *p, size_t i)
{
	return i < p->nseries ? &p->series[i] : NULL;
}

size_t
prom_nmalformed(const struct prom *p)
{
	return p->nmalformed;
}

const char *
prom_first_error(const struct prom *p)
{
	return p->first_error;
}

/* The first position in the sorted index whose series name is not less
 * than name. */
static size_t
series_lower(const struct prom *p, const char *name)
{
	size_t lo = 0, hi = p->nseries, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(p->series[p->by_name[mid]].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static size_t
family_lower(const struct prom *p, const char *name)
{
	size_t lo = 0, hi = p->nfamilies, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(p->families[p->fam_by_name[mid]].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The first family record named name with a TYPE (want_type) or a HELP. */
static const struct prom_family *
family_find(const struct prom *p, const char *name, int want_type)
{
	size_t i;
	const struct prom_family *f;

	for (i = family_lower(p, name); i < p->nfamilies; i++) {
		f = &p->families[p->fam_by_name[i]];
		if (strcmp(f->name, name) != 0)
			break;
		if (want_type ? f->has_type : f->help != NULL)
			return f;
	}
	return NULL;
}

static int
has_series(const struct prom *p, const char *name)
{
	size_t i = series_lower(p, name);

	return i < p->nseries && strcmp(p->series[p->by_name[i]].name,
	    name) == 0;
}

enum prom_metric_type
prom_type(const struct prom *p, const char *name)
{
	static const char *const suffixes[] = { "_bucket", "_sum", "_count" };
	const struct prom_family *f;
	size_t i, n = strlen(name), sl;
	char *base;

	if ((f = family_find(p, name, 1)) != NULL)
		return f->type;
	for (i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		sl = strlen(suffixes[i]);
		if (n <= sl || strcmp(name + n - sl, suffixes[i]) != 0)
			continue;
		base = xstrndup(name, n - sl);
		f = family_find(p, base, 1);
		free(base);
		if (f != NULL && (f->type == PROM_TYPE_HISTOGRAM ||
		    (f->type == PROM_TYPE_SUMMARY && i != 0)))
			return f->type;
	}
	return has_series(p, name) ? PROM_TYPE_UNTYPED : PROM_TYPE_NONE;
}

const char *
prom_type_name(enum prom_metric_type t)
{
	if ((size_t)t >= sizeof prom_type_names / sizeof prom_type_names[0])
		return "none";
	return prom_type_names[t];
}

const char *
prom_help(const struct prom *p, const char *name)
{
	const struct prom_family *f = family_find(p, name, 0);

	return f != NULL ? f->help : NULL;
}

void
prom_selector_free(struct prom_selector *sel)
{
	size_t i;

	if (sel == NULL)
		return;
	for (i = 0; i < sel->nmatchers; i++) {
		free(sel->matchers[i].label);
		free(sel->matchers[i].value);
		if (sel->matchers[i].op == PROM_OP_RE ||
		    sel->matchers[i].op == PROM_OP_NRE)
			regfree(&sel->matchers[i].re);
	}
	free(sel->matchers);
	free(sel->name);
	free(sel);
}

/*
 * Compiles re anchored at both ends, as Prometheus does.  The expression
 * is first compiled alone, so that one with unbalanced parentheses such as
 * "a)|(b" cannot escape the anchoring group.
 */
static int
compile_anchored(regex_t *re, const char *pattern, char **cause)
{
	regex_t alone;
	char *wrapped, msg[128];
	int rc;

	if ((rc = regcomp(&alone, pattern, REG_EXTENDED | REG_NOSUB)) != 0) {
		regerror(rc, &alone, msg, sizeof msg);
		*cause = xasprintf("bad regular expression: %s", msg);
		return -1;
	}
	regfree(&alone);
	wrapped = xasprintf("^(%s)$", pattern);
	rc = regcomp(re, wrapped, REG_EXTENDED | REG_NOSUB);
	free(wrapped);
	if (rc != 0) {
		regerror(rc, re, msg, sizeof msg);
		*cause = xasprintf("bad regular expression: %s", msg);
		return -1;
	}
	return 0;
}

static int
selector_matchers(struct lex *lx, struct prom_selector *sel, char **cause)
{
	struct prom_matcher *m;
	char *label;
	enum prom_op op;

	lx->p++;		/* the '{' */
	for (;;) {
		lex_blanks(lx);
		if (!lex_more(lx)) {
			*cause = xstrdup("missing '}'");
			return -1;
		}
		if (*lx->p == '}') {
			lx->p++;
			return 0;
		}
		if ((label = lex_name(lx, 0)) == NULL) {
			*cause = xstrdup("bad label name");
			return -1;
		}
		if (sel->nmatchers >= PROM_MAX_LABELS) {
			free(label);
			*cause = xstrdup("too many label matchers");
			return -1;
		}
		lex_blanks(lx);
		if (lx->end - lx->p >= 2 && lx->p[0] == '!' &&
		    lx->p[1] == '=') {
			op = PROM_OP_NE;
			lx->p += 2;
		} else if (lx->end - lx->p >= 2 && lx->p[0] == '!' &&
		    lx->p[1] == '~') {
			op = PROM_OP_NRE;
			lx->p += 2;
		} else if (lx->end - lx->p >= 2 && lx->p[0] == '=' &&
		    lx->p[1] == '~') {
			op = PROM_OP_RE;
			lx->p += 2;
		} else if (lex_more(lx) && lx->p[0] == '=') {
			op = PROM_OP_EQ;
			lx->p++;
		} else {
			*cause = xasprintf("expected =, !=, =~ or !~ after "
			    "label %s", label);
			free(label);
			return -1;
		}
		sel->matchers = xreallocarray(sel->matchers,
		    sel->nmatchers + 1, sizeof *sel->matchers);
		m = &sel->matchers[sel->nmatchers];
		memset(m, 0, sizeof *m);
		m->label = label;
		m->op = PROM_OP_EQ;	/* no regex to free until compiled */
		sel->nmatchers++;
		lex_blanks(lx);
		if ((m->value = lex_quoted(lx, 1)) == NULL) {
			*cause = xasprintf("bad or unquoted value for label "
			    "%s", label);
			return -1;
		}
		if ((op == PROM_OP_RE || op == PROM_OP_NRE) &&
		    compile_anchored(&m->re, m->value, cause) != 0)
			return -1;
		m->op = op;
		lex_blanks(lx);
		if (lex_more(lx) && *lx->p == ',')
			lx->p++;
		else if (!lex_more(lx) || *lx->p != '}') {
			*cause = xasprintf("expected ',' or '}' after label "
			    "%s", label);
			return -1;
		}
	}
}

struct prom_selector *
prom_selector_parse(const char *selector, char **cause)
{
	struct prom_selector *sel;
	struct lex lx;
	size_t len;

	if (selector == NULL || (len = strlen(selector)) == 0) {
		*cause = xstrdup("empty selector");
		return NULL;
	}
	if (len > PROM_MAX_SELECTOR) {
		*cause = xstrdup("selector too long");
		return NULL;
	}
	lx.p = selector;
	lx.end = selector + len;
	sel = xcalloc(1, sizeof *sel);
	lex_blanks(&lx);
	if ((sel->name = lex_name(&lx, 1)) == NULL) {
		*cause = xstrdup("a selector starts with a metric name");
		goto bad;
	}
	lex_blanks(&lx);
	if (lex_more(&lx) && *lx.p == '{') {
		if (selector_matchers(&lx, sel, cause) != 0)
			goto bad;
		lex_blanks(&lx);
	}
	if (lex_more(&lx)) {
		*cause = xstrdup("unexpected text after the selector");
		goto bad;
	}
	return sel;
bad:
	prom_selector_free(sel);
	return NULL;
}

const char *
prom_selector_name(const struct prom_selector *sel)
{
	return sel->name;
}

static const char *
label_value(const struct prom_series *s, const char *label)
{
	size_t i;

	if (strcmp(label, "__name__") == 0)
		return s->name;
	for (i = 0; i < s->nlabels; i++) {
		if (strcmp(s->labels[i].name, label) == 0)
			return s->labels[i].value;
	}
	return "";
}

static int
series_matches(const struct prom_series *s, const struct prom_selector *sel)
{
	const struct prom_matcher *m;
	const char *v;
	size_t i;
	int hit;

	for (i = 0; i < sel->nmatchers; i++) {
		m = &sel->matchers[i];
		v = label_value(s, m->label);
		switch (m->op) {
		case PROM_OP_EQ:
			hit = strcmp(v, m->value) == 0;
			break;
		case PROM_OP_NE:
			hit = strcmp(v, m->value) != 0;
			break;
		case PROM_OP_RE:
			hit = regexec(&m->re, v, 0, NULL, 0) == 0;
			break;
		default:
			hit = regexec(&m->re, v, 0, NULL, 0) != 0;
			break;
		}
		if (!hit)
			return 0;
	}
	return 1;
}

void
prom_selector_eval(const struct prom *p, const struct prom_selector *sel,
    double *sum, size_t *matches)
{
	const struct prom_series *s;
	double total = 0;
	size_t i, n = 0;

	for (i = series_lower(p, sel->name); i < p->nseries; i++) {
		s = &p->series[p->by_name[i]];
		if (strcmp(s->name, sel->name) != 0)
			break;
		if (series_matches(s, sel)) {
			total += s->value;
			n++;
		}
	}
	if (sum != NULL)
		*sum = total;
	if (matches != NULL)
		*matches = n;
}

int
prom_select(const struct prom *p, const char *selector, double *sum,
    size_t *matches)
{
	struct prom_selector *sel;
	char *cause;

	if ((sel = prom_selector_parse(selector, &cause)) == NULL) {
		free(cause);
		return -1;
	}
	prom_selector_eval(p, sel, sum, matches);
	prom_selector_free(sel);
	return 0;
}

int
prom_selector_valid(const char *selector, char **cause)
{
	struct prom_selector *sel;
	char *why;

	if ((sel = prom_selector_parse(selector, &why)) == NULL) {
		if (cause != NULL)
			*cause = why;
		else
			free(why);
		return 0;
	}
	prom_selector_free(sel);
	return 1;
}
