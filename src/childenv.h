/* The environment children get: the one maintop started with (captured
 * before maintop sets TZ or ESCDELAY for itself), less the variables that
 * hold secrets, plus what the caller sets; built in the parent. */
#ifndef MAINTOP_CHILDENV_H
#define MAINTOP_CHILDENV_H

/*
 * Captures the process environment.  Call first thing in main, before
 * anything changes it; later calls do nothing.  Without it the first use
 * captures whatever the environment is then (unit tests).
 */
void childenv_capture(void);

/* Sets (value not NULL) or removes a variable in the captured environment,
 * for every child from now on ("maintop demo" names its servers' ports). */
void childenv_set(const char *name, const char *value);

/* A variable of the captured environment, or NULL. */
const char *childenv_get(const char *name);

/*
 * Declares that variable name holds a secret (a check's password_env or
 * value_env): no child gets it unless the caller passes it by name.
 */
void childenv_secret(const char *name);

/* Forgets the secret names (tests). */
void childenv_secrets_clear(void);

/*
 * A new environment for execve: the captured one without the secret
 * variables, except those listed in pass (NULL-terminated, may be NULL),
 * then each "NAME=value" of set (may be NULL) replacing or adding.  Free
 * with childenv_free.
 */
char **childenv_build(char *const *pass, char *const *set);

/* Frees an environment from childenv_build, wiping its strings first. */
void childenv_free(char **);

#endif
