/*-------------------------------------------------------------------------
 * ingest_file.c
 *    What ingestion knows of one log file: its format and prefix, detected
 *    from its first lines, the lines kept from stdin, and the warning for
 *    lines read without their prefix.
 *-------------------------------------------------------------------------
 */
#include "src/model/ingest.h"
#include "parsers/prefix.h"
#include "src/core/diag.h"
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"
#include "src/model/ingest_private.h"

#include <stdlib.h>
#include <string.h>

#define DETECT_LINES		64

void
ingest_file_clear(ingest_file *f)
{
	free(f->prefix);
	f->prefix = NULL;
	for (int i = 0; i < f->nhead; i++)
		free(f->head_lines[i]);
	free(f->head_lines);
	free(f->head_lens);
	f->head_lines = NULL;
	f->head_lens = NULL;
	f->nhead = 0;
	if (f->stdin_input)
		input_close(f->stdin_input);
	f->stdin_input = NULL;
}

int
ingest_detect_file(ingest_file *f, const ingest_options *opts)
{
	input_file *in = input_open(f->path);

	if (in == NULL)
		return -1;
	char	   *lines[DETECT_LINES];
	size_t		lens[DETECT_LINES];
	int			n = 0;
	const char *line;
	size_t		len;

	while (n < DETECT_LINES && input_next_line(in, &line, &len) == 1)
	{
		lines[n] = xstrndup(line, len);
		lens[n++] = len;
	}

	char	   *prefix = NULL;
	log_format	fmt = detect_log_format((const char *const *) lines, lens, n, &prefix);

	if (strcmp(f->path, "-") == 0)
	{
		/* stdin cannot be read twice: keep what detection consumed */
		f->head_lines = xcalloc((size_t) n + 1, sizeof(char *));
		f->head_lens = xcalloc((size_t) n + 1, sizeof(size_t));
		for (int i = 0; i < n; i++)
		{
			f->head_lines[i] = lines[i];
			f->head_lens[i] = lens[i];
		}
		f->nhead = n;
		f->stdin_input = in;
	}
	else
	{
		for (int i = 0; i < n; i++)
			free(lines[i]);
		input_close(in);
	}
	if (opts->format != LOG_FORMAT_AUTO)
	{
		if (fmt != LOG_FORMAT_AUTO && fmt != opts->format && n > 0)
		{
			diag_detail("Its first lines look like %s.", log_format_name(fmt));
			diag_hint("Leave out --log-format to detect the format per file.");
			diag_warning("log file \"%s\" does not look like %s", f->path, log_format_name(opts->format));
		}
		fmt = opts->format;
	}
	if (opts->prefix)
	{
		free(prefix);
		prefix = xstrdup(opts->prefix);
	}
	if (fmt == LOG_FORMAT_AUTO)
	{
		free(prefix);
		f->format = LOG_FORMAT_STDERR;
		f->prefix = NULL;
		if (n > 0)
		{
			diag_detail("Its first lines match none of stderr (with a known or learned log_line_prefix), csvlog, jsonlog, syslog, RDS or pgBouncer.");
			diag_hint("Give the format with --log-format and, for stderr, the server's log_line_prefix with --prefix.");
			diag_warning("could not recognise the format of log file \"%s\"", f->path);
		}
		return n > 0 ? -1 : 0;
	}
	f->format = fmt;
	f->prefix = prefix;
	return 0;
}

/*
 * The fields of prefix, besides the time, the pid and the names, that
 * lines read without it lose, as a list into sb (nothing when none).
 */
static void
lost_fields(const char *prefix, strbuf *sb)
{
	static const struct
	{
		char		esc;
		const char *name;
	}			fields[] = {
		{'h', "client"}, {'r', "client"}, {'c', "session id"}, {'l', "session line"},
		{'x', "transaction id"}, {'v', "virtual transaction id"}, {'e', "SQLSTATE"},
		{'Q', "query id"}, {'i', "command tag"}, {'b', "backend type"},
	};
	int			n = 0;

	for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++)
	{
		if (prefix_count_escapes(prefix, (char[]) {fields[f].esc, '\0'}, 1) == 0 ||
			(fields[f].esc == 'r' && strstr(sb->data, "client")))
			continue;
		strbuf_printf(sb, "%s%s", n++ ? ", " : "", fields[f].name);
	}
}

void
ingest_warn_fallback(const ingest_file *f)
{
	strbuf		lost;

	strbuf_init(&lost);
	lost_fields(f->prefix, &lost);
	diag_detail("They were read from their time, pid and severity alone (the first is line %llu): their user, "
				"database and application are unknown%s%s%s.", (unsigned long long) f->fallback_first,
				lost.len ? ", and so are the prefix's " : "", lost.data, lost.len ? " fields" : "");
	diag_hint("Give the server's setting with --prefix: psql -Atc 'SHOW log_line_prefix' prints it.");
	diag_warning("%llu line%s of \"%s\" do not match log_line_prefix '%s'",
				 (unsigned long long) f->fallback_lines, f->fallback_lines == 1 ? "" : "s", f->path,
				 f->prefix ? f->prefix : "");
	strbuf_free(&lost);
}
