/*-------------------------------------------------------------------------
 * literal_params.c
 *    The constants of a statement as the parameters of its normalized
 *    form (literal_params.h).
 *-------------------------------------------------------------------------
 */
#include "src/sql/literal_params.h"
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"
#include "src/sql/sql_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct constant
{
	int			location;
	const PgQuery__AConst *c;
} constant;

typedef struct constants
{
	int			n,
				cap;
	constant   *items;
	int			unusable;		/* a bit string: no text to give */
} constants;

/* Gather the A_Const nodes, leaving out type modifiers (a sql_tree_walk visitor). */
static int
gather(void *ctx, const ProtobufCMessage *m, const ProtobufCMessage *parent,
	   const ProtobufCFieldDescriptor *field)
{
	constants  *cs = ctx;
	const PgQuery__AConst *c;

	(void) parent;
	(void) field;
	if (m->descriptor == &pg_query__type_name__descriptor)
		return 1;				/* varchar(10): normalization keeps these */
	if (m->descriptor != &pg_query__a__const__descriptor)
		return 0;
	c = (const PgQuery__AConst *) m;
	if (c->val_case == PG_QUERY__A__CONST__VAL_BSVAL)
		cs->unusable = 1;
	if (cs->n == cs->cap)
	{
		cs->cap = cs->cap ? cs->cap * 2 : 16;
		cs->items = xrealloc(cs->items, (size_t) cs->cap * sizeof(constant));
	}
	cs->items[cs->n++] = (constant) {c->location, c};
	return 1;
}

static int
by_location(const void *a, const void *b)
{
	const constant *x = a,
			   *y = b;

	return (x->location > y->location) - (x->location < y->location);
}

/* A value as PostgreSQL quotes it in DETAIL: '...' with quotes doubled, or NULL. */
static void
put_value(strbuf *sb, const PgQuery__AConst *c)
{
	char		num[32];
	const char *v = NULL;

	if (c->isnull)
	{
		strbuf_puts(sb, "NULL");
		return;
	}
	switch (c->val_case)
	{
		case PG_QUERY__A__CONST__VAL_IVAL:
			snprintf(num, sizeof(num), "%d", c->ival ? c->ival->ival : 0);
			v = num;
			break;
		case PG_QUERY__A__CONST__VAL_FVAL:
			v = c->fval ? c->fval->fval : "";
			break;
		case PG_QUERY__A__CONST__VAL_BOOLVAL:
			v = c->boolval && c->boolval->boolval ? "true" : "false";
			break;
		case PG_QUERY__A__CONST__VAL_SVAL:
			v = c->sval ? c->sval->sval : "";
			break;
		default:
			v = "";
			break;
	}
	strbuf_putc(sb, '\'');
	for (; *v; v++)
	{
		if (*v == '\'')
			strbuf_putc(sb, '\'');
		strbuf_putc(sb, *v);
	}
	strbuf_putc(sb, '\'');
}

/* The highest $n of a normalized statement (its string constants are $n too, so no quote hides one). */
static int
max_param(const char *normalized)
{
	int			best = 0;

	for (const char *s = normalized; s && (s = strchr(s, '$')) != NULL; s++)
	{
		int			n = 0;

		for (const char *d = s + 1; *d >= '0' && *d <= '9' && n < 100000; d++)
			n = n * 10 + (*d - '0');
		if (n > best)
			best = n;
	}
	return best;
}

char *
sql_literal_params(const char *sql, const char *normalized)
{
	int			expected = max_param(normalized);
	PgQuery__ParseResult *tree = sql && expected > 0 ? sql_tree_parse(sql, NULL) : NULL;
	constants	cs = {0};
	strbuf		sb;
	char	   *out = NULL;

	if (tree == NULL)
		return NULL;
	sql_tree_walk(&tree->base, gather, &cs);
	if (cs.n == expected && !cs.unusable)
	{
		qsort(cs.items, (size_t) cs.n, sizeof(constant), by_location);
		strbuf_init(&sb);
		for (int i = 0; i < cs.n; i++)
		{
			strbuf_printf(&sb, "%s$%d = ", i ? ", " : "", i + 1);
			put_value(&sb, cs.items[i].c);
		}
		out = strbuf_detach(&sb);
	}
	free(cs.items);
	sql_tree_free(tree);
	return out;
}
