/* The output of a monitoring-plugins program read as the plugin
 * development guidelines write it: the first line is the message, the
 * perfdata after its '|' (and after the first '|' of the long output)
 * become figures with their units and ranges. */
#include "plugin_out.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "sanitize.h"

/* The factor and unit of a perfdata unit of measure. */
static const char *
plugin_unit(const char *uom, double *factor)
{
	static const struct {
		const char	*uom;
		double		 factor;
		const char	*unit;
	} units[] = {
		{ "s", 1, "s" }, { "ms", 1e-3, "s" }, { "us", 1e-6, "s" },
		{ "%", 1, "%" }, { "B", 1, "B" }, { "KB", 1024.0, "B" },
		{ "MB", 1048576.0, "B" }, { "GB", 1073741824.0, "B" },
		{ "TB", 1099511627776.0, "B" }, { "c", 1, "c" },
	};
	size_t i;

	for (i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcmp(uom, units[i].uom) == 0) {
			*factor = units[i].factor;
			return units[i].unit;
		}
	*factor = 1;
	return "";
}

/* One perfdata item's threshold field (len bytes at s) as a range. */
static void
plugin_range(const char *s, size_t len, double factor, struct range *r)
{
	char buf[64], *cause = NULL;

	memset(r, 0, sizeof *r);
	if (len == 0 || len >= sizeof buf)
		return;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (range_parse(buf, RANGE_NUMBER, r, &cause) != 0) {
		free(cause);
		return;
	}
	r->lo *= factor;
	r->hi *= factor;
}

void
plugin_perfdata(struct sample *s, const char *p)
{
	struct buf label;
	struct figure *f;
	struct range w, c;
	const char *v, *semi[4], *end;
	char uom[8], *name, *num_end;
	double num, factor;
	size_t k, n;

	buf_init(&label);
	for (;;) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		buf_reset(&label);
		if (*p == '\'') {
			for (p++; *p != '\0'; p++) {
				if (*p == '\'' && p[1] == '\'')
					p++;
				else if (*p == '\'')
					break;
				buf_addc(&label, *p);
			}
			if (*p++ != '\'')
				break;
		} else
			for (; *p != '\0' && *p != '=' && *p != ' '; p++)
				buf_addc(&label, *p);
		if (*p != '=' || label.len == 0)
			break;
		v = ++p;
		num = strtod(v, &num_end);
		if (num_end == v || !isfinite(num))
			break;
		for (n = 0, p = num_end; n + 1 < sizeof uom &&
		    (isalpha((unsigned char)*p) || *p == '%'); p++)
			uom[n++] = *p;
		uom[n] = '\0';
		end = p + strcspn(p, " ");
		for (k = 0; k < 4; k++)
			semi[k] = end;
		for (k = 0; k < 4 && p < end && *p == ';'; k++) {
			semi[k] = ++p;
			p += strcspn(p, "; ");
		}
		name = sanitize_cstr(label.s, 0);
		f = sample_add_num(s, name, num * 1, plugin_unit(uom, &factor));
		f->num = num * factor;
		free(name);
		plugin_range(semi[0], strcspn(semi[0], "; "), factor, &w);
		plugin_range(semi[1], strcspn(semi[1], "; "), factor, &c);
		f->warn = w;
		f->crit = c;
		/* The plugin judged; the ranges are shown as it gave them. */
		f->state = range_alert(&c, f->num) ? STATE_CRIT :
		    range_alert(&w, f->num) ? STATE_WARN : STATE_OK;
		p = end;
	}
	buf_free(&label);
}

void
plugin_output(struct sample *s, char *text, int cut)
{
	char *nl, *bar, *perf, *end;
	struct buf all;

	/* The first line is the message; perfdata follows its '|' and the
	 * first '|' of the long output. */
	nl = strchr(text, '\n');
	if (nl != NULL)
		*nl = '\0';
	buf_init(&all);
	bar = strchr(text, '|');
	if (bar != NULL) {
		*bar = '\0';
		buf_adds(&all, bar + 1);
	}
	if (nl != NULL && (perf = strchr(nl + 1, '|')) != NULL) {
		buf_addc(&all, ' ');
		for (perf++; *perf != '\0'; perf++)
			buf_addc(&all, *perf == '\n' || *perf == '\r' ?
			    ' ' : *perf);
	}
	while (*text == ' ')
		text++;
	for (end = text + strlen(text); end > text && (end[-1] == ' ' ||
	    end[-1] == '\r' || end[-1] == '\t'); end--)
		end[-1] = '\0';
	sample_set_msg(s, "%s%s", *text != '\0' ? text : "(no output)",
	    cut ? " (output cut at 64 KiB)" : "");
	if (all.s != NULL)
		plugin_perfdata(s, all.s);
	buf_free(&all);
}
