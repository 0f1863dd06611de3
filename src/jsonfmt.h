/* JSON text whose numbers read as a person wrote them. */
#ifndef MAINTOP_JSONFMT_H
#define MAINTOP_JSONFMT_H

#include <stddef.h>

#include <jansson.h>

#include "util.h"

/*
 * The shortest text of v that reads back as the same double, "%g" style,
 * the exponent without leading zeros (1e-7), a whole number with ".0"
 * (it stays a real).  Written to out (len bytes; 32 are enough).
 */
void jsonfmt_real(double v, char *out, size_t len);

/* v as JSON text (keys in the object's order), every real as
 * jsonfmt_real writes it: compact with indent 0, else laid out as
 * json_dumps(JSON_INDENT(indent)) does.  Returns a new string ("" for
 * NULL). */
char *jsonfmt_dumps(json_t *v, int indent);

/*
 * A step's figures on one line, each beside its value in before (another
 * run's figures of the same step, or NULL) when there is one and it
 * differs: "rows 12 (before 10), ratio 0.95".  Numbers as jsonfmt writes
 * them, strings unquoted.  Returns a new string (not sanitized).
 */
char *jsonfmt_figures(json_t *figures, json_t *before);

#endif
