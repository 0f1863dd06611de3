/* Reading what a monitoring-plugins program prints: the message on its
 * first line and the perfdata as figures (plugin_out.c). */
#ifndef MAINTOP_PLUGIN_OUT_H
#define MAINTOP_PLUGIN_OUT_H

struct sample;

/*
 * Reads a plugin's whole output (text, NUL-ended, changed in place): sets
 * s's message to the first line before any '|' (sanitized; "(no output)"
 * when empty, "(output cut at 64 KiB)" added when cut) and adds the
 * perfdata of the first line and the long output as figures.  The state is
 * the caller's (the exit code).
 */
void plugin_output(struct sample *s, char *text, int cut);

/*
 * Parses perfdata ("'label'=value[uom];[warn];[crit];[min];[max] ...")
 * into figures of s: s, ms and us in seconds, KB to TB in bytes, %, c;
 * each figure's warn and crit as the plugin gave them and its state
 * against them.  Labels are sanitized.  A malformed item (no '=', no
 * number, an unclosed quote, a value that is not finite) ends the parse,
 * as the plugins' own readers do.
 */
void plugin_perfdata(struct sample *s, const char *perfdata);

#endif
