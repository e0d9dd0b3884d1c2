/*-------------------------------------------------------------------------
 * truncate_table.c
 *    truncate-table: TRUNCATE of a table that exists before the
 *    migration.
 *
 * TRUNCATE takes ACCESS EXCLUSIVE on every table it empties (every query
 * on them waits, behind it, while it waits for the lock) and removes
 * every row for good once it commits.  With CASCADE it also empties
 * every table that references one of them by a foreign key, and so on
 * down the chain: tables the statement does not name.  Tables the same
 * migration created are not reported.  docs/rules/truncate-table.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_rules.h"
#include "src/lib/strbuf.h"

extern const rule rule_truncate_table;

static void
report(const rule_context *ctx, int i, const char *names, int several)
{
	const PgQuery__TruncateStmt *t = MIGRATION(ctx)->statements[i].node->truncate_stmt;
	finding    *f = migration_finding(&rule_truncate_table, ctx, i);

	if (f == NULL)
		return;
	finding_set_lock(f, lock_mode_name(LOCK_ACCESS_EXCLUSIVE), 0);
	for (size_t k = 0; k < t->n_relations; k++)
		if (t->relations[k]->node_case == PG_QUERY__NODE__NODE_RANGE_VAR &&
			!migration_is_new(ctx, t->relations[k]->range_var, i))
			finding_add_table(f, migration_relation_key(t->relations[k]->range_var));
	finding_set_detail(f, "It empties %s, which exist%s before the migration: the rows are gone for good once it "
					   "commits (only a backup brings them back), and it takes ACCESS EXCLUSIVE on %s, which "
					   "blocks %s.", names, several ? "" : "s", several ? "each" : "it",
					   migration_lock_blocks(LOCK_ACCESS_EXCLUSIVE));
	if (t->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE)
		finding_append_detail(f, "CASCADE also empties every table with a foreign key to %s, and the tables "
							  "referencing those in turn: tables this statement does not name.",
							  several ? "any of them" : "it");
	finding_set_hint(f, "Make sure nothing still reads the rows and keep a backup (pg_dump -t) first. To remove "
					 "rows from a table in use without blocking its queries, DELETE them in batches instead%s.",
					 t->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE
					 ? "; and name every table to empty rather than relying on CASCADE" : "");
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	const migration *m = MIGRATION(ctx);
	strbuf		names;

	strbuf_init(&names);
	for (int i = 0; i < m->nstatements; i++)
	{
		const PgQuery__Node *n = m->statements[i].node;
		int			old = 0;

		if (n == NULL || n->node_case != PG_QUERY__NODE__NODE_TRUNCATE_STMT)
			continue;
		strbuf_reset(&names);
		for (size_t k = 0; k < n->truncate_stmt->n_relations; k++)
		{
			const PgQuery__Node *r = n->truncate_stmt->relations[k];

			if (r->node_case == PG_QUERY__NODE__NODE_RANGE_VAR && !migration_is_new(ctx, r->range_var, i))
				strbuf_printf(&names, "%s%s", old++ ? ", " : "", migration_relation_name(r->range_var));
		}
		if (old > 0)
			report(ctx, i, names.data, old > 1);
	}
	strbuf_free(&names);
}

const rule	rule_truncate_table = {
	.id = "truncate-table",
	.title = "table emptied while the application may use it",
	.severity = FINDING_HIGH,
	.scope = RULE_MIGRATION,
	.summary = "TRUNCATE of a table that exists before the migration (ACCESS EXCLUSIVE, and the rows are gone)",
	.check = check,
};
