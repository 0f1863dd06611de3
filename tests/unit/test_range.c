/* Tests of threshold ranges: a table of values against every range form
 * of the monitoring-plugins guidelines, plain numbers, perfdata text,
 * hostile input, and the proof that a warn and crit pair can fire. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "range.h"
#include "tap.h"
#include "util.h"

/*
 * Each row: a range and, for the values -5, 0, 5, 10, 15, 20, 25, whether
 * each alerts ('!') or not ('.').  The guidelines' own examples: "10" is
 * "< 0 or > 10", "10:" is "< 10", "~:10" is "> 10", "10:20" is "< 10 or
 * > 20", "@10:20" is "in 10 to 20, ends included".
 */
static const struct {
	const char	*range;
	const char	*alerts;
} table[] = {
	{ "10",		"!...!!!" },
	{ "10:",	"!!!....", },
	{ "~:10",	"....!!!" },
	{ "10:20",	"!!!...!" },
	{ "@10:20",	"...!!!." },
	{ "@10",	".!!!..." },
	{ "@10:",	"...!!!!" },
	{ "@~:10",	"!!!!..." },
	{ "0",		"!.!!!!!" },
	{ "-5:5",	"...!!!!" },
	{ "~:-5",	".!!!!!!" },
	{ "20:20",	"!!!!!.!" },
	{ "2.5e1",	"!......" },
	{ "+10:+20",	"!!!...!" },
};

static const double values[] = { -5, 0, 5, 10, 15, 20, 25 };

static void
test_table(void)
{
	struct range r;
	char *cause = NULL, got[8];
	size_t i, k;

	for (i = 0; i < sizeof table / sizeof table[0]; i++) {
		if (!ok(range_parse(table[i].range, RANGE_NUMBER, &r, &cause)
		    == 0, "\"%s\" parses", table[i].range)) {
			printf("#   %s\n", cause);
			free(cause);
			cause = NULL;
			continue;
		}
		for (k = 0; k < 7; k++)
			got[k] = range_alert(&r, values[k]) ? '!' : '.';
		got[7] = '\0';
		is_str(got, table[i].alerts, table[i].range);
	}
	ok(range_parse("10:20", RANGE_NUMBER, &r, &cause) == 0 &&
	    !range_alert(&r, NAN), "NaN never alerts");
	is_int(r.set, 1, "a parsed range is set");
	memset(&r, 0, sizeof r);
	ok(!range_alert(&r, 1e300) && !range_alert(&r, -1e300),
	    "an unset range never alerts");
}

static void
test_plain(void)
{
	struct range r;
	char buf[64];

	range_plain(&r, 80, 0);
	ok(!range_alert(&r, 80) && range_alert(&r, 80.001) &&
	    !range_alert(&r, -1000), "plain 80: above alerts, strictly");
	range_format(&r, buf, sizeof buf);
	is_str(buf, "80", "plain 80 prints as written");
	range_plain(&r, 30, 1);
	ok(!range_alert(&r, 30) && range_alert(&r, 29.99) &&
	    !range_alert(&r, 1e9), "plain 30, lower worse: below alerts");
	range_format(&r, buf, sizeof buf);
	is_str(buf, "30:", "lower is worse prints as a range (30:)");
	range_plain(&r, 0.25, 0);
	range_format(&r, buf, sizeof buf);
	is_str(buf, "0.25", "fractions without trailing zeros");
}

static void
test_format(void)
{
	static const struct {
		const char	*in;
		enum range_unit	 unit;
		const char	*out;
	} f[] = {
		{ "10", RANGE_NUMBER, "10" },
		{ "0:10", RANGE_NUMBER, "10" },
		{ "10:", RANGE_NUMBER, "10:" },
		{ "~:10", RANGE_NUMBER, "~:10" },
		{ "10:20", RANGE_NUMBER, "10:20" },
		{ "@10:20", RANGE_NUMBER, "@10:20" },
		{ "@~:3", RANGE_NUMBER, "@~:3" },
		{ "-1.5:2.25", RANGE_NUMBER, "-1.5:2.25" },
		{ "500ms", RANGE_DURATION, "0.5" },
		{ "~:2s", RANGE_DURATION, "~:2" },
		{ "1h:1d", RANGE_DURATION, "3600:86400" },
		{ "@25h", RANGE_DURATION, "@90000" },
	};
	struct range r;
	char *cause = NULL, buf[64];
	size_t i;

	for (i = 0; i < sizeof f / sizeof f[0]; i++) {
		if (range_parse(f[i].in, f[i].unit, &r, &cause) != 0) {
			ok(0, "\"%s\" parses: %s", f[i].in, cause);
			free(cause);
			cause = NULL;
			continue;
		}
		range_format(&r, buf, sizeof buf);
		is_str(buf, f[i].out, f[i].in);
	}
}

static void
test_hostile(void)
{
	static const char *const bad[] = {
		"", ":", "~", "~:", "@", "@:", "10:5", "abc", "10:abc",
		"0x10", "inf", "nan", "1e999", "10::20", "~:~", "@@10",
		"10 : 20", " 10", "10 ", "1\033[2J", "-", "--5", "5:~",
		"10:20:30", "5ms",
	};
	struct range r;
	char *cause, big[300];
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		ok(range_parse(bad[i], RANGE_NUMBER, &r, &cause) == -1 &&
		    cause != NULL && !r.set, "refused: \"%s\" (%s)", bad[i],
		    cause != NULL ? cause : "no cause");
		free(cause);
	}
	cause = NULL;
	ok(range_parse("-5s", RANGE_DURATION, &r, &cause) == -1,
	    "a negative duration refused");
	free(cause);
	cause = NULL;
	ok(range_parse("10:5", RANGE_NUMBER, &r, &cause) == -1 &&
	    strstr(cause, "starts above its end") != NULL,
	    "an inverted range says why");
	free(cause);
	memset(big, '1', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	cause = NULL;
	ok(range_parse(big, RANGE_NUMBER, &r, &cause) == -1,
	    "an overlong range refused");
	free(cause);
}

/* Parses a pair ("" for unset) and runs range_pair_check. */
static int
pair(const char *w, const char *c, double lo, double hi, char **cause)
{
	struct range rw, rc;
	char *x = NULL;

	memset(&rw, 0, sizeof rw);
	memset(&rc, 0, sizeof rc);
	if ((*w != '\0' && range_parse(w, RANGE_NUMBER, &rw, &x) != 0) ||
	    (*c != '\0' && range_parse(c, RANGE_NUMBER, &rc, &x) != 0)) {
		free(x);
		return -2;
	}
	*cause = NULL;
	return range_pair_check(&rw, &rc, lo, hi, cause);
}

static void
test_pairs(void)
{
	struct range w, c;
	char *cause = NULL;

	ok(pair("80", "95", 0, 100, &cause) == 0, "80/95 is fine");
	ok(pair("7:", "5:", -INFINITY, INFINITY, &cause) == 0,
	    "lower is worse as ranges: 7:/5: is fine");
	ok(pair("10:20", "5:25", -INFINITY, INFINITY, &cause) == 0,
	    "nested ranges: warn outside 10:20, crit outside 5:25");
	ok(pair("5:25", "10:20", -INFINITY, INFINITY, &cause) == -1 &&
	    strstr(cause, "can never show") != NULL,
	    "warn 5:25 inside crit 10:20 can never show");
	free(cause);
	ok(pair("~:150", "", 0, 100, &cause) == -1 &&
	    strstr(cause, "0 to 100") != NULL,
	    "warn above 150 on a percentage can never show");
	free(cause);
	ok(pair("", "200", 0, 100, &cause) == -1 &&
	    strstr(cause, "never go critical") != NULL,
	    "crit above 200 on a percentage never goes critical");
	free(cause);
	ok(pair("", "@200:300", 0, 100, &cause) == -1,
	    "crit inside 200:300 on a percentage never goes critical");
	free(cause);
	ok(pair("@10:20", "@12:14", 0, INFINITY, &cause) == 0,
	    "inside ranges: warn around crit");
	ok(pair("@12:14", "@10:20", 0, INFINITY, &cause) == -1,
	    "inside ranges: warn within crit never shows");
	free(cause);
	ok(pair("10", "10", 0, INFINITY, &cause) == -1,
	    "the same range twice: warn never shows");
	free(cause);

	/* The issue's case: warn = 7.0; crit = 5.0 written as numbers. */
	range_plain(&w, 7, 0);
	range_plain(&c, 5, 0);
	ok(range_pair_check(&w, &c, -INFINITY, INFINITY, &cause) == -1 &&
	    strstr(cause, "warn 7 can never show") != NULL &&
	    strstr(cause, "warn = \"7:\"; crit = \"5:\"") != NULL,
	    "plain 7/5 refused, pointing at ranges");
	free(cause);
	range_plain(&w, 3, 1);
	range_plain(&c, 7, 1);
	ok(range_pair_check(&w, &c, -INFINITY, INFINITY, &cause) == -1 &&
	    strstr(cause, "below 3 is below crit 7") != NULL,
	    "lower is worse, inverted: warn 3 crit 7 refused");
	free(cause);
	range_plain(&w, 30, 1);
	range_plain(&c, 7, 1);
	ok(range_pair_check(&w, &c, -INFINITY, INFINITY, &cause) == 0,
	    "lower is worse: 30/7 fine");
	range_plain(&w, 95, 0);
	range_plain(&c, 95, 0);
	ok(range_pair_check(&w, &c, 0, 100, &cause) == -1,
	    "equal plain limits: warn never shows");
	free(cause);
}

static void
test_verdict(void)
{
	struct range r;
	char *cause = NULL;
	double limit;

	range_parse("10:20", RANGE_NUMBER, &r, &cause);
	ok(strcmp(range_verdict(&r, 5, &limit), "<") == 0 && limit == 10,
	    "below the start: < 10");
	ok(strcmp(range_verdict(&r, 25, &limit), ">") == 0 && limit == 20,
	    "above the end: > 20");
	range_parse("@10:20", RANGE_NUMBER, &r, &cause);
	ok(strcmp(range_verdict(&r, 15, &limit), "inside") == 0,
	    "inside an @ range");
}

int
main(void)
{
	test_table();
	test_plain();
	test_format();
	test_hostile();
	test_pairs();
	test_verdict();
	return tap_done();
}
