/* Replays fuzz inputs through a fuzz target without libFuzzer, so that "make
 * check" runs every target over its corpus with any compiler. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
main(int argc, char **argv)
{
	int i, n = 0;

	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		unsigned char *data = NULL;
		size_t len = 0, cap = 0, r;

		if (f == NULL) {
			perror(argv[i]);
			return 1;
		}
		for (;;) {
			if (len == cap) {
				cap = cap ? cap * 2 : 4096;
				data = realloc(data, cap);
				if (data == NULL)
					return 1;
			}
			r = fread(data + len, 1, cap - len, f);
			if (r == 0)
				break;
			len += r;
		}
		fclose(f);
		LLVMFuzzerTestOneInput(data, len);
		free(data);
		n++;
	}
	printf("replayed %d inputs\n", n);
	return 0;
}
