/*-------------------------------------------------------------------------
 * migration_ignore.c
 *    The "-- pgsift: ignore RULE-ID" comments of a migration file.
 *
 * Comments are found with libpg_query's scanner, so "--" inside a string
 * literal, a quoted identifier or a dollar-quoted function body is never
 * taken for one.  Both comment styles count, line and block:
 *
 *     -- pgsift: ignore index-without-concurrently, lock-without-timeout
 *     CREATE INDEX ...;               -- pgsift: ignore index-without-concurrently
 *     -- pgsift: ignore-file drop-object
 *
 * An ignore ties to the statement it is written in, to the one whose
 * last line it ends (a trailing comment), else to the next statement
 * below it.  Rule ids are checked by the rules (rules/unmatched_ignore.c
 * reports the ones that name no rule or silence nothing).
 *-------------------------------------------------------------------------
 */
#include "src/lib/arena.h"
#include "src/model/migration_private.h"

#include <ctype.h>
#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void
add_ignore(migration *m, int file, int line, int whole_file, const char *rule, size_t len)
{
	struct migration_state *st = m->state;
	migration_ignore *ig;

	if (m->nignores == st->ignores_cap)
	{
		st->ignores_cap = st->ignores_cap ? st->ignores_cap * 2 : 8;
		m->ignores = xrealloc(m->ignores, sizeof(migration_ignore) * (size_t) st->ignores_cap);
	}
	ig = &m->ignores[m->nignores++];
	memset(ig, 0, sizeof(*ig));
	ig->rule = xstrndup(rule, len);
	for (char *p = ig->rule; *p; p++)
		*p = (char) tolower((unsigned char) *p);
	ig->file = file;
	ig->line = line;
	ig->whole_file = whole_file;
	ig->statement = -1;
}

static int
is_id_char(char c)
{
	return isalnum((unsigned char) c) || c == '-' || c == '_';
}

/*
 * Add the ignores a comment's text (without its "--" or slash-star)
 * holds: "pgsift: ignore[-file] id[, id...] [reason]".  Returns how many.
 */
static int
parse_comment(migration *m, int file, int line, const char *p, const char *end)
{
	int			whole_file,
				n = 0;

	while (p < end && isspace((unsigned char) *p))
		p++;
	if (end - p < 7 || strncasecmp(p, "pgsift:", 7) != 0)
		return 0;
	p += 7;
	while (p < end && isspace((unsigned char) *p))
		p++;
	if (end - p >= 11 && strncasecmp(p, "ignore-file", 11) == 0)
		whole_file = 1, p += 11;
	else if (end - p >= 6 && strncasecmp(p, "ignore", 6) == 0 && (end - p == 6 || !is_id_char(p[6])))
		whole_file = 0, p += 6;
	else
		return 0;
	/* ids separated by commas; anything after the last one is a reason */
	for (;;)
	{
		const char *id;

		while (p < end && isspace((unsigned char) *p))
			p++;
		if (p >= end || !isalpha((unsigned char) *p))
			break;
		id = p;
		while (p < end && is_id_char(*p))
			p++;
		add_ignore(m, file, line, whole_file, id, (size_t) (p - id));
		n++;
		while (p < end && isspace((unsigned char) *p))
			p++;
		if (p >= end || *p != ',')
			break;
		p++;
	}
	return n;
}

/* The byte offset just past statement i's text. */
static size_t
statement_end(const migration *m, int i)
{
	return m->statements[i].offset + strlen(m->statements[i].sql);
}

/*
 * The statement an ignore at byte offset c on line `line` ties to, among
 * [*cursor, last), moving *cursor on (comments come in order); -1: none.
 */
static int
tie(const migration *m, int first, int last, int *cursor, size_t c, int line)
{
	int			j = *cursor;

	while (j < last && statement_end(m, j) < c)
		j++;
	*cursor = j;
	if (j < last && m->statements[j].offset <= c)
		return j;				/* inside it */
	if (j > first && m->statements[j - 1].end_line == line)
		return j - 1;			/* at the end of the one before */
	return j < last ? j : -1;
}

void
migration_ignores_scan(migration *m, int file, int first)
{
	const migration_file *f = &m->files[file];
	char	   *text = migration_blank_meta_commands(f->text, f->len);
	PgQueryScanResult r = pg_query_scan(text);
	PgQuery__ScanResult *scan = NULL;
	int			cursor = first;

	if (r.error == NULL)
		scan = pg_query__scan_result__unpack(NULL, r.pbuf.len, (const uint8_t *) r.pbuf.data);
	for (size_t t = 0; scan && t < scan->n_tokens; t++)
	{
		const PgQuery__ScanToken *tok = scan->tokens[t];
		const char *start = f->text + tok->start;
		const char *end = f->text + tok->end;
		int			before = m->nignores;
		int			line;

		if (tok->token == PG_QUERY__TOKEN__SQL_COMMENT)
			start += 2;
		else if (tok->token == PG_QUERY__TOKEN__C_COMMENT)
			start += 2, end -= end - start >= 2 ? 2 : 0;
		else
			continue;
		line = migration_file_line(f, (size_t) tok->start);
		if (parse_comment(m, file, line, start, end) == 0)
			continue;
		for (int i = before; i < m->nignores; i++)
			if (!m->ignores[i].whole_file)
				m->ignores[i].statement = tie(m, first, m->nstatements, &cursor, (size_t) tok->start, line);
	}
	if (scan)
		pg_query__scan_result__free_unpacked(scan, NULL);
	pg_query_free_scan_result(r);
	free(text);
}
