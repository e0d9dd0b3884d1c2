/*-------------------------------------------------------------------------
 * concurrently_in_transaction.c
 *    concurrently-in-transaction: a statement that cannot run inside a
 *    transaction block, inside one.
 *
 * CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY, REINDEX
 * CONCURRENTLY, DETACH PARTITION CONCURRENTLY, VACUUM, and ALTER TYPE
 * ... ADD VALUE before PostgreSQL 12 all fail with "cannot run inside a
 * transaction block" when a BEGIN (or the migration tool's wrapping
 * transaction, --single-transaction) holds them: the migration stops
 * there.  docs/rules/concurrently-in-transaction.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_rules.h"

extern const rule rule_concurrently_in_transaction;

/* The command name when n cannot run in a transaction block, else NULL. */
static const char *
refused_in_block(const PgQuery__Node *n, int pg_version)
{
	const PgQuery__AlterTableStmt *a;

	switch (n->node_case)
	{
		case PG_QUERY__NODE__NODE_INDEX_STMT:
			return n->index_stmt->concurrent ? "CREATE INDEX CONCURRENTLY" : NULL;
		case PG_QUERY__NODE__NODE_DROP_STMT:
			return n->drop_stmt->concurrent ? "DROP INDEX CONCURRENTLY" : NULL;
		case PG_QUERY__NODE__NODE_REINDEX_STMT:
			return statement_option_set(n->reindex_stmt->n_params, n->reindex_stmt->params, "concurrently")
				? "REINDEX CONCURRENTLY" : NULL;
		case PG_QUERY__NODE__NODE_VACUUM_STMT:
			return n->vacuum_stmt->is_vacuumcmd ? "VACUUM" : NULL;
		case PG_QUERY__NODE__NODE_ALTER_ENUM_STMT:
			return pg_version < 12 && n->alter_enum_stmt->old_val[0] == '\0'
				? "ALTER TYPE ... ADD VALUE (before PostgreSQL 12)" : NULL;
		case PG_QUERY__NODE__NODE_CREATEDB_STMT:
			return "CREATE DATABASE";
		case PG_QUERY__NODE__NODE_DROPDB_STMT:
			return "DROP DATABASE";
		case PG_QUERY__NODE__NODE_ALTER_SYSTEM_STMT:
			return "ALTER SYSTEM";
		case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
			a = n->alter_table_stmt;
			for (size_t k = 0; k < a->n_cmds; k++)
			{
				const PgQuery__AlterTableCmd *cmd = migration_alter_cmd(a, k);

				if (cmd && cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition && cmd->def &&
					cmd->def->node_case == PG_QUERY__NODE__NODE_PARTITION_CMD && cmd->def->partition_cmd->concurrent)
					return "DETACH PARTITION CONCURRENTLY";
			}
			return NULL;
		default:
			return NULL;
	}
}

static void
check(const rule_context *ctx)
{
	const migration *m = MIGRATION(ctx);

	for (int i = 0; i < m->nstatements; i++)
	{
		const migration_statement *s = &m->statements[i];
		const char *command;
		finding    *f;

		if (s->node == NULL || !s->in_block)
			continue;
		command = refused_in_block(s->node, ctx->migration->pg_version);
		if (command == NULL || (f = migration_finding(&rule_concurrently_in_transaction, ctx, i)) == NULL)
			continue;
		finding_set_detail(f, "%s runs inside the transaction block %s at line %d: PostgreSQL refuses it "
						   "(ERROR: %s cannot run inside a transaction block) and the migration fails here.",
						   command, m->options.single_transaction ? "that wraps the file, from its first statement"
						   : "opened", migration_block_start_line(m, i), command);
		finding_set_hint(f, "Run it on its own, outside BEGIN ... COMMIT: in a migration of its own with the "
						 "tool's transaction turned off (Rails disable_ddl_transaction!, Flyway "
						 "executeInTransaction=false, Django atomic = False).");
		finding_list_add(ctx->out, f);
	}
}

const rule	rule_concurrently_in_transaction = {
	.id = "concurrently-in-transaction",
	.title = "statement cannot run inside a transaction block",
	.severity = FINDING_CRITICAL,
	.scope = RULE_MIGRATION,
	.summary = "CONCURRENTLY, VACUUM and the like inside BEGIN ... COMMIT: the migration fails",
	.check = check,
};
