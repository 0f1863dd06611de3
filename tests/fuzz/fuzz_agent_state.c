/* Fuzz target for the agent's state files: any bytes as its state
 * (agent.json), its debt memory (agent.debt.json) or its holds
 * (agent.holds.json) give a state, a memory or a list of holds, never a
 * crash; what was read formats, reads back and
 * formats again to the same text; a debt step over a fixed list and a
 * hold's lookup, addition and removal never fail. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent_debt.h"
#include "agent_hold.h"
#include "agent_state.h"
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

/* The same bytes as a state file: what parses formats, parses back and
 * formats again the same. */
static void
status(const uint8_t *data, size_t size)
{
	struct agent_status st, back;
	char *text, *again;

	memset(&st, 0, sizeof st);
	memset(&back, 0, sizeof back);
	if (agent_status_parse(&st, (const char *)data, size) == 0) {
		text = agent_status_format(&st);
		if (agent_status_parse(&back, text, strlen(text)) != 0)
			abort();
		again = agent_status_format(&back);
		if (strcmp(text, again) != 0)
			abort();
		free(again);
		free(text);
	}
	(void)agent_status_liveness(&st, 0);
	agent_status_free(&back);
	agent_status_free(&st);
}

/* The same bytes as a holds file. */
static void
holds(const uint8_t *data, size_t size)
{
	struct agent_holds h = { NULL, 0 }, back = { NULL, 0 };
	char *text, *again;
	size_t n;

	agent_holds_parse(&h, (const char *)data, size);
	text = agent_holds_format(&h);
	agent_holds_parse(&back, text, strlen(text));
	again = agent_holds_format(&back);
	if (strcmp(text, again) != 0)
		abort();
	n = h.n;
	if (n > 0 && agent_holds_find(&h, h.v[0].window, h.v[0].start) ==
	    NULL)
		abort();
	agent_holds_add(&h, "w", 100, "r", "u", 50);
	if (agent_holds_find(&h, "w", 100) == NULL ||
	    !agent_holds_remove(&h, "w", 100))
		abort();
	free(again);
	free(text);
	agent_holds_free(&back);
	agent_holds_free(&h);
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
	holds(data, size);
	status(data, size);
	return 0;
}
