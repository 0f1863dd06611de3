/* The agent's state file (state_dir/agent.json): the last instant it
 * handled, its heartbeat, the next autoruns (held or not) and the
 * deliveries waiting or given up; written by the agent, read by the next
 * agent and by the dashboard. */
#ifndef MAINTOP_AGENT_STATE_H
#define MAINTOP_AGENT_STATE_H

#include <stddef.h>
#include <time.h>

/* The largest state file read. */
#define AGENT_STATE_FILE_MAX	(64 * 1024)
/* Next autoruns kept in the file. */
#define AGENT_STATE_NEXT_MAX	3
/* The agent writes its heartbeat this often (seconds), the keep-alive
 * of an agent at rest; one older than AGENT_STATE_STALE (three missed)
 * means no agent runs. */
#define AGENT_STATE_HEARTBEAT	30
#define AGENT_STATE_STALE	90

/* One start of a window's autorun to come. */
struct agent_next {
	char	*window;
	time_t	 start;
	int	 held;		/* an operator held it (agent hold) */
};

/* What the file says.  Strings are owned; agent_status_free frees them. */
struct agent_status {
	time_t			 last;		/* everything up to it is done */
	time_t			 heartbeat;
	long			 pid;
	char			*host;
	long long		 waiting;	/* events in the outbox */
	long long		 failed;	/* deliveries given up */
	struct agent_next	 next[AGENT_STATE_NEXT_MAX];
	size_t			 nnext;
};

/*
 * Reads the text of a state file (len bytes) into st (emptied first).
 * Returns 0, or -1 when the text is not a state file (st then empty).
 * Members that do not fit are left out, never an error.
 */
int agent_status_parse(struct agent_status *st, const char *text,
    size_t len);
/* The state file's text (JSON, one line and a newline; caller frees). */
char *agent_status_format(const struct agent_status *);
void agent_status_free(struct agent_status *);

/* Whether an agent runs on the state, from its file (NULL: none read). */
enum agent_liveness {
	AGENT_NONE,		/* no state file: no agent ever ran here */
	AGENT_STALE,		/* no heartbeat for AGENT_STATE_STALE s */
	AGENT_ALIVE
};
enum agent_liveness agent_status_liveness(const struct agent_status *,
    time_t now);

/* The state's document: state_dir's file, or the team store's row
 * (agent_doc.h). */
#define AGENT_STATE_DOC	"agent.json"

#endif
