/* Fuzz target for the masking of secrets in a step's output stream: with
 * up to three secret parameter values, an output cut into reads anywhere
 * must never show a secret whole, whatever the read boundaries, "SET"
 * lines, held prefixes and reads of standard error between them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "runbook.h"
#include "runner.h"
#include "runner_priv.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char dirtmpl[] = "/tmp/fuzz-mask.XXXXXX", *state_dir, *journal;

/* Removes the directory the target works in. */
static void
cleanup(void)
{
	unlink(journal);
	rmdir(state_dir);
}

static const char fuzz_runbook[] =
    "runbooks = ( { name = \"f\"; params = (\n"
    "  { name = \"a\"; secret = true; },\n"
    "  { name = \"b\"; secret = true; },\n"
    "  { name = \"c\"; secret = true; } );\n"
    "  steps = ( { name = \"s\"; run = \"true\"; } ); } );\n";

/* What reached the front end from the step: maintop's own lines ("maintop:
 * ignored a METRICS line ...") are its words, not the step's, and may
 * well hold a one-character secret. */
static void
collect(struct runner *r, const char *data, size_t len, int err, void *arg)
{
	if (len >= 9 && memcmp(data, "maintop: ", 9) == 0)
		return;
	buf_add(arg, data, len);
}

/* A secret value: 1 to 32 bytes up to the next NUL, no '*' (the mask's
 * own character) and no newline (masking works within the stream, a
 * SET line's value is masked separately). */
static size_t
take_secret(const uint8_t *data, size_t len, char *out)
{
	size_t i, k = 0;

	for (i = 0; i < len && data[i] != '\0' && k < 32; i++)
		if (data[i] != '*' && data[i] != '\n')
			out[k++] = (char)data[i];
	out[k] = '\0';
	return i < len ? i + 1 : i;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct config c;
	static int loaded;
	struct cfg_errors e;
	struct runner_env env;
	struct runner *r;
	struct buf out;
	char secrets[3][33], *values[3];
	size_t i, k, n, used, chunk;
	int err;

	if (!loaded) {
		/* Where a SET line's record goes (removed after each input). */
		if ((state_dir = mkdtemp(dirtmpl)) == NULL)
			abort();
		journal = runner_journal_path(state_dir);
		atexit(cleanup);
		memset(&c, 0, sizeof c);
		memset(&e, 0, sizeof e);
		runbook_load_string(&c, fuzz_runbook, "fuzz.conf", &e);
		if (c.nrunbooks != 1)
			abort();
		cfg_errors_free(&e);
		loaded = 1;
	}
	if (len < 1)
		return 0;
	n = data[0] % 3 + 1;
	data++;
	len--;
	for (i = 0; i < 3; i++) {
		secrets[i][0] = '\0';
		if (i < n) {
			used = take_secret(data, len, secrets[i]);
			data += used;
			len -= used;
		}
		values[i] = secrets[i];
	}

	memset(&env, 0, sizeof env);
	env.state_dir = state_dir;
	env.on_output = collect;
	buf_init(&out);
	env.arg = &out;
	r = runner_new(&env, c.runbooks[0], values, 0);
	/* The rest: a read length byte (its high bit: a read of standard
	 * error), then that many bytes, again. */
	for (i = 0; i < len; i += chunk) {
		err = data[i] & 0x80;
		chunk = (size_t)data[i] % 64 + 1;
		i++;
		if (chunk > len - i)
			chunk = len - i;
		if (err)
			stepout_write_err(r, (const char *)data + i, chunk, 0);
		else
			stepout_write(r, (const char *)data + i, chunk, 0);
	}
	stepout_write_err(r, "", 0, 1);
	stepout_write(r, "", 0, 1);

	for (k = 0; k < 3; k++) {
		if (secrets[k][0] == '\0' || out.len == 0)
			continue;
		if (memmem(out.s, out.len, secrets[k], strlen(secrets[k])) !=
		    NULL)
			abort();	/* a secret shown whole */
	}
	buf_free(&out);
	runner_free(r);
	unlink(journal);
	return 0;
}
