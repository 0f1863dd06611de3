/* Tests of the terminal sanitizer: every escape sequence family, controls,
 * invalid UTF-8, kept colours, and streaming split at every byte. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"
#include "tap.h"
#include "util.h"

#define RED	"\033[31m"
#define FFFD	"\xef\xbf\xbd"

/* Feeds in as pieces of the given size and finishes. */
static char *
stream_chunks(const char *in, size_t len, int flags, size_t chunk)
{
	struct sanitizer s;
	struct buf out;
	size_t off, n;

	buf_init(&out);
	buf_add(&out, "", 0);
	sanitizer_init(&s, flags);
	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		sanitizer_feed(&s, in + off, n, &out);
	}
	sanitizer_finish(&s, &out);
	return buf_detach(&out);
}

/* Feeds in split in two at split. */
static char *
stream_split(const char *in, size_t len, int flags, size_t split)
{
	struct sanitizer s;
	struct buf out;

	buf_init(&out);
	buf_add(&out, "", 0);
	sanitizer_init(&s, flags);
	sanitizer_feed(&s, in, split, &out);
	sanitizer_feed(&s, in + split, len - split, &out);
	sanitizer_finish(&s, &out);
	return buf_detach(&out);
}

/* True if streaming in any two pieces, and byte by byte, gives one_shot. */
static int
stream_agrees(const char *in, size_t len, int flags, const char *one_shot)
{
	char *got;
	size_t i;
	int same = 1;

	for (i = 0; i <= len && same; i++) {
		got = stream_split(in, len, flags, i);
		same = strcmp(got, one_shot) == 0;
		free(got);
	}
	if (same) {
		got = stream_chunks(in, len, flags, 1);
		same = strcmp(got, one_shot) == 0;
		free(got);
	}
	return same;
}

/* Checks sanitize_text of len bytes of in, and that streaming agrees. */
static void
check_len(const char *in, size_t len, int flags, const char *want,
    const char *name)
{
	char *got = sanitize_text(in, len, flags);

	is_str(got, want, name);
	ok(stream_agrees(in, len, flags, got), "%s: streaming agrees", name);
	free(got);
}

static void
check(const char *in, int flags, const char *want, const char *name)
{
	check_len(in, strlen(in), flags, want, name);
}

/*
 * True if s is valid UTF-8 holding no control (C0 other than the allowed
 * "\n" and "\t", DEL, C1) and no ESC except in "ESC [ digits/; m".
 */
static int
output_safe(const char *s, int flags)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned int cp;
	int n, i;

	while (*p != '\0') {
		if (*p == 0x1b) {
			if (!(flags & SANITIZE_KEEP_SGR) || p[1] != '[')
				return 0;
			p += 2;
			while ((*p >= '0' && *p <= '9') || *p == ';')
				p++;
			if (*p++ != 'm')
				return 0;
			continue;
		}
		if (*p < 0x80) {
			if ((*p < 0x20 && !(*p == '\n' &&
			    (flags & SANITIZE_KEEP_NEWLINES)) &&
			    !(*p == '\t' && (flags & SANITIZE_KEEP_TABS))) ||
			    *p == 0x7f)
				return 0;
			p++;
			continue;
		}
		if (flags & SANITIZE_ASCII)
			return 0;
		if (*p >= 0xc2 && *p < 0xe0) {
			n = 1;
			cp = *p & 0x1f;
		} else if (*p >= 0xe0 && *p < 0xf0) {
			n = 2;
			cp = *p & 0x0f;
		} else if (*p >= 0xf0 && *p < 0xf5) {
			n = 3;
			cp = *p & 0x07;
		} else
			return 0;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
		    (cp >= 0x80 && cp <= 0x9f) ||
		    (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069))
			return 0;
		p += n + 1;
	}
	return 1;
}

static void
test_csi(void)
{
	check("plain text", 0, "plain text", "plain text unchanged");
	check("a" RED "b\033[0m", 0, "ab", "SGR removed");
	check("\033[2J\033[Hx", 0, "x", "clear screen and home removed");
	check("\033[?25l\033[?1049hx", 0, "x", "private CSI removed");
	check("\033[>0cx", 0, "x", "CSI with > marker removed");
	check("\033[2 qx", 0, "x", "CSI with intermediate removed");
	check("\033[1;2$px", 0, "x", "CSI with $ intermediate removed");
	check("\033[38:2:1:2:3mx", 0, "x", "colon SGR removed");
	check("\033[31\030X", 0, "X", "CAN aborts a CSI");
	check("\033[31\032X", 0, "X", "SUB aborts a CSI");
	check("\033[31\033[32mX", 0, "X", "ESC restarts inside a CSI");
	check("\033[3\xc3\xa9", 0, "\xc3\xa9", "non-ASCII aborts a CSI");
	check("\033[3\xffX", 0, FFFD "X", "invalid UTF-8 aborts a CSI");
	check("ok\033[", 0, "ok", "CSI cut at the end dropped");
	check("ok\033[12;", 0, "ok", "CSI parameters cut at the end dropped");
	check("\033[1\n2mX", SANITIZE_KEEP_NEWLINES, "\nX",
	    "newline inside a CSI takes effect, sequence goes on");
}

static void
test_strings(void)
{
	check("\033]0;evil title\007X", 0, "X", "OSC ended by BEL");
	check("\033]0;evil title\033\\X", 0, "X", "OSC ended by ST");
	check("\033]8;;http://evil/\033\\link\033]8;;\033\\", 0, "link",
	    "OSC 8 hyperlink removed, text kept");
	check("\033]52;c;ZXZpbA==\007X", 0, "X", "OSC 52 clipboard removed");
	check("\033]0;a\nb\rc\tz\007X", SANITIZE_KEEP_NEWLINES, "X",
	    "controls inside OSC swallowed");
	check("\033]0;t\xc3\xa9\xff\007X", 0, "X",
	    "UTF-8 and invalid bytes inside OSC swallowed");
	check("\033]0;title", 0, "", "OSC cut at the end dropped");
	check("\033]0;t\030X", 0, "X", "CAN aborts an OSC");
	check("\033Pq#0;2;0;0;0#0!10~\033\\Y", 0, "Y", "DCS (sixel) removed");
	check("\033P$q\"p\033\\Y", 0, "Y", "DECRQSS DCS removed");
	check("\033P1\007still\033\\Y", 0, "Y", "BEL does not end a DCS");
	check("\033Xsos\033\\Y", 0, "Y", "SOS removed");
	check("\033^pm\033\\Y", 0, "Y", "PM removed");
	check("\033_apc\033\\Y", 0, "Y", "APC removed");
	check("\033_apc", 0, "", "APC cut at the end dropped");
}

static void
test_escapes(void)
{
	check("\0337x\0338", 0, "x", "save and restore cursor removed");
	check("\033cx", 0, "x", "RIS removed");
	check("\033(0lqk\033(B", 0, "lqk", "charset designation removed");
	check("\033#8x", 0, "x", "DECALN removed");
	check("\033 Fx", 0, "x", "S7C1T removed");
	check("\033=\033>x", 0, "x", "keypad modes removed");
	check("\033Mx", 0, "x", "reverse index removed");
	check("\033\033\033x", 0, "", "ESC ESC ESC x: the x ends the last");
	check("x\033", 0, "x", "ESC at the end dropped");
	check("\033\xc3\xa9", 0, "\xc3\xa9", "non-ASCII after ESC is text");
	check("\033\x7fx", 0, "", "DEL ignored after ESC, x ends it");
	check("\033(\030x", 0, "x", "CAN aborts an nF sequence");
}

static void
test_c1(void)
{
	check("\x9b" "31mX", 0, FFFD "31mX", "raw C1 CSI is invalid UTF-8");
	check("\x9d" "0;t\007Y", 0, FFFD "0;tY", "raw C1 OSC is invalid");
	check("\x90q\x9cZ", 0, FFFD "q" FFFD "Z",
	    "raw C1 DCS does not hide what follows");
	check("a\x85\x8d\x9c" "b", SANITIZE_ASCII, "a???b",
	    "other raw C1 bytes replaced");
	check("\xc2\x9b" "31mX", 0, "X", "UTF-8 C1 CSI removed");
	check("\xc2\x9d" "0;t\xc2\x9cY", 0, "Y", "UTF-8 C1 OSC and ST");
	check("\xc2\x9f" "apc\033\\Y", 0, "Y", "UTF-8 C1 APC");
	check("a\xc2\x85" "b", 0, "ab", "UTF-8 NEL removed");
	check("\xc4\x9b", 0, "\xc4\x9b",
	    "0x9b as a continuation byte is part of a letter");
}

static void
test_controls(void)
{
	check("a\001\007\010\013\014b", 0, "ab", "C0 controls removed");
	check("a\177b", 0, "ab", "DEL removed");
	check_len("a\0b\0", 4, 0, "ab", "NUL bytes removed");
	check("a\nb", 0, "a b", "line break is a space on one line");
	check("a\r\nb", 0, "a b", "CRLF is one space");
	check("\n\nfoo\n\n", 0, "foo", "no space at start or end");
	check("a\n\n\r\nb", 0, "a b", "breaks collapse to one space");
	check("a\nb", SANITIZE_KEEP_NEWLINES, "a\nb", "newline kept");
	check("a\r\nb\r\n", SANITIZE_KEEP_NEWLINES, "a\nb\n",
	    "CRLF becomes LF");
	check("10%\r20%\r100%\r\n", SANITIZE_KEEP_NEWLINES,
	    "10%\n20%\n100%\n", "lone CR starts a new line");
	check("a\r\r\nb", SANITIZE_KEEP_NEWLINES, "a\nb", "CR CR LF is one");
	check("a\r\033[K\nb", SANITIZE_KEEP_NEWLINES, "a\nb",
	    "CR, erase line, LF is one break");
	check("\n\n", SANITIZE_KEEP_NEWLINES, "\n\n", "empty lines kept");
	check("a\tb", 0, "a       b", "tab expanded to the next stop");
	check("\tx", 0, "        x", "tab at the start");
	check("abcdefgh\tx", 0, "abcdefgh        x", "tab at a stop");
	check("ab\n\tx", SANITIZE_KEEP_NEWLINES, "ab\n        x",
	    "tab stops restart on a new line");
	check("\xc3\xa9\tx", 0, "\xc3\xa9       x",
	    "a character counts one column");
	check("a\tb", SANITIZE_KEEP_TABS, "a\tb", "tab kept");
}

static void
test_utf8(void)
{
	check("h\xc3\xa9llo \xe2\x82\xac \xf0\x9d\x84\x9e", 0,
	    "h\xc3\xa9llo \xe2\x82\xac \xf0\x9d\x84\x9e", "valid UTF-8 kept");
	check("\xef\xbf\xbd", 0, FFFD, "U+FFFD itself kept");
	check("a\xff" "b", 0, "a" FFFD "b", "0xff replaced");
	check("\x80\xbf", 0, FFFD FFFD, "stray continuation bytes");
	check("\xc0\xaf", 0, FFFD FFFD, "overlong slash: two replacements");
	check("\xe0\x80\xaf", 0, FFFD FFFD FFFD, "overlong three-byte");
	check("\xf0\x80\x80\xaf", 0, FFFD FFFD FFFD FFFD,
	    "overlong four-byte");
	check("\xed\xa0\x80", 0, FFFD FFFD FFFD, "surrogate D800 refused");
	check("\xed\x9f\xbf", 0, "\xed\x9f\xbf", "U+D7FF kept");
	check("\xf4\x8f\xbf\xbf", 0, "\xf4\x8f\xbf\xbf", "U+10FFFF kept");
	check("\xf4\x90\x80\x80", 0, FFFD FFFD FFFD FFFD,
	    "above U+10FFFF refused");
	check("\xf5\x80", 0, FFFD FFFD, "F5 lead refused");
	check("\xe2\x82", 0, FFFD, "truncated at the end: one replacement");
	check("\xe2\x82x", 0, FFFD "x", "truncated before ASCII");
	check("\xf0\x9d\x84", 0, FFFD, "truncated four-byte");
	check("\xe2\x82\xe2\x82\xac", 0, FFFD "\xe2\x82\xac",
	    "truncated then valid");
	check("a\xff" "b", SANITIZE_ASCII, "a?b", "ASCII: replacement is ?");
	check("h\xc3\xa9llo \xe2\x82\xac", SANITIZE_ASCII, "h?llo ?",
	    "ASCII: non-ASCII becomes ?");
	check("\xc2\x9b" "1mX\xc2\xa0", SANITIZE_ASCII, "X?",
	    "ASCII: C1 still removed");
}

static void
test_bidi(void)
{
	check("a\xe2\x80\xae" "b\xe2\x80\xaa" "c\xe2\x80\xac" "d", 0, "abcd",
	    "RLO, LRE, PDF removed");
	check("a\xe2\x81\xa6" "b\xe2\x81\xa7" "c\xe2\x81\xa8"
	    "d\xe2\x81\xa9" "e", 0, "abcde", "isolates removed");
	check("a\xe2\x80\x8e" "b\xe2\x80\x8f" "c\xd8\x9c" "d", 0, "abcd",
	    "LRM, RLM, ALM removed");
	check("a\xe2\x80\xad" "b", SANITIZE_ASCII, "ab",
	    "bidi removed, not ?, in ASCII mode");
	check("\xe2\x80\xa9", 0, "\xe2\x80\xa9", "U+2029 is not bidi");
}

static void
test_sgr(void)
{
	int k = SANITIZE_KEEP_SGR;

	check(RED "red\033[0m", k, RED "red\033[0m", "SGR kept");
	check("\033[m", k, "\033[m", "empty SGR kept");
	check("\033[1;4;7;22;24;27;39;49m", k, "\033[1;4;7;22;24;27;39;49m",
	    "attributes kept");
	check("\033[91;107m", k, "\033[91;107m", "bright colours kept");
	check("\033[38;5;200;48;5;0m", k, "\033[38;5;200;48;5;0m",
	    "256 colours kept");
	check("\033[38;2;1;2;255m", k, "\033[38;2;1;2;255m",
	    "true colour kept");
	check("\033[1;;31m", k, "\033[1;;31m", "empty parameter is 0");
	check("\033[5mX", k, "X", "blink dropped");
	check("\033[8mX", k, "X", "conceal dropped");
	check("\033[1;8mX", k, "X", "one bad attribute drops all");
	check("\033[38;5;256mX", k, "X", "colour index out of range");
	check("\033[38;2;1;2mX", k, "X", "true colour missing a value");
	check("\033[38;5mX", k, "X", "256 colours missing a value");
	check("\033[38mX", k, "X", "38 alone dropped");
	check("\033[0031mX", k, "X", "over three digits dropped");
	check("\033[38:5:1mX", k, "X", "colon form dropped");
	check("\033[?31mX", k, "X", "private marker dropped");
	check("\033[31 mX", k, "X", "intermediate dropped");
	check("\033[31HX", k, "X", "non-SGR final dropped");
	check("\033[1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1mX", k,
	    "X", "parameters over the limit dropped");
	check("\xc2\x9b" "32mX", k, "\033[32mX", "UTF-8 C1 CSI kept as 7-bit");
	check("\x9b" "32mX", k, FFFD "32mX", "raw C1 CSI is not a CSI");
	check("a\n" RED "b", k, "a" RED " b", "SGR does not emit the space");
	check(RED "\n", k, RED, "no space after a trailing break");
	check(RED "red", 0, "red", "without the flag SGR goes");
}

/* A deterministic generator, so failures repeat. */
static uint32_t rng_state = 12345;

static uint32_t
rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

static void
test_random(void)
{
	static const char *const pieces[] = {
	    "\033", "[", "]", "P", "\\", "\007", "\030", "m", ";", "31", "?",
	    "\r", "\n", "\t", "\xc2", "\x9b", "\x9c", "\xe2\x80", "\xae",
	    "\xf0", "\x9d\x84", "\xff", "a", " ", "\xc3\xa9", "\0", "38;5;",
	    "\x1b\\", "X", "_", "^"
	};
	static const int flagsets[] = { 0, SANITIZE_KEEP_NEWLINES,
	    SANITIZE_ASCII, SANITIZE_KEEP_SGR, SANITIZE_KEEP_TABS |
	    SANITIZE_KEEP_NEWLINES | SANITIZE_KEEP_SGR, 0x0f };
	struct buf in;
	char *one, *got;
	size_t i, j, f, chunk;
	int safe = 1, agree = 1;
	const char *pc;

	for (i = 0; i < 300; i++) {
		buf_init(&in);
		buf_add(&in, "", 0);
		for (j = rng() % 200; j > 0; j--) {
			pc = pieces[rng() % (sizeof pieces / sizeof *pieces)];
			if (*pc == '\0')
				buf_addc(&in, '\0');
			else
				buf_adds(&in, pc);
		}
		for (f = 0; f < sizeof flagsets / sizeof *flagsets; f++) {
			one = sanitize_text(in.s, in.len, flagsets[f]);
			if (!output_safe(one, flagsets[f]))
				safe = 0;
			chunk = 1 + rng() % 7;
			got = stream_chunks(in.s, in.len, flagsets[f], chunk);
			if (strcmp(got, one) != 0)
				agree = 0;
			free(got);
			free(one);
		}
		buf_free(&in);
	}
	ok(safe, "random hostile input: output always safe");
	ok(agree, "random hostile input: random chunks agree");

	/* Every byte value, every flag set. */
	buf_init(&in);
	for (i = 0; i < 4096; i++)
		buf_addc(&in, (char)(rng() & 0xff));
	for (f = 0; f < sizeof flagsets / sizeof *flagsets; f++) {
		one = sanitize_text(in.s, in.len, flagsets[f]);
		ok(output_safe(one, flagsets[f]), "random bytes, flags %#x: "
		    "safe", flagsets[f]);
		free(one);
		one = sanitize_text(in.s, 300, flagsets[f]);
		ok(stream_agrees(in.s, 300, flagsets[f], one),
		    "random bytes, flags %#x: every split agrees", flagsets[f]);
		free(one);
	}
	buf_free(&in);
}

static void
test_huge(void)
{
	struct buf in;
	char *out;
	size_t i;

	buf_init(&in);
	for (i = 0; i < 100000; i++)
		buf_adds(&in, RED "x");
	out = sanitize_text(in.s, in.len, 0);
	is_int((long long)strlen(out), 100000, "100000 SGR + x: only the xs");
	free(out);
	out = sanitize_text(in.s, in.len, SANITIZE_KEEP_SGR);
	is_int((long long)strlen(out), (long long)in.len,
	    "100000 SGR + x kept with the flag");
	free(out);
	buf_reset(&in);

	buf_adds(&in, "\033]0;");
	for (i = 0; i < 1000000; i++)
		buf_addc(&in, 'A');
	out = sanitize_text(in.s, in.len, 0);
	is_str(out, "", "a megabyte of unterminated OSC gives nothing");
	free(out);
	buf_reset(&in);

	buf_adds(&in, "\033[");
	for (i = 0; i < 1000000; i++)
		buf_addc(&in, (char)('0' + i % 10));
	buf_adds(&in, "mX");
	out = sanitize_text(in.s, in.len, SANITIZE_KEEP_SGR);
	is_str(out, "X", "a megabyte of CSI parameters dropped");
	free(out);
	buf_reset(&in);

	for (i = 0; i < 1000000; i++)
		buf_addc(&in, '\xff');
	out = sanitize_text(in.s, in.len, 0);
	is_int((long long)strlen(out), 3000000LL,
	    "a megabyte of 0xff: one replacement each");
	free(out);
	buf_free(&in);
}

static void
test_api(void)
{
	struct sanitizer s;
	struct buf out;
	char *p;

	p = sanitize_text(NULL, 0, 0);
	is_str(p, "", "NULL with length 0 gives \"\"");
	free(p);
	p = sanitize_cstr(NULL, 0);
	is_str(p, "", "sanitize_cstr(NULL) gives \"\"");
	free(p);
	p = sanitize_cstr("a\033[1mb", 0);
	is_str(p, "ab", "sanitize_cstr");
	free(p);

	buf_init(&out);
	sanitizer_init(&s, 0);
	sanitizer_feed(&s, "ok\033[", 5, &out);
	sanitizer_finish(&s, &out);
	sanitizer_feed(&s, "31mX", 4, &out);
	sanitizer_finish(&s, &out);
	is_str(out.s, "ok31mX", "finish resets: no sequence crosses streams");
	buf_reset(&out);
	sanitizer_feed(&s, "\xe2", 1, &out);
	sanitizer_finish(&s, &out);
	is_str(out.s, FFFD, "finish flushes a truncated character");
	buf_reset(&out);
	sanitizer_init(&s, SANITIZE_KEEP_NEWLINES);
	sanitizer_feed(&s, "a\r", 2, &out);
	is_str(out.s, "a\n", "CR is shown at once while streaming");
	sanitizer_feed(&s, "\nb", 2, &out);
	is_str(out.s, "a\nb", "the LF after it is swallowed");
	buf_free(&out);
}

int
main(void)
{
	test_csi();
	test_strings();
	test_escapes();
	test_c1();
	test_controls();
	test_utf8();
	test_bidi();
	test_sgr();
	test_random();
	test_huge();
	test_api();
	return tap_done();
}
