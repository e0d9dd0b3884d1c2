/*-------------------------------------------------------------------------
 * sql_ident.c
 *    Identifiers written into the SQL pgsift proposes: quoted as
 *    quote_ident would quote them.
 *
 * A name is written bare when PostgreSQL would read it back unchanged: a
 * lower-case identifier that is not a reserved (or type/function-name)
 * keyword.  Anything else is double-quoted with its quotes doubled.
 *-------------------------------------------------------------------------
 */
#include "src/sql/sql_ident.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/*
 * Keywords that cannot stand as a bare column or table name: PostgreSQL's
 * reserved and type/function-name keywords (quote_ident quotes these).
 * Sorted for bsearch.
 */
static const char *const sql_keywords[] = {
	"all", "analyse", "analyze", "and", "any", "array", "as", "asc",
	"asymmetric", "authorization", "binary", "both", "case", "cast", "check",
	"collate", "collation", "column", "concurrently", "constraint", "create",
	"cross", "current_catalog", "current_date", "current_role",
	"current_schema", "current_time", "current_timestamp", "current_user",
	"default", "deferrable", "desc", "distinct", "do", "else", "end", "except",
	"false", "fetch", "for", "foreign", "freeze", "from", "full", "grant",
	"group", "having", "ilike", "in", "initially", "inner", "intersect", "into",
	"is", "isnull", "join", "lateral", "leading", "left", "like", "limit",
	"localtime", "localtimestamp", "natural", "not", "notnull", "null",
	"offset", "on", "only", "or", "order", "outer", "overlaps", "placing",
	"primary", "references", "returning", "right", "select", "session_user",
	"similar", "some", "symmetric", "system_user", "table", "tablesample",
	"then", "to", "trailing", "true", "union", "unique", "user", "using",
	"variadic", "verbose", "when", "where", "window", "with",
};

static int
compare_keyword(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *) elem);
}

/* Whether name can be written bare: lower-case identifier, not a keyword. */
static int
ident_is_plain(const char *name)
{
	if (!(islower((unsigned char) name[0]) || name[0] == '_'))
		return 0;
	for (const char *p = name; *p; p++)
		if (!(islower((unsigned char) *p) || isdigit((unsigned char) *p) || *p == '_' || *p == '$'))
			return 0;
	return bsearch(name, sql_keywords, sizeof(sql_keywords) / sizeof(sql_keywords[0]),
				   sizeof(sql_keywords[0]), compare_keyword) == NULL;
}

void
sql_append_quoted(strbuf *sb, const char *name)
{
	strbuf_putc(sb, '"');
	for (const char *p = name; *p; p++)
	{
		if (*p == '"')
			strbuf_putc(sb, '"');
		strbuf_putc(sb, *p);
	}
	strbuf_putc(sb, '"');
}

void
sql_append_ident(strbuf *sb, const char *name)
{
	if (ident_is_plain(name))
		strbuf_puts(sb, name);
	else
		sql_append_quoted(sb, name);
}

void
sql_append_qualified(strbuf *sb, const char *schema, const char *name)
{
	if (schema && schema[0])
	{
		sql_append_ident(sb, schema);
		strbuf_putc(sb, '.');
	}
	sql_append_ident(sb, name);
}
