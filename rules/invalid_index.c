/*-------------------------------------------------------------------------
 * invalid_index.c
 *    invalid-index: an index left invalid by a failed CREATE INDEX
 *    CONCURRENTLY or REINDEX CONCURRENTLY.
 *
 * The planner never uses an invalid index, yet every write still updates
 * it (it may be part-built), and a unique one still rejects duplicates.
 * docs/rules/invalid-index.md.
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"

extern const rule rule_invalid_index;

static void
report(const rule_context *ctx, const catalog_index *ix)
{
	double		mb = (double) ix->size_bytes / (1024.0 * 1024.0);
	finding    *f = rule_catalog_finding(&rule_invalid_index, ix->schema, ix->name, ix->table, mb);
	strbuf		sql;

	finding_set_detail(f, "Index %s.%s on %s (%.1f MB) is invalid: queries cannot use it, writes still "
					   "maintain it.", ix->schema, ix->name, ix->table, mb);
	finding_set_hint(f, "It is left by a CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY that failed "
					 "(often a deadlock or a unique violation); rebuild it, or drop it if not wanted.");
	strbuf_init(&sql);
	strbuf_puts(&sql, "REINDEX INDEX CONCURRENTLY ");
	sql_append_qualified(&sql, ix->schema, ix->name);
	strbuf_putc(&sql, ';');
	finding_set_fix(f, sql.data, "rebuild the index; or DROP INDEX CONCURRENTLY it if it is not wanted");
	strbuf_free(&sql);
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	for (int i = 0; i < ctx->catalog->nindexes; i++)
		if (!ctx->catalog->indexes[i].valid)
			report(ctx, &ctx->catalog->indexes[i]);
}

const rule	rule_invalid_index = {
	.id = "invalid-index",
	.title = "index is invalid",
	.severity = FINDING_MEDIUM,
	.scope = RULE_CATALOG,
	.summary = "index with indisvalid = false (a failed concurrent build)",
	.check = check,
};
