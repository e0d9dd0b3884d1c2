/*-------------------------------------------------------------------------
 * drop_index_without_concurrently.c
 *    drop-index-without-concurrently: DROP INDEX of an existing index
 *    without CONCURRENTLY.
 *
 * A plain DROP INDEX takes ACCESS EXCLUSIVE on the index's table: the
 * drop itself is quick, but while it waits for the lock (behind any open
 * transaction on the table) every query on the table queues behind it.
 * DROP INDEX CONCURRENTLY waits for those transactions under SHARE
 * UPDATE EXCLUSIVE instead, which blocks no query.  It takes one index
 * per statement, no CASCADE, and no transaction block; so the fix is one
 * statement per index.  An index the same migration created is not
 * reported.  docs/rules/drop-index-without-concurrently.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_rules.h"
#include "src/lib/strbuf.h"
#include "src/sql/sql_ident.h"

#include <stdlib.h>

extern const rule rule_drop_index_without_concurrently;

/*
 * Make the DROP concurrent and keep only object *(size_t *) arg: the
 * others are freed here, as the tree's own free would have.
 */
static void
keep_one_concurrent(PgQuery__Node *stmt, void *arg)
{
	PgQuery__DropStmt *d = stmt->drop_stmt;
	size_t		keep = *(const size_t *) arg;

	d->concurrent = 1;
	for (size_t k = 0; k < d->n_objects; k++)
		if (k != keep)
			pg_query__node__free_unpacked(d->objects[k], NULL);
	d->objects[0] = d->objects[keep];
	d->n_objects = 1;
}

/* One DROP INDEX CONCURRENTLY per index of statement s, into fix; 0 when it cannot be written. */
static int
write_fix(const migration_statement *s, strbuf *fix)
{
	size_t		n = s->node->drop_stmt->n_objects;

	for (size_t k = 0; k < n; k++)
	{
		char	   *sql = migration_edited_sql(s, keep_one_concurrent, &k);

		if (sql == NULL)
			return 0;
		strbuf_printf(fix, "%s%s;", k ? "\n" : "", sql);
		free(sql);
	}
	return 1;
}

/* The indexes d names, as written, comma-separated. */
static void
index_names(const PgQuery__DropStmt *d, strbuf *out)
{
	for (size_t k = 0; k < d->n_objects; k++)
	{
		const PgQuery__List *names = d->objects[k]->node_case == PG_QUERY__NODE__NODE_LIST
			? d->objects[k]->list : NULL;

		if (names == NULL || names->n_items == 0 || names->n_items > 2)
			continue;
		if (out->len)
			strbuf_puts(out, ", ");
		sql_append_qualified(out, names->n_items == 2 ? names->items[0]->string->sval : NULL,
							 names->items[names->n_items - 1]->string->sval);
	}
}

static void
report(const rule_context *ctx, int i)
{
	const migration_statement *s = &MIGRATION(ctx)->statements[i];
	const PgQuery__DropStmt *d = s->node->drop_stmt;
	int			cascade = d->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE;
	finding    *f = migration_finding(&rule_drop_index_without_concurrently, ctx, i);
	strbuf		fix;

	if (f == NULL)
		return;
	strbuf_init(&fix);
	index_names(d, &fix);
	finding_set_lock(f, lock_mode_name(LOCK_ACCESS_EXCLUSIVE), 0);
	finding_set_detail(f, "DROP INDEX %s takes ACCESS EXCLUSIVE on the table of %s, which blocks %s: the drop "
					   "is quick, but while it waits behind any open transaction on the table, every "
					   "query on the table queues behind it.",
					   fix.data, d->n_objects > 1 ? "each index" : "the index",
					   migration_lock_blocks(LOCK_ACCESS_EXCLUSIVE));
	strbuf_reset(&fix);
	if (cascade)
	{
		finding_set_hint(f, "DROP INDEX CONCURRENTLY waits without blocking queries, but it does not take "
						 "CASCADE: drop what depends on the index first, then drop the index concurrently, "
						 "one per statement, outside a transaction block.");
		finding_list_add(ctx->out, f);
		strbuf_free(&fix);
		return;
	}
	finding_set_hint(f, "Drop it with DROP INDEX CONCURRENTLY%s%s: it waits for the transactions using the "
					 "index without blocking queries.",
					 d->n_objects > 1 ? ", one index per statement (CONCURRENTLY takes one)" : "",
					 s->in_block ? ", in a migration of its own (it cannot run inside a transaction block)" : "");
	if (write_fix(s, &fix))
		finding_set_fix(f, fix.data, d->n_objects > 1 ? "drop each index without blocking queries"
						: "drop the index without blocking queries");
	strbuf_free(&fix);
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	const migration *m = MIGRATION(ctx);

	for (int i = 0; i < m->nstatements; i++)
	{
		const PgQuery__Node *n = m->statements[i].node;

		if (n && n->node_case == PG_QUERY__NODE__NODE_DROP_STMT &&
			n->drop_stmt->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX && !n->drop_stmt->concurrent &&
			!migration_target_is_new(ctx, i))
			report(ctx, i);
	}
}

const rule	rule_drop_index_without_concurrently = {
	.id = "drop-index-without-concurrently",
	.title = "index dropped without CONCURRENTLY blocks the table",
	.severity = FINDING_MEDIUM,
	.scope = RULE_MIGRATION,
	.summary = "DROP INDEX of an existing index without CONCURRENTLY (ACCESS EXCLUSIVE on its table)",
	.check = check,
};
