/*-------------------------------------------------------------------------
 * query_tree.h
 *    One SELECT as libpg_query's protobuf tree, edited and deparsed back
 *    to SQL.
 *
 * The workload rules that suggest a rewrite (large-offset's keyset page,
 * select-star-hot's column list) edit the statement's tree and deparse
 * it, so the SQL they propose is the statement itself with one clause
 * changed, never text pasted together.  Edits go through
 * query_tree_set_node / query_tree_set_list, which remember what they
 * replaced: query_tree_free (and query_tree_undo) put the original back
 * before the tree is freed, so nodes built here (in the tree's arena)
 * are never handed to protobuf-c's free.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_QUERY_TREE_H
#define PGSIFT_QUERY_TREE_H

#include "parsers/log_event.h"

#include <pg_query/pg_query.pb-c.h>
#include <stdint.h>

struct arena;
struct query_edit;

typedef struct query_tree
{
	PgQuery__ParseResult *result;
	PgQuery__SelectStmt *select;	/* the statement: one plain SELECT */
	struct arena *mem;			/* nodes built by the query_node_* functions */
	int			nedits,
				edits_cap;
	struct query_edit *edits;	/* what to put back, in order */
} query_tree;

/*
 * Parse sql into t.  0 when sql is exactly one SELECT that is not a set
 * operation (UNION...), a VALUES list or SELECT INTO; -1 otherwise, with
 * t empty.  Whether it is safe to run (a data-modifying WITH) is
 * explain_run's business.  Free with query_tree_free either way.
 */
int			query_tree_parse(const char *sql, query_tree *t);

/* Undo every edit and free the tree; a zeroed or empty t is allowed. */
void		query_tree_free(query_tree *t);

/* Put back what every edit replaced, newest first. */
void		query_tree_undo(query_tree *t);

/* The tree as SQL (malloc'd), or NULL when libpg_query cannot deparse it. */
char	   *query_tree_deparse(const query_tree *t);

/* Replace *slot by node (may be NULL), remembering the old value. */
void		query_tree_set_node(query_tree *t, PgQuery__Node **slot, PgQuery__Node *node);

/* Replace the list (*n, *items) by (new_n, new_items), remembering the old one. */
void		query_tree_set_list(query_tree *t, size_t *n, PgQuery__Node ***items,
								size_t new_n, PgQuery__Node **new_items);

/* New nodes in t's arena; strings are copied. */
PgQuery__Node *query_node_param(query_tree *t, int number);
PgQuery__Node *query_node_int(query_tree *t, int32_t value);
/* A column reference, qualifier.column or column (qualifier NULL). */
PgQuery__Node *query_node_column(query_tree *t, const char *qualifier, const char *column);
/* "l op r" as an A_Expr. */
PgQuery__Node *query_node_op(query_tree *t, const char *op, PgQuery__Node *l, PgQuery__Node *r);
/* "a AND b"; a NULL a gives b. */
PgQuery__Node *query_node_and(query_tree *t, PgQuery__Node *a, PgQuery__Node *b);
/* "(items...)" as a row; one item is returned as it is. */
PgQuery__Node *query_node_row(query_tree *t, size_t n, PgQuery__Node **items);
/* A select-list entry "val" (no AS name). */
PgQuery__Node *query_node_target(query_tree *t, PgQuery__Node *val);
/* An array of n node pointers (zeroed) in t's arena. */
PgQuery__Node **query_node_array(query_tree *t, size_t n);

/* Strip type casts: "$1::int" is "$1". */
const PgQuery__Node *query_node_uncast(const PgQuery__Node *n);

/*
 * The integer value of n: an integer constant, or a parameter $k whose
 * value in params (may be NULL) is an integer.  1 with *value set, else 0.
 */
int			query_node_int_value(const PgQuery__Node *n, const param_list *params, int64_t *value);

/* A table of the FROM list: schema (NULL when not written), name, alias (NULL). */
typedef void (*query_table_fn) (void *ctx, const char *schema, const char *name, const char *alias);

/*
 * Call fn for each table named in the SELECT's FROM list, joins included
 * (not subqueries, functions or CTE bodies), in the order written.
 */
void		query_tree_each_table(const query_tree *t, query_table_fn fn, void *ctx);

/* The highest $k in the tree (0 when none). */
int			query_tree_max_param(const query_tree *t);

#endif
