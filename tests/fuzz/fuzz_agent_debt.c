/* Fuzz target for the agent's debt memory (state_dir/agent.debt.json): any
 * bytes give a memory, never a crash; one that was read formats, reads
 * back and formats again to the same text; a step over a fixed list never
 * fails. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent_debt.h"
#include "debt.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
count(void *arg, const char *id, const char *ev)
{
	(void)id;
	(void)ev;
	(*(size_t *)arg)++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct debt_item item, *items[1] = { &item };
	struct agent_debt *m = agent_debt_new((const char *)data, size), *back;
	char *text, *again;
	size_t n = 0;

	text = agent_debt_format(m);
	back = agent_debt_new(text, strlen(text));
	again = agent_debt_format(back);
	if (agent_debt_known(m) && strcmp(text, again) != 0)
		abort();
	memset(&item, 0, sizeof item);
	item.id = (char *)"D-0001";
	item.title = (char *)"t";
	item.priority = DEBT_HIGH;
	item.target = 86400;
	agent_debt_step(m, items, 1, 10 * 86400, "UTC", count, &n);
	if (n > 2)
		abort();
	free(again);
	free(text);
	agent_debt_free(back);
	agent_debt_free(m);
	return 0;
}
