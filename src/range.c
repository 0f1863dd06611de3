/* Threshold ranges in the monitoring-plugins syntax: parsing, judging,
 * explaining and checking that a warning and critical pair can fire. */
#include "range.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The longest range text read: two ends and '@' with room to spare. */
#define RANGE_MAX_TEXT	128

/* Parses one end of a range (not "~") from s, len bytes. */
static int
range_end(const char *s, size_t len, enum range_unit unit, double *out)
{
	char buf[RANGE_MAX_TEXT];
	double ms;

	if (len == 0 || len >= sizeof buf)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (unit == RANGE_DURATION) {
		if (util_parse_duration_ms(buf, &ms) != 0)
			return -1;
		*out = ms / 1000.0;
		return 0;
	}
	return util_strict_double(buf, out);
}

int
range_parse(const char *s, enum range_unit unit, struct range *r,
    char **cause)
{
	const char *colon, *p = s;
	const char *what = unit == RANGE_DURATION ? "a duration" : "a number";

	memset(r, 0, sizeof *r);
	if (strlen(s) >= RANGE_MAX_TEXT) {
		*cause = xstrdup("too long for a range");
		return -1;
	}
	if (*p == '@') {
		r->inside = 1;
		p++;
	}
	colon = strchr(p, ':');
	if (colon == NULL) {
		/* "10" is 0:10. */
		if (range_end(p, strlen(p), unit, &r->hi) != 0)
			goto bad;
		r->lo = 0;
	} else {
		if (colon - p == 1 && *p == '~')
			r->lo_inf = 1;
		else if (range_end(p, (size_t)(colon - p), unit, &r->lo) != 0)
			goto bad;
		if (colon[1] == '\0')
			r->hi_inf = 1;
		else if (range_end(colon + 1, strlen(colon + 1), unit,
		    &r->hi) != 0)
			goto bad;
		if (r->lo_inf && r->hi_inf) {
			*cause = xasprintf("\"%s\" has no end at all", s);
			return -1;
		}
	}
	if (!r->lo_inf && !r->hi_inf && r->lo > r->hi) {
		*cause = xasprintf("\"%s\" starts above its end (write the "
		    "lower end first)", s);
		return -1;
	}
	r->set = 1;
	return 0;
bad:
	*cause = xasprintf("\"%s\" is not a range: use N, N:, ~:N, N:M or "
	    "@N:M, each end %s%s", s, what, unit == RANGE_DURATION ?
	    " such as " UTIL_DURATION_EXAMPLES : "");
	return -1;
}

void
range_plain(struct range *r, double v, int lower_worse)
{
	memset(r, 0, sizeof *r);
	r->set = 1;
	r->plain = 1;
	if (lower_worse) {
		r->lo = v;
		r->hi_inf = 1;
	} else {
		r->lo_inf = 1;
		r->hi = v;
	}
}

/* True when v lies in [lo, hi]. */
static int
range_contains(const struct range *r, double v)
{
	return (r->lo_inf || v >= r->lo) && (r->hi_inf || v <= r->hi);
}

int
range_alert(const struct range *r, double v)
{
	if (!r->set || isnan(v))
		return 0;
	return r->inside ? range_contains(r, v) : !range_contains(r, v);
}

void
range_num(double v, char *buf, size_t len)
{
	size_t n;

	if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(buf, len, "%.0f", v);
		return;
	}
	if (fabs(v) >= 1e15) {
		/* Too long in plain decimal: exact, with an exponent. */
		snprintf(buf, len, "%.17g", v);
		return;
	}
	snprintf(buf, len, "%.6f", v);
	n = strlen(buf);
	while (n > 1 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
}

void
range_format(const struct range *r, char *buf, size_t len)
{
	char lo[48], hi[48];

	if (len == 0)
		return;
	buf[0] = '\0';
	if (!r->set)
		return;
	range_num(r->lo, lo, sizeof lo);
	range_num(r->hi, hi, sizeof hi);
	if (r->plain)
		snprintf(buf, len, "%s%s", r->hi_inf ? lo : hi,
		    r->hi_inf ? ":" : "");
	else if (r->lo_inf)
		snprintf(buf, len, "%s~:%s", r->inside ? "@" : "", hi);
	else if (r->hi_inf)
		snprintf(buf, len, "%s%s:", r->inside ? "@" : "", lo);
	else if (strcmp(lo, "0") == 0)
		snprintf(buf, len, "%s%s", r->inside ? "@" : "", hi);
	else
		snprintf(buf, len, "%s%s:%s", r->inside ? "@" : "", lo, hi);
}

const char *
range_verdict(const struct range *r, double v, double *limit)
{
	if (r->inside) {
		*limit = r->lo;
		return "inside";
	}
	if (!r->lo_inf && v < r->lo) {
		*limit = r->lo;
		return "<";
	}
	*limit = r->hi;
	return ">";
}

/*
 * The points that stand for every piece of the line the ranges cut: each
 * end, a point between each two neighbouring ends and one beyond each
 * extreme.  Membership in any of the sets is constant on each piece.
 */
static size_t
range_probe_points(const struct range *a, const struct range *b,
    double dlo, double dhi, double *pt, size_t max)
{
	double ends[6];
	size_t n = 0, k = 0, i, j;
	double t;

	if (a->set && !a->lo_inf)
		ends[n++] = a->lo;
	if (a->set && !a->hi_inf)
		ends[n++] = a->hi;
	if (b->set && !b->lo_inf)
		ends[n++] = b->lo;
	if (b->set && !b->hi_inf)
		ends[n++] = b->hi;
	if (isfinite(dlo))
		ends[n++] = dlo;
	if (isfinite(dhi))
		ends[n++] = dhi;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && ends[j - 1] > ends[j]; j--) {
			t = ends[j];
			ends[j] = ends[j - 1];
			ends[j - 1] = t;
		}
	if (n == 0) {
		pt[k++] = 0;
		return k;
	}
	pt[k++] = ends[0] - 1;
	for (i = 0; i < n && k + 2 <= max; i++) {
		pt[k++] = ends[i];
		pt[k++] = i + 1 < n ? (ends[i] + ends[i + 1]) / 2 :
		    ends[i] + 1;
	}
	return k;
}

/* The values a figure can take, for messages: "0 to 100", "0 or more". */
static void
range_domain(double dlo, double dhi, char *buf, size_t len)
{
	char lo[48], hi[48];

	range_num(dlo, lo, sizeof lo);
	range_num(dhi, hi, sizeof hi);
	if (isinf(dlo) && isinf(dhi))
		snprintf(buf, len, "any number");
	else if (isinf(dhi))
		snprintf(buf, len, "%s or more", lo);
	else if (isinf(dlo))
		snprintf(buf, len, "%s or less", hi);
	else
		snprintf(buf, len, "%s to %s", lo, hi);
}

int
range_pair_check(const struct range *warn, const struct range *crit,
    double dlo, double dhi, char **cause)
{
	double pt[16];
	size_t n, i;
	int can_warn = 0, can_crit = 0;
	char w[64], c[64], d[100];

	n = range_probe_points(warn, crit, dlo, dhi, pt, 16);
	for (i = 0; i < n; i++) {
		if (pt[i] < dlo || pt[i] > dhi)
			continue;
		if (range_alert(crit, pt[i]))
			can_crit = 1;
		else if (range_alert(warn, pt[i]))
			can_warn = 1;
	}
	range_format(warn, w, sizeof w);
	range_format(crit, c, sizeof c);
	range_domain(dlo, dhi, d, sizeof d);
	if (crit->set && !can_crit) {
		*cause = xasprintf("crit %s can never go critical: this figure "
		    "is %s, never where it alerts", c, d);
		return -1;
	}
	if (!warn->set || can_warn)
		return 0;
	if (!crit->set)
		*cause = xasprintf("warn %s can never show: this figure is %s, "
		    "never where it alerts", w, d);
	else if (warn->plain && crit->plain && warn->hi_inf == crit->hi_inf &&
	    !warn->hi_inf)
		*cause = xasprintf("warn %s can never show: every value above "
		    "%s is above crit %s too, and critical wins (if lower is "
		    "worse, write ranges: warn = \"%s:\"; crit = \"%s:\")", w,
		    w, c, w, c);
	else if (warn->plain && crit->plain && warn->hi_inf == crit->hi_inf) {
		range_num(warn->lo, w, sizeof w);
		range_num(crit->lo, c, sizeof c);
		*cause = xasprintf("warn %s can never show: every value below "
		    "%s is below crit %s too, and critical wins (lower is "
		    "worse here)", w, w, c);
	}
	else
		*cause = xasprintf("warn %s can never show: every value that "
		    "alerts under it is critical under crit %s, and critical "
		    "wins", w, c);
	return -1;
}
