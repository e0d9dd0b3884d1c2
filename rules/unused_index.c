/*-------------------------------------------------------------------------
 * unused_index.c
 *    unused-index: a sizeable index no scan has used since the statistics
 *    were last reset.
 *
 * Every write pays to maintain an index, and its pages compete for cache.
 * PgHero's line is 10 MB; below it the cost is small.  Unique, primary and
 * constraint-backing indexes enforce something even when never scanned,
 * and invalid ones are invalid-index's concern.  idx_scan counts since the
 * last stats reset, and only on this server (not replicas): the detail
 * says when that was.  docs/rules/unused-index.md.
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"

/* Smallest index worth reporting (PgHero's threshold). */
#define UNUSED_INDEX_MIN_BYTES (10LL * 1024 * 1024)
/* From this size on, severity medium. */
#define UNUSED_INDEX_MEDIUM_BYTES (1024LL * 1024 * 1024)

extern const rule rule_unused_index;

static void
report(const rule_context *ctx, const catalog_index *ix)
{
	double		mb = (double) ix->size_bytes / (1024.0 * 1024.0);
	const char *reset = ctx->catalog->settings.stats_reset;
	finding    *f = rule_catalog_finding(&rule_unused_index, ix->schema, ix->name, ix->table, mb);
	strbuf		sql;

	if (ix->size_bytes >= UNUSED_INDEX_MEDIUM_BYTES)
		f->severity = FINDING_MEDIUM;
	finding_set_detail(f, "Index %s.%s on %s (%.1f MB) has not been scanned since %s%s.",
					   ix->schema, ix->name, ix->table, mb,
					   reset ? "the statistics were reset at " : "the statistics were last reset",
					   reset ? reset : " (when is not known)");
	finding_set_hint(f, "Scans on replicas are not counted here: check them before dropping. Keep "
					 "the definition to recreate it: %s", ix->definition ? ix->definition : "(not known)");
	strbuf_init(&sql);
	strbuf_puts(&sql, "DROP INDEX CONCURRENTLY ");
	sql_append_qualified(&sql, ix->schema, ix->name);
	strbuf_putc(&sql, ';');
	finding_set_fix(f, sql.data, "drop the index: writes stop maintaining it and its space is freed");
	strbuf_free(&sql);
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	for (int i = 0; i < ctx->catalog->nindexes; i++)
	{
		const catalog_index *ix = &ctx->catalog->indexes[i];

		if (ix->idx_scan == 0 && ix->size_bytes >= UNUSED_INDEX_MIN_BYTES && ix->valid &&
			!ix->unique && !ix->primary && !ix->backs_constraint)
			report(ctx, ix);
	}
}

const rule	rule_unused_index = {
	.id = "unused-index",
	.title = "index is never used",
	.severity = FINDING_LOW,
	.scope = RULE_CATALOG,
	.summary = "index of >= 10 MB with idx_scan = 0 that enforces no constraint",
	.check = check,
};
