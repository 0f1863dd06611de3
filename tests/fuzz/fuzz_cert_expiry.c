/* Fuzz target for the certificate-expiry parser: the input (cut at its
 * first NUL) as curl's CERTINFO "Expire date:" value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	time_t t = 0;

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	if (probe_http_parse_expiry(s, &t) != 0 && t != 0)
		abort();	/* a failure leaves the result alone */
	free(s);
	return 0;
}
