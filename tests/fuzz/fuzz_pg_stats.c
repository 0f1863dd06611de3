/* Fuzz target for PostgreSQL result handling: a result built from the
 * input (its first byte the number of columns and rows, then the values
 * separated by NUL, a lone 0x01 for SQL NULL) read as the statistics
 * statement's answer; the sample's message and figures stay printable. */
#include <libpq-fe.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pg_stats.h"
#include "probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
printable(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	PGresAttDesc att[32];
	char names[32][8];
	PGresult *r;
	struct sample *s;
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	const char *nul;
	int ncol, nrow, row, col, len;
	size_t i;

	if (size == 0)
		return 0;
	ncol = 18 + data[0] % 8;	/* around the 20 the reader wants */
	nrow = data[0] >= 0xf0 ? 2 : 1;
	r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	if (r == NULL)
		abort();
	memset(att, 0, sizeof att);
	for (col = 0; col < ncol; col++) {
		snprintf(names[col], sizeof names[col], "c%d", col);
		att[col].name = names[col];
		att[col].typid = 25;	/* text */
		att[col].typlen = -1;
		att[col].atttypmod = -1;
	}
	if (!PQsetResultAttrs(r, ncol, att))
		abort();
	for (row = 0; row < nrow; row++)
		for (col = 0; col < ncol; col++) {
			nul = p < end ? memchr(p, '\0', (size_t)(end - p)) :
			    NULL;
			len = (int)((nul != NULL ? nul : end) - p);
			if (p >= end || (len == 1 && *p == 1))
				PQsetvalue(r, row, col, NULL, -1);
			else
				PQsetvalue(r, row, col, (char *)p, len);
			p = nul != NULL ? nul + 1 : end;
		}
	s = sample_new();
	s->latency_ms = 1.5;
	pg_stats_read(s, r);
	printable(s->message);
	for (i = 0; i < s->nfigures; i++) {
		printable(s->figures[i].name);
		if (s->figures[i].kind != FIGURE_NUM)
			printable(s->figures[i].str);
	}
	sample_free(s);
	PQclear(r);
	return 0;
}
