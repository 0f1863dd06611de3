/* The team journal followed by a dashboard; see store_follow.h. */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "runindex.h"
#include "runner.h"
#include "store_follow.h"
#include "store_pg.h"
#include "store_priv.h"
#include "util.h"

/*
 * A record's number (journal.seq) is taken when it is inserted, not when
 * it is committed: a number below the last one read may still come, from
 * a transaction that took it first and committed later.  A gap just below
 * a record inserted within this while may still fill (a writer's statement
 * ends within its statement_timeout of 10 s, its transaction soon after);
 * an older gap is for good (a record refused as a duplicate, a transaction
 * rolled back), and is not read again.
 */
#define SF_RECENT	"120 seconds"
/* More gaps that may fill than this: the next update reads whole. */
#define SF_HOLES_MAX	256

/* Records seq lo to hi are missing and may still come. */
struct sf_hole {
	long long	lo;
	long long	hi;
};

struct store_follow {
	struct runindex	 index;
	long long	 last;		/* the newest record folded, 0: none */
	int		 whole;		/* read it whole next time */
	struct sf_hole	*holes;		/* below last, in order */
	size_t		 nholes;
};

/* One reading, as its rows come. */
struct sf_scan {
	struct store_follow	*f;
	long long		 prev;		/* the row before, or the floor */
	struct sf_hole		*holes;		/* the gaps that may fill */
	size_t			 nholes;
	int			 many;		/* more than SF_HOLES_MAX */
	int			 filled;	/* a gap of before filled */
};

struct store_follow *
store_follow_new(void)
{
	struct store_follow *f = xcalloc(1, sizeof *f);

	f->whole = 1;
	return f;
}

/* Forgets everything: the next reading is whole. */
static void
sf_reset(struct store_follow *f)
{
	runindex_clear(&f->index);
	f->last = 0;
	free(f->holes);
	f->holes = NULL;
	f->nholes = 0;
}

static int
sf_in_hole(const struct store_follow *f, long long seq)
{
	size_t i;

	for (i = 0; i < f->nholes; i++)
		if (seq >= f->holes[i].lo && seq <= f->holes[i].hi)
			return 1;
	return 0;
}

/* One row: a gap before it noted, a record not folded yet folded. */
static void
sf_row(struct sf_scan *sc, long long seq, int recent, const char *line,
    int len)
{
	struct store_follow *f = sc->f;

	if (seq <= sc->prev)
		return;
	if (seq > sc->prev + 1 && recent) {
		if (sc->nholes == SF_HOLES_MAX)
			sc->many = 1;
		else {
			sc->holes = xreallocarray(sc->holes, sc->nholes + 1,
			    sizeof *sc->holes);
			sc->holes[sc->nholes].lo = sc->prev + 1;
			sc->holes[sc->nholes++].hi = seq - 1;
		}
	}
	sc->prev = seq;
	if (seq <= f->last) {
		if (sf_in_hole(f, seq))
			sc->filled = 1;	/* out of order: read whole */
		return;
	}
	if (!sc->filled && len <= JOURNAL_LINE_MAX)
		runindex_record(&f->index, line);
	f->last = seq;
}

/* Reads the records after floor, one row at a time (the journal may be
 * long).  0, or -1 with *cause set. */
static int
sf_read(struct sf_scan *sc, PGconn *conn, long long floor, char **cause)
{
	char num[32];
	const char *p[1] = { num };
	PGresult *res;
	int r = 0, sent;

	snprintf(num, sizeof num, "%lld", floor);
	sc->prev = floor;
	sent = PQsendQueryParams(conn, "SELECT seq, at > statement_timestamp()"
	    " - interval '" SF_RECENT "', record FROM maintop.journal WHERE "
	    "seq > $1::bigint ORDER BY seq", 1, NULL, p, NULL, NULL, 0);
	if (sent != 1 || PQsetSingleRowMode(conn) != 1) {
		*cause = store_pg_error(conn, NULL);
		r = -1;
	}
	while (sent == 1 && (res = store_pg_get_result(conn)) != NULL) {
		if (r == 0 && PQresultStatus(res) == PGRES_SINGLE_TUPLE)
			sf_row(sc, strtoll(PQgetvalue(res, 0, 0), NULL, 10),
			    strcmp(PQgetvalue(res, 0, 1), "t") == 0,
			    PQgetvalue(res, 0, 2), PQgetlength(res, 0, 2));
		else if (r == 0 && PQresultStatus(res) != PGRES_TUPLES_OK) {
			*cause = store_pg_error(conn, res);
			r = -1;
		}
		PQclear(res);
	}
	return r;
}

/* Reads what is new (or all of it), once more whole when a gap filled. */
static int
sf_update_pg(struct store_follow *f, PGconn *conn, char **cause)
{
	struct sf_scan sc;
	int r, pass;

	for (pass = 0; pass < 2; pass++) {
		memset(&sc, 0, sizeof sc);
		sc.f = f;
		r = sf_read(&sc, conn, f->nholes > 0 ? f->holes[0].lo - 1 :
		    f->last, cause);
		free(f->holes);
		f->holes = sc.holes;
		f->nholes = sc.nholes;
		f->whole = r != 0 || sc.many;
		if (r != 0 || !sc.filled)
			return r;
		sf_reset(f);
	}
	return 0;
}

/* Which open runs are going: one statement for them all. */
static int
sf_live_pg(struct store_follow *f, PGconn *conn, char **cause)
{
	struct runner_orphan *o;
	PGresult *res;
	size_t i;
	int k;

	if (f->index.nopen == 0)
		return 0;
	res = store_pg_exec(conn, "SELECT runbook, run FROM maintop.run_locks "
	    "l WHERE EXISTS (SELECT 1 FROM pg_locks k WHERE k.locktype = "
	    "'advisory' AND k.granted AND k.pid = l.backend_pid AND "
	    "k.objsubid = 1 AND ((k.classid::bigint << 32) | "
	    "k.objid::bigint) = l.lock_key)", 0, NULL, cause);
	if (res == NULL)
		return -1;
	for (i = 0; i < f->index.nopen; i++) {
		o = &f->index.open[i];
		o->alive = 0;
		for (k = 0; k < PQntuples(res) && !o->alive; k++)
			o->alive = strcmp(PQgetvalue(res, k, 0), o->runbook) ==
			    0 && strcmp(PQgetvalue(res, k, 1), o->id) == 0;
	}
	PQclear(res);
	return 0;
}

static void
sf_fold(const char *line, void *arg)
{
	runindex_record(arg, line);
}

/* The files: read whole, each open run asked about. */
static int
sf_update_files(struct store_follow *f, struct store *s, char **cause)
{
	struct runner_orphan *o;
	size_t i;

	sf_reset(f);
	if (store_journal_foreach(s, NULL, sf_fold, &f->index, cause) != 0)
		return -1;
	for (i = 0; i < f->index.nopen; i++) {
		o = &f->index.open[i];
		o->alive = store_run_live(s, o->runbook, o->id, (long)o->pid);
	}
	return 0;
}

int
store_follow_update(struct store_follow *f, struct store *s, int full,
    char **cause)
{
	PGconn *conn;
	int r;

	if (s->ops != &store_pg_ops)
		return sf_update_files(f, s, cause);
	if (full || f->whole)
		sf_reset(f);
	if ((conn = store_pg_hold(s, cause)) == NULL) {
		f->whole = 1;
		return -1;
	}
	if ((r = sf_update_pg(f, conn, cause)) == 0 &&
	    (r = sf_live_pg(f, conn, cause)) != 0)
		f->whole = 1;
	store_pg_unhold(s);
	return r;
}

const struct runindex *
store_follow_index(const struct store_follow *f)
{
	return &f->index;
}

void
store_follow_free(struct store_follow *f)
{
	if (f == NULL)
		return;
	sf_reset(f);
	free(f);
}
