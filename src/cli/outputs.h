/*-------------------------------------------------------------------------
 * outputs.h
 *    Where `pgsift analyze` and `pgsift report` write their report: one
 *    or more -o FILE (standard output for "-" or none), each in the
 *    format its name asks for.
 *
 * The log is read once and every output is written from the same
 * report_input: "-o report.json -o report.md -o -" gives the JSON, the
 * Markdown and (with --format, default text) the terminal's report.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_CLI_OUTPUTS_H
#define PGSIFT_CLI_OUTPUTS_H

#include "src/report/report.h"

typedef struct cli_output
{
	const char *path;			/* NULL or "-": standard output (borrowed from argv) */
	int			format;			/* a report_format, or CLI_FORMAT_FROM_OPTION */
} cli_output;

/* An output whose name says no format: --format decides. */
#define CLI_FORMAT_FROM_OPTION (-2)

typedef struct cli_outputs
{
	cli_output *items;			/* malloc'd */
	int			count;
} cli_outputs;

/*
 * The format a file name asks for by its extension (case-insensitive):
 * .json, .md or .markdown, .txt, .html or .htm (when this build has the
 * HTML report); CLI_FORMAT_FROM_OPTION for "-", NULL and any other name.
 * Returns -1 for an extension whose format this build does not write.
 */
int			cli_output_format_for(const char *path);

/*
 * Add -o path.  Returns 0, or -1 after reporting (diag_error with a hint)
 * a path given twice or an extension whose format this build lacks.
 */
int			cli_outputs_add(cli_outputs *o, const char *path);

/*
 * After the options: standard output when no -o was given, and fmt (the
 * --format value) for every output whose name said nothing.
 */
void		cli_outputs_resolve(cli_outputs *o, report_format fmt);

/*
 * Write the report to every output, in the order given: each opened,
 * written and finished (output_finish) in turn.  top is --top (0: each
 * format's default, report_default_top); the text written to standard
 * output is coloured when stdout_color, nothing else ever is.  Returns
 * PGSIFT_EXIT_OK, or PGSIFT_EXIT_WRITE when an output failed (each
 * failure reported with its path; the other outputs are still written).
 */
int			cli_outputs_write(const cli_outputs *o, report_input *in, int top, int stdout_color);

/*
 * The queries a report in format fmt lists given --top (as
 * cli_outputs_write sets them), or -1 when no output is in that format.
 */
int			cli_outputs_top(const cli_outputs *o, report_format fmt, int top);

void		cli_outputs_free(cli_outputs *o);

#endif
