/*-------------------------------------------------------------------------
 * statement_kind.h
 *    What a statement from a log would do if it were run.
 *
 * pgsift runs statements it read from logs only under EXPLAIN, and only
 * when they are plain queries (or DML under --measure real).  This module
 * decides that from libpg_query's parse tree, never from the text.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_STATEMENT_KIND_H
#define PGSIFT_STATEMENT_KIND_H

#include <pg_query/pg_query.pb-c.h>

typedef enum statement_kind
{
	STMT_SELECT,				/* SELECT, VALUES, TABLE, WITH of SELECTs only */
	STMT_DML,					/* INSERT, UPDATE, DELETE, MERGE, or WITH holding one */
	STMT_UTILITY,				/* anything else, incl. SELECT INTO, EXPLAIN */
	STMT_MULTIPLE,				/* more than one statement */
	STMT_UNPARSABLE				/* syntax error or no statement at all */
} statement_kind;

/*
 * Classify one SQL string.  When reason is not NULL, *reason receives a
 * malloc'd phrase saying why (e.g. "CreateStmt is a utility statement",
 * or the parser's message), or NULL for STMT_SELECT and STMT_DML.
 */
statement_kind statement_classify(const char *sql, char **reason);

/*
 * Whether the statement holds $n placeholders (as pg_stat_statements and
 * prepared statements print it).  0 when it does not parse.
 */
int			statement_has_params(const char *sql);

/* The kind's name, e.g. "utility" (static string). */
const char *statement_kind_name(statement_kind k);

/* Whether a parsed statement is a SELECT or DML (INSERT, UPDATE, DELETE, MERGE). */
int			statement_node_is_query_or_dml(const PgQuery__Node *stmt);

#endif
