/*-------------------------------------------------------------------------
 * reindex_without_concurrently.c
 *    reindex-without-concurrently: REINDEX without CONCURRENTLY.
 *
 * A plain REINDEX holds SHARE on the table for the rebuild (writes wait)
 * and ACCESS EXCLUSIVE on the index being rebuilt.  That second lock
 * blocks more than the queries that would use the index: the planner
 * locks every index of a table it plans a query on, so nearly every
 * query on the table waits too.  REINDEX ... CONCURRENTLY (PostgreSQL
 * 12 and later) builds a new index beside the old one and swaps them
 * under SHARE UPDATE EXCLUSIVE.  Before 12 the same is done by hand: a
 * concurrent build of a copy, a concurrent drop of the original and a
 * rename.  REINDEX SYSTEM has no concurrent form at all.  An index or
 * table the same migration created is not reported.
 * docs/rules/reindex-without-concurrently.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_objects.h"
#include "rules/migration_rules.h"
#include "src/lib/strbuf.h"
#include "src/sql/sql_ident.h"

#include <string.h>

extern const rule rule_reindex_without_concurrently;

/* "INDEX", "TABLE", ... as REINDEX names its kind of target. */
static const char *
kind_name(PgQuery__ReindexObjectType kind)
{
	switch (kind)
	{
		case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_INDEX:
			return "INDEX";
		case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_TABLE:
			return "TABLE";
		case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SCHEMA:
			return "SCHEMA";
		case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SYSTEM:
			return "SYSTEM";
		default:
			return "DATABASE";
	}
}

/* The target as written: a relation, or a schema's or database's name. */
static void
target_name(const PgQuery__ReindexStmt *r, strbuf *out)
{
	if (r->relation)
		strbuf_puts(out, migration_relation_name(r->relation));
	else if (r->name && r->name[0])
		sql_append_ident(out, r->name);
}

/*
 * The concurrent form, written out: "REINDEX [(VERBOSE)] KIND
 * CONCURRENTLY name" is what PostgreSQL 12 and 13 read (the
 * parenthesized CONCURRENTLY libpg_query deparses to is 14's).  0 when
 * the statement has other options, which only the parenthesized form
 * can carry.
 */
static int
write_fix(const PgQuery__ReindexStmt *r, strbuf *fix)
{
	int			verbose = 0;

	for (size_t k = 0; k < r->n_params; k++)
	{
		const PgQuery__Node *p = r->params[k];

		if (p->node_case != PG_QUERY__NODE__NODE_DEF_ELEM || strcmp(p->def_elem->defname, "verbose") != 0)
			return 0;
		verbose = statement_option_set(1, &r->params[k], "verbose");
	}
	strbuf_printf(fix, "REINDEX %s%s CONCURRENTLY ", verbose ? "(VERBOSE) " : "", kind_name(r->kind));
	target_name(r, fix);
	strbuf_puts(fix, ";");
	return 1;
}

static void
set_detail(finding *f, const PgQuery__ReindexStmt *r)
{
	strbuf		name;

	strbuf_init(&name);
	target_name(r, &name);
	if (r->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_INDEX)
		finding_set_detail(f, "REINDEX INDEX %s takes SHARE on its table, which blocks %s, and ACCESS EXCLUSIVE "
						   "on the index, which blocks the queries that use it: the planner locks every index "
						   "of a table it plans for, so nearly every query on the table waits, for the whole "
						   "rebuild.", name.data, migration_lock_blocks(LOCK_SHARE));
	else if (r->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_TABLE)
		finding_set_detail(f, "REINDEX TABLE %s takes SHARE on it, which blocks %s, and ACCESS EXCLUSIVE on each "
						   "index while it is rebuilt, which blocks the queries that use it: the planner locks "
						   "every index of a table it plans for, so nearly every query on the table waits, for "
						   "the whole rebuild.", name.data, migration_lock_blocks(LOCK_SHARE));
	else
		finding_set_detail(f, "REINDEX %s %s rebuilds every index of %s, table by table, each under SHARE on "
						   "its table (writes wait) and ACCESS EXCLUSIVE on the index being rebuilt (nearly "
						   "every query on the table waits, as the planner locks every index of a table it "
						   "plans for).", kind_name(r->kind), name.data,
						   r->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SCHEMA
						   ? "every table in the schema"
						   : r->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SYSTEM ? "the system catalogs"
						   : "every table of the database");
	strbuf_free(&name);
}

static void
set_hint_and_fix(finding *f, const rule_context *ctx, const migration_statement *s)
{
	const PgQuery__ReindexStmt *r = s->node->reindex_stmt;
	strbuf		fix;

	if (r->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SYSTEM)
	{
		finding_set_hint(f, "The system catalogs cannot be reindexed concurrently: run REINDEX SYSTEM in a "
						 "maintenance window, not in a migration.");
		return;
	}
	if (ctx->migration->pg_version < 12)
	{
		finding_set_hint(f, "PostgreSQL %d has no REINDEX CONCURRENTLY (it came in 12): for each index, build a "
						 "copy with CREATE INDEX CONCURRENTLY, drop the original with DROP INDEX CONCURRENTLY and "
						 "rename the copy to its name (ALTER INDEX ... RENAME TO); for an index behind a "
						 "primary key or unique constraint, swap the constraint onto the copy with ALTER TABLE "
						 "... ADD CONSTRAINT ... USING INDEX.", ctx->migration->pg_version);
		return;
	}
	finding_set_hint(f, "Rebuild with REINDEX ... CONCURRENTLY%s: it builds the new index beside the old one and "
					 "swaps them under SHARE UPDATE EXCLUSIVE, which blocks no query. A failed run leaves an "
					 "invalid index (named ..._ccnew): drop it and run again.",
					 s->in_block ? ", in a migration of its own (it cannot run inside a transaction block)" : "");
	strbuf_init(&fix);
	if (write_fix(r, &fix))
		finding_set_fix(f, fix.data, "rebuild without blocking queries (PostgreSQL 12 and later)");
	strbuf_free(&fix);
}

/* Whether the REINDEX of statement i rebuilds only what this migration made. */
static int
target_is_new(const rule_context *ctx, int i, migration_objects **objects)
{
	const PgQuery__ReindexStmt *r = MIGRATION(ctx)->statements[i].node->reindex_stmt;

	if (r->relation)
		return migration_target_is_new(ctx, i);
	if (r->kind != PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SCHEMA)
		return 0;
	if (*objects == NULL)
		*objects = migration_objects_build(MIGRATION(ctx));
	return migration_object_created_before(*objects, MIGRATION_OBJECT_SCHEMA, r->name, i);
}

static void
check(const rule_context *ctx)
{
	const migration *m = MIGRATION(ctx);
	migration_objects *objects = NULL;

	for (int i = 0; i < m->nstatements; i++)
	{
		const migration_statement *s = &m->statements[i];
		finding    *f;

		if (s->node == NULL || s->node->node_case != PG_QUERY__NODE__NODE_REINDEX_STMT ||
			statement_option_set(s->node->reindex_stmt->n_params, s->node->reindex_stmt->params, "concurrently"))
			continue;
		if (target_is_new(ctx, i, &objects) ||
			(f = migration_finding(&rule_reindex_without_concurrently, ctx, i)) == NULL)
			continue;
		finding_set_lock(f, lock_mode_name(LOCK_SHARE), 0);
		set_detail(f, s->node->reindex_stmt);
		set_hint_and_fix(f, ctx, s);
		finding_list_add(ctx->out, f);
	}
	migration_objects_free(objects);
}

const rule	rule_reindex_without_concurrently = {
	.id = "reindex-without-concurrently",
	.title = "REINDEX without CONCURRENTLY blocks the table",
	.severity = FINDING_MEDIUM,
	.scope = RULE_MIGRATION,
	.summary = "REINDEX of existing indexes without CONCURRENTLY (SHARE on the table, ACCESS EXCLUSIVE on the index)",
	.check = check,
};
