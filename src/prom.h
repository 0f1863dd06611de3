/* Parses the Prometheus text exposition format (0.0.4) and sums the series
 * that a selector such as http_requests_total{code=~"5.."} picks. */
#ifndef MAINTOP_PROM_H
#define MAINTOP_PROM_H

#include <stddef.h>

/* Bounds that keep a hostile or broken exporter from costing much. */
#define PROM_MAX_SERIES		10000	/* samples kept */
#define PROM_MAX_FAMILIES	10000	/* TYPE and HELP lines kept */
#define PROM_MAX_LINE		65536	/* bytes in a line */
#define PROM_MAX_LABELS		64	/* labels in one series */
#define PROM_MAX_SELECTOR	4096	/* bytes in a selector */

/* What a "# TYPE" line declares. */
enum prom_metric_type {
	PROM_TYPE_NONE,		/* no such metric */
	PROM_TYPE_UNTYPED,	/* samples without a TYPE, or "untyped" */
	PROM_TYPE_COUNTER,
	PROM_TYPE_GAUGE,
	PROM_TYPE_HISTOGRAM,
	PROM_TYPE_SUMMARY
};

struct prom_label {
	char	*name;
	char	*value;		/* escapes resolved; may hold "\n" */
};

/* One sample line. */
struct prom_series {
	char			*name;
	struct prom_label	*labels;	/* in the order written */
	size_t			 nlabels;
	double			 value;		/* may be NaN or infinite */
	int			 has_timestamp;
	long long		 timestamp;	/* milliseconds since 1970 */
};

struct prom;

/*
 * Parses len bytes of text (need not be NUL-terminated).  Lines end with
 * "\n" (a "\r" before it is ignored).  A malformed line (a bad name, label
 * or value, an unknown escape, a repeated label, a NUL byte, a line longer
 * than PROM_MAX_LINE) is skipped and counted; samples past PROM_MAX_SERIES
 * are dropped and counted.  Returns NULL and sets *cause (the caller frees
 * it) only when the text has malformed lines and no sample at all, which
 * means it is not this format (an HTML error page, JSON): the cause names
 * the first bad line by number but quotes none of it.  Empty text gives an
 * empty result.  Label values and HELP text are kept as sent: sanitize them
 * before display.  The caller frees the result with prom_free().
 */
struct prom *prom_parse(const char *text, size_t len, char **cause);
void prom_free(struct prom *);

/* Number of samples kept, and the i-th in the order received. */
size_t prom_nseries(const struct prom *);
const struct prom_series *prom_series_at(const struct prom *, size_t i);
/* Number of lines skipped (malformed or over the limits). */
size_t prom_nmalformed(const struct prom *);
/* The first malformed line as "line N: reason", or NULL if none. */
const char *prom_first_error(const struct prom *);

/*
 * The declared type of metric name.  For a name with no TYPE line of its
 * own, a histogram's or summary's "_bucket", "_sum" and "_count" series
 * report the type of their family; other names with samples are untyped.
 */
enum prom_metric_type prom_type(const struct prom *, const char *name);
/* "counter", "gauge", ... for a type. */
const char *prom_type_name(enum prom_metric_type);
/* The HELP text of metric name, escapes resolved, or NULL. */
const char *prom_help(const struct prom *, const char *name);

/*
 * Selectors, as users write them in the configuration:
 *   name
 *   name{label="value", other!="x", code=~"5..", path!~"/debug/.*"}
 * Values are quoted with " or ' and may use the escapes \\ \" \' \n \t.
 * =~ and !~ take a POSIX extended regular expression anchored at both ends,
 * as in Prometheus.  A label that a series does not have matches as if it
 * were empty, so code="" picks series without a code label.
 */
struct prom_selector;

/* Compiles a selector.  Returns NULL and sets *cause (caller frees) if it
 * is malformed.  The caller frees the result with prom_selector_free(). */
struct prom_selector *prom_selector_parse(const char *selector, char **cause);
void prom_selector_free(struct prom_selector *);
/* The metric name of a compiled selector. */
const char *prom_selector_name(const struct prom_selector *);
/*
 * Sums the values of the series of p that sel picks and counts them.  A
 * NaN among them makes the sum NaN, as in Prometheus.  With no match the
 * sum is 0 and the count 0.
 */
void prom_selector_eval(const struct prom *p, const struct prom_selector *sel,
    double *sum, size_t *matches);

/*
 * Convenience: compiles selector, evaluates it over p and frees it.
 * Returns 0, or -1 if the selector is malformed (prom_selector_valid says
 * why).  sum and matches may be NULL.
 */
int prom_select(const struct prom *p, const char *selector, double *sum,
    size_t *matches);
/* Returns 1 if selector is well formed, else 0 and sets *cause (caller
 * frees) when cause is not NULL.  For the configuration's validator. */
int prom_selector_valid(const char *selector, char **cause);

#endif
