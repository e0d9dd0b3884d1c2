/*-------------------------------------------------------------------------
 * record_capture.c
 *    Test helper: run a reader over text and keep copies of its records.
 *-------------------------------------------------------------------------
 */
#include "tests/parsers/record_capture.h"
#include "src/lib/arena.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *
copy(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void
rcap_sink(void *ctx, const log_record *rec)
{
	rcap	   *c = ctx;

	if (c->n == c->cap)
	{
		c->cap = c->cap ? c->cap * 2 : 16;
		c->recs = xrealloc(c->recs, (size_t) c->cap * sizeof(log_record));
	}

	log_record *r = &c->recs[c->n++];

	*r = *rec;
	r->file = copy(rec->file);
	r->session_id = copy(rec->session_id);
	r->user = copy(rec->user);
	r->dbname = copy(rec->dbname);
	r->app = copy(rec->app);
	r->remote_host = copy(rec->remote_host);
	r->remote_port = copy(rec->remote_port);
	r->backend_type = copy(rec->backend_type);
	r->command_tag = copy(rec->command_tag);
	r->vxid = copy(rec->vxid);
	r->message = rec->message ? xstrndup(rec->message, rec->message_len) : NULL;
	r->detail = copy(rec->detail);
	r->hint = copy(rec->hint);
	r->context = copy(rec->context);
	r->statement = copy(rec->statement);
	r->internal_query = copy(rec->internal_query);
}

int
rcap_run(const format_reader_ops *ops, const char *prefix, int syslog_year,
		 const char *text, rcap *c)
{
	reader_config cfg = {
		.file = "test.log", .prefix = prefix, .syslog_year = syslog_year,
		.tally = &c->tally, .sink = rcap_sink, .sink_ctx = c,
	};
	format_reader *r = ops->create(&cfg);
	uint64_t	lineno = 0;

	if (r == NULL)
		return -1;
	while (*text)
	{
		const char *nl = strchr(text, '\n');
		size_t		len = nl ? (size_t) (nl - text) : strlen(text);

		ops->feed(r, text, len, ++lineno);
		text += len + (nl != NULL);
	}
	ops->finish(r);
	ops->destroy(r);
	return 0;
}

int
rcap_run_file(const format_reader_ops *ops, const char *prefix, const char *path,
			  rcap *c, uint64_t *lines)
{
	reader_config cfg = {
		.file = path, .prefix = prefix, .tally = &c->tally, .sink = rcap_sink, .sink_ctx = c,
	};
	FILE	   *f = fopen(path, "r");
	format_reader *r;
	char	   *line = NULL;
	size_t		cap = 0;
	ssize_t		n;

	*lines = 0;
	if (f == NULL)
		return -1;
	if ((r = ops->create(&cfg)) == NULL)
	{
		fclose(f);
		return -1;
	}
	while ((n = getline(&line, &cap, f)) > 0)
	{
		if (line[n - 1] == '\n')
			n--;
		ops->feed(r, line, (size_t) n, ++*lines);
	}
	ops->finish(r);
	ops->destroy(r);
	free(line);
	fclose(f);
	return 0;
}

void
rcap_free(rcap *c)
{
	for (int i = 0; i < c->n; i++)
	{
		log_record *r = &c->recs[i];
		const char *strings[] = {
			r->file, r->session_id, r->user, r->dbname, r->app, r->remote_host,
			r->remote_port, r->backend_type, r->command_tag, r->vxid, r->message,
			r->detail, r->hint, r->context, r->statement, r->internal_query,
		};

		for (size_t k = 0; k < sizeof(strings) / sizeof(strings[0]); k++)
			free((char *) strings[k]);
	}
	free(c->recs);
	diag_tally_free(&c->tally);
	memset(c, 0, sizeof(*c));
}

/* Column index of name in a tab-separated header line, or -1. */
static int
column_of(char *header, const char *name)
{
	int			col = 0;

	for (char *save = NULL, *tok = strtok_r(header, "\t\n", &save); tok;
		 tok = strtok_r(NULL, "\t\n", &save), col++)
		if (strcmp(tok, name) == 0)
			return col;
	return -1;
}

int
rcap_expected_entries(const char *column)
{
	FILE	   *f = fopen(test_fixture("expected-counts.tsv"), "r");
	char		line[4096];
	int			col = -1,
				result = -1;

	if (f == NULL)
		return -1;
	if (fgets(line, sizeof(line), f))
		col = column_of(line, column);
	while (col >= 0 && result < 0 && fgets(line, sizeof(line), f))
	{
		char	   *save = NULL;
		char	   *tok = strtok_r(line, "\t\n", &save);

		if (tok == NULL || strcmp(tok, "entries") != 0)
			continue;
		for (int i = 1; i <= col && tok; i++)
			tok = strtok_r(NULL, "\t\n", &save);
		if (tok)
			result = atoi(tok);
	}
	fclose(f);
	return result;
}

rcap *
rcap_read(const format_reader_ops *ops, const char *text)
{
	rcap	   *c = xcalloc(1, sizeof(*c));

	CU_ASSERT_EQUAL_FATAL(rcap_run(ops, NULL, 0, text, c), 0);
	return c;
}

void
rcap_done(rcap *c)
{
	rcap_free(c);
	free(c);
}

log_format
rcap_detect_text(const char *text, char **prefix)
{
	const char *lines[64];
	size_t		lens[64];
	int			n = 0;

	while (*text && n < 64)
	{
		const char *nl = strchr(text, '\n');
		size_t		len = nl ? (size_t) (nl - text) : strlen(text);

		lines[n] = text;
		lens[n++] = len;
		text += len + (nl != NULL);
	}
	return detect_log_format(lines, lens, n, prefix);
}
