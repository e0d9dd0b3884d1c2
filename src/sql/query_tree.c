/*-------------------------------------------------------------------------
 * query_tree.c
 *    Parse one SELECT into libpg_query's protobuf tree, edit it, deparse.
 *
 * The tree is protobuf-c's unpacked message; pg_query_deparse_protobuf
 * wants it packed again, so deparsing packs the (edited) tree into a
 * buffer first.  Built nodes live in an arena and may point at nodes of
 * the original tree (a sort key reused in a row comparison): that is
 * fine for packing, and the undo log makes sure protobuf-c never frees
 * them or frees an original twice.
 *-------------------------------------------------------------------------
 */
#include "src/sql/query_tree.h"
#include "src/lib/arena.h"
#include "src/sql/sql_tree.h"

#include <pg_query.h>
#include <stdlib.h>
#include <string.h>

/* One remembered replacement: a node slot or a list. */
typedef struct query_edit
{
	PgQuery__Node **slot;		/* a node edit, or NULL */
	PgQuery__Node *old_node;
	size_t	   *nslot;			/* a list edit */
	PgQuery__Node ***items_slot;
	size_t		old_n;
	PgQuery__Node **old_items;
} query_edit;

int
query_tree_parse(const char *sql, query_tree *t)
{
	PgQueryProtobufParseResult r = pg_query_parse_protobuf(sql ? sql : "");
	PgQuery__Node *stmt;

	memset(t, 0, sizeof(*t));
	if (r.error == NULL)
		t->result = pg_query__parse_result__unpack(NULL, r.parse_tree.len, (const uint8_t *) r.parse_tree.data);
	pg_query_free_protobuf_parse_result(r);
	if (t->result == NULL || t->result->n_stmts != 1)
		return -1;
	stmt = t->result->stmts[0]->stmt;
	if (stmt == NULL || stmt->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
		return -1;
	if (stmt->select_stmt->op != PG_QUERY__SET_OPERATION__SETOP_NONE ||
		stmt->select_stmt->into_clause || stmt->select_stmt->n_values_lists > 0)
		return -1;
	t->select = stmt->select_stmt;
	t->mem = arena_create(4096);
	return 0;
}

void
query_tree_undo(query_tree *t)
{
	while (t->nedits > 0)
	{
		query_edit *e = &t->edits[--t->nedits];

		if (e->slot)
			*e->slot = e->old_node;
		else
		{
			*e->nslot = e->old_n;
			*e->items_slot = e->old_items;
		}
	}
}

void
query_tree_free(query_tree *t)
{
	query_tree_undo(t);
	if (t->result)
		pg_query__parse_result__free_unpacked(t->result, NULL);
	if (t->mem)
		arena_destroy(t->mem);
	free(t->edits);
	memset(t, 0, sizeof(*t));
}

char *
query_tree_deparse(const query_tree *t)
{
	return sql_tree_deparse(t->result);
}

static query_edit *
new_edit(query_tree *t)
{
	if (t->nedits == t->edits_cap)
	{
		t->edits_cap = t->edits_cap ? 2 * t->edits_cap : 4;
		t->edits = xrealloc(t->edits, (size_t) t->edits_cap * sizeof(query_edit));
	}
	memset(&t->edits[t->nedits], 0, sizeof(query_edit));
	return &t->edits[t->nedits++];
}

void
query_tree_set_node(query_tree *t, PgQuery__Node **slot, PgQuery__Node *node)
{
	query_edit *e = new_edit(t);

	e->slot = slot;
	e->old_node = *slot;
	*slot = node;
}

void
query_tree_set_list(query_tree *t, size_t *n, PgQuery__Node ***items,
					size_t new_n, PgQuery__Node **new_items)
{
	query_edit *e = new_edit(t);

	e->nslot = n;
	e->items_slot = items;
	e->old_n = *n;
	e->old_items = *items;
	*n = new_n;
	*items = new_items;
}

static PgQuery__Node *
new_node(query_tree *t, PgQuery__Node__NodeCase kind, void *body)
{
	PgQuery__Node *n = arena_zalloc(t->mem, sizeof(PgQuery__Node));

	pg_query__node__init(n);
	n->node_case = kind;
	/* every member of the node's union is a pointer to its body */
	n->param_ref = body;
	return n;
}

PgQuery__Node **
query_node_array(query_tree *t, size_t n)
{
	return arena_zalloc(t->mem, (n ? n : 1) * sizeof(PgQuery__Node *));
}

PgQuery__Node *
query_node_param(query_tree *t, int number)
{
	PgQuery__ParamRef *p = arena_zalloc(t->mem, sizeof(*p));

	pg_query__param_ref__init(p);
	p->number = number;
	p->location = -1;
	return new_node(t, PG_QUERY__NODE__NODE_PARAM_REF, p);
}

PgQuery__Node *
query_node_int(query_tree *t, int32_t value)
{
	PgQuery__AConst *c = arena_zalloc(t->mem, sizeof(*c));
	PgQuery__Integer *i = arena_zalloc(t->mem, sizeof(*i));

	pg_query__a__const__init(c);
	pg_query__integer__init(i);
	i->ival = value;
	c->val_case = PG_QUERY__A__CONST__VAL_IVAL;
	c->ival = i;
	c->location = -1;
	return new_node(t, PG_QUERY__NODE__NODE_A_CONST, c);
}

static PgQuery__Node *
string_node(query_tree *t, const char *s)
{
	PgQuery__String *str = arena_zalloc(t->mem, sizeof(*str));

	pg_query__string__init(str);
	str->sval = arena_strdup(t->mem, s);
	return new_node(t, PG_QUERY__NODE__NODE_STRING, str);
}

PgQuery__Node *
query_node_column(query_tree *t, const char *qualifier, const char *column)
{
	PgQuery__ColumnRef *c = arena_zalloc(t->mem, sizeof(*c));

	pg_query__column_ref__init(c);
	c->n_fields = qualifier ? 2 : 1;
	c->fields = query_node_array(t, c->n_fields);
	if (qualifier)
		c->fields[0] = string_node(t, qualifier);
	c->fields[c->n_fields - 1] = string_node(t, column);
	c->location = -1;
	return new_node(t, PG_QUERY__NODE__NODE_COLUMN_REF, c);
}

PgQuery__Node *
query_node_target(query_tree *t, PgQuery__Node *val)
{
	PgQuery__ResTarget *r = arena_zalloc(t->mem, sizeof(*r));

	pg_query__res_target__init(r);
	r->val = val;
	r->location = -1;
	return new_node(t, PG_QUERY__NODE__NODE_RES_TARGET, r);
}

PgQuery__Node *
query_node_op(query_tree *t, const char *op, PgQuery__Node *l, PgQuery__Node *r)
{
	PgQuery__AExpr *e = arena_zalloc(t->mem, sizeof(*e));

	pg_query__a__expr__init(e);
	e->kind = PG_QUERY__A__EXPR__KIND__AEXPR_OP;
	e->n_name = 1;
	e->name = query_node_array(t, 1);
	e->name[0] = string_node(t, op);
	e->lexpr = l;
	e->rexpr = r;
	e->location = -1;
	return new_node(t, PG_QUERY__NODE__NODE_A_EXPR, e);
}

PgQuery__Node *
query_node_and(query_tree *t, PgQuery__Node *a, PgQuery__Node *b)
{
	PgQuery__BoolExpr *e;

	if (a == NULL)
		return b;
	e = arena_zalloc(t->mem, sizeof(*e));
	pg_query__bool_expr__init(e);
	e->boolop = PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR;
	e->n_args = 2;
	e->args = query_node_array(t, 2);
	e->args[0] = a;
	e->args[1] = b;
	e->location = -1;
	return new_node(t, PG_QUERY__NODE__NODE_BOOL_EXPR, e);
}

PgQuery__Node *
query_node_row(query_tree *t, size_t n, PgQuery__Node **items)
{
	PgQuery__RowExpr *r;

	if (n == 1)
		return items[0];
	r = arena_zalloc(t->mem, sizeof(*r));
	pg_query__row_expr__init(r);
	r->n_args = n;
	r->args = items;
	r->row_format = PG_QUERY__COERCION_FORM__COERCE_IMPLICIT_CAST;
	r->location = -1;
	return new_node(t, PG_QUERY__NODE__NODE_ROW_EXPR, r);
}

const PgQuery__Node *
query_node_uncast(const PgQuery__Node *n)
{
	while (n && n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST && n->type_cast)
		n = n->type_cast->arg;
	return n;
}

/* Whether text is a whole integer (white space around allowed). */
static int
parse_int64(const char *text, int64_t *value)
{
	char	   *end;
	long long	v;

	if (text == NULL)
		return 0;
	v = strtoll(text, &end, 10);
	while (*end == ' ')
		end++;
	if (end == text || *end != '\0')
		return 0;
	*value = v;
	return 1;
}

int
query_node_int_value(const PgQuery__Node *n, const param_list *params, int64_t *value)
{
	n = query_node_uncast(n);
	if (n == NULL)
		return 0;
	if (n->node_case == PG_QUERY__NODE__NODE_A_CONST && n->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL)
	{
		*value = n->a_const->ival->ival;
		return 1;
	}
	if (n->node_case == PG_QUERY__NODE__NODE_A_CONST && n->a_const->val_case == PG_QUERY__A__CONST__VAL_FVAL)
		return parse_int64(n->a_const->fval->fval, value);	/* beyond 32 bits */
	if (n->node_case == PG_QUERY__NODE__NODE_PARAM_REF && params &&
		n->param_ref->number >= 1 && n->param_ref->number <= params->count)
		return parse_int64(params->values[n->param_ref->number - 1], value);
	return 0;
}

static void
each_table(const PgQuery__Node *n, query_table_fn fn, void *ctx)
{
	if (n == NULL)
		return;
	if (n->node_case == PG_QUERY__NODE__NODE_RANGE_VAR)
	{
		const PgQuery__RangeVar *rv = n->range_var;

		fn(ctx, rv->schemaname && rv->schemaname[0] ? rv->schemaname : NULL, rv->relname,
		   rv->alias && rv->alias->aliasname && rv->alias->aliasname[0] ? rv->alias->aliasname : NULL);
	}
	else if (n->node_case == PG_QUERY__NODE__NODE_JOIN_EXPR)
	{
		each_table(n->join_expr->larg, fn, ctx);
		each_table(n->join_expr->rarg, fn, ctx);
	}
}

void
query_tree_each_table(const query_tree *t, query_table_fn fn, void *ctx)
{
	for (size_t i = 0; t->select && i < t->select->n_from_clause; i++)
		each_table(t->select->from_clause[i], fn, ctx);
}

/* Keep the highest ParamRef number seen (a sql_tree_walk visitor). */
static int
note_param(void *ctx, const ProtobufCMessage *m, const ProtobufCMessage *parent,
		   const ProtobufCFieldDescriptor *field)
{
	int		   *best = ctx;

	if (m->descriptor == &pg_query__param_ref__descriptor && ((const PgQuery__ParamRef *) m)->number > *best)
		*best = ((const PgQuery__ParamRef *) m)->number;
	return 0;
}

int
query_tree_max_param(const query_tree *t)
{
	int			best = 0;

	if (t->result)
		sql_tree_walk(&t->result->base, note_param, &best);
	return best;
}
