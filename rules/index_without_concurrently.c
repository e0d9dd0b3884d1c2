/*-------------------------------------------------------------------------
 * index_without_concurrently.c
 *    index-without-concurrently: CREATE INDEX on an existing table
 *    without CONCURRENTLY.
 *
 * A plain CREATE INDEX holds a SHARE lock on the table for the whole
 * build: reads go on, every INSERT, UPDATE and DELETE waits, for as long
 * as it takes to sort the table.  CONCURRENTLY builds it in two passes
 * under SHARE UPDATE EXCLUSIVE, which blocks no DML.  An index on a table
 * created earlier in the same migration is not reported: nobody uses the
 * table yet.  docs/rules/index-without-concurrently.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_rules.h"

#include <stdlib.h>

extern const rule rule_index_without_concurrently;

static void
make_concurrent(PgQuery__Node *stmt, void *arg)
{
	stmt->index_stmt->concurrent = 1;
}

static void
report(const rule_context *ctx, int i)
{
	const migration_statement *s = &MIGRATION(ctx)->statements[i];
	finding    *f = migration_finding(&rule_index_without_concurrently, ctx, i);
	char	   *fix;

	if (f == NULL)
		return;
	finding_set_lock(f, lock_mode_name(LOCK_SHARE), 0);
	finding_set_detail(f, "CREATE INDEX takes a SHARE lock on %s for the whole build, which blocks %s: "
					   "on a large table, minutes of failed or queued writes.",
					   migration_relation_name(s->node->index_stmt->relation),
					   migration_lock_blocks(LOCK_SHARE));
	finding_set_hint(f, "Build it with CREATE INDEX CONCURRENTLY%s: it takes longer but lets writes go on. "
					 "If a concurrent build fails it leaves an invalid index: drop it and build again.",
					 s->in_block ? ", in a migration of its own (it cannot run inside a transaction block)" : "");
	fix = migration_edited_sql(s, make_concurrent, NULL);
	if (fix)
	{
		char	   *sql = NULL;

		if (asprintf(&sql, "%s;", fix) > 0)
			finding_set_fix(f, sql, "build the index without blocking writes");
		free(sql);
		free(fix);
	}
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	const migration *m = MIGRATION(ctx);

	for (int i = 0; i < m->nstatements; i++)
	{
		const PgQuery__Node *n = m->statements[i].node;

		if (n && n->node_case == PG_QUERY__NODE__NODE_INDEX_STMT && !n->index_stmt->concurrent &&
			!migration_is_new(ctx, n->index_stmt->relation, i))
			report(ctx, i);
	}
}

const rule	rule_index_without_concurrently = {
	.id = "index-without-concurrently",
	.title = "index built without CONCURRENTLY blocks writes",
	.severity = FINDING_HIGH,
	.scope = RULE_MIGRATION,
	.summary = "CREATE INDEX on an existing table without CONCURRENTLY (SHARE lock for the build)",
	.check = check,
};
