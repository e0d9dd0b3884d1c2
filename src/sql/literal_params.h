/*-------------------------------------------------------------------------
 * literal_params.h
 *    The constants of a statement sent with its values inline (the simple
 *    protocol), as the parameters of its normalized form.
 *
 * pg_query_normalize replaces each constant by $1, $2, ... in the order
 * they appear; a statement logged through the extended protocol carries
 * its values in a DETAIL "parameters: $1 = '42', $2 = 'x'" line.  This
 * gives the same text for a simple-protocol statement, read from its
 * parse tree, so that what measures a normalized statement with its
 * logged values (the N+1 batch, the unbatched INSERT) measures both.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_LITERAL_PARAMS_H
#define PGSIFT_LITERAL_PARAMS_H

/*
 * The constants of sql, numbered as pg_query_normalize numbers them in
 * normalized (sql's normalized form), as PostgreSQL's DETAIL text
 * ("$1 = '42', $2 = NULL"; quotes doubled), malloc'd.  Constants in type
 * modifiers (varchar(10)) are not parameters, as normalization leaves
 * them.  NULL when sql does not parse, has no constant, has a bit-string
 * one, or has another count of them than normalized has parameters.
 */
char	   *sql_literal_params(const char *sql, const char *normalized);

#endif
