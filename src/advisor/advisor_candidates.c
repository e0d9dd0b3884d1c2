/*-------------------------------------------------------------------------
 * advisor_candidates.c
 *    Candidate indexes from one statement's libpg_query parse tree.
 *
 * Each SELECT of the statement is read on its own: the top one and those
 * nested in its WITH, FROM subqueries and UNION branches (a FROM item
 * naming a CTE is not a table).  The WHERE clause and the JOIN ... ON
 * conditions are read as a list of ANDed comparisons.  Each comparison of
 * a table's column (or of a one-column function call such as
 * lower(email)) with a constant or a parameter adds an equality or a
 * range key to that table; an equality between two tables' columns adds
 * a join key to both, and the what-if costs decide which side the planner
 * would use.  The keys are then arranged the way a btree serves them
 * best: equality keys first, then the ORDER BY keys of an ORDER BY ...
 * LIMIT on one table (or its GROUP BY) unless they would lead the index
 * with an unselective column, else the first range key.  Which candidate
 * wins is left to advisor.c; this file only refuses what cannot win: tiny
 * tables, columns with too few distinct values (unless compared with a
 * constant, which may make a partial index), and indexes that exist
 * already.
 *-------------------------------------------------------------------------
 */
#include "src/advisor/advisor.h"
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"
#include "src/sql/sql_ident.h"
#include "src/sql/sql_tree.h"
#include "src/sql/statement_kind.h"

#include <ctype.h>
#include <jansson.h>
#include <pg_query.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TABLES 16
#define MAX_KEYS 8
#define MAX_COMPOSITE_EQ 3
#define MAX_INCLUDE 3

/* One key of a table: a column (or expression) and, for "=", its literal. */
typedef struct table_key
{
	char	   *text;			/* SQL of the key: quoted column or expression */
	const char *column;			/* the column it reads */
	int			is_expr;
	char	   *literal;		/* SQL literal compared with "=", or NULL */
	char	   *raw_value;		/* the literal's value as text, or NULL */
} table_key;

/* A table the statement scans, and what the statement asks of it. */
typedef struct table_ref
{
	const catalog_table *table;
	const char *alias;			/* alias, else the table's name */
	int			neq,
				nrange,
				norder,
				ninclude;
	table_key	eq[MAX_KEYS],
				range[MAX_KEYS],
				order[MAX_KEYS];
	const char *include[MAX_INCLUDE];
	int			include_ok;		/* select list is a few plain columns of it */
} table_ref;

/* The WITH lists around a SELECT: a FROM item naming a CTE is not a table. */
typedef struct cte_scope
{
	const struct cte_scope *parent;
	json_t	   *ctes;			/* a withClause's "ctes" array, or NULL */
} cte_scope;

typedef struct statement_scan
{
	const catalog_snapshot *cat;
	const cte_scope *ctes;
	arena	   *mem;
	int			ntables;
	table_ref	tables[MAX_TABLES];
} statement_scan;

static const char *
str_at(json_t *o, const char *k1, const char *k2)
{
	return json_string_value(json_object_get(json_object_get(o, k1), k2));
}

/* The String value of a {"String": {"sval": ...}} node. */
static const char *
sval_of(json_t *node)
{
	return str_at(node, "String", "sval");
}

static int
table_has_column(const catalog_table *t, const char *name)
{
	for (int i = 0; i < t->ncolumns; i++)
		if (t->columns[i] && strcmp(t->columns[i], name) == 0)
			return 1;
	return 0;
}

/*
 * The table and column a ColumnRef names, or -1: qualified by an alias
 * (or table name), or unqualified and a column of exactly one table.
 */
static int
resolve_column(statement_scan *s, json_t *colref, const char **column)
{
	json_t	   *fields = json_object_get(colref, "fields");
	size_t		n = json_array_size(fields);
	const char *col = n ? sval_of(json_array_get(fields, n - 1)) : NULL;
	const char *qual = n >= 2 ? sval_of(json_array_get(fields, n - 2)) : NULL;
	int			found = -1;

	if (col == NULL)
		return -1;
	for (int i = 0; i < s->ntables; i++)
	{
		if (qual ? strcmp(qual, s->tables[i].alias) != 0 : !table_has_column(s->tables[i].table, col))
			continue;
		if (found >= 0)
			return -1;			/* ambiguous */
		found = i;
	}
	if (found >= 0 && !table_has_column(s->tables[found].table, col))
		return -1;
	*column = col;
	return found;
}

/* Strip TypeCast wrappers: "$1::int" compares like "$1". */
static json_t *
unwrap_cast(json_t *node)
{
	while (json_object_get(node, "TypeCast"))
		node = json_object_get(json_object_get(node, "TypeCast"), "arg");
	return node;
}

static int	is_value_at(statement_scan *s, json_t *node, char **literal, char **raw, int depth);

/* The SQL of a literal A_Const as a literal (*literal) and as text (*raw), arena strings. */
static void
literal_of(statement_scan *s, json_t *c, char **literal, char **raw)
{
	strbuf		sb;
	const char *v;

	strbuf_init(&sb);
	if ((v = str_at(c, "sval", "sval")) != NULL)
	{
		*raw = arena_strdup(s->mem, v);
		strbuf_putc(&sb, '\'');
		for (; *v; v++)
		{
			if (*v == '\'')
				strbuf_putc(&sb, '\'');
			strbuf_putc(&sb, *v);
		}
		strbuf_putc(&sb, '\'');
	}
	else if (json_object_get(c, "ival"))
		strbuf_printf(&sb, "%lld", (long long) json_integer_value(json_object_get(json_object_get(c, "ival"), "ival")));
	else if ((v = str_at(c, "fval", "fval")) != NULL)
		strbuf_puts(&sb, v);
	else if (json_object_get(c, "boolval"))
		strbuf_puts(&sb, json_is_true(json_object_get(json_object_get(c, "boolval"), "boolval")) ? "true" : "false");
	if (sb.len > 0 && *raw == NULL)
		*raw = arena_strdup(s->mem, sb.data);
	if (sb.len > 0)
		*literal = arena_strdup(s->mem, sb.data);
	strbuf_free(&sb);
}

/*
 * Whether a call of fn is computed once for the statement: not a volatile
 * function by the catalog (random(), clock_timestamp(), nextval() are
 * evaluated per row, so no index condition can use them).  A function the
 * catalog does not list (or no catalog) counts as stable: the what-if
 * costs tell whether an index serves it.
 */
static int
call_is_stable(statement_scan *s, json_t *fn)
{
	json_t	   *name = json_object_get(fn, "funcname");
	size_t		n = json_array_size(name);
	const char *func = n ? sval_of(json_array_get(name, n - 1)) : NULL;
	const char *schema = n >= 2 ? sval_of(json_array_get(name, n - 2)) : NULL;
	static const char *const volatile_builtins[] = {
		"random", "clock_timestamp", "timeofday", "nextval", "gen_random_uuid", "uuid_generate_v4", NULL,
	};

	if (func == NULL)
		return 0;
	if (s->cat && s->cat->nfunctions > 0)
		return catalog_function_volatility(s->cat, schema, func) != 'v';
	for (const char *const *v = volatile_builtins; *v; v++)
		if (strcmp(func, *v) == 0)
			return 0;
	return 1;
}

/* Whether every element of the JSON array list is a value (is_value). */
static int
all_values(statement_scan *s, json_t *list, int depth)
{
	size_t		i;
	json_t	   *arg;
	char	   *lit,
			   *raw;
	int			ok = 1;

	json_array_foreach(list, i, arg)
		ok = ok && is_value_at(s, arg, &lit, &raw, depth + 1);
	return ok;
}

/*
 * Whether node is a value for an index condition: any expression without
 * column references that PostgreSQL computes once per statement.  That
 * is a constant, a parameter, an operator over values ('user' || $1 ||
 * '@x', $1::int + 1, now() - interval '1 day'), a call of a function that
 * is not volatile on values (lower($1), now()), CURRENT_DATE and the
 * other SQL value functions, COALESCE, NULLIF, CASE and ARRAY[...] of
 * values.  For a plain literal, *literal gets it as SQL and *raw as text
 * (arena strings), else both NULL.
 */
static int
is_value_at(statement_scan *s, json_t *node, char **literal, char **raw, int depth)
{
	json_t	   *n = unwrap_cast(node);
	json_t	   *v;

	*literal = *raw = NULL;
	if (n == NULL || depth > 32)
		return 0;
	if ((v = json_object_get(n, "A_Const")) != NULL)
	{
		literal_of(s, v, literal, raw);
		return 1;
	}
	if (json_object_get(n, "ParamRef") || json_object_get(n, "SQLValueFunction"))
		return 1;
	if ((v = json_object_get(n, "FuncCall")) != NULL)
		return call_is_stable(s, v) && !json_object_get(v, "over") && all_values(s, json_object_get(v, "args"), depth);
	if ((v = json_object_get(n, "A_Expr")) != NULL)
	{
		const char *kind = json_string_value(json_object_get(v, "kind"));
		json_t	   *l = json_object_get(v, "lexpr"),
				   *r = json_object_get(v, "rexpr");
		char	   *lit,
				   *raw2;

		if (kind == NULL || strcmp(kind, "AEXPR_OP") != 0)
			return 0;
		return (l == NULL || is_value_at(s, l, &lit, &raw2, depth + 1)) &&
			r != NULL && is_value_at(s, r, &lit, &raw2, depth + 1);
	}
	if ((v = json_object_get(n, "CoalesceExpr")) != NULL)
		return all_values(s, json_object_get(v, "args"), depth);
	if ((v = json_object_get(n, "MinMaxExpr")) != NULL)
		return all_values(s, json_object_get(v, "args"), depth);
	if ((v = json_object_get(n, "A_ArrayExpr")) != NULL)
		return all_values(s, json_object_get(v, "elements"), depth);
	if ((v = json_object_get(n, "CaseExpr")) != NULL)
	{
		size_t		i;
		json_t	   *w;
		char	   *lit,
				   *raw2;
		int			ok = (json_object_get(v, "arg") == NULL ||
						  is_value_at(s, json_object_get(v, "arg"), &lit, &raw2, depth + 1)) &&
			(json_object_get(v, "defresult") == NULL ||
			 is_value_at(s, json_object_get(v, "defresult"), &lit, &raw2, depth + 1));

		json_array_foreach(json_object_get(v, "args"), i, w)
		{
			json_t	   *when = json_object_get(w, "CaseWhen");

			ok = ok && when && is_value_at(s, json_object_get(when, "expr"), &lit, &raw2, depth + 1) &&
				is_value_at(s, json_object_get(when, "result"), &lit, &raw2, depth + 1);
		}
		return ok;
	}
	return 0;
}

static int
is_value(statement_scan *s, json_t *node, char **literal, char **raw)
{
	return is_value_at(s, node, literal, raw, 0);
}

static void
add_key(statement_scan *s, table_key *keys, int *n, const char *column, int is_expr,
		const char *text, char *literal, char *raw)
{
	for (int i = 0; i < *n; i++)
		if (strcmp(keys[i].text, text) == 0)
			return;
	if (*n >= MAX_KEYS)
		return;
	keys[(*n)++] = (table_key) {
		.text = arena_strdup(s->mem, text), .column = column, .is_expr = is_expr,
		.literal = literal, .raw_value = raw,
	};
}

/* A column (or lower(col)-style call of one) as a key text; table index or -1. */
static int
key_of(statement_scan *s, json_t *node, const char **column, strbuf *text, int *is_expr)
{
	json_t	   *n = unwrap_cast(node);
	json_t	   *fn = json_object_get(n, "FuncCall");
	int			t;

	strbuf_reset(text);
	*is_expr = fn != NULL;
	if (fn)
	{
		json_t	   *args = json_object_get(fn, "args");
		json_t	   *name = json_object_get(fn, "funcname");

		if (json_array_size(args) != 1 || json_array_size(name) != 1 ||
			!json_object_get(json_array_get(args, 0), "ColumnRef"))
			return -1;
		n = json_array_get(args, 0);
		strbuf_puts(text, sval_of(json_array_get(name, 0)));
		strbuf_putc(text, '(');
	}
	if (!json_object_get(n, "ColumnRef") ||
		(t = resolve_column(s, json_object_get(n, "ColumnRef"), column)) < 0)
		return -1;
	sql_append_ident(text, *column);
	if (fn)
		strbuf_putc(text, ')');
	return t;
}

static int
op_is(json_t *aexpr, const char *const *ops)
{
	const char *op = sval_of(json_array_get(json_object_get(aexpr, "name"), 0));

	for (; op && *ops; ops++)
		if (strcmp(op, *ops) == 0)
			return 1;
	return 0;
}

/* One comparison "l op r" (either way round) of the ANDed conditions. */
static void
scan_comparison(statement_scan *s, json_t *e, strbuf *text)
{
	static const char *const eq_ops[] = {"=", NULL};
	static const char *const range_ops[] = {"<", ">", "<=", ">=", NULL};
	const char *kind = json_string_value(json_object_get(e, "kind"));
	json_t	   *side[2] = {json_object_get(e, "lexpr"), json_object_get(e, "rexpr")};
	int			is_any = strcmp(kind, "AEXPR_OP_ANY") == 0;	/* col = ANY ($1), = ANY (ARRAY[...]) */
	int			is_eq = (strcmp(kind, "AEXPR_OP") == 0 || strcmp(kind, "AEXPR_IN") == 0 || is_any) &&
		op_is(e, eq_ops);
	int			is_range = strcmp(kind, "AEXPR_BETWEEN") == 0 ||
		(strcmp(kind, "AEXPR_OP") == 0 && op_is(e, range_ops));

	if (!is_eq && !is_range)
		return;
	for (int k = 0; k < 2; k++)
	{
		const char *col;
		int			is_expr;
		int			t = key_of(s, side[k], &col, text, &is_expr);
		char	   *lit = NULL,
				   *raw = NULL;
		json_t	   *other = side[1 - k];
		const char *ocol;
		strbuf		otext;
		int			oexpr;

		if (t < 0 || (k == 1 && (!is_eq || is_any)))
			continue;
		table_ref  *tr = &s->tables[t];

		if ((strcmp(kind, "AEXPR_OP") != 0 && !is_any) || is_value(s, other, &lit, &raw))
		{
			if (is_eq)
				add_key(s, tr->eq, &tr->neq, col, is_expr, text->data, lit, raw);
			else
				add_key(s, tr->range, &tr->nrange, col, is_expr, text->data, NULL, NULL);
			continue;
		}
		/* a join: the other side must be another table's plain column */
		strbuf_init(&otext);
		int			ot = key_of(s, other, &ocol, &otext, &oexpr);

		if (ot >= 0 && ot != t && !is_expr && !oexpr)
			add_key(s, tr->eq, &tr->neq, col, 0, text->data, NULL, NULL);
		strbuf_free(&otext);
	}
}

/* Walk the ANDed conditions under node. */
static void
scan_conditions(statement_scan *s, json_t *node, strbuf *text)
{
	json_t	   *b = json_object_get(node, "BoolExpr");
	json_t	   *e = json_object_get(node, "A_Expr");

	if (b)
	{
		const char *op = json_string_value(json_object_get(b, "boolop"));
		size_t		i;
		json_t	   *arg;

		if (op && strcmp(op, "AND_EXPR") == 0)
			json_array_foreach(json_object_get(b, "args"), i, arg)
				scan_conditions(s, arg, text);
	}
	else if (e)
		scan_comparison(s, e, text);
}

static int
names_cte(const cte_scope *sc, const char *name)
{
	size_t		i;
	json_t	   *cte;

	for (; sc && name; sc = sc->parent)
		json_array_foreach(sc->ctes, i, cte)
			if (str_at(cte, "CommonTableExpr", "ctename") && strcmp(str_at(cte, "CommonTableExpr", "ctename"), name) == 0)
				return 1;
	return 0;
}

/* Collect the FROM items; join conditions are kept for scan_conditions. */
static void
scan_from(statement_scan *s, json_t *item, json_t *quals)
{
	json_t	   *rv = json_object_get(item, "RangeVar");
	json_t	   *j = json_object_get(item, "JoinExpr");

	if (rv && s->ntables < MAX_TABLES)
	{
		const char *name = json_string_value(json_object_get(rv, "relname"));
		const char *schema = json_string_value(json_object_get(rv, "schemaname"));
		const catalog_table *t = schema || !names_cte(s->ctes, name) ? catalog_find_table(s->cat, schema, name) : NULL;
		const char *alias = str_at(rv, "alias", "aliasname");

		if (t)
			s->tables[s->ntables++] = (table_ref) {.table = t, .alias = alias ? alias : name};
	}
	else if (j)
	{
		scan_from(s, json_object_get(j, "larg"), quals);
		scan_from(s, json_object_get(j, "rarg"), quals);
		if (json_object_get(j, "quals"))
			json_array_append(quals, json_object_get(j, "quals"));
	}
}

/* ORDER BY ... LIMIT (with directions) or GROUP BY keys, one table only. */
static void
scan_ordering(statement_scan *s, json_t *sel, strbuf *text)
{
	json_t	   *sort = json_object_get(sel, "sortClause");
	int			use_sort = sort && json_object_get(sel, "limitCount");
	json_t	   *list = use_sort ? sort : json_object_get(sel, "groupClause");
	size_t		i;
	json_t	   *item;

	if (s->ntables != 1)
		return;
	json_array_foreach(list, i, item)
	{
		json_t	   *sb = json_object_get(item, "SortBy");
		const char *col;
		int			is_expr;

		if (key_of(s, sb ? json_object_get(sb, "node") : item, &col, text, &is_expr) != 0)
			return;				/* an ordering on anything else: no prefix to serve */
		if (sb && strcmp(json_string_value(json_object_get(sb, "sortby_dir")), "SORTBY_DESC") == 0)
			strbuf_puts(text, " DESC");
		if (sb && strcmp(json_string_value(json_object_get(sb, "sortby_nulls")), "SORTBY_NULLS_FIRST") == 0)
			strbuf_puts(text, " NULLS FIRST");
		else if (sb && strcmp(json_string_value(json_object_get(sb, "sortby_nulls")), "SORTBY_NULLS_LAST") == 0)
			strbuf_puts(text, " NULLS LAST");
		add_key(s, s->tables[0].order, &s->tables[0].norder, col, is_expr, text->data, NULL, NULL);
	}
}

/* A select list of at most MAX_INCLUDE plain columns can be INCLUDEd. */
static void
scan_select_list(statement_scan *s, json_t *targets)
{
	size_t		i;
	json_t	   *t;

	if (s->ntables != 1 || json_array_size(targets) > MAX_INCLUDE)
		return;
	s->tables[0].include_ok = 1;
	json_array_foreach(targets, i, t)
	{
		json_t	   *cr = json_object_get(json_object_get(json_object_get(t, "ResTarget"), "val"), "ColumnRef");
		const char *col;

		if (cr == NULL || resolve_column(s, cr, &col) != 0)
		{
			s->tables[0].include_ok = 0;
			return;
		}
		s->tables[0].include[s->tables[0].ninclude++] = col;
	}
}

/* The SelectStmt of sql's tree when it is one SELECT, else NULL. */
static json_t *
top_select(json_t *tree, const char *sql)
{
	json_t	   *stmts = json_object_get(tree, "stmts");

	if (json_array_size(stmts) != 1 || statement_classify(sql, NULL) != STMT_SELECT)
		return NULL;
	return json_object_get(json_object_get(json_array_get(stmts, 0), "stmt"), "SelectStmt");
}

static int
table_is_tiny(const catalog_table *t)
{
	return t->relpages < ADVISOR_MIN_TABLE_PAGES ||
		(t->reltuples >= 0 && t->reltuples < ADVISOR_MIN_TABLE_ROWS);
}

/*
 * Fewer than ADVISOR_MIN_DISTINCT distinct values by pg_stats (0 when
 * unknown: no statistics, or a fraction of rows of a table whose row
 * count is unknown).
 */
static int
column_unselective(const catalog_snapshot *cat, const catalog_table *t, const table_key *k)
{
	const catalog_column_stats *st;
	double		distinct;

	if (k->is_expr || (st = catalog_find_stats(cat, t->schema, t->name, k->column)) == NULL)
		return 0;
	if (st->n_distinct < 0 && t->reltuples < 0)
		return 0;
	distinct = st->n_distinct >= 0 ? st->n_distinct : -st->n_distinct * t->reltuples;
	return distinct > 0 && distinct < ADVISOR_MIN_DISTINCT;
}

static char *
join_keys(const char *const *keys, int n)
{
	strbuf		sb;

	strbuf_init(&sb);
	for (int i = 0; i < n; i++)
	{
		if (i > 0)
			strbuf_puts(&sb, ", ");
		strbuf_puts(&sb, keys[i]);
	}
	return strbuf_detach(&sb);
}

/* Add one candidate unless it exists (in the catalog or in out). */
static void
emit(statement_scan *s, const table_ref *tr, const char *const *keys, int nkeys,
	 const char *include, const table_key *rare, advisor_candidate_list *out, int *added)
{
	advisor_candidate c = {.nkeys = nkeys};
	strbuf		def;
	char	   *list = join_keys(keys, nkeys);

	if (rare)
	{
		strbuf		pred;

		strbuf_init(&pred);
		strbuf_printf(&pred, "%s = %s", rare->text, rare->literal);
		c.predicate = strbuf_detach(&pred);
	}
	c.keys = (char **) keys;
	strbuf_init(&def);
	strbuf_puts(&def, "CREATE INDEX ON ");
	sql_append_qualified(&def, tr->table->schema, tr->table->name);
	strbuf_printf(&def, " (%s)", list);
	if (include)
		strbuf_printf(&def, " INCLUDE (%s)", include);
	if (c.predicate)
		strbuf_printf(&def, " WHERE %s", c.predicate);
	free(list);
	for (int i = 0; i < out->count; i++)
		if (strcmp(out->items[i].definition, def.data) == 0)
			goto skip;
	if (advisor_already_indexed(s->cat, tr->table, &c))
		goto skip;
	if (out->count == out->cap)
	{
		out->cap = out->cap ? out->cap * 2 : 16;
		out->items = xrealloc(out->items, (size_t) out->cap * sizeof(advisor_candidate));
	}
	c.keys = xcalloc((size_t) nkeys, sizeof(char *));
	for (int i = 0; i < nkeys; i++)
		c.keys[i] = xstrdup(keys[i]);
	c.schema = xstrdup(tr->table->schema);
	c.table = xstrdup(tr->table->name);
	c.include = include ? xstrdup(include) : NULL;
	c.definition = strbuf_detach(&def);
	c.rare_column = rare ? xstrdup(rare->column) : NULL;
	c.rare_value = rare ? xstrdup(rare->raw_value) : NULL;
	out->items[out->count++] = c;
	(*added)++;
	return;
skip:
	free(c.predicate);
	strbuf_free(&def);
}

/* The select list's columns that the keys do not hold, or NULL. */
static char *
include_list(const table_ref *tr, const char *const *keys, int nkeys)
{
	const char *cols[MAX_INCLUDE];
	int			n = 0;

	for (int i = 0; i < tr->ninclude; i++)
	{
		int			in_keys = 0;

		for (int k = 0; k < nkeys; k++)
			in_keys |= advisor_same_key(keys[k], tr->include[i]);
		if (!in_keys)
			cols[n++] = tr->include[i];
	}
	return n ? join_keys(cols, n) : NULL;
}

/* Arrange one table's keys into candidates (see the file header). */
static void
propose_for_table(statement_scan *s, const table_ref *tr, advisor_candidate_list *out, int *added)
{
	const char *composite[MAX_COMPOSITE_EQ + MAX_KEYS];
	int			ncomposite = 0,
				neq = 0;

	for (int i = 0; i < tr->neq; i++)
	{
		if (column_unselective(s->cat, tr->table, &tr->eq[i]))
			continue;
		emit(s, tr, (const char *const *) &tr->eq[i].text, 1, NULL, NULL, out, added);
		if (neq < MAX_COMPOSITE_EQ)
			composite[ncomposite++] = tr->eq[i].text, neq++;
	}
	/* an ordering may not lead with an unselective column any more than "=" may */
	int			use_order = tr->norder > 0 &&
		(neq > 0 || !column_unselective(s->cat, tr->table, &tr->order[0]));

	for (int i = 0; use_order && i < tr->norder; i++)
		composite[ncomposite++] = tr->order[i].text;
	for (int i = 0; i < tr->nrange && !use_order; i++)
	{
		if (column_unselective(s->cat, tr->table, &tr->range[i]))
			continue;
		composite[ncomposite++] = tr->range[i].text;
		break;
	}
	if (ncomposite > 1 || (ncomposite == 1 && neq == 0))
		emit(s, tr, composite, ncomposite, NULL, NULL, out, added);

	char	   *inc = ncomposite > 0 && tr->include_ok ? include_list(tr, composite, ncomposite) : NULL;

	if (inc)
		emit(s, tr, composite, ncomposite, inc, NULL, out, added);
	free(inc);
	for (int i = 0; i < tr->neq; i++)
	{
		const table_key *k = &tr->eq[i];

		if (k->literal && column_unselective(s->cat, tr->table, k))
			emit(s, tr, ncomposite ? composite : (const char *const *) &k->text, ncomposite ? ncomposite : 1, NULL, k, out, added);
	}
}

static void
advisor_propose(statement_scan *s, advisor_candidate_list *out, int *added)
{
	for (int i = 0; i < s->ntables; i++)
		if (!table_is_tiny(s->tables[i].table))
			propose_for_table(s, &s->tables[i], out, added);
}

void
advisor_candidate_list_free(advisor_candidate_list *l)
{
	for (int i = 0; i < l->count; i++)
	{
		advisor_candidate *c = &l->items[i];

		for (int k = 0; k < c->nkeys; k++)
			free(c->keys[k]);
		free(c->keys);
		free(c->schema);
		free(c->table);
		free(c->include);
		free(c->predicate);
		free(c->definition);
		free(c->rare_column);
		free(c->rare_value);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

/* Candidates for the tables one SELECT (not its nested ones) reads. */
static void
scan_one_select(const catalog_snapshot *cat, json_t *sel, const cte_scope *ctes,
				advisor_candidate_list *out, int *added)
{
	statement_scan *s = xcalloc(1, sizeof(statement_scan));
	json_t	   *quals = json_array();
	strbuf		text;
	size_t		i;
	json_t	   *item;

	s->cat = cat;
	s->ctes = ctes;
	s->mem = arena_create(0);
	strbuf_init(&text);
	json_array_foreach(json_object_get(sel, "fromClause"), i, item)
		scan_from(s, item, quals);
	json_array_foreach(quals, i, item)
		scan_conditions(s, item, &text);
	scan_conditions(s, json_object_get(sel, "whereClause"), &text);
	scan_ordering(s, sel, &text);
	scan_select_list(s, json_object_get(sel, "targetList"));
	advisor_propose(s, out, added);
	strbuf_free(&text);
	json_decref(quals);
	arena_destroy(s->mem);
	free(s);
}

static void scan_select_tree(const catalog_snapshot *cat, json_t *sel, const cte_scope *parent,
							 advisor_candidate_list *out, int *added);

/* The subqueries of a FROM item, through its joins. */
static void
scan_from_subqueries(const catalog_snapshot *cat, json_t *item, const cte_scope *ctes,
					 advisor_candidate_list *out, int *added)
{
	json_t	   *j = json_object_get(item, "JoinExpr");
	json_t	   *sub = json_object_get(json_object_get(json_object_get(item, "RangeSubselect"), "subquery"), "SelectStmt");

	if (sub)
		scan_select_tree(cat, sub, ctes, out, added);
	else if (j)
	{
		scan_from_subqueries(cat, json_object_get(j, "larg"), ctes, out, added);
		scan_from_subqueries(cat, json_object_get(j, "rarg"), ctes, out, added);
	}
}

/*
 * A SELECT, then the SELECTs nested in its WITH, its FROM subqueries and
 * its set operations' branches, each scanned on its own.
 */
static void
scan_select_tree(const catalog_snapshot *cat, json_t *sel, const cte_scope *parent,
				 advisor_candidate_list *out, int *added)
{
	cte_scope	sc = {.parent = parent, .ctes = json_object_get(json_object_get(sel, "withClause"), "ctes")};
	const char *op = json_string_value(json_object_get(sel, "op"));
	size_t		i;
	json_t	   *item;

	if (op && strcmp(op, "SETOP_NONE") != 0)
	{
		scan_select_tree(cat, json_object_get(sel, "larg"), &sc, out, added);
		scan_select_tree(cat, json_object_get(sel, "rarg"), &sc, out, added);
		return;
	}
	scan_one_select(cat, sel, &sc, out, added);
	json_array_foreach(sc.ctes, i, item)
		scan_select_tree(cat, json_object_get(json_object_get(json_object_get(item, "CommonTableExpr"), "ctequery"), "SelectStmt"),
						 &sc, out, added);
	json_array_foreach(json_object_get(sel, "fromClause"), i, item)
		scan_from_subqueries(cat, item, &sc, out, added);
}

int
advisor_candidates(const char *sql, const catalog_snapshot *cat, advisor_candidate_list *out)
{
	json_t	   *tree = sql_tree_json(sql, NULL);
	json_t	   *sel = tree ? top_select(tree, sql) : NULL;
	int			added = 0;

	if (tree == NULL)
		return -1;
	if (sel && cat)
		scan_select_tree(cat, sel, NULL, out, &added);
	json_decref(tree);
	return added;
}
