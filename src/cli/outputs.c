/*-------------------------------------------------------------------------
 * outputs.c
 *    The report's outputs, their formats by extension, and writing them
 *    all from one read (outputs.h).
 *
 * The HTML report is asked for by name (report_format_from_name("html")),
 * so that a .html output works in a build that has it and is refused,
 * before the log is read, in one that does not.
 *-------------------------------------------------------------------------
 */
#include "src/cli/outputs.h"
#include "src/core/diag.h"
#include "src/core/output.h"
#include "src/lib/arena.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int
is_stdout(const char *path)
{
	return path == NULL || strcmp(path, "-") == 0;
}

/* Whether two -o name the same output (by name: "-" is standard output). */
static int
same_output(const char *a, const char *b)
{
	if (is_stdout(a) || is_stdout(b))
		return is_stdout(a) && is_stdout(b);
	return strcmp(a, b) == 0;
}

int
cli_output_format_for(const char *path)
{
	static const struct
	{
		const char *ext;
		const char *format;
	}			by_ext[] = {
		{"json", "json"}, {"md", "markdown"}, {"markdown", "markdown"}, {"txt", "text"},
		{"html", "html"}, {"htm", "html"},
	};
	const char *base,
			   *dot;

	if (is_stdout(path))
		return CLI_FORMAT_FROM_OPTION;
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	dot = strrchr(base, '.');
	if (dot == NULL || dot == base)
		return CLI_FORMAT_FROM_OPTION;
	for (size_t i = 0; i < sizeof(by_ext) / sizeof(by_ext[0]); i++)
		if (strcasecmp(dot + 1, by_ext[i].ext) == 0)
			return report_format_from_name(by_ext[i].format);
	return CLI_FORMAT_FROM_OPTION;
}

int
cli_outputs_add(cli_outputs *o, const char *path)
{
	int			format = cli_output_format_for(path);

	if (format == -1)
	{
		diag_hint("This build writes text (.txt), JSON (.json), Markdown (.md) and HTML (.html) reports.");
		diag_error("unknown report format for \"%s\"", path);
		return -1;
	}
	for (int i = 0; i < o->count; i++)
		if (same_output(o->items[i].path, path))
		{
			diag_hint("Give each -o once.");
			diag_error("output \"%s\" given twice", path);
			return -1;
		}
	o->items = xrealloc(o->items, sizeof(cli_output) * (size_t) (o->count + 1));
	o->items[o->count++] = (cli_output) {.path = path, .format = format};
	return 0;
}

void
cli_outputs_resolve(cli_outputs *o, report_format fmt)
{
	if (o->count == 0)
	{
		o->items = xrealloc(o->items, sizeof(cli_output));
		o->items[o->count++] = (cli_output) {.path = NULL, .format = CLI_FORMAT_FROM_OPTION};
	}
	for (int i = 0; i < o->count; i++)
		if (o->items[i].format == CLI_FORMAT_FROM_OPTION)
			o->items[i].format = (int) fmt;
}

int
cli_outputs_write(const cli_outputs *o, report_input *in, int top, int stdout_color)
{
	int			rc = PGSIFT_EXIT_OK;

	for (int i = 0; i < o->count; i++)
	{
		const cli_output *out = &o->items[i];
		report_format fmt = (report_format) out->format;
		FILE	   *f = output_open(out->path);

		if (f == NULL)
		{
			rc = PGSIFT_EXIT_WRITE;
			continue;
		}
		in->top = cli_outputs_top(o, fmt, top);
		in->color = fmt == REPORT_TEXT && is_stdout(out->path) && stdout_color;
		/* a failed write stays in the stream, for output_finish to report with the path */
		(void) report_write(f, fmt, in);
		if (output_finish(f, out->path) != PGSIFT_EXIT_OK)
			rc = PGSIFT_EXIT_WRITE;
	}
	in->color = 0;
	return rc;
}

int
cli_outputs_top(const cli_outputs *o, report_format fmt, int top)
{
	for (int i = 0; i < o->count; i++)
		if (o->items[i].format == (int) fmt)
			return top > 0 ? top : report_default_top(fmt);
	return -1;
}

void
cli_outputs_free(cli_outputs *o)
{
	free(o->items);
	o->items = NULL;
	o->count = 0;
}
