/*-------------------------------------------------------------------------
 * set_not_null_scans.c
 *    set-not-null-scans: ALTER COLUMN ... SET NOT NULL on an existing
 *    table, which scans it under ACCESS EXCLUSIVE.
 *
 * SET NOT NULL must prove that no row holds a NULL, and it reads the
 * whole table to do so while it holds ACCESS EXCLUSIVE.  From PostgreSQL
 * 12 a valid CHECK (column IS NOT NULL) proves it instead, and the scan
 * is skipped: the recipe adds that CHECK NOT VALID, validates it (SHARE
 * UPDATE EXCLUSIVE, no blocking), sets NOT NULL, and drops the CHECK.
 * Statically, the CHECK constraints we can see are those this migration
 * added and validated before the statement; each table's statements are
 * walked once, in order.  Before 12 every SET NOT NULL scans.
 * docs/rules/set-not-null-scans.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_constraints.h"
#include "rules/migration_rules.h"
#include "src/lib/arena.h"

#include <stdlib.h>
#include <string.h>

extern const rule rule_set_not_null_scans;

static int
sets_not_null(const PgQuery__AlterTableCmd *cmd)
{
	return cmd && cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull && cmd->name && cmd->name[0];
}

/* t_c_not_null, as the recipe names its CHECK. */
static void
check_name(strbuf *out, const PgQuery__RangeVar *rel, const char *column)
{
	migration_object_name(out, rel->relname, column, "not_null");
}

/* The recipe for one column, into sql; pg_version < 12: the CHECK alone. */
static void
append_recipe(strbuf *sql, const PgQuery__RangeVar *rel, const char *column, int pg_version)
{
	strbuf		name,
				table,
				col;

	strbuf_init(&name);
	strbuf_init(&table);
	strbuf_init(&col);
	check_name(&name, rel, column);
	strbuf_puts(&table, migration_relation_name(rel));
	sql_append_ident(&col, column);
	if (sql->len > 0)
		strbuf_putc(sql, '\n');
	strbuf_printf(sql, "ALTER TABLE %s ADD CONSTRAINT ", table.data);
	sql_append_ident(sql, name.data);
	strbuf_printf(sql, " CHECK (%s IS NOT NULL) NOT VALID;\nALTER TABLE %s VALIDATE CONSTRAINT ",
				  col.data, table.data);
	sql_append_ident(sql, name.data);
	strbuf_putc(sql, ';');
	if (pg_version >= 12)
	{
		strbuf_printf(sql, "\nALTER TABLE %s ALTER COLUMN %s SET NOT NULL;\nALTER TABLE %s DROP CONSTRAINT ",
					  table.data, col.data, table.data);
		sql_append_ident(sql, name.data);
		strbuf_putc(sql, ';');
	}
	strbuf_free(&col);
	strbuf_free(&table);
	strbuf_free(&name);
}

/*
 * Report statement i when one of its SET NOT NULL columns has no valid
 * CHECK (column IS NOT NULL) among checks (the constraints before it).
 */
static void
judge(const rule_context *ctx, int i, const migration_checks *checks)
{
	const migration_statement *s = &MIGRATION(ctx)->statements[i];
	const PgQuery__AlterTableStmt *a = s->node->alter_table_stmt;
	int			version = ctx->migration->pg_version;
	strbuf		columns,
				sql;
	int			n = 0;
	finding    *f;

	strbuf_init(&columns);
	strbuf_init(&sql);
	for (size_t k = 0; k < a->n_cmds; k++)
	{
		const PgQuery__AlterTableCmd *cmd = migration_alter_cmd(a, k);

		if (!sets_not_null(cmd) || (version >= 12 && migration_checks_valid(checks, cmd->name)))
			continue;
		if (n++ > 0)
			strbuf_puts(&columns, ", ");
		sql_append_ident(&columns, cmd->name);
		append_recipe(&sql, a->relation, cmd->name, version);
	}
	if (n > 0 && (f = migration_finding(&rule_set_not_null_scans, ctx, i)) != NULL)
	{
		finding_set_lock(f, lock_mode_name(LOCK_ACCESS_EXCLUSIVE), 0);
		finding_set_detail(f, "SET NOT NULL on column%s %s of %s reads every row of the table to prove it holds no "
						   "NULL, while it holds ACCESS EXCLUSIVE, which blocks %s.", n == 1 ? "" : "s", columns.data,
						   migration_relation_name(a->relation), migration_lock_blocks(LOCK_ACCESS_EXCLUSIVE));
		if (version >= 12)
		{
			finding_append_detail(f, "No valid CHECK (%s IS NOT NULL) added earlier in the migration spares the scan.",
								  n == 1 ? columns.data : "column");
			finding_set_hint(f, "Prove it first: add CHECK (column IS NOT NULL) NOT VALID, validate it in a "
							 "transaction of its own (SHARE UPDATE EXCLUSIVE: reads and writes go on), then SET "
							 "NOT NULL uses the constraint instead of scanning; drop the CHECK afterwards.");
			finding_set_fix(f, sql.data, "prove the column has no NULL without blocking, then set NOT NULL at once");
		}
		else
		{
			finding_append_detail(f, "Before PostgreSQL 12, a CHECK constraint does not spare the scan.");
			finding_set_hint(f, "On PostgreSQL %d there is no way around the scan: set it while the table is quiet, "
							 "with a short lock_timeout, or keep a validated CHECK (column IS NOT NULL) instead of "
							 "NOT NULL (from PostgreSQL 12 it lets SET NOT NULL skip the scan).", version);
			finding_set_fix(f, sql.data, "enforce it with a CHECK, added NOT VALID and validated without blocking");
		}
		finding_list_add(ctx->out, f);
	}
	strbuf_free(&sql);
	strbuf_free(&columns);
}

/* Walk the statements of the table statement i alters, in order; mark them done. */
static void
walk_table(const rule_context *ctx, int i, char *done)
{
	const migration *m = MIGRATION(ctx);
	char	   *key = xstrdup(migration_relation_key(m->statements[i].node->alter_table_stmt->relation));
	migration_checks checks = {0};
	int			n;
	const int  *list = migration_relation_statements(m, key, &n);

	for (int k = 0; k < n; k++)
	{
		int			j = list[k];
		const PgQuery__AlterTableStmt *a;
		int			sets = 0;

		if (!migration_alters(&m->statements[j], key))
			continue;
		done[j] = 1;
		a = m->statements[j].node->alter_table_stmt;
		for (size_t c = 0; c < a->n_cmds && !sets; c++)
			sets = sets_not_null(migration_alter_cmd(a, c));
		/* the CHECKs of this statement itself are not in the catalog yet when it runs */
		if (sets && !migration_is_new(ctx, a->relation, j))
			judge(ctx, j, &checks);
		migration_checks_apply(&checks, a);
	}
	migration_checks_free(&checks);
	free(key);
}

static void
check(const rule_context *ctx)
{
	const migration *m = MIGRATION(ctx);
	char	   *done = xcalloc((size_t) m->nstatements + 1, 1);

	for (int i = 0; i < m->nstatements; i++)
	{
		const PgQuery__AlterTableStmt *a = migration_alter_table(&m->statements[i]);
		int			sets = 0;

		if (a == NULL || a->relation == NULL || done[i])
			continue;
		for (size_t c = 0; c < a->n_cmds && !sets; c++)
			sets = sets_not_null(migration_alter_cmd(a, c));
		if (sets)
			walk_table(ctx, i, done);
	}
	free(done);
}

const rule	rule_set_not_null_scans = {
	.id = "set-not-null-scans",
	.title = "SET NOT NULL scans the table under ACCESS EXCLUSIVE",
	.severity = FINDING_MEDIUM,
	.scope = RULE_MIGRATION,
	.summary = "ALTER COLUMN ... SET NOT NULL on an existing table with no validated CHECK (col IS NOT NULL) first",
	.check = check,
};
