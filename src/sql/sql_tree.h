/*-------------------------------------------------------------------------
 * sql_tree.h
 *    Walking libpg_query's protobuf parse tree by reflection.
 *
 * The typed tree (pg_query_parse_protobuf + pg_query__parse_result__unpack)
 * has some 250 node types.  Code that needs "every node of kind X under
 * here" (every FuncCall, every ParamRef, every RangeVar) should not have
 * to know the fields of all of them: protobuf-c describes each message's
 * fields, so one walker can visit every message below a root, in field
 * order, depth first.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_SQL_TREE_H
#define PGSIFT_SQL_TREE_H

#include <jansson.h>
#include <pg_query/pg_query.pb-c.h>

/*
 * Called for every message of the tree, parent before children.  parent
 * is the message that holds m (NULL for the root) and field the
 * descriptor of the field of parent it sits in (NULL for the root).
 * Return 0 to go on into m's children, 1 to skip them, -1 to stop the
 * whole walk.
 */
typedef int (*sql_tree_visit_fn) (void *ctx, const ProtobufCMessage *m,
								  const ProtobufCMessage *parent,
								  const ProtobufCFieldDescriptor *field);

/*
 * Visit root and every message below it (Node wrappers included: a Node
 * is visited, then the one member of its oneof that is set).  Returns -1
 * when a visit stopped the walk, else 0.
 */
int			sql_tree_walk(const ProtobufCMessage *root, sql_tree_visit_fn visit, void *ctx);

/*
 * Parse sql into a typed tree; NULL when libpg_query cannot parse it
 * (with *error, if given, set to its message, malloc'd).  Free with
 * sql_tree_free.
 */
PgQuery__ParseResult *sql_tree_parse(const char *sql, char **error);

/*
 * sql_tree_parse, also giving where a parse error is: *cursorpos is the
 * 1-based character offset in sql libpg_query points at (0: none).
 */
PgQuery__ParseResult *sql_tree_parse_at(const char *sql, char **error, int *cursorpos);

/* The tree as SQL (malloc'd), or NULL when libpg_query cannot deparse it. */
char	   *sql_tree_deparse(const PgQuery__ParseResult *tree);

/* Free a tree from sql_tree_parse; NULL is allowed. */
void		sql_tree_free(PgQuery__ParseResult *tree);

/*
 * Parse sql (NULL: "") into libpg_query's JSON tree, {"version": ...,
 * "stmts": [...]}; NULL when it does not parse (with *error, if given,
 * set to libpg_query's message, malloc'd; else NULL).  The caller
 * json_decref's the tree.  For code that searches the tree by node name.
 */
json_t	   *sql_tree_json(const char *sql, char **error);

#endif
