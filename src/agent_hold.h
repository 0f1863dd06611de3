/* Holds on the agent's autoruns: an operator holds the next start of a
 * window's autorun, with a reason; the agent skips that one occurrence
 * and says so.  Kept in state_dir/agent.holds.json, or the team store. */
#ifndef MAINTOP_AGENT_HOLD_H
#define MAINTOP_AGENT_HOLD_H

#include <stddef.h>
#include <time.h>

/* The largest holds file read (a bigger one holds nothing). */
#define AGENT_HOLD_FILE_MAX	(1024 * 1024)
/* Holds kept at most. */
#define AGENT_HOLD_MAX		1000

/* One hold: the occurrence of window starting at start, by user, why. */
struct agent_hold {
	char	*window;
	time_t	 start;
	char	*reason;
	char	*user;
	time_t	 when;		/* when it was placed */
};

struct agent_holds {
	struct agent_hold	*v;
	size_t			 n;
};

/*
 * Reads the text of a holds file (len bytes; NULL: none) into h (emptied
 * first).  Entries that are not holds are skipped; text that is not a
 * holds file is no hold.  Never fails.
 */
void agent_holds_parse(struct agent_holds *h, const char *text, size_t len);
/* The holds as the text of their file (JSON; caller frees). */
char *agent_holds_format(const struct agent_holds *);
void agent_holds_free(struct agent_holds *);

/* The hold on window's occurrence at start, or NULL. */
const struct agent_hold *agent_holds_find(const struct agent_holds *,
    const char *window, time_t start);

/* Adds a hold (strings copied; one already on that occurrence is
 * replaced) and drops holds whose start is more than a day before now. */
void agent_holds_add(struct agent_holds *, const char *window, time_t start,
    const char *reason, const char *user, time_t now);
/* Removes the hold on window's occurrence at start; 1 when there was one. */
int agent_holds_remove(struct agent_holds *, const char *window,
    time_t start);

/* The document of the holds: a file of the state directory, or the team
 * store's row (agent_doc.h). */
#define AGENT_HOLD_DOC	"agent.holds.json"

struct store;
/*
 * Holds (or, with release, takes back the hold on) the occurrence of
 * window starting at start: under the holds' lock it reads them, changes
 * them and writes them (atomically), then appends a journal record
 * ("hold" or "hold_release": the window, the start, the reason, who; now
 * is the record's time).  With store (NULL: state_dir's files) the holds
 * and the record are the team store's when it keeps them.  It waits for
 * the lock and the disk or the store: call it from a line mode or a
 * worker.  Returns 0, or -1 with *cause set (caller frees), also when
 * releasing what is not held.
 */
int agent_hold_apply(struct store *, const char *state_dir,
    const char *window, time_t start, int release, const char *reason,
    time_t now, char **cause);

/* Reads the holds into h (emptied first; none when they cannot be read)
 * and returns h.  Blocking, as agent_hold_apply. */
struct agent_holds *agent_holds_read(struct store *, const char *state_dir,
    struct agent_holds *h);

#endif
