/*-------------------------------------------------------------------------
 * statement_kind.c
 *    Classify a statement by its libpg_query parse tree.
 *
 * The JSON form of the tree names every node by its type ("SelectStmt",
 * "DeleteStmt", ...), so finding a data-modifying CTE or an INTO clause
 * anywhere inside a SELECT is a search for a key.  Searching the whole
 * subtree is deliberately broader than the grammar needs: a false
 * "DML" only means the statement is not run without --measure real.
 *-------------------------------------------------------------------------
 */
#include "src/sql/statement_kind.h"
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"
#include "src/sql/sql_tree.h"

#include <jansson.h>
#include <pg_query.h>
#include <stdlib.h>
#include <string.h>

static const char *const dml_nodes[] = {"InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"};

#define NDML_NODES (sizeof(dml_nodes) / sizeof(dml_nodes[0]))

/* Whether key names an object member anywhere in the tree under v. */
static int
tree_has_key(json_t *v, const char *key)
{
	if (json_is_object(v))
	{
		const char *k;
		json_t	   *child;

		json_object_foreach(v, k, child)
		{
			if (strcmp(k, key) == 0 || tree_has_key(child, key))
				return 1;
		}
	}
	else if (json_is_array(v))
	{
		size_t		i;
		json_t	   *child;

		json_array_foreach(v, i, child)
		{
			if (tree_has_key(child, key))
				return 1;
		}
	}
	return 0;
}

static int
is_dml_node(const char *name)
{
	for (size_t i = 0; i < NDML_NODES; i++)
		if (strcmp(name, dml_nodes[i]) == 0)
			return 1;
	return 0;
}

/* *reason = text followed by suffix (malloc'd), when the caller wants it. */
static void
set_reason(char **reason, const char *text, const char *suffix)
{
	if (reason == NULL)
		return;

	strbuf		sb;

	strbuf_init(&sb);
	strbuf_puts(&sb, text);
	strbuf_puts(&sb, suffix);
	*reason = strbuf_detach(&sb);
}

/* Classify the single statement node {"<Type>": {...}}. */
static statement_kind
classify_node(json_t *stmt, char **reason)
{
	const char *type = NULL;
	json_t	   *body = NULL;

	json_object_foreach(stmt, type, body)
		break;
	if (type == NULL)
		return STMT_UNPARSABLE;
	if (is_dml_node(type))
		return STMT_DML;
	if (strcmp(type, "SelectStmt") != 0)
	{
		set_reason(reason, type, " is a utility statement");
		return STMT_UTILITY;
	}
	if (tree_has_key(body, "intoClause"))
	{
		set_reason(reason, "SELECT INTO creates a table", "");
		return STMT_UTILITY;
	}
	for (size_t i = 0; i < NDML_NODES; i++)
		if (tree_has_key(body, dml_nodes[i]))
			return STMT_DML;
	return STMT_SELECT;
}

statement_kind
statement_classify(const char *sql, char **reason)
{
	statement_kind kind = STMT_UNPARSABLE;
	char	   *error = NULL;
	json_t	   *tree;

	if (reason)
		*reason = NULL;
	tree = sql_tree_json(sql, &error);
	if (tree == NULL)
	{
		set_reason(reason, error ? error : "could not read the parse tree", "");
		free(error);
		return STMT_UNPARSABLE;
	}

	json_t	   *stmts = json_object_get(tree, "stmts");
	size_t		n = json_array_size(stmts);

	if (n == 0)
		set_reason(reason, "no statement", "");
	else if (n > 1)
	{
		set_reason(reason, "more than one statement", "");
		kind = STMT_MULTIPLE;
	}
	else
	{
		json_t	   *stmt = json_object_get(json_array_get(stmts, 0), "stmt");

		if (json_is_object(stmt))
			kind = classify_node(stmt, reason);
		else
			set_reason(reason, "no statement", "");
	}
	json_decref(tree);
	return kind;
}

int
statement_has_params(const char *sql)
{
	json_t	   *tree = sql_tree_json(sql, NULL);
	int			found = tree && tree_has_key(tree, "ParamRef");

	json_decref(tree);
	return found;
}

const char *
statement_kind_name(statement_kind k)
{
	switch (k)
	{
		case STMT_SELECT:
			return "select";
		case STMT_DML:
			return "dml";
		case STMT_UTILITY:
			return "utility";
		case STMT_MULTIPLE:
			return "multiple statements";
		case STMT_UNPARSABLE:
			return "unparsable";
	}
	return "unknown";
}

int
statement_node_is_query_or_dml(const PgQuery__Node *stmt)
{
	switch (stmt ? stmt->node_case : PG_QUERY__NODE__NODE__NOT_SET)
	{
		case PG_QUERY__NODE__NODE_SELECT_STMT:
		case PG_QUERY__NODE__NODE_INSERT_STMT:
		case PG_QUERY__NODE__NODE_UPDATE_STMT:
		case PG_QUERY__NODE__NODE_DELETE_STMT:
		case PG_QUERY__NODE__NODE_MERGE_STMT:
			return 1;
		default:
			return 0;
	}
}
