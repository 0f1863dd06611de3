/* Checks a configuration text before libconfig reads it: the limits, NUL
 * bytes, @include of regular files only, and libconfig's grammar, so that
 * an error says what was expected and where the broken part started. */
#include "cfgscan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The tokens of libconfig 1.5's scanner.  Numbers, names and comments are
 * cut exactly as its flex rules cut them, so that what libconfig accepts is
 * accepted here too; the parser below follows its grammar.
 */
enum tok {
	T_EOF, T_NAME, T_BOOL, T_NUMBER, T_STRING, T_ASSIGN, T_SEMI, T_COMMA,
	T_LBRACE, T_RBRACE, T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK, T_ERROR
};

/* One text on the include stack. */
struct src {
	char		*name;
	char		*text;		/* NUL-terminated, len bytes before it */
	size_t		 len;
	size_t		 pos;
	int		 line;
};

struct scan {
	struct cfg_errors	*e;
	const char		*incdir;
	struct src		 src[CFGSCAN_MAX_INCLUDE + 1];
	int			 nsrc;
	size_t			 bytes;
	size_t			 lines;
	size_t			 settings;
	int			 failed;

	enum tok		 tok;		/* the current token */
	const char		*start;
	size_t			 tlen;
	int			 line;
	const char		*file;
	int			 glued;		/* a name stuck to a number */
	const char		*glue_from;	/* where that number started */
	const char		*prev_start;	/* the last token */
	const char		*prev_end;
	enum tok		 prev;
};

/* Where a group, list or array was opened, for "never closed". */
struct open {
	const char	*file;
	int		 line;
	char		 what;		/* '{', '(' or '[' */
};

static void
scan_error(struct scan *s, const char *file, int line, const char *fmt, ...)
    UTIL_PRINTF(4, 5);

static void
scan_error(struct scan *s, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (s->failed)
		return;
	s->failed = 1;
	s->tok = T_ERROR;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	cfg_err_at(s->e, file, line, 0, "%s", msg);
	free(msg);
}

/* Line of the byte at off in t, counting from line (the start's line). */
static int
line_of(const char *t, size_t from, size_t off, int line)
{
	const char *p = t + from, *end = t + off;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		line++;
		p++;
	}
	return line;
}

/*
 * Reads a whole regular file of at most max bytes.  The open never waits
 * (O_NONBLOCK: a FIFO with no writer would hang a plain open) and anything
 * but a regular file is refused after fstat.
 */
static char *
read_regular(const char *path, size_t max, size_t *len, char **cause)
{
	struct stat st;
	size_t have = 0, want;
	ssize_t r;
	char *p;
	int fd;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		*cause = xasprintf("cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*cause = xasprintf("%s is not a regular file", path);
		close(fd);
		return NULL;
	}
	if ((uintmax_t)st.st_size > max) {
		*cause = xasprintf("%s is too large (%jd bytes; a configuration "
		    "and its includes hold at most %d)", path,
		    (intmax_t)st.st_size, CFGSCAN_MAX_BYTES);
		close(fd);
		return NULL;
	}
	/* One byte more than the size, to see a file that grew. */
	want = (size_t)st.st_size + 1;
	p = xmalloc(want + 2);
	while (have < want) {
		r = read(fd, p + have, want - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*cause = xasprintf("cannot read %s: %s", path,
			    strerror(errno));
			free(p);
			close(fd);
			return NULL;
		}
		if (r == 0)
			break;
		have += (size_t)r;
	}
	close(fd);
	if (have > max) {
		*cause = xasprintf("%s is too large (more than %d bytes with "
		    "its includes)", path, CFGSCAN_MAX_BYTES);
		free(p);
		return NULL;
	}
	p[have] = '\0';
	*len = have;
	return p;
}

/*
 * Puts a text on the include stack after checking the limits that need no
 * parsing: bytes, lines and NUL bytes.  Takes ownership of text.
 */
static int
push_text(struct scan *s, const char *name, char *text, size_t len, int line)
{
	const char *p = text, *end = text + len, *nul;
	struct src *r;

	if (s->nsrc > CFGSCAN_MAX_INCLUDE) {
		scan_error(s, s->file, line, "@include nested more than %d "
		    "deep (does a file include itself?)", CFGSCAN_MAX_INCLUDE);
		free(text);
		return -1;
	}
	s->bytes += len;
	if (s->bytes > CFGSCAN_MAX_BYTES) {
		scan_error(s, name, 0, "the configuration and its includes "
		    "are larger than %d bytes", CFGSCAN_MAX_BYTES);
		free(text);
		return -1;
	}
	if ((nul = memchr(text, '\0', len)) != NULL) {
		scan_error(s, name, line_of(text, 0, (size_t)(nul - text), 1),
		    "a NUL byte: a configuration is text");
		free(text);
		return -1;
	}
	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		p++;
		if (++s->lines > CFGSCAN_MAX_LINES) {
			scan_error(s, name, line_of(text, 0,
			    (size_t)(p - 1 - text), 1), "more than %d lines in "
			    "the configuration and its includes",
			    CFGSCAN_MAX_LINES);
			free(text);
			return -1;
		}
	}
	r = &s->src[s->nsrc++];
	r->name = xstrdup(name);
	r->text = text;
	r->len = len;
	r->pos = 0;
	r->line = 1;
	return 0;
}

static void
pop_text(struct scan *s)
{
	struct src *r = &s->src[--s->nsrc];

	free(r->name);
	free(r->text);
}

/* Reads "@include" at the start of a line (r->pos at the '@'). */
static int
include(struct scan *s, struct src *r)
{
	const char *t = r->text, *q;
	size_t i = r->pos + 8, nlen;
	char *name, *path, *text, *cause = NULL;
	int line = r->line;

	if (t[i] != ' ' && t[i] != '\t') {
		scan_error(s, r->name, line, "@include needs a space and then "
		    "a file name in quotes");
		return -1;
	}
	i += strspn(t + i, " \t");
	if (t[i] != '"' || (q = strpbrk(t + i + 1, "\"\n")) == NULL ||
	    *q != '"') {
		scan_error(s, r->name, line, "@include needs a file name in "
		    "quotes on the same line");
		return -1;
	}
	if (s->incdir == NULL) {
		scan_error(s, r->name, line, "@include is not allowed in this "
		    "file");
		return -1;
	}
	nlen = (size_t)(q - (t + i + 1));
	name = xstrndup(t + i + 1, nlen);
	r->pos = (size_t)(q - t) + 1;
	/* libconfig puts the include directory before every name. */
	path = xasprintf("%s/%s", s->incdir, name);
	text = read_regular(path, CFGSCAN_MAX_BYTES - s->bytes, &nlen, &cause);
	free(path);
	if (text == NULL) {
		scan_error(s, r->name, line, "@include \"%s\": %s", name,
		    cause);
		free(cause);
		free(name);
		return -1;
	}
	if (push_text(s, name, text, nlen, line) != 0) {
		free(name);
		return -1;
	}
	free(name);
	return 0;
}

/* Skips a string (r->pos after its opening quote). */
static int
lex_string(struct scan *s, struct src *r)
{
	const char *t = r->text;
	size_t i = r->pos;
	int line = r->line;

	for (;;) {
		switch (t[i]) {
		case '\0':
			scan_error(s, r->name, line, "unterminated string: the "
			    "'\"' on this line is never closed");
			return -1;
		case '"':
			r->pos = i + 1;
			return 0;
		case '\n':
			r->line++;
			break;
		case '\\':
			if (t[i + 1] == 'x' && t[i + 2] == '0' &&
			    t[i + 3] == '0') {
				scan_error(s, r->name, r->line, "\\x00 in a "
				    "string: a NUL byte would cut it short");
				return -1;
			}
			if (t[i + 1] == '\0')
				break;
			if (t[i + 1] == '\n')
				r->line++;
			i++;
			break;
		}
		i++;
	}
}

static size_t
digits(const char *p, const char *set)
{
	return strspn(p, set);
}

/* The length of the number at p as libconfig's longest match cuts it, or
 * 0 when no number starts there. */
static size_t
lex_number(const char *p)
{
	static const char dec[] = "0123456789";
	size_t i = 0, n, e;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    (n = digits(p + 2, "0123456789abcdefABCDEF")) > 0) {
		i = 2 + n;
		goto suffix;
	}
	if (p[i] == '+' || p[i] == '-')
		i++;
	n = digits(p + i, dec);
	i += n;
	if (p[i] == '.') {
		i++;
		i += digits(p + i, dec);
		goto exponent;
	}
	if (n == 0)
		return 0;
	if ((p[i] == 'e' || p[i] == 'E'))
		goto exponent;
suffix:
	if (p[i] == 'L')
		i += p[i + 1] == 'L' ? 2 : 1;
	return i;
exponent:
	if (p[i] == 'e' || p[i] == 'E') {
		e = i + 1;
		if (p[e] == '+' || p[e] == '-')
			e++;
		if ((n = digits(p + e, dec)) > 0)
			i = e + n;
	}
	return i;
}

static int
name_start(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '*';
}

static int
name_char(int c)
{
	return name_start(c) || (c >= '0' && c <= '9') || c == '-' ||
	    c == '_';
}

/* Skips blanks and comments; -1 after an error. */
static int
skip_space(struct scan *s, struct src *r)
{
	const char *t = r->text, *q;
	int line;

	for (;;) {
		switch (t[r->pos]) {
		case '\n':
			r->line++;
			/* FALLTHROUGH */
		case ' ': case '\t': case '\r': case '\f':
			r->pos++;
			continue;
		case '#':
			break;
		case '/':
			if (t[r->pos + 1] == '/')
				break;
			if (t[r->pos + 1] != '*')
				return 0;
			line = r->line;
			if ((q = strstr(t + r->pos + 2, "*/")) == NULL) {
				scan_error(s, r->name, line, "the comment "
				    "'/*' opened on this line is never closed");
				return -1;
			}
			r->line = line_of(t, r->pos, (size_t)(q - t), line);
			r->pos = (size_t)(q - t) + 2;
			continue;
		default:
			return 0;
		}
		/* A comment to the end of the line needs its newline. */
		if ((q = strchr(t + r->pos, '\n')) == NULL) {
			scan_error(s, r->name, r->line, "the comment on the "
			    "last line needs a newline after it");
			return -1;
		}
		r->pos = (size_t)(q - t);
	}
}

static int
at_line_start(const struct src *r)
{
	size_t i = r->pos;

	while (i > 0 && (r->text[i - 1] == ' ' || r->text[i - 1] == '\t'))
		i--;
	return i == 0 || r->text[i - 1] == '\n';
}

static void
lex_char(struct scan *s, struct src *r)
{
	unsigned char c = (unsigned char)r->text[r->pos];

	if (r->pos == 0 && r->len >= 3 && memcmp(r->text, "\xef\xbb\xbf", 3)
	    == 0)
		scan_error(s, r->name, r->line, "the file starts with a "
		    "byte-order mark: save it as plain UTF-8");
	else if (c >= 0x21 && c < 0x7f)
		scan_error(s, r->name, r->line, "unexpected '%c'", c);
	else
		scan_error(s, r->name, r->line, "unexpected byte 0x%02X",
		    c);
}

/* Moves to the next token. */
static void
next(struct scan *s)
{
	static const char punct[] = "=:;,{}()[]";
	static const enum tok ptok[] = { T_ASSIGN, T_ASSIGN, T_SEMI, T_COMMA,
	    T_LBRACE, T_RBRACE, T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK };
	struct src *r;
	const char *t, *p;
	size_t n;

	if (s->failed)
		return;
	s->prev = s->tok;
	s->prev_start = s->start;
	for (;;) {
		r = &s->src[s->nsrc - 1];
		if (skip_space(s, r) != 0)
			return;
		t = r->text;
		if (t[r->pos] == '\0' && s->nsrc > 1) {
			pop_text(s);
			s->prev_end = NULL;
			continue;
		}
		if (t[r->pos] == '@' && strncmp(t + r->pos, "@include", 8) ==
		    0 && at_line_start(r)) {
			if (include(s, r) != 0)
				return;
			s->prev_end = NULL;
			continue;
		}
		break;
	}
	s->start = t + r->pos;
	s->line = r->line;
	s->file = r->name;
	s->glued = 0;
	if (t[r->pos] == '\0') {
		s->tok = T_EOF;
		s->tlen = 0;
		return;
	}
	if ((p = strchr(punct, t[r->pos])) != NULL) {
		s->tok = ptok[p - punct];
		r->pos++;
	} else if (t[r->pos] == '"') {
		r->pos++;
		if (lex_string(s, r) != 0)
			return;
		s->tok = T_STRING;
	} else if ((n = lex_number(t + r->pos)) > 0) {
		s->tok = T_NUMBER;
		r->pos += n;
	} else if (name_start((unsigned char)t[r->pos])) {
		n = 1;
		while (name_char((unsigned char)t[r->pos + n]))
			n++;
		s->tok = (n == 4 && strncasecmp(t + r->pos, "true", 4) == 0) ||
		    (n == 5 && strncasecmp(t + r->pos, "false", 5) == 0) ?
		    T_BOOL : T_NAME;
		s->glued = s->prev == T_NUMBER && s->prev_end == s->start;
		s->glue_from = s->prev_start;
		r->pos += n;
	} else {
		lex_char(s, r);
		return;
	}
	s->tlen = (size_t)(t + r->pos - s->start);
	s->prev_end = t + r->pos;
}

/* What the current token is, for messages. */
static const char *
found(struct scan *s, char *buf, size_t len)
{
	switch (s->tok) {
	case T_EOF:
		return "the end of the file";
	case T_NAME:
	case T_BOOL:
	case T_NUMBER:
		snprintf(buf, len, "'%.*s'", s->tlen > 40 ? 40 : (int)s->tlen,
		    s->start);
		return buf;
	case T_STRING:
		return "a string";
	default:
		snprintf(buf, len, "'%c'", *s->start);
		return buf;
	}
}

/* Reports the current token as not what was expected. */
static void
expected(struct scan *s, const char *what)
{
	char buf[64];

	scan_error(s, s->file, s->line, "expected %s, found %s", what,
	    found(s, buf, sizeof buf));
}

static void
never_closed(struct scan *s, const struct open *o)
{
	static const char *const kinds[] = { "group", "list", "array" };
	const char *kind = kinds[o->what == '{' ? 0 : o->what == '(' ? 1 : 2];

	scan_error(s, o->file, o->line, "the %s '%c' opened on this line is "
	    "never closed (found the end of the file)", kind, o->what);
}

/* One member's name and line, to find a name given twice. */
struct member {
	const char	*name;
	size_t		 len;
	int		 line;
	int		 glued;		/* stuck to the number before it */
	const char	*glue_from;
};

/*
 * A word stuck to a number ("5s", "10min") where a setting or a separator
 * should be: libconfig reads a number and then a name, so say what it is.
 */
static int
glued(struct scan *s, const struct member *m)
{
	const char *from = m != NULL ? m->glue_from : s->glue_from;
	const char *to = m != NULL ? m->name + m->len : s->start + s->tlen;

	if (m != NULL ? !m->glued : !(s->tok == T_NAME && s->glued))
		return 0;
	scan_error(s, s->file, s->line, "%.*s is not a number: put text and "
	    "durations in quotes (\"%.*s\")", (int)(to - from), from,
	    (int)(to - from), from);
	return 1;
}

static int
count_setting(struct scan *s)
{
	if (++s->settings <= CFGSCAN_MAX_SETTINGS)
		return 0;
	scan_error(s, s->file, s->line, "more than %d settings in the "
	    "configuration and its includes", CFGSCAN_MAX_SETTINGS);
	return -1;
}

static int
is_scalar(enum tok t)
{
	return t == T_BOOL || t == T_NUMBER || t == T_STRING;
}

static void parse_group(struct scan *, const struct open *, int);

/* A scalar: one number or boolean, or adjacent strings joined. */
static void
parse_scalar(struct scan *s)
{
	enum tok t = s->tok;

	next(s);
	while (t == T_STRING && s->tok == T_STRING)
		next(s);
}

/* The elements of a list or an array up to its closing bracket. */
static void
parse_elements(struct scan *s, const struct open *o, int depth)
{
	const char *closer = o->what == '(' ? "')'" : "']'";
	enum tok close = o->what == '(' ? T_RPAREN : T_RBRACK;
	char what[96];
	int first = 1;

	for (;;) {
		if (s->tok == close && first) {
			next(s);
			return;
		}
		if (s->tok == T_EOF) {
			never_closed(s, o);
			return;
		}
		if (o->what == '[' && !is_scalar(s->tok)) {
			if (s->tok == T_LBRACE || s->tok == T_LPAREN ||
			    s->tok == T_LBRACK)
				scan_error(s, s->file, s->line, "an array "
				    "[ ] holds numbers, strings or booleans; "
				    "use a list ( ) for groups and lists");
			else
				expected(s, first ? "a value or ']'" :
				    "a value after ',' (a trailing comma is "
				    "not allowed)");
			return;
		}
		if (count_setting(s) != 0)
			return;
		if (o->what == '(' && !is_scalar(s->tok) &&
		    s->tok != T_LBRACE && s->tok != T_LPAREN &&
		    s->tok != T_LBRACK) {
			expected(s, first ? "a value or ')'" : "a value after "
			    "',' (a trailing comma is not allowed)");
			return;
		}
		if (is_scalar(s->tok))
			parse_scalar(s);
		else {
			struct open in = { s->file, s->line, *s->start };

			if (depth >= CFGSCAN_MAX_DEPTH) {
				scan_error(s, s->file, s->line, "nested more "
				    "than %d deep", CFGSCAN_MAX_DEPTH);
				return;
			}
			next(s);
			if (in.what == '{')
				parse_group(s, &in, depth + 1);
			else
				parse_elements(s, &in, depth + 1);
		}
		if (s->failed)
			return;
		first = 0;
		if (s->tok == T_COMMA) {
			next(s);
			continue;
		}
		if (s->tok == close) {
			next(s);
			return;
		}
		if (s->tok == T_EOF) {
			never_closed(s, o);
			return;
		}
		if (glued(s, NULL))
			return;
		snprintf(what, sizeof what, "',' or %s to close the %s opened "
		    "on line %d", closer, o->what == '(' ? "list" : "array",
		    o->line);
		expected(s, what);
		return;
	}
}

/* The value of the setting name (the current token starts it). */
static void
parse_value(struct scan *s, const char *name, size_t nlen, int depth)
{
	struct open o = { s->file, s->line, 0 };
	char what[160];

	if (is_scalar(s->tok)) {
		parse_scalar(s);
		return;
	}
	if (s->tok != T_LBRACE && s->tok != T_LPAREN && s->tok != T_LBRACK) {
		snprintf(what, sizeof what, "a value for '%.*s' (a number, "
		    "\"text in quotes\", true, false, [array], (list) or "
		    "{ group })", nlen > 40 ? 40 : (int)nlen, name);
		expected(s, what);
		return;
	}
	if (depth >= CFGSCAN_MAX_DEPTH) {
		scan_error(s, s->file, s->line, "nested more than %d deep",
		    CFGSCAN_MAX_DEPTH);
		return;
	}
	o.what = *s->start;
	next(s);
	if (o.what == '{')
		parse_group(s, &o, depth + 1);
	else
		parse_elements(s, &o, depth + 1);
}

/* One setting: name, '=' or ':', value, an optional ';' or ','. */
static void
parse_setting(struct scan *s, struct member *m, size_t n, int depth)
{
	const char *name = s->start;
	size_t nlen = s->tlen, i;
	char what[96];

	for (i = 0; i < n; i++) {
		if (m[i].len == nlen && memcmp(m[i].name, name, nlen) == 0) {
			scan_error(s, s->file, s->line, "'%.*s' is set twice "
			    "in the same group (first on line %d)",
			    nlen > 40 ? 40 : (int)nlen, name, m[i].line);
			return;
		}
	}
	m[n].name = name;
	m[n].len = nlen;
	m[n].line = s->line;
	m[n].glued = s->glued;
	m[n].glue_from = s->glue_from;
	if (count_setting(s) != 0)
		return;
	next(s);
	if (s->tok != T_ASSIGN) {
		if (glued(s, &m[n]))
			return;
		snprintf(what, sizeof what, "'=' or ':' after '%.*s'",
		    nlen > 40 ? 40 : (int)nlen, name);
		expected(s, what);
		return;
	}
	next(s);
	parse_value(s, name, nlen, depth);
	if (s->tok == T_SEMI || s->tok == T_COMMA)
		next(s);
}

/* The settings of a group (o NULL: the file's top level) up to its '}'. */
static void
parse_group(struct scan *s, const struct open *o, int depth)
{
	struct member *m = NULL;
	size_t n = 0, cap = 0;
	char what[96];

	while (!s->failed) {
		if (s->tok == T_EOF) {
			if (o != NULL)
				never_closed(s, o);
			break;
		}
		if (s->tok == T_RBRACE && o != NULL) {
			next(s);
			break;
		}
		if (s->tok != T_NAME) {
			if (o == NULL)
				expected(s, "a setting name");
			else {
				snprintf(what, sizeof what, "a setting name "
				    "or '}' to close the group opened on line "
				    "%d", o->line);
				expected(s, what);
			}
			break;
		}
		if (n == CFGSCAN_MAX_GROUP) {
			scan_error(s, s->file, s->line, "more than %d settings "
			    "in one group", CFGSCAN_MAX_GROUP);
			break;
		}
		if (n == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			m = xreallocarray(m, cap, sizeof *m);
		}
		parse_setting(s, m, n++, depth);
	}
	free(m);
}

static char *
scan(struct scan *s, char *text, size_t len, const char *name)
{
	char *copy;

	/* libconfig refuses a comment that ends the text without a newline:
	 * the text it reads always ends in one. */
	if (len == 0 || text[len - 1] != '\n') {
		text = xreallocarray(text, len + 2, 1);
		text[len++] = '\n';
		text[len] = '\0';
	}
	copy = xmalloc(len + 1);
	memcpy(copy, text, len + 1);
	if (push_text(s, name, text, len, 0) != 0) {
		free(copy);
		return NULL;
	}
	s->file = name;
	next(s);
	parse_group(s, NULL, 0);
	while (s->nsrc > 0)
		pop_text(s);
	if (s->failed) {
		free(copy);
		return NULL;
	}
	return copy;
}

char *
cfgscan_string(const char *text, size_t len, const char *name,
    const char *include_dir, struct cfg_errors *e)
{
	struct scan s;
	char *t;

	memset(&s, 0, sizeof s);
	s.e = e;
	s.incdir = include_dir;
	t = xmalloc(len + 2);
	memcpy(t, text, len);
	t[len] = '\0';
	return scan(&s, t, len, name);
}

char *
cfgscan_file(const char *path, const char *include_dir, struct cfg_errors *e)
{
	struct scan s;
	char *t, *cause = NULL;
	size_t len;

	t = read_regular(path, CFGSCAN_MAX_BYTES, &len, &cause);
	if (t == NULL) {
		cfg_err_at(e, path, 0, 0, "%s", cause);
		free(cause);
		return NULL;
	}
	memset(&s, 0, sizeof s);
	s.e = e;
	s.incdir = include_dir;
	return scan(&s, t, len, path);
}
