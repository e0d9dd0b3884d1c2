/*-------------------------------------------------------------------------
 * detach_partition_without_concurrently.c
 *    detach-partition-without-concurrently: ALTER TABLE ... DETACH
 *    PARTITION without CONCURRENTLY, on PostgreSQL 14 and later.
 *
 * A plain DETACH PARTITION takes ACCESS EXCLUSIVE on the partitioned
 * table: every query on it, whatever partition it reads, waits while the
 * DETACH waits for its lock.  From PostgreSQL 14, DETACH PARTITION ...
 * CONCURRENTLY takes SHARE UPDATE EXCLUSIVE on the parent instead and
 * waits for the queries using the partition in two transactions.  Before
 * 14 there is no better form, so nothing is reported there: a finding
 * with nothing to do about it would only teach people to ignore the
 * rule.  A parent the same migration created is not reported.
 * docs/rules/detach-partition-without-concurrently.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const rule rule_detach_partition_without_concurrently;

/* The partition a plain DETACH PARTITION subcommand of a detaches, or NULL. */
static const PgQuery__RangeVar *
plain_detach(const PgQuery__AlterTableStmt *a)
{
	for (size_t k = 0; k < a->n_cmds; k++)
	{
		const PgQuery__AlterTableCmd *cmd = migration_alter_cmd(a, k);

		if (cmd && cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition && cmd->def &&
			cmd->def->node_case == PG_QUERY__NODE__NODE_PARTITION_CMD && !cmd->def->partition_cmd->concurrent)
			return cmd->def->partition_cmd->name;
	}
	return NULL;
}

static void
make_concurrent(PgQuery__Node *stmt, void *arg)
{
	PgQuery__AlterTableStmt *a = stmt->alter_table_stmt;

	for (size_t k = 0; k < a->n_cmds; k++)
		if (a->cmds[k]->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_CMD &&
			a->cmds[k]->alter_table_cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition &&
			a->cmds[k]->alter_table_cmd->def &&
			a->cmds[k]->alter_table_cmd->def->node_case == PG_QUERY__NODE__NODE_PARTITION_CMD)
			a->cmds[k]->alter_table_cmd->def->partition_cmd->concurrent = 1;
}

static void
report(const rule_context *ctx, int i, const PgQuery__RangeVar *partition)
{
	const migration_statement *s = &MIGRATION(ctx)->statements[i];
	finding    *f = migration_finding(&rule_detach_partition_without_concurrently, ctx, i);
	char		parent[512];
	char	   *fix;

	if (f == NULL)
		return;
	snprintf(parent, sizeof(parent), "%s", migration_relation_name(s->node->alter_table_stmt->relation));
	finding_set_lock(f, lock_mode_name(LOCK_ACCESS_EXCLUSIVE), 0);
	finding_set_detail(f, "DETACH PARTITION %s takes ACCESS EXCLUSIVE on %s, which blocks %s: every query on "
					   "the partitioned table, whatever partition it reads, waits while the DETACH waits for "
					   "its lock and runs.", migration_relation_name(partition), parent,
					   migration_lock_blocks(LOCK_ACCESS_EXCLUSIVE));
	finding_set_hint(f, "Detach it with DETACH PARTITION ... CONCURRENTLY%s: it takes SHARE UPDATE EXCLUSIVE on "
					 "the parent, which blocks no query. It is refused when the table has a default partition; "
					 "if it is interrupted, finish it with ALTER TABLE %s DETACH PARTITION %s FINALIZE.",
					 s->in_block ? ", in a migration of its own (it cannot run inside a transaction block)" : "",
					 parent, migration_relation_name(partition));
	fix = migration_edited_sql(s, make_concurrent, NULL);
	if (fix)
	{
		char	   *sql = NULL;
		size_t		len = strlen(fix);

		/* libpg_query leaves a space after CONCURRENTLY */
		while (len > 0 && fix[len - 1] == ' ')
			fix[--len] = '\0';
		if (asprintf(&sql, "%s;", fix) > 0)
			finding_set_fix(f, sql, "detach the partition without blocking queries on the parent");
		free(sql);
		free(fix);
	}
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	const migration *m = MIGRATION(ctx);

	if (ctx->migration->pg_version < 14)
		return;
	for (int i = 0; i < m->nstatements; i++)
	{
		const PgQuery__AlterTableStmt *a = migration_alter_table(&m->statements[i]);
		const PgQuery__RangeVar *partition;

		if (a && (partition = plain_detach(a)) != NULL && !migration_target_is_new(ctx, i))
			report(ctx, i, partition);
	}
}

const rule	rule_detach_partition_without_concurrently = {
	.id = "detach-partition-without-concurrently",
	.title = "partition detached without CONCURRENTLY blocks the parent",
	.severity = FINDING_MEDIUM,
	.scope = RULE_MIGRATION,
	.summary = "DETACH PARTITION without CONCURRENTLY on PostgreSQL 14+ (ACCESS EXCLUSIVE on the parent)",
	.check = check,
};
