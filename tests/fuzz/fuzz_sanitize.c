/* Fuzz target for the terminal sanitizer: the output must be safe, and
 * streaming in two pieces must give what one call gives. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Aborts unless s is valid UTF-8 without controls (but the allowed "\n",
 * "\t" and "ESC [ digits m") or bidi controls. */
static void
check_safe(const char *s, int flags)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned int cp;
	int n, i;

	while (*p != '\0') {
		if (*p == 0x1b) {
			if (!(flags & SANITIZE_KEEP_SGR) || p[1] != '[')
				abort();
			p += 2;
			while ((*p >= '0' && *p <= '9') || *p == ';')
				p++;
			if (*p++ != 'm')
				abort();
			continue;
		}
		if (*p < 0x80) {
			if (*p == 0x7f || (*p < 0x20 &&
			    !(*p == '\n' && (flags & SANITIZE_KEEP_NEWLINES)) &&
			    !(*p == '\t' && (flags & SANITIZE_KEEP_TABS))))
				abort();
			p++;
			continue;
		}
		if (flags & SANITIZE_ASCII)
			abort();
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
			abort();
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				abort();
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
		    cp <= 0x9f || (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069))
			abort();
		p += n + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sanitizer s;
	struct buf out;
	const char *text;
	char *one;
	size_t len, split, i;
	int flags;

	if (size < 2)
		return 0;
	flags = data[0] & 0x0f;
	text = (const char *)data + 2;
	len = size - 2;
	split = len == 0 ? 0 : data[1] % (len + 1);

	one = sanitize_text(text, len, flags);
	check_safe(one, flags);

	buf_init(&out);
	buf_add(&out, "", 0);
	sanitizer_init(&s, flags);
	sanitizer_feed(&s, text, split, &out);
	sanitizer_feed(&s, text + split, len - split, &out);
	sanitizer_finish(&s, &out);
	if (strcmp(out.s, one) != 0)
		abort();

	/* Byte by byte for short inputs. */
	if (len <= 256) {
		buf_reset(&out);
		for (i = 0; i < len; i++)
			sanitizer_feed(&s, text + i, 1, &out);
		sanitizer_finish(&s, &out);
		if (strcmp(out.s, one) != 0)
			abort();
	}
	buf_free(&out);
	free(one);
	return 0;
}
