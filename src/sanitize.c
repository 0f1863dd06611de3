/* Removes escape sequences, controls and invalid UTF-8 from outside text so
 * that what maintop draws can never drive the terminal. */
#include "sanitize.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/*
 * The parser follows the shape of a terminal's own (Paul Williams' DEC
 * parser): a UTF-8 decoder turns bytes into code points or "invalid", and a
 * small state machine over code points decides what is text and what belongs
 * to a sequence.  Nothing is ever buffered except the parameters of a CSI,
 * so memory stays constant whatever the input.
 *
 * A raw byte 0x80-0x9f is invalid UTF-8 and becomes a replacement like any
 * other: a UTF-8 terminal does not act on it, and treating a stray 0x90 as
 * DCS would hide everything after it until an ST that may never come.  C1
 * controls encoded in UTF-8 (U+0080-U+009F), which some terminals do act
 * on, are handled as the 7-bit sequences they stand for.
 */
enum {
	S_GROUND,
	S_ESC,		/* after ESC */
	S_ESC_INT,	/* ESC and intermediate bytes (nF: ESC ( B) */
	S_CSI,		/* control sequence: parameters, intermediates */
	S_OSC,		/* operating system command: ends with BEL or ST */
	S_STR		/* DCS, SOS, PM, APC: ends with ST */
};

#define C_BEL	0x07
#define C_TAB	0x09
#define C_LF	0x0a
#define C_CR	0x0d
#define C_CAN	0x18
#define C_SUB	0x1a
#define C_ESC	0x1b
#define C_DEL	0x7f
#define C1_DCS	0x90
#define C1_SOS	0x98
#define C1_CSI	0x9b
#define C1_ST	0x9c
#define C1_OSC	0x9d
#define C1_PM	0x9e
#define C1_APC	0x9f

#define TABSTOP	8

static void	sanitizer_cp(struct sanitizer *, unsigned int, struct buf *);

void
sanitizer_init(struct sanitizer *s, int flags)
{
	memset(s, 0, sizeof *s);
	s->flags = flags;
	s->state = S_GROUND;
}

/* Writes visible text occupying cols columns. */
static void
emit(struct sanitizer *s, struct buf *out, const char *p, size_t n,
    size_t cols)
{
	if (s->pending_space) {
		buf_addc(out, ' ');
		s->column++;
		s->pending_space = 0;
	}
	buf_add(out, p, n);
	s->column += cols;
	s->started = 1;
	s->after_cr = 0;
}

static void
emit_replacement(struct sanitizer *s, struct buf *out)
{
	if (s->flags & SANITIZE_ASCII)
		emit(s, out, "?", 1, 1);
	else
		emit(s, out, "\xef\xbf\xbd", 3, 1);
}

static void
line_break(struct sanitizer *s, struct buf *out)
{
	if (s->flags & SANITIZE_KEEP_NEWLINES) {
		buf_addc(out, '\n');
		s->column = 0;
		s->started = 1;
	} else if (s->started)
		s->pending_space = 1;
}

/* Executes a C0 control met in text or inside a sequence. */
static void
control(struct sanitizer *s, unsigned int cp, struct buf *out)
{
	size_t n;
	char spaces[TABSTOP];

	switch (cp) {
	case C_LF:
		if (s->after_cr)
			s->after_cr = 0;	/* the LF of a CRLF */
		else
			line_break(s, out);
		break;
	case C_CR:
		if (!s->after_cr) {
			line_break(s, out);
			s->after_cr = 1;
		}
		break;
	case C_TAB:
		n = TABSTOP - s->column % TABSTOP;
		if (s->flags & SANITIZE_KEEP_TABS)
			emit(s, out, "\t", 1, n);
		else {
			memset(spaces, ' ', sizeof spaces);
			emit(s, out, spaces, n, n);
		}
		break;
	default:
		break;		/* every other C0 control is dropped */
	}
}

int
sanitize_is_bidi(unsigned int cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

static void
printable(struct sanitizer *s, unsigned int cp, struct buf *out)
{
	char u[4];
	size_t n;

	if (sanitize_is_bidi(cp))
		return;
	if (cp < 0x80) {
		u[0] = (char)cp;
		emit(s, out, u, 1, 1);
		return;
	}
	if (s->flags & SANITIZE_ASCII) {
		emit(s, out, "?", 1, 1);
		return;
	}
	if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	emit(s, out, u, n, 1);
}

/* A C1 control: the introducers start the sequence they stand for. */
static void
c1(struct sanitizer *s, unsigned int cp)
{
	switch (cp) {
	case C1_CSI:
		s->state = S_CSI;
		s->csi_len = 0;
		s->csi_bad = 0;
		break;
	case C1_OSC:
		s->state = S_OSC;
		break;
	case C1_DCS:
	case C1_SOS:
	case C1_PM:
	case C1_APC:
		s->state = S_STR;
		break;
	default:
		s->state = S_GROUND;
		break;
	}
}

/* Reads one SGR number of at most three digits; empty means 0. */
static int
sgr_number(const char **pp, int *v)
{
	const char *p = *pp;
	int n = 0, digits = 0;

	while (*p >= '0' && *p <= '9') {
		if (++digits > 3)
			return -1;
		n = n * 10 + (*p - '0');
		p++;
	}
	if (*p == ';')
		p++;
	else if (*p != '\0')
		return -1;
	*pp = p;
	*v = n;
	return 0;
}

/* True if params (digits and semicolons) holds only harmless attributes. */
static int
sgr_valid(const char *params)
{
	const char *p = params;
	int v, sub, i;

	if (*p == '\0')
		return 1;
	while (*p != '\0') {
		if (sgr_number(&p, &v) != 0)
			return 0;
		if ((v >= 0 && v <= 4) || v == 7 || (v >= 22 && v <= 24) ||
		    v == 27 || (v >= 30 && v <= 37) || v == 39 ||
		    (v >= 40 && v <= 47) || v == 49 || (v >= 90 && v <= 97) ||
		    (v >= 100 && v <= 107))
			continue;
		if (v != 38 && v != 48)
			return 0;
		if (*p == '\0' || sgr_number(&p, &sub) != 0)
			return 0;
		if (sub != 5 && sub != 2)
			return 0;
		for (i = 0; i < (sub == 5 ? 1 : 3); i++) {
			if (*p == '\0' || sgr_number(&p, &v) != 0 || v > 255)
				return 0;
		}
	}
	/* A trailing ';' means one more empty (zero) parameter: fine. */
	return 1;
}

static void
csi_final(struct sanitizer *s, unsigned int cp, struct buf *out)
{
	s->state = S_GROUND;
	if (!(s->flags & SANITIZE_KEEP_SGR) || cp != 'm' || s->csi_bad)
		return;
	s->csi[s->csi_len] = '\0';
	if (!sgr_valid(s->csi))
		return;
	buf_add(out, "\033[", 2);
	buf_add(out, s->csi, s->csi_len);
	buf_addc(out, 'm');
}

/* Handles a byte sequence that is not valid UTF-8. */
static void
invalid(struct sanitizer *s, struct buf *out)
{
	switch (s->state) {
	case S_OSC:
	case S_STR:
		break;		/* part of a string being dropped */
	default:
		s->state = S_GROUND;
		emit_replacement(s, out);
		break;
	}
}

/* Controls inside ESC and CSI: CAN and SUB abort, ESC restarts, the rest
 * take effect without ending the sequence. */
static void
control_in_sequence(struct sanitizer *s, unsigned int cp, struct buf *out)
{
	if (cp == C_CAN || cp == C_SUB)
		s->state = S_GROUND;
	else if (cp == C_ESC)
		s->state = S_ESC;
	else
		control(s, cp, out);
}

static void
sanitizer_cp(struct sanitizer *s, unsigned int cp, struct buf *out)
{
	switch (s->state) {
	case S_GROUND:
		if (cp == C_ESC)
			s->state = S_ESC;
		else if (cp < 0x20)
			control(s, cp, out);
		else if (cp == C_DEL)
			break;
		else if (cp >= 0x80 && cp <= 0x9f)
			c1(s, cp);
		else
			printable(s, cp, out);
		break;
	case S_ESC:
		if (cp < 0x20)
			control_in_sequence(s, cp, out);
		else if (cp == C_DEL)
			break;
		else if (cp == '[') {
			s->state = S_CSI;
			s->csi_len = 0;
			s->csi_bad = 0;
		} else if (cp == ']')
			s->state = S_OSC;
		else if (cp == 'P' || cp == 'X' || cp == '^' || cp == '_')
			s->state = S_STR;
		else if (cp < 0x30)
			s->state = S_ESC_INT;
		else if (cp < 0x7f)
			s->state = S_GROUND;	/* two-byte sequence */
		else {
			s->state = S_GROUND;	/* aborted */
			sanitizer_cp(s, cp, out);
		}
		break;
	case S_ESC_INT:
		if (cp < 0x20)
			control_in_sequence(s, cp, out);
		else if (cp == C_DEL || cp < 0x30)
			break;
		else if (cp < 0x7f)
			s->state = S_GROUND;
		else {
			s->state = S_GROUND;
			sanitizer_cp(s, cp, out);
		}
		break;
	case S_CSI:
		if (cp < 0x20)
			control_in_sequence(s, cp, out);
		else if (cp == C_DEL)
			break;
		else if (cp < 0x30)
			s->csi_bad = 1;		/* intermediate byte */
		else if (cp < 0x40) {
			if ((cp != ';' && (cp < '0' || cp > '9')) ||
			    s->csi_len + 1 >= sizeof s->csi)
				s->csi_bad = 1;
			else
				s->csi[s->csi_len++] = (char)cp;
		} else if (cp < 0x7f)
			csi_final(s, cp, out);
		else {
			s->state = S_GROUND;
			sanitizer_cp(s, cp, out);
		}
		break;
	case S_OSC:
	case S_STR:
		if (cp == C_ESC)
			s->state = S_ESC;	/* ESC \ is ST: eaten there */
		else if (cp == C_CAN || cp == C_SUB || cp == C1_ST ||
		    (cp == C_BEL && s->state == S_OSC))
			s->state = S_GROUND;
		break;
	}
}

void
sanitizer_feed(struct sanitizer *s, const char *data, size_t len,
    struct buf *out)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t i;
	unsigned char b;

	for (i = 0; i < len; i++) {
		/* Fast path: a run of printable ASCII in text is copied whole. */
		if (s->state == S_GROUND && s->u_need == 0 &&
		    p[i] >= 0x20 && p[i] < 0x7f) {
			size_t j = i + 1;

			while (j < len && p[j] >= 0x20 && p[j] < 0x7f)
				j++;
			emit(s, out, data + i, j - i, j - i);
			i = j - 1;
			continue;
		}
		b = p[i];
		if (s->u_need > 0) {
			if (b >= s->u_lo && b <= s->u_hi) {
				s->u_cp = (s->u_cp << 6) | (b & 0x3f);
				s->u_lo = 0x80;
				s->u_hi = 0xbf;
				if (--s->u_need == 0)
					sanitizer_cp(s, s->u_cp, out);
				continue;
			}
			/* A truncated sequence; b starts afresh. */
			s->u_need = 0;
			invalid(s, out);
		}
		s->u_lo = 0x80;
		s->u_hi = 0xbf;
		if (b < 0x80)
			sanitizer_cp(s, b, out);
		else if (b < 0xc2)
			invalid(s, out);	/* continuation or overlong */
		else if (b < 0xe0) {
			s->u_need = 1;
			s->u_cp = b & 0x1f;
		} else if (b < 0xf0) {
			s->u_need = 2;
			s->u_cp = b & 0x0f;
			if (b == 0xe0)
				s->u_lo = 0xa0;	/* overlong */
			else if (b == 0xed)
				s->u_hi = 0x9f;	/* surrogates */
		} else if (b < 0xf5) {
			s->u_need = 3;
			s->u_cp = b & 0x07;
			if (b == 0xf0)
				s->u_lo = 0x90;	/* overlong */
			else if (b == 0xf4)
				s->u_hi = 0x8f;	/* above U+10FFFF */
		} else
			invalid(s, out);
	}
}

void
sanitizer_finish(struct sanitizer *s, struct buf *out)
{
	if (s->u_need > 0) {
		s->u_need = 0;
		invalid(s, out);
	}
	sanitizer_init(s, s->flags);
}

char *
sanitize_text(const char *text, size_t len, int flags)
{
	struct sanitizer s;
	struct buf out;

	buf_init(&out);
	buf_add(&out, "", 0);
	sanitizer_init(&s, flags);
	if (len > 0)
		sanitizer_feed(&s, text, len, &out);
	sanitizer_finish(&s, &out);
	return buf_detach(&out);
}

char *
sanitize_cstr(const char *text, int flags)
{
	if (text == NULL)
		return xstrdup("");
	return sanitize_text(text, strlen(text), flags);
}

size_t
sanitize_utf8_len(const char *str, unsigned int *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned int c = s[0], v;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		lo = c == 0xe0 ? 0xa0 : 0x80;
		hi = c == 0xed ? 0x9f : 0xbf;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;
	} else
		return 0;
	v = c & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = v;
	return n;
}

const char *
sanitize_name_problem(const char *s)
{
	unsigned int cp;
	size_t n;

	for (; *s != '\0'; s += n) {
		if ((n = sanitize_utf8_len(s, &cp)) == 0)
			return "invalid UTF-8";
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			return "a control character";
		if (sanitize_is_bidi(cp))
			return "a bidirectional control";
	}
	return NULL;
}

char *
sanitize_json(const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	unsigned int cp;
	struct buf b;
	size_t n;

	buf_init(&b);
	while (p < end) {
		if ((unsigned char)*p < 0x80) {
			buf_addc(&b, *p++);
			continue;
		}
		n = sanitize_utf8_len(p, &cp);
		if (n == 0 || (size_t)(end - p) < n) {
			buf_adds(&b, "\\ufffd");
			p++;
		} else if ((cp >= 0x80 && cp < 0xa0) || sanitize_is_bidi(cp)) {
			buf_printf(&b, "\\u%04x", cp);
			p += n;
		} else {
			buf_add(&b, p, n);
			p += n;
		}
	}
	return buf_detach(&b);
}

char *
sanitize_valid_utf8(const char *s)
{
	unsigned int cp;
	struct buf b;
	size_t n;

	buf_init(&b);
	buf_adds(&b, "");
	for (; *s != '\0'; s += n) {
		if ((n = sanitize_utf8_len(s, &cp)) == 0) {
			buf_adds(&b, "\xef\xbf\xbd");
			n = 1;
		} else
			buf_add(&b, s, n);
	}
	return buf_detach(&b);
}

size_t
sanitize_width(const char *s)
{
	unsigned int cp;
	size_t n, w = 0;
	int cw;

	for (; *s != '\0'; s += n) {
		if ((n = sanitize_utf8_len(s, &cp)) == 0) {
			n = 1;
			w++;
			continue;
		}
		cw = wcwidth((wchar_t)cp);
		w += cw < 0 ? 1 : (size_t)cw;
	}
	return w;
}
