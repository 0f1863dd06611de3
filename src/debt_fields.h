/* The editable fields of a debt item by name, as text: what the dashboard's
 * form and "maintop debt add|edit --field value" read and write, with one
 * set of checks for both. */
#ifndef MAINTOP_DEBT_FIELDS_H
#define MAINTOP_DEBT_FIELDS_H

#include <stddef.h>

#include "debt.h"

enum debt_field {
	DEBT_FIELD_TITLE,
	DEBT_FIELD_PRIORITY,
	DEBT_FIELD_SYSTEMS,
	DEBT_FIELD_TARGET,
	DEBT_FIELD_OWNER,
	DEBT_FIELD_EFFORT,
	DEBT_FIELD_DESCRIPTION,
	DEBT_FIELD_IMPACT,
	DEBT_FIELD_PLAN,
	DEBT_FIELD_COUNT
};

/* What a field is called and how it is typed. */
struct debt_field_desc {
	const char	*name;		/* "plan": the option and file key */
	const char	*label;		/* "Plan": the form's label */
	const char	*hint;		/* what to type, for an empty field */
	int		 required;	/* may not be empty */
	int		 multiline;	/* may hold newlines */
};

/* The fields, in the form's order (indexed by enum debt_field). */
extern const struct debt_field_desc debt_fields[DEBT_FIELD_COUNT];

/* The field named name ("title", "plan"...; case is ignored), or -1. */
int debt_field_find(const char *name);

/*
 * Checks text as the value of field f: NULL when it is fine, else a new
 * string (caller frees) saying what is wrong in words the user can act on.
 * Surrounding blanks are ignored; an empty value clears an optional field.
 * Dates are read in zone tz.
 */
char *debt_field_check(enum debt_field f, const char *text, const char *tz);

/*
 * Sets field f of d from text, after debt_field_check.  Systems are
 * separated by commas.  Returns 0, or -1 with *cause set (caller frees)
 * and d unchanged.
 */
int debt_field_set(struct debt_item *d, enum debt_field f, const char *text,
    const char *tz, char **cause);

/* The text of field f of d, as debt_field_set reads it back (a new
 * string; "" for an empty field). */
char *debt_field_get(const struct debt_item *d, enum debt_field f,
    const char *tz);

/* Splits "a, b,c" into trimmed, non-empty names (a new array of new
 * strings, freed with cfg_strlist_free). */
char **debt_split_systems(const char *text, size_t *n);

/* An effort as an exact duration util_parse_duration reads back ("1d4h",
 * "30m"); "" for 0. */
void debt_format_effort(long long secs, char *out, size_t len);

#endif
