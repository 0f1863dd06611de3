/* Turns text from outside (server replies, HTTP bodies, child output) into
 * text that is safe to draw: no escape sequences, no controls, valid UTF-8. */
#ifndef MAINTOP_SANITIZE_H
#define MAINTOP_SANITIZE_H

#include <stddef.h>

#include "util.h"

/*
 * Flags.  With none, the result is one line of printable text: every line
 * break (LF, CR or CRLF) becomes a single space between words (none is added
 * at the start or the end), tabs are expanded with stops every 8 characters,
 * and invalid UTF-8 becomes U+FFFD.
 */
#define SANITIZE_KEEP_NEWLINES	0x01	/* line breaks become "\n" */
#define SANITIZE_KEEP_TABS	0x02	/* keep "\t" instead of expanding */
#define SANITIZE_ASCII		0x04	/* printable ASCII only; else '?' */
#define SANITIZE_KEEP_SGR	0x08	/* keep plain SGR colour sequences */

/*
 * What is removed: every escape sequence (CSI with any parameter, private
 * marker or intermediate bytes; OSC ended by BEL or ST; DCS, SOS, PM and
 * APC strings; two-byte and nF ESC sequences), the same sequences introduced
 * by C1 controls encoded in UTF-8 (U+009B CSI, U+009D OSC...), every other
 * C0 and C1 control, DEL, and the Unicode bidirectional formatting controls
 * (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) that can disguise
 * text.  CAN and SUB abort a sequence, as on a terminal.
 *
 * A carriage return is a line break: "\r\n" counts as one, and a lone "\r"
 * (a progress bar redrawing its line) starts a new line rather than
 * overwriting the old one, so nothing the child printed is hidden.
 *
 * Invalid UTF-8 (stray continuation bytes, among them raw C1 bytes
 * 0x80-0x9f, overlong forms, surrogates, code points above U+10FFFF,
 * truncated sequences) becomes U+FFFD, one per maximal invalid subpart as
 * Unicode recommends, or '?' with SANITIZE_ASCII.  A raw C1 byte thus never
 * starts a sequence: UTF-8 terminals ignore it too.
 * With SANITIZE_ASCII every character outside printable ASCII becomes '?'.
 *
 * With SANITIZE_KEEP_SGR, "ESC [ params m" is kept when params holds only
 * digits and semicolons (at most 48 bytes) and every attribute is one of:
 * 0 reset, 1 bold, 2 faint, 3 italic, 4 underline, 7 reverse, 22-24, 27,
 * 30-37, 39, 40-47, 49, 90-97, 100-107, and 38/48 followed by ;5;N or
 * ;2;R;G;B with values up to 255.  Anything else (blink, conceal, colon
 * forms) drops the whole sequence.  The kept sequences are always written
 * as ESC '[' params 'm', with the 7-bit introducer.
 */

/*
 * Sanitizes len bytes of s (which may contain NUL bytes; s may be NULL
 * when len is 0).  Returns a new NUL-terminated string that the caller frees.
 */
char *sanitize_text(const char *s, size_t len, int flags);
/* The same for a NUL-terminated string (NULL gives ""). */
char *sanitize_cstr(const char *s, int flags);

/*
 * A streaming sanitizer for output that arrives in pieces: a sequence or a
 * UTF-8 character split between two pieces is handled as if it had arrived
 * whole, so the concatenated output equals sanitize_text() of the
 * concatenated input.  The struct is plain data: it holds no allocation and
 * may be copied or discarded at any time.  Its members are private.
 */
struct sanitizer {
	int		flags;
	int		state;
	/* UTF-8 decoder: bytes still needed, code point so far, bounds of
	 * the next byte, and how many bytes were seen. */
	int		u_need;
	int		u_seen;
	unsigned int	u_cp;
	unsigned char	u_lo;
	unsigned char	u_hi;
	/* Parameter bytes of the CSI being read, for SANITIZE_KEEP_SGR. */
	char		csi[48];
	size_t		csi_len;
	int		csi_bad;
	/* Layout. */
	size_t		column;		/* characters since the line break */
	int		after_cr;	/* last character was "\r" */
	int		pending_space;	/* a line break still to write */
	int		started;	/* something has been written */
};

/* Prepares s to sanitize with flags. */
void sanitizer_init(struct sanitizer *s, int flags);
/*
 * Sanitizes the next len bytes of a stream and appends the result to out.
 * Incomplete sequences and characters at the end are remembered for the
 * next call.
 */
void sanitizer_feed(struct sanitizer *s, const char *data, size_t len,
    struct buf *out);
/*
 * Ends the stream: a truncated UTF-8 character at the end becomes a
 * replacement, an unfinished escape sequence is dropped.  Appends to out
 * and leaves s as sanitizer_init left it, ready for another stream.
 */
void sanitizer_finish(struct sanitizer *s, struct buf *out);

/* True for the Unicode bidirectional formatting controls (U+061C, U+200E,
 * U+200F, U+202A-U+202E, U+2066-U+2069), which can make text read
 * differently from what it is: drawing code strips them too. */
int sanitize_is_bidi(unsigned int cp);

/*
 * The length of the valid UTF-8 character at s (1 to 4) with its code point
 * in *cp, or 0 when s does not start one (a NUL byte is a character).
 */
size_t sanitize_utf8_len(const char *s, unsigned int *cp);

/*
 * Why s cannot be a name (a check's, a window's, a step's): "invalid
 * UTF-8", "a control character" (C0, DEL or C1) or "a bidirectional
 * control"; NULL when it is printable UTF-8.
 */
const char *sanitize_name_problem(const char *s);

/*
 * JSON text made safe to print: C1 controls and bidirectional controls,
 * which JSON allows raw, become \uXXXX escapes, and a byte that is not
 * UTF-8 becomes \ufffd.  Only strings hold non-ASCII bytes, so the result
 * is the same JSON value.  Returns a new string.
 */
char *sanitize_json(const char *json, size_t len);

/* The columns s takes on a terminal (wcwidth in the current locale, 1 for
 * what it does not know), for tables whose columns must line up. */
size_t sanitize_width(const char *s);

/* A copy of s with each byte that is not valid UTF-8 replaced by U+FFFD
 * (for JSON libraries that refuse invalid UTF-8). */
char *sanitize_valid_utf8(const char *s);

#endif
