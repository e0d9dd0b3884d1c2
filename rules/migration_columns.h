/*-------------------------------------------------------------------------
 * migration_columns.h
 *    Column types and defaults as a migration writes them, for the rules
 *    about ADD COLUMN and ALTER COLUMN TYPE.
 *
 * Without a catalog pgsift knows a column only from the SQL: its type as
 * written (the grammar turns keywords such as INTEGER into
 * pg_catalog.int4, other names arrive as written) and its DEFAULT
 * expression.  This module folds type aliases into one name; says
 * whether changing one type into another rewrites the table, from
 * PostgreSQL's binary-coercible casts (pg_cast.castmethod = 'b') and the
 * length-coercion support functions of varchar, numeric, varbit and the
 * datetime types, which let a wider typmod through without touching a
 * row; says whether a DEFAULT is volatile, from pg_proc.provolatile of
 * the functions defaults commonly call (others are unknown); and follows
 * the types the migration itself gives its columns.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_MIGRATION_COLUMNS_H
#define PGSIFT_MIGRATION_COLUMNS_H

#include "src/live/catalog.h"
#include "src/model/migration.h"

#include <pg_query/pg_query.pb-c.h>

/* A column's type, with the grammar's aliases folded (INTEGER is int4). */
typedef struct column_type
{
	char		name[132];		/* "int4", "varchar", ...; for a type pgsift does
								 * not know, the name as written, qualified */
	int			builtin;		/* a pg_catalog type pgsift knows */
	int			serial;			/* 2, 4, 8: smallserial, serial, bigserial; else 0 */
	int			ntypmods;		/* typmods written, at most 2 kept */
	int			typmods[2];		/* -1 where not an integer constant */
	int			array;			/* an array of name */
} column_type;

/* Read tn into *out. */
void		column_type_read(const PgQuery__TypeName *tn, column_type *out);

/* t as SQL ("bigint", "varchar(20)", "numeric(12,2)[]") into buf of size n. */
void		column_type_format(const column_type *t, char *buf, size_t n);

/* What changing a column from one type to another does to the table. */
typedef enum column_change
{
	COLUMN_CHANGE_NONE,			/* binary coercible: catalog only */
	COLUMN_CHANGE_REWRITE,		/* every row rewritten, indexes rebuilt */
	COLUMN_CHANGE_TIME_ZONE,	/* timestamp <-> timestamptz: a rewrite unless
								 * the session's TimeZone is UTC (PG >= 12) */
	COLUMN_CHANGE_UNKNOWN		/* a type pgsift does not know */
} column_change;

column_change column_type_change(const column_type *from, const column_type *to);

/* The first constraint of kind type on cd, or NULL. */
const PgQuery__Constraint *column_def_constraint(const PgQuery__ColumnDef *cd, PgQuery__ConstrType type);

/* cd's DEFAULT expression, or NULL when it has none. */
const PgQuery__Node *column_def_default(const PgQuery__ColumnDef *cd);

/* Whether cd is declared NOT NULL (PRIMARY KEY implies it). */
int			column_def_not_null(const PgQuery__ColumnDef *cd);

/* Whether e is the NULL literal (possibly cast: NULL::int). */
int			column_expr_is_null(const PgQuery__Node *e);

typedef enum expr_volatility
{
	EXPR_NOT_VOLATILE,			/* constants, operators, and functions known
								 * to be IMMUTABLE or STABLE */
	EXPR_VOLATILE,				/* calls a function known to be VOLATILE */
	EXPR_VOLATILITY_UNKNOWN		/* calls a function pgsift does not know */
} expr_volatility;

/*
 * Whether e, a DEFAULT expression, is volatile: evaluated once per row
 * (volatile) or once for the statement.  *function (when not NULL) is set
 * to the volatile function it calls, or the first unknown one (NULL when
 * none; it points into e).
 */
expr_volatility column_expr_volatility(const PgQuery__Node *e, const char **function);

/* The same, with the functions pgsift does not know looked up in cat's pg_proc (cat may be NULL). */
expr_volatility column_expr_volatility_in(const PgQuery__Node *e, const catalog_snapshot *cat,
										  const char **function);

/*
 * The current type of column of the table rv names, as the catalog of
 * --dsn has it, into *out: 1, or 0 when cat is NULL or does not have it.
 */
int			column_type_from_catalog(const catalog_snapshot *cat, const PgQuery__RangeVar *rv, const char *column,
									 column_type *out);

/*
 * Whether cat's pg_cast has a binary-coercible cast (castmethod 'b') from
 * one type to the other, with no length or precision to enforce: then
 * ALTER COLUMN TYPE changes only the catalog.  0 without a catalog.
 */
int			column_type_binary_coercible(const catalog_snapshot *cat, const column_type *from, const column_type *to);

/*
 * The column types a migration gives, followed statement by statement: a
 * rule walking the statements in order asks column_tracker_type about
 * statement i before column_tracker_note(i), so each answer is one hash
 * lookup and the walk stays linear in the migration's length.
 */
typedef struct column_tracker column_tracker;

/* An empty tracker; free it with column_tracker_free. */
column_tracker *column_tracker_new(void);
void		column_tracker_free(column_tracker *t);

/*
 * Take in what statement s says of column types: the columns of CREATE
 * TABLE, ADD COLUMN and ALTER COLUMN TYPE give a type; DROP COLUMN forgets
 * one; RENAME COLUMN moves it to the new name.  The tree stays s's.
 */
void		column_tracker_note(column_tracker *t, const migration_statement *s);

/*
 * The type column has in the relation called relation (a
 * migration_relation_key) after the statements noted so far, or NULL
 * when the migration has not said.  Points into the migration's trees.
 */
const PgQuery__TypeName *column_tracker_type(const column_tracker *t, const char *relation, const char *column);

/*
 * Statement s, an ALTER TABLE, with the columns that its subcommands
 * cmds[0..n-1] add made plain: no DEFAULT, NOT NULL, PRIMARY KEY, identity
 * or generation expression, and a serial type replaced by the integer it
 * stands for; the other subcommands as they are.  Deparsed, with its ';';
 * malloc'd, or NULL when it cannot be.
 */
char	   *migration_plain_add_column_sql(const migration_statement *s, const size_t *cmds, size_t n);

#endif
