/* The private parts shared by the files that make up runbook definitions:
 * the model (runbook.c), the parser (runbook_parse.c and
 * runbook_parse_step.c), the parameters (runbook_param.c) and the text
 * shown for people (runbook_text.c). */
#ifndef MAINTOP_RUNBOOK_PRIV_H
#define MAINTOP_RUNBOOK_PRIV_H

#include <stddef.h>

#include "runbook.h"
#include "util.h"

/* Policy names, in enum runbook_policy order, NULL-ended. */
extern const char *const runbook_policy_names[];

/* Health levels, in RUNBOOK_HEALTH_* order, NULL-ended. */
extern const char *const runbook_health_names[];

/* The keys that choose a step's kind, in enum step_kind order, NULL-ended. */
extern const char *const runbook_kind_keys[];

/* Whether the n bytes at s are a parameter name: a shell variable's name
 * (it becomes MAINTOP_PARAM_x), 1 to 64 bytes. */
int runbook_valid_param_name(const char *s, size_t n);

/* The parameter of rb named by the n bytes at name, or NULL. */
const struct runbook_param *runbook_find_param_n(const struct runbook *rb,
    const char *name, size_t n);

/* The name of rb's parameter closest to name (borrowed from rb), or NULL
 * when none is close: for "did you mean". */
const char *runbook_suggest_param(const struct runbook *rb,
    const char *name);

/* Frees a step, its criteria and its rollbacks; NULL is ignored. */
void runbook_step_free(struct step *);

/*
 * A string member key of g that must be one of names (NULL-ended): stores
 * its index in *out and returns 1, 0 when absent, -1 (the error, with the
 * names it may be, recorded in e) otherwise.
 */
int runbook_parse_choice(struct cfg_errors *e, const config_setting_t *g,
    const char *key, const char *const *names, int *out);

/*
 * Parses one step of rb (a group), the idx'th of its list.  defname is
 * NULL for a runbook's own step (named "step N" unless it has a name);
 * otherwise the step is a rollback or a criterion, named defname unless
 * it has a name, and takes no rollback of its own.  Errors go to e; returns
 * NULL when the step cannot be used, else a step the caller frees with
 * runbook_step_free.
 */
struct step *runbook_parse_step(struct cfg_errors *e,
    const config_setting_t *g, const struct runbook *rb, size_t idx,
    const char *defname);

/* Appends v to b as one shell word in single quotes. */
void runbook_quote_shell(struct buf *b, const char *v);

#endif
