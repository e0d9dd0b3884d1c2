/*-------------------------------------------------------------------------
 * advisor_existing.c
 *    Whether an index the table has already serves a candidate.
 *
 * The catalog gives an index's plain columns by name and its expressions
 * and predicate as text (pg_get_expr); a candidate is written the same
 * way.  They are compared as text after a light normalisation (no
 * blanks, parentheses, quotes or casts, lower case, no DESC/NULLS), which
 * is enough for the indexes pgsift itself would propose.
 *-------------------------------------------------------------------------
 */
#include "src/advisor/advisor.h"
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/*
 * SQL text reduced for comparison with the catalog's deparsed form: no
 * blanks, parentheses, double quotes or ::type casts, lower case, and no
 * DESC/NULLS decoration (a btree scans both ways).
 */
static char *
normalized(const char *sql)
{
	strbuf		sb;
	const char *end = strstr(sql, " DESC");

	if (end == NULL)
		end = strstr(sql, " NULLS ");
	if (end == NULL)
		end = sql + strlen(sql);
	strbuf_init(&sb);
	for (const char *p = sql; p < end; p++)
	{
		if (p[0] == ':' && p[1] == ':')
		{
			for (p += 2; p < end && (isalnum((unsigned char) *p) || *p == '_' || *p == ' '); p++)
				;
			p--;
		}
		else if (!strchr(" \t\n()\"", *p))
			strbuf_putc(&sb, (char) tolower((unsigned char) *p));
	}
	return strbuf_detach(&sb);
}

int
advisor_same_key(const char *a, const char *b)
{
	char	   *na = normalized(a),
			   *nb = normalized(b);
	int			same = strcmp(na, nb) == 0;

	free(na);
	free(nb);
	return same;
}

/* The next top-level comma-separated item of *p (malloc'd), advancing *p. */
static char *
next_expression(const char **p)
{
	const char *start = *p;
	int			depth = 0,
				quoted = 0;

	for (; **p && (depth > 0 || quoted || **p != ','); (*p)++)
	{
		if (**p == '\'')
			quoted = !quoted;
		else if (!quoted && **p == '(')
			depth++;
		else if (!quoted && **p == ')')
			depth--;
	}
	char	   *item = xstrndup(start, (size_t) (*p - start));

	if (**p == ',')
		(*p)++;
	return item;
}

/* Whether ix leads with c's keys (and has its predicate, or none). */
static int
index_leads_with(const catalog_index *ix, const advisor_candidate *c)
{
	const char *exprs = ix->expressions ? ix->expressions : "";
	int			k;

	if (ix->nkeys < c->nkeys || (ix->predicate && (!c->predicate || !advisor_same_key(ix->predicate, c->predicate))))
		return 0;
	for (k = 0; k < c->nkeys; k++)
	{
		char	   *have = ix->columns[k] ? xstrdup(ix->columns[k]) : next_expression(&exprs);
		int			same = advisor_same_key(have, c->keys[k]);

		free(have);
		if (!same)
			return 0;
	}
	return 1;
}

int
advisor_already_indexed(const catalog_snapshot *cat, const catalog_table *t, const advisor_candidate *c)
{
	for (int i = 0; i < cat->nindexes; i++)
	{
		const catalog_index *ix = &cat->indexes[i];

		if (ix->table_oid == t->oid && ix->valid && ix->method && strcmp(ix->method, "btree") == 0 &&
			index_leads_with(ix, c))
			return 1;
	}
	return 0;
}
