/*-------------------------------------------------------------------------
 * add_column_not_null_without_default.c
 *    add-column-not-null-without-default: ALTER TABLE ... ADD COLUMN
 *    ... NOT NULL with no DEFAULT on an existing table.
 *
 * The new column is NULL in every row already there, so NOT NULL fails
 * with "column ... contains null values" as soon as the table has one
 * row: the migration passes on an empty development database and fails
 * in production, after waiting for its ACCESS EXCLUSIVE lock.  A column
 * that gets a value for the existing rows (a DEFAULT other than NULL, an
 * identity, a generation expression, a serial type) is not reported;
 * neither is a table created earlier in the migration, which is empty.
 * A domain type's own default cannot be seen without the catalog.
 * docs/rules/add-column-not-null-without-default.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_columns.h"
#include "rules/migration_rules.h"
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"
#include "src/sql/sql_ident.h"

#include <stdio.h>
#include <stdlib.h>

extern const rule rule_add_column_not_null_without_default;

/* Whether cmd adds a NOT NULL column that no value fills. */
static const PgQuery__ColumnDef *
unfilled_not_null(const PgQuery__AlterTableCmd *cmd)
{
	const PgQuery__ColumnDef *cd;
	const PgQuery__Node *def;
	column_type t;

	if (cmd == NULL || cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn || cmd->def == NULL ||
		cmd->def->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF)
		return NULL;
	cd = cmd->def->column_def;
	if (!column_def_not_null(cd) || cd->type_name == NULL)
		return NULL;
	def = column_def_default(cd);
	if (def && !column_expr_is_null(def))
		return NULL;
	if (column_def_constraint(cd, PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY) ||
		column_def_constraint(cd, PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED))
		return NULL;
	column_type_read(cd->type_name, &t);
	return t.serial ? NULL : cd;
}

/* The fix: the columns added nullable, then the recipe's next steps. */
static void
set_fix(finding *f, const migration_statement *s, const size_t *cmds, size_t n, const char *table,
		const char *column)
{
	char	   *plain = migration_plain_add_column_sql(s, cmds, n);
	strbuf		sql;

	if (plain == NULL)
		return;
	strbuf_init(&sql);
	strbuf_printf(&sql, "%s\n"
				  "-- then give new rows a value (ALTER TABLE %s ALTER COLUMN %s SET DEFAULT ...),\n"
				  "-- backfill the existing rows in batches (UPDATE %s SET %s = ... WHERE %s IS NULL AND <key range>),\n"
				  "-- and set NOT NULL without a long scan: docs/rules/set-not-null-scans.md",
				  plain, table, column, table, column, column);
	finding_set_fix(f, sql.data, "add the column nullable, fill it, then set NOT NULL");
	strbuf_free(&sql);
	free(plain);
}

/*
 * Report statement i, whose subcommands cmds[0..n-1] add the NOT NULL
 * columns named (as SQL) in columns; first is the first of them.
 */
static void
report(const rule_context *ctx, int i, const size_t *cmds, size_t n, const char *columns, const char *first)
{
	const migration_statement *s = &MIGRATION(ctx)->statements[i];
	const PgQuery__AlterTableStmt *a = migration_alter_table(s);
	finding    *f = migration_finding(&rule_add_column_not_null_without_default, ctx, i);
	char		table[512];

	if (f == NULL)
		return;
	snprintf(table, sizeof(table), "%s", migration_relation_name(a->relation));
	finding_set_lock(f, lock_mode_name(LOCK_ACCESS_EXCLUSIVE), 0);
	finding_set_detail(f, "It adds %s %s to %s as NOT NULL with no DEFAULT: the rows already there would "
					   "hold NULL, so the statement fails with \"column contains null values\" as soon as "
					   "%s has a row, after waiting for an ACCESS EXCLUSIVE lock that blocks %s.",
					   n > 1 ? "columns" : "column", columns, table, table,
					   migration_lock_blocks(LOCK_ACCESS_EXCLUSIVE));
	if (ctx->migration->pg_version >= 11)
		finding_set_hint(f, "If one constant suits the existing rows, add the column with NOT NULL DEFAULT "
						 "<constant>: from PostgreSQL 11 that is a catalog-only change. Otherwise add it "
						 "nullable, give new rows a value, backfill in batches, then set NOT NULL without a "
						 "long scan (docs/rules/set-not-null-scans.md).");
	else
		finding_set_hint(f, "Add the column nullable, give new rows a value with ALTER COLUMN ... SET DEFAULT "
						 "(before PostgreSQL 11 a DEFAULT in ADD COLUMN rewrites the table), backfill in "
						 "batches, then set NOT NULL without a long scan (docs/rules/set-not-null-scans.md).");
	set_fix(f, s, cmds, n, table, first);
	finding_list_add(ctx->out, f);
}

static void
check_statement(const rule_context *ctx, int i)
{
	const PgQuery__AlterTableStmt *a = migration_alter_table(&MIGRATION(ctx)->statements[i]);
	strbuf		columns,
				first;
	size_t	   *cmds;
	size_t		n = 0;

	if (a == NULL || a->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE || migration_is_new(ctx, a->relation, i))
		return;
	cmds = xmalloc(sizeof(*cmds) * (a->n_cmds ? a->n_cmds : 1));
	strbuf_init(&columns);
	strbuf_init(&first);
	for (size_t k = 0; k < a->n_cmds; k++)
	{
		const PgQuery__ColumnDef *cd = unfilled_not_null(migration_alter_cmd(a, k));

		if (cd == NULL)
			continue;
		if (n == 0)
			sql_append_ident(&first, cd->colname);
		else
			strbuf_puts(&columns, ", ");
		sql_append_ident(&columns, cd->colname);
		cmds[n++] = k;
	}
	if (n > 0)
		report(ctx, i, cmds, n, columns.data, first.data);
	strbuf_free(&columns);
	strbuf_free(&first);
	free(cmds);
}

static void
check(const rule_context *ctx)
{
	const migration *m = MIGRATION(ctx);

	for (int i = 0; i < m->nstatements; i++)
		check_statement(ctx, i);
}

const rule	rule_add_column_not_null_without_default = {
	.id = "add-column-not-null-without-default",
	.title = "NOT NULL column added without a default fails on a table with rows",
	.severity = FINDING_HIGH,
	.scope = RULE_MIGRATION,
	.summary = "ADD COLUMN ... NOT NULL with no DEFAULT on an existing table (fails once it has a row)",
	.check = check,
};
