/*-------------------------------------------------------------------------
 * migration_constraints.h
 *    What the constraint rules of a migration share: constraint names as
 *    PostgreSQL chooses them, column lists and expressions written back
 *    as SQL, and the CHECK constraints a migration has proved on a table.
 *
 * A safe recipe names its constraint twice (ADD ... NOT VALID, then
 * VALIDATE CONSTRAINT name), so a constraint written without a name gets
 * the one the server would give it; and a statement that a valid CHECK
 * spares a scan (SET NOT NULL, ATTACH PARTITION) asks which CHECK
 * constraints the migration added, validated and dropped before it.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_MIGRATION_CONSTRAINTS_H
#define PGSIFT_MIGRATION_CONSTRAINTS_H

#include "src/lib/hashmap.h"
#include "src/lib/strbuf.h"
#include "src/model/migration.h"

#include <pg_query/pg_query.pb-c.h>

/*
 * Append name1_name2_label as PostgreSQL's makeObjectName builds it:
 * name1 and name2 (which may be NULL or "") cut, the longer first, so
 * that the whole fits in 63 bytes.
 */
void		migration_object_name(strbuf *out, const char *name1, const char *name2, const char *label);

/*
 * Append the name of constraint con on table rel: its own, or the one
 * PostgreSQL gives an unnamed one (orders_customer_id_fkey,
 * orders_amount_check, orders_pkey, ...).  column is the column of a
 * column constraint (ADD COLUMN ... REFERENCES), else NULL.
 */
void		migration_constraint_name(strbuf *out, const PgQuery__RangeVar *rel,
									  const PgQuery__Constraint *con, const char *column);

/*
 * The names of the constraints one ALTER TABLE adds (ADD CONSTRAINT, and
 * the CHECK, REFERENCES, UNIQUE and PRIMARY KEY of an ADD COLUMN): each
 * its own, or PostgreSQL's default, numbered as the server numbers it
 * (orders_check, orders_check1) when the statement already holds that
 * name, so that a fix naming them all stays valid.
 */
typedef struct migration_constraint_names
{
	int			n;
	const PgQuery__Constraint **constraints;
	char	  **names;
} migration_constraint_names;

void		migration_constraint_names_of(migration_constraint_names *out, const PgQuery__AlterTableStmt *a);

/* The name of con, one of a's constraints; NULL when it is not one. */
const char *migration_constraint_names_get(const migration_constraint_names *names,
										   const PgQuery__Constraint *con);

void		migration_constraint_names_free(migration_constraint_names *names);

/* Append a list of String nodes as identifiers, "a, b", quoted where needed. */
void		migration_append_names(strbuf *sb, size_t n, PgQuery__Node *const *names);

/* An expression of a parse tree written as SQL (malloc'd), or NULL. */
char	   *migration_expression_sql(const PgQuery__Node *expr);

/* Whether statement s is an ALTER TABLE of the relation called key. */
int			migration_alters(const migration_statement *s, const char *key);

/*
 * The CHECK constraints a migration adds to one table, followed through
 * its statements: a CHECK is valid when it was added without NOT VALID,
 * or validated later; a DROP CONSTRAINT forgets it.  A CHECK (column IS
 * NOT NULL) is counted for its column, which SET NOT NULL can use.  Each
 * step and question costs O(1), so a walk over a table's statements stays
 * linear however many constraints it adds.  Zero-initialize, then apply.
 */
typedef struct migration_check
{
	char	   *not_null_column;	/* or NULL */
	int			present;		/* added and not dropped since */
	int			valid;
} migration_check;

typedef struct migration_checks
{
	int			n;
	int			cap;
	migration_check *items;
	hashmap    *by_name;		/* name -> index + 1 into items */
	hashmap    *valid_columns;	/* column -> how many valid NOT NULL checks */
	int			nvalid;			/* valid checks present */
} migration_checks;

/* Apply one ALTER TABLE's ADD CHECK, VALIDATE and DROP CONSTRAINT, in order. */
void		migration_checks_apply(migration_checks *c, const PgQuery__AlterTableStmt *a);

/*
 * Whether a valid CHECK is present: one on column IS NOT NULL, or any
 * when column is NULL.
 */
int			migration_checks_valid(const migration_checks *c, const char *column);

void		migration_checks_free(migration_checks *c);

#endif
