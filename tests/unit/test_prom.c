/* Tests of the Prometheus text format parser and of selectors, on a
 * realistic exposition and on hostile text. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "prom.h"
#include "sanitize.h"
#include "tap.h"
#include "util.h"

/* What a Go exporter with the default collectors prints, plus the corner
 * cases of the format. */
static const char sample[] =
    "# HELP http_requests_total The total number of HTTP requests.\n"
    "# TYPE http_requests_total counter\n"
    "http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000\n"
    "http_requests_total{method=\"post\",code=\"400\"}    3 1395066363000\n"
    "http_requests_total{method=\"get\",code=\"500\"} 7\n"
    "http_requests_total{method=\"get\",code=\"503\"} 2\n"
    "http_requests_total{method=\"get\",code=\"200\",} 1e3\n"
    "\n"
    "# Escaping in label values:\n"
    "msdos_file_access_time_seconds{path=\"C:\\\\DIR\\\\FILE.TXT\","
    "error=\"Cannot find file:\\n\\\"FILE.TXT\\\"\"} 1.458255915e9\n"
    "\n"
    "# Minimalistic line:\n"
    "metric_without_timestamp_and_labels 12.47\n"
    "\n"
    "# A weird metric from before the epoch:\n"
    "something_weird{problem=\"division by zero\"} +Inf -3982045\n"
    "\n"
    "# HELP go_gc_duration_seconds A summary of the GC invocation "
    "durations.\\nSecond line with a \\\\ backslash.\n"
    "# TYPE go_gc_duration_seconds summary\n"
    "go_gc_duration_seconds{quantile=\"0\"} 4.9351e-05\n"
    "go_gc_duration_seconds{quantile=\"0.5\"} NaN\n"
    "go_gc_duration_seconds_sum 1.7560473e+01\n"
    "go_gc_duration_seconds_count 2693\n"
    "# HELP http_request_duration_seconds A histogram.\n"
    "# TYPE http_request_duration_seconds histogram\n"
    "http_request_duration_seconds_bucket{le=\"0.05\"} 24054\n"
    "http_request_duration_seconds_bucket{le=\"0.1\"} 33444\n"
    "http_request_duration_seconds_bucket{le=\"+Inf\"} 144320\n"
    "http_request_duration_seconds_sum 53423\n"
    "http_request_duration_seconds_count 144320\n"
    "# TYPE process_open_fds gauge\n"
    "process_open_fds 9\r\n"
    "  \t indented_metric\t{ a = \"1\" , b=\"2\" }\t-0.5e-1\n"
    "temp_celsius{room=\"\"} -Inf\n"
    "colon:metric 1\n";

static void
diag_failure(const char *cause)
{
	printf("# parse failed: %s\n", cause != NULL ? cause : "?");
}

static struct prom *
parse_sample(void)
{
	char *cause = NULL;
	struct prom *p = prom_parse(sample, strlen(sample), &cause);

	if (p == NULL)
		diag_failure(cause);
	free(cause);
	return p;
}

static double
sel_sum(const struct prom *p, const char *selector, size_t *matches)
{
	double sum = -12345;

	if (prom_select(p, selector, &sum, matches) != 0)
		return -99999;
	return sum;
}

static void
test_parse(void)
{
	struct prom *p = parse_sample();
	const struct prom_series *s;
	size_t i;

	ok(p != NULL, "sample parses");
	is_int((long long)prom_nmalformed(p), 0, "no malformed line");
	ok(prom_first_error(p) == NULL, "no first error");
	is_int((long long)prom_nseries(p), 21, "21 samples");

	s = prom_series_at(p, 0);
	is_str(s->name, "http_requests_total", "first name");
	is_int((long long)s->nlabels, 2, "two labels");
	is_str(s->labels[0].name, "method", "label name");
	is_str(s->labels[1].value, "200", "label value");
	ok(s->value == 1027, "value");
	ok(s->has_timestamp && s->timestamp == 1395066363000LL, "timestamp");
	ok(!prom_series_at(p, 2)->has_timestamp, "no timestamp");
	ok(prom_series_at(p, 4)->value == 1000 &&
	    prom_series_at(p, 4)->nlabels == 2, "trailing comma, 1e3");

	s = prom_series_at(p, 5);
	is_str(s->labels[0].value, "C:\\DIR\\FILE.TXT", "\\\\ unescaped");
	is_str(s->labels[1].value, "Cannot find file:\n\"FILE.TXT\"",
	    "\\n and \\\" unescaped");
	ok(s->value == 1.458255915e9, "scientific value");
	s = prom_series_at(p, 7);
	ok(isinf(s->value) && s->value > 0 && s->timestamp == -3982045,
	    "+Inf with a negative timestamp");
	ok(isnan(prom_series_at(p, 9)->value), "NaN");
	ok(prom_series_at(p, 8)->value == 4.9351e-05, "4.9351e-05");
	s = prom_series_at(p, 17);
	is_str(s->name, "process_open_fds", "CRLF line name");
	ok(s->value == 9, "CRLF line value");
	s = prom_series_at(p, 18);
	ok(strcmp(s->name, "indented_metric") == 0 && s->nlabels == 2 &&
	    s->value == -0.05, "blanks everywhere");
	s = prom_series_at(p, 19);
	ok(isinf(s->value) && s->value < 0, "-Inf");
	is_str(prom_series_at(p, 20)->name, "colon:metric", "colon in name");
	ok(prom_series_at(p, 21) == NULL, "no 22nd sample");

	is_int(prom_type(p, "http_requests_total"), PROM_TYPE_COUNTER,
	    "counter");
	is_int(prom_type(p, "process_open_fds"), PROM_TYPE_GAUGE, "gauge");
	is_int(prom_type(p, "go_gc_duration_seconds"), PROM_TYPE_SUMMARY,
	    "summary");
	is_int(prom_type(p, "go_gc_duration_seconds_sum"), PROM_TYPE_SUMMARY,
	    "summary _sum");
	is_int(prom_type(p, "go_gc_duration_seconds_count"),
	    PROM_TYPE_SUMMARY, "summary _count");
	is_int(prom_type(p, "go_gc_duration_seconds_bucket"),
	    PROM_TYPE_NONE, "a summary has no buckets");
	is_int(prom_type(p, "http_request_duration_seconds_bucket"),
	    PROM_TYPE_HISTOGRAM, "histogram _bucket");
	is_int(prom_type(p, "metric_without_timestamp_and_labels"),
	    PROM_TYPE_UNTYPED, "untyped");
	is_int(prom_type(p, "nothing"), PROM_TYPE_NONE, "unknown name");
	is_int(prom_type(p, "_sum"), PROM_TYPE_NONE, "bare suffix");
	is_str(prom_type_name(PROM_TYPE_HISTOGRAM), "histogram", "type name");
	is_str(prom_type_name((enum prom_metric_type)99), "none",
	    "bad type name");
	is_str(prom_help(p, "http_requests_total"),
	    "The total number of HTTP requests.", "help");
	is_str(prom_help(p, "go_gc_duration_seconds"),
	    "A summary of the GC invocation durations.\nSecond line with a "
	    "\\ backslash.", "help escapes");
	ok(prom_help(p, "process_open_fds") == NULL, "no help");

	for (i = 0; i < prom_nseries(p); i++)
		ok(prom_series_at(p, i)->name[0] != '\0', "series %zu named",
		    i);
	prom_free(p);
}

static void
test_select(void)
{
	struct prom *p = parse_sample();
	struct prom_selector *sel;
	size_t n = 0;
	double sum;
	char *cause = NULL;

	ok(sel_sum(p, "http_requests_total", &n) == 2039 && n == 5,
	    "sum over every series of a name");
	ok(sel_sum(p, "http_requests_total{code=\"200\"}", &n) == 2027 &&
	    n == 2, "label equality");
	ok(sel_sum(p, "http_requests_total{code!=\"200\"}", &n) == 12 &&
	    n == 3, "label inequality");
	ok(sel_sum(p, "http_requests_total{code=~\"5..\"}", &n) == 9 &&
	    n == 2, "regex 5..");
	ok(sel_sum(p, "http_requests_total{code!~\"5..\"}", &n) == 2030 &&
	    n == 3, "negated regex");
	ok(sel_sum(p, "http_requests_total{code=~\"5\"}", &n) == 0 && n == 0,
	    "regex anchored at both ends");
	ok(sel_sum(p, "http_requests_total{code=~\"0\"}", &n) == 0 && n == 0,
	    "regex anchored at the start");
	ok(sel_sum(p, "http_requests_total{code=~\"2..|4..\"}", &n) == 2030 &&
	    n == 3, "alternation stays anchored");
	ok(sel_sum(p, "http_requests_total{method='get', code=~'5..'}", &n) ==
	    9 && n == 2, "single quotes, two matchers");
	ok(sel_sum(p, " http_requests_total { method = \"post\" , } ", &n) ==
	    1030 && n == 2, "blanks and trailing comma");
	ok(sel_sum(p, "http_requests_total{method=\"put\"}", &n) == 0 &&
	    n == 0, "no match gives 0");
	ok(sel_sum(p, "http_requests_total{nolabel=\"\"}", &n) == 2039 &&
	    n == 5, "absent label matches empty");
	ok(sel_sum(p, "http_requests_total{nolabel!=\"\"}", &n) == 0 &&
	    n == 0, "absent label is not non-empty");
	ok(sel_sum(p, "http_requests_total{__name__=~\"http_.*\"}", &n) ==
	    2039 && n == 5, "__name__ matcher");
	ok(sel_sum(p, "temp_celsius{room=\"\"}", &n) < 0 && n == 1,
	    "-Inf summed");
	ok(isnan(sel_sum(p, "go_gc_duration_seconds", &n)) && n == 2,
	    "NaN makes the sum NaN");
	ok(sel_sum(p, "go_gc_duration_seconds{quantile=\"0\"}", &n) ==
	    4.9351e-05 && n == 1, "one quantile");
	ok(sel_sum(p, "http_request_duration_seconds_bucket{le=\"+Inf\"}",
	    &n) == 144320, "bucket le=+Inf");
	ok(sel_sum(p, "msdos_file_access_time_seconds{error=\"Cannot find "
	    "file:\\n\\\"FILE.TXT\\\"\"}", &n) == 1.458255915e9 && n == 1,
	    "escapes in selector values");
	ok(sel_sum(p, "msdos_file_access_time_seconds{path='C:\\\\DIR\\\\"
	    "FILE.TXT'}", &n) == 1.458255915e9 && n == 1,
	    "backslashes in selector values");
	ok(sel_sum(p, "nothing", &n) == 0 && n == 0, "unknown metric: 0");
	ok(sel_sum(p, "colon:metric", &n) == 1 && n == 1, "colon selector");
	ok(prom_select(p, "http_requests_total", NULL, NULL) == 0,
	    "sum and matches may be NULL");

	sel = prom_selector_parse("http_requests_total{code=~\"[45]..\"}",
	    &cause);
	ok(sel != NULL, "compiled selector");
	is_str(prom_selector_name(sel), "http_requests_total",
	    "selector name");
	prom_selector_eval(p, sel, &sum, &n);
	ok(sum == 12 && n == 3, "compiled selector evaluated");
	prom_selector_eval(p, sel, &sum, &n);
	ok(sum == 12 && n == 3, "evaluated again");
	prom_selector_free(sel);
	prom_selector_free(NULL);
	prom_free(p);
}

static void
bad_selector(const char *selector, const char *want_in_cause)
{
	char *cause = NULL;
	struct prom *p = prom_parse("", 0, NULL);
	int valid = prom_selector_valid(selector, &cause);

	ok(!valid && cause != NULL && strstr(cause, want_in_cause) != NULL,
	    "selector '%s' refused: %s", selector, cause ? cause : "(none)");
	ok(prom_select(p, selector, NULL, NULL) == -1,
	    "prom_select refuses '%s'", selector);
	free(cause);
	prom_free(p);
}

static void
test_selector_errors(void)
{
	struct buf b;
	size_t i;

	bad_selector("", "empty");
	bad_selector("   ", "metric name");
	bad_selector("{a=\"b\"}", "metric name");
	bad_selector("1abc", "metric name");
	bad_selector("name{", "missing '}'");
	bad_selector("name{a}", "expected =");
	bad_selector("name{a=b}", "unquoted");
	bad_selector("name{a=\"b\"", "'}'");
	bad_selector("name{a=\"b", "unquoted");
	bad_selector("name{a==\"b\"}", "unquoted");
	bad_selector("name{a=\"b\" c=\"d\"}", "','");
	bad_selector("name{a=\"\\x\"}", "unquoted");
	bad_selector("name{a=~\"(\"}", "regular expression");
	bad_selector("name{a=~\"a)|(b\"}", "regular expression");
	bad_selector("name{a=~\"[\"}", "regular expression");
	bad_selector("name extra", "unexpected");
	bad_selector("name{a=\"b\"}}", "unexpected");
	bad_selector("name{{a=\"b\"}}", "bad label name");
	bad_selector("name{1a=\"b\"}", "bad label name");
	bad_selector("name{a:b=\"b\"}", "expected =");
	bad_selector("na\033[31mme", "unexpected");
	bad_selector("name{a=\"b\"}\n", "unexpected");
	ok(prom_selector_valid("name{a=\"b\"}", NULL) == 1, "valid selector");
	ok(prom_selector_valid("name{a=\"b\", c=~\"x|y\", d!~'z', e!=''}",
	    NULL) == 1, "valid selector with every operator");
	ok(prom_selector_valid("}", NULL) == 0, "cause may be NULL");

	buf_init(&b);
	buf_adds(&b, "name{");
	for (i = 0; i < PROM_MAX_LABELS + 1; i++)
		buf_printf(&b, "l%zu=\"v\",", i);
	buf_adds(&b, "}");
	bad_selector(b.s, "too many");
	buf_reset(&b);
	for (i = 0; i < PROM_MAX_SELECTOR + 1; i++)
		buf_addc(&b, 'a');
	bad_selector(b.s, "too long");
	buf_free(&b);
}

/* Parses text that must fail as a whole; checks the cause. */
static void
refused(const char *text, const char *want_in_cause, const char *name)
{
	char *cause = NULL;
	struct prom *p = prom_parse(text, strlen(text), &cause);

	ok(p == NULL && cause != NULL && strstr(cause, want_in_cause) != NULL,
	    "%s: %s", name, cause ? cause : "(none)");
	prom_free(p);
	free(cause);
}

/* Parses text (len bytes, or up to its NUL when len is 0) in which only
 * the line "ok 1" must survive, bad lines being counted. */
static void
one_good(const char *text, size_t len, size_t bad, const char *name)
{
	char *cause = NULL;
	struct prom *p;

	if (len == 0)
		len = strlen(text);
	p = prom_parse(text, len, &cause);
	ok(p != NULL && prom_nseries(p) == 1 &&
	    strcmp(prom_series_at(p, 0)->name, "ok") == 0 &&
	    prom_nmalformed(p) == bad, "%s", name);
	prom_free(p);
	free(cause);
}

static void
test_hostile(void)
{
	struct prom *p;
	char *cause = NULL, *clean;
	struct buf b;
	size_t i, n;
	double sum;

	p = prom_parse(NULL, 0, &cause);
	ok(p != NULL && prom_nseries(p) == 0 && cause == NULL,
	    "empty text: empty result");
	prom_free(p);
	prom_free(NULL);
	p = prom_parse("# just\n# comments\n\n# HELP\n# TYPE\n", 33, &cause);
	ok(p != NULL && prom_nseries(p) == 0, "comments only: empty result");
	prom_free(p);

	refused("<html><body>502 Bad Gateway</body></html>\n", "line 1",
	    "HTML page refused");
	refused("\n\n{\"status\": \"ok\"}", "line 3", "JSON refused");
	refused("# TYPE x countr\n", "unknown metric type", "bad type");
	refused("\033]0;evil\007 1\n", "bad metric name", "escape as name");

	one_good("ok 1\nbad{a=\"1\",a=\"2\"} 1\n", 0, 1, "repeated label");
	one_good("ok 1\nbad{a=\"\\q\"} 1\n", 0, 1, "unknown escape");
	one_good("ok 1\nbad{a=\"1} 1\n", 0, 1, "unterminated value");
	one_good("ok 1\nbad{a=1} 1\n", 0, 1, "unquoted value");
	one_good("ok 1\nbad{a=\"1\"\n", 0, 1, "unterminated label set");
	one_good("ok 1\nbad{a=\"1\" b=\"2\"} 1\n", 0, 1, "missing comma");
	one_good("ok 1\nbad{{{{{{{{{{{{ 1\n", 0, 1, "braces");
	one_good("ok 1\nbad{1a=\"1\"} 1\n", 0, 1, "bad label name");
	one_good("ok 1\nbad{__name__=\"ok\"} 1\n", 0, 1, "__name__ label");
	one_good("ok 1\nbad 0x10\n", 0, 1, "hex value");
	one_good("ok 1\nbad 1e999\n", 0, 1, "overflowing value");
	one_good("ok 1\nbad 1,5\n", 0, 1, "comma value");
	one_good("ok 1\nbad\n", 0, 1, "no value");
	one_good("ok 1\nbad 1 2 3\n", 0, 1, "text after timestamp");
	one_good("ok 1\nbad 1 1.5\n", 0, 1, "fractional timestamp");
	one_good("ok 1\nbad 1 99999999999999999999\n", 0, 1,
	    "overflowing timestamp");
	one_good("ok 1\nb\xc3\xa4" "d 1\n", 0, 1, "non-ASCII name");
	one_good("ok 1\nbad\0 1\n", 12, 1, "NUL byte");
	one_good("ok 1\n# TYPE 1bad gauge\n", 0, 1, "bad TYPE name");
	one_good("ok 1\n# TYPE ok gauge extra\n", 0, 1, "TYPE extra text");
	one_good("ok 1\n# HELP b\033d text\n", 0, 1, "bad HELP name");
	one_good("ok 1\n#TYPE x y\n# whatever\n", 0, 1, "comments");

	/* Hostile but well-formed: kept raw, sanitizable. */
	p = prom_parse("x{a=\"\033]0;pwn\007\033[2Jhi\"} 1\n", 24, &cause);
	ok(p != NULL, "escape sequences inside a label value parse");
	clean = sanitize_cstr(prom_series_at(p, 0)->labels[0].value, 0);
	is_str(clean, "hi", "and sanitize away");
	free(clean);
	prom_free(p);

	/* A line over the limit. */
	buf_init(&b);
	buf_adds(&b, "ok 1\nbig{a=\"");
	for (i = 0; i < PROM_MAX_LINE; i++)
		buf_addc(&b, 'v');
	buf_adds(&b, "\"} 1\n");
	one_good(b.s, b.len, 1, "overlong line");

	/* Too many labels. */
	buf_reset(&b);
	buf_adds(&b, "ok 1\nmany{");
	for (i = 0; i < PROM_MAX_LABELS + 1; i++)
		buf_printf(&b, "l%zu=\"v\",", i);
	buf_adds(&b, "} 1\n");
	one_good(b.s, b.len, 1, "too many labels");

	/* Too many series. */
	buf_reset(&b);
	for (i = 0; i < 25000; i++)
		buf_printf(&b, "s{i=\"%zu\"} 1\n", i);
	p = prom_parse(b.s, b.len, &cause);
	ok(p != NULL && prom_nseries(p) == PROM_MAX_SERIES,
	    "series capped at %d", PROM_MAX_SERIES);
	ok(p != NULL && prom_nmalformed(p) == 25000 - PROM_MAX_SERIES,
	    "dropped series counted");
	ok(p != NULL && strstr(prom_first_error(p), "too many series"),
	    "and reported");
	ok(prom_select(p, "s", &sum, &n) == 0 && n == PROM_MAX_SERIES &&
	    sum == PROM_MAX_SERIES, "all kept series summed");
	prom_free(p);

	/* Too many families. */
	buf_reset(&b);
	buf_adds(&b, "ok 1\n");
	for (i = 0; i < PROM_MAX_FAMILIES + 5; i++)
		buf_printf(&b, "# TYPE f%zu gauge\n", i);
	one_good(b.s, b.len, 5, "TYPE lines capped");

	/* Random bytes around valid lines never crash. */
	buf_reset(&b);
	srand(11);
	for (i = 0; i < 300000; i++) {
		static const char alphabet[] = "ab{}=\",\\ \n#\t01eE+-.:\"";

		buf_addc(&b, i % 7 == 0 ? (char)(rand() & 0xff) :
		    alphabet[rand() % (sizeof alphabet - 1)]);
	}
	cause = NULL;
	p = prom_parse(b.s, b.len, &cause);
	ok((p == NULL && cause != NULL) || (p != NULL && cause == NULL &&
	    prom_nseries(p) + prom_nmalformed(p) > 0 &&
	    prom_select(p, "a{b=~\"a*\"}", &sum, &n) == 0),
	    "random text: a result or a cause");
	free(cause);
	prom_free(p);
	buf_free(&b);
}

int
main(void)
{
	test_parse();
	test_select();
	test_selector_errors();
	test_hostile();
	return tap_done();
}
