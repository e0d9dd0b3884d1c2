/*-------------------------------------------------------------------------
 * migration.c
 *    Reading migration files into located, parsed statements.
 *
 * A file is split with libpg_query's parser-based splitter, which knows
 * where CREATE FUNCTION bodies and CREATE RULE actions end; when some
 * statement does not parse, with its scanner-based one, so that one
 * broken statement costs only itself.  Each statement is then parsed on
 * its own and keeps its place: the byte offset of its first token (the
 * splitter's locations include the comments before it) and its lines.
 * psql meta-commands (a line starting with a backslash, as \set
 * ON_ERROR_STOP) are blanked out before splitting, keeping every offset.
 *-------------------------------------------------------------------------
 */
#include "src/model/migration.h"
#include "src/core/diag.h"
#include "src/lib/arena.h"
#include "src/lib/hashmap.h"
#include "src/model/migration_private.h"
#include "src/sql/sql_tree.h"

#include <errno.h>
#include <pg_query.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
migration_init(migration *m, const migration_options *options)
{
	memset(m, 0, sizeof(*m));
	if (options)
		m->options = *options;
	m->state = xcalloc(1, sizeof(*m->state));
	m->state->session = m->options.initial;
	m->state->relations = hashmap_create(64);
}

void
migration_free(migration *m)
{
	for (int i = 0; i < m->nfiles; i++)
	{
		free(m->files[i].path);
		free(m->files[i].text);
		free(m->files[i].line_starts);
	}
	for (int i = 0; i < m->nstatements; i++)
	{
		free(m->statements[i].sql);
		free(m->statements[i].error);
		sql_tree_free(m->statements[i].tree);
	}
	for (int i = 0; i < m->nignores; i++)
		free(m->ignores[i].rule);
	free(m->files);
	free(m->statements);
	free(m->ignores);
	if (m->state)
	{
		migration_relations_free(m);
		free(m->state);
	}
	memset(m, 0, sizeof(*m));
}

int
migration_file_line(const migration_file *f, size_t off)
{
	int			lo = 0,
				hi = f->nlines - 1;

	while (lo < hi)
	{
		int			mid = (lo + hi + 1) / 2;

		if (f->line_starts[mid] <= off)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo + 1;
}

static void
index_lines(migration_file *f)
{
	int			cap = 64;

	f->line_starts = xmalloc(sizeof(size_t) * (size_t) cap);
	f->nlines = 0;
	f->line_starts[f->nlines++] = 0;
	for (size_t i = 0; i < f->len; i++)
		if (f->text[i] == '\n' && i + 1 < f->len)
		{
			if (f->nlines == cap)
			{
				cap *= 2;
				f->line_starts = xrealloc(f->line_starts, sizeof(size_t) * (size_t) cap);
			}
			f->line_starts[f->nlines++] = i + 1;
		}
}

/* Skip white space and comments (nested block comments included) from p. */
static size_t
skip_space_and_comments(const char *s, size_t p, size_t end)
{
	while (p < end)
	{
		if (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r' || s[p] == '\f' || s[p] == '\v')
			p++;
		else if (s[p] == '-' && p + 1 < end && s[p + 1] == '-')
		{
			while (p < end && s[p] != '\n')
				p++;
		}
		else if (s[p] == '/' && p + 1 < end && s[p + 1] == '*')
		{
			int			depth = 1;

			p += 2;
			while (p < end && depth > 0)
			{
				if (s[p] == '/' && p + 1 < end && s[p + 1] == '*')
					depth++, p += 2;
				else if (s[p] == '*' && p + 1 < end && s[p + 1] == '/')
					depth--, p += 2;
				else
					p++;
			}
		}
		else
			break;
	}
	return p;
}

/* The byte offset in s of its n-th character (1-based, UTF-8), for an error position. */
static size_t
char_to_byte(const char *s, int n)
{
	size_t		p = 0;
	int			chars = 0;

	while (s[p] && chars < n - 1)
	{
		p++;
		while (((unsigned char) s[p] & 0xC0) == 0x80)
			p++;
		chars++;
	}
	return p;
}

static migration_statement *
new_statement(migration *m)
{
	struct migration_state *st = m->state;

	if (m->nstatements == st->statements_cap)
	{
		st->statements_cap = st->statements_cap ? st->statements_cap * 2 : 64;
		m->statements = xrealloc(m->statements, sizeof(migration_statement) * (size_t) st->statements_cap);
	}
	memset(&m->statements[m->nstatements], 0, sizeof(migration_statement));
	return &m->statements[m->nstatements++];
}

/* Add the statement at [start, end) of file fi, start being its first token. */
static void
add_statement(migration *m, int fi, size_t start, size_t end)
{
	const migration_file *f = &m->files[fi];
	migration_statement *s;
	int			cursor;

	while (end > start && (f->text[end - 1] == ' ' || f->text[end - 1] == '\t' ||
						   f->text[end - 1] == '\n' || f->text[end - 1] == '\r'))
		end--;
	s = new_statement(m);
	s->file = fi;
	s->offset = start;
	s->line = migration_file_line(f, start);
	s->end_line = migration_file_line(f, end > start ? end - 1 : start);
	s->sql = xstrndup(f->text + start, end - start);
	s->tree = sql_tree_parse_at(s->sql, &s->error, &cursor);
	if (s->tree && s->tree->n_stmts > 0)
		s->node = s->tree->stmts[0]->stmt;
	else if (s->tree == NULL)
		s->error_line = migration_file_line(f, start + (cursor > 0 ? char_to_byte(s->sql, cursor) : 0));
	migration_session_place(m, m->nstatements - 1);
}

char *
migration_blank_meta_commands(const char *text, size_t len)
{
	char	   *copy = xstrndup(text, len);
	int			line_start = 1;

	for (size_t i = 0; i < len; i++)
	{
		if (line_start && copy[i] == '\\')
			while (i < len && copy[i] != '\n')
				copy[i++] = ' ';
		line_start = copy[i] == '\n' || (line_start && (copy[i] == ' ' || copy[i] == '\t'));
	}
	return copy;
}

static void
split_file(migration *m, int fi)
{
	const migration_file *f = &m->files[fi];
	char	   *text = migration_blank_meta_commands(f->text, f->len);
	PgQuerySplitResult r = pg_query_split_with_parser(text);

	if (r.error)
	{
		pg_query_free_split_result(r);
		r = pg_query_split_with_scanner(text);
	}
	if (r.error)
	{
		/* not even the scanner gets through (an unterminated quote): one statement */
		size_t		start = skip_space_and_comments(text, 0, f->len);

		if (start < f->len)
			add_statement(m, fi, start, f->len);
	}
	else
		for (int i = 0; i < r.n_stmts; i++)
		{
			size_t		loc = (size_t) r.stmts[i]->stmt_location;
			size_t		end = loc + (size_t) r.stmts[i]->stmt_len;
			size_t		start;

			if (r.stmts[i]->stmt_len == 0 || end > f->len)
				end = f->len;	/* the last statement runs to the end */
			start = skip_space_and_comments(text, loc, end);
			if (start < end)
				add_statement(m, fi, start, end);
		}
	pg_query_free_split_result(r);
	free(text);
}

int
migration_add_text(migration *m, const char *name, const char *text, size_t len)
{
	struct migration_state *st = m->state;
	migration_file *f;
	int			first = m->nstatements;

	if (memchr(text, '\0', len) != NULL)
		return -1;
	if (m->nfiles == st->files_cap)
	{
		st->files_cap = st->files_cap ? st->files_cap * 2 : 8;
		m->files = xrealloc(m->files, sizeof(migration_file) * (size_t) st->files_cap);
	}
	f = &m->files[m->nfiles++];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(name);
	f->text = xstrndup(text, len);
	f->len = len;
	index_lines(f);
	migration_session_file_start(m);
	split_file(m, m->nfiles - 1);
	migration_session_file_end(m);
	migration_ignores_scan(m, m->nfiles - 1, first);
	return 0;
}

int
migration_add_file(migration *m, const char *path)
{
	FILE	   *fp = fopen(path, "rb");
	char	   *buf = NULL;
	size_t		len = 0,
				cap = 0,
				got;
	int			rc;

	if (fp == NULL)
	{
		diag_error("could not open migration file \"%s\": %m", path);
		return -1;
	}
	do
	{
		if (cap - len < 65536)
		{
			cap = cap ? cap * 2 : 65536;
			buf = xrealloc(buf, cap);
		}
		got = fread(buf + len, 1, cap - len, fp);
		len += got;
	} while (got > 0);
	if (ferror(fp))
	{
		diag_error("could not read migration file \"%s\": %m", path);
		fclose(fp);
		free(buf);
		return -1;
	}
	fclose(fp);
	rc = migration_add_text(m, path, buf ? buf : "", len);
	free(buf);
	if (rc != 0)
	{
		diag_detail("It holds a NUL byte: it is not an SQL script.");
		diag_error("could not read migration file \"%s\"", path);
	}
	return rc;
}

const char *
migration_statement_path(const migration *m, int i)
{
	return m->files[m->statements[i].file].path;
}
